//! The app-connection base: the lifecycle every Infisical app connection shares, whatever the
//! app. An app adds only what is its own through [`ConnectionApp`] — its credentials, their
//! rules and its guidance (`github.rs` is the one to copy) — and gets:
//!
//! - the shared attributes (`id`, `name`, `description`, `method`, `project_id`, `gateway_id`,
//!   `credentials_hash`) and their validation;
//! - drift through `credentialsHash`: the server never returns secrets, and the hash (of a fresh
//!   ciphertext) changes on every credential write, so credentials are sent only on create, when
//!   the configured credentials change, or after drift — never on an unrelated update;
//! - single-use secrets (GitHub's `code`): fingerprints of those already exchanged, kept in
//!   private state, refuse a reuse at plan; a name another connection has is refused before a
//!   single-use secret is spent on it;
//! - the lookup by name after a create whose answer was lost, so there is never a duplicate;
//! - import by id, by name, or by `<project_id>/<name>`; 404 on read as "gone"; write errors;
//! - the data source ([`AppConnectionData`]).

use std::marker::PhantomData;

use crate::infisical::{
    App, AppConnection, Client, CreateAppConnection, Error, Patch, UpdateAppConnection,
};
use crate::secret::Secret;
use crate::tfplugin::diag::{AttrPath, Diagnostic, Diagnostics};
use crate::tfplugin::framework::{PlanInput, ReadOutcome, Resource, Stored};
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::model::{self, Computed, Model};
use super::validate;

mod data_source;
pub(crate) mod github;
mod private;
mod state;

pub(crate) use data_source::AppConnectionData;
use private::Private;
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
    /// Infisical now reports (`api`), its secrets nulled so that the next plan writes them again.
    fn drifted(state: &mut Self::Credentials, api: &Self::Credentials);

    /// The data source's view of the credentials.
    fn view(view: &<Self::App as App>::CredentialsView) -> Self::View;

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

/// What an app says in the shared schemas (and so in the registry docs generated from them).
pub(crate) struct Descriptions {
    /// The resource.
    pub(crate) resource: &'static str,
    /// The resource's `method`.
    pub(crate) method: &'static str,
    /// The resource's `gateway_id`.
    pub(crate) gateway: &'static str,
    /// The resource's `credentials` object.
    pub(crate) credentials: &'static str,
    /// The data source.
    pub(crate) data_source: &'static str,
    /// The data source's `method`.
    pub(crate) data_source_method: &'static str,
    /// The data source's `gateway_id`.
    pub(crate) data_source_gateway: &'static str,
}

/// The resource of app `A`'s connections, as the provider registers it.
pub(crate) struct AppConnectionResource<A>(PhantomData<A>);

impl<A> AppConnectionResource<A> {
    /// The resource.
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

/// How often a create is tried when its outcome is unknown and the name lookup finds nothing.
const CREATE_ATTEMPTS: u32 = 3;

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

/// Plan-time validation: everything that can be checked without the API.
pub(crate) fn validate_config<A: ConnectionApp>(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::name(config.get(NAME), AttrPath::new(NAME), diags);
    validate::description(config.get(DESCRIPTION), AttrPath::new(DESCRIPTION), diags);
    validate::one_of(config.get(METHOD), A::METHODS, AttrPath::new(METHOD), diags);
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    validate::uuid(config.get(GATEWAY_ID), AttrPath::new(GATEWAY_ID), diags);
    let credentials = config.get(CREDENTIALS);
    if !credentials.is_unknown() && !credentials.is_null() {
        let method = config.get(METHOD).as_str();
        A::validate_credentials(method, credentials, &AttrPath::new(CREDENTIALS), diags);
    }
}

/// Whether the plan creates a connection: on create, or on replacement (a changed `method` or
/// `project_id`; `-replace` plans its create half with a null prior).
fn creates(prior: &Value, planned: &Value) -> bool {
    use attr::*;
    prior.is_null()
        || [METHOD, PROJECT_ID]
            .iter()
            .any(|a| !planned.get(a).same_as(prior.get(a)))
}

/// Whether the plan writes credentials: when it creates a connection, or when they changed.
pub(crate) fn writes_credentials(prior: &Value, planned: &Value) -> bool {
    creates(prior, planned)
        || !planned
            .get(attr::CREDENTIALS)
            .same_as(prior.get(attr::CREDENTIALS))
}

/// Whether two descriptions mean the same: null and "" are both "no description".
fn same_description(a: Option<&str>, b: Option<&str>) -> bool {
    a.filter(|s| !s.is_empty()) == b.filter(|s| !s.is_empty())
}

/// The resource's refinements of the shared plan: the credentials hash, and a refused reuse of
/// a single-use secret.
fn modify_plan<A: ConnectionApp>(
    input: &PlanInput<'_>,
    planned: &mut Value,
    private: &[u8],
    diags: &mut Diagnostics,
) {
    use attr::*;
    let writes = writes_credentials(input.prior, planned);
    // The hash is unpredictable (a hash of a fresh ciphertext), but it only changes when
    // credentials are written: otherwise the plan shows it unchanged.
    let hash = if writes {
        Value::Unknown
    } else {
        input.prior.get(CREDENTIALS_HASH).clone()
    };
    planned.set(CREDENTIALS_HASH, hash);

    let Some(method) = planned.get(METHOD).as_str() else {
        return;
    };
    let Some(single_use) = A::single_use_attribute(method) else {
        return;
    };
    // The prior private data is this connection's even when the prior state is null: Terraform
    // plans the create half of a replacement (`-replace`, a changed `project_id`) with it. That
    // plan must fail too, or apply would destroy the connection and then fail to create it.
    let secret = planned.get(CREDENTIALS).get(single_use).as_str();
    let reused = secret.is_some_and(|s| Private::decode(private).used(s));
    if !(writes && reused) {
        return;
    }
    let path = AttrPath::new(CREDENTIALS).attr(single_use);
    if creates(input.prior, planned) {
        diags.attr_error(path, A::spent_summary(), A::spent_detail(method, true));
    } else if input.prior.get(CREDENTIALS).get(single_use).is_null() {
        // The credentials drifted (state no longer holds the secret): show the update the
        // configuration asks for, and say now that apply needs a fresh one.
        diags.attr_warning(path, A::spent_summary(), A::spent_detail(method, false));
    } else {
        diags.attr_error(path, A::spent_summary(), A::spent_detail(method, false));
    }
}

/// Refuses, before any request, to send a single-use secret this connection already exchanged.
fn check_unused<A: ConnectionApp>(
    credentials: &<A::App as App>::Credentials,
    method: &str,
    private: &[u8],
    diags: &mut Diagnostics,
) -> bool {
    let (Some(secret), Some(single_use)) =
        (A::single_use(credentials), A::single_use_attribute(method))
    else {
        return true;
    };
    if !Private::decode(private).used(secret.expose()) {
        return true;
    }
    diags.attr_error(
        AttrPath::new(attr::CREDENTIALS).attr(single_use),
        A::spent_summary(),
        A::spent_detail(method, false),
    );
    false
}

/// Private state after credentials were written: their single-use secret is now spent.
fn private_after_write<A: ConnectionApp>(
    private: &[u8],
    credentials: &<A::App as App>::Credentials,
) -> Vec<u8> {
    let mut private = Private::decode(private);
    if let Some(secret) = A::single_use(credentials) {
        private.remember(secret.expose());
    }
    private.encode()
}

/// The diagnostic for a failed write, with the guidance for a spent single-use secret.
fn write_error<A: ConnectionApp>(
    api: &Configured,
    action: &str,
    method: &str,
    err: &Error,
) -> Diagnostic {
    let mut diag = api.error(action, err);
    if let (true, Some(single_use)) = (A::is_spent(err), A::single_use_attribute(method)) {
        diag.summary = format!("{} or expired", A::spent_summary());
        diag.detail = format!("{}\n\n{}", A::spent_detail(method, false), diag.detail);
        diag.path = Some(AttrPath::new(attr::CREDENTIALS).attr(single_use));
    }
    diag
}

/// "in the organization", or "in project <id>".
fn scope(project_id: Option<&str>) -> String {
    project_id.map_or_else(
        || "in the organization".to_owned(),
        |p| format!("in project {p}"),
    )
}

/// Infisical exchanges a single-use secret (GitHub's `code`) before it checks the connection's
/// name, so a name another connection has would spend it and then fail. When a request would
/// send one under a name (a create, or a rename with new credentials), looks the name up first
/// and refuses without sending anything if another connection (not `own_id`) has it. A failed
/// lookup does not block the request: the check only spares the secret.
async fn name_free_for_secret<A: ConnectionApp>(
    client: &Client,
    name: &str,
    project_id: Option<&str>,
    own_id: Option<&str>,
    credentials: &<A::App as App>::Credentials,
    diags: &mut Diagnostics,
) -> bool {
    if A::single_use(credentials).is_none() {
        return true;
    }
    let other = match client
        .app_connections::<A::App>()
        .get_by_name(name, project_id)
        .await
    {
        Ok(other) if Some(other.id.as_str()) != own_id => other,
        Ok(_) => return true,
        Err(err) if err.is_not_found() => return true,
        Err(err) => {
            tracing::warn!(name, error = %err, "could not check that the name is free; sending the credentials");
            return true;
        }
    };
    diags.attr_error(
        AttrPath::new(attr::NAME),
        "Connection name already taken",
        format!(
            "Infisical already has a {} connection named {name:?} {} (id {}). {}",
            A::LABEL,
            scope(project_id),
            other.id,
            A::name_taken_note()
        ),
    );
    false
}

/// Creates the connection, looking it up by name after a failure that may have created it, so
/// there is never a duplicate nor an orphan.
async fn create_once<A: ConnectionApp>(
    api: &Configured,
    client: &Client,
    request: &CreateAppConnection<A::App>,
    method: &str,
    diags: &mut Diagnostics,
) -> Option<AppConnection<A::App>> {
    let name = request.name.as_str();
    let project = request.project_id.as_deref();
    let action = format!("create the {} connection {name:?}", A::LABEL);
    let connections = client.app_connections::<A::App>();
    let mut attempt = 1;
    loop {
        let err = match connections.create(request).await {
            Ok(conn) => return Some(conn),
            Err(err) => err,
        };
        // A lost answer or an internal error may still have created the connection: look
        // before creating again.
        if !(err.is_ambiguous() || matches!(err, Error::Server(_))) {
            diags.add(write_error::<A>(api, &action, method, &err));
            return None;
        }
        match connections.get_by_name(name, project).await {
            Ok(conn) => {
                tracing::info!(id = %conn.id, "the failed create had created the connection");
                return Some(conn);
            }
            Err(lookup) if lookup.is_not_found() && attempt < CREATE_ATTEMPTS => attempt += 1,
            Err(_) => {
                diags.add(write_error::<A>(api, &action, method, &err));
                return None;
            }
        }
    }
}

/// Refreshes `state` from what the API returns, keeping what the API cannot tell (secrets) and
/// what means the same (null vs "" descriptions). Credentials whose hash changed are drift:
/// their secrets are nulled so the next plan shows a credentials update.
fn refresh<A: ConnectionApp>(
    state: Connection<A::Credentials>,
    conn: &AppConnection<A::App>,
    diags: &mut Diagnostics,
) -> Connection<A::Credentials> {
    let fresh = Connection::<A::Credentials>::from_api::<A>(conn);
    let description =
        if same_description(state.description.as_deref(), fresh.description.as_deref()) {
            state.description
        } else {
            fresh.description
        };
    let credentials = match state.credentials {
        None => fresh.credentials,
        Some(mut credentials) => {
            if state
                .credentials_hash
                .known()
                .is_some_and(|hash| hash != conn.credentials_hash)
            {
                diags.warning(
                    format!(
                        "{} connection credentials changed outside Terraform",
                        A::LABEL
                    ),
                    format!(
                        "The credentials of {} connection {:?} ({}) were changed outside \
                         Terraform (its credentials hash changed). The next plan writes the \
                         configured credentials again{}. To accept the credentials Infisical now \
                         has, add `lifecycle {{ ignore_changes = [credentials] }}` to the \
                         resource.",
                        A::LABEL,
                        conn.name,
                        conn.id,
                        A::REWRITE_NOTE
                    ),
                );
                if let Some(api) = &fresh.credentials {
                    A::drifted(&mut credentials, api);
                }
            }
            Some(credentials)
        }
    };
    Connection {
        description,
        credentials,
        ..fresh
    }
}

/// The new state after a create or update: exactly the plan, with what only the API knows.
fn applied<C>(mut planned: Connection<C>, conn: &AppConnection<impl App>) -> Value
where
    Connection<C>: Model,
{
    planned.id = Computed::Known(conn.id.clone());
    if planned.credentials_hash.is_unknown() {
        planned.credentials_hash = Computed::Known(conn.credentials_hash.clone());
    }
    planned.to_value()
}

/// A string to send: `None` for null or "".
fn text(value: Option<&str>) -> Option<String> {
    value.filter(|s| !s.is_empty()).map(str::to_owned)
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
        modify_plan::<A>(input, planned, private, diags);
    }

    async fn create(
        &self,
        api: &Configured,
        planned: &Value,
        _config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        let client = api.client(diags)?;
        let plan: Connection<A::Credentials> = model::read(planned, diags)?;
        let Some(credentials) = plan.request::<A>() else {
            diags.attr_error(
                AttrPath::new(attr::CREDENTIALS),
                "Incomplete credentials",
                "the credentials are incomplete for this method.",
            );
            return None;
        };
        let request = CreateAppConnection::<A::App> {
            name: plan.name.clone(),
            description: text(plan.description.as_deref()),
            credentials: credentials.clone(),
            project_id: plan.project_id.clone(),
            gateway_id: plan.gateway_id.clone(),
        };
        let project = request.project_id.as_deref();
        if !name_free_for_secret::<A>(client, &plan.name, project, None, &credentials, diags).await
        {
            return None;
        }
        let created = create_once::<A>(api, client, &request, &plan.method, diags).await?;
        Some(Stored {
            state: applied(plan, &created),
            private: private_after_write::<A>(private, &credentials),
        })
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        let Some(client) = api.client_if_known() else {
            // The provider configuration is known only after apply: keep the state as it is
            // rather than failing the plan.
            return ReadOutcome::Found(Stored {
                state: state.clone(),
                private: private.to_vec(),
            });
        };
        let Some(current) = model::read::<Connection<A::Credentials>>(state, diags) else {
            return ReadOutcome::Failed;
        };
        let Some(id) = current.known_id(diags) else {
            return ReadOutcome::Failed;
        };
        match client.app_connections::<A::App>().get(&id).await {
            Ok(conn) => ReadOutcome::Found(Stored {
                state: refresh::<A>(current, &conn, diags).to_value(),
                private: private.to_vec(),
            }),
            Err(err) if err.is_not_found() => {
                tracing::info!(
                    id,
                    "the {} connection is gone; Terraform will plan to create it",
                    A::LABEL
                );
                ReadOutcome::Gone
            }
            Err(err) => {
                let action = format!("read the {} connection {id}", A::LABEL);
                diags.add(api.error(&action, &err));
                ReadOutcome::Failed
            }
        }
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
        let client = api.client(diags)?;
        let before: Connection<A::Credentials> = model::read(prior, diags)?;
        let mut plan: Connection<A::Credentials> = model::read(planned, diags)?;
        let id = before.known_id(diags)?;
        let mut request = UpdateAppConnection::<A::App>::default();
        if plan.name != before.name {
            request.name = text(Some(&plan.name));
        }
        if !same_description(plan.description.as_deref(), before.description.as_deref()) {
            request.description = Patch::from_option(text(plan.description.as_deref()));
        }
        if plan.gateway_id != before.gateway_id {
            request.gateway_id = Patch::from_option(text(plan.gateway_id.as_deref()));
        }
        // Credentials only when they changed (or drifted): a single-use secret stays unspent.
        if plan.credentials != before.credentials {
            request.credentials = plan.request::<A>();
            if let Some(credentials) = &request.credentials {
                if !check_unused::<A>(credentials, &plan.method, private, diags) {
                    return None;
                }
            }
        }
        if let (Some(name), Some(credentials)) = (&request.name, &request.credentials) {
            let project = before.project_id.as_deref();
            if !name_free_for_secret::<A>(client, name, project, Some(&id), credentials, diags)
                .await
            {
                return None;
            }
        }
        if request == UpdateAppConnection::default() {
            // Only a change the API does not see (e.g. description "" → null).
            plan.credentials_hash = before.credentials_hash;
            return Some(Stored {
                state: plan.to_value(),
                private: private.to_vec(),
            });
        }
        match client
            .app_connections::<A::App>()
            .update(&id, &request)
            .await
        {
            Ok(conn) => {
                let private = match &request.credentials {
                    Some(credentials) => private_after_write::<A>(private, credentials),
                    None => private.to_vec(),
                };
                Some(Stored {
                    state: applied(plan, &conn),
                    private,
                })
            }
            Err(err) => {
                let action = format!("update the {} connection {:?}", A::LABEL, plan.name);
                diags.add(write_error::<A>(api, &action, &plan.method, &err));
                None
            }
        }
    }

    async fn delete(&self, api: &Configured, prior: &Value, diags: &mut Diagnostics) {
        let Some(client) = api.client(diags) else {
            return;
        };
        let Some(before) = model::read::<Connection<A::Credentials>>(prior, diags) else {
            return;
        };
        let Some(id) = before.known_id(diags) else {
            return;
        };
        match client.app_connections::<A::App>().delete(&id).await {
            Ok(_) => {}
            Err(err) if err.is_not_found() => tracing::info!(id, "already deleted"),
            Err(err) => {
                let action = format!("delete the {} connection {id}", A::LABEL);
                diags.add(api.error(&action, &err));
            }
        }
    }

    async fn import(&self, api: &Configured, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let client = api.client(diags)?;
        let connections = client.app_connections::<A::App>();
        let found = if uuid::Uuid::try_parse(id).is_ok() {
            connections.get(id).await
        } else if let Some((project, name)) = id.split_once('/') {
            connections.get_by_name(name, Some(project)).await
        } else {
            connections.get_by_name(id, None).await
        };
        match found {
            Ok(conn) => Some(Connection::<A::Credentials>::from_api::<A>(&conn).to_value()),
            Err(err) => {
                let action = format!("import the {} connection {id:?}", A::LABEL);
                let mut diag = api.error(&action, &err);
                if err.is_not_found() {
                    diag.detail.push_str(
                        "\n\nImport by connection id (a UUID), by name for an organization-level \
                         connection, or by \"<project_id>/<name>\" for a project-scoped one.",
                    );
                }
                diags.add(diag);
                None
            }
        }
    }
}
