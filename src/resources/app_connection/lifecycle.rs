//! The app-connection base's operations — create, read, update, delete, import — for any app.
//! Each returns its failure as a value (a diagnostic); warnings, which go along with a result,
//! are added to `diags` as they arise.

use crate::infisical::{
    App, AppConnection, Client, CreateAppConnection, Error, Patch, UpdateAppConnection,
};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::{Listed, ReadOutcome, Stored, with_write_only};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::super::by_id;
use super::super::configured::Configured;
use super::super::model::{Computed, Model, error_at, non_empty, same_description, stored_text};
use super::private::Private;
use super::{Connection, ConnectionApp, attr, scope};

/// The typed state of app `A`'s connections.
type State<A> = Connection<<A as ConnectionApp>::Credentials>;

/// The plan with the configuration's write-only secrets: what is sent, never what is stored.
fn sendable<A: ConnectionApp>(planned: &Value, config: &Value) -> Result<State<A>, Diagnostic> {
    State::<A>::from_value(&with_write_only(&super::schema::<A>(), planned, config))
}

/// Creates the connection `planned` describes, with the write-only secrets of `config`.
pub(super) async fn create<A: ConnectionApp>(
    api: &Configured,
    planned: &Value,
    config: &Value,
    private: &[u8],
) -> Result<Stored, Diagnostic> {
    let client = api.client_or_error()?;
    let plan = State::<A>::from_value(planned)?;
    let credentials = sendable::<A>(planned, config)?
        .request::<A>()
        .ok_or_else(|| {
            error_at(
                AttrPath::new(attr::CREDENTIALS),
                "Incomplete credentials",
                "the credentials are incomplete for this method.",
            )
        })?;
    let request = CreateAppConnection::<A::App> {
        name: plan.name.clone(),
        description: stored_text(plan.description.as_deref()).map(str::to_owned),
        credentials,
        project_id: plan.project_id.clone(),
        gateway_id: plan.gateway_id.clone(),
        gateway_pool_id: plan.gateway_pool_id.clone(),
    };
    let project = request.project_id.as_deref();
    name_free_for_secret::<A>(client, &plan.name, project, None, &request.credentials).await?;
    let created = create_once::<A>(api, client, &request, &plan.method).await?;
    Ok(Stored {
        state: applied::<A>(plan, &created),
        private: private_after_write::<A>(private, &request.credentials),
    })
}

/// Refreshes `state` from Infisical; drift is a warning in `diags`.
pub(super) async fn read<A: ConnectionApp>(
    api: &Configured,
    state: &Value,
    private: &[u8],
    diags: &mut Diagnostics,
) -> Result<ReadOutcome, Diagnostic> {
    let client = match api.client_or_keep(state, private) {
        Ok(client) => client,
        Err(kept) => return Ok(kept),
    };
    let current = State::<A>::from_value(state)?;
    let id = current.known_id()?;
    let connections = client.app_connections::<A::App>();
    match connections.read(&id, current.project_id.as_deref()).await {
        Ok(conn) => Ok(ReadOutcome::Found(Stored {
            state: refresh::<A>(current, &conn, diags).to_value(),
            private: private.to_vec(),
        })),
        Err(err) if err.is_not_found() => {
            tracing::info!(
                id,
                "the {} connection is gone; Terraform will plan to create it",
                A::LABEL
            );
            Ok(ReadOutcome::Gone)
        }
        Err(err) => Err(api.error(&format!("read the {} connection {id}", A::LABEL), &err)),
    }
}

/// Updates the connection in place, sending only what changed — credentials only when they
/// changed (or drifted, or a write-only secret's version changed), so a single-use secret is
/// never spent on an unrelated change.
pub(super) async fn update<A: ConnectionApp>(
    api: &Configured,
    prior: &Value,
    planned: &Value,
    config: &Value,
    private: &[u8],
) -> Result<Stored, Diagnostic> {
    let client = api.client_or_error()?;
    let before = State::<A>::from_value(prior)?;
    let mut plan = State::<A>::from_value(planned)?;
    let id = before.known_id()?;
    let request = changes::<A>(&before, &plan, &sendable::<A>(planned, config)?);
    if let Some(credentials) = &request.credentials {
        check_unused::<A>(credentials, &plan.method, private)?;
        if let Some(name) = &request.name {
            let project = before.project_id.as_deref();
            name_free_for_secret::<A>(client, name, project, Some(&id), credentials).await?;
        }
    }
    if request == UpdateAppConnection::default() {
        // Only a change the API does not see (e.g. description "" → null).
        plan.credentials_hash = before.credentials_hash;
        return Ok(Stored {
            state: plan.to_value(),
            private: private.to_vec(),
        });
    }
    match client
        .app_connections::<A::App>()
        .update(&id, &request)
        .await
    {
        Ok(conn) => Ok(Stored {
            private: match &request.credentials {
                Some(credentials) => private_after_write::<A>(private, credentials),
                None => private.to_vec(),
            },
            state: applied::<A>(plan, &conn),
        }),
        Err(err) => {
            let action = format!("update the {} connection {:?}", A::LABEL, plan.name);
            Err(write_error::<A>(api, &action, &plan.method, &err))
        }
    }
}

/// Deletes the connection; one already gone is not an error.
pub(super) async fn delete<A: ConnectionApp>(
    api: &Configured,
    prior: &Value,
) -> Result<(), Diagnostic> {
    let client = api.client_or_error()?;
    let id = State::<A>::from_value(prior)?.known_id()?;
    match client.app_connections::<A::App>().delete(&id).await {
        Ok(_) => Ok(()),
        Err(err) if err.is_not_found() => {
            tracing::info!(id, "already deleted");
            Ok(())
        }
        Err(err) => Err(api.error(&format!("delete the {} connection {id}", A::LABEL), &err)),
    }
}

/// The state of the connection `id` names: a UUID, a name in the organization, or
/// `<project_id>/<name>`.
pub(super) async fn import<A: ConnectionApp>(
    api: &Configured,
    id: &str,
) -> Result<Value, Diagnostic> {
    let connections = api.client_or_error()?.app_connections::<A::App>();
    let found = if uuid::Uuid::try_parse(id).is_ok() {
        connections.get(id).await
    } else if let Some((project, name)) = id.split_once('/') {
        connections.get_by_name(name, Some(project)).await
    } else {
        connections.get_by_name(id, None).await
    };
    match found {
        Ok(conn) => Ok(State::<A>::from_api::<A>(&conn).to_value()),
        Err(err) => {
            let mut diag = api.error(&format!("import the {} connection {id:?}", A::LABEL), &err);
            if err.is_not_found() {
                diag.detail.push_str(
                    "\n\nImport by connection id (a UUID), by name for an organization-level \
                     connection, or by \"<project_id>/<name>\" for a project-scoped one.",
                );
            }
            Err(diag)
        }
    }
}

/// The connections a list resource's `config` selects (those of `project_id`, or all the
/// organization's), at most `limit`, each as a full state without secrets: one list request,
/// never one per connection.
pub(super) async fn list<A: ConnectionApp>(
    api: &Configured,
    config: &Value,
    limit: usize,
) -> Result<Vec<Listed>, Diagnostic> {
    let project = config.get(by_id::PROJECT_ID).as_str();
    let listed = api
        .client_or_error()?
        .app_connections::<A::App>()
        .list(project)
        .await
        .map_err(|err| {
            let action = format!("list the {} connections {}", A::LABEL, scope(project));
            api.error(&action, &err)
        })?;
    Ok(listed
        .iter()
        .take(limit)
        .map(|conn| Listed {
            display_name: conn.name.clone(),
            state: State::<A>::from_api::<A>(conn).to_value(),
        })
        .collect())
}

/// The state of the connection an `import` block's `identity` names: its `id`, a UUID.
pub(super) async fn import_identity<A: ConnectionApp>(
    api: &Configured,
    identity: &Value,
) -> Result<Value, Diagnostic> {
    let id = by_id::identity_id(
        identity,
        &format!("{} connection", A::LABEL),
        "`id = \"<name>\"` (or \"<project_id>/<name>\")",
    )?;
    import::<A>(api, &id).await
}

/// The PATCH from `before` to `plan`: only what changed. Credentials (from `send`, which adds
/// the write-only secrets to `plan`) only when the stored credentials changed: a write-only
/// secret itself is never compared, only its version.
fn changes<A: ConnectionApp>(
    before: &State<A>,
    plan: &State<A>,
    send: &State<A>,
) -> UpdateAppConnection<A::App> {
    let mut request = UpdateAppConnection::<A::App>::default();
    if plan.name != before.name {
        request.name = non_empty(Some(&plan.name));
    }
    if !same_description(plan.description.as_deref(), before.description.as_deref()) {
        request.description =
            Patch::from_option(stored_text(plan.description.as_deref()).map(str::to_owned));
    }
    if plan.gateway_id != before.gateway_id {
        request.gateway_id = Patch::from_option(non_empty(plan.gateway_id.as_deref()));
    }
    if plan.gateway_pool_id != before.gateway_pool_id {
        request.gateway_pool_id = Patch::from_option(non_empty(plan.gateway_pool_id.as_deref()));
    }
    if plan.credentials != before.credentials {
        request.credentials = send.request::<A>();
    }
    request
}

/// Refuses, before any request, to send a single-use secret this connection already exchanged.
fn check_unused<A: ConnectionApp>(
    credentials: &<A::App as App>::Credentials,
    method: &str,
    private: &[u8],
) -> Result<(), Diagnostic> {
    let (Some(secret), Some(single_use)) =
        (A::single_use(credentials), A::single_use_attribute(method))
    else {
        return Ok(());
    };
    if !Private::decode(private).used(secret.expose()) {
        return Ok(());
    }
    Err(error_at(
        AttrPath::new(attr::CREDENTIALS).attr(single_use),
        A::spent_summary(),
        A::spent_detail(method, false),
    ))
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
) -> Result<(), Diagnostic> {
    if A::single_use(credentials).is_none() {
        return Ok(());
    }
    let connections = client.app_connections::<A::App>();
    let other = match connections.get_by_name(name, project_id).await {
        Ok(other) if Some(other.id.as_str()) != own_id => other,
        Ok(_) => return Ok(()),
        Err(err) if err.is_not_found() => return Ok(()),
        Err(err) => {
            tracing::warn!(name, error = %err, "could not check that the name is free; sending the credentials");
            return Ok(());
        }
    };
    Err(error_at(
        AttrPath::new(attr::NAME),
        "Connection name already taken",
        format!(
            "Infisical already has a {} connection named {name:?} {} (id {}). {}",
            A::LABEL,
            scope(project_id),
            other.id,
            A::name_taken_note()
        ),
    ))
}

/// Creates the connection through [`Client::create_confirmed`]: looked up by name after a failure
/// that may have created it, so there is never a duplicate nor an orphan.
async fn create_once<A: ConnectionApp>(
    api: &Configured,
    client: &Client,
    request: &CreateAppConnection<A::App>,
    method: &str,
) -> Result<AppConnection<A::App>, Diagnostic> {
    let name = request.name.as_str();
    let project = request.project_id.as_deref();
    let action = format!("create the {} connection {name:?}", A::LABEL);
    let connections = client.app_connections::<A::App>();
    client
        .create_confirmed(
            || connections.create(request),
            || connections.get_by_name(name, project),
        )
        .await
        .map_err(|err| write_error::<A>(api, &action, method, &err))
}

/// Refreshes `state` from what the API returns, keeping what the API cannot tell (secrets) and
/// what means the same (null vs "" descriptions). Credentials whose hash changed are drift:
/// their secrets are nulled so the next plan shows a credentials update.
fn refresh<A: ConnectionApp>(
    state: State<A>,
    conn: &AppConnection<A::App>,
    diags: &mut Diagnostics,
) -> State<A> {
    let fresh = State::<A>::from_api::<A>(conn);
    let description =
        if same_description(state.description.as_deref(), fresh.description.as_deref()) {
            state.description
        } else {
            fresh.description
        };
    let drifted = state
        .credentials_hash
        .known()
        .is_some_and(|hash| hash != conn.credentials_hash);
    let credentials = match state.credentials {
        None => fresh.credentials,
        Some(mut credentials) => {
            if drifted {
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
fn applied<A: ConnectionApp>(mut planned: State<A>, conn: &AppConnection<A::App>) -> Value {
    planned.id = Computed::Known(conn.id.clone());
    if planned.credentials_hash.is_unknown() {
        planned.credentials_hash = Computed::Known(conn.credentials_hash.clone());
    }
    planned.to_value()
}
