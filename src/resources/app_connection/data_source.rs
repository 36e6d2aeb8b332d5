//! The data source of an app's connections (e.g. `infisical_app_connection_github`): looks a
//! connection up by id, or by name (in the organization, or in a project), so modules can
//! reference connections made elsewhere — GitHub App connections are often made in the UI.

use std::marker::PhantomData;

use crate::infisical::AppConnection;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::super::configured::Configured;
use super::super::model::{self, Fields, Model, settle};
use super::super::validate;
use super::attr::*;
use super::{ConnectionApp, scope};

/// The data source of app `A`'s connections, as the provider registers it.
pub(crate) struct AppConnectionData<A>(PhantomData<A>);

impl<A> AppConnectionData<A> {
    /// The data source.
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

/// The data source's configuration and result, typed; `V` is the app's view of the credentials.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found<V> {
    /// The id: a lookup key, or the result.
    pub(crate) id: Option<String>,
    /// The name: a lookup key, or the result.
    pub(crate) name: Option<String>,
    /// Narrows a lookup by name to a project; the project of the result.
    pub(crate) project_id: Option<String>,
    /// The description.
    pub(crate) description: Option<String>,
    /// The method.
    pub(crate) method: Option<String>,
    /// The gateway.
    pub(crate) gateway_id: Option<String>,
    /// The gateway pool.
    pub(crate) gateway_pool_id: Option<String>,
    /// The app's non-secret credential settings.
    pub(crate) view: V,
    /// The server's hash of the stored credentials.
    pub(crate) credentials_hash: Option<String>,
    /// The organization.
    pub(crate) org_id: Option<String>,
    /// When it was created.
    pub(crate) created_at: Option<String>,
    /// When it last changed.
    pub(crate) updated_at: Option<String>,
}

impl<V: Model> Model for Found<V> {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.optional(ID)?,
            name: fields.optional(NAME)?,
            project_id: fields.optional(PROJECT_ID)?,
            description: fields.optional(DESCRIPTION)?,
            method: fields.optional(METHOD)?,
            gateway_id: fields.optional(GATEWAY_ID)?,
            gateway_pool_id: fields.optional(GATEWAY_POOL_ID)?,
            view: V::read(value, at)?,
            credentials_hash: fields.optional(CREDENTIALS_HASH)?,
            org_id: fields.optional(ORG_ID)?,
            created_at: fields.optional(CREATED_AT)?,
            updated_at: fields.optional(UPDATED_AT)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        let text = |value: &Option<String>| Value::opt_string(value.as_deref());
        let mut attributes = vec![
            (ID, text(&self.id)),
            (NAME, text(&self.name)),
            (PROJECT_ID, text(&self.project_id)),
            (DESCRIPTION, text(&self.description)),
            (METHOD, text(&self.method)),
            (GATEWAY_ID, text(&self.gateway_id)),
            (GATEWAY_POOL_ID, text(&self.gateway_pool_id)),
            (CREDENTIALS_HASH, text(&self.credentials_hash)),
            (ORG_ID, text(&self.org_id)),
            (CREATED_AT, text(&self.created_at)),
            (UPDATED_AT, text(&self.updated_at)),
        ];
        attributes.extend(self.view.attributes());
        attributes
    }
}

impl<V> Found<V> {
    /// What Infisical returned.
    fn from_api<A: ConnectionApp<View = V>>(conn: &AppConnection<A::App>) -> Self {
        Self {
            id: Some(conn.id.clone()),
            name: Some(conn.name.clone()),
            project_id: conn.project_id.clone(),
            description: conn.description.clone(),
            method: Some(conn.method.to_string()),
            gateway_id: conn.gateway_id.clone(),
            gateway_pool_id: conn.gateway_pool_id.clone(),
            view: A::view(&conn.credentials),
            credentials_hash: Some(conn.credentials_hash.clone()),
            org_id: Some(conn.org_id.clone()),
            created_at: Some(conn.created_at.clone()),
            updated_at: Some(conn.updated_at.clone()),
        }
    }
}

/// The data source's schema.
pub(crate) fn schema<A: ConnectionApp>() -> Schema {
    let computed = |name, text| Attribute::string(name).computed().description(text);
    let mut attributes = vec![
        Attribute::string(ID)
            .optional_computed()
            .description("The connection's id. Set this or `name`."),
        Attribute::string(NAME)
            .optional_computed()
            .description("The connection's name. Set this or `id`."),
        Attribute::string(PROJECT_ID)
            .optional_computed()
            .description("With `name`: look in this project instead of the organization."),
        computed(DESCRIPTION, "The description."),
        computed(METHOD, A::DESCRIPTIONS.data_source_method),
        computed(GATEWAY_ID, A::DESCRIPTIONS.data_source_gateway),
        computed(GATEWAY_POOL_ID, A::DESCRIPTIONS.data_source_gateway_pool),
    ];
    attributes.extend(A::view_attributes());
    attributes.extend([
        computed(
            CREDENTIALS_HASH,
            "The server's hash of the stored credentials.",
        ),
        computed(ORG_ID, "The organization's id."),
        computed(CREATED_AT, "When the connection was created."),
        computed(UPDATED_AT, "When the connection last changed."),
    ]);
    Schema {
        version: 0,
        description: A::DESCRIPTIONS.data_source,
        attributes,
    }
}

/// Exactly one of `id` and `name`; `project_id` only with `name`.
pub(crate) fn validate_config<A: ConnectionApp>(config: &Value, diags: &mut Diagnostics) {
    let (id, name) = (config.get(ID), config.get(NAME));
    validate::uuid(id, AttrPath::new(ID), diags);
    validate::name(name, AttrPath::new(NAME), diags);
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    validate::one_lookup_key(config, ID, NAME, &format!("{} connection", A::LABEL), diags);
    let by_id = !id.is_null() && !id.is_unknown() && name.is_null();
    if by_id && !config.get(PROJECT_ID).is_null() {
        diags.attr_error(
            AttrPath::new(PROJECT_ID),
            "Unexpected project_id",
            "`project_id` narrows a lookup by `name`; a lookup by `id` does not use it.",
        );
    }
}

#[tonic::async_trait]
impl<A: ConnectionApp> DataSource<Configured> for AppConnectionData<A> {
    fn type_name(&self) -> &'static str {
        A::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::<A>()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config::<A>(config, diags);
    }

    async fn read(
        &self,
        api: &Configured,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        settle(lookup::<A>(api, config).await, diags)
    }
}

/// The connection the configuration's `id`, or `name` and `project_id`, names.
async fn lookup<A: ConnectionApp>(api: &Configured, config: &Value) -> Result<Value, Diagnostic> {
    let client = api.client_or_error()?;
    let keys = Found::<A::View>::from_value(config)?;
    let connections = client.app_connections::<A::App>();
    let project = keys.project_id.as_deref();
    let (found, what) = match (&keys.id, &keys.name) {
        (Some(id), _) => (connections.get(id).await, format!("with id {id}")),
        (_, Some(name)) => (
            connections.get_by_name(name, project).await,
            format!("named {name:?} {}", scope(project)),
        ),
        (None, None) => {
            // Validation requires one of them.
            return Err(model::missing(&AttrPath::new(ID), &Value::Null));
        }
    };
    let conn = found.map_err(|err| {
        let label = A::LABEL;
        let mut diag = api.error(&format!("read the {label} connection {what}"), &err);
        if err.is_not_found() {
            diag.summary = format!("{label} connection not found");
            diag.detail = format!(
                "Infisical has no {label} connection {what}.\n\n{}",
                diag.detail
            );
        }
        diag
    })?;
    Ok(Found::from_api::<A>(&conn).to_value())
}

#[cfg(test)]
mod tests {
    use super::super::github::GitHubApp;
    use super::*;

    fn cfg(id: Value, name: Value, project: Value) -> Value {
        let mut v = schema::<GitHubApp>().null_object();
        v.set(ID, id);
        v.set(NAME, name);
        v.set(PROJECT_ID, project);
        v
    }

    fn check(v: &Value) -> bool {
        let mut diags = Diagnostics::new();
        validate_config::<GitHubApp>(v, &mut diags);
        !diags.has_errors()
    }

    #[test]
    fn exactly_one_lookup_key() {
        let id = || Value::string("6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f");
        let name = || Value::string("github-main");
        assert!(check(&cfg(id(), Value::Null, Value::Null)));
        assert!(check(&cfg(Value::Null, name(), Value::string("proj"))));
        assert!(!check(&cfg(Value::Null, Value::Null, Value::Null)));
        assert!(!check(&cfg(id(), name(), Value::Null)));
        assert!(!check(&cfg(id(), Value::Null, Value::string("proj"))));
        assert!(!check(&cfg(
            Value::string("not-a-uuid"),
            Value::Null,
            Value::Null
        )));
        assert!(check(&cfg(Value::Unknown, Value::Null, Value::Null)));
    }
}
