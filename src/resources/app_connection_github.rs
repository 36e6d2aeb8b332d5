//! Resource `infisical_app_connection_github`: a GitHub App Connection in Infisical, by any of the
//! three methods (`github-app`, `oauth`, `pat`).
//!
//! Two things make this resource different from a plain CRUD mapping:
//! - The server never returns secrets; the only signal of an out-of-band credential change is
//!   `credentialsHash` (a hash of a fresh ciphertext, so it changes on every credential write).
//! - A GitHub `code` is single-use and short-lived: credentials are sent only on create, when the
//!   configured credentials change, or after drift — never on an unrelated update — and a code
//!   this resource already exchanged is refused at plan time.

use sha2::{Digest, Sha256};

use crate::infisical::{
    AppConnection, Client, CreateAppConnection, Error, GitHub, GitHubCredentials,
    GitHubInstanceType, Patch, UpdateAppConnection,
};
use crate::provider::Configured;
use crate::secret::Secret;
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework::{PlanInput, ReadOutcome, Resource, Stored};
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::errors::api_error;
use super::validate;

/// The resource's type name.
pub const TYPE_NAME: &str = "infisical_app_connection_github";

/// Attribute names, written once: the schema, validation and state mapping all use these.
pub mod attr {
    /// The connection's id.
    pub const ID: &str = "id";
    /// Its unique (per organization or project) slug name.
    pub const NAME: &str = "name";
    /// Free text.
    pub const DESCRIPTION: &str = "description";
    /// `github-app`, `oauth` or `pat`.
    pub const METHOD: &str = "method";
    /// The project it belongs to, if project-scoped.
    pub const PROJECT_ID: &str = "project_id";
    /// The Infisical gateway its GitHub calls go through.
    pub const GATEWAY_ID: &str = "gateway_id";
    /// The server's hash of the stored (encrypted) credentials.
    pub const CREDENTIALS_HASH: &str = "credentials_hash";
    /// The credentials object.
    pub const CREDENTIALS: &str = "credentials";
    /// `credentials.code`: a GitHub authorization code (github-app, oauth).
    pub const CODE: &str = "code";
    /// `credentials.installation_id`: the GitHub App installation (github-app).
    pub const INSTALLATION_ID: &str = "installation_id";
    /// `credentials.personal_access_token` (pat).
    pub const PERSONAL_ACCESS_TOKEN: &str = "personal_access_token";
    /// `credentials.instance_type`: `cloud` (github.com, the default) or `server` (GHES).
    pub const INSTANCE_TYPE: &str = "instance_type";
    /// `credentials.host`: the GitHub host (required for `server`).
    pub const HOST: &str = "host";
}

/// The connection methods, as the API spells them.
pub const METHODS: [&str; 3] = [METHOD_APP, METHOD_OAUTH, METHOD_PAT];
/// GitHub App installation.
pub const METHOD_APP: &str = "github-app";
/// OAuth app authorization.
pub const METHOD_OAUTH: &str = "oauth";
/// Personal access token.
pub const METHOD_PAT: &str = "pat";
/// GitHub instance types.
pub const INSTANCE_TYPES: [&str; 2] = ["cloud", "server"];

/// The resource's schema: a superset of the official provider's (schema version 0), so state it
/// wrote loads unchanged.
pub fn schema() -> Schema {
    use attr::*;
    Schema {
        version: 0,
        description: "A GitHub App Connection: lets Infisical reach GitHub (for secret syncs and \
                      more) as a GitHub App installation, through an OAuth app, or with a personal \
                      access token.",
        attributes: vec![
            Attribute::string(ID).computed().use_state_for_unknown().description("The connection's id."),
            Attribute::string(NAME).required().description(
                "The connection's name: 1–64 lowercase letters, digits and single hyphens, unique \
                 in its organization or project. Can be changed in place.",
            ),
            Attribute::string(DESCRIPTION)
                .description("A description (at most 256 characters). Null and \"\" are the same."),
            Attribute::string(METHOD).required().requires_replace().description(
                "How Infisical authenticates to GitHub: `github-app`, `oauth` or `pat`. Changing it \
                 replaces the connection (the API cannot change it).",
            ),
            Attribute::string(PROJECT_ID).requires_replace().description(
                "Make the connection project-scoped to this project. Changing it replaces the \
                 connection.",
            ),
            Attribute::string(GATEWAY_ID).description(
                "The id (UUID) of an Infisical gateway to route GitHub calls through, for GitHub \
                 Enterprise Server on a private network.",
            ),
            Attribute::string(CREDENTIALS_HASH).computed().description(
                "The server's hash of the stored credentials. It changes whenever credentials are \
                 written, which is how changes made outside Terraform are detected.",
            ),
            Attribute::single(
                CREDENTIALS,
                vec![
                    Attribute::string(CODE).sensitive().description(
                        "For `github-app` and `oauth`: the authorization `code` GitHub returned to \
                         the callback URL. Single-use, valid for about 10 minutes; sent only when \
                         the credentials are written.",
                    ),
                    Attribute::string(INSTALLATION_ID).description(
                        "For `github-app`: the id of the GitHub App installation (digits), as \
                         GitHub adds it to the callback URL next to `code`.",
                    ),
                    Attribute::string(PERSONAL_ACCESS_TOKEN)
                        .sensitive()
                        .description("For `pat`: a GitHub personal access token."),
                    Attribute::string(INSTANCE_TYPE).description(
                        "`cloud` (github.com or GHE.com, the default when null) or `server` (GitHub \
                         Enterprise Server).",
                    ),
                    Attribute::string(HOST).description(
                        "The GitHub host name, e.g. `github.example.com`. Required when \
                         `instance_type` is `server`.",
                    ),
                ],
            )
            .required()
            .description(
                "The credentials for the chosen `method`. Sent to Infisical only on create and \
                 when they change; Infisical never returns them, so their secrets live only in \
                 Terraform's state (as sensitive values). For credentials managed outside \
                 Terraform, add `lifecycle { ignore_changes = [credentials] }`.",
            ),
        ],
    }
}

/// Plan-time validation: everything that can be checked without the API.
pub fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::name(config.get(NAME), AttrPath::new(NAME), diags);
    validate::description(config.get(DESCRIPTION), AttrPath::new(DESCRIPTION), diags);
    validate::one_of(config.get(METHOD), &METHODS, AttrPath::new(METHOD), diags);
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    validate::uuid(config.get(GATEWAY_ID), AttrPath::new(GATEWAY_ID), diags);

    let creds = config.get(CREDENTIALS);
    if creds.is_unknown() || creds.is_null() {
        return;
    }
    let at = |name: &str| AttrPath::new(CREDENTIALS).attr(name);
    for secret in [CODE, PERSONAL_ACCESS_TOKEN, INSTALLATION_ID, HOST] {
        validate::not_blank(creds.get(secret), at(secret), diags);
    }
    if let Some(id) = creds.get(INSTALLATION_ID).as_str() {
        if !id.trim().is_empty() && !id.bytes().all(|b| b.is_ascii_digit()) {
            diags.attr_error(
                at(INSTALLATION_ID),
                "Invalid installation_id",
                format!(
                    "installation_id is the numeric id of the GitHub App installation (the number at \
                     the end of https://github.com/settings/installations/<id>); got {id:?}."
                ),
            );
        }
    }
    validate::one_of(
        creds.get(INSTANCE_TYPE),
        &INSTANCE_TYPES,
        at(INSTANCE_TYPE),
        diags,
    );
    if creds.get(INSTANCE_TYPE).as_str() == Some("server") {
        validate::required(
            creds.get(HOST),
            at(HOST),
            "when instance_type is \"server\"",
            diags,
        );
    }
    if let Some(host) = creds.get(HOST).as_str() {
        if host.contains("://") || host.contains('/') {
            diags.attr_error(
                at(HOST),
                "Invalid host",
                format!(
                    "host is a bare host name such as \"github.example.com\" (no scheme, no path); \
                     got {host:?}."
                ),
            );
        }
    }
    let Some(method) = config.get(METHOD).as_str() else {
        return;
    };
    let why = format!("for method {method:?}");
    match method {
        METHOD_APP => {
            validate::required(creds.get(CODE), at(CODE), &why, diags);
            validate::required(creds.get(INSTALLATION_ID), at(INSTALLATION_ID), &why, diags);
            validate::forbidden(
                creds.get(PERSONAL_ACCESS_TOKEN),
                at(PERSONAL_ACCESS_TOKEN),
                &why,
                diags,
            );
        }
        METHOD_OAUTH => {
            validate::required(creds.get(CODE), at(CODE), &why, diags);
            validate::forbidden(creds.get(INSTALLATION_ID), at(INSTALLATION_ID), &why, diags);
            validate::forbidden(
                creds.get(PERSONAL_ACCESS_TOKEN),
                at(PERSONAL_ACCESS_TOKEN),
                &why,
                diags,
            );
        }
        METHOD_PAT => {
            validate::required(
                creds.get(PERSONAL_ACCESS_TOKEN),
                at(PERSONAL_ACCESS_TOKEN),
                &why,
                diags,
            );
            validate::forbidden(creds.get(CODE), at(CODE), &why, diags);
            validate::forbidden(creds.get(INSTALLATION_ID), at(INSTALLATION_ID), &why, diags);
        }
        _ => {}
    }
}

/// What the resource keeps in Terraform's private state: fingerprints of the GitHub codes it has
/// already exchanged (never the codes themselves), so a reused code is caught at plan time.
///
/// Terraform rewrites the whole state file after every resource it changes, so the cost of each
/// byte per instance grows with the number of instances: the fingerprints are short, few, and a
/// connection without any (every `pat` connection) keeps no private state at all.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Private {
    /// A fingerprint of each exchanged code, newest last.
    #[serde(default)]
    pub used_codes: Vec<String>,
}

/// How many fingerprints are kept: the newest codes are the ones a configuration goes back to.
const USED_CODES_KEPT: usize = 8;

impl Private {
    /// Reads private state; anything unreadable (e.g. another provider's) counts as empty.
    pub fn decode(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// The bytes Terraform stores: none while there is nothing to keep.
    pub fn encode(&self) -> Vec<u8> {
        if self.used_codes.is_empty() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether `code` was exchanged before.
    pub fn used(&self, code: &str) -> bool {
        self.used_codes.contains(&fingerprint(code))
    }

    /// Remembers that `code` was exchanged.
    pub fn remember(&mut self, code: &str) {
        let print = fingerprint(code);
        if !self.used_codes.contains(&print) {
            self.used_codes.push(print);
        }
        let excess = self.used_codes.len().saturating_sub(USED_CODES_KEPT);
        self.used_codes.drain(..excess);
    }
}

/// The first 128 bits of the code's SHA-256, in hex: enough that two codes never share one, and
/// nothing that leads back to the code.
fn fingerprint(code: &str) -> String {
    hex::encode(&Sha256::digest(code.as_bytes())[..16])
}

/// Whether two descriptions mean the same: null and "" are both "no description".
pub fn same_description(a: &Value, b: &Value) -> bool {
    let norm = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    norm(a) == norm(b)
}

/// Whether two instance types mean the same: null is `cloud`.
pub fn same_instance_type(a: &Value, b: &Value) -> bool {
    let norm = |v: &Value| v.as_str().unwrap_or("cloud").to_owned();
    norm(a) == norm(b)
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
pub fn writes_credentials(prior: &Value, planned: &Value) -> bool {
    creates(prior, planned)
        || !planned
            .get(attr::CREDENTIALS)
            .same_as(prior.get(attr::CREDENTIALS))
}

/// The resource's refinements of the shared plan.
pub fn modify_plan(
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

    let method = planned.get(METHOD).as_str().unwrap_or_default();
    let code = planned.get(CREDENTIALS).get(CODE).as_str();
    // The prior private data is this connection's even when the prior state is null: Terraform
    // plans the create half of a replacement (`-replace`, a changed `project_id`) with it. That
    // plan must fail too, or apply would destroy the connection and then fail to create it.
    let reused = code.is_some_and(|c| Private::decode(private).used(c));
    if writes && reused && matches!(method, METHOD_APP | METHOD_OAUTH) {
        let path = AttrPath::new(CREDENTIALS).attr(CODE);
        let summary = "GitHub code already used";
        if creates(input.prior, planned) {
            diags.attr_error(path, summary, used_code_on_replace_detail(method));
        } else if input.prior.get(CREDENTIALS).get(CODE).is_null() {
            // The credentials drifted (state no longer holds the code): show the update the
            // configuration asks for, and say now that apply needs a fresh code.
            diags.attr_warning(path, summary, used_code_detail(method));
        } else {
            diags.attr_error(path, summary, used_code_detail(method));
        }
    }
}

/// Refuses, before any request, to send a code this connection already exchanged.
fn check_unused(
    credentials: &GitHubCredentials,
    method: &str,
    private: &[u8],
    diags: &mut Diagnostics,
) -> bool {
    let used = match credentials {
        GitHubCredentials::App { code, .. } | GitHubCredentials::OAuth { code, .. } => {
            Private::decode(private).used(code.expose())
        }
        GitHubCredentials::Pat { .. } => false,
    };
    if used {
        diags.attr_error(
            AttrPath::new(attr::CREDENTIALS).attr(attr::CODE),
            "GitHub code already used",
            used_code_detail(method),
        );
    }
    !used
}

/// What to tell a user whose GitHub code was already exchanged (or expired).
pub fn used_code_detail(method: &str) -> String {
    format!(
        "This plan would send credentials to Infisical, but the configured GitHub `code` was already \
         exchanged by this connection. GitHub codes are single-use and expire after about 10 \
         minutes. To write new credentials, {}, then apply within 10 minutes. To keep the \
         credentials Infisical already has, add `lifecycle {{ ignore_changes = [credentials] }}` \
         to the resource.",
        fresh_code_steps(method)
    )
}

/// The same, when the plan replaces the connection: `ignore_changes` cannot help there.
fn used_code_on_replace_detail(method: &str) -> String {
    format!(
        "This plan replaces the connection (because of a changed `method` or `project_id`, or \
         `-replace`), and the new connection needs credentials of its own, but the configured \
         GitHub `code` was already exchanged by the connection it replaces. GitHub codes are \
         single-use and expire after about 10 minutes. To replace it, {}, then apply within 10 \
         minutes. Nothing has been deleted.",
        fresh_code_steps(method)
    )
}

/// How to get a fresh code for `method`.
fn fresh_code_steps(method: &str) -> &'static str {
    if method == METHOD_APP {
        "install (or re-authorize) the GitHub App with \"Request user authorization (OAuth) during \
         installation\" enabled, and take the new `code` (and `installation_id`) from the callback URL"
    } else {
        "authorize the OAuth app again and take the new `code` from the callback URL"
    }
}

/// How often a create is tried when its outcome is unknown and the name lookup finds nothing.
const CREATE_ATTEMPTS: u32 = 3;

/// The resource, as the provider registers it.
pub struct AppConnectionGithub;

type Connection = AppConnection<GitHub>;

/// The credentials object of a plan or state as the API takes it; `None` when incomplete
/// (validation has already said why).
fn credentials_from(value: &Value) -> Option<GitHubCredentials> {
    use attr::*;
    let method = value.get(METHOD).as_str()?;
    let creds = value.get(CREDENTIALS);
    let text = |name: &str| creds.get(name).as_str().map(str::to_owned);
    let instance_type = match creds.get(INSTANCE_TYPE).as_str() {
        Some("server") => Some(GitHubInstanceType::Server),
        Some("cloud") => Some(GitHubInstanceType::Cloud),
        _ => None,
    };
    let host = text(HOST);
    Some(match method {
        METHOD_APP => GitHubCredentials::App {
            code: Secret::new(text(CODE)?),
            installation_id: text(INSTALLATION_ID)?,
            instance_type,
            host,
        },
        METHOD_OAUTH => GitHubCredentials::OAuth {
            code: Secret::new(text(CODE)?),
            instance_type,
            host,
        },
        METHOD_PAT => GitHubCredentials::Pat {
            personal_access_token: Secret::new(text(PERSONAL_ACCESS_TOKEN)?),
            instance_type,
            host,
        },
        _ => return None,
    })
}

/// The instance type Infisical returned, as a state value (null when it returned none).
pub(crate) fn instance_type_value(view: &crate::infisical::GitHubCredentialsView) -> Value {
    Value::opt_string(view.instance_type.map(GitHubInstanceType::as_str))
}

/// A full state from what the API returns, with secrets null (import, or first sight).
fn state_from_api(conn: &Connection) -> Value {
    use attr::*;
    Value::object([
        (ID, Value::string(&conn.id)),
        (NAME, Value::string(&conn.name)),
        (
            DESCRIPTION,
            Value::opt_string(conn.description.clone().filter(|d| !d.is_empty())),
        ),
        (METHOD, Value::string(conn.method.as_str())),
        (PROJECT_ID, Value::opt_string(conn.project_id.clone())),
        (GATEWAY_ID, Value::opt_string(conn.gateway_id.clone())),
        (CREDENTIALS_HASH, Value::string(&conn.credentials_hash)),
        (
            CREDENTIALS,
            Value::object([
                (CODE, Value::Null),
                (INSTALLATION_ID, Value::Null),
                (PERSONAL_ACCESS_TOKEN, Value::Null),
                (INSTANCE_TYPE, instance_type_value(&conn.credentials)),
                (HOST, Value::opt_string(conn.credentials.host.clone())),
            ]),
        ),
    ])
}

/// Refreshes `state` from the API's view, keeping what the API cannot tell (secrets) and what
/// means the same (null vs "" descriptions, null vs "cloud"). Credentials whose hash changed are
/// drift: their secrets are nulled so the next plan shows a credentials update.
fn refresh(state: &Value, conn: &Connection, diags: &mut Diagnostics) -> Value {
    use attr::*;
    let fresh = state_from_api(conn);
    let mut new = state.clone();
    for name in [ID, NAME, METHOD, PROJECT_ID, GATEWAY_ID, CREDENTIALS_HASH] {
        new.set(name, fresh.get(name).clone());
    }
    if !same_description(state.get(DESCRIPTION), fresh.get(DESCRIPTION)) {
        new.set(DESCRIPTION, fresh.get(DESCRIPTION).clone());
    }
    let known_hash = state.get(CREDENTIALS_HASH).as_str();
    let mut creds = state.get(CREDENTIALS).clone();
    if creds.is_null() {
        creds = fresh.get(CREDENTIALS).clone();
    } else if known_hash.is_some_and(|h| h != conn.credentials_hash) {
        diags.warning(
            "GitHub connection credentials changed outside Terraform",
            format!(
                "The credentials of GitHub connection {:?} ({}) were changed outside Terraform \
                 (its credentials hash changed). The next plan writes the configured credentials \
                 again; for `github-app` and `oauth` that needs a fresh GitHub `code`. To accept \
                 the credentials Infisical now has, add `lifecycle {{ ignore_changes = \
                 [credentials] }}` to the resource.",
                conn.name, conn.id
            ),
        );
        for secret in [CODE, PERSONAL_ACCESS_TOKEN] {
            creds.set(secret, Value::Null);
        }
        let api = fresh.get(CREDENTIALS);
        if !same_instance_type(creds.get(INSTANCE_TYPE), api.get(INSTANCE_TYPE)) {
            creds.set(INSTANCE_TYPE, api.get(INSTANCE_TYPE).clone());
        }
        if creds.get(HOST) != api.get(HOST) {
            creds.set(HOST, api.get(HOST).clone());
        }
    }
    new.set(CREDENTIALS, creds);
    new
}

/// The new state after a create or update: exactly the plan, with what only the API knows.
fn applied(planned: &Value, conn: &Connection) -> Value {
    use attr::*;
    let mut state = planned.clone();
    state.set(ID, Value::string(&conn.id));
    if state.get(CREDENTIALS_HASH).is_unknown() {
        state.set(CREDENTIALS_HASH, Value::string(&conn.credentials_hash));
    }
    state
}

/// Private state after credentials with a `code` were written.
fn private_after_write(private: &[u8], credentials: &GitHubCredentials) -> Vec<u8> {
    let mut private = Private::decode(private);
    if let GitHubCredentials::App { code, .. } | GitHubCredentials::OAuth { code, .. } = credentials
    {
        private.remember(code.expose());
    }
    private.encode()
}

fn write_error(action: &str, method: &str, err: &Error) -> crate::tfplugin::diag::Diagnostic {
    let mut diag = api_error(action, err);
    if err.is_bad_verification_code() {
        diag.summary = "GitHub code already used or expired".to_owned();
        diag.detail = format!("{}\n\n{}", used_code_detail(method), diag.detail);
        diag.path = Some(AttrPath::new(attr::CREDENTIALS).attr(attr::CODE));
    }
    diag
}

/// Infisical exchanges a GitHub `code` before it checks the connection's name, so a name another
/// connection has would spend the single-use code and then fail. When a request would send a code
/// under a name (a create, or a rename with new credentials), looks the name up first and refuses
/// without sending anything if another connection (not `own_id`) has it. A failed lookup does not
/// block the request: the check only spares the code.
async fn name_free_for_code(
    client: &Client,
    name: &str,
    project_id: Option<&str>,
    own_id: Option<&str>,
    credentials: &GitHubCredentials,
    diags: &mut Diagnostics,
) -> bool {
    if matches!(credentials, GitHubCredentials::Pat { .. }) {
        return true;
    }
    let other = match client.github().get_by_name(name, project_id).await {
        Ok(other) if Some(other.id.as_str()) != own_id => other,
        Ok(_) => return true,
        Err(err) if err.is_not_found() => return true,
        Err(err) => {
            tracing::warn!(name, error = %err, "could not check that the name is free; sending the code");
            return true;
        }
    };
    let scope = project_id.map_or_else(
        || "in the organization".to_owned(),
        |p| format!("in project {p}"),
    );
    diags.attr_error(
        AttrPath::new(attr::NAME),
        "Connection name already taken",
        format!(
            "Infisical already has a GitHub connection named {name:?} {scope} (id {}). Infisical \
             would exchange the single-use GitHub `code` before refusing the name, so nothing was \
             sent and the code is still unused: choose another name (or import that connection), \
             and apply again within the code's 10 minutes.",
            other.id
        ),
    );
    false
}

#[tonic::async_trait]
impl Resource<Configured> for AppConnectionGithub {
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
        diags: &mut Diagnostics,
    ) {
        modify_plan(input, planned, private, diags);
    }

    async fn create(
        &self,
        api: &Configured,
        planned: &Value,
        _config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        use attr::*;
        let client = api.client(diags)?;
        let name = planned.get(NAME).as_str().unwrap_or_default();
        let method = planned.get(METHOD).as_str().unwrap_or_default();
        let Some(credentials) = credentials_from(planned) else {
            diags.attr_error(
                AttrPath::new(CREDENTIALS),
                "Incomplete credentials",
                "the credentials are incomplete for this method.",
            );
            return None;
        };
        let request = CreateAppConnection::<GitHub> {
            name: name.to_owned(),
            description: planned
                .get(DESCRIPTION)
                .as_str()
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            credentials: credentials.clone(),
            project_id: planned.get(PROJECT_ID).as_str().map(str::to_owned),
            gateway_id: planned.get(GATEWAY_ID).as_str().map(str::to_owned),
        };
        let action = format!("create the GitHub connection {name:?}");
        let project = request.project_id.as_deref();
        if !name_free_for_code(client, name, project, None, &credentials, diags).await {
            return None;
        }
        let mut attempt = 1;
        let created = loop {
            let err = match client.github().create(&request).await {
                Ok(conn) => break conn,
                Err(err) => err,
            };
            // A lost answer or an internal error may still have created the connection: look
            // before creating again, so there is never a duplicate nor an orphan.
            if !(err.is_ambiguous() || matches!(err, Error::Server(_))) {
                diags.add(write_error(&action, method, &err));
                return None;
            }
            match client.github().get_by_name(name, project).await {
                Ok(conn) => {
                    tracing::info!(id = %conn.id, "the failed create had created the connection");
                    break conn;
                }
                Err(lookup) if lookup.is_not_found() && attempt < CREATE_ATTEMPTS => attempt += 1,
                Err(_) => {
                    diags.add(write_error(&action, method, &err));
                    return None;
                }
            }
        };
        Some(Stored {
            state: applied(planned, &created),
            private: private_after_write(private, &credentials),
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
        let id = state.get(attr::ID).as_str().unwrap_or_default();
        match client.github().get(id).await {
            Ok(conn) => ReadOutcome::Found(Stored {
                state: refresh(state, &conn, diags),
                private: private.to_vec(),
            }),
            Err(err) if err.is_not_found() => {
                tracing::info!(
                    id,
                    "the GitHub connection is gone; Terraform will plan to create it"
                );
                ReadOutcome::Gone
            }
            Err(err) => {
                diags.add(api_error(&format!("read the GitHub connection {id}"), &err));
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
        use attr::*;
        let client = api.client(diags)?;
        let id = prior.get(ID).as_str().unwrap_or_default();
        let method = planned.get(METHOD).as_str().unwrap_or_default();
        let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
        let mut request = UpdateAppConnection::<GitHub>::default();
        if planned.get(NAME) != prior.get(NAME) {
            request.name = text(planned.get(NAME));
        }
        if !same_description(planned.get(DESCRIPTION), prior.get(DESCRIPTION)) {
            request.description = Patch::from_option(text(planned.get(DESCRIPTION)));
        }
        if planned.get(GATEWAY_ID) != prior.get(GATEWAY_ID) {
            request.gateway_id = Patch::from_option(text(planned.get(GATEWAY_ID)));
        }
        // Credentials only when they changed (or drifted): a GitHub code is single-use.
        if !planned.get(CREDENTIALS).same_as(prior.get(CREDENTIALS)) {
            request.credentials = credentials_from(planned);
            if let Some(credentials) = &request.credentials {
                if !check_unused(credentials, method, private, diags) {
                    return None;
                }
            }
        }
        if let (Some(name), Some(credentials)) = (&request.name, &request.credentials) {
            let project = prior.get(PROJECT_ID).as_str();
            if !name_free_for_code(client, name, project, Some(id), credentials, diags).await {
                return None;
            }
        }
        let sent_credentials = request.credentials.clone();
        let unchanged = request == UpdateAppConnection::default();
        let mut state = planned.clone();
        if unchanged {
            // Only a change the API does not see (e.g. description "" → null).
            state.set(CREDENTIALS_HASH, prior.get(CREDENTIALS_HASH).clone());
            return Some(Stored {
                state,
                private: private.to_vec(),
            });
        }
        match client.github().update(id, &request).await {
            Ok(conn) => {
                let private = match &sent_credentials {
                    Some(creds) => private_after_write(private, creds),
                    None => private.to_vec(),
                };
                Some(Stored {
                    state: applied(planned, &conn),
                    private,
                })
            }
            Err(err) => {
                let name = planned.get(NAME).as_str().unwrap_or(id);
                diags.add(write_error(
                    &format!("update the GitHub connection {name:?}"),
                    method,
                    &err,
                ));
                None
            }
        }
    }

    async fn delete(&self, api: &Configured, prior: &Value, diags: &mut Diagnostics) {
        let Some(client) = api.client(diags) else {
            return;
        };
        let id = prior.get(attr::ID).as_str().unwrap_or_default();
        match client.github().delete(id).await {
            Ok(_) => {}
            Err(err) if err.is_not_found() => tracing::info!(id, "already deleted"),
            Err(err) => diags.add(api_error(
                &format!("delete the GitHub connection {id}"),
                &err,
            )),
        }
    }

    async fn import(&self, api: &Configured, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let client = api.client(diags)?;
        let github = client.github();
        let found = if uuid::Uuid::try_parse(id).is_ok() {
            github.get(id).await
        } else if let Some((project, name)) = id.split_once('/') {
            github.get_by_name(name, Some(project)).await
        } else {
            github.get_by_name(id, None).await
        };
        match found {
            Ok(conn) => Some(state_from_api(&conn)),
            Err(err) => {
                let mut diag = api_error(&format!("import the GitHub connection {id:?}"), &err);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(method: &str, creds: Vec<(&str, Value)>) -> Value {
        let mut all = vec![
            (attr::CODE, Value::Null),
            (attr::INSTALLATION_ID, Value::Null),
            (attr::PERSONAL_ACCESS_TOKEN, Value::Null),
            (attr::INSTANCE_TYPE, Value::Null),
            (attr::HOST, Value::Null),
        ];
        for (k, v) in creds {
            all.retain(|(name, _)| *name != k);
            all.push((k, v));
        }
        Value::object([
            (attr::ID, Value::Null),
            (attr::NAME, Value::string("github-main")),
            (attr::DESCRIPTION, Value::Null),
            (attr::METHOD, Value::string(method)),
            (attr::PROJECT_ID, Value::Null),
            (attr::GATEWAY_ID, Value::Null),
            (attr::CREDENTIALS_HASH, Value::Null),
            (attr::CREDENTIALS, Value::object(all)),
        ])
    }

    fn errors(config: &Value) -> Vec<String> {
        let mut diags = Diagnostics::new();
        validate_config(config, &mut diags);
        diags
            .iter()
            .map(|d| d.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }

    #[test]
    fn each_method_requires_its_own_credentials_and_refuses_the_others() {
        let pat = || (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        let code = || (attr::CODE, Value::string("c0de"));
        let installation = || (attr::INSTALLATION_ID, Value::string("42"));
        assert!(errors(&config("pat", vec![pat()])).is_empty());
        assert!(errors(&config("github-app", vec![code(), installation()])).is_empty());
        assert!(errors(&config("oauth", vec![code()])).is_empty());
        assert_eq!(
            errors(&config("pat", vec![pat(), code()])),
            ["credentials.code"]
        );
        assert_eq!(
            errors(&config("pat", vec![])),
            ["credentials.personal_access_token"]
        );
        assert_eq!(
            errors(&config("github-app", vec![code()])),
            ["credentials.installation_id"]
        );
        assert_eq!(
            errors(&config("oauth", vec![code(), installation()])),
            ["credentials.installation_id"]
        );
        assert_eq!(
            errors(&config("oauth", vec![pat(), code()])),
            ["credentials.personal_access_token"]
        );
        assert_eq!(errors(&config("ssh", vec![pat()])), ["method"]);
    }

    #[test]
    fn server_instances_need_a_bare_host() {
        let pat = (attr::PERSONAL_ACCESS_TOKEN, Value::string("ghp_x"));
        let server = (attr::INSTANCE_TYPE, Value::string("server"));
        assert_eq!(
            errors(&config("pat", vec![pat.clone(), server.clone()])),
            ["credentials.host"]
        );
        let url = (attr::HOST, Value::string("https://github.example.com"));
        assert_eq!(
            errors(&config("pat", vec![pat.clone(), server.clone(), url])),
            ["credentials.host"]
        );
        let host = (attr::HOST, Value::string("github.example.com"));
        assert!(errors(&config("pat", vec![pat.clone(), server, host])).is_empty());
        let other = (attr::INSTANCE_TYPE, Value::string("enterprise"));
        assert_eq!(
            errors(&config("pat", vec![pat, other])),
            ["credentials.instance_type"]
        );
    }

    #[test]
    fn unknown_credentials_and_method_are_checked_later() {
        let mut cfg = config("pat", vec![]);
        cfg.set(attr::CREDENTIALS, Value::Unknown);
        assert!(errors(&cfg).is_empty());
        let mut cfg = config("pat", vec![(attr::PERSONAL_ACCESS_TOKEN, Value::Unknown)]);
        cfg.set(attr::METHOD, Value::Unknown);
        assert!(errors(&cfg).is_empty());
    }

    #[test]
    fn private_state_keeps_fingerprints_not_codes() {
        let mut private = Private::default();
        private.remember("secret-code-1");
        let bytes = private.encode();
        assert!(!String::from_utf8_lossy(&bytes).contains("secret-code-1"));
        let back = Private::decode(&bytes);
        assert!(back.used("secret-code-1"));
        assert!(!back.used("secret-code-2"));
        assert_eq!(Private::decode(b"{\"provider\":{}}"), Private::default());
        assert!(
            Private::default().encode().is_empty(),
            "nothing to keep, nothing stored"
        );
        assert_eq!(Private::decode(b""), Private::default());
        for i in 0..40 {
            private.remember(&format!("c{i}"));
        }
        assert_eq!(private.used_codes.len(), USED_CODES_KEPT);
        assert!(private.used("c39"));
    }
}
