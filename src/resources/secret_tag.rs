//! Resource `infisical_secret_tag`: a tag of a project, with the official provider's attributes
//! (schema version 0), on the current routes (`/api/v1/projects/{project_id}/tags`).
//!
//! Unlike the official resource, changing `project_id` replaces the tag (the official one
//! PATCHes the tag's id under the other project, which fails), a slug is checked at plan, and
//! `name` — which Infisical no longer stores (its reads answer the slug) — is kept as configured
//! instead of planning a change back to the slug on every plan.

use crate::infisical::{Tag, TagFields};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model};
use super::plain::{Lifecycle, Unfinished, deleted, stored};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_secret_tag";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const SLUG: &str = "slug";
    pub(super) const NAME: &str = "name";
    pub(super) const COLOR: &str = "color";
    pub(super) const PROJECT_ID: &str = "project_id";
}

/// The resource, as the provider registers it.
pub(crate) struct SecretTag;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct TagState {
    id: Computed,
    slug: String,
    name: String,
    color: String,
    project_id: String,
}

impl Model for TagState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.computed(ID)?,
            slug: fields.required(SLUG)?,
            name: fields.required(NAME)?,
            color: fields.required(COLOR)?,
            project_id: fields.required(PROJECT_ID)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (ID, self.id.to_value()),
            (SLUG, Value::string(&self.slug)),
            (NAME, Value::string(&self.name)),
            (COLOR, Value::string(&self.color)),
            (PROJECT_ID, Value::string(&self.project_id)),
        ]
    }
}

impl TagState {
    /// The state after Infisical answered with `tag`: its slug and color (a color it trimmed
    /// kept as configured); the name is this provider's alone.
    fn answered(&self, tag: &Tag) -> Self {
        let stored_color = tag.color.clone().unwrap_or_default();
        Self {
            id: Computed::Known(tag.id.clone()),
            slug: tag.slug.clone(),
            name: self.name.clone(),
            color: if self.color.trim() == stored_color {
                self.color.clone()
            } else {
                stored_color
            },
            project_id: tag.project_id.clone(),
        }
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| super::model::missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }

    fn fields(&self) -> TagFields<'_> {
        TagFields {
            slug: &self.slug,
            color: self.color.trim(),
        }
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A tag of a project, to put on its secrets (`infisical_secret.tag_ids`).",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The tag's id."),
            Attribute::string(SLUG).required().description(
                "The tag's slug, unique in the project: at most 64 lowercase letters, digits and \
                 single hyphens.",
            ),
            Attribute::string(NAME).required().description(
                "The tag's name. Infisical no longer stores tag names (it shows the slug): this \
                 is kept as configured, for configurations written for the official provider.",
            ),
            Attribute::string(COLOR)
                .required()
                .description("The tag's color, such as `#3b82f6`."),
            Attribute::string(PROJECT_ID)
                .required()
                .requires_replace()
                .description("The id of the project the tag belongs to."),
        ],
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::slug(
        config.get(SLUG),
        AttrPath::new(SLUG),
        64,
        "tag slug",
        "production",
        diags,
    );
    validate::not_blank(config.get(NAME), AttrPath::new(NAME), diags);
    validate::not_blank(config.get(COLOR), AttrPath::new(COLOR), diags);
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
}

fn tag_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Secrets, action, err)
}

#[tonic::async_trait]
impl Lifecycle for SecretTag {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = TagState::from_value(planned)?;
        let client = api.client_or_error()?;
        let made = client
            .tags()
            .create(&plan.project_id, &plan.fields())
            .await
            .map_err(|err| {
                tag_error(
                    api,
                    &format!(
                        "create the tag {:?} in project {}",
                        plan.slug, plan.project_id
                    ),
                    &err,
                )
            })?;
        Ok(stored(plan.answered(&made).to_value()))
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
    ) -> Result<ReadOutcome, Diagnostic> {
        let client = match api.client_or_keep(state, private) {
            Ok(client) => client,
            Err(kept) => return Ok(kept),
        };
        let known = TagState::from_value(state)?;
        let id = known.known_id()?;
        match client.tags().get(&known.project_id, id).await {
            Ok(tag) if tag.project_id == known.project_id => {
                Ok(ReadOutcome::Found(stored(known.answered(&tag).to_value())))
            }
            Ok(_) => Ok(ReadOutcome::Gone),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(tag_error(api, &format!("read the tag {id}"), &err)),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = TagState::from_value(prior)?;
        let after = TagState::from_value(planned)?;
        let id = before.known_id()?;
        if after.slug == before.slug && after.color.trim() == before.color.trim() {
            // Only the name changed, which Infisical does not store.
            let mut state = after.clone();
            state.id = before.id.clone();
            return Ok(stored(state.to_value()));
        }
        let client = api.client_or_error()?;
        let updated = client
            .tags()
            .update(&after.project_id, id, &after.fields())
            .await
            .map_err(|err| tag_error(api, &format!("update the tag {id}"), &err))?;
        Ok(stored(after.answered(&updated).to_value()))
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = TagState::from_value(prior)?;
        let id = known.known_id()?;
        deleted(
            api.client_or_error()?
                .tags()
                .delete(&known.project_id, id)
                .await,
            |err| tag_error(api, &format!("delete the tag {id}"), err),
        )
    }

    /// Imports by `<project_id>,<tag_id>`, as the official provider does (or with `/`).
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        let Some((project, tag_id)) = id
            .split_once(',')
            .or_else(|| id.split_once('/'))
            .filter(|(p, t)| !p.trim().is_empty() && !t.trim().is_empty())
        else {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!(
                    "import a tag by \"<project_id>,<tag_id>\" (or \"<project_id>/<tag_id>\"); \
                     got {id:?}."
                ),
                path: None,
            });
        };
        let client = api.client_or_error()?;
        let tag = client
            .tags()
            .get(project, tag_id)
            .await
            .map_err(|err| tag_error(api, &format!("import the tag {id:?}"), &err))?;
        // The name Infisical answers is the slug: the closest to what a configuration says.
        let blank = TagState {
            id: Computed::Unknown,
            slug: tag.slug.clone(),
            name: tag.slug.clone(),
            color: String::new(),
            project_id: tag.project_id.clone(),
        };
        Ok(blank.answered(&tag).to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<TagState>(&schema());
    }

    #[test]
    fn the_name_is_kept_and_a_trimmed_color_is_no_change() {
        let state = TagState {
            id: Computed::Known("t1".into()),
            slug: "prod".into(),
            name: "Production".into(),
            color: " #fff ".into(),
            project_id: "p1".into(),
        };
        let tag = Tag {
            id: "t1".into(),
            slug: "prod".into(),
            color: Some("#fff".into()),
            project_id: "p1".into(),
        };
        let read = state.answered(&tag);
        assert_eq!(read.name, "Production");
        assert_eq!(read.color, " #fff ");
        let recolored = state.answered(&Tag {
            color: Some("#000".into()),
            ..tag
        });
        assert_eq!(recolored.color, "#000");
    }
}
