//! A TLS front for the emulator, as a self-hosted Infisical behind a private CA: it terminates
//! TLS on loopback with a certificate from a CA made for the test, and passes the plain bytes on.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// A running TLS front; it stops with its runtime when dropped.
pub struct TlsFront {
    addr: SocketAddr,
    ca_file: PathBuf,
    connections: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl TlsFront {
    /// A front for `upstream` (`host:port`), with a certificate for `127.0.0.1` and `localhost`.
    pub fn to(upstream: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("ca.pem");
        let config = server_config(&ca_file);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        let upstream = upstream.to_owned();
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut plain) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        Self {
            addr,
            ca_file,
            connections,
            _dir: dir,
            _runtime: runtime,
        }
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The CA that signed the front's certificate, as a PEM file.
    pub fn ca_file(&self) -> PathBuf {
        self.ca_file.clone()
    }

    /// How many TCP connections the front accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn server_config(ca_file: &std::path::Path) -> Arc<rustls::ServerConfig> {
    test_ca_server_config(
        ca_file,
        "private Infisical",
        &["127.0.0.1".to_owned(), "localhost".to_owned()],
    )
}

/// A new CA named after `label` (written to `ca_file` as PEM), and a TLS server configuration
/// with a certificate it signed for `names`: what a server behind a private CA presents.
pub fn test_ca_server_config(
    ca_file: &std::path::Path,
    label: &str,
    names: &[String],
) -> Arc<rustls::ServerConfig> {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{label} test CA"));
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).expect("CA certificate");
    std::fs::write(ca_file, ca.pem()).expect("write the CA");
    let key = rcgen::KeyPair::generate().expect("server key");
    let mut server = rcgen::CertificateParams::new(names.to_vec()).expect("params");
    server
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("{label} test server"));
    server.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = server.signed_by(&key, &ca).expect("server certificate");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone(), ca.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .expect("server config");
    Arc::new(config)
}
