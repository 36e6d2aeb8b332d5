//! The integration tests: one crate, with a `support` harness (real Terraform, the emulator).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A test crate has no public API: its `pub` items are for its own modules.
#![allow(unreachable_pub)]

mod auth;
mod client;
mod docs;
mod examples;
mod github;
mod identity;
mod networks;
mod org_apps;
mod protocol;
mod query;
mod registry;
mod release;
mod reliability;
mod scale;
mod support;
mod write_only;
