# Every GitHub connection of the organization, project-scoped ones included.
list "infisical_app_connection_github" "all" {
  provider = infisical
}

# Only those of one project, with their full objects (secrets are never returned).
list "infisical_app_connection_github" "in_project" {
  provider         = infisical
  include_resource = true
  limit            = 50

  config {
    project_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  }
}
