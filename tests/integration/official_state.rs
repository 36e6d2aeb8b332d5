//! Issue 27: the state the official provider v0.19.24 wrote for the secrets core (projects,
//! environments, folders, secrets, tags, and the projects and secrets data sources;
//! tests/fixtures/official-v0.19.24/), with its own configuration, is taken over by this
//! provider: the plan shows no change and writes nothing, the apply writes nothing, the next plan
//! is empty, and the state keeps what the official provider recorded. Each fixture is made in a
//! fresh emulator through the routes the official provider calls (`support::official`).

use serde_json::Value as Json;

use crate::support::infisical::Infisical;
use crate::support::official;
use crate::support::{Workspace, secrets};

/// A fresh emulator holding what the fixture `case` describes, and a workspace with its
/// configuration and its state (with the server's ids and times); the state installed.
fn taken_over(case: &str) -> (Infisical, Workspace, Json) {
    let emu = Infisical::start();
    let fixture = official::Fixture::load(case);
    let state = fixture.recreate(&emu);
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    fixture.install(&ws, &state);
    (emu, ws, state)
}

/// Every attribute the official state recorded for each managed resource is in this provider's
/// state as recorded.
#[track_caller]
fn assert_kept(ws: &Workspace, state: &Json) {
    let shown = ws.run(&["show", "-json"]).success();
    let json: Json = serde_json::from_str(&shown.stdout).unwrap();
    let resources = json["values"]["root_module"]["resources"]
        .as_array()
        .unwrap();
    let managed: Vec<&Json> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .collect();
    for official in &managed {
        let address = format!("{}.{}", official["type"], official["name"]).replace('"', "");
        let now = resources
            .iter()
            .find(|r| r["address"] == address.as_str())
            .unwrap_or_else(|| panic!("{address} is not in the state: {}", shown.stdout));
        let before = official["instances"][0]["attributes"].as_object().unwrap();
        for (name, recorded) in before {
            assert_eq!(&now["values"][name], recorded, "{address}.{name}");
        }
    }
}

/// `infisical_project`: one with a description, no default environments, delete protection off
/// and a retention of 30 days; one with only its slug and name.
fn project_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, state) = taken_over("project");
    official::assert_no_change(&ws, &emu);
    // One value differs, and no plan shows it: for a project without a retention (Infisical
    // answers `auditLogsRetentionDays: null`) the official provider records Go's zero, 0; this
    // provider records null, what Infisical holds. The attribute is optional and computed, so
    // neither value is a change against a configuration that leaves it out.
    let minimal = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "minimal")
        .unwrap();
    assert_eq!(
        minimal["instances"][0]["attributes"]["audit_log_retention_days"],
        0
    );
    assert_kept_except_in(
        &ws,
        &state,
        "minimal",
        "audit_log_retention_days",
        Json::Null,
    );
}

/// [`assert_kept`], except `attribute` of the resource named `name`, which holds `now`.
#[track_caller]
fn assert_kept_except_in(ws: &Workspace, state: &Json, name: &str, attribute: &str, now: Json) {
    let mut expected = state.clone();
    for resource in expected["resources"].as_array_mut().unwrap() {
        if resource["name"] == name {
            resource["instances"][0]["attributes"][attribute] = now.clone();
        }
    }
    assert_kept(ws, &expected);
}

/// `infisical_project_environment`: one placed with `position`, one placed last by Infisical.
fn environment_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, state) = taken_over("project_environment");
    official::assert_no_change(&ws, &emu);
    assert_kept(&ws, &state);
}

/// `infisical_secret_folder`: a folder in another, by the outer folder's `path`.
fn folder_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, state) = taken_over("secret_folder");
    official::assert_no_change(&ws, &emu);
    assert_kept(&ws, &state);
}

/// `infisical_secret`: a plain value, a value with a tag (`infisical_secret_tag`) and metadata,
/// a value with a reminder.
fn secret_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, state) = taken_over("secret");
    official::assert_no_change(&ws, &emu);
    assert_kept(&ws, &state);
}

/// `infisical_secret` with `value_wo` and `value_wo_version`: no value in the state, none sent.
fn write_only_secret_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, state) = taken_over("secret_write_only");
    official::assert_no_change(&ws, &emu);
    assert_kept(&ws, &state);
    let shown = ws.run(&["show", "-json"]).success();
    secrets::assert_absent(&shown.stdout, "the state");
}

/// `infisical_secret_tag`: two tags whose name is their slug.
fn tag_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, state) = taken_over("secret_tag");
    official::assert_no_change(&ws, &emu);
    assert_kept(&ws, &state);
}

/// Data sources `infisical_projects` and `infisical_secrets`, and an output of the project's
/// environments: read again, they change nothing.
fn data_source_state_written_by_the_official_provider_plans_no_change() {
    let (emu, ws, _) = taken_over("data_sources");
    official::assert_no_change(&ws, &emu);
    let output = ws.run(&["output", "-json", "environments"]).success();
    let environments: Json = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(environments, serde_json::json!(["dev", "prod", "staging"]));
}

crate::cases! {
    compat: [
        project_state_written_by_the_official_provider_plans_no_change,
        environment_state_written_by_the_official_provider_plans_no_change,
        folder_state_written_by_the_official_provider_plans_no_change,
        secret_state_written_by_the_official_provider_plans_no_change,
        write_only_secret_state_written_by_the_official_provider_plans_no_change needs(WriteOnly),
        tag_state_written_by_the_official_provider_plans_no_change,
        data_source_state_written_by_the_official_provider_plans_no_change,
    ],
}
