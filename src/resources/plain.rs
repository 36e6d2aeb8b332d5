//! The lifecycle of a plain resource: one whose operations need only the plan, the state and
//! the client — no private state, no plan advice, no identity or list. The project's
//! environments and folders are such resources; [`Plain`] turns their five operations into the
//! framework's [`Resource`], settling each result into diagnostics the same way.

use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::{PlanInput, ReadOutcome, Resource, Stored};
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::model::settle;

/// A plain resource's type name, schema, checks and operations.
#[tonic::async_trait]
pub(crate) trait Lifecycle: Send + Sync {
    /// The full type name.
    const TYPE_NAME: &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration before any request (unknowns skipped).
    fn validate(&self, config: &Value, diags: &mut Diagnostics);

    /// Adjusts a plan after the shared rules ran (not on destroy): checks that need the prior
    /// state, such as what may only be set when the object is created.
    fn modify_plan(&self, _input: &PlanInput<'_>, _planned: &mut Value, _diags: &mut Diagnostics) {}

    /// Creates the object from the plan.
    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished>;

    /// Refreshes the state.
    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
    ) -> Result<ReadOutcome, Diagnostic>;

    /// Changes the object in place.
    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic>;

    /// Deletes the object; one already gone is not an error.
    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic>;

    /// The state of the object an import id names.
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic>;
}

/// A state with no private data, as every plain resource stores it.
pub(crate) fn stored(state: Value) -> Stored {
    Stored {
        state,
        private: Vec::new(),
    }
}

/// A delete's outcome: done, or already gone (a 404 is not an error), or the error `error`
/// describes.
pub(crate) fn deleted(
    result: Result<(), crate::infisical::Error>,
    error: impl FnOnce(&crate::infisical::Error) -> Diagnostic,
) -> Result<(), Diagnostic> {
    match result {
        Err(err) if !err.is_not_found() => Err(error(&err)),
        _ => Ok(()),
    }
}

/// A create that failed: the error, and the state of what exists anyway (an object made by the
/// first of two requests), which Terraform keeps as tainted.
pub(crate) struct Unfinished {
    pub(crate) error: Diagnostic,
    pub(crate) made: Option<Stored>,
}

impl From<Diagnostic> for Unfinished {
    fn from(error: Diagnostic) -> Self {
        Self { error, made: None }
    }
}

/// A [`Lifecycle`] as the provider registers it.
pub(crate) struct Plain<L>(pub(crate) L);

#[tonic::async_trait]
impl<L: Lifecycle> Resource<Configured> for Plain<L> {
    fn type_name(&self) -> &'static str {
        L::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        self.0.validate(config, diags);
    }

    fn modify_plan(
        &self,
        input: &PlanInput<'_>,
        planned: &mut Value,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) {
        self.0.modify_plan(input, planned, diags);
    }

    async fn create(
        &self,
        api: &Configured,
        planned: &Value,
        _config: &Value,
        _private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        match self.0.create(api, planned).await {
            Ok(stored) => Some(stored),
            Err(Unfinished { error, made }) => {
                diags.add(error);
                made
            }
        }
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        settle(self.0.read(api, state, private).await, diags).unwrap_or(ReadOutcome::Failed)
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        _private: &[u8],
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        settle(self.0.update(api, prior, planned).await, diags)
    }

    async fn delete(&self, api: &Configured, prior: &Value, diags: &mut Diagnostics) {
        settle(self.0.delete(api, prior).await, diags);
    }

    async fn import(&self, api: &Configured, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        settle(self.0.import(api, id).await, diags)
    }
}
