//! The GitHub app connection routes under `/api/v1/app-connections/github`, and the GitHub Apps
//! a connection may name (`/api/v1/github-apps`). Each handler authenticates, validates its
//! params and body (422 with zod issues) and hands over to [`crate::service::connections`].

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::{Authenticated, Body, Id, IdParam};
use crate::schema::connection as github;
use crate::service::connections;
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/app-connections/github", get(list).post(create))
        .route(
            "/api/v1/app-connections/github/connection-name/{name}",
            get(get_by_name),
        )
        .route(
            "/api/v1/app-connections/github/{id}",
            get(get_by_id).patch(update).delete(delete),
        )
        .route("/api/v1/github-apps", get(list_github_apps))
}

/// The `:connectionId` parameter.
struct ConnectionId;

impl IdParam for ConnectionId {
    const NAME: &'static str = "connectionId";
}

/// `?projectId=`: the scope of list and get-by-name.
#[derive(Deserialize)]
struct Scope {
    #[serde(rename = "projectId")]
    project_id: Option<String>,
}

fn one(connection: Value) -> Json<Value> {
    Json(json!({ "appConnection": connection }))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Query(scope): Query<Scope>,
    _: Authenticated,
) -> Result<Json<Value>, ApiError> {
    let connections = connections::list(
        &shared.lock(),
        &shared.settings,
        github::APP,
        scope.project_id.as_deref(),
    )?;
    Ok(Json(json!({ "appConnections": connections })))
}

/// `GET /api/v1/github-apps?projectId`: the GitHub Apps a connection may name (machine
/// identities may call it, unlike the rest of the GitHub App routes, which are JWT-only).
async fn list_github_apps(
    State(shared): State<Arc<Shared>>,
    Query(scope): Query<Scope>,
    _: Authenticated,
) -> Result<Json<Value>, ApiError> {
    let apps = connections::list_github_apps(
        &shared.lock(),
        &shared.settings,
        scope.project_id.as_deref(),
    )?;
    Ok(Json(json!({ "gitHubApps": apps })))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Id(id, ..): Id<ConnectionId>,
) -> Result<Json<Value>, ApiError> {
    Ok(one(connections::get(
        &shared.lock(),
        &shared.settings,
        github::APP,
        &id,
    )?))
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(scope): Query<Scope>,
    _: Authenticated,
) -> Result<Json<Value>, ApiError> {
    let name = name.trim();
    Ok(one(connections::get_by_name(
        &shared.lock(),
        &shared.settings,
        github::APP,
        name,
        scope.project_id.as_deref(),
    )?))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Body(input): Body<github::CreateInput>,
) -> Result<Json<Value>, ApiError> {
    Ok(one(connections::create_github(
        &mut shared.lock(),
        &shared.settings,
        input,
    )?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Id(id, ..): Id<ConnectionId>,
    Body(input): Body<github::UpdateInput>,
) -> Result<Json<Value>, ApiError> {
    Ok(one(connections::update_github(
        &mut shared.lock(),
        &shared.settings,
        &id,
        input,
    )?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Id(id, ..): Id<ConnectionId>,
) -> Result<Json<Value>, ApiError> {
    Ok(one(connections::delete(
        &mut shared.lock(),
        &shared.settings,
        github::APP,
        &id,
    )?))
}
