# The quick start that `scripts/demo.sh` applies against the bundled Infisical emulator.
# Against a real Infisical, set INFISICAL_HOST and a machine identity (see the README), and pass
# real GitHub credentials as variables.

terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

# host and credentials come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/_SECRET.
provider "infisical" {}

variable "github_pat" {
  description = "A GitHub personal access token."
  type        = string
  sensitive   = true
  default     = "ghp_demo_token_for_the_emulator"
}

variable "github_app_code" {
  description = "The single-use code from installing the GitHub App."
  type        = string
  sensitive   = true
  default     = "demo-app-code"
}

variable "github_app_installation_id" {
  description = "The GitHub App installation id."
  type        = string
  default     = "12345678"
}

variable "github_oauth_code" {
  description = "The single-use code from authorizing the OAuth app."
  type        = string
  sensitive   = true
  default     = "demo-oauth-code"
}

resource "infisical_app_connection_github" "pat" {
  name        = "github-pat"
  description = "Personal access token for CI"
  method      = "pat"
  credentials = {
    personal_access_token = var.github_pat
  }
}

resource "infisical_app_connection_github" "app" {
  name   = "github-app"
  method = "github-app"
  credentials = {
    code            = var.github_app_code
    installation_id = var.github_app_installation_id
  }
}

resource "infisical_app_connection_github" "oauth" {
  name   = "github-oauth"
  method = "oauth"
  credentials = {
    code = var.github_oauth_code
  }
}

variable "project_id" {
  description = "The Infisical project whose secrets are synced to GitHub."
  type        = string
  default     = "5d3c1b7a-9e2f-4a6b-8c0d-1e2f3a4b5c6d"
}

variable "github_repository" {
  description = "The GitHub repository (owner/name) the project's prod secrets are synced to."
  type        = string
  default     = "demo-org/demo-repo"
}

# Pushes the project's prod secrets at / into the repository's Actions secrets, as APP_<KEY>,
# through the PAT connection. The apply waits for the sync's outcome; destroy removes the synced
# secrets from GitHub first.
resource "infisical_secret_sync_github" "repository" {
  name          = "prod-to-github"
  project_id    = var.project_id
  connection_id = infisical_app_connection_github.pat.id
  environment   = "prod"
  secret_path   = "/"
  destination_config = {
    scope            = "repository"
    repository_owner = split("/", var.github_repository)[0]
    repository_name  = split("/", var.github_repository)[1]
  }
  sync_options = {
    key_schema = "APP_{{secretKey}}"
  }
  remove_secrets_on_destroy = true
}

data "infisical_app_connection_github" "app" {
  name = infisical_app_connection_github.app.name
}

output "app_connection" {
  value = {
    id              = infisical_app_connection_github.app.id
    method          = data.infisical_app_connection_github.app.method
    credentials_set = data.infisical_app_connection_github.app.credentials_hash != ""
  }
}

output "secret_sync" {
  value = {
    id          = infisical_secret_sync_github.repository.id
    sync_status = infisical_secret_sync_github.repository.sync_status
  }
}
