//! Reading one setting: from the provider block, else from its environment variable, with the
//! values known only after apply noted (they defer the settings) and the problems collected.

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::path::{AttrPath, PathStep};
use crate::tfplugin::value::Value;

/// Reads values from the block and the environment, and reports what is missing.
pub(super) struct Reader<'a> {
    /// The provider block.
    pub(super) config: &'a Value,
    /// The environment (a function, so that tests bring their own).
    pub(super) getenv: &'a dyn Fn(&str) -> Option<String>,
    /// Where the problems go.
    pub(super) diags: &'a mut Diagnostics,
    /// The values known only after apply, in the order met.
    pub(super) unknown: Vec<AttrPath>,
    /// The (sub-)organization every login method but a token logs in to.
    pub(super) organization_slug: Option<String>,
}

/// Where the method came from, which decides where a missing value is reported.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A block in `auth`: errors carry the attribute path.
    Block,
    /// `INFISICAL_AUTH_METHOD`: errors name the environment variables.
    Environment,
}

impl Reader<'_> {
    /// An environment variable, unless unset or blank.
    pub(super) fn env(&self, name: &str) -> Option<String> {
        (self.getenv)(name).filter(|v| !v.trim().is_empty())
    }

    /// Whether the value at `path` (or one of its parents) is unknown; records it if so.
    pub(super) fn unknown_at(&mut self, path: &AttrPath) -> bool {
        let mut here = AttrPath::root();
        for step in path.steps() {
            here = match step {
                PathStep::Attr(name) => here.attr(name),
                PathStep::Key(key) => here.key(key),
                PathStep::Index(_) => return false,
            };
            if self.config.at(&here).is_unknown() {
                if !self.unknown.contains(&here) {
                    self.unknown.push(here);
                }
                return true;
            }
        }
        false
    }

    /// The configured value at `path`, else the environment's `var` when the block leaves it
    /// null. `None` when neither is set, or the value is unknown (which is recorded).
    pub(super) fn pick(&mut self, path: &AttrPath, var: Option<&str>) -> Option<String> {
        if self.unknown_at(path) {
            return None;
        }
        match self.config.at(path) {
            Value::String(s) => Some(s.clone()),
            _ => var.and_then(|v| self.env(v)),
        }
    }

    /// Like [`Reader::pick`], but an empty or blank value counts as missing.
    pub(super) fn pick_nonblank(&mut self, path: &AttrPath, var: Option<&str>) -> Option<String> {
        self.pick(path, var).filter(|v| !v.trim().is_empty())
    }
}
