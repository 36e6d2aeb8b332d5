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
