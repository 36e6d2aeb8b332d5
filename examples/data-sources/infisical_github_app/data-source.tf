# An organization's own GitHub App, registered in Infisical, by its name there ...
data "infisical_github_app" "main" {
  name = "acme-github"
}

# ... or by its id.
data "infisical_github_app" "by_id" {
  id = "0b7f1a52-3c4d-4e5f-8a9b-1c2d3e4f5a6b"
}

# Connections made with that app name it as `github_app_id`.
output "github_app_id" {
  value = data.infisical_github_app.main.id
}
