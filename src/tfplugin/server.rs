//! Serving: the listener, mutual TLS, go-plugin's helper services and the process lifecycle
//! (handshake line, `GRPCController.Shutdown`, `--debug` reattach mode).

use std::io::Write;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use super::framework::Provider;
use super::handshake::{self, HandshakeError, Listener};
pub use super::identity::Identity;
use super::proto::plugin as go_plugin;
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::service::ProviderService;
use super::tls;

/// Terraform's own limit for plugin messages; tonic's 4 MiB default is too small for big states.
const MAX_MESSAGE_BYTES: usize = 256 << 20;
/// After Shutdown, how long connections may take to close before the process goes anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(50);

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
enum ServeError {
    /// The handshake could not happen.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The gRPC server failed.
    #[error("the plugin server failed: {0}")]
    Transport(String),
    /// Stdout could not be written.
    #[error("cannot write the handshake to stdout: {0}")]
    Stdout(std::io::Error),
}

/// How to serve.
#[derive(Clone, Copy, Debug, Default)]
struct ServeOptions {
    /// Debug mode: no cookie, no TLS, print `TF_REATTACH_PROVIDERS` and run until Ctrl-C.
    debug: bool,
}

/// The whole `main` of a provider binary: logging as `TF_LOG` asks, `--debug` for debug mode, a
/// tokio runtime, then serving until Terraform shuts the provider down. Failures go to stderr
/// after the binary's name, never to stdout, which belongs to the handshake line.
pub fn run<P: Provider>(identity: Identity, provider: P) -> ExitCode {
    super::logging::init(&identity);
    let name = identity.binary;
    let options = ServeOptions {
        debug: std::env::args().skip(1).any(|a| a == "--debug"),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{name}: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(identity, provider, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves `provider` to Terraform until Terraform shuts it down (or, in debug mode, Ctrl-C).
async fn serve<P: Provider>(
    identity: Identity,
    provider: P,
    options: ServeOptions,
) -> Result<(), ServeError> {
    if !options.debug {
        handshake::check_cookie(std::env::var(handshake::MAGIC_COOKIE_KEY).ok().as_deref())?;
    }
    let version = handshake::negotiate(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref());
    let server_tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.trim().is_empty() && !options.debug => Some(tls::server_tls(&pem)?),
        _ => None,
    };
    let listener = Listener::open().await?;
    let (network, address) = listener.address();
    let socket_path = match &listener {
        Listener::Unix(_, path) => Some(path.clone()),
        Listener::Tcp(_) => None,
    };
    let shutdown = CancellationToken::new();
    let incoming = accept_loop(
        listener,
        server_tls.as_ref().map(|t| t.config.clone()),
        shutdown.clone(),
    );

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider_service = ProviderServer::new(ProviderService::new(provider, identity.binary))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(
            go_plugin::grpc_controller_server::GrpcControllerServer::new(Controller(
                shutdown.clone(),
            )),
        )
        .add_service(go_plugin::grpc_broker_server::GrpcBrokerServer::new(Idle(
            shutdown.clone(),
        )))
        .add_service(go_plugin::grpc_stdio_server::GrpcStdioServer::new(Idle(
            shutdown.clone(),
        )))
        .add_service(provider_service);
    let mut server = tokio::spawn(
        router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
    );

    if options.debug {
        print_reattach(identity.addresses, network, &address)?;
        let token = shutdown.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            token.cancel();
        });
    } else {
        ignore_interrupts();
        let cert = server_tls.as_ref().map(|t| t.cert_der.as_slice());
        write_stdout(&handshake::handshake_line(version, network, &address, cert))?;
    }
    tracing::debug!(network, address = %address, tls = server_tls.is_some(), "serving Terraform");

    let result = tokio::select! {
        result = &mut server => result,
        () = shutdown.cancelled() => {
            // Terraform waits for the process to exit after Shutdown (2 s, then SIGKILL), and
            // starts the provider several times per command: leave promptly.
            tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.unwrap_or(Ok(Ok(())))
        }
    };
    if let Some(path) = socket_path {
        let _ = std::fs::remove_file(path);
    }
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ServeError::Transport(e.to_string())),
        Err(e) => Err(ServeError::Transport(e.to_string())),
    }
}

fn write_stdout(line: &str) -> Result<(), ServeError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(line.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(ServeError::Stdout)
}

/// Debug mode's instructions: `TF_REATTACH_PROVIDERS`, keyed by each of the provider's source
/// addresses.
fn print_reattach(providers: &[&str], network: &str, address: &str) -> Result<(), ServeError> {
    let attach = serde_json::json!({
        "Protocol": "grpc",
        "ProtocolVersion": handshake::PROTOCOL_VERSION,
        "Pid": std::process::id(),
        // Test=true makes Terraform use the negotiated version and leave the process running.
        "Test": true,
        "Addr": { "Network": network, "String": address },
    });
    let config: serde_json::Map<String, serde_json::Value> = providers
        .iter()
        .map(|p| ((*p).to_owned(), attach.clone()))
        .collect();
    let config = serde_json::Value::Object(config);
    write_stdout(&format!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that runs it:\n\n\
         \tTF_REATTACH_PROVIDERS='{config}'\n\nStop the provider with Ctrl-C.\n"
    ))
}

/// Ctrl-C reaches the whole process group; Terraform decides what happens (StopProvider, then
/// Shutdown), so the provider must not die of SIGINT on its own.
fn ignore_interrupts() {
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("interrupt received; waiting for Terraform to stop the provider");
        }
    });
}

/// Accepts connections, completing TLS handshakes concurrently so a slow or hostile client cannot
/// block others, and hands ready connections to tonic.
fn accept_loop(
    listener: Listener,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
    shutdown: CancellationToken,
) -> tokio_stream::wrappers::ReceiverStream<Result<Conn, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let accepted: std::io::Result<Box<dyn Io>> = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = accept(&listener) => accepted,
            };
            let stream = match accepted {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    continue;
                }
            };
            let tx = tx.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let conn = match acceptor {
                    None => Conn(stream),
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(tls_stream) => Conn(Box::new(tls_stream)),
                        Err(e) => {
                            tracing::warn!(error = %e, "refused a connection that failed mutual TLS");
                            return;
                        }
                    },
                };
                let _ = tx.send(Ok(conn)).await;
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

async fn accept(listener: &Listener) -> std::io::Result<Box<dyn Io>> {
    Ok(match listener {
        Listener::Unix(l, _) => Box::new(l.accept().await?.0),
        Listener::Tcp(l) => {
            let (stream, _) = l.accept().await?;
            stream.set_nodelay(true)?;
            Box::new(stream)
        }
    })
}

/// Any byte stream tonic can serve on.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One accepted connection (Unix or TCP, plain or TLS).
struct Conn(Box<dyn Io>);

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// `GRPCController`: Shutdown ends the process.
struct Controller(CancellationToken);

#[tonic::async_trait]
impl go_plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _: Request<go_plugin::Empty>,
    ) -> Result<Response<go_plugin::Empty>, Status> {
        tracing::debug!("Terraform asked the provider to shut down");
        self.0.cancel();
        Ok(Response::new(go_plugin::Empty {}))
    }
}

/// `GRPCBroker` and `GRPCStdio`: Terraform opens these streams but this provider has nothing to
/// send on them; they stay open until shutdown so the client sees no error.
struct Idle(CancellationToken);

type IdleStream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, Status>> + Send>>;

fn idle_until<T: Send + 'static>(token: CancellationToken) -> IdleStream<T> {
    Box::pin(futures_util::stream::once(async move {
        token.cancelled_owned().await;
        Err(Status::unavailable("the provider is shutting down"))
    }))
}

#[tonic::async_trait]
impl go_plugin::grpc_broker_server::GrpcBroker for Idle {
    type StartStreamStream = IdleStream<go_plugin::ConnInfo>;
    async fn start_stream(
        &self,
        _: Request<tonic::Streaming<go_plugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(idle_until(self.0.clone())))
    }
}

#[tonic::async_trait]
impl go_plugin::grpc_stdio_server::GrpcStdio for Idle {
    type StreamStdioStream = IdleStream<go_plugin::StdioData>;
    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until(self.0.clone())))
    }
}
