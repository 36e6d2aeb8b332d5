//! The deprecated routes' request schemas, rule for rule and message for message, each giving
//! the typed input the current route's service already takes: `POST /api/v2/workspace`
//! (`routes/v2/deprecated-project-router.ts`), the environments under `/api/v1/workspace`
//! (`routes/v1/deprecated-project-env-router.ts`), the folders under `/api/v1/folders`
//! (`routes/v1/deprecated-secret-folder-router.ts`) and the raw secrets under
//! `/api/v3/secrets/raw` (`routes/v3/deprecated-secret-router.ts`). Where the current route takes
//! `projectId`, these take `workspaceId` (and the secrets also a project slug): [`ProjectRef`].

use std::sync::LazyLock;

use serde_json::Value;

use super::folder::{FolderInput, check_name, folder_path};
use super::project::{
    CreateEnvironmentInput, CreateProjectInput, DEFAULT_TEMPLATE, PROJECT_TYPES, SLUG_64,
    SLUG_CHARACTERS, UpdateEnvironmentInput, check_at_least_one, slug_schema,
};
use super::secret::{
    self, CreateInput, DeleteInput, GetQuery, ListQuery, Location, NewSecret, SecretChanges,
    UpdateInput, metadata_schema, reminder_note, secret_path, secret_type, string_boolean,
};
use super::{Input, text, validated};
use crate::error::ApiError;
use crate::store::secrets::EnvironmentChange;
use crate::zod::{Schema, array, nullish, optional, record, refine, string, with_default};

/// zod's default `min(1)` message for a string.
const AT_LEAST_ONE: &str = "String must contain at least 1 character(s)";

fn trimmed() -> Schema {
    string().trim().into()
}

fn optional_trimmed() -> Schema {
    optional(string().trim())
}

/// How a deprecated route names the project: its id (`workspaceId`) or its slug. The server's
/// `extractProjectIdFromSlug` takes the id when there is one (an empty string is none), and
/// else looks the slug up.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectRef {
    pub(crate) id: Option<String>,
    pub(crate) slug: Option<String>,
}

impl ProjectRef {
    fn read(value: &Value, id: &str, slug: &str) -> Self {
        let given = |key: &str| text(value, key).filter(|s| !s.is_empty());
        Self {
            id: given(id),
            slug: given(slug),
        }
    }
}

// ----- projects (routes/v2/deprecated-project-router.ts) -----

/// `POST /api/v2/workspace`'s body: the current route's, without its name and description
/// length limits.
static CREATE_PROJECT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectName", trimmed()),
        ("projectDescription", optional_trimmed()),
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

/// A validated `POST /api/v2/workspace`: the current create's input.
pub(crate) struct CreateProjectV2(pub(crate) CreateProjectInput);

impl Input for CreateProjectV2 {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_PROJECT, body)?;
        Ok(Self(CreateProjectInput {
            name: text(&value, "projectName").unwrap_or_default(),
            description: text(&value, "projectDescription"),
            slug: text(&value, "slug"),
            template: text(&value, "template").unwrap_or_default(),
            project_type: text(&value, "type").unwrap_or_default(),
            create_default_envs: value["shouldCreateDefaultEnvs"] != false,
            has_delete_protection: value["hasDeleteProtection"] == true,
        }))
    }
}

/// `DELETE /api/v2/workspace/:slug`'s params: `slugSchema({ min: 5, max: 64 })`.
pub(crate) static DELETE_SLUG_PARAMS: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![(
        "slug",
        slug_schema(
            (
                (5, "Slug field must be at least 5 characters"),
                (64, "Slug field must be at most 64 characters"),
            ),
            SLUG_CHARACTERS,
        )
        .into(),
    )])
});

// ----- environments (routes/v1/deprecated-project-env-router.ts) -----

/// An environment's name there: `z.string().trim().min(1).max(255)`.
fn environment_name() -> crate::zod::StrRules {
    string()
        .trim()
        .min(1, AT_LEAST_ONE)
        .max(255, "String must contain at most 255 character(s)")
}

/// `POST /api/v1/workspace/:workspaceId/environments`'s body.
static CREATE_ENVIRONMENT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("name", environment_name().into()),
        (
            "position",
            optional(refine(Schema::Number, check_at_least_one)),
        ),
        ("slug", slug_schema(SLUG_64, SLUG_CHARACTERS).into()),
    ])
});

/// `PATCH /api/v1/workspace/:workspaceId/environments/:id`'s body.
static UPDATE_ENVIRONMENT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("slug", optional(slug_schema(SLUG_64, SLUG_CHARACTERS))),
        ("name", optional(environment_name())),
        ("position", optional(Schema::Number)),
    ])
});

/// A validated deprecated environment create: the current create's input.
pub(crate) struct CreateEnvironmentV1(pub(crate) CreateEnvironmentInput);

impl Input for CreateEnvironmentV1 {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_ENVIRONMENT, body)?;
        Ok(Self(CreateEnvironmentInput {
            name: text(&value, "name").unwrap_or_default(),
            slug: text(&value, "slug").unwrap_or_default(),
            position: value.get("position").and_then(Value::as_f64),
        }))
    }
}

/// A validated deprecated environment `PATCH`: the current `PATCH`'s input.
pub(crate) struct UpdateEnvironmentV1(pub(crate) UpdateEnvironmentInput);

impl Input for UpdateEnvironmentV1 {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_ENVIRONMENT, body)?;
        Ok(Self(UpdateEnvironmentInput(EnvironmentChange {
            slug: text(&value, "slug"),
            name: text(&value, "name"),
            position: value.get("position").and_then(Value::as_f64),
        })))
    }
}

// ----- folders (routes/v1/deprecated-secret-folder-router.ts) -----

/// The create and `PATCH` bodies, which are the same: `path` (or the CLI's `directory`) is
/// optional, and its default is skipped when it is absent.
static FOLDER: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("workspaceId", trimmed()),
        ("environment", trimmed()),
        ("name", refine(string().trim(), check_name)),
        ("path", optional_trimmed()),
        ("directory", optional_trimmed()),
        ("description", nullish(string())),
    ])
});

/// A validated deprecated folder create or `PATCH`: the current route's input, its path
/// `path || directory || "/"` as the handler picks it.
pub(crate) struct FolderV1(pub(crate) FolderInput);

impl Input for FolderV1 {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&FOLDER, body)?;
        let path = ["path", "directory"]
            .iter()
            .find_map(|key| text(&value, key))
            .map_or_else(|| "/".to_owned(), |p| folder_path(&p));
        Ok(Self(FolderInput {
            project_id: text(&value, "workspaceId").unwrap_or_default(),
            environment: text(&value, "environment").unwrap_or_default(),
            name: text(&value, "name").unwrap_or_default(),
            path,
            description: value
                .get("description")
                .map(|d| d.as_str().map(str::to_owned)),
        }))
    }
}

// ----- raw secrets (routes/v3/deprecated-secret-router.ts) -----

/// The project fields of a v3 write body, where v4 has `projectId`.
fn v3_project() -> [(&'static str, Schema); 2] {
    [
        ("workspaceId", optional_trimmed()),
        ("projectSlug", optional_trimmed()),
    ]
}

/// `POST /api/v3/secrets/raw/:secretName`'s body.
static CREATE_SECRET: LazyLock<Schema> = LazyLock::new(|| {
    let mut fields = Vec::from(v3_project());
    fields.extend([
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
    ]);
    Schema::Object(fields)
});

/// `PATCH /api/v3/secrets/raw/:secretName`'s body.
static UPDATE_SECRET: LazyLock<Schema> = LazyLock::new(|| {
    let mut fields = Vec::from(v3_project());
    fields.extend([
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
        ("newSecretName", optional(secret::secret_name())),
        ("secretComment", optional(string())),
    ]);
    Schema::Object(fields)
});

/// `DELETE /api/v3/secrets/raw/:secretName`'s body.
static DELETE_SECRET: LazyLock<Schema> = LazyLock::new(|| {
    let mut fields = Vec::from(v3_project());
    fields.extend([
        ("environment", trimmed()),
        ("secretPath", secret_path()),
        ("type", secret_type()),
    ]);
    Schema::Object(fields)
});

/// A v3 input: the project as the body names it, and the current route's input, whose
/// `projectId` the handler fills in once [`ProjectRef`] is resolved.
pub(crate) struct V3<T> {
    pub(crate) project: ProjectRef,
    pub(crate) input: T,
}

fn body_project(value: &Value) -> ProjectRef {
    ProjectRef::read(value, "workspaceId", "projectSlug")
}

impl Input for V3<CreateInput> {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE_SECRET, body)?;
        Ok(Self {
            project: body_project(&value),
            input: CreateInput {
                at: Location::read(&value),
                personal: value["type"] == "personal",
                secret: NewSecret::read(String::new(), &value),
            },
        })
    }
}

impl Input for V3<UpdateInput> {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE_SECRET, body)?;
        let mut changes = SecretChanges::read(String::new(), &value);
        // The route's `secretPath` is the location, not a per-secret folder.
        changes.secret_path = None;
        Ok(Self {
            project: body_project(&value),
            input: UpdateInput {
                at: Location::read(&value),
                personal: value["type"] == "personal",
                changes,
            },
        })
    }
}

impl Input for V3<DeleteInput> {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&DELETE_SECRET, body)?;
        Ok(Self {
            project: body_project(&value),
            input: DeleteInput {
                at: Location::read(&value),
                personal: value["type"] == "personal",
            },
        })
    }
}

/// `GET /api/v3/secrets/raw`'s query (the v4 list's, with `workspaceId` or `workspaceSlug`).
pub(crate) static LIST_SECRETS: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        (
            "metadataFilter",
            optional(refine(string(), secret::check_metadata_filter)),
        ),
        ("workspaceId", optional_trimmed()),
        ("workspaceSlug", optional_trimmed()),
        ("environment", optional_trimmed()),
        ("secretPath", secret_path()),
        ("viewSecretValue", string_boolean(true)),
        ("expandSecretReferences", string_boolean(false)),
        ("recursive", string_boolean(false)),
        ("include_imports", string_boolean(false)),
        ("tagSlugs", optional(string())),
    ])
});

/// `GET /api/v3/secrets/raw/:secretName`'s query.
pub(crate) static GET_SECRET: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("workspaceId", optional_trimmed()),
        ("workspaceSlug", optional_trimmed()),
        ("environment", optional_trimmed()),
        ("secretPath", secret_path()),
        ("version", optional(refine(string(), secret::check_number))),
        ("type", secret_type()),
        ("viewSecretValue", string_boolean(true)),
        ("expandSecretReferences", string_boolean(false)),
        ("include_imports", string_boolean(false)),
    ])
});

/// The v3 list's query read into the v4 list's (its project filled in once resolved).
pub(crate) fn list_query(value: &Value) -> V3<ListQuery> {
    V3 {
        project: ProjectRef::read(value, "workspaceId", "workspaceSlug"),
        input: ListQuery::new(value),
    }
}

/// The v3 get-by-name query read into the v4 one (its project filled in once resolved).
pub(crate) fn get_query(value: &Value) -> V3<GetQuery> {
    V3 {
        project: ProjectRef::read(value, "workspaceId", "workspaceSlug"),
        input: GetQuery::new(value),
    }
}
