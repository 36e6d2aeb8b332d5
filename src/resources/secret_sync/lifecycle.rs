//! The GitHub sync's operations — create, read, update, delete, import, list — with the waits
//! for the runs and removals they queue, and the decision the plan hands the apply.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::infisical::{
    CheckDestination, Client, CreateSecretSync, Error, SecretSync, StopSignal, SyncStatus,
    UpdateSecretSync, Waited,
};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{Listed, ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::timeouts::{self, Op};
use crate::tfplugin::value::Value;

use super::super::by_id;
use super::super::configured::Configured;
use super::super::errors::Area;
use super::super::model::{Computed, Model, error_at, same_description, stored_text};
use super::outcome::{self, Waiter};
#[cfg(test)]
use super::state::Options;
use super::state::{Destination, Sync};
use super::{WAIT_DEFAULT, attr};

/// What the plan decided that the apply must do beyond sending what changed, carried in the
/// plan's private data (Terraform hands it to the apply unchanged): decided once, at plan, never
/// inferred at apply from an unknown computed value.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Decision {
    /// `resync_triggers` changed: run the sync again, even when nothing else is sent.
    pub(super) rerun: bool,
}

impl Decision {
    /// The private data: empty for the default decision.
    pub(super) fn encode(self) -> Vec<u8> {
        if self == Self::default() {
            Vec::new()
        } else {
            serde_json::to_vec(&self).unwrap_or_default()
        }
    }

    /// The decision in private data (the default for none, or for data of another version).
    pub(super) fn decode(private: &[u8]) -> Self {
        serde_json::from_slice(private).unwrap_or_default()
    }
}

/// Whether the PATCH from `prior` to `planned` would send anything, compared as Infisical stores
/// values; a plan with unknown values counts as a change (known only at apply).
pub(super) fn infisical_sees_change(prior: &Value, planned: &Value) -> bool {
    match (Sync::from_value(prior), Sync::from_value(planned)) {
        (Ok(before), Ok(plan)) => changes(&before, &plan).map_or(true, |r| !r.is_empty()),
        _ => true,
    }
}

/// The diagnostic of a sync request that failed: a 403 names the secret-sync permissions.
fn sync_error(api: &Configured, action: &str, err: &Error) -> Diagnostic {
    api.error_in(Area::SecretSyncs, action, err)
}

/// Creates the sync, then (with `wait_for_sync` and auto-sync) waits for its first run, bounded
/// by `timeouts.create`. A failed first run keeps the sync with a warning (see
/// [`Waiter::Create`]).
pub(super) async fn create(
    api: &Configured,
    planned: &Value,
    diags: &mut Diagnostics,
) -> Option<Stored> {
    let result = async {
        let client = api.client_or_error()?;
        let stop = client.stop_signal();
        let plan = Sync::from_value(planned)?;
        let request = CreateSecretSync {
            name: plan.name.clone(),
            project_id: plan.project_id.clone(),
            description: stored_text(plan.description.as_deref()).map(str::to_owned),
            connection_id: plan.connection_id.clone(),
            environment: plan.environment.clone(),
            secret_path: plan.secret_path.clone(),
            is_auto_sync_enabled: plan.auto_sync()?,
            sync_options: plan.options()?,
            destination_config: destination(&plan.destination)?,
        };
        let waits = plan.auto_sync()? && plan.waits()?;
        let created = create_once(api, client, &request).await?;
        Ok::<_, Diagnostic>((client, stop, plan, created, waits))
    }
    .await;
    let (client, stop, mut state, created, waits) = match result {
        Ok(parts) => parts,
        Err(diag) => {
            diags.add(diag);
            return None;
        }
    };
    state.id = Computed::Known(created.id.clone());
    state.take_status(&created);
    if waits {
        let limit = timeouts::get(&state.timeouts, Op::Create, WAIT_DEFAULT);
        let waited = client
            .github_syncs()
            .wait_for_run_after(&created.id, None, limit, &stop)
            .await
            .map_err(|err| learn_error(api, &state.name, &err));
        outcome::report_run(waited, Waiter::Create, &mut state, diags);
    }
    Some(Stored {
        state: state.to_value(),
        private: Vec::new(),
    })
}

/// Refreshes `state`: everything Infisical returns; a failed last run is a warning, never a
/// change.
pub(super) async fn read(
    api: &Configured,
    state: &Value,
    private: &[u8],
    diags: &mut Diagnostics,
) -> Result<ReadOutcome, Diagnostic> {
    let client = match api.client_or_keep(state, private) {
        Ok(client) => client,
        Err(kept) => return Ok(kept),
    };
    let current = Sync::from_value(state)?;
    let id = current.known_id()?;
    match client.github_syncs().get(&id).await {
        Ok(sync) => {
            if sync.sync_status == Some(SyncStatus::Failed) {
                diags.add(outcome::failed_last_run(&sync, &current.destination));
            }
            Ok(ReadOutcome::Found(Stored {
                state: refresh(current, &sync).to_value(),
                private: Vec::new(),
            }))
        }
        Err(err) if err.is_not_found() => {
            tracing::info!(
                id,
                "the GitHub sync is gone; Terraform will plan to create it"
            );
            Ok(ReadOutcome::Gone)
        }
        Err(err) => Err(sync_error(api, &format!("read the GitHub sync {id}"), &err)),
    }
}

/// Sends what changed (a PATCH with auto-sync queues a run) and, when the plan decided so and
/// the PATCH queues nothing, asks for a run; then waits for that run, bounded by
/// `timeouts.update`. A job already in progress is waited for first, so that the run neither
/// meets its lock nor takes its outcome for its own.
pub(super) async fn update(
    api: &Configured,
    prior: &Value,
    planned: &Value,
    private: &[u8],
    diags: &mut Diagnostics,
) -> Option<Stored> {
    let started = Instant::now();
    let result = async {
        let client = api.client_or_error()?;
        let stop = client.stop_signal();
        let before = Sync::from_value(prior)?;
        let plan = Sync::from_value(planned)?;
        let id = before.known_id()?;
        let request = changes(&before, &plan)?;
        let queues = !request.is_empty() && plan.auto_sync()?;
        let waits = plan.waits()?;
        let rerun = Decision::decode(private).rerun && !queues;
        let limit = timeouts::get(&plan.timeouts, Op::Update, WAIT_DEFAULT);
        let syncs = client.github_syncs();
        let previous = if queues || rerun {
            Some(idle_before(api, client, &plan.name, &id, limit, &stop).await?)
        } else {
            None
        };
        let mut answer = None;
        if !request.is_empty() {
            answer = Some(syncs.update(&id, &request).await.map_err(|err| {
                sync_error(
                    api,
                    &format!("update the GitHub sync {:?}", plan.name),
                    &err,
                )
            })?);
        }
        if rerun {
            answer = Some(syncs.sync_now(&id).await.map_err(|err| {
                sync_error(
                    api,
                    &format!("run the GitHub sync {:?} again", plan.name),
                    &err,
                )
            })?);
        }
        Ok::<_, Diagnostic>((client, stop, before, plan, previous, answer, limit, waits))
    }
    .await;
    let (client, stop, before, mut state, previous, answer, limit, waits) = match result {
        Ok(parts) => parts,
        Err(diag) => {
            diags.add(diag);
            return None;
        }
    };
    state.id = before.id.clone();
    match (&previous, &answer) {
        // A run was queued: its status, until the wait (if any) says how it ended.
        (Some(_), Some(sync)) => state.take_status(sync),
        // Nothing queued: the status is the one the plan kept.
        _ => {
            state.sync_status = before.sync_status.clone();
            state.last_sync_message = before.last_sync_message.clone();
            state.last_synced_at = before.last_synced_at.clone();
        }
    }
    if let (Some(previous), Some(_)) = (&previous, &answer)
        && waits
    {
        let left = limit.saturating_sub(started.elapsed());
        let waited = client
            .github_syncs()
            .wait_for_run_after(
                state.id.known().unwrap_or_default(),
                previous.as_deref(),
                left,
                &stop,
            )
            .await
            .map_err(|err| learn_error(api, &state.name, &err));
        outcome::report_run(waited, Waiter::Update, &mut state, diags);
    }
    Some(Stored {
        state: state.to_value(),
        private: Vec::new(),
    })
}

/// Waits until no job of the sync `id` is queued or running, within `limit`, and returns the
/// id of the last job that finished: what a run asked for next must differ from. An error when
/// the wait cannot end well (nothing was sent yet, so the update fails without a change).
async fn idle_before(
    api: &Configured,
    client: &Client,
    name: &str,
    id: &str,
    limit: Duration,
    stop: &StopSignal,
) -> Result<Option<String>, Diagnostic> {
    let not_sent = |summary: String, detail: String| Diagnostic {
        severity: Severity::Error,
        summary,
        detail: format!("{detail} Nothing was changed; run apply again."),
        path: None,
    };
    match client.github_syncs().wait_until_idle(id, limit, stop).await {
        Ok(Waited::Idle(sync)) => Ok(sync.last_sync_job_id),
        Ok(Waited::TimedOut(_)) => Err(not_sent(
            format!("GitHub sync {name:?} is busy"),
            "a job of the sync was still in progress when timeouts.update ran out.".to_owned(),
        )),
        Ok(Waited::Stopped(_)) => Err(not_sent(
            format!("Interrupted: GitHub sync {name:?} was not updated"),
            "Terraform was interrupted while a job of the sync was in progress.".to_owned(),
        )),
        Ok(Waited::Gone) => Err(not_sent(
            format!("GitHub sync {name:?} disappeared"),
            format!("the sync {id} was deleted outside Terraform; the next plan creates it again."),
        )),
        Err(err) => Err(sync_error(
            api,
            &format!("read the GitHub sync {name:?}"),
            &err,
        )),
    }
}

/// The diagnostic of a wait that could not read the sync.
fn learn_error(api: &Configured, name: &str, err: &Error) -> Diagnostic {
    sync_error(
        api,
        &format!("learn the outcome of GitHub sync {name:?}"),
        err,
    )
}

/// Deletes the sync: at once, or (with `remove_secrets_on_destroy`) once no job holds its lock,
/// after removing its secrets from GitHub, waiting until the sync is gone; all bounded by
/// `timeouts.delete`. A failed removal fails the destroy with Infisical's message, and the sync
/// stays.
pub(super) async fn delete(api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
    let started = Instant::now();
    let client = api.client_or_error()?;
    let stop = client.stop_signal();
    let state = Sync::from_value(prior)?;
    let id = state.known_id()?;
    let remove = state.removes_on_destroy()?;
    let limit = timeouts::get(&state.timeouts, Op::Delete, WAIT_DEFAULT);
    let syncs = client.github_syncs();
    let action = format!(
        "remove the secrets of GitHub sync {:?} from GitHub",
        state.name
    );
    let interrupted = |what: &str| Diagnostic {
        severity: Severity::Error,
        summary: format!("Interrupted: could not {action}"),
        detail: format!(
            "Terraform was interrupted while {what}. The sync stays in state; run destroy again              (sync id {id})."
        ),
        path: None,
    };
    let timed_out = |what: &str| Diagnostic {
        severity: Severity::Error,
        summary: format!("Timed out: could not {action}"),
        detail: format!(
            "{what} when timeouts.delete (default 10m) ran out. The sync stays in state; run              destroy again to wait for it (sync id {id})."
        ),
        path: None,
    };
    if remove {
        // The removal needs the sync's lock: a job in progress would make Infisical refuse it.
        match syncs.wait_until_idle(&id, limit, &stop).await {
            Ok(Waited::Idle(_)) => {}
            Ok(Waited::Gone) => return Ok(()),
            Ok(Waited::TimedOut(_)) => {
                return Err(timed_out("A job of the sync was still in progress"));
            }
            Ok(Waited::Stopped(_)) => {
                return Err(interrupted("a job of the sync was in progress"));
            }
            Err(err) => return Err(sync_error(api, &action, &err)),
        }
    }
    match syncs.delete(&id, remove).await {
        Ok(_) => {}
        Err(err) if err.is_not_found() => {
            tracing::info!(id, "already deleted");
            return Ok(());
        }
        Err(err) => {
            let mut diag = sync_error(
                api,
                &format!("delete the GitHub sync {:?}", state.name),
                &err,
            );
            let message = err.to_string();
            if remove
                && (message.contains("folder no longer exists") || message.contains("in progress"))
            {
                diag.detail.push_str(&format!(
                    "\n\n{}\n\n{}",
                    outcome::meaning(&message, &state.destination),
                    outcome::KEEP_SECRETS
                ));
            }
            return Err(diag);
        }
    }
    if !remove {
        return Ok(());
    }
    let left = limit.saturating_sub(started.elapsed());
    match syncs.wait_until_idle(&id, left, &stop).await {
        Ok(Waited::Gone) => Ok(()),
        Ok(Waited::Idle(sync)) => Err(outcome::removal_failed(&sync, &state.destination)),
        Ok(Waited::TimedOut(_)) => Err(timed_out("Infisical was still removing the secrets")),
        Ok(Waited::Stopped(_)) => Err(interrupted(
            "Infisical was still removing the secrets; Infisical goes on removing them",
        )),
        Err(err) => Err(sync_error(api, &action, &err)),
    }
}

/// The state of the sync `id` names: its id (a UUID) or `<project_id>/<name>`.
pub(super) async fn import(api: &Configured, id: &str) -> Result<Value, Diagnostic> {
    let syncs = api.client_or_error()?.github_syncs();
    let found = if uuid::Uuid::try_parse(id).is_ok() {
        syncs.get(id).await
    } else if let Some((project, name)) = id.split_once('/') {
        syncs.get_by_name(name, project).await
    } else {
        return Err(Diagnostic {
            severity: Severity::Error,
            summary: "Invalid import id".to_owned(),
            detail: format!(
                "import a GitHub sync by its id (a UUID) or by \"<project_id>/<name>\"; got {id:?}."
            ),
            path: None,
        });
    };
    match found {
        Ok(sync) => match source_gone(&sync) {
            Some(problem) => Err(Diagnostic {
                severity: Severity::Error,
                summary: format!("Cannot import GitHub sync {:?}", sync.name),
                detail: format!(
                    "{problem}, so its configuration cannot be read back. In Infisical, point \
                     the sync at an existing environment and folder (or delete it), then import \
                     it again."
                ),
                path: None,
            }),
            None => Ok(Sync::from_api(&sync).to_value()),
        },
        Err(err) => {
            let mut diag = sync_error(api, &format!("import the GitHub sync {id:?}"), &err);
            if err.is_not_found() {
                diag.detail
                    .push_str("\n\nImport by sync id (a UUID) or by \"<project_id>/<name>\".");
            }
            Err(diag)
        }
    }
}

/// Why a sync's source cannot be written in a configuration, if it cannot: its folder (or the
/// environment holding it) was deleted. Infisical derives the environment from the folder, so
/// both answer `null` together and which of the two went cannot be told.
fn source_gone(sync: &SecretSync) -> Option<String> {
    (sync.environment.is_none() || sync.folder.is_none()).then(|| {
        format!(
            "the source folder of GitHub sync {:?} (or the environment holding it) no longer \
             exists",
            sync.name
        )
    })
}

/// The syncs of the list configuration's project, at most `limit`, each as a full state: one
/// list request. A sync whose source is gone is left out, with a warning naming it.
pub(super) async fn list(
    api: &Configured,
    config: &Value,
    limit: usize,
    diags: &mut Diagnostics,
) -> Result<Vec<Listed>, Diagnostic> {
    let client = api.client_or_error()?;
    let Some(project) = config.get(by_id::PROJECT_ID).as_str() else {
        return Ok(Vec::new());
    };
    let listed = client.github_syncs().list(project).await.map_err(|err| {
        sync_error(
            api,
            &format!("list the GitHub syncs of project {project}"),
            &err,
        )
    })?;
    let mut found = Vec::new();
    for sync in listed.iter().take(limit) {
        if let Some(problem) = source_gone(sync) {
            diags.warning(
                format!("GitHub sync {:?} left out", sync.name),
                format!(
                    "{problem}, so no configuration can be written for it. Point it at an \
                     existing environment and folder in Infisical (or delete it)."
                ),
            );
            continue;
        }
        found.push(Listed {
            display_name: sync.name.clone(),
            state: Sync::from_api(sync).to_value(),
        });
    }
    Ok(found)
}

/// The destination as the API takes it, or an error when incomplete (validation said why).
fn destination(
    destination: &Destination,
) -> Result<crate::infisical::GitHubDestination, Diagnostic> {
    destination.request().ok_or_else(|| {
        error_at(
            AttrPath::new(attr::DESTINATION_CONFIG),
            "Incomplete destination_config",
            "destination_config lacks a field its scope needs.",
        )
    })
}

/// The PATCH from `before` to `plan`: only what changed, compared as Infisical stores it,
/// `false` included.
pub(super) fn changes(before: &Sync, plan: &Sync) -> Result<UpdateSecretSync, Diagnostic> {
    let mut request = UpdateSecretSync::default();
    if plan.name != before.name {
        request.name = Some(plan.name.clone());
    }
    if !same_description(plan.description.as_deref(), before.description.as_deref()) {
        request.description = Some(
            stored_text(plan.description.as_deref())
                .unwrap_or("")
                .to_owned(),
        );
    }
    if plan.connection_id != before.connection_id {
        request.connection_id = Some(plan.connection_id.clone());
    }
    if plan.environment != before.environment {
        request.environment = Some(plan.environment.clone());
    }
    if plan.secret_path != before.secret_path {
        request.secret_path = Some(plan.secret_path.clone());
    }
    if plan.auto_sync()? != before.auto_sync()? {
        request.is_auto_sync_enabled = Some(plan.auto_sync()?);
    }
    let (options, was) = (plan.options()?, before.options()?);
    if options != was {
        request.sync_options = Some(options);
    }
    if plan.destination != before.destination {
        request.destination_config = Some(destination(&plan.destination)?);
    }
    Ok(request)
}

/// A folder path as Infisical stores it: one trailing `/` removed, `/` itself kept.
fn normalized_path(path: &str) -> &str {
    let path = path.trim();
    if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    }
}

/// `state` refreshed from what Infisical returns, keeping what means the same (a null or ""
/// description, a path written with a trailing `/`) and the provider's own settings.
fn refresh(state: Sync, sync: &SecretSync) -> Sync {
    let fresh = Sync::from_api(sync);
    // Options the configuration left unset stay as the defaults the plan filled in.
    let options = match (state.options(), fresh.options()) {
        (Ok(kept), Ok(fresh_options)) if kept == fresh_options => state.options.clone(),
        _ => fresh.options.clone(),
    };
    let description =
        if same_description(state.description.as_deref(), fresh.description.as_deref()) {
            state.description
        } else {
            fresh.description
        };
    let secret_path = match &sync.folder {
        Some(folder) if normalized_path(&state.secret_path) != folder.path => folder.path.clone(),
        _ => state.secret_path,
    };
    let environment = sync
        .environment
        .as_ref()
        .map_or(state.environment, |e| e.slug.clone());
    Sync {
        description,
        secret_path,
        environment,
        options,
        remove_secrets_on_destroy: state.remove_secrets_on_destroy,
        wait_for_sync: state.wait_for_sync,
        resync_triggers: state.resync_triggers,
        timeouts: state.timeouts,
        ..fresh
    }
}

/// Creates the sync through [`Client::create_confirmed`]: looked up by name after a failure that
/// may have created it, so there is never a duplicate.
async fn create_once(
    api: &Configured,
    client: &Client,
    request: &CreateSecretSync,
) -> Result<SecretSync, Diagnostic> {
    let action = format!("create the GitHub sync {:?}", request.name);
    let syncs = client.github_syncs();
    client
        .create_confirmed(
            || syncs.create(request),
            || syncs.get_by_name(&request.name, &request.project_id),
        )
        .await
        .map_err(|err| {
            let mut diag = sync_error(api, &action, &err);
            if matches!(err, Error::Ambiguous { .. } | Error::Cancelled { .. }) {
                diag.detail.push_str(&format!(
                    "\n\nIf Infisical made the sync, adopt it: `terraform import <this \
                     resource's address> {}/{}`.",
                    request.project_id, request.name
                ));
            }
            diag
        })
}

/// Warns when another sync of the organization already writes to the destination `planned`
/// names (Infisical's check-destination). Skipped while the destination or the project is not
/// known yet; a failed check says nothing (it is only advice).
pub(super) async fn check_destination(
    api: &Configured,
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) {
    let Some(client) = api.client_if_known() else {
        return;
    };
    let config = planned.get(attr::DESTINATION_CONFIG);
    let (Some(project_id), false) = (
        planned.get(attr::PROJECT_ID).as_str(),
        config.contains_unknown(),
    ) else {
        return;
    };
    let Some(destination) = Destination::read(config, &AttrPath::new(attr::DESTINATION_CONFIG))
        .ok()
        .and_then(|d| d.request())
    else {
        return;
    };
    let request = CheckDestination {
        destination_config: destination,
        project_id: project_id.to_owned(),
        connection_id: planned.get(attr::CONNECTION_ID).as_str().map(str::to_owned),
        exclude_sync_id: prior.get(attr::ID).as_str().map(str::to_owned),
    };
    match client.github_syncs().check_destination(&request).await {
        Ok(check) if check.has_duplicate => {
            let elsewhere = match check.duplicate_project_id.as_deref() {
                Some(project) if project == project_id => " in this project".to_owned(),
                Some(project) => format!(" in project {project}"),
                None => " in a project of your organization".to_owned(),
            };
            diags.attr_warning(
                AttrPath::new(attr::DESTINATION_CONFIG),
                "Duplicate destination",
                format!(
                    "Another secret sync{elsewhere} already writes to {}. Two syncs there \
                     overwrite each other's secrets (and, without disable_secret_deletion, \
                     delete them). Point this one elsewhere unless that is intended.",
                    outcome::where_(&Destination::from_api(&request.destination_config))
                ),
            );
        }
        Ok(_) => {}
        Err(err) => tracing::info!(error = %err, "could not check for a duplicate destination"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A sync as Infisical returns it, with `edit` applied to its JSON.
    fn api(edit: impl FnOnce(&mut serde_json::Value)) -> SecretSync {
        let mut body = json!({
            "id": "s1", "name": "app-sync", "description": "Synced by Terraform",
            "isAutoSyncEnabled": true, "projectId": "p", "connectionId": "c1",
            "destinationConfig": {"scope": "repository", "owner": "acme", "repo": "api"},
            "syncOptions": {"initialSyncBehavior": "overwrite-destination",
                            "disableSecretDeletion": false, "keySchema": "APP_{{secretKey}}"},
            "environment": {"slug": "prod", "name": "Production", "id": "e1"},
            "folder": {"id": "f1", "path": "/app"},
            "syncStatus": "succeeded", "lastSyncJobId": "j1",
        });
        edit(&mut body);
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn each_edit_sends_exactly_its_field_and_equal_text_sends_nothing() {
        let before = Sync::from_api(&api(|_| {}));
        type Edit = fn(&mut Sync);
        let cases: [(&str, Edit, serde_json::Value); 10] = [
            ("nothing", |_| {}, json!({})),
            (
                "a heredoc's newline on the description",
                |s| s.description = Some("Synced by Terraform\n".into()),
                json!({}),
            ),
            (
                "the name",
                |s| s.name = "renamed".into(),
                json!({"name": "renamed"}),
            ),
            (
                "the description, trimmed as stored",
                |s| s.description = Some(" New \n".into()),
                json!({"description": "New"}),
            ),
            (
                "the description removed",
                |s| s.description = None,
                json!({"description": ""}),
            ),
            (
                "the connection",
                |s| s.connection_id = "c2".into(),
                json!({"connectionId": "c2"}),
            ),
            (
                "the environment",
                |s| s.environment = "dev".into(),
                json!({"environment": "dev"}),
            ),
            (
                "the path",
                |s| s.secret_path = "/other".into(),
                json!({"secretPath": "/other"}),
            ),
            (
                "auto-sync off",
                |s| s.auto_sync_enabled = Some(false),
                json!({"isAutoSyncEnabled": false}),
            ),
            (
                "the repository",
                |s| s.destination.repository_name = Some("web".into()),
                json!({"destinationConfig": {"scope": "repository", "owner": "acme", "repo": "web"}}),
            ),
        ];
        for (what, edit, sent) in cases {
            let mut plan = before.clone();
            edit(&mut plan);
            let request = changes(&before, &plan).unwrap();
            assert_eq!(serde_json::to_value(&request).unwrap(), sent, "{what}");
            assert_eq!(request.is_empty(), sent == json!({}), "{what}");
        }
        // Options go complete, defaults filled in, whichever one changed.
        let mut plan = before.clone();
        plan.options = Some(Options {
            disable_secret_deletion: Some(true),
            ..before.options.clone().unwrap()
        });
        assert_eq!(
            serde_json::to_value(changes(&before, &plan).unwrap()).unwrap(),
            json!({"syncOptions": {"initialSyncBehavior": "overwrite-destination",
                                   "disableSecretDeletion": true, "keySchema": "APP_{{secretKey}}"}})
        );
        // The provider's own settings are never sent.
        let mut plan = before.clone();
        plan.wait_for_sync = Some(false);
        plan.remove_secrets_on_destroy = Some(true);
        plan.resync_triggers = Some([("v".to_owned(), "2".to_owned())].into());
        assert!(changes(&before, &plan).unwrap().is_empty());
    }

    #[test]
    fn refresh_keeps_what_means_the_same_and_takes_what_changed() {
        let mut state = Sync::from_api(&api(|_| {}));
        state.description = Some("Synced by Terraform\n".into());
        state.secret_path = "/app/".into();
        state.options = Some(Options {
            key_schema: Some("APP_{{secretKey}}".into()),
            ..Options::defaults()
        });
        state.wait_for_sync = Some(false);
        state.timeouts = Value::object([("create", Value::string("1m"))]);
        type Edit = fn(&mut serde_json::Value);
        type Check = fn(&Sync);
        let cases: [(&str, Edit, Check); 5] = [
            (
                "as stored",
                |_| {},
                |s| {
                    assert_eq!(s.description.as_deref(), Some("Synced by Terraform\n"));
                    assert_eq!(s.secret_path, "/app/");
                },
            ),
            (
                "a new description",
                |b| b["description"] = json!("theirs"),
                |s| {
                    assert_eq!(s.description.as_deref(), Some("theirs"));
                },
            ),
            (
                "another folder",
                |b| b["folder"]["path"] = json!("/other"),
                |s| {
                    assert_eq!(s.secret_path, "/other");
                },
            ),
            (
                "another environment",
                |b| b["environment"]["slug"] = json!("dev"),
                |s| {
                    assert_eq!(s.environment, "dev");
                },
            ),
            (
                "deletion turned off",
                |b| b["syncOptions"]["disableSecretDeletion"] = json!(true),
                |s| {
                    assert_eq!(
                        s.options.as_ref().unwrap().disable_secret_deletion,
                        Some(true)
                    );
                },
            ),
        ];
        for (what, edit, check) in cases {
            let fresh = refresh(state.clone(), &api(edit));
            check(&fresh);
            // Whatever Infisical says, the provider's own settings stay.
            assert_eq!(fresh.wait_for_sync, Some(false), "{what}");
            assert_eq!(fresh.timeouts, state.timeouts, "{what}");
        }
    }
}
