# A GitHub App installation on github.com. `code` and `installation_id` come from the callback
# URL after installing the app; the code is single-use and expires after about 10 minutes.
resource "infisical_app_connection_github" "app" {
  name        = "github-app"
  description = "GitHub App installation for the platform org"
  method      = "github-app"
  credentials = {
    code            = var.github_app_code
    installation_id = "12345678"
  }
}

# A GitHub App on GitHub Enterprise Server, reached through an Infisical gateway.
resource "infisical_app_connection_github" "app_ghes" {
  name       = "github-app-ghes"
  method     = "github-app"
  gateway_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  credentials = {
    code            = var.github_ghes_code
    installation_id = "42"
    instance_type   = "server"
    host            = "github.example.com"
  }

  # Keep the connection when its code has been used and someone re-authorizes it in the UI.
  lifecycle {
    ignore_changes = [credentials]
  }
}

# A GitHub App the organization registered in Infisical itself (as self-hosted servers do):
# `github_app_id` names its record, and Infisical takes the host and instance type from it.
data "infisical_github_app" "main" {
  name = "acme-github"
}

resource "infisical_app_connection_github" "org_app" {
  name   = "github-org-app"
  method = "github-app"
  credentials = {
    code            = var.github_org_app_code
    installation_id = "87654321"
    github_app_id   = data.infisical_github_app.main.id
  }
}

# An OAuth app authorization.
resource "infisical_app_connection_github" "oauth" {
  name   = "github-oauth"
  method = "oauth"
  credentials = {
    code = var.github_oauth_code
  }
}

# A personal access token, scoped to a project. Write-only (Terraform 1.11 or later): the token
# is never stored in the plan or the state, and may come from an ephemeral variable. Increase
# the version to send a new token.
resource "infisical_app_connection_github" "pat" {
  name       = "github-pat"
  method     = "pat"
  project_id = "my-project-id"
  credentials = {
    personal_access_token_wo         = var.github_pat
    personal_access_token_wo_version = 1
  }
}

variable "github_app_code" {
  type      = string
  sensitive = true
}

variable "github_ghes_code" {
  type      = string
  sensitive = true
}

variable "github_org_app_code" {
  type      = string
  sensitive = true
}

variable "github_oauth_code" {
  type      = string
  sensitive = true
}

variable "github_pat" {
  type      = string
  sensitive = true
  ephemeral = true
}
