# What a workflow of the repository runs: log in with the job's OIDC token
# (INFISICAL_AUTH_METHOD=oidc, INFISICAL_MACHINE_IDENTITY_ID, INFISICAL_AUTH_JWT) and read the
# secrets — the ephemeral one never reaches the plan or the state.

terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

variable "project_id" {
  type = string
}

ephemeral "infisical_secret" "database_url" {
  name         = "DATABASE_URL"
  workspace_id = var.project_id
  env_slug     = "ci"
  folder_path  = "/app"
}

data "infisical_secrets" "app" {
  workspace_id = var.project_id
  env_slug     = "ci"
  folder_path  = "/app"
}

output "secret_names" {
  value = sort(keys(data.infisical_secrets.app.secrets))
}

# Proves the ephemeral value was read, without storing it anywhere.
resource "terraform_data" "check" {
  lifecycle {
    precondition {
      condition     = ephemeral.infisical_secret.database_url.value == data.infisical_secrets.app.secrets["DATABASE_URL"].value
      error_message = "the ephemeral secret and the data source disagree"
    }
  }
}
