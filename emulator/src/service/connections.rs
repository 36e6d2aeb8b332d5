//! GitHub app connections: create and `PATCH` with the server's checks in its order (gateway,
//! pool, the credentials against GitHub, the name), reads with their `project`, lists, delete,
//! the GitHub Apps a connection may name, and the out-of-band edits of the admin API.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::clock::now_iso;
use crate::error::ApiError;
use crate::github::model::{GitHub, Visible};
use crate::schema::connection::{self as github, CreateInput, Method, UpdateInput};
use crate::state::{Settings, State};
use crate::store::connections::{Connection, StoredConnection};
use crate::store::github_apps;
use crate::store::projects::Project;

/// The message Infisical gives a code GitHub refused (unknown, already exchanged, or expired).
pub(crate) const BAD_VERIFICATION_CODE: &str = "Unable to validate credentials: GitHub responded with an error: bad_verification_code - The code passed is incorrect or expired.";
/// The message Infisical gives a GitHub App installation the code's user cannot see.
pub(crate) const NO_INSTALLATION_ACCESS: &str =
    "User does not have access to the provided installation";
/// The message Infisical gives a PAT GitHub refused.
pub(crate) const BAD_PAT: &str =
    "Unable to validate Personal Access Token: verify token has proper permissions";

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Could not find App Connection with ID {id}"))
}

/// A connection by id, of any app.
pub(crate) fn connection<'a>(state: &'a State, id: &str) -> Option<&'a Connection> {
    state.connections.get(id)
}

/// Finds a connection of `app` by id, with the server's 404 and wrong-app 400.
fn find<'a>(state: &'a State, app: &str, id: &str) -> Result<&'a Connection, ApiError> {
    let connection = state.connections.get(id).ok_or_else(|| not_found(id))?;
    if connection.app != app {
        return Err(ApiError::bad_request(format!(
            "App Connection with ID {id} is not for App \"{app}\""
        )));
    }
    Ok(connection)
}

/// The `project` the server joins onto a connection it reads: the project's details, or
/// `null` for an organization-level connection. A project the emulator was never told about
/// (a seeded connection's) gets [`Project::new`]'s details.
fn project_of(state: &State, connection: &Connection) -> Value {
    match &connection.project_id {
        None => Value::Null,
        Some(id) => state
            .projects
            .get(id)
            .map_or_else(|| Project::new(id.clone()).summary(), Project::summary),
    }
}

/// A connection as a read returns it: sanitized, with its `project`.
fn read_view(state: &State, settings: &Settings, connection: &Connection) -> Value {
    let mut answer = connection.sanitized(&settings.org_id);
    if let Some(object) = answer.as_object_mut() {
        object.insert("project".to_owned(), project_of(state, connection));
    }
    answer
}

/// The server checks the caller's permission in a project before listing it, and that fails
/// for a project that does not exist. The exact answer was not read; this is the one the
/// server gives an unknown project on create.
fn check_project(state: &State, project_id: &str) -> Result<(), ApiError> {
    if state.projects.contains_key(project_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Could not find project with ID {project_id}"
        )))
    }
}

/// `GET …/:id`: the connection with its `project`.
pub(crate) fn get(
    state: &State,
    settings: &Settings,
    app: &str,
    id: &str,
) -> Result<Value, ApiError> {
    Ok(read_view(state, settings, find(state, app, id)?))
}

/// `GET …/connection-name/:name`: looks in one scope, the organization's or, with
/// `?projectId`, the project's; the 404 names the scope.
pub(crate) fn get_by_name(
    state: &State,
    settings: &Settings,
    app: &str,
    name: &str,
    project_id: Option<&str>,
) -> Result<Value, ApiError> {
    let connection = state.connections.by_name(project_id, name).ok_or_else(|| {
        let scope = if project_id.is_some() {
            "project"
        } else {
            "organization"
        };
        ApiError::not_found(format!(
            "Could not find App Connection with name {name} in {scope} scope."
        ))
    })?;
    if connection.app != app {
        return Err(ApiError::bad_request(format!(
            "App Connection with name {name} is not for App \"{app}\""
        )));
    }
    Ok(read_view(state, settings, connection))
}

/// `GET …?projectId`: without a project, every connection of `app` in the organization,
/// project-scoped ones included; with one, that project's (an unknown project is refused).
/// Each carries its `project`; sorted by name, case-insensitively, as the server does.
pub(crate) fn list(
    state: &State,
    settings: &Settings,
    app: &str,
    project_id: Option<&str>,
) -> Result<Vec<Value>, ApiError> {
    if let Some(project_id) = project_id {
        check_project(state, project_id)?;
    } else if state.projects_only {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "PermissionDenied",
            "You are not allowed to read on app-connections",
        ));
    }
    let mut found: Vec<&Connection> = state
        .connections
        .values()
        .filter(|c| c.app == app && (project_id.is_none() || c.project_id.as_deref() == project_id))
        .collect();
    found.sort_by_key(|c| c.name.to_lowercase());
    Ok(found
        .iter()
        .map(|c| read_view(state, settings, c))
        .collect())
}

/// `GET /api/v1/github-apps?projectId`: the GitHub Apps the caller may use (see
/// [`GitHubApps::list`]); an unknown project is refused as on the connection list.
pub(crate) fn list_github_apps(
    state: &State,
    settings: &Settings,
    project_id: Option<&str>,
) -> Result<Vec<Value>, ApiError> {
    if let Some(project_id) = project_id {
        check_project(state, project_id)?;
    }
    let mut per_app: HashMap<Option<String>, u64> = HashMap::new();
    for connection in state
        .connections
        .values()
        .filter(|c| c.app == github::APP && c.method == Method::App.as_str())
    {
        let app_id = connection
            .credentials
            .get("gitHubAppId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        *per_app.entry(app_id).or_default() += 1;
    }
    Ok(state
        .github_apps
        .list(&settings.org_id, project_id, &per_app))
}

fn duplicate(name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "An App Connection with the name \"{name}\" already exists"
    ))
}

/// Platform-wide, a connection reaches GitHub through a gateway or a pool, never both. The
/// service checks this before anything else, even before looking the connection up.
fn check_not_both(gateway: bool, pool: bool) -> Result<(), ApiError> {
    if gateway && pool {
        Err(ApiError::bad_request(
            "Cannot specify both a gateway and a gateway pool",
        ))
    } else {
        Ok(())
    }
}

/// The gateway lookup of create and PATCH.
fn check_gateway(state: &State, gateway_id: &str) -> Result<(), ApiError> {
    if state.gateways.contains(gateway_id) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Gateway with ID {gateway_id} not found for org"
        )))
    }
}

/// `resolveAttachableGatewayFromPool`: the plan first, then the pool.
fn check_gateway_pool(state: &State, pool_id: &str) -> Result<(), ApiError> {
    if !state.licenses.gateway_pool {
        return Err(ApiError::bad_request(
            "Your current plan does not support gateway pools. Please upgrade to an \
             Enterprise plan.",
        ));
    }
    if state.gateway_pools.contains(pool_id) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Gateway pool with ID {pool_id} not found"
        )))
    }
}

/// Validates credentials against GitHub as `validateGitHubConnectionCredentials` does and
/// returns what Infisical would store (the code is consumed and never stored).
fn ask_github(
    github: &mut GitHub,
    method: Method,
    credentials: &Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let text = |key: &str| credentials.get(key).and_then(Value::as_str).unwrap_or("");
    let exchange = |github: &mut GitHub| {
        github
            .exchange(text("code"))
            .ok_or_else(|| ApiError::bad_request(BAD_VERIFICATION_CODE))
    };
    let mut stored = Map::new();
    match method {
        Method::Pat => {
            if !github.accept_pat(text("personalAccessToken")) {
                return Err(ApiError::bad_request(BAD_PAT));
            }
            stored.insert(
                "personalAccessToken".into(),
                text("personalAccessToken").into(),
            );
        }
        Method::OAuth => {
            exchange(github)?;
            stored.insert("accessToken".into(), github.issue_oauth_token().into());
        }
        Method::App => {
            let installation = text("installationId");
            let allowed = match exchange(github)? {
                Visible::All => true,
                Visible::Some(ids) => ids.contains(installation),
            };
            if !allowed {
                return Err(ApiError::forbidden(NO_INSTALLATION_ACCESS));
            }
            github.register_installation(installation);
            stored.insert("installationId".into(), installation.into());
        }
    }
    for key in ["instanceType", "host"] {
        if let Some(value) = credentials.get(key) {
            stored.insert(key.into(), value.clone());
        }
    }
    Ok(stored)
}

/// Validates credentials as the server does, for a connection in `project_id`: a `github-app`
/// connection's GitHub App is resolved first (an unknown `gitHubAppId` fails before the code is
/// spent), then GitHub is asked, then the stored credentials are bound to the app.
fn validate_github(
    state: &mut State,
    method: Method,
    credentials: &Map<String, Value>,
    project_id: Option<&str>,
) -> Result<Map<String, Value>, ApiError> {
    if method != Method::App {
        return ask_github(&mut state.github, method, credentials);
    }
    let app_id = credentials.get("gitHubAppId").and_then(Value::as_str);
    let resolved = state.github_apps.resolve(app_id, project_id)?;
    let mut stored = ask_github(&mut state.github, method, credentials)?;
    github_apps::bind(&mut stored, &resolved);
    Ok(stored)
}

/// `POST /api/v1/app-connections/github`, after body validation. The checks run in the
/// server's order: gateway and pool together, project, gateway (the plan, then the lookup),
/// pool (the plan, then the lookup), GitHub (which consumes a code even if a later check
/// fails), then name uniqueness (a database constraint, so last).
pub(crate) fn create_github(
    state: &mut State,
    settings: &Settings,
    input: CreateInput,
) -> Result<Value, ApiError> {
    check_not_both(input.gateway_id.is_some(), input.gateway_pool_id.is_some())?;
    if let Some(project) = &input.project_id {
        check_project(state, project)?;
    }
    if let Some(gateway) = &input.gateway_id {
        if !state.licenses.gateway {
            return Err(ApiError::bad_request(
                "Your current plan does not support gateway usage with app connections. \
                 Please upgrade your plan or contact Infisical Sales for assistance.",
            ));
        }
        check_gateway(state, gateway)?;
    }
    if let Some(pool) = &input.gateway_pool_id {
        check_gateway_pool(state, pool)?;
    }
    let credentials = validate_github(
        state,
        input.method,
        &input.credentials,
        input.project_id.as_deref(),
    )?;
    if state.connections.name_taken(&input.project_id, &input.name) {
        return Err(duplicate(&input.name));
    }
    let now = now_iso();
    let mut connection = Connection {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name,
        description: input.description,
        app: github::APP.to_owned(),
        method: input.method.as_str().to_owned(),
        project_id: input.project_id,
        gateway_id: input.gateway_id,
        gateway_pool_id: input.gateway_pool_id,
        credentials,
        ciphertext: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
    };
    connection.seal();
    // The create answer is the inserted row: no `project` joined on.
    let answer = connection.sanitized(&settings.org_id);
    state.connections.insert(connection);
    Ok(answer)
}

/// `PATCH /api/v1/app-connections/github/:id`, after body validation. The checks run in the
/// server's order: gateway and pool together, the connection (404 or another app's), a
/// changed gateway (the lookup only: the server checks the plan on create alone), a newly
/// attached pool, the credentials' format for the stored method, GitHub, the name.
pub(crate) fn update_github(
    state: &mut State,
    settings: &Settings,
    id: &str,
    input: UpdateInput,
) -> Result<Value, ApiError> {
    check_not_both(
        matches!(input.gateway_id, Some(Some(_))),
        matches!(input.gateway_pool_id, Some(Some(_))),
    )?;
    let current = find(state, github::APP, id)?.clone();
    let method = Method::parse(&current.method).ok_or_else(|| not_found(id))?;
    if let Some(Some(gateway)) = &input.gateway_id
        && current.gateway_id.as_ref() != Some(gateway)
    {
        check_gateway(state, gateway)?;
    }
    if let Some(Some(pool)) = &input.gateway_pool_id
        && current.gateway_pool_id.as_ref() != Some(pool)
    {
        check_gateway_pool(state, pool)?;
    }
    let credentials = match &input.credentials {
        None => None,
        Some(given) => {
            let Some(checked) = github::parse_for_method(method, given) else {
                return Err(ApiError::bad_request(format!(
                    "Invalid credential format for GitHub Connection with method {}",
                    method.display_name()
                )));
            };
            Some(validate_github(
                state,
                method,
                &checked,
                current.project_id.as_deref(),
            )?)
        }
    };
    if let Some(name) = &input.name
        && *name != current.name
        && state.connections.name_taken(&current.project_id, name)
    {
        return Err(duplicate(name));
    }
    let mut updated = current.clone();
    if let Some(name) = input.name {
        updated.name = name;
    }
    if let Some(description) = input.description {
        updated.description = description;
    }
    // Attaching one of gateway and pool detaches the other; clearing one leaves the other.
    match (input.gateway_id, input.gateway_pool_id) {
        (Some(gateway), Some(pool)) => {
            updated.gateway_id = gateway;
            updated.gateway_pool_id = pool;
        }
        (Some(gateway), None) => {
            if gateway.is_some() {
                updated.gateway_pool_id = None;
            }
            updated.gateway_id = gateway;
        }
        (None, Some(pool)) => {
            if pool.is_some() {
                updated.gateway_id = None;
            }
            updated.gateway_pool_id = pool;
        }
        (None, None) => {}
    }
    if let Some(credentials) = credentials {
        updated.credentials = credentials;
        updated.seal();
    }
    updated.updated_at = now_iso();
    state.connections.remove(&current.id);
    // The PATCH answer is the updated row: no `project` joined on.
    let answer = updated.sanitized(&settings.org_id);
    state.connections.insert(updated);
    Ok(answer)
}

/// `DELETE /api/v1/app-connections/:app/:id`: answers with the deleted connection.
pub(crate) fn delete(
    state: &mut State,
    settings: &Settings,
    app: &str,
    id: &str,
) -> Result<Value, ApiError> {
    let answer = find(state, app, id)?.sanitized(&settings.org_id);
    state.connections.remove(id);
    Ok(answer)
}

/// Stores a connection directly, e.g. one of another app; fails on a taken name.
pub(crate) fn seed(
    state: &mut State,
    app: String,
    name: String,
    method: String,
    project_id: Option<String>,
    credentials: Map<String, Value>,
) -> Result<StoredConnection, String> {
    if state.connections.name_taken(&project_id, &name) {
        return Err(format!(
            "an app connection named {name:?} already exists in that scope"
        ));
    }
    let now = now_iso();
    let mut connection = Connection {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        description: None,
        app,
        method,
        project_id,
        gateway_id: None,
        gateway_pool_id: None,
        credentials,
        ciphertext: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
    };
    connection.seal();
    let view = connection.stored_view();
    state.connections.insert(connection);
    Ok(view)
}

/// Re-encrypts a connection's credentials as a credentials edit in the UI would: new hash.
pub(crate) fn rotate_credentials(state: &mut State, id: &str) -> Option<StoredConnection> {
    let connection = state.connections.get_mut(id)?;
    connection.seal();
    connection.updated_at = now_iso();
    Some(connection.stored_view())
}

/// Renames a connection behind the client's back; fails if the name is taken.
pub(crate) fn rename(
    state: &mut State,
    id: &str,
    name: String,
) -> Result<StoredConnection, String> {
    let current = state
        .connections
        .get(id)
        .ok_or_else(|| format!("no app connection with id {id}"))?
        .clone();
    if current.name != name && state.connections.name_taken(&current.project_id, &name) {
        return Err(format!(
            "an app connection named {name:?} already exists in that scope"
        ));
    }
    state.connections.remove(id);
    let mut renamed = current;
    renamed.name = name;
    renamed.updated_at = now_iso();
    let view = renamed.stored_view();
    state.connections.insert(renamed);
    Ok(view)
}

/// Sets a connection's description behind the client's back.
pub(crate) fn set_description(
    state: &mut State,
    id: &str,
    description: Option<String>,
) -> Option<StoredConnection> {
    let connection = state.connections.get_mut(id)?;
    connection.description = description;
    connection.updated_at = now_iso();
    Some(connection.stored_view())
}

pub(crate) fn delete_out_of_band(state: &mut State, id: &str) -> bool {
    state.connections.remove(id).is_some()
}

pub(crate) fn stored(state: &State, id: &str) -> Option<StoredConnection> {
    state.connections.get(id).map(Connection::stored_view)
}

pub(crate) fn all_stored(state: &State) -> Vec<StoredConnection> {
    let mut all: Vec<_> = state
        .connections
        .values()
        .map(Connection::stored_view)
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

pub(crate) fn connection_count(state: &State) -> usize {
    state.connections.len()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;

    #[test]
    fn codes_are_single_use() {
        let mut github = GitHub::new(false);
        github.add_code("c1".into(), HashSet::from(["42".to_owned()]));
        let credentials = json!({ "code": "c1", "installationId": "42" });
        let credentials = credentials.as_object().unwrap();
        assert!(ask_github(&mut github, Method::App, credentials).is_ok());
        assert!(ask_github(&mut github, Method::App, credentials).is_err());
        assert!(github.code_used("c1"));
    }
}
