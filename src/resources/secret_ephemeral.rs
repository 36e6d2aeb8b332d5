//! Ephemeral resource `infisical_secret`: one secret's value read for a run (Terraform ≥ 1.10,
//! OpenTofu ≥ 1.11), never written into a plan or a state — the official provider's ephemeral
//! resource of the same name and attributes, read from the current route
//! (`GET /api/v4/secrets/:name`) instead of the deprecated `/api/v3/secrets/raw/:name`.
//!
//! Unlike the official one, it expands `${…}` references, as the `infisical_secrets` data source
//! does (the official ephemeral resource passes nothing, so Infisical's default, no expansion,
//! hands back `${env.KEY}` literally): a value read to be used is the value it stands for. It
//! needs nothing closed: a read holds no lease.

use crate::infisical::{Error, ReadSecret, SecretEntry, SecretLocation};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::{EphemeralResource, Opened};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::{Type, Value};

use super::configured::Configured;
use super::errors::Area;
use super::model::{Fields, Model, error_at, settle};
use super::validate;

/// The ephemeral resource's type name.
const TYPE_NAME: &str = "infisical_secret";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const NAME: &str = "name";
    pub(super) const ENV_SLUG: &str = "env_slug";
    pub(super) const FOLDER_PATH: &str = "folder_path";
    pub(super) const WORKSPACE_ID: &str = "workspace_id";
    pub(super) const VALUE: &str = "value";
    pub(super) const METADATA: &str = "metadata";
    pub(super) const VERSION: &str = "version";
}

/// The ephemeral resource, as the provider registers it.
pub(crate) struct SecretEphemeral;

/// The ephemeral resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "Reads one secret for the length of a Terraform run, without storing it: its \
                      value is never written into a plan or a state (Terraform 1.10 or later, \
                      OpenTofu 1.11 or later). Use it where an ephemeral value is accepted — a \
                      provider block, a write-only attribute, an ephemeral output or local. \
                      `${…}` references in the value are expanded, as the `infisical_secrets` \
                      data source expands them.",
        attributes: vec![
            Attribute::string(NAME)
                .required()
                .description("The secret's name (its key), as Infisical spells it."),
            Attribute::string(ENV_SLUG)
                .required()
                .description("The slug of the environment the secret is in, e.g. `prod`."),
            Attribute::string(FOLDER_PATH)
                .required()
                .description("The path of the folder the secret is in, `/` for the root."),
            Attribute::string(WORKSPACE_ID)
                .required()
                .description("The id of the project the secret is in."),
            Attribute::string(VALUE).computed().sensitive().description(
                "The secret's value, with `${…}` references replaced by the values they name.",
            ),
            Attribute::map(METADATA, Type::String)
                .computed()
                .description("The secret's metadata, key to value."),
            Attribute::number(VERSION)
                .computed()
                .description("The secret's version: Infisical bumps it on every change."),
        ],
    }
}

/// The configuration, typed: which secret to read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    name: String,
    env_slug: String,
    folder_path: String,
    workspace_id: String,
}

impl Model for Wanted {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            name: fields.required(NAME)?,
            env_slug: fields.required(ENV_SLUG)?,
            folder_path: fields.required(FOLDER_PATH)?,
            workspace_id: fields.required(WORKSPACE_ID)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (NAME, Value::string(&self.name)),
            (ENV_SLUG, Value::string(&self.env_slug)),
            (FOLDER_PATH, Value::string(&self.folder_path)),
            (WORKSPACE_ID, Value::string(&self.workspace_id)),
        ]
    }
}

impl Wanted {
    fn location(&self) -> SecretLocation<'_> {
        SecretLocation {
            project_id: &self.workspace_id,
            environment: &self.env_slug,
            secret_path: &self.folder_path,
        }
    }

    /// Where the secret is, in words, for messages.
    fn place(&self) -> String {
        format!(
            "folder {:?} of environment {:?} in project {:?}",
            self.folder_path, self.env_slug, self.workspace_id
        )
    }

    /// The result: the configuration's values as given, and what Infisical answered.
    fn result(&self, entry: &SecretEntry) -> Result<Value, Diagnostic> {
        use attr::*;
        let Some(value) = entry.value() else {
            return Err(error_at(
                AttrPath::new(NAME),
                "Secret value withheld",
                format!(
                    "Infisical answered the secret {:?} in {} without its value: the machine \
                     identity may see the secret but not read its value. Give the identity's \
                     project role the permission to read secret values there.",
                    self.name,
                    self.place()
                ),
            ));
        };
        let metadata = entry
            .secret_metadata
            .iter()
            .map(|m| (m.key.clone(), Value::string(&m.value)))
            .collect();
        let mut result = self.to_value();
        result.set(VALUE, Value::string(value.expose()));
        result.set(METADATA, Value::Map(metadata));
        result.set(
            VERSION,
            i64::try_from(entry.version).map_or(Value::Null, Value::int),
        );
        Ok(result)
    }

    /// The diagnostic for a failed read: a missing secret or folder names where it was looked
    /// for, at the attribute to check.
    fn error(&self, api: &Configured, err: &Error) -> Diagnostic {
        use attr::*;
        let request = err
            .request_id()
            .map(|id| format!(" (Infisical request id: {id})"))
            .unwrap_or_default();
        match err.api() {
            Some(answer) if err.is_not_found() && answer.from_infisical => {
                let (path, summary, what) = if answer.message.starts_with("Folder") {
                    (
                        FOLDER_PATH,
                        "Folder not found",
                        format!(
                            "Infisical has no {}: the folder, or its environment, does not exist",
                            self.place()
                        ),
                    )
                } else {
                    (
                        NAME,
                        "Secret not found",
                        format!(
                            "Infisical has no secret {:?} in {}",
                            self.name,
                            self.place()
                        ),
                    )
                };
                error_at(
                    AttrPath::new(path),
                    summary,
                    format!(
                        "{what} ({err}{request}). Check `name` (names are case-sensitive), \
                         `folder_path`, `env_slug` and `workspace_id`, and that the machine \
                         identity may read secrets there."
                    ),
                )
            }
            _ => api.error_in(
                Area::Secrets,
                &format!("read the secret {:?} in {}", self.name, self.place()),
                err,
            ),
        }
    }
}

#[tonic::async_trait]
impl EphemeralResource<Configured> for SecretEphemeral {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        use attr::*;
        for name in [NAME, ENV_SLUG, FOLDER_PATH, WORKSPACE_ID] {
            validate::not_blank(config.get(name), AttrPath::new(name), diags);
        }
    }

    async fn open(
        &self,
        api: &Configured,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Opened> {
        settle(open(api, config).await, diags)
    }
}

async fn open(api: &Configured, config: &Value) -> Result<Opened, Diagnostic> {
    let wanted = Wanted::from_value(config)?;
    let client = api.client_or_error()?;
    let entry = client
        .secrets()
        .get(&ReadSecret {
            name: &wanted.name,
            at: wanted.location(),
            view_secret_value: true,
            expand_secret_references: true,
        })
        .await
        .map_err(|err| wanted.error(api, &err))?;
    Ok(Opened {
        result: wanted.result(&entry)?,
        renew_at: None,
        private: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::ApiError;

    fn wanted() -> Wanted {
        Wanted {
            name: "DB_PASSWORD".into(),
            env_slug: "prod".into(),
            folder_path: "/app".into(),
            workspace_id: "p1".into(),
        }
    }

    fn entry(hidden: bool) -> SecretEntry {
        serde_json::from_value(serde_json::json!({
            "id": "s1", "workspace": "p1", "environment": "prod", "version": 4,
            "type": "shared", "secretKey": "DB_PASSWORD", "secretValue": "hunter2",
            "secretValueHidden": hidden, "secretPath": "/app",
            "secretMetadata": [{"key": "owner", "value": "ops"}]
        }))
        .unwrap()
    }

    #[test]
    fn the_configuration_model_and_schema_agree_on_the_inputs() {
        let mut config = schema().null_object();
        for (name, value) in wanted().attributes() {
            config.set(name, value);
        }
        assert_eq!(Wanted::from_value(&config).unwrap(), wanted());
    }

    #[test]
    fn the_result_keeps_the_configuration_and_carries_value_metadata_and_version() {
        let result = wanted().result(&entry(false)).unwrap();
        let ty = schema().value_type();
        crate::tfplugin::value::to_msgpack(&result, &ty).expect("the result fits the schema");
        let mut config = schema().null_object();
        for (name, value) in wanted().attributes() {
            config.set(name, value);
        }
        let mut diags = Diagnostics::new();
        crate::tfplugin::framework::check_opened(&schema(), &config, &result, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(result.get(attr::VALUE), &Value::string("hunter2"));
        assert_eq!(
            result.get(attr::METADATA),
            &Value::object([("owner", Value::string("ops"))])
        );
        assert_eq!(result.get(attr::VERSION), &Value::int(4));
        assert_eq!(result.get(attr::FOLDER_PATH), &Value::string("/app"));
    }

    #[test]
    fn a_withheld_value_is_an_error_at_the_name_that_shows_no_value() {
        let err = wanted().result(&entry(true)).unwrap_err();
        assert_eq!(err.summary, "Secret value withheld");
        assert_eq!(err.path, Some(AttrPath::new(attr::NAME)));
        assert!(!err.detail.contains("hunter2"));
    }

    fn not_found(message: &str) -> Error {
        Error::NotFound(Box::new(ApiError {
            method: reqwest::Method::GET,
            path: "/api/v4/secrets/DB_PASSWORD".into(),
            status: reqwest::StatusCode::NOT_FOUND,
            request_id: Some("req-1".into()),
            error: Some("NotFound".into()),
            message: message.into(),
            issues: Vec::new(),
            from_infisical: true,
        }))
    }

    #[test]
    fn a_missing_secret_or_folder_says_where_it_was_looked_for_at_its_attribute() {
        let api = Configured::unknown(AttrPath::new("host"));
        let missing = wanted().error(&api, &not_found("Secret with name 'DB_PASSWORD' not found"));
        assert_eq!(missing.summary, "Secret not found");
        assert_eq!(missing.path, Some(AttrPath::new(attr::NAME)));
        for part in ["\"DB_PASSWORD\"", "\"/app\"", "\"prod\"", "\"p1\"", "req-1"] {
            assert!(missing.detail.contains(part), "{part}: {}", missing.detail);
        }
        let folder = wanted().error(
            &api,
            &not_found("Folder with path '/app' in environment with slug 'prod' not found"),
        );
        assert_eq!(folder.summary, "Folder not found");
        assert_eq!(folder.path, Some(AttrPath::new(attr::FOLDER_PATH)));
    }

    #[test]
    fn blank_inputs_are_refused_at_plan_and_unknown_ones_are_not() {
        let check = |name: &str, value: Value| {
            let mut config = schema().null_object();
            for (attribute, v) in wanted().attributes() {
                config.set(attribute, v);
            }
            config.set(name, value);
            let mut diags = Diagnostics::new();
            SecretEphemeral.validate(&config, &mut diags);
            diags.iter().map(|d| d.path.clone()).collect::<Vec<_>>()
        };
        assert!(check(attr::NAME, Value::Unknown).is_empty());
        assert_eq!(
            check(attr::ENV_SLUG, Value::string(" ")),
            [Some(AttrPath::new(attr::ENV_SLUG))]
        );
    }
}
