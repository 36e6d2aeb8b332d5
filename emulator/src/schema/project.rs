//! Projects' and environments' request schemas (`routes/v1/project-router.ts`,
//! `routes/v1/project-env-router.ts`, with `slugSchema` of `server/lib/schemas.ts`), rule for
//! rule and message for message, and the typed inputs they give the services.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{Input, text, validated};
use crate::error::ApiError;
use crate::store::secrets::EnvironmentChange;
use crate::zod::{Schema, StrRules, custom_issue, optional, refine, string, with_default};

/// `z.nativeEnum(ProjectType)`.
pub(crate) const PROJECT_TYPES: &[&str] = &[
    "secret-manager",
    "cert-manager",
    "kms",
    "ssh",
    "secret-scanning",
    "pam",
    "ai",
];
/// `InfisicalProjectTemplate.Default`, the one template the emulator has.
pub(crate) const DEFAULT_TEMPLATE: &str = "default";
/// The refinement message of `PATCH /api/v1/projects/:id`'s `slug`.
const PROJECT_SLUG_MESSAGE: &str = "Project slug can only contain lowercase letters and numbers, with optional single hyphens (-) or underscores (_) between words. Cannot start or end with a hyphen or underscore.";

/// `slugSchema`'s refinement message for the `Slug` field.
pub(crate) const SLUG_CHARACTERS: &str =
    "Slug field can only contain letters, numbers, and hyphens";
/// `slugSchema({ max: 64 })`'s length messages (an environment's slug, a project's in a path).
pub(crate) const SLUG_64: Bounds = (
    (1, "Slug field must be at least 1 character"),
    (64, "Slug field must be at most 64 characters"),
);

/// A `slugSchema`'s `min` and `max`, each with its message.
pub(crate) type Bounds = ((usize, &'static str), (usize, &'static str));

/// `slugSchema({ min, max, field })`: lower-cased, trimmed, `min`/`max`, and
/// `slugify(v) === v`.
pub(crate) fn slug_schema(
    ((min, short), (max, long)): Bounds,
    characters: &'static str,
) -> StrRules {
    string()
        .lowercase()
        .trim()
        .min(min, short)
        .max(max, long)
        .slug(characters)
}

/// `^[a-z0-9]+(?:[_-][a-z0-9]+)*$`: runs of lowercase letters and digits joined by single
/// hyphens or underscores.
fn is_project_slug(text: &str) -> bool {
    text.split(['-', '_']).all(|run| {
        !run.is_empty()
            && run
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn check_project_slug(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let bad = value.as_str().is_some_and(|s| !is_project_slug(s));
    if bad {
        issues.push(custom_issue(path, PROJECT_SLUG_MESSAGE));
    }
    bad
}

/// `z.number().min(1)`'s check.
pub(crate) fn check_at_least_one(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    check_at_least(1, value, path, issues)
}

fn check_at_least_zero(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    check_at_least(0, value, path, issues)
}

/// `z.number().min(minimum)`.
fn check_at_least(minimum: i64, value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let small = value.as_f64().is_some_and(|n| n < minimum as f64);
    if small {
        issues.push(json!({
            "code": "too_small", "minimum": minimum, "type": "number", "inclusive": true,
            "exact": false,
            "message": format!("Number must be greater than or equal to {minimum}"),
            "path": path,
        }));
    }
    small
}

fn name_schema() -> Schema {
    string()
        .trim()
        .max(64, "Name must be 64 or fewer characters")
        .into()
}

fn description_schema() -> Schema {
    optional(
        string()
            .trim()
            .max(1024, "Description must be 1024 or fewer characters"),
    )
}

/// `POST /api/v1/projects`'s body.
static CREATE_PROJECT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectName", name_schema()),
        ("projectDescription", description_schema()),
        (
            "slug",
            optional(slug_schema(
                (
                    (5, "Slug field must be at least 5 characters"),
                    (36, "Slug field must be at most 36 characters"),
                ),
                SLUG_CHARACTERS,
            )),
        ),
        ("kmsKeyId", optional(string())),
        (
            "template",
            with_default(
                slug_schema(
                    (
                        (1, "Template Name field must be at least 1 character"),
                        (64, "Template Name field must be at most 64 characters"),
                    ),
                    "Template Name field can only contain letters, numbers, and hyphens",
                ),
                DEFAULT_TEMPLATE,
            ),
        ),
        (
            "type",
            with_default(Schema::Enum(PROJECT_TYPES), "secret-manager"),
        ),
        ("shouldCreateDefaultEnvs", with_default(Schema::Bool, true)),
        ("hasDeleteProtection", with_default(Schema::Bool, false)),
    ])
});

/// `PATCH /api/v1/projects/:projectId`'s body (the fields the emulator keeps; the others are
/// validated as booleans, as the server does, and dropped).
static UPDATE_PROJECT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", optional(name_schema())),
        ("description", description_schema()),
        ("autoCapitalization", optional(Schema::Bool)),
        ("hasDeleteProtection", optional(Schema::Bool)),
        (
            "slug",
            optional(refine(
                string()
                    .trim()
                    .max(64, "Slug must be 64 characters or fewer"),
                check_project_slug,
            )),
        ),
        ("secretSharing", optional(Schema::Bool)),
        ("showSnapshotsLegacy", optional(Schema::Bool)),
    ])
});

/// `PUT /api/v1/projects/:projectId/audit-logs-retention`'s body.
static AUDIT_LOGS_RETENTION: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![(
        "auditLogsRetentionDays",
        refine(Schema::Number, check_at_least_zero),
    )])
});

/// A validated audit-log retention change: days, at least 0.
pub(crate) struct AuditLogsRetentionInput(pub(crate) f64);

impl Input for AuditLogsRetentionInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&AUDIT_LOGS_RETENTION, body)?;
        Ok(Self(
            value
                .get("auditLogsRetentionDays")
                .and_then(Value::as_f64)
                .unwrap_or_default(),
        ))
    }
}

/// `POST /api/v1/projects/:projectId/environments`'s body.
static CREATE_ENVIRONMENT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", string().trim().into()),
        (
            "position",
            optional(refine(Schema::Number, check_at_least_one)),
        ),
        ("slug", slug_schema(SLUG_64, SLUG_CHARACTERS).into()),
    ])
});

/// `PATCH /api/v1/projects/:projectId/environments/:id`'s body.
static UPDATE_ENVIRONMENT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("slug", optional(slug_schema(SLUG_64, SLUG_CHARACTERS))),
        ("name", optional(string().trim())),
        ("position", optional(Schema::Number)),
    ])
});

/// `GET /api/v1/projects/slug/:slug`'s params: `slugSchema({ max: 64 })`.
pub(crate) static SLUG_PARAMS: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("slug", slug_schema(SLUG_64, SLUG_CHARACTERS).into())]));

/// A validated project create.
pub(crate) struct CreateProjectInput {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) slug: Option<String>,
    pub(crate) template: String,
    pub(crate) project_type: String,
    pub(crate) create_default_envs: bool,
    pub(crate) has_delete_protection: bool,
}

impl Input for CreateProjectInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_PROJECT, body)?;
        Ok(Self {
            name: text(&value, "projectName").unwrap_or_default(),
            description: text(&value, "projectDescription"),
            slug: text(&value, "slug"),
            template: text(&value, "template").unwrap_or_default(),
            project_type: text(&value, "type").unwrap_or_default(),
            create_default_envs: value["shouldCreateDefaultEnvs"] != false,
            has_delete_protection: value["hasDeleteProtection"] == true,
        })
    }
}

/// A validated project `PATCH`: `None` leaves a field as it is.
pub(crate) struct UpdateProjectInput {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) slug: Option<String>,
    pub(crate) has_delete_protection: Option<bool>,
}

impl Input for UpdateProjectInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_PROJECT, body)?;
        Ok(Self {
            name: text(&value, "name"),
            description: text(&value, "description"),
            slug: text(&value, "slug"),
            has_delete_protection: value.get("hasDeleteProtection").and_then(Value::as_bool),
        })
    }
}

/// A validated environment create.
pub(crate) struct CreateEnvironmentInput {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) position: Option<f64>,
}

impl Input for CreateEnvironmentInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_ENVIRONMENT, body)?;
        Ok(Self {
            name: text(&value, "name").unwrap_or_default(),
            slug: text(&value, "slug").unwrap_or_default(),
            position: value.get("position").and_then(Value::as_f64),
        })
    }
}

/// A validated environment `PATCH`.
pub(crate) struct UpdateEnvironmentInput(pub(crate) EnvironmentChange);

impl Input for UpdateEnvironmentInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_ENVIRONMENT, body)?;
        Ok(Self(EnvironmentChange {
            slug: text(&value, "slug"),
            name: text(&value, "name"),
            position: value.get("position").and_then(Value::as_f64),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_server_rules() {
        let issues = crate::zod::check(
            &CREATE_PROJECT,
            Some(&json!({
                "projectName": "App", "slug": "ab"
            })),
        )
        .unwrap_err();
        assert_eq!(
            issues[0]["message"],
            "Slug field must be at least 5 characters"
        );
        let parsed = crate::zod::check(
            &CREATE_PROJECT,
            Some(&json!({
                "projectName": "App", "slug": " My-App "
            })),
        )
        .unwrap()
        .unwrap();
        assert_eq!(parsed["slug"], "my-app", "lower-cased and trimmed");
        assert_eq!(parsed["template"], "default");
        assert!(is_project_slug("a_b-c1"));
        for bad in ["_a", "a-", "a__b", "A", ""] {
            assert!(!is_project_slug(bad), "{bad}");
        }
    }
}
