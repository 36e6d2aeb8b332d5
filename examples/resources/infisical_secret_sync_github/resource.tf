# The connection the syncs write to GitHub with. Its token must reach each destination.
resource "infisical_app_connection_github" "github" {
  name   = "github"
  method = "pat"
  credentials = {
    personal_access_token = var.github_pat
  }
}

# A repository's Actions secrets: the secrets of `prod:/app`, named APP_<KEY>.
resource "infisical_secret_sync_github" "repository" {
  name          = "app-to-repository"
  description   = "Production secrets for the api repository's workflows"
  project_id    = var.project_id
  connection_id = infisical_app_connection_github.github.id
  environment   = "prod"
  secret_path   = "/app"

  destination_config = {
    scope            = "repository"
    repository_owner = "acme"
    repository_name  = "api"
  }

  sync_options = {
    key_schema = "APP_{{secretKey}}"
  }
}

# A repository environment's secrets; destroying the sync removes them from GitHub first.
resource "infisical_secret_sync_github" "environment" {
  name          = "app-to-production"
  project_id    = var.project_id
  connection_id = infisical_app_connection_github.github.id
  environment   = "prod"
  secret_path   = "/app"

  destination_config = {
    scope                  = "repository-environment"
    repository_owner       = "acme"
    repository_name        = "api"
    repository_environment = "production"
  }

  remove_secrets_on_destroy = true
}

# An organization's secrets, visible to two repositories (GitHub's numeric repository ids).
resource "infisical_secret_sync_github" "organization" {
  name          = "shared-to-acme"
  project_id    = var.project_id
  connection_id = infisical_app_connection_github.github.id
  environment   = "prod"
  secret_path   = "/shared"

  destination_config = {
    scope                   = "organization"
    repository_owner        = "acme"
    visibility              = "selected"
    selected_repository_ids = [123456789, 987654321]
  }

  sync_options = {
    disable_secret_deletion = true
  }
  auto_sync_enabled = false
}

variable "project_id" {
  type = string
}

variable "github_pat" {
  type      = string
  sensitive = true
}
