//! The emulator's OIDC token issuers over HTTP, outside the request log and the faults (like
//! the emulated GitHub): `GET /__oidc/:issuer/.well-known/openid-configuration` and
//! `…/.well-known/jwks`, as GitHub Actions' issuer serves them. See
//! [`crate::service::oidc_issuer`].

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::service::oidc_issuer;
use crate::state::Shared;

/// The issuer routes, with their state.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/__oidc/{issuer}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/__oidc/{issuer}/.well-known/jwks", get(jwks))
        .with_state(shared)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "message": "Not Found" })),
    )
        .into_response()
}

async fn discovery(State(shared): State<Arc<Shared>>, Path(issuer): Path<String>) -> Response {
    let document =
        oidc_issuer::discovery_document(&mut shared.lock(), &shared.settings.url, &issuer);
    document.map_or_else(not_found, |d| Json(d).into_response())
}

async fn jwks(State(shared): State<Arc<Shared>>, Path(issuer): Path<String>) -> Response {
    let keys = oidc_issuer::jwks(&mut shared.lock(), &issuer);
    keys.map_or_else(not_found, |k| Json(k).into_response())
}
