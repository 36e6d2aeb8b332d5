//! The examples under `examples/` (the registry docs show them) stay formatted and valid: CI runs
//! `terraform fmt -check -recursive examples` and `terraform validate` in each example directory,
//! with the provider under test, for every Terraform the harness knows.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::support::{REQUIRED_PROVIDERS, Workspace};

/// The repository's `examples/` directory.
fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Every directory under `examples/` that holds `.tf` files, sorted.
fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let mut has_tf = false;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            found.push(dir.to_path_buf());
        }
    }
    let mut found = Vec::new();
    walk(&examples_root(), &mut found);
    found.sort();
    found
}

/// Copies the `.tf` files of `dir` into the workspace.
fn copy_example(dir: &Path, ws: &Workspace) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::copy(&path, ws.path().join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// `terraform validate -json` in a copy of `dir`: the diagnostics other than the dev_overrides
/// warning every run with a local provider shows, or the reason the configuration is invalid.
fn validate(ws: &Workspace, dir: &Path) -> Result<Vec<Json>, String> {
    copy_example(dir, ws);
    let run = ws.run(&["validate", "-json"]);
    let json: Json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("validate -json printed no JSON ({e}):\n{}", run.output()));
    let diagnostics: Vec<Json> = json["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["summary"] != "Provider development overrides are in effect")
        .collect();
    if json["valid"] == true && run.code == 0 {
        Ok(diagnostics)
    } else {
        Err(serde_json::to_string_pretty(&diagnostics).unwrap())
    }
}

fn examples_are_formatted() {
    let ws = Workspace::new();
    let root = examples_root();
    let run = ws.run(&[
        "fmt",
        "-check",
        "-recursive",
        "-diff",
        root.to_str().unwrap(),
    ]);
    assert_eq!(
        run.code,
        0,
        "examples/ is not formatted; run `terraform fmt -recursive examples`:\n{}",
        run.output()
    );
}

fn every_example_directory_validates_with_the_provider() {
    let dirs = example_dirs();
    let relative = |d: &PathBuf| {
        d.strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string()
    };
    let names: Vec<String> = dirs.iter().map(relative).collect();
    for expected in [
        "examples/provider",
        "examples/quickstart",
        "examples/resources/infisical_app_connection_github",
        "examples/data-sources/infisical_app_connection_github",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} is missing from {names:?}"
        );
    }
    let terraform = crate::support::terraform();
    for dir in &dirs {
        let ws = Workspace::with(terraform);
        match validate(&ws, dir) {
            Ok(warnings) => assert!(
                warnings.is_empty(),
                "{} warns with Terraform {}: {warnings:#?}",
                relative(dir),
                terraform.version
            ),
            Err(why) => panic!(
                "{} does not validate with Terraform {}:\n{why}",
                relative(dir),
                terraform.version
            ),
        }
    }
}

/// The check above is only worth something if validate reaches the provider's own plan-time
/// validation: an example with a method the provider does not know must fail it.
fn validate_reaches_the_providers_own_validation() {
    let ws = Workspace::new();
    let dir = examples_root().join("resources/infisical_app_connection_github");
    copy_example(&dir, &ws);
    let resource = std::fs::read_to_string(ws.path().join("resource.tf")).unwrap();
    let broken = resource.replacen("method = \"oauth\"", "method = \"ssh\"", 1);
    assert_ne!(broken, resource, "resource.tf has no oauth connection");
    ws.write("resource.tf", &broken);
    let run = ws.run(&["validate"]).failure();
    assert!(run.output().contains("Invalid method"), "{}", run.output());
}

/// `import.sh` is shown as is in the docs: each command imports into the documented resource.
fn import_commands_name_the_resource_type() {
    let path = examples_root().join("resources/infisical_app_connection_github/import.sh");
    let script = std::fs::read_to_string(path).unwrap();
    let commands: Vec<&str> = script
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert!(!commands.is_empty());
    for command in commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{command}");
        assert_eq!(words[..2], ["terraform", "import"], "{command}");
        assert!(
            words[2].starts_with("infisical_app_connection_github."),
            "{command}"
        );
    }
}

/// `examples/module-testing` is the README's recipe for testing one's own modules offline: its
/// `terraform test` file passes against the emulator, through the provider (creates, an in-place
/// rename that sends no credentials, deletes), and leaves nothing behind.
fn the_module_testing_example_passes_terraform_test_against_the_emulator() {
    use infisical_emulator::Config;

    use crate::support::infisical::Infisical;
    use crate::support::secrets;

    let dir = examples_root().join("module-testing");
    let test_file = std::fs::read_to_string(dir.join("tests/connections.tftest.hcl")).unwrap();
    // Its tokens are secrets like any other: none may show in Terraform's output or a log.
    for line in test_file.lines().filter(|l| l.contains("\"ghp_")) {
        secrets::remember(line.split('"').nth(1).unwrap());
    }
    let emu = Infisical::with(Config {
        demo: true,
        ..Config::default()
    });
    let mut ws = Workspace::new();
    copy_example(&dir, &ws);
    std::fs::create_dir(ws.path().join("tests")).unwrap();
    ws.write("tests/connections.tftest.hcl", &test_file);
    ws.env("INFISICAL_HOST", &emu.url)
        .env("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", "demo-client-id")
        .env(
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
            "demo-client-secret",
        );
    let run = ws.run(&["test", "-no-color"]).success();
    assert!(
        run.stdout.contains("Success! 3 passed, 0 failed."),
        "{}",
        run.output()
    );
    let calls: Vec<String> = emu
        .connection_calls()
        .iter()
        .map(|c| c.split('/').take(5).collect::<Vec<_>>().join("/"))
        .collect();
    let count = |call: &str| calls.iter().filter(|c| *c == call).count();
    assert_eq!(
        [
            count("POST /api/v1/app-connections/github"),
            count("PATCH /api/v1/app-connections/github"),
            count("DELETE /api/v1/app-connections/github"),
        ],
        [2, 2, 2],
        "{calls:#?}"
    );
    for patch in emu.api_requests().iter().filter(|r| r.method == "PATCH") {
        let body = patch.body.as_ref().expect("a PATCH body");
        assert!(
            body.get("credentials").is_none(),
            "a rename sent credentials: {body}"
        );
    }
    assert_eq!(
        emu.admin.connection_count(),
        0,
        "terraform test left connections behind"
    );
}

/// `mock_provider` (Terraform ≥ 1.7, OpenTofu ≥ 1.8): a module's `terraform test` runs against
/// values the CLI makes up from the provider's schema, with no Infisical at all — the provider's
/// schema and validation must serve that too.
fn a_mock_provider_runs_module_tests_without_infisical() {
    let ws = Workspace::new();
    ws.config(&format!(
        r#"{REQUIRED_PROVIDERS}
resource "infisical_app_connection_github" "gh" {{
  name   = "mocked"
  method = "pat"
  credentials = {{
    personal_access_token = "ghp_mocked_not_a_secret"
  }}
}}
"#
    ));
    std::fs::create_dir(ws.path().join("tests")).unwrap();
    ws.write(
        "tests/mocked.tftest.hcl",
        r#"mock_provider "infisical" {
  mock_resource "infisical_app_connection_github" {
    defaults = {
      id = "0b5bd8c4-1b7a-4c3a-9d6c-5d1f2c3a4b5c"
    }
  }
}

run "creates" {
  assert {
    condition     = infisical_app_connection_github.gh.id == "0b5bd8c4-1b7a-4c3a-9d6c-5d1f2c3a4b5c"
    error_message = "the mocked id is not in state"
  }
  assert {
    condition     = infisical_app_connection_github.gh.name == "mocked"
    error_message = "the configured name is not in state"
  }
}
"#,
    );
    let run = ws.run(&["test", "-no-color"]).success();
    assert!(
        run.stdout.contains("Success! 1 passed, 0 failed."),
        "{}",
        run.output()
    );
}

crate::cases! {
    full: [
        every_example_directory_validates_with_the_provider,
        validate_reaches_the_providers_own_validation,
        the_module_testing_example_passes_terraform_test_against_the_emulator,
    ],
    compat: [
        a_mock_provider_runs_module_tests_without_infisical needs(MockProvider),
    ],
    once: [
        examples_are_formatted,
        import_commands_name_the_resource_type,
    ],
}
