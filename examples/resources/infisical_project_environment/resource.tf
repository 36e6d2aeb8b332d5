data "infisical_projects" "app" {
  slug = "app-prod"
}

# A fourth environment, after Infisical's dev, staging and prod.
resource "infisical_project_environment" "qa" {
  name       = "QA"
  slug       = "qa"
  project_id = data.infisical_projects.app.id
}

# Placed first with `position = 1`.
resource "infisical_project_environment" "sandbox" {
  name       = "Sandbox"
  slug       = "sandbox"
  project_id = data.infisical_projects.app.id
  position   = 1
}
