# A self-hosted Infisical served under a path, reached over a slow network. The private CA and
# the proxy come from the environment (SSL_CERT_FILE, HTTPS_PROXY, NO_PROXY): see "Networks".
terraform {
  required_providers {
    infisical = { source = "infisical/infisical" }
  }
}

provider "infisical" {
  # The URL Infisical's web app has; a trailing `/api` or `/api/v1` is dropped.
  host = "https://infisical.corp.example/infisical"

  # Each attempt of a request may take up to a minute; retries start for up to five minutes.
  request_timeout = "1m"
  retry_timeout   = "5m"
}
