//! Which proxy a request goes through, by the rules every Go program follows
//! (`golang.org/x/net/http/httpproxy`, which Terraform and the official provider use):
//! `HTTPS_PROXY` for https, `HTTP_PROXY` for http, upper case before lower case, `NO_PROXY`
//! entries as Go reads them, and never a proxy for `localhost` or a loopback address. And what
//! to tell when a proxy fails a request: out of reach, or refusing the tunnel with a status.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::StatusCode;
use url::{Host, Url};

use super::error::{Error, NetworkProblem};

/// The proxy variables, upper case first: the first one set (and not empty) wins, as in Go.
const HTTPS_VARS: [&str; 2] = ["HTTPS_PROXY", "https_proxy"];
const HTTP_VARS: [&str; 2] = ["HTTP_PROXY", "http_proxy"];
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// A proxy and the variable that named it, so that errors can say where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenProxy {
    /// The proxy's URL (it may carry a user and password: see [`ChosenProxy::display`]).
    pub url: Url,
    /// The environment variable it came from, e.g. `HTTPS_PROXY`.
    pub variable: &'static str,
}

impl ChosenProxy {
    /// The proxy for messages: its URL without user or password, and the variable.
    pub fn display(&self) -> String {
        let mut url = self.url.clone();
        // Only fails for URLs that cannot have credentials, which then have none to hide.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        format!(
            "the proxy {} (from {})",
            url.as_str().trim_end_matches('/'),
            self.variable
        )
    }
}

/// The proxy settings of a client: read once from the environment (or given by a test).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyRules {
    http: Option<ChosenProxy>,
    https: Option<ChosenProxy>,
    no_proxy: NoProxy,
    /// `REQUEST_METHOD` is set: the process runs as a CGI script, where `HTTP_PROXY` can come
    /// from a request's `Proxy:` header, so Go ignores it (golang.org/s/cgihttpproxy).
    cgi: bool,
}

impl ProxyRules {
    /// No proxy for anything.
    pub fn none() -> Self {
        Self::default()
    }

    /// The rules from the process environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The rules from variables given as pairs (for tests and embedding).
    pub fn from_vars(vars: &[(&str, &str)]) -> Result<Self, Error> {
        Self::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                lookup(name)
                    .filter(|value| !value.is_empty())
                    .map(|value| (name, value))
            })
        };
        let proxy = |names| match first(names) {
            Some((variable, value)) => parse_proxy(variable, &value).map(Some),
            None => Ok(None),
        };
        Ok(Self {
            http: proxy(HTTP_VARS)?,
            https: proxy(HTTPS_VARS)?,
            no_proxy: first(NO_PROXY_VARS)
                .map(|(_, value)| NoProxy::parse(&value))
                .unwrap_or_default(),
            cgi: lookup("REQUEST_METHOD").is_some_and(|value| !value.is_empty()),
        })
    }

    /// Whether any proxy is configured at all.
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy for a request to `url`, if it goes through one.
    pub fn proxy_for(&self, url: &Url) -> Option<&ChosenProxy> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" if !self.cgi => self.http.as_ref(),
            _ => None,
        }?;
        let host = url.host()?;
        let port = url.port_or_known_default().map(|p| p.to_string());
        self.no_proxy
            .uses_proxy(&host, port.as_deref().unwrap_or(""))
            .then_some(proxy)
    }
}

/// A proxy variable's value: a URL, or `host:port` taken as `http://host:port` (as Go does).
fn parse_proxy(variable: &'static str, value: &str) -> Result<ChosenProxy, Error> {
    let full = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let parsed = Url::parse(&full)
        .ok()
        .filter(|url| url.host_str().is_some_and(|h| !h.is_empty()));
    // The value is not quoted: a proxy URL may carry a password.
    let url = parsed.ok_or_else(|| {
        Error::Config(format!(
            "{variable} is not a proxy address: expected a URL such as http://proxy.example.com:3128"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "{variable} names a {} proxy; only http:// and https:// proxies are supported",
            url.scheme()
        )));
    }
    Ok(ChosenProxy { url, variable })
}

/// A failed connection to `proxy`, for a request to `target`, that reqwest described as `cause`
/// and the client classified as `problem`: what to tell the user, with the proxy's name and
/// variable, and the problem it is. A refused tunnel says so and with which status, never
/// "could not connect"; an https:// proxy's certificate keeps its problem (and its advice on
/// trust); any other failure, its name unknown to DNS included, is the proxy out of reach.
pub(crate) async fn explain_failure(
    proxy: &ChosenProxy,
    target: &Url,
    cause: String,
    problem: NetworkProblem,
    timeout: Duration,
) -> (String, NetworkProblem) {
    let Some(refusal) = TunnelRefusal::from_cause(&cause) else {
        let problem = match problem {
            NetworkProblem::UnknownName | NetworkProblem::Other => NetworkProblem::Proxy,
            tls => tls,
        };
        return (
            format!("could not connect to {}: {cause}", proxy.display()),
            problem,
        );
    };
    let status = match refusal {
        TunnelRefusal::AuthRequired => Some(StatusCode::PROXY_AUTHENTICATION_REQUIRED),
        TunnelRefusal::Other => refusal_status(proxy, target, timeout).await,
    };
    let answer = match status {
        Some(status) => format!("it answered {status}"),
        None => "its answer was not one the provider could read".to_owned(),
    };
    (
        format!(
            "{} refused to open a tunnel to {}:{}: {answer}",
            proxy.display(),
            target.host_str().unwrap_or_default(),
            target.port_or_known_default().unwrap_or_default()
        ),
        NetworkProblem::ProxyRefused {
            status: status.map(|s| s.as_u16()),
        },
    )
}

/// How a proxy turned down a tunnel (`CONNECT`), as reqwest reports it: the words of
/// hyper-util's tunnel errors, which are not a type we can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TunnelRefusal {
    /// `407 Proxy Authentication Required`: the one status the error keeps.
    AuthRequired,
    /// Any other answer than `200`; the status was read and dropped.
    Other,
}

impl TunnelRefusal {
    /// The refusal a connection failure (described with its chain of causes) is, if any.
    fn from_cause(cause: &str) -> Option<Self> {
        if cause.contains("tunnel error: proxy authorization required") {
            Some(Self::AuthRequired)
        } else if cause.contains("tunnel error: unsuccessful") {
            Some(Self::Other)
        } else {
            None
        }
    }
}

/// The status `proxy` answers a tunnel to `target`'s host and port with, asked once more: the
/// tunnel's own error dropped it, and a user told "refused" needs it (403 is the proxy's
/// policy, 407 its credentials, 502 the way beyond it). `None` when the proxy cannot be asked,
/// answers no status, or opens the tunnel this time.
async fn refusal_status(
    proxy: &ChosenProxy,
    target: &Url,
    timeout: Duration,
) -> Option<StatusCode> {
    let host = target.host_str()?;
    let port = target.port_or_known_default()?;
    // A proxied request to an http:// URL goes to the proxy as it is, and hyper sends a CONNECT
    // in authority form (`CONNECT host:port`), with the proxy URL's credentials as reqwest
    // sends them for a tunnel.
    let probe = reqwest::Client::builder()
        .no_proxy()
        .proxy(reqwest::Proxy::all(proxy.url.as_str()).ok()?)
        .user_agent(super::USER_AGENT)
        .timeout(timeout)
        .build()
        .ok()?;
    let answer = probe
        .request(reqwest::Method::CONNECT, format!("http://{host}:{port}/"))
        .send()
        .await
        .ok()?;
    Some(answer.status()).filter(|status| !status.is_success())
}

/// The parsed `NO_PROXY` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct NoProxy {
    /// `*`: nothing is proxied.
    all: bool,
    /// `10.0.0.0/8`: addresses in the block (any port).
    cidrs: Vec<(IpAddr, u8)>,
    /// `1.2.3.4` or `1.2.3.4:80`: that address (on that port).
    ips: Vec<(IpAddr, Option<String>)>,
    /// `foo.com`, `.foo.com`, `*.foo.com`, with an optional port.
    domains: Vec<DomainRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct DomainRule {
    /// Always with a leading dot: `.foo.com`.
    suffix: String,
    /// The entry had no leading dot, so the name itself matches too (`foo.com`).
    exact_too: bool,
    port: Option<String>,
}

impl NoProxy {
    /// Reads a comma-separated list as Go does: lower-cased, blanks skipped, errors ignored.
    fn parse(list: &str) -> Self {
        let mut rules = Self::default();
        for entry in list.split(',') {
            let entry = entry.trim().to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                rules.all = true;
                continue;
            }
            if let Some(cidr) = parse_cidr(&entry) {
                rules.cidrs.push(cidr);
                continue;
            }
            let (host, port) = match split_host_port(&entry) {
                Some((host, _)) if host.is_empty() => continue,
                Some((host, port)) => (host, Some(port)),
                None => (entry.clone(), None),
            };
            if let Ok(ip) = host.parse::<IpAddr>() {
                rules.ips.push((ip, port));
                continue;
            }
            // `*.foo.com` is `.foo.com`: subdomains only.
            let name = host
                .strip_prefix('*')
                .filter(|rest| rest.starts_with('.'))
                .unwrap_or(&host);
            let exact_too = !name.starts_with('.');
            let suffix = if exact_too {
                format!(".{name}")
            } else {
                name.to_owned()
            };
            rules.domains.push(DomainRule {
                suffix,
                exact_too,
                port,
            });
        }
        rules
    }

    /// Whether a request to `host` on `port` goes through the proxy.
    fn uses_proxy(&self, host: &Host<&str>, port: &str) -> bool {
        let (name, ip) = match host {
            Host::Domain(name) => {
                let name = name.to_ascii_lowercase();
                let ip = name.parse::<IpAddr>().ok();
                (name, ip)
            }
            Host::Ipv4(ip) => (ip.to_string(), Some(IpAddr::V4(*ip))),
            Host::Ipv6(ip) => (ip.to_string(), Some(IpAddr::V6(*ip))),
        };
        if name == "localhost" || ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        if self.all {
            return false;
        }
        let port_matches = |rule: &Option<String>| rule.as_deref().is_none_or(|p| p == port);
        if let Some(ip) = ip {
            if self
                .cidrs
                .iter()
                .any(|(net, bits)| in_block(ip, *net, *bits))
            {
                return false;
            }
            if self
                .ips
                .iter()
                .any(|(rule, rule_port)| *rule == ip && port_matches(rule_port))
            {
                return false;
            }
        }
        !self.domains.iter().any(|rule| {
            (name.ends_with(&rule.suffix) || (rule.exact_too && name == rule.suffix[1..]))
                && port_matches(&rule.port)
        })
    }
}

/// `host:port` or `[v6]:port`, as Go's `net.SplitHostPort` splits it; `None` without a port.
fn split_host_port(entry: &str) -> Option<(String, String)> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return Some((host.to_owned(), port.to_owned()));
    }
    let (host, port) = entry.rsplit_once(':')?;
    // More than one colon without brackets is an IPv6 address, not host:port.
    if host.contains(':') {
        return None;
    }
    Some((host.to_owned(), port.to_owned()))
}

fn parse_cidr(entry: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = entry.split_once('/')?;
    let ip = ip.parse::<IpAddr>().ok()?;
    let bits = bits.parse::<u8>().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_block(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: &str = "http://proxy.corp:3128";

    /// Which proxy variable, if any, a request to `url` uses under `vars`.
    fn via(vars: &[(&str, &str)], url: &str) -> Option<&'static str> {
        let rules = ProxyRules::from_vars(vars).unwrap();
        rules
            .proxy_for(&Url::parse(url).unwrap())
            .map(|p| p.variable)
    }

    fn with_no_proxy(no_proxy: &str, url: &str) -> bool {
        via(
            &[
                ("HTTPS_PROXY", PROXY),
                ("HTTP_PROXY", PROXY),
                ("NO_PROXY", no_proxy),
            ],
            url,
        )
        .is_some()
    }

    #[test]
    fn the_scheme_chooses_the_variable_and_upper_case_wins() {
        let both = [("HTTPS_PROXY", PROXY), ("HTTP_PROXY", PROXY)];
        assert_eq!(via(&both, "https://infisical.corp"), Some("HTTPS_PROXY"));
        assert_eq!(via(&both, "http://infisical.corp"), Some("HTTP_PROXY"));
        // Only HTTP_PROXY: https requests go direct (Go does not fall back).
        assert_eq!(
            via(&[("HTTP_PROXY", PROXY)], "https://infisical.corp"),
            None
        );
        assert_eq!(
            via(&[("HTTPS_PROXY", PROXY)], "http://infisical.corp"),
            None
        );
        let cases = [("HTTPS_PROXY", PROXY), ("https_proxy", "http://other:1")];
        assert_eq!(via(&cases, "https://x.corp"), Some("HTTPS_PROXY"));
        assert_eq!(
            via(&[("https_proxy", PROXY)], "https://x.corp"),
            Some("https_proxy")
        );
        // An empty upper-case variable is unset: the lower-case one applies.
        let empty = [("HTTPS_PROXY", ""), ("https_proxy", PROXY)];
        assert_eq!(via(&empty, "https://x.corp"), Some("https_proxy"));
        // A CGI script ignores HTTP_PROXY, which a request header could set.
        let cgi = [("HTTP_PROXY", PROXY), ("REQUEST_METHOD", "GET")];
        assert_eq!(via(&cgi, "http://x.corp"), None);
    }

    #[test]
    fn loopback_and_localhost_are_never_proxied() {
        let both = [("HTTPS_PROXY", PROXY), ("HTTP_PROXY", PROXY)];
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "https://[::1]:8443",
            "http://localhost:8080",
            "https://LOCALHOST",
        ] {
            assert_eq!(via(&both, url), None, "{url}");
        }
        // Only `localhost` itself: other names are proxied, even one that resolves to loopback.
        assert_eq!(
            via(&both, "http://localhost.localdomain"),
            Some("HTTP_PROXY")
        );
        assert_eq!(via(&both, "http://128.0.0.1"), Some("HTTP_PROXY"));
    }

    /// The forms `NO_PROXY` takes, from httpproxy's documentation: "Each value is an IP address
    /// prefix (1.2.3.4), an IP address prefix in CIDR notation (1.2.3.4/8), a domain name, or a
    /// special DNS label (*). An IP address prefix and domain name can also include a literal
    /// port number (1.2.3.4:80). A domain name matches that name and all subdomains. A domain
    /// name with a leading "." matches subdomains only. For example "foo.com" matches "foo.com"
    /// and "bar.foo.com"; ".y.com" matches "x.y.com" but not "y.com". A single asterisk (*)
    /// indicates that no proxying should be done."
    #[test]
    fn no_proxy_entries_are_read_as_go_reads_them() {
        // (NO_PROXY, request URL, proxied?)
        let table = [
            ("*", "https://infisical.corp", false),
            ("*", "https://10.1.2.3", false),
            ("*", "https://[2001:db8::1]", false),
            ("foo.com", "https://foo.com", false),
            ("foo.com", "https://bar.foo.com", false),
            ("foo.com", "https://a.b.foo.com", false),
            ("foo.com", "https://barfoo.com", true),
            ("foo.com", "https://foo.com.evil", true),
            (".y.com", "https://x.y.com", false),
            (".y.com", "https://y.com", true),
            ("*.y.com", "https://x.y.com", false),
            ("*.y.com", "https://y.com", true),
            ("FOO.com", "https://Bar.FOO.com", false),
            ("1.2.3.4", "https://1.2.3.4", false),
            ("1.2.3.4", "https://1.2.3.5", true),
            ("1.2.3.4:80", "http://1.2.3.4", false),
            ("1.2.3.4:80", "https://1.2.3.4", true),
            ("1.2.3.4:80", "http://1.2.3.4:8080", true),
            ("1.2.3.0/24", "https://1.2.3.200", false),
            ("1.2.3.0/24", "https://1.2.4.1", true),
            ("10.0.0.0/8", "https://10.200.0.1:8443", false),
            ("2001:db8::/32", "https://[2001:db8::1]", false),
            ("2001:db8::/32", "https://[2001:db9::1]", true),
            ("2001:db8::1", "https://[2001:db8::1]", false),
            ("[2001:db8::1]:443", "https://[2001:db8::1]", false),
            ("[2001:db8::1]:443", "https://[2001:db8::1]:8443", true),
            ("foo.com:443", "https://foo.com", false),
            ("foo.com:443", "https://bar.foo.com:443", false),
            ("foo.com:443", "https://foo.com:8443", true),
            ("foo.com:8443", "https://foo.com:8443", false),
            (" a.com , b.com ", "https://b.com", false),
            ("a.com,,", "https://c.com", true),
            ("", "https://c.com", true),
        ];
        for (no_proxy, url, proxied) in table {
            assert_eq!(
                with_no_proxy(no_proxy, url),
                proxied,
                "NO_PROXY={no_proxy:?} {url}"
            );
        }
        // The lower-case variable is read when the upper-case one is not set.
        let lower = [("HTTPS_PROXY", PROXY), ("no_proxy", "foo.com")];
        assert_eq!(via(&lower, "https://foo.com"), None);
        let upper_wins = [
            ("HTTPS_PROXY", PROXY),
            ("NO_PROXY", "bar.com"),
            ("no_proxy", "foo.com"),
        ];
        assert_eq!(via(&upper_wins, "https://foo.com"), Some("HTTPS_PROXY"));
    }

    #[test]
    fn proxy_values_are_urls_or_host_port_and_errors_name_the_variable() {
        let rules = ProxyRules::from_vars(&[("HTTPS_PROXY", "proxy.corp:3128")]).unwrap();
        let chosen = rules
            .proxy_for(&Url::parse("https://x.corp").unwrap())
            .unwrap();
        assert_eq!(chosen.url.as_str(), "http://proxy.corp:3128/");
        let secret =
            ProxyRules::from_vars(&[("HTTP_PROXY", "http://me:hunter2@proxy.corp:3128")]).unwrap();
        let shown = secret
            .proxy_for(&Url::parse("http://x.corp").unwrap())
            .unwrap()
            .display();
        assert_eq!(shown, "the proxy http://proxy.corp:3128 (from HTTP_PROXY)");
        let error = ProxyRules::from_vars(&[("https_proxy", "socks5://proxy.corp:1080")])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("https_proxy") && error.contains("socks5"),
            "{error}"
        );
        let error = ProxyRules::from_vars(&[("HTTP_PROXY", "http://me:pw@proxy corp:3128")])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("HTTP_PROXY") && !error.contains("pw"),
            "{error}"
        );
    }

    /// A proxy on loopback that answers every request with `status_line` (and a
    /// `Proxy-Authenticate` challenge with a 407), as a proxy whose rules or credentials turn
    /// a tunnel down does; its URL, and the request line of each request it got.
    async fn refusing_proxy(
        status_line: &'static str,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = std::sync::Arc::clone(&log);
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    let mut head = Vec::new();
                    loop {
                        let mut line = String::new();
                        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line.trim().is_empty() {
                            break;
                        }
                        head.push(line.trim_end().to_owned());
                    }
                    log.lock().unwrap().push(head[0].clone());
                    let challenge = if status_line.starts_with("407") {
                        "Proxy-Authenticate: Basic realm=\"corp\"\r\n"
                    } else {
                        ""
                    };
                    let answer = format!(
                        "HTTP/1.1 {status_line}\r\n{challenge}Content-Length: 0\r\n\
                         Connection: close\r\n\r\n"
                    );
                    let _ = stream.get_mut().write_all(answer.as_bytes()).await;
                    let _ = stream.get_mut().shutdown().await;
                });
            }
        });
        (url, seen)
    }

    #[tokio::test]
    async fn a_proxy_that_refuses_the_tunnel_is_said_to_refuse_with_its_status() {
        use crate::infisical::{Auth, Client, ClientConfig, Error, NetworkProblem, RetryPolicy};
        for (status_line, status, connects) in [
            ("403 Forbidden", 403, 2),
            ("407 Proxy Authentication Required", 407, 1),
        ] {
            let (proxy, seen) = refusing_proxy(status_line).await;
            let client = Client::new(ClientConfig {
                retry: RetryPolicy {
                    max_attempts: 3,
                    base_delay: std::time::Duration::from_millis(1),
                    max_delay: std::time::Duration::from_millis(2),
                    ..RetryPolicy::default()
                },
                proxy: Some(ProxyRules::from_vars(&[("HTTPS_PROXY", &proxy)]).unwrap()),
                ..ClientConfig::new(
                    Url::parse("https://infisical.corp.example").unwrap(),
                    Auth::token("t"),
                )
            })
            .unwrap();
            let error = client.github().list(None).await.unwrap_err();
            let text = error.to_string();
            assert!(
                text.contains(&format!(
                    "the proxy {proxy} (from HTTPS_PROXY) refused to open a tunnel to \
                     infisical.corp.example:443: it answered {status_line}"
                )),
                "{text}"
            );
            assert!(!text.contains("could not connect"), "{text}");
            assert!(
                matches!(
                    error,
                    Error::Transport {
                        problem: NetworkProblem::ProxyRefused { status: Some(s) },
                        ..
                    } if s == status
                ),
                "{error:?}"
            );
            // A refusal by the proxy's rules or for want of credentials is not retried; a 403
            // is asked once more, for its status.
            let seen = seen.lock().unwrap().clone();
            assert_eq!(seen.len(), connects, "{seen:?}");
            assert!(
                seen.iter()
                    .all(|line| line == "CONNECT infisical.corp.example:443 HTTP/1.1"),
                "{seen:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_proxy_name_dns_does_not_know_is_the_proxy_out_of_reach_not_the_host() {
        use crate::infisical::{Auth, Client, ClientConfig, Error, NetworkProblem, RetryPolicy};
        // `.invalid` never resolves: the proxy's name is the one that fails, not the host's
        // (which only the proxy would resolve).
        let client = Client::new(ClientConfig {
            retry: RetryPolicy::none(),
            proxy: Some(
                ProxyRules::from_vars(&[("HTTPS_PROXY", "http://proxy.invalid:3128")]).unwrap(),
            ),
            ..ClientConfig::new(
                Url::parse("https://infisical.corp.example").unwrap(),
                Auth::token("t"),
            )
        })
        .unwrap();
        let error = client.github().list(None).await.unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(
                "could not connect to the proxy http://proxy.invalid:3128 (from HTTPS_PROXY)"
            ),
            "{text}"
        );
        assert!(
            matches!(
                error,
                Error::Transport {
                    problem: NetworkProblem::Proxy,
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
