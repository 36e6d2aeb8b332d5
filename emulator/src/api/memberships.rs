//! Project identity memberships under `/api/v1/projects/:projectId/memberships/identities`
//! (`routes/v1/identity-project-membership-router.ts`), and the deprecated get by membership id
//! `/api/v1/projects/identity-memberships/:identityMembershipId` (the deprecated identity-project
//! router, still mounted under `/api/v1/projects`). Each handler authenticates, validates the
//! body (422 with zod issues) and hands over to [`crate::service::memberships`]. Params are
//! `z.string().trim()`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Authenticated, Body};
use crate::schema::membership::{CreateMembershipInput, UpdateMembershipInput};
use crate::service::memberships;
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/v1/projects/{projectId}/memberships/identities",
            get(list),
        )
        .route(
            "/api/v1/projects/{projectId}/memberships/identities/{identityId}",
            get(get_membership)
                .post(create)
                .patch(update)
                .delete(delete),
        )
        .route(
            "/api/v1/projects/identity-memberships/{identityMembershipId}",
            get(get_by_membership_id),
        )
}

type Answer = Result<Json<Value>, ApiError>;

async fn create(
    State(shared): State<Arc<Shared>>,
    Authenticated(actor): Authenticated,
    Path((project, identity)): Path<(String, String)>,
    Body(CreateMembershipInput(roles)): Body<CreateMembershipInput>,
) -> Answer {
    Ok(Json(memberships::create(
        &mut shared.lock(),
        &shared.settings,
        &actor,
        project.trim(),
        identity.trim(),
        roles,
    )?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Authenticated(actor): Authenticated,
    Path((project, identity)): Path<(String, String)>,
    Body(UpdateMembershipInput(roles)): Body<UpdateMembershipInput>,
) -> Answer {
    Ok(Json(memberships::update(
        &mut shared.lock(),
        &shared.settings,
        &actor,
        project.trim(),
        identity.trim(),
        roles,
    )?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Authenticated(actor): Authenticated,
    Path((project, identity)): Path<(String, String)>,
) -> Answer {
    Ok(Json(memberships::delete(
        &mut shared.lock(),
        &shared.settings,
        &actor,
        project.trim(),
        identity.trim(),
    )?))
}

async fn get_membership(
    State(shared): State<Arc<Shared>>,
    Authenticated(actor): Authenticated,
    Path((project, identity)): Path<(String, String)>,
) -> Answer {
    Ok(Json(memberships::get(
        &shared.lock(),
        &shared.settings.org_id,
        &actor,
        project.trim(),
        identity.trim(),
    )?))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Authenticated(actor): Authenticated,
    Path(project): Path<String>,
) -> Answer {
    Ok(Json(memberships::list(
        &shared.lock(),
        &shared.settings.org_id,
        &actor,
        project.trim(),
    )?))
}

async fn get_by_membership_id(
    State(shared): State<Arc<Shared>>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(memberships::get_by_membership_id(
        &shared.lock(),
        &actor,
        id.trim(),
    )?))
}
