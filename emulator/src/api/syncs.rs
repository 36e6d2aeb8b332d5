//! The secret-sync routes: the GitHub destination's under `/api/v1/secret-syncs/github` and the
//! generic list and options under `/api/v1/secret-syncs`. Each handler authenticates, validates
//! params, query and body (422 with zod issues), and hands over to [`crate::service::syncs`].

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::{Authenticated, Body, Id, IdParam, project_id, query};
use crate::schema::sync;
use crate::service::permissions::{self, Subject, require};
use crate::service::syncs;
use crate::state::Shared;
use crate::store::syncs::JobKind;
use crate::zod::{Schema, with_default};

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/secret-syncs", get(list))
        .route("/api/v1/secret-syncs/options", get(options))
        .route("/api/v1/secret-syncs/github", get(list).post(create))
        .route(
            "/api/v1/secret-syncs/github/check-destination",
            post(check_destination),
        )
        .route(
            "/api/v1/secret-syncs/github/sync-name/{name}",
            get(get_by_name),
        )
        .route(
            "/api/v1/secret-syncs/github/{id}",
            get(get_by_id).patch(update).delete(delete),
        )
        .route(
            "/api/v1/secret-syncs/github/{id}/sync-secrets",
            post(sync_secrets),
        )
        .route(
            "/api/v1/secret-syncs/github/{id}/remove-secrets",
            post(remove_secrets),
        )
        .route(
            "/api/v1/secret-syncs/github/{id}/import-secrets",
            post(import_secrets),
        )
}

type Q = Query<HashMap<String, String>>;

/// `{ removeSecrets: z.enum(["true", "false"]).default("false") }`.
static DELETE_QUERY: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![(
        "removeSecrets",
        with_default(Schema::Enum(&["true", "false"]), "false"),
    )])
});

/// `{ importBehavior: z.nativeEnum(SecretSyncImportBehavior) }`.
static IMPORT_QUERY: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![(
        "importBehavior",
        Schema::Enum(&["prioritize-source", "prioritize-destination"]),
    )])
});

/// The `:syncId` parameter.
struct SyncId;

impl IdParam for SyncId {
    const NAME: &'static str = "syncId";
}

fn one(sync: Value) -> Json<Value> {
    Json(json!({ "secretSync": sync }))
}

/// `GET /api/v1/secret-syncs/github?projectId`, and the generic list, which has only GitHub
/// syncs to show here.
async fn list(
    State(shared): State<Arc<Shared>>,
    Query(q): Q,
    Authenticated(identity): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let project = project_id(&q)?;
    let state = shared.lock();
    require(&state, &identity, &project, "read", Subject::SecretSyncs)?;
    let syncs = syncs::list_syncs(&state, &project)?;
    Ok(Json(json!({ "secretSyncs": syncs })))
}

/// `GET /api/v1/secret-syncs/options`: only GitHub's option is served here.
async fn options(_: Authenticated) -> Json<Value> {
    Json(json!({
        "secretSyncOptions": [{
            "name": "GitHub", "destination": "github", "connection": "github",
            "canImportSecrets": false,
        }],
    }))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Id(id, ..): Id<SyncId>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    on_sync(&state, &identity, &id, "read")?;
    Ok(one(syncs::get_sync(&state, &id)?))
}

/// [`require`] on the project of the sync `id`, when it exists.
fn on_sync(
    state: &crate::state::State,
    identity: &str,
    id: &str,
    action: &str,
) -> Result<(), ApiError> {
    let project = permissions::project_of_sync(state, id);
    permissions::require_on(state, identity, project, action, Subject::SecretSyncs)
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(q): Q,
    Authenticated(identity): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let project = project_id(&q)?;
    let state = shared.lock();
    require(&state, &identity, &project, "read", Subject::SecretSyncs)?;
    Ok(one(syncs::get_sync_by_name(&state, &name, &project)?))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<sync::CreateInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.project_id,
        "create",
        Subject::SecretSyncs,
    )?;
    Ok(one(syncs::create_sync(&mut state, input)?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Id(id, ..): Id<SyncId>,
    Body(input): Body<sync::UpdateInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    on_sync(&state, &identity, &id, "edit")?;
    Ok(one(syncs::update_sync(&mut state, &id, input)?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Query(q): Q,
    Authenticated(identity): Authenticated,
    Id(id, ..): Id<SyncId>,
) -> Result<Json<Value>, ApiError> {
    let parsed = query(&DELETE_QUERY, &q)?;
    let remove = parsed["removeSecrets"] == "true";
    let mut state = shared.lock();
    on_sync(&state, &identity, &id, "delete")?;
    Ok(one(syncs::delete_sync(&mut state, &id, remove)?))
}

async fn sync_secrets(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Id(id, ..): Id<SyncId>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    on_sync(&state, &identity, &id, "sync-secrets")?;
    Ok(one(syncs::trigger_sync(&mut state, &id, JobKind::Sync)?))
}

async fn remove_secrets(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Id(id, ..): Id<SyncId>,
) -> Result<Json<Value>, ApiError> {
    let kind = JobKind::Remove {
        delete_on_complete: false,
    };
    let mut state = shared.lock();
    on_sync(&state, &identity, &id, "remove-secrets")?;
    Ok(one(syncs::trigger_sync(&mut state, &id, kind)?))
}

async fn import_secrets(
    State(shared): State<Arc<Shared>>,
    Query(q): Q,
    Authenticated(identity): Authenticated,
    Id(id, ..): Id<SyncId>,
) -> Result<Json<Value>, ApiError> {
    query(&IMPORT_QUERY, &q)?;
    let state = shared.lock();
    on_sync(&state, &identity, &id, "import-secrets")?;
    Ok(one(syncs::import_sync(&state, &id)?))
}

async fn check_destination(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Body(input): Body<sync::CheckDestinationInput>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(syncs::check_destination(
        &shared.lock(),
        &input.destination_config,
        input.exclude_sync_id.as_deref(),
    )))
}
