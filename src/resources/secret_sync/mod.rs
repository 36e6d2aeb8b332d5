//! `infisical_secret_sync_github`: a GitHub secret sync, which pushes one folder of an Infisical
//! environment to a repository, a repository environment or an organization on GitHub. The
//! attribute names are the official provider's, so its configurations and state carry over; on
//! top of them:
//!
//! - plan-time validation of each scope's fields, of the key schema and of the values GitHub
//!   cannot take, with attribute paths and no request;
//! - apply waits for the run it queued (`wait_for_sync`, bounded by `timeouts`), telling that run
//!   from an earlier one by its job id, and reports GitHub's message and what it means: an update
//!   whose run failed fails; a create whose first run failed keeps the sync with a warning (an
//!   error would taint it, and the replacement would remove and rewrite GitHub's secrets on
//!   every apply);
//! - a refresh reads everything back (`sync_status`, `last_sync_message`, `last_synced_at` too)
//!   and warns about a failed last run; a failed run is never a planned change: the sync runs
//!   again when the configuration changes or when `resync_triggers` does, decided at plan and
//!   carried to apply in the plan's private data;
//! - updates send what changed, compared as Infisical stores it (`auto_sync_enabled = false`
//!   included); an edit Infisical does not see sends nothing and runs nothing;
//! - destroy can remove the synced secrets from GitHub first (`remove_secrets_on_destroy`);
//! - a warning at plan when another sync of the organization writes to the same destination;
//! - the lookup by name after a create whose answer was lost; import by id, by
//!   `<project_id>/<name>`, or by resource identity (`{ id }`);
//! - a list resource for `terraform query` (`config { project_id }`) and the configuration a
//!   person would write for what it finds.

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{
    IdentitySchema, Listed, PlanInput, ReadOutcome, Resource, Stored,
};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema, defaults_of};
use crate::tfplugin::timeouts::{self, Op};
use crate::tfplugin::value::{Type, Value};

use super::configured::Configured;
#[cfg(test)]
use super::model::Model;
use super::model::settle;
use super::{by_id, validate};

mod lifecycle;
mod outcome;
mod state;

#[cfg(test)]
use state::{Options, Sync};

/// The resource's type name.
pub(crate) const TYPE_NAME: &str = "infisical_secret_sync_github";

/// The attribute names, written once for the schema, the validation and the model.
pub(crate) mod attr {
    pub(crate) const ID: &str = "id";
    pub(crate) const NAME: &str = "name";
    pub(crate) const DESCRIPTION: &str = "description";
    pub(crate) const PROJECT_ID: &str = "project_id";
    pub(crate) const CONNECTION_ID: &str = "connection_id";
    pub(crate) const ENVIRONMENT: &str = "environment";
    pub(crate) const SECRET_PATH: &str = "secret_path";
    pub(crate) const AUTO_SYNC_ENABLED: &str = "auto_sync_enabled";
    pub(crate) const DESTINATION_CONFIG: &str = "destination_config";
    pub(crate) const SYNC_OPTIONS: &str = "sync_options";
    pub(crate) const REMOVE_SECRETS_ON_DESTROY: &str = "remove_secrets_on_destroy";
    pub(crate) const WAIT_FOR_SYNC: &str = "wait_for_sync";
    pub(crate) const SYNC_STATUS: &str = "sync_status";
    pub(crate) const LAST_SYNC_MESSAGE: &str = "last_sync_message";
    pub(crate) const LAST_SYNCED_AT: &str = "last_synced_at";
    pub(crate) const RESYNC_TRIGGERS: &str = "resync_triggers";
    pub(crate) const TIMEOUTS: &str = crate::tfplugin::timeouts::NAME;
    // destination_config
    pub(crate) const SCOPE: &str = "scope";
    pub(crate) const REPOSITORY_OWNER: &str = "repository_owner";
    pub(crate) const REPOSITORY_NAME: &str = "repository_name";
    pub(crate) const REPOSITORY_ENVIRONMENT: &str = "repository_environment";
    pub(crate) const VISIBILITY: &str = "visibility";
    pub(crate) const SELECTED_REPOSITORY_IDS: &str = "selected_repository_ids";
    // sync_options
    pub(crate) const INITIAL_SYNC_BEHAVIOR: &str = "initial_sync_behavior";
    pub(crate) const DISABLE_SECRET_DELETION: &str = "disable_secret_deletion";
    pub(crate) const KEY_SCHEMA: &str = "key_schema";
}

/// The destination scopes.
pub(crate) mod scope {
    pub(crate) const ORGANIZATION: &str = "organization";
    pub(crate) const REPOSITORY: &str = "repository";
    pub(crate) const REPOSITORY_ENVIRONMENT: &str = "repository-environment";
    pub(crate) const ALL: [&str; 3] = [ORGANIZATION, REPOSITORY, REPOSITORY_ENVIRONMENT];
}

/// The organization-scope visibilities.
const VISIBILITIES: [&str; 3] = ["all", "private", VISIBILITY_SELECTED];
/// The visibility that takes `selected_repository_ids`.
const VISIBILITY_SELECTED: &str = "selected";
/// The one initial sync behavior GitHub allows (it cannot give secrets back to import).
const DEFAULT_INITIAL_SYNC: &str = "overwrite-destination";
/// The import behaviors other destinations take.
const IMPORT_BEHAVIORS: [&str; 2] = ["import-prioritize-source", "import-prioritize-destination"];
/// The longest sync name.
const NAME_MAX: usize = 256;
/// The longest environment slug.
const ENVIRONMENT_MAX: usize = 64;
/// The longest key schema.
const KEY_SCHEMA_MAX: usize = 255;
/// The key schema's placeholder for the secret's key.
const SECRET_KEY: &str = "{{secretKey}}";
/// The key schema's placeholder for the environment's slug.
const ENVIRONMENT_PLACEHOLDER: &str = "{{environment}}";
/// How long an apply waits for a run (or a destroy for a removal) unless `timeouts` says: the
/// server starts a run 0–10 s after queueing it, retries a failing one for about 45 s, and puts
/// back a job that meets another's lock (or a connection's five running jobs) for 30–40 s at a
/// time, so a few minutes cover a fan-out of syncs on one connection.
pub(crate) const WAIT_DEFAULT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The resource.
pub(crate) struct GitHubSync;

/// The resource's schema.
pub(crate) fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A GitHub secret sync: Infisical pushes the secrets of one folder of a \
            project environment to GitHub Actions secrets of a repository, a repository \
            environment or an organization, and pushes again whenever they change (with \
            `auto_sync_enabled`). GitHub stores the names upper-cased. The apply waits for the \
            sync's outcome and fails with GitHub's message when it fails.",
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The sync's id."),
            Attribute::string(NAME).required().description(
                "The sync's name: 1–256 lowercase letters, digits and single hyphens, unique in \
                 its project. Can be changed in place.",
            ),
            Attribute::string(DESCRIPTION)
                .description("A description (at most 256 characters). Null and \"\" are the same."),
            Attribute::string(PROJECT_ID)
                .required()
                .requires_replace()
                .description("The project whose secrets are synced. Changing it replaces the sync."),
            Attribute::string(CONNECTION_ID).required().description(
                "The id of the GitHub app connection (`infisical_app_connection_github`) the sync \
                 writes to GitHub with. Its token or installation must reach the destination.",
            ),
            Attribute::string(ENVIRONMENT)
                .required()
                .description("The slug of the source environment, e.g. `prod`."),
            Attribute::string(SECRET_PATH)
                .required()
                .description("The path of the source folder, e.g. `/` or `/app`."),
            Attribute::bool(AUTO_SYNC_ENABLED)
                .optional_computed()
                .default(Value::Bool(true))
                .description(
                "Whether a change of the source secrets (and any update of the sync) pushes them \
                 again. Defaults to `true`.",
            ),
            Attribute::single(DESTINATION_CONFIG, destination_attributes())
                .required()
                .description("Where on GitHub the secrets go."),
            Attribute::single(SYNC_OPTIONS, option_attributes())
                .optional_computed()
                .default(defaults_of(&option_attributes()))
                .description("How the secrets are written. Defaults are filled in."),
            Attribute::bool(REMOVE_SECRETS_ON_DESTROY)
                .optional_computed()
                .default(Value::Bool(false))
                .description(
                    "Whether destroying the sync first removes the secrets it synced from GitHub \
                     (and waits until it has). If removing fails, destroy fails and the sync \
                     stays. Defaults to `false`: GitHub keeps the secrets.",
                ),
            Attribute::bool(WAIT_FOR_SYNC)
                .optional_computed()
                .default(Value::Bool(true))
                .description(
                "Whether apply waits for the outcome of the run a create or an update queues \
                 (for as long as `timeouts` allows). An update whose run fails fails with \
                 GitHub's message; a create whose first run fails keeps the sync, with GitHub's \
                 message as a warning. A failed run is not run again by itself: change the \
                 configuration or `resync_triggers`. Defaults to `true`.",
            ),
            Attribute::map(RESYNC_TRIGGERS, Type::String).description(
                "Any values: changing one (or adding or removing one) runs the sync again in place \
                 on the next apply, e.g. `resync_triggers = { fixed = \"2026-12-05\" }` once the \
                 cause of a failed run (a revoked token, a missing GitHub permission, a secret \
                 GitHub refuses) is fixed outside Terraform. Nothing is replaced, and nothing is \
                 sent to Infisical when they stay the same.",
            ),
            Attribute::string(SYNC_STATUS).computed().description(
                "The last run's status: `pending`, `running`, `succeeded` or `failed`; null for \
                 a sync that never ran (auto-sync off).",
            ),
            Attribute::string(LAST_SYNC_MESSAGE)
                .computed()
                .description("Why the last sync failed (GitHub's answer); null after a success."),
            Attribute::string(LAST_SYNCED_AT)
                .computed()
                .description("When the last successful sync ended (as Infisical writes it, ISO 8601)."),
            timeouts::block(&[
                (
                    Op::Create,
                    "How long create waits for the first run (with `wait_for_sync`). Defaults to \
                     `10m`; a wait that runs out keeps the sync with a warning.",
                ),
                (
                    Op::Update,
                    "How long update waits for a job in progress to end and for its own run. \
                     Defaults to `10m`; a wait that runs out keeps the sync with a warning.",
                ),
                (
                    Op::Delete,
                    "How long destroy waits for a job in progress and, with \
                     `remove_secrets_on_destroy`, for the removal. Defaults to `10m`.",
                ),
            ]),
        ],
    }
}

fn destination_attributes() -> Vec<Attribute> {
    use attr::*;
    vec![
        Attribute::string(SCOPE).required().description(
            "`repository` (a repository's secrets), `repository-environment` (a repository \
             environment's secrets) or `organization` (an organization's secrets).",
        ),
        Attribute::string(REPOSITORY_OWNER).description(
            "The repository's owner; for `organization`, the organization. Required for every \
             scope.",
        ),
        Attribute::string(REPOSITORY_NAME)
            .description("The repository's name (`repository`, `repository-environment`)."),
        Attribute::string(REPOSITORY_ENVIRONMENT)
            .description("The repository environment's name (`repository-environment` only)."),
        Attribute::string(VISIBILITY).description(
            "Which repositories of the organization may use the secrets: `all`, `private` or \
             `selected` (`organization` only, required there).",
        ),
        Attribute::list(SELECTED_REPOSITORY_IDS, Type::Number).description(
            "The numeric ids of the repositories that may use the secrets: with `visibility = \
             \"selected\"`, and only then.",
        ),
    ]
}

fn option_attributes() -> Vec<Attribute> {
    use attr::*;
    vec![
        Attribute::string(INITIAL_SYNC_BEHAVIOR)
            .optional_computed()
            .default(Value::string(DEFAULT_INITIAL_SYNC))
            .description(
                "What the first sync does with the destination: `overwrite-destination` (the \
                 default, and the only behavior GitHub allows: it cannot give secrets back to \
                 import).",
            ),
        Attribute::bool(DISABLE_SECRET_DELETION)
            .optional_computed()
            .default(Value::Bool(false))
            .description(
                "Keep GitHub secrets that match the key schema but are not in the source. \
                 Defaults to `false`: they are deleted.",
            ),
        Attribute::string(KEY_SCHEMA).description(
            "How a secret's name is written at the destination, e.g. `APP_{{secretKey}}`: must \
             contain `{{secretKey}}`, may contain `{{environment}}`, and otherwise only letters, \
             digits, `_`, `-` and `/`. Unset writes the key itself.",
        ),
    ]
}

/// Plan-time validation: everything that can be checked without the API.
pub(crate) fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    let p = AttrPath::new;
    validate::slug(
        config.get(NAME),
        p(NAME),
        NAME_MAX,
        "sync name",
        "app-to-github",
        diags,
    );
    validate::description(config.get(DESCRIPTION), p(DESCRIPTION), diags);
    validate::not_blank(config.get(PROJECT_ID), p(PROJECT_ID), diags);
    validate::uuid(config.get(CONNECTION_ID), p(CONNECTION_ID), diags);
    validate::slug(
        config.get(ENVIRONMENT),
        p(ENVIRONMENT),
        ENVIRONMENT_MAX,
        "environment",
        "prod",
        diags,
    );
    if let Some(path) = config.get(SECRET_PATH).as_str()
        && !path.trim().starts_with('/')
    {
        diags.attr_error(
            p(SECRET_PATH),
            "Invalid secret_path",
            format!("secret_path is a folder path starting with \"/\", e.g. \"/\" or \"/app\"; got {path:?}."),
        );
    }
    let destination = config.get(DESTINATION_CONFIG);
    if !destination.is_null() && !destination.is_unknown() {
        validate_destination(destination, &p(DESTINATION_CONFIG), diags);
    }
    let options = config.get(SYNC_OPTIONS);
    if !options.is_null() && !options.is_unknown() {
        validate_options(options, &p(SYNC_OPTIONS), diags);
    }
    timeouts::validate(config, diags);
}

/// Each scope's fields present, the others absent; `selected_repository_ids` with `selected`.
fn validate_destination(destination: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    use attr::*;
    let scope_value = destination.get(SCOPE);
    validate::one_of(scope_value, &scope::ALL, at.attr(SCOPE), diags);
    let Some(scope) = scope_value.as_str().filter(|s| scope::ALL.contains(s)) else {
        return;
    };
    let (required, forbidden): (&[&str], &[&str]) = match scope {
        scope::ORGANIZATION => (
            &[REPOSITORY_OWNER, VISIBILITY],
            &[REPOSITORY_NAME, REPOSITORY_ENVIRONMENT],
        ),
        scope::REPOSITORY => (
            &[REPOSITORY_OWNER, REPOSITORY_NAME],
            &[REPOSITORY_ENVIRONMENT, VISIBILITY, SELECTED_REPOSITORY_IDS],
        ),
        _ => (
            &[REPOSITORY_OWNER, REPOSITORY_NAME, REPOSITORY_ENVIRONMENT],
            &[VISIBILITY, SELECTED_REPOSITORY_IDS],
        ),
    };
    let why = format!("for scope {scope:?}");
    for name in required {
        validate::required(destination.get(name), at.attr(name), &why, diags);
        validate::not_blank(destination.get(name), at.attr(name), diags);
    }
    for name in forbidden {
        validate::forbidden(destination.get(name), at.attr(name), &why, diags);
    }
    if scope != scope::ORGANIZATION {
        return;
    }
    let visibility = destination.get(VISIBILITY);
    validate::one_of(visibility, &VISIBILITIES, at.attr(VISIBILITY), diags);
    let ids = destination.get(SELECTED_REPOSITORY_IDS);
    let ids_path = at.attr(SELECTED_REPOSITORY_IDS);
    match visibility.as_str() {
        Some(VISIBILITY_SELECTED) => {
            validate::required(ids, ids_path.clone(), "with visibility \"selected\"", diags);
            if let Value::List(items) = ids {
                if items.is_empty() {
                    diags.attr_error(
                        ids_path.clone(),
                        "Empty selected_repository_ids",
                        "with visibility \"selected\", list at least one repository id.",
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    if !item.is_unknown() && item.as_int().is_none_or(|n| n < 1) {
                        diags.attr_error(
                            ids_path.index(i),
                            "Invalid repository id",
                            "a repository id is a whole number of 1 or more (GitHub's numeric \
                             repository id, not its name).",
                        );
                    }
                }
            }
        }
        Some(other) => validate::forbidden(
            ids,
            ids_path,
            &format!("with visibility {other:?} (only with \"selected\")"),
            diags,
        ),
        None => {}
    }
}

/// The initial sync behavior GitHub takes, and the key schema's rules.
fn validate_options(options: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    use attr::*;
    let behavior = options.get(INITIAL_SYNC_BEHAVIOR);
    if let Some(value) = behavior.as_str()
        && IMPORT_BEHAVIORS.contains(&value)
    {
        diags.attr_error(
            at.attr(INITIAL_SYNC_BEHAVIOR),
            "Initial sync behavior not supported by GitHub",
            format!(
                "GitHub cannot give secrets back, so a GitHub sync cannot import ({value:?}); \
                 use \"{DEFAULT_INITIAL_SYNC}\" (the default) or leave initial_sync_behavior unset."
            ),
        );
    } else {
        validate::one_of(
            behavior,
            &[DEFAULT_INITIAL_SYNC],
            at.attr(INITIAL_SYNC_BEHAVIOR),
            diags,
        );
    }
    if let Some(schema) = options.get(KEY_SCHEMA).as_str()
        && let Some(problem) = key_schema_problem(schema)
    {
        diags.attr_error(
            at.attr(KEY_SCHEMA),
            "Invalid key_schema",
            format!(
                "key_schema {schema:?} {problem}. A key schema contains {SECRET_KEY}, may \
                 contain {ENVIRONMENT_PLACEHOLDER}, and otherwise only letters, digits, `_`, `-` \
                 and `/`, e.g. \"APP_{SECRET_KEY}\"."
            ),
        );
    } else if let Some(schema) = options.get(KEY_SCHEMA).as_str()
        && options.get(DISABLE_SECRET_DELETION) != &Value::Bool(true)
        && !options.get(DISABLE_SECRET_DELETION).is_unknown()
        && let Some(why) = never_deletes(schema)
    {
        diags.attr_warning(
            at.attr(KEY_SCHEMA),
            "This key schema never deletes stale secrets",
            format!(
                "key_schema {schema:?} {why}. GitHub stores secret names upper-cased, and \
                 Infisical compares the key schema with them as written, letter case included, \
                 when it looks for secrets to delete: with this schema, a secret removed from \
                 Infisical stays on GitHub. Write the schema's letters in upper case (e.g. \
                 \"APP_{SECRET_KEY}\"), or set disable_secret_deletion = true to say that \
                 secrets are never deleted."
            ),
        );
    }
}

/// Why Infisical's deletion (`matchesSchema`) can never match GitHub's upper-case names with
/// this key schema, if it cannot: a lower-case letter outside the placeholders, or
/// `{{environment}}`, which becomes the environment's slug (lower case).
fn never_deletes(schema: &str) -> Option<&'static str> {
    if schema.contains(ENVIRONMENT_PLACEHOLDER) {
        return Some("contains {{environment}}, which becomes the environment's lower-case slug");
    }
    let literal = schema.replace(SECRET_KEY, "");
    literal
        .chars()
        .any(|c| c.is_ascii_lowercase())
        .then_some("contains lower-case letters")
}

/// What is wrong with a key schema, if anything: Infisical's
/// `^([a-zA-Z0-9_\-/]|{{secretKey}}|{{environment}})*$` plus the `{{secretKey}}` it must hold.
fn key_schema_problem(schema: &str) -> Option<String> {
    if schema.is_empty() {
        return None;
    }
    if schema.chars().count() > KEY_SCHEMA_MAX {
        return Some(format!("is longer than {KEY_SCHEMA_MAX} characters"));
    }
    if !schema.contains(SECRET_KEY) {
        return Some(format!("does not contain {SECRET_KEY}"));
    }
    let mut rest = schema;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest
            .strip_prefix(SECRET_KEY)
            .or_else(|| rest.strip_prefix(ENVIRONMENT_PLACEHOLDER))
        {
            rest = after;
        } else if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/') {
            rest = &rest[c.len_utf8()..];
        } else {
            return Some(format!("contains {c:?}, which is not allowed"));
        }
    }
    None
}

/// Decides whether the apply runs the sync: when Infisical will see a change (a PATCH with
/// auto-sync queues a run) or when `resync_triggers` changed. Then the status is unknown;
/// otherwise it stays as it is, a failed one included (a failed run is shown by refresh, never
/// planned as a change). The decision goes to the apply in the plan's private data. What the
/// configuration leaves unset has its default already (the schema's, planned by the framework).
fn modify_plan(input: &PlanInput<'_>, planned: &mut Value, private: &mut Vec<u8>) {
    use attr::*;
    let prior = input.prior;
    private.clear();
    if prior.is_null() {
        return;
    }
    let decision = lifecycle::Decision {
        rerun: !planned
            .get(RESYNC_TRIGGERS)
            .same_as(prior.get(RESYNC_TRIGGERS)),
    };
    let queues = planned.get(AUTO_SYNC_ENABLED) != &Value::Bool(false)
        && lifecycle::infisical_sees_change(prior, planned);
    let status = [SYNC_STATUS, LAST_SYNC_MESSAGE, LAST_SYNCED_AT];
    for name in status {
        let value = if decision.rerun || queues {
            Value::Unknown
        } else {
            prior.get(name).clone()
        };
        planned.set(name, value);
    }
    *private = decision.encode();
}

#[tonic::async_trait]
impl Resource<Configured> for GitHubSync {
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
        planned: &mut Value,
        private: &mut Vec<u8>,
        _diags: &mut Diagnostics,
    ) {
        modify_plan(input, planned, private);
    }

    async fn advise_plan(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) {
        // Only a new destination can duplicate another sync's.
        let destination = planned.get(attr::DESTINATION_CONFIG);
        if prior.is_null() || !destination.same_as(prior.get(attr::DESTINATION_CONFIG)) {
            lifecycle::check_destination(api, prior, planned, diags).await;
        }
    }

    async fn create(
        &self,
        api: &Configured,
        planned: &Value,
        _config: &Value,
        _private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        lifecycle::create(api, planned, diags).await
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        let outcome = lifecycle::read(api, state, private, diags).await;
        settle(outcome, diags).unwrap_or(ReadOutcome::Failed)
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        lifecycle::update(api, prior, planned, private, diags).await
    }

    async fn delete(&self, api: &Configured, prior: &Value, diags: &mut Diagnostics) {
        settle(lifecycle::delete(api, prior).await, diags);
    }

    async fn import(&self, api: &Configured, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        settle(lifecycle::import(api, id).await, diags)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(by_id::identity_schema("The sync's id (a UUID)."))
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
        let id = settle(
            by_id::identity_id(identity, "GitHub sync", "`id = \"<project_id>/<name>\"`"),
            diags,
        )?;
        settle(lifecycle::import(api, &id).await, diags)
    }

    fn list_schema(&self) -> Option<Schema> {
        Some(Schema {
            version: 0,
            description: "The GitHub secret syncs of a project, made in Terraform or in the \
                Infisical UI, each named by its name with its identity `{ id }`, for `terraform \
                query` (Terraform 1.14 or later) and the configuration it generates.",
            attributes: vec![
                Attribute::string(by_id::PROJECT_ID)
                    .required()
                    .description("The project whose GitHub syncs are listed."),
            ],
        })
    }

    fn validate_list(&self, config: &Value, diags: &mut Diagnostics) {
        by_id::validate_list(config, diags);
    }

    async fn list(
        &self,
        api: &Configured,
        config: &Value,
        limit: usize,
        diags: &mut Diagnostics,
    ) -> Vec<Listed> {
        by_id::listed(lifecycle::list(api, config, limit, diags).await, diags)
    }

    fn upgrade_state(&self, version: i64, json: &[u8], diags: &mut Diagnostics) -> Option<Value> {
        // The official provider's state (version 0 too) lacks this provider's own settings: the
        // framework fills in their defaults, so its configurations plan no change.
        let schema = schema();
        if version != schema.version {
            diags.error(
                "Unsupported state version",
                format!(
                    "the stored state of this {TYPE_NAME} has schema version {version}, and this \
                     provider only reads version {}.",
                    schema.version
                ),
            );
            return None;
        }
        crate::tfplugin::framework::decode_state(json, &schema, diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(config: Value) -> Vec<String> {
        let mut diags = Diagnostics::new();
        validate_config(&config, &mut diags);
        diags
            .iter()
            .map(|d| d.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }

    fn base(destination: Value) -> Value {
        Value::object([
            (attr::NAME, Value::string("app-sync")),
            (attr::PROJECT_ID, Value::string("p")),
            (
                attr::CONNECTION_ID,
                Value::string("6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f"),
            ),
            (attr::ENVIRONMENT, Value::string("prod")),
            (attr::SECRET_PATH, Value::string("/")),
            (attr::DESTINATION_CONFIG, destination),
        ])
    }

    #[test]
    fn key_schemas_follow_infisicals_pattern() {
        assert_eq!(key_schema_problem("APP_{{secretKey}}"), None);
        assert_eq!(key_schema_problem("{{environment}}/{{secretKey}}-x"), None);
        assert!(key_schema_problem("APP_").is_some());
        assert!(key_schema_problem("APP.{{secretKey}}").is_some());
        assert!(key_schema_problem("{{secretkey}}").is_some());
    }

    #[test]
    fn each_scope_takes_its_fields() {
        let repo = Value::object([
            (attr::SCOPE, Value::string("repository")),
            (attr::REPOSITORY_OWNER, Value::string("o")),
            (attr::REPOSITORY_NAME, Value::string("r")),
        ]);
        assert!(errors(base(repo)).is_empty());
        let org = Value::object([
            (attr::SCOPE, Value::string("organization")),
            (attr::REPOSITORY_OWNER, Value::string("o")),
            (attr::REPOSITORY_NAME, Value::string("r")),
            (attr::VISIBILITY, Value::string("selected")),
        ]);
        assert_eq!(
            errors(base(org)),
            [
                "destination_config.repository_name",
                "destination_config.selected_repository_ids"
            ]
        );
    }

    #[test]
    fn the_model_round_trips() {
        let mut value = base(Value::object([
            (attr::SCOPE, Value::string("organization")),
            (attr::REPOSITORY_OWNER, Value::string("o")),
            (attr::REPOSITORY_NAME, Value::Null),
            (attr::REPOSITORY_ENVIRONMENT, Value::Null),
            (attr::VISIBILITY, Value::string("selected")),
            (
                attr::SELECTED_REPOSITORY_IDS,
                Value::List(vec![Value::int(7)]),
            ),
        ]));
        for (name, v) in [
            (attr::ID, Value::string("i")),
            (attr::DESCRIPTION, Value::Null),
            (attr::AUTO_SYNC_ENABLED, Value::Bool(false)),
            (attr::SYNC_OPTIONS, Options::defaults().to_value()),
            (attr::REMOVE_SECRETS_ON_DESTROY, Value::Bool(true)),
            (attr::WAIT_FOR_SYNC, Value::Bool(true)),
            (attr::SYNC_STATUS, Value::string("succeeded")),
            (attr::LAST_SYNC_MESSAGE, Value::Null),
            (attr::LAST_SYNCED_AT, Value::string("t")),
            (
                attr::RESYNC_TRIGGERS,
                Value::object([("fixed", Value::string("1"))]),
            ),
            (
                attr::TIMEOUTS,
                Value::object([("create", Value::string("5m"))]),
            ),
        ] {
            value.set(name, v);
        }
        let model = Sync::from_value(&value).unwrap();
        assert_eq!(model.to_value(), value);
        let names: Vec<_> = schema().attributes.iter().map(|a| a.name).collect();
        let Value::Map(map) = &value else {
            unreachable!()
        };
        assert_eq!(map.len(), names.len());
        assert!(names.iter().all(|n| map.contains_key(*n)));
    }

    /// A full state of a synced repository sync, as refresh leaves it.
    fn stored() -> Value {
        let mut value = base(Value::object([
            (attr::SCOPE, Value::string("repository")),
            (attr::REPOSITORY_OWNER, Value::string("o")),
            (attr::REPOSITORY_NAME, Value::string("r")),
            (attr::REPOSITORY_ENVIRONMENT, Value::Null),
            (attr::VISIBILITY, Value::Null),
            (attr::SELECTED_REPOSITORY_IDS, Value::Null),
        ]));
        for (name, v) in [
            (attr::ID, Value::string("i")),
            (attr::DESCRIPTION, Value::string("x")),
            (attr::AUTO_SYNC_ENABLED, Value::Bool(true)),
            (attr::SYNC_OPTIONS, Options::defaults().to_value()),
            (attr::REMOVE_SECRETS_ON_DESTROY, Value::Bool(false)),
            (attr::WAIT_FOR_SYNC, Value::Bool(true)),
            (attr::SYNC_STATUS, Value::string("failed")),
            (attr::LAST_SYNC_MESSAGE, Value::string("boom")),
            (attr::LAST_SYNCED_AT, Value::Null),
            (attr::RESYNC_TRIGGERS, Value::Null),
            (attr::TIMEOUTS, Value::Null),
        ] {
            value.set(name, v);
        }
        value
    }

    /// The plan of `edit` applied to the stored state: whether the status is unknown (a run is
    /// planned), and the decision carried to the apply.
    fn planned(edit: impl Fn(&mut Value)) -> (bool, lifecycle::Decision) {
        let prior = stored();
        let mut config = prior.clone();
        for name in [
            attr::ID,
            attr::SYNC_STATUS,
            attr::LAST_SYNC_MESSAGE,
            attr::LAST_SYNCED_AT,
        ] {
            config.set(name, Value::Null);
        }
        edit(&mut config);
        let mut plan = config.clone();
        plan.set(attr::ID, prior.get(attr::ID).clone());
        let input = PlanInput {
            prior: &prior,
            config: &config,
            prior_private: &[],
        };
        let mut private = Vec::new();
        modify_plan(&input, &mut plan, &mut private);
        let unknown = plan.get(attr::SYNC_STATUS).is_unknown();
        if !unknown {
            assert_eq!(plan.get(attr::SYNC_STATUS), prior.get(attr::SYNC_STATUS));
            assert_eq!(
                plan.get(attr::LAST_SYNC_MESSAGE),
                prior.get(attr::LAST_SYNC_MESSAGE)
            );
        }
        (unknown, lifecycle::Decision::decode(&private))
    }

    #[test]
    fn a_run_is_planned_only_for_a_change_infisical_sees_or_new_triggers() {
        use lifecycle::Decision;
        let rerun = Decision { rerun: true };
        let none = Decision::default();
        type Edit = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Edit, bool, Decision)> = vec![
            (
                "nothing changed, last run failed",
                Box::new(|_| {}),
                false,
                none,
            ),
            (
                "a heredoc's newline on the description",
                Box::new(|c| c.set(attr::DESCRIPTION, Value::string("x\n"))),
                false,
                none,
            ),
            (
                "a trailing / on the path",
                Box::new(|c| c.set(attr::SECRET_PATH, Value::string("//"))),
                true,
                none,
            ),
            (
                "the provider's own settings",
                Box::new(|c| {
                    c.set(attr::WAIT_FOR_SYNC, Value::Bool(false));
                    c.set(attr::REMOVE_SECRETS_ON_DESTROY, Value::Bool(true));
                    c.set(
                        attr::TIMEOUTS,
                        Value::object([("update", Value::string("1m"))]),
                    );
                }),
                false,
                none,
            ),
            (
                "a new description",
                Box::new(|c| c.set(attr::DESCRIPTION, Value::string("y"))),
                true,
                none,
            ),
            (
                "auto-sync turned off",
                Box::new(|c| c.set(attr::AUTO_SYNC_ENABLED, Value::Bool(false))),
                false,
                none,
            ),
            (
                "a connection known only at apply",
                Box::new(|c| c.set(attr::CONNECTION_ID, Value::Unknown)),
                true,
                none,
            ),
            (
                "triggers set",
                Box::new(|c| {
                    c.set(
                        attr::RESYNC_TRIGGERS,
                        Value::object([("fixed", Value::string("1"))]),
                    )
                }),
                true,
                rerun,
            ),
            (
                "triggers set with auto-sync off",
                Box::new(|c| {
                    c.set(attr::AUTO_SYNC_ENABLED, Value::Bool(false));
                    c.set(
                        attr::RESYNC_TRIGGERS,
                        Value::object([("fixed", Value::Unknown)]),
                    );
                }),
                true,
                rerun,
            ),
        ];
        for (what, edit, unknown, decision) in cases {
            assert_eq!(planned(edit), (unknown, decision), "{what}");
        }
    }

    #[test]
    fn a_key_schema_that_cannot_delete_is_warned_only_while_deletion_is_on() {
        let warned = |schema: &str, disable: Value| {
            let mut config = stored();
            config.set(
                attr::SYNC_OPTIONS,
                Value::object([
                    (attr::INITIAL_SYNC_BEHAVIOR, Value::Null),
                    (attr::DISABLE_SECRET_DELETION, disable),
                    (attr::KEY_SCHEMA, Value::string(schema)),
                ]),
            );
            let mut diags = Diagnostics::new();
            validate_config(&config, &mut diags);
            diags
                .iter()
                .map(|d| (d.summary.clone(), d.path.as_ref().map(ToString::to_string)))
                .collect::<Vec<_>>()
        };
        let path = Some("sync_options.key_schema".to_owned());
        for schema in ["App_{{secretKey}}", "{{environment}}_{{secretKey}}"] {
            let said = warned(schema, Value::Null);
            assert_eq!(said.len(), 1, "{schema}: {said:?}");
            assert_eq!(said[0].1, path, "{schema}");
            assert!(warned(schema, Value::Bool(true)).is_empty(), "{schema}");
        }
        assert!(warned("APP_{{secretKey}}", Value::Null).is_empty());
        assert!(warned("{{secretKey}}_V2", Value::Bool(false)).is_empty());
    }
}
