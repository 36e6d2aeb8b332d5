//! Projects: the `infisical_projects` data source, `infisical_project`,
//! `infisical_project_environment` and `infisical_secret_folder`, against the emulator's current
//! project routes.

use serde_json::Value as Json;

use crate::support::infisical::Infisical;
use crate::support::{REQUIRED_PROVIDERS, Workspace};

fn workspace(emu: &Infisical, body: &str) -> Workspace {
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n{body}"
    ));
    ws
}

fn the_projects_data_source_reads_a_project_by_slug_with_its_environments() {
    // 1. A project made outside this configuration, through the API, with the default
    //    environments.
    let emu = Infisical::start();
    let made = emu.api_call(
        reqwest::Method::POST,
        "/api/v1/projects",
        Some(&serde_json::json!({ "projectName": "App", "slug": "app-prod" })),
    );
    let project = &made["project"];
    assert_eq!(project["slug"], "app-prod", "{made}");
    let prod = project["environments"]
        .as_array()
        .and_then(|envs| envs.iter().find(|e| e["slug"] == "prod"))
        .unwrap_or_else(|| panic!("no prod environment: {made}"))
        .clone();
    // 2. Read by slug: its id, and its environments keyed by slug.
    let ws = workspace(
        &emu,
        r#"data "infisical_projects" "app" {
  slug = "app-prod"
}

output "project" {
  value = data.infisical_projects.app
}
"#,
    );
    ws.run(&["apply", "-auto-approve"]).success();
    let run = ws.run(&["output", "-json"]).success();
    let outputs: Json = serde_json::from_str(&run.stdout).unwrap();
    let read = &outputs["project"]["value"];
    assert_eq!(read["id"], project["id"], "{read}");
    assert_eq!(read["name"], "App");
    assert_eq!(read["org_id"], project["orgId"]);
    assert_eq!(read["environments"]["prod"]["id"], prod["id"], "{read}");
    assert_eq!(read["environments"]["prod"]["name"], prod["name"]);
    assert_eq!(
        read["environments"].as_object().map(|e| e.len()),
        project["environments"].as_array().map(|e| e.len()),
        "{read}"
    );
    // 3. A slug that names no project fails the plan with Infisical's answer.
    let missing = workspace(
        &emu,
        "data \"infisical_projects\" \"x\" {\n  slug = \"no-such-project\"\n}\n",
    );
    let run = missing.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output()
            .contains("read the project \"no-such-project\""),
        "{}",
        run.output()
    );
    // 4. A slug that cannot be one is refused at plan, with no request.
    emu.admin.clear_requests();
    let invalid = workspace(
        &emu,
        "data \"infisical_projects\" \"x\" {\n  slug = \"App Prod\"\n}\n",
    );
    let run = invalid.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output().contains("Invalid project slug"),
        "{}",
        run.output()
    );
    assert!(
        emu.api_requests()
            .iter()
            .all(|r| !r.path.starts_with("/api/v1/projects")),
        "{:?}",
        emu.api_requests()
    );
}

/// A project made through the API with Infisical's default environments (dev, staging, prod at
/// positions 1–3); its id.
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

/// The project's environments as Infisical lists them: slug → (name, position).
fn environments(
    emu: &Infisical,
    project: &str,
) -> std::collections::BTreeMap<String, (String, i64)> {
    let answer = emu.api_call(
        reqwest::Method::GET,
        &format!("/api/v1/projects/{project}"),
        None,
    );
    answer["project"]["environments"]
        .as_array()
        .unwrap_or_else(|| panic!("no environments: {answer}"))
        .iter()
        .map(|e| {
            let id = e["id"].as_str().unwrap_or_default();
            let one = emu.api_call(
                reqwest::Method::GET,
                &format!("/api/v1/projects/{project}/environments/{id}"),
                None,
            );
            let env = &one["environment"];
            (
                env["slug"].as_str().unwrap_or_default().to_owned(),
                (
                    env["name"].as_str().unwrap_or_default().to_owned(),
                    env["position"].as_i64().unwrap_or_default(),
                ),
            )
        })
        .collect()
}

fn environment_config(project: &str, name: &str) -> String {
    format!(
        r#"resource "infisical_project_environment" "qa" {{
  name       = "{name}"
  slug       = "qa"
  project_id = "{project}"
}}
"#
    )
}

const ENV_ADDR: &str = "infisical_project_environment.qa";

/// Issue 27: an environment is created last, renamed in place without moving (the official
/// provider's rename sends `position: 0`), imported by id with no change, and destroyed.
fn an_environment_is_created_last_renamed_in_place_imported_and_destroyed() {
    let emu = Infisical::start();
    let project = project(&emu, "env-test");
    let ws = workspace(&emu, &environment_config(&project, "QA"));
    // 1. Created after Infisical's three: position 4.
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(environments(&emu, &project)["qa"], ("QA".to_owned(), 4));
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 2. Renamed: the PATCH carries the name alone; the environment keeps its place.
    emu.admin.clear_requests();
    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n{}",
        environment_config(&project, "Quality")
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    let patches: Vec<Json> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.body)
        .collect();
    assert_eq!(patches, [serde_json::json!({ "name": "Quality" })]);
    assert_eq!(
        environments(&emu, &project)["qa"],
        ("Quality".to_owned(), 4)
    );
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 3. Forgotten and imported by its id, as with the official provider: no change.
    let show = ws.run(&["show", "-json"]).success();
    let state: Json = serde_json::from_str(&show.stdout).unwrap();
    let id = state["values"]["root_module"]["resources"][0]["values"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ws.run(&["state", "rm", ENV_ADDR]).success();
    ws.run(&["import", ENV_ADDR, &id]).success();
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 4. Destroyed: Infisical's three remain.
    ws.run(&["destroy", "-auto-approve"]).success();
    let left: Vec<String> = environments(&emu, &project).into_keys().collect();
    assert_eq!(left, ["dev", "prod", "staging"]);
}

const FOLDER_ADDR: &str = "infisical_secret_folder.api";

fn folders_config(project: &str) -> String {
    format!(
        r#"resource "infisical_secret_folder" "app" {{
  name             = "app"
  folder_path      = "/"
  environment_slug = "prod"
  project_id       = "{project}"
}}

resource "infisical_secret_folder" "api" {{
  name             = "api"
  folder_path      = infisical_secret_folder.app.path
  environment_slug = "prod"
  project_id       = "{project}"
  description      = "the API's secrets"
}}
"#
    )
}

/// The folders Infisical lists under `path` of `prod`, by name.
fn folder_names(emu: &Infisical, project: &str, path: &str) -> Vec<String> {
    let answer = emu.api_call(
        reqwest::Method::GET,
        &format!("/api/v2/folders?projectId={project}&environment=prod&path={path}"),
        None,
    );
    answer["folders"]
        .as_array()
        .unwrap_or_else(|| panic!("no folders: {answer}"))
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect()
}

/// Issue 27: folders nested through `path`, a rename made in the UI shown and undone, import by
/// id with no change, destroy.
fn folders_nest_by_path_show_a_rename_made_elsewhere_and_import_by_id() {
    let emu = Infisical::start();
    let project = project(&emu, "folder-test");
    let ws = workspace(&emu, &folders_config(&project));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(folder_names(&emu, &project, "/app"), ["api"]);
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 1. Renamed in the UI: the plan shows it and the apply renames it back.
    let show = ws.run(&["show", "-json"]).success();
    let state: Json = serde_json::from_str(&show.stdout).unwrap();
    let api = state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == FOLDER_ADDR))
        .map(|r| r["values"].clone())
        .unwrap();
    assert_eq!(api["path"], "/app/api");
    let id = api["id"].as_str().unwrap().to_owned();
    emu.api_call(
        reqwest::Method::PATCH,
        &format!("/api/v2/folders/{id}"),
        Some(&serde_json::json!({
            "projectId": project, "environment": "prod", "name": "renamed", "path": "/app"
        })),
    );
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(
        run.folded_output().contains("\"renamed\" -> \"api\""),
        "{}",
        run.output()
    );
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(folder_names(&emu, &project, "/app"), ["api"]);
    // 2. Forgotten and imported by id: no change.
    ws.run(&["state", "rm", FOLDER_ADDR]).success();
    ws.run(&["import", FOLDER_ADDR, &id]).success();
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 3. Destroyed: nothing left under the root but what was there.
    ws.run(&["destroy", "-auto-approve"]).success();
    assert_eq!(folder_names(&emu, &project, "/"), Vec::<String>::new());
}

const PROJECT_ADDR: &str = "infisical_project.payments";

fn project_config(name: &str, extra: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{}}

resource "infisical_project" "payments" {{
  name                       = "{name}"
  slug                       = "team-payments"
  template_name              = "default"
  should_create_default_envs = false
  audit_log_retention_days   = 30
{extra}}}
"#
    )
}

/// What Infisical holds for the project `slug`.
fn project_by_slug(emu: &Infisical, slug: &str) -> Json {
    emu.api_call(
        reqwest::Method::GET,
        &format!("/api/v1/projects/slug/{slug}"),
        None,
    )
}

/// The bodies of the requests of `method` to the project routes since the last clear.
fn project_writes(emu: &Infisical) -> Vec<(String, Json)> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/api/v1/projects"))
        .map(|r| (r.method, r.body.unwrap_or(Json::Null)))
        .collect()
}

/// Issue 27: a project is created with its create-only settings, changed in place with only
/// what changed sent (a removed description cleared), refused at plan for what Infisical cannot
/// change, imported with no request to apply, protected from and then destroyed.
fn a_project_is_created_changed_in_place_imported_and_protected_from_destroy() {
    let emu = Infisical::start();
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    // 1. A slug Infisical refuses on create fails the plan, with no request.
    ws.config(&project_config("Payments", "").replace("team-payments", "pay"));
    emu.admin.clear_requests();
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output().contains("Invalid project slug"),
        "{}",
        run.output()
    );
    assert!(
        emu.api_requests()
            .iter()
            .all(|r| !r.path.starts_with("/api/v1/projects")),
        "{:?}",
        emu.api_requests()
    );
    // 2. Created with no default environments and the retention set.
    ws.config(&project_config(
        "Payments",
        "  description                = \"Card payments\"\n",
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    let made = project_by_slug(&emu, "team-payments");
    assert_eq!(made["name"], "Payments", "{made}");
    assert_eq!(made["description"], "Card payments");
    assert_eq!(made["environments"], serde_json::json!([]), "{made}");
    assert_eq!(made["auditLogsRetentionDays"], 30, "{made}");
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 3. Renamed with the description removed: one PATCH of exactly those, the description
    //    cleared; the plan does not show `last_updated` as unknown, and converges.
    emu.admin.clear_requests();
    ws.config(&project_config("Payments Team", ""));
    let run = ws.run(&["plan"]).success();
    assert!(
        !run.folded_output().contains("last_updated"),
        "{}",
        run.output()
    );
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(
        project_writes(&emu),
        [(
            "PATCH".to_owned(),
            serde_json::json!({ "name": "Payments Team", "description": "" })
        )]
    );
    let changed = project_by_slug(&emu, "team-payments");
    assert_eq!(changed["name"], "Payments Team");
    assert!(
        changed["description"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{changed}"
    );
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 4. A template change cannot be made by Infisical: refused at plan, nothing replaced.
    ws.config(&project_config("Payments Team", "").replace(
        "template_name              = \"default\"",
        "template_name = \"other\"",
    ));
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output().contains("Cannot change after creation"),
        "{}",
        run.output()
    );
    // 5. Forgotten and imported by id: only the create-only settings, which Infisical does not
    //    answer with, are recorded, with no request; then no change.
    ws.config(&project_config("Payments Team", ""));
    let id = changed["id"].as_str().unwrap().to_owned();
    ws.run(&["state", "rm", PROJECT_ADDR]).success();
    ws.run(&["import", PROJECT_ADDR, &id]).success();
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(project_writes(&emu), []);
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    // 6. Delete protection: destroy is refused with the way out, then allowed.
    ws.config(&project_config(
        "Payments Team",
        "  has_delete_protection      = true\n",
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    let run = ws.run(&["destroy", "-auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output()
            .contains("set has_delete_protection = false"),
        "{}",
        run.output()
    );
    ws.config(&project_config(
        "Payments Team",
        "  has_delete_protection      = false\n",
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    ws.run(&["destroy", "-auto-approve"]).success();
    let gone = project_by_slug(&emu, "team-payments");
    assert_eq!(gone["statusCode"], 404, "{gone}");
}

crate::cases! {
    compat: [
        a_project_is_created_changed_in_place_imported_and_protected_from_destroy,
        the_projects_data_source_reads_a_project_by_slug_with_its_environments,
        an_environment_is_created_last_renamed_in_place_imported_and_destroyed,
        folders_nest_by_path_show_a_rename_made_elsewhere_and_import_by_id,
    ],
}
