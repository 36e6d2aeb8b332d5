//! The Terraform plugin protocol (version 6) over go-plugin: handshake and mutual TLS, the gRPC
//! services, the value codec, schemas, diagnostics and the planning rules every resource shares.
//! Names no provider: a provider's binary passes its names in, as a [`server::Identity`].

pub mod diag;
pub mod framework;
mod handshake;
mod identity;
mod logging;
pub mod path;
pub mod schema;
pub mod server;
mod service;
#[cfg(test)]
mod testing;
pub mod timeouts;
mod tls;
pub mod value;
mod wire;

/// The prefix of the `tracing` targets of this layer's events (its module path): they reach the
/// log whatever targets the provider names.
const TRACING_TARGET: &str = module_path!();

/// Code generated from `proto/` (see `build.rs`); private to this layer.
#[allow(
    missing_docs,
    dead_code,
    unreachable_pub,
    clippy::all,
    clippy::pedantic
)]
mod proto {
    /// Terraform's provider service and messages.
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    /// go-plugin's controller, broker and stdio services.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
