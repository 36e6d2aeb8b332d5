//! Machine identities (`services/identity/identity-service.ts`, v1): create with an organization
//! role and metadata, get (the organization membership, with the identity inside), list,
//! `PATCH`, delete (refused under delete protection; its tokens, auth methods and project
//! memberships go with it), and the caller's organization (`GET /api/v1/identities/details`).
//! Each check in the server's order and words.

use serde_json::{Value, json};

use crate::clock::now_iso;
use crate::error::ApiError;
use crate::schema::identity::{CreateIdentityInput, UpdateIdentityInput};
use crate::state::State;
use crate::store::identities::{Identity, Metadata, UNIVERSAL_AUTH};

/// The organization's name and slug as `GET /api/v1/identities/details` answers them (the
/// emulator's organization has no other).
pub(crate) const ORGANIZATION_NAME: &str = "Infisical Emulator";
/// The organization's slug.
pub(crate) const ORGANIZATION_SLUG: &str = "infisical-emulator";

/// `OrgMembershipRole`: the built-in organization roles. Any other slug names a custom role,
/// which the emulator has none of.
const ORG_ROLES: [&str; 4] = ["admin", "member", "no-access", "custom"];

/// `getOrgPermissionByRoles`: a built-in role, or the 404 for a custom role the organization
/// does not have.
fn check_org_role(role: &str, org_id: &str) -> Result<(), ApiError> {
    if ORG_ROLES.contains(&role) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Specified roles '{role}' was not found in the organization with ID '{org_id}'"
        )))
    }
}

/// `getOrgPermission`'s refusal of an organization other than the caller's.
fn foreign_organization() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "You are not allowed to access organization resource",
        "You are not allowed to access this resource",
    )
}

/// The identity service's 404 (lower-case `id`, unquoted).
fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Failed to find identity with id {id}"))
}

fn metadata_rows(pairs: Vec<(String, String)>) -> Vec<Metadata> {
    pairs
        .into_iter()
        .map(|(key, value)| Metadata {
            id: uuid::Uuid::new_v4().to_string(),
            key,
            value,
        })
        .collect()
}

/// Whether a universal-auth lockout of the identity is in force.
fn locked_methods(state: &State, id: &str) -> Vec<&'static str> {
    let now = std::time::Instant::now();
    let locked = state
        .identities
        .lockouts
        .iter()
        .any(|((identity, _), l)| identity == id && l.locked_out && l.until > now);
    if locked { vec![UNIVERSAL_AUTH] } else { vec![] }
}

/// The organization membership as `GET /api/v1/identities/:id` answers it (`list`: as the list
/// does, without metadata and lockouts).
fn membership_view(state: &State, identity: &Identity, list: bool) -> Value {
    let methods = state.identities.auth_methods(&identity.id);
    let (login_method, login_time) = identity
        .last_login
        .clone()
        .map_or((None, None), |(m, t)| (Some(m), Some(t)));
    let mut view = json!({
        "id": identity.membership_id,
        "role": identity.role,
        "roleId": null,
        "orgId": identity.org_id,
        "createdAt": identity.membership_created_at,
        "updatedAt": identity.membership_updated_at,
        "identityId": identity.id,
        "lastLoginAuthMethod": login_method,
        "lastLoginTime": login_time,
    });
    let inner = if list {
        json!({
            "name": identity.name,
            "id": identity.id,
            "hasDeleteProtection": identity.has_delete_protection,
            "authMethods": methods,
        })
    } else {
        json!({
            "name": identity.name,
            "id": identity.id,
            "hasDeleteProtection": identity.has_delete_protection,
            "orgId": identity.org_id,
            "authMethods": methods,
            "activeLockoutAuthMethods": locked_methods(state, &identity.id),
        })
    };
    if let Some(object) = view.as_object_mut() {
        if !list {
            object.insert("metadata".to_owned(), json!(identity.metadata_view()));
        }
        object.insert("identity".to_owned(), inner);
    }
    view
}

/// `createIdentity`: the organization (the caller's), the role, then the identity with its
/// organization membership and metadata.
pub(crate) fn create_identity(
    state: &mut State,
    org_id: &str,
    input: CreateIdentityInput,
) -> Result<Value, ApiError> {
    if input.organization_id != org_id {
        return Err(foreign_organization());
    }
    check_org_role(&input.role, org_id)?;
    let now = now_iso();
    let identity = Identity {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name,
        org_id: org_id.to_owned(),
        has_delete_protection: input.has_delete_protection,
        metadata: metadata_rows(input.metadata.unwrap_or_default()),
        created_at: now.clone(),
        updated_at: now.clone(),
        membership_id: uuid::Uuid::new_v4().to_string(),
        role: input.role,
        membership_created_at: now.clone(),
        membership_updated_at: now,
        last_login: None,
    };
    let mut view = identity.row();
    if let Some(object) = view.as_object_mut() {
        object.insert("authMethods".to_owned(), json!([]));
        object.insert("metadata".to_owned(), json!(identity.metadata_view()));
    }
    state.identities.identities.push(identity);
    Ok(json!({ "identity": view }))
}

/// `updateIdentity`: the identity (404), the role, then the write. Name and delete protection
/// are written only when `name || hasDeleteProtection` is truthy (so `hasDeleteProtection:
/// false` alone changes nothing); metadata sent replaces the identity's whole, and the answer
/// carries what was inserted (`[]` when none was sent).
pub(crate) fn update_identity(
    state: &mut State,
    org_id: &str,
    id: &str,
    input: UpdateIdentityInput,
) -> Result<Value, ApiError> {
    if state.identities.get(id).is_none() {
        return Err(not_found(id));
    }
    if let Some(role) = &input.role {
        check_org_role(role, org_id)?;
    }
    let identity = state
        .identities
        .get_mut(id)
        .ok_or_else(|| ApiError::internal("the identity vanished during its update"))?;
    let now = now_iso();
    let truthy = input.name.as_deref().is_some_and(|n| !n.is_empty())
        || input.has_delete_protection == Some(true);
    if truthy {
        if let Some(name) = input.name {
            identity.name = name;
        }
        if let Some(protection) = input.has_delete_protection {
            identity.has_delete_protection = protection;
        }
        identity.updated_at.clone_from(&now);
    }
    if let Some(role) = input.role {
        identity.role = role;
        identity.membership_updated_at = now;
    }
    let inserted = match input.metadata {
        Some(pairs) => {
            identity.metadata = metadata_rows(pairs);
            identity.metadata_view()
        }
        None => Vec::new(),
    };
    let mut view = identity.row();
    if let Some(object) = view.as_object_mut() {
        object.insert("metadata".to_owned(), json!(inserted));
    }
    Ok(json!({ "identity": view }))
}

/// `getIdentityById`: the organization membership with the identity inside.
pub(crate) fn get_identity(state: &State, id: &str) -> Result<Value, ApiError> {
    let identity = state.identities.get(id).ok_or_else(|| not_found(id))?;
    Ok(json!({ "identity": membership_view(state, identity, false) }))
}

/// `listOrgIdentities`: the identities of `org_id` (none for another organization), by name.
pub(crate) fn list_identities(state: &State, org_id: &str) -> Value {
    let mut identities: Vec<&Identity> = state
        .identities
        .identities
        .iter()
        .filter(|i| i.org_id == org_id)
        .collect();
    identities.sort_by(|a, b| a.name.cmp(&b.name));
    let views: Vec<Value> = identities
        .into_iter()
        .map(|i| membership_view(state, i, true))
        .collect();
    json!({ "totalCount": views.len(), "identities": views })
}

/// `deleteIdentity`: the identity (404), its delete protection (400), then the row, whose
/// foreign keys take its auth methods, client secrets, access tokens and project memberships.
pub(crate) fn delete_identity(state: &mut State, id: &str) -> Result<Value, ApiError> {
    let identity = state.identities.get(id).ok_or_else(|| not_found(id))?;
    if identity.has_delete_protection {
        return Err(ApiError::bad_request("Identity has delete protection"));
    }
    let identity = state
        .identities
        .remove(id)
        .ok_or_else(|| ApiError::internal("the identity vanished during its deletion"))?;
    for token in state.tokens.issued.values_mut() {
        if token.identity == id {
            token.revoked = true;
        }
    }
    Ok(json!({ "identity": identity.row() }))
}

/// `findIdentityOrganization`: the caller's organization.
pub(crate) fn identity_details(org_id: &str) -> Value {
    json!({
        "identityDetails": {
            "organization": { "id": org_id, "name": ORGANIZATION_NAME, "slug": ORGANIZATION_SLUG }
        }
    })
}
