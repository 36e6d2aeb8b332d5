//! The secret-sync routes: the GitHub destination's under `/api/v1/secret-syncs/github` and the
//! generic list and options under `/api/v1/secret-syncs`. Each handler authenticates, validates
//! params, query and body (422 with zod issues), and hands over to [`crate::sync`].

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::routes::{authorization, json_body};
use crate::state::Shared;
use crate::sync::{self, JobKind};
use crate::zod::{self, Schema, parse, string, with_default};

/// The routes, to be merged into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/secret-syncs", get(list_all))
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

/// `{ projectId: z.string().trim().min(1) }`.
static PROJECT_QUERY: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![(
        "projectId",
        string()
            .trim()
            .min(1, "String must contain at least 1 character(s)")
            .into(),
    )])
});

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

/// Validates a query string against a schema; the parsed object.
fn query(schema: &Schema, query: &HashMap<String, String>) -> Result<Value, ApiError> {
    let input = Value::Object(
        query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    );
    let mut issues = Vec::new();
    let parsed = parse(schema, Some(&input), &[], &mut issues);
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    Ok(parsed.value.unwrap_or(Value::Null))
}

fn project_id(q: &HashMap<String, String>) -> Result<String, ApiError> {
    let parsed = query(&PROJECT_QUERY, q)?;
    Ok(parsed["projectId"].as_str().unwrap_or_default().to_owned())
}

/// The `:syncId` param check (`z.string().uuid()`).
fn check_sync_id(id: &str) -> Result<(), ApiError> {
    if zod::is_uuid(id) {
        Ok(())
    } else {
        Err(ApiError::validation(vec![json!({
            "validation": "uuid", "code": "invalid_string", "message": "Invalid uuid",
            "path": ["syncId"],
        })]))
    }
}

fn one(sync: Value) -> Json<Value> {
    Json(json!({ "secretSync": sync }))
}

async fn list_all(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    let syncs = state.list_syncs(&project_id(&q)?)?;
    Ok(Json(json!({ "secretSyncs": syncs })))
}

/// `GET /api/v1/secret-syncs/options`: only GitHub's option is served here.
async fn options(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    shared.lock().authenticate(authorization(&headers))?;
    Ok(Json(json!({
        "secretSyncOptions": [{
            "name": "GitHub", "destination": "github", "connection": "github",
            "canImportSecrets": false,
        }],
    })))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    let syncs = state.list_syncs(&project_id(&q)?)?;
    Ok(Json(json!({ "secretSyncs": syncs })))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_sync_id(&id)?;
    Ok(one(state.get_sync(&id)?))
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    let project = project_id(&q)?;
    Ok(one(state.get_sync_by_name(&name, &project)?))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    shared.lock().authenticate(authorization(&headers))?;
    let input = sync::parse_create(json_body(&body)?.as_ref())?;
    Ok(one(shared.lock().create_sync(input)?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    shared.lock().authenticate(authorization(&headers))?;
    check_sync_id(&id)?;
    let input = sync::parse_update(json_body(&body)?.as_ref())?;
    Ok(one(shared.lock().update_sync(&id, input)?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_sync_id(&id)?;
    let parsed = query(&DELETE_QUERY, &q)?;
    let remove = parsed["removeSecrets"] == "true";
    Ok(one(state.delete_sync(&id, remove)?))
}

async fn sync_secrets(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_sync_id(&id)?;
    Ok(one(state.trigger_sync(&id, JobKind::Sync)?))
}

async fn remove_secrets(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_sync_id(&id)?;
    let kind = JobKind::Remove {
        delete_on_complete: false,
    };
    Ok(one(state.trigger_sync(&id, kind)?))
}

async fn import_secrets(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_sync_id(&id)?;
    query(&IMPORT_QUERY, &q)?;
    Ok(one(state.import_sync(&id)?))
}

async fn check_destination(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    shared.lock().authenticate(authorization(&headers))?;
    let (config, exclude) = sync::parse_check_destination(json_body(&body)?.as_ref())?;
    Ok(Json(
        shared.lock().check_destination(&config, exclude.as_deref()),
    ))
}
