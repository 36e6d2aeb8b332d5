# A small module, and `terraform test` files that exercise it against the bundled Infisical
# emulator: offline, in seconds, with no GitHub or Infisical account. See tests/ and the README
# ("Testing your modules offline").

terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

variable "team" {
  description = "The team that owns the connections: a lowercase slug, the prefix of their names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.team))
    error_message = "team must be a lowercase slug, such as \"platform\"."
  }
}

variable "github_tokens" {
  description = "A GitHub personal access token per GitHub organization the team reaches."
  type        = map(string)
  sensitive   = true
}

# The organizations are not secret, but they come with the tokens: nonsensitive() lets
# for_each use them as instance keys while every token stays sensitive.
resource "infisical_app_connection_github" "this" {
  for_each = nonsensitive(toset(keys(var.github_tokens)))

  name        = "${var.team}-${each.key}"
  description = "GitHub organization ${each.key}, for team ${var.team}."
  method      = "pat"
  credentials = {
    personal_access_token = var.github_tokens[each.key]
  }
}

output "connection_ids" {
  description = "The Infisical app connection id per GitHub organization."
  value       = { for org, c in infisical_app_connection_github.this : org => c.id }
}
