//! Environment variables the provider reads (the official provider's names, and this
//! provider's own time limits).

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
/// The official provider's deprecated service token: refused (see [`super::service_token`]).
pub const SERVICE_TOKEN: &str = "INFISICAL_SERVICE_TOKEN";
/// The time limit of one attempt of one request (this provider's own).
pub const REQUEST_TIMEOUT: &str = "INFISICAL_REQUEST_TIMEOUT";
/// The time after which no retry starts (this provider's own).
pub const RETRY_TIMEOUT: &str = "INFISICAL_RETRY_TIMEOUT";
