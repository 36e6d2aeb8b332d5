//! Folders (`services/secret-folder/secret-folder-service.ts`): create (with any missing
//! parents; an existing folder is answered as it is), list (one level, or every level below
//! with `relativePath`), get by id, rename and describe, and delete with everything below.
//! Each check in the server's order and words.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::projects::find_project;
use super::syncs::detach_folders;
use crate::error::ApiError;
use crate::schema::folder::{DeleteInput, FolderInput, ListQuery};
use crate::state::State;
use crate::store::secrets::Folder;
use crate::zod::is_uuid;

/// A folder view with `extra` fields added.
fn with(state: &State, folder: &Folder, extra: Value) -> Value {
    let mut view = state.secrets.folder_view(folder);
    if let (Some(view), Value::Object(extra)) = (view.as_object_mut(), extra) {
        view.extend(extra);
    }
    view
}

/// `projectEnvDAL.findOne({ projectId, slug })`'s 404, in the words each route uses.
fn environment(
    state: &State,
    project_id: &str,
    slug: &str,
    message: String,
) -> Result<(), ApiError> {
    state
        .secrets
        .environment(project_id, slug)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(message))
}

fn no_environment(slug: &str) -> String {
    format!("Environment with slug '{slug}' not found")
}

fn no_parent(path: &str, environment: &str) -> String {
    format!("Folder with path '{path}' in environment with slug '{environment}' not found")
}

/// The folder named `id_or_name` right under the folder at `parent` (by name first, then by
/// id when it is a uuid, as `deleteFolder` looks; `updateFolder` looks by id, then by name).
fn child<'s>(
    state: &'s State,
    project_id: &str,
    environment: &str,
    parent: &str,
    id_or_name: &str,
) -> Option<&'s Folder> {
    let children = state.secrets.children(project_id, environment, parent);
    children
        .iter()
        .find(|f| f.name() == id_or_name)
        .or_else(|| {
            is_uuid(id_or_name)
                .then(|| children.iter().find(|f| f.id == id_or_name))
                .flatten()
        })
        .copied()
}

/// `createFolder`: the project, the environment, then the folder under `path` (missing
/// parents made, an existing folder of that name answered unchanged), with its full `path`.
pub(crate) fn create_folder(state: &mut State, input: FolderInput) -> Result<Value, ApiError> {
    find_project(state, &input.project_id)?;
    environment(
        state,
        &input.project_id,
        &input.environment,
        format!(
            "Environment with slug '{}' in project with ID '{}' not found",
            input.environment, input.project_id
        ),
    )?;
    let id = state.secrets.create_folder(
        &input.project_id,
        &input.environment,
        &input.path,
        &input.name,
        input.description.flatten(),
    );
    let folder = state
        .secrets
        .folder(&id)
        .ok_or_else(|| ApiError::internal("the folder vanished during its creation"))?;
    Ok(json!({ "folder": with(state, folder, json!({ "path": folder.path })) }))
}

/// `getFolders`: the project, the environment, then the folders under `path` (none when it
/// does not exist).
pub(crate) fn list_folders(state: &State, query: &ListQuery) -> Result<Value, ApiError> {
    find_project(state, &query.project_id)?;
    environment(
        state,
        &query.project_id,
        &query.environment,
        no_environment(&query.environment),
    )?;
    let (project, env, path) = (&query.project_id, &query.environment, &query.path);
    let folders: Vec<Value> = if state.secrets.folder_at(project, env, path).is_none() {
        Vec::new()
    } else if query.recursive {
        state
            .secrets
            .descendants(project, env, path)
            .into_iter()
            .map(|(f, relative)| with(state, f, json!({ "relativePath": relative })))
            .collect()
    } else {
        state
            .secrets
            .children(project, env, path)
            .into_iter()
            .map(|f| state.secrets.folder_view(f))
            .collect()
    };
    Ok(json!({ "folders": folders }))
}

/// `getFolderById`: the folder with its environment, full path and project.
pub(crate) fn get_folder(state: &State, id: &str) -> Result<Value, ApiError> {
    let folder = state
        .secrets
        .folder(id)
        .ok_or_else(|| ApiError::not_found(format!("Folder with ID '{id}' not found")))?;
    let env = state
        .secrets
        .environment(&folder.project_id, &folder.environment)
        .ok_or_else(|| ApiError::internal("a folder outlived its environment"))?;
    let extra = json!({
        "environment": { "envId": env.id, "envName": env.name, "envSlug": env.slug },
        "path": folder.path,
        "projectId": folder.project_id,
    });
    Ok(json!({ "folder": with(state, folder, extra) }))
}

/// `updateFolder`: the project, the parent at `path` (404), the environment (404), the folder
/// under it (404), a new name's uniqueness (400), then the write; with its new full path.
pub(crate) fn update_folder(
    state: &mut State,
    id: &str,
    input: FolderInput,
) -> Result<Value, ApiError> {
    let named = |message: String| ApiError::new(StatusCode::NOT_FOUND, "UpdateFolder", message);
    find_project(state, &input.project_id)?;
    let (project, env, path) = (&input.project_id, &input.environment, &input.path);
    if state.secrets.folder_at(project, env, path).is_none() {
        return Err(named(no_parent(path, env)));
    }
    let children = state.secrets.children(project, env, path);
    let folder = children
        .iter()
        .find(|f| f.id == id)
        .or_else(|| children.iter().find(|f| f.name() == id))
        .ok_or_else(|| named(format!("Folder with ID '{id}' not found")))?;
    if input.name != folder.name() && children.iter().any(|f| f.name() == input.name) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UpdateFolder",
            "Folder with specified name already exists",
        ));
    }
    let folder_id = folder.id.clone();
    state
        .secrets
        .update_folder(&folder_id, &input.name, input.description);
    let folder = state
        .secrets
        .folder(&folder_id)
        .ok_or_else(|| ApiError::internal("the folder vanished during its update"))?;
    Ok(json!({ "folder": with(state, folder, json!({ "path": folder.path })) }))
}

/// `deleteFolder`: the project, the environment, the parent at `path`, the folder under it
/// (`$checkFolderPolicy`'s 404), then the folder with everything below it; syncs on them lose
/// their folder.
pub(crate) fn delete_folder(
    state: &mut State,
    id_or_name: &str,
    input: DeleteInput,
) -> Result<Value, ApiError> {
    find_project(state, &input.project_id)?;
    let (project, env, path) = (&input.project_id, &input.environment, &input.path);
    environment(state, project, env, no_environment(env))?;
    if state.secrets.folder_at(project, env, path).is_none() {
        return Err(ApiError::not_found(no_parent(path, env)));
    }
    let folder = child(state, project, env, path, id_or_name)
        .ok_or_else(|| ApiError::not_found("Target folder not found"))?;
    let answer = state.secrets.folder_view(folder);
    let folder_path = folder.path.clone();
    let gone = state.secrets.delete_folder(project, env, &folder_path);
    detach_folders(state, &gone);
    Ok(json!({ "folder": answer }))
}
