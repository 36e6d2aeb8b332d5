//! Machine identities' memberships of projects, with their roles:
//! `/api/v1/projects/:projectId/memberships/identities/:identityId` (the official provider uses
//! the deprecated `/api/v2/workspace/:projectId/identity-memberships`).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::client::{Client, Repeat, encode};
use super::error::Error;

/// A role of a membership, as the routes answer it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipRole {
    /// The role assignment's id.
    pub id: String,
    /// The built-in role's slug, or `custom`.
    pub role: String,
    /// The custom role's id, when `role` is `custom`.
    #[serde(default)]
    pub custom_role_id: Option<String>,
    /// The custom role's slug, when `role` is `custom`.
    #[serde(default)]
    pub custom_role_slug: Option<String>,
    /// Whether the role is temporary.
    #[serde(default)]
    pub is_temporary: bool,
    /// `relative`, for a temporary role.
    #[serde(default)]
    pub temporary_mode: Option<String>,
    /// How long, e.g. `1h`.
    #[serde(default)]
    pub temporary_range: Option<String>,
    /// When it starts (RFC 3339).
    #[serde(default)]
    pub temporary_access_start_time: Option<String>,
    /// When it ends (RFC 3339).
    #[serde(default)]
    pub temporary_access_end_time: Option<String>,
}

impl MembershipRole {
    /// The slug a configuration names the role by: the custom role's, or the built-in one's.
    pub fn slug(&self) -> &str {
        match &self.custom_role_slug {
            Some(slug) if self.role == "custom" => slug,
            _ => &self.role,
        }
    }
}

/// The identity of a membership.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberIdentity {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its auth methods.
    #[serde(default)]
    pub auth_methods: Vec<String>,
}

/// A membership of a project.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The membership's id.
    pub id: String,
    /// The identity's id.
    pub identity_id: String,
    /// Its roles.
    #[serde(default)]
    pub roles: Vec<MembershipRole>,
    /// The identity, where the answer has it.
    #[serde(default)]
    pub identity: Option<MemberIdentity>,
}

/// A role as the routes take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRequest {
    /// The role's slug (built-in or custom).
    pub role: String,
    /// Whether it is temporary.
    pub is_temporary: bool,
    /// `relative`, for a temporary role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_mode: Option<String>,
    /// How long, for a temporary role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_range: Option<String>,
    /// When it starts, for a temporary role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_access_start_time: Option<String>,
}

#[derive(Serialize)]
struct Roles<'a> {
    roles: &'a [RoleRequest],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct One {
    identity_membership: Membership,
}

/// The membership calls; from [`Client::memberships`].
#[derive(Debug, Clone, Copy)]
pub struct Memberships<'c> {
    client: &'c Client,
}

impl Client {
    /// The identity membership calls.
    pub fn memberships(&self) -> Memberships<'_> {
        Memberships { client: self }
    }
}

fn path<'a>(project_id: &'a str, identity_id: &'a str) -> [&'a str; 7] {
    [
        "api",
        "v1",
        "projects",
        project_id,
        "memberships",
        "identities",
        identity_id,
    ]
}

impl Memberships<'_> {
    /// `POST …/memberships/identities/:identityId`: adds the identity with `roles`.
    #[instrument(level = "debug", skip(self, roles))]
    pub async fn add(
        &self,
        project_id: &str,
        identity_id: &str,
        roles: &[RoleRequest],
    ) -> Result<Membership, Error> {
        let one: One = self
            .client
            .request_as(
                Method::POST,
                &path(project_id, identity_id),
                &[],
                Some(encode(&Roles { roles })?),
                Repeat::Unsafe,
            )
            .await?;
        Ok(one.identity_membership)
    }

    /// `GET …/memberships/identities/:identityId`.
    #[instrument(level = "debug", skip(self))]
    pub async fn get(&self, project_id: &str, identity_id: &str) -> Result<Membership, Error> {
        let one: One = self
            .client
            .request(Method::GET, &path(project_id, identity_id), &[], None)
            .await?;
        Ok(one.identity_membership)
    }

    /// `PATCH …/memberships/identities/:identityId`: replaces the roles.
    #[instrument(level = "debug", skip(self, roles))]
    pub async fn set_roles(
        &self,
        project_id: &str,
        identity_id: &str,
        roles: &[RoleRequest],
    ) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(
                Method::PATCH,
                &path(project_id, identity_id),
                &[],
                Some(encode(&Roles { roles })?),
            )
            .await?;
        Ok(())
    }

    /// `DELETE …/memberships/identities/:identityId`.
    #[instrument(level = "debug", skip(self))]
    pub async fn remove(&self, project_id: &str, identity_id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(Method::DELETE, &path(project_id, identity_id), &[], None)
            .await?;
        Ok(())
    }
}
