//! The OIDC token issuers the emulator serves under `/__oidc/<name>` (standing in for GitHub
//! Actions' `https://token.actions.githubusercontent.com` and the like): each a signing key made
//! on first use. A store: plain data over the [`crate::jwt`] leaf.

use std::collections::HashMap;
use std::sync::Arc;

use crate::jwt::SigningKey;

/// The issuer GitHub Actions' tokens come from.
pub(crate) const GITHUB: &str = "github";

/// Issuers by name.
#[derive(Default)]
pub(crate) struct OidcIssuers {
    keys: HashMap<String, Arc<SigningKey>>,
}

impl OidcIssuers {
    /// The issuer's key, if it exists (`github` always does, once asked for).
    pub(crate) fn get(&self, name: &str) -> Option<Arc<SigningKey>> {
        self.keys.get(name).cloned()
    }

    /// The issuer's key, made now if it has none (`None` if the key cannot be made).
    pub(crate) fn get_or_create(&mut self, name: &str) -> Option<Arc<SigningKey>> {
        if let Some(key) = self.get(name) {
            return Some(key);
        }
        let key = Arc::new(SigningKey::generate()?);
        self.keys.insert(name.to_owned(), Arc::clone(&key));
        Some(key)
    }
}

/// Whether `name` can name an issuer: lower-case letters, digits and `-`.
pub(crate) fn is_issuer_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
