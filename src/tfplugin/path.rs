//! Attribute paths: where a value sits inside a configuration, plan or state, e.g.
//! `credentials.host`. Values are read at a path and diagnostics point at one.

use std::fmt;

/// One step of an attribute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An attribute of an object.
    Attr(String),
    /// An element of a map, by key.
    Key(String),
    /// An element of a list, by index.
    Index(i64),
}

/// A path to an attribute inside a configuration, plan or state, e.g. `credentials.host`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(Vec<PathStep>);

impl AttrPath {
    /// The whole object.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// A top-level attribute.
    pub fn new(attr: &str) -> Self {
        Self(vec![PathStep::Attr(attr.to_owned())])
    }

    /// This path followed by an attribute.
    pub fn attr(&self, name: &str) -> Self {
        self.with(PathStep::Attr(name.to_owned()))
    }

    /// This path followed by a map key.
    pub fn key(&self, key: &str) -> Self {
        self.with(PathStep::Key(key.to_owned()))
    }

    /// This path followed by a list index.
    pub fn index(&self, index: usize) -> Self {
        self.with(PathStep::Index(i64::try_from(index).unwrap_or(i64::MAX)))
    }

    fn with(&self, step: PathStep) -> Self {
        let mut steps = self.0.clone();
        steps.push(step);
        Self(steps)
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    /// Whether this is the root path.
    pub(crate) fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_terraform_references() {
        let path = AttrPath::new("credentials").attr("host");
        assert_eq!(path.to_string(), "credentials.host");
        assert_eq!(
            AttrPath::new("tags").index(2).key("k").to_string(),
            "tags[2][\"k\"]"
        );
    }
}
