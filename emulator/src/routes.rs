//! The emulated Infisical API routes, and the middleware in front of them that applies latency
//! and injected faults and records every request.

use std::sync::{Arc, LazyLock};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::{LoggedRequest, redact};
use crate::error::ApiError;
use crate::faults::{self, FaultAction};
use crate::github;
use crate::net::ConnInfo;
use crate::state::Shared;
use crate::zod::{self, Schema, optional, parse, string};

/// Bodies larger than this are treated as empty; the real routes' bodies are a few hundred bytes.
const BODY_LIMIT: usize = 1 << 20;

/// The API router (faults, latency and the request log included).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
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
        .merge(crate::sync_routes::routes())
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), observe))
        .with_state(shared)
}

/// Fastify's answer to an unknown route (it answers 404, not 405, to a known path with another
/// method).
async fn route_not_found(method: Method, uri: Uri) -> Response {
    let body = json!({
        "message": format!("Route {method}:{} not found", uri.path()),
        "error": "Not Found",
        "statusCode": 404,
    });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// Latency, faults and the request log, around every API route.
async fn observe(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut entry = LoggedRequest {
        method: method.clone(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        status: None,
        body: serde_json::from_slice::<Value>(&bytes)
            .ok()
            .map(|v| redact(&v)),
        authorization: header(header::AUTHORIZATION).map(|v| {
            if v.starts_with("Bearer ") {
                "Bearer ***".to_owned()
            } else {
                "***".to_owned()
            }
        }),
        user_agent: header(header::USER_AGENT),
        dropped: false,
    };
    let connection = parts
        .extensions
        .get::<ConnectInfo<ConnInfo>>()
        .map(|info| info.0.clone());
    let (latency, fault, limited) = {
        let mut state = shared.lock();
        state.counters.requests += 1;
        let limited = if state.rate_limit.is_some() {
            let identity = state
                .identity_of(header(header::AUTHORIZATION).as_deref())
                .unwrap_or("(no token)")
                .to_owned();
            state
                .rate_limit
                .as_mut()
                .and_then(|limit| limit.admit(&identity, std::time::Instant::now()).err())
        } else {
            None
        };
        (
            state.latency,
            faults::take(&mut state.faults, &method, &path),
            limited,
        )
    };
    if let Some(wait) = limited {
        let response = rate_limited(wait);
        entry.status = Some(response.status().as_u16());
        shared.lock().record(entry);
        return response;
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = match fault {
        None => next.run(request).await,
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(FaultAction::Status {
            status,
            retry_after,
            error,
            message,
        }) => {
            let (default_error, default_message) = faults::default_body(status);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(
                status,
                error.unwrap_or_else(|| default_error.to_owned()),
                message.unwrap_or_else(|| default_message.to_owned()),
            )
            .with_retry_after(retry_after)
            .into_response()
        }
        Some(FaultAction::Drop) => {
            entry.dropped = connection.is_some();
            if let Some(connection) = &connection {
                connection.kill();
            }
            // Never written when the connection is cut.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Some(FaultAction::Raw {
            status,
            content_type,
            body,
        }) => Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Some(FaultAction::HugeBody { bytes }) => {
            const CHUNK: &[u8] = &[b' '; 64 * 1024];
            let chunks = bytes.div_ceil(CHUNK.len() as u64);
            let stream = futures_util::stream::iter((0..chunks).map(move |n| {
                let start = n * CHUNK.len() as u64;
                let size = (bytes - start).min(CHUNK.len() as u64) as usize;
                Ok::<_, std::convert::Infallible>(Bytes::from_static(&CHUNK[..size]))
            }));
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Some(FaultAction::DropAfterProcessing) => {
            let response = next.run(request).await;
            entry.status = Some(response.status().as_u16());
            entry.dropped = connection.is_some();
            if let Some(connection) = &connection {
                connection.kill();
            }
            response
        }
    };
    if !entry.dropped {
        entry.status = Some(response.status().as_u16());
    }
    shared.lock().record(entry);
    response
}

/// The answer past the rate limit: 429 with the wait as `Retry-After` and `X-RateLimit-Reset`.
fn rate_limited(wait: std::time::Duration) -> Response {
    let seconds = crate::rate_limit::whole_seconds(wait);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RateLimitExceeded",
        format!("Rate limit exceeded. Please try again in {seconds} seconds"),
    )
    .with_retry_after(Some(seconds.to_string()))
    .into_response();
    if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert("x-ratelimit-reset", value);
    }
    response
}

/// The request body as JSON; `None` when empty (JavaScript's `undefined`).
pub(crate) fn json_body(bytes: &Bytes) -> Result<Option<Value>, ApiError> {
    if bytes.is_empty() {
        return Ok(None);
    }
    serde_json::from_slice(bytes).map(Some).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "Body is not valid JSON but content-type is set to 'application/json'",
        )
    })
}

/// Validates against a schema, answering 422 with the zod issues.
fn validate(schema: &Schema, body: Option<&Value>) -> Result<Value, ApiError> {
    let mut issues = Vec::new();
    let parsed = parse(schema, body, &[], &mut issues);
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    Ok(parsed.value.unwrap_or(Value::Null))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

pub(crate) fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default())
}

/// The `:connectionId` param check (`z.string().uuid()`), a 422 like any other zod failure.
fn check_id(id: &str) -> Result<(), ApiError> {
    if zod::is_uuid(id) {
        Ok(())
    } else {
        Err(ApiError::validation(vec![json!({
            "validation": "uuid", "code": "invalid_string", "message": "Invalid uuid",
            "path": ["connectionId"],
        })]))
    }
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
    let body = validate(&LOGIN, json_body(&body)?.as_ref())?;
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
    let body = validate(&JWT_LOGIN, json_body(&body)?.as_ref())?;
    let answer = shared.lock().oidc_login(
        &shared.settings,
        text(&body, "identityId"),
        text(&body, "jwt"),
    )?;
    Ok(Json(answer))
}

async fn kubernetes_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validate(&JWT_LOGIN, json_body(&body)?.as_ref())?;
    let answer = shared.lock().kubernetes_login(
        &shared.settings,
        text(&body, "identityId"),
        text(&body, "jwt"),
    )?;
    Ok(Json(answer))
}

async fn aws_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validate(&AWS_LOGIN, json_body(&body)?.as_ref())?;
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
    let body = validate(&RENEW, json_body(&body)?.as_ref())?;
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
    headers: HeaderMap,
    Query(scope): Query<Scope>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    let connections = state.list(&shared.settings, github::APP, scope.project_id.as_deref())?;
    Ok(Json(json!({ "appConnections": connections })))
}

/// `GET /api/v1/github-apps?projectId`: the GitHub Apps a connection may name (machine
/// identities may call it, unlike the rest of the GitHub App routes, which are JWT-only).
async fn list_github_apps(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(scope): Query<Scope>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    let apps = state.list_github_apps(&shared.settings, scope.project_id.as_deref())?;
    Ok(Json(json!({ "gitHubApps": apps })))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_id(&id)?;
    Ok(one(state.get(&shared.settings, github::APP, &id)?))
}

async fn get_by_name(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(scope): Query<Scope>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    state.authenticate(authorization(&headers))?;
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
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    shared.lock().authenticate(authorization(&headers))?;
    let body = json_body(&body)?;
    let input = github::parse_create(body.as_ref()).map_err(ApiError::validation)?;
    Ok(one(shared.lock().create_github(&shared.settings, input)?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    shared.lock().authenticate(authorization(&headers))?;
    check_id(&id)?;
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
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    state.authenticate(authorization(&headers))?;
    check_id(&id)?;
    Ok(one(state.delete(&shared.settings, github::APP, &id)?))
}
