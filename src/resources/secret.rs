//! Resource `infisical_secret`: one secret of a folder, with the official provider's attributes
//! (schema version 0) plus `comment`, on the current routes (`/api/v4/secrets`).
//!
//! Where the official resource goes wrong, this one does not:
//! - a value Infisical trims (spaces around it, several trailing newlines) is compared as the
//!   server stores it, so it never plans a change the server would undo;
//! - removing every tag or every metadata entry reaches the server (the official client leaves
//!   an empty list out of the request);
//! - `last_updated` never makes a plan noisy; the reminder, the tags, the metadata and the
//!   comment are refreshed;
//! - a change held by a secret-approval policy fails naming the request (the official provider
//!   records an empty id), and a secret a rotation owns is refused with the reason;
//! - a refresh reads each environment once (one recursive list shared by all its secrets, see
//!   `Secrets::read`), instead of one GET per secret against a limit of 60 a minute.

use std::collections::{BTreeMap, BTreeSet};

use crate::infisical::{
    CreateSecret, ListSecrets, NewSecret, Patch, SecretChanges, SecretEntry, SecretLocation,
    SecretMetadata, SecretType, UpdateSecret, Written, stored_value,
};
use crate::secret::Secret;
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{
    IdentitySchema, Listed, PlanInput, ReadOutcome, Resource, Stored,
};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::{Type, Value};

use super::by_id;
use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model, error_at, missing};
use super::secret_folder::stored_path;
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_secret";

/// Attribute names (the official provider's, and `comment`).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const VALUE: &str = "value";
    pub(super) const VALUE_WO: &str = "value_wo";
    pub(super) const VALUE_WO_VERSION: &str = "value_wo_version";
    pub(super) const WORKSPACE_ID: &str = "workspace_id";
    pub(super) const ENV_SLUG: &str = "env_slug";
    pub(super) const FOLDER_PATH: &str = "folder_path";
    pub(super) const TAG_IDS: &str = "tag_ids";
    pub(super) const METADATA: &str = "metadata";
    pub(super) const REMINDER: &str = "secret_reminder";
    pub(super) const NOTE: &str = "note";
    pub(super) const REPEAT_DAYS: &str = "repeat_days";
    pub(super) const COMMENT: &str = "comment";
    pub(super) const LAST_UPDATED: &str = "last_updated";
}

/// The import id prefix that leaves the value out of the state (as the official provider's).
const WRITE_ONLY_PREFIX: &str = "write-only:";

/// The resource, as the provider registers it.
pub(crate) struct SecretResource;

/// `secret_reminder`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reminder {
    note: Option<String>,
    repeat_days: i64,
}

impl Model for Reminder {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        let fields = Fields::new(value, at);
        Ok(Self {
            note: fields.optional(attr::NOTE)?,
            repeat_days: fields
                .whole(attr::REPEAT_DAYS)?
                .ok_or_else(|| missing(&fields.path(attr::REPEAT_DAYS), &Value::Null))?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (attr::NOTE, Value::opt_string(self.note.as_deref())),
            (attr::REPEAT_DAYS, Value::int(self.repeat_days)),
        ]
    }
}

impl Reminder {
    /// The reminder Infisical holds for `entry`, if any.
    fn of(entry: &SecretEntry) -> Option<Self> {
        entry
            .secret_reminder_repeat_days
            .filter(|days| *days > 0)
            .map(|days| Self {
                note: entry
                    .secret_reminder_note
                    .clone()
                    .filter(|note| !note.is_empty()),
                repeat_days: i64::from(days),
            })
    }

    /// Whether two reminders are the same to Infisical (a null note is an empty one).
    fn same(a: Option<&Self>, b: Option<&Self>) -> bool {
        fn key(r: Option<&Reminder>) -> Option<(&str, i64)> {
            r.map(|r| (r.note.as_deref().unwrap_or(""), r.repeat_days))
                .filter(|(_, days)| *days > 0)
        }
        key(a) == key(b)
    }
}

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct SecretState {
    id: Computed,
    name: String,
    value: Option<Secret>,
    value_wo_version: Option<i64>,
    workspace_id: Computed,
    env_slug: String,
    folder_path: String,
    /// `None`: not set; tags compare as sets of lower-cased ids.
    tag_ids: Option<BTreeSet<String>>,
    metadata: Option<BTreeMap<String, String>>,
    reminder: Option<Reminder>,
    comment: Computed,
    last_updated: Computed,
}

fn strings_of(value: &Value, path: &AttrPath) -> Result<Option<Vec<String>>, Diagnostic> {
    match value {
        Value::Null => Ok(None),
        Value::Set(items) | Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(missing(path, other)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(missing(path, other)),
    }
}

fn map_of(value: &Value, path: &AttrPath) -> Result<Option<BTreeMap<String, String>>, Diagnostic> {
    match value {
        Value::Null => Ok(None),
        Value::Map(entries) => entries
            .iter()
            .map(|(key, item)| match item {
                Value::String(s) => Ok((key.clone(), s.clone())),
                other => Err(missing(path, other)),
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Some),
        other => Err(missing(path, other)),
    }
}

impl Model for SecretState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.computed(ID)?,
            name: fields.required(NAME)?,
            value: fields.secret(VALUE)?,
            value_wo_version: fields.whole(VALUE_WO_VERSION)?,
            workspace_id: fields.computed(WORKSPACE_ID)?,
            env_slug: fields.required(ENV_SLUG)?,
            folder_path: fields.required(FOLDER_PATH)?,
            tag_ids: strings_of(fields.get(TAG_IDS), &fields.path(TAG_IDS))?
                .map(|ids| ids.into_iter().collect()),
            metadata: map_of(fields.get(METADATA), &fields.path(METADATA))?,
            reminder: fields.object(REMINDER)?,
            comment: fields.computed(COMMENT)?,
            last_updated: fields.computed(LAST_UPDATED)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (ID, self.id.to_value()),
            (NAME, Value::string(&self.name)),
            (
                VALUE,
                Value::opt_string(self.value.as_ref().map(|v| v.expose().to_owned())),
            ),
            (VALUE_WO, Value::Null),
            (
                VALUE_WO_VERSION,
                self.value_wo_version.map_or(Value::Null, Value::int),
            ),
            (WORKSPACE_ID, self.workspace_id.to_value()),
            (ENV_SLUG, Value::string(&self.env_slug)),
            (FOLDER_PATH, Value::string(&self.folder_path)),
            (
                TAG_IDS,
                self.tag_ids.as_ref().map_or(Value::Null, |ids| {
                    Value::Set(ids.iter().map(Value::string).collect())
                }),
            ),
            (
                METADATA,
                self.metadata.as_ref().map_or(Value::Null, |m| {
                    Value::Map(
                        m.iter()
                            .map(|(k, v)| (k.clone(), Value::string(v)))
                            .collect(),
                    )
                }),
            ),
            (
                REMINDER,
                self.reminder.as_ref().map_or(Value::Null, Model::to_value),
            ),
            (COMMENT, self.comment.to_value()),
            (LAST_UPDATED, self.last_updated.to_value()),
        ]
    }
}

/// Tag ids as Infisical compares them (the official provider lower-cases them before sending).
fn tag_set(ids: Option<&BTreeSet<String>>) -> BTreeSet<String> {
    ids.map(|ids| ids.iter().map(|id| id.to_lowercase()).collect())
        .unwrap_or_default()
}

impl SecretState {
    /// Whether the value is write-only: never read back, never in the state.
    fn write_only(&self) -> bool {
        self.value.is_none() && self.value_wo_version.is_some()
    }

    fn project_id(&self) -> Result<&str, Diagnostic> {
        self.workspace_id.known().ok_or_else(|| {
            error_at(
                AttrPath::new(attr::WORKSPACE_ID),
                "Missing project",
                "workspace_id (the project's id) must be set: this provider logs in as a machine \
                 identity, which names the project of each secret.",
            )
        })
    }

    fn known_id(&self) -> Result<&str, Diagnostic> {
        self.id
            .known()
            .ok_or_else(|| missing(&AttrPath::new(attr::ID), &self.id.to_value()))
    }

    fn location(&self) -> Result<SecretLocation<'_>, Diagnostic> {
        Ok(SecretLocation {
            project_id: self.project_id()?,
            environment: &self.env_slug,
            secret_path: &self.folder_path,
        })
    }

    /// The state after Infisical answered with (or listed) `entry`, keeping this state's form of
    /// whatever means the same to Infisical: a value it trims, a path written another way, tags
    /// in other case, an empty map against null, a reminder's empty note.
    fn answered(&self, entry: &SecretEntry) -> Self {
        let value = if self.write_only() {
            None
        } else {
            match (entry.value(), &self.value) {
                // Never configured, never read: Infisical's value is not managed.
                (_, None) => None,
                (Some(stored), Some(mine)) if stored_value(mine.expose()) != stored.expose() => {
                    Some(stored.clone())
                }
                // Withheld (no permission to read values): nothing to compare.
                _ => self.value.clone(),
            }
        };
        let folder_path = match &entry.secret_path {
            Some(path) if *path != stored_path(&self.folder_path) => path.clone(),
            _ => self.folder_path.clone(),
        };
        let listed_tags: BTreeSet<String> = entry.tags.iter().map(|t| t.id.clone()).collect();
        let tag_ids = if tag_set(Some(&listed_tags)) == tag_set(self.tag_ids.as_ref()) {
            self.tag_ids.clone()
        } else {
            Some(listed_tags)
        };
        let listed_metadata: BTreeMap<String, String> = entry
            .secret_metadata
            .iter()
            .map(|m| (m.key.clone(), m.value.clone()))
            .collect();
        let metadata = if listed_metadata == self.metadata.clone().unwrap_or_default() {
            self.metadata.clone()
        } else {
            Some(listed_metadata)
        };
        // A reminder left out of the configuration is not managed: Infisical's API cannot
        // remove one (a PATCH sets a reminder only with a non-zero interval).
        let listed_reminder = Reminder::of(entry);
        let reminder = if self.reminder.is_none()
            || Reminder::same(listed_reminder.as_ref(), self.reminder.as_ref())
        {
            self.reminder.clone()
        } else {
            listed_reminder
        };
        let comment = match &self.comment {
            Computed::Known(mine) if stored_value(mine) == entry.secret_comment => {
                Computed::Known(mine.clone())
            }
            _ => Computed::Known(entry.secret_comment.clone()),
        };
        Self {
            id: Computed::Known(entry.id.clone()),
            name: entry.secret_key.clone(),
            value,
            value_wo_version: self.value_wo_version,
            workspace_id: Computed::Known(entry.project_id.clone()),
            env_slug: entry.environment.clone(),
            folder_path,
            tag_ids,
            metadata,
            reminder,
            comment,
            // `updatedAt` as Infisical answers it, which is what the official provider stores
            // (`secret_resource.go` keeps the answer's `UpdatedAt` string; only its project
            // resource reformats the time, in Go's RFC 850).
            last_updated: match (&self.last_updated, entry.updated_at.clone()) {
                (_, Some(time)) => Computed::Known(time),
                (Computed::Unknown, None) => Computed::Null,
                (kept, None) => kept.clone(),
            },
        }
    }
}

impl SecretState {
    /// The state after a write Infisical applied, answering with `entry`: what was planned
    /// (Terraform requires exactly that back), with the computed values filled — the id, a
    /// comment left to Infisical (`prior_comment`, or `""` as sent on create), the time.
    fn written(&self, entry: &SecretEntry, prior_comment: &Computed) -> Self {
        let mut state = self.settled_with(prior_comment, &Computed::Unknown);
        state.id = Computed::Known(entry.id.clone());
        if state.workspace_id.is_unknown() {
            state.workspace_id = Computed::Known(entry.project_id.clone());
        }
        if state.last_updated.is_unknown() {
            state.last_updated = entry
                .updated_at
                .clone()
                .map_or(Computed::Null, Computed::Known);
        }
        state
    }

    /// The plan with what is still unknown taken from the prior state (nothing was sent).
    fn settled(&self, prior: &Self) -> Self {
        let mut state = self.settled_with(&prior.comment, &prior.last_updated);
        if state.workspace_id.is_unknown() {
            state.workspace_id = prior.workspace_id.clone();
        }
        state
    }

    fn settled_with(&self, comment: &Computed, last_updated: &Computed) -> Self {
        let mut state = self.clone();
        if state.comment.is_unknown() {
            state.comment = match comment {
                Computed::Known(c) => Computed::Known(c.clone()),
                Computed::Unknown | Computed::Null => Computed::Known(String::new()),
            };
        }
        if state.last_updated.is_unknown() && !last_updated.is_unknown() {
            state.last_updated = last_updated.clone();
        }
        state
    }
}

fn metadata_list(metadata: Option<&BTreeMap<String, String>>) -> Vec<SecretMetadata> {
    metadata
        .map(|m| {
            m.iter()
                .map(|(key, value)| SecretMetadata {
                    key: key.clone(),
                    value: value.clone(),
                    is_encrypted: false,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The resource's schema: the official v0.19.24 attributes, names and types, and `comment`.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A secret of a project's environment and folder.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The secret's id."),
            Attribute::string(NAME)
                .required()
                .description("The secret's name (its key); a change renames it in place."),
            Attribute::string(VALUE).sensitive().description(
                "The value, stored in the state as a sensitive value. Infisical trims what it \
                 stores (spaces around the value; a trailing newline is kept once), and a value \
                 that means the same is not a change. A change made outside Terraform is shown \
                 at plan. Left out together with `value_wo`, a new secret is created empty and \
                 its value is not managed.",
            ),
            Attribute::string(VALUE_WO)
                .write_only()
                .stored_form(VALUE)
                .description(
                    "The value, write-only (Terraform 1.11 or later): sent to Infisical but never \
                     stored in the plan or the state, so it may come from an ephemeral value. \
                     Sent on create and whenever `value_wo_version` changes; never read back.",
                ),
            Attribute::number(VALUE_WO_VERSION).description(
                "Required with `value_wo`: change it (upwards) to send `value_wo` again.",
            ),
            Attribute::string(WORKSPACE_ID)
                .optional_computed()
                .use_state_for_unknown()
                .requires_replace()
                .description("The id of the project the secret belongs to."),
            Attribute::string(ENV_SLUG)
                .required()
                .requires_replace()
                .description("The slug of the secret's environment."),
            Attribute::string(FOLDER_PATH)
                .required()
                .requires_replace()
                .description(
                    "The path of the secret's folder (`/` for the root), compared as Infisical \
                     stores paths. The folder must exist: take it from an \
                     `infisical_secret_folder`'s `path` to create it first.",
                ),
            Attribute::set(TAG_IDS, Type::String).description(
                "The ids of the project tags on the secret (`infisical_secret_tag`). Removing \
                 them all removes them in Infisical.",
            ),
            Attribute::map(METADATA, Type::String).description(
                "Key-value metadata. Removing entries (or all of them) removes them in Infisical.",
            ),
            Attribute::single(
                REMINDER,
                vec![
                    Attribute::string(NOTE).description("What the reminder says."),
                    Attribute::number(REPEAT_DAYS)
                        .required()
                        .description("Every how many days to remind, 1 to 365."),
                ],
            )
            .description("A reminder to rotate the value."),
            Attribute::string(COMMENT)
                .optional_computed()
                .use_state_for_unknown()
                .description(
                    "The secret's comment. Left out, Infisical's comment is kept as it is; `\"\"` \
                     clears it.",
                ),
            Attribute::string(LAST_UPDATED)
                .computed()
                .use_state_for_unknown()
                .description(
                    "When Infisical last changed the secret, as Infisical writes it (ISO 8601, as the \
                     official provider stores it). Refreshed from Infisical; it never makes a plan \
                     noisy.",
                ),
        ],
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::not_blank(config.get(NAME), AttrPath::new(NAME), diags);
    if let Some(name) = config.get(NAME).as_str()
        && !name.trim().is_empty()
        && (name.trim() != name || name.contains(char::is_whitespace))
    {
        diags.attr_error(
            AttrPath::new(NAME),
            "Invalid secret name",
            format!("name {name:?} must not contain spaces: Infisical keys have none."),
        );
    }
    if config.get(WORKSPACE_ID).is_null() {
        diags.attr_error(
            AttrPath::new(WORKSPACE_ID),
            "Missing project",
            "workspace_id (the project's id) must be set: this provider logs in as a machine \
             identity, which names the project of each secret.",
        );
    }
    validate::slug(
        config.get(ENV_SLUG),
        AttrPath::new(ENV_SLUG),
        64,
        "environment slug",
        "prod",
        diags,
    );
    if let Some(path) = config.get(FOLDER_PATH).as_str() {
        let bad = stored_path(path)
            .split('/')
            .skip(1)
            .filter(|segment| !segment.is_empty())
            .find(|segment| {
                !segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .map(str::to_owned);
        if let Some(segment) = bad {
            diags.attr_error(
                AttrPath::new(FOLDER_PATH),
                "Invalid folder path",
                format!(
                    "folder_path {path:?}: the folder name {segment:?} can only contain letters, \
                     digits, dashes and underscores, as Infisical requires."
                ),
            );
        }
    }
    let value = config.get(VALUE);
    let wo = config.get(VALUE_WO);
    let version = config.get(VALUE_WO_VERSION);
    if !value.is_null() && (!wo.is_null() || !version.is_null()) {
        let path = if wo.is_null() {
            VALUE_WO_VERSION
        } else {
            VALUE_WO
        };
        diags.attr_error(
            AttrPath::new(path),
            "Conflicting values",
            format!("set either value, or value_wo with value_wo_version, not both ({path})."),
        );
    }
    if !wo.is_null() && version.is_null() {
        diags.attr_error(
            AttrPath::new(VALUE_WO_VERSION),
            "Missing value_wo_version",
            "value_wo needs value_wo_version (e.g. 1): Terraform stores no trace of a write-only \
             value, so the version says when to send it again.",
        );
    }
    if wo.is_null() && !version.is_null() && !version.is_unknown() && value.is_null() {
        diags.attr_error(
            AttrPath::new(VALUE_WO),
            "Missing value_wo",
            "value_wo_version is set without value_wo: set the write-only value it versions.",
        );
    }
    if let Some(v) = version.as_int()
        && v < 1
    {
        diags.attr_error(
            AttrPath::new(VALUE_WO_VERSION),
            "Invalid version",
            format!("value_wo_version {v} must be 1 or more."),
        );
    }
    let reminder = config.get(REMINDER);
    if let Some(days) = reminder.get(REPEAT_DAYS).as_int()
        && !(1..=365).contains(&days)
    {
        diags.attr_error(
            AttrPath::new(REMINDER).attr(REPEAT_DAYS),
            "Invalid reminder",
            format!("repeat_days {days} must be between 1 and 365."),
        );
    }
    if let Some(note) = reminder.get(NOTE).as_str()
        && note.chars().count() > 1024
    {
        diags.attr_error(
            AttrPath::new(REMINDER).attr(NOTE),
            "Reminder note too long",
            "note must be at most 1024 characters.",
        );
    }
}

fn check_plan(input: &PlanInput<'_>, diags: &mut Diagnostics) {
    use attr::*;
    if !input.prior.get(REMINDER).is_null() && input.config.get(REMINDER).is_null() {
        diags.attr_warning(
            AttrPath::new(REMINDER),
            "The reminder stays in Infisical",
            "secret_reminder is removed from the configuration, but Infisical's API cannot \
             remove a reminder: it stays on the secret (remove it in the Infisical UI). Terraform \
             no longer manages it.",
        );
    }
    if let (Some(before), Some(after)) = (
        input.prior.get(VALUE_WO_VERSION).as_int(),
        input.config.get(VALUE_WO_VERSION).as_int(),
    ) && after < before
    {
        diags.attr_error(
            AttrPath::new(VALUE_WO_VERSION),
            "Version went down",
            format!(
                "value_wo_version goes from {before} to {after}: raise it (e.g. to {}) to send \
                 value_wo again.",
                before + 1
            ),
        );
    }
    if let Some(rotation) = Rotation::decode(input.prior_private) {
        let changed = |name: &str| !input.config.get(name).same_as(input.prior.get(name));
        if changed(NAME) {
            diags.add(rotation.refusal(AttrPath::new(NAME)));
        } else if (changed(VALUE) && !input.config.get(VALUE).is_null())
            || changed(VALUE_WO_VERSION)
        {
            diags.add(rotation.refusal(AttrPath::new(VALUE)));
        }
    }
}

/// The private state of a secret a rotation owns (read on refresh): its rotation's id.
struct Rotation(String);

impl Rotation {
    const PREFIX: &'static [u8] = b"rotation:";

    fn of(entry: &SecretEntry) -> Option<Self> {
        entry
            .is_rotated_secret
            .then(|| Self(entry.rotation_id.clone().unwrap_or_default()))
    }

    fn encode(rotation: Option<&Self>) -> Vec<u8> {
        rotation.map_or_else(Vec::new, |r| [Self::PREFIX, r.0.as_bytes()].concat())
    }

    fn decode(private: &[u8]) -> Option<Self> {
        private
            .strip_prefix(Self::PREFIX)
            .map(|id| Self(String::from_utf8_lossy(id).into_owned()))
    }

    fn refusal(&self, path: AttrPath) -> Diagnostic {
        error_at(
            path,
            "Secret owned by a rotation",
            format!(
                "a secret rotation{} owns this secret and sets its name and value: a change here \
                 would fight it, and Infisical refuses it. Change the rotation instead, or keep \
                 this secret's value and name as Infisical has them.",
                if self.0.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.0)
                }
            ),
        )
    }
}

fn secret_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Secrets, action, err)
}

/// The error for a change a secret-approval policy holds.
fn held(action: &str, request: &crate::infisical::ApprovalRequest) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        summary: "Change pending approval".to_owned(),
        detail: format!(
            "Infisical did not {action}: a secret-approval policy on this environment and path \
             holds the change in approval request {}{}. Once it is approved (or rejected), run \
             terraform apply again: the next refresh shows what Infisical then holds.",
            request.slug.as_deref().unwrap_or(&request.id),
            request
                .slug
                .as_ref()
                .map(|_| format!(" (id {})", request.id))
                .unwrap_or_default()
        ),
        path: None,
    }
}

/// Which value to send: the write-only one from the configuration, else the planned one.
fn value_to_send(planned: &SecretState, config: &Value) -> Secret {
    match config.get(attr::VALUE_WO).as_str() {
        Some(wo) if planned.value.is_none() => Secret::new(wo),
        _ => planned.value.clone().unwrap_or_else(|| Secret::new("")),
    }
}

impl SecretResource {
    async fn do_create(
        &self,
        api: &Configured,
        planned: &Value,
        config: &Value,
    ) -> Result<Stored, Diagnostic> {
        let plan = SecretState::from_value(planned)?;
        let client = api.client_or_error()?;
        let tag_ids: Vec<String> = tag_set(plan.tag_ids.as_ref()).into_iter().collect();
        let request = CreateSecret {
            at: plan.location()?,
            secret: NewSecret {
                secret_value: value_to_send(&plan, config),
                secret_comment: plan.comment.known().unwrap_or("").to_owned(),
                tag_ids,
                secret_metadata: metadata_list(plan.metadata.as_ref()),
            },
            secret_reminder_note: plan.reminder.as_ref().and_then(|r| r.note.as_deref()),
            secret_reminder_repeat_days: plan
                .reminder
                .as_ref()
                .and_then(|r| u32::try_from(r.repeat_days).ok()),
            secret_type: SecretType::Shared,
        };
        let action = format!(
            "create the secret {:?} in {}:{}",
            plan.name, plan.env_slug, plan.folder_path
        );
        // Without a reminder (which the batch route does not carry), the create leaves with
        // the other creates of its folder in one batch request.
        let written = if request.secret_reminder_repeat_days.is_none() {
            client
                .secrets()
                .create_batched(&plan.name, request.at, request.secret.clone())
                .await
        } else {
            client.secrets().create(&plan.name, &request).await
        };
        let entry = match written {
            Ok(Written::Applied(entry)) => entry,
            Ok(Written::PendingApproval(request)) => return Err(held(&action, &request)),
            Err(err) => return Err(secret_error(api, &action, &err)),
        };
        Ok(Stored {
            state: plan.written(&entry, &Computed::Null).to_value(),
            private: Vec::new(),
        })
    }

    async fn do_update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = SecretState::from_value(prior)?;
        let after = SecretState::from_value(planned)?;
        let client = api.client_or_error()?;
        let mut changes = SecretChanges::default();
        if after.name != before.name {
            changes.new_secret_name = Some(after.name.clone());
        }
        let resend_wo = after.value.is_none()
            && after.value_wo_version.is_some()
            && after.value_wo_version != before.value_wo_version;
        let value_changed = match (&before.value, &after.value) {
            (Some(a), Some(b)) => stored_value(a.expose()) != stored_value(b.expose()),
            (None, Some(_)) => true,
            // A value removed from the configuration stays as it is in Infisical.
            (_, None) => false,
        };
        if resend_wo || value_changed {
            changes.secret_value = Some(value_to_send(&after, config));
        }
        if let Computed::Known(comment) = &after.comment
            && before.comment.known().map(stored_value) != Some(stored_value(comment))
        {
            changes.secret_comment = Some(comment.clone());
        }
        if tag_set(after.tag_ids.as_ref()) != tag_set(before.tag_ids.as_ref()) {
            changes.tag_ids = Some(tag_set(after.tag_ids.as_ref()).into_iter().collect());
        }
        if after.metadata.clone().unwrap_or_default() != before.metadata.clone().unwrap_or_default()
        {
            changes.secret_metadata = Some(metadata_list(after.metadata.as_ref()));
        }
        let mut request = UpdateSecret::new(before.location()?);
        request.changes = changes;
        // A reminder removed from the configuration stays in Infisical (its API cannot remove
        // one; the plan warned).
        if let Some(reminder) = &after.reminder
            && !Reminder::same(Some(reminder), before.reminder.as_ref())
        {
            request.secret_reminder_note = Patch::Set(reminder.note.as_deref().unwrap_or(""));
            request.secret_reminder_repeat_days =
                u32::try_from(reminder.repeat_days).map_or(Patch::Unchanged, Patch::Set);
        }
        let action = format!("update the secret {:?}", before.name);
        let nothing_sent = request.changes == SecretChanges::default()
            && request.secret_reminder_note.is_unchanged()
            && request.secret_reminder_repeat_days.is_unchanged();
        let reminder_unchanged = request.secret_reminder_note.is_unchanged()
            && request.secret_reminder_repeat_days.is_unchanged();
        let entry = if nothing_sent {
            None
        } else {
            let written = if reminder_unchanged {
                client
                    .secrets()
                    .update_batched(&before.name, request.at, request.changes.clone())
                    .await
            } else {
                client.secrets().update(&before.name, &request).await
            };
            match written {
                Ok(Written::Applied(entry)) => Some(entry),
                Ok(Written::PendingApproval(request)) => return Err(held(&action, &request)),
                Err(err) => return Err(secret_error(api, &action, &err)),
            }
        };
        let state = match &entry {
            Some(entry) => after.written(entry, &before.comment),
            // Only this provider's view changed (e.g. `value` removed from the configuration).
            None => after.settled(&before),
        };
        Ok(Stored {
            state: state.to_value(),
            private: Vec::new(),
        })
    }

    async fn do_read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
    ) -> Result<ReadOutcome, Diagnostic> {
        let client = match api.client_or_keep(state, private) {
            Ok(client) => client,
            Err(kept) => return Ok(kept),
        };
        let known = SecretState::from_value(state)?;
        let id = known.known_id()?;
        let project = known.project_id()?;
        match client
            .secrets()
            .read(id, project, &known.env_slug, known.value.is_some())
            .await
        {
            Ok(entry) => Ok(ReadOutcome::Found(Stored {
                state: known.answered(&entry).to_value(),
                private: Rotation::encode(Rotation::of(&entry).as_ref()),
            })),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(secret_error(
                api,
                &format!("read the secret {:?} ({id})", known.name),
                &err,
            )),
        }
    }

    async fn do_delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = SecretState::from_value(prior)?;
        let action = format!("delete the secret {:?}", known.name);
        match api
            .client_or_error()?
            .secrets()
            .delete_batched(&known.name, known.location()?)
            .await
        {
            Ok(Written::Applied(_)) => Ok(()),
            Ok(Written::PendingApproval(request)) => Err(held(&action, &request)),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(secret_error(api, &action, &err)),
        }
    }

    async fn do_import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        let (write_only, rest) = match id.strip_prefix(WRITE_ONLY_PREFIX) {
            Some(rest) => (true, rest),
            None => (false, id),
        };
        let client = api.client_or_error()?;
        let action = format!("import the secret {id:?}");
        let entry = match rest.splitn(4, ':').collect::<Vec<_>>()[..] {
            [project, env, path, name]
                if [project, env, path, name].iter().all(|s| !s.is_empty()) =>
            {
                let at = SecretLocation {
                    project_id: project,
                    environment: env,
                    secret_path: path,
                };
                client.secrets().get_by_name(name, at, !write_only).await
            }
            [single] if !single.trim().is_empty() => client.secrets().get_by_id(single).await,
            _ => {
                return Err(Diagnostic {
                    severity: Severity::Error,
                    summary: "Invalid import id".to_owned(),
                    detail: format!(
                        "import a secret by its id, or by \
                         \"<project_id>:<env_slug>:<folder_path>:<name>\", either optionally \
                         prefixed with \"{WRITE_ONLY_PREFIX}\" to keep its value out of the \
                         state; got {id:?}."
                    ),
                    path: None,
                });
            }
        }
        .map_err(|err| {
            let mut diag = secret_error(api, &action, &err);
            if err.is_not_found() {
                diag.detail.push_str(
                    "\n\nImport a secret by its id, or by \
                     \"<project_id>:<env_slug>:<folder_path>:<name>\".",
                );
            }
            diag
        })?;
        let blank = SecretState {
            id: Computed::Known(entry.id.clone()),
            name: entry.secret_key.clone(),
            value: if write_only {
                None
            } else {
                Some(entry.value().cloned().unwrap_or_else(|| Secret::new("")))
            },
            value_wo_version: write_only.then_some(1),
            workspace_id: Computed::Known(entry.project_id.clone()),
            env_slug: entry.environment.clone(),
            folder_path: entry.secret_path.clone().unwrap_or_else(|| "/".to_owned()),
            tag_ids: None,
            metadata: None,
            reminder: None,
            comment: Computed::Unknown,
            last_updated: Computed::Unknown,
        };
        let mut state = blank.answered(&entry);
        if write_only {
            state.value = None;
        } else {
            state.value = entry.value().cloned().or(state.value);
        }
        Ok(state.to_value())
    }
}

#[tonic::async_trait]
impl Resource<Configured> for SecretResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    fn modify_plan(
        &self,
        input: &PlanInput<'_>,
        _planned: &mut Value,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) {
        check_plan(input, diags);
    }

    async fn create(
        &self,
        api: &Configured,
        planned: &Value,
        config: &Value,
        _private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        super::model::settle(self.do_create(api, planned, config).await, diags)
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        super::model::settle(self.do_read(api, state, private).await, diags)
            .unwrap_or(ReadOutcome::Failed)
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
        config: &Value,
        _private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        super::model::settle(self.do_update(api, prior, planned, config).await, diags)
    }

    async fn delete(&self, api: &Configured, prior: &Value, diags: &mut Diagnostics) {
        super::model::settle(self.do_delete(api, prior).await, diags);
    }

    async fn import(&self, api: &Configured, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        super::model::settle(self.do_import(api, id).await, diags)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(by_id::identity_schema("The secret's id (a UUID)."))
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        by_id::identity(state)
    }

    async fn import_identity(
        &self,
        api: &Configured,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let id = super::model::settle(
            by_id::identity_id(
                identity,
                "secret",
                "`id = \"<project_id>:<env_slug>:<folder_path>:<name>\"`",
            ),
            diags,
        )?;
        // As `terraform query` lists them: in the write-only form, no value in the state (the
        // configuration it generates sets `value_wo_version = 1`). Import by id to hold `value`.
        let write_only = format!("{WRITE_ONLY_PREFIX}{id}");
        super::model::settle(self.do_import(api, &write_only).await, diags)
    }

    fn list_schema(&self) -> Option<Schema> {
        use attr::*;
        Some(Schema {
            version: 0,
            description: "The secrets of a folder (or, with `recursive`, of the folders under \
                it), made in Terraform or in the Infisical UI, each named by its path and name \
                with its identity `{ id }`, for `terraform query` (Terraform 1.14 or later). \
                Values are never read: the configuration it generates uses the write-only \
                form, to be filled in.",
            attributes: vec![
                Attribute::string(WORKSPACE_ID)
                    .required()
                    .description("The project whose secrets are listed."),
                Attribute::string(ENV_SLUG)
                    .required()
                    .description("The environment's slug."),
                Attribute::string(FOLDER_PATH)
                    .description("The folder whose secrets are listed; `/` when left out."),
                Attribute::bool(LIST_RECURSIVE).description(
                    "Whether the folders under it are listed too (false when left out).",
                ),
            ],
        })
    }

    fn validate_list(&self, config: &Value, diags: &mut Diagnostics) {
        use attr::*;
        validate::not_blank(config.get(WORKSPACE_ID), AttrPath::new(WORKSPACE_ID), diags);
        validate::slug(
            config.get(ENV_SLUG),
            AttrPath::new(ENV_SLUG),
            64,
            "environment slug",
            "prod",
            diags,
        );
    }

    async fn list(
        &self,
        api: &Configured,
        config: &Value,
        limit: usize,
        diags: &mut Diagnostics,
    ) -> Vec<Listed> {
        by_id::listed(list_secrets(api, config, limit).await, diags)
    }
}

/// The list resource's `recursive`.
const LIST_RECURSIVE: &str = "recursive";

/// What a `list` block of secrets finds: one list request, values withheld; each secret in the
/// write-only form (`value_wo_version = 1`), as a `write-only:` import would hold it.
async fn list_secrets(
    api: &Configured,
    config: &Value,
    limit: usize,
) -> Result<Vec<Listed>, Diagnostic> {
    use attr::*;
    let client = api.client_or_error()?;
    let project_id = config.get(WORKSPACE_ID).as_str().unwrap_or_default();
    let environment = config.get(ENV_SLUG).as_str().unwrap_or_default();
    let folder = config.get(FOLDER_PATH).as_str().unwrap_or("/");
    let what = ListSecrets {
        project_id,
        environment,
        secret_path: folder,
        recursive: config.get(LIST_RECURSIVE).as_bool().unwrap_or(false),
        include_imports: false,
        view_secret_value: false,
        expand_secret_references: false,
    };
    let list = client.secrets().list(&what).await.map_err(|err| {
        secret_error(
            api,
            &format!("list the secrets of {environment}:{folder} in project {project_id}"),
            &err,
        )
    })?;
    Ok(list
        .secrets
        .into_iter()
        .filter(|entry| entry.secret_type == SecretType::Shared)
        .take(limit)
        .map(|entry| {
            let path = entry
                .secret_path
                .clone()
                .unwrap_or_else(|| stored_path(folder));
            let blank = SecretState {
                id: Computed::Known(entry.id.clone()),
                name: entry.secret_key.clone(),
                value: None,
                value_wo_version: Some(1),
                workspace_id: Computed::Known(entry.project_id.clone()),
                env_slug: entry.environment.clone(),
                folder_path: path.clone(),
                tag_ids: None,
                metadata: None,
                reminder: None,
                comment: Computed::Unknown,
                last_updated: Computed::Unknown,
            };
            let display_name = if path == "/" {
                format!("/{}", entry.secret_key)
            } else {
                format!("{path}/{}", entry.secret_key)
            };
            Listed {
                display_name,
                state: blank.answered(&entry).to_value(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::assert_agrees;

    #[test]
    fn the_model_and_schema_agree() {
        assert_agrees::<SecretState>(&schema());
    }

    fn entry(value: &str) -> SecretEntry {
        serde_json::from_value(serde_json::json!({
            "id": "s1", "workspace": "p1", "environment": "prod", "version": 2,
            "type": "shared", "secretKey": "DB_URL", "secretValue": value,
            "secretComment": "", "secretPath": "/app",
            "tags": [{ "id": "t1", "slug": "db" }],
            "secretMetadata": [{ "key": "owner", "value": "team" }],
            "updatedAt": "2026-12-06T05:04:03.000Z",
        }))
        .unwrap()
    }

    fn state(value: Option<&str>) -> SecretState {
        SecretState {
            id: Computed::Known("s1".into()),
            name: "DB_URL".into(),
            value: value.map(Secret::new),
            value_wo_version: None,
            workspace_id: Computed::Known("p1".into()),
            env_slug: "prod".into(),
            folder_path: "app/".into(),
            tag_ids: Some(["T1".to_owned()].into()),
            metadata: Some([("owner".to_owned(), "team".to_owned())].into()),
            reminder: None,
            comment: Computed::Known(String::new()),
            last_updated: Computed::Known("then".into()),
        }
    }

    #[test]
    fn what_infisical_stores_the_same_way_keeps_the_configured_form() {
        let kept = state(Some("  postgres://db \n\n")).answered(&entry("postgres://db\n"));
        assert_eq!(
            kept.value.as_ref().map(Secret::expose),
            Some("  postgres://db \n\n")
        );
        assert_eq!(kept.folder_path, "app/");
        assert_eq!(kept.tag_ids, Some(["T1".to_owned()].into()));
        // As Infisical answers it: the official provider stores a secret's `updatedAt` unchanged.
        assert_eq!(
            kept.last_updated,
            Computed::Known("2026-12-06T05:04:03.000Z".into())
        );
        let drifted = state(Some("postgres://db")).answered(&entry("postgres://other"));
        assert_eq!(
            drifted.value.as_ref().map(Secret::expose),
            Some("postgres://other")
        );
    }

    #[test]
    fn write_only_and_unmanaged_values_are_never_read_into_the_state() {
        let mut wo = state(None);
        wo.value_wo_version = Some(1);
        assert_eq!(wo.answered(&entry("secret")).value, None);
        assert_eq!(state(None).answered(&entry("secret")).value, None);
    }

    #[test]
    fn empty_metadata_and_tags_mean_none() {
        let mut none = state(Some("v"));
        none.metadata = Some(BTreeMap::new());
        none.tag_ids = None;
        let mut bare = entry("v");
        bare.tags.clear();
        bare.secret_metadata.clear();
        let read = none.answered(&bare);
        assert_eq!(read.metadata, Some(BTreeMap::new()));
        assert_eq!(read.tag_ids, None);
    }

    #[test]
    fn value_and_write_only_value_are_exclusive_and_versions_go_up() {
        let errors = |value: Value, wo: Value, version: Value| {
            let mut config = schema().null_object();
            config.set(attr::NAME, Value::string("KEY"));
            config.set(attr::WORKSPACE_ID, Value::string("p1"));
            config.set(attr::ENV_SLUG, Value::string("prod"));
            config.set(attr::FOLDER_PATH, Value::string("/"));
            config.set(attr::VALUE, value);
            config.set(attr::VALUE_WO, wo);
            config.set(attr::VALUE_WO_VERSION, version);
            let mut diags = Diagnostics::new();
            validate_config(&config, &mut diags);
            diags
                .iter()
                .filter_map(|d| d.path.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>()
        };
        assert!(errors(Value::string("v"), Value::Null, Value::Null).is_empty());
        assert!(errors(Value::Null, Value::string("v"), Value::int(1)).is_empty());
        assert_eq!(
            errors(Value::string("v"), Value::string("w"), Value::int(1)),
            ["value_wo"]
        );
        assert_eq!(
            errors(Value::Null, Value::string("w"), Value::Null),
            ["value_wo_version"]
        );
        assert_eq!(
            errors(Value::Null, Value::string("w"), Value::int(0)),
            ["value_wo_version"]
        );
    }

    #[test]
    fn bad_names_and_folder_paths_fail_at_plan() {
        let errors = |name: &str, path: &str| {
            let mut config = schema().null_object();
            config.set(attr::NAME, Value::string(name));
            config.set(attr::WORKSPACE_ID, Value::string("p1"));
            config.set(attr::ENV_SLUG, Value::string("prod"));
            config.set(attr::FOLDER_PATH, Value::string(path));
            let mut diags = Diagnostics::new();
            validate_config(&config, &mut diags);
            diags.has_errors()
        };
        assert!(!errors("DB_URL", "/app/db"));
        assert!(!errors("DB_URL", "/"));
        assert!(errors("DB URL", "/"));
        assert!(errors("DB_URL", "/app db"));
    }

    #[test]
    fn a_rotated_secret_refuses_a_value_change_at_plan() {
        let private = Rotation::encode(Some(&Rotation("r1".into())));
        let mut prior = schema().null_object();
        prior.set(attr::NAME, Value::string("KEY"));
        prior.set(attr::VALUE, Value::string("a"));
        let mut config = prior.clone();
        let plan = |config: &Value| {
            let mut diags = Diagnostics::new();
            check_plan(
                &PlanInput {
                    prior: &prior,
                    config,
                    prior_private: &private,
                },
                &mut diags,
            );
            diags.has_errors()
        };
        assert!(!plan(&config));
        config.set(attr::VALUE, Value::string("b"));
        assert!(plan(&config));
    }
}
