//! A small logging HTTP proxy on loopback for the network tests: it answers `CONNECT` (tunnels,
//! for https) and forwards plain requests in absolute form (for http), sending every one to a
//! fixed upstream whatever name the client asked for — so a test can use a name that resolves
//! nowhere, as a corporate proxy would resolve it for its clients. Or one that turns every
//! request down with a status, as a proxy whose rules or credentials refuse the tunnel does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// A running proxy; it stops accepting when dropped.
pub struct Proxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    listener: TcpListener,
}

impl Proxy {
    /// A proxy that sends every request to `upstream` (`host:port`).
    pub fn to(upstream: &str) -> Self {
        Self::mounting(upstream, "")
    }

    /// A proxy that also removes `prefix` from the path of forwarded requests, as a server that
    /// serves Infisical under a path (`https://example.com/infisical`) does.
    pub fn mounting(upstream: &str, prefix: &str) -> Self {
        let (upstream, prefix) = (upstream.to_owned(), prefix.to_owned());
        Self::serving(move |stream, log| {
            let _ = serve(stream, &upstream, &prefix, log);
        })
    }

    /// A proxy that turns every request down with `status_line` (e.g. `403 Forbidden`), as one
    /// whose rules forbid the host, or that wants credentials (`407 Proxy Authentication
    /// Required`, sent with a `Proxy-Authenticate` challenge), answers a `CONNECT`.
    pub fn refusing(status_line: &'static str) -> Self {
        Self::serving(move |stream, log| {
            let _ = refuse(stream, status_line, log);
        })
    }

    /// A proxy on loopback that hands each connection, with the log, to `handle`.
    fn serving(handle: impl Fn(TcpStream, &Mutex<Vec<String>>) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let accept = listener.try_clone().expect("clone the listener");
        let requests = Arc::clone(&log);
        let handle = Arc::new(handle);
        thread::spawn(move || {
            for stream in accept.incoming() {
                let Ok(stream) = stream else { break };
                let requests = Arc::clone(&requests);
                let handle = Arc::clone(&handle);
                thread::spawn(move || handle(stream, &requests));
            }
        });
        Self {
            addr,
            log,
            listener,
        }
    }

    /// `host:port`, e.g. `127.0.0.1:41234`: for a TLS front that makes this an https proxy.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// The proxy's URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request line of every request, oldest first: `CONNECT host:port HTTP/1.1` once per
    /// tunnel, `GET http://host:port/path HTTP/1.1` for each forwarded request.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Unblocks the accept loop: the listener is non-blocking from now on, and one last
        // connection wakes it.
        let _ = self.listener.set_nonblocking(true);
        let _ = TcpStream::connect(self.addr);
    }
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Reads a request's head: its lines, the blank line included; `None` when the client hangs up
/// first.
fn read_head(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Vec<String>>> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let end = line == "\r\n" || line == "\n";
        head.push(line);
        if end {
            return Ok(Some(head));
        }
    }
}

/// Logs the request line and answers `status_line`, then closes the connection.
fn refuse(client: TcpStream, status_line: &str, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let Some(head) = read_head(&mut reader)? else {
        return Ok(());
    };
    log.lock().unwrap().push(head[0].trim_end().to_owned());
    let challenge = if status_line.starts_with("407") {
        "Proxy-Authenticate: Basic realm=\"corp\"\r\n"
    } else {
        ""
    };
    let mut writer = client;
    writer.write_all(
        format!(
            "HTTP/1.1 {status_line}\r\n{challenge}Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )?;
    writer.shutdown(Shutdown::Both)
}

fn serve(
    client: TcpStream,
    upstream: &str,
    prefix: &str,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let Some(head) = read_head(&mut reader)? else {
        return Ok(());
    };
    let request_line = head[0].trim_end().to_owned();
    log.lock().unwrap().push(request_line.clone());
    let mut server = TcpStream::connect(upstream)?;
    let mut client_writer = client.try_clone()?;
    if request_line.starts_with("CONNECT ") {
        client_writer.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    } else {
        // Servers accept the absolute form too; keep the request as it came, but one request
        // per connection, so that each one reaches the log.
        let mut forwarded: Vec<String> = head
            .iter()
            .filter(|line| {
                let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
                name != "connection" && name != "proxy-connection"
            })
            .cloned()
            .collect();
        if !prefix.is_empty() {
            forwarded[0] = unmount(&forwarded[0], prefix);
        }
        let blank = forwarded.pop().unwrap_or_default();
        forwarded.push("Connection: close\r\n".to_owned());
        forwarded.push(blank);
        server.write_all(forwarded.concat().as_bytes())?;
    }
    // Bytes the reader already buffered belong to the upstream.
    let buffered = reader.buffer().to_vec();
    server.write_all(&buffered)?;
    let mut server_reader = server.try_clone()?;
    let to_client = thread::spawn(move || {
        let _ = std::io::copy(&mut server_reader, &mut client_writer);
        let _ = client_writer.shutdown(Shutdown::Write);
    });
    let mut rest = reader.into_inner();
    let _ = copy(&mut rest, &mut server);
    let _ = server.shutdown(Shutdown::Write);
    let _ = to_client.join();
    Ok(())
}

/// `GET http://host/prefix/api/x HTTP/1.1` → `GET http://host/api/x HTTP/1.1`; a request
/// outside the prefix is left as it is (and finds nothing).
fn unmount(request_line: &str, prefix: &str) -> String {
    let mut words = request_line.splitn(3, ' ');
    let (method, target, rest) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    let (origin, path) = match target.find("://") {
        Some(scheme_end) => {
            let path_start = target[scheme_end + 3..]
                .find('/')
                .map_or(target.len(), |i| scheme_end + 3 + i);
            target.split_at(path_start)
        }
        None => ("", target),
    };
    match path.strip_prefix(prefix) {
        Some(inner) if inner.starts_with('/') => format!("{method} {origin}{inner} {rest}"),
        _ => request_line.to_owned(),
    }
}

fn copy(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<u64> {
    std::io::copy(from, to)
}
