//! The request schemas of the emulated Infisical routes, rule for rule and message for message
//! as the server's zod schemas: each turns a body into the typed input its service takes.

use serde_json::Value;

use crate::error::ApiError;
use crate::zod::{Schema, check, invalid_type};

pub(crate) mod connection;
pub(crate) mod deprecated;
pub(crate) mod folder;
pub(crate) mod identity;
pub(crate) mod project;
pub(crate) mod secret;
pub(crate) mod sync;
pub(crate) mod tag;

/// A route's typed input: what a JSON body (`None` when the request had none) becomes once the
/// server's zod rules accept it, or the 422 with their issues.
pub(crate) trait Input: Sized {
    /// Validates `body` and reads the input out of it.
    fn parse(body: Option<&Value>) -> Result<Self, ApiError>;
}

/// A body validated against an object schema: the parsed object, or the 422 (an absent body
/// is zod's "Required" at the root).
pub(crate) fn validated(schema: &Schema, body: Option<&Value>) -> Result<Value, ApiError> {
    check(schema, body)
        .map_err(ApiError::validation)?
        .ok_or_else(|| ApiError::validation(vec![invalid_type("object", body, &[])]))
}

/// A string field of a parsed body.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}
