//! The machine-identity routes under `/api/v1/identities` (`routes/v1/identity-router.ts`) and
//! universal auth's under `/api/v1/auth/universal-auth/identities`
//! (`routes/v1/identity-universal-auth-router.ts`). Each handler authenticates, validates the
//! body (422 with zod issues) and hands over to [`crate::service::identities`] or
//! [`crate::service::universal_auth`]. Path ids are `z.string()`, not uuids.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Authenticated, Body, query};
use crate::schema::identity::{
    AttachUniversalAuthInput, CreateClientSecretInput, CreateIdentityInput, UpdateIdentityInput,
    UpdateUniversalAuthInput,
};
use crate::service::{identities, universal_auth};
use crate::state::Shared;
use crate::zod::{Schema, string};

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    const UA: &str = "/api/v1/auth/universal-auth/identities/{identityId}";
    Router::new()
        .route("/api/v1/identities", get(list).post(create))
        .route("/api/v1/identities/details", get(details))
        .route(
            "/api/v1/identities/{identityId}",
            get(get_by_id).patch(update).delete(delete),
        )
        .route(
            UA,
            get(get_universal_auth)
                .post(attach_universal_auth)
                .patch(update_universal_auth)
                .delete(revoke_universal_auth),
        )
        .route(
            &format!("{UA}/client-secrets"),
            get(list_client_secrets).post(create_client_secret),
        )
        .route(
            &format!("{UA}/client-secrets/{{clientSecretId}}"),
            get(get_client_secret),
        )
        .route(
            &format!("{UA}/client-secrets/{{clientSecretId}}/revoke"),
            post(revoke_client_secret),
        )
}

type Answer = Result<Json<Value>, ApiError>;

/// `GET /api/v1/identities`' query: `{ orgId: z.string() }`.
static LIST_QUERY: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("orgId", string().into())]));

async fn create(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Body(input): Body<CreateIdentityInput>,
) -> Answer {
    let org = &shared.settings.org_id;
    Ok(Json(identities::create_identity(
        &mut shared.lock(),
        org,
        input,
    )?))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let parsed = query(&LIST_QUERY, &q)?;
    let org = parsed["orgId"].as_str().unwrap_or_default();
    Ok(Json(identities::list_identities(&shared.lock(), org)))
}

async fn details(State(shared): State<Arc<Shared>>, _: Authenticated) -> Json<Value> {
    Json(identities::identity_details(&shared.settings.org_id))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(identities::get_identity(&shared.lock(), &id)?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(input): Body<UpdateIdentityInput>,
) -> Answer {
    let org = &shared.settings.org_id;
    Ok(Json(identities::update_identity(
        &mut shared.lock(),
        org,
        &id,
        input,
    )?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(identities::delete_identity(&mut shared.lock(), &id)?))
}

async fn attach_universal_auth(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(AttachUniversalAuthInput(input)): Body<AttachUniversalAuthInput>,
) -> Answer {
    Ok(Json(universal_auth::attach(
        &mut shared.lock(),
        id.trim(),
        input,
    )?))
}

async fn update_universal_auth(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(UpdateUniversalAuthInput(input)): Body<UpdateUniversalAuthInput>,
) -> Answer {
    Ok(Json(universal_auth::update(
        &mut shared.lock(),
        &id,
        input,
    )?))
}

async fn get_universal_auth(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(universal_auth::get(&shared.lock(), &id)?))
}

async fn revoke_universal_auth(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(universal_auth::revoke(&mut shared.lock(), &id)?))
}

async fn create_client_secret(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(input): Body<CreateClientSecretInput>,
) -> Answer {
    Ok(Json(universal_auth::create_client_secret(
        &mut shared.lock(),
        &id,
        input,
    )?))
}

async fn list_client_secrets(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(universal_auth::list_client_secrets(
        &shared.lock(),
        &id,
    )?))
}

async fn get_client_secret(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((id, secret)): Path<(String, String)>,
) -> Answer {
    Ok(Json(universal_auth::get_client_secret(
        &shared.lock(),
        &id,
        &secret,
    )?))
}

async fn revoke_client_secret(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((id, secret)): Path<(String, String)>,
) -> Answer {
    Ok(Json(universal_auth::revoke_client_secret(
        &mut shared.lock(),
        &id,
        &secret,
    )?))
}
