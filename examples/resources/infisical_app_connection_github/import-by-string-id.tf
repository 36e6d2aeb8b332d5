# Import an existing connection (for example one made in the Infisical UI) by id, by name, or by
# "<project_id>/<name>". Secrets are never returned by the API, so keep them out of the plan with
# ignore_changes, or set fresh credentials to have Terraform write them.
import {
  to = infisical_app_connection_github.example
  id = "github-main"
}

resource "infisical_app_connection_github" "example" {
  name   = "github-main"
  method = "github-app"
  credentials = {
    code            = "unused-after-import"
    installation_id = "12345678"
  }

  lifecycle {
    ignore_changes = [credentials]
  }
}
