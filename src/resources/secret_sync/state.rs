//! [`Sync`]: a GitHub secret sync's plan and state, typed, converted to and from Terraform's
//! values here, and to and from Infisical's requests and answers.

use std::collections::BTreeMap;

use crate::infisical::{GitHubDestination, SecretSync, SyncOptions};
use crate::tfplugin::diag::Diagnostic;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::super::model::{self, Computed, Fields, Model, missing};
use super::attr::*;
use super::scope;

/// The resource's plan or state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sync {
    pub(crate) id: Computed,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) project_id: String,
    pub(crate) connection_id: String,
    pub(crate) environment: String,
    pub(crate) secret_path: String,
    /// `auto_sync_enabled`, `sync_options`, `remove_secrets_on_destroy` and `wait_for_sync` have
    /// a value in every plan and state: the schema's default where the configuration (or a
    /// stored state) leaves them null. The provider's own two are null only in a state made
    /// from Infisical's answer alone (import, list), which the framework completes with the
    /// defaults; reading one that is null is an error, never a default.
    pub(crate) auto_sync_enabled: Option<bool>,
    pub(crate) destination: Destination,
    pub(crate) options: Option<Options>,
    pub(crate) remove_secrets_on_destroy: Option<bool>,
    pub(crate) wait_for_sync: Option<bool>,
    pub(crate) sync_status: Computed,
    pub(crate) last_sync_message: Computed,
    pub(crate) last_synced_at: Computed,
    /// The values whose change runs the sync again; the provider's own, never sent.
    pub(crate) resync_triggers: Option<BTreeMap<String, String>>,
    /// The `timeouts` block as configured, read with `tfplugin::timeouts::get`; the provider's
    /// own, never sent.
    pub(crate) timeouts: Value,
}

/// `destination_config`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Destination {
    pub(crate) scope: String,
    pub(crate) repository_owner: Option<String>,
    pub(crate) repository_name: Option<String>,
    pub(crate) repository_environment: Option<String>,
    pub(crate) visibility: Option<String>,
    pub(crate) selected_repository_ids: Option<Vec<i64>>,
}

/// `sync_options`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    pub(crate) initial_sync_behavior: Option<String>,
    pub(crate) disable_secret_deletion: Option<bool>,
    pub(crate) key_schema: Option<String>,
}

/// A boolean that may be null, but must be known.
fn boolean(fields: &Fields<'_>, name: &str) -> Result<Option<bool>, Diagnostic> {
    match fields.get(name) {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(missing(&fields.path(name), other)),
    }
}

/// A list of whole numbers that may be null, but must be known.
fn numbers(fields: &Fields<'_>, name: &str) -> Result<Option<Vec<i64>>, Diagnostic> {
    match fields.get(name) {
        Value::Null => Ok(None),
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_int()
                    .ok_or_else(|| missing(&fields.path(name).index(i), v))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(missing(&fields.path(name), other)),
    }
}

/// A map of strings that may be null, but must be known.
fn strings(
    fields: &Fields<'_>,
    name: &str,
) -> Result<Option<BTreeMap<String, String>>, Diagnostic> {
    match fields.get(name) {
        Value::Null => Ok(None),
        Value::Map(items) => items
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|s| (k.clone(), s.to_owned()))
                    .ok_or_else(|| missing(&fields.path(name).key(k), v))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Some),
        other => Err(missing(&fields.path(name), other)),
    }
}

/// A top-level setting that every plan and state has (see [`Sync::auto_sync_enabled`]).
fn setting(value: Option<bool>, name: &str) -> Result<bool, Diagnostic> {
    value.ok_or_else(|| missing(&AttrPath::new(name), &Value::Null))
}

fn opt_bool(value: Option<bool>) -> Value {
    value.map_or(Value::Null, Value::Bool)
}

impl Model for Destination {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        Ok(Self {
            scope: fields.required(SCOPE)?,
            repository_owner: fields.optional(REPOSITORY_OWNER)?,
            repository_name: fields.optional(REPOSITORY_NAME)?,
            repository_environment: fields.optional(REPOSITORY_ENVIRONMENT)?,
            visibility: fields.optional(VISIBILITY)?,
            selected_repository_ids: numbers(&fields, SELECTED_REPOSITORY_IDS)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (SCOPE, Value::string(&self.scope)),
            (
                REPOSITORY_OWNER,
                Value::opt_string(self.repository_owner.as_deref()),
            ),
            (
                REPOSITORY_NAME,
                Value::opt_string(self.repository_name.as_deref()),
            ),
            (
                REPOSITORY_ENVIRONMENT,
                Value::opt_string(self.repository_environment.as_deref()),
            ),
            (VISIBILITY, Value::opt_string(self.visibility.as_deref())),
            (
                SELECTED_REPOSITORY_IDS,
                self.selected_repository_ids
                    .as_ref()
                    .map_or(Value::Null, |ids| {
                        Value::List(ids.iter().map(|i| Value::int(*i)).collect())
                    }),
            ),
        ]
    }
}

impl Model for Options {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        Ok(Self {
            initial_sync_behavior: fields.optional(INITIAL_SYNC_BEHAVIOR)?,
            disable_secret_deletion: boolean(&fields, DISABLE_SECRET_DELETION)?,
            key_schema: fields.optional(KEY_SCHEMA)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (
                INITIAL_SYNC_BEHAVIOR,
                Value::opt_string(self.initial_sync_behavior.as_deref()),
            ),
            (
                DISABLE_SECRET_DELETION,
                opt_bool(self.disable_secret_deletion),
            ),
            (KEY_SCHEMA, Value::opt_string(self.key_schema.as_deref())),
        ]
    }
}

impl Model for Sync {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        let destination = fields
            .object::<Destination>(DESTINATION_CONFIG)?
            .ok_or_else(|| missing(&fields.path(DESTINATION_CONFIG), &Value::Null))?;
        Ok(Self {
            id: fields.computed(ID)?,
            name: fields.required(NAME)?,
            description: fields.optional(DESCRIPTION)?,
            project_id: fields.required(PROJECT_ID)?,
            connection_id: fields.required(CONNECTION_ID)?,
            environment: fields.required(ENVIRONMENT)?,
            secret_path: fields.required(SECRET_PATH)?,
            auto_sync_enabled: boolean(&fields, AUTO_SYNC_ENABLED)?,
            destination,
            options: fields.object(SYNC_OPTIONS)?,
            remove_secrets_on_destroy: boolean(&fields, REMOVE_SECRETS_ON_DESTROY)?,
            wait_for_sync: boolean(&fields, WAIT_FOR_SYNC)?,
            sync_status: fields.computed(SYNC_STATUS)?,
            last_sync_message: fields.computed(LAST_SYNC_MESSAGE)?,
            last_synced_at: fields.computed(LAST_SYNCED_AT)?,
            resync_triggers: strings(&fields, RESYNC_TRIGGERS)?,
            timeouts: fields.get(TIMEOUTS).clone(),
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (ID, self.id.to_value()),
            (NAME, Value::string(&self.name)),
            (DESCRIPTION, Value::opt_string(self.description.as_deref())),
            (PROJECT_ID, Value::string(&self.project_id)),
            (CONNECTION_ID, Value::string(&self.connection_id)),
            (ENVIRONMENT, Value::string(&self.environment)),
            (SECRET_PATH, Value::string(&self.secret_path)),
            (AUTO_SYNC_ENABLED, opt_bool(self.auto_sync_enabled)),
            (DESTINATION_CONFIG, self.destination.to_value()),
            (
                SYNC_OPTIONS,
                self.options.as_ref().map_or(Value::Null, Model::to_value),
            ),
            (
                REMOVE_SECRETS_ON_DESTROY,
                opt_bool(self.remove_secrets_on_destroy),
            ),
            (WAIT_FOR_SYNC, opt_bool(self.wait_for_sync)),
            (SYNC_STATUS, self.sync_status.to_value()),
            (LAST_SYNC_MESSAGE, self.last_sync_message.to_value()),
            (LAST_SYNCED_AT, self.last_synced_at.to_value()),
            (
                RESYNC_TRIGGERS,
                self.resync_triggers.as_ref().map_or(Value::Null, |m| {
                    Value::Map(
                        m.iter()
                            .map(|(k, v)| (k.clone(), Value::string(v)))
                            .collect(),
                    )
                }),
            ),
            (TIMEOUTS, self.timeouts.clone()),
        ]
    }
}

impl Destination {
    /// The destination as the API takes it; `None` when incomplete (validation said why).
    pub(crate) fn request(&self) -> Option<GitHubDestination> {
        let owner = self.repository_owner.clone()?;
        Some(match self.scope.as_str() {
            scope::ORGANIZATION => {
                let visibility = self.visibility.clone()?;
                let selected = (visibility == super::VISIBILITY_SELECTED)
                    .then(|| {
                        self.selected_repository_ids
                            .as_ref()
                            .map(|ids| ids.iter().filter_map(|i| u64::try_from(*i).ok()).collect())
                    })
                    .flatten();
                GitHubDestination::Organization {
                    org: owner,
                    visibility,
                    selected_repository_ids: selected,
                }
            }
            scope::REPOSITORY => GitHubDestination::Repository {
                owner,
                repo: self.repository_name.clone()?,
            },
            scope::REPOSITORY_ENVIRONMENT => GitHubDestination::RepositoryEnvironment {
                owner,
                repo: self.repository_name.clone()?,
                env: self.repository_environment.clone()?,
            },
            _ => return None,
        })
    }

    /// The attribute form of what Infisical returns.
    pub(crate) fn from_api(api: &GitHubDestination) -> Self {
        match api {
            GitHubDestination::Organization {
                org,
                visibility,
                selected_repository_ids,
            } => Self {
                scope: scope::ORGANIZATION.to_owned(),
                repository_owner: Some(org.clone()),
                repository_name: None,
                repository_environment: None,
                visibility: Some(visibility.clone()),
                selected_repository_ids: selected_repository_ids
                    .as_ref()
                    .filter(|ids| !ids.is_empty())
                    .map(|ids| ids.iter().filter_map(|i| i64::try_from(*i).ok()).collect()),
            },
            GitHubDestination::Repository { owner, repo } => Self {
                scope: scope::REPOSITORY.to_owned(),
                repository_owner: Some(owner.clone()),
                repository_name: Some(repo.clone()),
                repository_environment: None,
                visibility: None,
                selected_repository_ids: None,
            },
            GitHubDestination::RepositoryEnvironment { owner, repo, env } => Self {
                scope: scope::REPOSITORY_ENVIRONMENT.to_owned(),
                repository_owner: Some(owner.clone()),
                repository_name: Some(repo.clone()),
                repository_environment: Some(env.clone()),
                visibility: None,
                selected_repository_ids: None,
            },
        }
    }
}

impl Options {
    /// The defaults: what an unset `sync_options` means (the schema's defaults).
    #[cfg(test)]
    pub(crate) fn defaults() -> Self {
        Self {
            initial_sync_behavior: Some(super::DEFAULT_INITIAL_SYNC.to_owned()),
            disable_secret_deletion: Some(false),
            key_schema: None,
        }
    }

    /// The options as the API takes them. The plan and the state have a value for each
    /// defaulted option (the schema's default fills it in); a missing one is an error.
    pub(crate) fn request(&self) -> Result<SyncOptions, Diagnostic> {
        let path = AttrPath::new(SYNC_OPTIONS);
        Ok(SyncOptions {
            initial_sync_behavior: self
                .initial_sync_behavior
                .clone()
                .ok_or_else(|| missing(&path.attr(INITIAL_SYNC_BEHAVIOR), &Value::Null))?,
            disable_secret_deletion: Some(
                self.disable_secret_deletion
                    .ok_or_else(|| missing(&path.attr(DISABLE_SECRET_DELETION), &Value::Null))?,
            ),
            key_schema: self.key_schema.clone().filter(|k| !k.is_empty()),
        })
    }

    /// The attribute form of what Infisical returns.
    pub(crate) fn from_api(api: &SyncOptions) -> Self {
        Self {
            initial_sync_behavior: Some(api.initial_sync_behavior.clone()),
            disable_secret_deletion: Some(api.disable_secret_deletion.unwrap_or(false)),
            key_schema: api.key_schema.clone().filter(|k| !k.is_empty()),
        }
    }
}

impl Sync {
    /// The id, which a created sync has; an error when it is missing.
    pub(crate) fn known_id(&self) -> Result<String, Diagnostic> {
        self.id
            .known()
            .map(str::to_owned)
            .ok_or_else(|| model::missing(&AttrPath::new(ID), &self.id.to_value()))
    }

    /// The options as the API takes them.
    pub(crate) fn options(&self) -> Result<SyncOptions, Diagnostic> {
        self.options
            .as_ref()
            .ok_or_else(|| missing(&AttrPath::new(SYNC_OPTIONS), &Value::Null))?
            .request()
    }

    /// Whether a source change (and a create or update) queues a sync.
    pub(crate) fn auto_sync(&self) -> Result<bool, Diagnostic> {
        setting(self.auto_sync_enabled, AUTO_SYNC_ENABLED)
    }

    /// Whether apply waits for a queued sync's outcome.
    pub(crate) fn waits(&self) -> Result<bool, Diagnostic> {
        setting(self.wait_for_sync, WAIT_FOR_SYNC)
    }

    /// Whether destroy removes the synced secrets from GitHub first.
    pub(crate) fn removes_on_destroy(&self) -> Result<bool, Diagnostic> {
        setting(self.remove_secrets_on_destroy, REMOVE_SECRETS_ON_DESTROY)
    }

    /// Takes the status Infisical reports.
    pub(crate) fn take_status(&mut self, sync: &SecretSync) {
        let known = |v: Option<&str>| v.map_or(Computed::Null, |v| Computed::Known(v.to_owned()));
        self.sync_status = known(sync.sync_status.map(|s| s.as_str()));
        self.last_sync_message = known(sync.last_sync_message.as_deref());
        self.last_synced_at = known(sync.last_synced_at.as_deref());
    }

    /// A state from what the API returns (import, list), with the provider's own settings null:
    /// Infisical does not know them, and the framework fills in their defaults.
    pub(crate) fn from_api(sync: &SecretSync) -> Self {
        let mut state = Self {
            id: Computed::Known(sync.id.clone()),
            name: sync.name.clone(),
            description: sync.description.clone().filter(|d| !d.is_empty()),
            project_id: sync.project_id.clone(),
            connection_id: sync.connection_id.clone(),
            environment: sync
                .environment
                .as_ref()
                .map(|e| e.slug.clone())
                .unwrap_or_default(),
            secret_path: sync
                .folder
                .as_ref()
                .map(|f| f.path.clone())
                .unwrap_or_default(),
            auto_sync_enabled: Some(sync.is_auto_sync_enabled),
            destination: Destination::from_api(&sync.destination_config),
            options: Some(Options::from_api(&sync.sync_options)),
            remove_secrets_on_destroy: None,
            wait_for_sync: None,
            sync_status: Computed::Null,
            last_sync_message: Computed::Null,
            last_synced_at: Computed::Null,
            resync_triggers: None,
            timeouts: Value::Null,
        };
        state.take_status(sync);
        state
    }
}
