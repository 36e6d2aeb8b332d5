//! The integration tests: one crate, with a `support` harness (real Terraform and OpenTofu, the
//! emulator) and its own runner (`support::lanes`): each module registers its tests with
//! `cases!`, and each test runs on every binary of its lane.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A test crate has no public API: its `pub` items are for its own modules.
#![allow(unreachable_pub)]

mod auth;
mod client;
mod compatibility;
mod docs;
mod examples;
mod github;
mod identities;
mod identity;
mod networks;
mod official_state;
mod org_apps;
mod projects;
mod protocol;
mod proxy_words;
mod query;
mod registry;
mod release;
mod reliability;
mod scale;
mod secret_sync;
mod secrets;
mod secrets_read;
mod support;
mod write_only;

fn main() -> std::process::ExitCode {
    support::lanes::main(all_cases())
}

/// Every registered test.
fn all_cases() -> Vec<support::lanes::Case> {
    [
        auth::cases(),
        client::cases(),
        compatibility::cases(),
        docs::cases(),
        examples::cases(),
        github::cases(),
        identities::cases(),
        identity::cases(),
        networks::cases(),
        official_state::cases(),
        org_apps::cases(),
        projects::cases(),
        protocol::cases(),
        proxy_words::cases(),
        query::cases(),
        registry::cases(),
        release::cases(),
        reliability::cases(),
        scale::cases(),
        secret_sync::cases(),
        secrets::cases(),
        secrets_read::cases(),
        write_only::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
