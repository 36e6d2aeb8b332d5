//! Tags' request schemas (`routes/v1/secret-tag-router.ts`, with `slugSchema({ max: 64 })`), and
//! the typed input they give [`crate::service::tags`].

use std::sync::LazyLock;

use serde_json::Value;

use super::project::{SLUG_64, SLUG_CHARACTERS, slug_schema};
use super::{Input, text, validated};
use crate::error::ApiError;
use crate::zod::{Schema, string};

/// The create and `PATCH` bodies, which are the same: both fields required.
static TAG: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("slug", slug_schema(SLUG_64, SLUG_CHARACTERS).into()),
        ("color", string().trim().into()),
    ])
});

/// A validated create or `PATCH`.
pub(crate) struct TagInput {
    pub(crate) slug: String,
    pub(crate) color: String,
}

impl Input for TagInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&TAG, body)?;
        Ok(Self {
            slug: text(&value, "slug").unwrap_or_default(),
            color: text(&value, "color").unwrap_or_default(),
        })
    }
}
