//! `terraform query` (Terraform ≥ 1.14) over `infisical_app_connection_github`: the list
//! resource finds every connection, made in Terraform or in the UI, with one list request per
//! scope; `-generate-config-out` writes import blocks and the configuration a person would write,
//! whose plan names the secret to fill in and, once filled in, imports every connection (issue
//! 14, acceptance 3 and 4). Skipped, with the reason, on older Terraform.

use std::collections::BTreeMap;

use infisical_emulator::SeedConnection;
use serde_json::Value as Json;

use crate::github::{ADDR, assert_empty_plan};
use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;
use crate::support::rand_suffix;
use crate::support::{REQUIRED_PROVIDERS, Run, Terraform, Workspace, secrets};

fn workspace(emu: &Infisical, terraform: &Terraform) -> Workspace {
    let mut ws = Workspace::with(terraform);
    emu.configure(&mut ws);
    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n"
    ));
    ws
}

/// Writes `query.tfquery.hcl` with one `list` block whose body is `body`.
fn list_block(ws: &Workspace, body: &str) {
    ws.write(
        "query.tfquery.hcl",
        &format!(
            "list \"infisical_app_connection_github\" \"all\" {{\n  provider = infisical\n\
             {body}\n}}\n"
        ),
    );
}

/// The ids Infisical gave the three connections of [`three_connections`], by name.
type Ids = BTreeMap<String, String>;

/// Three GitHub connections: `ui-app`, a `github-app` connection made in the UI (stored through
/// the emulator's admin API), `org-pat`, an organization-level `pat` connection made through the
/// API, and `tf-pat`, a `pat` connection in project `proj-q` that Terraform manages with a
/// write-only token. A GitLab connection beside them is not a GitHub one.
fn three_connections(emu: &Infisical, terraform: &Terraform) -> Ids {
    emu.admin.add_project("proj-q");
    let mut credentials = serde_json::Map::new();
    credentials.insert("installationId".into(), "4242".into());
    credentials.insert("instanceType".into(), "cloud".into());
    let ui = emu
        .admin
        .seed_connection(SeedConnection {
            app: "github".into(),
            name: "ui-app".into(),
            method: "github-app".into(),
            project_id: None,
            credentials,
        })
        .unwrap();
    emu.admin
        .seed_connection(SeedConnection {
            app: "gitlab".into(),
            name: "gitlab-main".into(),
            method: "access-token".into(),
            project_id: None,
            credentials: serde_json::Map::new(),
        })
        .unwrap();
    let org = emu.create_pat_connection("org-pat", None);

    let managed = workspace(emu, terraform);
    let pat = secrets::remember(format!("ghp_query_managed_{}", rand_suffix()));
    emu.admin.add_pat(pat.clone());
    managed.config(&hcl::config(&[Pat::named("tf-pat")
        .project(Some("proj-q"))
        .write_only(1)]));
    hcl::set_pat(&managed, &pat);
    managed.run(&["apply", "-auto-approve"]).success();
    let tf = crate::github::state(&managed)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    BTreeMap::from([
        ("ui-app".to_owned(), ui.id),
        ("org-pat".to_owned(), org.id),
        ("tf-pat".to_owned(), tf),
    ])
}

/// What `terraform query -json` found: (display name, identity id, resource object), in order,
/// and the total Terraform reported.
fn found(run: &Run) -> (Vec<(String, String, Json)>, u64) {
    let mut results = Vec::new();
    let mut total = None;
    for line in run.stdout.lines() {
        let Ok(message) = serde_json::from_str::<Json>(line) else {
            continue;
        };
        match message["type"].as_str() {
            Some("list_resource_found") => {
                let result = &message["list_resource_found"];
                assert_eq!(
                    result["address"],
                    "list.infisical_app_connection_github.all"
                );
                assert_eq!(result["identity_version"], 0);
                results.push((
                    result["display_name"].as_str().unwrap().to_owned(),
                    result["identity"]["id"].as_str().unwrap().to_owned(),
                    result["resource_object"].clone(),
                ));
            }
            Some("list_complete") => total = message["list_complete"]["total"].as_u64(),
            _ => {}
        }
    }
    (results, total.expect("no list_complete message"))
}

/// Runs `terraform query` with `args`, which must succeed, clearing the request log first.
fn query(ws: &Workspace, emu: &Infisical, args: &[&str]) -> Run {
    emu.admin.clear_requests();
    let args: Vec<&str> = ["query"].iter().chain(args).copied().collect();
    ws.run(&args).success()
}

/// The connection requests since the log was cleared, as `METHOD path?query`: for a query,
/// the list requests alone.
fn connection_requests(emu: &Infisical) -> Vec<String> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/app-connections"))
        .map(|r| {
            let query = r.query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{} {}{query}", r.method, r.path)
        })
        .collect()
}

const LIST_ALL: &str = "GET /api/v1/app-connections/github";

fn query_lists_every_connection_by_name_and_identity_with_one_list_request_per_scope() {
    let terraform = crate::support::terraform();
    let v = &terraform.version;
    let emu = Infisical::start();
    let ids = three_connections(&emu, terraform);
    let ws = workspace(&emu, terraform);

    // Every connection of the organization, project-scoped and made in the UI included:
    // names and identities, without the objects.
    list_block(&ws, "");
    let (results, total) = found(&query(&ws, &emu, &["-json"]));
    let mut listed: Vec<(String, String)> = results
        .iter()
        .map(|(name, id, object)| {
            assert_eq!(object, &Json::Null, "Terraform {v}: unasked object");
            (name.clone(), id.clone())
        })
        .collect();
    listed.sort();
    let expected: Vec<(String, String)> = ids.clone().into_iter().collect();
    assert_eq!(listed, expected, "Terraform {v}");
    assert_eq!(total, 3);
    assert_eq!(connection_requests(&emu), [LIST_ALL], "Terraform {v}");

    // The human view names each one.
    let human = query(&ws, &emu, &[]);
    for (name, id) in &ids {
        assert!(
            human.stdout.contains(&format!("id={id}")) && human.stdout.contains(name),
            "Terraform {v}: {name} missing from\n{}",
            human.stdout
        );
    }

    // The project filter: one list request in that project, one connection.
    list_block(&ws, "  config {\n    project_id = \"proj-q\"\n  }");
    let (results, total) = found(&query(&ws, &emu, &["-json"]));
    let names: Vec<&str> = results.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names, ["tf-pat"], "Terraform {v}");
    assert_eq!(results[0].1, ids["tf-pat"]);
    assert_eq!(total, 1);
    assert_eq!(
        connection_requests(&emu),
        [format!("{LIST_ALL}?projectId=proj-q")],
        "Terraform {v}"
    );

    // `limit` and `include_resource`: two full objects, secrets null, nothing else asked.
    list_block(&ws, "  limit            = 2\n  include_resource = true");
    let (results, total) = found(&query(&ws, &emu, &["-json"]));
    assert_eq!(total, 2, "Terraform {v}");
    for (name, id, object) in &results {
        assert_eq!(object["id"], Json::String(id.clone()), "Terraform {v}");
        assert_eq!(object["name"], Json::String(name.clone()));
        assert!(object["credentials_hash"].is_string(), "{object}");
        assert!(object["method"].is_string(), "{object}");
        let creds = &object["credentials"];
        assert!(creds.is_object(), "{object}");
        for secret in ["code", "personal_access_token", "personal_access_token_wo"] {
            assert_eq!(creds[secret], Json::Null, "{name}: {secret} in {object}");
        }
    }
    assert_eq!(connection_requests(&emu), [LIST_ALL], "Terraform {v}");

    // The documented example (its project named as here) lists with both its blocks.
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/list-resources/infisical_app_connection_github")
            .join("list-resource.tfquery.hcl"),
    )
    .unwrap();
    ws.write(
        "query.tfquery.hcl",
        &example.replace("6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f", "proj-q"),
    );
    let run = query(&ws, &emu, &[]);
    for (address, name) in [("all", "ui-app"), ("in_project", "tf-pat")] {
        let line = format!("list.infisical_app_connection_github.{address}   id=");
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&line) && l.ends_with(name)),
            "Terraform {v}: no {name} from {address} in\n{}",
            run.stdout
        );
    }

    // An unknown project: Infisical's refusal, said for the list block.
    list_block(&ws, "  config {\n    project_id = \"no-such-project\"\n  }");
    let run = ws.run(&["query"]);
    assert_eq!(run.code, 1, "Terraform {v}: {}", run.output());
    let out = run.folded_output();
    assert!(
        out.contains("list the GitHub connections in project no-such-project"),
        "{out}"
    );
}

/// The resource block of `text` (a generated file) whose `name` is `name`, without the import
/// block after it.
fn block<'a>(text: &'a str, name: &str) -> &'a str {
    text.split("resource \"infisical_app_connection_github\"")
        .map(|b| b.split("import {").next().unwrap_or(b))
        .find(|b| b.contains(&format!("name            = \"{name}\"")))
        .unwrap_or_else(|| panic!("no resource block for {name} in\n{text}"))
}

/// `text` with `from` replaced by `to` in the resource block of `name` only.
fn fill_in(text: &str, name: &str, from: &str, to: &str) -> String {
    let old = block(text, name);
    assert!(old.contains(from), "no {from:?} in\n{old}");
    text.replacen(old, &old.replacen(from, to, 1), 1)
}

fn generated_configuration_names_the_secret_to_fill_in_then_imports_every_connection() {
    let terraform = crate::support::terraform();
    let v = &terraform.version;
    let emu = Infisical::start();
    let ids = three_connections(&emu, terraform);
    let ws = workspace(&emu, terraform);
    list_block(&ws, "");
    query(&ws, &emu, &["-generate-config-out=generated.tf"]);
    assert_eq!(connection_requests(&emu), [LIST_ALL], "Terraform {v}");
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    secrets::assert_absent(&generated, "the generated configuration");

    // An import block by identity for each, and what a person would write: no computed
    // values, secrets null, the write-only form for `pat`.
    for (name, id) in &ids {
        assert!(
            generated.contains(&format!("id = \"{id}\"")),
            "Terraform {v}: no import of {name} in\n{generated}"
        );
        let resource = block(&generated, name);
        assert!(!resource.contains("credentials_hash"), "{resource}");
        assert!(!resource.contains(&format!("\"{id}\"")), "{resource}");
        assert!(
            resource.contains("code                             = null # sensitive"),
            "{resource}"
        );
    }
    assert_eq!(generated.matches("import {").count(), 3, "{generated}");
    for name in ["org-pat", "tf-pat"] {
        let resource = block(&generated, name);
        assert!(
            resource.contains("personal_access_token_wo_version = 1"),
            "Terraform {v}: {resource}"
        );
        assert!(
            resource.contains("personal_access_token_wo         = null # sensitive"),
            "{resource}"
        );
    }
    assert!(block(&generated, "tf-pat").contains("project_id      = \"proj-q\""));
    assert!(block(&generated, "ui-app").contains("method          = \"github-app\""));

    // The plan stops at exactly the secrets to fill in, each at its line, writing nothing.
    emu.admin.clear_requests();
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "Terraform {v}: {}", run.output());
    let out = run.folded_output();
    assert_eq!(
        out.matches("Error: Missing personal_access_token_wo")
            .count(),
        2,
        "{out}"
    );
    assert_eq!(out.matches("Error: Missing code").count(), 1, "{out}");
    assert_eq!(
        out.matches("Error: Missing installation_id").count(),
        1,
        "{out}"
    );
    assert_eq!(out.matches("Error:").count(), 4, "{out}");
    assert!(
        out.contains("personal_access_token_wo = null # sensitive"),
        "the error quotes the line to fill in: {out}"
    );
    assert_eq!(connection_requests(&emu), Vec::<String>::new());

    // Filled in: a token from an ephemeral variable, and a fresh code for the GitHub App.
    let pat = secrets::remember(format!("ghp_query_filled_{}", rand_suffix()));
    emu.admin.add_pat(pat.clone());
    let code = secrets::remember(format!("code-query-{}", rand_suffix()));
    emu.admin.add_code(code.clone(), ["4242"]);
    let wo = "personal_access_token_wo         = null # sensitive";
    let mut filled = generated.clone();
    for name in ["org-pat", "tf-pat"] {
        filled = fill_in(&filled, name, wo, "personal_access_token_wo = var.pat");
    }
    filled = fill_in(
        &filled,
        "ui-app",
        "code                             = null # sensitive",
        "code = var.code",
    );
    filled = fill_in(
        &filled,
        "ui-app",
        "installation_id                  = null",
        "installation_id = \"4242\"",
    );
    ws.write("generated.tf", &filled);
    ws.write(
        "variables.tf",
        "variable \"pat\" {\n  type      = string\n  ephemeral = true\n}\n\
         variable \"code\" {\n  type      = string\n  sensitive = true\n}\n",
    );
    ws.write(
        "secret.auto.tfvars",
        &format!("pat = \"{pat}\"\ncode = \"{code}\"\n"),
    );
    let run = ws.run(&["plan"]).success();
    assert!(
        run.stdout
            .contains("3 to import, 0 to add, 3 to change, 0 to destroy"),
        "Terraform {v}: {}",
        run.stdout
    );
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(
        run.stdout
            .contains("3 imported, 0 added, 3 changed, 0 destroyed"),
        "Terraform {v}: {}",
        run.stdout
    );
    assert!(emu.admin.code_used(&code));
    assert_empty_plan(&ws);
}

fn generated_configuration_for_an_imported_pat_connection_uses_the_write_only_form() {
    let terraform = crate::support::terraform();
    let v = &terraform.version;
    let emu = Infisical::start();
    let conn = emu.create_pat_connection("from-ui", None);
    let ws = workspace(&emu, terraform);
    ws.write(
        "import.tf",
        &format!("import {{\n  to = {ADDR}\n  id = \"{}\"\n}}\n", conn.id),
    );
    let run = ws.run(&["plan", "-generate-config-out=generated.tf"]);
    assert_eq!(run.code, 1, "Terraform {v}: {}", run.output());
    let out = run.folded_output();
    assert!(
        out.contains("Error: Missing personal_access_token_wo"),
        "{out}"
    );
    assert_eq!(out.matches("Error:").count(), 1, "{out}");
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    secrets::assert_absent(&generated, "the generated configuration");
    for expected in [
        "personal_access_token_wo_version = 1",
        "personal_access_token_wo         = null # sensitive",
        "personal_access_token            = null # sensitive",
        "name            = \"from-ui\"",
        "description     = \"made in the UI\"",
        "instance_type                    = \"cloud\"",
    ] {
        assert!(
            generated.contains(expected),
            "Terraform {v}: no {expected:?} in\n{generated}"
        );
    }
    for noise in ["credentials_hash", &conn.id, &conn.credentials_hash] {
        assert!(!generated.contains(noise), "{noise} in\n{generated}");
    }
}

crate::cases! {
    full: [
        query_lists_every_connection_by_name_and_identity_with_one_list_request_per_scope needs(Query),
        generated_configuration_names_the_secret_to_fill_in_then_imports_every_connection needs(Query),
        generated_configuration_for_an_imported_pat_connection_uses_the_write_only_form needs(Query, WriteOnly),
    ],
}
