# Secrets of the project's dev environment in the shapes of the official provider's example
# (examples/resources/infisical_secret/resource.tf, v0.19.24): a plain value; a value with a
# tag (infisical_secret_tag) and metadata; and a value with a reminder. The host and the
# machine identity come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET. The
# values are fake.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_secret_tag" "managed" {
  name       = "managed"
  slug       = "managed"
  color      = "#1f8a70"
  project_id = "@PROJECT_ID@"
}

resource "infisical_secret" "plain" {
  name         = "DATABASE_URL"
  value        = "postgres://fixture-plain"
  env_slug     = "dev"
  workspace_id = "@PROJECT_ID@"
  folder_path  = "/"
}

resource "infisical_secret" "tagged" {
  name         = "API_KEY"
  value        = "fixture-tagged-api-key"
  env_slug     = "dev"
  workspace_id = "@PROJECT_ID@"
  folder_path  = "/"
  tag_ids      = [infisical_secret_tag.managed.id]
  metadata = {
    team = "payments"
    tier = "critical"
  }
}

resource "infisical_secret" "reminded" {
  name         = "SMTP_PASSWORD"
  value        = "fixture-smtp-password"
  env_slug     = "dev"
  workspace_id = "@PROJECT_ID@"
  folder_path  = "/"
  secret_reminder = {
    note        = "Rotate this secret using the mail provider's console"
    repeat_days = 30
  }
}
