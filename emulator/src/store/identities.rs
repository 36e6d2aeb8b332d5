//! The organization's machine identities made through the API (`identities`,
//! `identity_metadata` and the organization membership that carries the role), their
//! universal-auth configuration with its client secrets and lockouts: plain data and the
//! answers' shapes. The demo identity of the `Config` and the
//! identities declared with `Admin::add_oidc_identity` and friends are not here (see
//! [`super::tokens`]).

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Value, json};

use crate::ip::TrustedIp;

/// The auth-method slugs of `IdentityAuthMethod`.
pub(crate) const UNIVERSAL_AUTH: &str = "universal-auth";

/// A `{key, value}` metadata row of an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub(crate) id: String,
    pub(crate) key: String,
    pub(crate) value: String,
}

impl Metadata {
    pub(crate) fn view(&self) -> Value {
        json!({ "id": self.id, "key": self.key, "value": self.value })
    }
}

/// A machine identity and its organization membership.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) org_id: String,
    pub(crate) has_delete_protection: bool,
    pub(crate) metadata: Vec<Metadata>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// The organization membership's id (`GET /api/v1/identities/:id` answers it as `id`).
    pub(crate) membership_id: String,
    /// The organization role's slug: `admin`, `member`, `no-access` or `custom`.
    pub(crate) role: String,
    pub(crate) membership_created_at: String,
    pub(crate) membership_updated_at: String,
    /// How and when it last logged in (`lastLoginAuthMethod`, `lastLoginTime`).
    pub(crate) last_login: Option<(&'static str, String)>,
}

impl Identity {
    /// `IdentitiesSchema`: the row as create, `PATCH` and `DELETE` answer it.
    pub(crate) fn row(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "authMethod": null,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "hasDeleteProtection": self.has_delete_protection,
            "orgId": self.org_id,
            "projectId": null,
        })
    }

    /// The metadata rows, as the answers list them.
    pub(crate) fn metadata_view(&self) -> Vec<Value> {
        self.metadata.iter().map(Metadata::view).collect()
    }
}

/// A universal-auth configuration (`identity_universal_auths`).
#[derive(Debug, Clone)]
pub(crate) struct UniversalAuth {
    pub(crate) id: String,
    pub(crate) identity_id: String,
    pub(crate) client_id: String,
    pub(crate) access_token_ttl: u64,
    pub(crate) access_token_max_ttl: u64,
    pub(crate) access_token_num_uses_limit: u64,
    pub(crate) access_token_period: u64,
    pub(crate) client_secret_trusted_ips: Vec<TrustedIp>,
    pub(crate) access_token_trusted_ips: Vec<TrustedIp>,
    pub(crate) lockout_enabled: bool,
    pub(crate) lockout_threshold: u64,
    pub(crate) lockout_duration_seconds: u64,
    pub(crate) lockout_counter_reset_seconds: u64,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

fn ips(list: &[TrustedIp]) -> Vec<Value> {
    list.iter().map(TrustedIp::view).collect()
}

impl UniversalAuth {
    /// `IdentityUniversalAuthsSchema`.
    pub(crate) fn view(&self) -> Value {
        json!({
            "id": self.id,
            "clientId": self.client_id,
            "accessTokenTTL": self.access_token_ttl,
            "accessTokenMaxTTL": self.access_token_max_ttl,
            "accessTokenNumUsesLimit": self.access_token_num_uses_limit,
            "clientSecretTrustedIps": ips(&self.client_secret_trusted_ips),
            "accessTokenTrustedIps": ips(&self.access_token_trusted_ips),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "identityId": self.identity_id,
            "accessTokenPeriod": self.access_token_period,
            "lockoutEnabled": self.lockout_enabled,
            "lockoutThreshold": self.lockout_threshold,
            "lockoutDurationSeconds": self.lockout_duration_seconds,
            "lockoutCounterResetSeconds": self.lockout_counter_reset_seconds,
        })
    }
}

/// A universal-auth client secret (`identity_ua_client_secrets`). Only its SHA-256 is kept: the
/// secret itself is answered once, by the create route.
#[derive(Debug, Clone)]
pub(crate) struct ClientSecret {
    pub(crate) id: String,
    /// The universal-auth configuration's id (`identityUAId`).
    pub(crate) ua_id: String,
    pub(crate) description: String,
    pub(crate) prefix: String,
    pub(crate) hash: [u8; 32],
    pub(crate) num_uses: u64,
    pub(crate) num_uses_limit: u64,
    /// Seconds from creation; 0 never expires.
    pub(crate) ttl: u64,
    pub(crate) revoked: bool,
    pub(crate) created: Instant,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl ClientSecret {
    /// `sanitizedClientSecretSchema`.
    pub(crate) fn view(&self) -> Value {
        json!({
            "id": self.id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "description": self.description,
            "clientSecretPrefix": self.prefix,
            "clientSecretNumUses": self.num_uses,
            "clientSecretNumUsesLimit": self.num_uses_limit,
            "clientSecretTTL": self.ttl,
            "identityUAId": self.ua_id,
            "isClientSecretRevoked": self.revoked,
        })
    }
}

/// A universal-auth lockout record (the server's key-store entry
/// `lockout:identity:<id>:universal-auth:<clientId>`), alive until `until`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lockout {
    pub(crate) failed_attempts: u64,
    pub(crate) locked_out: bool,
    pub(crate) until: Instant,
}

/// Every identity made through the API, with its auth configurations.
#[derive(Debug, Default)]
pub(crate) struct Identities {
    /// Oldest first.
    pub(crate) identities: Vec<Identity>,
    /// Identity id → its universal auth.
    pub(crate) universal: HashMap<String, UniversalAuth>,
    /// Every client secret, oldest first.
    pub(crate) client_secrets: Vec<ClientSecret>,
    /// Lockout key (identity id and client id) → the record.
    pub(crate) lockouts: HashMap<(String, String), Lockout>,
}

impl Identities {
    /// An identity by id.
    pub(crate) fn get(&self, id: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.id == id)
    }

    /// An identity by id, to change.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Identity> {
        self.identities.iter_mut().find(|i| i.id == id)
    }

    /// The auth methods attached, in `buildAuthMethods`' order.
    pub(crate) fn auth_methods(&self, id: &str) -> Vec<&'static str> {
        let mut methods = Vec::new();
        if self.universal.contains_key(id) {
            methods.push(UNIVERSAL_AUTH);
        }
        methods
    }

    /// The universal auth whose client id this is.
    pub(crate) fn universal_by_client_id(&self, client_id: &str) -> Option<&UniversalAuth> {
        self.universal.values().find(|u| u.client_id == client_id)
    }

    /// Removes an identity with everything that hangs off it (its auth configurations, their
    /// client secrets and lockouts), as the foreign keys take them.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Identity> {
        let index = self.identities.iter().position(|i| i.id == id)?;
        if let Some(ua) = self.universal.remove(id) {
            self.client_secrets.retain(|s| s.ua_id != ua.id);
        }
        self.lockouts.retain(|(identity, _), _| identity != id);
        Some(self.identities.remove(index))
    }
}
