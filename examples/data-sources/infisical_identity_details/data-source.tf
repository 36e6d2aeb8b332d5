# The organization of the machine identity the provider logs in as.
data "infisical_identity_details" "current" {}

output "organization_id" {
  value = data.infisical_identity_details.current.organization.id
}
