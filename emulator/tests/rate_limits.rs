//! Pins the emulator's rate limits and request counts: the self-hosted server's buckets
//! (`backend/src/server/config/rateLimiter.ts`, defaults of
//! `backend/src/ee/services/rate-limit/rate-limit-service.ts`, counted per route as
//! `@fastify/rate-limit`'s stores do), off unless asked for; the per-identity limit beside them;
//! and the requests each route received.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use infisical_emulator::{Bucket, BucketLimits, Config};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

mod common;
use common::{Fixture, message};

const PROJECT: &str = "p-limits";

fn list() -> String {
    format!("/api/v4/secrets?projectId={PROJECT}&environment=dev")
}

impl Fixture {
    /// An emulator started with these buckets; its windows start again after the fixture's
    /// login.
    async fn limited(limits: Option<BucketLimits>) -> Self {
        let fixture = Self::with(Config {
            rate_limit_buckets: limits,
            ..Config::default()
        })
        .await;
        assert_eq!(fixture.admin().rate_limit_buckets(), limits);
        fixture.admin().set_rate_limit_buckets(limits);
        fixture.admin().add_project(PROJECT);
        fixture.admin().clear_route_counters();
        fixture
    }

    async fn get_with_headers(&self, path: &str) -> (StatusCode, Value, HeaderMap) {
        self.raw_with_headers(Method::GET, path, Some(&self.token), None)
            .await
    }
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// `rateLimiter.ts` `secretsLimit`, `readLimit` with the self-hosted defaults: 60 list requests a
/// minute, the 61st a 429 (`RateLimitError`: "Rate limit exceeded. Please try again in N
/// seconds", with `@fastify/rate-limit`'s headers); another secrets route and a read route keep
/// their own counts; the buckets are off unless asked for.
#[tokio::test]
async fn the_default_buckets_refuse_the_61st_request_to_a_secrets_route() {
    let off = Fixture::limited(None).await;
    for _ in 0..61 {
        let (status, body) = off.get(&list()).await;
        assert_eq!(status, StatusCode::OK, "no limit by default: {body}");
    }

    let f = Fixture::limited(Some(BucketLimits::default())).await;
    for n in 0..60 {
        let (status, body, headers) = f.get_with_headers(&list()).await;
        assert_eq!(status, StatusCode::OK, "request {n}: {body}");
        assert_eq!(header(&headers, "x-ratelimit-limit"), "60");
        assert_eq!(
            header(&headers, "x-ratelimit-remaining"),
            (59 - n).to_string()
        );
    }
    let (status, body, headers) = f.get_with_headers(&list()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["statusCode"], 429);
    assert_eq!(body["error"], "RateLimitExceeded");
    let wait: u64 = header(&headers, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        message(&body),
        format!("Rate limit exceeded. Please try again in {wait} seconds")
    );
    assert_eq!(header(&headers, "x-ratelimit-reset"), wait.to_string());
    assert_eq!(header(&headers, "x-ratelimit-limit"), "60");
    assert_eq!(header(&headers, "x-ratelimit-remaining"), "0");

    let (status, body) = f
        .get(&format!(
            "/api/v4/secrets/NOPE?projectId={PROJECT}&environment=dev"
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "its own count: {body}");
    let (status, body, headers) = f
        .get_with_headers(&format!("/api/v1/projects/{PROJECT}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(header(&headers, "x-ratelimit-limit"), "60", "readLimit");
}

/// The limiter is a `preValidation` hook, after `verifyAuth`: a refused token costs nothing;
/// the window restarts when it ends; `writeLimit` covers the logins (the identity routers name
/// it); the per-identity limit still answers as before.
#[tokio::test]
async fn buckets_count_authenticated_requests_per_window() {
    let f = Fixture::limited(Some(BucketLimits {
        secrets_limit: 2,
        write_limit: 1,
        window_ms: 1500,
        ..BucketLimits::default()
    }))
    .await;
    for _ in 0..3 {
        let (status, body) = f.raw(Method::GET, &list(), Some("not-a-token"), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"], "TokenError");
    }
    for _ in 0..2 {
        assert_eq!(f.get(&list()).await.0, StatusCode::OK);
    }
    assert_eq!(f.get(&list()).await.0, StatusCode::TOO_MANY_REQUESTS);
    let (status, body) = f.login("demo-client-id", "demo-client-secret").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = f.login("demo-client-id", "demo-client-secret").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(f.get(&list()).await.0, StatusCode::OK, "a new window");

    f.admin().set_rate_limit_buckets(None);
    f.admin().set_rate_limit(Some((1, Duration::from_secs(60))));
    assert_eq!(f.get(&list()).await.0, StatusCode::OK);
    let (status, _, headers) = f.get_with_headers(&list()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!header(&headers, "retry-after").is_empty());
    assert!(
        header(&headers, "x-ratelimit-limit").is_empty(),
        "the per-identity limit answers as it did"
    );
}

/// What the benchmark reads: requests per route (`METHOD /pattern`) with their bucket and the
/// 429s among them, through the admin handle and `GET /__emulator/route-counters`; `DELETE`
/// starts them again. The buckets can be turned on over HTTP.
#[tokio::test]
async fn the_emulator_counts_requests_per_route() {
    let f = Fixture::limited(None).await;
    let http = reqwest::Client::new();
    let admin = |path: &str| format!("{}/__emulator/{path}", f.emulator.url());
    let on = http
        .put(admin("rate-limit-buckets"))
        .json(&serde_json::json!({ "secretsLimit": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(on.status(), StatusCode::NO_CONTENT);
    let limits = f.admin().rate_limit_buckets().unwrap();
    assert_eq!(
        (limits.secrets_limit, limits.read_limit),
        (1, 60),
        "defaults fill in"
    );

    f.get(&list()).await;
    f.get(&list()).await;
    f.get(&format!(
        "/api/v4/secrets/A?projectId={PROJECT}&environment=dev"
    ))
    .await;
    f.get("/api/v9/nothing").await;
    let counters = f.admin().route_counters();
    let listed = &counters["GET /api/v4/secrets"];
    assert_eq!((listed.requests, listed.rate_limited), (2, 1));
    assert_eq!(listed.bucket, Some(Bucket::Secrets));
    assert_eq!(counters["GET /api/v4/secrets/{secretName}"].requests, 1);
    assert_eq!(counters["GET (unknown route)"].bucket, Some(Bucket::Global));

    let over_http: Value = http
        .get(admin("route-counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["GET /api/v4/secrets"]["requests"], 2);
    assert_eq!(over_http["GET /api/v4/secrets"]["rateLimited"], 1);
    assert_eq!(over_http["GET /api/v4/secrets"]["bucket"], "secrets");
    http.delete(admin("route-counters")).send().await.unwrap();
    assert!(f.admin().route_counters().is_empty());
    http.delete(admin("rate-limit-buckets"))
        .send()
        .await
        .unwrap();
    assert_eq!(f.admin().rate_limit_buckets(), None);
}
