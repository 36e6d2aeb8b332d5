//! What a connection keeps in Terraform's private state: fingerprints of the single-use secrets
//! (GitHub codes) it has already exchanged — never the secrets themselves — so a reuse is caught
//! at plan time.

use sha2::{Digest, Sha256};

/// The private state.
///
/// Terraform rewrites the whole state file after every resource it changes, so the cost of each
/// byte per instance grows with the number of instances: the fingerprints are short, few, and a
/// connection without any (every `pat` connection) keeps no private state at all.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub(super) struct Private {
    /// A fingerprint of each exchanged secret, newest last. (The name is stored in states.)
    #[serde(default)]
    used_codes: Vec<String>,
}

/// How many fingerprints are kept: the newest secrets are the ones a configuration goes back to.
const USED_CODES_KEPT: usize = 8;

impl Private {
    /// Reads private state. Bytes that are not ours — none yet, or another provider's (the
    /// official provider keeps its own JSON there) — mean that no secret of ours was exchanged.
    pub(super) fn decode(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// The bytes Terraform stores: none while there is nothing to keep.
    pub(super) fn encode(&self) -> Vec<u8> {
        if self.used_codes.is_empty() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether `secret` was exchanged before.
    pub(super) fn used(&self, secret: &str) -> bool {
        self.used_codes.contains(&fingerprint(secret))
    }

    /// Remembers that `secret` was exchanged.
    pub(super) fn remember(&mut self, secret: &str) {
        let print = fingerprint(secret);
        if !self.used_codes.contains(&print) {
            self.used_codes.push(print);
        }
        let excess = self.used_codes.len().saturating_sub(USED_CODES_KEPT);
        self.used_codes.drain(..excess);
    }
}

/// The first 128 bits of the secret's SHA-256, in hex: enough that two secrets never share one,
/// and nothing that leads back to the secret.
fn fingerprint(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_state_keeps_fingerprints_not_codes() {
        let mut private = Private::default();
        private.remember("secret-code-1");
        let bytes = private.encode();
        assert!(!String::from_utf8_lossy(&bytes).contains("secret-code-1"));
        let back = Private::decode(&bytes);
        assert!(back.used("secret-code-1"));
        assert!(!back.used("secret-code-2"));
        assert_eq!(Private::decode(b"{\"provider\":{}}"), Private::default());
        assert!(
            Private::default().encode().is_empty(),
            "nothing to keep, nothing stored"
        );
        assert_eq!(Private::decode(b""), Private::default());
        for i in 0..40 {
            private.remember(&format!("c{i}"));
        }
        assert_eq!(private.used_codes.len(), USED_CODES_KEPT);
        assert!(private.used("c39"));
    }
}
