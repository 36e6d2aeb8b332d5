data "infisical_identity_details" "current" {}

resource "infisical_identity" "deployer" {
  name   = "deployer"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"
}

resource "infisical_identity_universal_auth" "deployer" {
  identity_id = infisical_identity.deployer.id
}

resource "infisical_identity_universal_auth_client_secret" "deployer" {
  # From the universal auth, so that Terraform attaches it first.
  identity_id = infisical_identity_universal_auth.deployer.identity_id
  description = "deploy pipeline"
  ttl         = 2592000 # 30 days; refresh then plans a new one

  # Change the value to rotate the secret on purpose.
  rotation_triggers = {
    rotated = "2026-12"
  }
}

output "client_id" {
  value = infisical_identity_universal_auth_client_secret.deployer.client_id
}
