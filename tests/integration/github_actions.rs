//! Issue 28, end to end: `examples/github-actions` applied as a user's repository would, then
//! read — as a workflow of that repository — through the provider logged in with an OIDC token
//! the emulator's issuer (standing in for GitHub's) mints for the repository.

use std::path::Path;

use infisical_emulator::{GitHubScope, GitHubSubject, GitHubTarget};
use serde_json::Value as Json;

use crate::support::infisical::Infisical;
use crate::support::{Workspace, rand_suffix, secrets};

const OWNER: &str = "demo-org";
const REPO: &str = "demo-repo";

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/github-actions")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The reader's workspace, logged in as `identity` with `jwt` (as the workflow's environment
/// would set it), reading `project`.
fn reader(emu: &Infisical, identity: &str, jwt: &str, project: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.env("INFISICAL_HOST", &emu.url)
        .env("INFISICAL_AUTH_METHOD", "oidc")
        .env("INFISICAL_MACHINE_IDENTITY_ID", identity)
        .env("INFISICAL_AUTH_JWT", jwt)
        .env("TF_VAR_project_id", project);
    ws.config(&example("reader/main.tf"));
    ws
}

fn outputs(ws: &Workspace) -> Json {
    let run = ws.run(&["output", "-json"]).success();
    serde_json::from_str(&run.stdout).unwrap()
}

fn example_github_actions_runs_end_to_end_with_no_stored_secret() {
    let emu = Infisical::start();
    emu.admin.add_github_repo(OWNER, REPO, Vec::<&str>::new());
    let pat = secrets::remember(format!("ghp_gha_{}", rand_suffix()));
    emu.admin.add_pat(pat.clone());
    emu.admin
        .grant_github_access(
            GitHubSubject::Token(pat.clone()),
            GitHubTarget::Repository {
                owner: OWNER.into(),
                repo: REPO.into(),
            },
        )
        .unwrap();
    let database_url = secrets::remember(format!("postgres://ci-{}", rand_suffix()));
    // 1. The configuration, as the repository's infrastructure applies it.
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws.env("TF_VAR_github_pat", &pat)
        .env("TF_VAR_database_url", &database_url)
        .env("TF_VAR_oidc_issuer", &emu.admin.oidc_issuer_url("github"))
        .env("TF_VAR_github_repository", &format!("{OWNER}/{REPO}"));
    ws.config(&example("main.tf"));
    ws.run(&["apply", "-auto-approve"]).success();
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
    let out = outputs(&ws);
    let identity = out["ci_identity_id"]["value"].as_str().unwrap().to_owned();
    let project = out["project_id"]["value"].as_str().unwrap().to_owned();
    // GitHub holds the synced values.
    let synced = emu.admin.github_secret_values(&GitHubScope::Repository {
        owner: OWNER.into(),
        repo: REPO.into(),
    });
    assert_eq!(
        synced.get("DATABASE_URL"),
        Some(&database_url),
        "{synced:?}"
    );
    assert_eq!(synced.get("LOG_LEVEL").map(String::as_str), Some("debug"));
    // 2. A workflow of the repository: its OIDC token logs in, and the reader reads the
    //    secrets (the ephemeral one and the data source agree: the precondition holds).
    let jwt = emu
        .admin
        .github_actions_token(&format!("{OWNER}/{REPO}"), None);
    let workflow = reader(&emu, &identity, &jwt, &project);
    workflow.run(&["apply", "-auto-approve"]).success();
    assert_eq!(
        outputs(&workflow)["secret_names"]["value"],
        serde_json::json!(["DATABASE_URL", "LOG_LEVEL"])
    );
    let state: Json = serde_json::from_str(
        &std::fs::read_to_string(workflow.path().join("terraform.tfstate")).unwrap(),
    )
    .unwrap();
    let modes: Vec<&str> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["mode"].as_str())
        .collect();
    assert!(
        modes.iter().all(|m| *m == "managed" || *m == "data"),
        "the ephemeral secret is in the state: {modes:?}"
    );
    // Read-only: the identity may not write a secret.
    let login = emu.call_as(
        None,
        reqwest::Method::POST,
        "/api/v1/auth/oidc-auth/login",
        Some(&serde_json::json!({ "identityId": identity, "jwt": jwt })),
    );
    assert_eq!(login.0, 200, "{}", login.1);
    let token = login.1["accessToken"].as_str().unwrap().to_owned();
    let write = emu.call_as(
        Some(&token),
        reqwest::Method::POST,
        "/api/v4/secrets/INTRUDER",
        Some(&serde_json::json!({
            "projectId": project, "environment": "ci", "secretPath": "/app",
            "secretValue": "x", "type": "shared"
        })),
    );
    assert_eq!(write.0, 403, "{}", write.1);
    // 3. A workflow of another repository is refused at login.
    let other = emu
        .admin
        .github_actions_token(&format!("{OWNER}/other-repo"), None);
    let intruder = reader(&emu, &identity, &other, &project);
    let run = intruder.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.folded_output().to_lowercase().contains("login"),
        "{}",
        run.output()
    );
    // 4. Destroy leaves nothing: no secret in GitHub, no project, no identity.
    workflow.run(&["destroy", "-auto-approve"]).success();
    ws.run(&["destroy", "-auto-approve"]).success();
    let synced = emu.admin.github_secret_values(&GitHubScope::Repository {
        owner: OWNER.into(),
        repo: REPO.into(),
    });
    assert!(synced.is_empty(), "{synced:?}");
    let gone = emu.api_call(
        reqwest::Method::GET,
        &format!("/api/v1/identities/{identity}"),
        None,
    );
    assert_eq!(gone["statusCode"], 404, "{gone}");
    let gone = emu.api_call(
        reqwest::Method::GET,
        &format!("/api/v1/projects/{project}"),
        None,
    );
    assert_eq!(gone["statusCode"], 404, "{gone}");
}

crate::cases! {
    full: [
        example_github_actions_runs_end_to_end_with_no_stored_secret needs(EphemeralVariables),
    ],
}
