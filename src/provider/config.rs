//! Turning the provider block and the environment into settings: the host and how to log in,
//! with the official provider's environment variables and precedence (configuration over
//! environment; inside `auth`, the first method set wins; then `INFISICAL_AUTH_METHOD`; then
//! `INFISICAL_TOKEN`; then the universal-auth variables).

use crate::secret::Secret;
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::value::Value;

use super::DEFAULT_HOST;

/// Environment variables the provider reads.
pub mod env {
    /// The Infisical host.
    pub const HOST: &str = "INFISICAL_HOST";
    /// Universal auth client id.
    pub const UNIVERSAL_CLIENT_ID: &str = "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID";
    /// Universal auth client secret.
    pub const UNIVERSAL_CLIENT_SECRET: &str = "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET";
    /// A machine identity access token.
    pub const TOKEN: &str = "INFISICAL_TOKEN";
    /// Which method to use when the provider block names none.
    pub const AUTH_METHOD: &str = "INFISICAL_AUTH_METHOD";
    /// The (sub-)organization to log in to.
    pub const ORGANIZATION_SLUG: &str = "INFISICAL_AUTH_ORGANIZATION_SLUG";
}

/// How to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Universal auth with a client id and secret.
    Universal {
        /// The identity's client id.
        client_id: Secret,
        /// The identity's client secret.
        client_secret: Secret,
    },
    /// An access token, used as is.
    Token(Secret),
}

impl Login {
    /// The method's name, as `INFISICAL_AUTH_METHOD` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Login::Universal { .. } => "universal",
            Login::Token(_) => "token",
        }
    }
}

/// Everything needed to build the API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The API's base URL (no trailing slash, no `/api`).
    pub host: url::Url,
    /// How to log in.
    pub login: Login,
    /// The (sub-)organization to log in to.
    pub organization_slug: Option<String>,
}

/// The outcome of reading the configuration.
#[derive(Debug)]
pub enum Resolved {
    /// Ready to build a client.
    Ready(Settings),
    /// Some value the settings depend on is known only after apply (from another resource).
    Unknown(AttrPath),
    /// Misconfigured; the diagnostics say how.
    Invalid,
}

/// The methods `INFISICAL_AUTH_METHOD` accepts in this version.
pub const AUTH_METHODS: [&str; 2] = ["universal", "token"];

/// Resolves the settings from the provider block (`config`) and the environment (`getenv`).
pub fn resolve(
    config: &Value,
    getenv: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> Resolved {
    let getenv = |name: &str| getenv(name).filter(|v| !v.trim().is_empty());
    // The first value that is known only after apply, if any.
    let unknown: std::cell::RefCell<Option<AttrPath>> = std::cell::RefCell::new(None);
    let mark_unknown = |path: AttrPath| {
        unknown.borrow_mut().get_or_insert(path);
    };
    // A configured value, or the environment's when the configuration leaves it null.
    let pick = |path: AttrPath, var: Option<&str>| -> Option<String> {
        match config.at(&path) {
            Value::Unknown => {
                mark_unknown(path);
                None
            }
            Value::String(s) => Some(s.clone()),
            _ => var.and_then(getenv),
        }
    };

    let host_text =
        pick(AttrPath::new("host"), Some(env::HOST)).unwrap_or_else(|| DEFAULT_HOST.to_owned());
    let auth = AttrPath::new("auth");
    let organization_slug = pick(auth.attr("organization_slug"), Some(env::ORGANIZATION_SLUG));

    let universal = auth.attr("universal");
    let universal_set = !config.at(&universal).is_null();
    let token_set = !config.at(&auth.attr("token")).is_null();
    let login = if universal_set {
        if config.at(&universal).is_unknown() {
            mark_unknown(universal.clone());
        }
        let id = pick(universal.attr("client_id"), Some(env::UNIVERSAL_CLIENT_ID));
        let secret = pick(
            universal.attr("client_secret"),
            Some(env::UNIVERSAL_CLIENT_SECRET),
        );
        if unknown.borrow().is_some() {
            None
        } else {
            universal_login(id, secret, &universal, true, diags)
        }
    } else if token_set {
        pick(auth.attr("token"), None).map(|t| Login::Token(Secret::new(t)))
    } else if let Some(method) = getenv(env::AUTH_METHOD) {
        match method.as_str() {
            "universal" => universal_login(
                getenv(env::UNIVERSAL_CLIENT_ID),
                getenv(env::UNIVERSAL_CLIENT_SECRET),
                &universal,
                false,
                diags,
            ),
            "token" => match getenv(env::TOKEN) {
                Some(token) => Some(Login::Token(Secret::new(token))),
                None => {
                    diags.error(
                        "Missing Infisical token",
                        format!(
                            "{} is \"token\", but {} is not set.",
                            env::AUTH_METHOD,
                            env::TOKEN
                        ),
                    );
                    None
                }
            },
            other => {
                diags.error(
                    "Unsupported authentication method",
                    format!(
                        "{} is {other:?}; valid values are {}.",
                        env::AUTH_METHOD,
                        AUTH_METHODS.map(|m| format!("\"{m}\"")).join(", ")
                    ),
                );
                None
            }
        }
    } else if let Some(token) = getenv(env::TOKEN) {
        Some(Login::Token(Secret::new(token)))
    } else if let (Some(id), Some(secret)) = (
        getenv(env::UNIVERSAL_CLIENT_ID),
        getenv(env::UNIVERSAL_CLIENT_SECRET),
    ) {
        Some(Login::Universal {
            client_id: Secret::new(id),
            client_secret: Secret::new(secret),
        })
    } else {
        if unknown.borrow().is_none() {
            diags.attr_error(
                auth.clone(),
                "No Infisical authentication configured",
                format!(
                    "set `auth.universal` (or the {} and {} environment variables) or `auth.token` \
                     (or {}), or choose a method with {}.",
                    env::UNIVERSAL_CLIENT_ID,
                    env::UNIVERSAL_CLIENT_SECRET,
                    env::TOKEN,
                    env::AUTH_METHOD
                ),
            );
        }
        None
    };

    if let Some(path) = unknown.into_inner() {
        return Resolved::Unknown(path);
    }
    let Some(host) = parse_host(&host_text, diags) else {
        return Resolved::Invalid;
    };
    match login {
        Some(login) if !diags.has_errors() => Resolved::Ready(Settings {
            host,
            login,
            organization_slug,
        }),
        _ => Resolved::Invalid,
    }
}

fn universal_login(
    id: Option<String>,
    secret: Option<String>,
    path: &AttrPath,
    configured: bool,
    diags: &mut Diagnostics,
) -> Option<Login> {
    let mut missing = |value: &Option<String>, attr: &str, var: &str| {
        if value.is_none() {
            let detail =
                format!("universal auth needs `{attr}`: set it in the provider block or in {var}.");
            if configured {
                diags.attr_error(path.attr(attr), format!("Missing {attr}"), detail);
            } else {
                diags.error(format!("Missing {attr}"), detail);
            }
        }
    };
    missing(&id, "client_id", env::UNIVERSAL_CLIENT_ID);
    missing(&secret, "client_secret", env::UNIVERSAL_CLIENT_SECRET);
    Some(Login::Universal {
        client_id: Secret::new(id?),
        client_secret: Secret::new(secret?),
    })
}

/// Parses the host: an http(s) URL; a trailing slash or `/api` is tolerated and dropped.
pub fn parse_host(text: &str, diags: &mut Diagnostics) -> Option<url::Url> {
    let trimmed = text.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/api").unwrap_or(trimmed);
    match url::Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Some(url)
        }
        _ => {
            diags.attr_error(
                AttrPath::new("host"),
                "Invalid Infisical host",
                format!(
                    "host must be an http:// or https:// URL such as {DEFAULT_HOST}, got {text:?}."
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn block(host: Value, auth: Value) -> Value {
        Value::object([("host", host), ("auth", auth)])
    }

    fn auth(universal: Value, token: Value) -> Value {
        Value::object([
            ("organization_slug", Value::Null),
            ("token", token),
            ("universal", universal),
            ("oidc", Value::Null),
            ("kubernetes", Value::Null),
            ("aws_iam", Value::Null),
        ])
    }

    fn universal(id: Value, secret: Value) -> Value {
        Value::object([("client_id", id), ("client_secret", secret)])
    }

    fn run(config: &Value, env: &[(&str, &str)]) -> (Resolved, Diagnostics) {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let mut diags = Diagnostics::new();
        let resolved = resolve(config, &|k| env.get(k).cloned(), &mut diags);
        (resolved, diags)
    }

    fn ready(config: &Value, env: &[(&str, &str)]) -> Settings {
        match run(config, env) {
            (Resolved::Ready(s), _) => s,
            (other, diags) => panic!("{other:?} {diags:?}"),
        }
    }

    #[test]
    fn configuration_beats_the_environment() {
        let cfg = block(
            Value::string("https://eu.infisical.com/api/"),
            auth(
                universal(Value::string("cid"), Value::string("cs")),
                Value::Null,
            ),
        );
        let s = ready(
            &cfg,
            &[
                (env::HOST, "https://other"),
                (env::UNIVERSAL_CLIENT_ID, "env-id"),
            ],
        );
        assert_eq!(s.host.as_str(), "https://eu.infisical.com/");
        assert_eq!(
            s.login,
            Login::Universal {
                client_id: "cid".into(),
                client_secret: "cs".into()
            }
        );
    }

    #[test]
    fn the_environment_fills_what_the_block_leaves_out() {
        let cfg = block(
            Value::Null,
            auth(universal(Value::Null, Value::Null), Value::Null),
        );
        let s = ready(
            &cfg,
            &[
                (env::UNIVERSAL_CLIENT_ID, "a"),
                (env::UNIVERSAL_CLIENT_SECRET, "b"),
                (env::HOST, "http://127.0.0.1:9"),
            ],
        );
        assert_eq!(s.host.as_str(), "http://127.0.0.1:9/");
        assert_eq!(s.login.name(), "universal");
        let none = block(Value::Null, Value::Null);
        assert_eq!(
            ready(&none, &[(env::TOKEN, "t")]).login,
            Login::Token("t".into())
        );
        assert_eq!(
            ready(
                &none,
                &[
                    (env::UNIVERSAL_CLIENT_ID, "a"),
                    (env::UNIVERSAL_CLIENT_SECRET, "b")
                ]
            )
            .login
            .name(),
            "universal"
        );
        assert_eq!(
            ready(&none, &[(env::TOKEN, "t")]).host.as_str(),
            "https://app.infisical.com/"
        );
    }

    #[test]
    fn universal_beats_token_inside_auth_and_auth_method_picks_from_the_environment() {
        let both = block(
            Value::Null,
            auth(
                universal(Value::string("a"), Value::string("b")),
                Value::string("t"),
            ),
        );
        assert_eq!(ready(&both, &[]).login.name(), "universal");
        let none = block(Value::Null, Value::Null);
        let env = [
            (env::AUTH_METHOD, "universal"),
            (env::TOKEN, "t"),
            (env::UNIVERSAL_CLIENT_ID, "a"),
            (env::UNIVERSAL_CLIENT_SECRET, "b"),
        ];
        assert_eq!(ready(&none, &env).login.name(), "universal");
    }

    #[test]
    fn misconfigurations_say_what_to_set() {
        let (r, d) = run(
            &block(
                Value::Null,
                auth(universal(Value::string("a"), Value::Null), Value::Null),
            ),
            &[],
        );
        assert!(matches!(r, Resolved::Invalid));
        let paths: Vec<String> = d
            .iter()
            .filter_map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["auth.universal.client_secret"]);
        let (r, d) = run(
            &block(Value::Null, Value::Null),
            &[(env::AUTH_METHOD, "ldap")],
        );
        assert!(matches!(r, Resolved::Invalid));
        assert!(
            d.iter()
                .any(|d| d.detail.contains("\"universal\", \"token\"")),
            "{d:?}"
        );
        let (r, d) = run(&block(Value::Null, Value::Null), &[]);
        assert!(matches!(r, Resolved::Invalid));
        assert!(
            d.iter()
                .any(|d| d.detail.contains(env::UNIVERSAL_CLIENT_ID))
        );
    }

    #[test]
    fn unknown_values_defer_instead_of_failing() {
        let (r, d) = run(&block(Value::Unknown, Value::Null), &[(env::TOKEN, "t")]);
        assert!(matches!(r, Resolved::Unknown(_)), "{r:?}");
        assert!(d.is_empty());
        let (r, d) = run(
            &block(
                Value::Null,
                auth(universal(Value::Unknown, Value::string("s")), Value::Null),
            ),
            &[],
        );
        assert!(matches!(r, Resolved::Unknown(_)), "{r:?}");
        assert!(d.is_empty(), "{d:?}");
    }
}
