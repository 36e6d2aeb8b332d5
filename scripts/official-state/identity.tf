# Machine identities in the shapes of the official provider's example
# (examples/resources/infisical_identity/resource.tf, v0.19.24), in the organization the
# infisical_identity_details data source reads: one with an organization role, delete
# protection and metadata; one with only its name and role. The host and the machine identity
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

resource "infisical_identity" "full" {
  name                  = "ci-deployer"
  role                  = "member"
  org_id                = data.infisical_identity_details.current.organization.id
  has_delete_protection = true
  metadata = [
    { key = "team", value = "platform" },
    { key = "env", value = "prod" },
  ]
}

resource "infisical_identity" "minimal" {
  name   = "reader"
  role   = "no-access"
  org_id = data.infisical_identity_details.current.organization.id
}
