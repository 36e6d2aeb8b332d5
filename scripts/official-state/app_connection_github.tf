# Two GitHub connections in the shape of the official provider's example
# (examples/resources/infisical_app_connection_github/resource.tf, v0.19.24): its only method,
# pat; one for the organization and one scoped to a project. The host and the machine identity
# come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET. The tokens are fake.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_app_connection_github" "organization" {
  name        = "github-connection"
  description = "GitHub connection for Actions secrets sync"
  method      = "pat"

  credentials = {
    personal_access_token = "ghp_fixture_organization_connection"
  }
}

resource "infisical_app_connection_github" "project" {
  name       = "github-connection-project"
  method     = "pat"
  project_id = "@PROJECT_ID@"

  credentials = {
    personal_access_token = "ghp_fixture_project_connection"
    instance_type         = "cloud"
  }
}
