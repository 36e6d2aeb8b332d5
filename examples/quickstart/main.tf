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

variable "database_url" {
  description = "The value of DATABASE_URL, synced to GitHub."
  type        = string
  sensitive   = true
  default     = "postgres://demo"
}

variable "stripe_key" {
  description = "The value of STRIPE_KEY, synced to GitHub."
  type        = string
  sensitive   = true
  default     = "sk_demo"
}

# The project, its prod environment, a folder and two secrets: everything the sync reads, made
# here rather than clicked together in the UI.
resource "infisical_project" "demo" {
  name                       = "Demo app"
  slug                       = "demo-app"
  description                = "The quick start's project"
  should_create_default_envs = false
}

resource "infisical_project_environment" "prod" {
  name       = "Production"
  slug       = "prod"
  project_id = infisical_project.demo.id
}

resource "infisical_secret_folder" "app" {
  name             = "app"
  folder_path      = "/"
  environment_slug = infisical_project_environment.prod.slug
  project_id       = infisical_project.demo.id
}

resource "infisical_secret" "database_url" {
  name         = "DATABASE_URL"
  value        = var.database_url
  workspace_id = infisical_project.demo.id
  env_slug     = infisical_project_environment.prod.slug
  folder_path  = infisical_secret_folder.app.path
}

resource "infisical_secret" "stripe_key" {
  name         = "STRIPE_KEY"
  value        = var.stripe_key
  comment      = "Stripe's test-mode key"
  workspace_id = infisical_project.demo.id
  env_slug     = infisical_project_environment.prod.slug
  folder_path  = infisical_secret_folder.app.path
}

variable "github_repository" {
  description = "The GitHub repository (owner/name) the project's prod secrets are synced to."
  type        = string
  default     = "demo-org/demo-repo"
}

# Pushes the project's prod secrets at /app into the repository's Actions secrets, as
# APP_<KEY>, through the PAT connection. The apply waits for the sync's outcome (after the
# secrets exist, so its first run carries them); destroy removes the synced secrets from GitHub
# first.
resource "infisical_secret_sync_github" "repository" {
  name          = "prod-to-github"
  project_id    = infisical_project.demo.id
  connection_id = infisical_app_connection_github.pat.id
  environment   = infisical_project_environment.prod.slug
  secret_path   = infisical_secret_folder.app.path
  destination_config = {
    scope            = "repository"
    repository_owner = split("/", var.github_repository)[0]
    repository_name  = split("/", var.github_repository)[1]
  }
  sync_options = {
    key_schema = "APP_{{secretKey}}"
  }
  remove_secrets_on_destroy = true

  depends_on = [infisical_secret.database_url, infisical_secret.stripe_key]
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
