# Two environments of the project, in the shape of the official provider's example
# (examples/resources/infisical_project_environment/resource.tf, v0.19.24): one placed with
# `position`, one without (Infisical puts it last). The host and the machine identity come from
# INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_project_environment" "preprod" {
  name       = "Pre-production"
  slug       = "preprod"
  project_id = "@PROJECT_ID@"
  position   = 4
}

resource "infisical_project_environment" "qa" {
  name       = "QA"
  slug       = "qa"
  project_id = "@PROJECT_ID@"
}
