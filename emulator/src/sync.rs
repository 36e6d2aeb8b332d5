//! GitHub secret syncs: the request schemas of `/api/v1/secret-syncs/github` (zod rules and
//! messages of Infisical's `secret-sync-schemas.ts` and `github-sync-schemas.ts`), the stored
//! rows and their answers, and the server-side logic of each route (checks in the server's
//! order, statuses set to `pending` and jobs queued for [`crate::sync_jobs`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::clock::now_iso;
use crate::error::ApiError;
use crate::state::State;
use crate::store::connections::Project;
use crate::store::syncs::{JobKind, SecretSync, Status};
use crate::zod::{
    Schema, array, check, custom_issue, invalid_type, literal, nullish, optional, refine, string,
    with_default,
};

/// The destination's URL segment and `destination` value.
pub(crate) const DESTINATION: &str = "github";
/// The one `initialSyncBehavior` a destination that cannot import accepts.
const OVERWRITE: &str = "overwrite-destination";
/// The key schema's refinement message.
const KEY_SCHEMA_MESSAGE: &str = "Key schema must include exactly one {{secretKey}} placeholder. It can also include {{environment}} placeholders. Only alphanumeric characters (a-z, A-Z, 0-9), dashes (-), underscores (_), and slashes (/) are allowed besides the placeholders.";
/// The 400 of the trigger routes and of `DELETE ?removeSecrets=true` for a sync whose folder is
/// gone (`triggerSecretSyncSyncSecretsById`, `deleteSecretSync` in `secret-sync-service.ts`).
pub(crate) const FOLDER_GONE_ACTION: &str = "Invalid source configuration: folder no longer exists. Please configure a valid source and try again.";
/// The message of the `SecretSyncError` a job throws for a sync whose folder is gone
/// (`$getInfisicalSecrets` in `secret-sync-queue.ts`).
pub(crate) const FOLDER_GONE_JOB: &str = "Invalid Secret Sync source configuration: folder no longer exists. Please update source environment and secret path.";
/// The 400 of a sync whose job holds the lock.
pub(crate) const LOCKED: &str =
    "A job for this sync is already in progress. Please try again shortly.";
/// What `$handleAcquireLockFailure` writes for a remove job that met the lock, or a sync job
/// requeued past the limit.
pub(crate) const LOCK_FAILED: &str = "Failed to run job. This typically happens when a sync is already in progress. Please try again.";

// ----- schemas -----

fn name_schema() -> Schema {
    string()
        .trim()
        .min(1, "name field must be at least 1 lowercase character")
        .max(256, "name field must be at most 256 lowercase characters")
        .slug("name field can only contain lowercase letters, numbers, and hyphens")
        .into()
}

fn environment_schema() -> Schema {
    string()
        .trim()
        .min(
            1,
            "environment field must be at least 1 lowercase character",
        )
        .max(
            64,
            "environment field must be at most 64 lowercase characters",
        )
        .slug("environment field can only contain lowercase letters, numbers, and hyphens")
        .into()
}

fn description_schema() -> Schema {
    nullish(
        string()
            .trim()
            .max(256, "Description cannot exceed 256 characters"),
    )
}

/// `^([a-zA-Z0-9_\-/]|{{secretKey}}|{{environment}})*$` and at least one `{{secretKey}}`; the
/// empty schema passes (the newest RE2 version does not check "exactly one").
pub(crate) fn key_schema_is_valid(schema: &str) -> bool {
    if schema.is_empty() {
        return true;
    }
    if !schema.contains("{{secretKey}}") {
        return false;
    }
    let rest = schema
        .replace("{{secretKey}}", "")
        .replace("{{environment}}", "");
    rest.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/'))
}

fn check_key_schema(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let valid = value.as_str().is_none_or(key_schema_is_valid);
    if !valid {
        issues.push(custom_issue(path, KEY_SCHEMA_MESSAGE));
    }
    !valid
}

fn sync_options_schema() -> Schema {
    Schema::Object(vec![
        ("initialSyncBehavior", literal(OVERWRITE)),
        (
            "keySchema",
            optional(refine(
                string()
                    .trim()
                    .max(255, "String must contain at most 255 character(s)"),
                check_key_schema,
            )),
        ),
        ("disableSecretDeletion", optional(Schema::Bool)),
    ])
}

/// The organization scope's superRefine on `selectedRepositoryIds`.
fn check_visibility(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    if value.get("scope").and_then(Value::as_str) != Some("organization") {
        return false;
    }
    let selected = value
        .get("selectedRepositoryIds")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut at = path.to_vec();
    at.push(Value::from("selectedRepositoryIds"));
    let message = match value.get("visibility").and_then(Value::as_str) {
        Some("selected") if selected == 0 => "Select at least 1 repository",
        Some(visibility) if visibility != "selected" && selected > 0 => {
            "Selected repositories is only supported for visibility \"Selected\""
        }
        _ => return false,
    };
    issues.push(custom_issue(&at, message));
    true
}

fn destination_config_schema() -> Schema {
    let owner = || -> Schema { string().min(1, "Repository owner name required").into() };
    let repo = || -> Schema { string().min(1, "Repository name required").into() };
    refine(
        Schema::Discriminated {
            key: "scope",
            options: vec![
                (
                    "organization",
                    Schema::Object(vec![
                        ("scope", literal("organization")),
                        ("org", string().min(1, "Organization name required").into()),
                        ("visibility", Schema::Enum(&["all", "private", "selected"])),
                        ("selectedRepositoryIds", optional(array(Schema::Number))),
                    ]),
                ),
                (
                    "repository",
                    Schema::Object(vec![
                        ("scope", literal("repository")),
                        ("owner", owner()),
                        ("repo", repo()),
                    ]),
                ),
                (
                    "repository-environment",
                    Schema::Object(vec![
                        ("scope", literal("repository-environment")),
                        ("owner", owner()),
                        ("repo", repo()),
                        ("env", string().min(1, "Environment name required").into()),
                    ]),
                ),
            ],
        },
        check_visibility,
    )
}

/// `CreateGitHubSyncSchema`.
static CREATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", name_schema()),
        (
            "projectId",
            string()
                .trim()
                .min(1, "String must contain at least 1 character(s)")
                .into(),
        ),
        ("description", description_schema()),
        ("connectionId", string().uuid().into()),
        ("environment", environment_schema()),
        (
            "secretPath",
            string().trim().min(1, "Secret path required").into(),
        ),
        ("isAutoSyncEnabled", with_default(Schema::Bool, true)),
        ("syncOptions", sync_options_schema()),
        ("destinationConfig", destination_config_schema()),
    ])
});

/// `UpdateGitHubSyncSchema`: every field optional, no `projectId`.
static UPDATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", optional(name_schema())),
        ("description", description_schema()),
        ("connectionId", optional(string().uuid())),
        ("environment", optional(environment_schema())),
        (
            "secretPath",
            optional(string().trim().min(1, "Invalid secret path")),
        ),
        ("isAutoSyncEnabled", optional(Schema::Bool)),
        ("syncOptions", optional(sync_options_schema())),
        ("destinationConfig", optional(destination_config_schema())),
    ])
});

/// The check-destination body.
static CHECK_DESTINATION: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("connectionId", optional(string().uuid())),
        ("excludeSyncId", optional(string().uuid())),
        ("projectId", string().uuid().into()),
    ])
});

/// `secretPath`'s transform: one trailing `/` removed, `/` itself kept.
fn strip_trailing_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => path.to_owned(),
    }
}

fn validated(schema: &Schema, body: Option<&Value>) -> Result<Value, ApiError> {
    check(schema, body)
        .map_err(ApiError::validation)?
        .ok_or_else(|| ApiError::validation(vec![invalid_type("object", body, &[])]))
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A validated create body.
pub(crate) struct CreateInput {
    name: String,
    project_id: String,
    description: Option<String>,
    connection_id: String,
    environment: String,
    secret_path: String,
    is_auto_sync_enabled: bool,
    sync_options: Value,
    destination_config: Value,
}

/// Validates a create body (422 with the zod issues).
pub(crate) fn parse_create(body: Option<&Value>) -> Result<CreateInput, ApiError> {
    let value = validated(&CREATE, body)?;
    Ok(CreateInput {
        name: text(&value, "name").unwrap_or_default(),
        project_id: text(&value, "projectId").unwrap_or_default(),
        description: text(&value, "description"),
        connection_id: text(&value, "connectionId").unwrap_or_default(),
        environment: text(&value, "environment").unwrap_or_default(),
        secret_path: strip_trailing_slash(&text(&value, "secretPath").unwrap_or_default()),
        is_auto_sync_enabled: value
            .get("isAutoSyncEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        sync_options: value.get("syncOptions").cloned().unwrap_or(Value::Null),
        destination_config: value
            .get("destinationConfig")
            .cloned()
            .unwrap_or(Value::Null),
    })
}

/// A validated PATCH body; `description: Some(None)` is an explicit `null`.
pub(crate) struct UpdateInput {
    name: Option<String>,
    description: Option<Option<String>>,
    connection_id: Option<String>,
    environment: Option<String>,
    secret_path: Option<String>,
    is_auto_sync_enabled: Option<bool>,
    sync_options: Option<Value>,
    destination_config: Option<Value>,
}

/// Validates a PATCH body (422 with the zod issues).
pub(crate) fn parse_update(body: Option<&Value>) -> Result<UpdateInput, ApiError> {
    let value = validated(&UPDATE, body)?;
    Ok(UpdateInput {
        name: text(&value, "name"),
        description: value
            .get("description")
            .map(|d| d.as_str().map(str::to_owned)),
        connection_id: text(&value, "connectionId"),
        environment: text(&value, "environment"),
        secret_path: text(&value, "secretPath").map(|p| strip_trailing_slash(&p)),
        is_auto_sync_enabled: value.get("isAutoSyncEnabled").and_then(Value::as_bool),
        sync_options: value.get("syncOptions").cloned(),
        destination_config: value.get("destinationConfig").cloned(),
    })
}

/// Validates a check-destination body: `(destinationConfig, excludeSyncId, projectId)`.
pub(crate) fn parse_check_destination(
    body: Option<&Value>,
) -> Result<(Value, Option<String>), ApiError> {
    let value = validated(&CHECK_DESTINATION, body)?;
    let config = body
        .and_then(|b| b.get("destinationConfig"))
        .cloned()
        .unwrap_or(Value::Null);
    Ok((config, text(&value, "excludeSyncId")))
}

/// The display name Infisical gives an app in "… Connection with ID … cannot be used" messages.
fn app_name(app: &str) -> String {
    match app {
        "github" => "GitHub".to_owned(),
        "github-radar" => "GitHub Radar".to_owned(),
        "gitlab" => "GitLab".to_owned(),
        "aws" => "AWS".to_owned(),
        "gcp" => "GCP".to_owned(),
        "azure-key-vault" => "Azure Key Vault".to_owned(),
        "vercel" => "Vercel".to_owned(),
        other => other.to_owned(),
    }
}

// ----- the service -----

impl State {
    /// The server's answer to a project it does not know. The exact text was not read; the
    /// permission lookup throws a NotFoundError, so this is a 404.
    fn sync_project(&self, project_id: &str) -> Result<(), ApiError> {
        if self.projects.contains_key(project_id) {
            Ok(())
        } else {
            Err(ApiError::not_found(format!(
                "Project with ID '{project_id}' not found"
            )))
        }
    }

    /// The folder lookup of create and PATCH: its id, or the server's 400.
    fn sync_folder(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> Result<String, ApiError> {
        self.secrets
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
    fn sync_connection(&self, connection_id: &str, project_id: &str) -> Result<(), ApiError> {
        let connection = self.connection(connection_id).ok_or_else(|| {
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
    fn duplicate_destination(&self, config: &Value, exclude: Option<&str>) -> Option<&SecretSync> {
        self.syncs
            .order
            .iter()
            .filter_map(|id| self.syncs.syncs.get(id))
            .find(|s| Some(s.id.as_str()) != exclude && s.destination_config == *config)
    }

    /// The 400 when the organization blocks duplicate destinations and one exists.
    fn check_duplicate(
        &self,
        config: &Value,
        project_id: &str,
        exclude: Option<&str>,
    ) -> Result<(), ApiError> {
        if !self.syncs.block_duplicates {
            return Ok(());
        }
        match self.duplicate_destination(config, exclude) {
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

    fn sync_name_taken(&self, project_id: &str, name: &str, except: Option<&str>) -> bool {
        self.syncs
            .syncs
            .values()
            .any(|s| s.project_id == project_id && s.name == name && Some(s.id.as_str()) != except)
    }

    /// A sync as the routes answer it.
    pub(crate) fn sync_view(&self, sync: &SecretSync) -> Value {
        let folder = sync
            .folder_id
            .as_deref()
            .and_then(|id| self.secrets.folder(id));
        let environment =
            folder.and_then(|f| self.secrets.environment(&f.project_id, &f.environment));
        let connection = self.connection(&sync.connection_id);
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

    fn find_sync(&self, id: &str) -> Result<&SecretSync, ApiError> {
        self.syncs
            .syncs
            .get(id)
            .ok_or_else(|| Self::sync_not_found(id))
    }

    /// `GET /api/v1/secret-syncs/github?projectId` (and the generic list, which has only
    /// GitHub syncs to show here): the project's syncs, in creation order.
    pub(crate) fn list_syncs(&self, project_id: &str) -> Result<Vec<Value>, ApiError> {
        self.sync_project(project_id)?;
        Ok(self
            .syncs
            .order
            .iter()
            .filter_map(|id| self.syncs.syncs.get(id))
            .filter(|s| s.project_id == project_id)
            .map(|s| self.sync_view(s))
            .collect())
    }

    /// `GET /api/v1/secret-syncs/github/:id`.
    pub(crate) fn get_sync(&self, id: &str) -> Result<Value, ApiError> {
        Ok(self.sync_view(self.find_sync(id)?))
    }

    /// `GET /api/v1/secret-syncs/github/sync-name/:name?projectId`.
    pub(crate) fn get_sync_by_name(&self, name: &str, project_id: &str) -> Result<Value, ApiError> {
        self.sync_project(project_id)?;
        self.syncs
            .syncs
            .values()
            .find(|s| s.project_id == project_id && s.name == name)
            .map(|s| self.sync_view(s))
            .ok_or_else(|| {
                ApiError::not_found(format!("Could not find GitHub Sync with name \"{name}\""))
            })
    }

    /// `POST /api/v1/secret-syncs/github`, after body validation, in the server's order:
    /// project, folder, duplicate destination (when blocked), connection, name.
    pub(crate) fn create_sync(&mut self, input: CreateInput) -> Result<Value, ApiError> {
        self.sync_project(&input.project_id)?;
        let folder_id =
            self.sync_folder(&input.project_id, &input.environment, &input.secret_path)?;
        self.check_duplicate(&input.destination_config, &input.project_id, None)?;
        self.sync_connection(&input.connection_id, &input.project_id)?;
        if self.sync_name_taken(&input.project_id, &input.name, None) {
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
        self.syncs.order.push(id.clone());
        self.syncs.syncs.insert(id.clone(), sync);
        if auto {
            self.syncs.enqueue(&id, JobKind::Sync, 0);
        }
        self.get_sync(&id)
    }

    /// `PATCH /api/v1/secret-syncs/github/:id`, after body validation: the sync (404), a new
    /// source's folder, a new destination's duplicate check, a new connection, the name. As
    /// `updateSecretSync` (`secret-sync-service.ts`): the row gets `syncStatus: pending` only
    /// when auto-sync is on and the sync has a folder, but a job is queued whenever auto-sync is
    /// on (with the folder gone, it fails). The answer is the row after the update.
    pub(crate) fn update_sync(&mut self, id: &str, input: UpdateInput) -> Result<Value, ApiError> {
        let current = self
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
            Some(self.sync_folder(&current.project_id, &environment, &secret_path)?)
        } else {
            current.folder_id.clone()
        };
        if let Some(config) = &input.destination_config
            && *config != current.destination_config
        {
            self.check_duplicate(config, &current.project_id, Some(id))?;
        }
        if let Some(connection) = &input.connection_id
            && *connection != current.connection_id
        {
            self.sync_connection(connection, &current.project_id)?;
        }
        if let Some(name) = &input.name
            && self.sync_name_taken(&current.project_id, name, Some(id))
        {
            return Err(ApiError::bad_request(format!(
                "A Secret Sync with the name \"{name}\" already exists for the project with ID \"{}\"",
                current.project_id
            )));
        }
        let auto = {
            let Some(sync) = self.syncs.syncs.get_mut(id) else {
                return Err(Self::sync_not_found(id));
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
            self.syncs.enqueue(id, JobKind::Sync, 0);
        }
        self.get_sync(id)
    }

    /// `DELETE /api/v1/secret-syncs/github/:id?removeSecrets`: without removal the row goes at
    /// once; with it, as `deleteSecretSync`: the folder (400 when gone), then the lock (400 while
    /// an attempt runs; accepted between attempts), then a remove job is queued (it runs at once)
    /// and the still-existing sync is answered with `removeStatus: pending`.
    pub(crate) fn delete_sync(
        &mut self,
        id: &str,
        remove_secrets: bool,
    ) -> Result<Value, ApiError> {
        let sync = self.find_sync(id)?;
        let answer = self.sync_view(sync);
        if !remove_secrets {
            self.syncs.remove(id);
            return Ok(answer);
        }
        Self::check_runnable(sync)?;
        self.syncs.queue(
            id,
            JobKind::Remove {
                delete_on_complete: true,
            },
        );
        self.get_sync(id)
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
    pub(crate) fn trigger_sync(&mut self, id: &str, kind: JobKind) -> Result<Value, ApiError> {
        Self::check_runnable(self.find_sync(id)?)?;
        self.syncs.queue(id, kind);
        self.get_sync(id)
    }

    /// `POST …/:id/import-secrets`: GitHub cannot return values, so always a 400 once the sync
    /// is found.
    pub(crate) fn import_sync(&self, id: &str) -> Result<Value, ApiError> {
        self.find_sync(id)?;
        Err(ApiError::bad_request(
            "GitHub does not support importing secrets.",
        ))
    }

    /// `POST …/check-destination`: never fails; any equal destination config in the
    /// organization other than `exclude` is a duplicate.
    pub(crate) fn check_destination(&self, config: &Value, exclude: Option<&str>) -> Value {
        match self.duplicate_destination(config, exclude) {
            Some(other) => json!({ "hasDuplicate": true, "duplicateProjectId": other.project_id }),
            None => json!({ "hasDuplicate": false }),
        }
    }

    // ----- the source side (admin) -----

    /// Queues a sync for every auto-synced sync of a folder, as a secret mutation does.
    pub(crate) fn queue_folder_syncs(&mut self, folder_id: &str) {
        let ids: Vec<String> = self
            .syncs
            .order
            .iter()
            .filter(|id| {
                self.syncs.syncs.get(*id).is_some_and(|s| {
                    s.is_auto_sync_enabled && s.folder_id.as_deref() == Some(folder_id)
                })
            })
            .cloned()
            .collect();
        for id in ids {
            self.syncs.queue(&id, JobKind::Sync);
        }
    }

    /// Sets a secret (creating its environment and folders as needed) and queues the folder's
    /// auto-synced syncs.
    pub(crate) fn set_secret(
        &mut self,
        project_id: &str,
        environment: &str,
        path: &str,
        key: &str,
        value: &str,
    ) {
        self.ensure_project(project_id);
        let folder = self.secrets.ensure_folder(project_id, environment, path);
        self.secrets.set_secret(&folder, key, value);
        self.queue_folder_syncs(&folder);
    }

    /// Deletes a secret and, when it existed, queues the folder's auto-synced syncs.
    pub(crate) fn delete_secret(
        &mut self,
        project_id: &str,
        environment: &str,
        path: &str,
        key: &str,
    ) -> bool {
        let Some(folder) = self
            .secrets
            .folder_at(project_id, environment, path)
            .map(|f| f.id.clone())
        else {
            return false;
        };
        let deleted = self.secrets.delete_secret(&folder, key);
        if deleted {
            self.queue_folder_syncs(&folder);
        }
        deleted
    }

    /// Deletes a folder and its subfolders; syncs on them lose their folder (`folderId: null`).
    pub(crate) fn delete_folder(
        &mut self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> bool {
        let gone = self.secrets.delete_folder(project_id, environment, path);
        for sync in self.syncs.syncs.values_mut() {
            if sync.folder_id.as_ref().is_some_and(|f| gone.contains(f)) {
                sync.folder_id = None;
            }
        }
        !gone.is_empty()
    }

    /// Declares a project unless known, with Infisical's default environments.
    pub(crate) fn ensure_project(&mut self, project_id: &str) {
        if !self.projects.contains_key(project_id) {
            self.projects
                .insert(project_id.to_owned(), Project::new(project_id.to_owned()));
        }
        self.secrets.ensure_default_environments(project_id);
    }

    /// The secrets of the folder at `path`.
    pub(crate) fn folder_secrets(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> Option<BTreeMap<String, String>> {
        let folder = self.secrets.folder_at(project_id, environment, path)?;
        Some(self.secrets.secrets(&folder.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(error: ApiError) -> Vec<String> {
        error
            .message()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{}: {}", i["path"], i["message"].as_str().unwrap()))
            .collect()
    }

    fn body(config: Value, options: Value) -> Value {
        json!({
            "name": "my-sync", "projectId": "p", "connectionId": "0c3b2a19-8d7e-4f6a-9b5c-4d3e2f1a0b9c",
            "environment": "dev", "secretPath": "/app/", "syncOptions": options,
            "destinationConfig": config,
        })
    }

    #[test]
    fn create_defaults_auto_sync_and_strips_the_trailing_slash() {
        let input = parse_create(Some(&body(
            json!({ "scope": "repository", "owner": "o", "repo": "r", "env": "dropped" }),
            json!({ "initialSyncBehavior": "overwrite-destination" }),
        )))
        .ok()
        .unwrap();
        assert!(input.is_auto_sync_enabled);
        assert_eq!(input.secret_path, "/app");
        assert_eq!(
            input.destination_config,
            json!({ "scope": "repository", "owner": "o", "repo": "r" })
        );
    }

    #[test]
    fn organization_visibility_and_key_schema_are_refined() {
        let error = parse_create(Some(&body(
            json!({ "scope": "organization", "org": "o", "visibility": "selected" }),
            json!({ "initialSyncBehavior": "import-prioritize-source", "keySchema": "X_{{secretKey}}!" }),
        )))
        .err()
        .unwrap();
        let found = messages(error);
        assert!(
            found
                .iter()
                .any(|m| m.contains("Invalid literal value, expected \"overwrite-destination\"")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("Key schema must include")),
            "{found:?}"
        );
        assert!(
            found.contains(
                &r#"["destinationConfig","selectedRepositoryIds"]: Select at least 1 repository"#
                    .to_owned()
            ),
            "{found:?}"
        );
        let error = parse_create(Some(&body(
            json!({ "scope": "team", "org": "o" }),
            json!({ "initialSyncBehavior": "overwrite-destination" }),
        )))
        .err()
        .unwrap();
        assert_eq!(
            messages(error),
            [
                r#"["destinationConfig","scope"]: Invalid discriminator value. Expected 'organization' | 'repository' | 'repository-environment'"#
            ]
        );
    }

    #[test]
    fn key_schemas_need_the_placeholder_and_plain_characters() {
        assert!(key_schema_is_valid(""));
        assert!(key_schema_is_valid("APP_{{secretKey}}"));
        assert!(key_schema_is_valid("{{environment}}-{{secretKey}}/x"));
        assert!(!key_schema_is_valid("APP_"));
        assert!(!key_schema_is_valid("{{secretKey}} x"));
    }
}
