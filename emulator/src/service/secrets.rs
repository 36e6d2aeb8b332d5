//! Secrets (`services/secret/secret-service.ts`'s `…Raw` functions over
//! `services/secret-v2-bridge/secret-v2-bridge-service.ts`): list, get by id and by name (a past
//! version too), create, update, delete and their batch forms, each check in the server's order
//! and words; the `{approval}` a secret-approval policy answers instead of a write
//! (`generateSecretApprovalRequestV2Bridge`); and the answers' shapes, which are the router's
//! response schemas (`secretRawSchema` and its extensions: the server's serializer drops every
//! other field).

use std::collections::HashSet;

use axum::http::StatusCode;
use rand::Rng;
use serde_json::{Value, json};

use super::projects::find_project;
use super::references::{self, expand};
use super::syncs::queue_folder_syncs;
use crate::clock::now_iso;
use crate::error::ApiError;
use crate::schema::secret::{
    BatchCreateInput, BatchDeleteInput, BatchUpdateInput, CreateInput, DeleteInput, GetQuery,
    ListQuery, Location, NewSecret, SecretChanges, UpdateInput, UpdateMode,
};
use crate::state::State;
use crate::store::approvals::{ApprovalCommit, ApprovalRequest};
use crate::store::secrets::{Reminder, StoredSecret, canonical_path};

/// `INFISICAL_SECRET_VALUE_HIDDEN_MASK`: the value of a secret read without its value.
pub(crate) const HIDDEN_VALUE: &str = "<hidden-by-infisical>";

// ----- answers -----

/// The row an answer shows: a secret, or one of its past versions.
struct Row<'a> {
    id: &'a str,
    key: &'a str,
    version: u64,
    skip_multiline_encoding: Option<bool>,
    reminder: Option<&'a Reminder>,
    created_at: &'a str,
    updated_at: &'a str,
}

impl<'a> Row<'a> {
    fn of(secret: &'a StoredSecret) -> Self {
        Self {
            id: &secret.id,
            key: &secret.key,
            version: secret.version,
            skip_multiline_encoding: secret.skip_multiline_encoding,
            reminder: secret.reminder.as_ref(),
            created_at: &secret.created_at,
            updated_at: &secret.updated_at,
        }
    }
}

/// A JSON number as JavaScript writes it: whole numbers without a fraction.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// `secretRawSchema`'s fields, with `value` and `comment` as the route shows them.
fn raw(project_id: &str, environment: &str, row: &Row, value: &str, comment: &str) -> Value {
    json!({
        "id": row.id,
        "_id": row.id,
        "workspace": project_id,
        "environment": environment,
        "version": row.version,
        "type": "shared",
        "secretKey": row.key,
        "secretValue": value,
        "secretComment": comment,
        "secretReminderNote": row.reminder.and_then(|r| r.note.clone()),
        "secretReminderRepeatDays": row.reminder.map(|r| number(r.repeat_days)),
        "skipMultilineEncoding": row.skip_multiline_encoding.unwrap_or(false),
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    })
}

fn extend(mut view: Value, extra: Value) -> Value {
    if let (Some(view), Value::Object(extra)) = (view.as_object_mut(), extra) {
        view.extend(extra);
    }
    view
}

/// `secretValueHidden`, with the mask in place of the value when hidden.
fn with_hidden(view: Value, hidden: bool) -> Value {
    if hidden {
        extend(
            view,
            json!({ "secretValue": HIDDEN_VALUE, "secretValueHidden": true }),
        )
    } else {
        extend(view, json!({ "secretValueHidden": false }))
    }
}

/// The tags a secret carries, as `SanitizedTagSchema`.
fn tags_of(state: &State, secret: &StoredSecret) -> Vec<Value> {
    secret
        .tag_ids
        .iter()
        .filter_map(|id| state.tags.get(id))
        .map(|t| t.summary())
        .collect()
}

/// What the read routes add to `secretRawSchema`: the rotation, the path, tags and metadata.
fn with_read_fields(state: &State, view: Value, secret: &StoredSecret, path: &str) -> Value {
    let metadata: Vec<Value> = secret
        .metadata
        .iter()
        .map(|m| json!({ "key": m.key, "value": m.value, "isEncrypted": m.is_encrypted }))
        .collect();
    extend(
        view,
        json!({
            "isRotatedSecret": secret.rotation_id.is_some(),
            "rotationId": secret.rotation_id,
            "secretPath": path,
            "tags": tags_of(state, secret),
            "secretMetadata": metadata,
        }),
    )
}

/// A stored secret as a write's answer shows it: its stored value and comment.
fn stored_view(project_id: &str, environment: &str, secret: &StoredSecret, hidden: bool) -> Value {
    with_hidden(
        raw(
            project_id,
            environment,
            &Row::of(secret),
            &secret.value,
            &secret.comment,
        ),
        hidden,
    )
}

/// Drops `secretValueHidden` (the routes whose schema is plain `secretRawSchema`).
fn without_hidden(mut view: Value) -> Value {
    if let Some(view) = view.as_object_mut() {
        view.remove("secretValueHidden");
    }
    view
}

// ----- lookups and errors -----

fn named(status: StatusCode, name: &str, message: String) -> ApiError {
    ApiError::new(status, name, message)
}

/// `findBySecretPath`'s check of the path it is given: letters, digits, `-`, `_` and `/`.
fn check_path(path: &str) -> Result<(), ApiError> {
    if path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
    {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "Invalid secret path. Only alphanumeric characters, dashes, and underscores are allowed.",
        ))
    }
}

/// The folder at the location, or the service's 404 named after the operation.
fn folder_for(state: &State, at: &Location, operation: &str) -> Result<String, ApiError> {
    check_path(&at.secret_path)?;
    state
        .secrets
        .folder_at(&at.project_id, &at.environment, &at.secret_path)
        .map(|f| f.id.clone())
        .ok_or_else(|| {
            named(
                StatusCode::NOT_FOUND,
                operation,
                format!(
                    "Folder with path '{}' in environment with slug '{}' not found",
                    at.secret_path, at.environment
                ),
            )
        })
}

/// The project's tags among `ids` (each once), in the project's order.
fn found_tags(state: &State, project_id: &str, ids: &[String]) -> Vec<String> {
    state
        .tags
        .of_project(project_id)
        .into_iter()
        .filter(|t| ids.contains(&t.id))
        .map(|t| t.slug.clone())
        .collect()
}

/// `Tag not found. Found …` when `ids` (as given, duplicates counting) are not all the
/// project's.
fn check_tags(state: &State, project_id: &str, ids: Option<&Vec<String>>) -> Result<(), ApiError> {
    let ids = ids.map_or(&[][..], Vec::as_slice);
    let found = found_tags(state, project_id, ids);
    if found.len() == ids.len() {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Tag not found. Found {}",
            found.join(",")
        )))
    }
}

/// The distinct tag ids of several secrets, and whether they are all the project's.
fn all_tags_found<'a>(
    state: &State,
    project_id: &str,
    lists: impl Iterator<Item = Option<&'a Vec<String>>>,
) -> (bool, Vec<String>) {
    let mut ids: Vec<String> = Vec::new();
    for id in lists.flatten().flatten() {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let found = found_tags(state, project_id, &ids);
    (found.len() == ids.len(), found)
}

/// A reminder is set only by a truthy `secretReminderRepeatDays` (the service calls
/// `reminderService.createReminder` only then; `null` or `0` leaves the reminder as it is).
fn set_reminder(secret: &mut StoredSecret, note: Option<&String>, repeat_days: Option<f64>) {
    if let Some(days) = repeat_days.filter(|d| *d != 0.0 && !d.is_nan()) {
        secret.reminder = Some(Reminder {
            note: note.cloned(),
            repeat_days: days,
        });
    }
}

fn new_secret(input: &NewSecret) -> StoredSecret {
    let mut secret = StoredSecret::new(&input.key, &input.value);
    secret.comment.clone_from(&input.comment);
    secret.skip_multiline_encoding = input.skip_multiline_encoding;
    secret.tag_ids = input.tag_ids.clone().unwrap_or_default();
    secret.metadata = input.metadata.clone().unwrap_or_default();
    set_reminder(
        &mut secret,
        input.reminder_note.as_ref(),
        input.reminder_repeat_days,
    );
    // The first version records what it was created with.
    secret.history.clear();
    secret.record_version();
    secret
}

/// Applies an update's changes (`fnSecretBulkUpdate`): each field given replaces the stored one,
/// metadata and tags whole (`[]` clears them); one version more.
fn apply(secret: &mut StoredSecret, changes: &SecretChanges) {
    if let Some(comment) = &changes.comment {
        secret.comment.clone_from(comment);
    }
    if let Some(skip) = changes.skip_multiline_encoding {
        secret.skip_multiline_encoding = Some(skip);
    }
    if let Some(name) = &changes.new_name {
        secret.key.clone_from(name);
    }
    if let Some(tags) = &changes.tag_ids {
        secret.tag_ids.clone_from(tags);
    }
    if let Some(metadata) = &changes.metadata {
        secret.metadata.clone_from(metadata);
    }
    if let Some(value) = &changes.value {
        secret.value.clone_from(value);
    }
    set_reminder(
        secret,
        changes.reminder_note.as_ref(),
        changes.reminder_repeat_days,
    );
    secret.bump();
}

/// Renames a stored secret in its folder, then rewrites the references to it; the folders
/// whose secrets changed.
fn rename(state: &mut State, at: &Location, folder_id: &str, old: &str, new: &str) -> Vec<String> {
    if let Some(secret) = state.secrets.remove_secret(folder_id, old) {
        let id = secret.id.clone();
        state.secrets.insert_secret(folder_id, secret);
        return references::rename(
            state,
            &at.project_id,
            (&at.environment, &at.secret_path, folder_id),
            &id,
            (old, new),
        );
    }
    Vec::new()
}

fn queue_all(state: &mut State, folders: &[String]) {
    for folder in folders {
        queue_folder_syncs(state, folder);
    }
}

// ----- secret-approval policies -----

/// The changes a write would make, for an approval request.
#[derive(Default)]
struct Changes<'a> {
    creates: Vec<&'a NewSecret>,
    updates: Vec<&'a SecretChanges>,
    deletes: Vec<&'a str>,
}

/// When a policy covers the location and does not let machine identities bypass it
/// (`shouldApplyPolicy`), the approval request that holds the change instead
/// (`generateSecretApprovalRequestV2Bridge`): `{approval}` to answer, nothing written.
fn held(
    state: &mut State,
    identity: &str,
    at: &Location,
    changes: &Changes,
) -> Result<Option<Value>, ApiError> {
    let Some(policy) = state
        .approvals
        .policy_for(
            &at.project_id,
            &at.environment,
            &canonical_path(&at.secret_path),
        )
        .filter(|p| !p.bypass_for_machine_identities)
        .cloned()
    else {
        return Ok(None);
    };
    check_path(&at.secret_path)?;
    let folder_id = state
        .secrets
        .folder_at(&at.project_id, &at.environment, &at.secret_path)
        .map(|f| f.id.clone())
        .ok_or_else(|| {
            named(
                StatusCode::NOT_FOUND,
                "GenSecretApproval",
                format!(
                    "Folder not found for the environment slug '{}' & secret path '{}'",
                    at.environment, at.secret_path
                ),
            )
        })?;
    let existing = |keys: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        let mut found: Vec<String> = keys
            .filter(|k| state.secrets.secret(&folder_id, k).is_some())
            .map(str::to_owned)
            .collect();
        found.sort();
        found.dedup();
        found
    };
    if !changes.creates.is_empty() {
        let taken = existing(&mut changes.creates.iter().map(|s| s.key.as_str()));
        if !taken.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Secret already exists: {}",
                taken.join(",")
            )));
        }
    }
    let mut tag_ids: Vec<Option<&Vec<String>>> =
        changes.creates.iter().map(|s| s.tag_ids.as_ref()).collect();
    if !changes.updates.is_empty() {
        let found = existing(&mut changes.updates.iter().map(|s| s.key.as_str()));
        if found.len() != changes.updates.len() {
            return Err(ApiError::not_found(format!(
                "Secret does not exist: {}",
                found.join(",")
            )));
        }
        for update in &changes.updates {
            let stored = state
                .secrets
                .secret(&folder_id, &update.key)
                .map(|s| &s.tag_ids)
                .filter(|t| !t.is_empty());
            tag_ids.push(update.tag_ids.as_ref().or(stored));
        }
    }
    if !changes.deletes.is_empty() {
        let found = existing(&mut changes.deletes.iter().copied());
        if found.len() != changes.deletes.len() {
            return Err(ApiError::not_found(format!(
                "Secret does not exist: {}",
                found.join(",")
            )));
        }
    }
    let (all_found, _) = all_tags_found(state, &at.project_id, tag_ids.into_iter());
    if !all_found {
        return Err(ApiError::not_found("Tag not found"));
    }
    let commit = |op: &str, key: &str, new_name: Option<&String>| ApprovalCommit {
        op: op.to_owned(),
        secret_key: key.to_owned(),
        new_secret_name: new_name.cloned(),
    };
    let commits = changes
        .creates
        .iter()
        .map(|s| commit("create", &s.key, None))
        .chain(
            changes
                .updates
                .iter()
                .map(|s| commit("update", &s.key, s.new_name.as_ref())),
        )
        .chain(changes.deletes.iter().map(|k| commit("delete", k, None)))
        .collect();
    let request = ApprovalRequest {
        id: uuid::Uuid::new_v4().to_string(),
        slug: nano_id(),
        policy_id: policy.id.clone(),
        folder_id,
        project_id: at.project_id.clone(),
        committer_identity_id: identity.to_owned(),
        commits,
        created_at: now_iso(),
    };
    let answer = json!({ "approval": request.view() });
    state.approvals.requests.push(request);
    Ok(Some(answer))
}

/// `alphaNumericNanoId()`: ten letters and digits.
fn nano_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

// ----- reads -----

/// `getSecretsRaw` → `getSecrets`: the secrets of the folder at the path (with `recursive`, of
/// every folder below it too), filtered by tags and metadata, values hidden or expanded on
/// request; `imports` is always `[]` (the emulator has no secret imports).
pub(crate) fn list_secrets(state: &State, query: &ListQuery) -> Result<Value, ApiError> {
    let (Some(project_id), Some(environment)) = (&query.project_id, &query.environment) else {
        return Err(ApiError::bad_request("Missing project id or environment"));
    };
    find_project(state, project_id)?;
    let path = &query.secret_path;
    let missing = || {
        named(
            StatusCode::NOT_FOUND,
            "SecretPathNotFound",
            format!(
                "Folder with path '{path}' in environment '{environment}' was not found. Please \
                 ensure the environment slug and secret path is correct."
            ),
        )
    };
    let mut folders: Vec<(String, String)> = Vec::new();
    if query.recursive {
        if state.secrets.environment(project_id, environment).is_none() {
            return Err(ApiError::not_found(format!(
                "Environment with slug '{environment}' in project with ID {project_id} not found"
            )));
        }
        let root = state
            .secrets
            .folder_at(project_id, environment, path)
            .ok_or_else(missing)?;
        folders.push((root.id.clone(), root.path.clone()));
        for (folder, _) in state.secrets.descendants(project_id, environment, path) {
            folders.push((folder.id.clone(), folder.path.clone()));
        }
    } else {
        check_path(path)?;
        let folder = state
            .secrets
            .folder_at(project_id, environment, path)
            .ok_or_else(missing)?;
        folders.push((folder.id.clone(), folder.path.clone()));
    }
    let hidden = !query.view_secret_value;
    let mut secrets = Vec::new();
    for (folder_id, folder_path) in &folders {
        for secret in state.secrets.folder_secrets(folder_id) {
            let tagged = query.tag_slugs.is_empty()
                || secret.tag_ids.iter().any(|id| {
                    state
                        .tags
                        .get(id)
                        .is_some_and(|t| query.tag_slugs.contains(&t.slug))
                });
            let described = query.metadata_filter.iter().all(|(key, value)| {
                secret
                    .metadata
                    .iter()
                    .any(|m| &m.key == key && &m.value == value)
            });
            if !tagged || !described {
                continue;
            }
            let value = if hidden {
                HIDDEN_VALUE.to_owned()
            } else if query.expand {
                expand(
                    state,
                    project_id,
                    (environment, folder_path, &secret.key),
                    &secret.value,
                    secret.skip_multiline_encoding,
                )
            } else {
                secret.value.clone()
            };
            let view = raw(
                project_id,
                environment,
                &Row::of(secret),
                &value,
                &secret.comment,
            );
            let view = extend(view, json!({ "secretValueHidden": hidden }));
            secrets.push(with_read_fields(state, view, secret, folder_path));
        }
    }
    Ok(json!({ "secrets": secrets, "imports": [] }))
}

/// `getSecretById`: any secret of the organization, with its path, tags and metadata.
pub(crate) fn get_secret_by_id(state: &State, id: &str) -> Result<Value, ApiError> {
    let (folder, secret) = state.secrets.secret_by_id(id).ok_or_else(|| {
        named(
            StatusCode::NOT_FOUND,
            "GetSecretById",
            format!("Secret with ID '{id}' not found"),
        )
    })?;
    let view = raw(
        &folder.project_id,
        &folder.environment,
        &Row::of(secret),
        &secret.value,
        &secret.comment,
    );
    Ok(json!({ "secret": with_read_fields(state, view, secret, &folder.path) }))
}

/// `getSecretByNameRaw` → `getSecretByName`: the secret of the folder at the path, or with
/// `version` that version of the secret that had this name then.
pub(crate) fn get_secret_by_name(
    state: &State,
    name: &str,
    query: &GetQuery,
) -> Result<Value, ApiError> {
    let Some(environment) = &query.environment else {
        return Err(ApiError::bad_request("Missing environment"));
    };
    if query.project_id.is_empty() {
        return Err(ApiError::bad_request("You must provide  workspaceId"));
    }
    let project_id = &query.project_id;
    find_project(state, project_id)?;
    let at = Location {
        project_id: project_id.clone(),
        environment: environment.clone(),
        secret_path: query.secret_path.clone(),
    };
    let folder_id = folder_for(state, &at, "GetSecretByName")?;
    let not_found = || ApiError::not_found(format!("Secret with name '{name}' not found"));
    if query.personal {
        return Err(not_found());
    }
    let hidden = !query.view_secret_value;
    let path = &query.secret_path;
    if let Some(version) = query.version {
        let (secret, past) = state
            .secrets
            .folder_secrets(&folder_id)
            .into_iter()
            .find_map(|s| {
                let wanted = (version.fract() == 0.0 && version >= 0.0).then_some(version as u64);
                wanted
                    .and_then(|v| s.version_named(v, name))
                    .map(|past| (s, past))
            })
            .ok_or_else(not_found)?;
        let row = Row {
            id: &secret.id,
            key: &past.key,
            version: past.version,
            skip_multiline_encoding: past.skip_multiline_encoding,
            reminder: None,
            created_at: &past.created_at,
            updated_at: &past.updated_at,
        };
        let value = if query.expand && !past.value.is_empty() && !hidden {
            expand(
                state,
                project_id,
                (environment, path, &past.key),
                &past.value,
                past.skip_multiline_encoding,
            )
        } else {
            past.value.clone()
        };
        let view = with_hidden(
            raw(project_id, environment, &row, &value, &past.comment),
            hidden,
        );
        return Ok(json!({ "secret": extend(view, json!({ "secretPath": path, "tags": [] })) }));
    }
    let secret = state
        .secrets
        .secret(&folder_id, name)
        .ok_or_else(not_found)?;
    let value = if query.expand && !secret.value.is_empty() && !hidden {
        expand(
            state,
            project_id,
            (environment, path, name),
            &secret.value,
            secret.skip_multiline_encoding,
        )
    } else {
        secret.value.clone()
    };
    let view = with_hidden(
        raw(
            project_id,
            environment,
            &Row::of(secret),
            &value,
            &secret.comment,
        ),
        hidden,
    );
    Ok(json!({ "secret": with_read_fields(state, view, secret, path) }))
}

// ----- single writes -----

/// `createSecretRaw` → `createSecret`: the policy, the folder, the type, the name's
/// uniqueness, the tags, then the secret at version 1; the folder's syncs are queued.
pub(crate) fn create_secret(
    state: &mut State,
    identity: &str,
    name: String,
    input: CreateInput,
) -> Result<Value, ApiError> {
    let at = input.at;
    let secret = NewSecret {
        key: name,
        ..input.secret
    };
    find_project(state, &at.project_id)?;
    if !input.personal {
        let changes = Changes {
            creates: vec![&secret],
            ..Changes::default()
        };
        if let Some(approval) = held(state, identity, &at, &changes)? {
            return Ok(approval);
        }
    }
    let folder_id = folder_for(state, &at, "CreateSecret")?;
    if input.personal {
        return Err(ApiError::bad_request(
            "Must be user to create personal secret",
        ));
    }
    if state.secrets.secret(&folder_id, &secret.key).is_some() {
        return Err(ApiError::bad_request("Secret already exists"));
    }
    check_tags(state, &at.project_id, secret.tag_ids.as_ref())?;
    let stored = new_secret(&secret);
    let view = raw(
        &at.project_id,
        &at.environment,
        &Row::of(&stored),
        &secret.value,
        &secret.comment,
    );
    state.secrets.insert_secret(&folder_id, stored);
    queue_folder_syncs(state, &folder_id);
    Ok(json!({ "secret": view }))
}

/// `updateSecretRaw` → `updateSecret`: the policy, the folder, the type, the secret, a rotation's
/// name, the tags, the new name's uniqueness (its own name counts), then the write; a rename
/// rewrites the references to it. The answer shows the value and comment sent (`""` for those
/// not sent), as the service's answer does.
pub(crate) fn update_secret(
    state: &mut State,
    identity: &str,
    name: String,
    input: UpdateInput,
) -> Result<Value, ApiError> {
    let at = input.at;
    let changes = SecretChanges {
        key: name,
        ..input.changes
    };
    find_project(state, &at.project_id)?;
    if !input.personal {
        let held_changes = Changes {
            updates: vec![&changes],
            ..Changes::default()
        };
        if let Some(approval) = held(state, identity, &at, &held_changes)? {
            return Ok(approval);
        }
    }
    let folder_id = folder_for(state, &at, "UpdateSecret")?;
    if input.personal {
        return Err(ApiError::bad_request(
            "Must be user to create personal secret",
        ));
    }
    let secret = state
        .secrets
        .secret(&folder_id, &changes.key)
        .ok_or_else(|| {
            ApiError::not_found(format!("Secret with name {} not found", changes.key))
        })?;
    if secret.rotation_id.is_some() && changes.new_name.is_some() {
        return Err(ApiError::bad_request("Cannot update rotated secret name"));
    }
    check_tags(state, &at.project_id, changes.tag_ids.as_ref())?;
    if let Some(new_name) = &changes.new_name
        && state.secrets.secret(&folder_id, new_name).is_some()
    {
        return Err(ApiError::bad_request(
            "Secret with the new name already exists",
        ));
    }
    let Some(secret) = state.secrets.secret_mut(&folder_id, &changes.key) else {
        return Err(ApiError::internal("the secret vanished during its update"));
    };
    apply(secret, &changes);
    let view = with_hidden(
        raw(
            &at.project_id,
            &at.environment,
            &Row::of(secret),
            changes.value.as_deref().unwrap_or_default(),
            changes.comment.as_deref().unwrap_or_default(),
        ),
        false,
    );
    let mut folders = vec![folder_id.clone()];
    if let Some(new_name) = &changes.new_name {
        folders.extend(rename(state, &at, &folder_id, &changes.key, new_name));
    }
    queue_all(state, &folders);
    Ok(json!({ "secret": view }))
}

/// `deleteSecretRaw` → `deleteSecret`: the policy, the folder, the type, the secret (`Secret not
/// found`), a rotation's mapping (`Cannot delete rotated secrets`), then the deletion; the answer
/// is the secret as it was.
pub(crate) fn delete_secret(
    state: &mut State,
    identity: &str,
    name: &str,
    input: DeleteInput,
) -> Result<Value, ApiError> {
    let at = input.at;
    find_project(state, &at.project_id)?;
    if !input.personal {
        let changes = Changes {
            deletes: vec![name],
            ..Changes::default()
        };
        if let Some(approval) = held(state, identity, &at, &changes)? {
            return Ok(approval);
        }
    }
    let folder_id = folder_for(state, &at, "DeleteSecret")?;
    if input.personal {
        return Err(ApiError::bad_request(
            "Must be user to delete personal secret",
        ));
    }
    let secret = state
        .secrets
        .secret(&folder_id, name)
        .ok_or_else(|| ApiError::not_found("Secret not found"))?;
    if secret.rotation_id.is_some() {
        return Err(ApiError::bad_request("Cannot delete rotated secrets"));
    }
    let view = stored_view(&at.project_id, &at.environment, secret, false);
    state.secrets.remove_secret(&folder_id, name);
    queue_folder_syncs(state, &folder_id);
    Ok(json!({ "secret": view }))
}

// ----- batch writes -----

/// `createManySecretsRaw` → `createManySecret`: the policy, the folder, the names' uniqueness
/// (`Secret already exists: A,B`), the tags, then every secret, all or none.
pub(crate) fn create_secrets(
    state: &mut State,
    identity: &str,
    input: BatchCreateInput,
) -> Result<Value, ApiError> {
    let at = &input.at;
    find_project(state, &at.project_id)?;
    let changes = Changes {
        creates: input.secrets.iter().collect(),
        ..Changes::default()
    };
    if let Some(approval) = held(state, identity, at, &changes)? {
        return Ok(approval);
    }
    let folder_id = folder_for(state, at, "CreateManySecret")?;
    let mut taken: Vec<&str> = input
        .secrets
        .iter()
        .map(|s| s.key.as_str())
        .filter(|k| state.secrets.secret(&folder_id, k).is_some())
        .collect();
    let mut seen = HashSet::new();
    // Two entries of one name would break the folder's unique names: refused as taken.
    for secret in &input.secrets {
        if !seen.insert(secret.key.as_str()) {
            taken.push(&secret.key);
        }
    }
    taken.sort_unstable();
    taken.dedup();
    if !taken.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Secret already exists: {}",
            taken.join(",")
        )));
    }
    let (all_found, found) = all_tags_found(
        state,
        &at.project_id,
        input.secrets.iter().map(|s| s.tag_ids.as_ref()),
    );
    if !all_found {
        return Err(ApiError::not_found(format!(
            "Tag not found. Found {}",
            found.join(",")
        )));
    }
    let mut answers = Vec::new();
    for secret in &input.secrets {
        let stored = new_secret(secret);
        answers.push(without_hidden(stored_view(
            &at.project_id,
            &at.environment,
            &stored,
            false,
        )));
        state.secrets.insert_secret(&folder_id, stored);
    }
    queue_folder_syncs(state, &folder_id);
    Ok(json!({ "secrets": answers }))
}

/// One folder of a batch update, checked and ready to write.
struct Group {
    folder_id: String,
    at: Location,
    updates: Vec<SecretChanges>,
    creates: Vec<SecretChanges>,
}

/// `updateManySecretsRaw` → `updateManySecret`: the policy, the environment, every folder the
/// entries name (`secrets[].secretPath`, or the body's), then folder by folder the secrets
/// (`mode`), the tags and the new names; then the writes, all or none. A rotation's secret keeps
/// its name and value (the service drops both from the entry). The answer lists each folder's
/// updated secrets, then the ones `upsert` created.
pub(crate) fn update_secrets(
    state: &mut State,
    identity: &str,
    input: BatchUpdateInput,
) -> Result<Value, ApiError> {
    let at = &input.at;
    find_project(state, &at.project_id)?;
    let changes = Changes {
        updates: input.secrets.iter().collect(),
        ..Changes::default()
    };
    if let Some(approval) = held(state, identity, at, &changes)? {
        return Ok(approval);
    }
    if state
        .secrets
        .environment(&at.project_id, &at.environment)
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "Environment with slug '{}' in project with ID '{}' not found",
            at.environment, at.project_id
        )));
    }
    let mut paths: Vec<String> = Vec::new();
    for entry in &input.secrets {
        let path = entry
            .secret_path
            .clone()
            .unwrap_or_else(|| at.secret_path.clone());
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    let mut groups = Vec::new();
    for path in &paths {
        let Some(folder) = state
            .secrets
            .folder_at(&at.project_id, &at.environment, path)
        else {
            return Err(named(
                StatusCode::NOT_FOUND,
                "UpdateManySecret",
                format!(
                    "Folder with path 'null' in environment with slug '{}' not found",
                    at.environment
                ),
            ));
        };
        groups.push(Group {
            folder_id: folder.id.clone(),
            at: Location {
                secret_path: folder.path.clone(),
                ..at.clone()
            },
            updates: Vec::new(),
            creates: Vec::new(),
        });
    }
    for (group, path) in groups.iter_mut().zip(&paths) {
        let entries: Vec<&SecretChanges> = input
            .secrets
            .iter()
            .filter(|e| e.secret_path.as_ref().unwrap_or(&at.secret_path) == path)
            .collect();
        let mut found: Vec<&str> = entries
            .iter()
            .map(|e| e.key.as_str())
            .filter(|k| state.secrets.secret(&group.folder_id, k).is_some())
            .collect();
        found.sort_unstable();
        found.dedup();
        if found.len() != entries.len() && input.mode == UpdateMode::FailOnNotFound {
            let missing: Vec<&str> = entries
                .iter()
                .map(|e| e.key.as_str())
                .filter(|k| !found.contains(k))
                .collect();
            return Err(ApiError::not_found(format!(
                "Secret does not exist: {} in path {}",
                missing.join(", "),
                group.at.secret_path
            )));
        }
        for entry in entries {
            match state.secrets.secret(&group.folder_id, &entry.key) {
                Some(stored) => {
                    let mut entry = entry.clone();
                    if stored.rotation_id.is_some() {
                        entry.new_name = None;
                        entry.value = None;
                    }
                    group.updates.push(entry);
                }
                None => group.creates.push(entry.clone()),
            }
        }
        let (all_found, _) = all_tags_found(
            state,
            &at.project_id,
            group
                .updates
                .iter()
                .chain(&group.creates)
                .map(|e| e.tag_ids.as_ref()),
        );
        if !all_found {
            return Err(ApiError::not_found("Tag not found"));
        }
        let new_names: Vec<&str> = group
            .updates
            .iter()
            .filter_map(|e| e.new_name.as_deref())
            .collect();
        if new_names
            .iter()
            .any(|n| state.secrets.secret(&group.folder_id, n).is_some())
        {
            return Err(ApiError::bad_request(format!(
                "Secret with new name already exists: {}",
                new_names.join(", ")
            )));
        }
    }
    let mut answers = Vec::new();
    let mut touched = Vec::new();
    for group in groups {
        touched.push(group.folder_id.clone());
        for entry in &group.updates {
            let Some(secret) = state.secrets.secret_mut(&group.folder_id, &entry.key) else {
                continue;
            };
            apply(secret, entry);
            let key = secret.key.clone();
            if let Some(new_name) = &entry.new_name {
                touched.extend(rename(
                    state,
                    &group.at,
                    &group.folder_id,
                    &entry.key,
                    new_name,
                ));
            }
            if let Some(secret) = state.secrets.secret(&group.folder_id, &key) {
                answers.push(stored_view(&at.project_id, &at.environment, secret, false));
            }
        }
        if input.mode == UpdateMode::Upsert {
            for entry in &group.creates {
                let stored = new_secret(&NewSecret {
                    key: entry.key.clone(),
                    value: entry.value.clone().unwrap_or_default(),
                    comment: entry.comment.clone().unwrap_or_default(),
                    skip_multiline_encoding: entry.skip_multiline_encoding,
                    metadata: entry.metadata.clone(),
                    tag_ids: entry.tag_ids.clone(),
                    reminder_note: entry.reminder_note.clone(),
                    reminder_repeat_days: entry.reminder_repeat_days,
                });
                answers.push(stored_view(&at.project_id, &at.environment, &stored, false));
                state.secrets.insert_secret(&group.folder_id, stored);
            }
        }
    }
    touched.sort();
    touched.dedup();
    queue_all(state, &touched);
    Ok(json!({ "secrets": answers }))
}

/// `deleteManySecretsRaw` → `deleteManySecret`: the policy, the folder, every name (`One or more
/// secrets does not exist: <the ones found>`), a rotation's mapping, then the deletions, all or
/// none; the answer lists them as they were.
pub(crate) fn delete_secrets(
    state: &mut State,
    identity: &str,
    input: BatchDeleteInput,
) -> Result<Value, ApiError> {
    let at = &input.at;
    find_project(state, &at.project_id)?;
    let changes = Changes {
        deletes: input.secrets.iter().map(|(k, _)| k.as_str()).collect(),
        ..Changes::default()
    };
    if let Some(approval) = held(state, identity, at, &changes)? {
        return Ok(approval);
    }
    let folder_id = folder_for(state, at, "DeleteManySecret")?;
    let mut found: Vec<&StoredSecret> = Vec::new();
    for (key, _) in &input.secrets {
        if let Some(secret) = state.secrets.secret(&folder_id, key)
            && !found.iter().any(|s| s.key == secret.key)
        {
            found.push(secret);
        }
    }
    if found.len() != input.secrets.len() {
        let names: Vec<&str> = found.iter().map(|s| s.key.as_str()).collect();
        return Err(ApiError::not_found(format!(
            "One or more secrets does not exist: {}",
            names.join(", ")
        )));
    }
    if found.iter().any(|s| s.rotation_id.is_some()) {
        return Err(ApiError::bad_request("Cannot delete rotated secrets"));
    }
    let mut answers = Vec::new();
    // An entry of type `personal` deletes the identity's personal secret, and an identity has
    // none: the shared secret stays.
    for (key, personal) in &input.secrets {
        if *personal {
            continue;
        }
        if let Some(secret) = state.secrets.remove_secret(&folder_id, key) {
            answers.push(stored_view(&at.project_id, &at.environment, &secret, false));
        }
    }
    queue_folder_syncs(state, &folder_id);
    Ok(json!({ "secrets": answers }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(view: &Value) -> Vec<&str> {
        view.as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn write_answers_are_secret_raw_schema() {
        let secret = StoredSecret::new("K", "v");
        let view = stored_view("p", "dev", &secret, false);
        let mut fields = keys(&view);
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "_id",
                "createdAt",
                "environment",
                "id",
                "secretComment",
                "secretKey",
                "secretReminderNote",
                "secretReminderRepeatDays",
                "secretValue",
                "secretValueHidden",
                "skipMultilineEncoding",
                "type",
                "updatedAt",
                "version",
                "workspace",
            ]
        );
        let hidden = stored_view("p", "dev", &secret, true);
        assert_eq!(hidden["secretValue"], HIDDEN_VALUE);
        assert_eq!(number(7.0), json!(7));
        assert_eq!(number(1.5), json!(1.5));
    }
}
