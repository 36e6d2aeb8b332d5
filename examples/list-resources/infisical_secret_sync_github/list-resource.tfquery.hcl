# Every GitHub secret sync of one project, with their full objects.
list "infisical_secret_sync_github" "all" {
  provider         = infisical
  include_resource = true

  config {
    project_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  }
}
