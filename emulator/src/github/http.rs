//! The emulated GitHub's HTTP face, under `/__github` (a client's GitHub API base URL is
//! `{emulator}/__github`): the Actions secrets routes of each scope and the minting of
//! installation tokens, outside the Infisical request log (their requests carry tokens). The
//! model behind them is [`super::model`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::{DEFAULT_PER_PAGE, GitHubError, GitHubScope, MAX_PER_PAGE, Operation};
use crate::clock::github_time;
use crate::state::Shared;

/// The GitHub routes, under `/__github`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__github/orgs/{org}/actions/secrets", get(org_list))
        .route(
            "/__github/orgs/{org}/actions/secrets/public-key",
            get(org_key),
        )
        .route(
            "/__github/orgs/{org}/actions/secrets/{name}",
            get(org_get).put(org_put).delete(org_delete),
        )
        .route(
            "/__github/repos/{owner}/{repo}/actions/secrets",
            get(repo_list),
        )
        .route(
            "/__github/repos/{owner}/{repo}/actions/secrets/public-key",
            get(repo_key),
        )
        .route(
            "/__github/repos/{owner}/{repo}/actions/secrets/{name}",
            get(repo_get).put(repo_put).delete(repo_delete),
        )
        .route(
            "/__github/repos/{owner}/{repo}/environments/{env}/secrets",
            get(env_list),
        )
        .route(
            "/__github/repos/{owner}/{repo}/environments/{env}/secrets/public-key",
            get(env_key),
        )
        .route(
            "/__github/repos/{owner}/{repo}/environments/{env}/secrets/{name}",
            get(env_get).put(env_put).delete(env_delete),
        )
        .route("/__github/app/installations/{id}/access_tokens", post(mint))
        .with_state(shared)
}

/// The token of `Authorization: Bearer …` or `Authorization: token …`.
fn token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    matches!(scheme.to_ascii_lowercase().as_str(), "bearer" | "token")
        .then(|| token.trim().to_owned())
}

/// `?per_page&page`; anything unparsable is GitHub's default.
#[derive(Deserialize)]
struct Paging {
    per_page: Option<String>,
    page: Option<String>,
}

/// The list answer with GitHub's `Link` header (`prev`, `next`, `last`, `first` as they apply).
fn list_answer(
    shared: &Shared,
    headers: &HeaderMap,
    path: &str,
    scope: &GitHubScope,
    paging: &Paging,
) -> Response {
    let per_page = paging.per_page.as_deref().and_then(|v| v.parse().ok());
    let page = paging.page.as_deref().and_then(|v| v.parse::<usize>().ok());
    let result = shared
        .lock()
        .github_server
        .list(token(headers).as_deref(), scope, per_page, page);
    let (body, last) = match result {
        Ok(answer) => answer,
        Err(error) => return error.into_response(),
    };
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE);
    let page = page.unwrap_or(1).max(1);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let link = |n: usize, rel: &str| {
        format!("<http://{host}{path}?per_page={per_page}&page={n}>; rel=\"{rel}\"")
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
    }
    let mut response = Json(body).into_response();
    if !links.is_empty()
        && let Ok(value) = HeaderValue::from_str(&links.join(", "))
    {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

fn key_answer(shared: &Shared, headers: &HeaderMap, scope: &GitHubScope) -> Response {
    match shared
        .lock()
        .github_server
        .public_key(token(headers).as_deref(), scope)
    {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

fn get_answer(shared: &Shared, headers: &HeaderMap, scope: &GitHubScope, name: &str) -> Response {
    match shared
        .lock()
        .github_server
        .get(token(headers).as_deref(), scope, name)
    {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

fn put_answer(
    shared: &Shared,
    headers: &HeaderMap,
    scope: &GitHubScope,
    name: &str,
    body: &Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return GitHubError::new(400, "Problems parsing JSON", scope.docs(Operation::Put))
            .into_response();
    };
    match shared
        .lock()
        .github_server
        .put(token(headers).as_deref(), scope, name, &body)
    {
        Ok(true) => (StatusCode::CREATED, Json(json!({}))).into_response(),
        Ok(false) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

fn delete_answer(
    shared: &Shared,
    headers: &HeaderMap,
    scope: &GitHubScope,
    name: &str,
) -> Response {
    match shared
        .lock()
        .github_server
        .delete(token(headers).as_deref(), scope, name)
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

type S = State<Arc<Shared>>;

async fn org_list(
    State(s): S,
    h: HeaderMap,
    Path(org): Path<String>,
    Query(p): Query<Paging>,
) -> Response {
    let path = format!("/__github/orgs/{org}/actions/secrets");
    list_answer(&s, &h, &path, &GitHubScope::org(org), &p)
}

async fn org_key(State(s): S, h: HeaderMap, Path(org): Path<String>) -> Response {
    key_answer(&s, &h, &GitHubScope::org(org))
}

async fn org_get(State(s): S, h: HeaderMap, Path((org, name)): Path<(String, String)>) -> Response {
    get_answer(&s, &h, &GitHubScope::org(org), &name)
}

async fn org_put(
    State(s): S,
    h: HeaderMap,
    Path((org, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    put_answer(&s, &h, &GitHubScope::org(org), &name, &body)
}

async fn org_delete(
    State(s): S,
    h: HeaderMap,
    Path((org, name)): Path<(String, String)>,
) -> Response {
    delete_answer(&s, &h, &GitHubScope::org(org), &name)
}

async fn repo_list(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo)): Path<(String, String)>,
    Query(p): Query<Paging>,
) -> Response {
    let path = format!("/__github/repos/{owner}/{repo}/actions/secrets");
    list_answer(&s, &h, &path, &GitHubScope::repo(owner, repo), &p)
}

async fn repo_key(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    key_answer(&s, &h, &GitHubScope::repo(owner, repo))
}

async fn repo_get(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, name)): Path<(String, String, String)>,
) -> Response {
    get_answer(&s, &h, &GitHubScope::repo(owner, repo), &name)
}

async fn repo_put(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, name)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    put_answer(&s, &h, &GitHubScope::repo(owner, repo), &name, &body)
}

async fn repo_delete(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, name)): Path<(String, String, String)>,
) -> Response {
    delete_answer(&s, &h, &GitHubScope::repo(owner, repo), &name)
}

async fn env_list(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, env)): Path<(String, String, String)>,
    Query(p): Query<Paging>,
) -> Response {
    let path = format!("/__github/repos/{owner}/{repo}/environments/{env}/secrets");
    list_answer(&s, &h, &path, &GitHubScope::env(owner, repo, env), &p)
}

async fn env_key(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, env)): Path<(String, String, String)>,
) -> Response {
    key_answer(&s, &h, &GitHubScope::env(owner, repo, env))
}

async fn env_get(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, env, name)): Path<(String, String, String, String)>,
) -> Response {
    get_answer(&s, &h, &GitHubScope::env(owner, repo, env), &name)
}

async fn env_put(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, env, name)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Response {
    put_answer(&s, &h, &GitHubScope::env(owner, repo, env), &name, &body)
}

async fn env_delete(
    State(s): S,
    h: HeaderMap,
    Path((owner, repo, env, name)): Path<(String, String, String, String)>,
) -> Response {
    delete_answer(&s, &h, &GitHubScope::env(owner, repo, env), &name)
}

/// `POST /app/installations/{id}/access_tokens`. GitHub wants the app's JWT; the emulator only
/// wants some bearer token, so a client can exercise the call.
async fn mint(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    if token(&h).is_none() {
        return GitHubError::new(
            401,
            "A JSON web token could not be decoded",
            "https://docs.github.com/rest",
        )
        .into_response();
    }
    let token = s.lock().github_server.mint_installation_token(&id);
    let expires_at = github_time(time::Duration::hours(1));
    (
        StatusCode::CREATED,
        Json(json!({
            "token": token,
            "expires_at": expires_at,
            "permissions": { "secrets": "write", "organization_secrets": "write", "environments": "write" },
            "repository_selection": "selected",
        })),
    )
        .into_response()
}
