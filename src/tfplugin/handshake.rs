//! The go-plugin handshake: how Terraform starts the provider and learns where to connect.
//!
//! Terraform runs the binary with a magic cookie and the protocol versions it speaks in the
//! environment, and reads exactly one line from its stdout:
//! `CORE|APP|NETWORK|ADDR|grpc|CERT` (core version 1, app version 6, a Unix socket path or
//! `127.0.0.1:port`, and the server certificate as unpadded base64 DER when AutoMTLS is on).

use std::path::PathBuf;

use base64::Engine;
use tokio::net::{TcpListener, UnixListener};

/// The environment variable go-plugin uses to tell a plugin it was launched by its host.
pub(crate) const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's (and OpenTofu's) cookie value; it never changes.
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The plugin protocol major version this provider speaks.
pub(crate) const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own wire version, first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// Why the provider cannot start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HandshakeError {
    /// Run by hand rather than by Terraform.
    #[error(
        "this binary is a plugin: Terraform runs it, it is not meant to be run by hand.\n\
         To use it, point Terraform at it (see the README: dev_overrides or a filesystem mirror),\n\
         or start it with --debug and set the TF_REATTACH_PROVIDERS line it prints."
    )]
    NotLaunchedByTerraform,
    /// No socket could be opened.
    #[error("cannot listen for Terraform's connection: {0}")]
    Listen(String),
}

/// Checks that Terraform launched us.
pub(crate) fn check_cookie(value: Option<&str>) -> Result<(), HandshakeError> {
    match value {
        Some(MAGIC_COOKIE_VALUE) => Ok(()),
        _ => Err(HandshakeError::NotLaunchedByTerraform),
    }
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (e.g. `5,6`). When Terraform offers
/// no version we speak, go-plugin's rule is to answer with our own and let the client report the
/// mismatch, which gives the user a clearer message than an early exit.
pub(crate) fn negotiate(offered: Option<&str>) -> u32 {
    let offers_ours = offered
        .unwrap_or_default()
        .split(',')
        .any(|v| v.trim().parse::<u32>().ok() == Some(PROTOCOL_VERSION));
    if !offers_ours {
        tracing::warn!(
            offered,
            "Terraform does not offer plugin protocol 6; answering 6 anyway"
        );
    }
    PROTOCOL_VERSION
}

/// Where the server listens.
pub(crate) enum Listener {
    /// A Unix socket (the normal case); the path is removed on shutdown.
    Unix(UnixListener, PathBuf),
    /// TCP on loopback (when Unix sockets are unavailable).
    Tcp(TcpListener),
}

impl Listener {
    /// Opens a Unix socket in `PLUGIN_UNIX_SOCKET_DIR` (else the temp dir), falling back to TCP on
    /// 127.0.0.1 within `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT`.
    pub(crate) async fn open() -> Result<Self, HandshakeError> {
        let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!("plugin{}", rand::random::<u64>()));
        match UnixListener::bind(&path) {
            Ok(listener) => Ok(Listener::Unix(listener, path)),
            Err(unix_err) => {
                tracing::warn!(error = %unix_err, "no unix socket; falling back to TCP");
                Self::open_tcp().await
            }
        }
    }

    async fn open_tcp() -> Result<Self, HandshakeError> {
        let port = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u16>().ok());
        let (min, max) = match (port("PLUGIN_MIN_PORT"), port("PLUGIN_MAX_PORT")) {
            (Some(min), Some(max)) if min <= max => (min, max),
            _ => (0, 0),
        };
        for candidate in min..=max {
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", candidate)).await {
                return Ok(Listener::Tcp(listener));
            }
        }
        Err(HandshakeError::Listen(format!(
            "no free TCP port on 127.0.0.1 in {min}..={max}"
        )))
    }

    /// `(network, address)` as the handshake line and reattach config spell them.
    pub(crate) fn address(&self) -> (&'static str, String) {
        match self {
            Listener::Unix(_, path) => ("unix", path.display().to_string()),
            Listener::Tcp(listener) => (
                "tcp",
                listener
                    .local_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// The one line Terraform reads from our stdout.
pub(crate) fn handshake_line(
    version: u32,
    network: &str,
    address: &str,
    cert_der: Option<&[u8]>,
) -> String {
    let cert = cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{version}|{network}|{address}|grpc|{cert}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_terraforms_cookie_is_accepted() {
        assert!(check_cookie(Some(MAGIC_COOKIE_VALUE)).is_ok());
        assert!(check_cookie(Some("x")).is_err());
        assert!(check_cookie(None).is_err());
    }

    #[test]
    fn version_six_is_chosen_in_any_order() {
        assert_eq!(negotiate(Some("5,6")), 6);
        assert_eq!(negotiate(Some("6,5")), 6);
        assert_eq!(negotiate(None), 6);
    }

    #[test]
    fn the_handshake_line_has_six_fields_and_no_padding() {
        let line = handshake_line(6, "unix", "/tmp/plugin1", Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|unix|/tmp/plugin1|grpc|AQIDBA\n");
        assert_eq!(
            handshake_line(6, "tcp", "127.0.0.1:1", None),
            "1|6|tcp|127.0.0.1:1|grpc|\n"
        );
    }
}
