# By connection id:
terraform import infisical_app_connection_github.example 6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f

# By name (organization scope), or by <project_id>/<name> for a project-scoped connection:
terraform import infisical_app_connection_github.example github-main
terraform import infisical_app_connection_github.example my-project-id/github-main
