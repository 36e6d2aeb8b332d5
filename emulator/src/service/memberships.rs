//! Machine identities' project memberships (`services/membership-identity/membership-identity-service.ts`
//! with its project factory): create, get, list, `PATCH` (the roles replaced) and delete, and
//! the deprecated get by membership id — each check in the server's order and words. The
//! identity that creates a project is made its admin by [`super::projects::create_project`].

use serde_json::{Value, json};

use super::permissions::{PROJECT_ROLES, Subject, require};
use crate::clock::{now_iso, parse_zod_datetime};
use crate::error::ApiError;
use crate::schema::membership::{RoleInput, ms};
use crate::state::{Settings, State};
use crate::store::memberships::{MembershipRole, ProjectMembership};

/// `getProjectPermission`'s 404, for any caller.
fn project_exists(state: &State, project_id: &str) -> Result<(), ApiError> {
    if state.projects.contains_key(project_id) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Project with {project_id} not found"
        )))
    }
}

/// Whether `identity` is a member of the organization: made through the API, or one of the
/// emulator's own (the `Config`'s, or declared for a login).
fn in_organization(state: &State, settings: &Settings, identity: &str) -> bool {
    state.identities.get(identity).is_some()
        || identity == settings.client_id
        || state.tokens.oidc.contains_key(identity)
        || state.tokens.kubernetes.contains_key(identity)
        || state.tokens.aws.contains_key(identity)
}

/// `getProjectPermissionByRoles`: the 404 naming the roles that are not built in.
fn check_roles(roles: &[RoleInput], project_id: &str) -> Result<(), ApiError> {
    let missing: Vec<&str> = roles
        .iter()
        .map(|r| r.role.as_str())
        .filter(|r| !PROJECT_ROLES.contains(r))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Specified roles '{}' was not found in the project with ID '{project_id}'",
            missing.join(",")
        )))
    }
}

fn require_permanent(roles: &[RoleInput]) -> Result<(), ApiError> {
    if roles.iter().all(|r| r.temporary.is_some()) {
        return Err(ApiError::bad_request(
            "Identity must have at least one permanent role",
        ));
    }
    Ok(())
}

/// The stored roles: a temporary one ends `ms(range)` after its start.
fn stored_roles(roles: Vec<RoleInput>) -> Vec<MembershipRole> {
    roles
        .into_iter()
        .map(|r| MembershipRole {
            id: uuid::Uuid::new_v4().to_string(),
            role: r.role,
            temporary: r.temporary.and_then(|(mode, range, start)| {
                let start = parse_zod_datetime(&start)?;
                let millis = ms(&range)?;
                let end = start + time::Duration::milliseconds(millis as i64);
                Some((mode, range, start, end))
            }),
        })
        .collect()
}

/// The server's answer when the identity to change does not exist (`identityDAL.findById`
/// answers nothing, and reading its `projectId` throws).
fn vanished() -> ApiError {
    ApiError::internal("Something went wrong")
}

/// `createMembership`: a permanent role (400), the caller's project permission, the identity's
/// organization membership (400), the roles (404), not yet a member (400), then the membership.
pub(crate) fn create(
    state: &mut State,
    settings: &Settings,
    actor: &str,
    project_id: &str,
    identity_id: &str,
    roles: Vec<RoleInput>,
) -> Result<Value, ApiError> {
    require_permanent(&roles)?;
    project_exists(state, project_id)?;
    require(state, actor, project_id, "create", Subject::Identity)?;
    if !in_organization(state, settings, identity_id) {
        return Err(ApiError::bad_request(format!(
            "Identity {identity_id} is missing organization membership"
        )));
    }
    check_roles(&roles, project_id)?;
    if state.memberships.of(project_id, identity_id).is_some() {
        return Err(ApiError::bad_request("Identity is already a member"));
    }
    let now = now_iso();
    let membership = ProjectMembership {
        id: uuid::Uuid::new_v4().to_string(),
        project_id: project_id.to_owned(),
        identity_id: identity_id.to_owned(),
        roles: stored_roles(roles),
        created_at: now.clone(),
        updated_at: now,
    };
    let row = membership.row();
    state.memberships.0.push(membership);
    if let Some(project) = state.projects.get_mut(project_id)
        && !project.members.iter().any(|m| m == identity_id)
    {
        project.members.push(identity_id.to_owned());
    }
    Ok(json!({ "identityMembership": row }))
}

/// `updateMembership`: the caller's project permission, the identity, the roles (404), a
/// permanent role (400), the membership (400), then the roles replaced (the membership row
/// itself is unchanged).
pub(crate) fn update(
    state: &mut State,
    settings: &Settings,
    actor: &str,
    project_id: &str,
    identity_id: &str,
    roles: Vec<RoleInput>,
) -> Result<Value, ApiError> {
    project_exists(state, project_id)?;
    require(state, actor, project_id, "edit", Subject::Identity)?;
    if !in_organization(state, settings, identity_id) {
        return Err(vanished());
    }
    let granted: Vec<RoleInput> = roles
        .iter()
        .filter(|r| r.role != "no-access")
        .cloned()
        .collect();
    check_roles(&granted, project_id)?;
    require_permanent(&roles)?;
    let membership = state
        .memberships
        .of_mut(project_id, identity_id)
        .ok_or_else(|| ApiError::bad_request("Identity doesn't have membership"))?;
    membership.roles = stored_roles(roles);
    Ok(json!({ "identityMembership": membership.row() }))
}

/// `deleteMembership`: the caller's project permission, the identity, the membership (400), not
/// the caller's own (400), then the row.
pub(crate) fn delete(
    state: &mut State,
    settings: &Settings,
    actor: &str,
    project_id: &str,
    identity_id: &str,
) -> Result<Value, ApiError> {
    project_exists(state, project_id)?;
    require(state, actor, project_id, "delete", Subject::Identity)?;
    if !in_organization(state, settings, identity_id) {
        return Err(vanished());
    }
    if state.memberships.of(project_id, identity_id).is_none() {
        return Err(ApiError::bad_request("Identity doesn't have membership"));
    }
    if identity_id == actor {
        return Err(ApiError::bad_request(
            "You can't delete your own membership",
        ));
    }
    let membership = state
        .memberships
        .remove(project_id, identity_id)
        .ok_or_else(|| ApiError::internal("the membership vanished during its deletion"))?;
    if let Some(project) = state.projects.get_mut(project_id) {
        project.members.retain(|m| m != identity_id);
    }
    Ok(json!({ "identityMembership": membership.row() }))
}

/// The identity as a membership answer carries it.
fn identity_view(state: &State, org_id: &str, identity: &str, full: bool) -> Value {
    let stored = state.identities.get(identity);
    let name = stored.map_or(identity, |i| i.name.as_str());
    let methods = if stored.is_some() {
        state.identities.auth_methods(identity)
    } else {
        Vec::new()
    };
    if full {
        json!({
            "name": name,
            "id": identity,
            "orgId": org_id,
            "projectId": null,
            "authMethods": methods,
            "metadata": stored.map(|i| i.metadata_view()).unwrap_or_default(),
        })
    } else {
        json!({ "name": name, "id": identity, "orgId": org_id, "projectId": null })
    }
}

fn role_views(membership: &ProjectMembership, with_custom_role_id: bool) -> Vec<Value> {
    membership
        .roles
        .iter()
        .map(|r| r.view(with_custom_role_id))
        .collect()
}

/// `getMembershipByIdentityId`: the caller's project permission, then the membership (404),
/// answered without its `identityId` (the route's schema has none) and with the identity.
pub(crate) fn get(
    state: &State,
    org_id: &str,
    actor: &str,
    project_id: &str,
    identity_id: &str,
) -> Result<Value, ApiError> {
    project_exists(state, project_id)?;
    require(state, actor, project_id, "read", Subject::Identity)?;
    let membership = state
        .memberships
        .of(project_id, identity_id)
        .ok_or_else(|| ApiError::not_found("Identity membership not found"))?;
    let last_login = state
        .identities
        .get(identity_id)
        .and_then(|i| i.last_login.clone());
    Ok(json!({
        "identityMembership": {
            "id": membership.id,
            "createdAt": membership.created_at,
            "updatedAt": membership.updated_at,
            "roles": role_views(membership, false),
            "lastLoginAuthMethod": last_login.as_ref().map(|(m, _)| *m),
            "lastLoginTime": last_login.map(|(_, t)| t),
            "identity": identity_view(state, org_id, identity_id, true),
        }
    }))
}

/// `listMemberships`: the project's identity memberships, oldest first.
pub(crate) fn list(
    state: &State,
    org_id: &str,
    actor: &str,
    project_id: &str,
) -> Result<Value, ApiError> {
    project_exists(state, project_id)?;
    require(state, actor, project_id, "read", Subject::Identity)?;
    let memberships: Vec<Value> = state
        .memberships
        .0
        .iter()
        .filter(|m| m.project_id == project_id)
        .map(|m| {
            json!({
                "id": m.id,
                "identityId": m.identity_id,
                "createdAt": m.created_at,
                "updatedAt": m.updated_at,
                "roles": role_views(m, false),
                "identity": identity_view(state, org_id, &m.identity_id, false),
            })
        })
        .collect();
    Ok(json!({ "totalCount": memberships.len(), "identityMemberships": memberships }))
}

/// The deprecated `getProjectIdentityByMembershipId`: the membership (404), the caller's
/// permission on its project, then the membership with its project.
pub(crate) fn get_by_membership_id(
    state: &State,
    actor: &str,
    membership_id: &str,
) -> Result<Value, ApiError> {
    let membership = state.memberships.by_id(membership_id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Project membership with ID '{membership_id}' not found"
        ))
    })?;
    require(
        state,
        actor,
        &membership.project_id,
        "read",
        Subject::Identity,
    )?;
    let identity = &membership.identity_id;
    let stored = state.identities.get(identity);
    let project = state.projects.get(&membership.project_id);
    Ok(json!({
        "identityMembership": {
            "id": membership.id,
            "identityId": identity,
            "createdAt": membership.created_at,
            "updatedAt": membership.updated_at,
            "roles": role_views(membership, true),
            "identity": {
                "name": stored.map_or(identity.as_str(), |i| i.name.as_str()),
                "id": identity,
                "authMethods": if stored.is_some() {
                    state.identities.auth_methods(identity)
                } else {
                    Vec::new()
                },
            },
            "project": {
                "name": project.map(|p| p.name.clone()),
                "id": membership.project_id,
            },
        }
    }))
}

/// The membership the creator of a project gets: admin.
pub(crate) fn add_creator(state: &mut State, project_id: &str, identity: &str) {
    let now = now_iso();
    state.memberships.0.push(ProjectMembership {
        id: uuid::Uuid::new_v4().to_string(),
        project_id: project_id.to_owned(),
        identity_id: identity.to_owned(),
        roles: vec![MembershipRole {
            id: uuid::Uuid::new_v4().to_string(),
            role: "admin".to_owned(),
            temporary: None,
        }],
        created_at: now.clone(),
        updated_at: now,
    });
}

/// Whether a temporary role has ended (for tests of the store's rule).
#[cfg(test)]
fn ended(role: &MembershipRole) -> bool {
    !role.active(time::OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_role_ends_its_range_after_its_start() {
        let roles = stored_roles(vec![
            RoleInput {
                role: "viewer".to_owned(),
                temporary: Some((
                    "relative".to_owned(),
                    "1h".to_owned(),
                    "2020-01-01T00:00:00Z".to_owned(),
                )),
            },
            RoleInput {
                role: "member".to_owned(),
                temporary: None,
            },
        ]);
        assert!(ended(&roles[0]));
        assert!(!ended(&roles[1]));
        assert_eq!(
            roles[0].view(false)["temporaryAccessEndTime"],
            "2020-01-01T01:00:00.000Z"
        );
    }
}
