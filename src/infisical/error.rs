//! [`Error`], the one error type of the client, and the decoding of Infisical's error bodies
//! (`{reqId, statusCode, message, error}`, where `message` is an array of zod issues on a 422).

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;

/// Why Infisical refused a request with 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenKind {
    /// The identity lacks a permission (`error: "PermissionDenied"`), e.g. "You are not allowed
    /// to create on app-connections". Logging in again will not help.
    PermissionDenied,
    /// The access token was rejected (`error: "TokenError"`): expired, malformed or badly signed.
    /// The client logs in again and retries once before reporting this.
    Token,
    /// Anything else, e.g. GitHub's "User does not have access to the provided installation".
    Other,
}

/// One zod issue from a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ValidationIssue {
    /// zod's issue code, e.g. `invalid_type`, `too_small`, `custom`, `invalid_union`.
    #[serde(default)]
    pub code: String,
    /// The human message, e.g. "name field can only contain lowercase letters, numbers, and
    /// hyphens".
    #[serde(default)]
    pub message: String,
    /// Where in the request the problem is, e.g. `["credentials", "host"]`.
    #[serde(default)]
    pub path: Vec<PathSegment>,
}

/// One step of a [`ValidationIssue`] path.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(u64),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(key) => f.write_str(key),
            PathSegment::Index(index) => write!(f, "{index}"),
        }
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        let path: Vec<String> = self.path.iter().map(ToString::to_string).collect();
        write!(f, "{}: {}", path.join("."), self.message)
    }
}

/// An answer from Infisical with an error status: what was asked, what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The request's method.
    pub method: Method,
    /// The request's path, e.g. `/api/v1/app-connections/github`.
    pub path: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// Infisical's request id (`reqId`), to quote when asking Infisical for help.
    pub request_id: Option<String>,
    /// Infisical's error name, e.g. `BadRequest`, `ValidationFailure`, `TokenError`.
    pub error: Option<String>,
    /// The message; for a 422, the issues joined with `; `.
    pub message: String,
    /// The zod issues of a 422 (empty otherwise).
    pub issues: Vec<ValidationIssue>,
    /// Whether the body was Infisical's JSON error: when not, something else answered (a web
    /// server, a proxy, a captive portal), and the answer says nothing about the request.
    pub from_infisical: bool,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "infisical answered {} {} to {} {}",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("(unknown status)"),
            self.method,
            self.path
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// `message` is a string, except on 422 where it is the array of zod issues.
#[derive(Deserialize)]
#[serde(untagged)]
enum Message {
    Text(String),
    Issues(Vec<ValidationIssue>),
    Other(serde_json::Value),
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "reqId")]
    req_id: Option<String>,
    message: Option<Message>,
    error: Option<String>,
}

/// How much of a non-JSON error body (a proxy's HTML page, say) is kept as the message.
const RAW_MESSAGE_LIMIT: usize = 200;

impl ApiError {
    /// Decodes an error answer. Bodies that are not Infisical's JSON (from a proxy or load
    /// balancer) keep a short prefix of their text as the message.
    pub(crate) fn from_response(
        method: Method,
        path: String,
        status: StatusCode,
        body: &[u8],
    ) -> Self {
        let mut error = ApiError {
            method,
            path,
            status,
            request_id: None,
            error: None,
            message: String::new(),
            issues: Vec::new(),
            from_infisical: false,
        };
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(decoded) => {
                error.from_infisical = decoded.message.is_some() || decoded.req_id.is_some();
                error.request_id = decoded.req_id;
                error.error = decoded.error;
                match decoded.message {
                    Some(Message::Text(text)) => error.message = text,
                    Some(Message::Issues(issues)) => {
                        error.message = issues
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ");
                        error.issues = issues;
                    }
                    Some(Message::Other(other)) => error.message = other.to_string(),
                    None => {}
                }
            }
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                error.message = match text.char_indices().nth(RAW_MESSAGE_LIMIT) {
                    Some((cut, _)) => format!("{}…", &text[..cut]),
                    None => text.to_owned(),
                };
            }
        }
        error
    }

    fn forbidden_kind(&self) -> ForbiddenKind {
        match self.error.as_deref() {
            Some("PermissionDenied") => ForbiddenKind::PermissionDenied,
            Some("TokenError") => ForbiddenKind::Token,
            _ => ForbiddenKind::Other,
        }
    }
}

/// Why a request could not be carried out, as far as the network layer tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkProblem {
    /// The server's certificate is not signed by an authority this machine trusts.
    UntrustedCertificate,
    /// The certificate was refused for another reason: expired, or for another name.
    BadCertificate,
    /// The server does not speak TLS: plain HTTP behind an `https://` URL.
    NotTls,
    /// Another TLS failure.
    Tls,
    /// DNS has no such name.
    UnknownName,
    /// The proxy chosen for the request could not be reached.
    Proxy,
    /// The proxy chosen for the request refused to open a tunnel to Infisical (it answered
    /// `CONNECT` with this status, when it could be learnt).
    ProxyRefused {
        /// The proxy's status, e.g. 403 (its policy) or 407 (it wants credentials).
        status: Option<u16>,
    },
    /// Anything else: refused, reset, a DNS server that did not answer. It may pass.
    Other,
}

impl NetworkProblem {
    /// Whether trying again cannot help (the certificate, the protocol or the name is wrong, or
    /// the proxy refuses by its rules or for want of credentials; a 5xx refusal, or one whose
    /// status is unknown, may pass).
    pub fn is_permanent(self) -> bool {
        match self {
            Self::UntrustedCertificate
            | Self::BadCertificate
            | Self::NotTls
            | Self::Tls
            | Self::UnknownName => true,
            Self::ProxyRefused { status } => status.is_some_and(|s| (400..500).contains(&s)),
            Self::Proxy | Self::Other => false,
        }
    }
}

/// Everything that can go wrong talking to Infisical.
///
/// Every variant built from an answer carries the [`ApiError`] (boxed, to keep `Result`s small)
/// with status, message and request id. None of them can contain a secret: requests are described by method and path only, and
/// bodies are never quoted.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 404: the object does not exist. On create or update this can also be about something the
    /// request refers to ("Gateway with ID … not found for org"), so only a 404 from a read
    /// means "the connection is gone".
    #[error("{0}")]
    NotFound(Box<ApiError>),
    /// 422: the request failed Infisical's validation; [`ApiError::issues`] lists the problems.
    #[error("{0}")]
    Validation(Box<ApiError>),
    /// 400: e.g. a duplicate name, a GitHub credential GitHub refused, an unknown project, a
    /// connection of another app.
    #[error("{0}")]
    BadRequest(Box<ApiError>),
    /// 401: bad login credentials, a missing or revoked token.
    #[error("{0}")]
    Unauthorized(Box<ApiError>),
    /// 403, with the reason.
    #[error("{api}")]
    Forbidden {
        /// Why.
        kind: ForbiddenKind,
        /// The answer.
        api: Box<ApiError>,
    },
    /// 429, still after the retries allowed by the [`super::RetryPolicy`].
    #[error("{api}")]
    RateLimited {
        /// The answer.
        api: Box<ApiError>,
        /// The last `Retry-After`, if Infisical sent one.
        retry_after: Option<Duration>,
    },
    /// 5xx, still after the retries allowed.
    #[error("{0}")]
    Server(Box<ApiError>),
    /// Any other error status.
    #[error("{0}")]
    Unexpected(Box<ApiError>),
    /// The request could not be carried out: connection refused or reset, DNS, TLS.
    #[error("could not reach infisical for {method} {path}: {cause}")]
    Transport {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// What the network layer said.
        cause: String,
        /// What kind of problem it is.
        problem: NetworkProblem,
    },
    /// No answer within the per-request timeout, on every attempt.
    #[error(
        "infisical did not answer {method} {path}: {attempts} {} of {} each timed out, {} in all",
        if *attempts == 1 { "attempt" } else { "attempts" },
        seconds(*timeout),
        seconds(*elapsed)
    )]
    Timeout {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// The per-request timeout.
        timeout: Duration,
        /// How many attempts were made.
        attempts: u32,
        /// The time from the first attempt to giving up, waits between attempts included.
        elapsed: Duration,
    },
    /// A success answer that is not the JSON expected.
    #[error("infisical's answer to {method} {path} could not be read: {cause}")]
    Decode {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// The answer's status.
        status: StatusCode,
        /// Whether the answer said it was JSON: when not, it did not come from Infisical's API.
        json: bool,
        /// What did not match.
        cause: String,
    },
    /// An answer larger than the client reads ([`super::ClientConfig::answer_limit`]).
    #[error(
        "answer too large: the answer to {method} {path} is larger than the limit of {}",
        size(*limit)
    )]
    TooLarge {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A request that is not safe to repeat (a create) may or may not have taken effect: the
    /// connection broke after it was sent, or a gateway answered 502/503/504. The client does
    /// not retry it; look the object up (by name) before creating it again.
    #[error(
        "infisical may or may not have carried out {method} {path} ({cause}); look the object up before trying again"
    )]
    Ambiguous {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// What happened.
        cause: String,
    },
    /// Logging in failed: Infisical refused the login, or its credentials could not be read
    /// (a token file, AWS credentials). The cause says which.
    #[error("could not log in to infisical at {host} with {method} auth: {source}")]
    Login {
        /// The method, as `INFISICAL_AUTH_METHOD` spells it.
        method: &'static str,
        /// The Infisical host.
        host: String,
        /// What went wrong.
        source: Box<Error>,
    },
    /// The client cannot be built as configured.
    #[error("invalid infisical client configuration: {0}")]
    Config(String),
    /// A state the client should never reach.
    #[error("internal error in terraform-provider-infisical, please report it: {0}")]
    Internal(String),
    /// Abandoned between attempts because the caller asked the client to stop waiting
    /// ([`super::Client::stop_waiting`]); no request was in flight.
    #[error("gave up on {method} {path}: asked to stop")]
    Cancelled {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
    },
}

/// A duration as people say it: `0.15s`, `6.7s`, `30s`, `123s`.
fn seconds(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis >= 10_000 {
        return format!("{}s", (millis + 500) / 1000);
    }
    let text = format!("{:.2}", duration.as_secs_f64());
    format!("{}s", text.trim_end_matches('0').trim_end_matches('.'))
}

/// A size in MiB when it is a whole number of them, else in bytes.
fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

impl Error {
    /// Classifies an error answer by status.
    pub(crate) fn from_api(api: ApiError, retry_after: Option<Duration>) -> Self {
        let api = Box::new(api);
        match api.status.as_u16() {
            400 => Error::BadRequest(api),
            401 => Error::Unauthorized(api),
            403 => Error::Forbidden {
                kind: api.forbidden_kind(),
                api,
            },
            404 => Error::NotFound(api),
            422 => Error::Validation(api),
            429 => Error::RateLimited { api, retry_after },
            500..=599 => Error::Server(api),
            _ => Error::Unexpected(api),
        }
    }

    /// The decoded answer, for errors built from one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::NotFound(api)
            | Error::Validation(api)
            | Error::BadRequest(api)
            | Error::Unauthorized(api)
            | Error::Server(api)
            | Error::Unexpected(api)
            | Error::Forbidden { api, .. }
            | Error::RateLimited { api, .. } => Some(api),
            Error::Login { source, .. } => source.api(),
            _ => None,
        }
    }

    /// The HTTP status, for errors built from an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode { status, .. } => Some(*status),
            Error::Login { source, .. } => source.status(),
            _ => self.api().map(|api| api.status),
        }
    }

    /// Infisical's request id, for errors built from an answer that had one.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|api| api.request_id.as_deref())
    }

    /// Whether Infisical answered 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_))
    }

    /// Whether a create may or may not have happened (see [`Error::Ambiguous`]).
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, Error::Ambiguous { .. })
    }

    /// Whether GitHub refused a `code` (unknown, already used, or expired): the user must start
    /// the GitHub authorization again to get a fresh one.
    pub fn is_bad_verification_code(&self) -> bool {
        matches!(self, Error::BadRequest(api) if api.message.contains("bad_verification_code"))
    }

    /// Whether the access token was refused in a way a fresh login can fix: 401, or 403
    /// `TokenError`.
    pub(crate) fn is_token_rejected(&self) -> bool {
        matches!(
            self,
            Error::Unauthorized(_)
                | Error::Forbidden {
                    kind: ForbiddenKind::Token,
                    ..
                }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(status: u16, body: &str) -> Error {
        let status = StatusCode::from_u16(status).unwrap();
        let api =
            ApiError::from_response(Method::POST, "/api/v1/x".into(), status, body.as_bytes());
        Error::from_api(api, None)
    }

    #[test]
    fn a_422_message_array_becomes_issues() {
        let error = decode(
            422,
            r#"{"reqId":"req-1","statusCode":422,"error":"ValidationFailure","message":[
                {"code":"custom","message":"name field can only contain lowercase letters, numbers, and hyphens","path":["name"]},
                {"code":"too_small","minimum":1,"message":"Host is required for server instance type","path":["credentials","host"]}]}"#,
        );
        let Error::Validation(api) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(api.issues.len(), 2);
        assert_eq!(
            api.issues[1].path,
            [
                PathSegment::Key("credentials".into()),
                PathSegment::Key("host".into())
            ]
        );
        assert_eq!(
            error.to_string(),
            "infisical answered 422 Unprocessable Entity to POST /api/v1/x (request id req-1): \
             name: name field can only contain lowercase letters, numbers, and hyphens; \
             credentials.host: Host is required for server instance type"
        );
    }

    #[test]
    fn forbidden_errors_say_why() {
        let token = decode(
            403,
            r#"{"reqId":"r","statusCode":403,"error":"TokenError","message":"Your token has expired. Please re-authenticate."}"#,
        );
        assert!(matches!(
            token,
            Error::Forbidden {
                kind: ForbiddenKind::Token,
                ..
            }
        ));
        assert!(token.is_token_rejected());
        let denied = decode(
            403,
            r#"{"error":"PermissionDenied","message":"You are not allowed to create on app-connections"}"#,
        );
        assert!(matches!(
            denied,
            Error::Forbidden {
                kind: ForbiddenKind::PermissionDenied,
                ..
            }
        ));
        assert!(!denied.is_token_rejected());
    }

    #[test]
    fn a_proxy_page_is_kept_short() {
        let error = decode(502, &format!("<html>{}</html>", "x".repeat(500)));
        let message = &error.api().unwrap().message;
        assert!(
            message.chars().count() <= RAW_MESSAGE_LIMIT + 1,
            "{message}"
        );
        assert!(matches!(error, Error::Server(_)));
        assert_eq!(error.request_id(), None);
    }

    #[test]
    fn bad_verification_code_is_recognised() {
        let error = decode(
            400,
            r#"{"reqId":"r","statusCode":400,"error":"BadRequest","message":"Unable to validate credentials: GitHub responded with an error: bad_verification_code - The code passed is incorrect or expired."}"#,
        );
        assert!(error.is_bad_verification_code());
    }
}
