//! The one place where an Infisical client error becomes a diagnostic: a short summary, then a
//! detail that says what failed, what to do about it, and Infisical's request id.

use crate::infisical::{Error, ForbiddenKind};
use crate::tfplugin::diag::{Diagnostic, Severity};

/// A diagnostic for `err`, which happened while doing `action` (e.g. "create the GitHub
/// connection \"x\""). `login_advice` is the provider's word on what to check when Infisical
/// refused its login.
pub(crate) fn api_error(action: &str, err: &Error, login_advice: &str) -> Diagnostic {
    let (summary, advice) = match err {
        Error::Login { source, .. } => ("Login failed", login_advice_for(source, login_advice)),
        Error::Forbidden {
            kind: ForbiddenKind::PermissionDenied,
            ..
        } => (
            "Permission denied",
            "The machine identity lacks a permission for this. Give its role the App Connections \
             permission named in the message (in the organization, or in the project for a \
             project-scoped connection).",
        ),
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
        Error::Transport { .. } | Error::Timeout { .. } => (
            "Infisical unreachable",
            "Check the provider's `host` and the network, then run the command again.",
        ),
        Error::Ambiguous { .. } => (
            "Outcome unknown",
            "The request may or may not have been carried out. Run `terraform plan` to see what \
             exists.",
        ),
        Error::Decode { json: false, .. } => (
            "No Infisical API at this address",
            "The server answered with something other than Infisical's JSON API. Check the \
             provider's `host`: its scheme, port and path prefix (for Infisical served under a \
             path, e.g. `https://example.com/infisical`), and whether a proxy or captive portal \
             answers instead.",
        ),
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

/// What to check when logging in failed with `cause`: the settings of the method in use, unless
/// the login never reached Infisical or its credentials could not be read.
fn login_advice_for<'a>(cause: &Error, method_advice: &'a str) -> &'a str {
    match cause {
        Error::Config(_) => {
            "The provider could not read the credentials of this login method. Check the \
             provider's `auth` block and the environment variables it reads."
        }
        Error::Transport { .. } | Error::Timeout { .. } => {
            "Check the provider's `host` and the network, then run the command again."
        }
        _ => method_advice,
    }
}
