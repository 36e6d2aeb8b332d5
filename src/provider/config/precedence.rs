//! Which login method applies, as in the official provider
//! (`internal/provider/provider.go`, `Configure`):
//! 1. A value in the provider block beats its environment variable.
//! 2. The method is the one set in `auth`. The official provider picks the first of
//!    oidc > universal > kubernetes > aws_iam > token when several are set; this provider
//!    refuses that instead (naming them, and the one the official provider would have used),
//!    because a silently ignored credential is a misconfiguration.
//! 3. Without a method in `auth`: `INFISICAL_AUTH_METHOD`; then `INFISICAL_TOKEN`; then the
//!    universal-auth variables.

use crate::infisical::{Auth, AuthMethod};
use crate::secret::Secret;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::super::attr;
use super::env;
use super::reader::{Origin, Reader};
use super::service_token::{SERVICE_TOKEN, SERVICE_TOKEN_DETAIL};

/// The official provider's order of preference when several methods are set in `auth`. Each
/// method's name ([`AuthMethod::name`]) is also its attribute in `auth` and its
/// `INFISICAL_AUTH_METHOD` value.
pub(super) const PRECEDENCE: [AuthMethod; 5] = [
    AuthMethod::Oidc,
    AuthMethod::Universal,
    AuthMethod::Kubernetes,
    AuthMethod::AwsIam,
    AuthMethod::Token,
];

/// The values `INFISICAL_AUTH_METHOD` accepts, in the official provider's order.
pub(super) const ENV_VALUES: [AuthMethod; 5] = [
    AuthMethod::Token,
    AuthMethod::Universal,
    AuthMethod::Oidc,
    AuthMethod::Kubernetes,
    AuthMethod::AwsIam,
];

/// Parses an `INFISICAL_AUTH_METHOD` value (case-sensitive, as the official provider).
pub(super) fn method_from_env(value: &str) -> Option<AuthMethod> {
    ENV_VALUES.into_iter().find(|m| m.name() == value.trim())
}

/// The methods the block sets in `auth`, in the official provider's order of preference: a
/// nested block that is not null, or a token that is not null or empty (the official provider
/// ignores an empty token). An unknown value counts as set.
pub(super) fn methods_set(config: &Value, auth: &AttrPath) -> Vec<AuthMethod> {
    PRECEDENCE
        .into_iter()
        .filter(|method| match config.at(&auth.attr(method.name())) {
            Value::Null => false,
            Value::String(s) if *method == AuthMethod::Token => !s.is_empty(),
            _ => true,
        })
        .collect()
}

/// Several methods in `auth`: an error naming them, and the one the official provider would
/// have used.
pub(super) fn conflict(auth: &AttrPath, set: &[AuthMethod], diags: &mut Diagnostics) {
    let names: Vec<String> = set.iter().map(|m| format!("`auth.{}`", m.name())).collect();
    let order: Vec<&str> = PRECEDENCE.iter().map(|m| m.name()).collect();
    diags.attr_error(
        auth.clone(),
        "Conflicting authentication methods",
        format!(
            "{} are {} set; set exactly one login method in `auth`. (The official provider would \
             silently use {}, the first in its order {}.)",
            join_and(&names),
            if names.len() == 2 { "both" } else { "all" },
            names.first().map_or("", String::as_str),
            order.join(" > ")
        ),
    );
}

impl Reader<'_> {
    /// The login method and its credentials.
    pub(super) fn login(&mut self, auth: &AttrPath) -> Option<Auth> {
        if self.unknown_at(auth) {
            return None;
        }
        let set = methods_set(self.config, auth);
        match set.as_slice() {
            [method] => return self.method(*method, auth, Origin::Block),
            [_, _, ..] => {
                conflict(auth, &set, self.diags);
                return None;
            }
            [] => {}
        }
        if let Some(value) = self.env(env::AUTH_METHOD) {
            return match method_from_env(&value) {
                Some(method) => self.method(method, auth, Origin::Environment),
                None => {
                    let valid: Vec<String> = ENV_VALUES
                        .iter()
                        .map(|m| format!("\"{}\"", m.name()))
                        .collect();
                    self.diags.error(
                        "Invalid authentication method",
                        format!(
                            "{} is {value:?}, which is not a login method; valid values are {}.",
                            env::AUTH_METHOD,
                            valid.join(", ")
                        ),
                    );
                    None
                }
            };
        }
        if let Some(token) = self.env(env::TOKEN) {
            return self.access_token(token, None, env::TOKEN);
        }
        // The official provider's last resort: the deprecated top-level `client_id` and
        // `client_secret`, else Universal Auth's variables.
        if let (Some(id), Some(secret)) = (
            self.pick_nonblank(
                &AttrPath::new(attr::CLIENT_ID),
                Some(env::UNIVERSAL_CLIENT_ID),
            ),
            self.pick_nonblank(
                &AttrPath::new(attr::CLIENT_SECRET),
                Some(env::UNIVERSAL_CLIENT_SECRET),
            ),
        ) {
            return Some(Auth::UniversalAuth {
                client_id: Secret::new(id),
                client_secret: Secret::new(secret),
                organization_slug: self.organization_slug.clone(),
            });
        }
        if self.env(env::SERVICE_TOKEN).is_some() {
            self.diags.attr_error(
                auth.clone(),
                SERVICE_TOKEN,
                format!(
                    "no login method is configured, and {} is set: {SERVICE_TOKEN_DETAIL}",
                    env::SERVICE_TOKEN
                ),
            );
            return None;
        }
        self.diags.attr_error(
            auth.clone(),
            "No Infisical authentication configured",
            format!(
                "set one login method in the provider's `auth` block (universal, oidc, kubernetes, \
                 aws_iam or token), or configure it through the environment: {} and {} for \
                 universal auth; {} for a token; or {}=oidc, kubernetes or aws_iam with {} and \
                 that method's variables ({} for oidc; {} or a token file for kubernetes; AWS \
                 credentials for aws_iam).",
                env::UNIVERSAL_CLIENT_ID,
                env::UNIVERSAL_CLIENT_SECRET,
                env::TOKEN,
                env::AUTH_METHOD,
                env::MACHINE_IDENTITY_ID,
                env::AUTH_JWT,
                env::KUBERNETES_TOKEN,
            ),
        );
        None
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::ServiceAccountToken;
    use crate::provider::config::testing::*;

    #[test]
    fn a_method_in_the_block_beats_every_environment_choice() {
        let env = [
            (env::AUTH_METHOD, "universal"),
            (env::TOKEN, "t"),
            (env::UNIVERSAL_CLIENT_ID, "a"),
            (env::UNIVERSAL_CLIENT_SECRET, "b"),
            (env::MACHINE_IDENTITY_ID, "identity"),
            (env::KUBERNETES_TOKEN, "sa"),
        ];
        let cfg = only(
            AuthMethod::Kubernetes,
            kubernetes(Value::Null, Value::Null, Value::Null),
        );
        assert_eq!(ready(&cfg, &env).auth.method(), AuthMethod::Kubernetes);
        let cfg = only(AuthMethod::Universal, universal(s("x"), s("y")));
        assert_eq!(
            ready(&cfg, &[(env::TOKEN, "t"), (env::AUTH_METHOD, "token")]).auth,
            Auth::UniversalAuth {
                client_id: "x".into(),
                client_secret: "y".into(),
                organization_slug: None,
            }
        );
        // An empty token is no method (as in the official provider): the environment decides.
        let cfg = only(AuthMethod::Token, s(""));
        assert_eq!(ready(&cfg, &env).auth.method(), AuthMethod::Universal);
    }

    #[test]
    fn auth_method_then_the_token_then_universal_variables_choose_without_a_block() {
        let (_dir, path) = token_file("sa-from-file\n");
        let env = [
            (env::TOKEN, "t"),
            (env::UNIVERSAL_CLIENT_ID, "a"),
            (env::UNIVERSAL_CLIENT_SECRET, "b"),
            (env::MACHINE_IDENTITY_ID, "identity"),
            (env::AUTH_JWT, "jwt"),
            (env::KUBERNETES_TOKEN_PATH, path.as_str()),
            AWS_KEYS[0],
            AWS_KEYS[1],
        ];
        for method in ENV_VALUES {
            let mut with_method = env.to_vec();
            with_method.push((env::AUTH_METHOD, method.name()));
            assert_eq!(ready(&none(), &with_method).auth.method(), method);
        }
        let mut kubernetes_env = env.to_vec();
        kubernetes_env.push((env::AUTH_METHOD, "kubernetes"));
        assert_eq!(
            ready(&none(), &kubernetes_env).auth,
            Auth::Kubernetes {
                identity_id: "identity".into(),
                service_account_token: ServiceAccountToken::File(path.clone().into()),
                organization_slug: None,
            }
        );
        // INFISICAL_TOKEN before the universal-auth variables.
        assert_eq!(ready(&none(), &env).auth, Auth::Token("t".into()));
        assert_eq!(
            ready(&none(), &env[1..3]).auth.method(),
            AuthMethod::Universal
        );
    }

    #[test]
    fn two_methods_in_auth_are_refused_naming_them_and_the_official_choice() {
        let values = |method| match method {
            AuthMethod::Universal => universal(s("a"), s("b")),
            AuthMethod::Oidc => oidc(s("i"), Value::Null),
            AuthMethod::Kubernetes => kubernetes(s("i"), Value::Null, s("t")),
            AuthMethod::AwsIam => aws_iam(s("i")),
            AuthMethod::Token => s("t"),
        };
        for (i, first) in PRECEDENCE.into_iter().enumerate() {
            for second in PRECEDENCE.into_iter().skip(i + 1) {
                let cfg = block(
                    Value::Null,
                    Value::Null,
                    &[(second, values(second)), (first, values(first))],
                );
                let errors = invalid(&cfg, &[(env::AUTH_JWT, "j")]);
                assert_eq!(errors.len(), 1, "{errors:?}");
                let (path, text) = &errors[0];
                assert_eq!(path, "auth");
                assert!(
                    text.contains(&format!(
                        "`auth.{}` and `auth.{}`",
                        first.name(),
                        second.name()
                    )),
                    "{text}"
                );
                // The official provider's precedence decides which one it would have used.
                assert!(
                    text.contains(&format!("silently use `auth.{}`", first.name())),
                    "{text}"
                );
            }
        }
        let all: Vec<(AuthMethod, Value)> =
            PRECEDENCE.into_iter().map(|m| (m, values(m))).collect();
        let errors = invalid(&block(Value::Null, Value::Null, &all), &[]);
        assert!(
            errors[0].1.contains(
                "`auth.oidc`, `auth.universal`, `auth.kubernetes`, `auth.aws_iam` and `auth.token`"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn the_deprecated_client_credentials_are_universal_auth_of_last_resort() {
        let top = Value::object([
            ("host", Value::Null),
            ("auth", Value::Null),
            ("client_id", s("cid")),
            ("client_secret", s("cs")),
        ]);
        let settings = ready(
            &top,
            &[
                (env::UNIVERSAL_CLIENT_ID, "env-id"),
                (env::UNIVERSAL_CLIENT_SECRET, "env-secret"),
            ],
        );
        assert_eq!(
            settings.auth,
            Auth::UniversalAuth {
                client_id: "cid".into(),
                client_secret: "cs".into(),
                organization_slug: None,
            }
        );
        // Any other way of choosing a method comes first, as in the official provider.
        let settings = ready(&top, &[(env::TOKEN, "env-token")]);
        assert_eq!(settings.auth, Auth::Token("env-token".into()));
    }

    #[test]
    fn an_unknown_auth_method_lists_the_valid_ones() {
        let errors = invalid(&none(), &[(env::AUTH_METHOD, "ldap"), (env::TOKEN, "t")]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].1.contains(
                "\"ldap\", which is not a login method; valid values are \"token\", \
                 \"universal\", \"oidc\", \"kubernetes\", \"aws_iam\""
            ),
            "{errors:?}"
        );
        // As in the official provider, the value is case-sensitive.
        invalid(&none(), &[(env::AUTH_METHOD, "Universal")]);
    }

    #[test]
    fn no_method_at_all_says_which_variables_would_do() {
        let errors = invalid(&none(), &[(env::UNIVERSAL_CLIENT_ID, "only-the-id")]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "auth");
        for var in [
            env::UNIVERSAL_CLIENT_ID,
            env::UNIVERSAL_CLIENT_SECRET,
            env::TOKEN,
            env::AUTH_METHOD,
            env::MACHINE_IDENTITY_ID,
        ] {
            assert!(errors[0].1.contains(var), "{var}: {errors:?}");
        }
    }
}
