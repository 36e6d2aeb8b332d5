data "infisical_identity_details" "current" {}

# The identity CI logs in as; what it may read is its project membership's role.
resource "infisical_identity" "ci" {
  name   = "github-actions"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"

  metadata = [
    { key = "owner", value = "platform-team" },
  ]
}
