//! Each login method's credentials, from its block in `auth` (or, for a method chosen by
//! `INFISICAL_AUTH_METHOD`, from the environment alone), with what is missing reported where
//! the user would set it; and the advice shown when Infisical refuses a login.

use std::path::PathBuf;

use crate::infisical::aws::{self, AwsSource};
use crate::infisical::{Auth, AuthMethod, ServiceAccountToken};
use crate::secret::Secret;
use crate::tfplugin::path::AttrPath;

use super::super::attr;
use super::env;
use super::reader::{Origin, Reader};

/// Where a pod's service account token is mounted.
pub(super) const DEFAULT_KUBERNETES_TOKEN_PATH: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

impl Reader<'_> {
    /// The credentials of `method`, from its block (or the environment when it has none).
    /// Missing values are errors unless one of the method's values is unknown.
    pub(super) fn method(
        &mut self,
        method: AuthMethod,
        auth: &AttrPath,
        origin: Origin,
    ) -> Option<Auth> {
        let block = auth.attr(method.name());
        let unknowns_before = self.unknown.len();
        let mut missing: Vec<Missing> = Vec::new();
        let login = match method {
            AuthMethod::Universal => {
                let id = self
                    .pick_nonblank(&block.attr(attr::CLIENT_ID), Some(env::UNIVERSAL_CLIENT_ID));
                let secret = self.pick_nonblank(
                    &block.attr(attr::CLIENT_SECRET),
                    Some(env::UNIVERSAL_CLIENT_SECRET),
                );
                if id.is_none() {
                    missing.push(Missing::field(
                        &block,
                        method,
                        attr::CLIENT_ID,
                        env::UNIVERSAL_CLIENT_ID,
                    ));
                }
                if secret.is_none() {
                    missing.push(Missing::field(
                        &block,
                        method,
                        attr::CLIENT_SECRET,
                        env::UNIVERSAL_CLIENT_SECRET,
                    ));
                }
                id.zip(secret).map(|(id, secret)| Auth::UniversalAuth {
                    client_id: Secret::new(id),
                    client_secret: Secret::new(secret),
                    organization_slug: self.organization_slug.clone(),
                })
            }
            AuthMethod::Token => {
                // `auth.token` has no environment fallback of its own: INFISICAL_TOKEN is read
                // when no method is set in the block.
                let var = (origin == Origin::Environment).then_some(env::TOKEN);
                match self.pick_nonblank(&block, var) {
                    Some(token) => {
                        let at = (origin == Origin::Block).then(|| block.clone());
                        self.access_token(token, at, var.unwrap_or("`auth.token`"))
                    }
                    None => {
                        missing.push(Missing {
                            path: block.clone(),
                            summary: "Missing Infisical token".to_owned(),
                            detail: format!(
                                "token auth needs an access token: set `auth.token` or {}.",
                                env::TOKEN
                            ),
                        });
                        None
                    }
                }
            }
            AuthMethod::Oidc => {
                let identity_id = self.identity_id(&block, method, &mut missing);
                let name_path = block.attr(attr::TOKEN_ENVIRONMENT_VARIABLE_NAME);
                let name = self
                    .pick_nonblank(&name_path, Some(env::OIDC_TOKEN_NAME))
                    .unwrap_or_else(|| env::AUTH_JWT.to_owned());
                let jwt = self.env(name.trim());
                if jwt.is_none() {
                    let path = if self.config.at(&name_path).is_null() {
                        block.clone()
                    } else {
                        name_path
                    };
                    missing.push(Missing {
                        path,
                        summary: "Missing OIDC token".to_owned(),
                        detail: format!(
                            "OIDC auth reads its JWT from the environment variable {name}, which is \
                             not set. Put the OIDC provider's token there, or name another variable \
                             with `token_environment_variable_name` or {}.",
                            env::OIDC_TOKEN_NAME
                        ),
                    });
                }
                identity_id.zip(jwt).map(|(identity_id, jwt)| Auth::Oidc {
                    identity_id,
                    jwt: Secret::new(jwt.trim()),
                    organization_slug: self.organization_slug.clone(),
                })
            }
            AuthMethod::Kubernetes => {
                let identity_id = self.identity_id(&block, method, &mut missing);
                let token = self
                    .pick_nonblank(
                        &block.attr(attr::SERVICE_ACCOUNT_TOKEN),
                        Some(env::KUBERNETES_TOKEN),
                    )
                    .map(|t| ServiceAccountToken::Value(Secret::new(t.trim())));
                let token = match token {
                    Some(token) => Some(token),
                    None => {
                        let path_attr = block.attr(attr::SERVICE_ACCOUNT_TOKEN_PATH);
                        let path = self
                            .pick_nonblank(&path_attr, Some(env::KUBERNETES_TOKEN_PATH))
                            .unwrap_or_else(|| DEFAULT_KUBERNETES_TOKEN_PATH.to_owned());
                        match std::fs::File::open(&path) {
                            Ok(_) => Some(ServiceAccountToken::File(PathBuf::from(path))),
                            Err(error) => {
                                let at = if self.config.at(&path_attr).is_null() {
                                    block.clone()
                                } else {
                                    path_attr
                                };
                                missing.push(Missing {
                                    path: at,
                                    summary: "Missing Kubernetes service account token".to_owned(),
                                    detail: format!(
                                        "Kubernetes auth reads the service account token from \
                                         {path}, which cannot be read ({error}). Set \
                                         `service_account_token` (or {}), or point \
                                         `service_account_token_path` (or {}) at the token.",
                                        env::KUBERNETES_TOKEN,
                                        env::KUBERNETES_TOKEN_PATH
                                    ),
                                });
                                None
                            }
                        }
                    }
                };
                identity_id
                    .zip(token)
                    .map(|(identity_id, token)| Auth::Kubernetes {
                        identity_id,
                        service_account_token: token,
                        organization_slug: self.organization_slug.clone(),
                    })
            }
            AuthMethod::AwsIam => {
                let identity_id = self.identity_id(&block, method, &mut missing);
                if let Err(problem) = aws::locate(self.getenv) {
                    missing.push(Missing {
                        path: block.clone(),
                        summary: "Missing AWS credentials".to_owned(),
                        detail: format!(
                            "AWS IAM auth signs a request with AWS credentials, but {problem}."
                        ),
                    });
                    None
                } else {
                    identity_id.map(|identity_id| Auth::AwsIam {
                        identity_id,
                        source: AwsSource::Environment,
                        organization_slug: self.organization_slug.clone(),
                    })
                }
            }
        };
        if self.unknown.len() > unknowns_before {
            // Known only after apply: nothing is missing for sure yet.
            return None;
        }
        for Missing {
            path,
            summary,
            detail,
        } in missing
        {
            match origin {
                Origin::Block => self.diags.attr_error(path, summary, detail),
                Origin::Environment => self.diags.error(
                    summary,
                    format!("{} is {:?}: {detail}", env::AUTH_METHOD, method.name()),
                ),
            }
        }
        login
    }

    /// The machine identity id of `method`: `identity_id` in its block, else
    /// `INFISICAL_MACHINE_IDENTITY_ID`.
    pub(super) fn identity_id(
        &mut self,
        block: &AttrPath,
        method: AuthMethod,
        missing: &mut Vec<Missing>,
    ) -> Option<Secret> {
        let id = self.pick_nonblank(
            &block.attr(attr::IDENTITY_ID),
            Some(env::MACHINE_IDENTITY_ID),
        );
        if id.is_none() {
            missing.push(Missing::field(
                block,
                method,
                attr::IDENTITY_ID,
                env::MACHINE_IDENTITY_ID,
            ));
        }
        id.map(|id| Secret::new(id.trim()))
    }
}

/// What to check when Infisical refuses the login of `method`: its settings, by their paths in
/// the provider block and their environment variables.
pub(in crate::provider) fn login_advice(method: AuthMethod) -> String {
    let block = format!("{}.{}", attr::AUTH, method.name());
    let identity = format!(
        "the identity id (`{block}.{}` or {})",
        attr::IDENTITY_ID,
        env::MACHINE_IDENTITY_ID
    );
    match method {
        AuthMethod::Universal => format!(
            "Check the machine identity's client id and secret (`{block}`, or {} / {}).",
            env::UNIVERSAL_CLIENT_ID,
            env::UNIVERSAL_CLIENT_SECRET
        ),
        AuthMethod::Oidc => format!(
            "Check {identity}, that the identity has OIDC Auth configured, and that the JWT in \
             the environment variable named by `{}` (default {}) is current and matches its \
             issuer, audience and claims.",
            attr::TOKEN_ENVIRONMENT_VARIABLE_NAME,
            env::AUTH_JWT
        ),
        AuthMethod::Kubernetes => format!(
            "Check {identity}, that the identity has Kubernetes Auth configured, and that the \
             service account token is current and allowed by it."
        ),
        AuthMethod::AwsIam => format!(
            "Check {identity}, that the identity has AWS Auth configured, and that the AWS \
             credentials found ({}, {}, ...) belong to an allowed account or principal.",
            aws::env::ACCESS_KEY_ID,
            aws::env::PROFILE
        ),
        AuthMethod::Token => format!(
            "Check the access token (`{block}` or {}): it may have expired or been revoked.",
            env::TOKEN
        ),
    }
}

/// A value a method needs and does not have.
pub(super) struct Missing {
    path: AttrPath,
    summary: String,
    detail: String,
}

impl Missing {
    pub(super) fn field(block: &AttrPath, method: AuthMethod, attr: &str, var: &str) -> Self {
        Self {
            path: block.attr(attr),
            summary: format!("Missing {attr}"),
            detail: format!(
                "{} auth needs `{attr}`: set `auth.{}.{attr}` in the provider block or {var}.",
                method.name(),
                method.name()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::config::testing::*;
    use crate::tfplugin::value::Value;

    #[test]
    fn the_kubernetes_token_comes_from_the_value_then_the_path_then_the_default_path() {
        let (_dir, file) = token_file("x");
        let (_dir2, env_file) = token_file("y");
        let id = [(env::MACHINE_IDENTITY_ID, "identity")];
        let token = |cfg: &Value, env: &[(&str, &str)]| match ready(cfg, env).auth {
            Auth::Kubernetes {
                service_account_token,
                ..
            } => service_account_token,
            other => panic!("{other:?}"),
        };
        let with = |path: Value, value: Value| {
            only(AuthMethod::Kubernetes, kubernetes(Value::Null, path, value))
        };
        assert_eq!(
            token(
                &with(s(&file), Value::Null),
                &[id[0], (env::KUBERNETES_TOKEN, "env-token")]
            ),
            ServiceAccountToken::Value("env-token".into())
        );
        assert_eq!(
            token(
                &with(s(&file), Value::Null),
                &[id[0], (env::KUBERNETES_TOKEN_PATH, env_file.as_str())]
            ),
            ServiceAccountToken::File(file.clone().into())
        );
        assert_eq!(
            token(
                &with(Value::Null, Value::Null),
                &[id[0], (env::KUBERNETES_TOKEN_PATH, env_file.as_str())]
            ),
            ServiceAccountToken::File(env_file.clone().into())
        );
        // The default path does not exist here: the error names it and the alternatives.
        let errors = invalid(&with(Value::Null, Value::Null), &id);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "auth.kubernetes");
        assert!(
            errors[0].1.contains(DEFAULT_KUBERNETES_TOKEN_PATH),
            "{errors:?}"
        );
        assert!(errors[0].1.contains(env::KUBERNETES_TOKEN), "{errors:?}");
        let errors = invalid(&with(s("/no/such/token"), Value::Null), &id);
        assert_eq!(errors[0].0, "auth.kubernetes.service_account_token_path");
    }

    #[test]
    fn the_oidc_jwt_variable_is_named_by_the_block_then_the_environment() {
        let env = [
            (env::MACHINE_IDENTITY_ID, "identity"),
            (env::AUTH_JWT, "default"),
            ("RENAMED", "renamed"),
        ];
        let jwt = |cfg: &Value, env: &[(&str, &str)]| match ready(cfg, env).auth {
            Auth::Oidc { jwt, .. } => jwt,
            other => panic!("{other:?}"),
        };
        let block = |name: Value| only(AuthMethod::Oidc, oidc(Value::Null, name));
        assert_eq!(jwt(&block(Value::Null), &env), Secret::new("default"));
        let mut renamed = env.to_vec();
        renamed.push((env::OIDC_TOKEN_NAME, "RENAMED"));
        assert_eq!(jwt(&block(Value::Null), &renamed), Secret::new("renamed"));
        assert_eq!(
            jwt(&block(s(env::AUTH_JWT)), &renamed),
            Secret::new("default")
        );
        let errors = invalid(&block(s("NOT_SET")), &env);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "auth.oidc.token_environment_variable_name");
        assert!(errors[0].1.contains("NOT_SET"), "{errors:?}");
    }

    #[test]
    fn missing_values_are_reported_at_their_attribute() {
        let cases: [(Value, &[&str]); 5] = [
            (
                only(AuthMethod::Universal, universal(s("a"), Value::Null)),
                &["auth.universal.client_secret"],
            ),
            (
                only(AuthMethod::Universal, universal(s(" "), s(""))),
                &["auth.universal.client_id", "auth.universal.client_secret"],
            ),
            (
                only(AuthMethod::Oidc, oidc(Value::Null, Value::Null)),
                &["auth.oidc.identity_id", "auth.oidc"],
            ),
            (
                only(AuthMethod::AwsIam, aws_iam(Value::Null)),
                &["auth.aws_iam.identity_id", "auth.aws_iam"],
            ),
            (
                only(
                    AuthMethod::Kubernetes,
                    kubernetes(Value::Null, s("/no/such/file"), Value::Null),
                ),
                &[
                    "auth.kubernetes.identity_id",
                    "auth.kubernetes.service_account_token_path",
                ],
            ),
        ];
        for (cfg, paths) in cases {
            let errors = invalid(&cfg, &[]);
            let found: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
            assert_eq!(found, paths, "{errors:?}");
        }
        let errors = invalid(&only(AuthMethod::AwsIam, aws_iam(s("i"))), &[AWS_KEYS[0]]);
        assert!(
            errors[0].1.contains(aws::env::SECRET_ACCESS_KEY),
            "{errors:?}"
        );
        assert!(
            errors[0].1.contains(aws::env::EC2_METADATA_DISABLED),
            "{errors:?}"
        );
    }

    #[test]
    fn aws_credentials_from_the_network_are_left_to_the_login() {
        // Instance metadata (on unless switched off), or a source the environment names.
        for env in [
            vec![(aws::env::EC2_METADATA_DISABLED, "false")],
            vec![(
                aws::env::CONTAINER_CREDENTIALS_RELATIVE_URI,
                "/v2/credentials/x",
            )],
            vec![
                (aws::env::WEB_IDENTITY_TOKEN_FILE, "/var/run/token"),
                (aws::env::ROLE_ARN, "arn:aws:iam::1:role/r"),
            ],
        ] {
            let settings = ready(&only(AuthMethod::AwsIam, aws_iam(s("i"))), &env);
            assert!(matches!(settings.auth, Auth::AwsIam { .. }), "{env:?}");
        }
        let errors = invalid(
            &only(AuthMethod::AwsIam, aws_iam(s("i"))),
            &[(
                aws::env::CONTAINER_CREDENTIALS_FULL_URI,
                "http://example.com/creds",
            )],
        );
        assert!(errors[0].1.contains("plain http"), "{errors:?}");
    }

    #[test]
    fn missing_values_of_a_method_chosen_by_the_environment_name_the_variables() {
        let errors = invalid(&none(), &[(env::AUTH_METHOD, "oidc")]);
        let text: Vec<&str> = errors.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|(path, _)| path.is_empty()));
        assert!(text[0].contains(env::MACHINE_IDENTITY_ID), "{text:?}");
        assert!(text[1].contains(env::AUTH_JWT), "{text:?}");
        let errors = invalid(&none(), &[(env::AUTH_METHOD, "token")]);
        assert!(errors[0].1.contains(env::TOKEN), "{errors:?}");
        let errors = invalid(
            &none(),
            &[
                (env::AUTH_METHOD, "universal"),
                (env::UNIVERSAL_CLIENT_ID, "a"),
            ],
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].1.contains(env::UNIVERSAL_CLIENT_SECRET),
            "{errors:?}"
        );
    }
}
