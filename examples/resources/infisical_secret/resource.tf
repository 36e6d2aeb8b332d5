resource "infisical_project" "payments" {
  name = "Payments"
  slug = "payments"
}

resource "infisical_secret_folder" "api" {
  name             = "api"
  folder_path      = "/"
  environment_slug = "prod"
  project_id       = infisical_project.payments.id
}

# A value kept in the state as a sensitive value; a change made in Infisical shows at plan.
resource "infisical_secret" "log_level" {
  name         = "LOG_LEVEL"
  value        = "info"
  comment      = "debug, info or warn"
  workspace_id = infisical_project.payments.id
  env_slug     = "prod"
  folder_path  = infisical_secret_folder.api.path # the folder is created first
  metadata = {
    owner = "payments-team"
  }
}

# A write-only value (Terraform 1.11 or later): never in the plan or the state.
variable "database_url" {
  type      = string
  ephemeral = true
}

resource "infisical_secret" "database_url" {
  name             = "DATABASE_URL"
  value_wo         = var.database_url
  value_wo_version = 1 # raise it to send a new value
  workspace_id     = infisical_project.payments.id
  env_slug         = "prod"
  folder_path      = infisical_secret_folder.api.path

  secret_reminder = {
    note        = "Rotate the database password"
    repeat_days = 90
  }
}
