//! The `infisical` provider: its configuration schema (compatible with the official
//! `infisical/infisical` provider), validation, and the resources it offers.

use std::sync::Arc;

pub mod config;

use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework::{DataSource, Provider, Resource};
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

/// The default Infisical host, as in the official provider.
pub const DEFAULT_HOST: &str = "https://app.infisical.com";

/// The Infisical provider.
#[derive(Default)]
pub struct InfisicalProvider;

/// What configuring the provider yields for its resources.
pub struct Configured {
    /// The Infisical API's base URL.
    pub host: url::Url,
}

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
                                "The environment variable holding the OIDC JWT. Defaults to \
                                 `INFISICAL_AUTH_JWT`.",
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
                                "Where the service account token is read from. Defaults to \
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
                    .description("AWS IAM Auth: log in with the AWS credentials of this machine."),
                ],
            )
            .description("How the provider logs in to Infisical. Set one method."),
        ],
    }
}

/// Checks the `host` value: an absolute http(s) URL with a host name.
pub fn validate_host(host: &Value, diags: &mut Diagnostics) {
    let Some(text) = host.as_str() else { return };
    let ok = url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if !ok {
        diags.attr_error(
            AttrPath::new("host"),
            "Invalid Infisical host",
            format!(
                "host must be an http:// or https:// URL such as {DEFAULT_HOST}, got {text:?}."
            ),
        );
    }
}

#[tonic::async_trait]
impl Provider for InfisicalProvider {
    type Client = Configured;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_host(config.get("host"), diags);
    }

    async fn configure(&self, config: &Value, diags: &mut Diagnostics) -> Option<Configured> {
        let from_env = std::env::var("INFISICAL_HOST")
            .ok()
            .filter(|h| !h.is_empty());
        let host = config.get("host").as_str().map(str::to_owned).or(from_env);
        let host = host.unwrap_or_else(|| DEFAULT_HOST.to_owned());
        match url::Url::parse(&host) {
            Ok(host) => Some(Configured { host }),
            Err(e) => {
                diags.attr_error(
                    AttrPath::new("host"),
                    "Invalid Infisical host",
                    format!("host {host:?} is not a URL: {e}"),
                );
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Configured>>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Configured>>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_must_be_an_http_url() {
        for good in [
            "https://app.infisical.com",
            "http://127.0.0.1:8080/",
            "https://eu.infisical.com/api",
        ] {
            let mut diags = Diagnostics::new();
            validate_host(&Value::string(good), &mut diags);
            assert!(diags.is_empty(), "{good}: {diags:?}");
        }
        for bad in ["app.infisical.com", "ftp://x", "https://", ""] {
            let mut diags = Diagnostics::new();
            validate_host(&Value::string(bad), &mut diags);
            assert!(diags.has_errors(), "{bad} should be refused");
        }
        let mut diags = Diagnostics::new();
        validate_host(&Value::Unknown, &mut diags);
        validate_host(&Value::Null, &mut diags);
        assert!(diags.is_empty());
    }
}
