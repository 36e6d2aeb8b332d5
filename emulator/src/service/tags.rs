//! Secret tags (`services/secret-tag/secret-tag-service.ts`): list, get by id or slug, create,
//! `PATCH` and delete (the secrets that carried a tag lose it), each check in the server's order
//! and words.

use serde_json::{Value, json};

use super::projects::find_project;
use crate::clock::now_iso;
use crate::error::ApiError;
use crate::schema::tag::TagInput;
use crate::state::State;
use crate::store::tags::Tag;

const NO_TAG: &str = "Tag doesn't exist";
const TAKEN: &str = "Tag already exist";

/// `getProjectTags`: the project's tags, oldest first.
pub(crate) fn list_tags(state: &State, project_id: &str) -> Result<Value, ApiError> {
    find_project(state, project_id)?;
    let tags: Vec<Value> = state
        .tags
        .of_project(project_id)
        .into_iter()
        .map(Tag::view)
        .collect();
    Ok(json!({ "tags": tags }))
}

/// `getTagById`: found by id whatever the project in the path.
pub(crate) fn get_tag(state: &State, id: &str) -> Result<Value, ApiError> {
    let tag = state
        .tags
        .get(id)
        .ok_or_else(|| ApiError::not_found(NO_TAG))?;
    Ok(json!({ "tag": tag.view() }))
}

/// `getTagBySlug`: the project's tag of that slug.
pub(crate) fn get_tag_by_slug(
    state: &State,
    project_id: &str,
    slug: &str,
) -> Result<Value, ApiError> {
    let tag = state
        .tags
        .by_slug(project_id, slug)
        .ok_or_else(|| ApiError::not_found(NO_TAG))?;
    Ok(json!({ "tag": tag.view() }))
}

/// `createTag`: the project, the slug's uniqueness in it, then the tag (its `name` is its slug).
pub(crate) fn create_tag(
    state: &mut State,
    identity: &str,
    project_id: &str,
    input: TagInput,
) -> Result<Value, ApiError> {
    find_project(state, project_id)?;
    if state.tags.by_slug(project_id, &input.slug).is_some() {
        return Err(ApiError::bad_request(TAKEN));
    }
    let now = now_iso();
    let tag = Tag {
        id: uuid::Uuid::new_v4().to_string(),
        project_id: project_id.to_owned(),
        name: input.slug.clone(),
        slug: input.slug,
        color: Some(input.color),
        created_by: Some(identity.to_owned()),
        created_at: now.clone(),
        updated_at: now,
    };
    let view = tag.view();
    state.tags.insert(tag);
    Ok(json!({ "tag": view }))
}

/// `updateTag`: the tag by id (400, whatever the project in the path), a new slug's uniqueness in
/// its project, then the write.
pub(crate) fn update_tag(state: &mut State, id: &str, input: TagInput) -> Result<Value, ApiError> {
    let project_id = state
        .tags
        .get(id)
        .map(|t| t.project_id.clone())
        .ok_or_else(|| ApiError::bad_request(NO_TAG))?;
    if state
        .tags
        .by_slug(&project_id, &input.slug)
        .is_some_and(|t| t.id != id)
    {
        return Err(ApiError::bad_request(TAKEN));
    }
    let tag = state
        .tags
        .get_mut(id)
        .ok_or_else(|| ApiError::internal("the tag vanished during its update"))?;
    tag.name.clone_from(&input.slug);
    tag.slug = input.slug;
    tag.color = Some(input.color);
    tag.updated_at = now_iso();
    Ok(json!({ "tag": tag.view() }))
}

/// `deleteTag`: the tag by id (400), then the row; the secrets that carried it lose it, as the
/// join table's foreign key takes them.
pub(crate) fn delete_tag(state: &mut State, id: &str) -> Result<Value, ApiError> {
    let tag = state
        .tags
        .remove(id)
        .ok_or_else(|| ApiError::bad_request(NO_TAG))?;
    for (_, secret) in state.secrets.project_secrets_mut(&tag.project_id) {
        secret.tag_ids.retain(|t| t != id);
    }
    Ok(json!({ "tag": tag.view() }))
}
