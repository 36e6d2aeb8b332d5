//! What every resource named by an Infisical id shares (app connections and secret syncs): the
//! resource identity `{ id }` (Terraform ≥ 1.12), the identity of a state, the check of an
//! `import` block's `identity`, and the list resource by project (Terraform ≥ 1.14): its
//! `project_id`, its check, and the settling of what a list found.

use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::{IdentityAttribute, IdentitySchema, Listed};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::{Type, Value};

use super::model::{error_at, settle};
use super::validate;

/// The identity's one attribute.
pub(crate) const ID: &str = "id";

/// The list resource's setting: the project whose objects are listed.
pub(crate) const PROJECT_ID: &str = "project_id";

/// Checks a list resource's configuration before any request: a `project_id` that is set is
/// not blank.
pub(crate) fn validate_list(config: &Value, diags: &mut Diagnostics) {
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
}

/// What a list found; nothing, with the error added to `diags`, when it failed as a whole.
pub(crate) fn listed(
    found: Result<Vec<Listed>, Diagnostic>,
    diags: &mut Diagnostics,
) -> Vec<Listed> {
    settle(found, diags).unwrap_or_default()
}

/// The identity schema (version 0): the object's `id`, which an `import` block's `identity`
/// must give; `description` says what the id is.
pub(crate) fn identity_schema(description: &'static str) -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute {
            name: ID,
            ty: Type::String,
            required_for_import: true,
            description,
        }],
    }
}

/// The identity of the object `state` describes (`None` while it has no id).
pub(crate) fn identity(state: &Value) -> Option<Value> {
    let id = state.get(ID);
    (!id.is_null()).then(|| Value::object([(ID, id.clone())]))
}

/// The id an `import` block's `identity` names, which must be a UUID. `label` names the object
/// ("GitHub connection"), `by_name` the import id that names it otherwise, as a phrase
/// (e.g. "`id = \"<project_id>/<name>\"`").
pub(crate) fn identity_id(
    identity: &Value,
    label: &str,
    by_name: &str,
) -> Result<String, Diagnostic> {
    match identity.get(ID).as_str() {
        Some(id) if uuid::Uuid::try_parse(id).is_ok() => Ok(id.to_owned()),
        other => Err(error_at(
            AttrPath::new(ID),
            "Invalid identity",
            format!(
                "the identity's `id` is the {label}'s id, a UUID such as \
                 \"6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f\"; got {}. To import by name, use \
                 {by_name} in the import block instead of `identity`.",
                other.map_or_else(|| "nothing".to_owned(), |o| format!("{o:?}"))
            ),
        )),
    }
}
