//! The emulated GitHub's HTTP face, under `/__github` (a client's GitHub API base URL is
//! `{emulator}/__github`): the Actions secrets routes of each scope and the minting of
//! installation tokens, outside the Infisical request log (their requests carry tokens). The
//! model behind them is [`super::model`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::{DEFAULT_PER_PAGE, GitHubError, GitHubScope, MAX_PER_PAGE, Operation};
use crate::clock::github_time;
use crate::state::Shared;

/// The prefixes of the three scopes' Actions secrets, as their path parameters name them.
const SCOPES: [&str; 3] = [
    "/__github/orgs/{org}/actions/secrets",
    "/__github/repos/{owner}/{repo}/actions/secrets",
    "/__github/repos/{owner}/{repo}/environments/{env}/secrets",
];

/// The GitHub routes, under `/__github`: the same five handlers at each scope.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for prefix in SCOPES {
        router = router
            .route(prefix, get(list))
            .route(&format!("{prefix}/public-key"), get(key))
            .route(
                &format!("{prefix}/{{name}}"),
                get(read).put(write).delete(delete),
            );
    }
    router
        .route("/__github/app/installations/{id}/access_tokens", post(mint))
        .with_state(shared)
}

/// The scope a route's path names (`org`, or `owner` and `repo`, and `env`), with the secret's
/// `name` when it has one.
struct ScopePath {
    scope: GitHubScope,
    name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ScopePath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let mut take = |key: &str| params.remove(key).unwrap_or_default();
        let scope = match (take("org"), take("owner"), take("repo"), take("env")) {
            (org, owner, _, _) if owner.is_empty() => GitHubScope::org(org),
            (_, owner, repo, env) if env.is_empty() => GitHubScope::repo(owner, repo),
            (_, owner, repo, env) => GitHubScope::env(owner, repo, env),
        };
        Ok(Self {
            scope,
            name: take("name"),
        })
    }
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
        .github
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
        .github
        .public_key(token(headers).as_deref(), scope)
    {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

fn get_answer(shared: &Shared, headers: &HeaderMap, scope: &GitHubScope, name: &str) -> Response {
    match shared
        .lock()
        .github
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
        .github
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
        .github
        .delete(token(headers).as_deref(), scope, name)
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

type S = State<Arc<Shared>>;

async fn list(State(s): S, h: HeaderMap, p: ScopePath, Query(paging): Query<Paging>) -> Response {
    let path = match &p.scope {
        GitHubScope::Organization { org } => format!("/__github/orgs/{org}/actions/secrets"),
        GitHubScope::Repository { owner, repo } => {
            format!("/__github/repos/{owner}/{repo}/actions/secrets")
        }
        GitHubScope::RepositoryEnvironment { owner, repo, env } => {
            format!("/__github/repos/{owner}/{repo}/environments/{env}/secrets")
        }
    };
    list_answer(&s, &h, &path, &p.scope, &paging)
}

async fn key(State(s): S, h: HeaderMap, p: ScopePath) -> Response {
    key_answer(&s, &h, &p.scope)
}

async fn read(State(s): S, h: HeaderMap, p: ScopePath) -> Response {
    get_answer(&s, &h, &p.scope, &p.name)
}

async fn write(State(s): S, h: HeaderMap, p: ScopePath, body: Bytes) -> Response {
    put_answer(&s, &h, &p.scope, &p.name, &body)
}

async fn delete(State(s): S, h: HeaderMap, p: ScopePath) -> Response {
    delete_answer(&s, &h, &p.scope, &p.name)
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
    let token = s.lock().github.mint_installation_token(&id);
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
