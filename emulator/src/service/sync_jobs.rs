//! The sync engine: runs queued sync and remove jobs the way Infisical's secret-sync queue and
//! `github-sync-fns.ts` do — the status flow (`pending` → `running` → `succeeded` | `failed`),
//! attempts with exponential backoff, one job per sync at a time — and writes to the emulated
//! GitHub in process: limits, token, list (every page), public key, a sealed PUT per secret, then
//! the deletions.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_box::PublicKey;
use crypto_box::aead::OsRng;
use serde_json::Value;
use tokio::sync::mpsc;

use super::{connections, syncs};
use crate::clock::now_iso;
use crate::github::model::{GitHubError, GitHubScope};
use crate::schema::connection::Method;
use crate::schema::sync::{FOLDER_GONE_JOB, LOCK_FAILED};
use crate::state::{Shared, State};
use crate::store::syncs::{Job, JobKind, Status, SyncEngine};

/// `MAX_MESSAGE_LENGTH` of `parseSyncErrorMessage`.
const MAX_MESSAGE: usize = 1024;
/// GitHub's page size the server asks for.
const PER_PAGE: usize = 100;
/// The server stops paginating after this many pages.
const MAX_PAGES: usize = 1000;

/// Why an attempt failed: the `lastSyncMessage` / `lastRemoveMessage` it leaves, and whether
/// another attempt may follow.
#[derive(Debug, Clone)]
struct Failure {
    message: String,
    retryable: bool,
}

impl Failure {
    fn fatal(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }

    /// An Axios error from GitHub: `JSON.stringify(response.data)`; retried.
    fn github(error: &GitHubError) -> Self {
        Self {
            message: error.body(),
            retryable: true,
        }
    }

    /// A PUT failure, wrapped as `SecretSyncError{error, secretKey}`. Written in the newer
    /// `{secretKey, message, error}` shape, where the SecretSyncError's own message is absent
    /// (undefined keys are dropped) and `error` is GitHub's answer body as an object.
    fn put(secret_key: &str, error: &GitHubError) -> Self {
        Self {
            message: format!(
                "{{\"secretKey\":{},\"error\":{}}}",
                json_string(secret_key),
                error.body()
            ),
            retryable: true,
        }
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `parseSyncErrorMessage`'s cut: at most 1024 characters, ending in `...` when cut.
fn truncate(message: String) -> String {
    if message.chars().count() <= MAX_MESSAGE {
        return message;
    }
    let kept: String = message.chars().take(MAX_MESSAGE - 3).collect();
    format!("{kept}...")
}

/// Starts the dispatcher that gives each queued job its own task. It holds the state weakly,
/// so it ends with the emulator.
pub(crate) fn start(shared: &Arc<Shared>) {
    let (sender, mut receiver) = mpsc::unbounded_channel::<Job>();
    shared.lock().syncs.jobs = Some(sender);
    let weak = Arc::downgrade(shared);
    tokio::spawn(async move {
        while let Some(job) = receiver.recv().await {
            let Some(shared) = weak.upgrade() else {
                break;
            };
            tokio::spawn(run(shared, job));
        }
    });
}

/// Tells waiters that something changed.
fn changed(shared: &Shared) {
    shared.sync_done.send_modify(|n| *n = n.wrapping_add(1));
}

/// Waits until an admin hold is off.
async fn open(hold: &tokio::sync::watch::Sender<bool>) {
    let mut held = hold.subscribe();
    // An error means the sender is gone, which cannot happen while `shared` is held.
    let _ = held.wait_for(|held| !*held).await;
}

/// What the worker found when it tried to start an attempt.
enum Start {
    /// The sync is gone: the job is skipped.
    Gone,
    /// The sync's lock is taken, or (a sync job) its connection already runs its limit.
    Refused,
    /// The lock is held, with a slot of this connection for a sync job.
    Started(Option<String>),
}

/// One job, from the queue to its end, as the worker of `secret-sync-queue.ts` runs it: the
/// queue delay, then each attempt takes the sync's lock (and, for a sync job, a slot of its
/// connection's limit) and releases it when it ends, so the lock is free during the backoff
/// between attempts while the status stays `running`. A job that cannot start an attempt goes
/// to `$handleAcquireLockFailure`.
async fn run(shared: Arc<Shared>, job: Job) {
    let delay = match job.kind {
        JobKind::Sync => shared.lock().syncs.timing.queue_delay(job.lock_failures),
        JobKind::Remove { .. } => Duration::ZERO,
    };
    tokio::time::sleep(delay).await;
    open(&shared.sync_paused).await;
    let mut attempt = 1;
    loop {
        // The guard must be gone before the arms lock again.
        let start = start_attempt(&mut shared.lock(), &job);
        let slot = match start {
            Start::Gone => break,
            Start::Refused => {
                lock_failure(&mut shared.lock(), &job);
                break;
            }
            Start::Started(slot) => slot,
        };
        changed(&shared);
        if *shared.sync_hold_attempts.borrow() {
            shared.lock().syncs.engine.attempts_held += 1;
            changed(&shared);
            open(&shared.sync_hold_attempts).await;
            let mut state = shared.lock();
            state.syncs.engine.attempts_held = state.syncs.engine.attempts_held.saturating_sub(1);
        }
        let outcome = attempt_once(&shared, &job).await;
        let attempts = match job.kind {
            JobKind::Sync => shared.lock().syncs.timing.attempts.max(1),
            JobKind::Remove { .. } => 1,
        };
        let last = attempt >= attempts || !matches!(&outcome, Err(f) if f.retryable);
        end_attempt(&mut shared.lock(), &job, slot, last.then_some(outcome));
        changed(&shared);
        if last {
            break;
        }
        shared.lock().syncs.engine.between_attempts += 1;
        changed(&shared);
        let backoff = shared.lock().syncs.timing.backoff(attempt);
        tokio::time::sleep(backoff).await;
        open(&shared.sync_hold_retries).await;
        {
            let mut state = shared.lock();
            state.syncs.engine.between_attempts =
                state.syncs.engine.between_attempts.saturating_sub(1);
        }
        attempt += 1;
    }
    if let Some(sync) = shared.lock().syncs.syncs.get_mut(&job.sync_id) {
        sync.outstanding = sync.outstanding.saturating_sub(1);
    }
    changed(&shared);
}

/// Takes the sync's lock (and a connection slot for a sync job) and sets `running`.
fn start_attempt(state: &mut State, job: &Job) -> Start {
    let store = &mut state.syncs;
    let Some(sync) = store.syncs.get_mut(&job.sync_id) else {
        return Start::Gone;
    };
    if sync.locked {
        return Start::Refused;
    }
    let slot = match job.kind {
        JobKind::Sync => {
            let running = store
                .connection_running
                .entry(sync.connection_id.clone())
                .or_default();
            if *running >= store.timing.connection_limit.max(1) {
                return Start::Refused;
            }
            *running += 1;
            Some(sync.connection_id.clone())
        }
        JobKind::Remove { .. } => None,
    };
    sync.locked = true;
    match job.kind {
        JobKind::Sync => sync.sync_status = Some(Status::Running),
        JobKind::Remove { .. } => sync.remove_status = Some(Status::Running),
    }
    store.engine.attempts_running += 1;
    Start::Started(slot)
}

/// `$handleAcquireLockFailure`: a sync job is requeued as a new job (after the requeue delay)
/// until the limit, then the sync fails; a remove job fails at once.
fn lock_failure(state: &mut State, job: &Job) {
    let store = &mut state.syncs;
    let requeue = job.kind == JobKind::Sync && job.lock_failures < store.timing.requeue_limit;
    if requeue {
        store.enqueue(&job.sync_id, JobKind::Sync, job.lock_failures + 1);
        store.engine.requeued += 1;
        return;
    }
    let Some(sync) = store.syncs.get_mut(&job.sync_id) else {
        return;
    };
    match job.kind {
        JobKind::Sync => {
            sync.sync_status = Some(Status::Failed);
            sync.last_sync_message = Some(LOCK_FAILED.to_owned());
            sync.last_sync_job_id = Some(job.id.clone());
        }
        JobKind::Remove { .. } => {
            sync.remove_status = Some(Status::Failed);
            sync.last_remove_message = Some(LOCK_FAILED.to_owned());
            sync.last_remove_job_id = Some(job.id.clone());
        }
    }
    store.engine.lock_failures += 1;
}

/// Releases the lock and the connection slot; the last attempt (success, a failure that is not
/// retried, or the last allowed) writes the outcome as the server does.
fn end_attempt(
    state: &mut State,
    job: &Job,
    slot: Option<String>,
    outcome: Option<Result<(), Failure>>,
) {
    let store = &mut state.syncs;
    store.engine.attempts_running = store.engine.attempts_running.saturating_sub(1);
    if let Some(connection) = slot
        && let Some(running) = store.connection_running.get_mut(&connection)
    {
        *running = running.saturating_sub(1);
        if *running == 0 {
            store.connection_running.remove(&connection);
        }
    }
    if let Some(sync) = store.syncs.get_mut(&job.sync_id) {
        sync.locked = false;
    }
    if let Some(outcome) = outcome {
        write_outcome(state, job, outcome);
    }
}

/// The final write of a job: status, job id, message and time; a successful remove job with
/// `deleteSyncOnComplete` deletes the row instead.
fn write_outcome(state: &mut State, job: &Job, outcome: Result<(), Failure>) {
    let mut delete = false;
    let Some(sync) = state.syncs.syncs.get_mut(&job.sync_id) else {
        return;
    };
    let now = now_iso();
    let (status, message) = match outcome {
        Ok(()) => (Status::Succeeded, None),
        Err(failure) => (Status::Failed, Some(truncate(failure.message))),
    };
    match job.kind {
        JobKind::Sync => {
            sync.sync_status = Some(status);
            sync.last_sync_job_id = Some(job.id.clone());
            if status == Status::Succeeded {
                sync.last_synced_at = Some(now);
            }
            sync.last_sync_message = message;
        }
        JobKind::Remove { delete_on_complete } => {
            if status == Status::Succeeded && delete_on_complete {
                delete = true;
            } else {
                sync.remove_status = Some(status);
                sync.last_remove_job_id = Some(job.id.clone());
                if status == Status::Succeeded {
                    sync.last_removed_at = Some(now);
                }
                sync.last_remove_message = message;
            }
        }
    }
    if delete {
        state.syncs.delete_row(&job.sync_id);
    }
}

/// What one attempt needs, read under the lock.
struct Plan {
    scope: GitHubScope,
    token: String,
    /// A `github-app` connection's installation: the list mints its own token.
    installation: Option<String>,
    /// GitHub name → value.
    payload: BTreeMap<String, String>,
    key_schema: Option<String>,
    environment: String,
    keep_others: bool,
    visibility: Option<Value>,
    selected: Option<Value>,
}

/// A key through the key schema (`{{secretKey}}`, `{{environment}}`), upper-cased for GitHub.
pub(crate) fn github_name(key: &str, environment: &str, schema: Option<&str>) -> String {
    let named = match schema {
        None => key.to_owned(),
        Some(schema) => schema
            .replace("{{secretKey}}", key)
            .replace("{{environment}}", environment),
    };
    named.to_uppercase()
}

/// `matchesSchema` (`secret-sync-fns.ts`): whether a destination name could have come from the
/// key schema. `{{environment}}` becomes the environment's slug (lower-case, as stored), the rest
/// splits at `{{secretKey}}` into a prefix and a suffix, and the name must start and end with
/// them **case-sensitively**. GitHub stores names upper-case, so a schema with a lower-case letter
/// or `{{environment}}` never matches and such a sync never deletes. When the prefix or suffix
/// holds a `/`, the key part must not. Without a schema every name matches.
pub(crate) fn matches_schema(name: &str, environment: &str, schema: Option<&str>) -> bool {
    let Some(schema) = schema else {
        return true;
    };
    let compiled = schema.replace("{{environment}}", environment);
    let Some((prefix, rest)) = compiled.split_once("{{secretKey}}") else {
        return name == compiled;
    };
    // The server takes the text after the last placeholder as the suffix.
    let suffix = rest.rsplit("{{secretKey}}").next().unwrap_or(rest);
    if prefix.is_empty() && suffix.is_empty() {
        return true;
    }
    if !name.starts_with(prefix)
        || !name.ends_with(suffix)
        || name.len() < prefix.len() + suffix.len()
    {
        return false;
    }
    let key = &name[prefix.len()..name.len() - suffix.len()];
    !((prefix.contains('/') || suffix.contains('/')) && key.contains('/'))
}

/// Reads the sync, its folder's secrets, checks GitHub's limits, and obtains the token (a new
/// installation token for a `github-app` connection, as `syncSecrets` mints one).
fn plan(state: &mut State, job: &Job) -> Result<Plan, Failure> {
    let sync = state
        .syncs
        .syncs
        .get(&job.sync_id)
        .ok_or_else(|| Failure::fatal("Secret sync not found"))?
        .clone();
    let folder = sync
        .folder_id
        .as_deref()
        .and_then(|id| state.secrets.folder(id))
        .ok_or_else(|| {
            Failure::fatal(serde_json::json!({ "message": FOLDER_GONE_JOB }).to_string())
        })?;
    let environment = folder.environment.clone();
    let key_schema = sync.key_schema().map(str::to_owned);
    let payload: BTreeMap<String, String> = state
        .secrets
        .secrets(&folder.id)
        .into_iter()
        .map(|(key, value)| {
            (
                github_name(&key, &environment, key_schema.as_deref()),
                value,
            )
        })
        .collect();
    let scope = sync.scope();
    if job.kind == JobKind::Sync {
        let (limit, level, shown) = if matches!(scope, GitHubScope::Organization { .. }) {
            (1000, "organization", "1,000")
        } else {
            (100, "repository", "100")
        };
        if payload.len() > limit {
            return Err(Failure::fatal(format!(
                "{{\"message\":\"GitHub does not support storing more than {shown} secrets at \
                 the {level} level.\"}}"
            )));
        }
    }
    let connection = connections::connection(state, &sync.connection_id).ok_or_else(|| {
        Failure::fatal(format!(
            "Could not find App Connection with ID {}",
            sync.connection_id
        ))
    })?;
    let credential = |key: &str| {
        connection
            .credentials
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut installation = None;
    let token = match Method::parse(&connection.method) {
        Some(Method::Pat) => credential("personalAccessToken"),
        Some(Method::OAuth) => credential("accessToken"),
        Some(Method::App) => {
            let id = credential("installationId");
            let token = state.github.mint_installation_token(&id);
            installation = Some(id);
            token
        }
        None => {
            return Err(Failure::fatal(format!(
                "Unhandled GitHub connection method: {}",
                connection.method
            )));
        }
    };
    Ok(Plan {
        scope,
        token,
        installation,
        payload,
        key_schema,
        environment,
        keep_others: sync.deletion_disabled(),
        visibility: sync.destination_config.get("visibility").cloned(),
        selected: sync
            .destination_config
            .get("selectedRepositoryIds")
            .cloned(),
    })
}

/// Every secret name at the scope, page by page (`per_page=100`), as `makePaginatedGitHubRequest`
/// (`github-connection-fns.ts`), which mints an installation token of its own for a
/// `github-app` connection: with the one `syncSecrets`/`removeSecrets` minted, two per attempt.
fn list_names(shared: &Shared, plan: &Plan) -> Result<Vec<String>, Failure> {
    let token = match &plan.installation {
        Some(id) => shared.lock().github.mint_installation_token(id),
        None => plan.token.clone(),
    };
    let mut names = Vec::new();
    let mut page = 1;
    loop {
        let (body, last) = shared
            .lock()
            .github
            .list(Some(&token), &plan.scope, Some(PER_PAGE), Some(page))
            .map_err(|e| Failure::github(&e))?;
        names.extend(
            body["secrets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["name"].as_str().map(str::to_owned)),
        );
        if page >= last || page >= MAX_PAGES {
            return Ok(names);
        }
        page += 1;
    }
}

/// Seals `value` for the scope's public key, as `crypto_box_seal` and base64 (with padding).
fn seal(key: &PublicKey, value: &str) -> Result<String, Failure> {
    key.seal(&mut OsRng, value.as_bytes())
        .map(|sealed| STANDARD.encode(sealed))
        .map_err(|_| Failure::fatal("Failed to encrypt secret value"))
}

/// One attempt of a job.
async fn attempt_once(shared: &Shared, job: &Job) -> Result<(), Failure> {
    let plan = plan(&mut shared.lock(), job)?;
    let listed = list_names(shared, &plan)?;
    if let JobKind::Remove { .. } = job.kind {
        for name in listed.iter().filter(|n| plan.payload.contains_key(*n)) {
            shared
                .lock()
                .github
                .delete(Some(&plan.token), &plan.scope, name)
                .map_err(|e| Failure::github(&e))?;
        }
        return Ok(());
    }
    let key = shared
        .lock()
        .github
        .public_key(Some(&plan.token), &plan.scope)
        .map_err(|e| Failure::github(&e))?;
    let key_id = key["key_id"].clone();
    let bytes: [u8; 32] = key["key"]
        .as_str()
        .and_then(|k| STANDARD.decode(k).ok())
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| Failure::fatal("GitHub returned an invalid public key"))?;
    let public = PublicKey::from(bytes);
    for (name, value) in &plan.payload {
        let mut body = serde_json::json!({
            "secret_name": name,
            "encrypted_value": seal(&public, value)?,
            "key_id": key_id,
        });
        if matches!(plan.scope, GitHubScope::Organization { .. })
            && let Some(object) = body.as_object_mut()
        {
            let visibility = plan.visibility.clone().unwrap_or(Value::Null);
            if visibility == "selected" {
                object.insert(
                    "selected_repository_ids".to_owned(),
                    plan.selected.clone().unwrap_or(Value::Array(Vec::new())),
                );
            }
            object.insert("visibility".to_owned(), visibility);
        }
        shared
            .lock()
            .github
            .put(Some(&plan.token), &plan.scope, name, &body)
            .map_err(|e| Failure::put(name, &e))?;
        // Let other tasks (and HTTP requests) in between writes, as network round trips would.
        tokio::task::yield_now().await;
    }
    if !plan.keep_others {
        let doomed = listed.iter().filter(|n| {
            !plan.payload.contains_key(*n)
                && matches_schema(n, &plan.environment, plan.key_schema.as_deref())
        });
        for name in doomed {
            shared
                .lock()
                .github
                .delete(Some(&plan.token), &plan.scope, name)
                .map_err(|e| Failure::github(&e))?;
        }
    }
    Ok(())
}

/// Waits until a sync has no queued or running job: `Ok(Some(view))` then, `Ok(None)` when the
/// sync is (or becomes) deleted, `Err` with the current view at the timeout.
pub(crate) async fn wait_idle(
    shared: &Shared,
    id: &str,
    timeout: Duration,
) -> Result<Option<Value>, Value> {
    let mut done = shared.sync_done.subscribe();
    let deadline = tokio::time::Instant::from_std(Instant::now() + timeout);
    loop {
        {
            let state = shared.lock();
            match state.syncs.syncs.get(id) {
                None => return Ok(None),
                Some(sync) if sync.outstanding == 0 => {
                    return Ok(Some(syncs::sync_view(&state, sync)));
                }
                Some(sync) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(syncs::sync_view(&state, sync));
                    }
                }
            }
        }
        // A timeout or a closed channel both lead back to the check above, which decides.
        let _ = tokio::time::timeout_at(deadline, done.changed()).await;
    }
}

/// Waits until the engine's counters satisfy `until`: `Ok` with them then, `Err` with them at
/// the timeout.
pub(crate) async fn wait_engine(
    shared: &Shared,
    timeout: Duration,
    until: impl Fn(&SyncEngine) -> bool,
) -> Result<SyncEngine, SyncEngine> {
    let mut done = shared.sync_done.subscribe();
    let deadline = tokio::time::Instant::from_std(Instant::now() + timeout);
    loop {
        let engine = shared.lock().syncs.engine();
        if until(&engine) {
            return Ok(engine);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(engine);
        }
        // A timeout or a closed channel both lead back to the check above, which decides.
        let _ = tokio::time::timeout_at(deadline, done.changed()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_through_the_key_schema_and_match_it_back() {
        assert_eq!(github_name("db_url", "dev", None), "DB_URL");
        assert_eq!(
            github_name("db_url", "dev", Some("{{environment}}_{{secretKey}}")),
            "DEV_DB_URL"
        );
        let schema = Some("APP_{{secretKey}}");
        assert!(matches_schema("APP_X", "dev", schema));
        assert!(!matches_schema("OTHER_X", "dev", schema));
        assert!(matches_schema("ANYTHING", "dev", None));
        assert!(!matches_schema("A/B/C", "dev", Some("A/{{secretKey}}")));
        assert!(matches_schema("A/B", "dev", Some("A/{{secretKey}}")));
    }

    /// `matchesSchema` in `backend/src/services/secret-sync/secret-sync-fns.ts` compares
    /// case-sensitively, with `{{environment}}` as the lower-case slug: GitHub's upper-case names
    /// never match a schema with lower-case letters.
    #[test]
    fn the_key_schema_match_is_case_sensitive_as_matches_schema() {
        let by_environment = Some("{{environment}}_{{secretKey}}");
        assert_eq!(github_name("x", "dev", by_environment), "DEV_X");
        assert!(!matches_schema("DEV_X", "dev", by_environment));
        assert!(matches_schema("dev_x", "dev", by_environment));
        let mixed = Some("App_{{secretKey}}");
        assert!(!matches_schema("APP_X", "dev", mixed));
        assert!(matches_schema("App_X", "dev", mixed));
        assert!(matches_schema("X", "dev", Some("{{secretKey}}")));
        // A schema whose prefix and suffix overlap the name is too long to match.
        assert!(!matches_schema("A_A", "dev", Some("A_{{secretKey}}_A")));
    }

    #[test]
    fn long_messages_are_cut_to_1024_characters() {
        let cut = truncate("x".repeat(2000));
        assert_eq!(cut.chars().count(), 1024);
        assert!(cut.ends_with("..."));
        assert_eq!(truncate("short".to_owned()), "short");
    }
}
