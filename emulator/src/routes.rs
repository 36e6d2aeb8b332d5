//! The emulated Infisical routes of logins and GitHub app connections: each handler validates
//! its body (422 with zod issues) and hands over to the state's logic.

use std::sync::{Arc, LazyLock};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::{Authenticated, Id, IdParam, json_body, validate};
use crate::schema::connection as github;
use crate::state::Shared;
use crate::zod::{Schema, optional, string};

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/auth/universal-auth/login", post(login))
        .route("/api/v1/auth/oidc-auth/login", post(oidc_login))
        .route("/api/v1/auth/kubernetes-auth/login", post(kubernetes_login))
        .route("/api/v1/auth/aws-auth/login", post(aws_login))
        .route("/api/v1/auth/token/renew", post(renew))
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

/// A body validated against a schema (`null` when the schema lets an absent body through).
fn validated(schema: &Schema, body: &Bytes) -> Result<Value, ApiError> {
    Ok(validate(schema, json_body(body)?.as_ref())?.unwrap_or(Value::Null))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

static LOGIN: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("clientId", string().trim().into()),
        ("clientSecret", string().trim().into()),
        ("organizationSlug", optional(string().trim())),
    ])
});

/// The OIDC and Kubernetes login bodies.
static JWT_LOGIN: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("identityId", string().trim().into()),
        ("jwt", string().trim().into()),
        ("organizationSlug", optional(string().trim())),
    ])
});

/// The AWS login body (`iamHttpRequestMethod` defaults to `POST` on the server).
static AWS_LOGIN: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("identityId", string().trim().into()),
        ("iamHttpRequestMethod", optional(string())),
        ("iamRequestBody", string().into()),
        ("iamRequestHeaders", string().into()),
        ("organizationSlug", optional(string().trim())),
    ])
});

static RENEW: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("accessToken", string().trim().into())]));

async fn login(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = validated(&LOGIN, &body)?;
    let answer = shared.lock().login(
        &shared.settings,
        text(&body, "clientId"),
        text(&body, "clientSecret"),
    )?;
    Ok(Json(answer))
}

async fn oidc_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validated(&JWT_LOGIN, &body)?;
    let (identity, jwt) = (text(&body, "identityId"), text(&body, "jwt"));
    let answer = shared.lock().oidc_login(&shared.settings, identity, jwt)?;
    Ok(Json(answer))
}

async fn kubernetes_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validated(&JWT_LOGIN, &body)?;
    let (identity, jwt) = (text(&body, "identityId"), text(&body, "jwt"));
    let answer = shared
        .lock()
        .kubernetes_login(&shared.settings, identity, jwt)?;
    Ok(Json(answer))
}

async fn aws_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validated(&AWS_LOGIN, &body)?;
    let method = body
        .get("iamHttpRequestMethod")
        .and_then(Value::as_str)
        .unwrap_or("POST");
    let answer = shared.lock().aws_login(
        &shared.settings,
        text(&body, "identityId"),
        method,
        text(&body, "iamRequestBody"),
        text(&body, "iamRequestHeaders"),
    )?;
    Ok(Json(answer))
}

async fn renew(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = validated(&RENEW, &body)?;
    let answer = shared
        .lock()
        .renew(&shared.settings, text(&body, "accessToken"))?;
    Ok(Json(answer))
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
    let state = shared.lock();
    let connections = state.list(&shared.settings, github::APP, scope.project_id.as_deref())?;
    Ok(Json(json!({ "appConnections": connections })))
}

/// `GET /api/v1/github-apps?projectId`: the GitHub Apps a connection may name (machine
/// identities may call it, unlike the rest of the GitHub App routes, which are JWT-only).
async fn list_github_apps(
    State(shared): State<Arc<Shared>>,
    Query(scope): Query<Scope>,
    _: Authenticated,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    let apps = state.list_github_apps(&shared.settings, scope.project_id.as_deref())?;
    Ok(Json(json!({ "gitHubApps": apps })))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Id(id, ..): Id<ConnectionId>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    Ok(one(state.get(&shared.settings, github::APP, &id)?))
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(scope): Query<Scope>,
    _: Authenticated,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    let name = name.trim();
    Ok(one(state.get_by_name(
        &shared.settings,
        github::APP,
        name,
        scope.project_id.as_deref(),
    )?))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(&body)?;
    let input = github::parse_create(body.as_ref()).map_err(ApiError::validation)?;
    Ok(one(shared.lock().create_github(&shared.settings, input)?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Id(id, ..): Id<ConnectionId>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(&body)?;
    let input = github::parse_update(body.as_ref()).map_err(ApiError::validation)?;
    Ok(one(shared.lock().update_github(
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
    let mut state = shared.lock();
    Ok(one(state.delete(&shared.settings, github::APP, &id)?))
}
