//! State written by the official provider (`Infisical/terraform-provider-infisical` v0.19.24),
//! from `tests/fixtures/official-v0.19.24/<case>/` (made by `scripts/official-state/generate.sh`),
//! brought to a fresh emulator: the objects it describes are created through the API with the
//! requests the official provider's creates send (on the deprecated routes it calls), and only
//! what the server chose for them (ids, a connection's `credentials_hash`, the time of a
//! project's or a secret's last change) is substituted into the state. Nothing else of the
//! official shape is touched. Data sources are left as recorded: every plan reads them again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use infisical_emulator::{GitHubSubject, GitHubTarget};
use serde_json::{Value as Json, json};

use super::Workspace;
use super::infisical::Infisical;

/// The official provider version the fixtures come from.
pub const VERSION: &str = "0.19.24";

/// The attributes whose values the server chooses: the only ones substituted.
const SUBSTITUTED: [&str; 6] = [
    "id",
    "connection_id",
    "credentials_hash",
    "environment_id",
    "tag_ids",
    "last_updated",
];

/// The value the fixture's write-only secret is given in the fresh emulator: the official
/// state does not hold it (that is what write-only means), and no plan may show it.
pub const WRITE_ONLY_VALUE: &str = "official-write-only-value";

/// One fixture: the configuration the official provider applied and the state it wrote.
pub struct Fixture {
    /// `main.tf`, as applied.
    pub main_tf: String,
    /// `state.json`, as written.
    pub state: Json,
}

/// The managed instances of the fixture's state: (resource type, resource name, attributes).
fn instances(state: &Json) -> Vec<(String, String, Json)> {
    instances_of(state, "managed")
}

/// The instances of `mode` (`managed` or `data`): (type, name, attributes).
fn instances_of(state: &Json, mode: &str) -> Vec<(String, String, Json)> {
    let mut all = Vec::new();
    for resource in state["resources"].as_array().into_iter().flatten() {
        if resource["mode"] != mode {
            continue;
        }
        for instance in resource["instances"].as_array().into_iter().flatten() {
            all.push((
                resource["type"].as_str().unwrap_or_default().to_owned(),
                resource["name"].as_str().unwrap_or_default().to_owned(),
                instance["attributes"].clone(),
            ));
        }
    }
    all
}

/// The managed instances of `kind`: (name, attributes).
fn of_type(all: &[(String, String, Json)], kind: &str) -> Vec<(String, Json)> {
    all.iter()
        .filter(|(k, _, _)| k == kind)
        .map(|(_, name, a)| (name.clone(), a.clone()))
        .collect()
}

/// `updatedAt` as the official provider writes a project's `last_updated` (Go's
/// `time.RFC850`, e.g. `Sunday, 06-Dec-26 05:51:04 UTC`).
fn rfc850(updated_at: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let format = time::macros::format_description!(
        "[weekday], [day]-[month repr:short]-[year repr:last_two] [hour]:[minute]:[second] UTC"
    );
    time::OffsetDateTime::parse(updated_at, &Rfc3339)
        .unwrap()
        .format(&format)
        .unwrap()
}

/// A string attribute, or `None` when it is null.
fn string(attributes: &Json, name: &str) -> Option<String> {
    attributes[name].as_str().map(str::to_owned)
}

impl Fixture {
    /// Reads `tests/fixtures/official-v0.19.24/<case>/`.
    pub fn load(case: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(format!("official-v{VERSION}"))
            .join(case);
        let main_tf = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        let state: Json =
            serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap())
                .unwrap();
        assert_eq!(state["version"], 4, "a state file of format 4");
        // The fixture's tokens and values are fake, but the suite treats them as secrets all
        // the same: no output and no request log may show them.
        for (kind, _, attributes) in instances(&state) {
            if kind == "infisical_app_connection_github" {
                let token = string(&attributes["credentials"], "personal_access_token").unwrap();
                super::secrets::remember(token);
            }
            if kind == "infisical_secret"
                && let Some(value) = string(&attributes, "value")
            {
                super::secrets::remember(value);
            }
        }
        for (kind, _, attributes) in instances_of(&state, "data") {
            if kind == "infisical_secrets" {
                for secret in attributes["secrets"].as_object().into_iter().flatten() {
                    super::secrets::remember(string(secret.1, "value").unwrap());
                }
            }
        }
        // A write-only value: the one the configuration sends, and the one the tests give
        // Infisical in its place.
        for line in main_tf.lines() {
            let assigned = line.trim().strip_prefix("value_wo").map(str::trim_start);
            if let Some(value) = assigned.and_then(|rest| rest.strip_prefix('=')) {
                super::secrets::remember(value.trim().trim_matches('"'));
                super::secrets::remember(WRITE_ONLY_VALUE);
            }
        }
        Self { main_tf, state }
    }

    /// Makes in `emu` what the fixture describes, and returns the fixture's state with the
    /// server's ids (and hashes) in place of the ones it recorded: the project and the PATs,
    /// GitHub's repositories and organizations (reachable by the connections' PATs), then each
    /// connection and each sync, created as the official provider creates them.
    pub fn recreate(&self, emu: &Infisical) -> Json {
        let all = instances(&self.state);
        let mut new: BTreeMap<String, String> = BTreeMap::new();
        let mut pats: BTreeMap<String, String> = BTreeMap::new();
        // 1. Connections: `POST /api/v1/app-connections/github` with the body of the official
        //    provider's create (app_connection_github.go, base_app_connection.go): the method,
        //    `instanceType` "cloud" when unset, `host` only when set, no null fields.
        for (_, _, a) in all
            .iter()
            .filter(|(kind, _, _)| kind == "infisical_app_connection_github")
        {
            let credentials = &a["credentials"];
            let token = string(credentials, "personal_access_token").unwrap();
            emu.admin.add_pat(token.clone());
            let mut creds = json!({
                "personalAccessToken": token,
                "instanceType": string(credentials, "instance_type").unwrap_or_else(|| "cloud".into()),
            });
            if let Some(host) = string(credentials, "host") {
                creds["host"] = json!(host);
            }
            let mut body = json!({
                "name": a["name"],
                "method": a["method"],
                "credentials": creds,
            });
            if let Some(description) = string(a, "description") {
                body["description"] = json!(description);
            }
            if let Some(project) = string(a, "project_id") {
                emu.admin.add_project(project.clone());
                body["projectId"] = json!(project);
            }
            let answer = emu.api_call(
                reqwest::Method::POST,
                "/api/v1/app-connections/github",
                Some(&body),
            );
            let made = &answer["appConnection"];
            assert!(made["id"].is_string(), "the create failed: {answer}");
            let old_id = string(a, "id").unwrap();
            pats.insert(old_id.clone(), token);
            new.insert(old_id, made["id"].as_str().unwrap().to_owned());
            new.insert(
                string(a, "credentials_hash").unwrap(),
                made["credentialsHash"].as_str().unwrap().to_owned(),
            );
        }
        // 2. Syncs: `POST /api/v1/secret-syncs/github` with the body of the official provider's
        //    create (base_secret_sync.go, secret_sync_github.go): `description` and `keySchema`
        //    as "" when unset, the destination in the API's names.
        let mut syncs = Vec::new();
        for (_, _, a) in all
            .iter()
            .filter(|(kind, _, _)| kind == "infisical_secret_sync_github")
        {
            let project = string(a, "project_id").unwrap();
            emu.admin.add_project(project.clone());
            let old_connection = string(a, "connection_id").unwrap();
            let pat = pats
                .get(&old_connection)
                .expect("the sync's connection is in the fixture");
            let d = &a["destination_config"];
            let owner = string(d, "repository_owner").unwrap();
            let scope = string(d, "scope").unwrap();
            let (destination, target) = match scope.as_str() {
                "organization" => {
                    emu.admin.add_github_org(&owner);
                    (
                        json!({"scope": scope, "org": owner, "visibility": d["visibility"]}),
                        GitHubTarget::Organization(owner.clone()),
                    )
                }
                _ => {
                    let repo = string(d, "repository_name").unwrap();
                    let env = string(d, "repository_environment");
                    emu.admin
                        .add_github_repo(&owner, &repo, env.iter().cloned());
                    let mut destination = json!({"scope": scope, "owner": owner, "repo": repo});
                    if let Some(env) = env {
                        destination["env"] = json!(env);
                    }
                    (
                        destination,
                        GitHubTarget::Repository {
                            owner: owner.clone(),
                            repo,
                        },
                    )
                }
            };
            emu.admin
                .grant_github_access(GitHubSubject::Token(pat.clone()), target)
                .unwrap();
            let options = &a["sync_options"];
            let body = json!({
                "name": a["name"],
                "projectId": project,
                "connectionId": new[&old_connection],
                "environment": a["environment"],
                "secretPath": a["secret_path"],
                "isAutoSyncEnabled": a["auto_sync_enabled"],
                "description": string(a, "description").unwrap_or_default(),
                "syncOptions": {
                    "initialSyncBehavior": options["initial_sync_behavior"],
                    "disableSecretDeletion": options["disable_secret_deletion"],
                    "keySchema": string(options, "key_schema").unwrap_or_default(),
                },
                "destinationConfig": destination,
            });
            let answer = emu.api_call(
                reqwest::Method::POST,
                "/api/v1/secret-syncs/github",
                Some(&body),
            );
            let made = &answer["secretSync"];
            assert!(made["id"].is_string(), "the create failed: {answer}");
            let id = made["id"].as_str().unwrap().to_owned();
            new.insert(string(a, "id").unwrap(), id.clone());
            syncs.push(id);
        }
        // 3. Every sync's first job has run, so that the plans below meet settled syncs.
        for id in syncs {
            let settled = emu.wait_for_sync(&id).expect("the sync settles");
            assert!(settled.is_some(), "the sync {id} is gone");
        }
        // 4. The secrets core, on the routes the official provider calls.
        let times = self.recreate_secrets_core(emu, &all, &mut new);
        // 5. The server's values in place of the recorded ones, and nothing else changed: ids
        //    wherever they appear (a secret's `tag_ids` name tags), times where they were
        //    recorded.
        let mut text = self.state.to_string();
        for (old, new) in &new {
            text = text.replace(old.as_str(), new);
        }
        let mut substituted: Json = serde_json::from_str(&text).unwrap();
        for resource in substituted["resources"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            let key = (
                resource["type"].as_str().unwrap_or_default().to_owned(),
                resource["name"].as_str().unwrap_or_default().to_owned(),
            );
            if resource["mode"] != "managed" {
                continue;
            }
            if let Some(time) = times.get(&key) {
                resource["instances"][0]["attributes"]["last_updated"] = json!(time);
            }
        }
        let mut changed = Vec::new();
        differences(&self.state, &substituted, "", &mut changed);
        for path in &changed {
            let last = path.rsplit('.').next().unwrap_or_default();
            let last = last.split('[').next().unwrap_or_default();
            assert!(
                SUBSTITUTED.contains(&last),
                "the substitution changed {path}, which is not an id"
            );
        }
        substituted
    }

    /// Makes the projects, environments, folders, tags and secrets of `all` (and what the data
    /// sources read) as the official provider's creates do, recording each new id in `new`;
    /// the new `last_updated` of each project and secret, by (type, name).
    fn recreate_secrets_core(
        &self,
        emu: &Infisical,
        all: &[(String, String, Json)],
        new: &mut BTreeMap<String, String>,
    ) -> BTreeMap<(String, String), String> {
        let mut times = BTreeMap::new();
        let post = |path: &str, body: &Json| -> Json {
            emu.api_call(reqwest::Method::POST, path, Some(body))
        };
        // The projects the fixture names but does not make (the generator's demo project).
        let made: Vec<String> = of_type(all, "infisical_project")
            .iter()
            .map(|(_, a)| string(a, "id").unwrap())
            .collect();
        let mut named: Vec<String> = Vec::new();
        for (_, _, a) in all {
            for key in ["project_id", "workspace_id"] {
                if let Some(id) = string(a, key) {
                    named.push(id);
                }
            }
        }
        for (kind, _, a) in instances_of(&self.state, "data") {
            match kind.as_str() {
                "infisical_projects" => named.push(string(&a, "id").unwrap()),
                "infisical_secrets" => named.push(string(&a, "workspace_id").unwrap()),
                _ => {}
            }
        }
        named.sort();
        named.dedup();
        for id in named.iter().filter(|id| !made.contains(id)) {
            emu.admin.add_project(id.clone());
        }
        // 1. Projects: `POST /api/v2/workspace` with the body of the official create
        //    (project_resource.go, model.go `CreateProjectRequest`), then the retention
        //    (`PUT /api/v1/workspace/{slug}/audit-logs-retention`) when one was set.
        for (name, a) in of_type(all, "infisical_project") {
            let mut body = json!({
                "projectName": a["name"],
                "slug": a["slug"],
                "organizationSlug": "",
                "type": string(&a, "type").unwrap_or_else(|| "secret-manager".into()),
                "shouldCreateDefaultEnvs": a["should_create_default_envs"] != false,
                "hasDeleteProtection": a["has_delete_protection"] == true,
            });
            if let Some(description) = string(&a, "description").filter(|d| !d.is_empty()) {
                body["projectDescription"] = json!(description);
            }
            if let Some(template) = string(&a, "template_name") {
                body["template"] = json!(template);
            }
            let answer = post("/api/v2/workspace", &body);
            let project = &answer["project"];
            assert!(project["id"].is_string(), "the create failed: {answer}");
            let days = a["audit_log_retention_days"].as_i64().unwrap_or_default();
            if days > 0 {
                let slug = string(&a, "slug").unwrap();
                let answer = emu.api_call(
                    reqwest::Method::PUT,
                    &format!("/api/v1/workspace/{slug}/audit-logs-retention"),
                    Some(&json!({ "auditLogsRetentionDays": days })),
                );
                assert_eq!(
                    answer["workspace"]["auditLogsRetentionDays"], days,
                    "{answer}"
                );
            }
            new.insert(
                string(&a, "id").unwrap(),
                project["id"].as_str().unwrap().to_owned(),
            );
            let updated = project["updatedAt"].as_str().unwrap();
            times.insert(("infisical_project".to_owned(), name), rfc850(updated));
        }
        // 2. Environments: `POST /api/v1/workspace/{projectId}/environments` (model.go
        //    `CreateProjectEnvironmentRequest`), in the order of their positions so that each
        //    lands where the state has it.
        let mut environments = of_type(all, "infisical_project_environment");
        environments.sort_by_key(|(_, a)| a["position"].as_i64());
        for (_, a) in environments {
            let project = string(&a, "project_id").unwrap();
            let answer = post(
                &format!("/api/v1/workspace/{project}/environments"),
                &json!({
                    "name": a["name"], "slug": a["slug"], "workspaceId": project,
                    "position": a["position"],
                }),
            );
            let environment = &answer["environment"];
            assert_eq!(environment["position"], a["position"], "{answer}");
            new.insert(
                string(&a, "id").unwrap(),
                environment["id"].as_str().unwrap().to_owned(),
            );
        }
        // 3. Folders: `POST /api/v1/folders` (model.go `CreateSecretFolderRequest`), parents
        //    first.
        let mut folders = of_type(all, "infisical_secret_folder");
        folders.sort_by_key(|(_, a)| string(a, "path").unwrap().matches('/').count());
        for (_, a) in folders {
            let answer = post(
                "/api/v1/folders",
                &json!({
                    "name": a["name"], "environment": a["environment_slug"],
                    "workspaceId": a["project_id"], "path": a["folder_path"],
                    "description": string(&a, "description").unwrap_or_default(),
                }),
            );
            let folder = &answer["folder"];
            assert_eq!(folder["path"], a["path"], "{answer}");
            new.insert(
                string(&a, "id").unwrap(),
                folder["id"].as_str().unwrap().to_owned(),
            );
            new.insert(
                string(&a, "environment_id").unwrap(),
                folder["envId"].as_str().unwrap().to_owned(),
            );
        }
        // 4. Tags: `POST /api/v1/workspace/{projectId}/tags` (model.go
        //    `CreateProjectTagRequest`).
        for (_, a) in of_type(all, "infisical_secret_tag") {
            let project = string(&a, "project_id").unwrap();
            let answer = post(
                &format!("/api/v1/workspace/{project}/tags"),
                &json!({
                    "name": a["name"], "color": a["color"], "slug": a["slug"],
                    "projectId": project,
                }),
            );
            let tag = &answer["workspaceTag"];
            assert!(tag["id"].is_string(), "the create failed: {answer}");
            new.insert(
                string(&a, "id").unwrap(),
                tag["id"].as_str().unwrap().to_owned(),
            );
        }
        // 5. Secrets: `POST /api/v3/secrets/raw/{name}` (model.go `CreateRawSecretV3Request`):
        //    an empty comment, the reminder as "" and 0 when none, metadata only when set, the
        //    tags by their new ids. The write-only secret gets a value of the test's own.
        for (name, a) in of_type(all, "infisical_secret") {
            let key = string(&a, "name").unwrap();
            let reminder = &a["secret_reminder"];
            let tags: Vec<String> = a["tag_ids"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| new[t.as_str().unwrap()].clone())
                .collect();
            let mut body = json!({
                "workspaceId": a["workspace_id"], "type": "shared",
                "environment": a["env_slug"], "secretKey": key,
                "secretValue": string(&a, "value").unwrap_or_else(|| WRITE_ONLY_VALUE.into()),
                "secretComment": "", "secretPath": a["folder_path"],
                "secretReminderNote": string(reminder, "note").unwrap_or_default(),
                "secretReminderRepeatDays": reminder["repeat_days"].as_i64().unwrap_or_default(),
                "tagIds": tags,
            });
            if let Some(metadata) = a["metadata"].as_object() {
                let items: Vec<Json> = metadata
                    .iter()
                    .map(|(k, v)| json!({ "key": k, "value": v, "isEncrypted": false }))
                    .collect();
                body["secretMetadata"] = json!(items);
            }
            let answer = post(&format!("/api/v3/secrets/raw/{key}"), &body);
            let secret = &answer["secret"];
            assert!(secret["id"].is_string(), "the create failed");
            new.insert(
                string(&a, "id").unwrap(),
                secret["id"].as_str().unwrap().to_owned(),
            );
            let updated = secret["updatedAt"].as_str().unwrap().to_owned();
            times.insert(("infisical_secret".to_owned(), name), updated);
        }
        // 6. What the secrets data source read, as the generator seeded it.
        for (kind, _, a) in instances_of(&self.state, "data") {
            if kind != "infisical_secrets" {
                continue;
            }
            let project = string(&a, "workspace_id").unwrap();
            let env = string(&a, "env_slug").unwrap();
            let path = string(&a, "folder_path").unwrap();
            for (key, secret) in a["secrets"].as_object().into_iter().flatten() {
                let value = string(secret, "value").unwrap();
                emu.admin.set_secret(&project, &env, &path, key, &value);
            }
        }
        times
    }

    /// Writes the fixture's `main.tf` and `state` into `ws` (as `terraform.tfstate`).
    pub fn install(&self, ws: &Workspace, state: &Json) {
        ws.config(&self.main_tf);
        ws.write(
            "terraform.tfstate",
            &serde_json::to_string_pretty(state).unwrap(),
        );
    }
}

/// The paths of the leaves that differ between `a` and `b`.
fn differences(a: &Json, b: &Json, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for (key, value) in x {
                differences(
                    value,
                    y.get(key).unwrap_or(&Json::Null),
                    &format!("{path}.{key}"),
                    out,
                );
            }
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(path.to_owned()),
        _ => {}
    }
}

/// The API requests that may write (anything but a `GET` and the login), as `METHOD path`.
pub fn writes(emu: &Infisical) -> Vec<String> {
    emu.api_requests()
        .into_iter()
        .filter(|r| r.method != "GET" && !r.path.starts_with("/api/v1/auth/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Whether the running binary is Terraform 1.6 or OpenTofu 1.6 (its fork), which plans an update that changes no value
/// over each connection's official state (see docs/compatibility.md): the official state marks
/// only `credentials.personal_access_token` sensitive, this provider's schema also marks the
/// (null) `credentials.code` and `credentials.personal_access_token_wo`, and 1.6 counts the new
/// marks as a change.
/// The same data as the compatibility table's cell (`Quirk::NoOpUpdateOverOfficialState`).
fn plans_no_op_updates() -> bool {
    super::terraform().has_quirk(super::matrix::Quirk::NoOpUpdateOverOfficialState)
}

/// With this provider, on the official state installed in `ws`: the plan shows no change and
/// sends nothing that writes, the apply writes nothing, and the next plan is empty. Terraform
/// and OpenTofu 1.6 alone may plan updates whose values before and after are equal.
#[track_caller]
pub fn assert_no_change(ws: &Workspace, emu: &Infisical) {
    emu.admin.clear_requests();
    let plan = ws.run(&["plan", "-detailed-exitcode", "-out=official.tfplan"]);
    match plan.code {
        0 => {}
        2 if plans_no_op_updates() => {
            let shown = ws.run(&["show", "-json", "official.tfplan"]).success();
            let json: Json = serde_json::from_str(&shown.stdout).unwrap();
            for change in json["resource_changes"].as_array().into_iter().flatten() {
                let change_of = &change["change"];
                let actions = &change_of["actions"];
                assert!(
                    *actions == json!(["no-op"]) || *actions == json!(["update"]),
                    "{} plans {actions}:\n{}",
                    change["address"],
                    plan.output()
                );
                assert_eq!(
                    change_of["before"],
                    change_of["after"],
                    "{} changes values, not only their sensitivity:\n{}",
                    change["address"],
                    plan.output()
                );
            }
        }
        _ => panic!(
            "the official state plans a change on {}:\n{}",
            super::terraform().label(),
            plan.output()
        ),
    }
    assert_eq!(writes(emu), Vec::<String>::new(), "the plan wrote");
    let apply = ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(writes(emu), Vec::<String>::new(), "the apply wrote");
    assert!(
        apply.output().contains("0 added, 0 changed, 0 destroyed")
            || (plans_no_op_updates()
                && apply.output().contains("0 added,")
                && apply.output().contains("0 destroyed")),
        "{}",
        apply.output()
    );
    let again = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        again.code,
        0,
        "the plan after apply is not empty:\n{}",
        again.output()
    );
}
