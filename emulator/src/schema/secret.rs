//! Secrets' request schemas (`routes/v4/secret-router.ts`, with `SecretNameSchema` of
//! `server/lib/schemas.ts` and `ResourceMetadataWithEncryptionSchema`), rule for rule and
//! message for message, and the typed inputs they give [`crate::service::secrets`].

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{Input, text, validated};
use crate::error::ApiError;
use crate::store::secrets::Metadata;
use crate::zod::{
    Schema, array, custom_issue, js_trim, nullish, optional, record, refine, string, with_default,
};

/// `z.nativeEnum(SecretType)`.
const SECRET_TYPES: &[&str] = &["shared", "personal"];
/// `z.nativeEnum(SecretUpdateMode)`.
const UPDATE_MODES: &[&str] = &["ignore", "upsert", "failOnNotFound"];
/// `convertStringBoolean`'s `z.enum(["true", "false"])`.
const STRING_BOOLEANS: &[&str] = &["true", "false"];
/// zod's default `min(1)` message for a string.
const AT_LEAST_ONE: &str = "String must contain at least 1 character(s)";

/// The value every write route stores: trimmed, keeping one trailing newline when the value
/// ended with one (``val.at(-1) === "\n" ? `${val.trim()}\n` : val.trim()``), with
/// JavaScript's notion of whitespace.
pub(crate) fn stored_value(value: &str) -> String {
    let trimmed = js_trim(value);
    if value.ends_with('\n') {
        format!("{trimmed}\n")
    } else {
        trimmed.to_owned()
    }
}

/// `removeTrailingSlash`: `/` stays, any other path loses one trailing `/`.
pub(crate) fn remove_trailing_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => path.to_owned(),
    }
}

fn check_secret_name(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let bad = value
        .as_str()
        .is_some_and(|s| s.contains(':') || s.contains('/'));
    if bad {
        issues.push(custom_issue(
            path,
            "Secret name cannot contain colon or forward slash.",
        ));
    }
    bad
}

/// `BaseSecretNameSchema`: `z.string().trim().min(1)`.
pub(crate) fn base_secret_name() -> Schema {
    string().trim().min(1, AT_LEAST_ONE).into()
}

/// `SecretNameSchema`: the base, refined to refuse `:` and `/`.
pub(crate) fn secret_name() -> Schema {
    refine(base_secret_name(), check_secret_name)
}

fn trimmed() -> Schema {
    string().trim().into()
}

/// `secretPath: z.string().trim().default("/").transform(removeTrailingSlash)`.
pub(crate) fn secret_path() -> Schema {
    with_default(string().trim(), "/")
}

pub(crate) fn secret_type() -> Schema {
    with_default(Schema::Enum(SECRET_TYPES), "shared")
}

/// `convertStringBoolean(default)`.
pub(crate) fn string_boolean(default: bool) -> Schema {
    with_default(
        Schema::Enum(STRING_BOOLEANS),
        if default { "true" } else { "false" },
    )
}

/// `ResourceMetadataWithEncryptionSchema`.
pub(crate) fn metadata_schema() -> Schema {
    array(Schema::Object(vec![
        ("key", string().trim().min(1, AT_LEAST_ONE).into()),
        ("value", with_default(string().trim(), "")),
        ("isEncrypted", with_default(Schema::Bool, false)),
    ]))
}

pub(crate) fn reminder_note() -> Schema {
    nullish(string().max(1024, "Secret reminder note cannot exceed 1024 characters"))
}

/// `.array().min(1)`'s check.
fn check_not_empty(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let empty = value.as_array().is_some_and(Vec::is_empty);
    if empty {
        issues.push(json!({
            "code": "too_small", "minimum": 1, "type": "array", "inclusive": true,
            "exact": false, "message": "Array must contain at least 1 element(s)", "path": path,
        }));
    }
    empty
}

/// The list's query (`metadataFilter` is parsed by [`metadata_filter`]; `include_imports` is
/// validated, and answered with `imports: []`: the emulator has no secret imports).
pub(crate) static LIST: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        (
            "metadataFilter",
            optional(refine(string(), check_metadata_filter)),
        ),
        ("projectId", optional(string().trim())),
        ("environment", optional(string().trim())),
        ("secretPath", secret_path()),
        ("viewSecretValue", string_boolean(true)),
        ("expandSecretReferences", string_boolean(false)),
        ("recursive", string_boolean(false)),
        ("include_imports", string_boolean(false)),
        ("tagSlugs", optional(string())),
    ])
});

/// `metadataFilter`'s transform: `key=…,value=…` pairs separated by `|`; only pairs with both a
/// key and a value count.
pub(crate) fn metadata_filter(raw: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for pair in raw.split('|') {
        let parts: Vec<&str> = pair.split([',', '=']).collect();
        let (mut key, mut value) = (None, None);
        for chunk in parts.chunks(2) {
            let identifier = js_trim(chunk[0]).to_lowercase();
            let given = chunk.get(1).map(|v| js_trim(v)).filter(|v| !v.is_empty());
            match (identifier.as_str(), given) {
                ("key", Some(v)) => key = Some(v.to_owned()),
                ("value", Some(v)) => value = Some(v.to_owned()),
                _ => {}
            }
        }
        if let (Some(key), Some(value)) = (key, value) {
            pairs.push((key, value));
        }
    }
    pairs
}

pub(crate) fn check_metadata_filter(
    value: &Value,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> bool {
    let too_many = value
        .as_str()
        .is_some_and(|raw| metadata_filter(raw).len() > 10);
    if too_many {
        issues.push(custom_issue(
            path,
            "You can only filter by up to 10 metadata fields",
        ));
    }
    too_many
}

/// A validated list query.
pub(crate) struct ListQuery {
    pub(crate) project_id: Option<String>,
    pub(crate) environment: Option<String>,
    pub(crate) secret_path: String,
    pub(crate) view_secret_value: bool,
    pub(crate) expand: bool,
    pub(crate) recursive: bool,
    pub(crate) tag_slugs: Vec<String>,
    pub(crate) metadata_filter: Vec<(String, String)>,
}

impl ListQuery {
    /// Reads the query [`LIST`] accepted.
    pub(crate) fn new(value: &Value) -> Self {
        let flag = |key: &str| value[key] == "true";
        Self {
            project_id: text(value, "projectId").filter(|s| !s.is_empty()),
            environment: text(value, "environment").filter(|s| !s.is_empty()),
            secret_path: remove_trailing_slash(&text(value, "secretPath").unwrap_or_default()),
            view_secret_value: flag("viewSecretValue"),
            expand: flag("expandSecretReferences"),
            recursive: flag("recursive"),
            tag_slugs: text(value, "tagSlugs")
                .filter(|s| !s.is_empty())
                .map(|s| s.split(',').map(|t| js_trim(t).to_owned()).collect())
                .unwrap_or_default(),
            metadata_filter: text(value, "metadataFilter")
                .map(|raw| metadata_filter(&raw))
                .unwrap_or_default(),
        }
    }
}

pub(crate) fn check_number(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let bad = value.as_str().is_some_and(|s| js_number(s).is_none());
    if bad {
        issues.push(json!({
            "code": "invalid_type", "expected": "number", "received": "nan", "path": path,
            "message": "Expected number, received nan",
        }));
    }
    bad
}

/// `Number(text)` for the decimal forms a query carries: blank is 0, anything unparsable is
/// `NaN` (`None`).
fn js_number(text: &str) -> Option<f64> {
    let text = js_trim(text);
    if text.is_empty() {
        return Some(0.0);
    }
    text.parse::<f64>().ok().filter(|n| !n.is_nan())
}

/// The get-by-name query (`version` is `z.coerce.number()`).
pub(crate) static GET: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", optional(string().trim())),
        ("secretPath", secret_path()),
        ("version", optional(refine(string(), check_number))),
        ("type", secret_type()),
        ("viewSecretValue", string_boolean(true)),
        ("expandSecretReferences", string_boolean(false)),
        ("include_imports", string_boolean(false)),
    ])
});

/// A validated get-by-name query.
pub(crate) struct GetQuery {
    pub(crate) project_id: String,
    pub(crate) environment: Option<String>,
    pub(crate) secret_path: String,
    pub(crate) version: Option<f64>,
    pub(crate) personal: bool,
    pub(crate) view_secret_value: bool,
    pub(crate) expand: bool,
}

impl GetQuery {
    /// Reads the query [`GET`] accepted.
    pub(crate) fn new(value: &Value) -> Self {
        Self {
            project_id: text(value, "projectId").unwrap_or_default(),
            environment: text(value, "environment").filter(|s| !s.is_empty()),
            secret_path: remove_trailing_slash(&text(value, "secretPath").unwrap_or_default()),
            version: text(value, "version").and_then(|v| js_number(&v)),
            personal: value["type"] == "personal",
            view_secret_value: value["viewSecretValue"] == "true",
            expand: value["expandSecretReferences"] == "true",
        }
    }
}

/// The path parameter of each route, as its schema reads it.
pub(crate) enum NameParam {
    /// `GET`: `z.string().trim()`.
    Get,
    /// `POST`: `SecretNameSchema`.
    Create,
    /// `PATCH`: `BaseSecretNameSchema`.
    Update,
    /// `DELETE`: `z.string().min(1)`, not trimmed.
    Delete,
}

static NAME_GET: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("secretName", trimmed())]));
static NAME_CREATE: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("secretName", secret_name())]));
static NAME_UPDATE: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("secretName", base_secret_name())]));
static NAME_DELETE: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("secretName", string().min(1, AT_LEAST_ONE).into())]));

impl NameParam {
    /// The secret name the path gives, validated (422 with `secretName` as the issue's path).
    pub(crate) fn parse(&self, raw: &str) -> Result<String, ApiError> {
        let schema: &Schema = match self {
            NameParam::Get => &NAME_GET,
            NameParam::Create => &NAME_CREATE,
            NameParam::Update => &NAME_UPDATE,
            NameParam::Delete => &NAME_DELETE,
        };
        let value = validated(schema, Some(&json!({ "secretName": raw })))?;
        Ok(text(&value, "secretName").unwrap_or_default())
    }
}

/// Where a write goes: the body's `projectId`, `environment` and `secretPath`.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub(crate) project_id: String,
    pub(crate) environment: String,
    pub(crate) secret_path: String,
}

impl Location {
    pub(crate) fn read(value: &Value) -> Self {
        Self {
            project_id: text(value, "projectId").unwrap_or_default(),
            environment: text(value, "environment").unwrap_or_default(),
            secret_path: remove_trailing_slash(&text(value, "secretPath").unwrap_or_default()),
        }
    }
}

fn read_metadata(value: &Value) -> Option<Vec<Metadata>> {
    value.as_array().map(|entries| {
        entries
            .iter()
            .map(|m| Metadata {
                key: text(m, "key").unwrap_or_default(),
                value: text(m, "value").unwrap_or_default(),
                is_encrypted: m["isEncrypted"] == true,
            })
            .collect()
    })
}

fn read_strings(value: &Value) -> Option<Vec<String>> {
    value.as_array().map(|items| {
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    })
}

/// What a new secret holds: the create body, and each entry of a batch create.
#[derive(Debug, Clone)]
pub(crate) struct NewSecret {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) comment: String,
    pub(crate) skip_multiline_encoding: Option<bool>,
    pub(crate) metadata: Option<Vec<Metadata>>,
    pub(crate) tag_ids: Option<Vec<String>>,
    pub(crate) reminder_note: Option<String>,
    pub(crate) reminder_repeat_days: Option<f64>,
}

impl NewSecret {
    pub(crate) fn read(key: String, value: &Value) -> Self {
        Self {
            key,
            value: stored_value(&text(value, "secretValue").unwrap_or_default()),
            comment: text(value, "secretComment").unwrap_or_default(),
            skip_multiline_encoding: value.get("skipMultilineEncoding").and_then(Value::as_bool),
            metadata: value.get("secretMetadata").and_then(read_metadata),
            tag_ids: value.get("tagIds").and_then(read_strings),
            reminder_note: text(value, "secretReminderNote"),
            reminder_repeat_days: value
                .get("secretReminderRepeatDays")
                .and_then(Value::as_f64),
        }
    }
}

/// What changes in a secret: the `PATCH` body, and each entry of a batch update. `None` leaves
/// a field as it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct SecretChanges {
    pub(crate) key: String,
    /// A batch entry's own folder (`secrets[].secretPath`).
    pub(crate) secret_path: Option<String>,
    pub(crate) value: Option<String>,
    pub(crate) comment: Option<String>,
    pub(crate) skip_multiline_encoding: Option<bool>,
    pub(crate) new_name: Option<String>,
    pub(crate) tag_ids: Option<Vec<String>>,
    pub(crate) metadata: Option<Vec<Metadata>>,
    pub(crate) reminder_note: Option<String>,
    pub(crate) reminder_repeat_days: Option<f64>,
}

impl SecretChanges {
    pub(crate) fn read(key: String, value: &Value) -> Self {
        Self {
            key,
            secret_path: text(value, "secretPath").map(|p| remove_trailing_slash(&p)),
            value: text(value, "secretValue").map(|v| stored_value(&v)),
            comment: text(value, "secretComment"),
            skip_multiline_encoding: value.get("skipMultilineEncoding").and_then(Value::as_bool),
            new_name: text(value, "newSecretName"),
            tag_ids: value.get("tagIds").and_then(read_strings),
            metadata: value.get("secretMetadata").and_then(read_metadata),
            reminder_note: text(value, "secretReminderNote"),
            reminder_repeat_days: value
                .get("secretReminderRepeatDays")
                .and_then(Value::as_f64),
        }
    }
}

/// `POST /api/v4/secrets/:secretName`'s body.
static CREATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("secretPath", secret_path()),
        ("secretValue", string().into()),
        ("secretComment", with_default(string().trim(), "")),
        ("secretMetadata", optional(metadata_schema())),
        ("tagIds", optional(array(string()))),
        ("skipMultilineEncoding", nullish(Schema::Bool)),
        ("type", secret_type()),
        ("secretReminderRepeatDays", nullish(Schema::Number)),
        ("secretReminderNote", reminder_note()),
    ])
});

/// `PATCH /api/v4/secrets/:secretName`'s body.
static UPDATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("secretValue", optional(string())),
        ("secretPath", secret_path()),
        ("skipMultilineEncoding", optional(Schema::Bool)),
        ("type", secret_type()),
        ("tagIds", optional(array(string()))),
        ("metadata", optional(record(string()))),
        ("secretMetadata", optional(metadata_schema())),
        ("secretReminderNote", reminder_note()),
        ("secretReminderRepeatDays", nullish(Schema::Number)),
        ("secretReminderRecipients", optional(array(string()))),
        ("newSecretName", optional(secret_name())),
        ("secretComment", optional(string())),
    ])
});

/// `DELETE /api/v4/secrets/:secretName`'s body.
static DELETE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("secretPath", secret_path()),
        ("type", secret_type()),
    ])
});

/// A validated create.
pub(crate) struct CreateInput {
    pub(crate) at: Location,
    pub(crate) personal: bool,
    /// The secret; its `key` is filled in from the path.
    pub(crate) secret: NewSecret,
}

impl Input for CreateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE, body)?;
        Ok(Self {
            at: Location::read(&value),
            personal: value["type"] == "personal",
            secret: NewSecret::read(String::new(), &value),
        })
    }
}

/// A validated `PATCH`.
pub(crate) struct UpdateInput {
    pub(crate) at: Location,
    pub(crate) personal: bool,
    /// The changes; their `key` is filled in from the path.
    pub(crate) changes: SecretChanges,
}

impl Input for UpdateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE, body)?;
        let mut changes = SecretChanges::read(String::new(), &value);
        // The single route's `secretPath` is the location, not a per-secret folder.
        changes.secret_path = None;
        Ok(Self {
            at: Location::read(&value),
            personal: value["type"] == "personal",
            changes,
        })
    }
}

/// A validated `DELETE`.
pub(crate) struct DeleteInput {
    pub(crate) at: Location,
    pub(crate) personal: bool,
}

impl Input for DeleteInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&DELETE, body)?;
        Ok(Self {
            at: Location::read(&value),
            personal: value["type"] == "personal",
        })
    }
}

/// A batch body: the location and `secrets` (at least one).
fn batch(entry: Schema, mode: bool) -> Schema {
    let mut fields = vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("secretPath", secret_path()),
    ];
    if mode {
        fields.push((
            "mode",
            with_default(Schema::Enum(UPDATE_MODES), "failOnNotFound"),
        ));
    }
    fields.push(("secrets", refine(array(entry), check_not_empty)));
    Schema::Object(fields)
}

/// `POST /api/v4/secrets/batch`'s body.
static BATCH_CREATE: LazyLock<Schema> = LazyLock::new(|| {
    batch(
        Schema::Object(vec![
            ("secretKey", secret_name()),
            ("secretValue", string().into()),
            ("secretComment", with_default(string().trim(), "")),
            ("skipMultilineEncoding", nullish(Schema::Bool)),
            ("metadata", optional(record(string()))),
            ("secretMetadata", optional(metadata_schema())),
            ("tagIds", optional(array(string()))),
        ]),
        false,
    )
});

/// `PATCH /api/v4/secrets/batch`'s body.
static BATCH_UPDATE: LazyLock<Schema> = LazyLock::new(|| {
    batch(
        Schema::Object(vec![
            ("secretKey", secret_name()),
            ("secretValue", optional(string())),
            ("secretPath", optional(string().trim())),
            ("secretComment", optional(string().trim())),
            ("skipMultilineEncoding", optional(Schema::Bool)),
            ("newSecretName", optional(secret_name())),
            ("tagIds", optional(array(string()))),
            ("secretReminderNote", reminder_note()),
            ("secretMetadata", optional(metadata_schema())),
            ("secretReminderRepeatDays", nullish(Schema::Number)),
        ]),
        true,
    )
});

/// `DELETE /api/v4/secrets/batch`'s body.
static BATCH_DELETE: LazyLock<Schema> = LazyLock::new(|| {
    batch(
        Schema::Object(vec![
            ("secretKey", string().into()),
            ("type", secret_type()),
        ]),
        false,
    )
});

fn entries(value: &Value) -> &[Value] {
    value["secrets"].as_array().map_or(&[], Vec::as_slice)
}

/// A validated batch create.
pub(crate) struct BatchCreateInput {
    pub(crate) at: Location,
    pub(crate) secrets: Vec<NewSecret>,
}

impl Input for BatchCreateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&BATCH_CREATE, body)?;
        Ok(Self {
            at: Location::read(&value),
            secrets: entries(&value)
                .iter()
                .map(|e| NewSecret::read(text(e, "secretKey").unwrap_or_default(), e))
                .collect(),
        })
    }
}

/// `SecretUpdateMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpdateMode {
    /// Secrets that do not exist are skipped.
    Ignore,
    /// Secrets that do not exist are created.
    Upsert,
    /// A secret that does not exist fails the whole batch (the default).
    FailOnNotFound,
}

/// A validated batch update.
pub(crate) struct BatchUpdateInput {
    pub(crate) at: Location,
    pub(crate) mode: UpdateMode,
    pub(crate) secrets: Vec<SecretChanges>,
}

impl Input for BatchUpdateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&BATCH_UPDATE, body)?;
        let mode = match value["mode"].as_str() {
            Some("ignore") => UpdateMode::Ignore,
            Some("upsert") => UpdateMode::Upsert,
            _ => UpdateMode::FailOnNotFound,
        };
        Ok(Self {
            at: Location::read(&value),
            mode,
            secrets: entries(&value)
                .iter()
                .map(|e| SecretChanges::read(text(e, "secretKey").unwrap_or_default(), e))
                .collect(),
        })
    }
}

/// A validated batch delete: each name, and whether it asked for the personal secret.
pub(crate) struct BatchDeleteInput {
    pub(crate) at: Location,
    pub(crate) secrets: Vec<(String, bool)>,
}

impl Input for BatchDeleteInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&BATCH_DELETE, body)?;
        Ok(Self {
            at: Location::read(&value),
            secrets: entries(&value)
                .iter()
                .map(|e| {
                    (
                        text(e, "secretKey").unwrap_or_default(),
                        e["type"] == "personal",
                    )
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_stored_as_the_v4_router_trims_them() {
        let cases = [
            ("plain", "plain"),
            ("  padded\t", "padded"),
            ("pem\n", "pem\n"),
            ("pem\n\n\n", "pem\n"),
            (" both \n", "both\n"),
            ("\r\n", "\n"),
            ("", ""),
            ("\u{feff}bom\u{a0}", "bom"),
            ("\u{85}nel\u{85}", "\u{85}nel\u{85}"),
        ];
        for (given, stored) in cases {
            assert_eq!(stored_value(given), stored, "{given:?}");
        }
    }

    #[test]
    fn metadata_filters_keep_complete_pairs() {
        assert_eq!(
            metadata_filter("key=team,value=ops|key=tier, value= 1 |key=lonely"),
            vec![
                ("team".to_owned(), "ops".to_owned()),
                ("tier".to_owned(), "1".to_owned())
            ]
        );
        assert!(metadata_filter("").is_empty());
    }

    #[test]
    fn names_refuse_colons_and_slashes() {
        assert_eq!(NameParam::Create.parse(" DB_URL ").unwrap(), "DB_URL");
        let issues = NameParam::Create.parse("a:b").unwrap_err();
        assert_eq!(
            issues.message()[0]["message"],
            "Secret name cannot contain colon or forward slash."
        );
        assert_eq!(NameParam::Update.parse("a:b").unwrap(), "a:b");
        assert_eq!(remove_trailing_slash("/app/"), "/app");
        assert_eq!(remove_trailing_slash("/"), "/");
    }
}
