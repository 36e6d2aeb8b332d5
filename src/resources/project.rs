//! Resource `infisical_project`: a project, with the official provider's attributes (schema
//! version 0), on the current routes (`/api/v1/projects`).
//!
//! Where the official resource goes wrong, this one does not: a slug Infisical would refuse is an
//! error at plan with no request; settings that only a create reads (`template_name`,
//! `should_create_default_envs`) can be added to the configuration of an imported project
//! without an error, and a change of them never destroys the project (`template_name` and
//! `kms_secret_manager_key_id` changes are refused at plan, `should_create_default_envs` is only
//! recorded, with a warning); `last_updated` is kept across plans instead of being unknown on
//! every change; a description removed from the configuration is cleared on the server.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::infisical::{CreateProject, Project, UpdateProject};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{PlanInput, ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model, same_description};
use super::plain::{Lifecycle, Unfinished, stored};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_project";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const SLUG: &str = "slug";
    pub(super) const NAME: &str = "name";
    pub(super) const TYPE: &str = "type";
    pub(super) const DESCRIPTION: &str = "description";
    pub(super) const TEMPLATE_NAME: &str = "template_name";
    pub(super) const KMS_KEY_ID: &str = "kms_secret_manager_key_id";
    pub(super) const DEFAULT_ENVS: &str = "should_create_default_envs";
    pub(super) const DELETE_PROTECTION: &str = "has_delete_protection";
    pub(super) const RETENTION: &str = "audit_log_retention_days";
    pub(super) const LAST_UPDATED: &str = "last_updated";
}

/// The project types the official provider offers.
const TYPES: &[&str] = &["secret-manager", "cert-manager", "kms"];
/// The type Infisical gives a project created without one.
const DEFAULT_TYPE: &str = "secret-manager";

/// The resource, as the provider registers it.
pub(crate) struct ProjectResource;

/// An optional+computed value: unknown in a plan that leaves it to Infisical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Maybe<T> {
    Unknown,
    Null,
    Known(T),
}

impl<T: Copy> Maybe<T> {
    fn known(self) -> Option<T> {
        match self {
            Maybe::Known(v) => Some(v),
            Maybe::Unknown | Maybe::Null => None,
        }
    }

    fn of(value: Option<T>) -> Self {
        value.map_or(Maybe::Null, Maybe::Known)
    }
}

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct ProjectState {
    id: Computed,
    slug: String,
    name: String,
    project_type: Computed,
    description: Option<String>,
    template_name: Option<String>,
    kms_key_id: Computed,
    default_envs: Option<bool>,
    delete_protection: Maybe<bool>,
    retention: Maybe<i64>,
    last_updated: Computed,
}

impl Model for ProjectState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let delete_protection = match fields.get(DELETE_PROTECTION) {
            Value::Unknown => Maybe::Unknown,
            Value::Null => Maybe::Null,
            Value::Bool(b) => Maybe::Known(*b),
            other => {
                return Err(super::model::missing(
                    &fields.path(DELETE_PROTECTION),
                    other,
                ));
            }
        };
        let default_envs = match fields.get(DEFAULT_ENVS) {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => return Err(super::model::missing(&fields.path(DEFAULT_ENVS), other)),
        };
        let retention = match fields.get(RETENTION) {
            Value::Unknown => Maybe::Unknown,
            _ => Maybe::of(fields.whole(RETENTION)?),
        };
        Ok(Self {
            id: fields.computed(ID)?,
            slug: fields.required(SLUG)?,
            name: fields.required(NAME)?,
            project_type: fields.computed(TYPE)?,
            description: fields.optional(DESCRIPTION)?,
            template_name: fields.optional(TEMPLATE_NAME)?,
            kms_key_id: fields.computed(KMS_KEY_ID)?,
            default_envs,
            delete_protection,
            retention,
            last_updated: fields.computed(LAST_UPDATED)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        let maybe_bool = |m: Maybe<bool>| match m {
            Maybe::Unknown => Value::Unknown,
            Maybe::Null => Value::Null,
            Maybe::Known(b) => Value::Bool(b),
        };
        let retention = match self.retention {
            Maybe::Unknown => Value::Unknown,
            Maybe::Null => Value::Null,
            Maybe::Known(days) => Value::int(days),
        };
        vec![
            (ID, self.id.to_value()),
            (SLUG, Value::string(&self.slug)),
            (NAME, Value::string(&self.name)),
            (TYPE, self.project_type.to_value()),
            (DESCRIPTION, Value::opt_string(self.description.as_deref())),
            (
                TEMPLATE_NAME,
                Value::opt_string(self.template_name.as_deref()),
            ),
            (KMS_KEY_ID, self.kms_key_id.to_value()),
            (
                DEFAULT_ENVS,
                self.default_envs.map_or(Value::Null, Value::Bool),
            ),
            (DELETE_PROTECTION, maybe_bool(self.delete_protection)),
            (RETENTION, retention),
            (LAST_UPDATED, self.last_updated.to_value()),
        ]
    }
}

/// `updatedAt` as the official provider writes `last_updated` (Go's `time.RFC850`); a time it
/// cannot read is kept as Infisical wrote it.
fn rfc850(updated_at: &str) -> String {
    let format = format_description!(
        "[weekday], [day]-[month repr:short]-[year repr:last_two] [hour]:[minute]:[second] UTC"
    );
    OffsetDateTime::parse(updated_at, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| updated_at.to_owned())
}

impl ProjectState {
    /// The state after Infisical answered with `project`, keeping what means the same (a name
    /// or description the server trimmed, a null description against `""`) and what Infisical
    /// does not answer with (the template, the KMS key, the default-environments choice).
    fn answered(&self, project: &Project) -> Self {
        let name = if self.name.trim() == project.name {
            self.name.clone()
        } else {
            project.name.clone()
        };
        let description =
            if same_description(self.description.as_deref(), project.description.as_deref()) {
                self.description.clone()
            } else {
                project.description.clone()
            };
        Self {
            id: Computed::Known(project.id.clone()),
            slug: project.slug.clone(),
            name,
            project_type: project
                .project_type
                .clone()
                .map_or_else(|| self.project_type.clone(), Computed::Known),
            description,
            template_name: self.template_name.clone(),
            kms_key_id: match &self.kms_key_id {
                Computed::Unknown => Computed::Null,
                kept => kept.clone(),
            },
            default_envs: self.default_envs,
            delete_protection: Maybe::Known(project.has_delete_protection.unwrap_or(false)),
            retention: Maybe::of(project.audit_logs_retention_days),
            last_updated: project
                .updated_at
                .as_deref()
                .map_or(Computed::Null, |t| Computed::Known(rfc850(t))),
        }
    }

    /// The plan with what is still unknown taken from the prior state (a change that sent
    /// nothing: what Infisical holds is what it held).
    fn settled(&self, prior: &Self) -> Self {
        let mut settled = self.clone();
        if settled.project_type.is_unknown() {
            settled.project_type = prior.project_type.clone();
        }
        if settled.kms_key_id.is_unknown() {
            settled.kms_key_id = match &prior.kms_key_id {
                Computed::Unknown => Computed::Null,
                kept => kept.clone(),
            };
        }
        if settled.delete_protection == Maybe::Unknown {
            settled.delete_protection = prior.delete_protection;
        }
        if settled.retention == Maybe::Unknown {
            settled.retention = prior.retention;
        }
        if settled.last_updated.is_unknown() {
            settled.last_updated = prior.last_updated.clone();
        }
        settled
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| super::model::missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A project: the container of environments, folders, secrets, syncs and \
                      the identities allowed to read them.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The project's id."),
            Attribute::string(SLUG).required().description(
                "The project's slug, unique in the organization. A new project's slug has 5 to 36 \
                 lowercase letters, digits and single hyphens; a slug can later be changed in \
                 place (up to 64 characters, `_` allowed between words).",
            ),
            Attribute::string(NAME)
                .required()
                .description("The project's name (at most 64 characters)."),
            Attribute::string(TYPE)
                .optional_computed()
                .use_state_for_unknown()
                .requires_replace()
                .description(
                    "The kind of project: `secret-manager` (the default), `cert-manager` or \
                     `kms`. Infisical cannot change it, so a change replaces the project.",
                ),
            Attribute::string(DESCRIPTION)
                .description("A description (at most 1024 characters once trimmed)."),
            Attribute::string(TEMPLATE_NAME).description(
                "The project template applied when the project is created (Infisical's \
                 `default` when left out). Infisical applies it only then: it cannot be changed \
                 afterwards, and can be added to the configuration of an imported project.",
            ),
            Attribute::string(KMS_KEY_ID)
                .optional_computed()
                .use_state_for_unknown()
                .description(
                    "The KMS key that encrypts the project's secrets, chosen when the project is \
                     created (Infisical's own key when left out); it cannot be changed here.",
                ),
            Attribute::bool(DEFAULT_ENVS).description(
                "Whether Infisical creates its default environments (`dev`, `staging`, `prod`) \
                 with the project; true when left out. Read only when the project is created.",
            ),
            Attribute::bool(DELETE_PROTECTION)
                .optional_computed()
                .use_state_for_unknown()
                .description(
                    "While true, Infisical refuses to delete the project (and so does a \
                     `terraform destroy`). Left out, it is not managed.",
                ),
            Attribute::number(RETENTION)
                .optional_computed()
                .use_state_for_unknown()
                .description(
                    "How many days the project's audit logs are kept; the organization's plan \
                     sets the most. Left out, it is not managed.",
                ),
            Attribute::string(LAST_UPDATED)
                .computed()
                .use_state_for_unknown()
                .description(
                    "When Infisical last changed the project (as the official provider writes it, \
                 Go's RFC 850 form). Refreshed from Infisical; it never makes a plan noisy.",
                ),
        ],
    }
}

/// A slug `PATCH /api/v1/projects/:id` accepts: at most 64 lowercase letters and digits in
/// runs joined by single `-` or `_`.
fn is_project_slug(slug: &str) -> bool {
    slug.chars().count() <= 64
        && slug.split(['-', '_']).all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    if let Some(slug) = config.get(SLUG).as_str()
        && !is_project_slug(slug)
    {
        diags.attr_error(
            AttrPath::new(SLUG),
            "Invalid project slug",
            format!(
                "slug {slug:?} must be at most 64 lowercase letters and digits, with single \
                 hyphens or underscores between them, e.g. \"payments-api\"."
            ),
        );
    }
    validate::not_blank(config.get(NAME), AttrPath::new(NAME), diags);
    if let Some(name) = config.get(NAME).as_str()
        && name.trim().chars().count() > validate::NAME_MAX
    {
        diags.attr_error(
            AttrPath::new(NAME),
            "Name too long",
            format!(
                "name must be at most {} characters once trimmed; it has {}.",
                validate::NAME_MAX,
                name.trim().chars().count()
            ),
        );
    }
    validate::one_of(config.get(TYPE), TYPES, AttrPath::new(TYPE), diags);
    if let Some(text) = config.get(DESCRIPTION).as_str() {
        let length = text.trim().chars().count();
        if length > 1024 {
            diags.attr_error(
                AttrPath::new(DESCRIPTION),
                "Description too long",
                format!("description must be at most 1024 characters; it has {length}."),
            );
        }
    }
    validate::slug(
        config.get(TEMPLATE_NAME),
        AttrPath::new(TEMPLATE_NAME),
        64,
        "template name",
        "default",
        diags,
    );
    if let Some(days) = config.get(RETENTION).as_int()
        && days < 0
    {
        diags.attr_error(
            AttrPath::new(RETENTION),
            "Invalid retention",
            format!("audit_log_retention_days {days} must be 0 or more."),
        );
    }
}

/// Plan checks that need to know whether the project exists yet.
fn check_plan(input: &PlanInput<'_>, diags: &mut Diagnostics) {
    use attr::*;
    let prior = input.prior;
    let config = input.config;
    if prior.is_null() {
        // `POST /api/v1/projects` takes `slugSchema({ min: 5, max: 36 })`, narrower than an
        // update's rule.
        if let Some(slug) = config.get(SLUG).as_str() {
            let length = slug.chars().count();
            if !(5..=36).contains(&length) || slug.contains('_') {
                diags.attr_error(
                    AttrPath::new(SLUG),
                    "Invalid project slug",
                    format!(
                        "a new project's slug must have 5 to 36 lowercase letters, digits and \
                         single hyphens (Infisical refuses others on create); {slug:?} has \
                         {length} characters{}.",
                        if slug.contains('_') {
                            " and an underscore"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
        return;
    }
    for (name, what) in [
        (TEMPLATE_NAME, "the template a project was created from"),
        (KMS_KEY_ID, "the KMS key a project was created with"),
    ] {
        if let (Some(before), Some(after)) = (prior.get(name).as_str(), config.get(name).as_str())
            && before != after
            && !before.is_empty()
        {
            diags.attr_error(
                AttrPath::new(name),
                "Cannot change after creation",
                format!(
                    "{name} is {what}: Infisical cannot change it on an existing project \
                     ({before:?} → {after:?}). Put {before:?} back, or replace the project \
                     on purpose with `terraform apply -replace=…` (which deletes its secrets)."
                ),
            );
        }
    }
    if let (Some(before), Some(after)) = (
        prior.get(DEFAULT_ENVS).as_bool(),
        config.get(DEFAULT_ENVS).as_bool(),
    ) && before != after
    {
        diags.attr_warning(
            AttrPath::new(DEFAULT_ENVS),
            "Only read when a project is created",
            format!(
                "should_create_default_envs changes from {before} to {after}, which changes \
                 nothing in the existing project: manage its environments with \
                 infisical_project_environment."
            ),
        );
    }
}

fn project_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Projects, action, err)
}

#[tonic::async_trait]
impl Lifecycle for ProjectResource {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    fn modify_plan(&self, input: &PlanInput<'_>, _planned: &mut Value, diags: &mut Diagnostics) {
        check_plan(input, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = ProjectState::from_value(planned)?;
        let client = api.client_or_error()?;
        let request = CreateProject {
            project_name: &plan.name,
            project_description: plan.description.as_deref(),
            slug: Some(&plan.slug),
            kms_key_id: plan.kms_key_id.known(),
            template: plan.template_name.as_deref(),
            project_type: Some(plan.project_type.known().unwrap_or(DEFAULT_TYPE)),
            should_create_default_envs: plan.default_envs.unwrap_or(true),
            has_delete_protection: plan.delete_protection.known().unwrap_or(false),
        };
        let mut made = client.projects().create(&request).await.map_err(|err| {
            project_error(api, &format!("create the project {:?}", plan.slug), &err)
        })?;
        if let Some(days) = plan.retention.known() {
            match client
                .projects()
                .set_audit_logs_retention(&made.id, days)
                .await
            {
                Ok(updated) => made = updated,
                Err(err) => {
                    // The project exists: Terraform keeps it (tainted) with the error.
                    let mut kept = plan.answered(&made);
                    kept.retention = plan.retention;
                    return Err(Unfinished {
                        error: project_error(
                            api,
                            &format!(
                                "set the audit-log retention of the new project {:?}",
                                plan.slug
                            ),
                            &err,
                        ),
                        made: Some(stored(kept.to_value())),
                    });
                }
            }
        }
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
        let known = ProjectState::from_value(state)?;
        let id = known.known_id()?;
        match client.projects().get(id).await {
            Ok(found) => Ok(ReadOutcome::Found(stored(
                known.answered(&found).to_value(),
            ))),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(project_error(api, &format!("read the project {id}"), &err)),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = ProjectState::from_value(prior)?;
        let after = ProjectState::from_value(planned)?;
        let id = before.known_id()?;
        let client = api.client_or_error()?;
        // Only what changed is sent; a description removed from the configuration is cleared.
        let description =
            (!same_description(before.description.as_deref(), after.description.as_deref()))
                .then(|| after.description.as_deref().unwrap_or(""));
        let request = UpdateProject {
            name: (after.name != before.name).then_some(after.name.as_str()),
            description,
            slug: (after.slug != before.slug).then_some(after.slug.as_str()),
            has_delete_protection: after
                .delete_protection
                .known()
                .filter(|p| Some(*p) != before.delete_protection.known()),
        };
        let mut answer = None;
        if request != UpdateProject::default() {
            answer = Some(
                client
                    .projects()
                    .update(id, &request)
                    .await
                    .map_err(|err| project_error(api, &format!("update the project {id}"), &err))?,
            );
        }
        if let Some(days) = after.retention.known()
            && Some(days) != before.retention.known()
        {
            answer = Some(
                client
                    .projects()
                    .set_audit_logs_retention(id, days)
                    .await
                    .map_err(|err| {
                        project_error(
                            api,
                            &format!("set the audit-log retention of the project {id}"),
                            &err,
                        )
                    })?,
            );
        }
        // A change of only what Infisical reads on create (or nothing Infisical stores) is a
        // change of the state alone.
        let Some(project) = answer else {
            return Ok(stored(after.settled(&before).to_value()));
        };
        let mut state = after.answered(&project);
        // Planned from the prior state; the next refresh brings the new time.
        state.last_updated = after.last_updated.clone();
        Ok(stored(state.to_value()))
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = ProjectState::from_value(prior)?;
        let id = known.known_id()?;
        match api.client_or_error()?.projects().delete(id).await {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => {
                let mut diag = project_error(api, &format!("delete the project {id}"), &err);
                if known.delete_protection.known() == Some(true) {
                    diag.detail.push_str(
                        "\n\nThe project has delete protection: set has_delete_protection = \
                         false and apply before destroying it.",
                    );
                }
                Err(diag)
            }
        }
    }

    /// Imports by the project's id, as the official provider does.
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        if id.trim().is_empty() || id.contains('/') {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!("import a project by its id; got {id:?}."),
                path: None,
            });
        }
        let client = api.client_or_error()?;
        let project = client
            .projects()
            .get(id)
            .await
            .map_err(|err| project_error(api, &format!("import the project {id:?}"), &err))?;
        let blank = ProjectState {
            id: Computed::Known(project.id.clone()),
            slug: project.slug.clone(),
            name: project.name.clone(),
            project_type: Computed::Unknown,
            description: None,
            template_name: None,
            kms_key_id: Computed::Null,
            default_envs: None,
            delete_protection: Maybe::Unknown,
            retention: Maybe::Unknown,
            last_updated: Computed::Unknown,
        };
        let mut state = blank.answered(&project);
        state.description = project.description.filter(|d| !d.is_empty());
        Ok(state.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<ProjectState>(&schema());
    }

    #[test]
    fn last_updated_is_written_as_go_writes_rfc850() {
        assert_eq!(
            rfc850("2026-12-06T05:04:03.123Z"),
            "Sunday, 06-Dec-26 05:04:03 UTC"
        );
        assert_eq!(rfc850("not a time"), "not a time");
    }

    #[test]
    fn slugs_follow_the_update_rule_at_validate_and_the_create_rule_at_plan() {
        assert!(is_project_slug("payments_api-2"));
        assert!(!is_project_slug("Payments"));
        assert!(!is_project_slug("a--b"));
        assert!(!is_project_slug("-ab"));
        let plan_errors = |prior: Value, slug: &str| {
            let mut config = schema().null_object();
            config.set(attr::SLUG, Value::string(slug));
            let mut diags = Diagnostics::new();
            check_plan(
                &PlanInput {
                    prior: &prior,
                    config: &config,
                    prior_private: &[],
                },
                &mut diags,
            );
            diags.has_errors()
        };
        assert!(plan_errors(Value::Null, "abcd"));
        assert!(plan_errors(Value::Null, "ab_cde"));
        assert!(plan_errors(Value::Null, &"a".repeat(37)));
        assert!(!plan_errors(Value::Null, "abcde"));
        let mut existing = schema().null_object();
        existing.set(attr::SLUG, Value::string("abcd"));
        assert!(!plan_errors(existing, "ab_cd"));
    }

    #[test]
    fn create_only_settings_refuse_a_change_but_not_an_adoption() {
        let plan = |prior_template: Value, template: &str, prior_envs: Value, envs: bool| {
            let mut prior = schema().null_object();
            prior.set(attr::SLUG, Value::string("payments"));
            prior.set(attr::TEMPLATE_NAME, prior_template);
            prior.set(attr::DEFAULT_ENVS, prior_envs);
            let mut config = prior.clone();
            config.set(attr::TEMPLATE_NAME, Value::string(template));
            config.set(attr::DEFAULT_ENVS, Value::Bool(envs));
            let mut diags = Diagnostics::new();
            check_plan(
                &PlanInput {
                    prior: &prior,
                    config: &config,
                    prior_private: &[],
                },
                &mut diags,
            );
            (
                diags.has_errors(),
                diags.iter().any(|d| d.severity == Severity::Warning),
            )
        };
        assert_eq!(
            plan(Value::string("default"), "other", Value::Null, true),
            (true, false)
        );
        assert_eq!(
            plan(Value::Null, "other", Value::Null, false),
            (false, false)
        );
        assert_eq!(
            plan(
                Value::string("default"),
                "default",
                Value::Bool(true),
                false
            ),
            (false, true)
        );
    }
}
