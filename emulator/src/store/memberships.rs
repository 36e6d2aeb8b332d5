//! Machine identities' memberships of projects (`memberships` of scope `project`, with their
//! `membership_roles`): which identity may do what in which project. A store: plain data.

use serde_json::{Value, json};
use time::OffsetDateTime;

/// A role of a membership: permanent, or temporary until its end.
#[derive(Debug, Clone)]
pub(crate) struct MembershipRole {
    pub(crate) id: String,
    /// The built-in role's slug (`admin`, `member`, `viewer`, `no-access`, …).
    pub(crate) role: String,
    /// `(mode, range, start, end)` of a temporary role.
    pub(crate) temporary: Option<(String, String, OffsetDateTime, OffsetDateTime)>,
}

impl MembershipRole {
    /// Whether the role is in force now: permanent, or temporary and not yet ended (the
    /// permission service looks at the end only).
    pub(crate) fn active(&self, now: OffsetDateTime) -> bool {
        self.temporary
            .as_ref()
            .is_none_or(|(_, _, _, end)| now < *end)
    }

    /// The role as the membership routes answer it (`customRole…` are `null`: the emulator has
    /// no custom roles).
    pub(crate) fn view(&self, with_custom_role_id: bool) -> Value {
        let (mode, range, start, end) = match &self.temporary {
            Some((mode, range, start, end)) => (
                json!(mode),
                json!(range),
                json!(crate::clock::iso(*start)),
                json!(crate::clock::iso(*end)),
            ),
            None => (Value::Null, Value::Null, Value::Null, Value::Null),
        };
        let mut view = json!({
            "id": self.id,
            "role": self.role,
            "customRoleName": null,
            "customRoleSlug": null,
            "isTemporary": self.temporary.is_some(),
            "temporaryMode": mode,
            "temporaryRange": range,
            "temporaryAccessStartTime": start,
            "temporaryAccessEndTime": end,
        });
        if with_custom_role_id && let Some(object) = view.as_object_mut() {
            object.insert("customRoleId".to_owned(), Value::Null);
        }
        view
    }
}

/// A membership of a project.
#[derive(Debug, Clone)]
pub(crate) struct ProjectMembership {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) identity_id: String,
    pub(crate) roles: Vec<MembershipRole>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl ProjectMembership {
    /// `IdentityProjectMembershipsSchema`: what create, `PATCH` and `DELETE` answer.
    pub(crate) fn row(&self) -> Value {
        json!({
            "id": self.id,
            "projectId": self.project_id,
            "identityId": self.identity_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

/// Every project membership, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Memberships(pub(crate) Vec<ProjectMembership>);

impl Memberships {
    /// The identity's membership of the project.
    pub(crate) fn of(&self, project_id: &str, identity_id: &str) -> Option<&ProjectMembership> {
        self.0
            .iter()
            .find(|m| m.project_id == project_id && m.identity_id == identity_id)
    }

    /// The identity's membership of the project, to change.
    pub(crate) fn of_mut(
        &mut self,
        project_id: &str,
        identity_id: &str,
    ) -> Option<&mut ProjectMembership> {
        self.0
            .iter_mut()
            .find(|m| m.project_id == project_id && m.identity_id == identity_id)
    }

    /// A membership by its id.
    pub(crate) fn by_id(&self, id: &str) -> Option<&ProjectMembership> {
        self.0.iter().find(|m| m.id == id)
    }

    /// Removes the identity's membership of the project; it, if it existed.
    pub(crate) fn remove(
        &mut self,
        project_id: &str,
        identity_id: &str,
    ) -> Option<ProjectMembership> {
        let index = self
            .0
            .iter()
            .position(|m| m.project_id == project_id && m.identity_id == identity_id)?;
        Some(self.0.remove(index))
    }

    /// Removes every membership of a project (its deletion takes them).
    pub(crate) fn remove_project(&mut self, project_id: &str) {
        self.0.retain(|m| m.project_id != project_id);
    }

    /// Removes every membership of an identity (its deletion takes them); the projects they
    /// were of.
    pub(crate) fn remove_identity(&mut self, identity_id: &str) -> Vec<String> {
        let projects = self
            .0
            .iter()
            .filter(|m| m.identity_id == identity_id)
            .map(|m| m.project_id.clone())
            .collect();
        self.0.retain(|m| m.identity_id != identity_id);
        projects
    }
}
