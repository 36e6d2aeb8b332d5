//! Machine identities of the organization (`/api/v1/identities`, the server's
//! `routes/v1/identity-router.ts`) and the organization the caller belongs to
//! (`GET /api/v1/identities/details`).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::client::{Client, Repeat, encode};
use super::error::Error;

/// A metadata entry of an identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMetadata {
    /// The key (trimmed, not empty).
    pub key: String,
    /// The value (trimmed, not empty).
    pub value: String,
}

/// The identity itself, inside its organization membership.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityCore {
    /// The identity's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The auth methods attached to it (`universal-auth`, `oidc-auth`, …).
    #[serde(default)]
    pub auth_methods: Vec<String>,
    /// Whether deleting it is refused.
    #[serde(default)]
    pub has_delete_protection: Option<bool>,
}

/// A custom organization role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomRole {
    /// The role's slug.
    pub slug: String,
}

/// An identity as `GET /api/v1/identities/:id` answers it: its organization membership.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgIdentity {
    /// The identity.
    pub identity: IdentityCore,
    /// Its organization role (`custom` when a custom role is set).
    pub role: String,
    /// The custom role, if one is set.
    #[serde(default)]
    pub custom_role: Option<CustomRole>,
    /// The organization's id.
    pub org_id: String,
    /// Its metadata.
    #[serde(default)]
    pub metadata: Vec<IdentityMetadata>,
}

impl OrgIdentity {
    /// The role's slug: the custom role's when one is set.
    pub fn role_slug(&self) -> &str {
        self.custom_role
            .as_ref()
            .map_or(self.role.as_str(), |c| c.slug.as_str())
    }
}

/// `POST /api/v1/identities`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateIdentity<'a> {
    /// The name.
    pub name: &'a str,
    /// The organization's id.
    pub organization_id: &'a str,
    /// The organization role's slug.
    pub role: &'a str,
    /// Whether deleting it is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_delete_protection: Option<bool>,
    /// Its metadata.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<IdentityMetadata>,
}

/// `PATCH /api/v1/identities/:id`'s body: only what is given changes; `metadata` is sent whole
/// when given, so an empty list removes it all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateIdentity<'a> {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// A new role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'a str>,
    /// Delete protection on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_delete_protection: Option<bool>,
    /// All the metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<IdentityMetadata>>,
}

/// The caller's organization.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Organization {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its slug.
    pub slug: String,
}

/// The identity calls; from [`Client::identities`].
#[derive(Debug, Clone, Copy)]
pub struct Identities<'c> {
    client: &'c Client,
}

impl Client {
    /// The identity calls.
    pub fn identities(&self) -> Identities<'_> {
        Identities { client: self }
    }
}

#[derive(Deserialize)]
struct Made {
    identity: IdentityCore,
}

#[derive(Deserialize)]
struct Read {
    identity: OrgIdentity,
}

impl Identities<'_> {
    /// `POST /api/v1/identities`: the new identity's id. Not repeated once sent.
    #[instrument(level = "debug", skip_all)]
    pub async fn create(&self, request: &CreateIdentity<'_>) -> Result<IdentityCore, Error> {
        let made: Made = self
            .client
            .request_as(
                Method::POST,
                &["api", "v1", "identities"],
                &[],
                Some(encode(request)?),
                Repeat::Unsafe,
            )
            .await?;
        Ok(made.identity)
    }

    /// `GET /api/v1/identities/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn get(&self, id: &str) -> Result<OrgIdentity, Error> {
        let read: Read = self
            .client
            .request(Method::GET, &["api", "v1", "identities", id], &[], None)
            .await?;
        Ok(read.identity)
    }

    /// `PATCH /api/v1/identities/:id`.
    #[instrument(level = "debug", skip(self, request))]
    pub async fn update(&self, id: &str, request: &UpdateIdentity<'_>) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(
                Method::PATCH,
                &["api", "v1", "identities", id],
                &[],
                Some(encode(request)?),
            )
            .await?;
        Ok(())
    }

    /// `DELETE /api/v1/identities/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(Method::DELETE, &["api", "v1", "identities", id], &[], None)
            .await?;
        Ok(())
    }

    /// `GET /api/v1/identities/details`: the organization of the identity this client logs
    /// in as.
    #[instrument(level = "debug", skip(self))]
    pub async fn details(&self) -> Result<Organization, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Details {
            identity_details: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            organization: Organization,
        }
        let details: Details = self
            .client
            .request(
                Method::GET,
                &["api", "v1", "identities", "details"],
                &[],
                None,
            )
            .await?;
        Ok(details.identity_details.organization)
    }
}
