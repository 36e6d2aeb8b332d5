//! `terraform-provider-infisical`: a Terraform provider for Infisical, written in Rust.
//!
//! Terraform launches the binary as a plugin and drives it over gRPC with the plugin protocol
//! version 6. The crate is three layers that know nothing of each other's domain, meeting in
//! `resources`; `ARCHITECTURE.md` is the map.
//!
//! # Layout
//! - `secret`: the [`secret::Secret`] newtype that keeps credentials out of logs and errors.
//! - `infisical`: the Infisical REST client (typed requests, errors, auth, retries).
//! - `provider`: the provider's configuration schema and the resources it offers.
//! - `resources`: the app-connection base, one file per app, and the other data sources.
//! - `tfplugin`: the plugin protocol: handshake, TLS, gRPC services, values, schemas, planning.
//!
//! # What is public
//! Items are `pub(crate)` unless another crate needs them (`unreachable_pub` is on): the binary
//! (`provider::InfisicalProvider`, `tfplugin::server`), the integration tests (the `infisical`
//! client, `secret::Secret`, `provider::env`), and the benchmarks' reference provider
//! (`tfplugin`'s framework, schema and values, `resources::github_connection_schema`).

pub mod infisical;
pub mod provider;
pub mod resources;
pub mod secret;
pub mod tfplugin;
