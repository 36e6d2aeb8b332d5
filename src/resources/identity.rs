//! Resource `infisical_identity`: a machine identity of the organization, with the official
//! provider's attributes (schema version 0), on `/api/v1/identities`.
//!
//! Unlike the official resource, metadata is always refreshed (the official Read refreshes it
//! only when the state already had some, so metadata added in the UI stays invisible), an
//! identity imported without metadata plans no change against a configuration without it, and
//! `auth_modes` is kept across plans instead of being unknown on every change.

use std::collections::BTreeSet;

use crate::infisical::{CreateIdentity, IdentityMetadata, OrgIdentity, UpdateIdentity};
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
const TYPE_NAME: &str = "infisical_identity";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const ORG_ID: &str = "org_id";
    pub(super) const ROLE: &str = "role";
    pub(super) const DELETE_PROTECTION: &str = "has_delete_protection";
    pub(super) const AUTH_MODES: &str = "auth_modes";
    pub(super) const METADATA: &str = "metadata";
    pub(super) const KEY: &str = "key";
    pub(super) const VALUE: &str = "value";
}

/// The resource, as the provider registers it.
pub(crate) struct IdentityResource;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct IdentityState {
    id: Computed,
    name: String,
    org_id: String,
    role: String,
    delete_protection: Option<Option<bool>>,
    auth_modes: Option<Vec<String>>,
    /// `None`: not set (the same as none to Infisical).
    metadata: Option<BTreeSet<(String, String)>>,
}

impl Model for IdentityState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let delete_protection = match fields.get(DELETE_PROTECTION) {
            Value::Unknown => None,
            Value::Null => Some(None),
            Value::Bool(b) => Some(Some(*b)),
            other => return Err(missing(&fields.path(DELETE_PROTECTION), other)),
        };
        let auth_modes = match fields.get(AUTH_MODES) {
            Value::Unknown => None,
            Value::Null => Some(Vec::new()),
            Value::List(items) => Some(
                items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| missing(&fields.path(AUTH_MODES), i))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(missing(&fields.path(AUTH_MODES), other)),
        };
        let metadata = match fields.get(METADATA) {
            Value::Null => None,
            Value::Set(items) | Value::List(items) => Some(
                items
                    .iter()
                    .map(|item| {
                        let entry = Fields::new(item, at);
                        Ok((entry.required(KEY)?, entry.required(VALUE)?))
                    })
                    .collect::<Result<_, Diagnostic>>()?,
            ),
            other => return Err(missing(&fields.path(METADATA), other)),
        };
        Ok(Self {
            id: fields.computed(ID)?,
            name: fields.required(NAME)?,
            org_id: fields.required(ORG_ID)?,
            role: fields.required(ROLE)?,
            delete_protection,
            auth_modes,
            metadata,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (ID, self.id.to_value()),
            (NAME, Value::string(&self.name)),
            (ORG_ID, Value::string(&self.org_id)),
            (ROLE, Value::string(&self.role)),
            (
                DELETE_PROTECTION,
                match self.delete_protection {
                    None => Value::Unknown,
                    Some(None) => Value::Null,
                    Some(Some(b)) => Value::Bool(b),
                },
            ),
            (
                AUTH_MODES,
                self.auth_modes.as_ref().map_or(Value::Unknown, |modes| {
                    Value::List(modes.iter().map(Value::string).collect())
                }),
            ),
            (
                METADATA,
                self.metadata.as_ref().map_or(Value::Null, |entries| {
                    Value::Set(
                        entries
                            .iter()
                            .map(|(k, v)| {
                                Value::object([(KEY, Value::string(k)), (VALUE, Value::string(v))])
                            })
                            .collect(),
                    )
                }),
            ),
        ]
    }
}

fn metadata_of(identity: &OrgIdentity) -> BTreeSet<(String, String)> {
    identity
        .metadata
        .iter()
        .map(|m| (m.key.clone(), m.value.clone()))
        .collect()
}

fn metadata_list(metadata: Option<&BTreeSet<(String, String)>>) -> Vec<IdentityMetadata> {
    metadata
        .map(|entries| {
            entries
                .iter()
                .map(|(key, value)| IdentityMetadata {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl IdentityState {
    /// The state after Infisical answered with `identity`, keeping what means the same: a name
    /// it trimmed, metadata null against none.
    fn answered(&self, identity: &OrgIdentity) -> Self {
        let listed = metadata_of(identity);
        let metadata = if listed == self.metadata.clone().unwrap_or_default() {
            self.metadata.clone()
        } else {
            Some(listed)
        };
        Self {
            id: Computed::Known(identity.identity.id.clone()),
            name: if self.name.trim() == identity.identity.name {
                self.name.clone()
            } else {
                identity.identity.name.clone()
            },
            org_id: identity.org_id.clone(),
            role: identity.role_slug().to_owned(),
            delete_protection: Some(
                identity
                    .identity
                    .has_delete_protection
                    .or(self.delete_protection.flatten())
                    .or(Some(false)),
            ),
            auth_modes: Some(identity.identity.auth_methods.clone()),
            metadata,
        }
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A machine identity of the organization: what CI and services log in as.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The identity's id."),
            Attribute::string(NAME)
                .required()
                .description("The identity's name."),
            Attribute::string(ORG_ID)
                .required()
                .requires_replace()
                .description(
                    "The organization's id, usually \
                     `data.infisical_identity_details.this.organization.id`.",
                ),
            Attribute::string(ROLE).required().description(
                "The identity's organization role: `admin`, `member`, `no-access` or a custom \
                 role's slug. What it may read in a project is its project membership's role \
                 (`infisical_project_identity`).",
            ),
            Attribute::bool(DELETE_PROTECTION)
                .optional_computed()
                .use_state_for_unknown()
                .description("While true, Infisical refuses to delete the identity."),
            Attribute::list(AUTH_MODES, Type::String)
                .computed()
                .use_state_for_unknown()
                .description(
                    "The auth methods attached to the identity (`universal-auth`, `oidc-auth`, \
                     …), refreshed from Infisical.",
                ),
            Attribute::set_nested(
                METADATA,
                vec![
                    Attribute::string(KEY)
                        .required()
                        .description("The entry's key."),
                    Attribute::string(VALUE)
                        .required()
                        .description("The entry's value."),
                ],
            )
            .description(
                "Key-value metadata. Refreshed from Infisical; removing entries (or all of them) \
                 removes them there.",
            ),
        ],
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::not_blank(config.get(NAME), AttrPath::new(NAME), diags);
    validate::not_blank(config.get(ORG_ID), AttrPath::new(ORG_ID), diags);
    validate::not_blank(config.get(ROLE), AttrPath::new(ROLE), diags);
    if let Value::Set(items) = config.get(METADATA) {
        let mut keys = BTreeSet::new();
        for item in items {
            for name in [KEY, VALUE] {
                if let Some(text) = item.get(name).as_str()
                    && text.trim().is_empty()
                {
                    diags.attr_error(
                        AttrPath::new(METADATA),
                        "Empty metadata",
                        format!("a metadata {name} must not be empty (Infisical refuses it)."),
                    );
                }
            }
            if let Some(key) = item.get(KEY).as_str()
                && !keys.insert(key.trim().to_owned())
            {
                diags.attr_error(
                    AttrPath::new(METADATA),
                    "Duplicate metadata key",
                    format!("the metadata key {key:?} is given twice."),
                );
            }
        }
    }
}

fn identity_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Identities, action, err)
}

#[tonic::async_trait]
impl Lifecycle for IdentityResource {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = IdentityState::from_value(planned)?;
        let client = api.client_or_error()?;
        let request = CreateIdentity {
            name: &plan.name,
            organization_id: &plan.org_id,
            role: &plan.role,
            has_delete_protection: plan.delete_protection.flatten(),
            metadata: metadata_list(plan.metadata.as_ref()),
        };
        let action = format!("create the identity {:?}", plan.name);
        let made = client
            .identities()
            .create(&request)
            .await
            .map_err(|err| identity_error(api, &action, &err))?;
        // The create's answer lacks the role and metadata: read the membership.
        let read = client.identities().get(&made.id).await;
        match read {
            Ok(identity) => Ok(Stored {
                state: plan.answered(&identity).to_value(),
                private: Vec::new(),
            }),
            Err(err) => {
                let mut kept = plan.clone();
                kept.id = Computed::Known(made.id.clone());
                kept.auth_modes = Some(made.auth_methods.clone());
                kept.delete_protection = Some(made.has_delete_protection.or(Some(false)));
                Err(Unfinished {
                    error: identity_error(
                        api,
                        &format!("read the new identity {:?} back", plan.name),
                        &err,
                    ),
                    made: Some(Stored {
                        state: kept.to_value(),
                        private: Vec::new(),
                    }),
                })
            }
        }
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
        let known = IdentityState::from_value(state)?;
        let id = known.known_id()?;
        match client.identities().get(id).await {
            Ok(identity) => Ok(ReadOutcome::Found(Stored {
                state: known.answered(&identity).to_value(),
                private: Vec::new(),
            })),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(identity_error(
                api,
                &format!("read the identity {id}"),
                &err,
            )),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = IdentityState::from_value(prior)?;
        let after = IdentityState::from_value(planned)?;
        let id = before.known_id()?;
        let client = api.client_or_error()?;
        let metadata_changed = after.metadata.clone().unwrap_or_default()
            != before.metadata.clone().unwrap_or_default();
        let request = UpdateIdentity {
            name: (after.name != before.name).then_some(after.name.as_str()),
            role: (after.role != before.role).then_some(after.role.as_str()),
            has_delete_protection: after
                .delete_protection
                .flatten()
                .filter(|p| Some(*p) != before.delete_protection.flatten()),
            metadata: metadata_changed.then(|| metadata_list(after.metadata.as_ref())),
        };
        let action = format!("update the identity {id}");
        if request != UpdateIdentity::default() {
            client
                .identities()
                .update(id, &request)
                .await
                .map_err(|err| identity_error(api, &action, &err))?;
        }
        let identity = client
            .identities()
            .get(id)
            .await
            .map_err(|err| identity_error(api, &action, &err))?;
        let mut state = after.answered(&identity);
        // Planned from the prior state; the next refresh brings a change made elsewhere.
        state.auth_modes = after.auth_modes.clone().or(state.auth_modes);
        Ok(Stored {
            state: state.to_value(),
            private: Vec::new(),
        })
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = IdentityState::from_value(prior)?;
        let id = known.known_id()?;
        match api.client_or_error()?.identities().delete(id).await {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => {
                let mut diag = identity_error(api, &format!("delete the identity {id}"), &err);
                if known.delete_protection.flatten() == Some(true) {
                    diag.detail.push_str(
                        "\n\nThe identity has delete protection: set has_delete_protection = \
                         false and apply before destroying it.",
                    );
                }
                Err(diag)
            }
        }
    }

    /// Imports by the identity's id, as the official provider does.
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        if id.trim().is_empty() || id.contains('/') {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!("import an identity by its id; got {id:?}."),
                path: None,
            });
        }
        let identity = api
            .client_or_error()?
            .identities()
            .get(id)
            .await
            .map_err(|err| identity_error(api, &format!("import the identity {id:?}"), &err))?;
        let blank = IdentityState {
            id: Computed::Unknown,
            name: identity.identity.name.clone(),
            org_id: identity.org_id.clone(),
            role: identity.role_slug().to_owned(),
            delete_protection: None,
            auth_modes: None,
            metadata: None,
        };
        Ok(blank.answered(&identity).to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<IdentityState>(&schema());
    }

    #[test]
    fn metadata_null_and_empty_are_the_same_and_ui_metadata_is_read() {
        let identity = |metadata: Vec<IdentityMetadata>| OrgIdentity {
            identity: crate::infisical::IdentityCore {
                id: "i1".into(),
                name: "ci".into(),
                auth_methods: vec![],
                has_delete_protection: Some(false),
            },
            role: "member".into(),
            custom_role: None,
            org_id: "o1".into(),
            metadata,
        };
        let state = IdentityState {
            id: Computed::Known("i1".into()),
            name: "ci".into(),
            org_id: "o1".into(),
            role: "member".into(),
            delete_protection: Some(Some(false)),
            auth_modes: Some(vec![]),
            metadata: None,
        };
        assert_eq!(state.answered(&identity(vec![])).metadata, None);
        let added = state.answered(&identity(vec![IdentityMetadata {
            key: "team".into(),
            value: "x".into(),
        }]));
        assert_eq!(
            added.metadata,
            Some([("team".to_owned(), "x".to_owned())].into())
        );
    }
}
