//! The access tokens issued and the machine identities that may log in: a store, plain data.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::sts::AwsKey;

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// The machine identity it was issued to (the rate limit's key).
    pub(crate) identity: String,
    /// The auth method of an identity made through the API (`universal-auth`, `oidc-auth`):
    /// whose `accessTokenTrustedIps` apply. `None` for the `Config`'s and declared identities.
    pub(crate) auth_method: Option<&'static str>,
    /// Its `exp`; `None` for an `accessTokenTTL` of 0, which never expires.
    pub(crate) expires_at: Option<Instant>,
    /// Renewals cannot extend the token past this (the identity's `accessTokenMaxTTL`); `None`
    /// for a max TTL of 0 or a periodic token.
    pub(crate) max_expires_at: Option<Instant>,
    /// `accessTokenTTL` (or the period of a periodic token): what a renewal grants.
    pub(crate) ttl: Duration,
    /// Requests made with it, and how many it may make (0: any number).
    pub(crate) num_uses: u64,
    pub(crate) num_uses_limit: u64,
    /// The emulator's own rule for the `Config`'s and declared identities: a renewal near the
    /// max TTL is cut to it rather than refused (see `FIDELITY.md`).
    pub(crate) lenient_renewal: bool,
    /// Set by [`crate::Admin::expire_tokens`]: the token is treated as past its `exp`.
    pub(crate) expired: bool,
    /// Set by [`crate::Admin::revoke_tokens`], or when its identity or auth method goes.
    pub(crate) revoked: bool,
}

impl Token {
    pub(crate) fn is_expired(&self) -> bool {
        self.expired || self.expires_at.is_some_and(|at| Instant::now() >= at)
    }
}

/// Issued tokens and declared identities.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Access token → what it is.
    pub(crate) issued: HashMap<String, Token>,
    /// Machine identities with OIDC auth: identity id → the JWTs that log it in.
    pub(crate) oidc: HashMap<String, HashSet<String>>,
    /// Machine identities with Kubernetes auth: identity id → the service account tokens.
    pub(crate) kubernetes: HashMap<String, HashSet<String>>,
    /// Machine identities with AWS auth: identity id → the AWS access keys STS accepts.
    pub(crate) aws: HashMap<String, Vec<AwsKey>>,
}
