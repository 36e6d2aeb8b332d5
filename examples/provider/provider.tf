terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

# Log in with a machine identity's Universal Auth credentials.
provider "infisical" {
  host = "https://app.infisical.com" # or INFISICAL_HOST; for EU: https://eu.infisical.com
  auth = {
    universal = {
      client_id     = var.infisical_client_id
      client_secret = var.infisical_client_secret
    }
  }
}

# Or configure nothing here and set, for example:
#   INFISICAL_UNIVERSAL_AUTH_CLIENT_ID / INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET
#   INFISICAL_TOKEN (a machine identity access token)

variable "infisical_client_id" {
  type      = string
  sensitive = true
}

variable "infisical_client_secret" {
  type      = string
  sensitive = true
}
