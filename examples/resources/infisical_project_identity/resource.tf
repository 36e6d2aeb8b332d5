data "infisical_identity_details" "current" {}

resource "infisical_project" "payments" {
  name = "Payments"
  slug = "payments"
}

resource "infisical_identity" "ci" {
  name   = "github-actions"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"
}

# Read-only access to the project's secrets for CI.
resource "infisical_project_identity" "ci" {
  project_id  = infisical_project.payments.id
  identity_id = infisical_identity.ci.id
  roles = [
    { role_slug = "viewer" },
  ]
}
