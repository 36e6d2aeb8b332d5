//! The GitHub app: its connection methods, the credentials each one takes, and what Infisical
//! returns of them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::app_connection::{App, AppConnections};
use super::client::Client;
use super::error::Error;
use crate::secret::Secret;

/// The GitHub app (`/api/v1/app-connections/github`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GitHub;

/// How a GitHub connection authenticates to GitHub. Fixed at creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GitHubMethod {
    /// A GitHub App installation (`github-app`).
    #[serde(rename = "github-app")]
    App,
    /// An OAuth app (`oauth`).
    #[serde(rename = "oauth")]
    OAuth,
    /// A personal access token (`pat`).
    #[serde(rename = "pat")]
    Pat,
}

impl GitHubMethod {
    /// Every method.
    pub const ALL: [GitHubMethod; 3] = [GitHubMethod::App, GitHubMethod::OAuth, GitHubMethod::Pat];

    /// The method as Infisical spells it: `github-app`, `oauth`, `pat`.
    pub fn as_str(self) -> &'static str {
        match self {
            GitHubMethod::App => "github-app",
            GitHubMethod::OAuth => "oauth",
            GitHubMethod::Pat => "pat",
        }
    }

    /// The method for its spelling.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

impl fmt::Display for GitHubMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of GitHub the connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GitHubInstanceType {
    /// github.com, or a GHE.com tenant when a host is given (API at `api.<host>`).
    Cloud,
    /// GitHub Enterprise Server at a host (API at `<host>/api/v3`); the host is required.
    Server,
}

impl GitHubInstanceType {
    /// The instance type as Infisical spells it: `cloud`, `server`.
    pub fn as_str(self) -> &'static str {
        match self {
            GitHubInstanceType::Cloud => "cloud",
            GitHubInstanceType::Server => "server",
        }
    }
}

/// The credentials of a GitHub connection, by method. Unset options are left out of the JSON.
///
/// `code`s are single-use: GitHub accepts each once, so credentials with a code can be sent
/// once (on create, or on an update meant to replace the credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum GitHubCredentials {
    /// `github-app`: the code from the app's installation flow and the installation id.
    App {
        /// The user-authorization code GitHub handed back after installing the app.
        code: Secret,
        /// The installation the code's user can see.
        installation_id: String,
        /// The organization's GitHub App record to exchange the code with (`gitHubAppId`);
        /// without it, the instance's shared app. With it, Infisical takes the host and instance
        /// type from the record.
        #[serde(rename = "gitHubAppId", skip_serializing_if = "Option::is_none")]
        github_app_id: Option<String>,
        /// Cloud when unset.
        #[serde(skip_serializing_if = "Option::is_none")]
        instance_type: Option<GitHubInstanceType>,
        /// The GitHub host (required for `server`).
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<String>,
    },
    /// `oauth`: the code from the OAuth flow.
    OAuth {
        /// The OAuth authorization code.
        code: Secret,
        /// Cloud when unset.
        #[serde(skip_serializing_if = "Option::is_none")]
        instance_type: Option<GitHubInstanceType>,
        /// The GitHub host (required for `server`).
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<String>,
    },
    /// `pat`: a personal access token.
    Pat {
        /// The token.
        personal_access_token: Secret,
        /// Cloud when unset.
        #[serde(skip_serializing_if = "Option::is_none")]
        instance_type: Option<GitHubInstanceType>,
        /// The GitHub host (required for `server`).
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<String>,
    },
}

impl GitHubCredentials {
    /// The method these credentials are for.
    pub fn method(&self) -> GitHubMethod {
        match self {
            GitHubCredentials::App { .. } => GitHubMethod::App,
            GitHubCredentials::OAuth { .. } => GitHubMethod::OAuth,
            GitHubCredentials::Pat { .. } => GitHubMethod::Pat,
        }
    }
}

/// The part of a GitHub connection's credentials Infisical returns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GitHubCredentialsView {
    /// The instance type, when one was given.
    pub instance_type: Option<GitHubInstanceType>,
    /// The host, when one was given. Newer servers may rewrite it for `github-app`.
    pub host: Option<String>,
    /// The organization's GitHub App record a `github-app` connection uses (`gitHubAppId`).
    #[serde(rename = "gitHubAppId")]
    pub github_app_id: Option<String>,
}

/// A GitHub App registered with Infisical (`GET /api/v1/github-apps`): an organization's own,
/// or the instance's shared app, which has no id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitHubAppRecord {
    /// The record's id (a UUID), which connections name as `gitHubAppId`; `None` for the
    /// instance's shared app.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name in Infisical.
    pub name: String,
    /// The app's slug on GitHub.
    #[serde(default)]
    pub slug: Option<String>,
    /// GitHub's numeric id of the app.
    #[serde(default, deserialize_with = "number_or_string")]
    pub app_id: Option<String>,
    /// The GitHub host.
    #[serde(default)]
    pub host: Option<String>,
    /// The GitHub instance type.
    #[serde(default)]
    pub instance_type: Option<GitHubInstanceType>,
}

/// GitHub's app id arrives as a number or a string, as the server's record has it.
fn number_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            Some(serde_json::Value::String(text)) => Some(text),
            Some(serde_json::Value::Number(number)) => Some(number.to_string()),
            _ => None,
        },
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GitHubAppList {
    git_hub_apps: Vec<GitHubAppRecord>,
}

impl Client {
    /// The GitHub app connections.
    pub fn github(&self) -> AppConnections<'_, GitHub> {
        self.app_connections()
    }

    /// `GET /api/v1/github-apps`: the GitHub Apps registered with Infisical that the
    /// identity's organization may use, the instance's shared app included.
    pub async fn github_apps(&self) -> Result<Vec<GitHubAppRecord>, Error> {
        let list: GitHubAppList = self
            .request(
                reqwest::Method::GET,
                &["api", "v1", "github-apps"],
                &[],
                None,
            )
            .await?;
        Ok(list.git_hub_apps)
    }
}

impl App for GitHub {
    const SEGMENT: &'static str = "github";
    type Method = GitHubMethod;
    type Credentials = GitHubCredentials;
    type CredentialsView = GitHubCredentialsView;

    fn method(credentials: &GitHubCredentials) -> GitHubMethod {
        credentials.method()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::{CreateAppConnection, Patch, UpdateAppConnection};
    use serde_json::json;

    fn create_json(request: &CreateAppConnection<GitHub>) -> serde_json::Value {
        // What `AppConnections::create` sends, minus the HTTP.
        serde_json::from_slice(&request.to_json().unwrap()).unwrap()
    }

    #[test]
    fn unset_options_are_omitted_not_null() {
        let request = CreateAppConnection::<GitHub>::new(
            "my-conn",
            GitHubCredentials::Pat {
                personal_access_token: Secret::new("ghp_secret"),
                instance_type: None,
                host: None,
            },
        );
        assert_eq!(
            create_json(&request),
            json!({ "name": "my-conn", "method": "pat", "credentials": { "personalAccessToken": "ghp_secret" } })
        );
        let request = CreateAppConnection::<GitHub> {
            description: Some("d".into()),
            project_id: Some("p".into()),
            gateway_id: Some("g".into()),
            ..CreateAppConnection::new(
                "app",
                GitHubCredentials::App {
                    code: Secret::new("c"),
                    installation_id: "42".into(),
                    github_app_id: None,
                    instance_type: Some(GitHubInstanceType::Server),
                    host: Some("ghe.example.com".into()),
                },
            )
        };
        assert_eq!(
            create_json(&request),
            json!({
                "name": "app", "description": "d", "method": "github-app", "projectId": "p", "gatewayId": "g",
                "credentials": { "code": "c", "installationId": "42", "instanceType": "server", "host": "ghe.example.com" },
            })
        );
    }

    #[test]
    fn an_org_managed_app_and_a_gateway_pool_are_sent_by_their_api_names() {
        let request = CreateAppConnection::<GitHub> {
            gateway_pool_id: Some("pool".into()),
            ..CreateAppConnection::new(
                "app",
                GitHubCredentials::App {
                    code: Secret::new("c"),
                    installation_id: "42".into(),
                    github_app_id: Some("record".into()),
                    instance_type: None,
                    host: None,
                },
            )
        };
        assert_eq!(
            create_json(&request),
            json!({
                "name": "app", "method": "github-app", "gatewayPoolId": "pool",
                "credentials": { "code": "c", "installationId": "42", "gitHubAppId": "record" },
            })
        );
        let view: GitHubCredentialsView =
            serde_json::from_value(json!({ "host": "github.com", "gitHubAppId": "record" }))
                .unwrap();
        assert_eq!(view.github_app_id.as_deref(), Some("record"));
        let apps: GitHubAppList = serde_json::from_value(json!({ "gitHubApps": [
            { "id": null, "name": "Shared", "slug": "infisical", "appId": 12, "host": "github.com", "instanceType": "cloud" },
            { "id": "record", "name": "main", "slug": "acme-infisical", "appId": "34" },
        ] }))
        .unwrap();
        assert_eq!(apps.git_hub_apps[0].id, None);
        assert_eq!(apps.git_hub_apps[0].app_id.as_deref(), Some("12"));
        assert_eq!(apps.git_hub_apps[1].app_id.as_deref(), Some("34"));
    }

    #[test]
    fn a_patch_sends_only_what_changes_and_null_only_to_clear() {
        let nothing = UpdateAppConnection::<GitHub>::default();
        assert_eq!(serde_json::to_value(&nothing).unwrap(), json!({}));
        let clear = UpdateAppConnection::<GitHub> {
            description: Patch::Clear,
            gateway_id: Patch::Clear,
            ..UpdateAppConnection::default()
        };
        assert_eq!(
            serde_json::to_value(&clear).unwrap(),
            json!({ "description": null, "gatewayId": null })
        );
        let rename = UpdateAppConnection::<GitHub> {
            name: Some("new".into()),
            description: Patch::Set("d".into()),
            credentials: Some(GitHubCredentials::OAuth {
                code: Secret::new("c"),
                instance_type: Some(GitHubInstanceType::Cloud),
                host: None,
            }),
            ..UpdateAppConnection::default()
        };
        assert_eq!(
            serde_json::to_value(&rename).unwrap(),
            json!({ "name": "new", "description": "d", "credentials": { "code": "c", "instanceType": "cloud" } })
        );
    }

    #[test]
    fn debug_of_credentials_hides_secrets() {
        let credentials = GitHubCredentials::Pat {
            personal_access_token: Secret::new("ghp_do_not_show"),
            instance_type: None,
            host: None,
        };
        let request = CreateAppConnection::<GitHub>::new("x", credentials);
        assert!(!format!("{request:?}").contains("ghp_do_not_show"));
    }
}
