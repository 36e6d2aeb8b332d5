data "infisical_identity_details" "current" {}

resource "infisical_identity" "deployer" {
  name   = "deployer"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"
}

resource "infisical_identity_universal_auth" "deployer" {
  identity_id = infisical_identity.deployer.id

  access_token_ttl     = 3600
  access_token_max_ttl = 86400
  # Only from the office network; removing this goes back to everywhere.
  client_secret_trusted_ips = [
    { ip_address = "203.0.113.0/24" },
  ]
}
