# Look a connection up by name (add project_id for a project-scoped one) ...
data "infisical_app_connection_github" "by_name" {
  name = "github-main"
}

# ... or by id.
data "infisical_app_connection_github" "by_id" {
  id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
}

output "github_connection_method" {
  value = data.infisical_app_connection_github.by_name.method
}
