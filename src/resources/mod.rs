//! The resources and data sources: the only place where Terraform and Infisical meet.
//!
//! Every app connection shares one lifecycle (`app_connection`); an app adds one file of its
//! own (`app_connection/github.rs`). `secret_sync` is the GitHub secret sync; `by_id` holds the
//! identity and import rules every resource named by an Infisical id shares. `github_app` reads an organization's GitHub App records; `projects_data` reads a project
//! by slug; `project_environment` is a project's environment; `secret_folder` a folder;
//! `secret_ephemeral` reads one secret for a run without storing it, `secrets_data` a folder's
//! secrets.
//! What configuring the provider gives them is [`Configured`]; values are read into typed models
//! (`model`) and written back from them.

mod app_connection;
mod auth_method;
mod by_id;
mod client_secret;
mod configured;
mod errors;
mod github_app;
mod identity;
mod identity_details_data;
mod model;
mod oidc_auth;
mod plain;
mod project;
mod project_environment;
mod project_identity;
mod projects_data;
mod secret;
mod secret_ephemeral;
mod secret_folder;
mod secret_sync;
mod secret_tag;
mod secrets_data;
mod universal_auth;
mod validate;

use std::sync::Arc;

pub use configured::Configured;

use crate::tfplugin::framework::{DataSource, EphemeralResource, Resource};
use crate::tfplugin::schema::Schema;
use app_connection::github::{GitHubConnection, GitHubConnectionData};

/// The managed resources, as the provider registers them.
pub fn resources() -> Vec<Arc<dyn Resource<Configured>>> {
    vec![
        Arc::new(GitHubConnection::new()),
        Arc::new(secret_sync::GitHubSync),
        Arc::new(plain::Plain(project::ProjectResource)),
        Arc::new(plain::Plain(identity::IdentityResource)),
        Arc::new(plain::Plain(auth_method::Attached::<
            universal_auth::UniversalAuthResource,
        >::new())),
        Arc::new(plain::Plain(client_secret::ClientSecretResource)),
        Arc::new(plain::Plain(auth_method::Attached::<
            oidc_auth::OidcAuthResource,
        >::new())),
        Arc::new(plain::Plain(project_identity::ProjectIdentity)),
        Arc::new(plain::Plain(project_environment::ProjectEnvironment)),
        Arc::new(plain::Plain(secret_folder::SecretFolder)),
        Arc::new(secret::SecretResource),
        Arc::new(plain::Plain(secret_tag::SecretTag)),
    ]
}

/// The data sources, as the provider registers them.
pub fn data_sources() -> Vec<Arc<dyn DataSource<Configured>>> {
    vec![
        Arc::new(GitHubConnectionData::new()),
        Arc::new(github_app::GitHubAppData),
        Arc::new(projects_data::ProjectsData),
        Arc::new(identity_details_data::IdentityDetailsData),
        Arc::new(secrets_data::SecretsData),
    ]
}

/// The ephemeral resources, as the provider registers them.
pub fn ephemeral_resources() -> Vec<Arc<dyn EphemeralResource<Configured>>> {
    vec![Arc::new(secret_ephemeral::SecretEphemeral)]
}

/// The schema of `infisical_app_connection_github`, for the benchmarks' reference provider.
pub fn github_connection_schema() -> Schema {
    app_connection::schema::<app_connection::github::GitHubApp>()
}

/// The schema of `infisical_secret`, for the benchmarks' reference provider.
pub fn secret_schema() -> Schema {
    secret::schema()
}

/// The schema of `infisical_secret_folder`, for the benchmarks' reference provider.
pub fn secret_folder_schema() -> Schema {
    secret_folder::schema()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_on_an_optional_and_computed_attribute() {
        for resource in resources() {
            let schema = resource.schema();
            assert_eq!(
                schema.misplaced_defaults(),
                [],
                "{}: Terraform would reject the planned default",
                resource.type_name()
            );
        }
    }
}
