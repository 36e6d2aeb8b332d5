//! The `tfplugin6.Provider` gRPC service: the provider behind it, dispatch of each request to the
//! resource or data source it names, and cancellation after StopProvider.
//!
//! Every problem is answered as a diagnostic with an OK status, because Terraform shows non-OK
//! statuses only as a generic "Plugin error". The RPCs are answered in two places: `live` for what
//! the provider offers, `unoffered` for the features it does not.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::Status;

use super::diag::Diagnostics;
use super::framework::{DataSource, EphemeralResource, Provider, Resource};
use super::proto::tfplugin6 as pb;
use super::value::Type;
use super::wire::schema_to_proto;

mod live;
#[cfg(test)]
mod tests;
mod unoffered;

type ResourceMap<C> = HashMap<&'static str, Arc<dyn Resource<C>>>;
type DataSourceMap<C> = HashMap<&'static str, Arc<dyn DataSource<C>>>;
type EphemeralMap<C> = HashMap<&'static str, Arc<dyn EphemeralResource<C>>>;
/// A resource that can be listed, with its list schema.
type Listable<C> = (Arc<dyn Resource<C>>, super::schema::Schema);
/// How long an operation may go on after StopProvider before it is dropped.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// The stream a server-streaming RPC answers with.
type BoxStream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, Status>> + Send>>;

/// The provider behind the gRPC service.
pub(crate) struct ProviderService<P: Provider> {
    provider: P,
    /// The provider's executable name, for refusals of what it does not offer.
    binary: &'static str,
    provider_type: Type,
    resources: ResourceMap<P::Client>,
    data_sources: DataSourceMap<P::Client>,
    ephemeral_resources: EphemeralMap<P::Client>,
    /// Built once: the schema never changes while the process lives.
    schema_response: pb::get_provider_schema::Response,
    /// Set by ConfigureProvider; every resource operation needs it.
    client: RwLock<Option<Arc<P::Client>>>,
    /// Cancelled by StopProvider, then replaced so later requests run normally.
    stop: Mutex<CancellationToken>,
}

impl<P: Provider> ProviderService<P> {
    /// Wraps a provider, named by its executable's name.
    pub(crate) fn new(provider: P, binary: &'static str) -> Self {
        let resources: ResourceMap<P::Client> = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        let data_sources: DataSourceMap<P::Client> = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), d))
            .collect();
        let ephemeral_resources: EphemeralMap<P::Client> = provider
            .ephemeral_resources()
            .into_iter()
            .map(|e| (e.type_name(), e))
            .collect();
        let provider_schema = provider.schema();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&provider_schema)),
            resource_schemas: resources
                .iter()
                .map(|(name, r)| ((*name).to_owned(), schema_to_proto(&r.schema())))
                .collect(),
            data_source_schemas: data_sources
                .iter()
                .map(|(name, d)| ((*name).to_owned(), schema_to_proto(&d.schema())))
                .collect(),
            // A Terraform without ephemeral resources (< 1.10, OpenTofu < 1.11) does not know
            // this field and drops it: its own parser then refuses an `ephemeral` block.
            ephemeral_resource_schemas: ephemeral_resources
                .iter()
                .map(|(name, e)| ((*name).to_owned(), schema_to_proto(&e.schema())))
                .collect(),
            // A list resource shares its managed resource's type name (Terraform ≥ 1.14).
            list_resource_schemas: resources
                .iter()
                .filter_map(|(name, r)| {
                    Some(((*name).to_owned(), schema_to_proto(&r.list_schema()?)))
                })
                .collect(),
            server_capabilities: Some(pb::ServerCapabilities {
                // Destroy plans are always null here (the framework never calls a resource for
                // them), so Terraform need not ask: one round trip less per destroyed instance.
                plan_destroy: false,
                get_provider_schema_optional: true,
                move_resource_state: false,
                // Every resource answers GenerateResourceConfig (the framework's default, or its
                // own): Terraform ≥ 1.14 then asks it for `-generate-config-out` instead of
                // guessing a configuration from the state.
                generate_resource_config: true,
            }),
            ..Default::default()
        };
        Self {
            provider_type: provider_schema.value_type(),
            provider,
            binary,
            resources,
            data_sources,
            ephemeral_resources,
            schema_response,
            client: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    fn resource(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<Arc<dyn Resource<P::Client>>> {
        let found = self.resources.get(type_name).cloned();
        if found.is_none() {
            diags.error(
                "Unknown resource type",
                format!("this provider has no resource type {type_name:?}"),
            );
        }
        found
    }

    /// The resource behind a list resource type, with its list schema.
    fn listable(&self, type_name: &str, diags: &mut Diagnostics) -> Option<Listable<P::Client>> {
        let found = self
            .resources
            .get(type_name)
            .and_then(|r| Some((r.clone(), r.list_schema()?)));
        if found.is_none() {
            diags.error(
                "Unknown list resource type",
                format!("this provider has no list resource type {type_name:?}"),
            );
        }
        found
    }

    fn data_source(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<Arc<dyn DataSource<P::Client>>> {
        let found = self.data_sources.get(type_name).cloned();
        if found.is_none() {
            diags.error(
                "Unknown data source type",
                format!("this provider has no data source type {type_name:?}"),
            );
        }
        found
    }

    fn ephemeral_resource(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<Arc<dyn EphemeralResource<P::Client>>> {
        let found = self.ephemeral_resources.get(type_name).cloned();
        if found.is_none() {
            diags.error(
                "Unknown ephemeral resource type",
                format!("this provider has no ephemeral resource type {type_name:?}"),
            );
        }
        found
    }

    fn client(&self, diags: &mut Diagnostics) -> Option<Arc<P::Client>> {
        let client = self.client.read().ok().and_then(|c| c.clone());
        if client.is_none() {
            diags.error(
                "Provider not configured",
                "Terraform asked for a resource operation before configuring the provider. \
                 Please report this to the provider's developers.",
            );
        }
        client
    }

    /// Runs `op`. After StopProvider, the provider's `stop` hook makes the operation give up at
    /// its next wait; an operation still running `STOP_GRACE` later is dropped (aborting its
    /// request), so the provider always answers promptly.
    async fn cancellable<T>(
        &self,
        diags: &mut Diagnostics,
        op: impl Future<Output = T>,
    ) -> Option<T> {
        let token = self.stop.lock().map(|t| t.clone()).unwrap_or_default();
        tokio::pin!(op);
        tokio::select! {
            out = &mut op => return Some(out),
            () = token.cancelled() => {}
        }
        match tokio::time::timeout(STOP_GRACE, op).await {
            Ok(out) => Some(out),
            Err(_) => {
                diags.error(
                    "Operation cancelled",
                    "Terraform asked the provider to stop (for example after Ctrl-C), and this \
                     operation did not finish in time, so it was abandoned. If it was creating \
                     something, the object may exist remotely without being in Terraform's \
                     state, where no plan can show it: look for it, then import it (`terraform \
                     import`) or delete it before running the command again.",
                );
                None
            }
        }
    }

    /// Terraform's StopProvider: the provider's hook, then cancel every operation in flight.
    fn stop_operations(&self) {
        if let Some(client) = self.client.read().ok().and_then(|c| c.clone()) {
            self.provider.stop(&client);
        }
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
    }
}
