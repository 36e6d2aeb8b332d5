//! The login routes: universal auth, OIDC, Kubernetes and AWS auth, and token renewal. Each
//! validates its body (422 with zod issues) and hands over to [`crate::service::auth`].

use std::sync::{Arc, LazyLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{ClientIp, validated};
use crate::service::auth;
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

async fn login(
    State(shared): State<Arc<Shared>>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validated(&LOGIN, &body)?;
    let answer = auth::login(
        &mut shared.lock(),
        &shared.settings,
        text(&body, "clientId"),
        text(&body, "clientSecret"),
        ip,
    )?;
    Ok(Json(answer))
}

async fn oidc_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validated(&JWT_LOGIN, &body)?;
    let (identity, jwt) = (text(&body, "identityId"), text(&body, "jwt"));
    let answer = auth::oidc_login(&mut shared.lock(), &shared.settings, identity, jwt)?;
    Ok(Json(answer))
}

async fn kubernetes_login(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = validated(&JWT_LOGIN, &body)?;
    let (identity, jwt) = (text(&body, "identityId"), text(&body, "jwt"));
    let answer = auth::kubernetes_login(&mut shared.lock(), &shared.settings, identity, jwt)?;
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
    let answer = auth::aws_login(
        &mut shared.lock(),
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
    let answer = auth::renew(
        &mut shared.lock(),
        &shared.settings,
        text(&body, "accessToken"),
    )?;
    Ok(Json(answer))
}
