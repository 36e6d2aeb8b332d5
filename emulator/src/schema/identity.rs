//! Machine identities' and universal auth's request schemas (`routes/v1/identity-router.ts`,
//! `routes/v1/identity-universal-auth-router.ts`), rule for rule and message for message, and
//! the typed inputs they give [`crate::service::identities`] and
//! [`crate::service::universal_auth`].

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{Input, text, validated};
use crate::error::ApiError;
use crate::zod::{
    Schema, array, array_min, custom_issue, number, optional, refine, string, with_default,
};

/// zod's default `min(1)` message for a string.
pub(crate) const AT_LEAST_ONE: &str = "String must contain at least 1 character(s)";
/// The attach and update refinement of both auth methods' TTLs.
pub(crate) const TTL_ABOVE_MAX: &str =
    "Access Token TTL cannot be greater than Access Token Max TTL.";
/// The TTLs' ceiling: ten years.
const TEN_YEARS: f64 = 315_360_000.0;

/// `{ key: z.string().trim().min(1), value: z.string().trim().min(1) }`.
fn metadata_schema() -> Schema {
    array(Schema::Object(vec![
        ("key", string().trim().min(1, AT_LEAST_ONE).into()),
        ("value", string().trim().min(1, AT_LEAST_ONE).into()),
    ]))
}

static CREATE_IDENTITY: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", string().trim().into()),
        ("organizationId", string().trim().into()),
        (
            "role",
            with_default(string().trim().min(1, AT_LEAST_ONE), "no-access"),
        ),
        ("hasDeleteProtection", with_default(Schema::Bool, false)),
        ("metadata", optional(metadata_schema())),
    ])
});

static UPDATE_IDENTITY: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", optional(string().trim())),
        ("role", optional(string().trim().min(1, AT_LEAST_ONE))),
        ("hasDeleteProtection", optional(Schema::Bool)),
        ("metadata", optional(metadata_schema())),
    ])
});

/// Metadata pairs of a parsed body.
fn pairs(value: &Value) -> Option<Vec<(String, String)>> {
    value.get("metadata").and_then(Value::as_array).map(|rows| {
        rows.iter()
            .map(|row| {
                (
                    text(row, "key").unwrap_or_default(),
                    text(row, "value").unwrap_or_default(),
                )
            })
            .collect()
    })
}

/// A validated `POST /api/v1/identities`.
pub(crate) struct CreateIdentityInput {
    pub(crate) name: String,
    pub(crate) organization_id: String,
    pub(crate) role: String,
    pub(crate) has_delete_protection: bool,
    pub(crate) metadata: Option<Vec<(String, String)>>,
}

impl Input for CreateIdentityInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_IDENTITY, body)?;
        Ok(Self {
            name: text(&value, "name").unwrap_or_default(),
            organization_id: text(&value, "organizationId").unwrap_or_default(),
            role: text(&value, "role").unwrap_or_default(),
            has_delete_protection: value["hasDeleteProtection"].as_bool().unwrap_or_default(),
            metadata: pairs(&value),
        })
    }
}

/// A validated `PATCH /api/v1/identities/:identityId`: what was sent.
pub(crate) struct UpdateIdentityInput {
    pub(crate) name: Option<String>,
    pub(crate) role: Option<String>,
    pub(crate) has_delete_protection: Option<bool>,
    pub(crate) metadata: Option<Vec<(String, String)>>,
}

impl Input for UpdateIdentityInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_IDENTITY, body)?;
        Ok(Self {
            name: text(&value, "name"),
            role: text(&value, "role"),
            has_delete_protection: value.get("hasDeleteProtection").and_then(Value::as_bool),
            metadata: pairs(&value),
        })
    }
}

/// `{ ipAddress: z.string().trim() }.array().min(1)`.
pub(crate) fn trusted_ips_schema() -> Schema {
    array_min(
        Schema::Object(vec![("ipAddress", string().trim().into())]),
        1,
    )
}

/// The default trusted IPs: everywhere.
pub(crate) fn everywhere() -> Value {
    json!([{ "ipAddress": "0.0.0.0/0" }, { "ipAddress": "::/0" }])
}

/// `z.number().int().min(0).max(315360000)`.
pub(crate) fn ttl_schema() -> Schema {
    number().int().min(0.0).max(TEN_YEARS).into()
}

/// `.refine(val => val.accessTokenTTL <= val.accessTokenMaxTTL, …)` of the attach routes.
pub(crate) fn check_ttl_within_max(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let ttl = value["accessTokenTTL"].as_f64().unwrap_or_default();
    let max = value["accessTokenMaxTTL"].as_f64().unwrap_or_default();
    let bad = ttl > max;
    if bad {
        issues.push(custom_issue(path, TTL_ABOVE_MAX));
    }
    bad
}

/// The update routes' refinement: only when both are sent and truthy.
pub(crate) fn check_sent_ttl_within_max(
    value: &Value,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> bool {
    let ttl = value.get("accessTokenTTL").and_then(Value::as_f64);
    let max = value.get("accessTokenMaxTTL").and_then(Value::as_f64);
    let bad = matches!((ttl, max), (Some(ttl), Some(max)) if ttl != 0.0 && max != 0.0 && ttl > max);
    if bad {
        issues.push(custom_issue(path, TTL_ABOVE_MAX));
    }
    bad
}

static ATTACH_UNIVERSAL_AUTH: LazyLock<Schema> = LazyLock::new(|| {
    refine(
        Schema::Object(vec![
            (
                "clientSecretTrustedIps",
                with_default(trusted_ips_schema(), everywhere()),
            ),
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
            (
                "accessTokenPeriod",
                with_default(number().int().min(0.0), 0),
            ),
            ("lockoutEnabled", with_default(Schema::Bool, true)),
            (
                "lockoutThreshold",
                with_default(number().min(1.0).max(30.0), 3),
            ),
            (
                "lockoutDurationSeconds",
                with_default(number().min(30.0).max(86_400.0), 300),
            ),
            (
                "lockoutCounterResetSeconds",
                with_default(number().min(5.0).max(3600.0), 30),
            ),
        ]),
        check_ttl_within_max,
    )
});

static UPDATE_UNIVERSAL_AUTH: LazyLock<Schema> = LazyLock::new(|| {
    refine(
        Schema::Object(vec![
            ("clientSecretTrustedIps", optional(trusted_ips_schema())),
            ("accessTokenTrustedIps", optional(trusted_ips_schema())),
            ("accessTokenTTL", optional(ttl_schema())),
            ("accessTokenNumUsesLimit", optional(number().int().min(0.0))),
            ("accessTokenMaxTTL", optional(ttl_schema())),
            ("accessTokenPeriod", optional(ttl_schema())),
            ("lockoutEnabled", optional(Schema::Bool)),
            ("lockoutThreshold", optional(number().min(1.0).max(30.0))),
            (
                "lockoutDurationSeconds",
                optional(number().min(30.0).max(86_400.0)),
            ),
            (
                "lockoutCounterResetSeconds",
                optional(number().min(5.0).max(3600.0)),
            ),
        ]),
        check_sent_ttl_within_max,
    )
});

/// A whole number of a parsed body, when sent.
pub(crate) fn count(value: &Value, key: &str) -> Option<u64> {
    value
        .get(key)
        .and_then(Value::as_f64)
        .map(|n| n.max(0.0).round() as u64)
}

/// The `ipAddress`es of a parsed list, when sent.
pub(crate) fn addresses(value: &Value, key: &str) -> Option<Vec<String>> {
    value.get(key).and_then(Value::as_array).map(|rows| {
        rows.iter()
            .map(|row| text(row, "ipAddress").unwrap_or_default())
            .collect()
    })
}

/// A validated universal-auth attach (every field with its default) or update (`None`: not
/// sent, unchanged).
#[derive(Debug, Default)]
pub(crate) struct UniversalAuthInput {
    pub(crate) client_secret_trusted_ips: Option<Vec<String>>,
    pub(crate) access_token_trusted_ips: Option<Vec<String>>,
    pub(crate) access_token_ttl: Option<u64>,
    pub(crate) access_token_max_ttl: Option<u64>,
    pub(crate) access_token_num_uses_limit: Option<u64>,
    pub(crate) access_token_period: Option<u64>,
    pub(crate) lockout_enabled: Option<bool>,
    pub(crate) lockout_threshold: Option<u64>,
    pub(crate) lockout_duration_seconds: Option<u64>,
    pub(crate) lockout_counter_reset_seconds: Option<u64>,
}

impl UniversalAuthInput {
    fn read(value: &Value) -> Self {
        Self {
            client_secret_trusted_ips: addresses(value, "clientSecretTrustedIps"),
            access_token_trusted_ips: addresses(value, "accessTokenTrustedIps"),
            access_token_ttl: count(value, "accessTokenTTL"),
            access_token_max_ttl: count(value, "accessTokenMaxTTL"),
            access_token_num_uses_limit: count(value, "accessTokenNumUsesLimit"),
            access_token_period: count(value, "accessTokenPeriod"),
            lockout_enabled: value.get("lockoutEnabled").and_then(Value::as_bool),
            lockout_threshold: count(value, "lockoutThreshold"),
            lockout_duration_seconds: count(value, "lockoutDurationSeconds"),
            lockout_counter_reset_seconds: count(value, "lockoutCounterResetSeconds"),
        }
    }
}

/// `POST /api/v1/auth/universal-auth/identities/:identityId`'s body, defaults applied.
pub(crate) struct AttachUniversalAuthInput(pub(crate) UniversalAuthInput);

impl Input for AttachUniversalAuthInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&ATTACH_UNIVERSAL_AUTH, body)?;
        Ok(Self(UniversalAuthInput::read(&value)))
    }
}

/// `PATCH /api/v1/auth/universal-auth/identities/:identityId`'s body.
pub(crate) struct UpdateUniversalAuthInput(pub(crate) UniversalAuthInput);

impl Input for UpdateUniversalAuthInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_UNIVERSAL_AUTH, body)?;
        Ok(Self(UniversalAuthInput::read(&value)))
    }
}

static CREATE_CLIENT_SECRET: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("description", with_default(string().trim(), "")),
        ("numUsesLimit", with_default(number().min(0.0), 0)),
        ("ttl", with_default(number().min(0.0).max(TEN_YEARS), 0)),
    ])
});

/// A validated `POST …/client-secrets`.
pub(crate) struct CreateClientSecretInput {
    pub(crate) description: String,
    pub(crate) num_uses_limit: u64,
    pub(crate) ttl: u64,
}

impl Input for CreateClientSecretInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_CLIENT_SECRET, body)?;
        Ok(Self {
            description: text(&value, "description").unwrap_or_default(),
            num_uses_limit: count(&value, "numUsesLimit").unwrap_or_default(),
            ttl: count(&value, "ttl").unwrap_or_default(),
        })
    }
}
