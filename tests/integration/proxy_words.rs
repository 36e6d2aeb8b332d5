//! What a user reads when a proxy is in the way (issue 22): a proxy that refuses to open a
//! tunnel says so, with its status, instead of "could not connect"; and an `https://` proxy
//! carries the requests like an `http://` one, trusted as any server is (`SSL_CERT_FILE`).

use crate::networks::{connection, lifecycle, workspace};
use crate::support::infisical::Infisical;
use crate::support::proxy::Proxy;
use crate::support::tls::TlsFront;

fn a_proxy_that_refuses_the_tunnel_is_said_to_refuse_with_its_status() {
    let emu = Infisical::start();
    for (status_line, advice) in [
        ("403 Forbidden", "Ask its administrators to allow it"),
        (
            "407 Proxy Authentication Required",
            "Put them in that variable's URL",
        ),
    ] {
        let proxy = Proxy::refusing(status_line);
        let mut ws = workspace(&emu);
        ws.env("HTTPS_PROXY", &proxy.url());
        // Not loopback, so the proxy is asked; `.test` resolves nowhere, so nothing else could
        // answer.
        ws.config(&connection("refused", "d", Some("https://infisical.test")));
        let out = ws.run(&["plan"]).failure().folded_output();
        assert!(
            out.contains("Proxy refused the connection: could not log in to Infisical"),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "the proxy {} (from HTTPS_PROXY) refused to open a tunnel to infisical.test:443: \
                 it answered {status_line}",
                proxy.url()
            )),
            "{out}"
        );
        assert!(out.contains(advice), "{out}");
        assert!(!out.contains("could not connect"), "{out}");
        assert!(!out.contains("client id and secret"), "{out}");
        assert!(
            proxy
                .requests()
                .iter()
                .all(|r| r == "CONNECT infisical.test:443 HTTP/1.1"),
            "{:?}",
            proxy.requests()
        );
    }
}

fn an_https_proxy_carries_the_requests_once_its_certificate_is_trusted() {
    let emu = Infisical::start();
    let upstream = emu.url.trim_start_matches("http://").to_owned();
    let proxy = Proxy::to(&upstream);
    // TLS to the proxy, then the proxy itself: an `https://` proxy.
    let front = TlsFront::to(&proxy.address());
    let mut ws = workspace(&emu);
    let host = format!(
        "http://infisical.test:{}",
        upstream.rsplit(':').next().unwrap()
    );
    ws.env("HTTP_PROXY", &front.url());
    // Untrusted, its certificate is the proxy's problem, and said to be.
    ws.config(&connection("https-proxy", "d", Some(&host)));
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(
        out.contains("Certificate not trusted: could not log in to Infisical"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "could not connect to the proxy {} (from HTTP_PROXY)",
            front.url()
        )) && out.contains("UnknownIssuer"),
        "{out}"
    );
    assert!(out.contains("point `SSL_CERT_FILE` at a PEM file"), "{out}");
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());

    ws.env("SSL_CERT_FILE", front.ca_file().to_str().unwrap());
    lifecycle(&ws, &emu, Some(&host));
    assert!(front.connections() > 0);
    let requests = proxy.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with(&format!("POST {host}/api/v1/auth/universal-auth/login"))),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with(&format!("POST {host}/api/v1/app-connections/github"))),
        "{requests:?}"
    );
}

crate::cases! {
    full: [
        a_proxy_that_refuses_the_tunnel_is_said_to_refuse_with_its_status,
        an_https_proxy_carries_the_requests_once_its_certificate_is_trusted,
    ],
}
