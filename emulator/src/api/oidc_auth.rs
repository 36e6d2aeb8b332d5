//! OIDC auth's routes under `/api/v1/auth/oidc-auth/identities/:identityId`
//! (`routes/v1/identity-oidc-auth-router.ts`): attach, get, `PATCH`, delete. Each handler
//! authenticates, validates the body (422 with zod issues) and hands over to
//! [`crate::service::oidc_auth`]. The login is in [`super::auth`].

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Authenticated, Body};
use crate::schema::oidc_auth::{AttachOidcAuthInput, UpdateOidcAuthInput};
use crate::service::oidc_auth;
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route(
        "/api/v1/auth/oidc-auth/identities/{identityId}",
        get(get_oidc_auth).post(attach).patch(update).delete(revoke),
    )
}

type Answer = Result<Json<Value>, ApiError>;

async fn attach(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(AttachOidcAuthInput(input)): Body<AttachOidcAuthInput>,
) -> Answer {
    Ok(Json(oidc_auth::attach(
        &mut shared.lock(),
        id.trim(),
        input,
    )?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(UpdateOidcAuthInput(input)): Body<UpdateOidcAuthInput>,
) -> Answer {
    Ok(Json(oidc_auth::update(
        &mut shared.lock(),
        id.trim(),
        input,
    )?))
}

async fn get_oidc_auth(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(oidc_auth::get(&shared.lock(), &id)?))
}

async fn revoke(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(oidc_auth::revoke(&mut shared.lock(), &id)?))
}
