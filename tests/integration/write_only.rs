//! The write-only PAT (`credentials.personal_access_token_wo` and its `_wo_version`, Terraform
//! ≥ 1.11) end to end, on every Terraform the harness has (issue 14, acceptance 1): the token
//! comes from an ephemeral variable, is sent on create, on a version bump and after drift, and
//! never anywhere else — not in state, plan, output or Terraform's trace log.

use serde_json::Value as Json;

use crate::github::{assert_empty_plan, plan_exit, planned_change, state};
use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;
use crate::support::rand_suffix;
use crate::support::{Terraform, Workspace, secrets};

/// A `pat` connection whose credentials are `creds`, beside an ephemeral `var.pat`.
fn config(name: &str, creds: &str) -> String {
    hcl::config(&[Pat::named(name).raw_credentials(creds)])
}

/// The credentials of the write-only form at `version`.
fn write_only(version: u32) -> String {
    format!(
        "personal_access_token_wo         = var.pat\n    \
         personal_access_token_wo_version = {version}"
    )
}

/// Writes `main.tf` and the ephemeral token's value (a tfvars file Terraform never prints).
fn set(ws: &Workspace, name: &str, creds: &str, pat: &str) {
    ws.config(&config(name, creds));
    hcl::set_pat(ws, pat);
}

/// A PAT the emulator accepts, registered with the suite's secret check.
fn pat(emu: &Infisical, n: u32) -> String {
    let pat = secrets::remember(format!("ghp_write_only_{n}_{}", rand_suffix()));
    emu.admin.add_pat(pat.clone());
    pat
}

/// A workspace for `terraform` against `emu`, with Terraform's trace log at `trace.log` (the
/// harness checks it for every registered secret after each command).
fn workspace(emu: &Infisical, terraform: &Terraform) -> Workspace {
    let mut ws = Workspace::with(terraform);
    emu.configure(&mut ws);
    let log = ws.path().join("trace.log");
    ws.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", log.to_str().unwrap());
    ws
}

/// The PATCH bodies sent to Infisical since the log was last cleared.
fn patches(emu: &Infisical) -> Vec<Json> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.body.unwrap_or(Json::Null))
        .collect()
}

/// Panics unless `secret` is absent from the state file, `terraform show -json` of the state
/// and of a fresh saved plan, and Terraform's trace log.
#[track_caller]
fn assert_nowhere(ws: &Workspace, secret: &str) {
    let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
    assert!(
        !state_file.contains(secret),
        "the PAT is in terraform.tfstate"
    );
    let shown = ws.run(&["show", "-json"]).success();
    assert!(!shown.output().contains(secret), "the PAT is in show -json");
    ws.run(&["plan", "-out=tfplan"]).success();
    let plan = ws.run(&["show", "-json", "tfplan"]).success();
    assert!(!plan.output().contains(secret), "the PAT is in the plan");
    let trace = std::fs::read_to_string(ws.path().join("trace.log")).unwrap();
    assert!(!trace.is_empty());
    assert!(!trace.contains(secret), "the PAT is in the trace log");
}

fn lifecycle(terraform: &Terraform) {
    let emu = Infisical::start();
    let ws = workspace(&emu, terraform);
    let (first, second) = (pat(&emu, 1), pat(&emu, 2));
    let v = &terraform.version;

    // Create: the token is sent, and only its version is stored.
    set(&ws, "wo", &write_only(1), &first);
    ws.run(&["apply", "-auto-approve"]).success();
    let created = state(&ws);
    let id = created["id"].as_str().unwrap().to_owned();
    let hash = created["credentials_hash"].as_str().unwrap().to_owned();
    assert_eq!(
        created["credentials"]["personal_access_token_wo"],
        Json::Null
    );
    assert_eq!(
        created["credentials"]["personal_access_token_wo_version"],
        1
    );
    assert_eq!(emu.admin.connection(&id).unwrap().credentials_hash, hash);
    assert_empty_plan(&ws);
    assert_nowhere(&ws, &first);

    // Rename: a PATCH without credentials, the hash kept.
    set(&ws, "wo-renamed", &write_only(1), &first);
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let sent = patches(&emu);
    assert_eq!(sent.len(), 1, "Terraform {v}: {sent:?}");
    assert!(
        sent[0].get("credentials").is_none(),
        "credentials sent on a rename: {sent:?}"
    );
    assert_eq!(state(&ws)["credentials_hash"], Json::String(hash.clone()));
    assert_empty_plan(&ws);

    // A new token with a new version: sent, and the hash changes.
    set(&ws, "wo-renamed", &write_only(2), &second);
    let (actions, changed, _, unknown) = planned_change(&ws);
    assert_eq!(actions, ["update"]);
    assert_eq!(changed, ["credentials", "credentials_hash"]);
    assert_eq!(unknown["credentials_hash"], true);
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let sent = patches(&emu);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].get("credentials").is_some(), "{sent:?}");
    let bumped = state(&ws);
    assert_ne!(bumped["credentials_hash"], Json::String(hash));
    assert_eq!(bumped["credentials"]["personal_access_token_wo_version"], 2);
    assert_empty_plan(&ws);

    // Changed outside Terraform: the plan shows an update, and apply sends the configured token.
    emu.admin.rotate_credentials(&id).unwrap();
    let run = plan_exit(&ws);
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(
        run.output()
            .contains("credentials changed outside Terraform"),
        "{}",
        run.output()
    );
    let (actions, changed, _, unknown) = planned_change(&ws);
    assert_eq!(actions, ["update"], "Terraform {v}");
    assert_eq!(changed, ["credentials", "credentials_hash"]);
    assert_eq!(unknown["credentials_hash"], true);
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let sent = patches(&emu);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].get("credentials").is_some(),
        "not re-sent: {sent:?}"
    );
    let rewritten = state(&ws);
    assert_eq!(
        rewritten["credentials_hash"],
        Json::String(emu.admin.connection(&id).unwrap().credentials_hash)
    );
    assert_eq!(
        rewritten["credentials"]["personal_access_token_wo_version"],
        2
    );
    assert_empty_plan(&ws);
    assert_nowhere(&ws, &second);

    // A lowered version: an error at its path, nothing written.
    set(&ws, "wo-renamed", &write_only(1), &second);
    let out = refused(&ws, &emu);
    assert!(
        out.contains("personal_access_token_wo_version lowered"),
        "Terraform {v}: {out}"
    );
    assert!(out.contains("went down from 2 to 1"), "{out}");

    set(&ws, "wo-renamed", &write_only(2), &second);
    emu.admin.clear_requests();
    ws.run(&["destroy", "-auto-approve"]).success();
    assert!(
        emu.connection_calls()
            .contains(&format!("DELETE /api/v1/app-connections/github/{id}"))
    );
    assert_eq!(emu.admin.connection_count(), 0);
}

/// Runs `terraform apply`, which must fail having written nothing; returns its output, folded.
#[track_caller]
fn refused(ws: &Workspace, emu: &Infisical) -> String {
    emu.admin.clear_requests();
    let run = ws.run(&["apply", "-auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.output());
    let writes: Vec<_> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method != "GET" && !r.path.contains("/auth/"))
        .collect();
    assert!(writes.is_empty(), "requests were sent: {writes:?}");
    run.folded_output()
}

fn a_write_only_pat_from_an_ephemeral_variable_is_sent_on_create_version_bump_and_drift_only() {
    // Write-only attributes came with Terraform 1.11: every Terraform the harness has is one.
    let terraform = crate::support::terraform();
    lifecycle(terraform);
}

fn both_neither_an_unversioned_and_a_stray_version_fail_at_plan_with_their_path() {
    let emu = Infisical::start();
    let token = pat(&emu, 9);
    let plain = "personal_access_token = \"ghp_plain_placeholder\"";
    // (what is wrong, credentials, what the error says of the attribute, summary). Terraform
    // names the resource rather than quoting the attribute's line for these configurations; the
    // unit tests check the attribute paths the provider reports.
    let cases = [
        (
            "both tokens",
            format!("{plain}\n    {}", write_only(1)),
            "`personal_access_token` and `personal_access_token_wo` cannot both be set",
            "Conflicting personal_access_token_wo",
        ),
        (
            "neither token",
            "instance_type = \"cloud\"".to_owned(),
            "or its write-only form, `personal_access_token_wo`",
            "Missing personal_access_token",
        ),
        (
            "write-only without version",
            "personal_access_token_wo = var.pat".to_owned(),
            "personal_access_token_wo_version is required with `personal_access_token_wo`",
            "Missing personal_access_token_wo_version",
        ),
        (
            "version without write-only",
            format!("{plain}\n    personal_access_token_wo_version = 1"),
            "personal_access_token_wo_version cannot be set without `personal_access_token_wo`",
            "Unexpected personal_access_token_wo_version",
        ),
        (
            "version zero",
            "personal_access_token_wo = var.pat\n    personal_access_token_wo_version = 0"
                .to_owned(),
            "must be a whole number of 1 or more",
            "Invalid personal_access_token_wo_version",
        ),
    ];
    let terraform = crate::support::terraform();
    for (what, creds, line, summary) in &cases {
        let mut ws = Workspace::with(terraform);
        emu.configure(&mut ws);
        set(&ws, "invalid", creds, &token);
        let run = ws.run(&["plan"]);
        let out = run.output();
        assert_eq!(run.code, 1, "{what}: {out}");
        assert!(out.contains(summary), "{what}: no {summary:?} in {out}");
        assert!(
            run.folded_output().contains(line),
            "{what}: no {line:?} in {out}"
        );
    }
    // Terraform validates configurations with ephemeral values again in the plan walk, after it
    // configured the provider, which logs in then (issue 17); nothing about a connection is sent.
    let calls: Vec<_> = emu
        .api_requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/api/v1/auth/"))
        .collect();
    assert!(calls.is_empty(), "validation called the API: {calls:?}");
}

/// Issue 20: a Terraform or OpenTofu without write-only attributes (Terraform < 1.11, OpenTofu
/// < 1.11; OpenTofu 1.10 sends no capabilities at all) would keep a write-only value in its plan
/// and state. The provider refuses it at plan, naming the plain attribute to use instead, sends
/// nothing, and the token reaches no file.
fn a_write_only_pat_is_refused_at_plan_where_the_binary_has_no_write_only_attributes() {
    let emu = Infisical::start();
    let token = pat(&emu, 20);
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    // From the environment, as a sensitive variable: the binary may have no ephemeral ones.
    ws.env("TF_VAR_pat", &token);
    ws.config(&hcl::config(&[
        Pat::named("old-binary").write_only_from_sensitive_variable(1)
    ]));
    for command in [&["plan"][..], &["apply", "-auto-approve"]] {
        emu.admin.clear_requests();
        let run = ws.run(command);
        assert_eq!(run.code, 1, "{command:?}: {}", run.output());
        let out = run.folded_output();
        for words in [
            "Write-only attribute not supported by this Terraform",
            "set `personal_access_token` instead",
        ] {
            assert!(out.contains(words), "{command:?}: no {words:?} in {out}");
        }
        let writes: Vec<_> = emu
            .api_requests()
            .into_iter()
            .filter(|r| r.method != "GET" && !r.path.contains("/auth/"))
            .collect();
        assert!(writes.is_empty(), "{command:?} sent {writes:?}");
    }
    assert_eq!(emu.admin.connection_count(), 0);
    // Neither a state nor anything else the binary wrote holds the token.
    for entry in walk(&ws.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "{} holds the token",
            entry.display()
        );
    }
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.is_file() {
            files.push(path);
        }
    }
    files
}

crate::cases! {
    compat: [
        a_write_only_pat_from_an_ephemeral_variable_is_sent_on_create_version_bump_and_drift_only needs(WriteOnly, EphemeralVariables),
        both_neither_an_unversioned_and_a_stray_version_fail_at_plan_with_their_path needs(WriteOnly, EphemeralVariables),
        a_write_only_pat_is_refused_at_plan_where_the_binary_has_no_write_only_attributes without(WriteOnly),
    ],
}
