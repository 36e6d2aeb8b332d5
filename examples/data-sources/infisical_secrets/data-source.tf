# Every secret of a folder, keyed by name. The values are stored in the state (as sensitive
# values): to read one without storing it, use the `infisical_secret` ephemeral resource.
data "infisical_secrets" "api" {
  workspace_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  env_slug     = "prod"
  folder_path  = "/api"
}

output "database_url" {
  value     = data.infisical_secrets.api.secrets["DATABASE_URL"].value
  sensitive = true
}

# With the secrets the folder's imports bring (the folder's own win over imported ones).
data "infisical_secrets" "api_with_imports" {
  workspace_id    = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  env_slug        = "prod"
  folder_path     = "/api"
  include_imports = true
}

# A whole tree: the folder's own secrets keep their names, those below are keyed by their path
# relative to `folder_path` (`payments/STRIPE_KEY` for `/services/payments`).
data "infisical_secrets" "services" {
  workspace_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  env_slug     = "prod"
  folder_path  = "/services"
  recursive    = true
}

output "stripe_key" {
  value     = data.infisical_secrets.services.secrets["payments/STRIPE_KEY"].value
  sensitive = true
}
