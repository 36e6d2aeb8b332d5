//! A project's secret tags through the current routes, `/api/v1/projects/:id/tags` (the server's
//! `routes/v1/secret-tag-router.ts`). The official provider uses the deprecated
//! `/api/v1/workspace/:id/tags`. Infisical no longer stores a tag's name: its reads answer the
//! slug as `name`.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::client::{Client, Repeat, encode};
use super::error::Error;

/// A tag as the tag routes answer it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// The tag's id.
    pub id: String,
    /// Its slug, unique in the project.
    pub slug: String,
    /// Its color, as given (trimmed).
    #[serde(default)]
    pub color: Option<String>,
    /// Its project's id.
    pub project_id: String,
}

/// The body of a create and of an update: Infisical takes both, always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagFields<'a> {
    /// The slug (`slugSchema`, at most 64 characters).
    pub slug: &'a str,
    /// The color.
    pub color: &'a str,
}

#[derive(Deserialize)]
struct OneTag {
    tag: Tag,
}

/// The tag calls; from [`Client::tags`].
#[derive(Debug, Clone, Copy)]
pub struct Tags<'c> {
    client: &'c Client,
}

impl Client {
    /// The tag calls.
    pub fn tags(&self) -> Tags<'_> {
        Tags { client: self }
    }
}

impl Tags<'_> {
    /// `POST /api/v1/projects/:id/tags`. Not repeated once sent (a repeat meets "already exists").
    #[instrument(level = "debug", skip(self))]
    pub async fn create(&self, project_id: &str, fields: &TagFields<'_>) -> Result<Tag, Error> {
        let one: OneTag = self
            .client
            .request_as(
                Method::POST,
                &["api", "v1", "projects", project_id, "tags"],
                &[],
                Some(encode(fields)?),
                Repeat::Unsafe,
            )
            .await?;
        Ok(one.tag)
    }

    /// `GET /api/v1/projects/:id/tags/:tagId`.
    #[instrument(level = "debug", skip(self))]
    pub async fn get(&self, project_id: &str, id: &str) -> Result<Tag, Error> {
        let one: OneTag = self
            .client
            .request(
                Method::GET,
                &["api", "v1", "projects", project_id, "tags", id],
                &[],
                None,
            )
            .await?;
        Ok(one.tag)
    }

    /// `PATCH /api/v1/projects/:id/tags/:tagId`.
    #[instrument(level = "debug", skip(self))]
    pub async fn update(
        &self,
        project_id: &str,
        id: &str,
        fields: &TagFields<'_>,
    ) -> Result<Tag, Error> {
        let one: OneTag = self
            .client
            .request(
                Method::PATCH,
                &["api", "v1", "projects", project_id, "tags", id],
                &[],
                Some(encode(fields)?),
            )
            .await?;
        Ok(one.tag)
    }

    /// `DELETE /api/v1/projects/:id/tags/:tagId`: the tag leaves every secret that had it.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete(&self, project_id: &str, id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(
                Method::DELETE,
                &["api", "v1", "projects", project_id, "tags", id],
                &[],
                None,
            )
            .await?;
        Ok(())
    }
}
