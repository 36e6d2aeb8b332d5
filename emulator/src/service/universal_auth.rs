//! Universal auth of identities made through the API (`services/identity-ua/identity-ua-service.ts`):
//! attach, get, `PATCH` and delete the configuration; create, list, get and revoke client
//! secrets; and the login with a client id and secret — trusted IPs, lockout, expiry by TTL,
//! uses counted against their limit — each check in the server's order and words.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::auth::{TokenTerms, issue_identity_token};
use crate::clock::now_iso;
use crate::error::ApiError;
use crate::ip::{self, TrustedIp};
use crate::schema::identity::{CreateClientSecretInput, UniversalAuthInput};
use crate::state::State;
use crate::store::identities::{ClientSecret, Identity, Lockout, UNIVERSAL_AUTH, UniversalAuth};

/// The universal-auth service's 404 of an identity (capital `ID`, unquoted).
pub(crate) fn identity_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Failed to find identity with ID {id}"))
}

const NO_UNIVERSAL_AUTH: &str = "The identity does not have universal auth";
const TTL_ABOVE_MAX: &str = "Access token TTL cannot be greater than max TTL";
const INVALID_CREDENTIALS: &str = "Invalid credentials";
const LOCKED: &str = "This identity auth method is temporarily locked, please try again later";
/// `checkIPAgainstBlocklist`'s refusal.
pub(crate) const IP_REFUSED: &str =
    "You are not allowed to access this resource from the current IP address";

fn identity<'s>(state: &'s State, id: &str) -> Result<&'s Identity, ApiError> {
    state
        .identities
        .get(id)
        .ok_or_else(|| identity_not_found(id))
}

/// The identity (404), then its universal auth (400), as every client-secret route checks.
fn with_universal_auth<'s>(state: &'s State, id: &str) -> Result<&'s UniversalAuth, ApiError> {
    identity(state, id)?;
    state
        .identities
        .universal
        .get(id)
        .ok_or_else(|| ApiError::bad_request(NO_UNIVERSAL_AUTH))
}

/// `isValidIpOrCidr` then `extractIPDetails` of every address (the plan allows IP allowlisting).
pub(crate) fn trusted_ips(addresses: &[String]) -> Result<Vec<TrustedIp>, ApiError> {
    addresses
        .iter()
        .map(|a| {
            TrustedIp::parse(a).ok_or_else(|| {
                ApiError::bad_request("The IP is not a valid IPv4, IPv6, or CIDR block")
            })
        })
        .collect()
}

/// `attachUniversalAuth`: the identity (404), no universal auth yet (400), the TTLs (400), the
/// trusted IPs (400), then the configuration with a fresh `clientId`.
pub(crate) fn attach(
    state: &mut State,
    id: &str,
    input: UniversalAuthInput,
) -> Result<Value, ApiError> {
    identity(state, id)?;
    if state.identities.universal.contains_key(id) {
        return Err(ApiError::bad_request(
            "Failed to add universal auth to already configured identity",
        ));
    }
    let ttl = input.access_token_ttl.unwrap_or(2_592_000);
    let max_ttl = input.access_token_max_ttl.unwrap_or(2_592_000);
    if max_ttl > 0 && ttl > max_ttl {
        return Err(ApiError::bad_request(TTL_ABOVE_MAX));
    }
    let client_secret_ips = input
        .client_secret_trusted_ips
        .map_or_else(|| Ok(ip::everywhere()), |a| trusted_ips(&a))?;
    let access_token_ips = input
        .access_token_trusted_ips
        .map_or_else(|| Ok(ip::everywhere()), |a| trusted_ips(&a))?;
    let now = now_iso();
    let ua = UniversalAuth {
        id: uuid::Uuid::new_v4().to_string(),
        identity_id: id.to_owned(),
        client_id: uuid::Uuid::new_v4().to_string(),
        access_token_ttl: ttl,
        access_token_max_ttl: max_ttl,
        access_token_num_uses_limit: input.access_token_num_uses_limit.unwrap_or_default(),
        access_token_period: input.access_token_period.unwrap_or_default(),
        client_secret_trusted_ips: client_secret_ips,
        access_token_trusted_ips: access_token_ips,
        lockout_enabled: input.lockout_enabled.unwrap_or(true),
        lockout_threshold: input.lockout_threshold.unwrap_or(3),
        lockout_duration_seconds: input.lockout_duration_seconds.unwrap_or(300),
        lockout_counter_reset_seconds: input.lockout_counter_reset_seconds.unwrap_or(30),
        created_at: now.clone(),
        updated_at: now,
    };
    let view = ua.view();
    state.identities.universal.insert(id.to_owned(), ua);
    Ok(json!({ "identityUniversalAuth": view }))
}

/// `updateUniversalAuth`: the identity (404), its universal auth (404), the TTLs as the server
/// compares them (`(ttl || storedMax) > (max || storedMax)`), the trusted IPs, then every field
/// sent (a 0 is written; an absent field is kept).
pub(crate) fn update(
    state: &mut State,
    id: &str,
    input: UniversalAuthInput,
) -> Result<Value, ApiError> {
    identity(state, id)?;
    let stored = state.identities.universal.get(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Failed to find universal auth for identity with ID {id}"
        ))
    })?;
    let truthy = |sent: Option<u64>| sent.filter(|n| *n != 0);
    let max = truthy(input.access_token_max_ttl).unwrap_or(stored.access_token_max_ttl);
    let ttl = truthy(input.access_token_ttl).unwrap_or(stored.access_token_max_ttl);
    if max > 0 && ttl > max {
        return Err(ApiError::bad_request(TTL_ABOVE_MAX));
    }
    let client_secret_ips = input
        .client_secret_trusted_ips
        .as_deref()
        .map(trusted_ips)
        .transpose()?;
    let access_token_ips = input
        .access_token_trusted_ips
        .as_deref()
        .map(trusted_ips)
        .transpose()?;
    let ua = state
        .identities
        .universal
        .get_mut(id)
        .ok_or_else(|| ApiError::internal("the universal auth vanished during its update"))?;
    if let Some(ips) = client_secret_ips {
        ua.client_secret_trusted_ips = ips;
    }
    if let Some(ips) = access_token_ips {
        ua.access_token_trusted_ips = ips;
    }
    let fields = [
        (input.access_token_ttl, &mut ua.access_token_ttl),
        (input.access_token_max_ttl, &mut ua.access_token_max_ttl),
        (
            input.access_token_num_uses_limit,
            &mut ua.access_token_num_uses_limit,
        ),
        (input.access_token_period, &mut ua.access_token_period),
        (input.lockout_threshold, &mut ua.lockout_threshold),
        (
            input.lockout_duration_seconds,
            &mut ua.lockout_duration_seconds,
        ),
        (
            input.lockout_counter_reset_seconds,
            &mut ua.lockout_counter_reset_seconds,
        ),
    ];
    for (sent, field) in fields {
        if let Some(value) = sent {
            *field = value;
        }
    }
    if let Some(enabled) = input.lockout_enabled {
        ua.lockout_enabled = enabled;
    }
    ua.updated_at = now_iso();
    Ok(json!({ "identityUniversalAuth": ua.view() }))
}

/// `getIdentityUniversalAuth`: the identity (404), its universal auth (404).
pub(crate) fn get(state: &State, id: &str) -> Result<Value, ApiError> {
    identity(state, id)?;
    let ua = state.identities.universal.get(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Failed to find universal auth for identity with ID {id}"
        ))
    })?;
    Ok(json!({ "identityUniversalAuth": ua.view() }))
}

/// `revokeIdentityUniversalAuth`: the identity (404), its universal auth (400), then the row
/// with its client secrets. Tokens it issued stay valid (the service deletes none).
pub(crate) fn revoke(state: &mut State, id: &str) -> Result<Value, ApiError> {
    with_universal_auth(state, id)?;
    let ua = state
        .identities
        .universal
        .remove(id)
        .ok_or_else(|| ApiError::internal("the universal auth vanished during its deletion"))?;
    state.identities.client_secrets.retain(|s| s.ua_id != ua.id);
    state
        .identities
        .lockouts
        .retain(|(identity, _), _| identity != id);
    Ok(json!({ "identityUniversalAuth": ua.view() }))
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// `createUniversalAuthClientSecret`: the identity (404), its universal auth (400), then a
/// secret of 32 random bytes in hex, answered once; only its hash is kept.
pub(crate) fn create_client_secret(
    state: &mut State,
    id: &str,
    input: CreateClientSecretInput,
) -> Result<Value, ApiError> {
    let ua_id = with_universal_auth(state, id)?.id.clone();
    let secret = hex::encode(rand::rng().random::<[u8; 32]>());
    let now = now_iso();
    let stored = ClientSecret {
        id: uuid::Uuid::new_v4().to_string(),
        ua_id,
        description: input.description,
        prefix: secret.chars().take(4).collect(),
        hash: hash(&secret),
        num_uses: 0,
        num_uses_limit: input.num_uses_limit,
        ttl: input.ttl,
        revoked: false,
        created: Instant::now(),
        created_at: now.clone(),
        updated_at: now,
    };
    let view = stored.view();
    state.identities.client_secrets.push(stored);
    Ok(json!({ "clientSecret": secret, "clientSecretData": view }))
}

/// `getUniversalAuthClientSecrets`: the identity's secrets that are not revoked.
pub(crate) fn list_client_secrets(state: &State, id: &str) -> Result<Value, ApiError> {
    let ua_id = &with_universal_auth(state, id)?.id;
    let secrets: Vec<Value> = state
        .identities
        .client_secrets
        .iter()
        .filter(|s| &s.ua_id == ua_id && !s.revoked)
        .map(ClientSecret::view)
        .collect();
    Ok(json!({ "clientSecretData": secrets }))
}

/// The secret `secret_id` of the identity's universal auth, revoked or not; the server's 404
/// names the identity.
fn client_secret_index(state: &State, id: &str, secret_id: &str) -> Result<usize, ApiError> {
    let ua_id = &with_universal_auth(state, id)?.id;
    state
        .identities
        .client_secrets
        .iter()
        .position(|s| s.id == secret_id && &s.ua_id == ua_id)
        .ok_or_else(|| identity_not_found(id))
}

/// `getUniversalAuthClientSecretById`.
pub(crate) fn get_client_secret(
    state: &State,
    id: &str,
    secret_id: &str,
) -> Result<Value, ApiError> {
    let index = client_secret_index(state, id, secret_id)?;
    let view = state.identities.client_secrets[index].view();
    Ok(json!({ "clientSecretData": view }))
}

/// `revokeUniversalAuthClientSecret`: the secret is kept, revoked.
pub(crate) fn revoke_client_secret(
    state: &mut State,
    id: &str,
    secret_id: &str,
) -> Result<Value, ApiError> {
    let index = client_secret_index(state, id, secret_id)?;
    let secret = &mut state.identities.client_secrets[index];
    secret.revoked = true;
    secret.updated_at = now_iso();
    Ok(json!({ "clientSecretData": secret.view() }))
}

/// The login of an identity's universal auth (`login`), once the client id is known to belong
/// to one: the client-secret trusted IPs (403), the lockout (401), the secret among the
/// unrevoked ones with its prefix (a miss counts towards the lockout, 401 "Invalid
/// credentials"), its TTL and use limit (each revokes it, 401), then a token on the
/// configuration's terms with the secret's use counted.
pub(crate) fn login(
    state: &mut State,
    client_id: &str,
    client_secret: &str,
    client_ip: Option<IpAddr>,
) -> Result<Value, ApiError> {
    let Some(ua) = state.identities.universal_by_client_id(client_id).cloned() else {
        return Err(ApiError::unauthorized(INVALID_CREDENTIALS));
    };
    if let Some(client) = client_ip
        && !ip::allowed(&ua.client_secret_trusted_ips, client)
    {
        return Err(ApiError::forbidden(IP_REFUSED));
    }
    let now = Instant::now();
    let key = (ua.identity_id.clone(), client_id.to_owned());
    let lockouts = &mut state.identities.lockouts;
    lockouts.retain(|_, l| l.until > now);
    if lockouts.get(&key).is_some_and(|l| l.locked_out) {
        return Err(ApiError::unauthorized(LOCKED));
    }
    let prefix: String = client_secret.chars().take(4).collect();
    let digest = hash(client_secret);
    let found = state
        .identities
        .client_secrets
        .iter()
        .position(|s| s.ua_id == ua.id && !s.revoked && s.prefix == prefix && s.hash == digest);
    let Some(index) = found else {
        if ua.lockout_enabled {
            let lockout = lockouts.entry(key).or_insert(Lockout {
                failed_attempts: 0,
                locked_out: false,
                until: now,
            });
            lockout.failed_attempts += 1;
            lockout.locked_out = lockout.failed_attempts >= ua.lockout_threshold;
            let alive = if lockout.locked_out {
                ua.lockout_duration_seconds
            } else {
                ua.lockout_counter_reset_seconds
            };
            lockout.until = now + Duration::from_secs(alive);
        }
        return Err(ApiError::unauthorized(INVALID_CREDENTIALS));
    };
    lockouts.remove(&key);
    let secret = &mut state.identities.client_secrets[index];
    if secret.ttl > 0 && now > secret.created + Duration::from_secs(secret.ttl) {
        secret.revoked = true;
        return Err(ApiError::unauthorized(
            "Access denied due to expired client secret",
        ));
    }
    if secret.num_uses_limit > 0 && secret.num_uses >= secret.num_uses_limit {
        secret.revoked = true;
        return Err(ApiError::unauthorized(
            "Access denied due to client secret usage limit reached",
        ));
    }
    secret.num_uses += 1;
    secret.updated_at = now_iso();
    let periodic = ua.access_token_period > 0;
    let terms = TokenTerms {
        auth_method: UNIVERSAL_AUTH,
        ttl: if periodic {
            ua.access_token_period
        } else {
            ua.access_token_ttl
        },
        // A periodic token's max TTL is "forever" (30 years), and is not enforced.
        max_ttl: if periodic {
            1_000_000_000
        } else {
            ua.access_token_max_ttl
        },
        num_uses_limit: ua.access_token_num_uses_limit,
        periodic,
    };
    Ok(issue_identity_token(state, &ua.identity_id, terms))
}
