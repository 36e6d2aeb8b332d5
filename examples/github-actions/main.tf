# GitHub Actions reads Infisical with no stored secret: one configuration for a project, its
# secrets, their sync to the repository, and the identity the repository's workflows log in as
# with their own OIDC token. See docs/guides/github-actions.md.
#
# `scripts/demo.sh`-style runs point it at the bundled emulator, whose OIDC issuer stands in for
# GitHub's (var.oidc_issuer); against Infisical Cloud or your server, keep the defaults.

terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

variable "github_repository" {
  description = "The repository (owner/name) whose workflows read the secrets, and that the secrets are synced to."
  type        = string
  default     = "demo-org/demo-repo"
}

variable "github_pat" {
  description = "A GitHub token Infisical syncs the secrets to the repository with."
  type        = string
  sensitive   = true
  default     = "ghp_demo_token_for_the_emulator"
}

variable "oidc_issuer" {
  description = "The OIDC issuer of the workflows' tokens: GitHub Actions' unless testing."
  type        = string
  default     = "https://token.actions.githubusercontent.com"
}

variable "database_url" {
  type      = string
  sensitive = true
  default   = "postgres://ci-db"
}

data "infisical_identity_details" "current" {}

resource "infisical_project" "app" {
  name                       = "CI app"
  slug                       = "ci-app"
  should_create_default_envs = false
}

resource "infisical_project_environment" "ci" {
  name       = "CI"
  slug       = "ci"
  project_id = infisical_project.app.id
}

resource "infisical_secret_folder" "app" {
  name             = "app"
  folder_path      = "/"
  environment_slug = infisical_project_environment.ci.slug
  project_id       = infisical_project.app.id
}

resource "infisical_secret" "database_url" {
  name         = "DATABASE_URL"
  value        = var.database_url
  workspace_id = infisical_project.app.id
  env_slug     = infisical_project_environment.ci.slug
  folder_path  = infisical_secret_folder.app.path
}

resource "infisical_secret" "log_level" {
  name         = "LOG_LEVEL"
  value        = "debug"
  workspace_id = infisical_project.app.id
  env_slug     = infisical_project_environment.ci.slug
  folder_path  = infisical_secret_folder.app.path
}

# The secrets also land in the repository's Actions secrets, for steps that read them there.
resource "infisical_app_connection_github" "sync" {
  name   = "ci-sync"
  method = "pat"
  credentials = {
    personal_access_token = var.github_pat
  }
}

resource "infisical_secret_sync_github" "repository" {
  name          = "ci-to-github"
  project_id    = infisical_project.app.id
  connection_id = infisical_app_connection_github.sync.id
  environment   = infisical_project_environment.ci.slug
  secret_path   = infisical_secret_folder.app.path
  destination_config = {
    scope            = "repository"
    repository_owner = split("/", var.github_repository)[0]
    repository_name  = split("/", var.github_repository)[1]
  }
  remove_secrets_on_destroy = true

  depends_on = [infisical_secret.database_url, infisical_secret.log_level]
}

# The identity the repository's workflows log in as: OIDC only, no secret anywhere.
resource "infisical_identity" "ci" {
  name   = "github-actions-ci"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"
}

resource "infisical_identity_oidc_auth" "ci" {
  identity_id        = infisical_identity.ci.id
  oidc_discovery_url = var.oidc_issuer
  bound_issuer       = var.oidc_issuer
  bound_audiences    = ["https://github.com/${split("/", var.github_repository)[0]}"]
  bound_subject      = "repo:${var.github_repository}:*"
  bound_claims = {
    repository = var.github_repository
  }
  access_token_ttl = 600
}

# Read-only: the workflows read the project's secrets and change nothing.
resource "infisical_project_identity" "ci" {
  project_id  = infisical_project.app.id
  identity_id = infisical_identity.ci.id
  roles = [
    { role_slug = "viewer" },
  ]
}

output "ci_identity_id" {
  description = "What the workflow logs in as (INFISICAL_MACHINE_IDENTITY_ID)."
  value       = infisical_identity.ci.id
}

output "project_id" {
  value = infisical_project.app.id
}
