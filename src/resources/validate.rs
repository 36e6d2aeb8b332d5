//! Plan-time checks shared by the resources and data sources. Each reports with
//! the attribute's path and skips unknown values (they are checked once known).

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

/// The longest name the Infisical server accepts.
pub(super) const NAME_MAX: usize = 64;
/// The longest description the Infisical server accepts (after trimming).
pub(super) const DESCRIPTION_MAX: usize = 256;

/// A connection name: 1–64 lowercase letters and digits in groups joined by single hyphens (the
/// server's rule is "slugify leaves it unchanged", which comes to the same thing).
pub(super) fn name(value: &Value, path: AttrPath, diags: &mut Diagnostics) {
    slug(
        value,
        path,
        NAME_MAX,
        "connection name",
        "github-main",
        diags,
    );
}

/// A slug (Infisical's `slugSchema`): 1–`max` lowercase letters and digits in groups joined by
/// single hyphens. `what` names it in the summary ("connection name"), `example` is a good one.
pub(super) fn slug(
    value: &Value,
    path: AttrPath,
    max: usize,
    what: &str,
    example: &str,
    diags: &mut Diagnostics,
) {
    let Some(name) = value.as_str() else { return };
    let problem = if name.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else if name.chars().count() > max {
        Some(format!(
            "must be at most {max} characters long (it has {})",
            name.chars().count()
        ))
    } else if !name.split('-').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }) {
        Some(format!(
            "can only contain lowercase letters, digits and single hyphens between them \
             (no leading, trailing or double hyphen), e.g. {example:?}"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        diags.attr_error(
            path.clone(),
            format!("Invalid {what}"),
            format!("{} {name:?} {problem}.", last_name(&path)),
        );
    }
}

/// A description of at most 256 characters once trimmed.
pub(super) fn description(value: &Value, path: AttrPath, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else { return };
    let length = text.trim().chars().count();
    if length > DESCRIPTION_MAX {
        diags.attr_error(
            path,
            "Description too long",
            format!("description must be at most {DESCRIPTION_MAX} characters; it has {length}."),
        );
    }
}

/// One of a fixed set of words.
pub(super) fn one_of(value: &Value, allowed: &[&str], path: AttrPath, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else { return };
    if !allowed.contains(&text) {
        let list = allowed
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        diags.attr_error(
            path.clone(),
            format!("Invalid {}", last_name(&path)),
            format!("{} must be one of {list}; got {text:?}.", last_name(&path)),
        );
    }
}

/// A UUID such as `3f2b…-…`.
pub(super) fn uuid(value: &Value, path: AttrPath, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else { return };
    if uuid::Uuid::try_parse(text).is_err() {
        diags.attr_error(
            path.clone(),
            format!("Invalid {}", last_name(&path)),
            format!(
                "{} must be a UUID such as \"6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f\"; got {text:?}.",
                last_name(&path)
            ),
        );
    }
}

/// A string that is not empty or blank.
pub(super) fn not_blank(value: &Value, path: AttrPath, diags: &mut Diagnostics) {
    if value.as_str().is_some_and(|s| s.trim().is_empty()) {
        diags.attr_error(
            path.clone(),
            format!("Empty {}", last_name(&path)),
            format!(
                "{} must not be empty; remove it or give it a value.",
                last_name(&path)
            ),
        );
    }
}

/// Required here (by another attribute's value): must not be null.
pub(super) fn required(value: &Value, path: AttrPath, why: &str, diags: &mut Diagnostics) {
    if value.is_null() {
        diags.attr_error(
            path.clone(),
            format!("Missing {}", last_name(&path)),
            format!("{} is required {why}.", last_name(&path)),
        );
    }
}

/// Not allowed here (by another attribute's value): must be null. An unknown value may turn out
/// null, so it is checked once known (as terraform-plugin-framework's `ConflictsWith` does).
pub(super) fn forbidden(value: &Value, path: AttrPath, why: &str, diags: &mut Diagnostics) {
    if !value.is_null() && !value.is_unknown() {
        diags.attr_error(
            path.clone(),
            format!("Unexpected {}", last_name(&path)),
            format!("{} cannot be set {why}; remove it.", last_name(&path)),
        );
    }
}

/// At most one of the attributes `names` of `object` (at `at`) may be set; `why` ends the message
/// (e.g. "Infisical routes a connection through one gateway or one pool"). Each one set gets the
/// error at its own path. Unknown values are checked once known.
pub(super) fn exclusive(
    object: &Value,
    at: &AttrPath,
    names: &[&str],
    why: &str,
    diags: &mut Diagnostics,
) {
    let set: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| {
            let value = object.get(name);
            !value.is_null() && !value.is_unknown()
        })
        .collect();
    if set.len() < 2 {
        return;
    }
    let list = set
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    for name in &set {
        diags.attr_error(
            at.attr(name),
            format!("Conflicting {name}"),
            format!("{list} cannot both be set: {why}. Remove all but one."),
        );
    }
}

/// A data source's lookup keys: exactly one of the attributes `id` and `name` of `config` must
/// be set, both named by the caller's attribute constants; `what` names the object looked up
/// (e.g. "GitHub App"). Unknown keys are checked once known.
pub(crate) fn one_lookup_key(
    config: &Value,
    id: &str,
    name: &str,
    what: &str,
    diags: &mut Diagnostics,
) {
    let (id_value, name_value) = (config.get(id), config.get(name));
    if id_value.is_unknown() || name_value.is_unknown() {
        return;
    }
    match (id_value.is_null(), name_value.is_null()) {
        (true, true) => diags.error(
            "Missing lookup key",
            format!("set either `{id}` or `{name}` to say which {what} to read."),
        ),
        (false, false) => diags.attr_error(
            AttrPath::new(name),
            "Conflicting lookup keys",
            format!("set either `{id}` or `{name}`, not both."),
        ),
        _ => {}
    }
}

/// The attribute name a path ends in, for messages.
fn last_name(path: &AttrPath) -> String {
    match path.steps().last() {
        Some(crate::tfplugin::path::PathStep::Attr(name)) => name.clone(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: impl Fn(&Value, AttrPath, &mut Diagnostics), value: &str) -> bool {
        let mut diags = Diagnostics::new();
        f(&Value::string(value), AttrPath::new("x"), &mut diags);
        !diags.has_errors()
    }

    #[test]
    fn names_follow_the_servers_slug_rule() {
        for good in ["a", "github", "github-main-2", &"a".repeat(64)] {
            assert!(check(name, good), "{good} should pass");
        }
        for bad in [
            "",
            "GitHub",
            "git_hub",
            "-a",
            "a-",
            "a--b",
            "a b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(!check(name, bad), "{bad} should fail");
        }
    }

    #[test]
    fn unknown_values_are_not_checked() {
        let mut diags = Diagnostics::new();
        name(&Value::Unknown, AttrPath::new("name"), &mut diags);
        uuid(&Value::Unknown, AttrPath::new("gateway_id"), &mut diags);
        one_of(&Value::Unknown, &["a"], AttrPath::new("method"), &mut diags);
        assert!(diags.is_empty());
    }

    #[test]
    fn descriptions_are_measured_after_trimming() {
        assert!(check(description, &format!("  {}  ", "d".repeat(256))));
        assert!(!check(description, &"d".repeat(257)));
    }
}
