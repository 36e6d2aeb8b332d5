//! Machine identities (issue 28): `infisical_identity`, `data "infisical_identity_details"`,
//! universal auth and its client secrets against the emulator's identity routes — identities
//! whose client secrets really log in — and the plan-time checks of OIDC auth.

use serde_json::Value as Json;

use crate::support::infisical::Infisical;
use crate::support::{REQUIRED_PROVIDERS, Workspace, secrets};

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

#[track_caller]
fn assert_no_changes(ws: &Workspace) {
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "{}", run.output());
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

/// Logs in with universal auth as `client_id`/`client_secret`: the status Infisical answers.
fn login_status(emu: &Infisical, client_id: &str, client_secret: &str) -> u16 {
    let url = format!("{}/api/v1/auth/universal-auth/login", emu.url);
    let body = serde_json::json!({ "clientId": client_id, "clientSecret": client_secret });
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

fn config(identity_extra: &str, ua_extra: &str, rotation: &str) -> String {
    format!(
        r#"data "infisical_identity_details" "current" {{}}

resource "infisical_identity" "deployer" {{
  name   = "deployer"
  org_id = data.infisical_identity_details.current.organization.id
  role   = "no-access"
{identity_extra}}}

resource "infisical_identity_universal_auth" "deployer" {{
  identity_id          = infisical_identity.deployer.id
  access_token_ttl     = 3600
  access_token_max_ttl = 7200
{ua_extra}}}

resource "infisical_identity_universal_auth_client_secret" "deployer" {{
  identity_id       = infisical_identity_universal_auth.deployer.identity_id
  description       = "deploy pipeline"
  rotation_triggers = {{ rotated = "{rotation}" }}
}}

output "client_id" {{
  value = infisical_identity_universal_auth_client_secret.deployer.client_id
}}

output "client_secret" {{
  value     = infisical_identity_universal_auth_client_secret.deployer.client_secret
  sensitive = true
}}
"#
    )
}

const IDENTITY: &str = "infisical_identity.deployer";
const UA: &str = "infisical_identity_universal_auth.deployer";
const SECRET: &str = "infisical_identity_universal_auth_client_secret.deployer";

/// The client id and secret the configuration's outputs give.
fn credentials(ws: &Workspace) -> (String, String) {
    let id = ws.run(&["output", "-raw", "client_id"]).success().stdout;
    let secret = ws
        .run(&["output", "-raw", "client_secret"])
        .success()
        .stdout;
    (id, secrets::remember(secret))
}

/// The bodies of the PATCHes sent to universal auth since the log was cleared.
fn ua_patches(emu: &Infisical) -> Vec<Json> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.path.starts_with("/api/v1/auth/universal-auth/"))
        .filter_map(|r| r.body)
        .collect()
}

/// Issue 28: an identity with universal auth and a client secret Terraform made logs in; a
/// limit removed from the configuration reaches Infisical; rotation_triggers and an
/// out-of-band revocation make a new secret (the old one no longer logs in); the identity and
/// its universal auth import with no change; destroy revokes what it made.
fn an_identity_logs_in_with_the_client_secret_terraform_made_and_rotates_it() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    let metadata = "  metadata = [{ key = \"team\", value = \"platform\" }]\n";
    set_config(
        &ws,
        &config(metadata, "  access_token_num_uses_limit = 5\n", "one"),
    );
    ws.run(&["apply", "-auto-approve"]).success();
    let (client_id, first) = credentials(&ws);
    assert_eq!(login_status(&emu, &client_id, &first), 200);
    let identity = state_of(&ws, IDENTITY);
    assert_eq!(identity["metadata"][0]["key"], "team", "{identity}");
    assert_eq!(state_of(&ws, UA)["access_token_num_uses_limit"], 5);
    assert_no_changes(&ws);
    // The limit removed: the PATCH sends its default, 0, and Infisical holds it.
    emu.admin.clear_requests();
    set_config(&ws, &config(metadata, "", "one"));
    ws.run(&["apply", "-auto-approve"]).success();
    let patches = ua_patches(&emu);
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert_eq!(patches[0]["accessTokenNumUsesLimit"], 0, "{patches:?}");
    assert_eq!(state_of(&ws, UA)["access_token_num_uses_limit"], 0);
    assert_no_changes(&ws);
    // Rotated on purpose: a new secret logs in, the old one no longer does.
    set_config(&ws, &config(metadata, "", "two"));
    let run = ws.run(&["plan"]).success();
    assert!(
        run.folded_output().contains("must be replaced"),
        "{}",
        run.output()
    );
    ws.run(&["apply", "-auto-approve"]).success();
    let (_, second) = credentials(&ws);
    assert_ne!(first, second);
    assert_eq!(login_status(&emu, &client_id, &second), 200);
    assert_eq!(login_status(&emu, &client_id, &first), 401);
    // Revoked in the UI: refresh drops it and the next apply makes a new one.
    let identity_id = identity["id"].as_str().unwrap().to_owned();
    let secret_id = state_of(&ws, SECRET)["id"].as_str().unwrap().to_owned();
    emu.api_call(
        reqwest::Method::POST,
        &format!(
            "/api/v1/auth/universal-auth/identities/{identity_id}/client-secrets/{secret_id}/revoke"
        ),
        None,
    );
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(run.folded_output().contains("1 to add"), "{}", run.output());
    ws.run(&["apply", "-auto-approve"]).success();
    let (_, third) = credentials(&ws);
    assert_eq!(login_status(&emu, &client_id, &third), 200);
    assert_no_changes(&ws);
    // Imported: the identity by id, its universal auth by the identity's id.
    ws.run(&["state", "rm", IDENTITY, UA]).success();
    ws.run(&["import", IDENTITY, &identity_id]).success();
    ws.run(&["import", UA, &identity_id]).success();
    assert_no_changes(&ws);
    // Client secrets cannot be imported, and say why.
    let run = ws.run(&[
        "import",
        "infisical_identity_universal_auth_client_secret.other",
        "x",
    ]);
    assert_eq!(run.code, 1, "{}", run.output());
    // Destroyed: the secret no longer logs in.
    ws.run(&["destroy", "-auto-approve"]).success();
    assert_ne!(login_status(&emu, &client_id, &third), 200);
}

/// Issue 28: OIDC bindings for GitHub Actions are checked at plan, with no request: a subject
/// GitHub never sends, a binding any repository could use, a discovery URL that is the document
/// itself.
fn oidc_bindings_that_could_never_match_or_match_anyone_fail_at_plan() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    let oidc = |subject: &str, url: &str| {
        format!(
            r#"resource "infisical_identity_oidc_auth" "ci" {{
  identity_id        = "8b0c2d4e-1f3a-4b5c-9d6e-7f8a9b0c1d2e"
  oidc_discovery_url = "{url}"
  bound_issuer       = "https://token.actions.githubusercontent.com"
  bound_subject      = "{subject}"
}}
"#
        )
    };
    let github = "https://token.actions.githubusercontent.com";
    for (subject, url, expected) in [
        ("acme/app", github, "Subject GitHub never sends"),
        ("", github, "Any GitHub repository could log in"),
        (
            "repo:acme/app:*",
            "https://token.actions.githubusercontent.com/.well-known/openid-configuration",
            "Invalid discovery URL",
        ),
    ] {
        set_config(&ws, &oidc(subject, url));
        emu.admin.clear_requests();
        let run = ws.run(&["plan"]);
        assert_eq!(run.code, 1, "{}", run.output());
        assert!(
            run.folded_output().contains(expected),
            "{expected}: {}",
            run.output()
        );
        assert!(
            emu.api_requests()
                .iter()
                .all(|r| !r.path.starts_with("/api/v1/auth/oidc-auth")),
            "{:?}",
            emu.api_requests()
        );
    }
}

crate::cases! {
    compat: [
        an_identity_logs_in_with_the_client_secret_terraform_made_and_rotates_it,
    ],
    full: [
        oidc_bindings_that_could_never_match_or_match_anyone_fail_at_plan,
    ],
}
