//! The app-connection base: the lifecycle every Infisical app connection shares, whatever the
//! app. An app adds only what is its own through [`ConnectionApp`] — its credentials, their
//! rules and its guidance (`github.rs` is the one to copy) — and gets:
//!
//! - the shared attributes (`id`, `name`, `description`, `method`, `project_id`, `gateway_id`,
//!   `credentials_hash`) and their validation;
//! - drift through `credentialsHash`: the server never returns secrets, and the hash (of a fresh
//!   ciphertext) changes on every credential write, so credentials are sent only on create, when
//!   the configured credentials change, or after drift — never on an unrelated update;
//! - write-only secrets (Terraform ≥ 1.11), each paired with a version: sent on create, when the
//!   version changes (never lowered), and after drift — a refresh that sees the hash changed
//!   forgets the version in state, so the configured one differs and the plan writes again;
//! - single-use secrets (GitHub's `code`): fingerprints of those already exchanged, kept in
//!   private state, refuse a reuse at plan; a name another connection has is refused before a
//!   single-use secret is spent on it;
//! - the lookup by name after a create whose answer was lost, so there is never a duplicate;
//! - import by id, by name, or by `<project_id>/<name>`; 404 on read as "gone"; write errors;
//! - resource identity (Terraform ≥ 1.12): `{ id }`, from the state, and import by it;
//! - a list resource for `terraform query` (Terraform ≥ 1.14): one list request per scope, and
//!   the configuration a person would write for what it finds (`-generate-config-out`);
//! - the data source ([`AppConnectionData`]).

use std::marker::PhantomData;

use crate::infisical::{App, Error};
use crate::secret::Secret;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{
    IdentitySchema, Listed, PlanInput, ReadOutcome, Resource, Stored,
};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::model::{Computed, Model, settle};
use super::{by_id, validate};

mod data_source;
pub(crate) mod github;
mod lifecycle;
mod plan;
mod private;
mod state;

pub(crate) use data_source::AppConnectionData;
pub(crate) use state::Connection;

/// Attribute names every app connection shares, written once: schemas, validation and the
/// typed models all use these.
pub(crate) mod attr {
    /// The connection's id.
    pub(crate) const ID: &str = "id";
    /// Its unique (per organization or project) slug name.
    pub(crate) const NAME: &str = "name";
    /// Free text.
    pub(crate) const DESCRIPTION: &str = "description";
    /// How Infisical authenticates to the app, e.g. `pat`.
    pub(crate) const METHOD: &str = "method";
    /// The project it belongs to, if project-scoped.
    pub(crate) const PROJECT_ID: &str = "project_id";
    /// The Infisical gateway its calls to the app go through.
    pub(crate) const GATEWAY_ID: &str = "gateway_id";
    /// Or the Infisical gateway pool they go through (not both).
    pub(crate) const GATEWAY_POOL_ID: &str = "gateway_pool_id";
    /// The server's hash of the stored (encrypted) credentials.
    pub(crate) const CREDENTIALS_HASH: &str = "credentials_hash";
    /// The credentials object (the app's attributes).
    pub(crate) const CREDENTIALS: &str = "credentials";
    /// Data source: the organization the connection belongs to.
    pub(crate) const ORG_ID: &str = "org_id";
    /// Data source: when it was created (RFC 3339).
    pub(crate) const CREATED_AT: &str = "created_at";
    /// Data source: when it last changed (RFC 3339).
    pub(crate) const UPDATED_AT: &str = "updated_at";
}

/// The app's own part of its connection resource and data source. Everything else is shared.
pub(crate) trait ConnectionApp: Send + Sync + 'static {
    /// The client's side of the app: its URL segment and request and response types.
    type App: App;
    /// The resource's `credentials` object, typed.
    type Credentials: Model + std::fmt::Debug + Clone + PartialEq + Send + Sync;
    /// The non-secret credential settings that Infisical returns, as the data source shows them
    /// (flattened into its top level).
    type View: Model + Send + Sync;

    /// The type name of the resource and the data source, e.g. `infisical_app_connection_github`.
    const TYPE_NAME: &'static str;
    /// The app's name in messages, e.g. `GitHub`.
    const LABEL: &'static str;
    /// The methods, as Infisical spells them.
    const METHODS: &'static [&'static str];
    /// The app's words in the shared schemas.
    const DESCRIPTIONS: Descriptions;
    /// What rewriting the credentials after drift takes, appended to the drift warning (e.g.
    /// "; for `github-app` and `oauth` that needs a fresh GitHub `code`"), or "".
    const REWRITE_NOTE: &'static str;

    /// The write-only secrets of the `credentials` object, each with its version attribute.
    const WRITE_ONLY: &'static [WriteOnly] = &[];

    /// The attributes of the `credentials` object.
    fn credentials_attributes() -> Vec<Attribute>;

    /// The data source's computed attributes for [`ConnectionApp::View`].
    fn view_attributes() -> Vec<Attribute>;

    /// Plan-time checks of a known, non-null `credentials` object (at `at`) for `method` (`None`
    /// while unknown). Skip unknown values: they are checked once known.
    fn validate_credentials(
        method: Option<&str>,
        credentials: &Value,
        at: &AttrPath,
        diags: &mut Diagnostics,
    );

    /// The credentials as the API takes them for `method`; `None` when incomplete (validation
    /// has said why).
    fn request(
        method: &str,
        credentials: &Self::Credentials,
    ) -> Option<<Self::App as App>::Credentials>;

    /// The credentials object for what Infisical returns of them: secrets null.
    fn credentials_from_api(view: &<Self::App as App>::CredentialsView) -> Self::Credentials;

    /// Credentials changed outside Terraform: `state` (what was last written) takes what
    /// Infisical now reports (`api`), its secrets and the versions of its write-only secrets
    /// nulled, so that the next plan writes them again.
    fn drifted(state: &mut Self::Credentials, api: &Self::Credentials);

    /// The data source's view of the credentials.
    fn view(view: &<Self::App as App>::CredentialsView) -> Self::View;

    /// The credentials a person would write for a connection whose state holds `credentials`
    /// (from the API, so without secrets), for a generated configuration: every secret null,
    /// and the write-only form with its first version where the method takes one, so that the
    /// plan's error names the one value to fill in.
    fn generated_credentials(method: &str, credentials: &Self::Credentials) -> Self::Credentials;

    /// The credentials attribute that holds a single-use secret for `method` (GitHub's `code`),
    /// if any: a value already exchanged is refused at plan.
    fn single_use_attribute(_method: &str) -> Option<&'static str> {
        None
    }

    /// The single-use secret in a request, if any.
    fn single_use(_credentials: &<Self::App as App>::Credentials) -> Option<&Secret> {
        None
    }

    /// Whether `err` says the single-use secret was spent or expired.
    fn is_spent(_err: &Error) -> bool {
        false
    }

    /// The summary of an error about a spent single-use secret, e.g. "GitHub code already used".
    fn spent_summary() -> String {
        format!("{} secret already used", Self::LABEL)
    }

    /// What to do about a spent single-use secret for `method`; `replacing` when the plan
    /// replaces the connection (where `ignore_changes` cannot help).
    fn spent_detail(_method: &str, _replacing: bool) -> String {
        "The configured single-use secret was already used; configure a fresh one.".to_owned()
    }

    /// The sentence a refused name adds when a single-use secret was spared.
    fn name_taken_note() -> &'static str {
        ""
    }
}

/// A write-only secret of `credentials` (never in plan or state) and the number attribute that
/// says when to send it again, as `personal_access_token_wo` and its `_wo_version`.
pub(crate) struct WriteOnly {
    /// The write-only attribute.
    pub(crate) secret: &'static str,
    /// Its version: required with it and only with it, a whole number of 1 or more; raising it
    /// sends the secret again, lowering it is an error.
    pub(crate) version: &'static str,
}

/// What an app says in the shared schemas (and so in the registry docs generated from them).
pub(crate) struct Descriptions {
    /// The resource.
    pub(crate) resource: &'static str,
    /// The resource's `method`.
    pub(crate) method: &'static str,
    /// The resource's `gateway_id`.
    pub(crate) gateway: &'static str,
    /// The resource's `gateway_pool_id`.
    pub(crate) gateway_pool: &'static str,
    /// The resource's `credentials` object.
    pub(crate) credentials: &'static str,
    /// The list resource (`terraform query`).
    pub(crate) list: &'static str,
    /// The data source.
    pub(crate) data_source: &'static str,
    /// The data source's `method`.
    pub(crate) data_source_method: &'static str,
    /// The data source's `gateway_id`.
    pub(crate) data_source_gateway: &'static str,
    /// The data source's `gateway_pool_id`.
    pub(crate) data_source_gateway_pool: &'static str,
}

/// The resource of app `A`'s connections, as the provider registers it.
pub(crate) struct AppConnectionResource<A>(PhantomData<A>);

impl<A> AppConnectionResource<A> {
    /// The resource.
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

/// The resource's schema: the shared attributes and the app's `credentials`.
pub(crate) fn schema<A: ConnectionApp>() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: A::DESCRIPTIONS.resource,
        attributes: vec![
            Attribute::string(ID)
                .computed()
                .use_state_for_unknown()
                .description("The connection's id."),
            Attribute::string(NAME).required().description(
                "The connection's name: 1–64 lowercase letters, digits and single hyphens, unique \
                 in its organization or project. Can be changed in place.",
            ),
            Attribute::string(DESCRIPTION)
                .description("A description (at most 256 characters). Null and \"\" are the same."),
            Attribute::string(METHOD)
                .required()
                .requires_replace()
                .description(A::DESCRIPTIONS.method),
            Attribute::string(PROJECT_ID)
                .requires_replace()
                .description(
                    "Make the connection project-scoped to this project. Changing it replaces the \
                 connection.",
                ),
            Attribute::string(GATEWAY_ID).description(A::DESCRIPTIONS.gateway),
            Attribute::string(GATEWAY_POOL_ID).description(A::DESCRIPTIONS.gateway_pool),
            Attribute::string(CREDENTIALS_HASH).computed().description(
                "The server's hash of the stored credentials. It changes whenever credentials are \
                 written, which is how changes made outside Terraform are detected.",
            ),
            Attribute::single(CREDENTIALS, A::credentials_attributes())
                .required()
                .description(A::DESCRIPTIONS.credentials),
        ],
    }
}

/// The resource identity every app connection has (version 0): its `id`, which an `import`
/// block's `identity` must give.
pub(crate) fn identity_schema() -> IdentitySchema {
    by_id::identity_schema("The connection's id (a UUID).")
}

/// The list resource's schema (`terraform query`): the optional scope of the list.
pub(crate) fn list_schema<A: ConnectionApp>() -> Schema {
    Schema {
        version: 0,
        description: A::DESCRIPTIONS.list,
        attributes: vec![Attribute::string(by_id::PROJECT_ID).description(
            "List only the connections of this project. Without it, every connection of the \
             organization is listed, project-scoped ones included.",
        )],
    }
}

/// Plan-time validation: everything that can be checked without the API.
pub(crate) fn validate_config<A: ConnectionApp>(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::name(config.get(NAME), AttrPath::new(NAME), diags);
    validate::description(config.get(DESCRIPTION), AttrPath::new(DESCRIPTION), diags);
    validate::one_of(config.get(METHOD), A::METHODS, AttrPath::new(METHOD), diags);
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    validate::uuid(config.get(GATEWAY_ID), AttrPath::new(GATEWAY_ID), diags);
    validate::uuid(
        config.get(GATEWAY_POOL_ID),
        AttrPath::new(GATEWAY_POOL_ID),
        diags,
    );
    validate::exclusive(
        config,
        &AttrPath::root(),
        &[GATEWAY_ID, GATEWAY_POOL_ID],
        "Infisical routes a connection through one gateway or one gateway pool",
        diags,
    );
    let credentials = config.get(CREDENTIALS);
    if !credentials.is_unknown() && !credentials.is_null() {
        let method = config.get(METHOD).as_str();
        let at = AttrPath::new(CREDENTIALS);
        A::validate_credentials(method, credentials, &at, diags);
        for pair in A::WRITE_ONLY {
            validate_version(pair, credentials, &at, diags);
        }
    }
}

/// A write-only secret's version: there exactly when the secret is, and a whole number ≥ 1.
fn validate_version(pair: &WriteOnly, credentials: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    let (secret, version) = (credentials.get(pair.secret), credentials.get(pair.version));
    let path = at.attr(pair.version);
    if secret.is_null() {
        // The app reported the secret itself missing (a `pat` with only the version, as a
        // generated configuration has it): that one error says what to fill in.
        let secret_path = at.attr(pair.secret);
        if diags.iter().any(|d| d.path.as_ref() == Some(&secret_path)) {
            return;
        }
        let why = format!(
            "without `{}` (it says when to send that write-only value again)",
            pair.secret
        );
        validate::forbidden(version, path, &why, diags);
        return;
    }
    let why = format!(
        "with `{}`: Terraform cannot compare a write-only value, so the version says when to \
         send it again (start with 1, and increase it with each new value)",
        pair.secret
    );
    validate::required(version, path.clone(), &why, diags);
    if version.is_null() || version.is_unknown() {
        return;
    }
    if version.as_int().is_none_or(|v| v < 1) {
        diags.attr_error(
            path,
            format!("Invalid {}", pair.version),
            format!(
                "{} must be a whole number of 1 or more; increase it to send a new `{}`.",
                pair.version, pair.secret
            ),
        );
    }
}

/// "in the organization", or "in project <id>".
fn scope(project_id: Option<&str>) -> String {
    project_id.map_or_else(
        || "in the organization".to_owned(),
        |p| format!("in project {p}"),
    )
}

#[tonic::async_trait]
impl<A: ConnectionApp> Resource<Configured> for AppConnectionResource<A> {
    fn type_name(&self) -> &'static str {
        A::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::<A>()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config::<A>(config, diags);
    }

    fn modify_plan(
        &self,
        input: &PlanInput<'_>,
        planned: &mut Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) {
        plan::modify_plan::<A>(input, planned, private, diags);
    }

    async fn create(
        &self,
        api: &Configured,
        planned: &Value,
        config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        settle(
            lifecycle::create::<A>(api, planned, config, private).await,
            diags,
        )
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        let outcome = lifecycle::read::<A>(api, state, private, diags).await;
        settle(outcome, diags).unwrap_or(ReadOutcome::Failed)
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        settle(
            lifecycle::update::<A>(api, prior, planned, config, private).await,
            diags,
        )
    }

    async fn delete(&self, api: &Configured, prior: &Value, diags: &mut Diagnostics) {
        settle(lifecycle::delete::<A>(api, prior).await, diags);
    }

    async fn import(&self, api: &Configured, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        settle(lifecycle::import::<A>(api, id).await, diags)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema())
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
        settle(lifecycle::import_identity::<A>(api, identity).await, diags)
    }

    fn list_schema(&self) -> Option<Schema> {
        Some(list_schema::<A>())
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
        by_id::listed(lifecycle::list::<A>(api, config, limit).await, diags)
    }

    fn generate_config(&self, state: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let state = settle(Connection::<A::Credentials>::from_value(state), diags)?;
        let credentials = state
            .credentials
            .as_ref()
            .map(|c| A::generated_credentials(&state.method, c));
        // What only Infisical sets (`id`, `credentials_hash`) is left out: Terraform writes
        // nothing for a computed attribute that is null.
        let config = Connection {
            id: Computed::Null,
            credentials_hash: Computed::Null,
            credentials,
            ..state
        };
        Some(config.to_value())
    }
}
