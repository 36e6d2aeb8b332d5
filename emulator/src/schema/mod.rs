//! The request schemas of the emulated Infisical routes, rule for rule and message for message
//! as the server's zod schemas: each turns a body into the typed input its service takes.

use serde_json::Value;

use crate::error::ApiError;

pub(crate) mod connection;
pub(crate) mod sync;

/// A route's typed input: what a JSON body (`None` when the request had none) becomes once the
/// server's zod rules accept it, or the 422 with their issues.
pub(crate) trait Input: Sized {
    /// Validates `body` and reads the input out of it.
    fn parse(body: Option<&Value>) -> Result<Self, ApiError>;
}
