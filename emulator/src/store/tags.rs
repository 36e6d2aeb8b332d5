//! Projects' secret tags (`secret_tags`): what the tag routes create, change and delete, and
//! what a secret's `tagIds` name. Which secrets carry a tag is kept on the secrets
//! ([`super::secrets::StoredSecret::tag_ids`]).

use serde_json::{Value, json};

/// A tag of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) color: Option<String>,
    /// The identity that created it (`createdBy`).
    pub(crate) created_by: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl Tag {
    /// `SecretTagsSchema`: the tag routes' answer.
    pub(crate) fn view(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "color": self.color,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "createdBy": self.created_by,
            "projectId": self.project_id,
            "createdByActorType": "identity",
        })
    }

    /// `SanitizedTagSchema`: a tag as a secret carries it.
    pub(crate) fn summary(&self) -> Value {
        json!({ "id": self.id, "slug": self.slug, "color": self.color, "name": self.name })
    }
}

/// Every project's tags, oldest first.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tags(Vec<Tag>);

impl Tags {
    /// A tag by id, whatever its project.
    pub(crate) fn get(&self, id: &str) -> Option<&Tag> {
        self.0.iter().find(|t| t.id == id)
    }

    /// A tag by id, to change.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Tag> {
        self.0.iter_mut().find(|t| t.id == id)
    }

    /// A project's tag by slug.
    pub(crate) fn by_slug(&self, project_id: &str, slug: &str) -> Option<&Tag> {
        self.0
            .iter()
            .find(|t| t.project_id == project_id && t.slug == slug)
    }

    /// A project's tags, oldest first.
    pub(crate) fn of_project(&self, project_id: &str) -> Vec<&Tag> {
        self.0
            .iter()
            .filter(|t| t.project_id == project_id)
            .collect()
    }

    /// Adds a tag.
    pub(crate) fn insert(&mut self, tag: Tag) {
        self.0.push(tag);
    }

    /// Removes a tag; it, if it existed.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Tag> {
        let index = self.0.iter().position(|t| t.id == id)?;
        Some(self.0.remove(index))
    }

    /// Removes every tag of a project (its deletion takes them).
    pub(crate) fn remove_project(&mut self, project_id: &str) {
        self.0.retain(|t| t.project_id != project_id);
    }
}
