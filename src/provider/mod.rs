//! The `infisical` provider: its configuration schema (compatible with the official
//! `infisical/infisical` provider), validation, and the resources it offers.

use std::sync::Arc;

mod config;

pub use config::env;

use crate::infisical::{AuthMethod, Client, ClientConfig};
use crate::resources::{self, Configured};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{DataSource, EphemeralResource, Provider, Resource};
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

/// The provider block's attribute names, written once: the schema, validation and the settings
/// all use these. Each login method's block in `auth` is named by [`AuthMethod::name`].
pub(crate) mod attr {
    /// The Infisical URL.
    pub(crate) const HOST: &str = "host";
    /// The time limit of one attempt of one request.
    pub(crate) const REQUEST_TIMEOUT: &str = "request_timeout";
    /// The time after which no retry starts.
    pub(crate) const RETRY_TIMEOUT: &str = "retry_timeout";
    /// Universal Auth's client id (top level, deprecated, and in `auth.universal`).
    pub(crate) const CLIENT_ID: &str = "client_id";
    /// Universal Auth's client secret (top level, deprecated, and in `auth.universal`).
    pub(crate) const CLIENT_SECRET: &str = "client_secret";
    /// A service token (deprecated, refused).
    pub(crate) const SERVICE_TOKEN: &str = "service_token";
    /// The login settings.
    pub(crate) const AUTH: &str = "auth";
    /// `auth.organization_slug`.
    pub(crate) const ORGANIZATION_SLUG: &str = "organization_slug";
    /// A machine identity's id, in the OIDC, Kubernetes and AWS IAM blocks.
    pub(crate) const IDENTITY_ID: &str = "identity_id";
    /// `auth.oidc`: the variable that holds the JWT.
    pub(crate) const TOKEN_ENVIRONMENT_VARIABLE_NAME: &str = "token_environment_variable_name";
    /// `auth.kubernetes`: where the service account token is.
    pub(crate) const SERVICE_ACCOUNT_TOKEN_PATH: &str = "service_account_token_path";
    /// `auth.kubernetes`: the service account token itself.
    pub(crate) const SERVICE_ACCOUNT_TOKEN: &str = "service_account_token";
}

/// The default Infisical host, as in the official provider.
pub const DEFAULT_HOST: &str = "https://app.infisical.com";

/// The Infisical provider.
#[derive(Default)]
pub struct InfisicalProvider;

/// The provider configuration's schema. Attribute names and nesting match the official provider,
/// so existing provider blocks work unchanged.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        description: "Manage [Infisical](https://infisical.com) App Connections as code.",
        attributes: vec![
            Attribute::string(attr::HOST).description(
                "The Infisical API's URL. Defaults to the `INFISICAL_HOST` environment variable, \
                 then `https://app.infisical.com`.",
            ),
            Attribute::string(attr::REQUEST_TIMEOUT).description(
                "The time limit of one attempt of one request, answer included, written like \
                 `30s`, `2m` or `1m30s`. Defaults to the `INFISICAL_REQUEST_TIMEOUT` environment \
                 variable, then `30s`. Raise it for a slow network or server.",
            ),
            Attribute::string(attr::RETRY_TIMEOUT).description(
                "How long failed requests are retried: no retry starts once this much time has \
                 passed since a request's first attempt (so a request can take this plus one \
                 `request_timeout`). Defaults to the `INFISICAL_RETRY_TIMEOUT` environment \
                 variable, then `2m`.",
            ),
            Attribute::string(attr::CLIENT_ID)
                .sensitive()
                .deprecated("Use `auth.universal.client_id` instead.")
                .description(
                    "Deprecated, as in the official provider: Universal Auth's client id, used \
                     when `auth` and the environment choose no login method.",
                ),
            Attribute::string(attr::CLIENT_SECRET)
                .sensitive()
                .deprecated("Use `auth.universal.client_secret` instead.")
                .description(
                    "Deprecated, as in the official provider: Universal Auth's client secret, \
                     used with `client_id`.",
                ),
            Attribute::string(attr::SERVICE_TOKEN)
                .sensitive()
                .deprecated("Service tokens cannot manage app connections; use `auth`.")
                .description(
                    "Deprecated, as in the official provider, and refused here: an Infisical \
                     service token reaches one project's secrets, not app connections. Log in \
                     with a machine identity in `auth` instead.",
                ),
            Attribute::single(
                attr::AUTH,
                vec![
                    Attribute::string(attr::ORGANIZATION_SLUG).description(
                        "Log in to this (sub-)organization. Environment: \
                         `INFISICAL_AUTH_ORGANIZATION_SLUG`.",
                    ),
                    Attribute::string(AuthMethod::Token.name()).sensitive().description(
                        "A machine identity access token, used as is (Token Auth). Environment: \
                         `INFISICAL_TOKEN`.",
                    ),
                    Attribute::single(
                        AuthMethod::Universal.name(),
                        vec![
                            Attribute::string(attr::CLIENT_ID).sensitive().description(
                                "The machine identity's client id. Environment: \
                                 `INFISICAL_UNIVERSAL_AUTH_CLIENT_ID`.",
                            ),
                            Attribute::string(attr::CLIENT_SECRET).sensitive().description(
                                "The machine identity's client secret. Environment: \
                                 `INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET`.",
                            ),
                        ],
                    )
                    .description("Universal Auth: log in with a client id and secret."),
                    Attribute::single(
                        AuthMethod::Oidc.name(),
                        vec![
                            Attribute::string(attr::IDENTITY_ID).sensitive().description(
                                "The machine identity's id. Environment: \
                                 `INFISICAL_MACHINE_IDENTITY_ID`.",
                            ),
                            Attribute::string(attr::TOKEN_ENVIRONMENT_VARIABLE_NAME).description(
                                "The environment variable holding the OIDC JWT. Environment: \
                                 `INFISICAL_OIDC_AUTH_TOKEN_NAME`; default `INFISICAL_AUTH_JWT`.",
                            ),
                        ],
                    )
                    .description("OIDC Auth: log in with a JWT from an OIDC provider."),
                    Attribute::single(
                        AuthMethod::Kubernetes.name(),
                        vec![
                            Attribute::string(attr::IDENTITY_ID).sensitive().description(
                                "The machine identity's id. Environment: \
                                 `INFISICAL_MACHINE_IDENTITY_ID`.",
                            ),
                            Attribute::string(attr::SERVICE_ACCOUNT_TOKEN_PATH).description(
                                "Where the service account token is read from (again at every \
                                 login, so rotated tokens are picked up). Environment: \
                                 `INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH`; default \
                                 `/var/run/secrets/kubernetes.io/serviceaccount/token`.",
                            ),
                            Attribute::string(attr::SERVICE_ACCOUNT_TOKEN)
                                .sensitive()
                                .description(
                                    "The service account token itself (instead of a path). \
                                 Environment: `INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN`.",
                                ),
                        ],
                    )
                    .description("Kubernetes Auth: log in with a service account token."),
                    Attribute::single(
                        AuthMethod::AwsIam.name(),
                        vec![Attribute::string(attr::IDENTITY_ID).sensitive().description(
                            "The machine identity's id. Environment: \
                             `INFISICAL_MACHINE_IDENTITY_ID`.",
                        )],
                    )
                    .description(
                        "AWS IAM Auth: log in with a signed `sts:GetCallerIdentity` request. The \
                         AWS credentials come from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/\
                         `AWS_SESSION_TOKEN`, else the profile `AWS_PROFILE` (default `default`) \
                         in the shared credentials and config files, else web identity \
                         (`AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`, as EKS sets them), \
                         else the container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or \
                         `_FULL_URI`, as ECS and EKS Pod Identity set them), else EC2 instance \
                         metadata (IMDSv2; `AWS_EC2_METADATA_DISABLED=true` turns it off). The \
                         region comes from `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile, \
                         else `us-east-1`.",
                    ),
                ],
            )
            .description(
                "How the provider logs in to Infisical. Set one method; without one, \
                 `INFISICAL_AUTH_METHOD` (`token`, `universal`, `oidc`, `kubernetes`, `aws_iam`) \
                 chooses, else `INFISICAL_TOKEN`, else the deprecated top-level `client_id` and \
                 `client_secret`, else the universal-auth variables.",
            ),
        ],
    }
}

#[tonic::async_trait]
impl Provider for InfisicalProvider {
    type Client = Configured;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        config::validate(config, diags);
    }

    async fn configure(&self, config: &Value, diags: &mut Diagnostics) -> Option<Configured> {
        let getenv = |name: &str| std::env::var(name).ok();
        let settings = match config::resolve(config, &getenv, diags) {
            config::Resolved::Ready(settings) => settings,
            config::Resolved::Unknown(path) => {
                tracing::debug!(%path, "provider configuration known only after apply");
                return Some(Configured::unknown(path));
            }
            config::Resolved::Invalid => return None,
        };
        let login_advice = config::login_advice(settings.auth.method());
        let mut client_config = ClientConfig::new(settings.host, settings.auth);
        if let Some(timeout) = settings.request_timeout {
            client_config.timeout = timeout;
        }
        if let Some(timeout) = settings.retry_timeout {
            client_config.retry.max_elapsed = timeout;
        }
        let client = match Client::new(client_config) {
            Ok(client) => client,
            Err(err) => {
                diags.error("Cannot create the Infisical client", err.to_string());
                return None;
            }
        };
        // Log in now, as the official provider does: wrong credentials, an untrusted certificate
        // or a wrong host then fail the plan — even one that only creates, and so reads nothing
        // — instead of its apply. The token is kept for every request that follows.
        let login = client.authenticate().await;
        let configured = Configured::ready(client, login_advice);
        if let Err(err) = login {
            diags.add(configured.error("log in to Infisical", &err));
            return None;
        }
        Some(configured)
    }

    fn stop(&self, configured: &Configured) {
        if let Some(client) = configured.client_if_known() {
            client.stop_waiting();
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Configured>>> {
        resources::resources()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Configured>>> {
        resources::data_sources()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Configured>>> {
        resources::ephemeral_resources()
    }
}
