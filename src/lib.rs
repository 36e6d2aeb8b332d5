//! `terraform-provider-infisical`: a Terraform provider for Infisical, written in Rust.
//!
//! Terraform launches the binary as a plugin and drives it over gRPC with the plugin protocol
//! version 6. The crate is three layers that know nothing of each other's domain, meeting in
//! `resources`.
//!
//! # Layout
//! - `secret`: the [`secret::Secret`] newtype that keeps credentials out of logs and errors.
//! - `infisical`: the Infisical REST client (typed requests, errors, auth, retries).
//! - `provider`: the provider's configuration schema and the resources it offers.
//! - `resources`: one file per resource or data source.
//! - `tfplugin`: the plugin protocol: handshake, TLS, gRPC services, values, schemas, planning.

pub mod infisical;
pub mod provider;
pub mod resources;
pub mod secret;
pub mod tfplugin;
