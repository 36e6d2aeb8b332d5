//! The tag routes under `/api/v1/projects/:projectId/tags` (`routes/v1/secret-tag-router.ts`,
//! mounted there by the current v1 router). Each handler authenticates, validates the body (422
//! with zod issues) and hands over to [`crate::service::tags`]. Params are `z.string().trim()`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Authenticated, Body};
use crate::schema::tag::TagInput;
use crate::service::permissions::{self, Subject, require};
use crate::service::tags;
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/projects/{projectId}/tags", get(list).post(create))
        .route(
            "/api/v1/projects/{projectId}/tags/slug/{tagSlug}",
            get(get_by_slug),
        )
        .route(
            "/api/v1/projects/{projectId}/tags/{tagId}",
            get(get_by_id).patch(update).delete(delete),
        )
}

type Answer = Result<Json<Value>, ApiError>;

async fn list(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(project): Path<String>,
) -> Answer {
    let state = shared.lock();
    require(&state, &identity, project.trim(), "read", Subject::Tags)?;
    Ok(Json(tags::list_tags(&state, project.trim())?))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    let state = shared.lock();
    on_tag(&state, &identity, id.trim(), "read")?;
    Ok(Json(tags::get_tag(&state, id.trim())?))
}

/// [`require`] on the project of the tag `id`, when it exists.
fn on_tag(
    state: &crate::state::State,
    identity: &str,
    id: &str,
    action: &str,
) -> Result<(), ApiError> {
    let project = permissions::project_of_tag(state, id);
    permissions::require_on(state, identity, project, action, Subject::Tags)
}

async fn get_by_slug(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((project, slug)): Path<(String, String)>,
) -> Answer {
    let state = shared.lock();
    require(&state, &identity, project.trim(), "read", Subject::Tags)?;
    Ok(Json(tags::get_tag_by_slug(
        &state,
        project.trim(),
        slug.trim(),
    )?))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(project): Path<String>,
    Body(input): Body<TagInput>,
) -> Answer {
    let mut state = shared.lock();
    require(&state, &identity, project.trim(), "create", Subject::Tags)?;
    Ok(Json(tags::create_tag(
        &mut state,
        &identity,
        project.trim(),
        input,
    )?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((_, id)): Path<(String, String)>,
    Body(input): Body<TagInput>,
) -> Answer {
    let mut state = shared.lock();
    on_tag(&state, &identity, id.trim(), "edit")?;
    Ok(Json(tags::update_tag(&mut state, id.trim(), input)?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    let mut state = shared.lock();
    on_tag(&state, &identity, id.trim(), "delete")?;
    Ok(Json(tags::delete_tag(&mut state, id.trim())?))
}
