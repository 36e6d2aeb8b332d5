//! The Infisical REST client: typed requests and responses, errors, authentication and retries.
//! Knows nothing about Terraform.
