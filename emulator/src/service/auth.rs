//! Logins and access tokens: the universal-auth, OIDC, Kubernetes and AWS logins (each refusal
//! in the server's words), renewal within the max TTL, and the check of a bearer token every
//! other route makes.

use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::{ApiError, TOKEN_EXPIRED, TOKEN_MALFORMED};
use crate::state::{Settings, State};
use crate::store::tokens::{Token, Tokens};
use crate::sts::{self, AwsKey, Refusal};

fn issue_token(
    state: &mut State,
    settings: &Settings,
    identity: &str,
    max_expires_at: Option<Instant>,
) -> Value {
    let now = Instant::now();
    let max_expires_at = max_expires_at.unwrap_or(now + settings.token_max_ttl);
    let expires_at = (now + settings.token_ttl).min(max_expires_at);
    let token = format!(
        "emu.{}.{}",
        uuid::Uuid::new_v4().simple(),
        hex::encode(rand::rng().random::<[u8; 16]>())
    );
    state.tokens.issued.insert(
        token.clone(),
        Token {
            identity: identity.to_owned(),
            expires_at,
            max_expires_at,
            expired: false,
            revoked: false,
        },
    );
    json!({
        "accessToken": token,
        "expiresIn": expires_at.saturating_duration_since(now).as_secs(),
        "accessTokenMaxTTL": settings.token_max_ttl.as_secs(),
        "tokenType": "Bearer",
    })
}

/// Universal-auth login with validated, trimmed credentials.
pub(crate) fn login(
    state: &mut State,
    settings: &Settings,
    client_id: &str,
    client_secret: &str,
) -> Result<Value, ApiError> {
    if client_id != settings.client_id || client_secret != settings.client_secret {
        state.counters.failed_logins += 1;
        return Err(ApiError::unauthorized("Invalid credentials"));
    }
    state.counters.logins += 1;
    Ok(issue_token(state, settings, client_id, None))
}

/// Declares an identity that logs in with OIDC auth and `jwt`.
pub(crate) fn add_oidc_identity(state: &mut State, identity_id: String, jwt: String) {
    state
        .tokens
        .oidc
        .entry(identity_id)
        .or_default()
        .insert(jwt);
}

/// Declares an identity that logs in with Kubernetes auth and `token`.
pub(crate) fn add_kubernetes_identity(state: &mut State, identity_id: String, token: String) {
    state
        .tokens
        .kubernetes
        .entry(identity_id)
        .or_default()
        .insert(token);
}

/// Declares an identity that logs in with AWS auth, signing with `key`.
pub(crate) fn add_aws_identity(state: &mut State, identity_id: String, key: AwsKey) {
    state.tokens.aws.entry(identity_id).or_default().push(key);
}

/// OIDC login with a validated body. The real server verifies the JWT against the
/// provider's JWKS; here a JWT is valid when it was declared for the identity.
pub(crate) fn oidc_login(
    state: &mut State,
    settings: &Settings,
    identity_id: &str,
    jwt: &str,
) -> Result<Value, ApiError> {
    let outcome = match state.tokens.oidc.get(identity_id) {
        None => Err(ApiError::not_found(
            "OIDC auth method not found for identity, did you configure OIDC auth?",
        )),
        Some(jwts) if !jwts.contains(jwt) => Err(ApiError::unauthorized(
            "Access denied: Unable to verify JWT signature with any available signing key. \
             invalid signature",
        )),
        Some(_) => Ok(()),
    };
    finish_login(state, settings, identity_id, outcome)
}

/// Kubernetes login with a validated body. The real server asks the cluster's TokenReview
/// API; here a token is valid when it was declared for the identity.
pub(crate) fn kubernetes_login(
    state: &mut State,
    settings: &Settings,
    identity_id: &str,
    jwt: &str,
) -> Result<Value, ApiError> {
    let outcome = match state.tokens.kubernetes.get(identity_id) {
        None => Err(ApiError::not_found(
            "Kubernetes auth method not found for identity, did you configure Kubernetes auth?",
        )),
        Some(tokens) if !tokens.contains(jwt) => {
            Err(ApiError::unauthorized("Kubernetes token not authenticated"))
        }
        Some(_) => Ok(()),
    };
    finish_login(state, settings, identity_id, outcome)
}

/// AWS login with a validated body: Infisical's decoding, then STS's signature check (see
/// [`crate::sts`]). An STS refusal is answered 401, an undecodable request 400.
pub(crate) fn aws_login(
    state: &mut State,
    settings: &Settings,
    identity_id: &str,
    method: &str,
    body: &str,
    headers: &str,
) -> Result<Value, ApiError> {
    let outcome =
        match state.tokens.aws.get(identity_id) {
            None => Err(ApiError::not_found(
                "AWS auth method not found for identity, did you configure AWS auth?",
            )),
            Some(keys) => sts::verify(method, body, headers, keys, OffsetDateTime::now_utc())
                .map_err(|refusal| match refusal {
                    Refusal::Infisical(message) => ApiError::bad_request(message),
                    Refusal::Sts(code, message) => ApiError::unauthorized(format!(
                        "Access denied: AWS STS refused the signed GetCallerIdentity request: \
                     {code}: {message}"
                    )),
                }),
        };
    finish_login(state, settings, identity_id, outcome)
}

/// Counts a login and issues its token, or counts the refusal.
fn finish_login(
    state: &mut State,
    settings: &Settings,
    identity_id: &str,
    outcome: Result<(), ApiError>,
) -> Result<Value, ApiError> {
    match outcome {
        Ok(()) => {
            state.counters.logins += 1;
            Ok(issue_token(state, settings, identity_id, None))
        }
        Err(error) => {
            state.counters.failed_logins += 1;
            Err(error)
        }
    }
}

/// `POST /api/v1/auth/token/renew`: a new token, never past the original's max TTL.
pub(crate) fn renew(
    state: &mut State,
    settings: &Settings,
    access_token: &str,
) -> Result<Value, ApiError> {
    let token = check_token(&state.tokens, access_token)?;
    if Instant::now() + Duration::from_secs(1) >= token.max_expires_at {
        return Err(ApiError::unauthorized(
            "Failed to renew MI access token due to Max TTL expiration",
        ));
    }
    state.counters.renewals += 1;
    Ok(issue_token(
        state,
        settings,
        &token.identity,
        Some(token.max_expires_at),
    ))
}

fn check_token(tokens: &Tokens, token: &str) -> Result<Token, ApiError> {
    let Some(record) = tokens.issued.get(token) else {
        return Err(ApiError::token_error(TOKEN_MALFORMED));
    };
    // `jwt.verify` runs before the database lookup, so expiry wins over revocation.
    if record.is_expired() {
        return Err(ApiError::token_error(TOKEN_EXPIRED));
    }
    if record.revoked {
        return Err(ApiError::unauthorized("No identity access token found"));
    }
    Ok(record.clone())
}

/// Checks the `Authorization` header as Infisical's `extractAuth` does: it drops the first
/// seven characters without looking at them, so anything but `Bearer <token>` fails.
pub(crate) fn authenticate(tokens: &Tokens, header: Option<&str>) -> Result<String, ApiError> {
    let Some(header) = header else {
        return Err(ApiError::unauthorized("Token missing"));
    };
    check_token(tokens, header.get(7..).unwrap_or_default()).map(|t| t.identity)
}

/// The identity a bearer `Authorization` header belongs to, if its token was issued here.
pub(crate) fn identity_of<'a>(tokens: &'a Tokens, header: Option<&str>) -> Option<&'a str> {
    let token = header?.strip_prefix("Bearer ")?;
    tokens.issued.get(token).map(|t| t.identity.as_str())
}

pub(crate) fn expire_tokens(state: &mut State) {
    state
        .tokens
        .issued
        .values_mut()
        .for_each(|t| t.expired = true);
}

pub(crate) fn revoke_tokens(state: &mut State) {
    state
        .tokens
        .issued
        .values_mut()
        .for_each(|t| t.revoked = true);
}
