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
use crate::service::secrets;
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v4/secrets", get(list))
        .route(
            "/api/v4/secrets/batch",
            axum::routing::post(create_many)
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
    _: Authenticated,
) -> Answer {
    let parsed = ListQuery::new(&query(&LIST, &q)?);
    Ok(Json(secrets::list_secrets(&shared.lock(), &parsed)?))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(secrets::get_secret_by_id(&shared.lock(), &id)?))
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    _: Authenticated,
    Path(name): Path<String>,
) -> Answer {
    let name = NameParam::Get.parse(&name)?;
    let parsed = GetQuery::new(&query(&GET, &q)?);
    Ok(Json(secrets::get_secret_by_name(
        &shared.lock(),
        &name,
        &parsed,
    )?))
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
    secrets::create_secret(&mut shared.lock(), &identity, name, input)
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
    secrets::update_secret(&mut shared.lock(), &identity, name, input)
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
    secrets::delete_secret(&mut shared.lock(), &identity, &name, input)
        .map(Json)
        .map_err(into_response)
}

async fn create_many(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<BatchCreateInput>,
) -> Answer {
    Ok(Json(secrets::create_secrets(
        &mut shared.lock(),
        &identity,
        input,
    )?))
}

async fn update_many(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<BatchUpdateInput>,
) -> Answer {
    Ok(Json(secrets::update_secrets(
        &mut shared.lock(),
        &identity,
        input,
    )?))
}

async fn delete_many(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<BatchDeleteInput>,
) -> Answer {
    Ok(Json(secrets::delete_secrets(
        &mut shared.lock(),
        &identity,
        input,
    )?))
}

fn into_response(error: ApiError) -> axum::response::Response {
    axum::response::IntoResponse::into_response(error)
}
