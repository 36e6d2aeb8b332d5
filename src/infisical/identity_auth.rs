//! The auth methods of a machine identity: universal auth with its client secrets
//! (`/api/v1/auth/universal-auth/identities/:identityId`, the server's
//! `routes/v1/identity-universal-auth-router.ts`) and OIDC auth
//! (`/api/v1/auth/oidc-auth/identities/:identityId`, `identity-oidc-auth-router.ts`).

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::client::{Client, Repeat, encode};
use super::error::Error;
use crate::secret::Secret;

/// A trusted IP range as the auth routes answer it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedIp {
    /// `ipv4` or `ipv6`.
    #[serde(default, rename = "type")]
    pub ip_type: Option<String>,
    /// The address.
    pub ip_address: String,
    /// The prefix length, when a range.
    #[serde(default)]
    pub prefix: Option<u8>,
}

impl TrustedIp {
    /// The range as it is written: `address` or `address/prefix`.
    pub fn written(&self) -> String {
        match self.prefix {
            Some(prefix) => format!("{}/{prefix}", self.ip_address),
            None => self.ip_address.clone(),
        }
    }
}

/// A trusted IP range as the auth routes take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedIpRequest {
    /// An address or a CIDR range.
    pub ip_address: String,
}

/// Universal auth of an identity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UniversalAuth {
    /// Its id.
    pub id: String,
    /// The client id the identity logs in with.
    pub client_id: String,
    /// Access tokens' TTL, in seconds.
    #[serde(rename = "accessTokenTTL")]
    pub access_token_ttl: i64,
    /// Access tokens' max TTL, in seconds.
    #[serde(rename = "accessTokenMaxTTL")]
    pub access_token_max_ttl: i64,
    /// How many times an access token may be used (0: no limit).
    pub access_token_num_uses_limit: i64,
    /// Where client secrets may be used from.
    #[serde(default)]
    pub client_secret_trusted_ips: Vec<TrustedIp>,
    /// Where access tokens may be used from.
    #[serde(default)]
    pub access_token_trusted_ips: Vec<TrustedIp>,
}

/// Universal auth's settings: the body of its attach and update. What is `None` is not sent
/// (the server's default on attach, no change on update); lists are sent whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UniversalAuthFields {
    /// Where client secrets may be used from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_trusted_ips: Option<Vec<TrustedIpRequest>>,
    /// Where access tokens may be used from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_trusted_ips: Option<Vec<TrustedIpRequest>>,
    /// Access tokens' TTL.
    #[serde(rename = "accessTokenTTL", skip_serializing_if = "Option::is_none")]
    pub access_token_ttl: Option<i64>,
    /// Access tokens' max TTL.
    #[serde(rename = "accessTokenMaxTTL", skip_serializing_if = "Option::is_none")]
    pub access_token_max_ttl: Option<i64>,
    /// Access tokens' use limit (0: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_num_uses_limit: Option<i64>,
}

/// A client secret's record (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecretData {
    /// Its id.
    pub id: String,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// How many times it was used.
    #[serde(default)]
    pub client_secret_num_uses: i64,
    /// How many times it may be used (0: no limit).
    #[serde(default)]
    pub client_secret_num_uses_limit: i64,
    /// Its TTL in seconds (0: never expires).
    #[serde(default, rename = "clientSecretTTL")]
    pub client_secret_ttl: i64,
    /// Whether it was revoked.
    #[serde(default)]
    pub is_client_secret_revoked: bool,
}

/// A new client secret: returned once.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewClientSecret {
    /// The secret (never in Debug output).
    pub client_secret: Secret,
    /// Its record.
    pub client_secret_data: ClientSecretData,
}

/// `POST …/client-secrets`' body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateClientSecret<'a> {
    /// A description.
    pub description: &'a str,
    /// How many times it may be used (0: no limit).
    pub num_uses_limit: i64,
    /// Its TTL in seconds (0: never expires).
    pub ttl: i64,
}

/// OIDC auth of an identity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcAuth {
    /// Its id.
    pub id: String,
    /// Where the issuer's discovery document is.
    pub oidc_discovery_url: String,
    /// The `iss` a token must have.
    pub bound_issuer: String,
    /// The audiences one of which a token's `aud` must be, comma-separated.
    #[serde(default)]
    pub bound_audiences: String,
    /// Claims a token must have (values may be globs).
    #[serde(default)]
    pub bound_claims: BTreeMap<String, String>,
    /// Claims copied into the token's metadata.
    #[serde(default)]
    pub claim_metadata_mapping: Option<BTreeMap<String, String>>,
    /// The `sub` a token must have (a glob).
    #[serde(default)]
    pub bound_subject: String,
    /// A CA certificate for the discovery URL.
    #[serde(default)]
    pub ca_cert: String,
    /// Access tokens' TTL.
    #[serde(rename = "accessTokenTTL")]
    pub access_token_ttl: i64,
    /// Access tokens' max TTL.
    #[serde(rename = "accessTokenMaxTTL")]
    pub access_token_max_ttl: i64,
    /// Access tokens' use limit.
    pub access_token_num_uses_limit: i64,
    /// Where access tokens may be used from.
    #[serde(default)]
    pub access_token_trusted_ips: Vec<TrustedIp>,
}

/// OIDC auth's settings: the body of its attach and update.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcAuthFields {
    /// Where the issuer's discovery document is.
    pub oidc_discovery_url: String,
    /// The `iss` a token must have.
    pub bound_issuer: String,
    /// The audiences, comma-separated.
    pub bound_audiences: String,
    /// Claims a token must have.
    pub bound_claims: BTreeMap<String, String>,
    /// Claims copied into the token's metadata.
    pub claim_metadata_mapping: BTreeMap<String, String>,
    /// The `sub` a token must have.
    pub bound_subject: String,
    /// A CA certificate for the discovery URL.
    pub ca_cert: String,
    /// Where access tokens may be used from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_trusted_ips: Option<Vec<TrustedIpRequest>>,
    /// Access tokens' TTL.
    #[serde(rename = "accessTokenTTL", skip_serializing_if = "Option::is_none")]
    pub access_token_ttl: Option<i64>,
    /// Access tokens' max TTL.
    #[serde(rename = "accessTokenMaxTTL", skip_serializing_if = "Option::is_none")]
    pub access_token_max_ttl: Option<i64>,
    /// Access tokens' use limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_num_uses_limit: Option<i64>,
}

/// The auth-method calls; from [`Client::identity_auth`].
#[derive(Debug, Clone, Copy)]
pub struct IdentityAuth<'c> {
    client: &'c Client,
}

impl Client {
    /// The identity auth-method calls.
    pub fn identity_auth(&self) -> IdentityAuth<'_> {
        IdentityAuth { client: self }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneUniversal {
    identity_universal_auth: UniversalAuth,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneOidc {
    identity_oidc_auth: OidcAuth,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneClientSecret {
    client_secret_data: ClientSecretData,
}

const UA: [&str; 5] = ["api", "v1", "auth", "universal-auth", "identities"];
const OIDC: [&str; 5] = ["api", "v1", "auth", "oidc-auth", "identities"];

fn route<'a>(base: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(tail).copied().collect()
}

impl IdentityAuth<'_> {
    /// `POST …/universal-auth/identities/:id`: attaches universal auth.
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn attach_universal(
        &self,
        identity_id: &str,
        fields: &UniversalAuthFields,
    ) -> Result<UniversalAuth, Error> {
        let one: OneUniversal = self
            .client
            .request_as(
                Method::POST,
                &route(&UA, &[identity_id]),
                &[],
                Some(encode(fields)?),
                Repeat::Unsafe,
            )
            .await?;
        Ok(one.identity_universal_auth)
    }

    /// `GET …/universal-auth/identities/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn universal(&self, identity_id: &str) -> Result<UniversalAuth, Error> {
        let one: OneUniversal = self
            .client
            .request(Method::GET, &route(&UA, &[identity_id]), &[], None)
            .await?;
        Ok(one.identity_universal_auth)
    }

    /// `PATCH …/universal-auth/identities/:id`.
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn update_universal(
        &self,
        identity_id: &str,
        fields: &UniversalAuthFields,
    ) -> Result<UniversalAuth, Error> {
        let one: OneUniversal = self
            .client
            .request(
                Method::PATCH,
                &route(&UA, &[identity_id]),
                &[],
                Some(encode(fields)?),
            )
            .await?;
        Ok(one.identity_universal_auth)
    }

    /// `DELETE …/universal-auth/identities/:id`: detaches universal auth (its client secrets
    /// with it).
    #[instrument(level = "debug", skip(self))]
    pub async fn detach_universal(&self, identity_id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(Method::DELETE, &route(&UA, &[identity_id]), &[], None)
            .await?;
        Ok(())
    }

    /// `POST …/universal-auth/identities/:id/client-secrets`: a new client secret, whose value
    /// Infisical answers this once.
    #[instrument(level = "debug", skip(self, request))]
    pub async fn create_client_secret(
        &self,
        identity_id: &str,
        request: &CreateClientSecret<'_>,
    ) -> Result<NewClientSecret, Error> {
        self.client
            .request_as(
                Method::POST,
                &route(&UA, &[identity_id, "client-secrets"]),
                &[],
                Some(encode(request)?),
                Repeat::Unsafe,
            )
            .await
    }

    /// `GET …/client-secrets/:secretId`.
    #[instrument(level = "debug", skip(self))]
    pub async fn client_secret(
        &self,
        identity_id: &str,
        id: &str,
    ) -> Result<ClientSecretData, Error> {
        let one: OneClientSecret = self
            .client
            .request(
                Method::GET,
                &route(&UA, &[identity_id, "client-secrets", id]),
                &[],
                None,
            )
            .await?;
        Ok(one.client_secret_data)
    }

    /// `POST …/client-secrets/:secretId/revoke`.
    #[instrument(level = "debug", skip(self))]
    pub async fn revoke_client_secret(&self, identity_id: &str, id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request_as(
                Method::POST,
                &route(&UA, &[identity_id, "client-secrets", id, "revoke"]),
                &[],
                None,
                Repeat::Safe,
            )
            .await?;
        Ok(())
    }

    /// `POST …/oidc-auth/identities/:id`: attaches OIDC auth.
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn attach_oidc(
        &self,
        identity_id: &str,
        fields: &OidcAuthFields,
    ) -> Result<OidcAuth, Error> {
        let one: OneOidc = self
            .client
            .request_as(
                Method::POST,
                &route(&OIDC, &[identity_id]),
                &[],
                Some(encode(fields)?),
                Repeat::Unsafe,
            )
            .await?;
        Ok(one.identity_oidc_auth)
    }

    /// `GET …/oidc-auth/identities/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn oidc(&self, identity_id: &str) -> Result<OidcAuth, Error> {
        let one: OneOidc = self
            .client
            .request(Method::GET, &route(&OIDC, &[identity_id]), &[], None)
            .await?;
        Ok(one.identity_oidc_auth)
    }

    /// `PATCH …/oidc-auth/identities/:id`.
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn update_oidc(
        &self,
        identity_id: &str,
        fields: &OidcAuthFields,
    ) -> Result<OidcAuth, Error> {
        let one: OneOidc = self
            .client
            .request(
                Method::PATCH,
                &route(&OIDC, &[identity_id]),
                &[],
                Some(encode(fields)?),
            )
            .await?;
        Ok(one.identity_oidc_auth)
    }

    /// `DELETE …/oidc-auth/identities/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn detach_oidc(&self, identity_id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(Method::DELETE, &route(&OIDC, &[identity_id]), &[], None)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_client_secret_never_shows_in_debug_output() {
        let made: NewClientSecret = serde_json::from_value(serde_json::json!({
            "clientSecret": "cs-very-secret",
            "clientSecretData": { "id": "c1", "clientSecretTTL": 0 },
        }))
        .unwrap();
        assert!(!format!("{made:?}").contains("cs-very-secret"));
        assert_eq!(made.client_secret.expose(), "cs-very-secret");
    }

    #[test]
    fn update_bodies_leave_out_what_does_not_change_and_send_empty_lists() {
        let fields = UniversalAuthFields {
            access_token_num_uses_limit: Some(0),
            client_secret_trusted_ips: Some(Vec::new()),
            ..UniversalAuthFields::default()
        };
        assert_eq!(
            serde_json::to_value(&fields).unwrap(),
            serde_json::json!({ "accessTokenNumUsesLimit": 0, "clientSecretTrustedIps": [] })
        );
    }
}
