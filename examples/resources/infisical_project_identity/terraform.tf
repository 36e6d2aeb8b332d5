# Not part of the documented example: it makes this directory a module that
# `terraform validate` can check (CI does), by naming where the provider comes from.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}
