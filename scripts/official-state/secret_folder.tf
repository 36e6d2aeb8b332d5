# Two folders of the project's dev environment, one inside the other: the inner folder's
# `folder_path` is the outer folder's `path`. The inner one has a description and keeps
# `force_delete = false`, as configurations that own folders write it. The host and the machine
# identity come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_secret_folder" "backend" {
  name             = "backend"
  environment_slug = "dev"
  folder_path      = "/"
  project_id       = "@PROJECT_ID@"
}

resource "infisical_secret_folder" "database" {
  name             = "database"
  description      = "Database credentials"
  environment_slug = "dev"
  folder_path      = infisical_secret_folder.backend.path
  project_id       = "@PROJECT_ID@"
  force_delete     = false
}
