# Two projects in the shape of the official provider's example
# (examples/resources/infisical_project/resource.tf, v0.19.24): one with every setting a
# project-owning configuration sets (description, no default environments, delete protection
# off, an audit-log retention within the emulator's plan), one with only the required slug and
# name. The host and the machine identity come from INFISICAL_HOST and
# INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

resource "infisical_project" "full" {
  name                       = "Payments"
  slug                       = "payments"
  description                = "Payment services"
  type                       = "secret-manager"
  should_create_default_envs = false
  has_delete_protection      = false
  audit_log_retention_days   = 30
}

resource "infisical_project" "minimal" {
  name = "Minimal"
  slug = "minimal-app"
}
