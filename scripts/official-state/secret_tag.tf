# Two tags of the project in the shape of the official provider's example
# (examples/resources/infisical_secret_tag/resource.tf, v0.19.24), whose name is its slug. The
# host and the machine identity come from INFISICAL_HOST and
# INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_secret_tag" "team" {
  name       = "team-payments"
  slug       = "team-payments"
  color      = "#ff0000"
  project_id = "@PROJECT_ID@"
}

resource "infisical_secret_tag" "tier" {
  name       = "tier-critical"
  slug       = "tier-critical"
  color      = "#0000ff"
  project_id = "@PROJECT_ID@"
}
