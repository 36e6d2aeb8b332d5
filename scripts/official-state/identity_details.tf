# The data source a configuration finds its organization with (examples/data-sources/
# infisical_identity_details, v0.19.24), and an output of it. The host and the machine identity
# come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

data "infisical_identity_details" "current" {}

output "organization" {
  value = data.infisical_identity_details.current.organization
}
