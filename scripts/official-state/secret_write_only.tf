# A secret of the project's dev environment whose value is write-only (`value_wo` with
# `value_wo_version`, Terraform 1.11 and later): the value is sent on create and kept out of the
# state, as in the official provider's documentation of `value_wo`. The host and the machine
# identity come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET. The value is
# fake.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_secret" "write_only" {
  name             = "STRIPE_KEY"
  value_wo         = "fixture-write-only-value"
  value_wo_version = 1
  env_slug         = "dev"
  workspace_id     = "@PROJECT_ID@"
  folder_path      = "/"
}
