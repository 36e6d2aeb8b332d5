//! The project and environment routes under `/api/v1/projects` (`project-router.ts`,
//! `project-env-router.ts`). Each handler authenticates, validates params and body (422 with
//! zod issues), and hands over to [`crate::service::projects`] or
//! [`crate::service::environments`]. Path ids are `z.string().trim()`, not uuids.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::{Authenticated, Body, validate};
use crate::schema::project::{
    AuditLogsRetentionInput, CreateEnvironmentInput, CreateProjectInput, SLUG_PARAMS,
    UpdateEnvironmentInput, UpdateProjectInput,
};
use crate::service::permissions::{self, Subject, require};
use crate::service::{environments, projects};
use crate::state::Shared;

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/projects", get(list).post(create))
        .route("/api/v1/projects/slug/{slug}", get(get_by_slug))
        .route(
            "/api/v1/projects/{projectId}",
            get(get_by_id).patch(update).delete(delete),
        )
        .route(
            "/api/v1/projects/{projectId}/audit-logs-retention",
            axum::routing::put(update_audit_logs_retention),
        )
        .route(
            "/api/v1/projects/{projectId}/environments",
            axum::routing::post(create_environment),
        )
        .route(
            "/api/v1/projects/{projectId}/environments/{id}",
            get(get_environment)
                .patch(update_environment)
                .delete(delete_environment),
        )
}

/// A project id, or a project and environment id, as the params' `trim()` leaves them.
type Ids<T> = Path<T>;

fn one(project: Value) -> Json<Value> {
    Json(json!({ "project": project }))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(input): Body<CreateProjectInput>,
) -> Result<Json<Value>, ApiError> {
    let org = &shared.settings.org_id;
    let project = projects::create_project(&mut shared.lock(), org, &identity, input)?;
    Ok(one(project))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
) -> Json<Value> {
    let org = &shared.settings.org_id;
    let list = projects::list_projects(&shared.lock(), org, &identity);
    Json(json!({ "projects": list }))
}

async fn get_by_id(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Ids<String>,
) -> Result<Json<Value>, ApiError> {
    let org = &shared.settings.org_id;
    let state = shared.lock();
    permissions::require_member(&state, &identity, id.trim())?;
    Ok(one(projects::get_project(&state, org, id.trim())?))
}

/// Answered without an envelope, as the server does.
async fn get_by_slug(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let params = validate(&SLUG_PARAMS, Some(&json!({ "slug": slug })))?.unwrap_or_default();
    let slug = params["slug"].as_str().unwrap_or_default();
    let org = &shared.settings.org_id;
    let state = shared.lock();
    let answer = projects::get_project_by_slug(&state, org, slug)?;
    let id = answer["id"].as_str().unwrap_or_default();
    permissions::require_member(&state, &identity, id)?;
    Ok(Json(answer))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Ids<String>,
    Body(input): Body<UpdateProjectInput>,
) -> Result<Json<Value>, ApiError> {
    let org = &shared.settings.org_id;
    let mut state = shared.lock();
    require(&state, &identity, id.trim(), "edit", Subject::Settings)?;
    let project = projects::update_project(&mut state, org, id.trim(), input)?;
    Ok(one(project))
}

/// Answers `{message, project}`, as the router does.
async fn update_audit_logs_retention(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Ids<String>,
    Body(AuditLogsRetentionInput(days)): Body<AuditLogsRetentionInput>,
) -> Result<Json<Value>, ApiError> {
    let org = &shared.settings.org_id;
    let mut state = shared.lock();
    require(&state, &identity, id.trim(), "edit", Subject::Settings)?;
    let project = projects::update_audit_logs_retention(&mut state, org, id.trim(), days)?;
    Ok(Json(json!({
        "message": "Successfully updated project's audit logs retention period",
        "project": project,
    })))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(id): Ids<String>,
) -> Result<Json<Value>, ApiError> {
    let org = &shared.settings.org_id;
    let mut state = shared.lock();
    require(&state, &identity, id.trim(), "delete", Subject::Workspace)?;
    Ok(one(projects::delete_project(&mut state, org, id.trim())?))
}

async fn create_environment(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(project): Ids<String>,
    Body(input): Body<CreateEnvironmentInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        project.trim(),
        "create",
        Subject::Environments,
    )?;
    let answer = environments::create_environment(&mut state, project.trim(), input)?;
    Ok(Json(answer))
}

async fn get_environment(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((_, id)): Ids<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    let project = permissions::project_of_environment(&state, id.trim());
    permissions::require_on(&state, &identity, project, "read", Subject::Environments)?;
    Ok(Json(environments::get_environment(&state, id.trim())?))
}

async fn update_environment(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((project, id)): Ids<(String, String)>,
    Body(UpdateEnvironmentInput(change)): Body<UpdateEnvironmentInput>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        project.trim(),
        "edit",
        Subject::Environments,
    )?;
    let answer = environments::update_environment(&mut state, project.trim(), id.trim(), change)?;
    Ok(Json(answer))
}

async fn delete_environment(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path((project, id)): Ids<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let mut state = shared.lock();
    require(
        &state,
        &identity,
        project.trim(),
        "delete",
        Subject::Environments,
    )?;
    let answer = environments::delete_environment(&mut state, project.trim(), id.trim())?;
    Ok(Json(answer))
}
