//! The Infisical client against the emulator: every route, every error kind, re-login, retries,
//! timeouts, ambiguous creates, concurrency, and no secret in any log line or error.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use infisical_emulator::{Config, Emulator, Fault, FaultAction, SeedConnection};
use serde_json::json;
use terraform_provider_infisical::infisical::{
    Auth, Client, ClientConfig, CreateAppConnection, CreateSecretSync, Error, ForbiddenKind,
    GitHub, GitHubCredentials, GitHubDestination, GitHubInstanceType, GitHubMethod, Patch,
    PathSegment, RetryPolicy, SyncOptions, USER_AGENT, UpdateAppConnection, Waited,
};
use terraform_provider_infisical::secret::Secret;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use url::Url;

const CONNECTIONS: &str = "/api/v1/app-connections/github";
const GATEWAY: &str = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";

/// Client settings that keep the suite fast: short backoff and timeouts.
fn config(url: &str, auth: Auth) -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            max_elapsed: Duration::from_secs(10),
        },
        ..ClientConfig::new(Url::parse(url).unwrap(), auth)
    }
}

fn demo_auth() -> Auth {
    Auth::universal("demo-client-id", "demo-client-secret")
}

async fn start(config: Config) -> (Emulator, Client) {
    let emulator = Emulator::start(config).await.unwrap();
    let client = Client::new(self::config(emulator.url(), demo_auth())).unwrap();
    (emulator, client)
}

async fn started() -> (Emulator, Client) {
    start(Config::default()).await
}

fn pat(token: &str) -> GitHubCredentials {
    GitHubCredentials::Pat {
        personal_access_token: Secret::new(token),
        instance_type: None,
        host: None,
    }
}

fn pat_connection(name: &str, token: &str) -> CreateAppConnection<GitHub> {
    CreateAppConnection::new(name, pat(token))
}

/// How many logged requests had this method and path.
fn count(emulator: &Emulator, method: &str, path: &str) -> usize {
    emulator
        .admin()
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

async fn every_github_route_round_trips() {
    let (emulator, client) = started().await;
    let admin = emulator.admin();
    admin.add_pat("ghp_first");
    admin.add_pat("ghp_second");
    admin.add_gateway(GATEWAY);
    let github = client.github();

    let created = github
        .create(&CreateAppConnection {
            description: Some("  deploy keys  ".into()),
            gateway_id: Some(GATEWAY.into()),
            ..CreateAppConnection::new(
                "my-github",
                GitHubCredentials::Pat {
                    personal_access_token: Secret::new("ghp_first"),
                    instance_type: Some(GitHubInstanceType::Server),
                    host: Some("ghe.example.com".into()),
                },
            )
        })
        .await
        .unwrap();
    assert_eq!(created.name, "my-github");
    assert_eq!(created.method, GitHubMethod::Pat);
    assert_eq!(created.app, "github");
    assert_eq!(
        created.description.as_deref(),
        Some("deploy keys"),
        "trimmed by the server"
    );
    assert_eq!(created.gateway_id.as_deref(), Some(GATEWAY));
    assert_eq!(created.project_id, None);
    assert_eq!(
        created.credentials.instance_type,
        Some(GitHubInstanceType::Server)
    );
    assert_eq!(created.credentials.host.as_deref(), Some("ghe.example.com"));
    assert_eq!(created.credentials_hash.len(), 64);
    assert!(created.created_at.ends_with('Z'));

    assert_eq!(github.get(&created.id).await.unwrap(), created);
    assert_eq!(
        github.get_by_name("my-github", None).await.unwrap(),
        created
    );
    assert_eq!(github.list(None).await.unwrap(), vec![created.clone()]);

    let renamed = github
        .update(
            &created.id,
            &UpdateAppConnection {
                name: Some("renamed".into()),
                description: Patch::Clear,
                gateway_id: Patch::Clear,
                ..UpdateAppConnection::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "renamed");
    assert_eq!((renamed.description, renamed.gateway_id), (None, None));
    assert_eq!(
        renamed.credentials_hash, created.credentials_hash,
        "no credentials were sent"
    );
    let patch = admin
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(
        patch.body.unwrap(),
        json!({ "name": "renamed", "description": null, "gatewayId": null }),
        "only the fields given are sent"
    );

    let rotated = github
        .update(
            &created.id,
            &UpdateAppConnection {
                credentials: Some(pat("ghp_second")),
                ..UpdateAppConnection::default()
            },
        )
        .await
        .unwrap();
    assert_ne!(rotated.credentials_hash, created.credentials_hash);
    assert_eq!(
        rotated.credentials.instance_type, None,
        "credentials are replaced whole"
    );

    let deleted = github.delete(&created.id).await.unwrap();
    assert_eq!(deleted.id, created.id);
    assert!(github.get(&created.id).await.unwrap_err().is_not_found());
    assert!(github.list(None).await.unwrap().is_empty());
}

async fn github_app_and_oauth_codes_work_once() {
    let (emulator, client) = started().await;
    emulator.admin().add_code("code-app", ["1234"]);
    emulator
        .admin()
        .add_code("code-oauth", Vec::<String>::new());
    emulator.admin().add_code("code-blind", ["1"]);
    let app = |code: &str, installation: &str| GitHubCredentials::App {
        code: Secret::new(code),
        installation_id: installation.into(),
        github_app_id: None,
        instance_type: None,
        host: None,
    };
    let created = client
        .github()
        .create(&CreateAppConnection::new("app", app("code-app", "1234")))
        .await
        .unwrap();
    assert_eq!(created.method, GitHubMethod::App);
    let oauth = GitHubCredentials::OAuth {
        code: Secret::new("code-oauth"),
        instance_type: None,
        host: None,
    };
    let created = client
        .github()
        .create(&CreateAppConnection::new("oauth", oauth))
        .await
        .unwrap();
    assert_eq!(created.method, GitHubMethod::OAuth);

    // Re-sending a used code (say, on an unrelated update) fails: GitHub accepts a code once.
    let reuse = UpdateAppConnection {
        credentials: Some(app("code-app", "1234")),
        ..UpdateAppConnection::default()
    };
    let first = client.github().get_by_name("app", None).await.unwrap();
    let error = client.github().update(&first.id, &reuse).await.unwrap_err();
    assert!(error.is_bad_verification_code(), "{error}");

    let error = client
        .github()
        .create(&CreateAppConnection::new("blind", app("code-blind", "999")))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Forbidden { kind: ForbiddenKind::Other, api }
            if api.message == "User does not have access to the provided installation"),
        "{error:?}"
    );
}

async fn project_connections_live_in_their_project() {
    let (emulator, client) = started().await;
    emulator.admin().add_project("proj-1");
    emulator.admin().add_pat("ghp_p");
    let github = client.github();
    let created = github
        .create(&CreateAppConnection {
            project_id: Some("proj-1".into()),
            ..pat_connection("scoped", "ghp_p")
        })
        .await
        .unwrap();
    assert_eq!(created.project_id.as_deref(), Some("proj-1"));
    assert!(
        github
            .get_by_name("scoped", None)
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert_eq!(
        github
            .get_by_name("scoped", Some("proj-1"))
            .await
            .unwrap()
            .id,
        created.id
    );
    assert_eq!(github.list(Some("proj-1")).await.unwrap().len(), 1);
    // Without a project, the server lists every connection of the organization, project-scoped
    // ones included (this test pinned the old emulator's org-only list).
    let all = github.list(None).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, created.id);
    assert_eq!(all[0].project_id.as_deref(), Some("proj-1"));

    let error = github
        .create(&CreateAppConnection {
            project_id: Some("proj-404".into()),
            ..pat_connection("elsewhere", "ghp_p")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::BadRequest(api) if api.message == "Could not find project with ID proj-404")
    );
}

async fn validation_failures_decode_the_issue_array() {
    let (_emulator, client) = started().await;
    let request = CreateAppConnection {
        description: Some("x".repeat(300)),
        ..CreateAppConnection::new(
            "Not A Slug",
            GitHubCredentials::Pat {
                personal_access_token: Secret::new("ghp_x"),
                instance_type: Some(GitHubInstanceType::Server),
                host: Some(" ".into()),
            },
        )
    };
    let error = client.github().create(&request).await.unwrap_err();
    let Error::Validation(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.status.as_u16(), 422);
    assert_eq!(api.error.as_deref(), Some("ValidationFailure"));
    let found: Vec<(Vec<PathSegment>, &str)> = api
        .issues
        .iter()
        .map(|i| (i.path.clone(), i.message.as_str()))
        .collect();
    let key = |k: &str| PathSegment::Key(k.into());
    assert_eq!(
        found,
        [
            (
                vec![key("credentials"), key("host")],
                "Host is required for server instance type"
            ),
            (
                vec![key("name")],
                "name field can only contain lowercase letters, numbers, and hyphens"
            ),
            (
                vec![key("description")],
                "Description cannot exceed 256 characters"
            ),
        ]
    );
    let shown = error.to_string();
    assert!(shown.starts_with("infisical answered 422 Unprocessable Entity to POST /api/v1/app-connections/github (request id req-"), "{shown}");
    assert!(
        shown.contains("credentials.host: Host is required for server instance type; name: "),
        "{shown}"
    );
}

async fn a_duplicate_name_is_a_bad_request_naming_the_request() {
    let (emulator, client) = started().await;
    emulator.admin().add_pat("ghp_d");
    client
        .github()
        .create(&pat_connection("dup", "ghp_d"))
        .await
        .unwrap();
    let error = client
        .github()
        .create(&pat_connection("dup", "ghp_d"))
        .await
        .unwrap_err();
    let Error::BadRequest(api) = &error else {
        panic!("{error:?}")
    };
    let id = api.request_id.as_deref().unwrap();
    assert!(id.starts_with("req-"));
    assert_eq!(
        error.to_string(),
        format!(
            "infisical answered 400 Bad Request to POST /api/v1/app-connections/github (request id {id}): \
             An App Connection with the name \"dup\" already exists"
        )
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.request_id(), Some(id));
}

async fn missing_foreign_and_malformed_ids_are_told_apart() {
    let (emulator, client) = started().await;
    let lab = emulator
        .admin()
        .seed_connection(SeedConnection {
            app: "gitlab".into(),
            name: "lab".into(),
            method: "access-token".into(),
            project_id: None,
            credentials: Default::default(),
        })
        .unwrap();
    let github = client.github();
    let missing = "0e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a1b";
    assert!(github.get(missing).await.unwrap_err().is_not_found());
    assert!(github.delete(missing).await.unwrap_err().is_not_found());
    let error = github.get(&lab.id).await.unwrap_err();
    assert!(
        matches!(&error, Error::BadRequest(api) if api.message.ends_with("is not for App \"github\"")),
        "{error:?}"
    );
    assert!(matches!(
        github.get("not-a-uuid").await,
        Err(Error::Validation(_))
    ));
}

async fn an_unknown_gateway_is_a_not_found_about_the_gateway() {
    let (emulator, client) = started().await;
    emulator.admin().add_pat("ghp_g");
    let error = client
        .github()
        .create(&CreateAppConnection {
            gateway_id: Some(GATEWAY.into()),
            ..pat_connection("gated", "ghp_g")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::NotFound(api) if api.message == format!("Gateway with ID {GATEWAY} not found for org"))
    );
}

async fn wrong_login_credentials_are_unauthorized() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let client = Client::new(config(
        emulator.url(),
        Auth::universal("demo-client-id", "wrong"),
    ))
    .unwrap();
    let error = client.authenticate().await.unwrap_err();
    assert!(
        matches!(&error, Error::Login { method: "universal", source, .. }
            if matches!(&**source, Error::Unauthorized(api) if api.message == "Invalid credentials"
                && api.path == "/api/v1/auth/universal-auth/login")),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let error = client.github().list(None).await.unwrap_err();
    assert!(matches!(error, Error::Login { .. }), "{error:?}");
    assert_eq!(emulator.admin().counters().logins, 0);
    assert_eq!(
        count(&emulator, "GET", CONNECTIONS),
        0,
        "no API call without a token"
    );
}

async fn an_expired_token_is_replaced_once_and_the_request_succeeds() {
    let (emulator, client) = started().await;
    client.github().list(None).await.unwrap();
    assert_eq!(emulator.admin().counters().logins, 1);

    emulator.admin().expire_tokens();
    client.github().list(None).await.unwrap();
    assert_eq!(emulator.admin().counters().logins, 2);
    let statuses: Vec<(String, Option<u16>)> = emulator
        .admin()
        .requests()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect();
    let login = "/api/v1/auth/universal-auth/login".to_owned();
    assert_eq!(
        statuses,
        [
            (login.clone(), Some(200)),
            (CONNECTIONS.to_owned(), Some(200)),
            (CONNECTIONS.to_owned(), Some(403)),
            (login, Some(200)),
            (CONNECTIONS.to_owned(), Some(200)),
        ]
    );
}

async fn a_revoked_token_401_is_replaced_too() {
    let (emulator, client) = started().await;
    client.github().list(None).await.unwrap();
    emulator.admin().revoke_tokens();
    client.github().list(None).await.unwrap();
    assert_eq!(emulator.admin().counters().logins, 2);
}

async fn a_plain_token_is_used_as_is_and_its_rejection_is_final() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/auth/universal-auth/login",
            emulator.url()
        ))
        .json(&json!({ "clientId": "demo-client-id", "clientSecret": "demo-client-secret" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["accessToken"].as_str().unwrap();
    let client = Client::new(config(emulator.url(), Auth::token(token))).unwrap();
    client.github().list(None).await.unwrap();

    emulator.admin().expire_tokens();
    let error = client.github().list(None).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Forbidden {
                kind: ForbiddenKind::Token,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        emulator.admin().counters().logins,
        1,
        "only the test's own login"
    );
}

async fn a_permission_denied_is_reported_without_logging_in_again() {
    let (emulator, client) = started().await;
    client.authenticate().await.unwrap();
    emulator.admin().inject_fault(
        Fault::next(
            1,
            FaultAction::Status {
                status: 403,
                retry_after: None,
                error: Some("PermissionDenied".into()),
                message: Some("You are not allowed to create on app-connections".into()),
            },
        )
        .on("POST", CONNECTIONS),
    );
    let error = client
        .github()
        .create(&pat_connection("denied", "ghp_x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Forbidden { kind: ForbiddenKind::PermissionDenied, api }
            if api.message == "You are not allowed to create on app-connections"),
        "{error:?}"
    );
    assert_eq!(emulator.admin().counters().logins, 1);
}

async fn an_answer_that_is_not_the_expected_json_is_a_decode_error() {
    let (emulator, client) = started().await;
    client.authenticate().await.unwrap();
    // A 200 carrying an error-shaped body.
    emulator
        .admin()
        .inject_fault(Fault::next(1, FaultAction::status(200)).on("GET", CONNECTIONS));
    let error = client.github().list(None).await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { status, .. } if status.as_u16() == 200),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("missing field `appConnections`"),
        "{error}"
    );
}

async fn an_answer_that_is_not_json_names_its_content_type_and_shows_a_snippet() {
    let (emulator, client) = started().await;
    client.authenticate().await.unwrap();
    // A captive portal's login page, answered with 200.
    let page = format!(
        "<html><head><title>Hotel  Wi-Fi\n login</title></head><body>{}</body></html>",
        "x".repeat(5000)
    );
    emulator.admin().inject_fault(
        Fault::next(
            1,
            FaultAction::Raw {
                status: 200,
                content_type: "text/html; charset=utf-8".into(),
                body: page,
            },
        )
        .on("GET", CONNECTIONS),
    );
    let error = client.github().list(None).await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { json: false, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "infisical's answer to GET /api/v1/app-connections/github could not be read: the \
         answer is text/html; charset=utf-8, not JSON: a page titled \"Hotel Wi-Fi login\""
    );
}

async fn an_answer_over_the_limit_is_refused_whether_announced_or_streamed() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let client = Client::new(ClientConfig {
        answer_limit: 4096,
        ..config(emulator.url(), demo_auth())
    })
    .unwrap();
    client.authenticate().await.unwrap();
    let admin = emulator.admin();
    // With a Content-Length: refused before reading.
    admin.inject_fault(
        Fault::next(
            1,
            FaultAction::Raw {
                status: 200,
                content_type: "application/json".into(),
                body: format!("[{}]", " ".repeat(5000)),
            },
        )
        .on("GET", CONNECTIONS),
    );
    // Streamed without one: refused once the limit is passed.
    admin.inject_fault(
        Fault::next(1, FaultAction::HugeBody { bytes: 1 << 20 }).on("GET", CONNECTIONS),
    );
    for _ in 0..2 {
        let error = client.github().list(None).await.unwrap_err();
        assert!(
            matches!(&error, Error::TooLarge { limit: 4096, .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "answer too large: the answer to GET /api/v1/app-connections/github is larger than \
             the limit of 4096 bytes"
        );
    }
    assert_eq!(count(&emulator, "GET", CONNECTIONS), 2, "not retried");
    // The limit is the limit: an answer within it is read.
    assert!(client.github().list(None).await.unwrap().is_empty());
    // A create whose answer is too large may have happened: it is ambiguous, not repeated.
    admin.inject_fault(
        Fault::next(1, FaultAction::HugeBody { bytes: 1 << 20 }).on("POST", CONNECTIONS),
    );
    let error = client
        .github()
        .create(&pat_connection("big", "ghp_big"))
        .await
        .unwrap_err();
    assert!(error.is_ambiguous(), "{error:?}");
    assert!(error.to_string().contains("answer too large"), "{error}");
    assert_eq!(count(&emulator, "POST", CONNECTIONS), 1);
}

async fn the_organization_slug_is_sent_only_when_set() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let auth = Auth::UniversalAuth {
        client_id: "demo-client-id".into(),
        client_secret: "demo-client-secret".into(),
        organization_slug: Some("sub-org".into()),
    };
    Client::new(config(emulator.url(), auth))
        .unwrap()
        .authenticate()
        .await
        .unwrap();
    Client::new(config(emulator.url(), demo_auth()))
        .unwrap()
        .authenticate()
        .await
        .unwrap();
    let bodies: Vec<_> = emulator
        .admin()
        .requests()
        .into_iter()
        .map(|r| r.body.unwrap())
        .collect();
    assert_eq!(bodies[0]["organizationSlug"], "sub-org");
    assert!(bodies[1].get("organizationSlug").is_none());
}

async fn fifty_concurrent_first_calls_share_one_login() {
    let (emulator, client) = started().await;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        calls.spawn(async move { client.github().list(None).await.map(|l| l.len()) });
    }
    while let Some(done) = calls.join_next().await {
        assert_eq!(done.unwrap().unwrap(), 0);
    }
    assert_eq!(emulator.admin().counters().logins, 1);
    assert_eq!(count(&emulator, "GET", CONNECTIONS), 50);

    // And fifty requests refused together lead to a single re-login.
    emulator.admin().expire_tokens();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        calls.spawn(async move { client.github().list(None).await.map(|l| l.len()) });
    }
    while let Some(done) = calls.join_next().await {
        assert_eq!(done.unwrap().unwrap(), 0);
    }
    assert_eq!(emulator.admin().counters().logins, 2);
}

async fn a_token_close_to_expiry_is_renewed_rather_than_replaced() {
    let (emulator, client) = start(Config {
        token_ttl: Duration::from_secs(3),
        ..Config::default()
    })
    .await;
    client.github().list(None).await.unwrap();
    // Past half of the 3 s lifetime, the cap of the refresh margin.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    client.github().list(None).await.unwrap();
    let counters = emulator.admin().counters();
    assert_eq!((counters.logins, counters.renewals), (1, 1));
}

async fn a_429_waits_for_retry_after() {
    let (emulator, client) = started().await;
    client.authenticate().await.unwrap();
    emulator
        .admin()
        .inject_fault(Fault::next(1, FaultAction::rate_limited("1")).on("GET", CONNECTIONS));
    let started = Instant::now();
    client.github().list(None).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_millis(2500), "{waited:?}");
    assert_eq!(count(&emulator, "GET", CONNECTIONS), 2);
}

async fn a_retry_after_beyond_the_time_limit_is_reported_at_once() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let mut config = config(emulator.url(), demo_auth());
    config.retry.max_elapsed = Duration::from_secs(2);
    let client = Client::new(config).unwrap();
    client.authenticate().await.unwrap();
    emulator
        .admin()
        .inject_fault(Fault::next(1, FaultAction::rate_limited("30")));
    let started = Instant::now();
    let error = client.github().list(None).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait), .. } if wait == Duration::from_secs(30)),
        "{error:?}"
    );
}

async fn gateway_errors_and_dropped_connections_on_reads_are_retried() {
    let (emulator, client) = started().await;
    client.authenticate().await.unwrap();
    let admin = emulator.admin();
    admin.inject_fault(Fault::next(1, FaultAction::status(503)).on("GET", CONNECTIONS));
    admin.inject_fault(Fault::next(1, FaultAction::status(502)).on("GET", CONNECTIONS));
    admin.inject_fault(Fault::next(1, FaultAction::Drop).on("GET", CONNECTIONS));
    client.github().list(None).await.unwrap();
    assert_eq!(count(&emulator, "GET", CONNECTIONS), 4);

    admin.inject_fault(Fault::next(10, FaultAction::status(503)).on("GET", CONNECTIONS));
    let error = client.github().list(None).await.unwrap_err();
    assert!(
        matches!(&error, Error::Server(api) if api.status.as_u16() == 503),
        "{error:?}"
    );
    assert_eq!(
        count(&emulator, "GET", CONNECTIONS),
        8,
        "four attempts, no more"
    );

    admin.clear_faults();
    admin.inject_fault(Fault::next(1, FaultAction::status(500)).on("GET", CONNECTIONS));
    client.github().list(None).await.unwrap();
    assert_eq!(
        count(&emulator, "GET", CONNECTIONS),
        10,
        "a read retries a passing 500 once"
    );

    // A create is not repeated on a 500: it may have done something.
    admin.add_pat("ghp_internal");
    admin.inject_fault(Fault::next(1, FaultAction::status(500)).on("POST", CONNECTIONS));
    let error = client
        .github()
        .create(&pat_connection("internal", "ghp_internal"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert_eq!(count(&emulator, "POST", CONNECTIONS), 1);
}

async fn a_create_whose_answer_was_lost_is_ambiguous_and_not_repeated() {
    let (emulator, client) = started().await;
    let admin = emulator.admin();
    admin.add_pat("ghp_a");
    client.authenticate().await.unwrap();
    admin.inject_fault(Fault::next(1, FaultAction::DropAfterProcessing).on("POST", CONNECTIONS));
    let error = client
        .github()
        .create(&pat_connection("lost", "ghp_a"))
        .await
        .unwrap_err();
    assert!(error.is_ambiguous(), "{error:?}");
    assert!(error.to_string().contains("look the object up"), "{error}");
    assert_eq!(admin.connection_count(), 1);
    assert_eq!(count(&emulator, "POST", CONNECTIONS), 1);
    // What the resource will do: find it by name.
    let found = client.github().get_by_name("lost", None).await.unwrap();
    assert_eq!(found.name, "lost");

    admin.inject_fault(Fault::next(1, FaultAction::Drop).on("POST", CONNECTIONS));
    assert!(
        client
            .github()
            .create(&pat_connection("never", "ghp_a"))
            .await
            .unwrap_err()
            .is_ambiguous()
    );
    admin.inject_fault(Fault::next(1, FaultAction::status(503)).on("POST", CONNECTIONS));
    assert!(
        client
            .github()
            .create(&pat_connection("never", "ghp_a"))
            .await
            .unwrap_err()
            .is_ambiguous()
    );
    assert_eq!(count(&emulator, "POST", CONNECTIONS), 3);
    assert_eq!(admin.connection_count(), 1);

    // A 429 means nothing happened: a create is retried after it.
    admin.inject_fault(Fault::next(1, FaultAction::rate_limited("0")).on("POST", CONNECTIONS));
    client
        .github()
        .create(&pat_connection("later", "ghp_a"))
        .await
        .unwrap();
    assert_eq!(admin.connection_count(), 2);
}

async fn a_refused_connection_is_retried_even_for_a_create() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::new(config(&url, Auth::token("t"))).unwrap();
    let logs = Captured::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(logs.clone()));
    let error = client
        .github()
        .create(&pat_connection("x", "ghp_x"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("could not reach infisical for POST /api/v1/app-connections/github: ")
    );
    let failures = logs
        .lines()
        .iter()
        .filter(|l| l.contains("infisical request failed"))
        .count();
    assert_eq!(
        failures, 4,
        "nothing was sent, so all four attempts were made"
    );
}

async fn a_slow_answer_times_out() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let mut config = config(emulator.url(), demo_auth());
    config.timeout = Duration::from_millis(150);
    config.retry.max_attempts = 2;
    let client = Client::new(config).unwrap();
    client.authenticate().await.unwrap();
    emulator.admin().set_latency(Duration::from_secs(2));
    let started = Instant::now();
    let error = client.github().list(None).await.unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    // Issue 17: the message named one attempt's limit after several attempts; it now states
    // the attempts and the real total, which is the time the caller waited.
    let message = error.to_string();
    let total = message
        .strip_prefix(
            "infisical did not answer GET /api/v1/app-connections/github: 2 attempts of 0.15s \
             each timed out, ",
        )
        .and_then(|rest| rest.strip_suffix("s in all"))
        .unwrap_or_else(|| panic!("{message}"));
    let total = Duration::from_secs_f64(total.parse().unwrap());
    assert!(
        total.abs_diff(waited) < Duration::from_millis(20),
        "stated {total:?}, waited {waited:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );

    emulator.admin().add_pat("ghp_slow");
    let error = client
        .github()
        .create(&pat_connection("slow", "ghp_slow"))
        .await
        .unwrap_err();
    assert!(
        error.is_ambiguous(),
        "a create that timed out may have happened: {error:?}"
    );
}

async fn requests_carry_the_user_agent_and_an_exact_bearer_header() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    // A trailing `/api/` on the host is tolerated.
    let client = Client::new(config(&format!("{}/api/", emulator.url()), demo_auth())).unwrap();
    client.github().list(None).await.unwrap();
    let requests = emulator.admin().requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.user_agent.as_deref() == Some(USER_AGENT))
    );
    assert!(USER_AGENT.starts_with("terraform-provider-infisical/"));
    assert_eq!(
        requests[0].authorization, None,
        "the login carries no token"
    );
    assert_eq!(requests[1].authorization.as_deref(), Some("Bearer ***"));
    assert_eq!(requests[0].body.as_ref().unwrap()["clientSecret"], "***");
}

/// Collects every tracing event and span field as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<String>>>);

impl Captured {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields(event.metadata().target().to_owned());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        let mut fields = Fields(format!("span {}", attrs.metadata().name()));
        attrs.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        let mut fields = Fields("record".to_owned());
        values.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

async fn no_secret_reaches_a_log_line_or_an_error() {
    const CLIENT_SECRET: &str = "cs-SeCrEt-1234";
    const WRONG_SECRET: &str = "cs-WrOnG-4321";
    const PAT: &str = "ghp_SeCrEt_pat_5678";
    const BAD_PAT: &str = "ghp_SeCrEt_bad_0000";
    const CODE: &str = "code-SeCrEt-9999";
    const TOKEN: &str = "tok-SeCrEt-7777";
    let secrets = [CLIENT_SECRET, WRONG_SECRET, PAT, BAD_PAT, CODE, TOKEN];

    let logs = Captured::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(logs.clone()));
    let emulator = Emulator::start(Config {
        client_secret: CLIENT_SECRET.into(),
        ..Config::default()
    })
    .await
    .unwrap();
    let admin = emulator.admin();
    admin.add_pat(PAT);
    admin.add_code(CODE, ["77"]);
    let auth = Auth::universal("demo-client-id", CLIENT_SECRET);
    let client = Client::new(config(emulator.url(), auth)).unwrap();
    let github = client.github();
    let mut shown = vec![format!("{client:?}")];

    let app = CreateAppConnection::new(
        "app",
        GitHubCredentials::App {
            code: Secret::new(CODE),
            installation_id: "77".into(),
            github_app_id: None,
            instance_type: None,
            host: None,
        },
    );
    shown.push(format!("{app:?}"));
    github.create(&app).await.unwrap();
    let reused = github
        .create(&CreateAppConnection::new("again", app.credentials.clone()))
        .await
        .unwrap_err();
    assert!(reused.is_bad_verification_code());
    let created = github.create(&pat_connection("pat", PAT)).await.unwrap();
    let update = UpdateAppConnection::<GitHub> {
        credentials: Some(pat(PAT)),
        ..UpdateAppConnection::default()
    };
    shown.push(format!("{update:?}"));
    github.update(&created.id, &update).await.unwrap();
    let bad = github
        .create(&pat_connection("bad", BAD_PAT))
        .await
        .unwrap_err();
    admin.expire_tokens();
    github.list(None).await.unwrap();
    admin.inject_fault(Fault::next(1, FaultAction::DropAfterProcessing).on("POST", CONNECTIONS));
    let lost = github
        .create(&pat_connection("lost", PAT))
        .await
        .unwrap_err();
    admin.inject_fault(Fault::next(1, FaultAction::status(503)).on("POST", CONNECTIONS));
    let gateway = github.create(&pat_connection("gw", PAT)).await.unwrap_err();

    let wrong = Client::new(config(
        emulator.url(),
        Auth::universal("demo-client-id", WRONG_SECRET),
    ))
    .unwrap()
    .authenticate()
    .await
    .unwrap_err();
    let plain = Client::new(config(emulator.url(), Auth::token(TOKEN)))
        .unwrap()
        .github()
        .list(None)
        .await
        .unwrap_err();
    for error in [&reused, &bad, &lost, &gateway, &wrong, &plain] {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
    }

    let lines = logs.lines();
    assert!(
        lines.iter().any(|l| l.contains("message=infisical request")
            && l.contains("method=POST")
            && l.contains("status=200")
            && l.contains("duration_ms=")
            && l.contains("attempt=1")),
        "the per-request debug line is missing: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("req_id=\"req-")),
        "error lines carry the request id"
    );
    for text in lines.iter().chain(&shown) {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} leaked into: {text}");
        }
        // Emulator access tokens look like `emu.<hex>.<hex>`.
        assert!(
            !text.contains("emu."),
            "an access token leaked into: {text}"
        );
    }
}

/// A stop that comes while a failed create is being looked up ends the create there: though the
/// lookup finds nothing, the create is not sent again after the stop (it used to be, once the
/// retry wait, which took the stop only when it began, ran out).
async fn a_stop_during_a_failed_creates_lookup_sends_no_second_create() {
    let (emulator, client) = started().await;
    emulator.admin().add_pat("ghp_first");
    emulator
        .admin()
        .inject_fault(Fault::next(1, FaultAction::status(500)).on("POST", CONNECTIONS));
    let (client, github) = (&client, client.github());
    let github = &github;
    let request = pat_connection("once", "ghp_first");
    let result = client
        .create_confirmed(
            || github.create(&request),
            || async move {
                client.stop_waiting();
                github.get_by_name("once", None).await
            },
        )
        .await;
    assert!(matches!(result, Err(Error::Server(_))), "{result:?}");
    assert_eq!(count(&emulator, "POST", CONNECTIONS), 1);
    assert_eq!(emulator.admin().connection_count(), 0);
}

/// A stop that comes while an operation's create is on the wire, before its wait for the sync
/// begins, still ends that wait: the operation takes its stop signal when it starts, and the
/// signal stays stopped. (Taken only when the wait began, it missed such a stop, and the
/// framework's stop grace then dropped the create with its state.) An operation that starts
/// after the stop waits as usual.
async fn a_stop_before_the_wait_for_a_sync_still_ends_it() {
    const PROJECT: &str = "0d6c2f4e-1b3a-4c5d-8e9f-a0b1c2d3e4f5";
    let (emulator, client) = started().await;
    let admin = emulator.admin();
    admin.add_pat("ghp_sync");
    admin.set_secret(PROJECT, "prod", "/app", "key", "value");
    admin.add_github_repo("acme", "api", ["production"]);
    admin.pause_syncs(true);
    let connection = client
        .github()
        .create(&pat_connection("gh", "ghp_sync"))
        .await
        .unwrap();
    let operation = client.stop_signal();
    let syncs = client.github_syncs();
    let sync = syncs
        .create(&CreateSecretSync {
            name: "app".into(),
            project_id: PROJECT.into(),
            description: None,
            connection_id: connection.id,
            environment: "prod".into(),
            secret_path: "/app".into(),
            is_auto_sync_enabled: true,
            sync_options: SyncOptions {
                initial_sync_behavior: "overwrite-destination".into(),
                disable_secret_deletion: None,
                key_schema: None,
            },
            destination_config: GitHubDestination::Repository {
                owner: "acme".into(),
                repo: "api".into(),
            },
        })
        .await
        .unwrap();
    client.stop_waiting();

    let started = Instant::now();
    let waited = syncs
        .wait_until_idle(&sync.id, Duration::from_secs(30), &operation)
        .await
        .unwrap();
    assert!(matches!(waited, Waited::Stopped(_)), "{waited:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let later = client.stop_signal();
    let waited = syncs
        .wait_until_idle(&sync.id, Duration::from_millis(300), &later)
        .await
        .unwrap();
    assert!(matches!(waited, Waited::TimedOut(_)), "{waited:?}");
}

crate::cases! {
    once_async: [
        every_github_route_round_trips,
        github_app_and_oauth_codes_work_once,
        project_connections_live_in_their_project,
        validation_failures_decode_the_issue_array,
        a_duplicate_name_is_a_bad_request_naming_the_request,
        missing_foreign_and_malformed_ids_are_told_apart,
        an_unknown_gateway_is_a_not_found_about_the_gateway,
        wrong_login_credentials_are_unauthorized,
        an_expired_token_is_replaced_once_and_the_request_succeeds,
        a_revoked_token_401_is_replaced_too,
        a_plain_token_is_used_as_is_and_its_rejection_is_final,
        a_permission_denied_is_reported_without_logging_in_again,
        an_answer_that_is_not_the_expected_json_is_a_decode_error,
        an_answer_that_is_not_json_names_its_content_type_and_shows_a_snippet,
        an_answer_over_the_limit_is_refused_whether_announced_or_streamed,
        the_organization_slug_is_sent_only_when_set,
        a_token_close_to_expiry_is_renewed_rather_than_replaced,
        a_429_waits_for_retry_after,
        a_retry_after_beyond_the_time_limit_is_reported_at_once,
        gateway_errors_and_dropped_connections_on_reads_are_retried,
        a_create_whose_answer_was_lost_is_ambiguous_and_not_repeated,
        a_refused_connection_is_retried_even_for_a_create,
        a_slow_answer_times_out,
        requests_carry_the_user_agent_and_an_exact_bearer_header,
        no_secret_reaches_a_log_line_or_an_error,
        a_stop_before_the_wait_for_a_sync_still_ends_it,
        a_stop_during_a_failed_creates_lookup_sends_no_second_create,
    ],
    once_async_mt: [
        fifty_concurrent_first_calls_share_one_login,
    ],
}
