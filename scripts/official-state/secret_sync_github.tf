# A GitHub connection and three syncs of the project's prod environment in the shape of the
# official provider's example (examples/resources/infisical_secret_sync_github/resource.tf,
# v0.19.24), where sync_options.initial_sync_behavior is required: one to a repository, one to
# a repository environment and one to an organization, each with its own key schema. The host
# and the machine identity come from INFISICAL_HOST and
# INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET. The token is fake.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_app_connection_github" "github" {
  name   = "github-sync-connection"
  method = "pat"

  credentials = {
    personal_access_token = "ghp_fixture_sync_connection"
  }
}

resource "infisical_secret_sync_github" "repository" {
  name          = "github-secret-sync-repository"
  description   = "Demo of Github secret sync"
  project_id    = "@PROJECT_ID@"
  environment   = "prod"
  secret_path   = "/"
  connection_id = infisical_app_connection_github.github.id

  sync_options = {
    initial_sync_behavior   = "overwrite-destination",
    disable_secret_deletion = false,
    key_schema              = "INFISICAL_{{secretKey}}"
  }

  destination_config = {
    scope            = "repository"
    repository_owner = "demo-org"
    repository_name  = "demo-repo"
  }
}

resource "infisical_secret_sync_github" "environment" {
  name          = "github-secret-sync-environment"
  project_id    = "@PROJECT_ID@"
  environment   = "prod"
  secret_path   = "/"
  connection_id = infisical_app_connection_github.github.id

  sync_options = {
    initial_sync_behavior = "overwrite-destination"
    key_schema            = "PROD_{{secretKey}}"
  }

  destination_config = {
    scope                  = "repository-environment"
    repository_owner       = "demo-org"
    repository_name        = "demo-repo"
    repository_environment = "production"
  }
}

resource "infisical_secret_sync_github" "organization" {
  name              = "github-secret-sync-organization"
  project_id        = "@PROJECT_ID@"
  environment       = "prod"
  secret_path       = "/"
  connection_id     = infisical_app_connection_github.github.id
  auto_sync_enabled = false

  sync_options = {
    initial_sync_behavior   = "overwrite-destination"
    disable_secret_deletion = true
    key_schema              = "ORG_{{secretKey}}"
  }

  destination_config = {
    scope            = "organization"
    repository_owner = "demo-org"
    visibility       = "all"
  }
}
