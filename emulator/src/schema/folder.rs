//! Folders' request schemas (`routes/v2/secret-folder-router.ts`, with `isValidFolderName` of
//! `lib/validator/validate-folder-name.ts`), and the typed inputs they give the service.

use std::sync::LazyLock;

use serde_json::Value;

use super::{Input, text, validated};
use crate::error::ApiError;
use crate::zod::{Schema, custom_issue, nullish, refine, string, with_default};

/// The refinement message of a folder's `name`.
const NAME_MESSAGE: &str =
    "Invalid folder name. Only alphanumeric characters, dashes, and underscores are allowed.";

/// `isValidFolderName`: `^[a-zA-Z0-9-_]+$`.
fn is_valid_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

pub(crate) fn check_name(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let bad = value.as_str().is_some_and(|s| !is_valid_folder_name(s));
    if bad {
        issues.push(custom_issue(path, NAME_MESSAGE));
    }
    bad
}

/// `path`'s transforms, `prefixWithSlash` then `removeTrailingSlash`.
pub(crate) fn folder_path(raw: &str) -> String {
    let prefixed = if raw.starts_with('/') {
        raw.to_owned()
    } else {
        format!("/{raw}")
    };
    match prefixed.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => prefixed,
    }
}

fn trimmed() -> Schema {
    string().trim().into()
}

fn path_schema() -> Schema {
    with_default(string().trim(), "/")
}

/// The create and `PATCH` bodies, which are the same.
static FOLDER: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("name", refine(string().trim(), check_name)),
        ("path", path_schema()),
        ("description", nullish(string())),
    ])
});

/// The `DELETE` body.
static DELETE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("path", path_schema()),
        ("forceDelete", with_default(Schema::Bool, false)),
    ])
});

/// The list's query (`lastSecretModified` is not kept; `recursive` is `booleanSchema`, which
/// takes any string).
pub(crate) static LIST: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("projectId", trimmed()),
        ("environment", trimmed()),
        ("path", trimmed()),
    ])
});

/// A validated create or `PATCH` body.
pub(crate) struct FolderInput {
    pub(crate) project_id: String,
    pub(crate) environment: String,
    pub(crate) name: String,
    /// The parent's path (for a `PATCH`, where the folder is).
    pub(crate) path: String,
    /// `None` when absent (a `PATCH` keeps the description), `Some(None)` for `null`.
    pub(crate) description: Option<Option<String>>,
}

impl Input for FolderInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&FOLDER, body)?;
        Ok(Self {
            project_id: text(&value, "projectId").unwrap_or_default(),
            environment: text(&value, "environment").unwrap_or_default(),
            name: text(&value, "name").unwrap_or_default(),
            path: folder_path(&text(&value, "path").unwrap_or_default()),
            description: value
                .get("description")
                .map(|d| d.as_str().map(str::to_owned)),
        })
    }
}

/// A validated `DELETE` body (`forceDelete` is validated; the service does not read it).
pub(crate) struct DeleteInput {
    pub(crate) project_id: String,
    pub(crate) environment: String,
    pub(crate) path: String,
}

impl Input for DeleteInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&DELETE, body)?;
        Ok(Self {
            project_id: text(&value, "projectId").unwrap_or_default(),
            environment: text(&value, "environment").unwrap_or_default(),
            path: folder_path(&text(&value, "path").unwrap_or_default()),
        })
    }
}

/// A validated list query.
pub(crate) struct ListQuery {
    pub(crate) project_id: String,
    pub(crate) environment: String,
    pub(crate) path: String,
    pub(crate) recursive: bool,
}

impl ListQuery {
    /// Reads the query [`LIST`] accepted; `recursive` is true unless absent, empty, `0` or
    /// `false` (`booleanSchema`).
    pub(crate) fn new(value: &Value, recursive: Option<&String>) -> Self {
        let recursive = recursive.is_some_and(|r| {
            let r = r.trim();
            !r.is_empty() && r.parse::<f64>() != Ok(0.0) && !r.eq_ignore_ascii_case("false")
        });
        Self {
            project_id: text(value, "projectId").unwrap_or_default(),
            environment: text(value, "environment").unwrap_or_default(),
            path: folder_path(&text(value, "path").unwrap_or_default()),
            recursive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_follow_the_server() {
        assert!(is_valid_folder_name("app_db-1"));
        for bad in ["", "a b", "a/b", "é", "a.b"] {
            assert!(!is_valid_folder_name(bad), "{bad}");
        }
        assert_eq!(folder_path("/"), "/");
        assert_eq!(folder_path("app/"), "/app");
        assert_eq!(folder_path("/a/b"), "/a/b");
    }
}
