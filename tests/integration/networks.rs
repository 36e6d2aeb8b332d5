//! Self-hosted networks (issue 17), against real Terraform: proxies chosen by Go's rules, and the
//! errors a network problem gives.

use std::time::Duration;

use terraform_provider_infisical::infisical::{
    Auth, Client, ClientConfig, Error, NetworkProblem, ProxyRules, RetryPolicy,
};

use crate::github::assert_empty_plan;
use crate::support::infisical::Infisical;
use crate::support::proxy::{Proxy, closed_port};
use crate::support::rand_suffix;
use crate::support::tls::TlsFront;
use crate::support::{REQUIRED_PROVIDERS, Workspace};

/// One PAT connection named `name`, described `description`.
pub(crate) fn connection(name: &str, description: &str, host: Option<&str>) -> String {
    let host = host.map(|h| format!("host = \"{h}\"")).unwrap_or_default();
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{
  {host}
}}

variable "pat" {{
  type      = string
  sensitive = true
}}

resource "infisical_app_connection_github" "gh" {{
  name        = "{name}"
  description = "{description}"
  method      = "pat"
  credentials = {{ personal_access_token = var.pat }}
}}
"#
    )
}

/// A workspace on `emu` with a valid PAT in `pat.auto.tfvars`.
pub(crate) fn workspace(emu: &Infisical) -> Workspace {
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    let pat = crate::support::secrets::remember(format!("ghp_net_{}", rand_suffix()));
    emu.admin.add_pat(pat.clone());
    ws.write("pat.auto.tfvars", &format!("pat = \"{pat}\"\n"));
    ws
}

/// Create, empty plan, update, destroy.
pub(crate) fn lifecycle(ws: &Workspace, emu: &Infisical, host: Option<&str>) {
    let name = format!("net-{}", rand_suffix());
    ws.config(&connection(&name, "first", host));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 1);
    assert_empty_plan(ws);
    ws.config(&connection(&name, "second", host));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_empty_plan(ws);
    ws.run(&["destroy", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 0);
}

fn a_proxy_for_everything_leaves_loopback_alone() {
    // Issue 17: with a global proxy set, the emulator on 127.0.0.1 was sent to the proxy. Go
    // never proxies loopback; the proxy here is a closed port, so any request sent to it fails.
    let emu = Infisical::start();
    let mut ws = workspace(&emu);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    ws.env("HTTPS_PROXY", &dead)
        .env("HTTP_PROXY", &dead)
        .env("https_proxy", &dead)
        .env("http_proxy", &dead);
    lifecycle(&ws, &emu, None);
}

fn a_name_that_is_not_loopback_goes_through_the_proxy() {
    let emu = Infisical::start();
    let upstream = emu.url.trim_start_matches("http://").to_owned();
    let proxy = Proxy::to(&upstream);
    let mut ws = workspace(&emu);
    // `infisical.test` resolves nowhere (`.test` is reserved): only the proxy can reach it.
    let host = format!(
        "http://infisical.test:{}",
        upstream.rsplit(':').next().unwrap()
    );
    ws.env("HTTP_PROXY", &proxy.url())
        .env("NO_PROXY", "example.com,10.0.0.0/8");
    lifecycle(&ws, &emu, Some(&host));
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

fn no_proxy_sends_a_listed_host_around_the_proxy() {
    // The same name, listed in NO_PROXY with its port: the proxy is not asked, and the name does
    // not resolve, so the plan fails at the login without a word of the proxy.
    let emu = Infisical::start();
    let proxy = Proxy::to(emu.url.trim_start_matches("http://"));
    let mut ws = workspace(&emu);
    let port = closed_port();
    let host = format!("http://infisical.test:{port}");
    ws.env("HTTP_PROXY", &proxy.url())
        .env("NO_PROXY", &format!("infisical.test:{port}"));
    ws.config(&connection("listed", "d", Some(&host)));
    let run = ws.run(&["plan"]).failure();
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
    assert!(!run.output().contains("HTTP_PROXY"), "{}", run.output());
}

fn a_dead_proxy_is_named_with_the_variable_that_chose_it() {
    let emu = Infisical::start();
    let mut ws = workspace(&emu);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    ws.env("HTTP_PROXY", &dead);
    ws.config(&connection(
        "dead-proxy",
        "d",
        Some("http://infisical.test:8080"),
    ));
    let run = ws.run(&["plan"]).failure();
    let out = run.folded_output();
    assert!(
        out.contains(&format!(
            "could not connect to the proxy {dead} (from HTTP_PROXY)"
        )),
        "{out}"
    );
}

/// The highest peak resident set (VmHWM, KiB) of `ws`'s provider processes, sampled while `run`
/// runs.
fn peak_rss_kib(ws: &Workspace, run: impl FnOnce()) -> u64 {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let done = AtomicBool::new(false);
    let peak = AtomicU64::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                for pid in ws.provider_processes() {
                    let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
                    let hwm = status.ok().and_then(|s| {
                        s.lines()
                            .find_map(|l| l.strip_prefix("VmHWM:"))
                            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    });
                    if let Some(hwm) = hwm {
                        peak.fetch_max(hwm, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        // Stops the sampler however `run` ends: a failed assertion in it must fail the test,
        // not leave the scope waiting for the sampler forever.
        struct Stop<'a>(&'a AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let _stop = Stop(&done);
        run();
    });
    peak.load(Ordering::Relaxed)
}

fn a_200_mb_answer_is_refused_at_the_limit_with_bounded_memory() {
    use infisical_emulator::{Fault, FaultAction};
    // Issue 17: a 200 MB body on a GET took the provider to 420 MB before failing.
    let emu = Infisical::start();
    let ws = workspace(&emu);
    ws.config(&connection("big", "d", None));
    ws.run(&["apply", "-auto-approve"]).success();
    // The refresh lists the connections first, then falls back to a GET by id when the list
    // fails: both answers are 200 MB.
    emu.admin.inject_fault(
        Fault::next(
            2,
            FaultAction::HugeBody {
                bytes: 200 * 1024 * 1024,
            },
        )
        .on("GET", "/api/v1/app-connections/github"),
    );
    let mut out = String::new();
    let peak = peak_rss_kib(&ws, || out = ws.run(&["plan"]).failure().folded_output());
    assert!(
        out.contains("Answer too large") && out.contains("is larger than the limit of 32 MiB"),
        "{out}"
    );
    assert!(peak > 0, "the provider's memory was never sampled");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
}

fn an_untrusted_certificate_fails_the_plan_naming_ssl_cert_file_which_then_fixes_it() {
    let emu = Infisical::start();
    let front = TlsFront::to(emu.url.trim_start_matches("http://"));
    let mut ws = workspace(&emu);
    let host = front.url();
    ws.config(&connection("private-ca", "d", Some(&host)));
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(
        out.contains("Certificate not trusted: could not log in to Infisical"),
        "{out}"
    );
    assert!(
        out.contains("point `SSL_CERT_FILE` at a PEM file") && out.contains("system trust store"),
        "{out}"
    );
    assert!(!out.contains("client id and secret"), "{out}");
    // A certificate does not change between attempts: one connection, no retry.
    assert_eq!(front.connections(), 1);
    assert!(emu.api_requests().is_empty());

    ws.env("SSL_CERT_FILE", front.ca_file().to_str().unwrap());
    lifecycle(&ws, &emu, Some(&host));
}

fn https_against_plain_http_suggests_http() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    let host = emu.url.replace("http://", "https://");
    ws.config(&connection("not-tls", "d", Some(&host)));
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(
        out.contains("Not a TLS server: could not log in to Infisical")
            && out.contains("If it serves plain HTTP, use `http://` in `host`"),
        "{out}"
    );
}

fn a_page_that_is_not_infisical_points_at_the_host_not_the_credentials() {
    use infisical_emulator::{Fault, FaultAction};
    let emu = Infisical::start();
    let ws = workspace(&emu);
    ws.config(&connection("no-api", "d", None));
    // A web server's 404 page (Infisical under a path prefix the host forgot, a wrong port),
    // then a captive portal's login page answered with 200.
    let pages = [
        (
            404,
            "<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
        ),
        (
            200,
            "<html><head><title>Guest Wi-Fi: sign in</title></head></html>",
        ),
    ];
    for (status, page) in pages {
        emu.admin.inject_fault(
            Fault::next(
                1,
                FaultAction::Raw {
                    status,
                    content_type: "text/html".into(),
                    body: page.into(),
                },
            )
            .on("POST", "/api/v1/auth/"),
        );
        let out = ws.run(&["plan"]).failure().folded_output();
        assert!(
            out.contains("No Infisical API at this address: could not log in to Infisical")
                && out.contains("its path prefix when Infisical is served under a path"),
            "{out}"
        );
        assert!(!out.contains("client id and secret"), "{out}");
    }
    // Infisical itself refusing the credentials still gets the credentials hint.
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws.env("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", "wrong-secret");
    crate::support::secrets::remember("wrong-secret");
    ws.config(&connection("no-api", "d", None));
    ws.write("pat.auto.tfvars", "pat = \"ghp_unused\"\n");
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(
        out.contains("Login failed") && out.contains("client id and secret"),
        "{out}"
    );
}

/// A client for `url` with the suite's short retry waits, run on a runtime of its own.
fn client(url: &str) -> (tokio::runtime::Runtime, Client) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = ClientConfig {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            max_elapsed: Duration::from_secs(10),
        },
        proxy: Some(ProxyRules::none()),
        ..ClientConfig::new(
            url::Url::parse(url).unwrap(),
            Auth::universal("demo-client-id", "demo-client-secret"),
        )
    };
    (runtime, Client::new(config).unwrap())
}

fn permanent_failures_are_not_retried() {
    let emu = Infisical::start();
    let front = TlsFront::to(emu.url.trim_start_matches("http://"));
    let (runtime, untrusted) = client(&front.url());
    let error = runtime.block_on(untrusted.authenticate()).unwrap_err();
    assert!(error.to_string().contains("UnknownIssuer"), "{error}");
    assert_eq!(front.connections(), 1, "a TLS failure was retried");

    // A name DNS does not know (`.test` is reserved): one attempt, said in the error.
    let started = std::time::Instant::now();
    let (runtime, unknown) = client("http://no-such-infisical.test:8080");
    let error = runtime.block_on(unknown.authenticate()).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Login { source, .. }
                if matches!(**source, Error::Transport { problem: NetworkProblem::UnknownName, .. })
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2), "retried");

    // A refused connection may pass: it is retried (four attempts, within the short policy).
    let (runtime, refused) = client(&format!("http://127.0.0.1:{}", closed_port()));
    let error = runtime.block_on(refused.authenticate()).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Login { source, .. }
                if matches!(**source, Error::Transport { problem: NetworkProblem::Other, .. })
        ),
        "{error:?}"
    );
}

/// The total a timeout error states, in seconds, and its attempts.
fn stated_total(out: &str) -> (u32, f64) {
    let (_, rest) = out
        .split_once("did not answer POST /api/v1/auth/universal-auth/login: ")
        .unwrap_or_else(|| panic!("{out}"));
    let attempts = rest.split(' ').next().unwrap().parse().unwrap();
    let (_, rest) = rest.split_once("timed out, ").unwrap();
    let total = rest.split_once("s in all").unwrap().0.parse().unwrap();
    (attempts, total)
}

fn a_hung_server_times_out_as_the_environment_says_and_states_the_time_waited() {
    // Accepts connections (the kernel does, into the backlog) and never answers.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("http://{}", hung.local_addr().unwrap());
    let emu = Infisical::start();
    let mut ws = workspace(&emu);
    ws.env("INFISICAL_HOST", &host)
        .env("INFISICAL_REQUEST_TIMEOUT", "1s")
        .env("INFISICAL_RETRY_TIMEOUT", "2s");
    ws.config(&connection("hung", "d", None));
    let started = std::time::Instant::now();
    let out = ws.run(&["plan"]).failure().folded_output();
    let waited = started.elapsed().as_secs_f64();
    assert!(
        out.contains("Infisical did not answer")
            && out.contains(
                "raise the provider's `request_timeout` (or `INFISICAL_REQUEST_TIMEOUT`)"
            ),
        "{out}"
    );
    assert!(out.contains("attempts of 1s each timed out"), "{out}");
    let (attempts, total) = stated_total(&out);
    // Two attempts of 1 s and the wait between them; no retry starts after 2 s.
    assert_eq!(attempts, 2, "{out}");
    assert!((2.0..3.0).contains(&total), "{out}");
    // What Terraform took is the stated time plus its own start-up.
    assert!(
        total <= waited && waited - total < 5.0,
        "stated {total}s, waited {waited}s"
    );

    // The provider block's attribute beats the variable.
    ws.config(&connection("hung", "d", None).replace(
        "provider \"infisical\" {",
        "provider \"infisical\" {\n  request_timeout = \"500ms\"\n  retry_timeout = \"1ms\"",
    ));
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(out.contains("1 attempt of 0.5s each timed out"), "{out}");
    let (_, total) = stated_total(&out);
    assert!((0.5..1.0).contains(&total), "{out}");
}

fn host_mistakes_are_told_apart_and_an_api_v1_suffix_is_tolerated() {
    let emu = Infisical::start();
    let mut ws = workspace(&emu);
    // `host = ".../api/v1"` used to produce `/api/v1/api/v1/...`.
    lifecycle(&ws, &emu, Some(&format!("{}/api/v1", emu.url)));

    // A typo in INFISICAL_HOST is reported as the variable's, not the block's.
    ws.env("INFISICAL_HOST", "htp://127.0.0.1:8080");
    ws.config(&connection("typo", "d", None));
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(
        out.contains(
            "INFISICAL_HOST (from the environment; the provider block sets no `host`) must be \
             an http:// or https:// URL such as https://app.infisical.com, got \
             \"htp://127.0.0.1:8080\""
        ),
        "{out}"
    );

    // An IPv6 address without brackets gets its own message, at the block's `host`.
    ws.config(&connection(
        "v6",
        "d",
        Some("http://2001:db8:0:0:0:0:0:1:8080"),
    ));
    let out = ws.run(&["plan"]).failure().folded_output();
    assert!(
        out.contains(
            "host an IPv6 address in a URL must be in brackets: write \
             \"http://[2001:db8:0:0:0:0:0:1]:8080\""
        ),
        "{out}"
    );
}

fn the_self_hosted_example_runs_under_a_path_prefix_through_a_proxy() {
    // docs/index.md "Networks" shows examples/self-hosted: Infisical under a path, a proxy from
    // the environment, the time limits in the provider block. Here the proxy serves the
    // emulator under `/infisical`, at a name only it can resolve.
    let emu = Infisical::start();
    let upstream = emu.url.trim_start_matches("http://").to_owned();
    let proxy = Proxy::mounting(&upstream, "/infisical");
    let mut ws = workspace(&emu);
    ws.env("HTTP_PROXY", &proxy.url())
        .env("NO_PROXY", ".internal.example,10.0.0.0/8");
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/self-hosted/main.tf"),
    )
    .unwrap();
    let host = format!(
        "http://infisical.test:{}/infisical",
        upstream.rsplit(':').next().unwrap()
    );
    assert!(example.contains("\"https://infisical.corp.example/infisical\""));
    let example = example.replace("https://infisical.corp.example/infisical", &host);
    let resource = r#"
variable "pat" {
  type      = string
  sensitive = true
}

resource "infisical_app_connection_github" "gh" {
  name        = "behind-a-prefix"
  method      = "pat"
  credentials = { personal_access_token = var.pat }
}
"#;
    ws.config(&format!("{example}{resource}"));
    ws.run(&["apply", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 1);
    assert_empty_plan(&ws);
    ws.run(&["destroy", "-auto-approve"]).success();
    assert_eq!(emu.admin.connection_count(), 0);
    let requests = proxy.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with(&format!("POST {host}/api/v1/app-connections/github "))),
        "{requests:?}"
    );
}

fn a_proxy_password_never_reaches_an_error() {
    let password = crate::support::secrets::remember(format!("proxy-pw-{}", rand_suffix()));
    let dead = format!("http://me:{password}@127.0.0.1:{}", closed_port());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = ClientConfig {
        retry: RetryPolicy::none(),
        proxy: Some(ProxyRules::from_vars(&[("HTTPS_PROXY", &dead)]).unwrap()),
        ..ClientConfig::new(
            url::Url::parse("https://infisical.corp.example").unwrap(),
            Auth::token("t"),
        )
    };
    let client = Client::new(config).unwrap();
    let error = runtime.block_on(client.github().list(None)).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("(from HTTPS_PROXY)"), "{text}");
    assert!(!text.contains(&password), "{text}");
}

crate::cases! {
    full: [
        a_proxy_for_everything_leaves_loopback_alone,
        a_name_that_is_not_loopback_goes_through_the_proxy,
        no_proxy_sends_a_listed_host_around_the_proxy,
        a_dead_proxy_is_named_with_the_variable_that_chose_it,
        a_200_mb_answer_is_refused_at_the_limit_with_bounded_memory,
        an_untrusted_certificate_fails_the_plan_naming_ssl_cert_file_which_then_fixes_it,
        https_against_plain_http_suggests_http,
        a_page_that_is_not_infisical_points_at_the_host_not_the_credentials,
        permanent_failures_are_not_retried,
        a_hung_server_times_out_as_the_environment_says_and_states_the_time_waited,
        host_mistakes_are_told_apart_and_an_api_v1_suffix_is_tolerated,
        the_self_hosted_example_runs_under_a_path_prefix_through_a_proxy,
        a_proxy_password_never_reaches_an_error,
    ],
}
