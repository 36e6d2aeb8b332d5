//! How the client gets an access token: the [`Auth`] methods, their login calls, and the cached
//! token every request shares.
//!
//! Adding a login method means one [`Auth`] variant and one arm in [`Auth::login_call`];
//! caching, renewal, re-login on rejection and retries are shared.

use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::Error;
use super::aws::{self, AwsSource};
use crate::secret::Secret;

/// How the client authenticates to Infisical.
///
/// `Debug` shows no secret: every credential is a [`Secret`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Machine-identity universal auth: `POST /api/v1/auth/universal-auth/login` with a client
    /// id and secret, lazily on the first request, and again whenever the token is refused.
    UniversalAuth {
        /// The identity's client id.
        client_id: Secret,
        /// The identity's client secret.
        client_secret: Secret,
        /// Log in to this sub-organization (`organizationSlug`) instead of the identity's own.
        organization_slug: Option<String>,
    },
    /// An access token used as it is (machine-identity token auth): never renewed, and a
    /// rejection is final.
    Token(Secret),
    /// OIDC auth: `POST /api/v1/auth/oidc-auth/login` with a JWT from an OIDC provider (a CI
    /// system's identity token, say).
    Oidc {
        /// The machine identity's id.
        identity_id: Secret,
        /// The JWT.
        jwt: Secret,
        /// Log in to this sub-organization.
        organization_slug: Option<String>,
    },
    /// Kubernetes auth: `POST /api/v1/auth/kubernetes-auth/login` with a service account token.
    Kubernetes {
        /// The machine identity's id.
        identity_id: Secret,
        /// The service account token, or where to read it.
        service_account_token: ServiceAccountToken,
        /// Log in to this sub-organization.
        organization_slug: Option<String>,
    },
    /// AWS IAM auth: `POST /api/v1/auth/aws-auth/login` with a signed `sts:GetCallerIdentity`
    /// request, signed afresh at every login.
    AwsIam {
        /// The machine identity's id.
        identity_id: Secret,
        /// Where the AWS credentials come from.
        source: AwsSource,
        /// Log in to this sub-organization.
        organization_slug: Option<String>,
    },
}

/// The login methods, as the official provider and `INFISICAL_AUTH_METHOD` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// Universal Auth: a client id and secret.
    Universal,
    /// Token Auth: an access token used as is.
    Token,
    /// OIDC Auth: a JWT.
    Oidc,
    /// Kubernetes Auth: a service account token.
    Kubernetes,
    /// AWS IAM Auth: a signed `sts:GetCallerIdentity`.
    AwsIam,
}

impl AuthMethod {
    /// The method's name: `universal`, `token`, `oidc`, `kubernetes`, `aws_iam`.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Universal => "universal",
            AuthMethod::Token => "token",
            AuthMethod::Oidc => "oidc",
            AuthMethod::Kubernetes => "kubernetes",
            AuthMethod::AwsIam => "aws_iam",
        }
    }
}

/// A Kubernetes service account token, given or read from a file at every login (the kubelet
/// rotates projected tokens).
pub type ServiceAccountToken = crate::secret::SecretSource;

impl Auth {
    /// Universal auth without an organization slug.
    pub fn universal(client_id: impl Into<Secret>, client_secret: impl Into<Secret>) -> Self {
        Auth::UniversalAuth {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            organization_slug: None,
        }
    }

    /// A plain access token.
    pub fn token(token: impl Into<Secret>) -> Self {
        Auth::Token(token.into())
    }

    /// The (sub-)organization the login asks for; never for a token, which has its own.
    pub fn organization_slug(&self) -> Option<&str> {
        match self {
            Auth::UniversalAuth {
                organization_slug, ..
            }
            | Auth::Oidc {
                organization_slug, ..
            }
            | Auth::Kubernetes {
                organization_slug, ..
            }
            | Auth::AwsIam {
                organization_slug, ..
            } => organization_slug.as_deref(),
            Auth::Token(_) => None,
        }
    }

    /// The method.
    pub fn method(&self) -> AuthMethod {
        match self {
            Auth::UniversalAuth { .. } => AuthMethod::Universal,
            Auth::Token(_) => AuthMethod::Token,
            Auth::Oidc { .. } => AuthMethod::Oidc,
            Auth::Kubernetes { .. } => AuthMethod::Kubernetes,
            Auth::AwsIam { .. } => AuthMethod::AwsIam,
        }
    }

    /// The login request of this method; `None` for a method that does not log in. Anything
    /// that can change between logins (a token file, AWS credentials, the signing time) is read
    /// here, at every login.
    pub(crate) async fn login_call(&self) -> Result<Option<LoginCall>, Error> {
        let call = match self {
            Auth::UniversalAuth {
                client_id,
                client_secret,
                organization_slug,
            } => LoginCall::new(
                &["api", "v1", "auth", "universal-auth", "login"],
                &UniversalAuthLogin {
                    client_id,
                    client_secret,
                    organization_slug: organization_slug.as_deref(),
                },
            )?,
            Auth::Token(_) => return Ok(None),
            Auth::Oidc {
                identity_id,
                jwt,
                organization_slug,
            } => LoginCall::new(
                &["api", "v1", "auth", "oidc-auth", "login"],
                &JwtLogin {
                    identity_id,
                    jwt,
                    organization_slug: organization_slug.as_deref(),
                },
            )?,
            Auth::Kubernetes {
                identity_id,
                service_account_token,
                organization_slug,
            } => {
                let jwt = service_account_token
                    .read("Kubernetes service account token")
                    .await
                    .map_err(Error::Config)?;
                LoginCall::new(
                    &["api", "v1", "auth", "kubernetes-auth", "login"],
                    &JwtLogin {
                        identity_id,
                        jwt: &jwt,
                        organization_slug: organization_slug.as_deref(),
                    },
                )?
            }
            Auth::AwsIam {
                identity_id,
                source,
                organization_slug,
            } => {
                let (credentials, region) = source.resolve().await.map_err(Error::Config)?;
                let signed =
                    aws::sign_get_caller_identity(&credentials, &region, SystemTime::now())
                        .map_err(Error::Config)?;
                LoginCall::new(
                    &["api", "v1", "auth", "aws-auth", "login"],
                    &AwsIamLogin {
                        identity_id,
                        iam_http_request_method: signed.method,
                        iam_request_body: &signed.body,
                        iam_request_headers: &signed.headers,
                        organization_slug: organization_slug.as_deref(),
                    },
                )?
            }
        };
        Ok(Some(call))
    }

    /// Whether a refused token can be replaced by logging in again.
    pub(crate) fn can_log_in(&self) -> bool {
        !matches!(self, Auth::Token(_))
    }
}

/// A login request ready to send. Its body holds secrets, so it has no `Debug`.
pub(crate) struct LoginCall {
    pub(crate) segments: &'static [&'static str],
    pub(crate) body: Vec<u8>,
}

impl LoginCall {
    fn new(segments: &'static [&'static str], body: &impl Serialize) -> Result<Self, Error> {
        let body = serde_json::to_vec(body)
            .map_err(|e| Error::Internal(format!("cannot encode a login request: {e}")))?;
        Ok(Self { segments, body })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UniversalAuthLogin<'a> {
    client_id: &'a Secret,
    client_secret: &'a Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_slug: Option<&'a str>,
}

/// The body of the OIDC and Kubernetes logins.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JwtLogin<'a> {
    identity_id: &'a Secret,
    jwt: &'a Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_slug: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AwsIamLogin<'a> {
    identity_id: &'a Secret,
    iam_http_request_method: &'a str,
    iam_request_body: &'a str,
    iam_request_headers: &'a Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_slug: Option<&'a str>,
}

/// `POST /api/v1/auth/token/renew`'s body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RenewRequest<'a> {
    pub(crate) access_token: &'a Secret,
}

/// The answer of a login or a renewal.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    access_token: Secret,
    /// Seconds; 0 means the token does not expire.
    #[serde(default)]
    expires_in: u64,
}

/// The token in use.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub(crate) value: Secret,
    expires_at: Option<Instant>,
    lifetime: Duration,
    /// Whether `token/renew` may extend it (tokens from a login; not a configured token).
    renewable: bool,
}

impl AccessToken {
    pub(crate) fn issued(response: TokenResponse, issued_at: Instant) -> Self {
        let lifetime = Duration::from_secs(response.expires_in);
        Self {
            value: response.access_token,
            expires_at: (!lifetime.is_zero()).then(|| issued_at + lifetime),
            lifetime,
            renewable: true,
        }
    }

    pub(crate) fn fixed(value: Secret) -> Self {
        Self {
            value,
            expires_at: None,
            lifetime: Duration::ZERO,
            renewable: false,
        }
    }

    /// Whether the token is past its expiry by our clock.
    pub(crate) fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Whether the token should be replaced before use: it expires within `margin`, capped at
    /// half its lifetime so that a short-lived token is not replaced on every request.
    pub(crate) fn needs_refresh(&self, now: Instant, margin: Duration) -> bool {
        let Some(at) = self.expires_at else {
            return false;
        };
        at.saturating_duration_since(now) <= margin.min(self.lifetime / 2)
    }

    /// Whether a renewal is worth trying instead of a fresh login.
    pub(crate) fn can_renew(&self, now: Instant) -> bool {
        self.renewable && !self.is_expired(now)
    }
}

/// The shared token and a generation counter that tells a request whether the token it was
/// refused with has been replaced already (by a concurrent request) or must be replaced now.
pub(crate) struct TokenSlot {
    pub(crate) current: Option<AccessToken>,
    pub(crate) generation: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_credentials() {
        let auth = Auth::universal("the-client-id", "the-client-secret");
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("the-client-secret") && !shown.contains("the-client-id"),
            "{shown}"
        );
    }

    #[test]
    fn a_short_token_is_not_refreshed_on_every_request() {
        let now = Instant::now();
        let token = AccessToken::issued(
            TokenResponse {
                access_token: Secret::new("t"),
                expires_in: 10,
            },
            now,
        );
        let margin = Duration::from_secs(60);
        assert!(!token.needs_refresh(now + Duration::from_secs(4), margin));
        assert!(token.needs_refresh(now + Duration::from_secs(6), margin));
        assert!(token.is_expired(now + Duration::from_secs(10)));
        assert!(!AccessToken::fixed(Secret::new("t")).needs_refresh(now, margin));
    }
}
