//! Diagnostics (errors and warnings with attribute paths): how every problem reaches the user.

use super::path::AttrPath;
use super::value::ValueError;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The operation failed.
    Error,
    /// The operation went on; the user should know.
    Warning,
}

/// One message for the user: a short summary, a detail that says what to do, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A short sentence.
    pub summary: String,
    /// What failed, what to do, and the API's request id where there is one.
    pub detail: String,
    /// The attribute the message is about, if any.
    pub path: Option<AttrPath>,
}

/// The diagnostics collected while answering one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an error.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary.into(), detail.into(), None);
    }

    /// Adds an error about one attribute.
    pub fn attr_error(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, summary.into(), detail.into(), Some(path));
    }

    /// Adds a warning.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary.into(), detail.into(), None);
    }

    /// Adds a warning about one attribute.
    pub fn attr_warning(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Warning, summary.into(), detail.into(), Some(path));
    }

    /// Adds a ready-made diagnostic.
    pub fn add(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds every diagnostic of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    fn push(
        &mut self,
        severity: Severity,
        summary: String,
        detail: String,
        path: Option<AttrPath>,
    ) {
        self.0.push(Diagnostic {
            severity,
            summary,
            detail,
            path,
        });
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// All diagnostics, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<ValueError> for Diagnostic {
    /// A value that cannot be decoded or encoded: Terraform sent something the schema does not
    /// allow, or (when encoding) the provider built a wrong value — both worth reporting.
    fn from(err: ValueError) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: "Invalid value".to_owned(),
            detail: format!(
                "the provider could not read or write a value{}: {}. If the configuration is \
                 correct, please report this to the provider's developers.",
                if err.path.is_root() {
                    String::new()
                } else {
                    format!(" at {}", err.path)
                },
                err.message
            ),
            path: (!err.path.is_root()).then_some(err.path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_told_apart_from_warnings() {
        let mut diags = Diagnostics::new();
        diags.warning("careful", "details");
        assert!(!diags.has_errors());
        diags.attr_error(AttrPath::new("name"), "bad", "details");
        assert!(diags.has_errors());
        assert_eq!(diags.iter().count(), 2);
    }
}
