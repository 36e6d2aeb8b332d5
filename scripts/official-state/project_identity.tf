# Machine identities made members of the demo project (examples/resources/
# infisical_project_identity, v0.19.24): one with the viewer role, one with the viewer role and
# adopt_existing (it was not a member yet, so it is created). The host and the machine identity
# come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

data "infisical_identity_details" "current" {}

resource "infisical_identity" "viewer" {
  name   = "project-viewer"
  role   = "no-access"
  org_id = data.infisical_identity_details.current.organization.id
}

resource "infisical_identity" "adopted" {
  name   = "project-adopted"
  role   = "no-access"
  org_id = data.infisical_identity_details.current.organization.id
}

resource "infisical_project_identity" "viewer" {
  project_id  = "@PROJECT_ID@"
  identity_id = infisical_identity.viewer.id
  roles = [
    { role_slug = "viewer" },
  ]
}

resource "infisical_project_identity" "adopted" {
  project_id     = "@PROJECT_ID@"
  identity_id    = infisical_identity.adopted.id
  adopt_existing = true
  roles = [
    { role_slug = "viewer" },
  ]
}
