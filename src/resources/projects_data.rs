//! Data source `infisical_projects`: a project looked up by its slug, with its environments keyed
//! by slug — the official provider's data source of the same name and attributes, read from the
//! current route (`GET /api/v1/projects/slug/:slug`) instead of the deprecated
//! `/api/v2/workspace/:slug`.

use crate::infisical::Project;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::settle;
use super::validate;

/// The data source's type name.
const TYPE_NAME: &str = "infisical_projects";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const SLUG: &str = "slug";
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const AUTO_CAPITALIZATION: &str = "auto_capitalization";
    pub(super) const ORG_ID: &str = "org_id";
    pub(super) const CREATED_AT: &str = "created_at";
    pub(super) const UPDATED_AT: &str = "updated_at";
    pub(super) const VERSION: &str = "version";
    pub(super) const UPGRADE_STATUS: &str = "upgrade_status";
    pub(super) const ENVIRONMENTS: &str = "environments";
}

/// The data source, as the provider registers it.
pub(crate) struct ProjectsData;

/// The data source's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let computed = |name, text| Attribute::string(name).computed().description(text);
    let environment = vec![
        computed(NAME, "The environment's name."),
        computed(SLUG, "The environment's slug."),
        computed(ID, "The environment's id."),
    ];
    Schema {
        version: 0,
        description: "Reads a project by its slug: its id, and its environments keyed by slug, \
                      for configurations that name a project made elsewhere.",
        attributes: vec![
            Attribute::string(SLUG)
                .required()
                .description("The slug of the project to read."),
            computed(ID, "The project's id."),
            computed(NAME, "The project's name."),
            Attribute::bool(AUTO_CAPITALIZATION)
                .computed()
                .description("Whether Infisical upper-cases the project's secret names."),
            computed(ORG_ID, "The id of the organization the project belongs to."),
            computed(CREATED_AT, "When the project was created."),
            computed(UPDATED_AT, "When the project last changed."),
            Attribute::number(VERSION)
                .computed()
                .description("The project's encryption version."),
            computed(
                UPGRADE_STATUS,
                "The state of an encryption upgrade, if one ran.",
            ),
            Attribute::map_nested(ENVIRONMENTS, environment)
                .computed()
                .description("The project's environments, keyed by slug."),
        ],
    }
}

/// The state of `project`, read by `slug`.
fn state_of(project: &Project) -> Value {
    use attr::*;
    let text = |v: &Option<String>| Value::opt_string(v.as_deref());
    let environments = project.environments.iter().map(|env| {
        (
            env.slug.clone(),
            Value::object([
                (NAME, Value::string(&env.name)),
                (SLUG, Value::string(&env.slug)),
                (ID, Value::string(&env.id)),
            ]),
        )
    });
    Value::object([
        (SLUG, Value::string(&project.slug)),
        (ID, Value::string(&project.id)),
        (NAME, Value::string(&project.name)),
        (
            AUTO_CAPITALIZATION,
            project.auto_capitalization.map_or(Value::Null, Value::Bool),
        ),
        (ORG_ID, Value::string(&project.org_id)),
        (CREATED_AT, text(&project.created_at)),
        (UPDATED_AT, text(&project.updated_at)),
        (VERSION, project.version.map_or(Value::Null, Value::int)),
        (UPGRADE_STATUS, text(&project.upgrade_status)),
        (ENVIRONMENTS, Value::Map(environments.collect())),
    ])
}

#[tonic::async_trait]
impl DataSource<Configured> for ProjectsData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // Infisical's project slugs: `slugSchema`, at most 64 characters to look one up.
        validate::slug(
            config.get(attr::SLUG),
            AttrPath::new(attr::SLUG),
            64,
            "project slug",
            "my-project",
            diags,
        );
    }

    async fn read(
        &self,
        api: &Configured,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        settle(lookup(api, config).await, diags)
    }
}

async fn lookup(api: &Configured, config: &Value) -> Result<Value, Diagnostic> {
    let Some(slug) = config.get(attr::SLUG).as_str() else {
        return Err(super::model::missing(
            &AttrPath::new(attr::SLUG),
            config.get(attr::SLUG),
        ));
    };
    let project = api
        .client_or_error()?
        .projects()
        .get_by_slug(slug)
        .await
        .map_err(|err| api.error_in(Area::Projects, &format!("read the project {slug:?}"), &err))?;
    Ok(state_of(&project))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::EnvironmentRef;

    #[test]
    fn the_state_has_every_attribute_of_the_schema_and_environments_by_slug() {
        let project = Project {
            id: "p1".into(),
            name: "App".into(),
            slug: "app-prod".into(),
            description: None,
            project_type: None,
            org_id: "o1".into(),
            has_delete_protection: None,
            audit_logs_retention_days: None,
            auto_capitalization: Some(false),
            version: Some(3),
            upgrade_status: None,
            created_at: Some("2026-12-01T00:00:00.000Z".into()),
            updated_at: None,
            environments: vec![EnvironmentRef {
                id: "e1".into(),
                name: "Development".into(),
                slug: "dev".into(),
            }],
        };
        let state = state_of(&project);
        let ty = schema().value_type();
        crate::tfplugin::value::to_msgpack(&state, &ty).expect("the state fits the schema");
        assert_eq!(
            state.get(attr::ENVIRONMENTS).get("dev").get(attr::ID),
            &Value::string("e1")
        );
        assert_eq!(state.get(attr::VERSION), &Value::int(3));
    }

    #[test]
    fn a_slug_is_checked_at_plan_and_an_unknown_one_is_not() {
        let check = |slug: Value| {
            let mut config = schema().null_object();
            config.set(attr::SLUG, slug);
            let mut diags = Diagnostics::new();
            ProjectsData.validate(&config, &mut diags);
            !diags.has_errors()
        };
        assert!(check(Value::string("app-prod")));
        assert!(check(Value::Unknown));
        assert!(!check(Value::string("App Prod")));
    }
}
