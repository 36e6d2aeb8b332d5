//! Turning the provider block and the environment into settings: the host and how to log in,
//! with the official provider's environment variables and precedence.
//!
//! Every problem is reported at plan ([`resolve`], when the provider is configured), with the
//! attribute path or the environment variable to fix, before anything is sent; the ones in the
//! provider block alone already at `terraform validate` ([`validate`]). A value known only
//! after apply defers the settings instead ([`Resolved::Unknown`]).
//!
//! # Layout
//! - `env`: the environment variables read, by the official provider's names.
//! - `reader`: one value from the block, else from the environment; values known only later.
//! - `precedence`: which login method applies — the block's, else `INFISICAL_AUTH_METHOD`'s,
//!   else `INFISICAL_TOKEN`, else the universal-auth variables — and the refusal of several.
//! - `login`: each login method's credentials from its block and the environment, and the
//!   advice shown when Infisical refuses a login.
//! - `service_token`: the refusal of the deprecated service tokens, wherever one is given.
//! - `network`: the host and the time limits of requests.

use std::time::Duration;

use crate::infisical::Auth;
use crate::tfplugin::diag::{Diagnostics, Severity};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::{DEFAULT_HOST, attr};
use network::{HostOrigin, INVALID_DURATION, parse_duration, parse_host};
use precedence::{conflict, methods_set};
use reader::Reader;
use service_token::{SERVICE_TOKEN, SERVICE_TOKEN_DETAIL};

pub mod env;
mod login;
mod network;
mod precedence;
mod reader;
mod service_token;
#[cfg(test)]
mod testing;

pub(super) use login::login_advice;

/// Everything needed to build the API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Settings {
    /// The API's base URL (no trailing slash, no `/api`).
    pub host: url::Url,
    /// How to log in (and to which (sub-)organization).
    pub auth: Auth,
    /// The time limit of one attempt, when set.
    pub request_timeout: Option<Duration>,
    /// The time after which no retry starts, when set.
    pub retry_timeout: Option<Duration>,
}

/// The outcome of reading the configuration.
#[derive(Debug)]
pub(super) enum Resolved {
    /// Ready to build a client (boxed: the settings are large beside the other outcomes).
    Ready(Box<Settings>),
    /// Some value the settings depend on is known only after apply (from another resource).
    Unknown(AttrPath),
    /// Misconfigured; the diagnostics say how.
    Invalid,
}

/// Resolves the settings from the provider block (`config`) and the environment (`getenv`).
/// Files named by the settings (a Kubernetes token, the AWS shared files) are checked too.
pub(super) fn resolve(
    config: &Value,
    getenv: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> Resolved {
    let errors = |diags: &Diagnostics| {
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    };
    let errors_before = errors(diags);
    let mut reader = Reader {
        config,
        getenv,
        diags,
        unknown: Vec::new(),
        organization_slug: None,
    };
    let host_from_block = matches!(config.at(&AttrPath::new(attr::HOST)), Value::String(_));
    let host_text = reader.pick(&AttrPath::new(attr::HOST), Some(env::HOST));
    let auth = AttrPath::new(attr::AUTH);
    reader.organization_slug = reader.pick(
        &auth.attr(attr::ORGANIZATION_SLUG),
        Some(env::ORGANIZATION_SLUG),
    );
    let login = reader.login(&auth);
    let request_timeout = reader.duration(attr::REQUEST_TIMEOUT, env::REQUEST_TIMEOUT);
    let retry_timeout = reader.duration(attr::RETRY_TIMEOUT, env::RETRY_TIMEOUT);
    let host = match (host_text, reader.unknown_at(&AttrPath::new(attr::HOST))) {
        (_, true) => None,
        (text, false) => {
            // Without a value anywhere, the default: it cannot be wrong.
            let origin = if host_from_block || text.is_none() {
                HostOrigin::Block
            } else {
                HostOrigin::Environment
            };
            parse_host(
                text.as_deref().unwrap_or(DEFAULT_HOST),
                origin,
                reader.diags,
            )
        }
    };
    let Reader { diags, unknown, .. } = reader;
    if errors(diags) > errors_before {
        return Resolved::Invalid;
    }
    if let Some(path) = unknown.into_iter().next() {
        return Resolved::Unknown(path);
    }
    match (host, login) {
        (Some(host), Some(auth)) => Resolved::Ready(Box::new(Settings {
            host,
            auth,
            request_timeout,
            retry_timeout,
        })),
        // Each `None` above came with an error.
        _ => Resolved::Invalid,
    }
}

/// The checks that depend on the provider block alone, for `terraform validate`: an invalid
/// `host`, several methods in `auth`. What depends on the environment (variables, a token file,
/// AWS credentials) waits for plan, so that `terraform validate` works on a machine without
/// credentials, as Terraform means it to ("regardless of any provided variables").
pub(super) fn validate(config: &Value, diags: &mut Diagnostics) {
    if let Value::String(host) = config.at(&AttrPath::new(attr::HOST)) {
        parse_host(host, HostOrigin::Block, diags);
    }
    for name in [attr::REQUEST_TIMEOUT, attr::RETRY_TIMEOUT] {
        if let Value::String(text) = config.at(&AttrPath::new(name))
            && let Err(problem) = parse_duration(text)
        {
            diags.attr_error(AttrPath::new(name), INVALID_DURATION, problem);
        }
    }
    if !config.at(&AttrPath::new(attr::SERVICE_TOKEN)).is_null() {
        diags.attr_error(
            AttrPath::new(attr::SERVICE_TOKEN),
            SERVICE_TOKEN,
            format!("`service_token` is set, but {SERVICE_TOKEN_DETAIL}"),
        );
    }
    let auth = AttrPath::new(attr::AUTH);
    if config.at(&auth).is_unknown() {
        return;
    }
    let set = methods_set(config, &auth);
    if set.len() > 1 {
        conflict(&auth, &set, diags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::aws::AwsSource;
    use crate::infisical::{AuthMethod, ServiceAccountToken};
    use testing::*;

    #[test]
    fn configuration_beats_the_environment() {
        let cfg = block(
            s("https://eu.infisical.com/api/"),
            s("config-org"),
            &[(AuthMethod::Universal, universal(s("cid"), s("cs")))],
        );
        let settings = ready(
            &cfg,
            &[
                (env::HOST, "https://other"),
                (env::UNIVERSAL_CLIENT_ID, "env-id"),
                (env::UNIVERSAL_CLIENT_SECRET, "env-secret"),
                (env::ORGANIZATION_SLUG, "env-org"),
            ],
        );
        assert_eq!(settings.host.as_str(), "https://eu.infisical.com/");
        assert_eq!(settings.auth.organization_slug(), Some("config-org"));
        assert_eq!(
            settings.auth,
            Auth::UniversalAuth {
                client_id: "cid".into(),
                client_secret: "cs".into(),
                organization_slug: Some("config-org".into()),
            }
        );

        let env = [
            (env::MACHINE_IDENTITY_ID, "env-identity"),
            (env::OIDC_TOKEN_NAME, "ENV_NAMED_JWT"),
            ("ENV_NAMED_JWT", "jwt-from-env-name"),
            ("CONFIG_NAMED_JWT", "jwt-from-config-name"),
            (env::AUTH_JWT, "default-jwt"),
        ];
        let cfg = only(
            AuthMethod::Oidc,
            oidc(s("config-identity"), s("CONFIG_NAMED_JWT")),
        );
        assert_eq!(
            ready(&cfg, &env).auth,
            Auth::Oidc {
                identity_id: "config-identity".into(),
                jwt: "jwt-from-config-name".into(),
                organization_slug: None,
            }
        );

        let (_dir, path) = token_file("from-file");
        let cfg = only(
            AuthMethod::Kubernetes,
            kubernetes(s("config-identity"), Value::Null, s("config-sa-token")),
        );
        let env = [
            (env::MACHINE_IDENTITY_ID, "env-identity"),
            (env::KUBERNETES_TOKEN, "env-sa-token"),
            (env::KUBERNETES_TOKEN_PATH, path.as_str()),
        ];
        assert_eq!(
            ready(&cfg, &env).auth,
            Auth::Kubernetes {
                identity_id: "config-identity".into(),
                service_account_token: ServiceAccountToken::Value("config-sa-token".into()),
                organization_slug: None,
            }
        );

        let cfg = only(AuthMethod::AwsIam, aws_iam(s("config-identity")));
        let env = [
            AWS_KEYS[0],
            AWS_KEYS[1],
            (env::MACHINE_IDENTITY_ID, "env-identity"),
        ];
        assert_eq!(
            ready(&cfg, &env).auth,
            Auth::AwsIam {
                identity_id: "config-identity".into(),
                source: AwsSource::Environment,
                organization_slug: None,
            }
        );

        let cfg = only(AuthMethod::Token, s("config-token"));
        assert_eq!(
            ready(&cfg, &[(env::TOKEN, "env-token")]).auth,
            Auth::Token("config-token".into())
        );
    }

    #[test]
    fn the_environment_fills_what_an_empty_block_leaves_out() {
        let env = [
            (env::HOST, "http://127.0.0.1:9"),
            (env::UNIVERSAL_CLIENT_ID, "a"),
            (env::UNIVERSAL_CLIENT_SECRET, "b"),
            (env::MACHINE_IDENTITY_ID, "identity"),
            (env::AUTH_JWT, "the-jwt"),
            (env::KUBERNETES_TOKEN, "sa-token"),
            (env::ORGANIZATION_SLUG, "sub-org"),
            AWS_KEYS[0],
            AWS_KEYS[1],
        ];
        let empty = |method| match method {
            AuthMethod::Universal => universal(Value::Null, Value::Null),
            AuthMethod::Oidc => oidc(Value::Null, Value::Null),
            AuthMethod::Kubernetes => kubernetes(Value::Null, Value::Null, Value::Null),
            AuthMethod::AwsIam => aws_iam(Value::Null),
            AuthMethod::Token => Value::Null,
        };
        for method in [
            AuthMethod::Universal,
            AuthMethod::Oidc,
            AuthMethod::Kubernetes,
            AuthMethod::AwsIam,
        ] {
            let settings = ready(&only(method, empty(method)), &env);
            assert_eq!(settings.auth.method(), method);
            assert_eq!(settings.host.as_str(), "http://127.0.0.1:9/");
            assert_eq!(settings.auth.organization_slug(), Some("sub-org"));
        }
        assert_eq!(
            ready(&only(AuthMethod::Oidc, empty(AuthMethod::Oidc)), &env).auth,
            Auth::Oidc {
                identity_id: "identity".into(),
                jwt: "the-jwt".into(),
                organization_slug: Some("sub-org".into()),
            }
        );
        assert_eq!(
            ready(&none(), &[(env::TOKEN, "t")]).host.as_str(),
            "https://app.infisical.com/"
        );
    }

    #[test]
    fn validate_checks_the_block_alone() {
        let mut diags = Diagnostics::new();
        validate(
            &block(
                s("app.infisical.com"),
                Value::Null,
                &[
                    (AuthMethod::Oidc, oidc(Value::Null, Value::Null)),
                    (AuthMethod::Token, s("t")),
                ],
            ),
            &mut diags,
        );
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["host", "auth"], "{diags:?}");
        // Whatever the environment lacks is for plan to say: validate needs no credentials.
        for config in [
            none(),
            only(AuthMethod::Oidc, oidc(Value::Null, Value::Null)),
            only(AuthMethod::AwsIam, aws_iam(Value::Null)),
            Value::object([("host", Value::Unknown), ("auth", Value::Unknown)]),
        ] {
            let mut diags = Diagnostics::new();
            validate(&config, &mut diags);
            assert!(diags.is_empty(), "{diags:?}");
        }
    }

    #[test]
    fn unknown_values_defer_instead_of_failing() {
        let deferred = |cfg: &Value, env: &[(&str, &str)]| {
            let (r, d) = run(cfg, env);
            assert!(matches!(r, Resolved::Unknown(_)), "{r:?} {d:?}");
            assert!(d.is_empty(), "{d:?}");
        };
        deferred(
            &Value::object([("host", Value::Unknown), ("auth", Value::Null)]),
            &[(env::TOKEN, "t")],
        );
        deferred(
            &Value::object([("host", Value::Null), ("auth", Value::Unknown)]),
            &[],
        );
        deferred(
            &only(AuthMethod::Universal, universal(Value::Unknown, s("s"))),
            &[],
        );
        deferred(&only(AuthMethod::Oidc, Value::Unknown), &[]);
        deferred(&only(AuthMethod::Oidc, oidc(s("i"), Value::Unknown)), &[]);
        deferred(
            &only(
                AuthMethod::Kubernetes,
                kubernetes(Value::Unknown, Value::Null, Value::Null),
            ),
            &[],
        );
        deferred(&only(AuthMethod::AwsIam, aws_iam(Value::Unknown)), &[]);
        deferred(&only(AuthMethod::Token, Value::Unknown), &[]);
        // A mistake that no value can fix is reported all the same.
        let cfg = block(
            Value::Unknown,
            Value::Null,
            &[
                (AuthMethod::Universal, universal(s("a"), s("b"))),
                (AuthMethod::Token, s("t")),
            ],
        );
        assert_eq!(invalid(&cfg, &[])[0].0, "auth");
    }
}
