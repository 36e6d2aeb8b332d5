//! The admin side of secret syncs: seeding projects' environments, folders and secrets (a change
//! queues the folder's auto-synced syncs, as on the server), declaring what the emulated GitHub
//! holds and who may reach it, reading back the decrypted secrets GitHub holds, timing the sync
//! jobs and waiting for them. [`Admin`] methods, and the same over HTTP under `/__emulator/…`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{MethodFilter, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::{Admin, admin_error, command};
use crate::github::model::{GitHub, GitHubScope, GitHubSecret, GitHubTarget, Holder};
use crate::schema::connection::{self as github, Method};
use crate::service::{connections, syncs};
use crate::state::State as EmulatorState;
use crate::store::projects::Project;
use crate::store::syncs::{SyncEngine, SyncTiming};

/// Who a GitHub grant is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitHubSubject {
    /// A personal access token or an OAuth access token, as sent to GitHub.
    Token(String),
    /// A GitHub App installation id: every token minted for it.
    Installation(String),
    /// A GitHub app connection's id: its PAT, its OAuth access token (which only the emulator
    /// knows: it came out of the code exchange) or its installation.
    Connection(String),
}

/// The GitHub holder a subject names.
fn holder(state: &EmulatorState, subject: GitHubSubject) -> Result<Holder, String> {
    let id = match subject {
        GitHubSubject::Token(token) => return Ok(Holder::Token(token)),
        GitHubSubject::Installation(id) => return Ok(Holder::Installation(id)),
        GitHubSubject::Connection(id) => id,
    };
    let connection = connections::connection(state, &id)
        .filter(|c| c.app == github::APP)
        .ok_or_else(|| format!("no GitHub app connection with id {id}"))?;
    let credential = |key: &str| {
        connection
            .credentials
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("connection {id} has no {key}"))
    };
    match Method::parse(&connection.method) {
        Some(Method::Pat) => credential("personalAccessToken").map(Holder::Token),
        Some(Method::OAuth) => credential("accessToken").map(Holder::Token),
        Some(Method::App) => credential("installationId").map(Holder::Installation),
        None => Err(format!("connection {id} has an unknown method")),
    }
}

/// An environment of a project, as [`Admin::environments`] reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EnvironmentInfo {
    /// Its id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its position (whatever the last `PATCH` stored, `0` included).
    pub position: f64,
}

impl Admin {
    // ----- the source: projects, environments, folders, secrets -----

    /// A project as stored (with its members), if it exists.
    pub fn project(&self, id: &str) -> Option<Project> {
        self.shared.lock().projects.get(id).cloned()
    }

    /// A project's environments, by position.
    pub fn environments(&self, project_id: &str) -> Vec<EnvironmentInfo> {
        let state = self.shared.lock();
        state
            .secrets
            .environments(project_id)
            .into_iter()
            .map(|e| EnvironmentInfo {
                id: e.id.clone(),
                slug: e.slug.clone(),
                name: e.name.clone(),
                position: e.position,
            })
            .collect()
    }

    /// The paths of an environment's folders, sorted (`/` is its root).
    pub fn folders(&self, project_id: &str, environment: &str) -> Vec<String> {
        let state = self.shared.lock();
        let mut paths: Vec<String> = state
            .secrets
            .descendants(project_id, environment, "/")
            .into_iter()
            .map(|(f, _)| f.path.clone())
            .collect();
        if state
            .secrets
            .folder_at(project_id, environment, "/")
            .is_some()
        {
            paths.insert(0, "/".to_owned());
        }
        paths
    }

    /// Adds an environment (with its root folder) to a project, declaring the project if needed.
    /// An existing slug keeps its id; `name` defaults to the slug.
    pub fn add_environment(&self, project_id: &str, slug: &str, name: Option<&str>) {
        let mut state = self.shared.lock();
        syncs::ensure_project(&mut state, project_id);
        state.secrets.add_environment(project_id, slug, name);
    }

    /// Creates a folder (and its parents, and its environment), declaring the project if needed.
    pub fn add_folder(&self, project_id: &str, environment: &str, path: &str) {
        let mut state = self.shared.lock();
        syncs::ensure_project(&mut state, project_id);
        state.secrets.ensure_folder(project_id, environment, path);
    }

    /// Deletes a folder and its subfolders; syncs on them answer `folderId: null` from then on.
    /// Whether it existed.
    pub fn delete_folder(&self, project_id: &str, environment: &str, path: &str) -> bool {
        syncs::delete_folder(&mut self.shared.lock(), project_id, environment, path)
    }

    /// Sets a secret (creating the project, environment and folders as needed) and queues a sync
    /// for each auto-synced sync of the folder.
    pub fn set_secret(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
        key: &str,
        value: &str,
    ) {
        syncs::set_secret(
            &mut self.shared.lock(),
            project_id,
            environment,
            path,
            key,
            value,
        );
    }

    /// Deletes a secret; when it existed, queues the folder's auto-synced syncs. Whether it
    /// existed.
    pub fn delete_secret(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
        key: &str,
    ) -> bool {
        syncs::delete_secret(&mut self.shared.lock(), project_id, environment, path, key)
    }

    /// A folder's secrets, key → value; `None` when the folder does not exist.
    pub fn secrets(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> Option<BTreeMap<String, String>> {
        syncs::folder_secrets(&self.shared.lock(), project_id, environment, path)
    }

    // ----- the emulated GitHub -----

    /// Declares a GitHub repository `owner/name` (its owner counts as an organization) with
    /// these environments, adding them to an existing repository; its numeric id.
    pub fn add_github_repo<I, S>(&self, owner: &str, name: &str, environments: I) -> u64
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let environments: Vec<String> = environments.into_iter().map(Into::into).collect();
        self.shared
            .lock()
            .github
            .add_repo(owner, name, &environments)
    }

    /// Declares a GitHub organization that owns no repository.
    pub fn add_github_org(&self, org: &str) {
        self.shared.lock().github.add_org(org);
    }

    /// Lets `subject` reach `target` (a repository, or an organization with all its repositories
    /// and its own secrets).
    pub fn grant_github_access(
        &self,
        subject: GitHubSubject,
        target: GitHubTarget,
    ) -> Result<(), String> {
        self.with_holder(subject, |github, holder| {
            github.grant(holder, &target, true)
        })
    }

    /// Lets `subject` see `target` but not its Actions secrets, as an installation or a
    /// fine-grained PAT without the "Secrets" permission: GitHub answers its secrets requests
    /// there with 403 `{"message":"Resource not accessible by integration"` (an installation)
    /// or `…by personal access token` (a token), `"documentation_url":
    /// "https://docs.github.com/rest/actions/secrets","status":"403"}`. It replaces a full grant
    /// of the same target ([`Admin::grant_github_access`] gives it back).
    pub fn grant_github_access_without_secrets(
        &self,
        subject: GitHubSubject,
        target: GitHubTarget,
    ) -> Result<(), String> {
        self.with_holder(subject, |github, holder| {
            github.grant(holder, &target, false)
        })
    }

    /// Takes `target` away from `subject` (either kind of grant); GitHub then answers 404 to its
    /// requests there. A repository grant and an organization grant are separate: revoke the
    /// one that was given.
    pub fn revoke_github_access(
        &self,
        subject: GitHubSubject,
        target: GitHubTarget,
    ) -> Result<(), String> {
        self.with_holder(subject, |github, holder| github.revoke(holder, &target))
    }

    /// Changes GitHub for the holder `subject` names.
    fn with_holder(
        &self,
        subject: GitHubSubject,
        change: impl FnOnce(&mut GitHub, &Holder) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut state = self.shared.lock();
        let holder = holder(&state, subject)?;
        change(&mut state.github, &holder)
    }

    /// What GitHub holds at a scope, decrypted, sorted by name; `None` when the scope does not
    /// exist.
    pub fn github_secrets(&self, scope: &GitHubScope) -> Option<Vec<GitHubSecret>> {
        self.shared.lock().github.secrets(scope)
    }

    /// What GitHub holds at a scope as name → decrypted value (empty when the scope does not
    /// exist).
    pub fn github_secret_values(&self, scope: &GitHubScope) -> BTreeMap<String, String> {
        self.github_secrets(scope)
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.name, s.value))
            .collect()
    }

    /// How many installation access tokens were minted for an installation (two per sync or
    /// remove attempt of a `github-app` connection, as the server mints them, plus any minted
    /// over HTTP).
    pub fn github_installation_tokens_minted(&self, installation: &str) -> u64 {
        self.shared.lock().github.minted(installation)
    }

    // ----- syncs -----

    /// A sync as the API answers it; `None` when there is no such sync.
    pub fn secret_sync(&self, id: &str) -> Option<Value> {
        let state = self.shared.lock();
        state
            .syncs
            .syncs
            .get(id)
            .map(|s| syncs::sync_view(&state, s))
    }

    /// Waits until a sync has no queued or running job: `Ok(Some(sync))`, or `Ok(None)` when the
    /// sync is gone (a delete with `removeSecrets=true` that succeeded); `Err(sync)` as it was at
    /// the timeout.
    pub async fn wait_for_sync(&self, id: &str, timeout: Duration) -> Result<Option<Value>, Value> {
        crate::service::sync_jobs::wait_idle(&self.shared, id, timeout).await
    }

    /// Sets how sync jobs are timed (each delay and limit is read when it applies, so jobs
    /// already queued follow it from their next step).
    pub fn set_sync_timing(&self, timing: SyncTiming) {
        self.shared.lock().syncs.timing = timing;
    }

    /// How sync jobs are timed.
    pub fn sync_timing(&self) -> SyncTiming {
        self.shared.lock().syncs.timing
    }

    /// Holds queued jobs before they start (they stay `pending`) until called with `false`.
    /// A requeued job is a new job and is held too; a job between attempts is not (see
    /// [`Admin::hold_sync_retries`]).
    pub fn pause_syncs(&self, paused: bool) {
        self.shared.sync_paused.send_replace(paused);
    }

    /// Holds each attempt once it has taken its sync's lock (and its connection's slot) and set
    /// `running`, before it reads the folder or calls GitHub, until called with `false`. While
    /// held, the trigger routes and `DELETE ?removeSecrets=true` get the lock's 400, and other
    /// jobs of the sync meet the lock.
    pub fn hold_sync_attempts(&self, held: bool) {
        self.shared.sync_hold_attempts.send_replace(held);
    }

    /// Holds jobs between attempts (after the backoff, the lock released, `syncStatus:
    /// running`) until called with `false`.
    pub fn hold_sync_retries(&self, held: bool) {
        self.shared.sync_hold_retries.send_replace(held);
    }

    /// What the sync engine is doing now (see [`SyncEngine`]).
    pub fn sync_engine(&self) -> SyncEngine {
        self.shared.lock().syncs.engine()
    }

    /// Waits until the engine's counters satisfy `until`, e.g. `|e| e.between_attempts == 1`:
    /// `Ok(counters)`, or `Err(counters)` as they were at the timeout. It wakes on every change,
    /// without polling.
    pub async fn wait_for_sync_engine(
        &self,
        timeout: Duration,
        until: impl Fn(&SyncEngine) -> bool,
    ) -> Result<SyncEngine, SyncEngine> {
        crate::service::sync_jobs::wait_engine(&self.shared, timeout, until).await
    }

    /// Sets the organization's `blockDuplicateSecretSyncDestinations`: when on, creating (or
    /// re-pointing) a sync at a destination another sync uses is a 400.
    pub fn set_block_duplicate_destinations(&self, block: bool) {
        self.shared.lock().syncs.block_duplicates = block;
    }
}

// ----- HTTP -----

#[derive(Deserialize)]
struct EnvironmentBody {
    slug: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct FolderBody {
    environment: String,
    path: String,
}

#[derive(Deserialize)]
struct SecretBody {
    environment: String,
    #[serde(default = "root")]
    path: String,
    key: String,
    value: Option<String>,
}

fn root() -> String {
    "/".to_owned()
}

#[derive(Deserialize)]
struct SecretsQuery {
    environment: String,
    #[serde(default = "root")]
    path: String,
}

#[derive(Deserialize)]
struct RepoBody {
    owner: String,
    name: String,
    #[serde(default)]
    environments: Vec<String>,
}

#[derive(Deserialize)]
struct OrgBody {
    org: String,
}

/// A grant: one subject (`token`, `installationId` or `connectionId`) and one target (`repo` as
/// `owner/name`, or `org`); `secrets: false` grants it without the Secrets permission (403).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantBody {
    token: Option<String>,
    installation_id: Option<String>,
    connection_id: Option<String>,
    repo: Option<String>,
    org: Option<String>,
    secrets: Option<bool>,
}

impl GrantBody {
    fn parse(self) -> Result<(GitHubSubject, GitHubTarget), String> {
        let subject = match (self.token, self.installation_id, self.connection_id) {
            (Some(token), None, None) => GitHubSubject::Token(token),
            (None, Some(id), None) => GitHubSubject::Installation(id),
            (None, None, Some(id)) => GitHubSubject::Connection(id),
            _ => return Err("give exactly one of token, installationId, connectionId".to_owned()),
        };
        let target = match (self.repo, self.org) {
            (Some(repo), None) => {
                let (owner, name) = repo
                    .split_once('/')
                    .filter(|(o, n)| !o.is_empty() && !n.is_empty())
                    .ok_or_else(|| format!("repo must be owner/name, not {repo:?}"))?;
                GitHubTarget::Repository {
                    owner: owner.to_owned(),
                    repo: name.to_owned(),
                }
            }
            (None, Some(org)) => GitHubTarget::Organization(org),
            _ => return Err("give exactly one of repo, org".to_owned()),
        };
        Ok((subject, target))
    }
}

/// `?org=` or `?owner=&repo=[&env=]`.
#[derive(Deserialize)]
struct ScopeQuery {
    org: Option<String>,
    owner: Option<String>,
    repo: Option<String>,
    env: Option<String>,
}

impl ScopeQuery {
    fn scope(self) -> Option<GitHubScope> {
        match (self.org, self.owner, self.repo, self.env) {
            (Some(org), None, None, None) => Some(GitHubScope::org(org)),
            (None, Some(owner), Some(repo), None) => Some(GitHubScope::repo(owner, repo)),
            (None, Some(owner), Some(repo), Some(env)) => Some(GitHubScope::env(owner, repo, env)),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WaitQuery {
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimingBody {
    speedup: Option<u32>,
    real_timing: Option<bool>,
    attempts: Option<u32>,
    requeue_limit: Option<u32>,
    connection_limit: Option<u32>,
    paused: Option<bool>,
    hold_attempts: Option<bool>,
    hold_retries: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgSettingsBody {
    block_duplicate_secret_sync_destinations: bool,
}

/// `?environment=` of the folder listing.
#[derive(Deserialize)]
struct FoldersQuery {
    environment: String,
}

type A = State<Admin>;

/// The admin routes of this module, under `/__emulator`.
pub(crate) fn router(admin: Admin) -> Router {
    Router::new()
        .route(
            "/__emulator/projects/{id}",
            get(|State(a): A, Path(id): Path<String>| async move {
                match a.project(&id) {
                    Some(project) => Json(json!(project)).into_response(),
                    None => admin_error(StatusCode::NOT_FOUND, "no such project"),
                }
            }),
        )
        .route(
            "/__emulator/projects/{id}/environments",
            post(
                |State(a): A, Path(id): Path<String>, Json(b): Json<EnvironmentBody>| async move {
                    a.add_environment(&id, &b.slug, b.name.as_deref());
                    StatusCode::NO_CONTENT
                },
            )
            .get(|State(a): A, Path(id): Path<String>| async move {
                Json(json!({ "environments": a.environments(&id) }))
            }),
        )
        .route(
            "/__emulator/projects/{id}/folders",
            get(
                |State(a): A, Path(id): Path<String>, Query(q): Query<FoldersQuery>| async move {
                    Json(json!({ "folders": a.folders(&id, &q.environment) }))
                },
            )
            .post(
                |State(a): A, Path(id): Path<String>, Json(b): Json<FolderBody>| async move {
                    a.add_folder(&id, &b.environment, &b.path);
                    StatusCode::NO_CONTENT
                },
            )
            .delete(
                |State(a): A, Path(id): Path<String>, Json(b): Json<FolderBody>| async move {
                    if a.delete_folder(&id, &b.environment, &b.path) {
                        StatusCode::NO_CONTENT.into_response()
                    } else {
                        admin_error(StatusCode::NOT_FOUND, "no such folder")
                    }
                },
            ),
        )
        .route(
            "/__emulator/projects/{id}/secrets",
            get(
                |State(a): A, Path(id): Path<String>, Query(q): Query<SecretsQuery>| async move {
                    match a.secrets(&id, &q.environment, &q.path) {
                        Some(secrets) => Json(json!({ "secrets": secrets })).into_response(),
                        None => admin_error(StatusCode::NOT_FOUND, "no such folder"),
                    }
                },
            )
            .put(
                |State(a): A, Path(id): Path<String>, Json(b): Json<SecretBody>| async move {
                    match b.value {
                        Some(value) => {
                            a.set_secret(&id, &b.environment, &b.path, &b.key, &value);
                            StatusCode::NO_CONTENT.into_response()
                        }
                        None => admin_error(StatusCode::BAD_REQUEST, "value is required"),
                    }
                },
            )
            .delete(
                |State(a): A, Path(id): Path<String>, Json(b): Json<SecretBody>| async move {
                    if a.delete_secret(&id, &b.environment, &b.path, &b.key) {
                        StatusCode::NO_CONTENT.into_response()
                    } else {
                        admin_error(StatusCode::NOT_FOUND, "no such secret")
                    }
                },
            ),
        )
        .route(
            "/__emulator/github/repos",
            post(|State(a): A, Json(b): Json<RepoBody>| async move {
                let id = a.add_github_repo(&b.owner, &b.name, b.environments);
                Json(json!({ "id": id }))
            }),
        )
        .route(
            "/__emulator/github/orgs",
            command(MethodFilter::POST, |a, b: OrgBody| a.add_github_org(&b.org)),
        )
        .route(
            "/__emulator/github/grants",
            post(|State(a): A, Json(b): Json<GrantBody>| async move {
                let secrets = b.secrets.unwrap_or(true);
                let granted = b.parse().and_then(|(s, t)| {
                    if secrets {
                        a.grant_github_access(s, t)
                    } else {
                        a.grant_github_access_without_secrets(s, t)
                    }
                });
                match granted {
                    Ok(()) => StatusCode::NO_CONTENT.into_response(),
                    Err(message) => admin_error(StatusCode::BAD_REQUEST, message),
                }
            })
            .delete(|State(a): A, Json(b): Json<GrantBody>| async move {
                match b.parse().and_then(|(s, t)| a.revoke_github_access(s, t)) {
                    Ok(()) => StatusCode::NO_CONTENT.into_response(),
                    Err(message) => admin_error(StatusCode::BAD_REQUEST, message),
                }
            }),
        )
        .route(
            "/__emulator/github/secrets",
            get(|State(a): A, Query(q): Query<ScopeQuery>| async move {
                let Some(scope) = q.scope() else {
                    return admin_error(
                        StatusCode::BAD_REQUEST,
                        "give ?org=, or ?owner=&repo= with an optional &env=",
                    );
                };
                match a.github_secrets(&scope) {
                    Some(secrets) => Json(json!({ "secrets": secrets })).into_response(),
                    None => admin_error(StatusCode::NOT_FOUND, "no such GitHub scope"),
                }
            }),
        )
        .route(
            "/__emulator/github/installations/{id}/tokens",
            get(|State(a): A, Path(id): Path<String>| async move {
                Json(json!({ "minted": a.github_installation_tokens_minted(&id) }))
            }),
        )
        .route(
            "/__emulator/secret-syncs/{id}",
            get(|State(a): A, Path(id): Path<String>| async move {
                match a.secret_sync(&id) {
                    Some(sync) => Json(sync).into_response(),
                    None => admin_error(StatusCode::NOT_FOUND, "no such secret sync"),
                }
            }),
        )
        .route(
            "/__emulator/secret-syncs/{id}/wait",
            get(
                |State(a): A, Path(id): Path<String>, Query(q): Query<WaitQuery>| async move {
                    let timeout = Duration::from_millis(q.timeout_ms.unwrap_or(10_000));
                    match a.wait_for_sync(&id, timeout).await {
                        Ok(Some(sync)) => Json(sync).into_response(),
                        Ok(None) => admin_error(StatusCode::NOT_FOUND, "no such secret sync"),
                        Err(sync) => (
                            StatusCode::REQUEST_TIMEOUT,
                            Json(json!({ "error": "the sync still has jobs", "secretSync": sync })),
                        )
                            .into_response(),
                    }
                },
            ),
        )
        .route(
            "/__emulator/sync-timing",
            get(|State(a): A| async move {
                let timing = a.sync_timing();
                Json(json!({
                    "speedup": timing.speedup,
                    "attempts": timing.attempts,
                    "requeueLimit": timing.requeue_limit,
                    "connectionLimit": timing.connection_limit,
                    "paused": *a.shared.sync_paused.borrow(),
                    "holdAttempts": *a.shared.sync_hold_attempts.borrow(),
                    "holdRetries": *a.shared.sync_hold_retries.borrow(),
                }))
            })
            .put(|State(a): A, Json(b): Json<TimingBody>| async move {
                let mut timing = a.sync_timing();
                if b.real_timing == Some(true) {
                    timing.speedup = 1;
                }
                if let Some(speedup) = b.speedup {
                    timing.speedup = speedup.max(1);
                }
                if let Some(attempts) = b.attempts {
                    timing.attempts = attempts.max(1);
                }
                if let Some(limit) = b.requeue_limit {
                    timing.requeue_limit = limit;
                }
                if let Some(limit) = b.connection_limit {
                    timing.connection_limit = limit.max(1);
                }
                a.set_sync_timing(timing);
                if let Some(paused) = b.paused {
                    a.pause_syncs(paused);
                }
                if let Some(held) = b.hold_attempts {
                    a.hold_sync_attempts(held);
                }
                if let Some(held) = b.hold_retries {
                    a.hold_sync_retries(held);
                }
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/__emulator/sync-engine",
            get(|State(a): A| async move {
                let e = a.sync_engine();
                Json(json!({
                    "queued": e.queued,
                    "jobs": e.jobs,
                    "attemptsRunning": e.attempts_running,
                    "attemptsHeld": e.attempts_held,
                    "betweenAttempts": e.between_attempts,
                    "requeued": e.requeued,
                    "lockFailures": e.lock_failures,
                }))
            }),
        )
        .route(
            "/__emulator/org-settings",
            command(MethodFilter::PUT, |a, b: OrgSettingsBody| {
                a.set_block_duplicate_destinations(b.block_duplicate_secret_sync_destinations);
            }),
        )
        .with_state(admin)
}
