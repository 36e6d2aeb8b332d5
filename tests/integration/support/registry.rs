//! A Terraform provider registry on `127.0.0.1`, over HTTPS with a test CA: it speaks the
//! provider registry protocol v1 (service discovery, versions, download) over a release
//! directory as `scripts/release.sh` writes it, and serves that directory's files, so that
//! `terraform init` installs from it exactly as from the public registry — checksums, signature
//! and signing keys included. Terraform reaches it through a CLI configuration `host` block and
//! trusts its CA through `SSL_CERT_FILE`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::json;

/// What the registry serves: one provider's releases in a directory.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The namespace, as in `HOST/NAMESPACE/TYPE`.
    pub namespace: String,
    /// The type, as in `HOST/NAMESPACE/TYPE`; files are named `terraform-provider-TYPE_…`.
    pub type_name: String,
    /// The directory holding `terraform-provider-TYPE_VERSION_OS_ARCH.zip`, `…_SHA256SUMS`,
    /// `…_SHA256SUMS.sig` and `…_manifest.json` for each version.
    pub dir: PathBuf,
    /// The keys the registry says sign the checksums (`signing_keys.gpg_public_keys`).
    pub keys: Vec<SigningKey>,
}

/// One of the `signing_keys.gpg_public_keys` of a download response.
#[derive(Debug, Clone)]
pub struct SigningKey {
    /// The key id (16 hex digits).
    pub key_id: String,
    /// The public key in ASCII armour.
    pub ascii_armor: String,
}

/// A running registry; stops when dropped.
pub struct Registry {
    addr: SocketAddr,
    certs: tempfile::TempDir,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Registry {
    /// Serves `provider` on a fresh port of 127.0.0.1, with a fresh CA.
    pub fn serve(provider: Provider) -> Self {
        let certs = tempfile::tempdir().expect("temp dir");
        let tls = tls_config(&certs.path().join("ca.pem"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(State {
            provider,
            base: format!("https://{addr}"),
            requests: Arc::clone(&requests),
        });
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (tls, state) = (Arc::clone(&tls), Arc::clone(&state));
                    std::thread::spawn(move || {
                        let _ = handle(stream, tls, &state);
                    });
                }
            })
        };
        Self {
            addr,
            certs,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// The PEM file of the CA that signed the server's certificate, for `SSL_CERT_FILE`.
    pub fn ca_file(&self) -> PathBuf {
        self.certs.path().join("ca.pem")
    }

    /// A CLI configuration that sends Terraform to this registry for providers of `host`, in
    /// place of service discovery at `https://host/.well-known/terraform.json`.
    pub fn cli_config(&self, host: &str) -> String {
        format!(
            "host \"{host}\" {{\n  services = {{\n    \"providers.v1\" = \"https://{}/v1/providers/\"\n  }}\n}}\n",
            self.addr
        )
    }

    /// The paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests lock").clone()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stop`.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A new CA (written to `ca_file` as PEM) and a server certificate it signed for 127.0.0.1.
fn tls_config(ca_file: &Path) -> Arc<rustls::ServerConfig> {
    super::tls::test_ca_server_config(ca_file, "provider registry", &["127.0.0.1".to_owned()])
}

struct State {
    provider: Provider,
    /// `https://127.0.0.1:PORT`, for the absolute URLs of download responses.
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

/// One HTTP/1.1 request over TLS, answered with `Connection: close`.
fn handle(stream: TcpStream, tls: Arc<rustls::ServerConfig>, state: &State) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let connection = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut stream = rustls::StreamOwned::new(connection, stream);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or("/"),
    );
    let path = target.split('?').next().unwrap_or_default();
    state
        .requests
        .lock()
        .expect("requests lock")
        .push(path.to_owned());
    let (status, content_type, body) = if method == "GET" {
        route(state, path)
    } else {
        (405, "text/plain", b"method not allowed".to_vec())
    };
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Error",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.conn.send_close_notify();
    stream.flush()
}

/// The registry protocol's routes: status, content type and body.
fn route(state: &State, path: &str) -> (u16, &'static str, Vec<u8>) {
    let p = &state.provider;
    let not_found = || {
        (
            404,
            "application/json",
            json!({ "errors": ["Not Found"] }).to_string().into_bytes(),
        )
    };
    let json_ok =
        |value: serde_json::Value| (200, "application/json", value.to_string().into_bytes());
    if path == "/.well-known/terraform.json" {
        return json_ok(json!({ "providers.v1": "/v1/providers/" }));
    }
    if let Some(name) = path.strip_prefix("/files/") {
        if name.contains('/') || name.starts_with('.') {
            return not_found();
        }
        return match std::fs::read(p.dir.join(name)) {
            Ok(bytes) => (200, "application/octet-stream", bytes),
            Err(_) => not_found(),
        };
    }
    let prefix = format!("/v1/providers/{}/{}/", p.namespace, p.type_name);
    let Some(rest) = path.strip_prefix(&prefix) else {
        return not_found();
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["versions"] => json_ok(json!({ "versions": versions(state) })),
        [version, "download", os, arch] => match download(state, version, os, arch) {
            Some(body) => json_ok(body),
            None => not_found(),
        },
        _ => not_found(),
    }
}

/// The file name prefix of this provider's release files.
fn file_prefix(p: &Provider) -> String {
    format!("terraform-provider-{}_", p.type_name)
}

/// The plugin protocol versions a release's manifest declares.
fn protocols(p: &Provider, version: &str) -> serde_json::Value {
    std::fs::read(
        p.dir
            .join(format!("{}{version}_manifest.json", file_prefix(p))),
    )
    .ok()
    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
    .map_or_else(
        || json!(["6.0"]),
        |m| m["metadata"]["protocol_versions"].clone(),
    )
}

/// `(version, os, arch)` of every zip in the directory.
fn zips(p: &Provider) -> Vec<(String, String, String)> {
    let prefix = file_prefix(p);
    let mut found: Vec<(String, String, String)> = std::fs::read_dir(&p.dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let rest = name.strip_prefix(&prefix)?.strip_suffix(".zip")?;
                    let mut parts = rest.splitn(3, '_');
                    Some((
                        parts.next()?.to_owned(),
                        parts.next()?.to_owned(),
                        parts.next()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn versions(state: &State) -> serde_json::Value {
    let p = &state.provider;
    let all = zips(p);
    let mut versions: Vec<&String> = all.iter().map(|(v, _, _)| v).collect();
    versions.dedup();
    versions
        .into_iter()
        .map(|version| {
            let platforms: Vec<_> = all
                .iter()
                .filter(|(v, _, _)| v == version)
                .map(|(_, os, arch)| json!({ "os": os, "arch": arch }))
                .collect();
            json!({ "version": version, "protocols": protocols(p, version), "platforms": platforms })
        })
        .collect()
}

/// The download response: where the zip, its checksums and their signature are, the zip's
/// SHA-256 as the checksums file lists it (a registry records it from there at publication),
/// and the signing keys.
fn download(state: &State, version: &str, os: &str, arch: &str) -> Option<serde_json::Value> {
    let p = &state.provider;
    let prefix = file_prefix(p);
    let filename = format!("{prefix}{version}_{os}_{arch}.zip");
    let sums = format!("{prefix}{version}_SHA256SUMS");
    let listing = std::fs::read_to_string(p.dir.join(&sums)).ok()?;
    let shasum = listing.lines().find_map(|l| {
        let (hash, name) = l.split_once("  ")?;
        (name == filename).then(|| hash.to_owned())
    })?;
    let url = |name: &str| format!("{}/files/{name}", state.base);
    let keys: Vec<_> = p
        .keys
        .iter()
        // As registry.terraform.io and registry.opentofu.org both serve a key: with its
        // (empty) trust signature and source.
        .map(|k| {
            json!({
                "key_id": k.key_id,
                "ascii_armor": k.ascii_armor,
                "trust_signature": "",
                "source": "",
                "source_url": null,
            })
        })
        .collect();
    Some(json!({
        "protocols": protocols(p, version),
        "os": os,
        "arch": arch,
        "filename": filename,
        "download_url": url(&filename),
        "shasums_url": url(&sums),
        "shasums_signature_url": url(&format!("{sums}.sig")),
        "shasum": shasum,
        "signing_keys": { "gpg_public_keys": keys },
    }))
}
