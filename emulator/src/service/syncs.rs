//! GitHub secret syncs: each route's checks in the server's order (project, folder, duplicate
//! destination, connection, name), the answers, the statuses set to `pending` and the jobs
//! queued for [`super::sync_jobs`]; and the source side the admin API changes (secrets and
//! folders), which queues the folder's auto-synced syncs as the server's secret queue does.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::connections;
use crate::clock::now_iso;
use crate::error::ApiError;
use crate::schema::sync::{
    CreateInput, DESTINATION, FOLDER_GONE_ACTION, LOCKED, UpdateInput, app_name,
};
use crate::state::State;
use crate::store::projects::Project;
use crate::store::syncs::{JobKind, SecretSync, Status};

/// The server's answer to a project it does not know. The exact text was not read; the
/// permission lookup throws a NotFoundError, so this is a 404.
fn sync_project(state: &State, project_id: &str) -> Result<(), ApiError> {
    if state.projects.contains_key(project_id) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Project with ID '{project_id}' not found"
        )))
    }
}

/// The folder lookup of create and PATCH: its id, or the server's 400.
fn sync_folder(
    state: &State,
    project_id: &str,
    environment: &str,
    path: &str,
) -> Result<String, ApiError> {
    state
        .secrets
        .folder_at(project_id, environment, path)
        .map(|f| f.id.clone())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Could not find folder with path \"{path}\" in environment \"{environment}\" \
                 for project with ID \"{project_id}\""
            ))
        })
}

/// The connection checks of create and PATCH.
fn sync_connection(state: &State, connection_id: &str, project_id: &str) -> Result<(), ApiError> {
    let connection = connections::connection(state, connection_id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Could not find App Connection with ID {connection_id}"
        ))
    })?;
    if connection.app != crate::schema::connection::APP {
        return Err(ApiError::bad_request(format!(
            "{} Connection with ID {connection_id} cannot be used to connect to GitHub",
            app_name(&connection.app)
        )));
    }
    if let Some(owner) = &connection.project_id
        && owner != project_id
    {
        return Err(ApiError::bad_request(format!(
            "You cannot connect project App Connection with ID \"{connection_id}\" from \
             project with ID \"{owner}\" to project with ID \"{project_id}\""
        )));
    }
    Ok(())
}

/// The duplicate-destination search: a sync of the organization (any project) with an equal
/// destination config, other than `exclude`.
fn duplicate_destination<'a>(
    state: &'a State,
    config: &Value,
    exclude: Option<&str>,
) -> Option<&'a SecretSync> {
    state
        .syncs
        .order
        .iter()
        .filter_map(|id| state.syncs.syncs.get(id))
        .find(|s| Some(s.id.as_str()) != exclude && s.destination_config == *config)
}

/// The 400 when the organization blocks duplicate destinations and one exists.
fn check_duplicate(
    state: &State,
    config: &Value,
    project_id: &str,
    exclude: Option<&str>,
) -> Result<(), ApiError> {
    if !state.syncs.block_duplicates {
        return Ok(());
    }
    match duplicate_destination(state, config, exclude) {
        None => Ok(()),
        Some(other) if other.project_id == project_id => Err(ApiError::bad_request(format!(
            "A secret sync with this destination already exists in project {project_id}."
        ))),
        Some(_) => Err(ApiError::bad_request(
            "A secret sync with this destination already exists in another project in your \
             organization.",
        )),
    }
}

fn sync_name_taken(state: &State, project_id: &str, name: &str, except: Option<&str>) -> bool {
    state
        .syncs
        .syncs
        .values()
        .any(|s| s.project_id == project_id && s.name == name && Some(s.id.as_str()) != except)
}

/// A sync as the routes answer it.
pub(crate) fn sync_view(state: &State, sync: &SecretSync) -> Value {
    let folder = sync
        .folder_id
        .as_deref()
        .and_then(|id| state.secrets.folder(id));
    let environment = folder.and_then(|f| state.secrets.environment(&f.project_id, &f.environment));
    let connection = connections::connection(state, &sync.connection_id);
    let status = |s: Option<Status>| json!(s);
    json!({
        "id": sync.id,
        "name": sync.name,
        "description": sync.description,
        "destination": DESTINATION,
        "isAutoSyncEnabled": sync.is_auto_sync_enabled,
        "version": 1,
        "projectId": sync.project_id,
        "folderId": sync.folder_id,
        "connectionId": sync.connection_id,
        "destinationConfig": sync.destination_config,
        "syncOptions": sync.sync_options,
        "connection": connection.map(|c| json!({ "app": c.app, "name": c.name, "id": c.id })),
        "environment": environment.map(|e| json!({ "slug": e.slug, "name": e.name, "id": e.id })),
        "folder": folder.map(|f| json!({ "id": f.id, "path": f.path })),
        "syncStatus": status(sync.sync_status),
        "lastSyncJobId": sync.last_sync_job_id,
        "lastSyncMessage": sync.last_sync_message,
        "lastSyncedAt": sync.last_synced_at,
        "importStatus": null,
        "lastImportJobId": null,
        "lastImportMessage": null,
        "lastImportedAt": null,
        "removeStatus": status(sync.remove_status),
        "lastRemoveJobId": sync.last_remove_job_id,
        "lastRemoveMessage": sync.last_remove_message,
        "lastRemovedAt": sync.last_removed_at,
        "createdAt": sync.created_at,
        "updatedAt": sync.updated_at,
    })
}

fn sync_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Could not find GitHub Sync with ID \"{id}\""))
}

fn find_sync<'a>(state: &'a State, id: &str) -> Result<&'a SecretSync, ApiError> {
    state.syncs.syncs.get(id).ok_or_else(|| sync_not_found(id))
}

/// `GET /api/v1/secret-syncs/github?projectId` (and the generic list, which has only
/// GitHub syncs to show here): the project's syncs, in creation order.
pub(crate) fn list_syncs(state: &State, project_id: &str) -> Result<Vec<Value>, ApiError> {
    sync_project(state, project_id)?;
    Ok(state
        .syncs
        .order
        .iter()
        .filter_map(|id| state.syncs.syncs.get(id))
        .filter(|s| s.project_id == project_id)
        .map(|s| sync_view(state, s))
        .collect())
}

/// `GET /api/v1/secret-syncs/github/:id`.
pub(crate) fn get_sync(state: &State, id: &str) -> Result<Value, ApiError> {
    Ok(sync_view(state, find_sync(state, id)?))
}

/// `GET /api/v1/secret-syncs/github/sync-name/:name?projectId`.
pub(crate) fn get_sync_by_name(
    state: &State,
    name: &str,
    project_id: &str,
) -> Result<Value, ApiError> {
    sync_project(state, project_id)?;
    state
        .syncs
        .syncs
        .values()
        .find(|s| s.project_id == project_id && s.name == name)
        .map(|s| sync_view(state, s))
        .ok_or_else(|| {
            ApiError::not_found(format!("Could not find GitHub Sync with name \"{name}\""))
        })
}

/// `POST /api/v1/secret-syncs/github`, after body validation, in the server's order:
/// project, folder, duplicate destination (when blocked), connection, name.
pub(crate) fn create_sync(state: &mut State, input: CreateInput) -> Result<Value, ApiError> {
    sync_project(state, &input.project_id)?;
    let folder_id = sync_folder(
        state,
        &input.project_id,
        &input.environment,
        &input.secret_path,
    )?;
    check_duplicate(state, &input.destination_config, &input.project_id, None)?;
    sync_connection(state, &input.connection_id, &input.project_id)?;
    if sync_name_taken(state, &input.project_id, &input.name, None) {
        return Err(ApiError::bad_request(format!(
            "A Secret Sync with the name \"{}\" already exists for the project with ID \"{}\"",
            input.name, input.project_id
        )));
    }
    let now = now_iso();
    let sync = SecretSync {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name,
        description: input.description,
        project_id: input.project_id,
        folder_id: Some(folder_id),
        environment: input.environment,
        secret_path: input.secret_path,
        connection_id: input.connection_id,
        destination_config: input.destination_config,
        sync_options: input.sync_options,
        is_auto_sync_enabled: input.is_auto_sync_enabled,
        sync_status: input.is_auto_sync_enabled.then_some(Status::Pending),
        last_sync_job_id: None,
        last_sync_message: None,
        last_synced_at: None,
        remove_status: None,
        last_remove_job_id: None,
        last_remove_message: None,
        last_removed_at: None,
        created_at: now.clone(),
        updated_at: now,
        outstanding: 0,
        locked: false,
    };
    let id = sync.id.clone();
    let auto = sync.is_auto_sync_enabled;
    state.syncs.order.push(id.clone());
    state.syncs.syncs.insert(id.clone(), sync);
    if auto {
        state.syncs.enqueue(&id, JobKind::Sync, 0);
    }
    get_sync(state, &id)
}

/// `PATCH /api/v1/secret-syncs/github/:id`, after body validation: the sync (404), a new
/// source's folder, a new destination's duplicate check, a new connection, the name. As
/// `updateSecretSync` (`secret-sync-service.ts`): the row gets `syncStatus: pending` only
/// when auto-sync is on and the sync has a folder, but a job is queued whenever auto-sync is
/// on (with the folder gone, it fails). The answer is the row after the update.
pub(crate) fn update_sync(
    state: &mut State,
    id: &str,
    input: UpdateInput,
) -> Result<Value, ApiError> {
    let current = state
        .syncs
        .syncs
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("Could not find GitHub Sync with ID {id}")))?
        .clone();
    let source_given = input.environment.is_some() || input.secret_path.is_some();
    let environment = input
        .environment
        .unwrap_or_else(|| current.environment.clone());
    let secret_path = input
        .secret_path
        .unwrap_or_else(|| current.secret_path.clone());
    // `isSourceChanged` compares with the folder's path and environment, which a gone
    // folder no longer has: then any source given is a change, and is looked up.
    let source_changed = (source_given && current.folder_id.is_none())
        || environment != current.environment
        || secret_path != current.secret_path;
    let folder_id = if source_changed {
        Some(sync_folder(
            state,
            &current.project_id,
            &environment,
            &secret_path,
        )?)
    } else {
        current.folder_id.clone()
    };
    if let Some(config) = &input.destination_config
        && *config != current.destination_config
    {
        check_duplicate(state, config, &current.project_id, Some(id))?;
    }
    if let Some(connection) = &input.connection_id
        && *connection != current.connection_id
    {
        sync_connection(state, connection, &current.project_id)?;
    }
    if let Some(name) = &input.name
        && sync_name_taken(state, &current.project_id, name, Some(id))
    {
        return Err(ApiError::bad_request(format!(
            "A Secret Sync with the name \"{name}\" already exists for the project with ID \"{}\"",
            current.project_id
        )));
    }
    let auto = {
        let Some(sync) = state.syncs.syncs.get_mut(id) else {
            return Err(sync_not_found(id));
        };
        if let Some(name) = input.name {
            sync.name = name;
        }
        if let Some(description) = input.description {
            sync.description = description;
        }
        if let Some(connection) = input.connection_id {
            sync.connection_id = connection;
        }
        if let Some(auto) = input.is_auto_sync_enabled {
            sync.is_auto_sync_enabled = auto;
        }
        if let Some(options) = input.sync_options {
            sync.sync_options = options;
        }
        if let Some(config) = input.destination_config {
            sync.destination_config = config;
        }
        sync.environment = environment;
        sync.secret_path = secret_path;
        sync.folder_id = folder_id;
        sync.updated_at = now_iso();
        if sync.is_auto_sync_enabled && sync.folder_id.is_some() {
            sync.sync_status = Some(Status::Pending);
        }
        sync.is_auto_sync_enabled
    };
    if auto {
        state.syncs.enqueue(id, JobKind::Sync, 0);
    }
    get_sync(state, id)
}

/// `DELETE /api/v1/secret-syncs/github/:id?removeSecrets`: without removal the row goes at
/// once; with it, as `deleteSecretSync`: the folder (400 when gone), then the lock (400 while
/// an attempt runs; accepted between attempts), then a remove job is queued (it runs at once)
/// and the still-existing sync is answered with `removeStatus: pending`.
pub(crate) fn delete_sync(
    state: &mut State,
    id: &str,
    remove_secrets: bool,
) -> Result<Value, ApiError> {
    let sync = find_sync(state, id)?;
    let answer = sync_view(state, sync);
    if !remove_secrets {
        state.syncs.remove(id);
        return Ok(answer);
    }
    check_runnable(sync)?;
    state.syncs.queue(
        id,
        JobKind::Remove {
            delete_on_complete: true,
        },
    );
    get_sync(state, id)
}

/// The checks before a job is queued, in the server's order: the folder, then the lock.
fn check_runnable(sync: &SecretSync) -> Result<(), ApiError> {
    if sync.folder_id.is_none() {
        return Err(ApiError::bad_request(FOLDER_GONE_ACTION));
    }
    if sync.locked {
        return Err(ApiError::bad_request(LOCKED));
    }
    Ok(())
}

/// `POST …/:id/sync-secrets` and `…/remove-secrets`, as
/// `triggerSecretSyncSyncSecretsById` / `…RemoveSecretsById`: the folder, the lock, then the
/// job and the `pending` status.
pub(crate) fn trigger_sync(state: &mut State, id: &str, kind: JobKind) -> Result<Value, ApiError> {
    check_runnable(find_sync(state, id)?)?;
    state.syncs.queue(id, kind);
    get_sync(state, id)
}

/// `POST …/:id/import-secrets`: GitHub cannot return values, so always a 400 once the sync
/// is found.
pub(crate) fn import_sync(state: &State, id: &str) -> Result<Value, ApiError> {
    find_sync(state, id)?;
    Err(ApiError::bad_request(
        "GitHub does not support importing secrets.",
    ))
}

/// `POST …/check-destination`: never fails; any equal destination config in the
/// organization other than `exclude` is a duplicate.
pub(crate) fn check_destination(state: &State, config: &Value, exclude: Option<&str>) -> Value {
    match duplicate_destination(state, config, exclude) {
        Some(other) => json!({ "hasDuplicate": true, "duplicateProjectId": other.project_id }),
        None => json!({ "hasDuplicate": false }),
    }
}

/// Queues a sync for every auto-synced sync of a folder, as a secret mutation does.
pub(crate) fn queue_folder_syncs(state: &mut State, folder_id: &str) {
    let ids: Vec<String> = state
        .syncs
        .order
        .iter()
        .filter(|id| {
            state.syncs.syncs.get(*id).is_some_and(|s| {
                s.is_auto_sync_enabled && s.folder_id.as_deref() == Some(folder_id)
            })
        })
        .cloned()
        .collect();
    for id in ids {
        state.syncs.queue(&id, JobKind::Sync);
    }
}

/// Sets a secret (creating its environment and folders as needed) and queues the folder's
/// auto-synced syncs.
pub(crate) fn set_secret(
    state: &mut State,
    project_id: &str,
    environment: &str,
    path: &str,
    key: &str,
    value: &str,
) {
    ensure_project(state, project_id);
    let folder = state.secrets.ensure_folder(project_id, environment, path);
    state.secrets.set_secret(&folder, key, value);
    queue_folder_syncs(state, &folder);
}

/// Deletes a secret and, when it existed, queues the folder's auto-synced syncs.
pub(crate) fn delete_secret(
    state: &mut State,
    project_id: &str,
    environment: &str,
    path: &str,
    key: &str,
) -> bool {
    let Some(folder) = state
        .secrets
        .folder_at(project_id, environment, path)
        .map(|f| f.id.clone())
    else {
        return false;
    };
    let deleted = state.secrets.delete_secret(&folder, key);
    if deleted {
        queue_folder_syncs(state, &folder);
    }
    deleted
}

/// Deletes a folder and its subfolders; syncs on them lose their folder (`folderId: null`).
pub(crate) fn delete_folder(
    state: &mut State,
    project_id: &str,
    environment: &str,
    path: &str,
) -> bool {
    let gone = state.secrets.delete_folder(project_id, environment, path);
    detach_folders(state, &gone);
    !gone.is_empty()
}

/// Points the syncs whose folder went at no folder (the server's foreign key is set null).
pub(crate) fn detach_folders(state: &mut State, gone: &[String]) {
    for sync in state.syncs.syncs.values_mut() {
        if sync.folder_id.as_ref().is_some_and(|f| gone.contains(f)) {
            sync.folder_id = None;
        }
    }
}

/// Declares a project unless known, with Infisical's default environments.
pub(crate) fn ensure_project(state: &mut State, project_id: &str) {
    if !state.projects.contains_key(project_id) {
        state
            .projects
            .insert(project_id.to_owned(), Project::new(project_id.to_owned()));
    }
    state.secrets.ensure_default_environments(project_id);
}

/// The secrets of the folder at `path`.
pub(crate) fn folder_secrets(
    state: &State,
    project_id: &str,
    environment: &str,
    path: &str,
) -> Option<BTreeMap<String, String>> {
    let folder = state.secrets.folder_at(project_id, environment, path)?;
    Some(state.secrets.secrets(&folder.id))
}
