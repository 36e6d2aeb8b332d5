//! The one place where an Infisical client error becomes a diagnostic: a short summary, then a
//! detail that says what failed, what to do about it, and Infisical's request id.

use crate::infisical::{Error, ForbiddenKind, NetworkProblem};
use crate::tfplugin::diag::{Diagnostic, Severity};

/// A diagnostic for `err`, which happened while doing `action` (e.g. "create the GitHub
/// connection \"x\""). `login_advice` is the provider's word on what to check when Infisical
/// refused its login.
pub(crate) fn api_error(action: &str, err: &Error, login_advice: &str) -> Diagnostic {
    api_error_in(Area::AppConnections, action, err, login_advice)
}

/// The part of Infisical an operation works on, which decides the permissions a 403 names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    /// App connections (and what they list, such as GitHub Apps).
    AppConnections,
    /// Secret syncs.
    SecretSyncs,
    /// Projects: reading one needs membership.
    Projects,
    /// Secrets: reading and writing them needs the project role's secrets permissions.
    Secrets,
    /// Machine identities and their auth methods: organization permissions.
    Identities,
}

impl Area {
    /// What a machine identity refused with "permission denied" needs, for this area.
    fn permissions(self) -> &'static str {
        match self {
            Area::AppConnections => {
                "The machine identity lacks a permission for this. Give its role the App \
                 Connections permission named in the message (in the organization, or in the \
                 project for a project-scoped connection)."
            }
            Area::SecretSyncs => {
                "The machine identity lacks a permission for this. A secret sync needs, in the \
                 sync's project: the Secret Syncs permission named in the message (read, create, \
                 edit, delete, sync-secrets or remove-secrets), read access to the secrets of the \
                 source environment and folder, and permission to use the app connection \
                 (App Connections: connect). Give them to the identity's project role."
            }
            Area::Identities => {
                "The machine identity lacks an organization permission for this. Give its \
                 organization role the Machine Identity Management permission named in the \
                 message (read, create, edit or delete identities, and their auth methods)."
            }
            Area::Projects => {
                "The machine identity is not a member of this project, or its project role \
                 cannot read it. Add the identity to the project (Project → Access Control → \
                 Machine Identities) with a role that reads the project."
            }
            Area::Secrets => {
                "The machine identity lacks a Secrets permission in this project, environment \
                 or folder. Give its project role the permission named in the message (read \
                 value, describe, create, edit or delete) for this environment and path; reading \
                 values needs read value (not only describe), also on every secret a `${…}` \
                 reference in them names."
            }
        }
    }
}

/// [`api_error`] for an operation in `area`, whose permissions a 403 names.
pub(crate) fn api_error_in(
    area: Area,
    action: &str,
    err: &Error,
    login_advice: &str,
) -> Diagnostic {
    let (summary, advice) = match err {
        Error::Login { source, .. } => match source.as_ref() {
            // Infisical itself refused the login: its credentials are wrong.
            refused if refused_by_infisical(refused) => ("Login failed", login_advice),
            Error::Config(_) => (
                "Login failed",
                "The provider could not read the credentials of this login method. Check the \
                 provider's `auth` block and the environment variables it reads.",
            ),
            // The login never reached Infisical: what is wrong is the way there.
            other => cause(other),
        },
        Error::Forbidden {
            kind: ForbiddenKind::PermissionDenied,
            api,
        } if api.from_infisical => ("Permission denied", area.permissions()),
        other => cause(other),
    };
    let request = err
        .request_id()
        .map(|id| format!(" (Infisical request id: {id})"))
        .unwrap_or_default();
    Diagnostic {
        severity: Severity::Error,
        summary: format!("{summary}: could not {action}"),
        detail: format!("{err}{request}.\n\n{advice}"),
        path: None,
    }
}

/// Whether Infisical (not a proxy or another server) answered the login with a refusal, so that
/// the credentials are what to check.
fn refused_by_infisical(err: &Error) -> bool {
    matches!(
        err,
        Error::Unauthorized(_)
            | Error::Forbidden { .. }
            | Error::BadRequest(_)
            | Error::Validation(_)
            | Error::NotFound(_)
    ) && err.api().is_some_and(|api| api.from_infisical)
}

/// The summary and the remedy for an error, by its cause.
fn cause(err: &Error) -> (&'static str, &'static str) {
    match err {
        Error::Login { .. } => (
            "Login failed",
            "Check the provider's credentials and `host`.",
        ),
        // Something else than Infisical answered: a web server's 404 page, a proxy's error page.
        // (A gateway's 5xx page or a 429 says the way is busy or down, not that it is wrong.)
        Error::NotFound(api)
        | Error::Unauthorized(api)
        | Error::Forbidden { api, .. }
        | Error::BadRequest(api)
        | Error::Validation(api)
        | Error::Unexpected(api)
            if !api.from_infisical =>
        {
            ("No Infisical API at this address", NO_API)
        }
        Error::Forbidden { .. } => ("Access refused", "Infisical refused the request."),
        Error::Unauthorized(_) => (
            "Not authenticated",
            "Infisical refused the provider's credentials. Check the machine identity's client id \
             and secret (or token) and that it belongs to this organization.",
        ),
        Error::NotFound(_) => ("Not found", "Infisical has no such object."),
        Error::Validation(_) => ("Invalid request", "Infisical refused the values sent."),
        Error::BadRequest(_) => ("Request refused", "Infisical refused the request."),
        Error::RateLimited { .. } => (
            "Rate limited",
            "Infisical kept answering 429 after the provider's retries. Lower -parallelism or try \
             again later.",
        ),
        Error::Server(_) | Error::Unexpected(_) => (
            "Infisical failed",
            "Infisical had an internal error. Try again later.",
        ),
        Error::Transport { problem, .. } => network(*problem),
        Error::Timeout { .. } => (
            "Infisical did not answer",
            "Check the provider's `host` and the network. On a slow network or server, raise \
             the provider's `request_timeout` (or `INFISICAL_REQUEST_TIMEOUT`), and \
             `retry_timeout` (or `INFISICAL_RETRY_TIMEOUT`) for more attempts.",
        ),
        Error::Ambiguous { .. } => (
            "Outcome unknown",
            "The request may or may not have been carried out. If it created something, that \
             object may now exist in Infisical without being in Terraform's state, where no \
             plan can show it: look for it in Infisical, then import it (`terraform import`) or \
             delete it before applying again.",
        ),
        Error::Decode { json: false, .. } => ("No Infisical API at this address", NO_API),
        Error::Decode { .. } => ("Unexpected answer", "Infisical's answer could not be read."),
        Error::TooLarge { .. } => (
            "Answer too large",
            "The provider reads answers only up to a limit, so that a misbehaving server cannot \
             exhaust memory. Check that the provider's `host` points at Infisical.",
        ),
        Error::Config(_) => (
            "Invalid provider configuration",
            "Check the provider block.",
        ),
        Error::Internal(_) => (
            "Provider error",
            "This is a bug in the provider; please report it.",
        ),
        Error::Cancelled { .. } => (
            "Operation cancelled",
            "Terraform asked the provider to stop (e.g. after Ctrl-C). Run the command again to \
             finish.",
        ),
    }
}

/// The remedy when the answer did not come from Infisical's API.
const NO_API: &str = "The server at the provider's `host` answered, but not as Infisical's API \
     does. Check the `host`: its scheme, its port, and its path prefix when Infisical is served \
     under a path (e.g. `https://example.com/infisical`); and whether a proxy or a captive portal \
     answers instead.";

/// The summary and remedy of a request that could not be carried out.
fn network(problem: NetworkProblem) -> (&'static str, &'static str) {
    match problem {
        NetworkProblem::UntrustedCertificate => (
            "Certificate not trusted",
            "The server's certificate (or the proxy's, when the message names a proxy) is not \
             signed by an authority this machine trusts. For a private CA, add it to the system trust store, or point `SSL_CERT_FILE` at a PEM \
             file holding it (or `SSL_CERT_DIR` at a directory of them) in Terraform's \
             environment.",
        ),
        NetworkProblem::BadCertificate => (
            "Certificate refused",
            "The server's certificate was refused (expired, or not issued for this name). Check \
             that the provider's `host` names the server as its certificate does.",
        ),
        NetworkProblem::NotTls => (
            "Not a TLS server",
            "The server at the provider's `host` does not speak TLS. If it serves plain HTTP, \
             use `http://` in `host`; otherwise check the port.",
        ),
        NetworkProblem::Tls => (
            "TLS failed",
            "The TLS handshake with the server failed. Check the port in the provider's `host` \
             and that the server serves HTTPS there.",
        ),
        NetworkProblem::UnknownName => (
            "Unknown host",
            "DNS knows no such name. Check the spelling of the provider's `host` (or \
             `INFISICAL_HOST`).",
        ),
        NetworkProblem::Proxy => (
            "Proxy unreachable",
            "The proxy named above could not be reached. Check that variable, or list the \
             Infisical host in `NO_PROXY` to connect directly.",
        ),
        NetworkProblem::ProxyRefused { status: Some(407) } => (
            "Proxy refused the connection",
            "The proxy named above wants credentials, or refused the ones given. Put them in that \
             variable's URL (`http://user:password@proxy.example.com:3128`), or list the \
             Infisical host in `NO_PROXY` to connect directly.",
        ),
        NetworkProblem::ProxyRefused { status: Some(403) } => (
            "Proxy refused the connection",
            "The proxy named above does not allow connections to the Infisical host. Ask its \
             administrators to allow it, or list the host in `NO_PROXY` if it can be reached \
             directly.",
        ),
        NetworkProblem::ProxyRefused { .. } => (
            "Proxy refused the connection",
            "The proxy named above would not open a connection to the Infisical host. Check that \
             variable and the proxy, or list the host in `NO_PROXY` to connect directly.",
        ),
        NetworkProblem::Other => (
            "Infisical unreachable",
            "Check the provider's `host` and the network, then run the command again.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_refusal_is_told_as_one_with_what_to_do_for_its_status() {
        for (status, words, advice) in [
            (403, "403 Forbidden", "Ask its administrators to allow it"),
            (
                407,
                "407 Proxy Authentication Required",
                "Put them in that variable's URL",
            ),
        ] {
            let refused = Error::Transport {
                method: reqwest::Method::GET,
                path: "/api/v1/app-connections/github".to_owned(),
                cause: format!(
                    "the proxy http://proxy.corp:3128 (from HTTPS_PROXY) refused to open a tunnel \
                     to infisical.corp.example:443: it answered {words}"
                ),
                problem: NetworkProblem::ProxyRefused {
                    status: Some(status),
                },
            };
            let diagnostic = api_error("list the GitHub connections", &refused, "");
            assert_eq!(
                diagnostic.summary,
                "Proxy refused the connection: could not list the GitHub connections"
            );
            assert!(
                diagnostic.detail.contains(&format!(
                    "(from HTTPS_PROXY) refused to open a tunnel to infisical.corp.example:443: \
                     it answered {words}"
                )),
                "{}",
                diagnostic.detail
            );
            assert!(diagnostic.detail.contains(advice), "{}", diagnostic.detail);
            assert!(
                !diagnostic.detail.contains("could not be reached"),
                "{}",
                diagnostic.detail
            );
        }
    }
}
