//! Typed models of Terraform values: each resource and data source reads its plan, state or
//! configuration into a Rust struct here and writes the struct back, with the attribute names of
//! its schema. A value that must be there and is not is an error diagnostic, never a default.

use crate::secret::Secret;
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

/// A Rust struct for an object value (or, flattened, for some of its attributes).
pub(crate) trait Model: Sized {
    /// Reads the model from the object `value`, which stands at `at` (for error paths).
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic>;

    /// The model's attributes, by their schema names.
    fn attributes(&self) -> Vec<(&'static str, Value)>;

    /// Reads a whole value (a plan, a state, a configuration).
    fn from_value(value: &Value) -> Result<Self, Diagnostic> {
        Self::read(value, &AttrPath::root())
    }

    /// The object value.
    fn to_value(&self) -> Value {
        Value::object(self.attributes())
    }
}

/// A computed attribute: unknown until apply, then known (or null in an old state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Computed {
    /// Known after apply.
    Unknown,
    /// Not set.
    Null,
    /// The value.
    Known(String),
}

impl Computed {
    /// The value, when known.
    pub(crate) fn known(&self) -> Option<&str> {
        match self {
            Computed::Known(value) => Some(value),
            Computed::Unknown | Computed::Null => None,
        }
    }

    /// Whether the value is known only after apply.
    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Computed::Unknown)
    }

    /// The Terraform value.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Computed::Unknown => Value::Unknown,
            Computed::Null => Value::Null,
            Computed::Known(value) => Value::string(value),
        }
    }
}

/// Reads the attributes of one object, reporting with their full paths.
pub(crate) struct Fields<'a> {
    value: &'a Value,
    at: &'a AttrPath,
}

impl<'a> Fields<'a> {
    /// The attributes of `value`, which stands at `at`.
    pub(crate) fn new(value: &'a Value, at: &'a AttrPath) -> Self {
        Self { value, at }
    }

    /// The path of attribute `name`.
    pub(crate) fn path(&self, name: &str) -> AttrPath {
        self.at.attr(name)
    }

    /// The raw value of attribute `name` (null when absent).
    pub(crate) fn get(&self, name: &str) -> &'a Value {
        self.value.get(name)
    }

    /// A string that must be set and known.
    pub(crate) fn required(&self, name: &str) -> Result<String, Diagnostic> {
        match self.get(name) {
            Value::String(text) => Ok(text.clone()),
            other => Err(missing(&self.path(name), other)),
        }
    }

    /// A string that may be null, but must be known.
    pub(crate) fn optional(&self, name: &str) -> Result<Option<String>, Diagnostic> {
        match self.get(name) {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text.clone())),
            other => Err(missing(&self.path(name), other)),
        }
    }

    /// A sensitive string that may be null, but must be known.
    pub(crate) fn secret(&self, name: &str) -> Result<Option<Secret>, Diagnostic> {
        Ok(self.optional(name)?.map(Secret::new))
    }

    /// A whole number that may be null, but must be known (validation refuses fractions).
    pub(crate) fn whole(&self, name: &str) -> Result<Option<i64>, Diagnostic> {
        match self.get(name) {
            Value::Null => Ok(None),
            value => value
                .as_int()
                .map(Some)
                .ok_or_else(|| missing(&self.path(name), value)),
        }
    }

    /// A computed string: unknown until apply.
    pub(crate) fn computed(&self, name: &str) -> Result<Computed, Diagnostic> {
        match self.get(name) {
            Value::Unknown => Ok(Computed::Unknown),
            Value::Null => Ok(Computed::Null),
            Value::String(text) => Ok(Computed::Known(text.clone())),
            other => Err(missing(&self.path(name), other)),
        }
    }

    /// A nested object that may be null, but must be known.
    pub(crate) fn object<M: Model>(&self, name: &str) -> Result<Option<M>, Diagnostic> {
        match self.get(name) {
            Value::Null => Ok(None),
            value @ Value::Map(_) => M::read(value, &self.path(name)).map(Some),
            other => Err(missing(&self.path(name), other)),
        }
    }
}

/// The error for a value the provider needs and does not have: Terraform guarantees it, so its
/// absence is a bug to report.
pub(crate) fn missing(path: &AttrPath, found: &Value) -> Diagnostic {
    let what = match found {
        Value::Null => "null",
        Value::Unknown => "not known yet",
        Value::Number(_) => "not a whole number",
        _ => "of an unexpected type",
    };
    error_at(
        path.clone(),
        "Provider bug: missing value",
        format!(
            "`{path}` is {what} here, but the provider needs its value. This is a bug in the \
             provider: please report it with the configuration that triggered it."
        ),
    )
}

/// A string to send: `None` for null or `""`.
pub(crate) fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A text as Infisical stores it: trimmed (its schemas `trim()` descriptions), and `None` when
/// nothing is left, so null, `""` and blank text are all "none".
pub(crate) fn stored_text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// Whether two descriptions mean the same to Infisical, which trims what it stores: a heredoc's
/// trailing newline, or null against `""`, is no change. Every resource compares descriptions
/// with this, so none plans a change the server would undo.
pub(crate) fn same_description(a: Option<&str>, b: Option<&str>) -> bool {
    stored_text(a) == stored_text(b)
}

/// An error about the attribute at `path`.
pub(crate) fn error_at(
    path: AttrPath,
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        summary: summary.into(),
        detail: detail.into(),
        path: Some(path),
    }
}

/// The end of an operation whose failure is a value: its result, or `None` with the error added
/// to `diags` (where Terraform's answer carries it).
pub(crate) fn settle<T>(result: Result<T, Diagnostic>, diags: &mut Diagnostics) -> Option<T> {
    result.map_err(|diag| diags.add(diag)).ok()
}

/// Test support: checks that a model and its schema agree — every attribute of the schema is
/// read and written back, and nothing else is written: a full value with a distinct string at
/// every path round-trips.
#[cfg(test)]
pub(crate) fn assert_agrees<M: Model>(schema: &crate::tfplugin::schema::Schema) {
    use crate::tfplugin::schema::{Kind, Nesting};
    use crate::tfplugin::value::Type;
    fn full(attrs: &[crate::tfplugin::schema::Attribute], prefix: &str, n: &mut i64) -> Value {
        Value::object(attrs.iter().map(|attr| {
            let path = format!("{prefix}{}", attr.name);
            *n += 1;
            let text = Value::string(format!("value-of-{path}"));
            let value = match &attr.kind {
                // Never in a plan or a state.
                _ if attr.write_only => Value::Null,
                Kind::Nested(Nesting::Single, children) => full(children, &format!("{path}."), n),
                Kind::Nested(Nesting::Set, children) => {
                    Value::Set(vec![full(children, &format!("{path}."), n)])
                }
                Kind::Plain(Type::Number) => Value::int(*n),
                Kind::Plain(Type::Bool) => Value::Bool(*n % 2 == 0),
                Kind::Plain(Type::Set(_)) => Value::Set(vec![text]),
                Kind::Plain(Type::List(_)) => Value::List(vec![text]),
                Kind::Plain(Type::Map(_)) => Value::Map([("key".to_owned(), text)].into()),
                _ => text,
            };
            (attr.name, value)
        }))
    }
    let value = full(&schema.attributes, "", &mut 0);
    let model = match M::from_value(&value) {
        Ok(model) => model,
        Err(diag) => panic!("a full value does not read: {diag:?}"),
    };
    assert_eq!(
        model.to_value(),
        value,
        "the model loses, renames or adds attributes"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_compare_as_infisical_stores_them() {
        let cases = [
            (Some("x\n"), Some("x"), true),
            (Some("  x "), Some("x"), true),
            (None, Some(""), true),
            (None, Some(" \n"), true),
            (Some("x"), Some("y"), false),
            (Some("a b"), Some("a  b"), false),
            (None, Some("x"), false),
        ];
        for (a, b, same) in cases {
            assert_eq!(same_description(a, b), same, "{a:?} vs {b:?}");
            assert_eq!(same_description(b, a), same, "{b:?} vs {a:?}");
        }
    }
}
