# A project made elsewhere (in the UI, or by another workspace), by its slug.
data "infisical_projects" "app" {
  slug = "app-prod"
}

# Its id, for the resources that take `project_id`, and an environment's id by slug.
output "project_id" {
  value = data.infisical_projects.app.id
}

output "production_environment_id" {
  value = data.infisical_projects.app.environments["prod"].id
}
