//! The `infisical` provider: its configuration schema (compatible with the official
//! `infisical/infisical` provider), validation, and the resources it offers.

use std::sync::Arc;

pub mod config;

use crate::infisical::aws::AwsSource;
use crate::infisical::{Auth, Client, ClientConfig};
use crate::resources::{self, Configured};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{DataSource, Provider, Resource};
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

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
            Attribute::string("host").description(
                "The Infisical API's URL. Defaults to the `INFISICAL_HOST` environment variable, \
                 then `https://app.infisical.com`.",
            ),
            Attribute::string("client_id")
                .sensitive()
                .deprecated("Use `auth.universal.client_id` instead.")
                .description(
                    "Deprecated, as in the official provider: Universal Auth's client id, used \
                     when `auth` and the environment choose no login method.",
                ),
            Attribute::string("client_secret")
                .sensitive()
                .deprecated("Use `auth.universal.client_secret` instead.")
                .description(
                    "Deprecated, as in the official provider: Universal Auth's client secret, \
                     used with `client_id`.",
                ),
            Attribute::string("service_token")
                .sensitive()
                .deprecated("Service tokens cannot manage app connections; use `auth`.")
                .description(
                    "Deprecated, as in the official provider, and refused here: an Infisical \
                     service token reaches one project's secrets, not app connections. Log in \
                     with a machine identity in `auth` instead.",
                ),
            Attribute::single(
                "auth",
                vec![
                    Attribute::string("organization_slug").description(
                        "Log in to this (sub-)organization. Environment: \
                         `INFISICAL_AUTH_ORGANIZATION_SLUG`.",
                    ),
                    Attribute::string("token").sensitive().description(
                        "A machine identity access token, used as is (Token Auth). Environment: \
                         `INFISICAL_TOKEN`.",
                    ),
                    Attribute::single(
                        "universal",
                        vec![
                            Attribute::string("client_id").sensitive().description(
                                "The machine identity's client id. Environment: \
                                 `INFISICAL_UNIVERSAL_AUTH_CLIENT_ID`.",
                            ),
                            Attribute::string("client_secret").sensitive().description(
                                "The machine identity's client secret. Environment: \
                                 `INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET`.",
                            ),
                        ],
                    )
                    .description("Universal Auth: log in with a client id and secret."),
                    Attribute::single(
                        "oidc",
                        vec![
                            Attribute::string("identity_id").sensitive().description(
                                "The machine identity's id. Environment: \
                                 `INFISICAL_MACHINE_IDENTITY_ID`.",
                            ),
                            Attribute::string("token_environment_variable_name").description(
                                "The environment variable holding the OIDC JWT. Environment: \
                                 `INFISICAL_OIDC_AUTH_TOKEN_NAME`; default `INFISICAL_AUTH_JWT`.",
                            ),
                        ],
                    )
                    .description("OIDC Auth: log in with a JWT from an OIDC provider."),
                    Attribute::single(
                        "kubernetes",
                        vec![
                            Attribute::string("identity_id").sensitive().description(
                                "The machine identity's id. Environment: \
                                 `INFISICAL_MACHINE_IDENTITY_ID`.",
                            ),
                            Attribute::string("service_account_token_path").description(
                                "Where the service account token is read from (again at every \
                                 login, so rotated tokens are picked up). Environment: \
                                 `INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH`; default \
                                 `/var/run/secrets/kubernetes.io/serviceaccount/token`.",
                            ),
                            Attribute::string("service_account_token")
                                .sensitive()
                                .description(
                                    "The service account token itself (instead of a path). \
                                 Environment: `INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN`.",
                                ),
                        ],
                    )
                    .description("Kubernetes Auth: log in with a service account token."),
                    Attribute::single(
                        "aws_iam",
                        vec![Attribute::string("identity_id").sensitive().description(
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
        let organization_slug = settings.organization_slug;
        let login_advice = config::login_advice(settings.login.method());
        let auth = match settings.login {
            config::Login::Universal {
                client_id,
                client_secret,
            } => Auth::UniversalAuth {
                client_id,
                client_secret,
                organization_slug,
            },
            config::Login::Token(token) => Auth::Token(token),
            config::Login::Oidc { identity_id, jwt } => Auth::Oidc {
                identity_id,
                jwt,
                organization_slug,
            },
            config::Login::Kubernetes { identity_id, token } => Auth::Kubernetes {
                identity_id,
                service_account_token: token,
                organization_slug,
            },
            config::Login::AwsIam { identity_id } => Auth::AwsIam {
                identity_id,
                source: AwsSource::Environment,
                organization_slug,
            },
        };
        match Client::new(ClientConfig::new(settings.host, auth)) {
            Ok(client) => Some(Configured::ready(client, login_advice)),
            Err(err) => {
                diags.error("Cannot create the Infisical client", err.to_string());
                None
            }
        }
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
}
