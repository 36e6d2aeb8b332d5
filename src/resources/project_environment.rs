//! Resource `infisical_project_environment`: one environment of a project, with the official
//! provider's attributes (schema version 0), on the current routes
//! (`/api/v1/projects/{project_id}/environments`).
//!
//! Where the official resource goes wrong, this one does not: a rename with `position` left out
//! of the configuration keeps the planned position (the official PATCH sends `position: 0`, which
//! the server stores, and then saves an unknown value), and a name the server trims is compared
//! as the server stores it.

use crate::infisical::{Environment, EnvironmentFields};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model};
use super::plain::{Lifecycle, Unfinished, deleted, stored};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_project_environment";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const SLUG: &str = "slug";
    pub(super) const PROJECT_ID: &str = "project_id";
    pub(super) const POSITION: &str = "position";
}

/// The resource, as the provider registers it.
pub(crate) struct ProjectEnvironment;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct Env {
    id: Computed,
    name: String,
    slug: String,
    project_id: String,
    position: Position,
}

/// `position`: unknown in the plan of a create that leaves it to Infisical; null only in a
/// state that never had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Unknown,
    Null,
    Known(i64),
}

impl Position {
    fn known(self) -> Option<i64> {
        match self {
            Position::Known(p) => Some(p),
            Position::Unknown | Position::Null => None,
        }
    }

    fn to_value(self) -> Value {
        match self {
            Position::Unknown => Value::Unknown,
            Position::Null => Value::Null,
            Position::Known(p) => Value::int(p),
        }
    }
}

impl Model for Env {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let position = match fields.get(POSITION) {
            Value::Unknown => Position::Unknown,
            _ => fields
                .whole(POSITION)?
                .map_or(Position::Null, Position::Known),
        };
        Ok(Self {
            id: fields.computed(ID)?,
            name: fields.required(NAME)?,
            slug: fields.required(SLUG)?,
            project_id: fields.required(PROJECT_ID)?,
            position,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (ID, self.id.to_value()),
            (NAME, Value::string(&self.name)),
            (SLUG, Value::string(&self.slug)),
            (PROJECT_ID, Value::string(&self.project_id)),
            (POSITION, self.position.to_value()),
        ]
    }
}

impl Env {
    /// The state after Infisical answered with `env`, keeping what means the same: a name the
    /// server trimmed stays as configured.
    fn answered(&self, env: &Environment) -> Self {
        let name = if self.name.trim() == env.name {
            self.name.clone()
        } else {
            env.name.clone()
        };
        Self {
            id: Computed::Known(env.id.clone()),
            name,
            slug: env.slug.clone(),
            project_id: self.project_id.clone(),
            position: Position::Known(env.position),
        }
    }

    fn from_api(env: &Environment) -> Self {
        Self {
            id: Computed::Known(env.id.clone()),
            name: env.name.clone(),
            slug: env.slug.clone(),
            project_id: env.project_id.clone(),
            position: Position::Known(env.position),
        }
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| super::model::missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "An environment of a project (such as `dev` or `prod`): the level at which \
                      Infisical keeps a set of secrets and folders.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The environment's id."),
            Attribute::string(NAME)
                .required()
                .description("The environment's name, as the UI shows it."),
            Attribute::string(SLUG).required().description(
                "The environment's slug, unique in the project: what secrets, folders and syncs \
                 name it by. At most 64 lowercase letters, digits and single hyphens.",
            ),
            Attribute::string(PROJECT_ID)
                .required()
                .requires_replace()
                .description("The id of the project the environment belongs to."),
            Attribute::number(POSITION)
                .optional_computed()
                .use_state_for_unknown()
                .description(
                    "The environment's place in the project's order, from 1. Left out, a new \
                     environment goes last and a later change keeps its place.",
                ),
        ],
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::not_blank(config.get(NAME), AttrPath::new(NAME), diags);
    validate::slug(
        config.get(SLUG),
        AttrPath::new(SLUG),
        64,
        "environment slug",
        "staging",
        diags,
    );
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    if let Some(position) = config.get(POSITION).as_int()
        && position < 1
    {
        diags.attr_error(
            AttrPath::new(POSITION),
            "Invalid position",
            format!("position {position} must be 1 or more: environments are ordered from 1."),
        );
    }
}

fn env_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Projects, action, err)
}

fn import_id_error(id: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        summary: "Invalid import id".to_owned(),
        detail: format!(
            "import an environment by its id or by \"<project_id>/<environment_id>\"; got {id:?}."
        ),
        path: None,
    }
}

#[tonic::async_trait]
impl Lifecycle for ProjectEnvironment {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let env = Env::from_value(planned)?;
        let client = api.client_or_error()?;
        let fields = EnvironmentFields {
            name: Some(&env.name),
            slug: Some(&env.slug),
            position: env.position.known(),
        };
        let made = client
            .projects()
            .create_environment(&env.project_id, &fields)
            .await
            .map_err(|err| {
                env_error(
                    api,
                    &format!(
                        "create the environment {:?} in project {}",
                        env.slug, env.project_id
                    ),
                    &err,
                )
            })?;
        Ok(stored(env.answered(&made).to_value()))
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
        let env = Env::from_value(state)?;
        let id = env.known_id()?;
        match client.projects().environment(&env.project_id, id).await {
            Ok(found) if found.project_id == env.project_id => {
                Ok(ReadOutcome::Found(stored(env.answered(&found).to_value())))
            }
            Ok(_) => Ok(ReadOutcome::Gone),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(env_error(api, &format!("read the environment {id}"), &err)),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = Env::from_value(prior)?;
        let after = Env::from_value(planned)?;
        let id = before.known_id()?;
        let client = api.client_or_error()?;
        // Only what changed is sent: a position left out of the configuration keeps the planned
        // (prior) one and is not sent, since Infisical stores whatever number it gets.
        let fields = EnvironmentFields {
            name: (after.name != before.name).then_some(after.name.as_str()),
            slug: (after.slug != before.slug).then_some(after.slug.as_str()),
            position: after
                .position
                .known()
                .filter(|p| Some(*p) != before.position.known()),
        };
        let updated = client
            .projects()
            .update_environment(&after.project_id, id, &fields)
            .await
            .map_err(|err| env_error(api, &format!("update the environment {id}"), &err))?;
        Ok(stored(after.answered(&updated).to_value()))
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let env = Env::from_value(prior)?;
        let id = env.known_id()?;
        deleted(
            api.client_or_error()?
                .projects()
                .delete_environment(&env.project_id, id)
                .await,
            |err| env_error(api, &format!("delete the environment {id}"), err),
        )
    }

    /// Imports by the environment's id, as the official provider does, or by
    /// `<project_id>/<environment_id>`. Infisical reads an environment by its id alone (the
    /// project in the route's path is not consulted), so the bare id needs no project.
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        let (project, env_id) = match id.split_once('/') {
            Some((project, env_id)) => (project, env_id),
            None => (id, id),
        };
        if env_id.trim().is_empty() || project.trim().is_empty() {
            return Err(import_id_error(id));
        }
        let client = api.client_or_error()?;
        match client.projects().environment(project, env_id).await {
            Ok(env) => Ok(Env::from_api(&env).to_value()),
            Err(err) => {
                let mut diag = env_error(api, &format!("import the environment {id:?}"), &err);
                if err.is_not_found() {
                    diag.detail.push_str(
                        "\n\nImport an environment by its id, or by \"<project_id>/<environment_id>\".",
                    );
                }
                Err(diag)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<Env>(&schema());
    }

    fn env(name: &str, position: Position) -> Env {
        Env {
            id: Computed::Known("e1".into()),
            name: name.into(),
            slug: "staging".into(),
            project_id: "p1".into(),
            position,
        }
    }

    #[test]
    fn a_trimmed_name_stays_as_configured_and_a_real_rename_is_taken() {
        let answer = |name: &str| Environment {
            id: "e1".into(),
            name: name.into(),
            slug: "staging".into(),
            position: 2,
            project_id: "p1".into(),
        };
        let state = env(" Staging ", Position::Known(2));
        assert_eq!(state.answered(&answer("Staging")).name, " Staging ");
        assert_eq!(state.answered(&answer("QA")).name, "QA");
        assert_eq!(
            env("x", Position::Unknown).answered(&answer("x")).position,
            Position::Known(2)
        );
    }

    #[test]
    fn positions_below_one_and_bad_slugs_fail_at_plan_and_unknowns_do_not() {
        let check = |slug: Value, position: Value| {
            let mut config = schema().null_object();
            config.set(attr::NAME, Value::string("Staging"));
            config.set(attr::PROJECT_ID, Value::string("p1"));
            config.set(attr::SLUG, slug);
            config.set(attr::POSITION, position);
            let mut diags = Diagnostics::new();
            validate_config(&config, &mut diags);
            !diags.has_errors()
        };
        assert!(check(Value::string("staging"), Value::Null));
        assert!(check(Value::string("staging"), Value::int(1)));
        assert!(check(Value::Unknown, Value::Unknown));
        assert!(!check(Value::string("staging"), Value::int(0)));
        assert!(!check(Value::string("Staging"), Value::Null));
    }
}
