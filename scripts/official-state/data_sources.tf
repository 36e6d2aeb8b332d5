# The two data sources a configuration reads an existing project with: the project by its slug
# (infisical_projects) and the secrets of its prod environment's root folder
# (infisical_secrets), in the shapes of the official provider's examples
# (examples/data-sources/, v0.19.24). The project's slug is its id. The host and the machine
# identity come from INFISICAL_HOST and INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/SECRET.
terraform {
  required_providers {
    infisical = {
      source = "infisical/infisical"
    }
  }
}

provider "infisical" {}

data "infisical_projects" "project" {
  slug = "@PROJECT_ID@"
}

data "infisical_secrets" "prod" {
  env_slug     = "prod"
  workspace_id = "@PROJECT_ID@"
  folder_path  = "/"
}

output "environments" {
  value = keys(data.infisical_projects.project.environments)
}
