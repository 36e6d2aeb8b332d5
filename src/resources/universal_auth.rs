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
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::auth_method::{self, TokenSettings, ip_requests, ips_value, kept_ips, read_ips};
use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model};
use super::plain::{Lifecycle, Unfinished};
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

/// The resource, as the provider registers it.
pub(crate) struct UniversalAuthResource;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct UaState {
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

fn ua_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Identities, action, err)
}

#[tonic::async_trait]
impl Lifecycle for UniversalAuthResource {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = UaState::from_value(planned)?;
        let made = api
            .client_or_error()?
            .identity_auth()
            .attach_universal(&plan.identity_id, &plan.fields())
            .await
            .map_err(|err| {
                ua_error(
                    api,
                    &format!("attach universal auth to the identity {}", plan.identity_id),
                    &err,
                )
            })?;
        Ok(Stored {
            state: plan.answered(&made).to_value(),
            private: Vec::new(),
        })
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
    ) -> Result<ReadOutcome, Diagnostic> {
        let client = match api.client_or_keep(state, private) {
            Ok(client) => client,
            Err(kept) => return Ok(kept),
        };
        let known = UaState::from_value(state)?;
        match client.identity_auth().universal(&known.identity_id).await {
            Ok(ua) => Ok(ReadOutcome::Found(Stored {
                state: known.answered(&ua).to_value(),
                private: Vec::new(),
            })),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(ua_error(
                api,
                &format!(
                    "read the universal auth of the identity {}",
                    known.identity_id
                ),
                &err,
            )),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let plan = UaState::from_value(planned)?;
        let updated = api
            .client_or_error()?
            .identity_auth()
            .update_universal(&plan.identity_id, &plan.fields())
            .await
            .map_err(|err| {
                ua_error(
                    api,
                    &format!(
                        "update the universal auth of the identity {}",
                        plan.identity_id
                    ),
                    &err,
                )
            })?;
        Ok(Stored {
            state: plan.answered(&updated).to_value(),
            private: Vec::new(),
        })
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = UaState::from_value(prior)?;
        match api
            .client_or_error()?
            .identity_auth()
            .detach_universal(&known.identity_id)
            .await
        {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(ua_error(
                api,
                &format!(
                    "detach universal auth from the identity {}",
                    known.identity_id
                ),
                &err,
            )),
        }
    }

    /// Imports by the identity's id (the official provider cannot import it).
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        if id.trim().is_empty() || id.contains('/') {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!("import universal auth by the id of its identity; got {id:?}."),
                path: None,
            });
        }
        let ua = api
            .client_or_error()?
            .identity_auth()
            .universal(id)
            .await
            .map_err(|err| {
                ua_error(
                    api,
                    &format!("import the universal auth of the identity {id:?}"),
                    &err,
                )
            })?;
        let blank = UaState {
            id: Computed::Unknown,
            identity_id: id.to_owned(),
            client_secret_trusted_ips: Vec::new(),
            tokens: TokenSettings {
                ttl: 0,
                max_ttl: 0,
                num_uses_limit: 0,
                trusted_ips: Vec::new(),
            },
            client_id: Computed::Unknown,
        };
        Ok(blank.answered(&ua).to_value())
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
