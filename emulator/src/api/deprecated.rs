//! The deprecated routes the official Terraform provider still calls, each a thin translation
//! onto the current routes' services, so that both route families see the same projects,
//! environments, folders, secrets and tags:
//!
//! - `POST /api/v2/workspace`, `GET`/`DELETE /api/v2/workspace/:slug`
//!   (`routes/v2/deprecated-project-router.ts`, mounted at `/api/v2/workspace`);
//! - `GET /api/v1/workspace/:workspaceId`, `PUT /api/v1/workspace/:workspaceSlug/audit-logs-retention`
//!   (`routes/v1/deprecated-project-router.ts`, mounted at `/api/v1/workspace`);
//! - the environments under `/api/v1/workspace/:workspaceId/environments` and
//!   `GET /api/v1/workspace/environments/:envId` (`routes/v1/deprecated-project-env-router.ts`);
//! - the tags under `/api/v1/workspace/:projectId/tags`, in `{workspaceTag}` envelopes
//!   (`routes/v1/deprecated-secret-tag-router.ts`);
//! - `POST /api/v1/folders`, `GET`/`PATCH /api/v1/folders/:id`
//!   (`routes/v1/deprecated-secret-folder-router.ts`); folders are deleted on the current
//!   `DELETE /api/v2/folders/:id`, as the official provider does;
//! - the raw secrets under `/api/v3/secrets/raw` (`routes/v3/deprecated-secret-router.ts`).
//!
//! Fastify's router matches each path parameter by position, whatever its name; axum wants one
//! name per position, so every `/api/v1/workspace/…` route calls its first parameter
//! `workspaceId`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::{Authenticated, Body, query, validate};
use crate::schema::deprecated::{
    CreateEnvironmentV1, CreateProjectV2, DELETE_SLUG_PARAMS, FolderV1, GET_SECRET, LIST_SECRETS,
    ProjectRef, UpdateEnvironmentV1, V3, get_query, list_query,
};
use crate::schema::project::{AuditLogsRetentionInput, SLUG_PARAMS};
use crate::schema::secret::{CreateInput, DeleteInput, NameParam, UpdateInput};
use crate::schema::tag::TagInput;
use crate::service::{environments, folders, projects, secrets, tags};
use crate::state::{Shared, State as Stores};

/// The routes, to be composed into the API router (under its middleware).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/workspace", post(create_project))
        .route(
            "/api/v2/workspace/{slug}",
            get(get_project_by_slug).delete(delete_project),
        )
        .route(
            "/api/v1/workspace/environments/{envId}",
            get(get_environment),
        )
        .route("/api/v1/workspace/{workspaceId}", get(get_project))
        .route(
            "/api/v1/workspace/{workspaceId}/audit-logs-retention",
            put(update_audit_logs_retention),
        )
        .route(
            "/api/v1/workspace/{workspaceId}/environments",
            post(create_environment),
        )
        .route(
            "/api/v1/workspace/{workspaceId}/environments/{id}",
            get(get_environment_of_project)
                .patch(update_environment)
                .delete(delete_environment),
        )
        .route(
            "/api/v1/workspace/{workspaceId}/tags",
            get(list_tags).post(create_tag),
        )
        .route(
            "/api/v1/workspace/{workspaceId}/tags/slug/{tagSlug}",
            get(get_tag_by_slug),
        )
        .route(
            "/api/v1/workspace/{workspaceId}/tags/{tagId}",
            get(get_tag).patch(update_tag).delete(delete_tag),
        )
        .route("/api/v1/folders", post(create_folder))
        .route("/api/v1/folders/{id}", get(get_folder).patch(update_folder))
        .route("/api/v3/secrets/raw", get(list_secrets))
        .route("/api/v3/secrets/raw/id/{secretId}", get(get_secret_by_id))
        .route(
            "/api/v3/secrets/raw/{secretName}",
            get(get_secret)
                .post(create_secret)
                .patch(update_secret)
                .delete(delete_secret),
        )
}

type Answer = Result<Json<Value>, ApiError>;

/// The current route's answer with its `from` key named `to`, as the deprecated route names it.
fn renamed(answer: Value, from: &str, to: &str) -> Value {
    match answer {
        Value::Object(mut object) => {
            if let Some(value) = object.remove(from) {
                object.insert(to.to_owned(), value);
            }
            Value::Object(object)
        }
        other => other,
    }
}

/// `projectWithEnv` of the v2 router, which also lets out `kmsSecretManagerKeyId` (the
/// emulator has no KMS keys: always `null`).
fn with_kms_key(mut project: Value) -> Value {
    if let Some(object) = project.as_object_mut() {
        object.insert("kmsSecretManagerKeyId".to_owned(), Value::Null);
    }
    project
}

/// `extractProjectIdFromSlug`.
fn project_id(state: &Stores, project: ProjectRef) -> Result<String, ApiError> {
    projects::extract_project_id(state, project.id, project.slug.as_deref())
}

fn into_response(error: ApiError) -> Response {
    error.into_response()
}

// ----- projects -----

/// `POST /api/v2/workspace`: `createProject`, answered `{project}`.
async fn create_project(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Body(CreateProjectV2(input)): Body<CreateProjectV2>,
) -> Answer {
    let org = &shared.settings.org_id;
    let project = projects::create_project(&mut shared.lock(), org, &identity, input)?;
    Ok(Json(json!({ "project": with_kms_key(project) })))
}

/// `GET /api/v2/workspace/:slug`: the project, without an envelope.
async fn get_project_by_slug(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(slug): Path<String>,
) -> Answer {
    let params = validate(&SLUG_PARAMS, Some(&json!({ "slug": slug })))?.unwrap_or_default();
    let slug = params["slug"].as_str().unwrap_or_default();
    let org = &shared.settings.org_id;
    let project = projects::get_project_by_slug(&shared.lock(), org, slug)?;
    Ok(Json(with_kms_key(project)))
}

/// `DELETE /api/v2/workspace/:slug`: `deleteProject` by slug, answered without an envelope.
async fn delete_project(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(slug): Path<String>,
) -> Answer {
    let params = validate(&DELETE_SLUG_PARAMS, Some(&json!({ "slug": slug })))?.unwrap_or_default();
    let slug = params["slug"].as_str().unwrap_or_default();
    let org = &shared.settings.org_id;
    let mut state = shared.lock();
    let id = projects::find_project_by_slug(&state, slug)?.id.clone();
    Ok(Json(projects::delete_project(&mut state, org, &id)?))
}

/// `GET /api/v1/workspace/:workspaceId`: `{workspace}`.
async fn get_project(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    let org = &shared.settings.org_id;
    let project = projects::get_project(&shared.lock(), org, id.trim())?;
    Ok(Json(json!({ "workspace": project })))
}

/// `PUT /api/v1/workspace/:workspaceSlug/audit-logs-retention`: the project by slug, then
/// `updateAuditLogsRetention`; `{message, workspace}`.
async fn update_audit_logs_retention(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(slug): Path<String>,
    Body(AuditLogsRetentionInput(days)): Body<AuditLogsRetentionInput>,
) -> Answer {
    let org = &shared.settings.org_id;
    let mut state = shared.lock();
    let id = projects::find_project_by_slug(&state, slug.trim())?
        .id
        .clone();
    let project = projects::update_audit_logs_retention(&mut state, org, &id, days)?;
    Ok(Json(json!({
        "message": "Successfully updated project's audit logs retention period",
        "workspace": project,
    })))
}

// ----- environments: `{message, workspace, environment}` -----

fn environment_answer(answer: Value) -> Json<Value> {
    Json(renamed(answer, "projectId", "workspace"))
}

async fn create_environment(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(project): Path<String>,
    Body(CreateEnvironmentV1(input)): Body<CreateEnvironmentV1>,
) -> Answer {
    let answer = environments::create_environment(&mut shared.lock(), project.trim(), input)?;
    Ok(environment_answer(answer))
}

/// `GET /api/v1/workspace/environments/:envId`.
async fn get_environment(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(environments::get_environment(
        &shared.lock(),
        id.trim(),
    )?))
}

/// `GET /api/v1/workspace/:workspaceId/environments/:envId`: the project is not read.
async fn get_environment_of_project(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    Ok(Json(environments::get_environment(
        &shared.lock(),
        id.trim(),
    )?))
}

async fn update_environment(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((project, id)): Path<(String, String)>,
    Body(UpdateEnvironmentV1(input)): Body<UpdateEnvironmentV1>,
) -> Answer {
    let answer =
        environments::update_environment(&mut shared.lock(), project.trim(), id.trim(), input.0)?;
    Ok(environment_answer(answer))
}

/// Always a hard delete (`hardDelete: true`, for backwards compatibility), as every emulated
/// environment delete is.
async fn delete_environment(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((project, id)): Path<(String, String)>,
) -> Answer {
    let answer = environments::delete_environment(&mut shared.lock(), project.trim(), id.trim())?;
    Ok(environment_answer(answer))
}

// ----- tags: `{workspaceTag}` and `{workspaceTags}` -----

fn tag_answer(answer: Value) -> Json<Value> {
    Json(renamed(answer, "tag", "workspaceTag"))
}

async fn list_tags(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(project): Path<String>,
) -> Answer {
    let answer = tags::list_tags(&shared.lock(), project.trim())?;
    Ok(Json(renamed(answer, "tags", "workspaceTags")))
}

async fn get_tag(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    Ok(tag_answer(tags::get_tag(&shared.lock(), id.trim())?))
}

async fn get_tag_by_slug(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((project, slug)): Path<(String, String)>,
) -> Answer {
    let answer = tags::get_tag_by_slug(&shared.lock(), project.trim(), slug.trim())?;
    Ok(tag_answer(answer))
}

/// The body is `{slug, color}`: a `name` sent with it is stripped, as zod strips unknown keys.
async fn create_tag(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(project): Path<String>,
    Body(input): Body<TagInput>,
) -> Answer {
    let answer = tags::create_tag(&mut shared.lock(), &identity, project.trim(), input)?;
    Ok(tag_answer(answer))
}

async fn update_tag(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((_, id)): Path<(String, String)>,
    Body(input): Body<TagInput>,
) -> Answer {
    Ok(tag_answer(tags::update_tag(
        &mut shared.lock(),
        id.trim(),
        input,
    )?))
}

async fn delete_tag(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    Ok(tag_answer(tags::delete_tag(&mut shared.lock(), id.trim())?))
}

// ----- folders -----

async fn create_folder(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Body(FolderV1(input)): Body<FolderV1>,
) -> Answer {
    Ok(Json(folders::create_folder(&mut shared.lock(), input)?))
}

async fn get_folder(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(folders::get_folder(&shared.lock(), id.trim())?))
}

/// `folderId` is `z.string()`, not trimmed.
async fn update_folder(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
    Body(FolderV1(input)): Body<FolderV1>,
) -> Answer {
    Ok(Json(folders::update_folder(
        &mut shared.lock(),
        &id,
        input,
    )?))
}

// ----- raw secrets -----

/// `GET /api/v3/secrets/raw`: the project resolved, then the v4 list.
async fn list_secrets(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    _: Authenticated,
) -> Answer {
    let V3 { project, mut input } = list_query(&query(&LIST_SECRETS, &q)?);
    let state = shared.lock();
    input.project_id = Some(project_id(&state, project)?);
    Ok(Json(secrets::list_secrets(&state, &input)?))
}

async fn get_secret_by_id(
    State(shared): State<Arc<Shared>>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Answer {
    Ok(Json(secrets::get_secret_by_id(&shared.lock(), &id)?))
}

/// `GET /api/v3/secrets/raw/:secretName`: the project resolved, then the v4 read by name.
async fn get_secret(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    _: Authenticated,
    Path(name): Path<String>,
) -> Answer {
    let name = NameParam::Get.parse(&name)?;
    let V3 { project, mut input } = get_query(&query(&GET_SECRET, &q)?);
    let state = shared.lock();
    input.project_id = project_id(&state, project)?;
    Ok(Json(secrets::get_secret_by_name(&state, &name, &input)?))
}

/// The path's name is checked before the body (Fastify validates params first); the project is
/// resolved before the write, as the handler does.
async fn create_secret(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
    body: Result<Body<V3<CreateInput>>, Response>,
) -> Result<Json<Value>, Response> {
    let name = NameParam::Create.parse(&name).map_err(into_response)?;
    let Body(V3 { project, mut input }) = body?;
    let mut state = shared.lock();
    input.at.project_id = project_id(&state, project).map_err(into_response)?;
    secrets::create_secret(&mut state, &identity, name, input)
        .map(Json)
        .map_err(into_response)
}

async fn update_secret(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
    body: Result<Body<V3<UpdateInput>>, Response>,
) -> Result<Json<Value>, Response> {
    let name = NameParam::Update.parse(&name).map_err(into_response)?;
    let Body(V3 { project, mut input }) = body?;
    let mut state = shared.lock();
    input.at.project_id = project_id(&state, project).map_err(into_response)?;
    secrets::update_secret(&mut state, &identity, name, input)
        .map(Json)
        .map_err(into_response)
}

async fn delete_secret(
    State(shared): State<Arc<Shared>>,
    Authenticated(identity): Authenticated,
    Path(name): Path<String>,
    body: Result<Body<V3<DeleteInput>>, Response>,
) -> Result<Json<Value>, Response> {
    let name = NameParam::Delete.parse(&name).map_err(into_response)?;
    let Body(V3 { project, mut input }) = body?;
    let mut state = shared.lock();
    input.at.project_id = project_id(&state, project).map_err(into_response)?;
    secrets::delete_secret(&mut state, &identity, &name, input)
        .map(Json)
        .map_err(into_response)
}
