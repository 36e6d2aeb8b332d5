//! The middleware in front of every emulated Infisical route: latency, rate limit and injected
//! faults, the request log and the counters; and Fastify's 404 for a route it does not know.
//! [`wrap`] puts them around the API router that `lib.rs` composes.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::faults::{self, FaultAction};
use crate::net::ConnInfo;
use crate::service::auth;
use crate::state::Shared;
use crate::store::log::{LoggedRequest, redact};

/// Bodies larger than this are treated as empty; the real routes' bodies are a few hundred bytes.
const BODY_LIMIT: usize = 1 << 20;

/// The API routes with their fallback and the middleware around them.
pub(crate) fn wrap(api: Router<Arc<Shared>>, shared: Arc<Shared>) -> Router {
    api.fallback(route_not_found)
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
            let identity =
                auth::identity_of(&state.tokens, header(header::AUTHORIZATION).as_deref())
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
        shared.lock().log.record(entry);
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
    shared.lock().log.record(entry);
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
