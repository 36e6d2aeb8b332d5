//! Today's Infisical (issue 13) end to end: `github-app` connections made with an organization's
//! own GitHub App (`credentials.github_app_id`), gateway pools, and the `infisical_github_app`
//! data source — real Terraform, the provider binary, and the emulator.

use infisical_emulator::GitHubApp;
use serde_json::Value as Json;

use crate::github::RESOURCE_LINE;
use crate::github::{ADDR, assert_empty_plan, state, workspace};
use crate::support::infisical::Infisical;
use crate::support::{REQUIRED_PROVIDERS, Workspace, nested_error_line};

/// The organization's GitHub App records.
const APP_ID: &str = "0b7f1a52-3c4d-4e5f-8a9b-1c2d3e4f5a6b";
const OTHER_APP_ID: &str = "1c8e2b63-4d5e-4f60-9bac-2d3e4f5a6b7c";
const UNKNOWN_APP_ID: &str = "2d9f3c74-5e6f-4071-8cbd-3e4f5a6b7c8d";
const GATEWAY: &str = "3e0a4d85-6f70-4182-9dce-4f5a6b7c8d9e";
const POOL: &str = "4f1b5e96-7081-4293-8edf-5a6b7c8d9e0f";
const OTHER_POOL: &str = "5a2c6fa7-8192-43a4-9fe0-6b7c8d9e0f1a";

/// An emulator with two GitHub App records of the organization, a gateway and two pools.
fn emulator() -> Infisical {
    let emu = Infisical::start();
    emu.admin
        .add_github_app(GitHubApp {
            host: Some("github.acme.example".to_owned()),
            instance_type: "server".to_owned(),
            ..GitHubApp::new(APP_ID, "acme-github")
        })
        .unwrap();
    emu.admin
        .add_github_app(GitHubApp::new(OTHER_APP_ID, "acme-github-2"))
        .unwrap();
    emu.admin.add_gateway(GATEWAY);
    emu.admin.add_gateway_pool(POOL);
    emu.admin.add_gateway_pool(OTHER_POOL);
    emu
}

/// A fresh single-use code the emulator accepts once.
fn code(emu: &Infisical, n: u32) -> String {
    let code = format!("org-app-code-{n}-{}", std::process::id());
    emu.admin.add_code(code.clone(), ["4242"]);
    crate::support::secrets::remember(code)
}

/// Writes a configuration with one connection `gh` (its code from a sensitive variable) and
/// `extra` top-level HCL.
fn set_config(ws: &Workspace, code: &str, attributes: &str, credentials: &str, extra: &str) {
    ws.config(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{}}

variable "code" {{
  type      = string
  sensitive = true
}}

{extra}

resource "infisical_app_connection_github" "gh" {{
  method = "github-app"
  {attributes}
  credentials = {{
    code            = var.code
    installation_id = "4242"
    {credentials}
  }}
}}
"#
    ));
    ws.write("code.auto.tfvars", &format!("code = \"{code}\"\n"));
}

/// The JSON bodies of the writes (POST, PATCH) the emulator received since the last clear.
fn writes(emu: &Infisical) -> Vec<Json> {
    emu.api_requests()
        .into_iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH") && !r.path.contains("/auth/"))
        .map(|r| r.body.unwrap_or(Json::Null))
        .collect()
}

/// A plan that fails before any request, with `summary` pointing at the configuration line
/// that starts with `line` (Terraform shows the attribute's line, not its path; `nested`: the
/// attribute is inside `credentials`, see [`nested_error_line`]).
#[track_caller]
fn refused_at_plan(ws: &Workspace, emu: &Infisical, summary: &str, line: &str, nested: bool) {
    emu.admin.clear_requests();
    let run = ws.run(&["plan"]);
    let out = run.folded_output();
    assert_eq!(run.code, 1, "{out}");
    assert!(out.contains(summary), "no {summary:?} in {out}");
    let line = if nested {
        nested_error_line(line, RESOURCE_LINE)
    } else {
        line
    };
    assert!(
        out.contains(line),
        "the error does not point at {line:?}: {out}"
    );
    assert!(
        emu.api_requests().is_empty(),
        "requests were sent: {:?}",
        emu.api_requests()
    );
}

fn a_connection_with_the_organizations_github_app_sends_its_id_and_plans_no_diff() {
    let emu = emulator();
    let ws = workspace(&emu);
    let (first, second) = (code(&emu, 1), code(&emu, 2));
    let app = format!("github_app_id = \"{APP_ID}\"");

    // Create: gitHubAppId is sent; the host and instance type come from the app record, and
    // the plan right after is empty although the configuration names neither.
    set_config(&ws, &first, "name = \"org-app\"", &app, "");
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let bodies = writes(&emu);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["credentials"]["gitHubAppId"], APP_ID);
    let created = state(&ws);
    assert_eq!(created["credentials"]["github_app_id"], APP_ID);
    let id = created["id"].as_str().unwrap().to_owned();
    let stored = emu.admin.connection(&id).unwrap();
    assert_eq!(stored.credentials["host"], "github.acme.example");
    assert_empty_plan(&ws);

    // A rename sends no credentials.
    set_config(&ws, &first, "name = \"org-app-renamed\"", &app, "");
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let bodies = writes(&emu);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(bodies[0].get("credentials").is_none(), "{bodies:?}");
    assert_empty_plan(&ws);

    // Another app with the spent code: refused at plan with the code guidance; nothing sent.
    let other = format!("github_app_id = \"{OTHER_APP_ID}\"");
    set_config(&ws, &first, "name = \"org-app-renamed\"", &other, "");
    // (The plan refreshes, so it logs in and reads; it writes nothing.)
    emu.admin.clear_requests();
    let run = ws.run(&["plan"]);
    let out = run.folded_output();
    assert_eq!(run.code, 1, "{out}");
    assert!(out.contains("GitHub code already used"), "{out}");
    assert!(
        out.contains(nested_error_line("code = var.code", RESOURCE_LINE)),
        "{out}"
    );
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));

    // With a fresh code it updates, and the hash changes.
    set_config(&ws, &second, "name = \"org-app-renamed\"", &other, "");
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let bodies = writes(&emu);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["credentials"]["gitHubAppId"], OTHER_APP_ID);
    let updated = state(&ws);
    assert_ne!(updated["credentials_hash"], created["credentials_hash"]);
    assert_eq!(updated["credentials"]["github_app_id"], OTHER_APP_ID);
    assert_empty_plan(&ws);
    ws.run(&["destroy", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 0);
}

fn a_github_app_id_is_refused_at_plan_where_it_cannot_apply() {
    let emu = emulator();
    let ws = workspace(&emu);
    let first = code(&emu, 1);
    let app = format!("github_app_id = \"{APP_ID}\"");
    for (method, credentials) in [
        ("oauth", app.clone()),
        (
            "pat",
            format!("{app}\n    personal_access_token = \"ghp_x\""),
        ),
    ] {
        ws.config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n\
             resource \"infisical_app_connection_github\" \"gh\" {{\n  name = \"x\"\n  \
             method = \"{method}\"\n  credentials = {{\n    {credentials}\n  }}\n}}\n"
        ));
        refused_at_plan(
            &ws,
            &emu,
            "Unexpected github_app_id",
            "github_app_id =",
            true,
        );
    }
    for setting in [
        "host = \"github.acme.example\"",
        "instance_type = \"server\"",
    ] {
        set_config(
            &ws,
            &first,
            "name = \"x\"",
            &format!("{app}\n    {setting}"),
            "",
        );
        refused_at_plan(&ws, &emu, "takes the host and instance type", setting, true);
    }

    // An id the organization has no app for: the server's 400, clearly, at apply.
    let unknown = format!("github_app_id = \"{UNKNOWN_APP_ID}\"");
    set_config(&ws, &first, "name = \"x\"", &unknown, "");
    let run = ws.run(&["apply", "-auto-approve"]);
    let out = run.folded_output();
    assert_eq!(run.code, 1, "{out}");
    assert!(out.contains(UNKNOWN_APP_ID), "{out}");
    assert!(out.contains("not found"), "{out}");
    assert_eq!(emu.admin.connection_count(), 0);
}

fn a_gateway_pool_is_set_and_changed_in_place_and_refused_beside_a_gateway() {
    let emu = emulator();
    let ws = workspace(&emu);
    let first = code(&emu, 1);
    let pool = |id: &str| format!("name = \"pooled\"\n  gateway_pool_id = \"{id}\"");
    set_config(&ws, &first, &pool(POOL), "", "");
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(writes(&emu)[0]["gatewayPoolId"], POOL);
    let id = state(&ws)["id"].as_str().unwrap().to_owned();
    assert_eq!(
        emu.admin
            .connection(&id)
            .unwrap()
            .gateway_pool_id
            .as_deref(),
        Some(POOL)
    );
    assert_empty_plan(&ws);

    // In place, without credentials.
    set_config(&ws, &first, &pool(OTHER_POOL), "", "");
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let bodies = writes(&emu);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["gatewayPoolId"], OTHER_POOL);
    assert!(bodies[0].get("credentials").is_none(), "{bodies:?}");
    assert_eq!(state(&ws)["id"], Json::String(id));
    assert_empty_plan(&ws);

    // Beside a gateway: refused at plan on both paths.
    let both = format!("{}\n  gateway_id = \"{GATEWAY}\"", pool(POOL));
    set_config(&ws, &first, &both, "", "");
    refused_at_plan(&ws, &emu, "Conflicting gateway_id", "gateway_id =", false);
    let out = ws.run(&["plan"]).folded_output();
    assert!(out.contains("Conflicting gateway_pool_id"), "{out}");
}

fn the_github_app_data_source_finds_an_app_by_name_or_id_and_lists_the_names_on_a_miss() {
    let emu = emulator();
    let ws = workspace(&emu);
    ws.config(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{}}

data "infisical_github_app" "by_name" {{
  name = "acme-github"
}}

data "infisical_github_app" "by_id" {{
  id = "{OTHER_APP_ID}"
}}

output "by_name" {{
  value = data.infisical_github_app.by_name
}}

output "by_id" {{
  value = data.infisical_github_app.by_id
}}
"#
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    let run = ws.run(&["output", "-json"]).success();
    let outputs: Json = serde_json::from_str(&run.stdout).unwrap();
    let by_name = &outputs["by_name"]["value"];
    assert_eq!(by_name["id"], APP_ID);
    assert_eq!(by_name["host"], "github.acme.example");
    assert_eq!(by_name["instance_type"], "server");
    assert!(by_name["app_id"].as_str().is_some_and(|a| !a.is_empty()));
    assert_eq!(outputs["by_id"]["value"]["name"], "acme-github-2");

    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n\
         data \"infisical_github_app\" \"missing\" {{\n  name = \"no-such-app\"\n}}\n"
    ));
    let run = ws.run(&["plan"]);
    let out = run.folded_output();
    assert_eq!(run.code, 1, "{out}");
    assert!(out.contains("GitHub App not found"), "{out}");
    assert!(
        out.contains("\"acme-github\"") && out.contains("\"acme-github-2\""),
        "the error does not list the organization's apps: {out}"
    );
}

fn an_imported_connection_with_an_organizations_app_fills_github_app_id() {
    let emu = emulator();
    let ws = workspace(&emu);
    let first = code(&emu, 1);
    let app = format!("github_app_id = \"{APP_ID}\"");
    set_config(&ws, &first, "name = \"made-in-ui\"", &app, "");
    ws.run(&["apply", "-auto-approve"]).success();
    let id = state(&ws)["id"].as_str().unwrap().to_owned();

    // As if made in the UI: forget it, then import it by id and by name, with the documented
    // recipe (`ignore_changes = [credentials]`): github_app_id is in state, the plan is empty.
    for key in [id.as_str(), "made-in-ui"] {
        ws.run(&["state", "rm", ADDR]).success();
        let recipe =
            "name = \"made-in-ui\"\n  lifecycle {\n    ignore_changes = [credentials]\n  }";
        let import = format!("import {{\n  to = {ADDR}\n  id = \"{key}\"\n}}");
        set_config(&ws, &first, recipe, &app, &import);
        let run = ws.run(&["apply", "-auto-approve"]).success();
        assert!(run.stdout.contains("1 imported"), "{}", run.stdout);
        let imported = state(&ws);
        assert_eq!(imported["credentials"]["github_app_id"], APP_ID, "{key}");
        assert_eq!(imported["credentials"]["host"], Json::Null, "{key}");
        assert_empty_plan(&ws);
    }
}

crate::cases! {
    full: [
        a_connection_with_the_organizations_github_app_sends_its_id_and_plans_no_diff,
        a_github_app_id_is_refused_at_plan_where_it_cannot_apply,
        a_gateway_pool_is_set_and_changed_in_place_and_refused_beside_a_gateway,
        an_imported_connection_with_an_organizations_app_fills_github_app_id,
    ],
    compat: [
        the_github_app_data_source_finds_an_app_by_name_or_id_and_lists_the_names_on_a_miss,
    ],
}
