//! GitHub secret syncs' request schemas under `/api/v1/secret-syncs/github` (zod rules and
//! messages of Infisical's `secret-sync-schemas.ts` and `github-sync-schemas.ts`), the typed
//! inputs they give the service, and the server's words the service and the jobs answer with.

use std::sync::LazyLock;

use serde_json::Value;

use super::{Input, text, validated};
use crate::error::ApiError;
use crate::zod::{
    Schema, array, custom_issue, description_schema, literal, optional, refine, string,
    with_default,
};

/// The destination's URL segment and `destination` value.
pub(crate) const DESTINATION: &str = "github";
/// The one `initialSyncBehavior` a destination that cannot import accepts.
const OVERWRITE: &str = "overwrite-destination";
/// The key schema's refinement message.
const KEY_SCHEMA_MESSAGE: &str = "Key schema must include exactly one {{secretKey}} placeholder. It can also include {{environment}} placeholders. Only alphanumeric characters (a-z, A-Z, 0-9), dashes (-), underscores (_), and slashes (/) are allowed besides the placeholders.";
/// The 400 of the trigger routes and of `DELETE ?removeSecrets=true` for a sync whose folder is
/// gone (`triggerSecretSyncSyncSecretsById`, `deleteSecretSync` in `secret-sync-service.ts`).
pub(crate) const FOLDER_GONE_ACTION: &str = "Invalid source configuration: folder no longer exists. Please configure a valid source and try again.";
/// The message of the `SecretSyncError` a job throws for a sync whose folder is gone
/// (`$getInfisicalSecrets` in `secret-sync-queue.ts`).
pub(crate) const FOLDER_GONE_JOB: &str = "Invalid Secret Sync source configuration: folder no longer exists. Please update source environment and secret path.";
/// The 400 of a sync whose job holds the lock.
pub(crate) const LOCKED: &str =
    "A job for this sync is already in progress. Please try again shortly.";
/// What `$handleAcquireLockFailure` writes for a remove job that met the lock, or a sync job
/// requeued past the limit.
pub(crate) const LOCK_FAILED: &str = "Failed to run job. This typically happens when a sync is already in progress. Please try again.";

// ----- schemas -----

fn name_schema() -> Schema {
    string()
        .trim()
        .min(1, "name field must be at least 1 lowercase character")
        .max(256, "name field must be at most 256 lowercase characters")
        .slug("name field can only contain lowercase letters, numbers, and hyphens")
        .into()
}

fn environment_schema() -> Schema {
    string()
        .trim()
        .min(
            1,
            "environment field must be at least 1 lowercase character",
        )
        .max(
            64,
            "environment field must be at most 64 lowercase characters",
        )
        .slug("environment field can only contain lowercase letters, numbers, and hyphens")
        .into()
}

/// `^([a-zA-Z0-9_\-/]|{{secretKey}}|{{environment}})*$` and at least one `{{secretKey}}`; the
/// empty schema passes (the newest RE2 version does not check "exactly one").
pub(crate) fn key_schema_is_valid(schema: &str) -> bool {
    if schema.is_empty() {
        return true;
    }
    if !schema.contains("{{secretKey}}") {
        return false;
    }
    let rest = schema
        .replace("{{secretKey}}", "")
        .replace("{{environment}}", "");
    rest.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/'))
}

fn check_key_schema(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let valid = value.as_str().is_none_or(key_schema_is_valid);
    if !valid {
        issues.push(custom_issue(path, KEY_SCHEMA_MESSAGE));
    }
    !valid
}

fn sync_options_schema() -> Schema {
    Schema::Object(vec![
        ("initialSyncBehavior", literal(OVERWRITE)),
        (
            "keySchema",
            optional(refine(
                string()
                    .trim()
                    .max(255, "String must contain at most 255 character(s)"),
                check_key_schema,
            )),
        ),
        ("disableSecretDeletion", optional(Schema::Bool)),
    ])
}

/// The organization scope's superRefine on `selectedRepositoryIds`.
fn check_visibility(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    if value.get("scope").and_then(Value::as_str) != Some("organization") {
        return false;
    }
    let selected = value
        .get("selectedRepositoryIds")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut at = path.to_vec();
    at.push(Value::from("selectedRepositoryIds"));
    let message = match value.get("visibility").and_then(Value::as_str) {
        Some("selected") if selected == 0 => "Select at least 1 repository",
        Some(visibility) if visibility != "selected" && selected > 0 => {
            "Selected repositories is only supported for visibility \"Selected\""
        }
        _ => return false,
    };
    issues.push(custom_issue(&at, message));
    true
}

fn destination_config_schema() -> Schema {
    let owner = || -> Schema { string().min(1, "Repository owner name required").into() };
    let repo = || -> Schema { string().min(1, "Repository name required").into() };
    refine(
        Schema::Discriminated {
            key: "scope",
            options: vec![
                (
                    "organization",
                    Schema::Object(vec![
                        ("scope", literal("organization")),
                        ("org", string().min(1, "Organization name required").into()),
                        ("visibility", Schema::Enum(&["all", "private", "selected"])),
                        ("selectedRepositoryIds", optional(array(Schema::Number))),
                    ]),
                ),
                (
                    "repository",
                    Schema::Object(vec![
                        ("scope", literal("repository")),
                        ("owner", owner()),
                        ("repo", repo()),
                    ]),
                ),
                (
                    "repository-environment",
                    Schema::Object(vec![
                        ("scope", literal("repository-environment")),
                        ("owner", owner()),
                        ("repo", repo()),
                        ("env", string().min(1, "Environment name required").into()),
                    ]),
                ),
            ],
        },
        check_visibility,
    )
}

/// `CreateGitHubSyncSchema`.
static CREATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", name_schema()),
        (
            "projectId",
            string()
                .trim()
                .min(1, "String must contain at least 1 character(s)")
                .into(),
        ),
        ("description", description_schema()),
        ("connectionId", string().uuid().into()),
        ("environment", environment_schema()),
        (
            "secretPath",
            string().trim().min(1, "Secret path required").into(),
        ),
        ("isAutoSyncEnabled", with_default(Schema::Bool, true)),
        ("syncOptions", sync_options_schema()),
        ("destinationConfig", destination_config_schema()),
    ])
});

/// `UpdateGitHubSyncSchema`: every field optional, no `projectId`.
static UPDATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", optional(name_schema())),
        ("description", description_schema()),
        ("connectionId", optional(string().uuid())),
        ("environment", optional(environment_schema())),
        (
            "secretPath",
            optional(string().trim().min(1, "Invalid secret path")),
        ),
        ("isAutoSyncEnabled", optional(Schema::Bool)),
        ("syncOptions", optional(sync_options_schema())),
        ("destinationConfig", optional(destination_config_schema())),
    ])
});

/// The check-destination body.
static CHECK_DESTINATION: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("connectionId", optional(string().uuid())),
        ("excludeSyncId", optional(string().uuid())),
        ("projectId", string().uuid().into()),
    ])
});

/// `secretPath`'s transform: one trailing `/` removed, `/` itself kept.
fn strip_trailing_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => path.to_owned(),
    }
}

/// A validated create body.
pub(crate) struct CreateInput {
    pub(crate) name: String,
    pub(crate) project_id: String,
    pub(crate) description: Option<String>,
    pub(crate) connection_id: String,
    pub(crate) environment: String,
    pub(crate) secret_path: String,
    pub(crate) is_auto_sync_enabled: bool,
    pub(crate) sync_options: Value,
    pub(crate) destination_config: Value,
}

impl Input for CreateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE, body)?;
        Ok(Self {
            name: text(&value, "name").unwrap_or_default(),
            project_id: text(&value, "projectId").unwrap_or_default(),
            description: text(&value, "description"),
            connection_id: text(&value, "connectionId").unwrap_or_default(),
            environment: text(&value, "environment").unwrap_or_default(),
            secret_path: strip_trailing_slash(&text(&value, "secretPath").unwrap_or_default()),
            is_auto_sync_enabled: value
                .get("isAutoSyncEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            sync_options: value.get("syncOptions").cloned().unwrap_or(Value::Null),
            destination_config: value
                .get("destinationConfig")
                .cloned()
                .unwrap_or(Value::Null),
        })
    }
}

/// A validated PATCH body; `description: Some(None)` is an explicit `null`.
pub(crate) struct UpdateInput {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<Option<String>>,
    pub(crate) connection_id: Option<String>,
    pub(crate) environment: Option<String>,
    pub(crate) secret_path: Option<String>,
    pub(crate) is_auto_sync_enabled: Option<bool>,
    pub(crate) sync_options: Option<Value>,
    pub(crate) destination_config: Option<Value>,
}

impl Input for UpdateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE, body)?;
        Ok(Self {
            name: text(&value, "name"),
            description: value
                .get("description")
                .map(|d| d.as_str().map(str::to_owned)),
            connection_id: text(&value, "connectionId"),
            environment: text(&value, "environment"),
            secret_path: text(&value, "secretPath").map(|p| strip_trailing_slash(&p)),
            is_auto_sync_enabled: value.get("isAutoSyncEnabled").and_then(Value::as_bool),
            sync_options: value.get("syncOptions").cloned(),
            destination_config: value.get("destinationConfig").cloned(),
        })
    }
}

/// A validated check-destination body.
pub(crate) struct CheckDestinationInput {
    /// The `destinationConfig` as given (the check compares it with each sync's).
    pub(crate) destination_config: Value,
    /// `excludeSyncId`: the sync being edited, which is no duplicate of itself.
    pub(crate) exclude_sync_id: Option<String>,
}

impl Input for CheckDestinationInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CHECK_DESTINATION, body)?;
        let destination_config = body
            .and_then(|b| b.get("destinationConfig"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok(Self {
            destination_config,
            exclude_sync_id: text(&value, "excludeSyncId"),
        })
    }
}

/// The display name Infisical gives an app in "… Connection with ID … cannot be used" messages.
pub(crate) fn app_name(app: &str) -> String {
    match app {
        "github" => "GitHub".to_owned(),
        "github-radar" => "GitHub Radar".to_owned(),
        "gitlab" => "GitLab".to_owned(),
        "aws" => "AWS".to_owned(),
        "gcp" => "GCP".to_owned(),
        "azure-key-vault" => "Azure Key Vault".to_owned(),
        "vercel" => "Vercel".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(error: ApiError) -> Vec<String> {
        error
            .message()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{}: {}", i["path"], i["message"].as_str().unwrap()))
            .collect()
    }

    fn body(config: Value, options: Value) -> Value {
        json!({
            "name": "my-sync", "projectId": "p", "connectionId": "0c3b2a19-8d7e-4f6a-9b5c-4d3e2f1a0b9c",
            "environment": "dev", "secretPath": "/app/", "syncOptions": options,
            "destinationConfig": config,
        })
    }

    #[test]
    fn create_defaults_auto_sync_and_strips_the_trailing_slash() {
        let input = CreateInput::parse(Some(&body(
            json!({ "scope": "repository", "owner": "o", "repo": "r", "env": "dropped" }),
            json!({ "initialSyncBehavior": "overwrite-destination" }),
        )))
        .ok()
        .unwrap();
        assert!(input.is_auto_sync_enabled);
        assert_eq!(input.secret_path, "/app");
        assert_eq!(
            input.destination_config,
            json!({ "scope": "repository", "owner": "o", "repo": "r" })
        );
    }

    #[test]
    fn organization_visibility_and_key_schema_are_refined() {
        let error = CreateInput::parse(Some(&body(
            json!({ "scope": "organization", "org": "o", "visibility": "selected" }),
            json!({ "initialSyncBehavior": "import-prioritize-source", "keySchema": "X_{{secretKey}}!" }),
        )))
        .err()
        .unwrap();
        let found = messages(error);
        assert!(
            found
                .iter()
                .any(|m| m.contains("Invalid literal value, expected \"overwrite-destination\"")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("Key schema must include")),
            "{found:?}"
        );
        assert!(
            found.contains(
                &r#"["destinationConfig","selectedRepositoryIds"]: Select at least 1 repository"#
                    .to_owned()
            ),
            "{found:?}"
        );
        let error = CreateInput::parse(Some(&body(
            json!({ "scope": "team", "org": "o" }),
            json!({ "initialSyncBehavior": "overwrite-destination" }),
        )))
        .err()
        .unwrap();
        assert_eq!(
            messages(error),
            [
                r#"["destinationConfig","scope"]: Invalid discriminator value. Expected 'organization' | 'repository' | 'repository-environment'"#
            ]
        );
    }

    #[test]
    fn key_schemas_need_the_placeholder_and_plain_characters() {
        assert!(key_schema_is_valid(""));
        assert!(key_schema_is_valid("APP_{{secretKey}}"));
        assert!(key_schema_is_valid("{{environment}}-{{secretKey}}/x"));
        assert!(!key_schema_is_valid("APP_"));
        assert!(!key_schema_is_valid("{{secretKey}} x"));
    }
}
