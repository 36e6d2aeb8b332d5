//! A string that must never be shown: tokens, client secrets, personal access tokens, codes.

use std::fmt;
use std::path::{Path, PathBuf};

/// A secret value. `Debug` and `Display` print `***`, so a secret that ends up in a log line,
/// an error message or a `{:?}` of a larger struct shows nothing. The value is only reachable
/// through [`Secret::expose`], which makes every place that needs the cleartext easy to find.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a cleartext value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The cleartext: only for the wire (an HTTP body or header) or Terraform state.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// A secret given in the configuration, or a file to read it from at each use (mounted tokens
/// are rotated: a Kubernetes service account token, a container credentials token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The secret itself.
    Value(Secret),
    /// A file holding it.
    File(PathBuf),
}

impl SecretSource {
    /// The secret, reading the file now if it comes from one. `what` names it in errors.
    pub async fn read(&self, what: &str) -> Result<Secret, String> {
        match self {
            SecretSource::Value(secret) => Ok(secret.clone()),
            SecretSource::File(path) => read_file(path, what).await,
        }
    }
}

/// Reads a secret from a file as tokens are mounted: surrounding whitespace (a trailing newline)
/// is dropped, and an empty file is an error. `what` names the secret in errors, which never
/// show the file's content.
pub async fn read_file(path: &Path, what: &str) -> Result<Secret, String> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| format!("cannot read the {what} from {}: {e}", path.display()))?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(format!("the {what} file {} is empty", path.display()));
    }
    Ok(Secret::new(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn secret_files_are_trimmed_and_never_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  file-secret\n").unwrap();
        let source = SecretSource::File(path.clone());
        assert_eq!(source.read("token").await.unwrap().expose(), "file-secret");
        std::fs::write(&path, "\n").unwrap();
        let error = source.read("token").await.unwrap_err();
        assert!(error.contains("is empty"), "{error}");
        let error = read_file(&dir.path().join("missing"), "token")
            .await
            .unwrap_err();
        assert!(error.starts_with("cannot read the token from"), "{error}");
        let given = SecretSource::Value(Secret::new("given"));
        assert_eq!(given.read("token").await.unwrap().expose(), "given");
    }

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("ghp_very_secret");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(secret.expose(), "ghp_very_secret");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Secret,
        }
        let shown = format!("{:?}", Holder { token: secret });
        assert!(!shown.contains("ghp_very_secret"), "{shown}");
    }
}
