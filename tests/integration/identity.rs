//! Resource identity (Terraform ≥ 1.12) for `infisical_app_connection_github`: `import` blocks
//! with `identity = { id = … }`, and the identity Terraform keeps in state after any import or
//! apply (issue 14, acceptance 2). Skipped, with the reason, on older Terraform.

use serde_json::Value as Json;

use crate::github::{ADDR, adopted, assert_empty_plan, state};
use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;
use crate::support::{Terraform, Workspace};

fn workspace(emu: &Infisical, terraform: &Terraform) -> Workspace {
    let mut ws = Workspace::with(terraform);
    emu.configure(&mut ws);
    ws
}

/// The identity Terraform stored for the resource, with its schema version.
fn stored_identity(ws: &Workspace) -> (Json, Json) {
    let text = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let instance = &json["resources"][0]["instances"][0];
    (
        instance["identity"].clone(),
        instance["identity_schema_version"].clone(),
    )
}

fn an_import_block_with_an_identity_imports_and_the_next_plan_is_empty() {
    let terraform = crate::support::terraform();
    let emu = Infisical::start();
    let conn = emu.create_pat_connection("by-identity", None);
    let ws = workspace(&emu, terraform);
    ws.config(&format!(
        "{}\nimport {{\n  to = {ADDR}\n  identity = {{\n    id = \"{}\"\n  }}\n}}\n",
        adopted("by-identity", None),
        conn.id
    ));
    let plan = ws.run(&["plan"]).success();
    assert!(
        plan.stdout.contains("1 to import"),
        "Terraform {}: {}",
        terraform.version,
        plan.stdout
    );
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(run.stdout.contains("1 imported"), "{}", run.stdout);
    let imported = state(&ws);
    assert_eq!(imported["id"], Json::String(conn.id.clone()));
    assert_eq!(imported["name"], "by-identity");
    assert_eq!(
        stored_identity(&ws),
        (serde_json::json!({ "id": conn.id }), serde_json::json!(0))
    );
    // The next run reads the stored identity back (UpgradeResourceIdentity) and changes
    // nothing.
    assert_empty_plan(&ws);
}

fn imports_by_string_id_name_and_project_keep_working_and_store_the_identity() {
    let terraform = crate::support::terraform();
    let emu = Infisical::start();
    emu.admin.add_project("proj-1");
    for (name, project, import_id) in [
        ("by-id", None, None),
        ("by-name", None, Some("by-name".to_owned())),
        (
            "in-project",
            Some("proj-1"),
            Some("proj-1/in-project".to_owned()),
        ),
    ] {
        let conn = emu.create_pat_connection(name, project);
        let ws = workspace(&emu, terraform);
        ws.config(&adopted(name, project));
        let id = import_id.unwrap_or_else(|| conn.id.clone());
        ws.run(&["import", ADDR, &id]).success();
        assert_eq!(
            stored_identity(&ws).0,
            serde_json::json!({ "id": conn.id }),
            "Terraform {}, import {id}",
            terraform.version
        );
        assert_empty_plan(&ws);
    }
}

fn an_identity_that_is_not_a_connection_id_is_refused_with_how_to_import_by_name() {
    let terraform = crate::support::terraform();
    let emu = Infisical::start();
    emu.create_pat_connection("named", None);
    let ws = workspace(&emu, terraform);
    ws.config(&format!(
        "{}\nimport {{\n  to = {ADDR}\n  identity = {{\n    id = \"named\"\n  }}\n}}\n",
        adopted("named", None)
    ));
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    let out = run.folded_output();
    assert!(out.contains("Invalid identity"), "{out}");
    assert!(out.contains("id = \"<name>\""), "{out}");
}

fn a_created_connection_has_its_identity_in_state() {
    let terraform = crate::support::terraform();
    let emu = Infisical::start();
    let pat = crate::support::secrets::remember(format!(
        "ghp_identity_{}",
        crate::support::rand_suffix()
    ));
    emu.admin.add_pat(pat.clone());
    let ws = workspace(&emu, terraform);
    // The adopted connection's configuration, managed: its token from `var.pat`, no
    // ignore_changes.
    ws.config(&hcl::config(&[Pat::named("created")
        .description("made in the UI")
        .cloud()]));
    hcl::set_pat(&ws, &pat);
    ws.run(&["apply", "-auto-approve"]).success();
    let id = state(&ws)["id"].clone();
    assert_eq!(stored_identity(&ws).0, serde_json::json!({ "id": id }));
    assert_empty_plan(&ws);
}

crate::cases! {
    compat: [
        an_import_block_with_an_identity_imports_and_the_next_plan_is_empty needs(Identity),
        imports_by_string_id_name_and_project_keep_working_and_store_the_identity needs(Identity),
        an_identity_that_is_not_a_connection_id_is_refused_with_how_to_import_by_name needs(Identity),
        a_created_connection_has_its_identity_in_state needs(Identity),
    ],
}
