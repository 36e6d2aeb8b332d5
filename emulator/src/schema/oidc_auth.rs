//! OIDC auth's request schemas (`routes/v1/identity-oidc-auth-router.ts`, with
//! `services/identity-oidc-auth/identity-oidc-auth-validators.ts`), rule for rule and message
//! for message, and the typed input they give [`crate::service::oidc_auth`].

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::Value;

use super::identity::{
    AT_LEAST_ONE, addresses, check_sent_ttl_within_max, check_ttl_within_max, count, everywhere,
    trusted_ips_schema, ttl_schema,
};
use super::{Input, text, validated};
use crate::error::ApiError;
use crate::zod::{Schema, number, optional, record, refine, string, with_default};

/// `validateOidcAuthAudiencesField`: entries trimmed and joined by `", "` (the transform runs
/// in [`audiences`]).
fn audiences_schema() -> Schema {
    with_default(string().trim(), "")
}

/// `validateOidcAuthAudiencesField`'s transform.
fn audiences(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    text.split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `validateOidcBoundClaimsField`: `z.record(z.string())`, each value's entries trimmed and
/// joined by `", "`.
fn claims(value: &Value, key: &str) -> Option<BTreeMap<String, String>> {
    value.get(key).and_then(Value::as_object).map(|map| {
        map.iter()
            .map(|(k, v)| {
                let joined = v
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(", ");
                (k.clone(), joined)
            })
            .collect()
    })
}

fn attach_fields() -> Vec<(&'static str, Schema)> {
    vec![
        (
            "oidcDiscoveryUrl",
            string().url().min(1, AT_LEAST_ONE).into(),
        ),
        ("caCert", with_default(string().trim(), "")),
        ("boundIssuer", string().min(1, AT_LEAST_ONE).into()),
        ("boundAudiences", audiences_schema()),
        ("boundClaims", record(string())),
        ("claimMetadataMapping", optional(record(string()))),
        ("boundSubject", with_default(string(), "")),
        (
            "accessTokenTrustedIps",
            with_default(trusted_ips_schema(), everywhere()),
        ),
        ("accessTokenTTL", with_default(ttl_schema(), 2_592_000)),
        ("accessTokenMaxTTL", with_default(ttl_schema(), 2_592_000)),
        (
            "accessTokenNumUsesLimit",
            with_default(number().int().min(0.0), 0),
        ),
    ]
}

static ATTACH_OIDC_AUTH: LazyLock<Schema> =
    LazyLock::new(|| refine(Schema::Object(attach_fields()), check_ttl_within_max));

/// `.partial()`: every field optional, without its default.
static UPDATE_OIDC_AUTH: LazyLock<Schema> = LazyLock::new(|| {
    let fields = vec![
        (
            "oidcDiscoveryUrl",
            optional(string().url().min(1, AT_LEAST_ONE)),
        ),
        ("caCert", optional(string().trim())),
        ("boundIssuer", optional(string().min(1, AT_LEAST_ONE))),
        ("boundAudiences", optional(string().trim())),
        ("boundClaims", optional(record(string()))),
        ("claimMetadataMapping", optional(record(string()))),
        ("boundSubject", optional(string())),
        ("accessTokenTrustedIps", optional(trusted_ips_schema())),
        ("accessTokenTTL", optional(ttl_schema())),
        ("accessTokenMaxTTL", optional(ttl_schema())),
        ("accessTokenNumUsesLimit", optional(number().int().min(0.0))),
    ];
    refine(Schema::Object(fields), check_sent_ttl_within_max)
});

/// A validated OIDC-auth attach (defaults applied) or update (`None`: not sent, unchanged).
#[derive(Debug, Default)]
pub(crate) struct OidcAuthInput {
    pub(crate) oidc_discovery_url: Option<String>,
    pub(crate) ca_cert: Option<String>,
    pub(crate) bound_issuer: Option<String>,
    pub(crate) bound_audiences: Option<String>,
    pub(crate) bound_claims: Option<BTreeMap<String, String>>,
    pub(crate) claim_metadata_mapping: Option<BTreeMap<String, String>>,
    pub(crate) bound_subject: Option<String>,
    pub(crate) access_token_trusted_ips: Option<Vec<String>>,
    pub(crate) access_token_ttl: Option<u64>,
    pub(crate) access_token_max_ttl: Option<u64>,
    pub(crate) access_token_num_uses_limit: Option<u64>,
}

impl OidcAuthInput {
    fn read(value: &Value) -> Self {
        Self {
            oidc_discovery_url: text(value, "oidcDiscoveryUrl"),
            ca_cert: text(value, "caCert"),
            bound_issuer: text(value, "boundIssuer"),
            bound_audiences: text(value, "boundAudiences").map(|a| audiences(&a)),
            bound_claims: claims(value, "boundClaims"),
            claim_metadata_mapping: claims(value, "claimMetadataMapping"),
            bound_subject: text(value, "boundSubject"),
            access_token_trusted_ips: addresses(value, "accessTokenTrustedIps"),
            access_token_ttl: count(value, "accessTokenTTL"),
            access_token_max_ttl: count(value, "accessTokenMaxTTL"),
            access_token_num_uses_limit: count(value, "accessTokenNumUsesLimit"),
        }
    }
}

/// `POST /api/v1/auth/oidc-auth/identities/:identityId`'s body.
pub(crate) struct AttachOidcAuthInput(pub(crate) OidcAuthInput);

impl Input for AttachOidcAuthInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&ATTACH_OIDC_AUTH, body)?;
        Ok(Self(OidcAuthInput::read(&value)))
    }
}

/// `PATCH /api/v1/auth/oidc-auth/identities/:identityId`'s body.
pub(crate) struct UpdateOidcAuthInput(pub(crate) OidcAuthInput);

impl Input for UpdateOidcAuthInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_OIDC_AUTH, body)?;
        Ok(Self(OidcAuthInput::read(&value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_and_claims_are_rewritten_as_the_validators_do() {
        assert_eq!(audiences(""), "");
        assert_eq!(audiences("a ,b,  c"), "a, b, c");
        let value = serde_json::json!({ "boundClaims": { "repository": "o/a , o/b" } });
        let claims = claims(&value, "boundClaims").unwrap_or_default();
        assert_eq!(claims["repository"], "o/a, o/b");
    }
}
