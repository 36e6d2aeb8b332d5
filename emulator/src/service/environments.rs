//! Environments (`services/project-env/project-env-service.ts`): create, get by id, `PATCH`
//! (with the server's reordering) and delete (its folders and secrets go with it), each check in
//! the server's order and words.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::projects::find_project;
use super::syncs::detach_folders;
use crate::error::ApiError;
use crate::schema::project::CreateEnvironmentInput;
use crate::state::State;
use crate::store::secrets::EnvironmentChange;

/// The answer of create, `PATCH` and delete.
fn answer(message: &str, project_id: &str, environment: Value) -> Value {
    json!({ "message": message, "projectId": project_id, "environment": environment })
}

/// The 400 a taken slug gets, named after the operation (`BadRequestError({ name })`).
fn slug_taken(operation: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        operation,
        "Environment with slug already exist",
    )
}

/// The 404 of `PATCH` and delete.
fn not_in_project(id: &str, project_id: &str) -> String {
    format!("Environment with id '{id}' in project with ID '{project_id}' not found")
}

/// `createEnvironment`: the project, the slug's uniqueness, then the environment at its
/// position with its root folder.
pub(crate) fn create_environment(
    state: &mut State,
    project_id: &str,
    input: CreateEnvironmentInput,
) -> Result<Value, ApiError> {
    find_project(state, project_id)?;
    if state.secrets.environment(project_id, &input.slug).is_some() {
        return Err(slug_taken("CreateEnvironment"));
    }
    let env =
        state
            .secrets
            .create_environment(project_id, &input.slug, &input.name, input.position);
    Ok(answer(
        "Successfully created new environment",
        project_id,
        env.view(project_id),
    ))
}

/// `getEnvironmentById`: found by id whatever the project in the path.
pub(crate) fn get_environment(state: &State, id: &str) -> Result<Value, ApiError> {
    let (project_id, env) = state
        .secrets
        .environment_by_id(id)
        .ok_or_else(|| ApiError::not_found(format!("Environment with ID '{id}' not found")))?;
    Ok(json!({ "environment": env.view(project_id) }))
}

/// `updateEnvironment`: the project, the environment in it (404), a new slug's uniqueness,
/// then the write. A new slug moves the environment's folders, and the syncs that name it.
pub(crate) fn update_environment(
    state: &mut State,
    project_id: &str,
    id: &str,
    change: EnvironmentChange,
) -> Result<Value, ApiError> {
    find_project(state, project_id)?;
    let old_slug = match state.secrets.environment_by_id(id) {
        Some((project, env)) if project == project_id => env.slug.clone(),
        _ => return Err(ApiError::not_found(not_in_project(id, project_id))),
    };
    if let Some(slug) = change.slug.as_deref()
        && state
            .secrets
            .environment(project_id, slug)
            .is_some_and(|e| e.id != id)
    {
        return Err(slug_taken("UpdateEnvironment"));
    }
    let env = state
        .secrets
        .update_environment(project_id, id, change)
        .ok_or_else(|| ApiError::internal("the environment vanished during its update"))?;
    for sync in state.syncs.syncs.values_mut() {
        if sync.project_id == project_id && sync.environment == old_slug {
            sync.environment.clone_from(&env.slug);
        }
    }
    Ok(answer(
        "Successfully updated environment",
        project_id,
        env.view(project_id),
    ))
}

/// `deleteEnvironment`: the project, then the row (404 when the project has no such
/// environment); its folders and secrets go with it, and syncs on them lose their folder.
pub(crate) fn delete_environment(
    state: &mut State,
    project_id: &str,
    id: &str,
) -> Result<Value, ApiError> {
    find_project(state, project_id)?;
    let (env, gone) = state
        .secrets
        .delete_environment(project_id, id)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "DeleteEnvironment",
                not_in_project(id, project_id),
            )
        })?;
    detach_folders(state, &gone);
    Ok(answer(
        "Successfully deleted environment",
        project_id,
        env.view(project_id),
    ))
}
