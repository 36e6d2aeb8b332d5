//! Refresh at scale: a plan refreshes every connection from one list per scope instead of one GET
//! each, confirms a missing one before planning to recreate it, and a rate-limited identity
//! spends one wait per 429 window.

use std::time::{Duration, Instant};

use infisical_emulator::LoggedRequest;
use terraform_provider_infisical::infisical::{Auth, Client, ClientConfig, RetryPolicy};
use url::Url;

use crate::support::Workspace;
use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;

const LIST: &str = "/api/v1/app-connections/github";
const P1: &str = "5a1f6d2e-0c3b-4e8a-9d7f-1b2c3d4e5f60";
const P2: &str = "6b2e7f3a-1d4c-4f9b-8e6a-2c3d4e5f6a71";

/// `org` organization-level connections and `per_project` in each of two projects, the PAT from
/// a sensitive variable; applied.
fn applied(emu: &Infisical, org: usize, per_project: usize) -> Workspace {
    emu.admin.add_project(P1);
    emu.admin.add_project(P2);
    let pat = crate::support::secrets::remember(format!("ghp_scale_{}", std::process::id()));
    emu.admin.add_pat(pat.clone());
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    let resource = |label: &str, count: usize, project: Option<&str>| {
        Pat::named(format!("{label}-${{count.index}}"))
            .label(label)
            .count(count)
            .project(project)
    };
    ws.config(&hcl::config(&[
        resource("org", org, None),
        resource("p1", per_project, Some(P1)),
        resource("p2", per_project, Some(P2)),
    ]));
    hcl::set_pat(&ws, &pat);
    ws.run(&["apply", "-auto-approve", "-parallelism=20"])
        .success();
    ws
}

fn is_list(r: &LoggedRequest) -> bool {
    r.method == "GET" && r.path == LIST
}

fn is_get_by_id(r: &LoggedRequest) -> bool {
    r.method == "GET"
        && r.path
            .strip_prefix(LIST)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.contains('/'))
}

fn is_login(r: &LoggedRequest) -> bool {
    r.path.starts_with("/api/v1/auth/")
}

/// Every API request of the last run, as "METHOD path?query status" lines, for failure messages.
fn listing(requests: &[LoggedRequest]) -> String {
    requests
        .iter()
        .map(|r| {
            format!(
                "{} {}{} {:?}",
                r.method,
                r.path,
                r.query
                    .as_deref()
                    .map_or(String::new(), |q| format!("?{q}")),
                r.status
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn a_plan_of_200_connections_sends_one_login_and_one_list_and_confirms_a_deleted_one() {
    let emu = Infisical::start();
    let ws = applied(&emu, 100, 50);

    emu.admin.clear_requests();
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
    let requests = emu.api_requests();
    let log = listing(&requests);
    assert!(
        requests.iter().filter(|r| is_login(r)).count() <= 1,
        "{log}"
    );
    assert!(requests.iter().filter(|r| is_list(r)).count() <= 3, "{log}");
    assert_eq!(
        requests.iter().filter(|r| is_get_by_id(r)).count(),
        0,
        "{log}"
    );
    assert!(requests.len() <= 4, "{log}");

    // Deleted in the UI: the listing lacks it, a GET confirms, and the plan recreates it.
    let gone = emu
        .admin
        .connections()
        .into_iter()
        .find(|c| c.name == "p2-7")
        .unwrap();
    assert!(emu.admin.delete_connection(&gone.id));
    emu.admin.clear_requests();
    let plan = ws.run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(
        plan.stdout
            .contains("infisical_app_connection_github.p2[7] will be created")
            && plan
                .stdout
                .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    let requests = emu.api_requests();
    let gets: Vec<&LoggedRequest> = requests.iter().filter(|r| is_get_by_id(r)).collect();
    assert_eq!(gets.len(), 1, "{}", listing(&requests));
    assert_eq!(gets[0].path, format!("{LIST}/{}", gone.id));
    assert_eq!(gets[0].status, Some(404));
}

fn an_identity_that_may_list_only_its_projects_is_served_by_per_project_lists() {
    let emu = Infisical::start();
    let ws = applied(&emu, 3, 20);
    emu.admin.set_projects_only(true);

    emu.admin.clear_requests();
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
    let requests = emu.api_requests();
    let log = listing(&requests);
    let lists: Vec<&LoggedRequest> = requests.iter().filter(|r| is_list(r)).collect();
    let refused = lists.iter().filter(|r| r.query.is_none()).count();
    let per_project = lists.iter().filter(|r| r.query.is_some()).count();
    assert_eq!((refused, per_project), (1, 2), "{log}");
    // Only the organization-level connections, which no project listing holds, are read alone.
    assert_eq!(
        requests.iter().filter(|r| is_get_by_id(r)).count(),
        3,
        "{log}"
    );
}

fn a_plan_under_a_tight_rate_limit_meets_no_429() {
    let emu = Infisical::start();
    let ws = applied(&emu, 150, 25);
    // Five requests a minute: a GET per connection would wait minutes; one list does not.
    emu.admin.set_rate_limit(Some((5, Duration::from_secs(60))));
    emu.admin.clear_requests();
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
    let requests = emu.api_requests();
    assert!(
        requests.iter().all(|r| r.status != Some(429)),
        "{}",
        listing(&requests)
    );
}

/// One 429 holds back every request of the process until its window ends: requests started
/// while it is waited out are not sent (and refused) one by one.
async fn one_429_holds_every_request_until_the_window_ends() {
    let emulator = infisical_emulator::Emulator::start(infisical_emulator::Config::default())
        .await
        .unwrap();
    let admin = emulator.admin();
    let client = Client::new(ClientConfig {
        retry: RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            max_elapsed: Duration::from_secs(20),
        },
        ..ClientConfig::new(
            Url::parse(emulator.url()).unwrap(),
            Auth::universal("demo-client-id", "demo-client-secret"),
        )
    })
    .unwrap();
    client.authenticate().await.unwrap();
    // Ten requests per two seconds, all spent: the next one meets a 429.
    admin.set_rate_limit(Some((10, Duration::from_secs(2))));
    for _ in 0..10 {
        client.github().list(None).await.unwrap();
    }
    let started = Instant::now();
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.github().list(None).await.map(|_| ()) }
    });
    // Wait until the first request met its 429, then start eight more.
    while !admin.requests().iter().any(|r| r.status == Some(429)) {
        assert!(started.elapsed() < Duration::from_secs(5), "no 429 came");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let more: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.github().list(None).await.map(|_| ()) })
        })
        .collect();
    first.await.unwrap().unwrap();
    for request in more {
        request.await.unwrap().unwrap();
    }
    let refused = admin
        .requests()
        .iter()
        .filter(|r| r.status == Some(429))
        .count();
    assert_eq!(
        refused, 1,
        "every request after the first 429 waited for the window"
    );
}

crate::cases! {
    full: [
        a_plan_of_200_connections_sends_one_login_and_one_list_and_confirms_a_deleted_one,
        an_identity_that_may_list_only_its_projects_is_served_by_per_project_lists,
        a_plan_under_a_tight_rate_limit_meets_no_429,
    ],
    once_async: [
        one_429_holds_every_request_until_the_window_ends,
    ],
}
