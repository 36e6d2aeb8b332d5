data "infisical_identity_details" "current" {}

resource "infisical_identity" "github_actions" {
  name   = "github-actions"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"
}

# GitHub Actions logs in with the workflow's OIDC token: no secret stored anywhere.
resource "infisical_identity_oidc_auth" "github_actions" {
  identity_id        = infisical_identity.github_actions.id
  oidc_discovery_url = "https://token.actions.githubusercontent.com"
  bound_issuer       = "https://token.actions.githubusercontent.com"
  bound_audiences    = ["https://github.com/acme"]
  bound_subject      = "repo:acme/app:ref:refs/heads/main"
  bound_claims = {
    repository = "acme/app"
  }
  access_token_ttl = 600
}
