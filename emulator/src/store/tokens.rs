//! The access tokens issued and the machine identities that may log in: a store, plain data.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crate::sts::AwsKey;

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// The machine identity it was issued to (the rate limit's key).
    pub(crate) identity: String,
    pub(crate) expires_at: Instant,
    /// Renewals cannot extend the token past this (the identity's `accessTokenMaxTTL`).
    pub(crate) max_expires_at: Instant,
    /// Set by [`crate::Admin::expire_tokens`]: the token is treated as past its `exp`.
    pub(crate) expired: bool,
    /// Set by [`crate::Admin::revoke_tokens`].
    pub(crate) revoked: bool,
}

impl Token {
    pub(crate) fn is_expired(&self) -> bool {
        self.expired || Instant::now() >= self.expires_at
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
