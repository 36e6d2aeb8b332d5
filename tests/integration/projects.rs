//! Projects: the `infisical_projects` data source against the emulator's current project routes.

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

crate::cases! {
    compat: [the_projects_data_source_reads_a_project_by_slug_with_its_environments],
}
