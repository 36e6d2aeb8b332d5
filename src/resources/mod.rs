//! The resources and data sources: the only place where Terraform and Infisical meet.

pub mod app_connection_github;
pub mod app_connection_github_data;
mod errors;
mod validate;
