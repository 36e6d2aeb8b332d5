resource "infisical_project" "payments" {
  name = "Payments"
  slug = "payments"
}

resource "infisical_secret_tag" "database" {
  slug       = "database"
  name       = "Database"
  color      = "#10b981"
  project_id = infisical_project.payments.id
}

resource "infisical_secret" "db_url" {
  name         = "DB_URL"
  value        = "postgres://db.internal:5432/payments"
  workspace_id = infisical_project.payments.id
  env_slug     = "prod"
  folder_path  = "/"
  tag_ids      = [infisical_secret_tag.database.id]
}
