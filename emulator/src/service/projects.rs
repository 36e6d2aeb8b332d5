//! Projects (`services/project/project-service.ts`): create with the default environments and
//! the creator as member, list, get by id or slug, `PATCH`, and delete with the server's cascade
//! (environments, folders, secrets, syncs). Each check in the server's order and words.

use rand::Rng;
use serde_json::{Value, json};

use crate::clock::now_iso;
use crate::error::ApiError;
use crate::schema::project::{CreateProjectInput, DEFAULT_TEMPLATE, UpdateProjectInput};
use crate::state::State;
use crate::store::projects::Project;

/// `DEFAULT_PROJECT_ENVS`, created at positions 1–3.
const DEFAULT_ENVIRONMENTS: [(&str, &str); 3] = [
    ("dev", "Development"),
    ("staging", "Staging"),
    ("prod", "Production"),
];

/// A project as the routes with environments answer it (`projectWithEnv`): the sanitized
/// columns, `_id`, and `environments: [{name, slug, id}]` by position.
pub(crate) fn project_view(state: &State, org_id: &str, project: &Project) -> Value {
    let mut view = project.sanitized(org_id);
    let environments: Vec<Value> = state
        .secrets
        .environments(&project.id)
        .into_iter()
        .map(|e| json!({ "name": e.name, "slug": e.slug, "id": e.id }))
        .collect();
    if let Some(object) = view.as_object_mut() {
        object.insert("_id".to_owned(), json!(project.id));
        object.insert("environments".to_owned(), json!(environments));
    }
    view
}

/// `findProjectById`'s 404.
pub(crate) fn find_project<'s>(state: &'s State, id: &str) -> Result<&'s Project, ApiError> {
    state
        .projects
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("Project with ID '{id}' not found")))
}

/// What `@sindresorhus/slugify` makes of a name: camel case split, lower case, every run of
/// other characters one `-`, none at the ends. (Letters outside ASCII are dropped rather than
/// transliterated.)
pub(crate) fn slugify(text: &str) -> String {
    let mut words = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            words.push(' ');
        }
        words.push(c);
        previous = Some(c);
    }
    words
        .to_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// `alphaNumericNanoId(4)`, in lower case.
fn nano_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn slug_taken(state: &State, slug: &str, except: Option<&str>) -> bool {
    state
        .projects
        .values()
        .any(|p| p.slug == slug && Some(p.id.as_str()) != except)
}

/// `createProject`: the template, the slug (given, or the name's with four random characters),
/// its uniqueness, the project with its creator as member, and the default environments with
/// their root folders.
pub(crate) fn create_project(
    state: &mut State,
    org_id: &str,
    identity: &str,
    input: CreateProjectInput,
) -> Result<Value, ApiError> {
    if input.template != DEFAULT_TEMPLATE {
        return Err(ApiError::not_found(format!(
            "Project template with name '{}' not found",
            input.template
        )));
    }
    let slug = input
        .slug
        .unwrap_or_else(|| slugify(&format!("{}-{}", input.name, nano_id())));
    if slug_taken(state, &slug, None) {
        return Err(ApiError::bad_request(format!(
            "A project with the slug \"{slug}\" already exists in your organization. Please \
             choose a different name or slug."
        )));
    }
    let project = Project {
        name: input.name,
        slug,
        project_type: input.project_type,
        description: input.description,
        has_delete_protection: input.has_delete_protection,
        members: vec![identity.to_owned()],
        ..Project::new(uuid::Uuid::new_v4().to_string())
    };
    if input.create_default_envs {
        for (position, (slug, name)) in (1..).zip(DEFAULT_ENVIRONMENTS) {
            state
                .secrets
                .create_environment(&project.id, slug, name, Some(f64::from(position)));
        }
    }
    let view = project_view(state, org_id, &project);
    state.projects.insert(project.id.clone(), project);
    Ok(view)
}

/// `getProjects` for a machine identity: the projects it is a member of (and those declared
/// without members), oldest first.
pub(crate) fn list_projects(state: &State, org_id: &str, identity: &str) -> Vec<Value> {
    let mut projects: Vec<&Project> = state
        .projects
        .values()
        .filter(|p| p.lists_for(identity))
        .collect();
    projects.sort_by(|a, b| (&a.created_at, &a.name).cmp(&(&b.created_at, &b.name)));
    projects
        .into_iter()
        .map(|p| project_view(state, org_id, p))
        .collect()
}

/// `getAProject` by id.
pub(crate) fn get_project(state: &State, org_id: &str, id: &str) -> Result<Value, ApiError> {
    Ok(project_view(state, org_id, find_project(state, id)?))
}

/// `findProjectBySlug`'s 404.
pub(crate) fn find_project_by_slug<'s>(
    state: &'s State,
    slug: &str,
) -> Result<&'s Project, ApiError> {
    state
        .projects
        .values()
        .find(|p| p.slug == slug)
        .ok_or_else(|| ApiError::not_found(format!("Project with slug '{slug}' not found")))
}

/// `getAProject` by slug.
pub(crate) fn get_project_by_slug(
    state: &State,
    org_id: &str,
    slug: &str,
) -> Result<Value, ApiError> {
    Ok(project_view(
        state,
        org_id,
        find_project_by_slug(state, slug)?,
    ))
}

/// `extractProjectIdFromSlug`, how the deprecated routes name a project: the id when there is
/// one (unchecked: the service that follows answers its 404), else the slug's project.
pub(crate) fn extract_project_id(
    state: &State,
    id: Option<String>,
    slug: Option<&str>,
) -> Result<String, ApiError> {
    if let Some(id) = id {
        return Ok(id);
    }
    let Some(slug) = slug else {
        return Err(ApiError::bad_request(
            "You must provide projectSlug or workspaceId",
        ));
    };
    Ok(find_project_by_slug(state, slug)?.id.clone())
}

/// `updateProject`: the project (404), then the write, whose unique slug the database checks.
pub(crate) fn update_project(
    state: &mut State,
    org_id: &str,
    id: &str,
    input: UpdateProjectInput,
) -> Result<Value, ApiError> {
    find_project(state, id)?;
    if let Some(slug) = &input.slug
        && slug_taken(state, slug, Some(id))
    {
        return Err(ApiError::bad_request(format!(
            "Failed to update project. A project with the slug \"{slug}\" already exists in \
             your organization. Please choose a different slug."
        )));
    }
    let project = state
        .projects
        .get_mut(id)
        .ok_or_else(|| ApiError::internal("the project vanished during its update"))?;
    if let Some(name) = input.name {
        project.name = name;
    }
    if let Some(description) = input.description {
        project.description = Some(description);
    }
    if let Some(slug) = input.slug {
        project.slug = slug;
    }
    if let Some(protection) = input.has_delete_protection {
        project.has_delete_protection = protection;
    }
    project.updated_at = now_iso();
    Ok(project.sanitized(org_id))
}

/// The longest audit-log retention the emulator's license plan allows, in days.
pub(crate) const PLAN_AUDIT_LOGS_RETENTION_DAYS: f64 = 90.0;

/// `updateAuditLogsRetention` (`project-service.ts`): the project (404), then the license
/// plan's limit (400), then the write.
pub(crate) fn update_audit_logs_retention(
    state: &mut State,
    org_id: &str,
    id: &str,
    days: f64,
) -> Result<Value, ApiError> {
    find_project(state, id)?;
    if days > PLAN_AUDIT_LOGS_RETENTION_DAYS {
        return Err(ApiError::bad_request(
            "Failed to update audit logs retention due to plan limit reached. Upgrade plan to \
             increase.",
        ));
    }
    let project = state
        .projects
        .get_mut(id)
        .ok_or_else(|| ApiError::internal("the project vanished during its update"))?;
    // An integer column: Postgres rounds a fraction on write.
    project.audit_logs_retention_days = Some(days.round() as i64);
    project.updated_at = now_iso();
    Ok(project.sanitized(org_id))
}

/// `deleteProject`: the project (404), its delete protection (403), then the row, whose
/// foreign keys take its environments, folders, secrets and secret syncs with it.
pub(crate) fn delete_project(state: &mut State, org_id: &str, id: &str) -> Result<Value, ApiError> {
    if find_project(state, id)?.has_delete_protection {
        return Err(ApiError::forbidden("Project delete protection is enabled"));
    }
    state.secrets.delete_project(id);
    state.tags.remove_project(id);
    state.approvals.policies.retain(|p| p.project_id != id);
    let syncs: Vec<String> = state
        .syncs
        .syncs
        .values()
        .filter(|s| s.project_id == id)
        .map(|s| s.id.clone())
        .collect();
    for sync in syncs {
        state.syncs.remove(&sync);
    }
    let project = state
        .projects
        .remove(id)
        .ok_or_else(|| ApiError::internal("the project vanished during its deletion"))?;
    Ok(project.sanitized(org_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_splits_camel_case_and_joins_words_with_hyphens() {
        assert_eq!(slugify("My App-x1y2"), "my-app-x1y2");
        assert_eq!(slugify("fooBar  baz!"), "foo-bar-baz");
        assert_eq!(slugify("--A--"), "a");
    }
}
