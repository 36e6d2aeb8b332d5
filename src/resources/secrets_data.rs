//! Data source `infisical_secrets`: a folder's secrets, keyed by name — the official provider's
//! data source of the same name and attributes, read in one request from the current list
//! route (`GET /api/v4/secrets`, references expanded) instead of the deprecated
//! `/api/v3/secrets/raw`, with two attributes of ours (official issue #280): `recursive`, the
//! folders below too, and `include_imports`, what the folder's secret imports bring.
//!
//! Keys. The folder's own secrets are keyed by name, as the official data source keys them, with
//! or without `recursive`. A secret of a folder below is keyed by its path relative to
//! `folder_path` and its name (`api/DB_URL` for `/app/api`'s `DB_URL` under `/app`): the same
//! name in two folders is common, and keys that stay what they were when `recursive` is turned
//! on are what configurations already use. Imported secrets take the folder's keys, with the
//! server's precedence (the folder's own first, then the imports from the last one up, as
//! `getSecretByName` in `secret-v2-bridge-service.ts` looks them up). Two secrets that would
//! still share a key (a legacy name holding `/`) are an error naming both, never one silently
//! dropped.

use std::collections::BTreeMap;

use crate::infisical::{Error, ListSecrets, SecretEntry, SecretList, SecretType};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::{Fields, Model, error_at, missing, settle};
use super::validate;

/// The data source's type name.
const TYPE_NAME: &str = "infisical_secrets";

/// Attribute names (the official provider's, and our two).
mod attr {
    pub(super) const FOLDER_PATH: &str = "folder_path";
    pub(super) const ENV_SLUG: &str = "env_slug";
    pub(super) const WORKSPACE_ID: &str = "workspace_id";
    pub(super) const SECRETS: &str = "secrets";
    pub(super) const VALUE: &str = "value";
    pub(super) const COMMENT: &str = "comment";
    pub(super) const SECRET_TYPE: &str = "secret_type";
    pub(super) const RECURSIVE: &str = "recursive";
    pub(super) const INCLUDE_IMPORTS: &str = "include_imports";
}

/// The data source, as the provider registers it.
pub(crate) struct SecretsData;

/// The data source's schema: the official v0.19.24 attributes, names and types, and ours.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let secret = vec![
        Attribute::string(VALUE)
            .computed()
            .sensitive()
            .description("The value, with `${…}` references replaced by the values they name."),
        Attribute::string(COMMENT)
            .computed()
            .description("The comment (`\"\"` for none)."),
        Attribute::string(SECRET_TYPE)
            .computed()
            .description("`shared` (a machine identity reads only those)."),
    ];
    Schema {
        version: 0,
        description: "Reads the secrets of a folder in one request, keyed by name, with `${…}` \
                      references expanded. The values are stored in the state (as sensitive \
                      values): to read a secret without storing it, use the `infisical_secret` \
                      ephemeral resource.",
        attributes: vec![
            Attribute::string(FOLDER_PATH)
                .required()
                .description("The path of the folder to read, `/` for the root."),
            Attribute::string(ENV_SLUG)
                .required()
                .description("The slug of the environment, e.g. `prod`."),
            Attribute::string(WORKSPACE_ID)
                .optional_computed()
                .description(
                    "The id of the project. Required: this provider logs in as a machine identity, \
                 which names no project (the official provider also took it from service \
                 tokens, which Infisical has deprecated).",
                ),
            Attribute::bool(RECURSIVE).description(
                "Also read every folder below `folder_path`. Their secrets are keyed by their \
                 path relative to `folder_path` and their name (`api/DB_URL` for the `DB_URL` of \
                 `<folder_path>/api`); the folder's own keep their names. Defaults to `false`.",
            ),
            Attribute::bool(INCLUDE_IMPORTS).description(
                "Also read the secrets the folder's secret imports bring, keyed by name. The \
                 folder's own secret wins over an imported one of the same name, and a later \
                 import over an earlier one, as in Infisical. Not with `recursive`: Infisical's \
                 answer does not say which folder an import belongs to. Defaults to `false`.",
            ),
            Attribute::map_nested(SECRETS, secret)
                .computed()
                .description("The secrets, keyed by name (see `recursive` for the folders below)."),
        ],
    }
}

/// The configuration, typed: what to list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listing {
    folder_path: String,
    env_slug: String,
    workspace_id: Option<String>,
    recursive: Option<bool>,
    include_imports: Option<bool>,
}

/// An optional boolean that must be known.
fn flag(fields: &Fields<'_>, name: &str) -> Result<Option<bool>, Diagnostic> {
    match fields.get(name) {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(missing(&fields.path(name), other)),
    }
}

impl Model for Listing {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            folder_path: fields.required(FOLDER_PATH)?,
            env_slug: fields.required(ENV_SLUG)?,
            workspace_id: fields.optional(WORKSPACE_ID)?,
            recursive: flag(&fields, RECURSIVE)?,
            include_imports: flag(&fields, INCLUDE_IMPORTS)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        let flag = |b: Option<bool>| b.map_or(Value::Null, Value::Bool);
        vec![
            (FOLDER_PATH, Value::string(&self.folder_path)),
            (ENV_SLUG, Value::string(&self.env_slug)),
            (
                WORKSPACE_ID,
                Value::opt_string(self.workspace_id.as_deref()),
            ),
            (RECURSIVE, flag(self.recursive)),
            (INCLUDE_IMPORTS, flag(self.include_imports)),
        ]
    }
}

/// A folder path as Infisical compares it: trimmed, a leading `/`, no trailing one (`/` kept).
fn stored_path(path: &str) -> String {
    let trimmed = path.trim().trim_end_matches('/');
    if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

/// The error for a configuration without `workspace_id`.
fn no_project() -> Diagnostic {
    error_at(
        AttrPath::new(attr::WORKSPACE_ID),
        "Missing workspace_id",
        "`workspace_id` is required: this provider logs in as a machine identity, which names no \
         project. Set it to the id of the project to read from.",
    )
}

/// One secret as the map holds it, and where it came from (for a clash's message).
struct Found<'a> {
    entry: &'a SecretEntry,
    from: String,
}

impl Listing {
    fn project(&self) -> Result<&str, Diagnostic> {
        self.workspace_id.as_deref().ok_or_else(no_project)
    }

    /// Where the secrets are, in words, for messages.
    fn place(&self) -> String {
        format!(
            "folder {:?} of environment {:?} in project {:?}",
            self.folder_path,
            self.env_slug,
            self.workspace_id.as_deref().unwrap_or_default()
        )
    }

    /// The diagnostic for a failed list: a folder or environment that does not exist (404
    /// `SecretPathNotFound`) says where it was looked for, at `folder_path`.
    fn error(&self, api: &Configured, err: &Error) -> Diagnostic {
        match err.api() {
            Some(answer)
                if err.is_not_found()
                    && answer.from_infisical
                    && (answer.error.as_deref() == Some("SecretPathNotFound")
                        || answer.message.starts_with("Folder")) =>
            {
                let request = err
                    .request_id()
                    .map(|id| format!(" (Infisical request id: {id})"))
                    .unwrap_or_default();
                error_at(
                    AttrPath::new(attr::FOLDER_PATH),
                    "Folder not found",
                    format!(
                        "Infisical has no {}: the folder, or its environment, does not exist \
                         ({err}{request}). Check `folder_path` and `env_slug`.",
                        self.place()
                    ),
                )
            }
            _ => api.error_in(
                Area::Secrets,
                &format!("list the secrets in {}", self.place()),
                err,
            ),
        }
    }

    /// The key of `entry` (of the folder `root`, or one below it with `recursive`).
    fn key(root: &str, entry: &SecretEntry) -> String {
        let path = entry.secret_path.as_deref().map(stored_path);
        let relative = match path.as_deref() {
            None => "",
            Some(path) if path == root => "",
            Some(path) => {
                let below = if root == "/" {
                    path.strip_prefix('/')
                } else {
                    path.strip_prefix(root).and_then(|p| p.strip_prefix('/'))
                };
                below.unwrap_or(path)
            }
        };
        if relative.is_empty() {
            entry.secret_key.clone()
        } else {
            format!("{relative}/{}", entry.secret_key)
        }
    }

    /// The state: the configuration as given, and the secrets Infisical listed, keyed.
    fn state(&self, list: &SecretList) -> Result<Value, Diagnostic> {
        let root = stored_path(&self.folder_path);
        let mut keyed: BTreeMap<String, Found<'_>> = BTreeMap::new();
        for entry in &list.secrets {
            let key = Self::key(&root, entry);
            let from = entry
                .secret_path
                .clone()
                .unwrap_or_else(|| self.folder_path.clone());
            if let Some(first) = keyed.get(&key) {
                return Err(self.clash(&key, first, entry, &from));
            }
            keyed.insert(key, Found { entry, from });
        }
        // The folder's own secrets win; then the imports from the last one up.
        for import in list.imports.iter().rev() {
            for entry in &import.secrets {
                keyed
                    .entry(entry.secret_key.clone())
                    .or_insert_with(|| Found {
                        entry,
                        from: format!(
                            "{} (imported from environment {:?})",
                            import.secret_path, import.environment
                        ),
                    });
            }
        }
        let mut secrets = BTreeMap::new();
        for (key, found) in keyed {
            secrets.insert(key.clone(), self.secret(&key, &found)?);
        }
        let mut state = self.to_value();
        state.set(attr::SECRETS, Value::Map(secrets));
        Ok(state)
    }

    fn secret(&self, key: &str, found: &Found<'_>) -> Result<Value, Diagnostic> {
        use attr::*;
        let Some(value) = found.entry.value() else {
            return Err(error_at(
                AttrPath::new(SECRETS),
                "Secret value withheld",
                format!(
                    "Infisical listed the secret {key:?} (in {}) without its value: the machine \
                     identity may see it but not read its value. Give the identity's project \
                     role the permission to read secret values there.",
                    found.from
                ),
            ));
        };
        let secret_type = match found.entry.secret_type {
            SecretType::Shared => "shared",
            SecretType::Personal => "personal",
        };
        Ok(Value::object([
            (VALUE, Value::string(value.expose())),
            (COMMENT, Value::string(&found.entry.secret_comment)),
            (SECRET_TYPE, Value::string(secret_type)),
        ]))
    }

    /// Two secrets that answer to one key: an error naming both.
    fn clash(&self, key: &str, first: &Found<'_>, entry: &SecretEntry, from: &str) -> Diagnostic {
        error_at(
            AttrPath::new(attr::SECRETS),
            "Two secrets share a key",
            format!(
                "in {}, the secret {:?} of {:?} and the secret {:?} of {:?} would both be keyed \
                 {key:?} in `secrets`. Rename one of them in Infisical, or read the folders \
                 apart (one data source each, without `recursive`).",
                self.place(),
                first.entry.secret_key,
                first.from,
                entry.secret_key,
                from
            ),
        )
    }
}

#[tonic::async_trait]
impl DataSource<Configured> for SecretsData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        use attr::*;
        validate::not_blank(config.get(FOLDER_PATH), AttrPath::new(FOLDER_PATH), diags);
        validate::not_blank(config.get(ENV_SLUG), AttrPath::new(ENV_SLUG), diags);
        validate::not_blank(config.get(WORKSPACE_ID), AttrPath::new(WORKSPACE_ID), diags);
        if config.get(WORKSPACE_ID).is_null() {
            diags.add(no_project());
        }
        if config.get(RECURSIVE) == &Value::Bool(true)
            && config.get(INCLUDE_IMPORTS) == &Value::Bool(true)
        {
            diags.attr_error(
                AttrPath::new(INCLUDE_IMPORTS),
                "Conflicting include_imports",
                "`include_imports` cannot be set with `recursive = true`: Infisical's answer does \
                 not say which of the folders an import belongs to. Read the folder's imports \
                 with a second data source, without `recursive`.",
            );
        }
    }

    async fn read(
        &self,
        api: &Configured,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        settle(read(api, config).await, diags)
    }
}

async fn read(api: &Configured, config: &Value) -> Result<Value, Diagnostic> {
    let listing = Listing::from_value(config)?;
    let project_id = listing.project()?;
    let client = api.client_or_error()?;
    let list = client
        .secrets()
        .list(&ListSecrets {
            project_id,
            environment: &listing.env_slug,
            secret_path: &listing.folder_path,
            recursive: listing.recursive.unwrap_or(false),
            include_imports: listing.include_imports.unwrap_or(false),
            view_secret_value: true,
            expand_secret_references: true,
        })
        .await
        .map_err(|err| listing.error(api, &err))?;
    listing.state(&list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(folder_path: &str) -> Listing {
        Listing {
            folder_path: folder_path.into(),
            env_slug: "prod".into(),
            workspace_id: Some("p1".into()),
            recursive: Some(true),
            include_imports: None,
        }
    }

    fn entry(key: &str, path: &str, value: &str) -> serde_json::Value {
        serde_json::json!({
            "id": format!("{path}{key}"), "workspace": "p1", "environment": "prod", "version": 1,
            "type": "shared", "secretKey": key, "secretValue": value, "secretPath": path,
            "secretComment": format!("comment of {key}"), "secretValueHidden": false
        })
    }

    fn list(answer: serde_json::Value) -> SecretList {
        serde_json::from_value(answer).unwrap()
    }

    fn config(of: &Listing) -> Value {
        let mut config = schema().null_object();
        for (name, value) in of.attributes() {
            config.set(name, value);
        }
        config
    }

    #[test]
    fn the_configuration_model_and_schema_agree() {
        let of = listing("/app");
        assert_eq!(Listing::from_value(&config(&of)).unwrap(), of);
    }

    #[test]
    fn the_folders_own_secrets_keep_their_names_and_those_below_are_keyed_by_relative_path() {
        let answer = list(serde_json::json!({"secrets": [
            entry("DB_URL", "/app", "postgres://app"),
            entry("DB_URL", "/app/api", "postgres://api"),
            entry("TOKEN", "/app/api/v2", "t2"),
        ]}));
        for folder in ["/app", "/app/", "app"] {
            let state = listing(folder).state(&answer).unwrap();
            let ty = schema().value_type();
            crate::tfplugin::value::to_msgpack(&state, &ty).expect("the state fits the schema");
            let secrets = state.get(attr::SECRETS);
            let keys: Vec<_> = match secrets {
                Value::Map(m) => m.keys().cloned().collect(),
                other => panic!("{other:?}"),
            };
            assert_eq!(keys, ["DB_URL", "api/DB_URL", "api/v2/TOKEN"], "{folder}");
            assert_eq!(
                secrets.get("api/DB_URL"),
                &Value::object([
                    (attr::VALUE, Value::string("postgres://api")),
                    (attr::COMMENT, Value::string("comment of DB_URL")),
                    (attr::SECRET_TYPE, Value::string("shared")),
                ])
            );
            assert_eq!(state.get(attr::FOLDER_PATH), &Value::string(folder));
        }
        // From the root, every folder below is relative to `/`.
        let state = listing("/").state(&answer).unwrap();
        assert_eq!(
            state
                .get(attr::SECRETS)
                .get("app/api/DB_URL")
                .get(attr::VALUE),
            &Value::string("postgres://api")
        );
    }

    #[test]
    fn two_secrets_that_would_share_a_key_are_an_error_naming_both() {
        // A legacy name holding `/` (Infisical refuses new ones) against a folder's secret.
        let answer = list(serde_json::json!({"secrets": [
            entry("api/DB_URL", "/app", "legacy"),
            entry("DB_URL", "/app/api", "postgres://api"),
        ]}));
        let err = listing("/app").state(&answer).unwrap_err();
        assert_eq!(err.summary, "Two secrets share a key");
        assert!(err.detail.contains("\"/app/api\""), "{}", err.detail);
        assert!(err.detail.contains("\"api/DB_URL\""), "{}", err.detail);
        assert!(!err.detail.contains("postgres://api") && !err.detail.contains("legacy"));
    }

    #[test]
    fn imports_fill_in_below_the_folders_own_secrets_the_last_import_first() {
        let answer = list(serde_json::json!({
            "secrets": [entry("A", "/", "own")],
            "imports": [
                {"secretPath": "/shared", "environment": "prod",
                 "secrets": [entry("A", "/shared", "first-import"), entry("B", "/shared", "first-import")]},
                {"secretPath": "/common", "environment": "dev",
                 "secrets": [entry("B", "/common", "last-import"), entry("C", "/common", "last-import")]},
            ]
        }));
        let mut of = listing("/");
        of.recursive = None;
        of.include_imports = Some(true);
        let state = of.state(&answer).unwrap();
        let value = |key: &str| state.get(attr::SECRETS).get(key).get(attr::VALUE).clone();
        assert_eq!(value("A"), Value::string("own"));
        assert_eq!(value("B"), Value::string("last-import"));
        assert_eq!(value("C"), Value::string("last-import"));
    }

    #[test]
    fn a_withheld_value_is_an_error_not_a_placeholder() {
        let mut hidden = entry("A", "/", "<hidden-by-infisical>");
        hidden["secretValueHidden"] = serde_json::json!(true);
        let err = listing("/")
            .state(&list(serde_json::json!({"secrets": [hidden]})))
            .unwrap_err();
        assert_eq!(err.summary, "Secret value withheld");
    }

    #[test]
    fn a_missing_folder_is_an_error_at_folder_path_that_says_where() {
        let err = Error::NotFound(Box::new(crate::infisical::ApiError {
            method: reqwest::Method::GET,
            path: "/api/v4/secrets".into(),
            status: reqwest::StatusCode::NOT_FOUND,
            request_id: Some("req-9".into()),
            error: Some("SecretPathNotFound".into()),
            message: "Folder with path '/app' in environment 'prod' was not found.".into(),
            issues: Vec::new(),
            from_infisical: true,
        }));
        let api = Configured::unknown(AttrPath::new("host"));
        let diag = listing("/app").error(&api, &err);
        assert_eq!(diag.summary, "Folder not found");
        assert_eq!(diag.path, Some(AttrPath::new(attr::FOLDER_PATH)));
        for part in ["\"/app\"", "\"prod\"", "\"p1\"", "req-9"] {
            assert!(diag.detail.contains(part), "{part}: {}", diag.detail);
        }
    }

    fn validated(set: &[(&str, Value)]) -> Vec<Option<AttrPath>> {
        let mut of = config(&listing("/app"));
        of.set(attr::RECURSIVE, Value::Null);
        for (name, value) in set {
            of.set(name, value.clone());
        }
        let mut diags = Diagnostics::new();
        SecretsData.validate(&of, &mut diags);
        diags.iter().map(|d| d.path.clone()).collect()
    }

    #[test]
    fn plan_time_checks_name_their_attribute() {
        assert!(validated(&[]).is_empty());
        assert_eq!(
            validated(&[(attr::WORKSPACE_ID, Value::Null)]),
            [Some(AttrPath::new(attr::WORKSPACE_ID))]
        );
        assert!(validated(&[(attr::WORKSPACE_ID, Value::Unknown)]).is_empty());
        let both = [
            (attr::RECURSIVE, Value::Bool(true)),
            (attr::INCLUDE_IMPORTS, Value::Bool(true)),
        ];
        assert_eq!(
            validated(&both),
            [Some(AttrPath::new(attr::INCLUDE_IMPORTS))]
        );
        assert!(
            validated(&[
                (attr::RECURSIVE, Value::Bool(true)),
                (attr::INCLUDE_IMPORTS, Value::Bool(false))
            ])
            .is_empty()
        );
        assert!(
            validated(&[
                (attr::RECURSIVE, Value::Bool(false)),
                (attr::INCLUDE_IMPORTS, Value::Bool(true))
            ])
            .is_empty()
        );
    }
}
