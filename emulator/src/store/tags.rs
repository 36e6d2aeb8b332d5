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

    /// A project's tags, oldest first.
    pub(crate) fn of_project(&self, project_id: &str) -> Vec<&Tag> {
        self.0
            .iter()
            .filter(|t| t.project_id == project_id)
            .collect()
    }

    /// Removes every tag of a project (its deletion takes them).
    pub(crate) fn remove_project(&mut self, project_id: &str) {
        self.0.retain(|t| t.project_id != project_id);
    }
}
