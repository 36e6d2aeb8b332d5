//! Resource `infisical_identity_universal_auth_client_secret`: a client secret of an identity's
//! universal auth, with the official provider's attributes (schema version 0) plus
//! `rotation_triggers`.
//!
//! Infisical answers the secret once, when it is made, and cannot change one: every input
//! forces a new secret (the official resource plans an in-place update that then fails with
//! unknown values), `rotation_triggers` rotates it on purpose, and a secret that was revoked,
//! has expired or has used up its uses is removed from the state by refresh, so the next apply
//! makes a new one instead of leaving CI with a dead credential.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::infisical::{ClientSecretData, CreateClientSecret};
use crate::secret::Secret;
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::{Type, Value};

use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model, missing};
use super::plain::{Lifecycle, Unfinished};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_identity_universal_auth_client_secret";

/// Attribute names (the official provider's, and `rotation_triggers`).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const IDENTITY_ID: &str = "identity_id";
    pub(super) const DESCRIPTION: &str = "description";
    pub(super) const TTL: &str = "ttl";
    pub(super) const NUM_USES_LIMIT: &str = "number_of_uses_limit";
    pub(super) const CLIENT_ID: &str = "client_id";
    pub(super) const CLIENT_SECRET: &str = "client_secret";
    pub(super) const CREATED_AT: &str = "created_at";
    pub(super) const NUM_USES: &str = "number_of_uses";
    pub(super) const IS_REVOKED: &str = "is_revoked";
    pub(super) const ROTATION_TRIGGERS: &str = "rotation_triggers";
}

/// The resource, as the provider registers it.
pub(crate) struct ClientSecretResource;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct SecretState {
    id: Computed,
    identity_id: String,
    description: Option<String>,
    ttl: i64,
    num_uses_limit: i64,
    client_id: Computed,
    client_secret: Option<Secret>,
    created_at: Computed,
    num_uses: Option<i64>,
    is_revoked: Option<bool>,
    rotation_triggers: Option<BTreeMap<String, String>>,
}

impl Model for SecretState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let number = |name: &str| {
            fields
                .whole(name)?
                .ok_or_else(|| missing(&fields.path(name), &Value::Null))
        };
        let rotation_triggers = match fields.get(ROTATION_TRIGGERS) {
            Value::Null => None,
            Value::Map(entries) => Some(
                entries
                    .iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => Ok((k.clone(), s.clone())),
                        other => Err(missing(&fields.path(ROTATION_TRIGGERS), other)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(missing(&fields.path(ROTATION_TRIGGERS), other)),
        };
        Ok(Self {
            id: fields.computed(ID)?,
            identity_id: fields.required(IDENTITY_ID)?,
            description: fields.optional(DESCRIPTION)?,
            ttl: number(TTL)?,
            num_uses_limit: number(NUM_USES_LIMIT)?,
            client_id: fields.computed(CLIENT_ID)?,
            client_secret: match fields.get(CLIENT_SECRET) {
                Value::Unknown => None,
                _ => fields.secret(CLIENT_SECRET)?,
            },
            created_at: fields.computed(CREATED_AT)?,
            num_uses: match fields.get(NUM_USES) {
                Value::Unknown => None,
                _ => fields.whole(NUM_USES)?,
            },
            is_revoked: match fields.get(IS_REVOKED) {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
            rotation_triggers,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (ID, self.id.to_value()),
            (IDENTITY_ID, Value::string(&self.identity_id)),
            (DESCRIPTION, Value::opt_string(self.description.as_deref())),
            (TTL, Value::int(self.ttl)),
            (NUM_USES_LIMIT, Value::int(self.num_uses_limit)),
            (CLIENT_ID, self.client_id.to_value()),
            (
                CLIENT_SECRET,
                self.client_secret
                    .as_ref()
                    .map_or(Value::Unknown, |s| Value::string(s.expose())),
            ),
            (CREATED_AT, self.created_at.to_value()),
            (NUM_USES, self.num_uses.map_or(Value::Unknown, Value::int)),
            (
                IS_REVOKED,
                self.is_revoked.map_or(Value::Unknown, Value::Bool),
            ),
            (
                ROTATION_TRIGGERS,
                self.rotation_triggers.as_ref().map_or(Value::Null, |m| {
                    Value::Map(
                        m.iter()
                            .map(|(k, v)| (k.clone(), Value::string(v)))
                            .collect(),
                    )
                }),
            ),
        ]
    }
}

impl SecretState {
    fn refreshed(&self, data: &ClientSecretData) -> Self {
        Self {
            num_uses: Some(data.client_secret_num_uses),
            is_revoked: Some(data.is_client_secret_revoked),
            ..self.clone()
        }
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }
}

/// Why a client secret can no longer log in, if it cannot.
fn dead(data: &ClientSecretData, now: OffsetDateTime) -> Option<String> {
    if data.is_client_secret_revoked {
        return Some("it was revoked".to_owned());
    }
    if data.client_secret_num_uses_limit > 0
        && data.client_secret_num_uses >= data.client_secret_num_uses_limit
    {
        return Some(format!(
            "it was used {} times, its limit",
            data.client_secret_num_uses
        ));
    }
    if data.client_secret_ttl > 0
        && let Some(created) = data
            .created_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        && now >= created + time::Duration::seconds(data.client_secret_ttl)
    {
        return Some(format!(
            "its TTL of {} s has passed",
            data.client_secret_ttl
        ));
    }
    None
}

/// The resource's schema: the official v0.19.24 attributes, names and types, and
/// `rotation_triggers`.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A client secret of an identity's universal auth. Infisical shows a client \
                      secret once: it is kept in the state (sensitive), cannot be imported, and \
                      every change makes a new one.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The client secret's id."),
            Attribute::string(IDENTITY_ID)
                .required()
                .requires_replace()
                .description("The id of the identity whose universal auth it belongs to."),
            Attribute::string(DESCRIPTION)
                .requires_replace()
                .description("A description."),
            Attribute::number(TTL)
                .optional_computed()
                .requires_replace()
                .default(Value::int(0))
                .description(
                    "How long the secret may log in, in seconds; 0 (the default): no expiry. \
                     Once it has passed, refresh removes the secret from the state and the next \
                     apply makes a new one.",
                ),
            Attribute::number(NUM_USES_LIMIT)
                .optional_computed()
                .requires_replace()
                .default(Value::int(0))
                .description(
                    "How many logins the secret allows; 0 (the default): no limit. Once used up, \
                     refresh removes it from the state and the next apply makes a new one.",
                ),
            Attribute::string(CLIENT_ID)
                .computed()
                .use_state_for_unknown()
                .description("The client id to log in with, beside the secret."),
            Attribute::string(CLIENT_SECRET)
                .computed()
                .sensitive()
                .use_state_for_unknown()
                .description("The client secret (sensitive, in the state)."),
            Attribute::string(CREATED_AT)
                .computed()
                .use_state_for_unknown()
                .description("When the secret was made."),
            Attribute::number(NUM_USES)
                .computed()
                .use_state_for_unknown()
                .description("How many times the secret logged in, refreshed."),
            Attribute::bool(IS_REVOKED)
                .computed()
                .use_state_for_unknown()
                .description("Whether the secret was revoked."),
            Attribute::map(ROTATION_TRIGGERS, Type::String)
                .requires_replace()
                .description(
                    "Arbitrary values whose change makes a new secret (and revokes the old one), \
                     e.g. `{ rotated = time_rotating.ci.id }` to rotate on a schedule.",
                ),
        ],
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::not_blank(config.get(IDENTITY_ID), AttrPath::new(IDENTITY_ID), diags);
    for name in [TTL, NUM_USES_LIMIT] {
        if let Some(v) = config.get(name).as_int()
            && v < 0
        {
            diags.attr_error(
                AttrPath::new(name),
                "Invalid value",
                format!("{name} {v} must be 0 (none) or more."),
            );
        }
    }
}

fn secret_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Identities, action, err)
}

#[tonic::async_trait]
impl Lifecycle for ClientSecretResource {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = SecretState::from_value(planned)?;
        let client = api.client_or_error()?;
        let action = format!(
            "create a client secret for the identity {}",
            plan.identity_id
        );
        let ua = client
            .identity_auth()
            .universal(&plan.identity_id)
            .await
            .map_err(|err| {
                let mut diag = secret_error(api, &action, &err);
                if err.is_not_found() {
                    diag.detail.push_str(
                        "\n\nAttach universal auth to the identity first \
                         (infisical_identity_universal_auth), and take identity_id from it so \
                         Terraform orders the two.",
                    );
                }
                diag
            })?;
        let made = client
            .identity_auth()
            .create_client_secret(
                &plan.identity_id,
                &CreateClientSecret {
                    description: plan.description.as_deref().unwrap_or(""),
                    num_uses_limit: plan.num_uses_limit,
                    ttl: plan.ttl,
                },
            )
            .await
            .map_err(|err| secret_error(api, &action, &err))?;
        let data = &made.client_secret_data;
        let state = SecretState {
            id: Computed::Known(data.id.clone()),
            client_id: Computed::Known(ua.client_id),
            client_secret: Some(made.client_secret.clone()),
            created_at: data
                .created_at
                .clone()
                .map_or(Computed::Null, Computed::Known),
            num_uses: Some(data.client_secret_num_uses),
            is_revoked: Some(data.is_client_secret_revoked),
            ..plan
        };
        Ok(Stored {
            state: state.to_value(),
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
        let known = SecretState::from_value(state)?;
        let id = known.known_id()?;
        match client
            .identity_auth()
            .client_secret(&known.identity_id, id)
            .await
        {
            Ok(data) => match dead(&data, OffsetDateTime::now_utc()) {
                Some(why) => {
                    tracing::info!(id, why, "client secret cannot log in; a new one is planned");
                    Ok(ReadOutcome::Gone)
                }
                None => Ok(ReadOutcome::Found(Stored {
                    state: known.refreshed(&data).to_value(),
                    private: Vec::new(),
                })),
            },
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(secret_error(
                api,
                &format!("read the client secret {id}"),
                &err,
            )),
        }
    }

    /// Every input forces a new secret: only this provider's view can change in place.
    async fn update(
        &self,
        _api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = SecretState::from_value(prior)?;
        let after = SecretState::from_value(planned)?;
        let state = SecretState {
            num_uses: after.num_uses.or(before.num_uses),
            is_revoked: after.is_revoked.or(before.is_revoked),
            client_secret: after.client_secret.or(before.client_secret),
            ..after
        };
        Ok(Stored {
            state: state.to_value(),
            private: Vec::new(),
        })
    }

    /// Revokes the secret.
    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = SecretState::from_value(prior)?;
        let id = known.known_id()?;
        match api
            .client_or_error()?
            .identity_auth()
            .revoke_client_secret(&known.identity_id, id)
            .await
        {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(secret_error(
                api,
                &format!("revoke the client secret {id}"),
                &err,
            )),
        }
    }

    async fn import(&self, _api: &Configured, _id: &str) -> Result<Value, Diagnostic> {
        Err(Diagnostic {
            severity: Severity::Error,
            summary: "Client secrets cannot be imported".to_owned(),
            detail: "Infisical shows a client secret only when it is made, so an existing one \
                     cannot be brought into the state. Let Terraform make a new one (and revoke \
                     the old one in Infisical when nothing uses it)."
                .to_owned(),
            path: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<SecretState>(&schema());
    }

    #[test]
    fn revoked_used_up_and_expired_secrets_are_dead() {
        let data = |revoked: bool, uses: i64, limit: i64, ttl: i64| ClientSecretData {
            id: "c1".into(),
            created_at: Some("2026-12-06T00:00:00.000Z".into()),
            description: String::new(),
            client_secret_num_uses: uses,
            client_secret_num_uses_limit: limit,
            client_secret_ttl: ttl,
            is_client_secret_revoked: revoked,
        };
        let now = OffsetDateTime::parse("2026-12-06T01:00:00Z", &Rfc3339).unwrap();
        assert_eq!(dead(&data(false, 3, 0, 0), now), None);
        assert!(dead(&data(true, 0, 0, 0), now).is_some());
        assert!(dead(&data(false, 5, 5, 0), now).is_some());
        assert_eq!(dead(&data(false, 4, 5, 7200), now), None);
        assert!(dead(&data(false, 0, 0, 3600), now).is_some());
    }
}
