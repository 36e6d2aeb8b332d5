# A client secret of a machine identity's universal auth (examples/resources/
# infisical_identity_universal_auth_client_secret, v0.19.24), with a description, a TTL and a
# use limit; its value is in the state (the official provider stores it). The host and the
# machine identity come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

data "infisical_identity_details" "current" {}

resource "infisical_identity" "ci" {
  name   = "ci-secret-holder"
  role   = "member"
  org_id = data.infisical_identity_details.current.organization.id
}

resource "infisical_identity_universal_auth" "ci" {
  identity_id = infisical_identity.ci.id
}

resource "infisical_identity_universal_auth_client_secret" "ci" {
  identity_id          = infisical_identity_universal_auth.ci.identity_id
  description          = "CI pipeline"
  ttl                  = 86400
  number_of_uses_limit = 100
}
