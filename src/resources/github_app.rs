//! Data source `infisical_github_app`: an organization's GitHub App registered with Infisical,
//! looked up by name or id, so that a module writes `github_app_id =
//! data.infisical_github_app.main.id` instead of pasting a UUID. Registering an app is a browser
//! flow (GitHub's manifest flow), so it stays outside Terraform.

use crate::infisical::GitHubAppRecord;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::model::{Fields, Model, error_at, settle};
use super::validate;

/// The data source's type name.
const TYPE_NAME: &str = "infisical_github_app";

/// Attribute names.
mod attr {
    /// The record's id in Infisical.
    pub(super) const ID: &str = "id";
    /// The record's name in Infisical.
    pub(super) const NAME: &str = "name";
    /// The app's slug on GitHub.
    pub(super) const SLUG: &str = "slug";
    /// GitHub's numeric id of the app.
    pub(super) const APP_ID: &str = "app_id";
    /// The GitHub host.
    pub(super) const HOST: &str = "host";
    /// `cloud` or `server`.
    pub(super) const INSTANCE_TYPE: &str = "instance_type";
}

/// The data source, as the provider registers it.
pub(crate) struct GitHubAppData;

/// The configuration and the result, typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct GitHubApp {
    id: Option<String>,
    name: Option<String>,
    slug: Option<String>,
    app_id: Option<String>,
    host: Option<String>,
    instance_type: Option<String>,
}

impl Model for GitHubApp {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.optional(ID)?,
            name: fields.optional(NAME)?,
            slug: fields.optional(SLUG)?,
            app_id: fields.optional(APP_ID)?,
            host: fields.optional(HOST)?,
            instance_type: fields.optional(INSTANCE_TYPE)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        let text = |value: &Option<String>| Value::opt_string(value.as_deref());
        vec![
            (ID, text(&self.id)),
            (NAME, text(&self.name)),
            (SLUG, text(&self.slug)),
            (APP_ID, text(&self.app_id)),
            (HOST, text(&self.host)),
            (INSTANCE_TYPE, text(&self.instance_type)),
        ]
    }
}

impl GitHubApp {
    fn from_record(record: &GitHubAppRecord) -> Self {
        Self {
            id: record.id.clone(),
            name: Some(record.name.clone()),
            slug: record.slug.clone(),
            app_id: record.app_id.clone(),
            host: record.host.clone(),
            instance_type: record.instance_type.map(|t| t.as_str().to_owned()),
        }
    }
}

/// The data source's schema.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let computed = |name, text| Attribute::string(name).computed().description(text);
    Schema {
        version: 0,
        description: "Reads a GitHub App that an organization registered with Infisical, by `name` \
                      or `id`: its `id` is what `github-app` connections name as \
                      `credentials.github_app_id`. The instance's shared GitHub App has no id and \
                      is never matched.",
        attributes: vec![
            Attribute::string(ID)
                .optional_computed()
                .description("The app record's id in Infisical (a UUID). Set this or `name`."),
            Attribute::string(NAME)
                .optional_computed()
                .description("The app record's name in Infisical. Set this or `id`."),
            computed(SLUG, "The app's slug on GitHub."),
            computed(APP_ID, "GitHub's numeric id of the app."),
            computed(HOST, "The GitHub host the app lives on."),
            computed(INSTANCE_TYPE, "`cloud` or `server`."),
        ],
    }
}

/// Exactly one of `id` and `name`.
fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    let (id, name) = (config.get(ID), config.get(NAME));
    validate::uuid(id, AttrPath::new(ID), diags);
    validate::not_blank(name, AttrPath::new(NAME), diags);
    validate::one_lookup_key(config, ID, NAME, "GitHub App", diags);
}

#[tonic::async_trait]
impl DataSource<Configured> for GitHubAppData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
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

/// The organization's app that the configuration names.
async fn lookup(api: &Configured, config: &Value) -> Result<Value, Diagnostic> {
    let keys = GitHubApp::from_value(config)?;
    let records = api
        .client_or_error()?
        .github_apps()
        .await
        .map_err(|err| api.error("list the organization's GitHub Apps", &err))?;
    // The instance's shared app has no id: no name lookup may match it.
    let own: Vec<&GitHubAppRecord> = records.iter().filter(|r| r.id.is_some()).collect();
    let (found, key, what) = match (&keys.id, &keys.name) {
        (Some(id), _) => (
            own.iter().find(|r| r.id.as_deref() == Some(id.as_str())),
            attr::ID,
            format!("with id {id}"),
        ),
        (None, Some(name)) => (
            own.iter().find(|r| &r.name == name),
            attr::NAME,
            format!("named {name:?}"),
        ),
        (None, None) => {
            return Err(super::model::missing(
                &AttrPath::new(attr::ID),
                &Value::Null,
            ));
        }
    };
    match found {
        Some(record) => Ok(GitHubApp::from_record(record).to_value()),
        None => Err(error_at(
            AttrPath::new(key),
            "GitHub App not found",
            format!(
                "Infisical has no GitHub App {what} in this organization. {}",
                known(&own)
            ),
        )),
    }
}

/// What exists, for a lookup that found nothing: the organization's own apps, each with its id.
/// A record without an id (the instance's shared app) is not the organization's to name, so it
/// is left out here rather than shown with a made-up id.
fn known(own: &[&GitHubAppRecord]) -> String {
    let names: Vec<String> = own
        .iter()
        .filter_map(|r| r.id.as_deref().map(|id| format!("{:?} ({id})", r.name)))
        .collect();
    if names.is_empty() {
        return "The organization has no GitHub Apps of its own: register one in Infisical \
                (Organization → App Connections → GitHub → GitHub App), or leave \
                `github_app_id` unset to use the instance's shared app."
            .to_owned();
    }
    format!("Its GitHub Apps are: {}.", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<GitHubApp>(&schema());
    }

    #[test]
    fn exactly_one_lookup_key() {
        let check = |id: Value, name: Value| {
            let mut config = schema().null_object();
            config.set(attr::ID, id);
            config.set(attr::NAME, name);
            let mut diags = Diagnostics::new();
            validate_config(&config, &mut diags);
            !diags.has_errors()
        };
        let id = || Value::string("6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f");
        assert!(check(id(), Value::Null));
        assert!(check(Value::Null, Value::string("main")));
        assert!(!check(Value::Null, Value::Null));
        assert!(!check(id(), Value::string("main")));
        assert!(!check(Value::string("main"), Value::Null));
    }

    #[test]
    fn a_miss_lists_the_organizations_apps_and_never_the_shared_one() {
        let record = |id: Option<&str>, name: &str| GitHubAppRecord {
            id: id.map(str::to_owned),
            name: name.to_owned(),
            slug: None,
            app_id: None,
            host: None,
            instance_type: None,
        };
        let shared = record(None, "Infisical");
        let main = record(Some("a1"), "main");
        assert!(known(&[]).contains("no GitHub Apps of its own"));
        let text = known(&[&main]);
        assert!(text.contains("\"main\" (a1)"), "{text}");
        assert!(!text.contains(&shared.name), "{text}");
    }
}
