//! The GitHub app connection's request schemas, copied rule for rule from Infisical's
//! `github-connection-schemas.ts` and `app-connection-schemas.ts`, its methods, and the typed
//! inputs they give the service.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::Input;
use crate::error::ApiError;
use crate::zod::{
    Schema, Status, absent_or_null, description_schema, invalid_type, literal,
    literal_with_message, nullish, optional, parse, string,
};

/// The app's URL segment and `app` value.
pub(crate) const APP: &str = "github";

/// A GitHub connection method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    App,
    OAuth,
    Pat,
}

impl Method {
    const ALL: [Method; 3] = [Method::App, Method::OAuth, Method::Pat];

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::App => "github-app",
            Method::OAuth => "oauth",
            Method::Pat => "pat",
        }
    }

    /// The name Infisical's `getAppConnectionMethodName` gives the method in messages.
    pub(crate) fn display_name(self) -> &'static str {
        match self {
            Method::App => "GitHub App",
            Method::OAuth => "OAuth",
            Method::Pat => "Personal Access Token",
        }
    }

    fn credentials_schema(self) -> &'static Schema {
        match self {
            Method::App => &APP_CREDENTIALS,
            Method::OAuth => &OAUTH_CREDENTIALS,
            Method::Pat => &PAT_CREDENTIALS,
        }
    }
}

/// One method's credentials: a union of a `server` variant (host required) and a `cloud` variant.
/// The GitHub App method also takes `installationId` and, since org-managed GitHub Apps, an
/// optional `gitHubAppId` naming one (the newest server schema was not seen; this is the rule the
/// research gives: an optional uuid, on `github-app` only, so `oauth`/`pat` strip it).
fn credentials_union(
    secret: &'static str,
    secret_message: &'static str,
    installation: bool,
) -> Schema {
    let mut server = vec![(secret, string().trim().min(1, secret_message).into())];
    let mut cloud = vec![(secret, string().trim().min(1, secret_message).into())];
    if installation {
        for variant in [&mut server, &mut cloud] {
            variant.push((
                "installationId",
                string()
                    .min(1, "GitHub App Installation ID required")
                    .into(),
            ));
        }
    }
    server.push(("instanceType", literal("server")));
    server.push((
        "host",
        string()
            .trim()
            .min(1, "Host is required for server instance type")
            .into(),
    ));
    cloud.push(("instanceType", optional(literal("cloud"))));
    cloud.push(("host", optional(string().trim())));
    if installation {
        for variant in [&mut server, &mut cloud] {
            variant.push(("gitHubAppId", optional(string().uuid())));
        }
    }
    Schema::Union(vec![Schema::Object(server), Schema::Object(cloud)])
}

static APP_CREDENTIALS: LazyLock<Schema> =
    LazyLock::new(|| credentials_union("code", "GitHub App code required", true));
static OAUTH_CREDENTIALS: LazyLock<Schema> =
    LazyLock::new(|| credentials_union("code", "OAuth code required", false));
static PAT_CREDENTIALS: LazyLock<Schema> = LazyLock::new(|| {
    credentials_union(
        "personalAccessToken",
        "Personal Access Token required",
        false,
    )
});

/// `slugSchema({ field: "name" })`.
fn name_schema() -> Schema {
    string()
        .trim()
        .min(1, "name field must be at least 1 lowercase character")
        .max(64, "name field must be at most 64 lowercase characters")
        .slug("name field can only contain lowercase letters, numbers, and hyphens")
        .into()
}

/// Infisical's message for a generic field GitHub connections do not support.
const NOT_SUPPORTED: &str = "Not supported for GitHub Connections";

fn platform_managed_schema() -> Schema {
    optional(literal_with_message(false, NOT_SUPPORTED))
}

/// `isAutoRotationEnabled`: GitHub has no credential rotation, so only `false` (or nothing).
fn auto_rotation_schema() -> Schema {
    optional(literal_with_message(false, NOT_SUPPORTED))
}

/// The generic fields every create and PATCH body shares after `name` and `description`, in the
/// server's order.
fn generic_tail() -> Vec<(&'static str, Schema)> {
    vec![
        ("isPlatformManagedCredentials", platform_managed_schema()),
        ("gatewayId", nullish(string().uuid())),
        ("gatewayPoolId", nullish(string().uuid())),
        ("isAutoRotationEnabled", auto_rotation_schema()),
        ("rotation", absent_or_null(NOT_SUPPORTED)),
    ]
}

/// `GenericCreateAppConnectionFieldsSchema(GitHub, { supportsGateways: true })`.
static CREATE_FIELDS: LazyLock<Schema> = LazyLock::new(|| {
    let mut fields = vec![
        ("name", name_schema()),
        ("description", description_schema()),
        ("projectId", optional(string())),
    ];
    fields.extend(generic_tail());
    Schema::Object(fields)
});

/// `UpdateGitHubConnectionSchema`: optional credentials of any method, and the generic update
/// fields. No `method` and no `projectId`: zod strips them, so a PATCH cannot change either.
static UPDATE_SCHEMA: LazyLock<(Schema, Schema)> = LazyLock::new(|| {
    let credentials = Schema::Object(vec![(
        "credentials",
        optional(Schema::Union(vec![
            Schema::Ref(&APP_CREDENTIALS),
            Schema::Ref(&OAUTH_CREDENTIALS),
            Schema::Ref(&PAT_CREDENTIALS),
        ])),
    )]);
    let mut fields = vec![
        ("name", optional(name_schema())),
        ("description", description_schema()),
    ];
    fields.extend(generic_tail());
    (credentials, Schema::Object(fields))
});

/// A validated create body.
pub(crate) struct CreateInput {
    pub(crate) method: Method,
    pub(crate) credentials: Map<String, Value>,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) project_id: Option<String>,
    pub(crate) gateway_id: Option<String>,
    pub(crate) gateway_pool_id: Option<String>,
}

/// A validated PATCH body. `Some(None)` means an explicit `null` (clear the field).
pub(crate) struct UpdateInput {
    pub(crate) credentials: Option<Map<String, Value>>,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<Option<String>>,
    pub(crate) gateway_id: Option<Option<String>>,
    pub(crate) gateway_pool_id: Option<Option<String>>,
}

/// Validates a create body as `ValidateGitHubConnectionCredentialsSchema.and(generic fields)`:
/// both sides are checked, so one 422 lists every problem.
pub(crate) fn parse_create(body: Option<&Value>) -> Result<CreateInput, Vec<Value>> {
    let mut issues = Vec::new();
    // The discriminated union on `method`.
    let method = match body {
        Some(Value::Object(object)) => {
            match object
                .get("method")
                .and_then(Value::as_str)
                .and_then(Method::parse)
            {
                Some(method) => {
                    let schema = Schema::Object(vec![
                        ("method", literal(method.as_str())),
                        ("credentials", Schema::Ref(method.credentials_schema())),
                    ]);
                    let parsed = parse(&schema, body, &[], &mut issues);
                    (parsed.status != Status::Aborted).then_some((method, parsed.value))
                }
                None => {
                    issues.push(json!({
                        "code": "invalid_union_discriminator",
                        "options": ["github-app", "oauth", "pat"],
                        "path": ["method"],
                        "message": "Invalid discriminator value. Expected 'github-app' | 'oauth' | 'pat'",
                    }));
                    None
                }
            }
        }
        _ => {
            issues.push(invalid_type("object", body, &[]));
            None
        }
    };
    let fields = parse(&CREATE_FIELDS, body, &[], &mut issues);
    if !issues.is_empty() {
        return Err(issues);
    }
    let (Some((method, Some(left))), Some(right)) = (method, fields.value) else {
        return Err(vec![invalid_type("object", body, &[])]);
    };
    Ok(CreateInput {
        method,
        credentials: object_at(&left, "credentials"),
        name: string_at(&right, "name").unwrap_or_default(),
        description: string_at(&right, "description"),
        project_id: string_at(&right, "projectId"),
        gateway_id: string_at(&right, "gatewayId"),
        gateway_pool_id: string_at(&right, "gatewayPoolId"),
    })
}

impl Input for CreateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        parse_create(body).map_err(ApiError::validation)
    }
}

/// Validates a PATCH body.
pub(crate) fn parse_update(body: Option<&Value>) -> Result<UpdateInput, Vec<Value>> {
    let mut issues = Vec::new();
    let (credentials_schema, fields_schema) = &*UPDATE_SCHEMA;
    let left = parse(credentials_schema, body, &[], &mut issues);
    let right = parse(fields_schema, body, &[], &mut issues);
    if !issues.is_empty() {
        return Err(issues);
    }
    let (Some(left), Some(right)) = (left.value, right.value) else {
        return Err(vec![invalid_type("object", body, &[])]);
    };
    let nullable = |key: &str| right.get(key).map(|v| v.as_str().map(str::to_owned));
    Ok(UpdateInput {
        credentials: left.get("credentials").and_then(Value::as_object).cloned(),
        name: string_at(&right, "name"),
        description: nullable("description"),
        gateway_id: nullable("gatewayId"),
        gateway_pool_id: nullable("gatewayPoolId"),
    })
}

impl Input for UpdateInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        parse_update(body).map_err(ApiError::validation)
    }
}

/// The service's second check of PATCH credentials, against the connection's stored method:
/// the stripped credentials on success, `None` for "Invalid credential format".
pub(crate) fn parse_for_method(
    method: Method,
    credentials: &Map<String, Value>,
) -> Option<Map<String, Value>> {
    let mut issues = Vec::new();
    let input = Value::Object(credentials.clone());
    let parsed = parse(method.credentials_schema(), Some(&input), &[], &mut issues);
    if parsed.status != Status::Valid {
        return None;
    }
    parsed.value.and_then(|v| v.as_object().cloned())
}

fn object_at(value: &Value, key: &str) -> Map<String, Value> {
    value
        .get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn string_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(issues: &[Value]) -> Vec<String> {
        issues
            .iter()
            .map(|i| format!("{}: {}", i["path"], i["message"].as_str().unwrap_or("")))
            .collect()
    }

    #[test]
    fn create_reports_issues_from_both_sides_of_the_intersection() {
        let body = json!({
            "name": "Bad Name",
            "method": "pat",
            "credentials": { "personalAccessToken": "", "instanceType": "cloud" },
            "description": "x".repeat(300),
        });
        let issues = parse_create(Some(&body)).err().unwrap();
        assert_eq!(
            messages(&issues),
            [
                r#"["credentials","personalAccessToken"]: Personal Access Token required"#,
                r#"["name"]: name field can only contain lowercase letters, numbers, and hyphens"#,
                r#"["description"]: Description cannot exceed 256 characters"#,
            ]
        );
    }

    #[test]
    fn server_instance_without_host_is_an_invalid_union() {
        let body = json!({
            "name": "ok", "method": "pat",
            "credentials": { "personalAccessToken": "p", "instanceType": "server" },
        });
        let issues = parse_create(Some(&body)).err().unwrap();
        assert_eq!(issues[0]["code"], "invalid_union");
        assert_eq!(issues[0]["path"], json!(["credentials"]));
    }

    #[test]
    fn unknown_keys_are_stripped_and_method_is_not_updatable() {
        let input = parse_update(Some(
            &json!({ "method": "oauth", "projectId": "p", "name": "n" }),
        ))
        .ok()
        .unwrap();
        assert_eq!(input.name.as_deref(), Some("n"));
        assert!(input.credentials.is_none() && input.description.is_none());
        let cleared = parse_update(Some(&json!({ "description": null })))
            .ok()
            .unwrap();
        assert_eq!(cleared.description, Some(None));
    }
}
