//! The Infisical REST client: typed requests and responses, errors, authentication and retries.
//! Knows nothing about Terraform.
//!
//! ```no_run
//! # async fn demo() -> Result<(), terraform_provider_infisical::infisical::Error> {
//! use terraform_provider_infisical::infisical::{
//!     Auth, Client, ClientConfig, CreateAppConnection, GitHubCredentials,
//! };
//! let host = url::Url::parse("https://app.infisical.com").map_err(|e| {
//!     terraform_provider_infisical::infisical::Error::Config(e.to_string())
//! })?;
//! let client = Client::new(ClientConfig::new(host, Auth::universal("id", "secret")))?;
//! let created = client
//!     .github()
//!     .create(&CreateAppConnection::new(
//!         "my-github",
//!         GitHubCredentials::Pat {
//!             personal_access_token: "ghp_…".into(),
//!             instance_type: None,
//!             host: None,
//!         },
//!     ))
//!     .await?;
//! let again = client.github().get(&created.id).await?;
//! assert_eq!(again.credentials_hash, created.credentials_hash);
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - `client`: [`Client`], [`ClientConfig`], and the one request function every call goes through.
//! - `create`: [`Client::create_confirmed`], the create that is looked up before it is repeated.
//! - `auth`: [`Auth`], the ways to get a token; the shared token, its renewal and replacement.
//! - `aws`: AWS IAM auth's signed `sts:GetCallerIdentity` request and the AWS credentials.
//! - `proxy`: [`ProxyRules`], which proxy a request uses, by Go's `HTTPS_PROXY`/`NO_PROXY` rules;
//!   what to say when it fails or refuses a tunnel.
//! - `retry`: [`RetryPolicy`]: what is retried, backoff with jitter, `Retry-After`.
//! - `error`: [`Error`], decoded from Infisical's error bodies.
//! - `app_connection`: the [`App`] trait and the CRUD calls every app connection shares.
//! - `github`: the GitHub app's methods and credentials.
//! - `secret_sync`: GitHub secret syncs: CRUD, the duplicate-destination check, the wait for a job.
//! - `projects`: projects, environments and folders through `/api/v1/projects` and
//!   `/api/v2/folders`.
//! - `secrets`: secrets through `/api/v4/secrets`: the list of a tree, reads, single and batch
//!   writes, approval answers, and the value Infisical stores for a given one.

mod app_connection;
mod auth;
pub mod aws;
mod client;
mod create;
mod error;
mod github;
mod identities;
mod identity_auth;
mod memberships;
mod projects;
mod proxy;
mod retry;
mod secret_sync;
mod secrets;
mod secrets_batch;
mod snapshot;
mod tags;

pub use app_connection::{
    App, AppConnection, AppConnections, CreateAppConnection, Patch, UpdateAppConnection,
};
pub use auth::{Auth, AuthMethod, ServiceAccountToken};
pub use client::{
    Client, ClientConfig, DEFAULT_ANSWER_LIMIT, DEFAULT_HOST, StopSignal, USER_AGENT,
    normalize_host,
};
pub use error::{ApiError, Error, ForbiddenKind, NetworkProblem, PathSegment, ValidationIssue};
pub use github::{
    GitHub, GitHubAppRecord, GitHubCredentials, GitHubCredentialsView, GitHubInstanceType,
    GitHubMethod,
};
pub use identities::{
    CreateIdentity, CustomRole, Identities, IdentityCore, IdentityMetadata, OrgIdentity,
    Organization, UpdateIdentity,
};
pub use identity_auth::{
    ClientSecretData, CreateClientSecret, IdentityAuth, NewClientSecret, OidcAuth, OidcAuthFields,
    TrustedIp, TrustedIpRequest, UniversalAuth, UniversalAuthFields,
};
pub use memberships::{MemberIdentity, Membership, MembershipRole, Memberships, RoleRequest};
pub use projects::{
    CreateProject, Environment, EnvironmentFields, EnvironmentRef, Folder, FolderEnvironment,
    FolderFields, Project, Projects, UpdateProject,
};
pub use proxy::{ChosenProxy, ProxyRules};
pub use retry::RetryPolicy;
pub use secret_sync::{
    CheckDestination, CreateSecretSync, DuplicateCheck, GitHubDestination, GitHubSyncs, SecretSync,
    SyncEnvironment, SyncFolder, SyncOptions, SyncStatus, UpdateSecretSync, Waited,
};
pub use secrets::{
    ApprovalRequest, BatchCreate, BatchEntry, BatchUpdate, CreateSecret, ImportedSecrets,
    ListSecrets, NewSecret, ReadSecret, SecretChanges, SecretEntry, SecretList, SecretLocation,
    SecretMetadata, SecretTagRef, SecretType, Secrets, UpdateSecret, Written, stored_value,
};
pub use tags::{Tag, TagFields, Tags};
