//! Reading secrets (issue 27): the `infisical_secrets` data source (a folder, a tree with
//! `recursive`, imports with `include_imports`) and the `infisical_secret` ephemeral resource,
//! whose value reaches where ephemeral values go and no file Terraform writes — and what a
//! Terraform or OpenTofu without ephemeral resources makes of one.
//!
//! Ephemeral resources came with Terraform 1.10 and OpenTofu 1.11, the releases that brought
//! ephemeral input variables: the cases that need them need `EphemeralVariables`, which the
//! harness probes.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::support::infisical::Infisical;
use crate::support::{REQUIRED_PROVIDERS, Workspace, rand_suffix, secrets};

/// A workspace against `emu` holding `body` after the provider block.
fn workspace(emu: &Infisical, body: &str) -> Workspace {
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n{body}"
    ));
    ws
}

/// The queries of the `GET /api/v4/secrets…` requests since the log was last cleared, as
/// `path?query` lines.
fn secret_reads(emu: &Infisical) -> Vec<String> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/v4/secrets"))
        .map(|r| format!("{}?{}", r.path, r.query.unwrap_or_default()))
        .collect()
}

/// A `data "infisical_secrets"` block named `label` reading `folder` of `prod`, with `extra`
/// lines, and an output of the same name holding its secrets.
fn data_source(label: &str, project: &str, folder: &str, extra: &str) -> String {
    format!(
        r#"data "infisical_secrets" "{label}" {{
  workspace_id = "{project}"
  env_slug     = "prod"
  folder_path  = "{folder}"
  {extra}
}}

output "{label}" {{
  value     = data.infisical_secrets.{label}.secrets
  sensitive = true
}}
"#
    )
}

/// Issue 27 and official issue 280: one folder keyed by name with references expanded; a tree
/// whose folders below are keyed by relative path; imports asked for; a missing folder and a
/// conflicting configuration refused, the first naming where it looked, the second at plan with
/// no request; an error writes no state.
fn the_secrets_data_source_reads_a_folder_a_tree_and_asks_for_imports() {
    let emu = Infisical::start();
    let project = format!("read-{}", rand_suffix());
    emu.admin.add_project(project.clone());
    let seed = |path: &str, key: &str, value: &str| {
        emu.admin.set_secret(&project, "prod", path, key, value);
    };
    seed("/app", "DB_URL", "postgres://app");
    seed("/app", "DB_URL_RO", "${DB_URL}?readonly");
    seed("/app/api", "DB_URL", "postgres://api");
    seed("/app/api/v2", "TOKEN", "t2");
    seed("/", "OUTSIDE", "not under /app");

    // 1. The folder, the tree and the folder with its imports, in one apply.
    let ws = workspace(
        &emu,
        &[
            data_source("folder", &project, "/app", ""),
            data_source("tree", &project, "/app/", "recursive = true"),
            data_source("imported", &project, "/app", "include_imports = true"),
        ]
        .concat(),
    );
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let run = ws.run(&["output", "-json"]).success();
    let outputs: Json = serde_json::from_str(&run.stdout).unwrap();
    let keys = |name: &str| -> Vec<String> {
        outputs[name]["value"]
            .as_object()
            .unwrap_or_else(|| panic!("no {name}: {outputs}"))
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys("folder"), ["DB_URL", "DB_URL_RO"]);
    assert_eq!(keys("imported"), ["DB_URL", "DB_URL_RO"]);
    assert_eq!(
        keys("tree"),
        ["DB_URL", "DB_URL_RO", "api/DB_URL", "api/v2/TOKEN"]
    );
    let folder = &outputs["folder"]["value"];
    assert_eq!(folder["DB_URL_RO"]["value"], "postgres://app?readonly");
    assert_eq!(folder["DB_URL"]["secret_type"], "shared");
    assert_eq!(folder["DB_URL"]["comment"], "");
    assert_eq!(
        outputs["tree"]["value"]["api/DB_URL"]["value"],
        "postgres://api"
    );
    // One list per data source, each asking for what its configuration says.
    let reads = secret_reads(&emu);
    let lists: Vec<&String> = reads
        .iter()
        .filter(|r| r.starts_with("/api/v4/secrets?"))
        .collect();
    assert_eq!(lists.len(), 3, "{reads:#?}");
    for list in &lists {
        assert!(list.contains("expandSecretReferences=true"), "{list}");
        assert!(list.contains("viewSecretValue=true"), "{list}");
    }
    let asked = |what: &str| lists.iter().filter(|l| l.contains(what)).count();
    assert_eq!(asked("recursive=true"), 1, "{lists:#?}");
    assert_eq!(asked("include_imports=true"), 1, "{lists:#?}");
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());

    // 2. A folder that does not exist: an error at folder_path saying where, and no state.
    let missing = workspace(&emu, &data_source("gone", &project, "/nope", ""));
    let run = missing.run(&["apply", "-auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.output());
    let out = run.folded_output();
    for words in ["Folder not found", "\"/nope\"", &format!("{project:?}")] {
        assert!(out.contains(words), "no {words:?} in {out}");
    }
    let state = missing.run(&["show", "-json"]).success();
    assert!(
        !state.stdout.contains("infisical_secrets"),
        "{}",
        state.stdout
    );

    // 3. recursive with include_imports: refused at plan, before any request.
    let both = workspace(
        &emu,
        &data_source(
            "both",
            &project,
            "/app",
            "recursive       = true\n  include_imports = true",
        ),
    );
    emu.admin.clear_requests();
    let run = both.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output().contains("Conflicting include_imports"),
        "{}",
        run.output()
    );
    assert_eq!(secret_reads(&emu), Vec::<String>::new());
}

/// The ephemeral secret's configuration, and a GitHub connection whose write-only token it
/// fills; its postcondition holds the value (by its hash), version and metadata Infisical
/// answers to what the test stored. `project` is an expression.
fn ephemeral_config(project: &str, token_sha256: &str) -> String {
    format!(
        r#"ephemeral "infisical_secret" "token" {{
  name         = "GITHUB_TOKEN"
  env_slug     = "prod"
  folder_path  = "/ci"
  workspace_id = {project}

  lifecycle {{
    postcondition {{
      condition     = sha256(self.value) == "{token_sha256}" && self.version == 2 && self.metadata["owner"] == "ci"
      error_message = "the ephemeral secret is not the one stored"
    }}
  }}
}}

resource "infisical_app_connection_github" "ci" {{
  name   = "ephemeral-ci"
  method = "pat"
  credentials = {{
    personal_access_token_wo         = ephemeral.infisical_secret.token.value
    personal_access_token_wo_version = 1
  }}
}}
"#
    )
}

/// Seeds `/ci` of `prod` in a new project with `GITHUB_TOKEN`, at version 2 with metadata
/// `owner = ci`, whose stored value is a reference that expands to a new PAT the emulated GitHub
/// accepts; returns the project and the PAT (registered with the suite's secret check).
fn seed_token(emu: &Infisical) -> (String, String) {
    let project = format!("eph-{}", rand_suffix());
    emu.admin.add_project(project.clone());
    let tail = rand_suffix();
    let pat = secrets::remember(format!("ghp_ephemeral_{tail}"));
    emu.admin.add_pat(pat.clone());
    emu.admin
        .set_secret(&project, "prod", "/ci", "PAT_HEAD", "ghp_ephemeral");
    // Created through the API with its metadata (version 1), then given the value (version 2),
    // which the request log therefore never sees.
    let made = emu.api_call(
        reqwest::Method::POST,
        "/api/v4/secrets/GITHUB_TOKEN",
        Some(&serde_json::json!({
            "projectId": project, "environment": "prod", "secretPath": "/ci",
            "secretValue": "placeholder",
            "secretMetadata": [{ "key": "owner", "value": "ci" }],
        })),
    );
    assert_eq!(made["secret"]["version"], 1, "{made}");
    emu.admin.set_secret(
        &project,
        "prod",
        "/ci",
        "GITHUB_TOKEN",
        &format!("${{PAT_HEAD}}_{tail}"),
    );
    (project, pat)
}

/// Panics if `secret` is in the state file, `terraform show -json` of the state or of a saved
/// plan; and unless the state holds no ephemeral resource.
#[track_caller]
fn assert_not_stored(ws: &Workspace, secret: &str) {
    let state_file = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap();
    assert!(
        !state_file.contains(secret),
        "the value is in terraform.tfstate"
    );
    let state: Json = serde_json::from_str(&state_file).unwrap();
    let modes: Vec<&str> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["mode"].as_str())
        .collect();
    assert!(!modes.contains(&"ephemeral"), "{state_file}");
    // Terraform 1.11 cannot `show -json` a state with an ephemeral condition's check results
    // (Quirk::ShowJsonFailsOnEphemeralChecks): the files are checked directly below.
    let shows_json = !crate::support::terraform()
        .has_quirk(crate::support::matrix::Quirk::ShowJsonFailsOnEphemeralChecks);
    if shows_json {
        let shown = ws.run(&["show", "-json"]).success();
        assert!(
            !shown.output().contains(secret),
            "the value is in show -json"
        );
    }
    ws.run(&["plan", "-out=tfplan"]).success();
    if shows_json {
        let plan = ws.run(&["show", "-json", "tfplan"]).success();
        assert!(!plan.output().contains(secret), "the value is in the plan");
    }
    let plan_file = std::fs::read(ws.path().join("tfplan")).unwrap();
    assert!(
        !String::from_utf8_lossy(&plan_file).contains(secret),
        "the value is in the plan file"
    );
}

/// Issue 27: the ephemeral secret is read (references expanded) when the plan and the apply need
/// it, its value passes into a write-only token — the emulated GitHub accepts only the right
/// one — with the version and metadata Infisical answered, and it reaches no state, plan or
/// output. With a configuration known only after apply it is read at apply alone.
fn an_ephemeral_secret_fills_a_write_only_token_and_is_stored_nowhere() {
    let emu = Infisical::start();
    let (project, pat) = seed_token(&emu);
    let token_sha256 = hex::encode(Sha256::digest(pat.as_bytes()));

    // 1. Known at plan: read at plan and again at apply, references expanded.
    let ws = workspace(
        &emu,
        &ephemeral_config(&format!("{project:?}"), &token_sha256),
    );
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let reads = secret_reads(&emu);
    assert_eq!(reads.len(), 2, "{reads:#?}");
    for read in &reads {
        assert!(read.starts_with("/api/v4/secrets/GITHUB_TOKEN?"), "{read}");
        assert!(read.contains("expandSecretReferences=true"), "{read}");
        assert!(read.contains(&format!("projectId={project}")), "{read}");
    }
    assert_eq!(emu.admin.connection_count(), 1);
    assert_not_stored(&ws, &pat);
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());

    // 2. A value that is not the one stored fails the postcondition: the check can fail.
    emu.admin
        .set_secret(&project, "prod", "/ci", "PAT_HEAD", "ghp_other");
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output()
            .contains("the ephemeral secret is not the one stored"),
        "{}",
        run.output()
    );
    emu.admin
        .set_secret(&project, "prod", "/ci", "PAT_HEAD", "ghp_ephemeral");
    ws.run(&["destroy", "-auto-approve"]).success();

    // 3. Its project known only after apply: nothing is read at plan, once at apply.
    let late = workspace(
        &emu,
        &format!(
            "resource \"terraform_data\" \"project\" {{\n  input = {project:?}\n}}\n\n{}",
            ephemeral_config("terraform_data.project.output", &token_sha256)
        ),
    );
    emu.admin.clear_requests();
    late.run(&["plan"]).success();
    assert_eq!(secret_reads(&emu), Vec::<String>::new());
    late.run(&["apply", "-auto-approve"]).success();
    assert_eq!(secret_reads(&emu).len(), 1, "{:#?}", secret_reads(&emu));
    assert_not_stored(&late, &pat);
    late.run(&["destroy", "-auto-approve"]).success();
}

/// Issue 27: a secret that does not exist fails the plan with an error that says which project,
/// environment, folder and name were looked in, at the attribute to fix.
fn a_missing_ephemeral_secret_says_where_it_was_looked_for() {
    let emu = Infisical::start();
    let project = format!("eph-{}", rand_suffix());
    emu.admin.add_project(project.clone());
    emu.admin.add_folder(&project, "prod", "/ci");
    let ws = workspace(
        &emu,
        &format!(
            r#"ephemeral "infisical_secret" "missing" {{
  name         = "NO_SUCH_SECRET"
  env_slug     = "prod"
  folder_path  = "/ci"
  workspace_id = "{project}"
}}
"#
        ),
    );
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    let out = run.folded_output();
    for words in [
        "Secret not found",
        "\"NO_SUCH_SECRET\"",
        "\"/ci\"",
        "\"prod\"",
        &format!("{project:?}"),
    ] {
        assert!(out.contains(words), "no {words:?} in {out}");
    }
}

/// A Terraform older than 1.10 or an OpenTofu older than 1.11 drops the provider's ephemeral
/// schemas (an unknown protocol field) and refuses the block in its own parser: a clear error,
/// no crash, no request; the data source serves the same secret there.
fn a_binary_without_ephemeral_resources_refuses_the_block_itself() {
    let emu = Infisical::start();
    let project = format!("old-{}", rand_suffix());
    emu.admin.add_project(project.clone());
    emu.admin
        .set_secret(&project, "prod", "/ci", "GITHUB_TOKEN", "ghp_not_ephemeral");
    let ws = workspace(
        &emu,
        &format!(
            r#"ephemeral "infisical_secret" "token" {{
  name         = "GITHUB_TOKEN"
  env_slug     = "prod"
  folder_path  = "/ci"
  workspace_id = "{project}"
}}
"#
        ),
    );
    emu.admin.clear_requests();
    for command in [&["validate"][..], &["plan"]] {
        let run = ws.run(command);
        assert_eq!(run.code, 1, "{command:?}: {}", run.output());
        let out = run.folded_output();
        for words in [
            "Unsupported block type",
            "Blocks of type \"ephemeral\" are not expected here",
        ] {
            assert!(out.contains(words), "{command:?}: no {words:?} in {out}");
        }
    }
    assert_eq!(secret_reads(&emu), Vec::<String>::new());
    // The same secret through the data source works on these binaries.
    let data = workspace(&emu, &data_source("ci", &project, "/ci", ""));
    data.run(&["apply", "-auto-approve"]).success();
    let run = data.run(&["output", "-json"]).success();
    let outputs: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        outputs["ci"]["value"]["GITHUB_TOKEN"]["value"],
        "ghp_not_ephemeral"
    );
}

crate::cases! {
    compat: [
        the_secrets_data_source_reads_a_folder_a_tree_and_asks_for_imports,
        an_ephemeral_secret_fills_a_write_only_token_and_is_stored_nowhere needs(EphemeralVariables, WriteOnly),
        a_missing_ephemeral_secret_says_where_it_was_looked_for needs(EphemeralVariables),
        a_binary_without_ephemeral_resources_refuses_the_block_itself without(EphemeralVariables),
    ],
}
