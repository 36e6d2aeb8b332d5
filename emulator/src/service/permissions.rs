//! What an identity made through the API may do in a project (`permission-service.ts`'s
//! `getProjectPermission` and `default-roles.ts`' built-in roles): a member's active roles, and
//! what each grants on the subjects the emulator serves. The `Config`'s identity and the declared
//! ones are not restricted (they stand for an organization admin). Simplified: no custom roles,
//! no conditions (environment, path, tags), no additional privileges.

use time::OffsetDateTime;

use crate::error::ApiError;
use crate::state::State;

/// A project permission subject (`ProjectPermissionSub`), as CASL names it in a denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    Secrets,
    SecretFolders,
    Environments,
    Tags,
    SecretSyncs,
    Identity,
    Settings,
    /// The project itself (`ProjectPermissionSub.Project`).
    Workspace,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Self::Secrets => "secrets",
            Self::SecretFolders => "secret-folders",
            Self::Environments => "environments",
            Self::Tags => "tags",
            Self::SecretSyncs => "secret-syncs",
            Self::Identity => "identity",
            Self::Settings => "settings",
            Self::Workspace => "workspace",
        }
    }
}

/// `ProjectMembershipRole`: the built-in project roles. Any other slug names a custom role,
/// which the emulator has none of.
pub(crate) const PROJECT_ROLES: [&str; 7] = [
    "admin",
    "member",
    "viewer",
    "no-access",
    "ssh-host-bootstrapper",
    "cryptographic-operator",
    "custom",
];

/// The four CRUD actions (`ProjectPermissionActions`).
const CRUD: [&str; 4] = ["read", "create", "edit", "delete"];

/// Whether the built-in `role` grants `action` on `subject` (`default-roles.ts`, on the
/// subjects the emulator serves).
fn grants(role: &str, action: &str, subject: Subject) -> bool {
    use Subject::{
        Environments, Identity, SecretFolders, SecretSyncs, Secrets, Settings, Tags, Workspace,
    };
    match role {
        "admin" => true,
        "member" => match subject {
            Secrets => matches!(
                action,
                "describeSecret" | "readValue" | "create" | "edit" | "delete"
            ),
            SecretFolders | Environments | Tags | Settings | Identity => CRUD.contains(&action),
            SecretSyncs => true,
            Workspace => false,
        },
        "viewer" => match subject {
            Secrets => matches!(action, "describeSecret" | "readValue"),
            SecretFolders | Environments | Tags | Settings | Identity | SecretSyncs => {
                action == "read"
            }
            Workspace => false,
        },
        _ => false,
    }
}

/// Whether `identity` is restricted by project memberships: made through the API.
pub(crate) fn restricted(state: &State, identity: &str) -> bool {
    state.identities.get(identity).is_some()
}

/// `getProjectPermission` for a restricted identity: the project (404 "Project with <id> not
/// found"), then its membership (403, `error` "You are not member of this project"). Its active
/// roles.
fn member_roles(state: &State, identity: &str, project_id: &str) -> Result<Vec<String>, ApiError> {
    if !state.projects.contains_key(project_id) {
        return Err(ApiError::not_found(format!(
            "Project with {project_id} not found"
        )));
    }
    let membership = state.memberships.of(project_id, identity).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "You are not member of this project",
            "You are not allowed to access this resource",
        )
    })?;
    let now = OffsetDateTime::now_utc();
    Ok(membership
        .roles
        .iter()
        .filter(|r| r.active(now))
        .map(|r| r.role.clone())
        .collect())
}

/// The identity is a member of the project (for the routes that check nothing more).
pub(crate) fn require_member(
    state: &State,
    identity: &str,
    project_id: &str,
) -> Result<(), ApiError> {
    if restricted(state, identity) {
        member_roles(state, identity, project_id)?;
    }
    Ok(())
}

/// The identity may do `action` on `subject` in the project: `getProjectPermission`, then
/// `throwUnlessCan` (403 `PermissionDenied` "You are not allowed to <action> on <subject>").
pub(crate) fn require(
    state: &State,
    identity: &str,
    project_id: &str,
    action: &str,
    subject: Subject,
) -> Result<(), ApiError> {
    if !restricted(state, identity) {
        return Ok(());
    }
    let roles = member_roles(state, identity, project_id)?;
    if roles.iter().any(|role| grants(role, action, subject)) {
        Ok(())
    } else {
        Err(ApiError::permission_denied(action, subject.name()))
    }
}

/// The project of a folder, if it exists.
pub(crate) fn project_of_folder(state: &State, id: &str) -> Option<String> {
    state.secrets.folder(id).map(|f| f.project_id.clone())
}

/// The project of a secret, if it exists.
pub(crate) fn project_of_secret(state: &State, id: &str) -> Option<String> {
    state
        .secrets
        .secret_by_id(id)
        .map(|(folder, _)| folder.project_id.clone())
}

/// The project of a secret sync, if it exists.
pub(crate) fn project_of_sync(state: &State, id: &str) -> Option<String> {
    state.syncs.syncs.get(id).map(|s| s.project_id.clone())
}

/// The project of a tag, if it exists.
pub(crate) fn project_of_tag(state: &State, id: &str) -> Option<String> {
    state.tags.get(id).map(|t| t.project_id.clone())
}

/// The project of an environment, if it exists.
pub(crate) fn project_of_environment(state: &State, id: &str) -> Option<String> {
    state
        .secrets
        .environment_by_id(id)
        .map(|(project, _)| project.to_owned())
}

/// [`require`] on the project an object belongs to, when the object exists (its route's own
/// 404 answers otherwise).
pub(crate) fn require_on(
    state: &State,
    identity: &str,
    project_id: Option<String>,
    action: &str,
    subject: Subject,
) -> Result<(), ApiError> {
    match project_id {
        Some(project_id) => require(state, identity, &project_id, action, subject),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_roles_grant_what_default_roles_does() {
        assert!(grants("viewer", "readValue", Subject::Secrets));
        assert!(!grants("viewer", "create", Subject::Secrets));
        assert!(!grants("viewer", "sync-secrets", Subject::SecretSyncs));
        assert!(grants("member", "sync-secrets", Subject::SecretSyncs));
        assert!(!grants("member", "delete", Subject::Workspace));
        assert!(grants("admin", "delete", Subject::Workspace));
        assert!(!grants("no-access", "describeSecret", Subject::Secrets));
        assert!(!grants("custom", "read", Subject::Tags));
    }
}
