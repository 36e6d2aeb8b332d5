//! GitHub's part of `infisical_app_connection_github` (resource and data source): its three
//! methods (`github-app`, `oauth`, `pat`), their credentials and rules, and the guidance for its
//! single-use, short-lived `code`. The lifecycle is the app-connection base's.

use crate::infisical::{
    Error, GitHub, GitHubCredentials, GitHubCredentialsView, GitHubInstanceType,
};
use crate::secret::Secret;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::Attribute;
use crate::tfplugin::value::Value;

use super::super::model::{Fields, Model};
use super::super::validate;
use super::{AppConnectionData, AppConnectionResource, ConnectionApp, Descriptions, WriteOnly};

/// The type name of the resource and the data source.
pub(crate) const TYPE_NAME: &str = "infisical_app_connection_github";

/// The attributes of `credentials` (and, for the data source, of the view).
pub(crate) mod attr {
    /// `credentials.code`: a GitHub authorization code (github-app, oauth).
    pub(crate) const CODE: &str = "code";
    /// `credentials.installation_id`: the GitHub App installation (github-app).
    pub(crate) const INSTALLATION_ID: &str = "installation_id";
    /// `credentials.personal_access_token` (pat), kept in state.
    pub(crate) const PERSONAL_ACCESS_TOKEN: &str = "personal_access_token";
    /// `credentials.personal_access_token_wo` (pat): write-only, never in plan or state.
    pub(crate) const PERSONAL_ACCESS_TOKEN_WO: &str = "personal_access_token_wo";
    /// `credentials.personal_access_token_wo_version`: changing it sends the write-only PAT again.
    pub(crate) const PERSONAL_ACCESS_TOKEN_WO_VERSION: &str = "personal_access_token_wo_version";
    /// `credentials.instance_type`: `cloud` (github.com, the default) or `server` (GHES).
    pub(crate) const INSTANCE_TYPE: &str = "instance_type";
    /// `credentials.host`: the GitHub host (required for `server`).
    pub(crate) const HOST: &str = "host";
    /// `credentials.github_app_id`: the organization's GitHub App record (github-app).
    pub(crate) const GITHUB_APP_ID: &str = "github_app_id";
}

/// GitHub App installation.
const METHOD_APP: &str = "github-app";
/// OAuth app authorization.
const METHOD_OAUTH: &str = "oauth";
/// Personal access token.
const METHOD_PAT: &str = "pat";
/// GitHub instance types.
const INSTANCE_TYPES: [&str; 2] = ["cloud", "server"];

/// GitHub, as the app-connection base sees it.
pub(crate) struct GitHubApp;

/// The resource `infisical_app_connection_github`.
pub(crate) type GitHubConnection = AppConnectionResource<GitHubApp>;
/// The data source `infisical_app_connection_github`.
pub(crate) type GitHubConnectionData = AppConnectionData<GitHubApp>;

/// The resource's `credentials` object.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Credentials {
    code: Option<Secret>,
    installation_id: Option<String>,
    personal_access_token: Option<Secret>,
    /// Only ever set in a value read from the configuration (what is sent), never in a state.
    personal_access_token_wo: Option<Secret>,
    personal_access_token_wo_version: Option<i64>,
    instance_type: Option<String>,
    host: Option<String>,
    github_app_id: Option<String>,
}

impl Model for Credentials {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            code: fields.secret(CODE)?,
            installation_id: fields.optional(INSTALLATION_ID)?,
            personal_access_token: fields.secret(PERSONAL_ACCESS_TOKEN)?,
            personal_access_token_wo: fields.secret(PERSONAL_ACCESS_TOKEN_WO)?,
            personal_access_token_wo_version: fields.whole(PERSONAL_ACCESS_TOKEN_WO_VERSION)?,
            instance_type: fields.optional(INSTANCE_TYPE)?,
            host: fields.optional(HOST)?,
            github_app_id: fields.optional(GITHUB_APP_ID)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        let secret = |s: &Option<Secret>| Value::opt_string(s.as_ref().map(Secret::expose));
        vec![
            (CODE, secret(&self.code)),
            (
                INSTALLATION_ID,
                Value::opt_string(self.installation_id.as_deref()),
            ),
            (PERSONAL_ACCESS_TOKEN, secret(&self.personal_access_token)),
            (
                PERSONAL_ACCESS_TOKEN_WO,
                secret(&self.personal_access_token_wo),
            ),
            (
                PERSONAL_ACCESS_TOKEN_WO_VERSION,
                self.personal_access_token_wo_version
                    .map_or(Value::Null, Value::int),
            ),
            (
                INSTANCE_TYPE,
                Value::opt_string(self.instance_type.as_deref()),
            ),
            (HOST, Value::opt_string(self.host.as_deref())),
            (
                GITHUB_APP_ID,
                Value::opt_string(self.github_app_id.as_deref()),
            ),
        ]
    }
}

/// What the data source shows of the credentials.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct View {
    instance_type: Option<String>,
    host: Option<String>,
    github_app_id: Option<String>,
}

impl Model for View {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        Ok(Self {
            instance_type: fields.optional(attr::INSTANCE_TYPE)?,
            host: fields.optional(attr::HOST)?,
            github_app_id: fields.optional(attr::GITHUB_APP_ID)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (
                attr::INSTANCE_TYPE,
                Value::opt_string(self.instance_type.as_deref()),
            ),
            (attr::HOST, Value::opt_string(self.host.as_deref())),
            (
                attr::GITHUB_APP_ID,
                Value::opt_string(self.github_app_id.as_deref()),
            ),
        ]
    }
}

/// The instance type Infisical returned (`None` when it returned none).
fn instance_type(view: &GitHubCredentialsView) -> Option<String> {
    view.instance_type.map(|t| t.as_str().to_owned())
}

impl ConnectionApp for GitHubApp {
    type App = GitHub;
    type Credentials = Credentials;
    type View = View;

    const TYPE_NAME: &'static str = TYPE_NAME;
    const LABEL: &'static str = "GitHub";
    const METHODS: &'static [&'static str] = &[METHOD_APP, METHOD_OAUTH, METHOD_PAT];
    const DESCRIPTIONS: Descriptions = Descriptions {
        resource: "A GitHub App Connection: lets Infisical reach GitHub (for secret syncs and \
                   more) as a GitHub App installation, through an OAuth app, or with a personal \
                   access token. For a personal access token, prefer the write-only \
                   `credentials.personal_access_token_wo` (Terraform 1.11 or later): the token \
                   is never stored in the plan or the state and may come from an ephemeral \
                   variable.",
        method: "How Infisical authenticates to GitHub: `github-app`, `oauth` or `pat`. Changing \
                 it replaces the connection (the API cannot change it).",
        gateway: "The id (UUID) of an Infisical gateway to route GitHub calls through, for GitHub \
                  Enterprise Server on a private network.",
        gateway_pool: "The id (UUID) of an Infisical gateway pool to route GitHub calls through, \
                       instead of a single gateway: set this or `gateway_id`, not both.",
        credentials: "The credentials for the chosen `method`. Sent to Infisical only on create \
                      and when they change; Infisical never returns them, so their secrets live \
                      only in Terraform's state (as sensitive values) — except the write-only \
                      `personal_access_token_wo`, which lives nowhere but the configuration. For \
                      credentials managed outside Terraform, add `lifecycle { ignore_changes = \
                      [credentials] }`.",
        list: "Lists GitHub App Connections for `terraform query` (Terraform 1.14 or later): \
               every one of the organization's, or those of `project_id`, made in Terraform or \
               in the Infisical UI. Each result is named by the connection's name and carries \
               its identity (`id`). With `-generate-config-out`, the generated configuration \
               leaves the secrets for you to fill in: `personal_access_token_wo` for `pat` \
               (its `personal_access_token_wo_version` is already 1), `code` (and \
               `installation_id` for `github-app`) for the others.",
        data_source: "Reads a GitHub App Connection by `id`, or by `name` (with `project_id` for \
                      a project-scoped connection).",
        data_source_method: "`github-app`, `oauth` or `pat`.",
        data_source_gateway: "The gateway GitHub calls go through, if any.",
        data_source_gateway_pool: "The gateway pool GitHub calls go through, if any.",
    };
    const REWRITE_NOTE: &'static str = "; for `github-app` and `oauth` that needs a fresh GitHub \
                                        `code`";
    const WRITE_ONLY: &'static [WriteOnly] = &[WriteOnly {
        secret: attr::PERSONAL_ACCESS_TOKEN_WO,
        version: attr::PERSONAL_ACCESS_TOKEN_WO_VERSION,
    }];

    fn credentials_attributes() -> Vec<Attribute> {
        use attr::*;
        vec![
            Attribute::string(CODE).sensitive().description(
                "For `github-app` and `oauth`: the authorization `code` GitHub returned to the \
                 callback URL. Single-use, valid for about 10 minutes; sent only when the \
                 credentials are written.",
            ),
            Attribute::string(INSTALLATION_ID).description(
                "For `github-app`: the id of the GitHub App installation (digits), as GitHub adds \
                 it to the callback URL next to `code`.",
            ),
            Attribute::string(PERSONAL_ACCESS_TOKEN)
                .sensitive()
                .description(
                    "For `pat`: a GitHub personal access token, stored in Terraform's state. \
                     Prefer `personal_access_token_wo`; set one of the two.",
                ),
            Attribute::string(PERSONAL_ACCESS_TOKEN_WO)
                .sensitive()
                .write_only()
                .stored_form(PERSONAL_ACCESS_TOKEN)
                .description(
                    "For `pat`, recommended: a GitHub personal access token that is sent to \
                     Infisical but never stored in Terraform's plan or state, so it may come \
                     from an ephemeral variable (Terraform 1.11 or later). Terraform cannot \
                     compare it, so it is sent on create, when \
                     `personal_access_token_wo_version` changes, and after the credentials were \
                     changed outside Terraform. Set this or `personal_access_token`, not both.",
                ),
            Attribute::number(PERSONAL_ACCESS_TOKEN_WO_VERSION).description(
                "Required with `personal_access_token_wo`, and only with it: a whole number \
                 (1 or more). Increase it to send a new token; lowering it is an error. After \
                 an import, write `1`: the first apply then writes the configured token.",
            ),
            Attribute::string(INSTANCE_TYPE).description(
                "`cloud` (github.com or GHE.com, the default when null) or `server` (GitHub \
                 Enterprise Server).",
            ),
            Attribute::string(HOST).description(
                "The GitHub host name, e.g. `github.example.com`. Required when `instance_type` \
                 is `server`.",
            ),
            Attribute::string(GITHUB_APP_ID).description(
                "For `github-app` on a server whose organization registers its own GitHub App: \
                 the id (UUID) of that app's record in Infisical (see the \
                 `infisical_github_app` data source). Infisical then takes `host` and \
                 `instance_type` from the record, so leave those unset. Without it, the \
                 instance's shared GitHub App is used. Part of the credentials: changing it \
                 needs a fresh `code`.",
            ),
        ]
    }

    fn view_attributes() -> Vec<Attribute> {
        let computed = |name, text| Attribute::string(name).computed().description(text);
        vec![
            computed(attr::INSTANCE_TYPE, "`cloud` or `server`."),
            computed(attr::HOST, "The GitHub host, if set."),
            computed(
                attr::GITHUB_APP_ID,
                "The organization's GitHub App record a `github-app` connection uses, if any.",
            ),
        ]
    }

    fn validate_credentials(
        method: Option<&str>,
        creds: &Value,
        at: &AttrPath,
        diags: &mut Diagnostics,
    ) {
        use attr::*;
        let base = at;
        let at = |name: &str| base.attr(name);
        for secret in [
            CODE,
            PERSONAL_ACCESS_TOKEN,
            PERSONAL_ACCESS_TOKEN_WO,
            INSTALLATION_ID,
            HOST,
        ] {
            validate::not_blank(creds.get(secret), at(secret), diags);
        }
        validate::uuid(creds.get(GITHUB_APP_ID), at(GITHUB_APP_ID), diags);
        if !creds.get(GITHUB_APP_ID).is_null() {
            let why = "with `github_app_id`, Infisical takes the host and instance type from the \
                       GitHub App's record";
            validate::forbidden(creds.get(HOST), at(HOST), why, diags);
            validate::forbidden(creds.get(INSTANCE_TYPE), at(INSTANCE_TYPE), why, diags);
        }
        if let Some(id) = creds.get(INSTALLATION_ID).as_str()
            && !id.trim().is_empty()
            && !id.bytes().all(|b| b.is_ascii_digit())
        {
            diags.attr_error(
                at(INSTALLATION_ID),
                "Invalid installation_id",
                format!(
                    "installation_id is the numeric id of the GitHub App installation (the \
                     number at the end of https://github.com/settings/installations/<id>); \
                     got {id:?}."
                ),
            );
        }
        validate::one_of(
            creds.get(INSTANCE_TYPE),
            &INSTANCE_TYPES,
            at(INSTANCE_TYPE),
            diags,
        );
        if creds.get(INSTANCE_TYPE).as_str() == Some("server") {
            validate::required(
                creds.get(HOST),
                at(HOST),
                "when instance_type is \"server\"",
                diags,
            );
        }
        if let Some(host) = creds.get(HOST).as_str()
            && (host.contains("://") || host.contains('/'))
        {
            diags.attr_error(
                at(HOST),
                "Invalid host",
                format!(
                    "host is a bare host name such as \"github.example.com\" (no scheme, no \
                     path); got {host:?}."
                ),
            );
        }
        let Some(method) = method else {
            return;
        };
        let why = format!("for method {method:?}");
        let (required, forbidden): (&[&str], &[&str]) = match method {
            METHOD_APP => (
                &[CODE, INSTALLATION_ID],
                &[PERSONAL_ACCESS_TOKEN, PERSONAL_ACCESS_TOKEN_WO],
            ),
            METHOD_OAUTH => (
                &[CODE],
                &[
                    INSTALLATION_ID,
                    PERSONAL_ACCESS_TOKEN,
                    PERSONAL_ACCESS_TOKEN_WO,
                    GITHUB_APP_ID,
                ],
            ),
            METHOD_PAT => (&[], &[CODE, INSTALLATION_ID, GITHUB_APP_ID]),
            _ => return,
        };
        if method == METHOD_PAT {
            // Exactly one of the stored and the write-only token.
            let tokens = [PERSONAL_ACCESS_TOKEN, PERSONAL_ACCESS_TOKEN_WO];
            let no_token = tokens.iter().all(|t| creds.get(t).is_null());
            if no_token && !creds.get(PERSONAL_ACCESS_TOKEN_WO_VERSION).is_null() {
                // The write-only form with only its version, as a generated configuration
                // has it: the token is the one value to fill in.
                validate::required(
                    creds.get(PERSONAL_ACCESS_TOKEN_WO),
                    at(PERSONAL_ACCESS_TOKEN_WO),
                    &format!(
                        "with `{PERSONAL_ACCESS_TOKEN_WO_VERSION}`: set it to the GitHub personal \
                         access token this `pat` connection uses, for example from an ephemeral \
                         variable (a generated configuration leaves it null for you to fill in)"
                    ),
                    diags,
                );
            } else if no_token {
                validate::required(
                    creds.get(PERSONAL_ACCESS_TOKEN),
                    at(PERSONAL_ACCESS_TOKEN),
                    &format!("{why} (or its write-only form, `{PERSONAL_ACCESS_TOKEN_WO}`)"),
                    diags,
                );
            }
            validate::exclusive(
                creds,
                base,
                &tokens,
                "a `pat` connection takes its token from one of them",
                diags,
            );
        }
        for name in required {
            validate::required(creds.get(name), at(name), &why, diags);
        }
        for name in forbidden {
            validate::forbidden(creds.get(name), at(name), &why, diags);
        }
    }

    fn request(method: &str, creds: &Credentials) -> Option<GitHubCredentials> {
        let instance_type = match creds.instance_type.as_deref() {
            Some("server") => Some(GitHubInstanceType::Server),
            Some("cloud") => Some(GitHubInstanceType::Cloud),
            _ => None,
        };
        let host = creds.host.clone();
        Some(match method {
            METHOD_APP => GitHubCredentials::App {
                code: creds.code.clone()?,
                installation_id: creds.installation_id.clone()?,
                github_app_id: creds.github_app_id.clone(),
                instance_type,
                host,
            },
            METHOD_OAUTH => GitHubCredentials::OAuth {
                code: creds.code.clone()?,
                instance_type,
                host,
            },
            METHOD_PAT => GitHubCredentials::Pat {
                personal_access_token: creds
                    .personal_access_token
                    .clone()
                    .or_else(|| creds.personal_access_token_wo.clone())?,
                instance_type,
                host,
            },
            _ => return None,
        })
    }

    fn credentials_from_api(view: &GitHubCredentialsView) -> Credentials {
        match &view.github_app_id {
            // The host and instance type are the app record's, which a configuration with
            // `github_app_id` leaves unset: reporting them would be a perpetual diff.
            Some(app) => Credentials {
                github_app_id: Some(app.clone()),
                ..Credentials::default()
            },
            None => Credentials {
                instance_type: instance_type(view),
                host: view.host.clone(),
                ..Credentials::default()
            },
        }
    }

    fn drifted(state: &mut Credentials, api: &Credentials) {
        state.code = None;
        state.personal_access_token = None;
        // The write-only token is never in state: forgetting its version makes the configured
        // one differ, so the next plan writes the token again.
        state.personal_access_token_wo_version = None;
        // Null means `cloud`: only a real difference replaces what the configuration says.
        let cloud = |t: &Option<String>| t.clone().unwrap_or_else(|| "cloud".to_owned());
        if cloud(&state.instance_type) != cloud(&api.instance_type) {
            state.instance_type = api.instance_type.clone();
        }
        if state.host != api.host {
            state.host = api.host.clone();
        }
        if state.github_app_id != api.github_app_id {
            state.github_app_id = api.github_app_id.clone();
        }
    }

    fn view(view: &GitHubCredentialsView) -> View {
        View {
            instance_type: instance_type(view),
            host: view.host.clone(),
            github_app_id: view.github_app_id.clone(),
        }
    }

    fn generated_credentials(method: &str, from_state: &Credentials) -> Credentials {
        Credentials {
            code: None,
            personal_access_token: None,
            personal_access_token_wo: None,
            // The write-only form, whose version a person writes as 1 after an import: the plan
            // then asks for the one value left, the token.
            personal_access_token_wo_version: (method == METHOD_PAT).then_some(1),
            ..from_state.clone()
        }
    }

    fn single_use_attribute(method: &str) -> Option<&'static str> {
        matches!(method, METHOD_APP | METHOD_OAUTH).then_some(attr::CODE)
    }

    fn single_use(credentials: &GitHubCredentials) -> Option<&Secret> {
        match credentials {
            GitHubCredentials::App { code, .. } | GitHubCredentials::OAuth { code, .. } => {
                Some(code)
            }
            GitHubCredentials::Pat { .. } => None,
        }
    }

    fn is_spent(err: &Error) -> bool {
        err.is_bad_verification_code()
    }

    fn spent_summary() -> String {
        "GitHub code already used".to_owned()
    }

    fn spent_detail(method: &str, replacing: bool) -> String {
        if replacing {
            format!(
                "This plan replaces the connection (because of a changed `method` or \
                 `project_id`, or `-replace`), and the new connection needs credentials of its \
                 own, but the configured GitHub `code` was already exchanged by the connection it \
                 replaces. GitHub codes are single-use and expire after about 10 minutes. To \
                 replace it, {}, then apply within 10 minutes. Nothing has been deleted.",
                fresh_code_steps(method)
            )
        } else {
            format!(
                "This plan would send credentials to Infisical, but the configured GitHub `code` \
                 was already exchanged by this connection. GitHub codes are single-use and expire \
                 after about 10 minutes. To write new credentials, {}, then apply within 10 \
                 minutes. To keep the credentials Infisical already has, add `lifecycle {{ \
                 ignore_changes = [credentials] }}` to the resource.",
                fresh_code_steps(method)
            )
        }
    }

    fn name_taken_note() -> &'static str {
        "Infisical would exchange the single-use GitHub `code` before refusing the name, so \
         nothing was sent and the code is still unused: choose another name (or import that \
         connection), and apply again within the code's 10 minutes."
    }
}

/// How to get a fresh code for `method`.
fn fresh_code_steps(method: &str) -> &'static str {
    if method == METHOD_APP {
        "install (or re-authorize) the GitHub App with \"Request user authorization (OAuth) during \
         installation\" enabled, and take the new `code` (and `installation_id`) from the callback URL"
    } else {
        "authorize the OAuth app again and take the new `code` from the callback URL"
    }
}

#[cfg(test)]
mod tests {
    use super::super::attr as shared;
    use super::super::{Connection, data_source, schema, validate_config};
    use super::*;
    use crate::resources::model::{assert_agrees, settle};

    fn config(method: &str, creds: Vec<(&str, Value)>) -> Value {
        let mut all = vec![
            (attr::CODE, Value::Null),
            (attr::INSTALLATION_ID, Value::Null),
            (attr::PERSONAL_ACCESS_TOKEN, Value::Null),
            (attr::PERSONAL_ACCESS_TOKEN_WO, Value::Null),
            (attr::PERSONAL_ACCESS_TOKEN_WO_VERSION, Value::Null),
            (attr::INSTANCE_TYPE, Value::Null),
            (attr::HOST, Value::Null),
            (attr::GITHUB_APP_ID, Value::Null),
        ];
        for (k, v) in creds {
            all.retain(|(name, _)| *name != k);
            all.push((k, v));
        }
        Value::object([
            (shared::ID, Value::Null),
            (shared::NAME, Value::string("github-main")),
            (shared::DESCRIPTION, Value::Null),
            (shared::METHOD, Value::string(method)),
            (shared::PROJECT_ID, Value::Null),
            (shared::GATEWAY_ID, Value::Null),
            (shared::GATEWAY_POOL_ID, Value::Null),
            (shared::CREDENTIALS_HASH, Value::Null),
            (shared::CREDENTIALS, Value::object(all)),
        ])
    }

    fn errors(config: &Value) -> Vec<String> {
        let mut diags = Diagnostics::new();
        validate_config::<GitHubApp>(config, &mut diags);
        diags
            .iter()
            .map(|d| d.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }

    #[test]
    fn each_method_requires_its_own_credentials_and_refuses_the_others() {
        let pat = || (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        let code = || (attr::CODE, Value::string("c0de"));
        let installation = || (attr::INSTALLATION_ID, Value::string("42"));
        assert!(errors(&config("pat", vec![pat()])).is_empty());
        assert!(errors(&config("github-app", vec![code(), installation()])).is_empty());
        assert!(errors(&config("oauth", vec![code()])).is_empty());
        assert_eq!(
            errors(&config("pat", vec![pat(), code()])),
            ["credentials.code"]
        );
        assert_eq!(
            errors(&config("pat", vec![])),
            ["credentials.personal_access_token"]
        );
        assert_eq!(
            errors(&config("github-app", vec![code()])),
            ["credentials.installation_id"]
        );
        assert_eq!(
            errors(&config("oauth", vec![code(), installation()])),
            ["credentials.installation_id"]
        );
        assert_eq!(
            errors(&config("oauth", vec![pat(), code()])),
            ["credentials.personal_access_token"]
        );
        assert_eq!(errors(&config("ssh", vec![pat()])), ["method"]);
    }

    #[test]
    fn pat_takes_exactly_one_token_and_the_write_only_one_with_its_version() {
        let pat = || (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        let wo = || (attr::PERSONAL_ACCESS_TOKEN_WO, Value::string("ghp_wo"));
        let version = |v: i64| (attr::PERSONAL_ACCESS_TOKEN_WO_VERSION, Value::int(v));
        assert!(errors(&config("pat", vec![wo(), version(1)])).is_empty());
        assert!(errors(&config("pat", vec![(wo().0, Value::Unknown), version(3)])).is_empty());
        assert_eq!(
            errors(&config("pat", vec![pat(), wo(), version(1)])),
            [
                "credentials.personal_access_token",
                "credentials.personal_access_token_wo"
            ]
        );
        assert_eq!(
            errors(&config("pat", vec![wo()])),
            ["credentials.personal_access_token_wo_version"]
        );
        assert_eq!(
            errors(&config("pat", vec![pat(), version(1)])),
            ["credentials.personal_access_token_wo_version"]
        );
        assert_eq!(
            errors(&config("pat", vec![wo(), version(0)])),
            ["credentials.personal_access_token_wo_version"]
        );
        let fraction = (
            attr::PERSONAL_ACCESS_TOKEN_WO_VERSION,
            Value::Number(crate::tfplugin::value::Number::Float(1.5)),
        );
        assert_eq!(
            errors(&config("pat", vec![wo(), fraction])),
            ["credentials.personal_access_token_wo_version"]
        );
        let code = (attr::CODE, Value::string("c0de"));
        assert_eq!(
            errors(&config("oauth", vec![code, wo(), version(1)])),
            ["credentials.personal_access_token_wo"]
        );
    }

    #[test]
    fn a_pat_with_only_its_version_is_missing_exactly_the_write_only_token() {
        let version = (attr::PERSONAL_ACCESS_TOKEN_WO_VERSION, Value::int(1));
        let mut diags = Diagnostics::new();
        validate_config::<GitHubApp>(&config("pat", vec![version]), &mut diags);
        let found: Vec<_> = diags
            .iter()
            .map(|d| (d.path.as_ref().map(ToString::to_string), d.summary.as_str()))
            .collect();
        assert_eq!(
            found,
            [(
                Some("credentials.personal_access_token_wo".to_owned()),
                "Missing personal_access_token_wo"
            )]
        );
    }

    /// What `generate_config` writes for the state of `method` with `creds`.
    fn generated(method: &str, creds: Vec<(&str, Value)>) -> Value {
        use crate::tfplugin::framework::Resource;
        let mut state = config(method, creds);
        state.set(
            shared::ID,
            Value::string("1f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"),
        );
        state.set(shared::CREDENTIALS_HASH, Value::string("hash"));
        state.set(shared::DESCRIPTION, Value::string("made in the UI"));
        let mut diags = Diagnostics::new();
        let generated = GitHubConnection::new()
            .generate_config(&state, &mut diags)
            .unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        generated
    }

    #[test]
    fn generated_configuration_is_what_a_person_writes_with_the_write_only_pat_to_fill_in() {
        let cloud = (attr::INSTANCE_TYPE, Value::string("cloud"));
        let pat = generated("pat", vec![cloud.clone()]);
        let mut expected = config(
            "pat",
            vec![
                cloud.clone(),
                (attr::PERSONAL_ACCESS_TOKEN_WO_VERSION, Value::int(1)),
            ],
        );
        expected.set(shared::DESCRIPTION, Value::string("made in the UI"));
        assert_eq!(pat, expected);
        // Its plan stops at exactly the token.
        assert_eq!(errors(&pat), ["credentials.personal_access_token_wo"]);

        // A secret in the state never reaches a generated configuration.
        let stored = (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_in_state"));
        assert_eq!(generated("pat", vec![cloud.clone(), stored]), expected);

        let app = generated(
            "github-app",
            vec![(attr::CODE, Value::string("spent")), cloud.clone()],
        );
        let mut expected = config("github-app", vec![cloud]);
        expected.set(shared::DESCRIPTION, Value::string("made in the UI"));
        assert_eq!(app, expected);
        assert_eq!(
            errors(&app),
            ["credentials.code", "credentials.installation_id"]
        );
    }

    #[test]
    fn the_write_only_token_is_sent_from_the_configuration_never_stored() {
        use crate::tfplugin::framework::with_write_only;
        let token = "ghp_only_in_config";
        let version = (attr::PERSONAL_ACCESS_TOKEN_WO_VERSION, Value::int(1));
        let cfg = config(
            "pat",
            vec![
                (attr::PERSONAL_ACCESS_TOKEN_WO, Value::string(token)),
                version.clone(),
            ],
        );
        let planned = config("pat", vec![version]);
        let sendable = with_write_only(&schema::<GitHubApp>(), &planned, &cfg);
        let send = Connection::<Credentials>::from_value(&sendable).unwrap();
        let Some(GitHubCredentials::Pat {
            personal_access_token,
            ..
        }) = send.request::<GitHubApp>()
        else {
            panic!("no PAT request");
        };
        assert_eq!(personal_access_token.expose(), token);
        let stored = Connection::<Credentials>::from_value(&planned).unwrap();
        assert!(
            stored.request::<GitHubApp>().is_none(),
            "the plan has no token"
        );
    }

    #[test]
    fn drift_forgets_the_write_only_version_so_the_next_plan_writes_again() {
        let mut state = Credentials {
            personal_access_token_wo_version: Some(2),
            ..Credentials::default()
        };
        GitHubApp::drifted(&mut state, &Credentials::default());
        assert_eq!(state.personal_access_token_wo_version, None);
    }

    #[test]
    fn server_instances_need_a_bare_host() {
        let pat = (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        let server = (attr::INSTANCE_TYPE, Value::string("server"));
        assert_eq!(
            errors(&config("pat", vec![pat.clone(), server.clone()])),
            ["credentials.host"]
        );
        let url = (attr::HOST, Value::string("https://github.example.com"));
        assert_eq!(
            errors(&config("pat", vec![pat.clone(), server.clone(), url])),
            ["credentials.host"]
        );
        let host = (attr::HOST, Value::string("github.example.com"));
        assert!(errors(&config("pat", vec![pat.clone(), server, host])).is_empty());
        let other = (attr::INSTANCE_TYPE, Value::string("enterprise"));
        assert_eq!(
            errors(&config("pat", vec![pat, other])),
            ["credentials.instance_type"]
        );
    }

    #[test]
    fn unknown_credentials_and_method_are_checked_later() {
        let mut cfg = config("pat", vec![]);
        cfg.set(shared::CREDENTIALS, Value::Unknown);
        assert!(errors(&cfg).is_empty());
        let mut cfg = config("pat", vec![(attr::PERSONAL_ACCESS_TOKEN, Value::Unknown)]);
        cfg.set(shared::METHOD, Value::Unknown);
        assert!(errors(&cfg).is_empty());
    }

    #[test]
    fn a_github_app_id_is_for_github_app_and_leaves_host_and_instance_type_to_the_app() {
        let app_id = || {
            (
                attr::GITHUB_APP_ID,
                Value::string("6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"),
            )
        };
        let code = || (attr::CODE, Value::string("c0de"));
        let installation = || (attr::INSTALLATION_ID, Value::string("42"));
        let pat = || (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        assert!(
            errors(&config(
                "github-app",
                vec![code(), installation(), app_id()]
            ))
            .is_empty()
        );
        assert_eq!(
            errors(&config("oauth", vec![code(), app_id()])),
            ["credentials.github_app_id"]
        );
        assert_eq!(
            errors(&config("pat", vec![pat(), app_id()])),
            ["credentials.github_app_id"]
        );
        let host = (attr::HOST, Value::string("github.example.com"));
        let server = (attr::INSTANCE_TYPE, Value::string("server"));
        assert_eq!(
            errors(&config(
                "github-app",
                vec![code(), installation(), app_id(), host, server]
            )),
            ["credentials.host", "credentials.instance_type"]
        );
        let not_uuid = (attr::GITHUB_APP_ID, Value::string("main-app"));
        assert_eq!(
            errors(&config(
                "github-app",
                vec![code(), installation(), not_uuid]
            )),
            ["credentials.github_app_id"]
        );
    }

    #[test]
    fn a_gateway_and_a_gateway_pool_conflict_on_both_paths() {
        let gateway = Value::string("6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f");
        let pool = Value::string("7f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f");
        let pat = (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        let mut cfg = config("pat", vec![pat]);
        cfg.set(shared::GATEWAY_POOL_ID, pool);
        assert!(errors(&cfg).is_empty());
        cfg.set(shared::GATEWAY_ID, gateway);
        assert_eq!(errors(&cfg), ["gateway_id", "gateway_pool_id"]);
        cfg.set(shared::GATEWAY_POOL_ID, Value::Unknown);
        assert!(
            errors(&cfg).is_empty(),
            "an unknown pool is checked once known"
        );
    }

    #[test]
    fn the_resource_model_and_schema_agree() {
        assert_agrees::<Connection<Credentials>>(&schema::<GitHubApp>());
    }

    #[test]
    fn the_data_source_model_and_schema_agree() {
        assert_agrees::<data_source::Found<View>>(&data_source::schema::<GitHubApp>());
    }

    #[test]
    fn a_missing_value_is_an_error_with_its_path_never_a_default() {
        let mut planned = config("pat", vec![]);
        planned.set(shared::NAME, Value::Unknown);
        let err = Connection::<Credentials>::from_value(&planned)
            .err()
            .map(|d| (d.path.map(|p| p.to_string()), d.summary));
        assert_eq!(
            err,
            Some((
                Some("name".to_owned()),
                "Provider bug: missing value".to_owned()
            ))
        );
        let mut diags = Diagnostics::new();
        assert!(
            settle(
                Connection::<Credentials>::from_value(&Value::Null),
                &mut diags
            )
            .is_none()
        );
        assert!(diags.has_errors());
    }
}
