# OIDC auth of a machine identity bound to a GitHub Actions workflow (examples/resources/
# infisical_identity_oidc_auth, v0.19.24): GitHub's issuer and discovery URL (the official
# provider only stores them), an audience, the subject of the repository's production
# environment, and claims. The host and the machine identity come from INFISICAL_HOST and
# INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

data "infisical_identity_details" "current" {}

resource "infisical_identity" "github" {
  name   = "github-actions"
  role   = "member"
  org_id = data.infisical_identity_details.current.organization.id
}

resource "infisical_identity_oidc_auth" "github" {
  identity_id        = infisical_identity.github.id
  oidc_discovery_url = "https://token.actions.githubusercontent.com"
  bound_issuer       = "https://token.actions.githubusercontent.com"
  bound_audiences    = ["https://github.com/demo-org"]
  bound_subject      = "repo:demo-org/demo-repo:environment:production"
  bound_claims = {
    repository = "demo-org/demo-repo"
    ref        = "refs/heads/main"
  }
  access_token_ttl     = 600
  access_token_max_ttl = 1200
}
