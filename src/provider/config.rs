//! Turning the provider block and the environment into settings: the host and how to log in,
//! with the official provider's environment variables and precedence.
//!
//! Precedence, as in the official provider (`internal/provider/provider.go`, `Configure`):
//! 1. A value in the provider block beats its environment variable.
//! 2. The method is the one set in `auth`. The official provider picks the first of
//!    oidc > universal > kubernetes > aws_iam > token when several are set; this provider
//!    refuses that instead (naming them, and the one the official provider would have used),
//!    because a silently ignored credential is a misconfiguration.
//! 3. Without a method in `auth`: `INFISICAL_AUTH_METHOD`; then `INFISICAL_TOKEN`; then the
//!    universal-auth variables.
//!
//! Every problem is reported at plan ([`resolve`], when the provider is configured), with the
//! attribute path or the environment variable to fix, before anything is sent; the ones in the
//! provider block alone already at `terraform validate` ([`validate`]). A value known only
//! after apply defers the settings instead ([`Resolved::Unknown`]).

use std::path::PathBuf;
use std::time::Duration;

use crate::infisical::aws::{self, AwsSource};
use crate::infisical::{Auth, AuthMethod, ServiceAccountToken};
use crate::secret::Secret;
use crate::tfplugin::diag::{AttrPath, Diagnostics, PathStep, Severity};
use crate::tfplugin::value::Value;

use super::{DEFAULT_HOST, attr};

/// Environment variables the provider reads (the official provider's names).
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
    /// The machine identity id of OIDC, Kubernetes and AWS IAM auth.
    pub const MACHINE_IDENTITY_ID: &str = "INFISICAL_MACHINE_IDENTITY_ID";
    /// The name of the variable holding the OIDC JWT. (The official provider's docs call it
    /// `INFISICAL_OIDC_AUTH_TOKEN_KEY_NAME`; its code reads this one.)
    pub const OIDC_TOKEN_NAME: &str = "INFISICAL_OIDC_AUTH_TOKEN_NAME";
    /// Where the OIDC JWT is, unless renamed.
    pub const AUTH_JWT: &str = "INFISICAL_AUTH_JWT";
    /// A Kubernetes service account token.
    pub const KUBERNETES_TOKEN: &str = "INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN";
    /// The file holding the Kubernetes service account token.
    pub const KUBERNETES_TOKEN_PATH: &str = "INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH";
    /// The official provider's deprecated service token: refused (see [`super::SERVICE_TOKEN`]).
    pub const SERVICE_TOKEN: &str = "INFISICAL_SERVICE_TOKEN";
    /// The time limit of one attempt of one request (this provider's own).
    pub const REQUEST_TIMEOUT: &str = "INFISICAL_REQUEST_TIMEOUT";
    /// The time after which no retry starts (this provider's own).
    pub const RETRY_TIMEOUT: &str = "INFISICAL_RETRY_TIMEOUT";
}

/// Why a service token cannot be used, for every place one can be given.
const SERVICE_TOKEN: &str = "Service tokens cannot manage app connections";
const SERVICE_TOKEN_DETAIL: &str = "an Infisical service token (deprecated) grants access to one \
     project's secrets, and app connections belong to the organization, so Infisical refuses it \
     on their routes. Log in with a machine identity instead, e.g. `auth = { universal = { \
     client_id = …, client_secret = … } }`.";

/// Infisical takes a bearer token that starts with this for a service token.
const SERVICE_TOKEN_PREFIX: &str = "st.";

/// Where a pod's service account token is mounted.
pub(super) const DEFAULT_KUBERNETES_TOKEN_PATH: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

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
fn method_from_env(value: &str) -> Option<AuthMethod> {
    ENV_VALUES.into_iter().find(|m| m.name() == value.trim())
}

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

/// The methods the block sets in `auth`, in the official provider's order of preference: a
/// nested block that is not null, or a token that is not null or empty (the official provider
/// ignores an empty token). An unknown value counts as set.
fn methods_set(config: &Value, auth: &AttrPath) -> Vec<AuthMethod> {
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
fn conflict(auth: &AttrPath, set: &[AuthMethod], diags: &mut Diagnostics) {
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

/// Reads values from the block and the environment, and reports what is missing.
struct Reader<'a> {
    config: &'a Value,
    getenv: &'a dyn Fn(&str) -> Option<String>,
    diags: &'a mut Diagnostics,
    /// The values known only after apply, in the order met.
    unknown: Vec<AttrPath>,
    /// The (sub-)organization every login method but a token logs in to.
    organization_slug: Option<String>,
}

/// Where the method came from, which decides where a missing value is reported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A block in `auth`: errors carry the attribute path.
    Block,
    /// `INFISICAL_AUTH_METHOD`: errors name the environment variables.
    Environment,
}

impl Reader<'_> {
    /// An environment variable, unless unset or blank.
    fn env(&self, name: &str) -> Option<String> {
        (self.getenv)(name).filter(|v| !v.trim().is_empty())
    }

    /// Whether the value at `path` (or one of its parents) is unknown; records it if so.
    fn unknown_at(&mut self, path: &AttrPath) -> bool {
        let mut here = AttrPath::root();
        for step in path.steps() {
            here = match step {
                PathStep::Attr(name) => here.attr(name),
                PathStep::Key(key) => here.key(key),
                PathStep::Index(_) => return false,
            };
            if self.config.at(&here).is_unknown() {
                if !self.unknown.contains(&here) {
                    self.unknown.push(here);
                }
                return true;
            }
        }
        false
    }

    /// The configured value at `path`, else the environment's `var` when the block leaves it
    /// null. `None` when neither is set, or the value is unknown (which is recorded).
    fn pick(&mut self, path: &AttrPath, var: Option<&str>) -> Option<String> {
        if self.unknown_at(path) {
            return None;
        }
        match self.config.at(path) {
            Value::String(s) => Some(s.clone()),
            _ => var.and_then(|v| self.env(v)),
        }
    }

    /// A time limit from the block's `name`, else the environment's `var`; a value that is not
    /// a duration is reported where it came from.
    fn duration(&mut self, name: &str, var: &str) -> Option<Duration> {
        let path = AttrPath::new(name);
        let from_block = matches!(self.config.at(&path), Value::String(_));
        let text = self.pick(&path, Some(var))?;
        match parse_duration(&text) {
            Ok(duration) => Some(duration),
            Err(problem) if from_block => {
                self.diags.attr_error(path, INVALID_DURATION, problem);
                None
            }
            Err(problem) => {
                self.diags
                    .error(INVALID_DURATION, format!("{var}: {problem}"));
                None
            }
        }
    }

    /// Like [`Reader::pick`], but an empty or blank value counts as missing.
    fn pick_nonblank(&mut self, path: &AttrPath, var: Option<&str>) -> Option<String> {
        self.pick(path, var).filter(|v| !v.trim().is_empty())
    }

    /// The login method and its credentials.
    fn login(&mut self, auth: &AttrPath) -> Option<Auth> {
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

    /// Token auth with `token`, from `source` (reported at `path` when it is an attribute):
    /// refused when it is a service token, which Infisical would refuse on every request.
    fn access_token(
        &mut self,
        token: String,
        path: Option<AttrPath>,
        source: &str,
    ) -> Option<Auth> {
        if !token.trim().starts_with(SERVICE_TOKEN_PREFIX) {
            return Some(Auth::Token(Secret::new(token)));
        }
        let detail = format!(
            "{source} holds a service token (it starts with {SERVICE_TOKEN_PREFIX:?}), but \
             {SERVICE_TOKEN_DETAIL}"
        );
        match path {
            Some(path) => self.diags.attr_error(path, SERVICE_TOKEN, detail),
            None => self.diags.error(SERVICE_TOKEN, detail),
        }
        None
    }

    /// The credentials of `method`, from its block (or the environment when it has none).
    /// Missing values are errors unless one of the method's values is unknown.
    fn method(&mut self, method: AuthMethod, auth: &AttrPath, origin: Origin) -> Option<Auth> {
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
    fn identity_id(
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
pub(super) fn login_advice(method: AuthMethod) -> String {
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
struct Missing {
    path: AttrPath,
    summary: String,
    detail: String,
}

impl Missing {
    fn field(block: &AttrPath, method: AuthMethod, attr: &str, var: &str) -> Self {
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

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

const INVALID_DURATION: &str = "Invalid time limit";

/// A time limit as Go and Terraform write durations (`30s`, `2m`, `1m30s`, `500ms`, `1h`), or a
/// number of seconds (`45`). It must be more than zero.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || {
        format!(
            "{text:?} is not a duration: write it like 30s, 2m, 1m30s or 500ms (or a number of \
             seconds)"
        )
    };
    let duration = if let Ok(seconds) = text.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let mut total = Duration::ZERO;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit() && c != '.')
                .ok_or_else(invalid)?;
            let (number, after) = rest.split_at(digits);
            let unit_len = after
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(after.len());
            let (unit, next) = after.split_at(unit_len);
            let number: f64 = number.parse().map_err(|_| invalid())?;
            let scale = match unit {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => return Err(invalid()),
            };
            total += Duration::try_from_secs_f64(number * scale).map_err(|_| invalid())?;
            rest = next;
        }
        total
    };
    if duration.is_zero() {
        return Err(format!(
            "{text:?} is no time at all: a time limit must be more than zero"
        ));
    }
    Ok(duration)
}

/// Where the host came from, which is where an error about it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HostOrigin {
    /// The provider block's `host`: the error carries its path.
    Block,
    /// `INFISICAL_HOST`: the error names it.
    Environment,
}

/// Parses the host: an http(s) URL; a trailing slash, `/api` or `/api/v1` is tolerated and
/// dropped.
pub(super) fn parse_host(
    text: &str,
    origin: HostOrigin,
    diags: &mut Diagnostics,
) -> Option<url::Url> {
    let parsed = url::Url::parse(text.trim())
        .ok()
        .filter(|url| url.host_str().is_some());
    if let Some(Ok(url)) = parsed.map(crate::infisical::normalize_host) {
        return Some(url);
    }
    let (summary, problem) = match bracketed_ipv6(text.trim()) {
        Some(fixed) => (
            "Invalid Infisical host",
            format!(
                "an IPv6 address in a URL must be in brackets: write \"{fixed}\", not {text:?}."
            ),
        ),
        None => (
            "Invalid Infisical host",
            format!("must be an http:// or https:// URL such as {DEFAULT_HOST}, got {text:?}."),
        ),
    };
    match origin {
        HostOrigin::Block => diags.attr_error(
            AttrPath::new(attr::HOST),
            summary,
            format!("host {problem}"),
        ),
        HostOrigin::Environment => diags.error(
            summary,
            format!(
                "{} (from the environment; the provider block sets no `host`) {problem}",
                env::HOST
            ),
        ),
    }
    None
}

/// For a URL whose host is an IPv6 address without brackets (`http://::1:8080`), the URL with
/// them (`http://[::1]:8080`); `None` for anything else.
fn bracketed_ipv6(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains(['[', '@']) || authority.matches(':').count() < 2 {
        return None;
    }
    let whole = authority.parse::<std::net::Ipv6Addr>().is_ok();
    // A last group of decimal digits reads as a port: `::1:8080` is `::1`, port 8080 — unless
    // the user meant it as part of the address, which is then offered too.
    let with_port = authority.rsplit_once(':').filter(|(address, port)| {
        port.chars().all(|c| c.is_ascii_digit())
            && port.parse::<u16>().is_ok()
            && address.parse::<std::net::Ipv6Addr>().is_ok()
    });
    match (with_port, whole) {
        (Some((address, port)), true) => Some(format!(
            "{scheme}://[{address}]:{port}{tail}\" (or \"{scheme}://[{authority}]{tail}\" if \
             {port} is part of the address)"
        )),
        (Some((address, port)), false) => Some(format!("{scheme}://[{address}]:{port}{tail}")),
        (None, true) => Some(format!("{scheme}://[{authority}]{tail}")),
        (None, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A provider block with `auth` set to `methods` (the others null).
    fn block(host: Value, slug: Value, methods: &[(AuthMethod, Value)]) -> Value {
        let mut auth = vec![("organization_slug".to_owned(), slug)];
        for method in PRECEDENCE {
            let value = methods
                .iter()
                .find(|(m, _)| *m == method)
                .map_or(Value::Null, |(_, v)| v.clone());
            auth.push((method.name().to_owned(), value));
        }
        Value::object([("host", host), ("auth", Value::object(auth))])
    }

    fn only(method: AuthMethod, value: Value) -> Value {
        block(Value::Null, Value::Null, &[(method, value)])
    }

    fn none() -> Value {
        Value::object([("host", Value::Null), ("auth", Value::Null)])
    }

    fn universal(id: Value, secret: Value) -> Value {
        Value::object([("client_id", id), ("client_secret", secret)])
    }

    fn oidc(id: Value, name: Value) -> Value {
        Value::object([
            ("identity_id", id),
            ("token_environment_variable_name", name),
        ])
    }

    fn kubernetes(id: Value, path: Value, token: Value) -> Value {
        Value::object([
            ("identity_id", id),
            ("service_account_token_path", path),
            ("service_account_token", token),
        ])
    }

    fn aws_iam(id: Value) -> Value {
        Value::object([("identity_id", id)])
    }

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    /// Resolves `config` in an environment of `env` only, where EC2 instance metadata is off
    /// unless `env` switches it on (no test may depend on the machine it runs on).
    fn run(config: &Value, env: &[(&str, &str)]) -> (Resolved, Diagnostics) {
        let env: HashMap<String, String> = [(aws::env::EC2_METADATA_DISABLED, "true")]
            .iter()
            .chain(env)
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let mut diags = Diagnostics::new();
        let resolved = resolve(config, &|k| env.get(k).cloned(), &mut diags);
        (resolved, diags)
    }

    #[track_caller]
    fn ready(config: &Value, env: &[(&str, &str)]) -> Settings {
        match run(config, env) {
            (Resolved::Ready(s), d) if d.is_empty() => *s,
            (other, diags) => panic!("{other:?} {diags:?}"),
        }
    }

    /// The errors of an invalid configuration, as `(path, summary + detail)`.
    #[track_caller]
    fn invalid(config: &Value, env: &[(&str, &str)]) -> Vec<(String, String)> {
        match run(config, env) {
            (Resolved::Invalid, d) => d
                .iter()
                .map(|d| {
                    (
                        d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                        format!("{}: {}", d.summary, d.detail),
                    )
                })
                .collect(),
            (other, diags) => panic!("expected errors: {other:?} {diags:?}"),
        }
    }

    const AWS_KEYS: [(&str, &str); 2] = [
        (aws::env::ACCESS_KEY_ID, "AKIDEXAMPLE"),
        (aws::env::SECRET_ACCESS_KEY, "aws-secret"),
    ];

    fn token_file(content: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, content).unwrap();
        let path = path.to_str().unwrap().to_owned();
        (dir, path)
    }

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
    fn a_service_token_is_refused_without_being_shown() {
        let mut diags = Diagnostics::new();
        validate(
            &Value::object([("service_token", s("st.secret-service-token"))]),
            &mut diags,
        );
        let errors: Vec<_> = diags.iter().collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, Some(AttrPath::new("service_token")));
        assert!(!format!("{errors:?}").contains("secret-service-token"));
    }

    #[test]
    fn service_tokens_from_anywhere_are_refused_naming_where_they_came_from() {
        let secret = "st.6f1d.secret-part.more";
        // As `auth.token`: at that attribute.
        let errors = invalid(&only(AuthMethod::Token, s(secret)), &[]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "auth.token");
        assert!(errors[0].1.starts_with(SERVICE_TOKEN), "{errors:?}");
        // As INFISICAL_TOKEN, with or without INFISICAL_AUTH_METHOD: naming the variable.
        for env in [
            vec![(env::TOKEN, secret)],
            vec![(env::TOKEN, secret), (env::AUTH_METHOD, "token")],
        ] {
            let errors = invalid(&none(), &env);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].1.contains(env::TOKEN), "{errors:?}");
        }
        // The official provider's INFISICAL_SERVICE_TOKEN, when nothing else logs in: named,
        // instead of a bare "no authentication".
        let errors = invalid(&none(), &[(env::SERVICE_TOKEN, secret)]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "auth");
        assert!(errors[0].1.contains(env::SERVICE_TOKEN), "{errors:?}");
        assert!(!format!("{errors:?}").contains("secret-part"));
        // Beside a machine identity it is not in the way.
        let settings = ready(
            &none(),
            &[(env::SERVICE_TOKEN, secret), (env::TOKEN, "eyJ.a.b")],
        );
        assert_eq!(settings.auth, Auth::Token("eyJ.a.b".into()));
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

    #[test]
    fn durations_are_written_as_go_writes_them_or_in_seconds() {
        for (text, millis) in [
            ("30s", 30_000),
            ("2m", 120_000),
            ("1m30s", 90_000),
            ("500ms", 500),
            ("1.5s", 1_500),
            ("1h", 3_600_000),
            ("45", 45_000),
            (" 10s ", 10_000),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(millis)),
                "{text}"
            );
        }
        for text in ["", "0", "0s", "s", "10 s", "10x", "ten", "-5s", "1m-5s"] {
            assert!(parse_duration(text).is_err(), "{text}");
        }
    }

    #[test]
    fn time_limits_come_from_the_block_then_the_environment_and_errors_say_where() {
        let with = |request: Value, retry: Value| {
            Value::object([
                ("host", Value::Null),
                ("auth", Value::Null),
                (attr::REQUEST_TIMEOUT, request),
                (attr::RETRY_TIMEOUT, retry),
            ])
        };
        let token = (env::TOKEN, "t");
        let settings = ready(&with(Value::Null, Value::Null), &[token]);
        assert_eq!(
            (settings.request_timeout, settings.retry_timeout),
            (None, None)
        );
        let settings = ready(
            &with(Value::Null, Value::Null),
            &[
                token,
                (env::REQUEST_TIMEOUT, "5s"),
                (env::RETRY_TIMEOUT, "1m"),
            ],
        );
        assert_eq!(settings.request_timeout, Some(Duration::from_secs(5)));
        assert_eq!(settings.retry_timeout, Some(Duration::from_secs(60)));
        let settings = ready(
            &with(s("90s"), Value::Null),
            &[token, (env::REQUEST_TIMEOUT, "5s")],
        );
        assert_eq!(settings.request_timeout, Some(Duration::from_secs(90)));

        let errors = invalid(&with(s("soon"), Value::Null), &[token]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "request_timeout");
        assert!(
            errors[0].1.contains("\"soon\" is not a duration"),
            "{errors:?}"
        );
        let errors = invalid(
            &with(Value::Null, Value::Null),
            &[token, (env::RETRY_TIMEOUT, "0")],
        );
        assert_eq!(errors[0].0, "");
        assert!(
            errors[0]
                .1
                .starts_with("Invalid time limit: INFISICAL_RETRY_TIMEOUT: \"0\" is no time"),
            "{errors:?}"
        );
        let mut diags = Diagnostics::default();
        validate(&with(Value::Null, s("2 minutes")), &mut diags);
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["retry_timeout"]);
    }

    #[test]
    fn host_errors_say_where_the_host_came_from_and_how_to_write_ipv6() {
        let token = (env::TOKEN, "t");
        // From the environment: named, no attribute path.
        let errors = invalid(&none(), &[token, (env::HOST, "htps//infisical.corp")]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "");
        assert!(
            errors[0].1.starts_with(
                "Invalid Infisical host: INFISICAL_HOST (from the environment; the provider \
                 block sets no `host`) must be an http:// or https:// URL"
            ),
            "{errors:?}"
        );
        // From the block: at its path, even with the variable set too.
        let block = Value::object([("host", s("http://::1:8080")), ("auth", Value::Null)]);
        let errors = invalid(&block, &[token, (env::HOST, "https://ok.example")]);
        assert_eq!(errors[0].0, "host");
        assert!(
            errors[0].1.contains(
                "host an IPv6 address in a URL must be in brackets: write \"http://[::1]:8080\""
            ),
            "{errors:?}"
        );
        for (text, fixed) in [
            (
                "http://::1:8080",
                Some(
                    "http://[::1]:8080\" (or \"http://[::1:8080]\" if 8080 is part of the \
                     address)",
                ),
            ),
            (
                "https://fd00::5/infisical",
                Some("https://[fd00::5]/infisical"),
            ),
            (
                "http://2001:db8:0:0:0:0:0:1:8443/api",
                Some("http://[2001:db8:0:0:0:0:0:1]:8443/api"),
            ),
            ("http://fe80::1:abcd", Some("http://[fe80::1:abcd]")),
            ("http://[::1]:8080", None),
            ("http://example.com:8080", None),
            ("not a url", None),
        ] {
            assert_eq!(bracketed_ipv6(text).as_deref(), fixed, "{text}");
        }
        // A bracketed address and `/api/v1` are fine.
        let settings = ready(&none(), &[token, (env::HOST, "http://[::1]:8080/api/v1")]);
        assert_eq!(settings.host.as_str(), "http://[::1]:8080/");
    }
}
