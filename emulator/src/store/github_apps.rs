//! Org-managed GitHub Apps and the instance's shared app: the records a `github-app`
//! connection's `credentials.gitHubAppId` names, how the server resolves one (and binds the
//! connection's `host`/`instanceType` to it), and the list behind `GET /api/v1/github-apps`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// An org-managed GitHub App, as Infisical stores one after GitHub's manifest flow (a browser
/// flow, so tests seed apps with [`crate::Admin::add_github_app`] instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitHubApp {
    /// Infisical's id for the record: what `credentials.gitHubAppId` names. A uuid.
    pub id: String,
    /// The display name, what a module looks the app up by.
    pub name: String,
    /// GitHub's slug for the app.
    pub slug: String,
    /// GitHub's numeric app id, as a string.
    pub app_id: String,
    /// GitHub's OAuth client id for the app.
    pub client_id: String,
    /// The GitHub account that owns the app, if known.
    pub owner: Option<String>,
    /// The GitHub host the app lives on; `None` is github.com. Connections using the app get this
    /// host, whatever they sent.
    pub host: Option<String>,
    /// `cloud` or `server`; connections using the app get this instance type.
    pub instance_type: String,
    /// The project the app belongs to; `None` for an organization-level app.
    pub project_id: Option<String>,
}

impl GitHubApp {
    /// An organization-level app on github.com named `name`, with its slug equal to the name and
    /// GitHub ids derived from `id`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        let id = id.into();
        let name = name.into();
        // Stable, distinct-looking GitHub ids: the digits of the uuid, then its hex.
        let digits: String = id.chars().filter(char::is_ascii_digit).take(7).collect();
        let hex: String = id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(16)
            .collect();
        Self {
            slug: name.clone(),
            app_id: format!("9{digits}"),
            client_id: format!("Iv23li{hex}"),
            owner: None,
            host: None,
            instance_type: "cloud".to_owned(),
            project_id: None,
            id,
            name,
        }
    }
}

/// The instance's shared GitHub App (`INF_APP_CONNECTION_GITHUB_APP_*`): used by `github-app`
/// connections without a `gitHubAppId`, and listed with `id: null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedGitHubApp {
    /// `INF_APP_CONNECTION_GITHUB_APP_ID`.
    pub app_id: String,
    /// `INF_APP_CONNECTION_GITHUB_APP_SLUG` (also the listed name).
    pub slug: String,
    /// `INF_APP_CONNECTION_GITHUB_APP_CLIENT_ID`.
    #[serde(default)]
    pub client_id: Option<String>,
    /// `INF_APP_CONNECTION_GITHUB_APP_HOST`. When set, connections on the shared app store this
    /// host, whatever they sent, as the newest server does. When `None`, the emulator keeps the
    /// host the connection sent (the newest server would store none, i.e. github.com); that keeps
    /// the behaviour tests were written against.
    #[serde(default)]
    pub host: Option<String>,
}

impl Default for SharedGitHubApp {
    fn default() -> Self {
        Self {
            app_id: "1000001".to_owned(),
            slug: "infisical-emulator".to_owned(),
            client_id: Some("Iv23liEmulatorShared".to_owned()),
            host: None,
        }
    }
}

/// The environment variables whose absence the server reports when there is no shared app.
const SHARED_APP_VARIABLES: &str = "INF_APP_CONNECTION_GITHUB_APP_ID, \
    INF_APP_CONNECTION_GITHUB_APP_SLUG, INF_APP_CONNECTION_GITHUB_APP_CLIENT_ID, \
    INF_APP_CONNECTION_GITHUB_APP_CLIENT_SECRET, INF_APP_CONNECTION_GITHUB_APP_PRIVATE_KEY";

/// The app a `github-app` connection's credentials resolve to.
pub(crate) enum Resolved<'a> {
    Shared(&'a SharedGitHubApp),
    Managed(&'a GitHubApp),
}

/// A stored app and when it was made.
#[derive(Debug, Clone)]
struct Record {
    app: GitHubApp,
    created_at: String,
}

/// Every GitHub App the organization can use.
#[derive(Debug, Default)]
pub(crate) struct GitHubApps {
    pub(crate) shared: Option<SharedGitHubApp>,
    /// In creation order, which is the order the server lists them in.
    apps: Vec<Record>,
}

impl GitHubApps {
    pub(crate) fn new(shared: Option<SharedGitHubApp>) -> Self {
        Self {
            shared,
            apps: Vec::new(),
        }
    }

    /// Stores an app; refuses an id that is not a uuid (it could never be named) or is taken.
    pub(crate) fn add(&mut self, app: GitHubApp, now: String) -> Result<(), String> {
        if !crate::zod::is_uuid(&app.id) {
            return Err(format!("a GitHub App id must be a uuid, not {:?}", app.id));
        }
        if !matches!(app.instance_type.as_str(), "cloud" | "server") {
            return Err(format!(
                "instanceType must be cloud or server, not {:?}",
                app.instance_type
            ));
        }
        if self.apps.iter().any(|r| r.app.id == app.id) {
            return Err(format!("a GitHub App with id {} exists already", app.id));
        }
        self.apps.push(Record {
            app,
            created_at: now,
        });
        Ok(())
    }

    /// Resolves `credentials.gitHubAppId` for a connection in `project_id` (`None`: the
    /// organization) as `resolveGitHubAppCredentials` does: an org-level app serves every
    /// connection, a project's app only that project's; without an id, the shared app, or the
    /// server's 500 when the instance has none.
    pub(crate) fn resolve(
        &self,
        id: Option<&str>,
        project_id: Option<&str>,
    ) -> Result<Resolved<'_>, ApiError> {
        let Some(id) = id else {
            return self.shared.as_ref().map(Resolved::Shared).ok_or_else(|| {
                ApiError::internal(format!(
                    "GitHub App environment variables have not been configured. Missing: \
                     {SHARED_APP_VARIABLES}"
                ))
            });
        };
        self.apps
            .iter()
            .map(|r| &r.app)
            .find(|app| {
                app.id == id
                    && (app.project_id.is_none() || app.project_id.as_deref() == project_id)
            })
            .map(Resolved::Managed)
            .ok_or_else(|| {
                let scope = if project_id.is_some() {
                    "project"
                } else {
                    "organization"
                };
                ApiError::bad_request(format!(
                    "GitHub App with id {id} not found in this {scope}."
                ))
            })
    }

    /// What `GET /api/v1/github-apps` lists: the shared app first (`id: null`), then the
    /// organization's apps, then, with `project_id`, that project's. `connections` counts the
    /// `github-app` connections per `gitHubAppId` (`None`: the shared app).
    pub(crate) fn list(
        &self,
        org_id: &str,
        project_id: Option<&str>,
        connections: &HashMap<Option<String>, u64>,
    ) -> Vec<Value> {
        let count = |id: Option<&str>| {
            connections
                .get(&id.map(str::to_owned))
                .copied()
                .unwrap_or_default()
        };
        let shared = self.shared.as_ref().map(|shared| {
            json!({
                "id": null,
                "orgId": org_id,
                "projectId": null,
                "name": shared.slug,
                "appId": shared.app_id,
                "slug": shared.slug,
                "clientId": shared.client_id,
                "owner": null,
                "host": shared.host,
                "instanceType": null,
                "connectionCount": count(None),
                "createdAt": null,
                "updatedAt": null,
            })
        });
        let org = self.apps.iter().filter(|r| r.app.project_id.is_none());
        let project = self
            .apps
            .iter()
            .filter(|r| project_id.is_some() && r.app.project_id.as_deref() == project_id);
        let managed = org.chain(project).map(|Record { app, created_at }| {
            json!({
                "id": app.id,
                "orgId": org_id,
                "projectId": app.project_id,
                "name": app.name,
                "appId": app.app_id,
                "slug": app.slug,
                "clientId": app.client_id,
                "owner": app.owner,
                "host": app.host,
                "instanceType": app.instance_type,
                "connectionCount": count(Some(&app.id)),
                "createdAt": created_at,
                "updatedAt": created_at,
            })
        });
        shared.into_iter().chain(managed).collect()
    }
}

/// Binds the credentials a `github-app` connection stores to the app it resolved to: the app's
/// id (or `null` for the shared app) is stored as `gitHubAppId`; an org-managed app's `host` and
/// `instanceType` replace whatever the connection sent, and so does the shared app's `host`
/// when the instance sets one.
pub(crate) fn bind(stored: &mut Map<String, Value>, resolved: &Resolved<'_>) {
    match resolved {
        Resolved::Managed(app) => {
            stored.insert("gitHubAppId".into(), app.id.clone().into());
            match &app.host {
                Some(host) => stored.insert("host".into(), host.clone().into()),
                None => stored.remove("host"),
            };
            stored.insert("instanceType".into(), app.instance_type.clone().into());
        }
        Resolved::Shared(shared) => {
            stored.insert("gitHubAppId".into(), Value::Null);
            if let Some(host) = &shared.host {
                stored.insert("host".into(), host.clone().into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG_APP: &str = "0c3b2a19-8d7e-4f6a-9b5c-4d3e2f1a0b9c";
    const PROJECT_APP: &str = "1d4c3b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d";

    fn apps() -> GitHubApps {
        let mut apps = GitHubApps::new(Some(SharedGitHubApp::default()));
        apps.add(GitHubApp::new(ORG_APP, "corp"), "t".into())
            .unwrap();
        let project_app = GitHubApp {
            project_id: Some("proj".into()),
            ..GitHubApp::new(PROJECT_APP, "team")
        };
        apps.add(project_app, "t".into()).unwrap();
        apps
    }

    #[test]
    fn a_project_app_serves_only_its_project() {
        let apps = apps();
        assert!(apps.resolve(Some(ORG_APP), None).is_ok());
        assert!(apps.resolve(Some(ORG_APP), Some("proj")).is_ok());
        assert!(apps.resolve(Some(PROJECT_APP), Some("proj")).is_ok());
        assert!(apps.resolve(Some(PROJECT_APP), Some("other")).is_err());
        assert!(apps.resolve(Some(PROJECT_APP), None).is_err());
        assert!(matches!(apps.resolve(None, None), Ok(Resolved::Shared(_))));
    }

    #[test]
    fn adding_refuses_non_uuid_ids_duplicates_and_unknown_instance_types() {
        let mut apps = apps();
        assert!(apps.add(GitHubApp::new("corp", "x"), "t".into()).is_err());
        assert!(apps.add(GitHubApp::new(ORG_APP, "x"), "t".into()).is_err());
        let odd = GitHubApp {
            instance_type: "enterprise".into(),
            ..GitHubApp::new("2e5d4c3b-af90-4b8c-9d7e-6f5a4b3c2d1e", "x")
        };
        assert!(apps.add(odd, "t".into()).is_err());
    }

    #[test]
    fn a_managed_app_overwrites_host_and_instance_type() {
        let app = GitHubApp {
            host: Some("ghe.corp.example".into()),
            instance_type: "server".into(),
            ..GitHubApp::new(ORG_APP, "corp")
        };
        let mut stored =
            json!({ "installationId": "1", "host": "sent.example", "instanceType": "cloud" })
                .as_object()
                .cloned()
                .unwrap();
        bind(&mut stored, &Resolved::Managed(&app));
        assert_eq!(stored["host"], "ghe.corp.example");
        assert_eq!(stored["instanceType"], "server");
        assert_eq!(stored["gitHubAppId"], ORG_APP);
        let on_github = GitHubApp::new(ORG_APP, "corp");
        bind(&mut stored, &Resolved::Managed(&on_github));
        assert!(!stored.contains_key("host"));
        assert_eq!(stored["instanceType"], "cloud");
    }
}
