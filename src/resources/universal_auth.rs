//! Resource `infisical_identity_universal_auth`: universal auth attached to an identity, with
//! the official provider's attributes (schema version 0), on
//! `/api/v1/auth/universal-auth/identities/{identity_id}`.
//!
//! Unlike the official resource, a setting set back to its default (a use limit of 0, trusted
//! IPs emptied to everywhere) or removed from the configuration reaches Infisical (the official
//! client leaves zeros and empty lists out of the request, so the old value stays and the apply
//! fails with an inconsistent result), a trusted IP written as a bare address compares equal to
//! Infisical's `/32`, the settings are checked at plan, and it can be imported by identity id.

use crate::infisical::{UniversalAuth, UniversalAuthFields};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::auth_method::{
    self, AttachedAuth, TokenSettings, ip_requests, ips_value, kept_ips, read_ips,
};
use super::model::{Computed, Fields, Model};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_identity_universal_auth";

/// Attribute names (the official provider's, and `client_id`).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const IDENTITY_ID: &str = "identity_id";
    pub(super) const CLIENT_SECRET_TRUSTED_IPS: &str = "client_secret_trusted_ips";
    pub(super) const CLIENT_ID: &str = "client_id";
}

/// The resource, as the provider registers it (through [`auth_method::Attached`]).
pub(crate) struct UniversalAuthResource;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UaState {
    id: Computed,
    identity_id: String,
    client_secret_trusted_ips: Vec<String>,
    tokens: TokenSettings,
    client_id: Computed,
}

impl Model for UaState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.computed(ID)?,
            identity_id: fields.required(IDENTITY_ID)?,
            client_secret_trusted_ips: read_ips(&fields, CLIENT_SECRET_TRUSTED_IPS)?,
            tokens: TokenSettings::read(&fields)?,
            client_id: fields.computed(CLIENT_ID)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        let mut attributes = vec![
            (ID, self.id.to_value()),
            (IDENTITY_ID, Value::string(&self.identity_id)),
            (
                CLIENT_SECRET_TRUSTED_IPS,
                ips_value(&self.client_secret_trusted_ips),
            ),
            (CLIENT_ID, self.client_id.to_value()),
        ];
        attributes.extend(self.tokens.attributes());
        attributes
    }
}

impl UaState {
    fn answered(&self, ua: &UniversalAuth) -> Self {
        Self {
            id: Computed::Known(ua.id.clone()),
            identity_id: self.identity_id.clone(),
            client_secret_trusted_ips: kept_ips(
                &self.client_secret_trusted_ips,
                &ua.client_secret_trusted_ips,
            ),
            tokens: self.tokens.answered(
                ua.access_token_ttl,
                ua.access_token_max_ttl,
                ua.access_token_num_uses_limit,
                &ua.access_token_trusted_ips,
            ),
            client_id: Computed::Known(ua.client_id.clone()),
        }
    }

    /// The whole settings: every one is sent, so a value set back to its default reaches
    /// Infisical.
    fn fields(&self) -> UniversalAuthFields {
        UniversalAuthFields {
            client_secret_trusted_ips: Some(ip_requests(&self.client_secret_trusted_ips)),
            access_token_trusted_ips: Some(ip_requests(&self.tokens.trusted_ips)),
            access_token_ttl: Some(self.tokens.ttl),
            access_token_max_ttl: Some(self.tokens.max_ttl),
            access_token_num_uses_limit: Some(self.tokens.num_uses_limit),
        }
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types, and `client_id`.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let mut attributes = vec![
        Attribute::string(ID)
            .computed()
            .use_state_for_unknown()
            .description("The universal auth's id."),
        Attribute::string(IDENTITY_ID)
            .required()
            .requires_replace()
            .description("The id of the identity universal auth is attached to."),
        auth_method::trusted_ips_attribute(
            CLIENT_SECRET_TRUSTED_IPS,
            "Where client secrets may be used to log in from (default: everywhere, `0.0.0.0/0` \
             and `::/0`).",
        ),
        Attribute::string(CLIENT_ID)
            .computed()
            .use_state_for_unknown()
            .description("The client id the identity logs in with, beside a client secret."),
    ];
    attributes.extend(auth_method::token_attributes());
    Schema {
        version: 0,
        description: "Universal auth (a client id and client secrets) attached to a machine \
                      identity. For CI, prefer OIDC auth (`infisical_identity_oidc_auth`): no \
                      secret to store.",
        attributes,
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    validate::not_blank(
        config.get(attr::IDENTITY_ID),
        AttrPath::new(attr::IDENTITY_ID),
        diags,
    );
    auth_method::validate_tokens(config, diags);
    auth_method::validate_ips(config, attr::CLIENT_SECRET_TRUSTED_IPS, diags);
}

impl AttachedAuth for UniversalAuthResource {
    type Api = UniversalAuth;
    type State = UaState;
    const TYPE_NAME: &'static str = TYPE_NAME;
    const LABEL: &'static str = "universal auth";

    fn schema() -> Schema {
        schema()
    }

    fn validate(config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    fn identity_id(state: &UaState) -> &str {
        &state.identity_id
    }

    fn fields(state: &UaState) -> UniversalAuthFields {
        state.fields()
    }

    fn answered(state: &UaState, answer: &UniversalAuth) -> UaState {
        state.answered(answer)
    }

    fn imported(identity_id: &str, answer: &UniversalAuth) -> UaState {
        let blank = UaState {
            id: Computed::Unknown,
            identity_id: identity_id.to_owned(),
            client_secret_trusted_ips: Vec::new(),
            tokens: TokenSettings::blank(),
            client_id: Computed::Unknown,
        };
        blank.answered(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_reads_what_it_writes_and_sends_every_setting() {
        let state = UaState {
            id: Computed::Known("u1".into()),
            identity_id: "i1".into(),
            client_secret_trusted_ips: vec!["10.0.0.0/8".into()],
            tokens: TokenSettings {
                ttl: 60,
                max_ttl: 120,
                num_uses_limit: 0,
                trusted_ips: vec![],
            },
            client_id: Computed::Known("c1".into()),
        };
        let value = state.to_value();
        assert_eq!(UaState::from_value(&value).unwrap(), state);
        for attribute in schema().attributes {
            assert!(
                !value.get(attribute.name).is_null(),
                "{} is not written",
                attribute.name
            );
        }
        let body = serde_json::to_value(state.fields()).unwrap();
        assert_eq!(body["accessTokenNumUsesLimit"], 0);
        assert_eq!(body["accessTokenTrustedIps"], serde_json::json!([]));
    }
}
