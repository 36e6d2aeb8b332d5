//! The Terraform plugin protocol (version 6) over go-plugin: handshake and mutual TLS, the gRPC
//! services, the value codec, schemas, diagnostics and the planning rules every resource shares.
//! Knows nothing about Infisical.

pub mod diag;
pub mod framework;
pub mod handshake;
pub mod logging;
pub mod schema;
pub mod server;
mod service;
pub mod tls;
pub mod value;
mod wire;

/// Code generated from `proto/` (see `build.rs`); private to this layer.
#[allow(missing_docs, dead_code, clippy::all, clippy::pedantic)]
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
