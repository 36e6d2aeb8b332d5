//! The emulator's OIDC token issuers (see [`crate::store::oidc_issuers`]): their discovery
//! document and JWKS as GitHub Actions' issuer serves them, tokens minted for given claims
//! (with GitHub Actions' claim set for a repository), and what an OIDC login fetches from an
//! `oidcDiscoveryUrl` — the emulator's own issuers answer in process; any other host is
//! unreachable.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::jwt::{RsaJwk, SigningKey};
use crate::state::State;
use crate::store::oidc_issuers::{GITHUB, is_issuer_name};

/// The issuer `name`'s URL (its `iss`, and the `oidcDiscoveryUrl` that finds it).
pub(crate) fn issuer_url(base: &str, name: &str) -> String {
    format!("{base}/__oidc/{name}")
}

/// The issuer's key, made on first use: `github` always exists, others once created.
fn key(state: &mut State, name: &str, create: bool) -> Option<Arc<SigningKey>> {
    if create || name == GITHUB {
        state.oidc_issuers.get_or_create(name)
    } else {
        state.oidc_issuers.get(name)
    }
}

/// `/.well-known/openid-configuration`, as GitHub's token issuer writes it.
pub(crate) fn discovery_document(state: &mut State, base: &str, name: &str) -> Option<Value> {
    key(state, name, false)?;
    let issuer = issuer_url(base, name);
    Some(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks"),
        "subject_types_supported": ["public", "pairwise"],
        "response_types_supported": ["id_token"],
        "claims_supported": [
            "sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository",
            "repository_id", "repository_owner", "repository_owner_id", "run_id", "run_number",
            "run_attempt", "actor", "actor_id", "workflow", "workflow_ref", "workflow_sha",
            "head_ref", "base_ref", "event_name", "ref_type", "ref_protected", "environment",
            "job_workflow_ref", "job_workflow_sha", "repository_visibility", "runner_environment",
        ],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid"],
    }))
}

/// `/.well-known/jwks`.
pub(crate) fn jwks(state: &mut State, name: &str) -> Option<Value> {
    let key = key(state, name, false)?;
    Some(json!({ "keys": [key.jwk.view()] }))
}

/// Signs `claims` with the issuer `name` (made now if needed), filling in `iss` (the issuer's
/// URL), `iat` and `nbf` (now), `exp` (five minutes on, as GitHub's tokens last) and `jti` when
/// absent. `None` if `claims` is not an object or the name is not an issuer's.
pub(crate) fn mint(state: &mut State, base: &str, name: &str, claims: Value) -> Option<String> {
    if !is_issuer_name(name) {
        return None;
    }
    let Value::Object(mut claims) = claims else {
        return None;
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let defaults = [
        ("iss", json!(issuer_url(base, name))),
        ("iat", json!(now)),
        ("nbf", json!(now)),
        ("exp", json!(now + 300)),
        ("jti", json!(uuid::Uuid::new_v4().to_string())),
    ];
    for (claim, value) in defaults {
        claims.entry(claim).or_insert(value);
    }
    key(state, name, true)?.sign(&Value::Object(claims))
}

/// A stable number for a name (GitHub's ids are numbers, sent as strings).
fn id_of(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&digest[..4]);
    (u32::from_be_bytes(bytes) % 900_000_000 + 100_000_000).to_string()
}

/// The claims GitHub Actions puts in a workflow run's OIDC token for `repository`
/// (`owner/name`): a push to `main`, or a job in `environment` (its `sub` then names the
/// environment, as GitHub's default subject does). `aud` is GitHub's default, the owner's URL.
pub(crate) fn github_actions_claims(repository: &str, environment: Option<&str>) -> Value {
    let owner = repository.split('/').next().unwrap_or(repository);
    let git_ref = "refs/heads/main";
    let subject = match environment {
        Some(environment) => format!("repo:{repository}:environment:{environment}"),
        None => format!("repo:{repository}:ref:{git_ref}"),
    };
    let workflow_ref = format!("{repository}/.github/workflows/deploy.yml@{git_ref}");
    let sha = hex::encode(&Sha256::digest(repository.as_bytes())[..20]);
    let mut claims = Map::new();
    let mut set = |key: &str, value: Value| {
        claims.insert(key.to_owned(), value);
    };
    set("sub", json!(subject));
    set("aud", json!(format!("https://github.com/{owner}")));
    set("ref", json!(git_ref));
    set("sha", json!(sha));
    set("repository", json!(repository));
    set("repository_id", json!(id_of(repository)));
    set("repository_owner", json!(owner));
    set("repository_owner_id", json!(id_of(owner)));
    set("repository_visibility", json!("private"));
    set("run_id", json!(id_of(&uuid::Uuid::new_v4().to_string())));
    set("run_number", json!("1"));
    set("run_attempt", json!("1"));
    set("actor", json!(owner));
    set("actor_id", json!(id_of(owner)));
    set("workflow", json!("deploy"));
    set("workflow_ref", json!(workflow_ref));
    set("workflow_sha", json!(sha));
    set("job_workflow_ref", json!(workflow_ref));
    set("job_workflow_sha", json!(sha));
    set("head_ref", json!(""));
    set("base_ref", json!(""));
    set("event_name", json!("push"));
    set("ref_type", json!("branch"));
    set("ref_protected", json!("false"));
    set("runner_environment", json!("github-hosted"));
    if let Some(environment) = environment {
        set("environment", json!(environment));
    }
    Value::Object(claims)
}

/// Why an OIDC discovery document or JWKS could not be had: axios' message.
pub(crate) type FetchError = String;

/// The issuer a URL of the emulator names, if it is one (`<base>/__oidc/<name>` and nothing
/// more), or the fetch's failure: another host is unreachable, another path of the emulator
/// answers 404.
fn issuer_of(base: &str, url: &str) -> Result<String, FetchError> {
    let parsed = url::Url::parse(url).map_err(|_| format!("Invalid URL: {url}"))?;
    let own = url::Url::parse(base).map_err(|_| "the emulator has no URL".to_owned())?;
    let host = parsed.host_str().unwrap_or_default();
    let same_host = host == own.host_str().unwrap_or_default() || host == "localhost";
    if parsed.scheme() != own.scheme() || !same_host || parsed.port() != own.port() {
        return Err(format!("getaddrinfo ENOTFOUND {host}"));
    }
    parsed
        .path()
        .strip_prefix("/__oidc/")
        .filter(|name| is_issuer_name(name))
        .map(str::to_owned)
        .ok_or_else(|| "Request failed with status code 404".to_owned())
}

/// `GET ${oidcDiscoveryUrl}/.well-known/openid-configuration`.
pub(crate) fn fetch_discovery(
    state: &mut State,
    base: &str,
    discovery_url: &str,
) -> Result<Value, FetchError> {
    let name = issuer_of(base, discovery_url)?;
    discovery_document(state, base, &name)
        .ok_or_else(|| "Request failed with status code 404".to_owned())
}

/// The signing keys at `jwks_uri` (jwks-rsa's `getSigningKeys`: RSA keys for signatures).
pub(crate) fn fetch_keys(
    state: &mut State,
    base: &str,
    jwks_uri: &str,
) -> Result<Vec<RsaJwk>, FetchError> {
    let name = jwks_uri
        .strip_suffix("/.well-known/jwks")
        .ok_or_else(|| "Request failed with status code 404".to_owned())
        .and_then(|issuer| issuer_of(base, issuer))?;
    let jwks =
        jwks(state, &name).ok_or_else(|| "Request failed with status code 404".to_owned())?;
    Ok(jwks["keys"]
        .as_array()
        .map(|keys| {
            keys.iter()
                .filter(|k| k["use"] == "sig" || k.get("use").is_none())
                .filter_map(RsaJwk::from_view)
                .collect()
        })
        .unwrap_or_default())
}
