resource "infisical_project" "payments" {
  name        = "Payments"
  slug        = "payments"
  description = "Secrets of the payments services"

  # Read only when the project is created: environments are managed below instead.
  should_create_default_envs = false

  has_delete_protection    = true
  audit_log_retention_days = 30
}

resource "infisical_project_environment" "prod" {
  name       = "Production"
  slug       = "prod"
  project_id = infisical_project.payments.id
}
