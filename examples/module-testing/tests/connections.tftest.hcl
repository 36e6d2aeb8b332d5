# `terraform test` against the Infisical emulator: start it (`cargo run -p infisical-emulator`,
# which accepts any ghp_… token) and point the provider at it through the environment:
#
#   export INFISICAL_HOST=<the URL it printed>
#   export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
#   export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret
#   terraform test
#
# Each run block below plans or applies the module for real; at the end, terraform test
# destroys what the runs created.

variables {
  team = "platform"
  github_tokens = {
    acme    = "ghp_emulatorAcceptsAnyTokenOfThisShape01"
    example = "ghp_emulatorAcceptsAnyTokenOfThisShape02"
  }
}

run "creates_one_connection_per_organization" {
  assert {
    condition     = length(output.connection_ids) == 2
    error_message = "expected one connection per GitHub organization"
  }

  assert {
    condition     = infisical_app_connection_github.this["acme"].name == "platform-acme"
    error_message = "connections are named <team>-<organization>"
  }

  assert {
    condition     = alltrue([for c in infisical_app_connection_github.this : length(c.credentials_hash) > 0])
    error_message = "Infisical reports a credentials hash for every connection"
  }
}

run "renaming_the_team_renames_in_place" {
  variables {
    team = "infrastructure"
    # The first run's ids, to compare with below. OpenTofu reads `run.<name>` only here, not in
    # an assertion; Terraform reads it in both.
    ids_before_rename = run.creates_one_connection_per_organization.connection_ids
  }

  assert {
    condition     = infisical_app_connection_github.this["acme"].name == "infrastructure-acme"
    error_message = "the connection takes the new team's name"
  }

  # The same connection, not a new one: a rename is an update, and the credentials are not
  # sent again.
  assert {
    condition     = output.connection_ids == var.ids_before_rename
    error_message = "a rename must not replace the connections"
  }
}

run "rejects_a_team_that_is_not_a_slug" {
  command = plan

  variables {
    team = "Platform Team"
  }

  expect_failures = [var.team]
}
