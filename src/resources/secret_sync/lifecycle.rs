//! The GitHub sync's operations — create, read, update, delete, import — and the wait for the
//! outcome of a sync they queue.

use crate::infisical::{
    CheckDestination, Client, CreateSecretSync, SecretSync, StopSignal, SyncStatus,
    UpdateSecretSync, Waited,
};
use crate::tfplugin::diag::{AttrPath, Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{Listed, ReadOutcome, Stored};
use crate::tfplugin::value::Value;

use super::super::configured::Configured;
use super::super::model::{Computed, Model, error_at, same_description, stored_text};
use super::attr;
use super::state::{Destination, Options, Sync};

/// Creates the sync, then (with `wait_for_sync` and auto-sync) waits for its first sync. A
/// failed sync is an error, and the created sync is kept in state: the next apply syncs again.
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
            is_auto_sync_enabled: plan.auto_sync(),
            sync_options: plan.options_or_default().request(),
            destination_config: destination(&plan.destination)?,
        };
        let created = create_once(api, client, &request).await?;
        Ok::<_, Diagnostic>((client, stop, plan, created))
    }
    .await;
    let (client, stop, mut state, created) = match result {
        Ok(parts) => parts,
        Err(diag) => {
            diags.add(diag);
            return None;
        }
    };
    state.id = Computed::Known(created.id.clone());
    state.take_status(&created);
    if state.auto_sync() && state.waits() {
        await_outcome(api, client, &stop, &mut state, true, diags).await;
    }
    Some(Stored {
        state: state.to_value(),
        private: Vec::new(),
    })
}

/// Refreshes `state`: everything Infisical returns; a failed last sync is a warning.
pub(super) async fn read(
    api: &Configured,
    state: &Value,
    private: &[u8],
    diags: &mut Diagnostics,
) -> Result<ReadOutcome, Diagnostic> {
    let Some(client) = api.client_if_known() else {
        return Ok(ReadOutcome::Found(Stored {
            state: state.clone(),
            private: private.to_vec(),
        }));
    };
    let current = Sync::from_value(state)?;
    let id = current.known_id()?;
    match client.github_syncs().get(&id).await {
        Ok(sync) => {
            if sync.sync_status == Some(SyncStatus::Failed) {
                let mut warning = failure(&sync, &current.destination);
                warning.severity = Severity::Warning;
                warning.summary = format!("The last run of GitHub sync {:?} failed", sync.name);
                warning
                    .detail
                    .push_str("\n\nThe next apply runs the sync again (with auto-sync enabled).");
                diags.add(warning);
            }
            Ok(ReadOutcome::Found(Stored {
                state: refresh(current, &sync).to_value(),
                private: private.to_vec(),
            }))
        }
        Err(err) if err.is_not_found() => {
            tracing::info!(
                id,
                "the GitHub sync is gone; Terraform will plan to create it"
            );
            Ok(ReadOutcome::Gone)
        }
        Err(err) => Err(api.error(&format!("read the GitHub sync {id}"), &err)),
    }
}

/// Sends what changed (a PATCH with auto-sync queues a sync), or runs the sync again when the
/// plan asks for it after a failure; then waits for the outcome as a create does.
pub(super) async fn update(
    api: &Configured,
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) -> Option<Stored> {
    let result = async {
        let client = api.client_or_error()?;
        let stop = client.stop_signal();
        let before = Sync::from_value(prior)?;
        let plan = Sync::from_value(planned)?;
        let id = before.known_id()?;
        let request = changes(&before, &plan)?;
        let resync = plan.sync_status.is_unknown() && plan.auto_sync();
        let syncs = client.github_syncs();
        let answer = if !request.is_empty() {
            Some(syncs.update(&id, &request).await.map_err(|err| {
                api.error(&format!("update the GitHub sync {:?}", plan.name), &err)
            })?)
        } else if resync {
            Some(syncs.sync_now(&id).await.map_err(|err| {
                api.error(&format!("run the GitHub sync {:?} again", plan.name), &err)
            })?)
        } else {
            None
        };
        Ok::<_, Diagnostic>((client, stop, before, plan, answer))
    }
    .await;
    let (client, stop, before, mut state, answer) = match result {
        Ok(parts) => parts,
        Err(diag) => {
            diags.add(diag);
            return None;
        }
    };
    state.id = before.id.clone();
    match &answer {
        Some(sync) if state.sync_status.is_unknown() => state.take_status(sync),
        _ => {
            if state.sync_status.is_unknown() {
                state.sync_status = before.sync_status.clone();
                state.last_sync_message = before.last_sync_message.clone();
                state.last_synced_at = before.last_synced_at.clone();
            }
        }
    }
    let queued = answer
        .as_ref()
        .is_some_and(|s| s.sync_status.is_some_and(SyncStatus::is_busy));
    if queued && state.waits() {
        await_outcome(api, client, &stop, &mut state, false, diags).await;
    }
    Some(Stored {
        state: state.to_value(),
        private: Vec::new(),
    })
}

/// Deletes the sync: at once, or (with `remove_secrets_on_destroy`) after removing its secrets
/// from GitHub, waiting until the sync is gone; a failed removal fails the destroy with
/// Infisical's message, and the sync stays.
pub(super) async fn delete(api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
    let client = api.client_or_error()?;
    let stop = client.stop_signal();
    let state = Sync::from_value(prior)?;
    let id = state.known_id()?;
    let remove = state.removes_on_destroy();
    let syncs = client.github_syncs();
    match syncs.delete(&id, remove).await {
        Ok(_) => {}
        Err(err) if err.is_not_found() => {
            tracing::info!(id, "already deleted");
            return Ok(());
        }
        Err(err) => {
            return Err(api.error(&format!("delete the GitHub sync {:?}", state.name), &err));
        }
    }
    if !remove {
        return Ok(());
    }
    let action = format!(
        "remove the secrets of GitHub sync {:?} from GitHub",
        state.name
    );
    match syncs
        .wait_until_idle(&id, client.retry_limit(), &stop)
        .await
    {
        Ok(Waited::Gone) => Ok(()),
        Ok(Waited::Idle(sync)) => Err(removal_failed(&sync, &state.destination)),
        Ok(Waited::TimedOut(_)) => Err(Diagnostic {
            severity: Severity::Error,
            summary: format!("Timed out: could not {action}"),
            detail: format!(
                "Infisical was still removing the secrets when the provider's retry_timeout ran \
                 out. The sync stays in state; run destroy again to wait for it (sync id {id})."
            ),
            path: None,
        }),
        Ok(Waited::Stopped(_)) => Err(Diagnostic {
            severity: Severity::Error,
            summary: format!("Interrupted: could not {action}"),
            detail: format!(
                "Terraform was interrupted while Infisical was still removing the secrets; \
                 Infisical goes on removing them. The sync stays in state; run destroy again to \
                 wait for it (sync id {id})."
            ),
            path: None,
        }),
        Err(err) => Err(api.error(&action, &err)),
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
        Ok(sync) => Ok(Sync::from_api(&sync).to_value()),
        Err(err) => {
            let mut diag = api.error(&format!("import the GitHub sync {id:?}"), &err);
            if err.is_not_found() {
                diag.detail
                    .push_str("\n\nImport by sync id (a UUID) or by \"<project_id>/<name>\".");
            }
            Err(diag)
        }
    }
}

/// The syncs of the list configuration's project, at most `limit`, each as a full state: one
/// list request.
pub(super) async fn list(
    api: &Configured,
    config: &Value,
    limit: usize,
) -> Result<Vec<Listed>, Diagnostic> {
    let client = api.client_or_error()?;
    let Some(project) = config.get(attr::PROJECT_ID).as_str() else {
        return Ok(Vec::new());
    };
    let listed =
        client.github_syncs().list(project).await.map_err(|err| {
            api.error(&format!("list the GitHub syncs of project {project}"), &err)
        })?;
    Ok(listed
        .iter()
        .take(limit)
        .map(|sync| Listed {
            display_name: sync.name.clone(),
            state: Sync::from_api(sync).to_value(),
        })
        .collect())
}

/// Waits for the outcome of the sync just queued and writes it into `state`; a failed sync is an
/// error diagnostic, a wait that ran out a warning.
async fn await_outcome(
    api: &Configured,
    client: &Client,
    stop: &StopSignal,
    state: &mut Sync,
    created: bool,
    diags: &mut Diagnostics,
) {
    let Some(id) = state.id.known().map(str::to_owned) else {
        return;
    };
    match client
        .github_syncs()
        .wait_until_idle(&id, client.retry_limit(), stop)
        .await
    {
        Ok(Waited::Idle(sync)) => {
            state.take_status(&sync);
            if sync.sync_status == Some(SyncStatus::Failed) {
                let mut diag = failure(&sync, &state.destination);
                if created {
                    diag.detail.push_str(
                        "\n\nThe sync was created and is kept in state, but Terraform marks a \
                         resource whose create failed as tainted: the next apply replaces it \
                         (one sync either way). To keep this one and only run it again once the \
                         cause is fixed, run `terraform untaint` on it first.",
                    );
                }
                diags.add(diag);
            }
        }
        Ok(Waited::TimedOut(sync)) => {
            state.take_status(&sync);
            diags.warning(
                format!("GitHub sync {:?} still running", state.name),
                format!(
                    "the sync was still {} when the provider's retry_timeout ran out; its outcome \
                     shows in `sync_status` on the next refresh (or raise retry_timeout, or set \
                     wait_for_sync = false).",
                    sync.sync_status.map_or("queued", SyncStatus::as_str)
                ),
            );
        }
        Ok(Waited::Stopped(seen)) => {
            if let Some(sync) = &seen {
                state.take_status(sync);
            }
            diags.warning(
                format!("Stopped waiting for GitHub sync {:?}", state.name),
                format!(
                    "Terraform was interrupted while the sync was {}; Infisical goes on with it. \
                     The sync is kept in state, and its outcome shows in `sync_status` on the \
                     next refresh.",
                    seen.and_then(|sync| sync.sync_status)
                        .map_or("queued", SyncStatus::as_str)
                ),
            );
        }
        Ok(Waited::Gone) => diags.add(Diagnostic {
            severity: Severity::Error,
            summary: format!("GitHub sync {:?} disappeared", state.name),
            detail: format!(
                "the sync {id} was deleted outside Terraform while apply waited for it; the next \
                 plan creates it again."
            ),
            path: None,
        }),
        Err(err) => {
            let mut diag = api.error(
                &format!("learn the outcome of GitHub sync {:?}", state.name),
                &err,
            );
            diag.severity = Severity::Warning;
            diags.add(diag);
        }
    }
}

/// The error of a failed sync: GitHub's message and what it means.
fn failure(sync: &SecretSync, destination: &Destination) -> Diagnostic {
    let message = sync.last_sync_message.as_deref().unwrap_or("(no message)");
    Diagnostic {
        severity: Severity::Error,
        summary: format!("GitHub sync {:?} failed", sync.name),
        detail: format!(
            "Infisical could not write the secrets to {}. GitHub answered: {message}\n\n{}",
            where_(destination),
            meaning(message, destination)
        ),
        path: None,
    }
}

/// The error of a failed removal on destroy.
fn removal_failed(sync: &SecretSync, destination: &Destination) -> Diagnostic {
    let message = sync
        .last_remove_message
        .as_deref()
        .unwrap_or("(no message)");
    Diagnostic {
        severity: Severity::Error,
        summary: format!(
            "Could not remove the secrets of GitHub sync {:?}",
            sync.name
        ),
        detail: format!(
            "Infisical could not remove the synced secrets from {}, so the sync was not deleted \
             and stays in state. Infisical said: {message}\n\n{}\n\nTo delete the sync and leave \
             the secrets on GitHub, set remove_secrets_on_destroy = false and apply before \
             destroying.",
            where_(destination),
            meaning(message, destination)
        ),
        path: None,
    }
}

/// The destination in words.
fn where_(destination: &Destination) -> String {
    let owner = destination.repository_owner.as_deref().unwrap_or("?");
    let repo = destination.repository_name.as_deref().unwrap_or("?");
    match destination.scope.as_str() {
        super::scope::ORGANIZATION => format!("the GitHub organization {owner:?}"),
        super::scope::REPOSITORY_ENVIRONMENT => format!(
            "the environment {:?} of the GitHub repository \"{owner}/{repo}\"",
            destination.repository_environment.as_deref().unwrap_or("?")
        ),
        _ => format!("the GitHub repository \"{owner}/{repo}\""),
    }
}

/// What a sync message means for the user, and what to do.
fn meaning(message: &str, destination: &Destination) -> String {
    let has = |s: &str| message.contains(s);
    if has("Bad credentials") || has("Requires authentication") {
        "The connection's GitHub credentials are no longer valid (revoked or expired): update \
         the app connection's credentials, then apply again."
            .to_owned()
    } else if has("Not Found") || has("\"status\":\"404\"") {
        let environment = if destination.scope == super::scope::REPOSITORY_ENVIRONMENT {
            " and that the repository has that environment (create it under the repository's \
             Settings → Environments)"
        } else {
            ""
        };
        format!(
            "GitHub answers \"Not Found\" when the destination does not exist or the \
             connection's token cannot reach it. Check the owner and name{environment}, and give \
             the connection access: for a personal access token, access to the repository (or \
             organization) with the Secrets permission; for a GitHub App, install it on the \
             repository or organization. Then apply again: the sync is kept and runs again."
        )
    } else if has("Secret names") || has("GITHUB_") {
        "GitHub refused a secret's name: names may contain only letters, digits and `_`, must \
         not start with a digit, and must not start with GITHUB_. Rename the secret in \
         Infisical or change sync_options.key_schema, then apply again."
            .to_owned()
    } else if has("does not support storing more than") {
        "The folder holds more secrets than GitHub allows at this scope (100 for a repository, \
         1000 for an organization). Sync a smaller folder."
            .to_owned()
    } else if has("folder no longer exists") {
        "The source folder was deleted: set environment and secret_path to an existing folder."
            .to_owned()
    } else {
        "Fix the cause, then apply again: the sync is kept and runs again.".to_owned()
    }
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

/// The PATCH from `before` to `plan`: only what changed, `false` included.
fn changes(before: &Sync, plan: &Sync) -> Result<UpdateSecretSync, Diagnostic> {
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
    if plan.auto_sync() != before.auto_sync() {
        request.is_auto_sync_enabled = Some(plan.auto_sync());
    }
    let (options, was) = (plan.options_or_default(), before.options_or_default());
    if options.request() != was.request() {
        request.sync_options = Some(options.request());
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
    let fresh_options = fresh.options_or_default().request();
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
    // Options the configuration left unset stay as the defaults the plan filled in.
    let options = match state.options {
        Some(options) if options.request() == fresh_options => Some(options),
        _ => fresh.options.clone().or_else(|| Some(Options::defaults())),
    };
    Sync {
        description,
        secret_path,
        environment,
        options,
        remove_secrets_on_destroy: state.remove_secrets_on_destroy.or(Some(false)),
        wait_for_sync: state.wait_for_sync.or(Some(true)),
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
        .map_err(|err| api.error(&action, &err))
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
                    where_(&Destination::from_api(&request.destination_config))
                ),
            );
        }
        Ok(_) => {}
        Err(err) => tracing::info!(error = %err, "could not check for a duplicate destination"),
    }
}
