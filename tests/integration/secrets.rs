//! `infisical_secret` against the emulator's `/api/v4/secrets`: the lifecycle on every binary
//! (values compared as Infisical stores them, drift, rename, metadata removal, import, destroy),
//! and on the full lane the write-only value, approval policies, rotations and the refresh that
//! reads an environment once.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::support::infisical::Infisical;
use crate::support::{REQUIRED_PROVIDERS, Workspace, rand_suffix, secrets};

/// A project made through the API with Infisical's default environments; its id.
fn project(emu: &Infisical, slug: &str) -> String {
    let made = emu.api_call(
        reqwest::Method::POST,
        "/api/v1/projects",
        Some(&serde_json::json!({ "projectName": slug, "slug": slug })),
    );
    made["project"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no project: {made}"))
        .to_owned()
}

fn workspace(emu: &Infisical) -> Workspace {
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws
}

fn set_config(ws: &Workspace, body: &str) {
    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n{body}"
    ));
}

/// The folder `/app` of `prod`, and `secrets` (HCL resources) after it.
fn with_folder(project: &str, secrets: &str) -> String {
    format!(
        r#"resource "infisical_secret_folder" "app" {{
  name             = "app"
  folder_path      = "/"
  environment_slug = "prod"
  project_id       = "{project}"
}}

{secrets}"#
    )
}

/// The `prod` secrets of `/app`, by name, as Infisical holds them.
fn held(emu: &Infisical, project: &str) -> BTreeMap<String, String> {
    emu.admin
        .secrets(project, "prod", "/app")
        .unwrap_or_default()
}

/// The state's values of the resource at `address`.
fn state_of(ws: &Workspace, address: &str) -> Json {
    let show = ws.run(&["show", "-json"]).success();
    let state: Json = serde_json::from_str(&show.stdout).unwrap();
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == address))
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("no {address} in {state}"))
}

#[track_caller]
fn assert_no_changes(ws: &Workspace) {
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
}

/// The bodies of the writes sent to `/api/v4/secrets…` since the last clear (values redacted).
fn secret_writes(emu: &Infisical) -> Vec<(String, String, Json)> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/api/v4/secrets"))
        .map(|r| (r.method, r.path, r.body.unwrap_or(Json::Null)))
        .collect()
}

fn db_secret(value_line: &str, extra: &str) -> String {
    format!(
        r#"resource "infisical_secret" "db" {{
  name         = "DB_URL"
  {value_line}
  workspace_id = infisical_secret_folder.app.project_id
  env_slug     = "prod"
  folder_path  = infisical_secret_folder.app.path
{extra}}}
"#
    )
}

const DB: &str = "infisical_secret.db";

/// Issue 27: a secret is created in a folder made in the same apply (no `depends_on`), a value
/// Infisical trims plans no change, a change made in the UI is shown and undone, a rename is
/// made in place, removing every metadata entry reaches Infisical, import by id and by
/// `<project>:<env>:<path>:<name>` plans no change, destroy removes it.
fn a_secret_is_created_compared_as_stored_renamed_imported_and_destroyed() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("secrets-{}", rand_suffix()));
    let ws = workspace(&emu);
    let value = secrets::remember(format!("postgres://db-{}", rand_suffix()));
    let padded = format!("value = \"  {value} \\n\\n\"");
    let metadata = "  metadata = { owner = \"payments\" }\n  comment  = \"the primary\"\n";
    // 1. Created with a value Infisical trims: stored trimmed, and no change planned after.
    set_config(&ws, &with_folder(&project, &db_secret(&padded, metadata)));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(held(&emu, &project)["DB_URL"], format!("{value}\n"));
    assert_no_changes(&ws);
    let created = state_of(&ws, DB);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["comment"], "the primary");
    assert_eq!(created["metadata"]["owner"], "payments");
    // 2. Changed in the UI: the plan shows the value (sensitive) and the apply puts it back.
    emu.admin
        .set_secret(&project, "prod", "/app", "DB_URL", "changed-elsewhere");
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(
        run.folded_output().contains("value") && run.folded_output().contains("(sensitive"),
        "{}",
        run.output()
    );
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(held(&emu, &project)["DB_URL"], format!("{value}\n"));
    assert_no_changes(&ws);
    // 3. Renamed, metadata removed: one PATCH renaming it and sending `secretMetadata: []`.
    emu.admin.clear_requests();
    set_config(
        &ws,
        &with_folder(
            &project,
            &db_secret(&padded, "  comment  = \"the primary\"\n").replace("DB_URL", "DATABASE_URL"),
        ),
    );
    ws.run(&["apply", "-auto-approve"]).success();
    let writes = secret_writes(&emu);
    assert_eq!(writes.len(), 1, "{writes:?}");
    let (method, path, body) = &writes[0];
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("PATCH", "/api/v4/secrets/DB_URL")
    );
    assert_eq!(body["newSecretName"], "DATABASE_URL", "{body}");
    assert_eq!(body["secretMetadata"], serde_json::json!([]), "{body}");
    assert!(body.get("secretValue").is_none(), "{body}");
    let after = held(&emu, &project);
    assert_eq!(after.keys().collect::<Vec<_>>(), ["DATABASE_URL"]);
    assert_eq!(state_of(&ws, DB)["id"], id.as_str(), "renamed in place");
    assert_eq!(state_of(&ws, DB)["metadata"], Json::Null);
    assert_no_changes(&ws);
    // 4. Forgotten and imported by id, then by project:env:path:name. An import holds the
    //    value as Infisical stores it, so the configured (padded) form is recorded by one apply
    //    that sends nothing; then no change.
    for import_id in [id.clone(), format!("{project}:prod:/app:DATABASE_URL")] {
        ws.run(&["state", "rm", DB]).success();
        ws.run(&["import", DB, &import_id]).success();
        assert_eq!(state_of(&ws, DB)["id"], id.as_str());
        emu.admin.clear_requests();
        ws.run(&["apply", "-auto-approve"]).success();
        assert_eq!(
            secret_writes(&emu),
            [],
            "an apply after import of {import_id}"
        );
        assert_no_changes(&ws);
    }
    // 5. Destroyed: the folder and its secret are gone.
    ws.run(&["destroy", "-auto-approve"]).success();
    assert!(emu.admin.secrets(&project, "prod", "/app").is_none());
}

/// Issue 27: a write-only value (Terraform ≥ 1.11) is sent on create and when its version
/// rises, never stored, never read back (a change in the UI is not shown), and a secret
/// imported with `write-only:` plans no change.
fn a_write_only_value_is_sent_by_version_and_never_read_back() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("wo-{}", rand_suffix()));
    let ws = workspace(&emu);
    let first = secrets::remember(format!("first-{}", rand_suffix()));
    let second = secrets::remember(format!("second-{}", rand_suffix()));
    let config = |version: u32| {
        with_folder(
            &project,
            &format!(
                "variable \"db\" {{\n  type      = string\n  ephemeral = true\n}}\n\n{}",
                db_secret(
                    &format!("value_wo = var.db\n  value_wo_version = {version}"),
                    ""
                )
            ),
        )
    };
    set_config(&ws, &config(1));
    ws.write("terraform.tfvars", &format!("db = \"{first}\"\n"));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(held(&emu, &project)["DB_URL"], first);
    let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
    assert!(!state_file.contains(&first), "the value is in the state");
    assert_eq!(state_of(&ws, DB)["value"], Json::Null);
    assert_no_changes(&ws);
    // A change in the UI is not shown: the value is never read.
    emu.admin
        .set_secret(&project, "prod", "/app", "DB_URL", "elsewhere");
    assert_no_changes(&ws);
    // A new value with the same version is not sent; with a higher version it is.
    ws.write("terraform.tfvars", &format!("db = \"{second}\"\n"));
    assert_no_changes(&ws);
    set_config(&ws, &config(2));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(held(&emu, &project)["DB_URL"], second);
    // A lower version is refused at plan.
    set_config(&ws, &config(1));
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output()
            .contains("value_wo_version goes from 2 to 1"),
        "{}",
        run.output()
    );
    // Imported with `write-only:`: version 1, no value in the state, no change.
    set_config(&ws, &config(1));
    let id = state_of(&ws, DB)["id"].as_str().unwrap().to_owned();
    ws.run(&["state", "rm", DB]).success();
    ws.run(&["import", DB, &format!("write-only:{id}")])
        .success();
    let imported = state_of(&ws, DB);
    assert_eq!(imported["value"], Json::Null);
    assert_eq!(imported["value_wo_version"], 1);
    assert_no_changes(&ws);
    let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
    assert!(!state_file.contains(&second), "the value is in the state");
}

/// Issue 27: an environment under a secret-approval policy holds the create: the apply fails
/// naming the request and records nothing; a secret a rotation owns refuses a value change at
/// plan, saying why.
fn approval_policies_and_rotations_are_explained_not_fought() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("held-{}", rand_suffix()));
    let ws = workspace(&emu);
    let value = secrets::remember(format!("v-{}", rand_suffix()));
    set_config(
        &ws,
        &with_folder(&project, &db_secret(&format!("value = \"{value}\""), "")),
    );
    ws.run(&[
        "apply",
        "-auto-approve",
        "-target=infisical_secret_folder.app",
    ])
    .success();
    emu.admin
        .add_secret_approval_policy(&project, "prod", "/app", false);
    let run = ws.run(&["apply", "-auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.output());
    let requests = emu.admin.secret_approval_requests(&project);
    assert_eq!(requests.len(), 1, "{requests:?}");
    let out = run.folded_output();
    assert!(out.contains("Change pending approval"), "{}", run.output());
    assert!(
        out.contains(&requests[0].slug) || out.contains(&requests[0].id),
        "{}",
        run.output()
    );
    assert!(held(&emu, &project).is_empty());
    let listed = ws.run(&["state", "list"]).success();
    assert!(!listed.stdout.contains(DB), "{}", listed.stdout);
    // Without the policy (another environment), a rotation owns the secret.
    let ws2 = workspace(&emu);
    let staging = format!(
        r#"resource "infisical_secret" "db" {{
  name         = "ROTATED"
  value        = "{value}"
  workspace_id = "{project}"
  env_slug     = "staging"
  folder_path  = "/"
}}
"#
    );
    set_config(&ws2, &staging);
    ws2.run(&["apply", "-auto-approve"]).success();
    assert!(
        emu.admin
            .set_secret_rotation(&project, "staging", "/", "ROTATED", Some("rotation-1"))
    );
    set_config(&ws2, &staging.replace(&value, "another"));
    let run = ws2.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output().contains("Secret owned by a rotation")
            && run.folded_output().contains("rotation-1"),
        "{}",
        run.output()
    );
}

/// Issue 27: refreshing 40 secrets in four folders of one environment reads the environment
/// once (one recursive list of its secrets, one of its folders), not once per object.
fn a_refresh_reads_each_environment_once() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("scale-{}", rand_suffix()));
    let ws = workspace(&emu);
    let mut body = String::new();
    for folder in ["a", "b", "c", "d"] {
        body.push_str(&format!(
            r#"resource "infisical_secret_folder" "{folder}" {{
  name             = "{folder}"
  folder_path      = "/"
  environment_slug = "dev"
  project_id       = "{project}"
}}

resource "infisical_secret" "{folder}" {{
  count        = 10
  name         = "KEY_${{count.index}}"
  value        = "value-${{count.index}}"
  workspace_id = "{project}"
  env_slug     = "dev"
  folder_path  = infisical_secret_folder.{folder}.path
}}

"#
        ));
    }
    set_config(&ws, &body);
    ws.run(&["apply", "-auto-approve"]).success();
    emu.admin.clear_requests();
    assert_no_changes(&ws);
    let reads: Vec<String> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && !r.path.starts_with("/api/v1/auth"))
        .map(|r| format!("{}?{}", r.path, r.query.unwrap_or_default()))
        .collect();
    // One list of the environment's secrets and one of its folders: nothing by id.
    assert_eq!(reads.len(), 2, "{reads:#?}");
    assert!(
        reads
            .iter()
            .any(|r| r.starts_with("/api/v4/secrets?") && r.contains("recursive=true")),
        "{reads:#?}"
    );
    assert!(
        reads
            .iter()
            .any(|r| r.starts_with("/api/v2/folders?") && r.contains("recursive=true")),
        "{reads:#?}"
    );
}

/// The write requests (method and path) sent to `/api/v4/secrets…` since the last clear.
fn write_routes(emu: &Infisical) -> Vec<String> {
    secret_writes(emu)
        .into_iter()
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect()
}

/// Issue 27: creates, updates and deletes of secrets in one folder that Terraform applies
/// together leave as batch requests; a write the server refuses fails its own resource only.
fn writes_in_one_folder_leave_as_batches_and_a_failure_stays_with_its_secret() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("batch-{}", rand_suffix()));
    emu.api_call(
        reqwest::Method::POST,
        "/api/v2/folders",
        Some(&serde_json::json!({
            "projectId": project, "environment": "dev", "path": "/", "name": "app"
        })),
    );
    let ws = workspace(&emu);
    let config = |value: &str, extra: &str| {
        format!(
            r#"resource "infisical_secret" "many" {{
  count        = 10
  name         = "KEY_${{count.index}}"
  value        = "{value}-${{count.index}}"
  workspace_id = "{project}"
  env_slug     = "dev"
  folder_path  = "/app"
}}
{extra}"#
        )
    };
    // 1. Ten creates: one or two batch requests, not ten.
    set_config(&ws, &config("first", ""));
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let routes = write_routes(&emu);
    assert!(
        (1..=2).contains(&routes.len()) && routes.iter().all(|r| r == "POST /api/v4/secrets/batch"),
        "{routes:#?}"
    );
    let held = emu.admin.secrets(&project, "dev", "/app").unwrap();
    assert_eq!(held.len(), 10);
    assert_eq!(held["KEY_7"], "first-7");
    assert_no_changes(&ws);
    // 2. Ten updates: batched too.
    set_config(&ws, &config("second", ""));
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let routes = write_routes(&emu);
    assert!(
        (1..=2).contains(&routes.len())
            && routes.iter().all(|r| r == "PATCH /api/v4/secrets/batch"),
        "{routes:#?}"
    );
    assert_eq!(
        emu.admin.secrets(&project, "dev", "/app").unwrap()["KEY_3"],
        "second-3"
    );
    // 3. Three new secrets beside one whose name Infisical already holds: that one fails with
    //    Infisical's answer, the three are created and recorded.
    emu.admin
        .set_secret(&project, "dev", "/app", "TAKEN", "made-elsewhere");
    let extra = format!(
        r#"
resource "infisical_secret" "more" {{
  for_each     = toset(["A", "B", "C", "TAKEN"])
  name         = each.key
  value        = "new"
  workspace_id = "{project}"
  env_slug     = "dev"
  folder_path  = "/app"
}}
"#
    );
    set_config(&ws, &config("second", &extra));
    let run = ws.run(&["apply", "-auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.output());
    let out = run.folded_output();
    assert!(out.contains("already exists"), "{}", run.output());
    assert!(
        out.contains("infisical_secret.more[\"TAKEN\"]"),
        "{}",
        run.output()
    );
    let listed = ws.run(&["state", "list"]).success().stdout;
    for created in ["A", "B", "C"] {
        assert!(
            listed.contains(&format!("infisical_secret.more[\"{created}\"]")),
            "{listed}"
        );
    }
    assert!(!listed.contains("TAKEN"), "{listed}");
    assert_eq!(
        emu.admin.secrets(&project, "dev", "/app").unwrap()["TAKEN"],
        "made-elsewhere"
    );
    // 4. Destroy: the thirteen secrets leave in one or two batch deletes.
    emu.admin.clear_requests();
    ws.run(&["destroy", "-auto-approve"]).success();
    let routes = write_routes(&emu);
    assert!(
        (1..=2).contains(&routes.len())
            && routes.iter().all(|r| r == "DELETE /api/v4/secrets/batch"),
        "{routes:#?}"
    );
    let left = emu.admin.secrets(&project, "dev", "/app").unwrap();
    assert_eq!(left.keys().collect::<Vec<_>>(), ["TAKEN"]);
}

/// The tag ids Infisical holds on secret `name` of `prod` at `/`.
fn tags_on(emu: &Infisical, project: &str, name: &str) -> Vec<String> {
    let read = emu.api_call(
        reqwest::Method::GET,
        &format!(
            "/api/v4/secrets/{name}?projectId={project}&environment=prod&secretPath=/&viewSecretValue=false"
        ),
        None,
    );
    let mut ids: Vec<String> = read["secret"]["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags: {read}"))
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

/// Issue 27: tags are created and put on a secret, a color change is sent as Infisical takes it
/// (slug and color), a name change (which Infisical no longer stores) sends nothing, removing
/// every tag from the secret reaches Infisical, a tag imports by `<project_id>,<tag_id>`.
fn tags_are_put_on_secrets_changed_in_place_removed_and_imported() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("tags-{}", rand_suffix()));
    let ws = workspace(&emu);
    let config = |color: &str, name: &str, tags: &str| {
        format!(
            r##"resource "infisical_secret_tag" "prod" {{
  slug       = "production"
  name       = "{name}"
  color      = "{color}"
  project_id = "{project}"
}}

resource "infisical_secret_tag" "db" {{
  slug       = "database"
  name       = "Database"
  color      = "#10b981"
  project_id = "{project}"
}}

resource "infisical_secret" "tagged" {{
  name         = "TAGGED"
  value        = "v"
  workspace_id = "{project}"
  env_slug     = "prod"
  folder_path  = "/"
  tag_ids      = {tags}
}}
"##
        )
    };
    let both = "[infisical_secret_tag.prod.id, infisical_secret_tag.db.id]";
    set_config(&ws, &config("#3b82f6", "Production", both));
    ws.run(&["apply", "-auto-approve"]).success();
    let prod = state_of(&ws, "infisical_secret_tag.prod");
    let db = state_of(&ws, "infisical_secret_tag.db");
    let mut expected = vec![
        prod["id"].as_str().unwrap().to_owned(),
        db["id"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(tags_on(&emu, &project, "TAGGED"), expected);
    assert_no_changes(&ws);
    // A color change: one PATCH with the slug and the color; a name change: nothing sent.
    emu.admin.clear_requests();
    set_config(&ws, &config("#ef4444", "Prod", both));
    ws.run(&["apply", "-auto-approve"]).success();
    let patches: Vec<Json> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.body)
        .collect();
    assert_eq!(
        patches,
        [serde_json::json!({ "slug": "production", "color": "#ef4444" })]
    );
    assert_no_changes(&ws);
    // Every tag removed from the secret: Infisical's secret has none.
    set_config(&ws, &config("#ef4444", "Prod", "[]"));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(tags_on(&emu, &project, "TAGGED"), Vec::<String>::new());
    assert_no_changes(&ws);
    // Imported by <project_id>,<tag_id>: the name (not stored by Infisical) is recorded by one
    // apply that sends nothing.
    let id = prod["id"].as_str().unwrap().to_owned();
    ws.run(&["state", "rm", "infisical_secret_tag.prod"])
        .success();
    ws.run(&[
        "import",
        "infisical_secret_tag.prod",
        &format!("{project},{id}"),
    ])
    .success();
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    assert!(
        emu.api_requests()
            .iter()
            .all(|r| r.method == "GET" || r.path.starts_with("/api/v1/auth/")),
        "{:?}",
        emu.api_requests()
    );
    assert_no_changes(&ws);
    ws.run(&["destroy", "-auto-approve"]).success();
}

/// Issue 27: `terraform query` lists a folder's secrets with one request that reads no value,
/// each named by its path and name; the configuration it generates uses the write-only form and
/// stops at the value to fill in; filled in, it imports them all and writes nothing.
fn query_lists_a_folders_secrets_without_values_and_generates_write_only_imports() {
    let emu = Infisical::start();
    let project = project(&emu, &format!("query-{}", rand_suffix()));
    let values = [
        ("A_KEY", secrets::remember(format!("a-{}", rand_suffix()))),
        ("B_KEY", secrets::remember(format!("b-{}", rand_suffix()))),
    ];
    for (name, value) in &values {
        emu.admin.set_secret(&project, "prod", "/app", name, value);
    }
    emu.admin
        .set_secret(&project, "prod", "/", "ROOT_KEY", "root");
    let ws = workspace(&emu);
    set_config(&ws, "");
    ws.write(
        "query.tfquery.hcl",
        &format!(
            "list \"infisical_secret\" \"app\" {{\n  provider = infisical\n  config {{\n    \
             workspace_id = \"{project}\"\n    env_slug     = \"prod\"\n    \
             folder_path  = \"/app\"\n  }}\n}}\n"
        ),
    );
    emu.admin.clear_requests();
    let run = ws.run(&["query", "-json"]).success();
    let mut names: Vec<String> = run
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Json>(line).ok())
        .filter(|m| m["type"] == "list_resource_found")
        .map(|m| {
            let found = &m["list_resource_found"];
            assert!(found["identity"]["id"].is_string(), "{found}");
            found["display_name"].as_str().unwrap().to_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["/app/A_KEY", "/app/B_KEY"]);
    let reads: Vec<String> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v4/secrets"))
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0].contains("viewSecretValue=false"), "{reads:?}");
    // The generated configuration: write-only, the plan stops at each value to fill in.
    ws.run(&["query", "-generate-config-out=generated.tf"])
        .success();
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    secrets::assert_absent(&generated, "the generated configuration");
    assert_eq!(generated.matches("import {").count(), 2, "{generated}");
    assert_eq!(
        generated.matches("value_wo_version = 1").count(),
        2,
        "{generated}"
    );
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert_eq!(
        run.folded_output()
            .matches("Error: Missing value_wo")
            .count(),
        2,
        "{}",
        run.output()
    );
    // Filled in from an ephemeral variable: imported, nothing written.
    let filled = generated
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("value_wo ") {
                "  value_wo = var.value".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    ws.write("generated.tf", &filled);
    ws.write(
        "variables.tf",
        "variable \"value\" {\n  type      = string\n  ephemeral = true\n  default   = \"x\"\n}\n",
    );
    emu.admin.clear_requests();
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(
        run.stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        run.stdout
    );
    assert_eq!(secret_writes(&emu), []);
    for (name, value) in &values {
        assert_eq!(&held(&emu, &project)[*name], value);
    }
    assert_no_changes(&ws);
}

crate::cases! {
    compat: [
        a_secret_is_created_compared_as_stored_renamed_imported_and_destroyed,
        tags_are_put_on_secrets_changed_in_place_removed_and_imported,
    ],
    full: [
        a_write_only_value_is_sent_by_version_and_never_read_back needs(WriteOnly, EphemeralVariables),
        approval_policies_and_rotations_are_explained_not_fought,
        a_refresh_reads_each_environment_once,
        writes_in_one_folder_leave_as_batches_and_a_failure_stays_with_its_secret,
        query_lists_a_folders_secrets_without_values_and_generates_write_only_imports needs(Query, WriteOnly),
    ],
}
