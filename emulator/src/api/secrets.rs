//! The secret routes under `/api/v4/secrets` (`routes/v4/secret-router.ts`). Each handler
//! authenticates, validates the path's name, the query or the body (422 with zod issues, the
//! path first as Fastify does), and hands over to [`crate::service::secrets`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Authenticated, Body, query};
use crate::schema::secret::{
    BatchCreateInput, BatchDeleteInput, BatchUpdateInput, CreateInput, DeleteInput, GET, GetQuery,
    LIST, ListQuery, NameParam, UpdateInput,
};
use crate::service::permissions::{self, Subject, require};
use crate::service::secrets;
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v4/secrets", get(list))
        .route(
            "/api/v4/secrets/batch",
            get(get_batch_by_name)
                .post(create_many)
                .patch(update_many)
                .delete(delete_many),
        )
        .route("/api/v4/secrets/id/{secretId}", get(get_by_id))
        .route(
            "/api/v4/secrets/{secretName}",
            get(get_by_name).post(create).patch(update).delete(delete),
        )
}

type Answer = Result<Json<Value>, ApiError>;

async fn list(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    Authenticated(identity): Authenticated,
) -> Answer {
    let parsed = ListQuery::new(&query(&LIST, &q)?);
    let state = shared.lock();
    if let Some(project) = &parsed.project_id {
        require(
            &state,
            &identity,
            project,
            "describeSecret",
            Subject::Secrets,
        )?;
    }
    Ok(Json(secrets::list_secrets(&state, &parsed)?))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Path<String>,
) -> Answer {
    let state = shared.lock();
    let project = permissions::project_of_secret(&state, &id);
    permissions::require_on(&state, &identity, project, "readValue", Subject::Secrets)?;
    Ok(Json(secrets::get_secret_by_id(&state, &id)?))
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
) -> Answer {
    read_by_name(&shared, &identity, &q, &name)
}

/// Fastify's router keeps a tree per method: `GET /batch` is the secret named `batch`.
async fn get_batch_by_name(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    Authenticated(identity): Authenticated,
) -> Answer {
    read_by_name(&shared, &identity, &q, "batch")
}

fn read_by_name(
    shared: &Shared,
    identity: &str,
    q: &HashMap<String, String>,
    name: &str,
) -> Answer {
    let name = NameParam::Get.parse(name)?;
    let parsed = GetQuery::new(&query(&GET, q)?);
    let state = shared.lock();
    if !parsed.project_id.is_empty() {
        require(
            &state,
            identity,
            &parsed.project_id,
            "readValue",
            Subject::Secrets,
        )?;
    }
    Ok(Json(secrets::get_secret_by_name(&state, &name, &parsed)?))
}

/// A body the path's name must precede: the name is checked first (Fastify validates params
/// before the body).
async fn create(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
    body: Result<Body<CreateInput>, axum::response::Response>,
) -> Result<Json<Value>, axum::response::Response> {
    let name = NameParam::Create.parse(&name).map_err(into_response)?;
    let Body(input) = body?;
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.at.project_id,
        "create",
        Subject::Secrets,
    )
    .map_err(into_response)?;
    secrets::create_secret(&mut state, &identity, name, input)
        .map(Json)
        .map_err(into_response)
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
    body: Result<Body<UpdateInput>, axum::response::Response>,
) -> Result<Json<Value>, axum::response::Response> {
    let name = NameParam::Update.parse(&name).map_err(into_response)?;
    let Body(input) = body?;
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.at.project_id,
        "edit",
        Subject::Secrets,
    )
    .map_err(into_response)?;
    secrets::update_secret(&mut state, &identity, name, input)
        .map(Json)
        .map_err(into_response)
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
    body: Result<Body<DeleteInput>, axum::response::Response>,
) -> Result<Json<Value>, axum::response::Response> {
    let name = NameParam::Delete.parse(&name).map_err(into_response)?;
    let Body(input) = body?;
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.at.project_id,
        "delete",
        Subject::Secrets,
    )
    .map_err(into_response)?;
    secrets::delete_secret(&mut state, &identity, &name, input)
        .map(Json)
        .map_err(into_response)
}

async fn create_many(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<BatchCreateInput>,
) -> Answer {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.at.project_id,
        "create",
        Subject::Secrets,
    )?;
    Ok(Json(secrets::create_secrets(&mut state, &identity, input)?))
}

async fn update_many(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<BatchUpdateInput>,
) -> Answer {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.at.project_id,
        "edit",
        Subject::Secrets,
    )?;
    Ok(Json(secrets::update_secrets(&mut state, &identity, input)?))
}

async fn delete_many(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<BatchDeleteInput>,
) -> Answer {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        &input.at.project_id,
        "delete",
        Subject::Secrets,
    )?;
    Ok(Json(secrets::delete_secrets(&mut state, &identity, input)?))
}

fn into_response(error: ApiError) -> axum::response::Response {
    axum::response::IntoResponse::into_response(error)
}
