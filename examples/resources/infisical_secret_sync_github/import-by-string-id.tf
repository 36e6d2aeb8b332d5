# Import an existing sync (for example one made in the Infisical UI) by id or by
# "<project_id>/<name>".
import {
  to = infisical_secret_sync_github.example
  id = "my-project-id/app-to-repository"
}

resource "infisical_secret_sync_github" "example" {
  name          = "app-to-repository"
  project_id    = "my-project-id"
  connection_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
  environment   = "prod"
  secret_path   = "/app"

  destination_config = {
    scope            = "repository"
    repository_owner = "acme"
    repository_name  = "api"
  }
}
