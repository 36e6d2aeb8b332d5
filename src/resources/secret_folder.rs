//! Resource `infisical_secret_folder`: a folder of an environment, with the official provider's
//! attributes (schema version 0), on the current routes (`/api/v2/folders`).
//!
//! Unlike the official resource, a rename made in the UI is refreshed (the official Read never
//! reads the name back), paths are compared as the server stores them (a leading `/` added, a
//! trailing one removed), and import derives the parent path with `/` on every platform.

use crate::infisical::{Client, Folder, FolderFields};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model, same_description};
use super::plain::{Lifecycle, Unfinished};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_secret_folder";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const FOLDER_PATH: &str = "folder_path";
    pub(super) const ENVIRONMENT_SLUG: &str = "environment_slug";
    pub(super) const PROJECT_ID: &str = "project_id";
    pub(super) const ENVIRONMENT_ID: &str = "environment_id";
    pub(super) const PATH: &str = "path";
    pub(super) const FORCE_DELETE: &str = "force_delete";
    pub(super) const DESCRIPTION: &str = "description";
}

/// The resource, as the provider registers it.
pub(crate) struct SecretFolder;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct FolderState {
    id: Computed,
    name: String,
    folder_path: String,
    environment_slug: String,
    project_id: String,
    environment_id: Computed,
    path: Computed,
    force_delete: bool,
    description: Option<String>,
}

impl Model for FolderState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let force_delete = match fields.get(FORCE_DELETE) {
            Value::Bool(b) => *b,
            other => return Err(super::model::missing(&fields.path(FORCE_DELETE), other)),
        };
        Ok(Self {
            id: fields.computed(ID)?,
            name: fields.required(NAME)?,
            folder_path: fields.required(FOLDER_PATH)?,
            environment_slug: fields.required(ENVIRONMENT_SLUG)?,
            project_id: fields.required(PROJECT_ID)?,
            environment_id: fields.computed(ENVIRONMENT_ID)?,
            path: fields.computed(PATH)?,
            force_delete,
            description: fields.optional(DESCRIPTION)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (ID, self.id.to_value()),
            (NAME, Value::string(&self.name)),
            (FOLDER_PATH, Value::string(&self.folder_path)),
            (ENVIRONMENT_SLUG, Value::string(&self.environment_slug)),
            (PROJECT_ID, Value::string(&self.project_id)),
            (ENVIRONMENT_ID, self.environment_id.to_value()),
            (PATH, self.path.to_value()),
            (FORCE_DELETE, Value::Bool(self.force_delete)),
            (DESCRIPTION, Value::opt_string(self.description.as_deref())),
        ]
    }
}

/// A folder path as Infisical stores it: trimmed, a leading `/` added, a trailing one removed
/// (`prefixWithSlash`, `removeTrailingSlash`), `/` itself kept.
pub(super) fn stored_path(path: &str) -> String {
    let trimmed = path.trim();
    let prefixed = if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    };
    match prefixed.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => prefixed,
    }
}

/// The parent of the full path `path` (`/a/b` → `/a`, `/a` → `/`), with `/` on every platform.
fn parent_of(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/".to_owned(),
        Some((parent, _)) => parent.to_owned(),
    }
}

impl FolderState {
    /// The state after Infisical answered with `folder` (its full `path` known), keeping what
    /// means the same: a parent path written another way, a null or `""` description.
    fn answered(&self, folder: &Folder, path: &str, environment_slug: Option<&str>) -> Self {
        let parent = parent_of(path);
        let folder_path = if stored_path(&self.folder_path) == parent {
            self.folder_path.clone()
        } else {
            parent
        };
        let description =
            if same_description(self.description.as_deref(), folder.description.as_deref()) {
                self.description.clone()
            } else {
                folder.description.clone()
            };
        Self {
            id: Computed::Known(folder.id.clone()),
            name: folder.name.clone(),
            folder_path,
            environment_slug: environment_slug
                .map_or_else(|| self.environment_slug.clone(), str::to_owned),
            project_id: folder
                .project_id
                .clone()
                .unwrap_or_else(|| self.project_id.clone()),
            environment_id: Computed::Known(folder.env_id.clone()),
            path: Computed::Known(path.to_owned()),
            force_delete: self.force_delete,
            description,
        }
    }

    /// The full path of a folder named `name` in this one's parent, for an answer without it.
    fn full_path(&self, name: &str) -> String {
        match stored_path(&self.folder_path).as_str() {
            "/" => format!("/{name}"),
            parent => format!("{parent}/{name}"),
        }
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| super::model::missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }

    fn fields(&self) -> FolderFields<'_> {
        FolderFields {
            project_id: &self.project_id,
            environment: &self.environment_slug,
            name: &self.name,
            path: &self.folder_path,
            description: self.description.as_deref(),
        }
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A folder in an environment of a project: where secrets are kept and what \
                      secret syncs read from.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The folder's id."),
            Attribute::string(NAME)
                .required()
                .description("The folder's name: letters, digits, `-` and `_`. Renamed in place."),
            Attribute::string(FOLDER_PATH)
                .required()
                .requires_replace()
                .description("The path of the folder it is created in, `/` for the root."),
            Attribute::string(ENVIRONMENT_SLUG)
                .required()
                .requires_replace()
                .description("The slug of the environment it is in."),
            Attribute::string(PROJECT_ID)
                .required()
                .requires_replace()
                .description("The id of the project it is in."),
            Attribute::string(ENVIRONMENT_ID)
                .computed()
                .use_state_for_unknown()
                .description("The id of the environment it is in."),
            Attribute::string(PATH).computed().description(
                "The folder's full path, its name included: what secrets and syncs name it by.",
            ),
            Attribute::bool(FORCE_DELETE)
                .optional_computed()
                .default(Value::Bool(false))
                .description("Delete the folder even when it holds secrets that others reference."),
            Attribute::string(DESCRIPTION)
                .optional_computed()
                .default(Value::string(""))
                .description("The folder's description."),
        ],
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    if let Some(name) = config.get(NAME).as_str()
        && (name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        diags.attr_error(
            AttrPath::new(NAME),
            "Invalid folder name",
            format!(
                "name {name:?} can only contain letters, digits, dashes and underscores, as \
                 Infisical requires."
            ),
        );
    }
    validate::not_blank(
        config.get(ENVIRONMENT_SLUG),
        AttrPath::new(ENVIRONMENT_SLUG),
        diags,
    );
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    validate::not_blank(config.get(FOLDER_PATH), AttrPath::new(FOLDER_PATH), diags);
}

fn folder_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Projects, action, err)
}

/// The folder with id `id`, with its full path and environment slug; `None` when gone.
async fn fetch(
    client: &Client,
    id: &str,
) -> Result<Option<(Folder, String, String)>, crate::infisical::Error> {
    settle_fetch(client.projects().folder(id).await)
}

/// A folder read: the folder with its full path and environment slug, or `None` when it is gone.
fn settle_fetch(
    read: Result<Folder, crate::infisical::Error>,
) -> Result<Option<(Folder, String, String)>, crate::infisical::Error> {
    match read {
        Ok(folder) => {
            let path = folder.path.clone().unwrap_or_default();
            let slug = folder
                .environment
                .as_ref()
                .map(|e| e.env_slug.clone())
                .unwrap_or_default();
            Ok(Some((folder, path, slug)))
        }
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

#[tonic::async_trait]
impl Lifecycle for SecretFolder {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let folder = FolderState::from_value(planned)?;
        let client = api.client_or_error()?;
        let action = format!(
            "create the folder {:?} in {}:{}",
            folder.name, folder.environment_slug, folder.folder_path
        );
        let made = client
            .projects()
            .create_folder(&folder.fields())
            .await
            .map_err(|err| folder_error(api, &action, &err))?;
        let path = made
            .path
            .clone()
            .unwrap_or_else(|| folder.full_path(&made.name));
        Ok(Stored {
            state: folder.answered(&made, &path, None).to_value(),
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
        let current = FolderState::from_value(state)?;
        let id = current.known_id()?;
        // From the environment's listing (one request for all its folders), or by id.
        let read = client
            .projects()
            .read_folder(id, &current.project_id, &current.environment_slug)
            .await;
        match settle_fetch(read) {
            Ok(Some((folder, path, slug))) => Ok(ReadOutcome::Found(Stored {
                state: current.answered(&folder, &path, Some(&slug)).to_value(),
                private: Vec::new(),
            })),
            Ok(None) => Ok(ReadOutcome::Gone),
            Err(err) => Err(folder_error(api, &format!("read the folder {id}"), &err)),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = FolderState::from_value(prior)?;
        let after = FolderState::from_value(planned)?;
        let id = before.known_id()?;
        let client = api.client_or_error()?;
        let updated = client
            .projects()
            .update_folder(id, &after.fields())
            .await
            .map_err(|err| folder_error(api, &format!("update the folder {id}"), &err))?;
        let path = updated
            .path
            .clone()
            .unwrap_or_else(|| after.full_path(&updated.name));
        Ok(Stored {
            state: after.answered(&updated, &path, None).to_value(),
            private: Vec::new(),
        })
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let folder = FolderState::from_value(prior)?;
        let id = folder.known_id()?;
        match api
            .client_or_error()?
            .projects()
            .delete_folder(
                id,
                &folder.project_id,
                &folder.environment_slug,
                &folder.folder_path,
                folder.force_delete,
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(folder_error(api, &format!("delete the folder {id}"), &err)),
        }
    }

    /// Imports by the folder's id, as the official provider does.
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        if id.trim().is_empty() || id.contains('/') {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!("import a folder by its id; got {id:?}."),
                path: None,
            });
        }
        match fetch(api.client_or_error()?, id).await {
            Ok(Some((folder, path, slug))) => {
                let blank = FolderState {
                    id: Computed::Null,
                    name: folder.name.clone(),
                    folder_path: parent_of(&path),
                    environment_slug: slug.clone(),
                    project_id: folder.project_id.clone().unwrap_or_default(),
                    environment_id: Computed::Null,
                    path: Computed::Null,
                    force_delete: false,
                    description: Some(String::new()),
                };
                Ok(blank.answered(&folder, &path, Some(&slug)).to_value())
            }
            Ok(None) => Err(Diagnostic {
                severity: Severity::Error,
                summary: "Cannot import folder".to_owned(),
                detail: format!("Infisical has no folder with id {id:?}."),
                path: None,
            }),
            Err(err) => Err(folder_error(
                api,
                &format!("import the folder {id:?}"),
                &err,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<FolderState>(&schema());
    }

    #[test]
    fn paths_compare_as_infisical_stores_them() {
        for (given, stored) in [
            ("/", "/"),
            ("", "/"),
            ("/app/", "/app"),
            ("app", "/app"),
            (" /app/api/ ", "/app/api"),
        ] {
            assert_eq!(stored_path(given), stored, "{given:?}");
        }
        assert_eq!(parent_of("/app"), "/");
        assert_eq!(parent_of("/app/api"), "/app");
        let at = |folder_path: &str| FolderState {
            id: Computed::Null,
            name: "api".into(),
            folder_path: folder_path.into(),
            environment_slug: "prod".into(),
            project_id: "p".into(),
            environment_id: Computed::Null,
            path: Computed::Null,
            force_delete: false,
            description: None,
        };
        assert_eq!(at("/").full_path("api"), "/api");
        assert_eq!(at("app/").full_path("api"), "/app/api");
    }

    #[test]
    fn folder_names_are_checked_at_plan() {
        let check = |name: Value| {
            let mut config = schema().null_object();
            config.set(attr::NAME, name);
            let mut diags = Diagnostics::new();
            validate_config(&config, &mut diags);
            !diags.has_errors()
        };
        assert!(check(Value::string("app_api-2")));
        assert!(check(Value::Unknown));
        assert!(!check(Value::string("app api")));
        assert!(!check(Value::string("app/api")));
    }
}
