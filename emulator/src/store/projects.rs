//! The projects of the organization: what `POST /api/v1/projects` stores (or the admin API
//! declares), the identities that are members, and the project object the routes answer with.
//! Their environments, folders and secrets live in [`super::secrets`].

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A project. The admin API declares one with its id (name and slug default to it); the
/// project routes create, change and delete them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// The project id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its slug, unique in the organization.
    pub slug: String,
    /// Its type, e.g. `secret-manager`.
    #[serde(rename = "type")]
    pub project_type: String,
    /// Its description (`projectDescription` on create).
    #[serde(default)]
    pub description: Option<String>,
    /// While set, `DELETE /api/v1/projects/:id` is refused.
    #[serde(default)]
    pub has_delete_protection: bool,
    /// How long its audit logs are kept, once set (`PUT …/audit-logs-retention`).
    #[serde(default)]
    pub audit_logs_retention_days: Option<i64>,
    /// The machine identities that are its members (the one that created it, as the server
    /// makes it admin). A project declared through the admin API has none.
    #[serde(default)]
    pub members: Vec<String>,
    /// `createdAt`, as `Date.toISOString()` writes it.
    #[serde(default)]
    pub created_at: String,
    /// `updatedAt`.
    #[serde(default)]
    pub updated_at: String,
}

impl Project {
    /// A secret-manager project whose name and slug are its id.
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        let now = crate::clock::now_iso();
        Self {
            name: id.clone(),
            slug: id.clone(),
            project_type: "secret-manager".to_owned(),
            id,
            description: None,
            has_delete_protection: false,
            audit_logs_retention_days: None,
            members: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        }
    }

    /// The `project` object of a connection answer.
    pub(crate) fn summary(&self) -> Value {
        json!({ "name": self.name, "id": self.id, "type": self.project_type, "slug": self.slug })
    }

    /// `SanitizedProjectSchema` (`sanitizedSchemas.ts`): the columns the routes let out, with
    /// the defaults `createProject` writes (`version: 3`, `pitVersionLimit: 10`).
    pub(crate) fn sanitized(&self, org_id: &str) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "type": self.project_type,
            "defaultProduct": null,
            "slug": self.slug,
            "autoCapitalization": false,
            "orgId": org_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "version": 3,
            "upgradeStatus": null,
            "pitVersionLimit": 10,
            "kmsCertificateKeyId": null,
            "auditLogsRetentionDays": self.audit_logs_retention_days,
            "hasDeleteProtection": self.has_delete_protection,
            "secretSharing": true,
            "showSnapshotsLegacy": false,
            "secretDetectionIgnoreValues": null,
        })
    }

    /// Whether `identity` may list it: a member, or anyone for a project declared without
    /// members.
    pub(crate) fn lists_for(&self, identity: &str) -> bool {
        self.members.is_empty() || self.members.iter().any(|m| m == identity)
    }
}
