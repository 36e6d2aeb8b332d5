//! What every emulated Infisical route reads from a request, written once: the `Authorization`
//! header and the [`Authenticated`] extractor that checks it, the JSON body, zod validation of a
//! body or a query (422 with the issues), the `?projectId` query and the uuid path parameters.
//! Routers of every area import this; it imports no router.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::net::ConnInfo;
use crate::schema::Input;
use crate::service::auth;
use crate::state::Shared;
use crate::zod::{self, Schema, string};

/// The `Authorization` header, as the server reads it (a header that is not text reads as empty).
pub(crate) fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default())
}

/// Proof that the request carries a valid access token: a handler that takes it answers 401/403
/// before anything else of its own. It takes the lock only for the check. It carries the
/// identity the token belongs to (the actor a project's membership records).
pub(crate) struct Authenticated(pub(crate) String);

impl FromRequestParts<Arc<Shared>> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts);
        let identity = auth::authenticate(&mut shared.lock(), authorization(&parts.headers), ip)?;
        Ok(Self(identity))
    }
}

/// The client's address (the server's `req.realIp`), when the connection has one.
pub(crate) fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<ConnInfo>>()
        .and_then(|info| info.0.peer)
}

/// The client's address, for the routes that check it without a token (the logins' trusted
/// IPs).
pub(crate) struct ClientIp(pub(crate) Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts)))
    }
}

/// The request body as JSON; `None` when empty (JavaScript's `undefined`).
fn json_body(bytes: &Bytes) -> Result<Option<Value>, ApiError> {
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

/// A JSON body read into a route's typed input: 400 when it is not JSON, 422 with the zod issues
/// when the schema refuses it. A body is a handler's last extractor, so authentication and the
/// path's ids answer first.
pub(crate) struct Body<T>(pub(crate) T);

impl<T: Input, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        json_body(&bytes)
            .and_then(|body| T::parse(body.as_ref()))
            .map(Self)
            .map_err(IntoResponse::into_response)
    }
}

/// Validates against a schema, answering 422 with the zod issues; the parsed value, or `None`
/// when the schema let an absent input through.
pub(crate) fn validate(schema: &Schema, input: Option<&Value>) -> Result<Option<Value>, ApiError> {
    zod::check(schema, input).map_err(ApiError::validation)
}

/// A JSON body validated against a schema (`null` when the schema lets an absent body through).
pub(crate) fn validated(schema: &Schema, body: &Bytes) -> Result<Value, ApiError> {
    Ok(validate(schema, json_body(body)?.as_ref())?.unwrap_or(Value::Null))
}

/// Validates a query string against a schema; the parsed object.
pub(crate) fn query(schema: &Schema, query: &HashMap<String, String>) -> Result<Value, ApiError> {
    let input = Value::Object(
        query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    );
    Ok(validate(schema, Some(&input))?.unwrap_or(Value::Null))
}

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

/// A required `?projectId=`, validated as the server does.
pub(crate) fn project_id(q: &HashMap<String, String>) -> Result<String, ApiError> {
    let parsed = query(&PROJECT_QUERY, q)?;
    Ok(parsed["projectId"].as_str().unwrap_or_default().to_owned())
}

/// The name a uuid path parameter has in the server's schema (it is the path).
pub(crate) trait IdParam {
    /// E.g. `connectionId`.
    const NAME: &'static str;
}

/// A uuid path parameter (`z.string().uuid()`): a wrong one is a 422 like any other zod failure.
pub(crate) struct Id<P>(pub(crate) String, pub(crate) PhantomData<P>);

impl<P: IdParam> FromRequestParts<Arc<Shared>> for Id<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, shared)
            .await
            .map_err(|_| ApiError::internal("the route has no id parameter"))?;
        if zod::is_uuid(&id) {
            Ok(Self(id, PhantomData))
        } else {
            Err(ApiError::validation(vec![json!({
                "validation": "uuid", "code": "invalid_string", "message": "Invalid uuid",
                "path": [P::NAME],
            })]))
        }
    }
}
