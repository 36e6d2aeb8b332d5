# Universal auth on two machine identities (examples/resources/
# infisical_identity_universal_auth, v0.19.24): one with TTLs, a use limit and trusted IPs for
# both the client secrets and the access tokens; one with Infisical's defaults. The host and
# the machine identity come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

data "infisical_identity_details" "current" {}

resource "infisical_identity" "tuned" {
  name   = "ua-tuned"
  role   = "member"
  org_id = data.infisical_identity_details.current.organization.id
}

resource "infisical_identity" "defaults" {
  name   = "ua-defaults"
  role   = "member"
  org_id = data.infisical_identity_details.current.organization.id
}

resource "infisical_identity_universal_auth" "tuned" {
  identity_id                 = infisical_identity.tuned.id
  access_token_ttl            = 3600
  access_token_max_ttl        = 7200
  access_token_num_uses_limit = 10
  client_secret_trusted_ips = [
    { ip_address = "10.0.0.0/8" },
    { ip_address = "192.168.1.10" },
  ]
  access_token_trusted_ips = [
    { ip_address = "10.0.0.0/8" },
  ]
}

resource "infisical_identity_universal_auth" "defaults" {
  identity_id = infisical_identity.defaults.id
}
