//! `infisical_app_connection_github` end to end: real Terraform, the provider binary, and the
//! Infisical emulator, for each connection method.

use serde_json::Value as Json;

use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;
use crate::support::official;
use crate::support::{REQUIRED_PROVIDERS, Run, Workspace, nested_error_line, rand_suffix};

pub(crate) const ADDR: &str = "infisical_app_connection_github.gh";
/// The first line of the tests' resource block, where OpenTofu quotes errors inside its objects.
pub(crate) const RESOURCE_LINE: &str = "resource \"infisical_app_connection_github\" \"gh\" {";

/// One connection method with two sets of valid credentials, as HCL.
#[derive(Clone, Copy)]
enum Method {
    Pat,
    App,
    OAuth,
}

impl Method {
    const ALL: [Method; 3] = [Method::Pat, Method::App, Method::OAuth];

    fn name(self) -> &'static str {
        match self {
            Method::Pat => "pat",
            Method::App => "github-app",
            Method::OAuth => "oauth",
        }
    }

    /// The secret of credential set `n`, declared valid in the emulator.
    fn secret(self, emu: &Infisical, n: u32) -> String {
        let secret = format!("{}-secret-{n}-{}", self.name(), rand_suffix());
        match self {
            Method::Pat => emu.admin.add_pat(format!("ghp_{secret}")),
            Method::App | Method::OAuth => emu.admin.add_code(secret.clone(), ["4242", "4343"]),
        }
        crate::support::secrets::remember(match self {
            Method::Pat => format!("ghp_{secret}"),
            _ => secret,
        })
    }

    /// The credentials' attributes, with `secret` as the expression of the secret one.
    fn credentials(self, secret: &str) -> String {
        match self {
            Method::Pat => format!("personal_access_token = {secret}"),
            Method::App => format!("code = {secret}\n    installation_id = \"4242\""),
            Method::OAuth => format!("code = {secret}"),
        }
    }
}

/// A configuration with one connection `gh`. The secret comes from a sensitive variable, as in
/// real use, so Terraform's diagnostics (which quote configuration lines) never print it.
fn config(name: &str, description: Option<&str>, method: Method, extra: &str) -> String {
    let description = description
        .map(|d| format!("description = \"{d}\""))
        .unwrap_or_default();
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{}}

variable "credential" {{
  type      = string
  sensitive = true
}}

resource "infisical_app_connection_github" "gh" {{
  name   = "{name}"
  method = "{method}"
  {description}
  credentials = {{
    {creds}
  }}
  {extra}
}}
"#,
        method = method.name(),
        creds = method.credentials("var.credential"),
    )
}

/// Writes `main.tf` and the secret's value (in a tfvars file Terraform never prints).
fn set_config(
    ws: &Workspace,
    name: &str,
    description: Option<&str>,
    method: Method,
    secret: &str,
    extra: &str,
) {
    ws.config(&config(name, description, method, extra));
    ws.write(
        "secret.auto.tfvars",
        &format!("credential = \"{secret}\"\n"),
    );
}

pub(crate) fn workspace(emu: &Infisical) -> Workspace {
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws
}

/// The resource's attributes in state.
pub(crate) fn state(ws: &Workspace) -> Json {
    let run = ws.run(&["show", "-json"]).success();
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    json["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == ADDR))
        .map(|r| r["values"].clone())
        .unwrap_or(Json::Null)
}

/// The planned change of the resource: (actions, changed attribute names, after, after_unknown).
pub(crate) fn planned_change(ws: &Workspace) -> (Vec<String>, Vec<String>, Json, Json) {
    ws.run(&["plan", "-out=tfplan"]).success();
    let run = ws.run(&["show", "-json", "tfplan"]).success();
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    let change = json["resource_changes"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == ADDR))
        .map(|r| r["change"].clone())
        .unwrap_or(Json::Null);
    let actions = change["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let (before, after, unknown) = (
        &change["before"],
        &change["after"],
        &change["after_unknown"],
    );
    // Unknown values are absent from `after` and marked in `after_unknown`.
    let keys: std::collections::BTreeSet<&String> = [after, unknown]
        .iter()
        .filter_map(|v| v.as_object())
        .flat_map(|o| o.keys())
        .collect();
    let mut changed = Vec::new();
    for key in keys {
        let unknown_here = unknown[key] == Json::Bool(true)
            || unknown[key]
                .as_object()
                .is_some_and(|o| o.values().any(|v| v == &Json::Bool(true)));
        if before[key] != after[key] || unknown_here {
            changed.push(key.clone());
        }
    }
    changed.sort();
    (actions, changed, after.clone(), unknown.clone())
}

pub(crate) fn plan_exit(ws: &Workspace) -> Run {
    ws.run(&["plan", "-detailed-exitcode"])
}

/// Runs `terraform apply -auto-approve` plus `extra`, which must fail having sent Infisical no
/// write (only reads and logins); returns Terraform's output, folded.
#[track_caller]
fn apply_refused(ws: &Workspace, emu: &Infisical, extra: &[&str]) -> String {
    emu.admin.clear_requests();
    let args: Vec<&str> = ["apply", "-auto-approve"]
        .iter()
        .chain(extra)
        .copied()
        .collect();
    let run = ws.run(&args);
    assert_eq!(run.code, 1, "{}", run.output());
    let writes: Vec<_> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method != "GET" && !r.path.contains("/auth/"))
        .collect();
    assert!(writes.is_empty(), "requests were sent: {writes:?}");
    run.folded_output()
}

#[track_caller]
pub(crate) fn assert_empty_plan(ws: &Workspace) {
    let run = plan_exit(ws);
    assert_eq!(run.code, 0, "the plan is not empty:\n{}", run.output());
}

fn lifecycle(method: Method) {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    let (first, second) = (method.secret(&emu, 1), method.secret(&emu, 2));
    let name = format!("gh-{}", method.name());

    set_config(&ws, &name, Some("first"), method, &first, "");
    ws.run(&["apply", "-auto-approve"]).success();
    let created = state(&ws);
    let id = created["id"].as_str().unwrap().to_owned();
    let hash = created["credentials_hash"].as_str().unwrap().to_owned();
    assert!(!hash.is_empty());
    assert_eq!(emu.admin.connection(&id).unwrap().credentials_hash, hash);
    assert_empty_plan(&ws);

    // Rename and describe: a PATCH without credentials; the hash stays and is shown unchanged.
    set_config(
        &ws,
        &format!("{name}-renamed"),
        Some("second"),
        method,
        &first,
        "",
    );
    let (actions, changed, after, unknown) = planned_change(&ws);
    assert_eq!(actions, ["update"]);
    assert_eq!(changed, ["description", "name"]);
    assert_eq!(
        after["credentials_hash"],
        Json::String(hash.clone()),
        "unknown: {unknown}"
    );
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let patches: Vec<_> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    let body = patches[0].body.clone().unwrap();
    assert!(
        body.get("credentials").is_none(),
        "credentials were re-sent: {body}"
    );
    assert_eq!(body["name"], format!("{name}-renamed"));
    let renamed = state(&ws);
    assert_eq!(renamed["credentials_hash"], Json::String(hash.clone()));
    assert_eq!(renamed["id"], Json::String(id.clone()));
    assert_eq!(
        emu.admin.connection(&id).unwrap().name,
        format!("{name}-renamed")
    );
    assert_empty_plan(&ws);

    // Rotate the credentials: they are sent, and the hash changes.
    set_config(
        &ws,
        &format!("{name}-renamed"),
        Some("second"),
        method,
        &second,
        "",
    );
    let (_, changed, _, unknown) = planned_change(&ws);
    assert_eq!(changed, ["credentials", "credentials_hash"]);
    assert_eq!(unknown["credentials_hash"], true);
    emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let patches: Vec<_> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert!(
        patches[0]
            .body
            .as_ref()
            .unwrap()
            .get("credentials")
            .is_some()
    );
    let rotated = state(&ws);
    assert_ne!(rotated["credentials_hash"], Json::String(hash));
    assert_empty_plan(&ws);

    emu.admin.clear_requests();
    ws.run(&["destroy", "-auto-approve"]).success();
    assert!(
        emu.connection_calls()
            .contains(&format!("DELETE /api/v1/app-connections/github/{id}"))
    );
    assert_eq!(emu.admin.connection_count(), 0);
}

fn pat_lifecycle_sends_credentials_only_when_they_change() {
    lifecycle(Method::Pat);
}

fn github_app_lifecycle_sends_the_single_use_code_only_when_it_changes() {
    lifecycle(Method::App);
}

fn oauth_lifecycle_sends_the_code_only_when_it_changes() {
    lifecycle(Method::OAuth);
}

fn out_of_band_credential_changes_show_as_a_credentials_update() {
    for method in Method::ALL {
        let emu = Infisical::start();
        let ws = workspace(&emu);
        let first = method.secret(&emu, 1);
        set_config(&ws, "drifting", None, method, &first, "");
        ws.run(&["apply", "-auto-approve"]).success();
        let id = state(&ws)["id"].as_str().unwrap().to_owned();
        emu.admin.rotate_credentials(&id).unwrap();

        let run = plan_exit(&ws);
        assert_eq!(run.code, 2, "{}", run.output());
        assert!(
            run.output()
                .contains("credentials changed outside Terraform"),
            "{}",
            run.output()
        );
        let (actions, changed, _, _) = planned_change(&ws);
        assert_eq!(actions, ["update"], "{}", method.name());
        assert_eq!(
            changed,
            ["credentials", "credentials_hash"],
            "{}",
            method.name()
        );

        if matches!(method, Method::Pat) {
            // The same PAT can be written again.
            ws.run(&["apply", "-auto-approve"]).success();
        } else {
            // The plan already warns that the exchanged code cannot be sent again; apply refuses
            // it without a request, and a fresh code applies.
            assert!(
                run.output().contains("GitHub code already used"),
                "{}",
                run.output()
            );
            let out = apply_refused(&ws, &emu, &[]);
            assert!(out.contains("GitHub code already used"), "{out}");
            let fresh = method.secret(&emu, 2);
            set_config(&ws, "drifting", None, method, &fresh, "");
            ws.run(&["apply", "-auto-approve"]).success();
        }
        assert_empty_plan(&ws);
    }
}

fn ignore_changes_accepts_drift_after_one_refresh() {
    for method in [Method::App, Method::Pat] {
        let emu = Infisical::start();
        let ws = workspace(&emu);
        let first = method.secret(&emu, 1);
        let ignore = "lifecycle {\n    ignore_changes = [credentials]\n  }";
        set_config(&ws, "accepting", None, method, &first, ignore);
        ws.run(&["apply", "-auto-approve"]).success();
        let id = state(&ws)["id"].as_str().unwrap().to_owned();
        let rotated = emu.admin.rotate_credentials(&id).unwrap();

        let run = plan_exit(&ws);
        assert_eq!(run.code, 0, "{}", run.output());
        assert!(
            run.output()
                .contains("credentials changed outside Terraform")
        );
        // Applying the empty plan stores the refreshed state; the warning does not come back.
        ws.run(&["apply", "-auto-approve"]).success();
        assert_eq!(
            state(&ws)["credentials_hash"],
            Json::String(rotated.credentials_hash)
        );
        let run = plan_exit(&ws);
        assert_eq!(run.code, 0, "{}", run.output());
        assert!(
            !run.output().contains("outside Terraform"),
            "{}",
            run.output()
        );
    }
}

fn a_reused_code_fails_at_plan_without_sending_anything() {
    for method in [Method::App, Method::OAuth] {
        let emu = Infisical::start();
        let ws = workspace(&emu);
        let code = method.secret(&emu, 1);
        set_config(&ws, "reuse", None, method, &code, "");
        ws.run(&["apply", "-auto-approve"]).success();
        // Change something else inside credentials while keeping the exchanged code.
        let changed = config("reuse", None, method, "").replace(
            "credentials = {",
            "credentials = {\n    instance_type = \"cloud\"",
        );
        ws.config(&changed);
        let out = apply_refused(&ws, &emu, &[]);
        assert!(out.contains("GitHub code already used"), "{out}");
        assert!(out.contains("ignore_changes"), "{out}");

        // A replacement (`-replace`, or a changed `project_id`) would delete the connection and
        // then fail to create it with the spent code: refused at plan, nothing deleted.
        set_config(&ws, "reuse", None, method, &code, "");
        let address = "infisical_app_connection_github.gh";
        let id = state(&ws)["id"].as_str().unwrap().to_owned();
        let out = apply_refused(&ws, &emu, &[&format!("-replace={address}")]);
        assert!(
            out.contains("GitHub code already used")
                && out.contains("This plan replaces the connection"),
            "{out}"
        );
        assert!(
            emu.admin.connection(&id).is_some(),
            "the connection was deleted"
        );
        assert_eq!(state(&ws)["id"], Json::String(id));
        // With a fresh code the same replacement goes through.
        let fresh = method.secret(&emu, 2);
        set_config(&ws, "reuse", None, method, &fresh, "");
        ws.run(&["apply", "-auto-approve", &format!("-replace={address}")])
            .success();
        assert_eq!(emu.admin.connection_count(), 1);
    }
}

fn a_taken_name_is_refused_before_a_code_is_spent() {
    for method in [Method::App, Method::OAuth] {
        let emu = Infisical::start();
        let ws = workspace(&emu);
        emu.create_pat_connection("taken", None);
        // A create under the name, then a rename onto it together with new credentials:
        // Infisical would exchange the code, then refuse the name. Refused before any write, the
        // code is still good under another name.
        for (n, then) in [(1, "mine"), (2, "mine-renamed")] {
            let code = method.secret(&emu, n);
            set_config(&ws, "taken", None, method, &code, "");
            let out = apply_refused(&ws, &emu, &[]);
            assert!(out.contains("Connection name already taken"), "{out}");
            assert!(!emu.admin.code_used(&code), "the code was spent");
            set_config(&ws, then, None, method, &code, "");
            ws.run(&["apply", "-auto-approve"]).success();
        }
        assert_empty_plan(&ws);
    }
}

fn a_connection_deleted_outside_terraform_is_planned_again_and_destroy_tolerates_it() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    let pat = Method::Pat.secret(&emu, 1);
    set_config(&ws, "gone", None, Method::Pat, &pat, "");
    ws.run(&["apply", "-auto-approve"]).success();
    let id = state(&ws)["id"].as_str().unwrap().to_owned();
    assert!(emu.admin.delete_connection(&id));
    let (actions, _, _, _) = planned_change(&ws);
    assert_eq!(actions, ["create"]);
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 1);

    // Deleted again behind Terraform's back; destroy without refresh hits a 404 and succeeds.
    let id = state(&ws)["id"].as_str().unwrap().to_owned();
    assert!(emu.admin.delete_connection(&id));
    ws.run(&["destroy", "-auto-approve", "-refresh=false"])
        .success();
    assert!(state(&ws).is_null());
}

fn method_and_project_changes_force_replacement() {
    let emu = Infisical::start();
    emu.admin.add_project("proj-a");
    emu.admin.add_project("proj-b");
    let ws = workspace(&emu);
    let pat = Method::Pat.secret(&emu, 1);
    set_config(
        &ws,
        "moving",
        None,
        Method::Pat,
        &pat,
        "project_id = \"proj-a\"",
    );
    ws.run(&["apply", "-auto-approve"]).success();

    set_config(
        &ws,
        "moving",
        None,
        Method::Pat,
        &pat,
        "project_id = \"proj-b\"",
    );
    let run = ws.run(&["plan"]).success();
    assert!(run.stdout.contains("forces replacement"), "{}", run.stdout);
    let (actions, _, _, _) = planned_change(&ws);
    assert_eq!(actions, ["delete", "create"]);

    let code = Method::OAuth.secret(&emu, 1);
    set_config(
        &ws,
        "moving",
        None,
        Method::OAuth,
        &code,
        "project_id = \"proj-a\"",
    );
    let run = ws.run(&["plan"]).success();
    assert!(run.stdout.contains("forces replacement"), "{}", run.stdout);
}

/// A configuration for a connection made outside Terraform, adopted with ignore_changes.
pub(crate) fn adopted(name: &str, project: Option<&str>) -> String {
    hcl::config(&[adopted_pat(name, project)])
}

/// The resource of [`adopted`].
pub(crate) fn adopted_pat(name: &str, project: Option<&str>) -> Pat {
    Pat::named(name)
        .description("made in the UI")
        .project(project)
        .literal("ghp_unknown_to_terraform")
        .cloud()
        .ignoring_credentials()
}

fn import_by_id_by_name_and_by_project_and_name_matches_the_api() {
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
        let ws = workspace(&emu);
        ws.config(&adopted(name, project));
        let id = import_id.unwrap_or_else(|| conn.id.clone());
        ws.run(&["import", ADDR, &id]).success();
        let imported = state(&ws);
        assert_eq!(imported["id"], Json::String(conn.id.clone()));
        assert_eq!(imported["name"], name);
        assert_eq!(imported["method"], "pat");
        assert_eq!(imported["description"], "made in the UI");
        assert_eq!(
            imported["project_id"],
            project.map_or(Json::Null, |p| Json::String(p.to_owned()))
        );
        assert_eq!(
            imported["credentials_hash"],
            Json::String(conn.credentials_hash.clone())
        );
        assert_eq!(imported["credentials"]["instance_type"], "cloud");
        assert_eq!(imported["credentials"]["personal_access_token"], Json::Null);
        assert_empty_plan(&ws);
    }
}

fn an_import_block_adopts_a_connection_and_the_next_plan_is_empty() {
    let emu = Infisical::start();
    let conn = emu.create_pat_connection("from-ui", None);
    let ws = workspace(&emu);
    ws.config(&format!(
        "{}\nimport {{\n  to = {ADDR}\n  id = \"from-ui\"\n}}\n",
        adopted("from-ui", None)
    ));
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(run.stdout.contains("1 imported"), "{}", run.stdout);
    assert_eq!(state(&ws)["id"], Json::String(conn.id));
    assert_empty_plan(&ws);
}

fn importing_a_missing_connection_says_how_to_name_one() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    ws.config(&adopted("nowhere", None));
    let run = ws.run(&["import", ADDR, "nowhere"]);
    assert_eq!(run.code, 1);
    assert!(
        run.output().contains("<project_id>/<name>"),
        "{}",
        run.output()
    );
}

/// Issue 25: the state the official provider v0.19.24 wrote for two `pat` connections (one of
/// the organization, one of a project; tests/fixtures/official-v0.19.24/app_connection_github),
/// with its own configuration, is taken over by this provider without a change or a write.
fn state_written_by_the_official_provider_plans_no_change() {
    // 1. A fresh Infisical holding the connections the fixture describes; the fixture's state
    //    with their ids and hashes, and its configuration unchanged.
    let emu = Infisical::start();
    let fixture = official::Fixture::load("app_connection_github");
    let state = fixture.recreate(&emu);
    let ws = workspace(&emu);
    fixture.install(&ws, &state);
    // 2. No change planned (Terraform and OpenTofu 1.6: only updates of no value), nothing written, and an
    //    empty plan after the apply.
    official::assert_no_change(&ws, &emu);
    // 3. The connections are this provider's now, as the official provider left them: the
    //    token it stored and the instance type it left unset.
    let shown = ws.run(&["show", "-json"]).success();
    let json: Json = serde_json::from_str(&shown.stdout).unwrap();
    let resources = json["values"]["root_module"]["resources"]
        .as_array()
        .unwrap();
    assert_eq!(resources.len(), 2, "{}", shown.stdout);
    for resource in resources {
        let before = state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == resource["name"])
            .map(|r| &r["instances"][0]["attributes"])
            .unwrap();
        for name in [
            "id",
            "name",
            "description",
            "method",
            "project_id",
            "credentials_hash",
        ] {
            assert_eq!(resource["values"][name], before[name], "{name}");
        }
        for name in ["personal_access_token", "instance_type", "host"] {
            assert_eq!(
                resource["values"]["credentials"][name], before["credentials"][name],
                "credentials.{name}"
            );
        }
    }
}

fn invalid_configurations_fail_at_plan_with_their_attribute_and_no_api_call() {
    let emu = Infisical::start();
    let pat = "personal_access_token = \"ghp_x\"";
    // (what is wrong, resource body, text of the offending line Terraform must point at, summary)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("uppercase name", format!("name = \"GitHub\"\nmethod = \"pat\"\ncredentials = {{ {pat} }}"), "name = \"GitHub\"", "Invalid connection name"),
        ("underscore name", format!("name = \"git_hub\"\nmethod = \"pat\"\ncredentials = {{ {pat} }}"), "name = \"git_hub\"", "Invalid connection name"),
        ("double hyphen", format!("name = \"a--b\"\nmethod = \"pat\"\ncredentials = {{ {pat} }}"), "name = \"a--b\"", "Invalid connection name"),
        ("long name", format!("name = \"{}\"\nmethod = \"pat\"\ncredentials = {{ {pat} }}", "a".repeat(65)), "name = \"aaaa", "Invalid connection name"),
        ("empty name", format!("name = \"\"\nmethod = \"pat\"\ncredentials = {{ {pat} }}"), "name = \"\"", "Invalid connection name"),
        ("long description", format!("name = \"ok\"\ndescription = \"{}\"\nmethod = \"pat\"\ncredentials = {{ {pat} }}", "d".repeat(257)), "description = \"ddd", "Description too long"),
        ("unknown method", format!("name = \"ok\"\nmethod = \"ssh\"\ncredentials = {{ {pat} }}"), "method = \"ssh\"", "Invalid method"),
        ("code with pat", format!("name = \"ok\"\nmethod = \"pat\"\ncredentials = {{\n{pat}\ncode = \"c\"\n}}"), "code = \"c\"", "Unexpected code"),
        ("pat without token", "name = \"ok\"\nmethod = \"pat\"\ncredentials = {\nhost = \"github.com\"\n}".to_owned(), "credentials = {", "Missing personal_access_token"),
        ("app without installation", "name = \"ok\"\nmethod = \"github-app\"\ncredentials = {\ncode = \"c\"\n}".to_owned(), "credentials = {", "Missing installation_id"),
        ("app without code", "name = \"ok\"\nmethod = \"github-app\"\ncredentials = {\ninstallation_id = \"1\"\n}".to_owned(), "credentials = {", "Missing code"),
        ("oauth with installation", "name = \"ok\"\nmethod = \"oauth\"\ncredentials = {\ncode = \"c\"\ninstallation_id = \"1\"\n}".to_owned(), "installation_id = \"1\"", "Unexpected installation_id"),
        ("oauth with token", format!("name = \"ok\"\nmethod = \"oauth\"\ncredentials = {{\ncode = \"c\"\n{pat}\n}}"), "personal_access_token = \"ghp_x\"", "Unexpected personal_access_token"),
        ("non-numeric installation", "name = \"ok\"\nmethod = \"github-app\"\ncredentials = {\ncode = \"c\"\ninstallation_id = \"my-app\"\n}".to_owned(), "installation_id = \"my-app\"", "Invalid installation_id"),
        ("server without host", format!("name = \"ok\"\nmethod = \"pat\"\ncredentials = {{\n{pat}\ninstance_type = \"server\"\n}}"), "credentials = {", "Missing host"),
        ("bad instance type", format!("name = \"ok\"\nmethod = \"pat\"\ncredentials = {{\n{pat}\ninstance_type = \"enterprise\"\n}}"), "instance_type = \"enterprise\"", "Invalid instance_type"),
        ("host with scheme", format!("name = \"ok\"\nmethod = \"pat\"\ncredentials = {{\n{pat}\nhost = \"https://ghe.example.com\"\n}}"), "host = \"https://ghe.example.com\"", "Invalid host"),
        ("gateway not a uuid", format!("name = \"ok\"\nmethod = \"pat\"\ngateway_id = \"gw-1\"\ncredentials = {{ {pat} }}"), "gateway_id = \"gw-1\"", "Invalid gateway_id"),
        ("empty project", format!("name = \"ok\"\nmethod = \"pat\"\nproject_id = \"\"\ncredentials = {{ {pat} }}"), "project_id = \"\"", "Empty project_id"),
        ("empty token", "name = \"ok\"\nmethod = \"pat\"\ncredentials = {\npersonal_access_token = \"\"\n}".to_owned(), "personal_access_token = \"\"", "Empty personal_access_token"),
    ];
    assert!(cases.len() >= 15);
    for (what, body, line, summary) in cases {
        let ws = workspace(&emu);
        ws.config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\nresource \"infisical_app_connection_github\" \"gh\" {{\n{body}\n}}\n"
        ));
        let run = ws.run(&["plan"]);
        let out = run.output();
        assert_eq!(run.code, 1, "{what}: {out}");
        assert!(out.contains(summary), "{what}: no {summary:?} in {out}");
        // An error inside `credentials` is quoted where the CLI resolves its path to; the
        // summary names the attribute either way.
        // (A missing attribute of `credentials` is reported at its path too, and Terraform
        // quotes `credentials = {` for it.)
        let inside_credentials = line == "credentials = {"
            || body
                .split_once("credentials = {")
                .is_some_and(|(_, rest)| rest.contains(line));
        let line = if inside_credentials {
            nested_error_line(line, RESOURCE_LINE)
        } else {
            line
        };
        assert!(
            out.contains(line),
            "{what}: the error does not point at {line:?}: {out}"
        );
    }
    assert!(
        emu.api_requests().is_empty(),
        "validation called the API: {:?}",
        emu.api_requests()
    );
}

fn the_data_source_reads_by_id_and_by_name_and_explains_an_unknown_name() {
    let emu = Infisical::start();
    emu.admin.add_project("proj-9");
    let conn = emu.create_pat_connection("lookup", None);
    let in_project = emu.create_pat_connection("scoped", Some("proj-9"));
    let ws = workspace(&emu);
    ws.config(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{}}

data "infisical_app_connection_github" "by_id" {{
  id = "{id}"
}}

data "infisical_app_connection_github" "by_name" {{
  name = "lookup"
}}

data "infisical_app_connection_github" "in_project" {{
  name       = "scoped"
  project_id = "proj-9"
}}

output "by_id" {{ value = data.infisical_app_connection_github.by_id }}
output "by_name" {{ value = data.infisical_app_connection_github.by_name }}
output "in_project_id" {{ value = data.infisical_app_connection_github.in_project.id }}
"#,
        id = conn.id
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    let out: Json = serde_json::from_str(&ws.run(&["output", "-json"]).success().stdout).unwrap();
    for key in ["by_id", "by_name"] {
        let v = &out[key]["value"];
        assert_eq!(v["id"], Json::String(conn.id.clone()), "{key}");
        assert_eq!(v["name"], "lookup");
        assert_eq!(v["method"], "pat");
        assert_eq!(v["instance_type"], "cloud");
        assert_eq!(
            v["credentials_hash"],
            Json::String(conn.credentials_hash.clone())
        );
        assert_eq!(v["org_id"], Json::String(conn.org_id.clone()));
        assert!(v["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    assert_eq!(out["in_project_id"]["value"], Json::String(in_project.id));

    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\ndata \"infisical_app_connection_github\" \"x\" {{\n  name = \"no-such-connection\"\n}}\n"
    ));
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1);
    let out = run.output();
    assert!(out.contains("GitHub connection not found"), "{out}");
    assert!(out.contains("no-such-connection"), "{out}");
}

fn secrets_show_as_sensitive_and_never_reach_the_logs() {
    let emu = Infisical::start();
    let mut ws = workspace(&emu);
    let log = ws.path().join("trace.log");
    ws.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", log.to_str().unwrap());
    let mut secrets = vec!["demo-client-secret".to_owned()];
    let mut outputs = String::new();
    for method in Method::ALL {
        let (first, second) = (method.secret(&emu, 1), method.secret(&emu, 2));
        secrets.extend([first.clone(), second.clone()]);
        set_config(&ws, "secretive", Some("one"), method, &first, "");
        let plan = ws.run(&["plan"]).success();
        let secret_attr = if matches!(method, Method::Pat) {
            "personal_access_token"
        } else {
            "code"
        };
        let shown = plan
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("+ {secret_attr} ")));
        assert!(
            shown.is_some_and(|l| l.ends_with("= (sensitive value)")),
            "{}",
            plan.stdout
        );
        for step in [
            ws.run(&["apply", "-auto-approve"]).success(),
            {
                set_config(&ws, "secretive", Some("two"), method, &second, "");
                ws.run(&["apply", "-auto-approve"]).success()
            },
            ws.run(&["destroy", "-auto-approve"]).success(),
        ] {
            outputs.push_str(&step.output());
        }
    }
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(trace.contains("provider.infisical") || trace.contains("terraform-provider-infisical"));
    let requests = serde_json::to_string(
        &emu.admin
            .requests()
            .iter()
            .map(|r| &r.body)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for secret in &secrets {
        assert!(
            !trace.contains(secret.as_str()),
            "the trace log contains a secret"
        );
        assert!(
            !outputs.contains(secret.as_str()),
            "Terraform's output contains a secret"
        );
        assert!(
            !requests.contains(secret.as_str()),
            "the emulator's request log contains a secret"
        );
    }
}

fn a_provider_host_known_only_after_apply_does_not_fail_the_plan() {
    let emu = Infisical::start();
    let pat = Method::Pat.secret(&emu, 1);
    let mut ws = Workspace::new();
    ws.env("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", "demo-client-id")
        .env(
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
            "demo-client-secret",
        );
    let body = config("late-host", None, Method::Pat, "");
    ws.write("secret.auto.tfvars", &format!("credential = \"{pat}\"\n"));
    let body = body.replace(
        "provider \"infisical\" {}",
        &format!(
            "resource \"terraform_data\" \"host\" {{\n  input = \"{}\"\n}}\n\nprovider \"infisical\" {{\n  host = terraform_data.host.output\n}}",
            emu.url
        ),
    );
    ws.config(&body);
    let plan = plan_exit(&ws);
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(
        emu.api_requests().is_empty(),
        "nothing can be called before the host is known"
    );
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 1);
    assert_empty_plan(&ws);
}

fn a_permission_error_says_what_the_identity_lacks_and_gives_the_request_id() {
    use infisical_emulator::{Fault, FaultAction};
    let emu = Infisical::start();
    let pat = Method::Pat.secret(&emu, 1);
    emu.admin.inject_fault(
        Fault::next(
            1,
            FaultAction::Status {
                status: 403,
                retry_after: None,
                error: Some("PermissionDenied".into()),
                message: Some("You are not allowed to create on app-connections".into()),
            },
        )
        .on("POST", "/api/v1/app-connections/github"),
    );
    let ws = workspace(&emu);
    set_config(&ws, "denied", None, Method::Pat, &pat, "");
    let run = ws.run(&["apply", "-auto-approve"]);
    assert_eq!(run.code, 1);
    let out = run.folded_output();
    assert!(out.contains("Permission denied"), "{out}");
    assert!(
        out.contains("You are not allowed to create on app-connections"),
        "{out}"
    );
    assert!(out.contains("App Connections"), "{out}");
    assert!(out.contains("request id"), "{out}");
    assert_eq!(emu.admin.connection_count(), 0);
}

fn a_create_whose_answer_is_lost_adopts_the_connection_instead_of_duplicating_it() {
    use infisical_emulator::{Fault, FaultAction};
    let emu = Infisical::start();
    let pat = Method::Pat.secret(&emu, 1);
    emu.admin.inject_fault(
        Fault::next(1, FaultAction::DropAfterProcessing)
            .on("POST", "/api/v1/app-connections/github"),
    );
    let ws = workspace(&emu);
    set_config(&ws, "lost-answer", None, Method::Pat, &pat, "");
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(
        emu.admin.connection_count(),
        1,
        "a duplicate or nothing was created"
    );
    let stored = &emu.admin.connections()[0];
    assert_eq!(state(&ws)["id"], Json::String(stored.id.clone()));
    assert_empty_plan(&ws);
}

fn a_connection_of_another_app_is_an_error_not_a_removal() {
    use infisical_emulator::SeedConnection;
    let emu = Infisical::start();
    let gitlab = emu
        .admin
        .seed_connection(SeedConnection {
            app: "gitlab".into(),
            name: "gitlab-main".into(),
            method: "access-token".into(),
            project_id: None,
            credentials: serde_json::Map::new(),
        })
        .unwrap();
    let ws = workspace(&emu);
    ws.config(&adopted("gitlab-main", None));
    let run = ws.run(&["import", ADDR, &gitlab.id]);
    assert_eq!(run.code, 1);
    let out = run.folded_output();
    assert!(out.contains("is not for App"), "{out}");

    // State that points at it (say, edited by hand) is refused on refresh, not dropped.
    let pat = Method::Pat.secret(&emu, 1);
    set_config(&ws, "gitlab-main-gh", None, Method::Pat, &pat, "");
    ws.run(&["apply", "-auto-approve"]).success();
    let state_file = ws.path().join("terraform.tfstate");
    let ours = state(&ws)["id"].as_str().unwrap().to_owned();
    let text = std::fs::read_to_string(&state_file)
        .unwrap()
        .replace(&ours, &gitlab.id);
    std::fs::write(&state_file, text).unwrap();
    let run = ws.run(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.output()
            .contains("could not read the GitHub connection"),
        "{}",
        run.output()
    );
    assert!(emu.admin.connection(&gitlab.id).is_some());
}

crate::cases! {
    full: [
        ignore_changes_accepts_drift_after_one_refresh,
        a_reused_code_fails_at_plan_without_sending_anything,
        a_taken_name_is_refused_before_a_code_is_spent,
        method_and_project_changes_force_replacement,
        importing_a_missing_connection_says_how_to_name_one,
        invalid_configurations_fail_at_plan_with_their_attribute_and_no_api_call,
        secrets_show_as_sensitive_and_never_reach_the_logs,
        a_provider_host_known_only_after_apply_does_not_fail_the_plan,
        a_permission_error_says_what_the_identity_lacks_and_gives_the_request_id,
        a_create_whose_answer_is_lost_adopts_the_connection_instead_of_duplicating_it,
        a_connection_of_another_app_is_an_error_not_a_removal,
    ],
    compat: [
        pat_lifecycle_sends_credentials_only_when_they_change,
        github_app_lifecycle_sends_the_single_use_code_only_when_it_changes,
        oauth_lifecycle_sends_the_code_only_when_it_changes,
        out_of_band_credential_changes_show_as_a_credentials_update,
        a_connection_deleted_outside_terraform_is_planned_again_and_destroy_tolerates_it,
        import_by_id_by_name_and_by_project_and_name_matches_the_api,
        an_import_block_adopts_a_connection_and_the_next_plan_is_empty,
        state_written_by_the_official_provider_plans_no_change,
        the_data_source_reads_by_id_and_by_name_and_explains_an_unknown_name,
    ],
}
