//! The folder routes under `/api/v2/folders` (`routes/v2/secret-folder-router.ts`). Each
//! handler authenticates, validates query and body (422 with zod issues), and hands over to
//! [`crate::service::folders`]. Folder ids are plain strings in the server's params.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Authenticated, Body, query};
use crate::schema::folder::{DeleteInput, FolderInput, LIST, ListQuery};
use crate::service::folders;
use crate::service::permissions::{self, Subject, require};
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/folders", get(list).post(create))
        .route(
            "/api/v2/folders/{id}",
            get(get_by_id).patch(update).delete(delete),
        )
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<FolderInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.project_id,
        "create",
        Subject::SecretFolders,
    )?;
    Ok(Json(folders::create_folder(&mut state, input)?))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    Authenticated(identity): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let parsed = ListQuery::new(&query(&LIST, &q)?, q.get("recursive"));
    let state = shared.lock();
    require(
        &state,
        &identity,
        &parsed.project_id,
        "read",
        Subject::SecretFolders,
    )?;
    Ok(Json(folders::list_folders(&state, &parsed)?))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    let project = permissions::project_of_folder(&state, id.trim());
    permissions::require_on(&state, &identity, project, "read", Subject::SecretFolders)?;
    Ok(Json(folders::get_folder(&state, id.trim())?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Path<String>,
    Body(input): Body<FolderInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.project_id,
        "edit",
        Subject::SecretFolders,
    )?;
    let answer = folders::update_folder(&mut state, &id, input)?;
    Ok(Json(answer))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id_or_name): Path<String>,
    Body(input): Body<DeleteInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.project_id,
        "delete",
        Subject::SecretFolders,
    )?;
    let answer = folders::delete_folder(&mut state, &id_or_name, input)?;
    Ok(Json(answer))
}
