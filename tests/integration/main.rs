//! The integration tests: one crate, with a `support` harness (real Terraform, the emulator).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod client;
mod github;
mod protocol;
mod support;
