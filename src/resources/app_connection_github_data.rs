//! Data source `infisical_app_connection_github`: looks a GitHub connection up by id, or by name
//! (in the organization, or in a project), so modules can reference connections made elsewhere —
//! GitHub App connections are often made in the Infisical UI.

use crate::provider::Configured;
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::app_connection_github::instance_type_value;
use super::errors::api_error;
use super::validate;

/// Attribute names of the data source.
pub mod attr {
    pub use super::super::app_connection_github::attr::{
        CREDENTIALS_HASH, DESCRIPTION, GATEWAY_ID, HOST, ID, INSTANCE_TYPE, METHOD, NAME,
        PROJECT_ID,
    };
    /// The organization the connection belongs to.
    pub const ORG_ID: &str = "org_id";
    /// When it was created (RFC 3339).
    pub const CREATED_AT: &str = "created_at";
    /// When it last changed (RFC 3339).
    pub const UPDATED_AT: &str = "updated_at";
}

/// The data source's schema.
pub fn schema() -> Schema {
    use attr::*;
    let computed = |name, text| Attribute::string(name).computed().description(text);
    Schema {
        version: 0,
        description: "Reads a GitHub App Connection by `id`, or by `name` (with `project_id` for a \
                      project-scoped connection).",
        attributes: vec![
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
            computed(METHOD, "`github-app`, `oauth` or `pat`."),
            computed(GATEWAY_ID, "The gateway GitHub calls go through, if any."),
            computed(INSTANCE_TYPE, "`cloud` or `server`."),
            computed(HOST, "The GitHub host, if set."),
            computed(
                CREDENTIALS_HASH,
                "The server's hash of the stored credentials.",
            ),
            computed(ORG_ID, "The organization's id."),
            computed(CREATED_AT, "When the connection was created."),
            computed(UPDATED_AT, "When the connection last changed."),
        ],
    }
}

/// Exactly one of `id` and `name`; `project_id` only with `name`.
pub fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    let (id, name) = (config.get(ID), config.get(NAME));
    validate::uuid(id, AttrPath::new(ID), diags);
    validate::name(name, AttrPath::new(NAME), diags);
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    if id.is_unknown() || name.is_unknown() {
        return;
    }
    match (id.is_null(), name.is_null()) {
        (true, true) => diags.error(
            "Missing lookup key",
            "set either `id` or `name` to say which GitHub connection to read.",
        ),
        (false, false) => diags.attr_error(
            AttrPath::new(NAME),
            "Conflicting lookup keys",
            "set either `id` or `name`, not both.",
        ),
        (false, true) if !config.get(PROJECT_ID).is_null() => diags.attr_error(
            AttrPath::new(PROJECT_ID),
            "Unexpected project_id",
            "`project_id` narrows a lookup by `name`; a lookup by `id` does not use it.",
        ),
        _ => {}
    }
}

/// The data source, as the provider registers it.
pub struct AppConnectionGithubData;

#[tonic::async_trait]
impl DataSource<Configured> for AppConnectionGithubData {
    fn type_name(&self) -> &'static str {
        super::app_connection_github::TYPE_NAME
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
        use attr::*;
        let client = api.client(diags)?;
        let project = config.get(PROJECT_ID).as_str();
        let (found, what) = match (config.get(ID).as_str(), config.get(NAME).as_str()) {
            (Some(id), _) => (client.github().get(id).await, format!("with id {id}")),
            (None, Some(name)) => {
                let scope = project.map_or_else(
                    || "in the organization".to_owned(),
                    |p| format!("in project {p}"),
                );
                (
                    client.github().get_by_name(name, project).await,
                    format!("named {name:?} {scope}"),
                )
            }
            (None, None) => return None,
        };
        let conn = match found {
            Ok(conn) => conn,
            Err(err) => {
                let mut diag = api_error(&format!("read the GitHub connection {what}"), &err);
                if err.is_not_found() {
                    diag.summary = "GitHub connection not found".to_owned();
                    diag.detail = format!(
                        "Infisical has no GitHub connection {what}.\n\n{}",
                        diag.detail
                    );
                }
                diags.add(diag);
                return None;
            }
        };
        let text = |s: &str| Value::string(s);
        Some(Value::object([
            (ID, text(&conn.id)),
            (NAME, text(&conn.name)),
            (PROJECT_ID, Value::opt_string(conn.project_id.clone())),
            (DESCRIPTION, Value::opt_string(conn.description.clone())),
            (METHOD, text(conn.method.as_str())),
            (GATEWAY_ID, Value::opt_string(conn.gateway_id.clone())),
            (INSTANCE_TYPE, instance_type_value(&conn.credentials)),
            (HOST, Value::opt_string(conn.credentials.host.clone())),
            (CREDENTIALS_HASH, text(&conn.credentials_hash)),
            (ORG_ID, text(&conn.org_id)),
            (CREATED_AT, text(&conn.created_at)),
            (UPDATED_AT, text(&conn.updated_at)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(id: Value, name: Value, project: Value) -> Value {
        let mut v = schema().null_object();
        v.set(attr::ID, id);
        v.set(attr::NAME, name);
        v.set(attr::PROJECT_ID, project);
        v
    }

    fn check(v: &Value) -> bool {
        let mut diags = Diagnostics::new();
        validate_config(v, &mut diags);
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
