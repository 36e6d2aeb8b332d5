//! Logins and access tokens: the universal-auth, OIDC, Kubernetes and AWS logins (each refusal
//! in the server's words), renewal within the max TTL, and the check of a bearer token every
//! other route makes.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::universal_auth;
use crate::clock::now_iso;
use crate::error::{ApiError, TOKEN_EXPIRED, TOKEN_MALFORMED};
use crate::ip;
use crate::state::{Settings, State};
use crate::store::identities::UNIVERSAL_AUTH;
use crate::store::tokens::{Token, Tokens};
use crate::sts::{self, AwsKey, Refusal};

/// The token of a `Config` or declared identity: the `Config`'s TTLs, renewals cut at the max.
fn issue_token(
    state: &mut State,
    settings: &Settings,
    identity: &str,
    max_expires_at: Option<Instant>,
) -> Value {
    let now = Instant::now();
    let max_expires_at = max_expires_at.unwrap_or(now + settings.token_max_ttl);
    let expires_at = (now + settings.token_ttl).min(max_expires_at);
    let token = new_token();
    state.tokens.issued.insert(
        token.clone(),
        Token {
            identity: identity.to_owned(),
            auth_method: None,
            expires_at: Some(expires_at),
            max_expires_at: Some(max_expires_at),
            ttl: settings.token_ttl,
            num_uses: 0,
            num_uses_limit: 0,
            lenient_renewal: true,
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

fn new_token() -> String {
    format!(
        "emu.{}.{}",
        uuid::Uuid::new_v4().simple(),
        hex::encode(rand::rng().random::<[u8; 16]>())
    )
}

/// What a login of an identity made through the API grants: its auth method's
/// `accessTokenTTL` (0: never expires), `accessTokenMaxTTL` (0: no max), use limit (0: none),
/// and whether the token is periodic (its max TTL is then not enforced).
pub(crate) struct TokenTerms {
    pub(crate) auth_method: &'static str,
    pub(crate) ttl: u64,
    pub(crate) max_ttl: u64,
    pub(crate) num_uses_limit: u64,
    pub(crate) periodic: bool,
}

/// Issues the token of a login of an identity made through the API, records the login on the
/// identity (`lastLoginAuthMethod`, `lastLoginTime`) and counts it; the login route's answer.
pub(crate) fn issue_identity_token(state: &mut State, identity: &str, terms: TokenTerms) -> Value {
    let now = Instant::now();
    let ttl = Duration::from_secs(terms.ttl);
    let token = new_token();
    state.tokens.issued.insert(
        token.clone(),
        Token {
            identity: identity.to_owned(),
            auth_method: Some(terms.auth_method),
            expires_at: (terms.ttl > 0).then(|| now + ttl),
            max_expires_at: (terms.max_ttl > 0 && !terms.periodic)
                .then(|| now + Duration::from_secs(terms.max_ttl)),
            ttl,
            num_uses: 0,
            num_uses_limit: terms.num_uses_limit,
            lenient_renewal: false,
            expired: false,
            revoked: false,
        },
    );
    if let Some(record) = state.identities.get_mut(identity) {
        record.last_login = Some((terms.auth_method, now_iso()));
    }
    state.counters.logins += 1;
    json!({
        "accessToken": token,
        "expiresIn": terms.ttl,
        "accessTokenMaxTTL": terms.max_ttl,
        "tokenType": "Bearer",
    })
}

/// Universal-auth login with validated, trimmed credentials: the `Config`'s client id and
/// secret, or a client id of an identity made through the API (see
/// [`super::universal_auth::login`]).
pub(crate) fn login(
    state: &mut State,
    settings: &Settings,
    client_id: &str,
    client_secret: &str,
    client_ip: Option<IpAddr>,
) -> Result<Value, ApiError> {
    if client_id == settings.client_id && client_secret == settings.client_secret {
        state.counters.logins += 1;
        return Ok(issue_token(state, settings, client_id, None));
    }
    let outcome = if client_id == settings.client_id {
        Err(ApiError::unauthorized("Invalid credentials"))
    } else {
        universal_auth::login(state, client_id, client_secret, client_ip)
    };
    if outcome.is_err() {
        state.counters.failed_logins += 1;
    }
    outcome
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

/// `POST /api/v1/auth/token/renew`: a new token. A `Config` or declared identity's is cut at
/// the original's max TTL and refused only past it; an API identity's follows
/// `renewAccessToken`: the use limit, then (unless periodic) 401 once the max TTL has passed or
/// when a full TTL would pass it.
pub(crate) fn renew(
    state: &mut State,
    settings: &Settings,
    access_token: &str,
) -> Result<Value, ApiError> {
    let token = check_token(&state.tokens, access_token)?;
    let now = Instant::now();
    if token.lenient_renewal {
        let max = token.max_expires_at.unwrap_or(now);
        if now + Duration::from_secs(1) >= max {
            return Err(ApiError::unauthorized(
                "Failed to renew MI access token due to Max TTL expiration",
            ));
        }
        state.counters.renewals += 1;
        return Ok(issue_token(state, settings, &token.identity, Some(max)));
    }
    if let Err(refusal) = check_uses(&token) {
        revoke(state, access_token);
        return Err(refusal);
    }
    if let Some(max) = token.max_expires_at {
        let refusal = if now > max {
            Some("Failed to renew MI access token due to Max TTL expiration")
        } else if now + token.ttl > max {
            Some("Failed to renew MI access token past its Max TTL expiration")
        } else {
            None
        };
        if let Some(message) = refusal {
            revoke(state, access_token);
            return Err(ApiError::unauthorized(message));
        }
    }
    state.counters.renewals += 1;
    let renewed = new_token();
    let ttl = token.ttl;
    state.tokens.issued.insert(
        renewed.clone(),
        Token {
            expires_at: (!ttl.is_zero()).then(|| now + ttl),
            ..token.clone()
        },
    );
    Ok(json!({
        "accessToken": renewed,
        "expiresIn": ttl.as_secs(),
        "accessTokenMaxTTL": token.max_expires_at.map_or(0, |_| max_ttl_of(state, &token)),
        "tokenType": "Bearer",
    }))
}

/// The max TTL an API identity's token was issued under, from its auth method as it is now.
fn max_ttl_of(state: &State, token: &Token) -> u64 {
    match token.auth_method {
        Some(UNIVERSAL_AUTH) => state
            .identities
            .universal
            .get(&token.identity)
            .map_or(0, |ua| ua.access_token_max_ttl),
        _ => 0,
    }
}

fn revoke(state: &mut State, access_token: &str) {
    if let Some(token) = state.tokens.issued.get_mut(access_token) {
        token.revoked = true;
    }
}

/// `validateAccessTokenExp`'s use limit: refused once used as often as allowed.
fn check_uses(token: &Token) -> Result<(), ApiError> {
    if token.num_uses_limit > 0 && token.num_uses > 0 && token.num_uses >= token.num_uses_limit {
        return Err(ApiError::unauthorized(
            "Unable to renew because access token number of uses limit reached",
        ));
    }
    Ok(())
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

/// Checks the `Authorization` header as Infisical's `extractAuth` and
/// `fnValidateIdentityAccessToken` do, without counting a use: the token (the first seven
/// characters are dropped without looking at them, so anything but `Bearer <token>` fails), its
/// expiry, its revocation, then for an API identity its auth method's `accessTokenTrustedIps`
/// and its use limit. The identity, and the token.
pub(crate) fn verify(
    state: &State,
    header: Option<&str>,
    client_ip: Option<IpAddr>,
) -> Result<(String, String), ApiError> {
    let Some(header) = header else {
        return Err(ApiError::unauthorized("Token missing"));
    };
    let access_token = header.get(7..).unwrap_or_default();
    let token = check_token(&state.tokens, access_token)?;
    let trusted = match token.auth_method {
        Some(UNIVERSAL_AUTH) => state
            .identities
            .universal
            .get(&token.identity)
            .map(|ua| ua.access_token_trusted_ips.as_slice()),
        _ => None,
    };
    if let (Some(trusted), Some(client)) = (trusted, client_ip)
        && !ip::allowed(trusted, client)
    {
        return Err(ApiError::forbidden(universal_auth::IP_REFUSED));
    }
    check_uses(&token)?;
    Ok((token.identity, access_token.to_owned()))
}

/// [`verify`], then counts the use (a token past its use limit is deleted, as the server does).
pub(crate) fn authenticate(
    state: &mut State,
    header: Option<&str>,
    client_ip: Option<IpAddr>,
) -> Result<String, ApiError> {
    match verify(state, header, client_ip) {
        Ok((identity, access_token)) => {
            if let Some(token) = state.tokens.issued.get_mut(&access_token) {
                token.num_uses += 1;
            }
            Ok(identity)
        }
        Err(refusal) => {
            if let Some(token) = header
                .and_then(|h| h.get(7..))
                .and_then(|t| state.tokens.issued.get_mut(t))
                && check_uses(token).is_err()
                && !token.is_expired()
            {
                token.revoked = true;
            }
            Err(refusal)
        }
    }
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
