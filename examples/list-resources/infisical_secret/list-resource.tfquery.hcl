list "infisical_secret" "api" {
  provider = infisical

  config {
    workspace_id = "09eda1f8-85a3-47a9-8a6f-e27f133b2a36"
    env_slug     = "prod"
    folder_path  = "/api"
    recursive    = true
  }
}
