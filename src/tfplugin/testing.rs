//! The one stub resource this layer's tests plan, apply, import and list against: each test file
//! chooses its attributes and behaviour instead of writing its own `Resource` impl.

use super::diag::Diagnostics;
use super::framework::{IdentityAttribute, IdentitySchema, Listed, ReadOutcome, Resource, Stored};
use super::path::AttrPath;
use super::schema::{Attribute, Schema};
use super::value::{Type, Value};

/// What every listed object carries in its write-only attributes: a secret the framework must
/// null before the object leaves the provider.
const LISTED_SECRET: &str = "t0ps3cr3t";

/// A resource of `()` clients whose schema is `attributes`. By default its create stores the
/// configuration it was given with id `s-1` (write-only values included, as a careless resource
/// would, so that tests see the framework null them), its read finds the state unchanged, its
/// update and import give nothing back, and it has neither identity nor list resource.
pub(crate) struct Stub {
    /// The resource type name.
    type_name: &'static str,
    /// The schema's top-level attributes.
    attributes: Vec<Attribute>,
    /// Whether create never finishes, for tests of cancellation.
    hangs_on_create: bool,
    /// Whether it has an identity `{ id }` and a list resource (see [`Stub::listed`]).
    listed: bool,
}

impl Stub {
    /// A stub named `type_name` with the schema `attributes` and the default behaviour.
    pub(crate) fn new(type_name: &'static str, attributes: Vec<Attribute>) -> Self {
        Self {
            type_name,
            attributes,
            hangs_on_create: false,
            listed: false,
        }
    }

    /// Create never finishes (and never reads its arguments), so that a test can cancel it.
    pub(crate) fn hanging_on_create(mut self) -> Self {
        self.hangs_on_create = true;
        self
    }

    /// An identity `{ id }` (import by identity gives back that id, every other attribute
    /// null), and a list resource configured by an optional `prefix` (`"bad"` is invalid at
    /// `prefix`). A list answers objects `<prefix>-1` to `<prefix>-3`, one more than its limit
    /// when it can, with [`LISTED_SECRET`] in every write-only attribute: a careless resource
    /// whose excess and secrets the framework must drop.
    pub(crate) fn listed(mut self) -> Self {
        self.listed = true;
        self
    }
}

#[tonic::async_trait]
impl Resource<()> for Stub {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            description: "",
            attributes: self.attributes.clone(),
        }
    }

    async fn create(
        &self,
        _: &(),
        _: &Value,
        config: &Value,
        _: &[u8],
        _: &mut Diagnostics,
    ) -> Option<Stored> {
        if self.hangs_on_create {
            return std::future::pending().await;
        }
        let mut state = config.clone();
        state.set("id", Value::string("s-1"));
        Some(Stored {
            state,
            private: Vec::new(),
        })
    }

    async fn read(&self, _: &(), state: &Value, _: &[u8], _: &mut Diagnostics) -> ReadOutcome {
        ReadOutcome::Found(Stored {
            state: state.clone(),
            private: Vec::new(),
        })
    }

    async fn update(
        &self,
        _: &(),
        _: &Value,
        _: &Value,
        _: &Value,
        _: &[u8],
        _: &mut Diagnostics,
    ) -> Option<Stored> {
        None
    }

    async fn delete(&self, _: &(), _: &Value, _: &mut Diagnostics) {}

    async fn import(&self, _: &(), _: &str, _: &mut Diagnostics) -> Option<Value> {
        None
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.listed.then(|| IdentitySchema {
            version: 0,
            attributes: vec![IdentityAttribute {
                name: "id",
                ty: Type::String,
                required_for_import: true,
                description: "",
            }],
        })
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        self.listed
            .then(|| Value::object([("id", state.get("id").clone())]))
    }

    async fn import_identity(
        &self,
        _: &(),
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        if !self.listed {
            // As the trait's default answers a resource without an identity.
            diags.error(
                "Import by identity not supported",
                format!("{} cannot be imported by identity.", self.type_name),
            );
            return None;
        }
        let mut state = self.schema().null_object();
        state.set("id", identity.get("id").clone());
        Some(state)
    }

    fn list_schema(&self) -> Option<Schema> {
        self.listed.then(|| Schema {
            version: 0,
            description: "",
            attributes: vec![Attribute::string("prefix")],
        })
    }

    fn validate_list(&self, config: &Value, diags: &mut Diagnostics) {
        if self.listed && config.get("prefix").as_str() == Some("bad") {
            diags.attr_error(AttrPath::new("prefix"), "Bad prefix", "not that one");
        }
    }

    async fn list(
        &self,
        _: &(),
        config: &Value,
        limit: usize,
        diags: &mut Diagnostics,
    ) -> Vec<Listed> {
        if !self.listed {
            // As the trait's default answers a resource without a list resource.
            diags.error(
                "List not supported",
                format!("{} cannot be listed.", self.type_name),
            );
            return Vec::new();
        }
        let prefix = config.get("prefix").as_str().unwrap_or("s");
        (1..=3)
            .map(|i| {
                let mut state = self.schema().null_object();
                state.set("id", Value::string(format!("{prefix}-{i}")));
                for attribute in self.attributes.iter().filter(|a| a.write_only) {
                    state.set(attribute.name, Value::string(LISTED_SECRET));
                }
                Listed {
                    display_name: format!("{prefix}-{i}"),
                    state,
                }
            })
            .take(limit + 1)
            .collect()
    }
}
