//! What every app connection shares: the [`App`] trait that names an app's URL segment and
//! types, the generic request and response types, and the CRUD calls of
//! `/api/v1/app-connections/:app`, written once for every app.

use std::fmt::Debug;
use std::marker::PhantomData;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};
use tracing::instrument;

use super::client::{Client, encode};
use super::error::Error;
use super::snapshot::{Listed, Listing};

/// An Infisical app that connections can be made to. Implementing it is all a new app needs.
pub trait App: Debug + Clone + PartialEq + Send + Sync + 'static {
    /// The app's URL segment and `app` value, e.g. `github`.
    const SEGMENT: &'static str;
    /// The app's methods, serialized and displayed as Infisical spells them.
    type Method: Serialize
        + DeserializeOwned
        + Debug
        + std::fmt::Display
        + Clone
        + PartialEq
        + Send
        + Sync;
    /// The credentials sent on create and update (the JSON of `credentials`); they hold secrets,
    /// so their `Debug` must hide them.
    type Credentials: Serialize + Debug + Clone + PartialEq + Send + Sync;
    /// The non-secret part of the credentials that Infisical returns.
    type CredentialsView: DeserializeOwned + Debug + Clone + PartialEq + Default + Send + Sync;

    /// The method a set of credentials belongs to (sent as `method` on create).
    fn method(credentials: &Self::Credentials) -> Self::Method;
}

/// An app connection as Infisical returns it (sanitized: no secrets).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = ""))]
pub struct AppConnection<A: App> {
    /// The id (a UUID).
    pub id: String,
    /// The name: lowercase letters, digits and single hyphens, at most 64 characters.
    pub name: String,
    /// The description; `None` when never set (Infisical returns `null`).
    #[serde(default)]
    pub description: Option<String>,
    /// The app, e.g. `github`.
    pub app: String,
    /// The method, fixed at creation.
    pub method: A::Method,
    /// Infisical's record version.
    #[serde(default)]
    pub version: u64,
    /// The owning organization.
    pub org_id: String,
    /// The project, for a project-level connection.
    #[serde(default)]
    pub project_id: Option<String>,
    /// The gateway requests to the app go through.
    #[serde(default)]
    pub gateway_id: Option<String>,
    /// The gateway pool requests to the app go through (exclusive with `gateway_id`).
    #[serde(default)]
    pub gateway_pool_id: Option<String>,
    /// `sha256` of the encrypted credentials: it changes whenever credentials are written (even
    /// with the same values), and only then. The only way to see credentials change.
    #[serde(default)]
    pub credentials_hash: String,
    /// Creation time, ISO 8601 (`2025-01-01T00:00:00.000Z`).
    pub created_at: String,
    /// Last update time, ISO 8601.
    pub updated_at: String,
    /// Whether Infisical manages the credentials.
    #[serde(default)]
    pub is_platform_managed_credentials: Option<bool>,
    /// The non-secret credential fields.
    #[serde(default)]
    pub credentials: A::CredentialsView,
}

/// A create request. Unset options are left out of the JSON (Infisical refuses `null` there).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAppConnection<A: App> {
    /// The name.
    pub name: String,
    /// The description (at most 256 characters after trimming).
    pub description: Option<String>,
    /// The credentials; they also decide the method.
    pub credentials: A::Credentials,
    /// Create the connection in this project instead of the organization.
    pub project_id: Option<String>,
    /// Route the app's traffic through this gateway.
    pub gateway_id: Option<String>,
    /// Or through this gateway pool (not both).
    pub gateway_pool_id: Option<String>,
}

impl<A: App> CreateAppConnection<A> {
    /// The JSON body: the fields plus `method`, unset options left out.
    pub(crate) fn to_json(&self) -> Result<Vec<u8>, Error> {
        encode(&CreateBody::<A> {
            name: &self.name,
            description: self.description.as_deref(),
            method: A::method(&self.credentials),
            credentials: &self.credentials,
            project_id: self.project_id.as_deref(),
            gateway_id: self.gateway_id.as_deref(),
            gateway_pool_id: self.gateway_pool_id.as_deref(),
        })
    }

    /// An organization-level connection without description or gateway.
    pub fn new(name: impl Into<String>, credentials: A::Credentials) -> Self {
        Self {
            name: name.into(),
            description: None,
            credentials,
            project_id: None,
            gateway_id: None,
            gateway_pool_id: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
struct CreateBody<'a, A: App> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    method: A::Method,
    credentials: &'a A::Credentials,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_pool_id: Option<&'a str>,
}

/// A change to a field that can be cleared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave it as it is (the key is not sent).
    #[default]
    Unchanged,
    /// Clear it (sent as `null`).
    Clear,
    /// Set it.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether this leaves the field alone.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// `Set` for `Some`, `Clear` for `None`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Patch::Clear, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => value.serialize(serializer),
            // `Unchanged` is skipped by the containing struct; `null` is the safe fallback.
            Patch::Unchanged | Patch::Clear => serializer.serialize_none(),
        }
    }
}

/// A PATCH: only what is given is sent; everything else stays as it is on the server.
///
/// `credentials` are all or nothing: when given, Infisical validates them again with the app
/// (for GitHub App and OAuth that needs a fresh, unused `code`) and `credentialsHash` changes.
/// The method and the project cannot be changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct UpdateAppConnection<A: App> {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new description, or clear it.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub description: Patch<String>,
    /// A new gateway, or detach it.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub gateway_id: Patch<String>,
    /// A new gateway pool, or detach it.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub gateway_pool_id: Patch<String>,
    /// New credentials, complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<A::Credentials>,
}

impl<A: App> Default for UpdateAppConnection<A> {
    fn default() -> Self {
        Self {
            name: None,
            description: Patch::Unchanged,
            gateway_id: Patch::Unchanged,
            gateway_pool_id: Patch::Unchanged,
            credentials: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = ""))]
struct One<A: App> {
    app_connection: AppConnection<A>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = ""))]
struct Many<A: App> {
    app_connections: Vec<AppConnection<A>>,
}

/// The connections of one app: `client.app_connections::<GitHub>()` or `client.github()`.
#[derive(Debug, Clone, Copy)]
pub struct AppConnections<'c, A: App> {
    client: &'c Client,
    app: PhantomData<A>,
}

const BASE: [&str; 3] = ["api", "v1", "app-connections"];

// The accessor lives here, not in `client`: the transport knows no app, and the app-connection
// calls build on its request function.
impl Client {
    /// The app connections of one app, e.g. `client.app_connections::<GitHub>()`.
    pub fn app_connections<A: App>(&self) -> AppConnections<'_, A> {
        AppConnections::new(self)
    }
}

impl<'c, A: App> AppConnections<'c, A> {
    fn new(client: &'c Client) -> Self {
        Self {
            client,
            app: PhantomData,
        }
    }

    fn path<'p>(extra: &[&'p str]) -> Vec<&'p str> {
        let mut path: Vec<&str> = BASE.to_vec();
        path.push(A::SEGMENT);
        path.extend_from_slice(extra);
        path
    }

    /// `POST /api/v1/app-connections/:app`. Never retried once sent: a broken connection or a
    /// gateway error gives [`Error::Ambiguous`], after which look the connection up by name.
    #[instrument(level = "debug", skip_all, fields(app = A::SEGMENT, name = %request.name))]
    pub async fn create(
        &self,
        request: &CreateAppConnection<A>,
    ) -> Result<AppConnection<A>, Error> {
        let body = request.to_json()?;
        let one: One<A> = self
            .client
            .request(Method::POST, &Self::path(&[]), &[], Some(body))
            .await?;
        self.client.snapshots().wrote(&one.app_connection.id);
        Ok(one.app_connection)
    }

    /// `GET /api/v1/app-connections/:app/:id`. [`Error::NotFound`] when it does not exist.
    #[instrument(level = "debug", skip(self), fields(app = A::SEGMENT))]
    pub async fn get(&self, id: &str) -> Result<AppConnection<A>, Error> {
        let one: One<A> = self
            .client
            .request(Method::GET, &Self::path(&[id]), &[], None)
            .await?;
        Ok(one.app_connection)
    }

    /// Connection `id` as [`AppConnections::get`] returns it, answered from one listing of the
    /// app's connections shared by every read of this client (see `snapshot`): the
    /// organization's, or, when this identity may not list it, the listing of `project_id`, the
    /// project the caller believes the connection is in. A connection the listing lacks, a
    /// listing that failed, and one older than this client's last write to `id` all fall back to
    /// the GET, so the answer is always the GET's.
    #[instrument(level = "debug", skip(self), fields(app = A::SEGMENT))]
    pub async fn read(
        &self,
        id: &str,
        project_id: Option<&str>,
    ) -> Result<AppConnection<A>, Error> {
        let scopes = std::iter::once(None).chain(project_id.map(|p| Some(p.to_owned())));
        for scope in scopes {
            let fetch = self.listing(scope.clone());
            match self
                .client
                .snapshots()
                .lookup((A::SEGMENT, scope), id, fetch)
                .await
            {
                Listed::Found(connection) => return Ok(connection),
                Listed::Missing => break,
                Listed::Unavailable => {}
            }
        }
        self.get(id).await
    }

    /// The listing of one scope for the snapshots, or `None` when the list request failed.
    async fn listing(&self, project_id: Option<String>) -> Option<Listing> {
        let sent = std::time::Instant::now();
        match self.list(project_id.as_deref()).await {
            Ok(connections) => {
                let by_id: std::collections::HashMap<String, AppConnection<A>> =
                    connections.into_iter().map(|c| (c.id.clone(), c)).collect();
                tracing::debug!(
                    count = by_id.len(),
                    project_id,
                    "listed connections for reads"
                );
                Some(Listing {
                    sent,
                    by_id: Box::new(by_id),
                })
            }
            Err(err) => {
                tracing::debug!(error = %err, project_id, "listing failed; reads send their own GET");
                None
            }
        }
    }

    /// `GET /api/v1/app-connections/:app/connection-name/:name`, in the organization scope or,
    /// with `project_id`, in that project.
    #[instrument(level = "debug", skip(self), fields(app = A::SEGMENT))]
    pub async fn get_by_name(
        &self,
        name: &str,
        project_id: Option<&str>,
    ) -> Result<AppConnection<A>, Error> {
        let query: Vec<(&str, &str)> = project_id.map(|p| ("projectId", p)).into_iter().collect();
        let one: One<A> = self
            .client
            .request(
                Method::GET,
                &Self::path(&["connection-name", name]),
                &query,
                None,
            )
            .await?;
        Ok(one.app_connection)
    }

    /// `GET /api/v1/app-connections/:app`, optionally `?projectId=`.
    #[instrument(level = "debug", skip(self), fields(app = A::SEGMENT))]
    pub async fn list(&self, project_id: Option<&str>) -> Result<Vec<AppConnection<A>>, Error> {
        let query: Vec<(&str, &str)> = project_id.map(|p| ("projectId", p)).into_iter().collect();
        let many: Many<A> = self
            .client
            .request(Method::GET, &Self::path(&[]), &query, None)
            .await?;
        Ok(many.app_connections)
    }

    /// `PATCH /api/v1/app-connections/:app/:id` with only the fields given.
    #[instrument(level = "debug", skip(self, request), fields(app = A::SEGMENT))]
    pub async fn update(
        &self,
        id: &str,
        request: &UpdateAppConnection<A>,
    ) -> Result<AppConnection<A>, Error> {
        let body = encode(request)?;
        let answer = self
            .client
            .request::<One<A>>(Method::PATCH, &Self::path(&[id]), &[], Some(body))
            .await;
        self.client.snapshots().wrote(id);
        Ok(answer?.app_connection)
    }

    /// `DELETE /api/v1/app-connections/:app/:id`: returns the deleted connection.
    #[instrument(level = "debug", skip(self), fields(app = A::SEGMENT))]
    pub async fn delete(&self, id: &str) -> Result<AppConnection<A>, Error> {
        let answer = self
            .client
            .request::<One<A>>(Method::DELETE, &Self::path(&[id]), &[], None)
            .await;
        self.client.snapshots().wrote(id);
        Ok(answer?.app_connection)
    }
}
