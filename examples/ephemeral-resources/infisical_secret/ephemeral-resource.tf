# A GitHub token kept in Infisical, read for this run only: it is never written into the plan
# or the state (Terraform 1.10 or later, OpenTofu 1.11 or later).
ephemeral "infisical_secret" "github_token" {
  name         = "GITHUB_TOKEN"
  env_slug     = "prod"
  folder_path  = "/ci"
  workspace_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
}

# Ephemeral values go where Terraform accepts them: here a write-only attribute (Terraform 1.11
# or later), so the token reaches GitHub's connection without touching the state. Increase the
# version to send the token again after rotating it in Infisical.
resource "infisical_app_connection_github" "ci" {
  name   = "github-ci"
  method = "pat"
  credentials = {
    personal_access_token_wo         = ephemeral.infisical_secret.github_token.value
    personal_access_token_wo_version = 1
  }
}

# Or a provider block: a second login whose client secret is kept in Infisical.
ephemeral "infisical_secret" "deployer_secret" {
  name         = "DEPLOYER_CLIENT_SECRET"
  env_slug     = "prod"
  folder_path  = "/identities"
  workspace_id = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"
}

provider "infisical" {
  alias = "deployer"
  auth = {
    universal = {
      client_id     = "3b5c2a4e-7d2b-4c3a-9e8f-0a1b2c3d4e5f"
      client_secret = ephemeral.infisical_secret.deployer_secret.value
    }
  }
}
