//! OIDC auth of identities made through the API
//! (`services/identity-oidc-auth/identity-oidc-auth-service.ts`): attach, get, `PATCH` and
//! delete the configuration, and the login that fetches the discovery document and JWKS from
//! the identity's `oidcDiscoveryUrl` (the emulator's own issuers, see
//! [`super::oidc_issuer`]), verifies the JWT's signature, `nbf`, `exp` and issuer, then its
//! subject, audiences and claims against the bound globs — each check in the server's order and
//! words.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::auth::{TokenTerms, issue_identity_token};
use super::oidc_issuer;
use super::universal_auth::{identity_not_found, trusted_ips};
use crate::clock::now_iso;
use crate::error::ApiError;
use crate::glob;
use crate::ip;
use crate::jwt;
use crate::schema::oidc_auth::OidcAuthInput;
use crate::state::State;
use crate::store::identities::{OIDC_AUTH, OidcAuth};

const TTL_ABOVE_MAX: &str = "Access token TTL cannot be greater than max TTL";

/// `attachOidcAuth`: the identity (404), no OIDC auth yet (400), the TTLs (400), the trusted
/// IPs (400), then the configuration.
pub(crate) fn attach(state: &mut State, id: &str, input: OidcAuthInput) -> Result<Value, ApiError> {
    if state.identities.get(id).is_none() {
        return Err(identity_not_found(id));
    }
    if state.identities.oidc.contains_key(id) {
        return Err(ApiError::bad_request(
            "Failed to add OIDC Auth to already configured identity",
        ));
    }
    let ttl = input.access_token_ttl.unwrap_or(2_592_000);
    let max_ttl = input.access_token_max_ttl.unwrap_or(2_592_000);
    if max_ttl > 0 && ttl > max_ttl {
        return Err(ApiError::bad_request(TTL_ABOVE_MAX));
    }
    let ips = input
        .access_token_trusted_ips
        .map_or_else(|| Ok(ip::everywhere()), |a| trusted_ips(&a))?;
    let now = now_iso();
    let oidc = OidcAuth {
        id: uuid::Uuid::new_v4().to_string(),
        identity_id: id.to_owned(),
        oidc_discovery_url: input.oidc_discovery_url.unwrap_or_default(),
        bound_issuer: input.bound_issuer.unwrap_or_default(),
        bound_audiences: input.bound_audiences.unwrap_or_default(),
        bound_claims: input.bound_claims.unwrap_or_default(),
        claim_metadata_mapping: input.claim_metadata_mapping,
        bound_subject: input.bound_subject.unwrap_or_default(),
        ca_cert: input.ca_cert.unwrap_or_default(),
        access_token_ttl: ttl,
        access_token_max_ttl: max_ttl,
        access_token_num_uses_limit: input.access_token_num_uses_limit.unwrap_or_default(),
        access_token_trusted_ips: ips,
        created_at: now.clone(),
        updated_at: now,
    };
    let view = oidc.view(true);
    state.identities.oidc.insert(id.to_owned(), oidc);
    Ok(json!({ "identityOidcAuth": view }))
}

/// `updateOidcAuth`: the identity (404), its OIDC auth (400 "Failed to update OIDC Auth"), the
/// TTLs as the server compares them, the trusted IPs, then every field sent.
pub(crate) fn update(state: &mut State, id: &str, input: OidcAuthInput) -> Result<Value, ApiError> {
    if state.identities.get(id).is_none() {
        return Err(identity_not_found(id));
    }
    let stored = state
        .identities
        .oidc
        .get(id)
        .ok_or_else(|| ApiError::bad_request("Failed to update OIDC Auth"))?;
    let truthy = |sent: Option<u64>| sent.filter(|n| *n != 0);
    let max = truthy(input.access_token_max_ttl).unwrap_or(stored.access_token_max_ttl);
    let ttl = truthy(input.access_token_ttl).unwrap_or(stored.access_token_max_ttl);
    if max > 0 && ttl > max {
        return Err(ApiError::bad_request(TTL_ABOVE_MAX));
    }
    let ips = input
        .access_token_trusted_ips
        .as_deref()
        .map(trusted_ips)
        .transpose()?;
    let oidc = state
        .identities
        .oidc
        .get_mut(id)
        .ok_or_else(|| ApiError::internal("the OIDC auth vanished during its update"))?;
    let texts = [
        (input.oidc_discovery_url, &mut oidc.oidc_discovery_url),
        (input.bound_issuer, &mut oidc.bound_issuer),
        (input.bound_audiences, &mut oidc.bound_audiences),
        (input.bound_subject, &mut oidc.bound_subject),
        (input.ca_cert, &mut oidc.ca_cert),
    ];
    for (sent, field) in texts {
        if let Some(value) = sent {
            *field = value;
        }
    }
    let counts = [
        (input.access_token_ttl, &mut oidc.access_token_ttl),
        (input.access_token_max_ttl, &mut oidc.access_token_max_ttl),
        (
            input.access_token_num_uses_limit,
            &mut oidc.access_token_num_uses_limit,
        ),
    ];
    for (sent, field) in counts {
        if let Some(value) = sent {
            *field = value;
        }
    }
    if let Some(claims) = input.bound_claims {
        oidc.bound_claims = claims;
    }
    if let Some(mapping) = input.claim_metadata_mapping {
        oidc.claim_metadata_mapping = Some(mapping);
    }
    if let Some(ips) = ips {
        oidc.access_token_trusted_ips = ips;
    }
    oidc.updated_at = now_iso();
    Ok(json!({ "identityOidcAuth": oidc.view(true) }))
}

/// `getOidcAuth`: the identity (404), its OIDC auth (400).
pub(crate) fn get(state: &State, id: &str) -> Result<Value, ApiError> {
    if state.identities.get(id).is_none() {
        return Err(identity_not_found(id));
    }
    let oidc =
        state.identities.oidc.get(id).ok_or_else(|| {
            ApiError::bad_request("The identity does not have OIDC Auth attached")
        })?;
    Ok(json!({ "identityOidcAuth": oidc.view(true) }))
}

/// `revokeOidcAuth`: the identity (404 "Failed to find identity"), its OIDC auth (400), then
/// the row and the tokens it issued. The answer has no `caCert`.
pub(crate) fn revoke(state: &mut State, id: &str) -> Result<Value, ApiError> {
    if state.identities.get(id).is_none() {
        return Err(ApiError::not_found("Failed to find identity"));
    }
    let oidc = state
        .identities
        .oidc
        .remove(id)
        .ok_or_else(|| ApiError::bad_request("The identity does not have OIDC auth"))?;
    for token in state.tokens.issued.values_mut() {
        if token.identity == id && token.auth_method == Some(OIDC_AUTH) {
            token.revoked = true;
        }
    }
    Ok(json!({ "identityOidcAuth": oidc.view(false) }))
}

fn denied(message: impl std::fmt::Display) -> ApiError {
    ApiError::unauthorized(format!("Access denied: {message}"))
}

/// `getValueByDot`: a claim by its dotted path.
fn claim<'c>(claims: &'c Map<String, Value>, path: &str) -> Option<&'c Value> {
    let mut parts = path.split('.');
    let first = claims.get(parts.next()?)?;
    parts.try_fold(first, |value, part| value.get(part))
}

/// JavaScript's truthiness of a claim (`if (!value)`).
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// `doesFieldValueMatchOidcPolicy` (and `doesAudValueMatchOidcPolicy`, its string and array
/// cases): a boolean equals `"true"`, a number `parseInt(policy)`, a string or an array entry
/// the policy or its glob.
fn matches_policy(value: &Value, policy: &str) -> bool {
    let text = |s: &str| s == policy || glob::is_match(s, policy);
    match value {
        Value::Bool(b) => *b == (policy == "true"),
        Value::Number(n) => {
            let digits: String = policy
                .trim_start()
                .chars()
                .enumerate()
                .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
                .map(|(_, c)| c)
                .collect();
            digits
                .parse::<f64>()
                .ok()
                .is_some_and(|p| n.as_f64() == Some(p))
        }
        Value::String(s) => text(s),
        Value::Array(entries) => entries.iter().any(|e| e.as_str().is_some_and(text)),
        _ => false,
    }
}

/// The claims of a JWT that the identity's OIDC auth accepts, or the refusal.
fn verified_claims(
    state: &mut State,
    base: &str,
    oidc: &OidcAuth,
    token: &str,
) -> Result<Map<String, Value>, ApiError> {
    let discovery =
        oidc_issuer::fetch_discovery(state, base, &oidc.oidc_discovery_url).map_err(|error| {
            denied(format!(
                "Failed to fetch OIDC discovery document from {}. {error}",
                oidc.oidc_discovery_url
            ))
        })?;
    let Some(jwks_uri) = discovery["jwks_uri"].as_str().filter(|u| !u.is_empty()) else {
        return Err(denied(
            "OIDC discovery document does not contain a jwks_uri. The identity provider may be \
             misconfigured.",
        ));
    };
    let decoded = jwt::decode(token).ok_or_else(|| ApiError::unauthorized("Invalid JWT"))?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let kid = decoded
        .header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty());
    if let Some(kid) = kid {
        let keys = oidc_issuer::fetch_keys(state, base, jwks_uri).map_err(|error| {
            denied(format!(
                "Failed to retrieve signing key from OIDC provider: {error}"
            ))
        })?;
        let key = keys.iter().find(|k| k.kid == kid).ok_or_else(|| {
            denied(format!(
                "Unable to verify JWT signature. The signing key '{kid}' was not found in the \
                 OIDC provider's JWKS endpoint. This may indicate an invalid token or \
                 misconfigured OIDC provider."
            ))
        })?;
        return jwt::verify(token, key, &oidc.bound_issuer, now).map_err(denied);
    }
    let keys = oidc_issuer::fetch_keys(state, base, jwks_uri).map_err(|error| {
        denied(format!(
            "Failed to retrieve signing keys from OIDC provider: {error}"
        ))
    })?;
    if keys.is_empty() {
        return Err(denied(
            "No signing keys available from OIDC provider's JWKS endpoint.",
        ));
    }
    let mut last = None;
    for key in &keys {
        match jwt::verify(token, key, &oidc.bound_issuer, now) {
            Ok(claims) => return Ok(claims),
            Err(message) => last = Some(message),
        }
    }
    Err(denied(format!(
        "Unable to verify JWT signature with any available signing key. {}",
        last.unwrap_or_else(|| "Invalid token".to_owned())
    )))
}

/// The login of an identity's OIDC auth (`login`): the JWT's signature and time and issuer
/// (401), its `sub` against `boundSubject` (403), its `aud` against `boundAudiences` (401),
/// each `boundClaims` entry (401), the `claimMetadataMapping` claims (401), then a token on the
/// configuration's terms.
pub(crate) fn login(
    state: &mut State,
    base: &str,
    oidc: &OidcAuth,
    token: &str,
) -> Result<Value, ApiError> {
    let claims = verified_claims(state, base, oidc, token)?;
    if !oidc.bound_subject.is_empty() {
        let subject = claims.get("sub").unwrap_or(&Value::Null);
        if !matches_policy(subject, &oidc.bound_subject) {
            return Err(ApiError::forbidden(
                "Access denied: OIDC subject not allowed.",
            ));
        }
    }
    if !oidc.bound_audiences.is_empty() {
        let audience = claims.get("aud").unwrap_or(&Value::Null);
        let allowed = oidc.bound_audiences.split(", ").any(|policy| {
            matches!(audience, Value::String(_) | Value::Array(_))
                && matches_policy(audience, policy)
        });
        if !allowed {
            return Err(ApiError::unauthorized(
                "Access denied: OIDC audience not allowed.",
            ));
        }
    }
    for (key, policy) in &oidc.bound_claims {
        let value = claim(&claims, key);
        if !truthy(value) {
            return Err(denied(format!("token has no {key} field")));
        }
        let value = value.unwrap_or(&Value::Null);
        if !policy.split(", ").any(|entry| matches_policy(value, entry)) {
            return Err(denied("OIDC claim not allowed."));
        }
    }
    if let Some(mapping) = &oidc.claim_metadata_mapping {
        for claim_key in mapping.values() {
            if !truthy(claim(&claims, claim_key)) {
                return Err(denied(format!("token has no {claim_key} field")));
            }
        }
    }
    let terms = TokenTerms {
        auth_method: OIDC_AUTH,
        ttl: oidc.access_token_ttl,
        max_ttl: oidc.access_token_max_ttl,
        num_uses_limit: oidc.access_token_num_uses_limit,
        periodic: false,
    };
    Ok(issue_identity_token(state, &oidc.identity_id, terms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_match_claims_by_their_type() {
        assert!(matches_policy(
            &json!("repo:o/r:ref:refs/heads/main"),
            "repo:o/r:ref:refs/heads/*"
        ));
        assert!(!matches_policy(
            &json!("repo:o/r:ref:refs/heads/main"),
            "repo:o/r:*"
        ));
        assert!(matches_policy(&json!(["a", "b"]), "b"));
        assert!(matches_policy(&json!(42), "42"));
        assert!(
            matches_policy(&json!(42), "42abc"),
            "parseInt reads the leading digits"
        );
        assert!(!matches_policy(&json!(42), "4"));
        assert!(matches_policy(&json!(true), "true"));
        assert!(matches_policy(&json!(false), "no"));
        let claims = json!({ "a": { "b": "c" } });
        let claims = claims.as_object().cloned().unwrap_or_default();
        assert_eq!(claim(&claims, "a.b"), Some(&json!("c")));
        assert_eq!(claim(&claims, "a.x"), None);
    }
}
