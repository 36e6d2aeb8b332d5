//! What configuring the provider gives every resource and data source: an Infisical client and
//! the advice for a failed login — or the reason there is no client yet. It lives here, below
//! the provider that builds it, so that resources never reach up into the provider.

use crate::infisical::{Client, Error};
use crate::tfplugin::diag::Diagnostic;
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::errors::{Area, api_error, api_error_in};
use super::model::error_at;

/// The provider's configuration as resources see it.
pub struct Configured {
    api: Api,
    /// What to check when logging in fails, naming the settings of the method in use (the
    /// provider knows its block's paths and environment variables; resources do not).
    login_advice: String,
}

enum Api {
    Ready(Client),
    /// A provider setting is known only after apply.
    Unknown(AttrPath),
}

impl Configured {
    /// A configuration whose client is ready; `login_advice` says what to check when its
    /// login fails.
    pub(crate) fn ready(client: Client, login_advice: impl Into<String>) -> Self {
        Self {
            api: Api::Ready(client),
            login_advice: login_advice.into(),
        }
    }

    /// A configuration that depends on values known only after apply, at `path`.
    pub(crate) fn unknown(path: AttrPath) -> Self {
        Self {
            api: Api::Unknown(path),
            login_advice: String::new(),
        }
    }

    /// The client, or the error saying why there is none.
    pub(crate) fn client_or_error(&self) -> Result<&Client, Diagnostic> {
        match &self.api {
            Api::Ready(client) => Ok(client),
            Api::Unknown(path) => Err(error_at(
                path.clone(),
                "Provider configuration not known yet",
                format!(
                    "the provider's `{path}` depends on values known only after apply, so the \
                     provider cannot call Infisical yet. Apply the resources it depends on first \
                     (e.g. with -target), or set it from known values."
                ),
            )),
        }
    }

    /// The client, if the configuration is fully known.
    pub(crate) fn client_if_known(&self) -> Option<&Client> {
        match &self.api {
            Api::Ready(client) => Some(client),
            Api::Unknown(_) => None,
        }
    }

    /// The client; or, while a provider setting is known only after apply, the outcome of a
    /// refresh that keeps `state` and `private` as they are rather than failing the plan.
    pub(crate) fn client_or_keep(
        &self,
        state: &Value,
        private: &[u8],
    ) -> Result<&Client, ReadOutcome> {
        self.client_if_known().ok_or_else(|| {
            ReadOutcome::Found(Stored {
                state: state.clone(),
                private: private.to_vec(),
            })
        })
    }

    /// The diagnostic for `err`, which happened while doing `action` (e.g. "create the GitHub
    /// connection \"x\"").
    pub(crate) fn error(&self, action: &str, err: &Error) -> Diagnostic {
        api_error(action, err, &self.login_advice)
    }

    /// [`Configured::error`] for an operation in `area` (a 403 names that area's permissions).
    pub(crate) fn error_in(&self, area: Area, action: &str, err: &Error) -> Diagnostic {
        api_error_in(area, action, err, &self.login_advice)
    }
}
