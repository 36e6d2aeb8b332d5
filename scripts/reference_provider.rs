//! A reference provider for `scripts/bench.py --decompose`: the plugin protocol and planning
//! rules of this crate with no Infisical behind them, to split what a resource of ours costs
//! Terraform into its parts.
//!
//! - `reference_minimal`: `id` and `name`, the least state a plugin resource can have. Against
//!   `terraform_data` it measures what Terraform pays for any plugin resource (launches, gRPC,
//!   msgpack, plan checks).
//! - `reference_github`: the schema of `infisical_app_connection_github`, stored as it is
//!   planned. Against `reference_minimal` it measures what our schema's state costs Terraform;
//!   against ours, what the API calls and the resource's own logic add.
//! - `reference_secret_folder` and `reference_secret`: the schemas of `infisical_secret_folder`
//!   and `infisical_secret`, the same way, for `scripts/bench.py --secrets`.
//!
//! Not shipped: built with `cargo build --release --example reference-provider`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use terraform_provider_infisical::resources::{
    github_connection_schema, secret_folder_schema, secret_schema,
};
use terraform_provider_infisical::tfplugin::diag::Diagnostics;
use terraform_provider_infisical::tfplugin::framework::{
    DataSource, Provider, ReadOutcome, Resource, Stored,
};
use terraform_provider_infisical::tfplugin::schema::{Attribute, Schema};
use terraform_provider_infisical::tfplugin::server::{self, Identity};
use terraform_provider_infisical::tfplugin::value::Value;

struct Reference;

#[tonic::async_trait]
impl Provider for Reference {
    type Client = ();

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            description: "Benchmark reference.",
            attributes: vec![],
        }
    }

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn configure(&self, _config: &Value, _diags: &mut Diagnostics) -> Option<()> {
        Some(())
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
        vec![
            Arc::new(Stores {
                type_name: "reference_minimal",
                schema: minimal_schema,
                fill: |_| {},
            }),
            Arc::new(Stores {
                type_name: "reference_github",
                schema: github_connection_schema,
                fill: fill_github,
            }),
            Arc::new(Stores {
                type_name: "reference_secret_folder",
                schema: secret_folder_schema,
                fill: fill_folder,
            }),
            Arc::new(Stores {
                type_name: "reference_secret",
                schema: secret_schema,
                fill: fill_secret,
            }),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        vec![]
    }
}

fn minimal_schema() -> Schema {
    Schema {
        version: 0,
        description: "The least state a plugin resource can have.",
        attributes: vec![
            Attribute::string("id").computed().use_state_for_unknown(),
            Attribute::string("name").required(),
        ],
    }
}

/// A resource that stores what was planned, filling in a UUID-sized `id` and what `fill` fills
/// in of the other values the provider computes (values of the size ours stores): the state of
/// ours, without the API.
struct Stores {
    type_name: &'static str,
    schema: fn() -> Schema,
    fill: fn(&mut Value),
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A UUID-sized id, unique in this process.
fn new_id() -> Value {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    Value::string(format!(
        "{:08x}-0000-4000-8000-{n:012x}",
        std::process::id()
    ))
}

/// Sets `name` to `value` when it is unknown.
fn fill_unknown(state: &mut Value, name: &str, value: impl FnOnce() -> Value) {
    if state.get(name).is_unknown() {
        state.set(name, value());
    }
}

/// A connection's `credentials_hash` (a SHA-256 in hex), when the schema has one.
fn fill_github(state: &mut Value) {
    fill_unknown(state, "credentials_hash", || Value::string("0".repeat(64)));
}

/// A folder's environment id and its full path, as Infisical answers them.
fn fill_folder(state: &mut Value) {
    fill_unknown(state, "environment_id", new_id);
    let parent = state.get("folder_path").as_str().unwrap_or("/");
    let name = state.get("name").as_str().unwrap_or_default();
    let path = format!("{}/{name}", parent.trim_end_matches('/'));
    fill_unknown(state, "path", || Value::string(path));
}

/// A secret's comment (Infisical's default: none) and `last_updated` in the form ours writes
/// (`updatedAt` as Infisical answers it).
fn fill_secret(state: &mut Value) {
    fill_unknown(state, "comment", || Value::string(""));
    fill_unknown(state, "last_updated", || {
        Value::string("2026-12-05T12:00:00.000Z")
    });
}

impl Stores {
    fn store(&self, planned: &Value) -> Stored {
        let mut state = planned.clone();
        fill_unknown(&mut state, "id", new_id);
        (self.fill)(&mut state);
        Stored {
            state,
            private: Vec::new(),
        }
    }
}

#[tonic::async_trait]
impl Resource<()> for Stores {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        (self.schema)()
    }

    async fn create(
        &self,
        _client: &(),
        planned: &Value,
        _config: &Value,
        _private: &[u8],
        _diags: &mut Diagnostics,
    ) -> Option<Stored> {
        Some(self.store(planned))
    }

    async fn read(
        &self,
        _client: &(),
        state: &Value,
        private: &[u8],
        _: &mut Diagnostics,
    ) -> ReadOutcome {
        ReadOutcome::Found(Stored {
            state: state.clone(),
            private: private.to_vec(),
        })
    }

    async fn update(
        &self,
        _client: &(),
        _prior: &Value,
        planned: &Value,
        _config: &Value,
        _private: &[u8],
        _diags: &mut Diagnostics,
    ) -> Option<Stored> {
        Some(self.store(planned))
    }

    async fn delete(&self, _client: &(), _prior: &Value, _diags: &mut Diagnostics) {}

    async fn import(&self, _client: &(), _id: &str, diags: &mut Diagnostics) -> Option<Value> {
        diags.error(
            "Import not supported",
            "the reference provider does not import",
        );
        None
    }
}

/// Named as `scripts/bench.py` installs it, so debug mode's reattach line works for it too.
const IDENTITY: Identity = Identity {
    binary: "reference-provider",
    addresses: &["registry.terraform.io/bench/reference"],
    log_module: "provider.reference",
    log_level_var: "TF_LOG_PROVIDER_REFERENCE",
    // Nothing of its own logs; the protocol layer's events are logged anyway.
    log_targets: &[],
};

fn main() -> ExitCode {
    server::run(IDENTITY, Reference)
}
