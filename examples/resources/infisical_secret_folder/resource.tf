data "infisical_projects" "app" {
  slug = "app-prod"
}

# /app in prod.
resource "infisical_secret_folder" "app" {
  name             = "app"
  folder_path      = "/"
  environment_slug = "prod"
  project_id       = data.infisical_projects.app.id
}

# /app/api: nested by the parent's path, so Terraform creates the parent first.
resource "infisical_secret_folder" "api" {
  name             = "api"
  folder_path      = infisical_secret_folder.app.path
  environment_slug = "prod"
  project_id       = data.infisical_projects.app.id
  description      = "The API's secrets"
}
