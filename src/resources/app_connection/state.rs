//! [`Connection`]: an app connection's plan and state, typed, converted to and from Terraform's
//! values here and nowhere else.

use crate::infisical::{App, AppConnection};
use crate::tfplugin::diag::Diagnostic;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::super::model::{self, Computed, Fields, Model};
use super::ConnectionApp;
use super::attr::*;

/// The resource's plan or state, with the app's credentials object `C`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Connection<C> {
    /// The id; unknown until created.
    pub(crate) id: Computed,
    /// The name.
    pub(crate) name: String,
    /// The description: null and "" mean the same.
    pub(crate) description: Option<String>,
    /// The method, as Infisical spells it.
    pub(crate) method: String,
    /// The project of a project-scoped connection.
    pub(crate) project_id: Option<String>,
    /// The gateway the app's calls go through.
    pub(crate) gateway_id: Option<String>,
    /// Or the gateway pool they go through.
    pub(crate) gateway_pool_id: Option<String>,
    /// The server's hash of the stored credentials; unknown while a write is planned.
    pub(crate) credentials_hash: Computed,
    /// The credentials (null only in a state another provider wrote).
    pub(crate) credentials: Option<C>,
}

impl<C: Model> Model for Connection<C> {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.computed(ID)?,
            name: fields.required(NAME)?,
            description: fields.optional(DESCRIPTION)?,
            method: fields.required(METHOD)?,
            project_id: fields.optional(PROJECT_ID)?,
            gateway_id: fields.optional(GATEWAY_ID)?,
            gateway_pool_id: fields.optional(GATEWAY_POOL_ID)?,
            credentials_hash: fields.computed(CREDENTIALS_HASH)?,
            credentials: fields.object(CREDENTIALS)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (ID, self.id.to_value()),
            (NAME, Value::string(&self.name)),
            (DESCRIPTION, Value::opt_string(self.description.as_deref())),
            (METHOD, Value::string(&self.method)),
            (PROJECT_ID, Value::opt_string(self.project_id.as_deref())),
            (GATEWAY_ID, Value::opt_string(self.gateway_id.as_deref())),
            (
                GATEWAY_POOL_ID,
                Value::opt_string(self.gateway_pool_id.as_deref()),
            ),
            (CREDENTIALS_HASH, self.credentials_hash.to_value()),
            (
                CREDENTIALS,
                self.credentials
                    .as_ref()
                    .map_or(Value::Null, Model::to_value),
            ),
        ]
    }
}

impl<C> Connection<C> {
    /// The id, which a created connection has; an error when it is missing.
    pub(crate) fn known_id(&self) -> Result<String, Diagnostic> {
        self.id
            .known()
            .map(str::to_owned)
            .ok_or_else(|| model::missing(&AttrPath::new(ID), &self.id.to_value()))
    }

    /// The credentials as the API takes them; `None` when incomplete.
    pub(crate) fn request<A: ConnectionApp<Credentials = C>>(
        &self,
    ) -> Option<<A::App as App>::Credentials> {
        A::request(&self.method, self.credentials.as_ref()?)
    }

    /// A full state from what the API returns, with secrets null (import, or first sight).
    pub(crate) fn from_api<A: ConnectionApp<Credentials = C>>(
        conn: &AppConnection<A::App>,
    ) -> Self {
        Self {
            id: Computed::Known(conn.id.clone()),
            name: conn.name.clone(),
            description: conn.description.clone().filter(|d| !d.is_empty()),
            method: conn.method.to_string(),
            project_id: conn.project_id.clone(),
            gateway_id: conn.gateway_id.clone(),
            gateway_pool_id: conn.gateway_pool_id.clone(),
            credentials_hash: Computed::Known(conn.credentials_hash.clone()),
            credentials: Some(A::credentials_from_api(&conn.credentials)),
        }
    }
}
