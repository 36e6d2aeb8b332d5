//! What a provider, resource and data source implement, and the planning rules they all share.
//!
//! The gRPC layer (`service`) decodes requests, calls these traits and encodes the answers. The
//! rules Terraform enforces on plans and apply results live here once, so no resource can forget
//! them: computed attributes become unknown only when something changes, "use state for unknown"
//! keeps stable values, an attribute's default fills what the configuration leaves null (and
//! stored state that lacks it), write-only attributes never reach plan or state, replacement is decided
//! from schema flags, and (in debug builds) every answer is checked against Terraform's own
//! invariants before it leaves the process. Ephemeral resources (Terraform ≥ 1.10, OpenTofu ≥
//! 1.11) are opened, renewed and closed, never planned or stored: their one rule, that a result
//! echoes the configuration and is wholly known, is checked here too.

use std::sync::Arc;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::schema::{Attribute, Kind, Mode, Nesting, Schema};
use super::value::{Type, Value};

/// A provider: its configuration, and the resources and data sources it offers.
#[tonic::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What `configure` produces and every resource operation receives (an API client).
    type Client: Send + Sync + 'static;

    /// The provider's configuration schema.
    fn schema(&self) -> Schema;

    /// Checks a provider configuration that may still contain unknown values.
    fn validate(&self, config: &Value, diags: &mut Diagnostics);

    /// Builds the client from the configuration (which may still contain unknown values at plan).
    async fn configure(&self, config: &Value, diags: &mut Diagnostics) -> Option<Self::Client>;

    /// Terraform asked the provider to stop (Ctrl-C): make operations in flight give up soon,
    /// without abandoning a request that is already on the wire.
    fn stop(&self, _client: &Self::Client) {}

    /// The managed resources.
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Client>>>;

    /// The data sources.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Client>>>;

    /// The ephemeral resources (Terraform ≥ 1.10, OpenTofu ≥ 1.11); none by default.
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Self::Client>>> {
        Vec::new()
    }
}

/// What Terraform gives a plan: the prior state, the configuration and its proposed merge.
pub struct PlanInput<'a> {
    /// The state before the change (null on create).
    pub prior: &'a Value,
    /// The configuration (may contain unknowns).
    pub config: &'a Value,
    /// The prior private data (empty on create).
    pub prior_private: &'a [u8],
}

/// A new state with the private data Terraform should keep beside it.
pub struct Stored {
    /// The state.
    pub state: Value,
    /// Opaque bytes only the provider reads (e.g. fingerprints of consumed secrets).
    pub private: Vec<u8>,
}

/// The outcome of refreshing a resource.
pub enum ReadOutcome {
    /// The object exists; here is its refreshed state.
    Found(Stored),
    /// The object is gone; Terraform will plan to create it again.
    Gone,
    /// Reading failed (diagnostics say why); Terraform keeps the prior state.
    Failed,
}

/// A resource's identity schema (Terraform ≥ 1.12): the few attributes that name one remote
/// object for good, which Terraform stores beside the state and an `import` block may give.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentitySchema {
    /// Bumped when the identity's shape changes (`UpgradeResourceIdentity` keys on it).
    pub version: i64,
    /// The identity's attributes.
    pub attributes: Vec<IdentityAttribute>,
}

/// One attribute of an identity.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// An `import` block's `identity` must give it.
    pub required_for_import: bool,
    /// Markdown description.
    pub description: &'static str,
}

impl IdentitySchema {
    /// The object type of an identity.
    pub(crate) fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_owned(), a.ty.clone()))
                .collect(),
        )
    }
}

/// What a list resource (Terraform ≥ 1.14, `terraform query`) found: one remote object of the
/// managed resource type, as a full state whose secrets are null. The service derives the
/// object's identity from it with [`Resource::identity`] and sends the state itself only when
/// the query asked for it (`include_resource`).
pub struct Listed {
    /// How `terraform query` names the object to a person (e.g. its name).
    pub display_name: String,
    /// The object's state, as a read would return it (write-only attributes are nulled anyway).
    pub state: Value,
}

/// A managed resource type.
#[tonic::async_trait]
pub trait Resource<C>: Send + Sync {
    /// The full type name, e.g. `random_password`.
    fn type_name(&self) -> &'static str;

    /// The resource's schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration that may contain unknowns (skip those), before any API call.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Adjusts a plan after the shared rules ran (not called on destroy). `planned` is what the
    /// shared rules produced; `private` starts as the prior private data.
    fn modify_plan(
        &self,
        _input: &PlanInput<'_>,
        _planned: &mut Value,
        _private: &mut Vec<u8>,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Advice on a plan that needs the remote system — a warning about something elsewhere that
    /// the change conflicts with — called after [`Resource::modify_plan`] produced a plan without
    /// errors, when the provider is configured; not called on destroy. What it adds is shown as
    /// warnings: a plan never fails on what such a request found (or on the request failing).
    async fn advise_plan(
        &self,
        _client: &C,
        _prior: &Value,
        _planned: &Value,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Creates the object. On failure, returns `None` (nothing was created) or the partial state
    /// of an object that exists, with error diagnostics.
    async fn create(
        &self,
        client: &C,
        planned: &Value,
        config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored>;

    /// Refreshes the state from the remote object.
    async fn read(
        &self,
        client: &C,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadOutcome;

    /// Updates the object in place. On failure, returns `None` and Terraform keeps the prior state.
    async fn update(
        &self,
        client: &C,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored>;

    /// Deletes the object. Errors go to `diags`; an object already gone is not an error.
    async fn delete(&self, client: &C, prior: &Value, diags: &mut Diagnostics);

    /// Turns an import id into a (partial) state that `read` then completes.
    async fn import(&self, client: &C, id: &str, diags: &mut Diagnostics) -> Option<Value>;

    /// The identity schema, for a resource with one (Terraform ≥ 1.12).
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object `state` describes, once the state knows it (`None` while an
    /// identifying value is unknown, as in a create's plan).
    fn identity(&self, _state: &Value) -> Option<Value> {
        None
    }

    /// Turns an `import` block's `identity` (known, of the identity schema's type) into a
    /// (partial) state that `read` then completes.
    async fn import_identity(
        &self,
        _client: &C,
        _identity: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        diags.error(
            "Import by identity not supported",
            format!(
                "{} cannot be imported by identity; import it by id instead.",
                self.type_name()
            ),
        );
        None
    }

    /// The schema of the resource type's list resource (the `config` block of a `list` block in
    /// a `*.tfquery.hcl` file), for a resource that can be listed; `None` (the default) for one
    /// that cannot. A resource with a list schema must have an identity schema: `terraform
    /// query` names each object by its identity.
    fn list_schema(&self) -> Option<Schema> {
        None
    }

    /// Checks a list resource's configuration (of [`Resource::list_schema`]'s type; it may
    /// contain unknowns), before any API call.
    fn validate_list(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Lists the remote objects the list configuration selects, at most `limit` of them. Errors
    /// go to `diags` (the objects found before one still count).
    async fn list(
        &self,
        _client: &C,
        _config: &Value,
        _limit: usize,
        diags: &mut Diagnostics,
    ) -> Vec<Listed> {
        diags.error(
            "List not supported",
            format!("{} cannot be listed.", self.type_name()),
        );
        Vec::new()
    }

    /// The configuration a person would write for the object `state` describes, for
    /// `-generate-config-out` (Terraform ≥ 1.14): of the schema's type, with null wherever
    /// nothing should be written. The default keeps what the configuration may set and nulls
    /// what only the provider sets and every write-only attribute; resources refine it (e.g. to
    /// name the secret a person must fill in).
    fn generate_config(&self, state: &Value, _diags: &mut Diagnostics) -> Option<Value> {
        Some(config_from_state(&self.schema(), state))
    }

    /// Upgrades stored state of `version` (as JSON) to the current schema. The default accepts
    /// the current version only, dropping attributes the schema no longer has.
    fn upgrade_state(&self, version: i64, json: &[u8], diags: &mut Diagnostics) -> Option<Value> {
        let schema = self.schema();
        if version != schema.version {
            diags.error(
                "Unsupported state version",
                format!(
                    "the stored state of this {} has schema version {version}, and this provider \
                     only reads version {}. Use the provider version that wrote it.",
                    self.type_name(),
                    schema.version
                ),
            );
            return None;
        }
        decode_state(json, &schema, diags)
    }
}

/// `state` as a configuration: computed-only attributes, write-only ones and values equal to
/// their attribute's default null (nested ones included), everything else a configuration may
/// set kept.
pub fn config_from_state(schema: &Schema, state: &Value) -> Value {
    fn go(attrs: &[Attribute], value: &mut Value) {
        for attr in attrs {
            let Some(slot) = value.get_mut(attr.name) else {
                continue;
            };
            let at_default = attr.default.as_ref().is_some_and(|d| slot.same_as(d));
            if attr.mode == Mode::Computed || attr.write_only || at_default {
                *slot = Value::Null;
            } else if let Kind::Nested(Nesting::Single, children) = &attr.kind {
                go(children, slot);
            }
        }
    }
    let mut config = state.clone();
    if !config.is_null() {
        go(&schema.attributes, &mut config);
    }
    config
}

/// Decodes stored JSON state with `schema`, reporting a failure as a diagnostic. Attributes the
/// stored state leaves null take their defaults: state written before an attribute existed (or
/// by another provider) then plans no change for a configuration that leaves it unset.
pub(crate) fn decode_state(json: &[u8], schema: &Schema, diags: &mut Diagnostics) -> Option<Value> {
    match super::value::from_json(json, &schema.value_type()) {
        Ok(mut value) => {
            fill_state_defaults(&schema.attributes, &mut value);
            Some(value)
        }
        Err(err) => {
            diags.add(err.into());
            None
        }
    }
}

/// A data source type.
#[tonic::async_trait]
pub trait DataSource<C>: Send + Sync {
    /// The full type name, e.g. `aws_caller_identity`.
    fn type_name(&self) -> &'static str;

    /// The data source's schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration that may contain unknowns (skip those).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Reads the data.
    async fn read(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// What opening an ephemeral resource gives Terraform: a value it keeps in memory for the run
/// (never in a plan or a state), and what it needs to renew and close it. No `Debug`: the result
/// holds the secret itself, and the private bytes may be a lease's.
#[derive(Clone)]
pub struct Opened {
    /// The result, of the schema's type: the configuration's values where it sets them, every
    /// value known.
    pub result: Value,
    /// When Terraform should call [`EphemeralResource::renew`] (a lease's end, say), if ever.
    pub renew_at: Option<std::time::SystemTime>,
    /// Opaque bytes Terraform hands back to renew and close (a lease id, say); never shown.
    pub private: Option<Vec<u8>>,
}

/// What renewing an ephemeral resource gives Terraform (no `Debug`, as [`Opened`]).
#[derive(Clone, Default)]
pub struct Renewed {
    /// When to renew again, if ever.
    pub renew_at: Option<std::time::SystemTime>,
    /// The private bytes for the next renew and the close.
    pub private: Option<Vec<u8>>,
}

/// An ephemeral resource type (Terraform ≥ 1.10, OpenTofu ≥ 1.11): something read or made for
/// one run — a secret, a short-lived credential — whose value Terraform never writes into a plan
/// or a state. Terraform opens it whenever a run needs its value (at plan and again at apply),
/// renews it at `renew_at`, and closes it when the run no longer needs it.
///
/// Terraform opens it only once its configuration is wholly known (with unknown values it
/// shows "known after apply" instead and opens it at apply); the service refuses, or defers
/// where the client allows it, an open that breaks that rule, so `open` always gets a known
/// configuration.
#[tonic::async_trait]
pub trait EphemeralResource<C>: Send + Sync {
    /// The full type name, e.g. `random_password`.
    fn type_name(&self) -> &'static str;

    /// The ephemeral resource's schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration that may contain unknowns (skip those), before any API call.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Opens it with a wholly known `config`. On failure, returns `None` with error diagnostics
    /// (which must not carry the value).
    async fn open(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Option<Opened>;

    /// Renews what [`EphemeralResource::open`] opened (it asked for it with `renew_at`). The
    /// default does nothing and asks for no further renewal.
    async fn renew(
        &self,
        _client: &C,
        private: Option<&[u8]>,
        _diags: &mut Diagnostics,
    ) -> Renewed {
        Renewed {
            renew_at: None,
            private: private.map(<[u8]>::to_vec),
        }
    }

    /// Closes what [`EphemeralResource::open`] opened (revokes a lease, say). The default does
    /// nothing: a value that was only read needs no closing.
    async fn close(&self, _client: &C, _private: Option<&[u8]>, _diags: &mut Diagnostics) {}
}

/// Terraform's rules for an ephemeral resource's result (`objchange.AssertPlanValid` against a
/// null prior, and OpenTofu's check that it is wholly known): not null, every value known, and
/// (checked in debug builds, as plans are) the configuration's values kept where it sets them.
/// Errors call it a provider bug, for Terraform would reject the result anyway.
pub(crate) fn check_opened(
    schema: &Schema,
    config: &Value,
    result: &Value,
    diags: &mut Diagnostics,
) {
    if result.is_null() {
        diags.error(
            "Provider bug: invalid ephemeral result",
            "the ephemeral resource opened with a null result; Terraform would reject it. This \
             is a bug in the provider: please report it with the configuration that triggered \
             it.",
        );
        return;
    }
    if result.contains_unknown() {
        invalid(
            diags,
            &AttrPath::root(),
            "the ephemeral result has an unknown value",
        );
        return;
    }
    if cfg!(debug_assertions) {
        check_plan(schema, &Value::Null, config, result, diags);
    }
}

/// The result of planning: the planned state and which paths force a replacement.
pub(crate) struct Plan {
    /// The planned new state (null for destroy).
    pub(crate) planned: Value,
    /// Private data to carry to apply.
    pub(crate) private: Vec<u8>,
    /// Paths whose change replaces the resource.
    pub(crate) requires_replace: Vec<AttrPath>,
}

/// Plans a change the way Terraform users expect from any provider, then lets the resource
/// refine it. `proposed` is Terraform's proposed new state.
pub(crate) fn plan<C>(
    resource: &dyn Resource<C>,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    prior_private: &[u8],
    diags: &mut Diagnostics,
) -> Plan {
    let schema = resource.schema();
    let mut private = prior_private.to_vec();
    if proposed.is_null() {
        return Plan {
            planned: Value::Null,
            private,
            requires_replace: Vec::new(),
        };
    }
    let mut planned = proposed.clone();
    null_write_only(&schema.attributes, &mut planned);
    if prior.is_null() || !planned.same_as(prior) {
        mark_computed_unknown(&schema.attributes, prior, config, &mut planned);
    }
    fill_defaults(&schema.attributes, config, &mut planned);
    let input = PlanInput {
        prior,
        config,
        prior_private,
    };
    resource.modify_plan(&input, &mut planned, &mut private, diags);
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        schema.walk(|path, attr| {
            let now = planned.at(path);
            if attr.requires_replace && (now.is_unknown() || !now.same_as(prior.at(path))) {
                requires_replace.push(path.clone());
            }
        });
    }
    if cfg!(debug_assertions) {
        check_plan(&schema, prior, config, &planned, diags);
    }
    Plan {
        planned,
        private,
        requires_replace,
    }
}

/// Plans each attribute's default where the configuration leaves it null (nested attributes of a
/// set object included): a value the user did not write but the plan shows, as plugin-framework's
/// `Default`. A set or unknown configuration value is kept as it is.
fn fill_defaults(attrs: &[Attribute], config: &Value, planned: &mut Value) {
    for attr in attrs {
        let config_value = config.get(attr.name);
        let Some(slot) = planned.get_mut(attr.name) else {
            continue;
        };
        match (&attr.default, &attr.kind) {
            (Some(default), _) if config_value.is_null() => *slot = default.clone(),
            (_, Kind::Nested(Nesting::Single, children))
                if !config_value.is_null() && !config_value.is_unknown() && !slot.is_unknown() =>
            {
                fill_defaults(children, config_value, slot);
            }
            _ => {}
        }
    }
}

/// Fills each attribute's default where `state` (a state the provider did not plan: stored by
/// an older version or another provider, imported, listed) has null, nested ones included.
pub(crate) fn fill_state_defaults(attrs: &[Attribute], state: &mut Value) {
    if state.is_null() {
        return;
    }
    let found = state.clone();
    fill_defaults(attrs, &found, state);
}

/// Nulls every write-only attribute of `value` (a plan or a state), nested ones included:
/// Terraform rejects a plan or a state that holds one.
pub(crate) fn null_write_only(attrs: &[Attribute], value: &mut Value) {
    for attr in attrs {
        let Some(slot) = value.get_mut(attr.name) else {
            continue;
        };
        if attr.write_only {
            *slot = Value::Null;
        } else if let Kind::Nested(Nesting::Single, children) = &attr.kind {
            null_write_only(children, slot);
        }
    }
}

/// `planned` with the write-only values of `config` put back: what a resource sends to its API
/// on create or update. Write-only values are only ever in the configuration, so this value must
/// never become a state (the service nulls write-only attributes in every state it answers
/// with, as a second guard).
pub fn with_write_only(schema: &Schema, planned: &Value, config: &Value) -> Value {
    fn go(attrs: &[Attribute], planned: &mut Value, config: &Value) {
        for attr in attrs {
            let from = config.get(attr.name);
            let Some(slot) = planned.get_mut(attr.name) else {
                continue;
            };
            if attr.write_only {
                *slot = from.clone();
            } else if let Kind::Nested(Nesting::Single, children) = &attr.kind {
                go(children, slot, from);
            }
        }
    }
    let mut sendable = planned.clone();
    go(&schema.attributes, &mut sendable, config);
    sendable
}

/// Refuses write-only values from a Terraform that did not announce it supports them
/// (`write_only_attributes_allowed`, Terraform ≥ 1.11): an older one would keep them in its plan
/// and state, the very thing write-only attributes exist to avoid. Each set one is an error at
/// its path.
pub(crate) fn refuse_write_only(schema: &Schema, config: &Value, diags: &mut Diagnostics) {
    schema.walk(|path, attr| {
        if attr.write_only && !config.at(path).is_null() {
            diags.attr_error(
                path.clone(),
                "Write-only attribute not supported by this Terraform",
                format!(
                    "`{path}` is write-only: its value is sent to the API but never stored in the \
                     plan or the state. This Terraform does not support write-only attributes \
                     (they need Terraform 1.11 or later, or OpenTofu 1.11 or later), and would \
                     store it. Upgrade, or {}",
                    match attr.stored_form {
                        Some(plain) => format!(
                            "set `{plain}` instead: the same value, stored in the state as a \
                             sensitive value."
                        ),
                        None => "use the attribute's plain, stored counterpart instead.".to_owned(),
                    }
                ),
            );
        }
    });
}

/// Computed attributes the configuration leaves null become "(known after apply)", except those
/// marked `use_state_for_unknown`, which keep their prior value.
fn mark_computed_unknown(attrs: &[Attribute], prior: &Value, config: &Value, planned: &mut Value) {
    for attr in attrs {
        let prior_value = prior.get(attr.name);
        let config_value = config.get(attr.name);
        let Some(slot) = planned.get_mut(attr.name) else {
            continue;
        };
        if attr.is_computed() && config_value.is_null() {
            *slot = if attr.use_state_for_unknown && !prior_value.is_null() {
                prior_value.clone()
            } else {
                Value::Unknown
            };
        } else if let Kind::Nested(Nesting::Single, children) = &attr.kind
            && !slot.is_null()
            && !slot.is_unknown()
        {
            mark_computed_unknown(children, prior_value, config_value, slot);
        }
    }
}

/// Terraform's rule for each planned attribute (`objchange.AssertPlanValid`): it equals the
/// configuration, or keeps the prior value where both are set, or is computed and unset in
/// configuration. Breaking it makes Terraform fail with "Provider produced invalid plan".
fn check_plan(
    schema: &Schema,
    prior: &Value,
    config: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) {
    fn go(
        attrs: &[Attribute],
        base: &AttrPath,
        prior: &Value,
        config: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) {
        for attr in attrs {
            let path = base.attr(attr.name);
            let (p, c, n) = (
                prior.get(attr.name),
                config.get(attr.name),
                planned.get(attr.name),
            );
            if attr.write_only {
                if !n.is_null() {
                    invalid(diags, &path, "a write-only attribute is set in the plan");
                }
                continue;
            }
            if let (Kind::Nested(Nesting::Single, children), false, false) = (
                &attr.kind,
                c.is_null() || c.is_unknown(),
                n.is_null() || n.is_unknown(),
            ) {
                go(children, &path, p, c, n, diags);
                continue;
            }
            // A list of nested objects is checked element by element, as Terraform does: its
            // computed children may differ from the configuration's nulls.
            if let (Kind::Nested(Nesting::List, children), Value::List(cs), Value::List(ns)) =
                (&attr.kind, c, n)
                && cs.len() == ns.len()
            {
                let null = Value::Null;
                for (index, (ce, ne)) in cs.iter().zip(ns).enumerate() {
                    let pe = match p {
                        Value::List(ps) => ps.get(index).unwrap_or(&null),
                        _ => &null,
                    };
                    go(children, &path.index(index), pe, ce, ne, diags);
                }
                continue;
            }
            let allowed = n.same_as(c)
                || (!p.is_null() && !c.is_null() && n.same_as(p))
                || (attr.is_computed() && c.is_null())
                || (attr.mode == Mode::Computed);
            if !allowed {
                invalid(
                    diags,
                    &path,
                    "the planned value differs from the configuration",
                );
            }
        }
    }
    go(
        &schema.attributes,
        &AttrPath::root(),
        prior,
        config,
        planned,
        diags,
    );
}

/// Terraform's rules for an apply result: wholly known, and every value that was known in the
/// plan kept as planned ("Provider produced inconsistent result after apply" otherwise).
pub(crate) fn check_applied(planned: &Value, applied: &Value, diags: &mut Diagnostics) {
    fn go(path: &AttrPath, planned: &Value, applied: &Value, diags: &mut Diagnostics) {
        match (planned, applied) {
            (_, a) if a.is_unknown() => {
                invalid(diags, path, "the applied state has an unknown value")
            }
            (Value::Unknown, a) if a.contains_unknown() => {
                invalid(diags, path, "the applied state has an unknown value");
            }
            (Value::Unknown, _) => {}
            (Value::Map(p), Value::Map(a)) => {
                for (name, pv) in p {
                    go(
                        &path.attr(name),
                        pv,
                        a.get(name).unwrap_or(&Value::Null),
                        diags,
                    );
                }
            }
            (Value::List(p), Value::List(a)) if p.len() == a.len() => {
                for (index, (pv, av)) in p.iter().zip(a).enumerate() {
                    go(&path.index(index), pv, av, diags);
                }
            }
            (p, a) if !p.same_as(a) => {
                invalid(
                    diags,
                    path,
                    "the applied value differs from the planned value",
                );
            }
            _ => {}
        }
    }
    if cfg!(debug_assertions) && !planned.is_null() {
        go(&AttrPath::root(), planned, applied, diags);
    }
}

fn invalid(diags: &mut Diagnostics, path: &AttrPath, what: &str) {
    diags.attr_error(
        path.clone(),
        "Provider bug: invalid plan or result",
        format!(
            "{what} at {path}; Terraform would reject it. This is a bug in the provider: please \
             report it with the configuration that triggered it."
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::testing::Stub;

    /// A resource with a computed id kept from state, a required name, a zone whose change
    /// replaces it, and a computed etag.
    fn widget() -> Stub {
        Stub::new(
            "test_widget",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::string("name").required(),
                Attribute::string("zone").requires_replace(),
                Attribute::string("etag").computed(),
            ],
        )
    }

    fn state(name: &str, zone: &str) -> Value {
        Value::object([
            ("id", Value::string("w-1")),
            ("name", Value::string(name)),
            ("zone", Value::string(zone)),
            ("etag", Value::string("e1")),
        ])
    }

    fn config(name: &str, zone: &str) -> Value {
        Value::object([
            ("id", Value::Null),
            ("name", Value::string(name)),
            ("zone", Value::string(zone)),
            ("etag", Value::Null),
        ])
    }

    /// Terraform's proposed new state: config, with computed attributes null in config taken from prior.
    fn proposed(prior: &Value, config: &Value) -> Value {
        let mut p = config.clone();
        for attr in ["id", "etag"] {
            p.set(attr, prior.get(attr).clone());
        }
        p
    }

    #[test]
    fn a_plan_with_no_change_keeps_every_computed_value() {
        let prior = state("a", "z1");
        let cfg = config("a", "z1");
        let mut diags = Diagnostics::new();
        let plan = plan(
            &widget(),
            &prior,
            &proposed(&prior, &cfg),
            &cfg,
            b"",
            &mut diags,
        );
        assert!(plan.planned.same_as(&prior));
        assert!(plan.requires_replace.is_empty());
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn an_update_marks_computed_unknown_but_keeps_use_state_for_unknown() {
        let prior = state("a", "z1");
        let cfg = config("b", "z1");
        let mut diags = Diagnostics::new();
        let plan = plan(
            &widget(),
            &prior,
            &proposed(&prior, &cfg),
            &cfg,
            b"",
            &mut diags,
        );
        assert_eq!(plan.planned.get("id"), &Value::string("w-1"));
        assert_eq!(plan.planned.get("etag"), &Value::Unknown);
        assert!(plan.requires_replace.is_empty());
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn a_create_has_every_computed_value_unknown() {
        let cfg = config("a", "z1");
        let mut diags = Diagnostics::new();
        let plan = plan(
            &widget(),
            &Value::Null,
            &proposed(&Value::Null, &cfg),
            &cfg,
            b"",
            &mut diags,
        );
        assert_eq!(plan.planned.get("id"), &Value::Unknown);
        assert_eq!(plan.planned.get("etag"), &Value::Unknown);
        assert!(plan.requires_replace.is_empty(), "no replacement on create");
    }

    #[test]
    fn changing_a_requires_replace_attribute_forces_replacement() {
        let prior = state("a", "z1");
        let cfg = config("a", "z2");
        let mut diags = Diagnostics::new();
        let plan = plan(
            &widget(),
            &prior,
            &proposed(&prior, &cfg),
            &cfg,
            b"",
            &mut diags,
        );
        assert_eq!(plan.requires_replace, vec![AttrPath::new("zone")]);
    }

    #[test]
    fn destroy_plans_null() {
        let mut diags = Diagnostics::new();
        let plan = plan(
            &widget(),
            &state("a", "z"),
            &Value::Null,
            &Value::Null,
            b"p",
            &mut diags,
        );
        assert!(plan.planned.is_null());
        assert_eq!(plan.private, b"p");
    }

    fn with_secret() -> Schema {
        Schema {
            version: 0,
            description: "",
            attributes: vec![
                Attribute::string("name").required(),
                Attribute::single(
                    "creds",
                    vec![
                        Attribute::string("token_wo").sensitive().write_only(),
                        Attribute::number("token_wo_version"),
                    ],
                ),
            ],
        }
    }

    fn secret_config(token: Value) -> Value {
        Value::object([
            ("name", Value::string("a")),
            (
                "creds",
                Value::object([("token_wo", token), ("token_wo_version", Value::int(1))]),
            ),
        ])
    }

    #[test]
    fn write_only_values_come_back_only_from_the_configuration() {
        let schema = with_secret();
        let config = secret_config(Value::string("s3cr3t"));
        let mut planned = config.clone();
        null_write_only(&schema.attributes, &mut planned);
        assert_eq!(planned, secret_config(Value::Null));
        let sendable = with_write_only(&schema, &planned, &config);
        assert_eq!(sendable, config);
    }

    #[test]
    fn a_terraform_without_write_only_support_gets_an_error_at_the_path() {
        let schema = with_secret();
        let mut diags = Diagnostics::new();
        refuse_write_only(&schema, &secret_config(Value::Null), &mut diags);
        assert!(diags.is_empty());
        refuse_write_only(&schema, &secret_config(Value::Unknown), &mut diags);
        let paths: Vec<_> = diags.iter().map(|d| d.path.clone()).collect();
        assert_eq!(paths, [Some(AttrPath::new("creds").attr("token_wo"))]);
        assert!(diags.has_errors());
    }

    /// A resource with two defaults, one of them inside an optional and computed object whose
    /// own default is its attributes' defaults.
    fn with_defaults() -> Stub {
        let options = vec![
            Attribute::string("mode")
                .optional_computed()
                .default(Value::string("fast")),
            Attribute::string("label"),
        ];
        Stub::new(
            "test_defaults",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::bool("enabled")
                    .optional_computed()
                    .default(Value::Bool(true)),
                Attribute::single("options", options.clone())
                    .optional_computed()
                    .default(super::super::schema::defaults_of(&options)),
            ],
        )
    }

    fn planned_with_defaults(enabled: Value, options: Value) -> Value {
        let config = Value::object([
            ("id", Value::Null),
            ("enabled", enabled),
            ("options", options),
        ]);
        let mut diags = Diagnostics::new();
        let plan = plan(
            &with_defaults(),
            &Value::Null,
            &config,
            &config,
            b"",
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        plan.planned
    }

    #[test]
    fn a_null_configuration_plans_the_default() {
        let planned = planned_with_defaults(Value::Null, Value::Null);
        assert_eq!(planned.get("enabled"), &Value::Bool(true));
        assert_eq!(
            planned.get("options"),
            &Value::object([("mode", Value::string("fast")), ("label", Value::Null)])
        );
        // Inside a set object, the attributes it leaves null take theirs.
        let planned = planned_with_defaults(
            Value::Null,
            Value::object([("mode", Value::Null), ("label", Value::string("l"))]),
        );
        assert_eq!(
            planned.get("options"),
            &Value::object([
                ("mode", Value::string("fast")),
                ("label", Value::string("l"))
            ])
        );
    }

    #[test]
    fn a_set_configuration_keeps_its_value_over_the_default() {
        let options = Value::object([("mode", Value::string("slow")), ("label", Value::Null)]);
        let planned = planned_with_defaults(Value::Bool(false), options.clone());
        assert_eq!(planned.get("enabled"), &Value::Bool(false));
        assert_eq!(planned.get("options"), &options);
    }

    #[test]
    fn an_unknown_configuration_stays_unknown() {
        let planned = planned_with_defaults(Value::Unknown, Value::Unknown);
        assert_eq!(planned.get("enabled"), &Value::Unknown);
        assert_eq!(planned.get("options"), &Value::Unknown);
        let planned = planned_with_defaults(
            Value::Null,
            Value::object([("mode", Value::Unknown), ("label", Value::Null)]),
        );
        assert_eq!(planned.get("options").get("mode"), &Value::Unknown);
    }

    #[test]
    fn generated_configuration_leaves_out_values_at_their_default() {
        let schema = with_defaults().schema();
        let at_defaults = Value::object([
            ("id", Value::string("d-1")),
            ("enabled", Value::Bool(true)),
            (
                "options",
                Value::object([("mode", Value::string("fast")), ("label", Value::Null)]),
            ),
        ]);
        assert_eq!(
            config_from_state(&schema, &at_defaults),
            Value::object([
                ("id", Value::Null),
                ("enabled", Value::Null),
                ("options", Value::Null)
            ])
        );
        let elsewhere = Value::object([
            ("id", Value::string("d-1")),
            ("enabled", Value::Bool(false)),
            (
                "options",
                Value::object([
                    ("mode", Value::string("fast")),
                    ("label", Value::string("l")),
                ]),
            ),
        ]);
        assert_eq!(
            config_from_state(&schema, &elsewhere),
            Value::object([
                ("id", Value::Null),
                ("enabled", Value::Bool(false)),
                (
                    "options",
                    Value::object([("mode", Value::Null), ("label", Value::string("l"))])
                ),
            ])
        );
    }

    #[test]
    fn stored_state_without_a_value_takes_the_default() {
        let schema = with_defaults().schema();
        let mut diags = Diagnostics::new();
        let state = decode_state(br#"{"id": "d-1"}"#, &schema, &mut diags).unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(state.get("enabled"), &Value::Bool(true));
        assert_eq!(state.get("options").get("mode"), &Value::string("fast"));
        let state = decode_state(
            br#"{"id": "d-1", "enabled": false, "options": {"mode": null, "label": "l"}}"#,
            &schema,
            &mut diags,
        )
        .unwrap();
        assert_eq!(state.get("enabled"), &Value::Bool(false));
        assert_eq!(
            state.get("options"),
            &Value::object([
                ("mode", Value::string("fast")),
                ("label", Value::string("l"))
            ])
        );
        assert!(schema.misplaced_defaults().is_empty());
    }

    #[test]
    fn apply_results_must_keep_known_planned_values() {
        let planned = Value::object([("id", Value::Unknown), ("name", Value::string("a"))]);
        let mut diags = Diagnostics::new();
        check_applied(
            &planned,
            &Value::object([("id", Value::string("x")), ("name", Value::string("a"))]),
            &mut diags,
        );
        assert!(diags.is_empty());
        check_applied(
            &planned,
            &Value::object([("id", Value::string("x")), ("name", Value::string("b"))]),
            &mut diags,
        );
        assert!(diags.has_errors());
        let mut diags = Diagnostics::new();
        check_applied(
            &planned,
            &Value::object([("id", Value::Unknown), ("name", Value::string("a"))]),
            &mut diags,
        );
        assert!(diags.has_errors());
    }
}
