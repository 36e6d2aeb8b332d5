//! The middleware in front of every emulated Infisical route: latency, the rate limits (per
//! identity, or the server's buckets) and injected faults, the request log, the counters and
//! the requests per route; and Fastify's 404 for a route it does not know.
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
use crate::rate_limit;
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
    let route = rate_limit::route(&method, &path);
    let ip = connection
        .as_ref()
        .and_then(|c| c.peer)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let (latency, fault, limited, admitted) = {
        let mut state = shared.lock();
        state.counters.requests += 1;
        let key = route.map_or_else(
            || format!("{method} (unknown route)"),
            |r| format!("{} {}", r.method, r.pattern),
        );
        let count = state.route_counts.entry(key.clone()).or_default();
        count.bucket = Some(route.map_or(rate_limit::Bucket::Global, |r| r.bucket));
        count.requests += 1;
        let now = std::time::Instant::now();
        let authorization = header(header::AUTHORIZATION);
        let mut limited = if state.rate_limit.is_some() {
            let identity = auth::identity_of(&state.tokens, authorization.as_deref())
                .unwrap_or("(no token)")
                .to_owned();
            state
                .rate_limit
                .as_mut()
                .and_then(|limit| limit.admit(&identity, now).err())
                .map(Limited::Identity)
        } else {
            None
        };
        let mut admitted = None;
        // A route's own limit runs after its authentication (an `onRequest` hook before the
        // limiter's `preValidation`): a refused token is not counted.
        let counted = route.is_none_or(|r| {
            !r.authenticated
                || auth::verify(
                    &state,
                    authorization.as_deref(),
                    connection.as_ref().and_then(|c| c.peer),
                )
                .is_ok()
        });
        if limited.is_none()
            && counted
            && let Some(buckets) = state.buckets.as_mut()
        {
            match buckets.admit(route, &ip, now) {
                Ok(ok) => admitted = Some(ok),
                Err(refused) => limited = Some(Limited::Bucket(refused)),
            }
        }
        if limited.is_some()
            && let Some(count) = state.route_counts.get_mut(&key)
        {
            count.rate_limited += 1;
        }
        (
            state.latency,
            faults::take(&mut state.faults, &method, &path),
            limited,
            admitted,
        )
    };
    if let Some(limited) = limited {
        let response = match limited {
            Limited::Identity(wait) => rate_limited(wait, None),
            Limited::Bucket(refused) => rate_limited(refused.wait, Some(refused.limit)),
        };
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
    let mut response = response;
    if let Some(admitted) = admitted {
        let reset = crate::rate_limit::whole_seconds(admitted.reset);
        set_header(&mut response, "x-ratelimit-limit", admitted.limit);
        set_header(&mut response, "x-ratelimit-remaining", admitted.remaining);
        set_header(&mut response, "x-ratelimit-reset", reset);
    }
    response
}

/// Which limit refused a request.
enum Limited {
    /// The per-identity limit: the wait until the identity's window ends.
    Identity(std::time::Duration),
    /// A bucket of the server's.
    Bucket(rate_limit::Refused),
}

fn set_header(response: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(value) = header::HeaderValue::from_str(&value.to_string()) {
        response.headers_mut().insert(name, value);
    }
}

/// The answer past a rate limit: 429 (`RateLimitError`) with the wait as `Retry-After` and
/// `X-RateLimit-Reset`, and for a bucket its limit and `X-RateLimit-Remaining: 0`, as
/// `@fastify/rate-limit` sets them before the server's error builder throws.
fn rate_limited(wait: std::time::Duration, limit: Option<u32>) -> Response {
    let seconds = crate::rate_limit::whole_seconds(wait);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RateLimitExceeded",
        format!("Rate limit exceeded. Please try again in {seconds} seconds"),
    )
    .with_retry_after(Some(seconds.to_string()))
    .into_response();
    set_header(&mut response, "x-ratelimit-reset", seconds);
    if let Some(limit) = limit {
        set_header(&mut response, "x-ratelimit-limit", limit);
        set_header(&mut response, "x-ratelimit-remaining", 0);
    }
    response
}
