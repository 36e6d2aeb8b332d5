//! Projects: the `infisical_projects` data source and `infisical_project_environment`, against
//! the emulator's current project routes.

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

crate::cases! {
    compat: [
        the_projects_data_source_reads_a_project_by_slug_with_its_environments,
        an_environment_is_created_last_renamed_in_place_imported_and_destroyed,
        folders_nest_by_path_show_a_rename_made_elsewhere_and_import_by_id,
    ],
}
