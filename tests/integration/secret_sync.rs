//! `infisical_secret_sync_github` end to end: real Terraform, the provider binary, the Infisical
//! emulator and its emulated GitHub, which opens the sealed boxes so that tests see what GitHub
//! holds.

use std::collections::BTreeMap;
use std::time::Duration;

use infisical_emulator::{GitHubScope, GitHubSubject, GitHubTarget};
use serde_json::Value as Json;

use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;
use crate::support::official;
use crate::support::official::writes;
use crate::support::{REQUIRED_PROVIDERS, Workspace, nested_error_line, rand_suffix};

const ADDR: &str = "infisical_secret_sync_github.sync";
const PROJECT: &str = "5b1f3c2a-7d4e-4f60-9a8b-1c2d3e4f5a6b";
const OWNER: &str = "acme";
const REPO: &str = "api";

/// An emulator with a project whose `prod:/app` folder holds two secrets (and another folder
/// that must not be synced), the repository `acme/api` with the environment `production`, and
/// a valid PAT that reaches nothing yet.
struct Setup {
    emu: Infisical,
    pat: String,
}

impl Setup {
    fn new() -> Self {
        let emu = Infisical::start();
        emu.admin.add_project(PROJECT);
        emu.admin
            .set_secret(PROJECT, "prod", "/app", "db_password", "hunter2");
        emu.admin
            .set_secret(PROJECT, "prod", "/app", "api_key", "k-123");
        emu.admin
            .set_secret(PROJECT, "prod", "/other", "unrelated", "x");
        emu.admin.add_github_repo(OWNER, REPO, ["production"]);
        let pat = crate::support::secrets::remember(format!("ghp_sync_{}", rand_suffix()));
        emu.admin.add_pat(pat.clone());
        Self { emu, pat }
    }

    /// [`Setup::new`], with the PAT granted the Secrets permission on `acme/api`.
    fn granted() -> Self {
        let setup = Self::new();
        setup.grant_repo(GitHubSubject::Token(setup.pat.clone()));
        setup
    }

    /// A workspace that applied the repository sync with `extra` attributes, and the sync's id.
    fn applied(&self, extra: &str) -> (Workspace, String) {
        let ws = self.workspace();
        ws.config(&config(REPOSITORY, extra));
        ws.run(&["apply", "-auto-approve"]).success();
        let id = state(&ws)["id"].as_str().unwrap().to_owned();
        (ws, id)
    }

    fn grant_repo(&self, subject: GitHubSubject) {
        self.emu
            .admin
            .grant_github_access(
                subject,
                GitHubTarget::Repository {
                    owner: OWNER.into(),
                    repo: REPO.into(),
                },
            )
            .unwrap();
    }

    fn workspace(&self) -> Workspace {
        let mut ws = Workspace::new();
        self.emu.configure(&mut ws);
        hcl::set_pat(&ws, &self.pat);
        ws
    }

    /// How many syncs Infisical created: the creates it answered with 200, or would have
    /// answered with 200 when a fault dropped the answer after the work.
    fn creates(&self) -> usize {
        self.emu
            .api_requests()
            .iter()
            .filter(|r| {
                r.method == "POST"
                    && r.path == "/api/v1/secret-syncs/github"
                    && r.status == Some(200)
            })
            .count()
    }
}

fn repository() -> GitHubScope {
    GitHubScope::Repository {
        owner: OWNER.into(),
        repo: REPO.into(),
    }
}

/// The folder's secrets as GitHub should hold them under `APP_{{secretKey}}`.
fn expected(db_password: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("APP_API_KEY".to_owned(), "k-123".to_owned()),
        ("APP_DB_PASSWORD".to_owned(), db_password.to_owned()),
    ])
}

/// A PAT connection `gh-sync` (its token from a sensitive variable) and a sync `app-to-github` of
/// `prod:/app` with `destination` and `extra` attributes.
fn config(destination: &str, extra: &str) -> String {
    config_of(Pat::named("gh-sync"), "app-to-github", destination, extra)
}

/// The connection `connection` (labelled `gh`) and a sync `sync` named `name` of `prod:/app`
/// with `destination` and `extra` attributes.
fn config_of(connection: Pat, name: &str, destination: &str, extra: &str) -> String {
    format!(
        r#"{}
resource "infisical_secret_sync_github" "sync" {{
  name          = "{name}"
  project_id    = "{PROJECT}"
  connection_id = infisical_app_connection_github.gh.id
  environment   = "prod"
  secret_path   = "/app"
  destination_config = {{
    {destination}
  }}
  sync_options = {{
    key_schema = "APP_{{{{secretKey}}}}"
  }}
  {extra}
}}
"#,
        hcl::config(&[connection])
    )
}

const REPOSITORY: &str = r#"scope            = "repository"
    repository_owner = "acme"
    repository_name  = "api""#;

/// The sync's attributes in state.
fn state(ws: &Workspace) -> Json {
    let run = ws.run(&["show", "-json"]).success();
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    json["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == ADDR))
        .map(|r| r["values"].clone())
        .unwrap_or(Json::Null)
}

#[track_caller]
fn assert_empty_plan(ws: &Workspace) {
    let run = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "the plan is not empty:\n{}", run.output());
}

/// A plan with changes (`-detailed-exitcode` 2) whose output says `what`.
#[track_caller]
fn assert_plans(ws: &Workspace, what: &str) {
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(plan.folded_output().contains(what), "{}", plan.output());
}

fn wait(emu: &Infisical, id: &str) -> Json {
    emu.wait_for_sync(id)
        .expect("the sync settles")
        .expect("the sync exists")
}

fn a_repository_sync_waits_and_github_holds_exactly_the_folder() {
    // 1. A PAT that reaches acme/api; a connection and a sync of prod:/app in one apply.
    let setup = Setup::granted();
    let ws = setup.workspace();
    ws.config(&config(REPOSITORY, ""));
    let run = ws.run(&["apply", "-auto-approve"]).success();
    // 2. The apply waited: the state says the sync succeeded, and GitHub holds the folder's
    //    secrets (and nothing from /other), upper-cased under the key schema, decrypted equal.
    let synced = state(&ws);
    assert_eq!(synced["sync_status"], "succeeded", "{}", run.output());
    assert!(synced["last_synced_at"].is_string());
    assert_eq!(synced["last_sync_message"], Json::Null);
    assert_eq!(synced["auto_sync_enabled"], true);
    assert_eq!(
        synced["sync_options"]["initial_sync_behavior"],
        "overwrite-destination"
    );
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("hunter2")
    );
    assert_eq!(setup.creates(), 1);
    // 3. Nothing left to do.
    assert_empty_plan(&ws);
    // 4. A secret changed in Infisical reaches GitHub without Terraform; the plan stays empty.
    let id = synced["id"].as_str().unwrap().to_owned();
    setup
        .emu
        .admin
        .set_secret(PROJECT, "prod", "/app", "db_password", "rotated");
    let after = wait(&setup.emu, &id);
    assert_eq!(after["syncStatus"], "succeeded");
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("rotated")
    );
    assert_empty_plan(&ws);
    // 5. Destroy without remove_secrets_on_destroy: the sync goes, GitHub keeps the secrets.
    setup.emu.admin.clear_requests();
    ws.run(&["destroy", "-auto-approve"]).success();
    assert!(setup.emu.admin.secret_sync(&id).is_none());
    let delete = setup
        .emu
        .api_requests()
        .into_iter()
        .find(|r| r.method == "DELETE" && r.path.contains("secret-syncs"))
        .unwrap();
    assert_eq!(delete.query.as_deref(), Some("removeSecrets=false"));
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("rotated")
    );
}

/// Issue 21, acceptance 2: a secret deleted in Infisical is deleted in GitHub by the sync it
/// queues, unless `disable_secret_deletion` keeps what GitHub holds.
fn a_secret_deleted_in_infisical_is_deleted_in_github_unless_deletion_is_disabled() {
    for disabled in [false, true] {
        let setup = Setup::new();
        setup.grant_repo(GitHubSubject::Token(setup.pat.clone()));
        let ws = setup.workspace();
        let mut hcl = config(REPOSITORY, "");
        if disabled {
            hcl = hcl.replace(
                "key_schema = ",
                "disable_secret_deletion = true\n    key_schema = ",
            );
        }
        ws.config(&hcl);
        ws.run(&["apply", "-auto-approve"]).success();
        let id = state(&ws)["id"].as_str().unwrap().to_owned();
        assert_eq!(
            setup.emu.admin.github_secret_values(&repository()),
            expected("hunter2")
        );
        assert!(
            setup
                .emu
                .admin
                .delete_secret(PROJECT, "prod", "/app", "api_key")
        );
        assert_eq!(wait(&setup.emu, &id)["syncStatus"], "succeeded");
        let held = setup.emu.admin.github_secret_values(&repository());
        assert_eq!(
            held.contains_key("APP_API_KEY"),
            disabled,
            "disable_secret_deletion = {disabled}: GitHub holds {held:?}"
        );
        assert_eq!(
            held.get("APP_DB_PASSWORD").map(String::as_str),
            Some("hunter2")
        );
        assert_empty_plan(&ws);
    }
}

/// The project's syncs, as the API lists them.
fn syncs(emu: &Infisical) -> Vec<Json> {
    let path = format!("/api/v1/secret-syncs/github?projectId={PROJECT}");
    let answer = emu.api_call(reqwest::Method::GET, &path, None);
    answer["secretSyncs"].as_array().unwrap().clone()
}

/// Applies a sync whose PAT reaches no repository: the apply succeeds with GitHub's answer, what
/// to do and how to run the sync again as a warning (an error would taint the sync, and its
/// replacement would remove and rewrite GitHub's secrets on every apply), and the sync is kept
/// in state; returns its id.
fn apply_without_access(setup: &Setup, ws: &Workspace) -> String {
    ws.config(&config(REPOSITORY, ""));
    let run = ws.run(&["apply", "-auto-approve"]).success();
    let out = run.folded_output();
    assert!(
        out.contains("GitHub sync \"app-to-github\" was created, but its first run failed"),
        "{out}"
    );
    assert!(out.contains("Not Found"), "{out}");
    assert!(out.contains("give the connection access"), "{out}");
    assert!(out.contains("resync_triggers"), "{out}");
    let failed = state(ws);
    assert_eq!(failed["sync_status"], "failed");
    assert_eq!(syncs(&setup.emu).len(), 1);
    failed["id"].as_str().unwrap().to_owned()
}

/// Issue 25 (review D2): a failed run is shown, never a planned change; once the cause is fixed,
/// `resync_triggers` runs the same sync again in place, and one apply converges.
fn a_failed_sync_is_a_warning_not_a_diff_and_resync_triggers_run_it_again_in_place() {
    // 1. No access: the apply succeeds with the failure as a warning; the sync is in state,
    //    not tainted.
    let setup = Setup::new();
    let ws = setup.workspace();
    let id = apply_without_access(&setup, &ws);
    // 2. The refresh warns with GitHub's message, and the plan is empty (drift detection with
    //    -detailed-exitcode stays green): the cause is outside Terraform.
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
    let out = plan.folded_output();
    assert!(
        out.contains("The last run of GitHub sync \"app-to-github\" failed"),
        "{out}"
    );
    assert!(out.contains("not a planned change"), "{out}");
    // 3. Access granted outside Terraform: still nothing planned, nothing written.
    setup.grant_repo(GitHubSubject::Token(setup.pat.clone()));
    setup.emu.admin.clear_requests();
    assert_empty_plan(&ws);
    // 4. The user asks for a run: an in-place update, which asks Infisical to run the same sync
    //    (no PATCH: nothing Infisical stores changed), waits for it, and converges.
    ws.config(&config(REPOSITORY, r#"resync_triggers = { fixed = "1" }"#));
    assert_plans(&ws, "update in-place");
    ws.run(&["apply", "-auto-approve"]).success();
    let resynced = state(&ws);
    assert_eq!(resynced["id"], Json::String(id.clone()));
    assert_eq!(resynced["sync_status"], "succeeded");
    assert_eq!(
        writes(&setup.emu),
        [format!(
            "POST /api/v1/secret-syncs/github/{id}/sync-secrets"
        )],
        "exactly one run asked for, nothing else written"
    );
    assert_eq!(syncs(&setup.emu).len(), 1);
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("hunter2")
    );
    assert_empty_plan(&ws);
}

/// Issue 25 (review D1, D4, T1): a heredoc description converges; a real edit sends exactly
/// what changed and the apply waits for the run it caused; an edit Infisical does not see
/// sends nothing and runs nothing.
fn edits_send_what_infisical_stores_and_wait_for_their_own_run() {
    let setup = Setup::granted();
    let ws = setup.workspace();
    // 1. A description from a heredoc (it ends in a newline, which Infisical trims).
    let heredoc = "description = <<-EOT\n    Synced by Terraform\n  EOT";
    ws.config(&config(REPOSITORY, heredoc));
    ws.run(&["apply", "-auto-approve"]).success();
    let first = state(&ws);
    assert_eq!(first["sync_status"], "succeeded");
    let id = first["id"].as_str().unwrap().to_owned();
    let first_job = wait(&setup.emu, &id)["lastSyncJobId"].clone();
    assert!(first_job.is_string());
    // 2. It converges: an empty plan, and a second apply writes nothing.
    setup.emu.admin.clear_requests();
    assert_empty_plan(&ws);
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(writes(&setup.emu), Vec::<String>::new());
    // 3. A real edit: the PATCH carries the new description alone; the apply waits for the run
    //    the PATCH queued (a new job id), not for the first run's outcome.
    setup.emu.admin.clear_requests();
    ws.config(&config(REPOSITORY, r#"description = "Synced again""#));
    ws.run(&["apply", "-auto-approve"]).success();
    let patch = setup
        .emu
        .api_requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .expect("a PATCH");
    assert_eq!(
        patch.body,
        Some(serde_json::json!({"description": "Synced again"}))
    );
    let edited = state(&ws);
    assert_eq!(edited["sync_status"], "succeeded");
    let after = wait(&setup.emu, &id);
    assert_ne!(after["lastSyncJobId"], first_job, "the edit's own run ran");
    assert_eq!(edited["last_synced_at"], after["lastSyncedAt"]);
    assert_empty_plan(&ws);
    // 4. Provider-only settings (no wait, longer timeouts) send nothing and run nothing.
    setup.emu.admin.clear_requests();
    ws.config(&config(
        REPOSITORY,
        "description = \"Synced again \"\n  wait_for_sync = false\n  timeouts {\n    update = \"20m\"\n  }",
    ));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(writes(&setup.emu), Vec::<String>::new());
    assert_eq!(
        wait(&setup.emu, &id)["lastSyncJobId"],
        after["lastSyncJobId"]
    );
    assert_empty_plan(&ws);
    // 5. A bad timeout is refused at plan, at its path.
    ws.config(&config(
        REPOSITORY,
        "timeouts {\n    create = \"ten minutes\"\n  }",
    ));
    let run = ws.run(&["plan"]).failure();
    assert!(
        run.folded_output().contains("Invalid timeout"),
        "{}",
        run.output()
    );
}

/// Issue 25 (T1): each attribute changed in place sends exactly its field, and the apply waits
/// for the run it queued; with `wait_for_sync = false` it does not wait, and the run's outcome
/// shows on the next refresh.
fn each_attribute_changed_in_place_sends_exactly_its_field() {
    let setup = Setup::granted();
    let (ws, id) = setup.applied("");
    let options = |deletion: bool| {
        serde_json::json!({"initialSyncBehavior": "overwrite-destination",
            "disableSecretDeletion": deletion, "keySchema": "APP_{{secretKey}}"})
    };
    let environment_scope = "scope                  = \"repository-environment\"\n    \
        repository_owner       = \"acme\"\n    repository_name        = \"api\"\n    \
        repository_environment = \"production\"";
    // Each step edits the configuration of the one before.
    type Edit = Box<dyn Fn(String) -> String>;
    let steps: [(&str, Edit, Json); 4] = [
        (
            "the name",
            Box::new(|c| c.replace("\"app-to-github\"", "\"renamed\"")),
            serde_json::json!({"name": "renamed"}),
        ),
        (
            "the source path",
            Box::new(|c| c.replace("\"/app\"", "\"/other\"")),
            serde_json::json!({"secretPath": "/other"}),
        ),
        (
            "an option",
            Box::new(|c| {
                c.replace(
                    "key_schema = \"APP_{{secretKey}}\"",
                    "key_schema = \"APP_{{secretKey}}\"\n    disable_secret_deletion = true",
                )
            }),
            serde_json::json!({"syncOptions": options(true)}),
        ),
        (
            "the destination",
            Box::new(move |c| c.replace(REPOSITORY, environment_scope)),
            serde_json::json!({"destinationConfig": {"scope": "repository-environment",
                "owner": "acme", "repo": "api", "env": "production"}}),
        ),
    ];
    let mut hcl = config(REPOSITORY, "");
    for (what, edit, body) in steps {
        hcl = edit(hcl);
        ws.config(&hcl);
        let before = wait(&setup.emu, &id)["lastSyncJobId"].clone();
        setup.emu.admin.clear_requests();
        let run = ws.run(&["apply", "-auto-approve"]).success();
        assert!(
            run.output().contains("1 changed"),
            "{what}: {}",
            run.output()
        );
        // (The duplicate-destination check is a POST that writes nothing.)
        let written: Vec<String> = writes(&setup.emu)
            .into_iter()
            .filter(|w| !w.ends_with("/check-destination"))
            .collect();
        assert_eq!(
            written,
            [format!("PATCH /api/v1/secret-syncs/github/{id}")],
            "{what}"
        );
        let patch = setup
            .emu
            .api_requests()
            .into_iter()
            .find(|r| r.method == "PATCH")
            .expect("a PATCH");
        assert_eq!(patch.body, Some(body), "{what}");
        let after = wait(&setup.emu, &id);
        assert_ne!(after["lastSyncJobId"], before, "{what}: its own run");
        assert_eq!(state(&ws)["sync_status"], "succeeded", "{what}");
        assert_empty_plan(&ws);
    }
    assert_eq!(
        setup
            .emu
            .admin
            .github_secret_values(&GitHubScope::RepositoryEnvironment {
                owner: OWNER.into(),
                repo: REPO.into(),
                env: "production".into(),
            })
            .into_keys()
            .collect::<Vec<_>>(),
        ["APP_UNRELATED"]
    );
    // Not waiting: jobs are held, and the apply still ends at once, the run pending.
    setup.emu.admin.pause_syncs(true);
    ws.config(&hcl.replace("\"renamed\"", "\"renamed-again\"").replace(
        "/other\"",
        "/other\"\n  wait_for_sync = false\n  timeouts {\n    update = \"3s\"\n  }",
    ));
    // (Had it waited, the short timeout would end the wait with its warning.)
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(
        !run.folded_output().contains("still running"),
        "{}",
        run.output()
    );
    assert_eq!(state(&ws)["sync_status"], "pending");
    setup.emu.admin.pause_syncs(false);
    assert_eq!(wait(&setup.emu, &id)["syncStatus"], "succeeded");
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(state(&ws)["sync_status"], "succeeded");
    assert_eq!(state(&ws)["id"], id.as_str(), "nothing was replaced");
    assert!(setup.emu.admin.secret_sync(&id).is_some());
}

/// Issue 25 (fidelity 6): a token that reaches the repository without the Secrets permission
/// gets GitHub's 403, and the advice names the permission to give.
fn a_token_without_the_secrets_permission_is_told_which_permission_to_give() {
    let setup = Setup::new();
    setup
        .emu
        .admin
        .grant_github_access_without_secrets(
            GitHubSubject::Token(setup.pat.clone()),
            GitHubTarget::Repository {
                owner: OWNER.into(),
                repo: REPO.into(),
            },
        )
        .unwrap();
    let ws = setup.workspace();
    ws.config(&config(REPOSITORY, ""));
    let run = ws.run(&["apply", "-auto-approve"]).success();
    let out = run.folded_output();
    assert!(
        out.contains("Resource not accessible by personal access token"),
        "{out}"
    );
    assert!(out.contains("\"Secrets: Read and write\""), "{out}");
}

/// Issue 25 (review D7): a wait that outlasts `timeouts.create` keeps the sync in state with a
/// warning; the run's outcome shows on the next refresh, and nothing is planned.
fn a_wait_that_outlasts_its_timeout_keeps_the_sync_with_a_warning() {
    let setup = Setup::granted();
    let ws = setup.workspace();
    setup.emu.admin.pause_syncs(true);
    // 1. Jobs are held: the apply gives up after two seconds, keeps the sync, and says why.
    ws.config(&config(REPOSITORY, "timeouts {\n    create = \"2s\"\n  }"));
    let run = ws.run(&["apply", "-auto-approve"]).success();
    let out = run.folded_output();
    assert!(out.contains("still running"), "{out}");
    assert!(out.contains("timeouts.create"), "{out}");
    let pending = state(&ws);
    assert_eq!(pending["sync_status"], "pending");
    setup.emu.admin.pause_syncs(false);
    let id = pending["id"].as_str().unwrap().to_owned();
    assert_eq!(wait(&setup.emu, &id)["syncStatus"], "succeeded");
    // 2. The next plan is empty; its refresh, saved by an apply that changes nothing, shows the
    //    run's outcome. Nothing was created twice.
    assert_empty_plan(&ws);
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(state(&ws)["sync_status"], "succeeded");
    assert_eq!(setup.creates(), 1);
}

/// Issue 25 (review D8): destroy with `remove_secrets_on_destroy` waits for a job in progress
/// (bounded by `timeouts.delete`) before asking for the removal; a deleted source folder gets
/// Infisical's 400 explained with what to do.
fn destroy_waits_for_a_job_in_progress_and_explains_a_deleted_source_folder() {
    let setup = Setup::granted();
    let ws = setup.workspace();
    let removing = "remove_secrets_on_destroy = true\n  timeouts {\n    delete = \"2s\"\n  }";
    ws.config(&config(REPOSITORY, removing));
    ws.run(&["apply", "-auto-approve"]).success();
    let id = state(&ws)["id"].as_str().unwrap().to_owned();
    // 1. A source change queues a job that does not end: destroy waits, then gives up saying
    //    why, without asking for the removal; the sync stays.
    setup.emu.admin.pause_syncs(true);
    setup
        .emu
        .admin
        .set_secret(PROJECT, "prod", "/app", "db_password", "rotated");
    setup.emu.admin.clear_requests();
    let run = ws.run(&["destroy", "-auto-approve"]).failure();
    assert!(
        run.folded_output()
            .contains("A job of the sync was still in progress"),
        "{}",
        run.output()
    );
    assert_eq!(writes(&setup.emu), Vec::<String>::new());
    assert!(setup.emu.admin.secret_sync(&id).is_some());
    // 2. The folder is deleted meanwhile: once the job ends, Infisical refuses the removal, and
    //    the error says to keep the secrets instead.
    setup.emu.admin.pause_syncs(false);
    wait(&setup.emu, &id);
    assert!(setup.emu.admin.delete_folder(PROJECT, "prod", "/app"));
    let run = ws.run(&["destroy", "-auto-approve"]).failure();
    let out = run.folded_output();
    assert!(out.contains("folder no longer exists"), "{out}");
    assert!(out.contains("remove_secrets_on_destroy = false"), "{out}");
    // 3. As told: keep the secrets, then destroy.
    ws.config(&config(REPOSITORY, ""));
    ws.run(&["apply", "-auto-approve"]).success();
    ws.run(&["destroy", "-auto-approve"]).success();
    assert!(setup.emu.admin.secret_sync(&id).is_none());
}

/// Issue 25 (T1): a sync changed or deleted outside Terraform is planned back, and a new
/// project replaces it.
fn drift_deletion_and_a_new_project_are_planned_as_users_expect() {
    let setup = Setup::granted();
    let (ws, id) = setup.applied(r#"description = "ours""#);
    // 1. Changed in the UI: the plan puts the description back, in place.
    let path = format!("/api/v1/secret-syncs/github/{id}");
    setup.emu.api_call(
        reqwest::Method::PATCH,
        &path,
        Some(&serde_json::json!({"description": "theirs"})),
    );
    wait(&setup.emu, &id);
    assert_plans(&ws, "update in-place");
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(wait(&setup.emu, &id)["description"], "ours");
    assert_empty_plan(&ws);
    // 2. Deleted in the UI: the plan creates it again.
    setup.emu.api_call(reqwest::Method::DELETE, &path, None);
    assert_plans(&ws, "1 to add, 0 to change, 0 to destroy");
    ws.run(&["apply", "-auto-approve"]).success();
    assert_empty_plan(&ws);
    // 3. Another project: the sync is replaced.
    let other = "7c2e4d3b-8e5f-4a71-8b9c-2d3e4f5a6b7c";
    setup.emu.admin.add_project(other);
    setup.emu.admin.set_secret(other, "prod", "/app", "k", "v");
    ws.config(&config(REPOSITORY, r#"description = "ours""#).replace(PROJECT, other));
    let plan = ws.run(&["plan"]).success();
    assert!(
        plan.folded_output()
            .contains("1 to add, 0 to change, 1 to destroy"),
        "{}",
        plan.output()
    );
    assert!(
        plan.output().contains("forces replacement"),
        "{}",
        plan.output()
    );
}

fn auto_sync_false_is_sent_and_stops_source_changes_reaching_github() {
    // 1. Created with auto-sync (the default).
    let setup = Setup::granted();
    let (ws, id) = setup.applied("");
    // 2. Turned off: the PATCH carries `isAutoSyncEnabled: false` (and nothing else).
    ws.config(&config(REPOSITORY, "auto_sync_enabled = false"));
    setup.emu.admin.clear_requests();
    ws.run(&["apply", "-auto-approve"]).success();
    let patches: Vec<_> = setup
        .emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert_eq!(
        patches[0].body,
        Some(serde_json::json!({"isAutoSyncEnabled": false}))
    );
    assert_eq!(state(&ws)["auto_sync_enabled"], false);
    assert_empty_plan(&ws);
    // 3. It takes effect: a changed secret no longer reaches GitHub.
    setup
        .emu
        .admin
        .set_secret(PROJECT, "prod", "/app", "db_password", "rotated");
    wait(&setup.emu, &id);
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("hunter2")
    );
}

fn remove_secrets_on_destroy_empties_the_destination_before_the_sync_goes() {
    // 1. A sync that removes its secrets on destroy.
    let setup = Setup::granted();
    let (ws, id) = setup.applied("remove_secrets_on_destroy = true");
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("hunter2")
    );
    // 2. Destroy asks Infisical to remove them, and returns once the sync is gone.
    setup.emu.admin.clear_requests();
    ws.run(&["destroy", "-auto-approve"]).success();
    let delete = setup
        .emu
        .api_requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(delete.query.as_deref(), Some("removeSecrets=true"));
    assert!(setup.emu.admin.secret_sync(&id).is_none());
    assert!(
        setup
            .emu
            .admin
            .github_secret_values(&repository())
            .is_empty()
    );
}

fn a_failed_removal_fails_destroy_and_keeps_the_sync() {
    // 1. A sync that removes its secrets on destroy, then loses access to the repository.
    let setup = Setup::granted();
    let (ws, id) = setup.applied("remove_secrets_on_destroy = true");
    setup
        .emu
        .admin
        .revoke_github_access(
            GitHubSubject::Token(setup.pat.clone()),
            GitHubTarget::Repository {
                owner: OWNER.into(),
                repo: REPO.into(),
            },
        )
        .unwrap();
    // 2. Destroy fails with Infisical's message; the sync is still there, and in state.
    let out = ws
        .run(&["destroy", "-auto-approve"])
        .failure()
        .folded_output();
    assert!(out.contains("Could not remove the secrets"), "{out}");
    assert!(out.contains("Not Found"), "{out}");
    assert!(setup.emu.admin.secret_sync(&id).is_some());
    assert_eq!(state(&ws)["id"], Json::String(id));
}

/// Whether the provider has read a sync by id since the log was last cleared: after a create,
/// that is its wait for the sync's job.
fn polled(emu: &Infisical) -> bool {
    emu.api_requests()
        .iter()
        .any(|r| r.method == "GET" && r.path.starts_with("/api/v1/secret-syncs/github/"))
}

/// Ctrl-C while apply or destroy waits for a sync's job: Terraform stops within seconds and
/// nothing is lost. The created sync is in state and is not created again (the wait used to be
/// deaf to the stop, so the provider's stop grace abandoned the create and its state: the sync
/// Infisical had made was missing from Terraform's); the sync whose removal was interrupted
/// stays in state until a later destroy sees it gone.
fn an_interrupted_wait_for_a_sync_stops_promptly_and_keeps_the_sync() {
    let setup = Setup::granted();
    let ws = setup.workspace();
    ws.config(&config(REPOSITORY, "remove_secrets_on_destroy = true"));
    // 1. The sync's job is held in `pending`; apply creates the sync and waits for it.
    setup.emu.admin.pause_syncs(true);
    let (run, took) = ws.run_interrupted(&["apply", "-auto-approve"], || polled(&setup.emu));
    assert!(
        took < Duration::from_secs(30),
        "apply took {took:?} to stop:\n{}",
        run.output()
    );
    let out = run.folded_output();
    assert!(
        out.contains("Stopped waiting for GitHub sync \"app-to-github\""),
        "{out}"
    );
    assert!(out.contains("Infisical goes on with it"), "{out}");
    let kept = state(&ws);
    let id = kept["id"]
        .as_str()
        .expect("the sync is in state")
        .to_owned();
    assert_eq!(kept["sync_status"], "pending");
    assert_eq!(setup.creates(), 1);
    // 2. Infisical goes on: once the job runs, GitHub holds the folder; the next apply only
    //    refreshes (no second sync), and the plan after it is empty.
    setup.emu.admin.pause_syncs(false);
    assert_eq!(wait(&setup.emu, &id)["syncStatus"], "succeeded");
    assert_eq!(
        setup.emu.admin.github_secret_values(&repository()),
        expected("hunter2")
    );
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(setup.creates(), 1);
    assert_eq!(state(&ws)["sync_status"], "succeeded");
    assert_empty_plan(&ws);
    // 3. Destroy queues the removal and waits for it; interrupted, it says so and the sync
    //    stays in state.
    setup.emu.admin.pause_syncs(true);
    setup.emu.admin.clear_requests();
    let (run, took) = ws.run_interrupted(&["destroy", "-auto-approve"], || {
        let requests = setup.emu.api_requests();
        requests
            .iter()
            .skip_while(|r| r.method != "DELETE")
            .any(|r| r.method == "GET" && r.path.ends_with(&id))
    });
    assert!(
        took < Duration::from_secs(30),
        "destroy took {took:?} to stop:\n{}",
        run.output()
    );
    assert_ne!(run.code, 0, "{}", run.output());
    let out = run.folded_output();
    assert!(
        out.contains("Interrupted: could not remove the secrets of GitHub sync"),
        "{out}"
    );
    assert_eq!(state(&ws)["id"], Json::String(id.clone()));
    // 4. Infisical finishes the removal; the next destroy finds the sync gone and succeeds.
    setup.emu.admin.pause_syncs(false);
    let settled = setup.emu.wait_for_sync(&id);
    assert!(matches!(settled, Ok(None)), "{settled:?}");
    assert!(
        setup
            .emu
            .admin
            .github_secret_values(&repository())
            .is_empty()
    );
    ws.run(&["destroy", "-auto-approve"]).success();
    assert_eq!(state(&ws), Json::Null);
}

fn organization_and_environment_scopes_with_app_and_oauth_connections() {
    let setup = Setup::new();
    let repo_id = setup.emu.admin.add_github_repo(OWNER, REPO, ["production"]);
    // 1. Organization scope, `selected` visibility, through a GitHub App installation.
    let code = crate::support::secrets::remember(format!("code-app-{}", rand_suffix()));
    setup.emu.admin.add_code(code.clone(), ["4242"]);
    setup
        .emu
        .admin
        .grant_github_access(
            GitHubSubject::Installation("4242".into()),
            GitHubTarget::Organization(OWNER.into()),
        )
        .unwrap();
    let ws = setup.workspace();
    let org = config_of(
        Pat::named("gh-sync").github_app("4242"),
        "app-to-github",
        &format!(
            r#"scope                   = "organization"
    repository_owner        = "acme"
    visibility              = "selected"
    selected_repository_ids = [{repo_id}]"#
        ),
        "",
    );
    ws.write("secret.auto.tfvars", &format!("pat = \"{code}\"\n"));
    ws.config(&org);
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(state(&ws)["sync_status"], "succeeded");
    let org_scope = GitHubScope::Organization { org: OWNER.into() };
    let secrets = setup.emu.admin.github_secrets(&org_scope).unwrap();
    assert_eq!(secrets.len(), 2);
    assert!(secrets.iter().all(|s| {
        s.visibility.as_deref() == Some("selected")
            && s.selected_repository_ids == Some(vec![repo_id])
    }));
    assert_empty_plan(&ws);

    // 2. Repository-environment scope through an OAuth connection, in another workspace: the
    //    connection first, then its access, then the sync.
    let code = crate::support::secrets::remember(format!("code-oauth-{}", rand_suffix()));
    setup.emu.admin.add_code(code.clone(), ["4343"]);
    let env_ws = setup.workspace();
    env_ws.write("secret.auto.tfvars", &format!("pat = \"{code}\"\n"));
    let env = config_of(
        Pat::named("gh-oauth").oauth(),
        "app-to-production",
        r#"scope                  = "repository-environment"
    repository_owner       = "acme"
    repository_name        = "api"
    repository_environment = "production""#,
        "",
    );
    env_ws.config(&env);
    env_ws
        .run(&[
            "apply",
            "-auto-approve",
            "-target=infisical_app_connection_github.gh",
        ])
        .success();
    let run = env_ws.run(&["show", "-json"]).success();
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    let connection = json["values"]["root_module"]["resources"][0]["values"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    setup.grant_repo(GitHubSubject::Connection(connection));
    env_ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(state(&env_ws)["sync_status"], "succeeded");
    let env_scope = GitHubScope::RepositoryEnvironment {
        owner: OWNER.into(),
        repo: REPO.into(),
        env: "production".into(),
    };
    assert_eq!(
        setup.emu.admin.github_secret_values(&env_scope),
        expected("hunter2")
    );
    assert_empty_plan(&env_ws);
}

fn invalid_configurations_fail_at_plan_with_their_attribute_and_no_api_call() {
    let emu = Infisical::start();
    let conn = "6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f";
    let body = |name: &str, env: &str, path: &str, destination: &str, options: &str| {
        format!(
            "name = \"{name}\"\nproject_id = \"{PROJECT}\"\nconnection_id = \"{conn}\"\nenvironment = \"{env}\"\nsecret_path = \"{path}\"\ndestination_config = {{\n{destination}\n}}\n{options}"
        )
    };
    let repo = "scope = \"repository\"\nrepository_owner = \"acme\"\nrepository_name = \"api\"";
    let org = |rest: &str| format!("scope = \"organization\"\nrepository_owner = \"acme\"\n{rest}");
    let ok = |destination: &str| body("ok", "prod", "/", destination, "");
    let opts = |o: &str| {
        body(
            "ok",
            "prod",
            "/",
            repo,
            &format!("sync_options = {{\n{o}\n}}"),
        )
    };
    // (what is wrong, resource body, text of the offending line, summary)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "uppercase name",
            body("App", "prod", "/", repo, ""),
            "name = \"App\"",
            "Invalid sync name",
        ),
        (
            "long name",
            body(&"a".repeat(257), "prod", "/", repo, ""),
            "name = \"aaaa",
            "Invalid sync name",
        ),
        (
            "connection not a uuid",
            ok(repo).replace(conn, "gh-main"),
            "connection_id = \"gh-main\"",
            "Invalid connection_id",
        ),
        (
            "environment not a slug",
            body("ok", "Prod Env", "/", repo, ""),
            "environment = \"Prod Env\"",
            "Invalid environment",
        ),
        (
            "relative path",
            body("ok", "prod", "app", repo, ""),
            "secret_path = \"app\"",
            "Invalid secret_path",
        ),
        (
            "unknown scope",
            ok("scope = \"team\"\nrepository_owner = \"acme\""),
            "scope = \"team\"",
            "Invalid scope",
        ),
        (
            "repository without name",
            ok("scope = \"repository\"\nrepository_owner = \"acme\""),
            "destination_config = {",
            "Missing repository_name",
        ),
        (
            "repository with visibility",
            ok(&format!("{repo}\nvisibility = \"all\"")),
            "visibility = \"all\"",
            "Unexpected visibility",
        ),
        (
            "environment scope without environment",
            ok(&repo.replace("\"repository\"", "\"repository-environment\"")),
            "destination_config = {",
            "Missing repository_environment",
        ),
        (
            "organization with repository name",
            ok(&org("visibility = \"all\"\nrepository_name = \"api\"")),
            "repository_name = \"api\"",
            "Unexpected repository_name",
        ),
        (
            "organization without visibility",
            ok(&org("")),
            "destination_config = {",
            "Missing visibility",
        ),
        (
            "bad visibility",
            ok(&org("visibility = \"public\"")),
            "visibility = \"public\"",
            "Invalid visibility",
        ),
        (
            "selected without ids",
            ok(&org("visibility = \"selected\"")),
            "destination_config = {",
            "Missing selected_repository_ids",
        ),
        (
            "ids without selected",
            ok(&org("visibility = \"all\"\nselected_repository_ids = [1]")),
            "selected_repository_ids = [1]",
            "Unexpected selected_repository_ids",
        ),
        (
            "import behavior",
            opts("initial_sync_behavior = \"import-prioritize-source\""),
            "initial_sync_behavior = \"import-prioritize-source\"",
            "Initial sync behavior not supported by GitHub",
        ),
        (
            "key schema without secretKey",
            opts("key_schema = \"APP_\""),
            "key_schema = \"APP_\"",
            "Invalid key_schema",
        ),
        (
            "key schema with a dot",
            opts("key_schema = \"APP.{{secretKey}}\""),
            "key_schema = \"APP.{{secretKey}}\"",
            "Invalid key_schema",
        ),
    ];
    for (what, body, line, summary) in cases {
        let mut ws = Workspace::new();
        emu.configure(&mut ws);
        ws.config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\nresource \"infisical_secret_sync_github\" \"sync\" {{\n{body}\n}}\n"
        ));
        let run = ws.run(&["plan"]);
        let out = run.output();
        assert_eq!(run.code, 1, "{what}: {out}");
        assert!(out.contains(summary), "{what}: no {summary:?} in {out}");
        // OpenTofu (1.12) does not resolve an attribute path inside an object to its line: it
        // points at the resource block (as for the connection's `credentials` in github.rs).
        let top_level = [
            "name =",
            "connection_id =",
            "environment =",
            "secret_path =",
        ];
        let nested = !top_level.iter().any(|a| line.starts_with(a));
        let line = if nested {
            nested_error_line(line, "resource \"infisical_secret_sync_github\" \"sync\" {")
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

fn imports_by_id_and_by_project_and_name_plan_no_change() {
    // 1. A sync made in Terraform, then forgotten.
    let setup = Setup::granted();
    let (ws, id) = setup.applied("");
    for import_id in [id.clone(), format!("{PROJECT}/app-to-github")] {
        ws.run(&["state", "rm", ADDR]).success();
        // 2. Imported by id, then by `<project_id>/<name>`: the same sync, and no change.
        ws.run(&["import", ADDR, &import_id]).success();
        assert_eq!(state(&ws)["id"], Json::String(id.clone()));
        assert_empty_plan(&ws);
    }
    assert_eq!(setup.creates(), 1);
}

/// Issue 25 (D10): a sync whose source folder was deleted has no environment or path to write
/// back; import says so instead of writing `""` into state.
fn importing_a_sync_whose_source_folder_is_gone_says_so_and_imports_nothing() {
    let setup = Setup::granted();
    let (ws, id) = setup.applied("");
    ws.run(&["state", "rm", ADDR]).success();
    assert!(setup.emu.admin.delete_folder(PROJECT, "prod", "/app"));
    for import_id in [id.clone(), format!("{PROJECT}/app-to-github")] {
        let run = ws.run(&["import", ADDR, &import_id]).failure();
        let out = run.folded_output();
        assert!(
            out.contains("Cannot import GitHub sync \"app-to-github\""),
            "{out}"
        );
        assert!(
            out.contains("(or the environment holding it) no longer exists"),
            "{out}"
        );
        assert_eq!(state(&ws), Json::Null, "the import wrote state:\n{out}");
    }
    // Pointed at a folder again in Infisical (here: the folder is back), it imports unchanged.
    setup
        .emu
        .admin
        .set_secret(PROJECT, "prod", "/app", "db_password", "hunter2");
    let repointed = setup.emu.api_call(
        reqwest::Method::PATCH,
        &format!("/api/v1/secret-syncs/github/{id}"),
        Some(&serde_json::json!({ "environment": "prod", "secretPath": "/app" })),
    );
    assert_eq!(
        repointed["secretSync"]["folder"]["path"], "/app",
        "{repointed}"
    );
    ws.run(&["import", ADDR, &id]).success();
    assert_eq!(state(&ws)["secret_path"], "/app");
}

/// Issue 25 (D9): what a plan asks Infisical only to advise (is another sync writing to this
/// destination?) never fails the plan, and a slow answer is not waited for.
fn advice_at_plan_never_fails_it_and_a_slow_answer_is_not_awaited() {
    use infisical_emulator::{Fault, FaultAction};
    const CHECK: &str = "/api/v1/secret-syncs/github/check-destination";
    let setup = Setup::granted();
    let ws = setup.workspace();
    ws.config(&config(REPOSITORY, ""));
    ws.run(&["apply", "-auto-approve"]).success();
    let other = setup.workspace();
    other.config(&config_of(
        Pat::named("gh-second"),
        "second-sync",
        REPOSITORY,
        "",
    ));
    // 1. The check answers: a warning (the advice works, so its absence below means something).
    let out = other.run(&["plan"]).success().folded_output();
    assert!(out.contains("Duplicate destination"), "{out}");
    // 2. The check fails: the plan goes on, without the advice.
    setup.emu.admin.inject_fault(
        Fault::next(
            100,
            FaultAction::Status {
                status: 500,
                retry_after: None,
                error: None,
                message: None,
            },
        )
        .on_exact("POST", CHECK),
    );
    let run = other.run(&["plan"]).success();
    assert!(
        !run.folded_output().contains("Duplicate destination"),
        "{}",
        run.output()
    );
    assert!(run.folded_output().contains("2 to add"), "{}", run.output());
    setup.emu.admin.clear_faults();
    // 3. The check answers after a minute: the plan does not wait for it.
    setup
        .emu
        .admin
        .inject_fault(Fault::next(100, FaultAction::Delay { ms: 60_000 }).on_exact("POST", CHECK));
    let started = std::time::Instant::now();
    let run = other.run(&["plan"]).success();
    let took = started.elapsed();
    assert!(
        !run.folded_output().contains("Duplicate destination"),
        "{}",
        run.output()
    );
    assert!(
        took < Duration::from_secs(40),
        "the plan waited {took:?} for its advice"
    );
}

fn an_import_block_with_identity_adopts_the_sync() {
    let setup = Setup::granted();
    let (ws, id) = setup.applied("");
    ws.run(&["state", "rm", ADDR]).success();
    let with_import = format!(
        "{}\nimport {{\n  to       = {ADDR}\n  identity = {{ id = \"{id}\" }}\n}}\n",
        config(REPOSITORY, "")
    );
    ws.config(&with_import);
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(run.output().contains("1 imported"), "{}", run.output());
    assert_eq!(state(&ws)["id"], Json::String(id));
    assert_empty_plan(&ws);
    assert_eq!(setup.creates(), 1);
}

/// Issue 25: the state the official provider v0.19.24 wrote for a connection and three syncs (to
/// a repository, a repository environment and an organization, each with a key schema;
/// tests/fixtures/official-v0.19.24/secret_sync_github), with the official example's
/// configuration, is taken over by this provider without a change or a write.
fn state_written_by_the_official_provider_plans_no_change() {
    // 1. A fresh Infisical with the fixture's project, a secret to sync, and the connection and
    //    syncs the fixture describes; the fixture's state with their ids, its configuration
    //    unchanged.
    let emu = Infisical::start();
    let fixture = official::Fixture::load("secret_sync_github");
    let project = fixture.state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "infisical_secret_sync_github")
        .map(|r| {
            r["instances"][0]["attributes"]["project_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .unwrap();
    emu.admin.add_project(project.clone());
    emu.admin
        .set_secret(&project, "prod", "/", "db_password", "hunter2");
    let state = fixture.recreate(&emu);
    let repository = GitHubScope::Repository {
        owner: "demo-org".into(),
        repo: "demo-repo".into(),
    };
    let synced = emu.admin.github_secret_values(&repository);
    assert_eq!(
        synced,
        BTreeMap::from([("INFISICAL_DB_PASSWORD".to_owned(), "hunter2".to_owned())])
    );
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    fixture.install(&ws, &state);
    // 2. No change planned, nothing written (no sync re-run), and an empty plan after the apply.
    official::assert_no_change(&ws, &emu);
    // 3. The syncs are this provider's now: the official settings kept, this provider's own
    //    at their defaults, the last run's status read from Infisical (none for the sync with
    //    auto-sync off, which Infisical never ran).
    let shown = ws.run(&["show", "-json"]).success();
    let json: Json = serde_json::from_str(&shown.stdout).unwrap();
    let syncs: Vec<&Json> = json["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "infisical_secret_sync_github")
        .collect();
    assert_eq!(syncs.len(), 3, "{}", shown.stdout);
    for sync in syncs {
        let values = &sync["values"];
        let before = state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == sync["type"] && r["name"] == sync["name"])
            .map(|r| &r["instances"][0]["attributes"])
            .unwrap();
        for (name, official) in before.as_object().unwrap() {
            assert_eq!(&values[name], official, "{}.{name}", sync["address"]);
        }
        assert_eq!(values["remove_secrets_on_destroy"], false);
        assert_eq!(values["wait_for_sync"], true);
        // Infisical runs a sync on create only when auto-sync is on.
        let status = if values["auto_sync_enabled"] == true {
            Json::from("succeeded")
        } else {
            Json::Null
        };
        assert_eq!(values["sync_status"], status, "{}", sync["address"]);
    }
    assert_eq!(emu.admin.github_secret_values(&repository), synced);
}

fn a_second_sync_to_the_same_destination_is_warned_at_plan() {
    // 1. A sync to acme/api; a plan without a destination change asks nothing.
    let setup = Setup::granted();
    let ws = setup.workspace();
    ws.config(&config(REPOSITORY, ""));
    let run = ws.run(&["apply", "-auto-approve"]).success();
    assert!(
        !run.output().contains("Duplicate destination"),
        "{}",
        run.output()
    );
    setup.emu.admin.clear_requests();
    assert_empty_plan(&ws);
    assert!(
        !setup
            .emu
            .api_requests()
            .iter()
            .any(|r| r.path.ends_with("/check-destination")),
        "a plan without a destination change checked it"
    );
    // 2. Another workspace plans a second sync to the same repository: a warning, not an error.
    let other = setup.workspace();
    other.config(&config_of(
        Pat::named("gh-second"),
        "second-sync",
        REPOSITORY,
        "",
    ));
    let plan = other.run(&["plan"]).success();
    let out = plan.folded_output();
    assert!(out.contains("Duplicate destination"), "{out}");
    assert!(out.contains("the GitHub repository \"acme/api\""), "{out}");
}

fn a_create_whose_answer_is_lost_adopts_the_sync_instead_of_duplicating_it() {
    use infisical_emulator::{Fault, FaultAction};
    // 1. The create loses its answer after the work is done (only the create's own path: the
    //    plan-time duplicate checks are POSTs below it, and how many of them Terraform sends is
    //    not this test's business).
    let setup = Setup::granted();
    let ws = setup.workspace();
    ws.config(&config(REPOSITORY, ""));
    setup.emu.admin.inject_fault(
        Fault::next(1, FaultAction::DropAfterProcessing)
            .on_exact("POST", "/api/v1/secret-syncs/github"),
    );
    let run = ws.run(&["apply", "-auto-approve"]).success();
    // 2. The create was sent once, its answer lost; the sync it made is the one in state.
    let creates: Vec<_> = setup
        .emu
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/secret-syncs/github")
        .collect();
    assert_eq!(creates.len(), 1, "{creates:?}\n{}", run.output());
    assert!(creates[0].dropped, "{creates:?}");
    let all = syncs(&setup.emu);
    assert_eq!(all.len(), 1, "{all:?}");
    let synced = state(&ws);
    assert_eq!(synced["id"], all[0]["id"]);
    assert_eq!(synced["sync_status"], "succeeded");
    assert_empty_plan(&ws);
}

/// Creates a sync through the API, as someone in the Infisical UI would.
fn create_in_the_ui(emu: &Infisical, body: Json) -> Json {
    let answer = emu.api_call(
        reqwest::Method::POST,
        "/api/v1/secret-syncs/github",
        Some(&body),
    );
    assert!(
        answer["secretSync"].is_object(),
        "the create was refused: {answer}"
    );
    answer["secretSync"].clone()
}

fn query_lists_the_projects_syncs_and_generated_configuration_imports_them_unchanged() {
    // 1. Two syncs in the project: one made in Terraform, one in the UI.
    let setup = Setup::granted();
    let managed = setup.workspace();
    managed.config(&config(REPOSITORY, ""));
    managed.run(&["apply", "-auto-approve"]).success();
    let connection = setup.emu.create_pat_connection("ui-conn", None);
    let ui = create_in_the_ui(
        &setup.emu,
        serde_json::json!({
            "name": "ui-made",
            "projectId": PROJECT,
            "connectionId": connection.id,
            "environment": "prod",
            "secretPath": "/app",
            "isAutoSyncEnabled": false,
            "syncOptions": {"initialSyncBehavior": "overwrite-destination", "keySchema": "UI_{{secretKey}}"},
            "destinationConfig": {"scope": "repository-environment", "owner": "acme", "repo": "api", "env": "production"},
        }),
    );
    assert_eq!(ui["name"], "ui-made", "{ui}");
    // A third one whose source folder was deleted since: it cannot be written as configuration.
    setup
        .emu
        .admin
        .set_secret(PROJECT, "prod", "/gone", "k", "v");
    let orphan = create_in_the_ui(
        &setup.emu,
        serde_json::json!({
            "name": "orphaned",
            "projectId": PROJECT,
            "connectionId": connection.id,
            "environment": "prod",
            "secretPath": "/gone",
            "isAutoSyncEnabled": false,
            "syncOptions": {"initialSyncBehavior": "overwrite-destination"},
            "destinationConfig": {"scope": "repository", "owner": "acme", "repo": "api"},
        }),
    );
    assert_eq!(orphan["name"], "orphaned", "{orphan}");
    assert!(setup.emu.admin.delete_folder(PROJECT, "prod", "/gone"));
    // 2. A query finds the two it can describe with one list request, writes their
    //    configuration, and names the one it leaves out.
    let mut ws = Workspace::new();
    setup.emu.configure(&mut ws);
    ws.config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n"
    ));
    ws.write(
        "query.tfquery.hcl",
        &format!(
            "list \"infisical_secret_sync_github\" \"all\" {{\n  provider = infisical\n  config {{\n    project_id = \"{PROJECT}\"\n  }}\n}}\n"
        ),
    );
    setup.emu.admin.clear_requests();
    let run = ws
        .run(&["query", "-generate-config-out=generated.tf"])
        .success();
    let lists: Vec<_> = setup
        .emu
        .api_requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/secret-syncs"))
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query.unwrap_or_default()))
        .collect();
    assert_eq!(
        lists,
        [format!(
            "GET /api/v1/secret-syncs/github?projectId={PROJECT}"
        )],
        "{}",
        run.output()
    );
    let out = run.folded_output();
    assert!(out.contains("GitHub sync \"orphaned\" left out"), "{out}");
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("import {").count(), 2, "{generated}");
    assert!(!generated.contains("orphaned"), "{generated}");
    assert!(generated.contains("\"ui-made\""), "{generated}");
    assert!(generated.contains("UI_{{secretKey}}"), "{generated}");
    assert!(!generated.contains("sync_status"), "{generated}");
    assert!(!generated.contains("wait_for_sync"), "{generated}");
    // 3. Planned with that file: both imported, nothing else changes.
    let plan = ws.run(&["plan"]).success();
    assert!(
        plan.folded_output()
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}\n{generated}",
        plan.output()
    );
}

crate::cases! {
    compat: [a_repository_sync_waits_and_github_holds_exactly_the_folder],
    full: [
        a_secret_deleted_in_infisical_is_deleted_in_github_unless_deletion_is_disabled,
        a_failed_sync_is_a_warning_not_a_diff_and_resync_triggers_run_it_again_in_place,
        edits_send_what_infisical_stores_and_wait_for_their_own_run,
        a_token_without_the_secrets_permission_is_told_which_permission_to_give,
        a_wait_that_outlasts_its_timeout_keeps_the_sync_with_a_warning,
        each_attribute_changed_in_place_sends_exactly_its_field,
        destroy_waits_for_a_job_in_progress_and_explains_a_deleted_source_folder,
        drift_deletion_and_a_new_project_are_planned_as_users_expect,
        auto_sync_false_is_sent_and_stops_source_changes_reaching_github,
        remove_secrets_on_destroy_empties_the_destination_before_the_sync_goes,
        a_failed_removal_fails_destroy_and_keeps_the_sync,
        an_interrupted_wait_for_a_sync_stops_promptly_and_keeps_the_sync,
        organization_and_environment_scopes_with_app_and_oauth_connections,
        invalid_configurations_fail_at_plan_with_their_attribute_and_no_api_call,
        imports_by_id_and_by_project_and_name_plan_no_change,
        importing_a_sync_whose_source_folder_is_gone_says_so_and_imports_nothing,
        advice_at_plan_never_fails_it_and_a_slow_answer_is_not_awaited,
        state_written_by_the_official_provider_plans_no_change,
        a_second_sync_to_the_same_destination_is_warned_at_plan,
        a_create_whose_answer_is_lost_adopts_the_sync_instead_of_duplicating_it,
        an_import_block_with_identity_adopts_the_sync needs(Identity),
        query_lists_the_projects_syncs_and_generated_configuration_imports_them_unchanged needs(Query),
    ],
}
