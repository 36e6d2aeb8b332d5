//! The emulator's two optional rate limits, each a fixed window per key, answered past it with
//! 429, `Retry-After` and `X-RateLimit-Reset` (whole seconds until the window ends) as Fastify's
//! rate limiter does:
//! - [`RateLimit`]: at most `requests` API requests per machine identity, as Infisical Cloud
//!   has (requests without a token of ours, logins, share one key);
//! - [`Buckets`]: the self-hosted server's buckets (`server/config/rateLimiter.ts`, defaults of
//!   `rate-limit-service.ts`): per client IP and minute, each route counted on its own against its
//!   bucket's limit (`@fastify/rate-limit` gives every route with its own `config.rateLimit` a
//!   store of its own, keyed by method and URL), and the routes without one against the global
//!   limit together. [`route`] says which bucket each emulated route is in.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The limit and each identity's current window.
#[derive(Debug, Clone)]
pub(crate) struct RateLimit {
    requests: u32,
    window: Duration,
    /// Identity → when its window started and how many requests it admitted.
    windows: HashMap<String, (Instant, u32)>,
}

impl RateLimit {
    pub(crate) fn new(requests: u32, window: Duration) -> Self {
        Self {
            requests,
            window,
            windows: HashMap::new(),
        }
    }

    /// Counts a request of `identity` at `now`; past the limit, the wait until its window ends.
    pub(crate) fn admit(&mut self, identity: &str, now: Instant) -> Result<(), Duration> {
        let (started, admitted) = self.windows.entry(identity.to_owned()).or_insert((now, 0));
        if now.duration_since(*started) >= self.window {
            *started = now;
            *admitted = 0;
        }
        if *admitted >= self.requests {
            return Err((*started + self.window).saturating_duration_since(now));
        }
        *admitted += 1;
        Ok(())
    }
}

/// A wait as whole seconds, rounded up (a client waiting that long is past the window).
pub(crate) fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The limits of the server's buckets, per client IP and window. The defaults are a self-hosted
/// server's (`rateLimitMaxConfiguration` in `rate-limit-service.ts`, the global 600 of
/// `globalRateLimiterCfg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BucketLimits {
    /// Routes without a bucket of their own, together (`globalRateLimiterCfg.max`).
    pub global: u32,
    /// `readLimit`: the GET routes.
    pub read_limit: u32,
    /// `writeLimit`: the POST, PATCH, PUT and DELETE routes (logins included).
    pub write_limit: u32,
    /// `secretsLimit`: the secret routes (GETs included) and the folder writes.
    pub secrets_limit: u32,
    /// `authRateLimit`: the user login routes (no emulated route is in it: machine identities
    /// log in under `writeLimit`).
    pub auth_rate_limit: u32,
    /// `projectCreationLimit`: `POST /api/v1/projects`.
    pub project_creation_limit: u32,
    /// The window, in milliseconds (the server's is a minute).
    pub window_ms: u64,
}

impl Default for BucketLimits {
    fn default() -> Self {
        Self {
            global: 600,
            read_limit: 60,
            write_limit: 200,
            secrets_limit: 60,
            auth_rate_limit: 60,
            project_creation_limit: 30,
            window_ms: 60_000,
        }
    }
}

impl BucketLimits {
    /// Reads `default` (or `on`), or `name=N` pairs separated by commas that change the
    /// defaults: `global`, `read`, `write`, `secrets`, `auth`, `project-creation`, `window-ms`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut limits = Self::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "default" || part == "on" {
                continue;
            }
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("a rate limit is NAME=N or default, not {part:?}"))?;
            let number = |v: &str| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{name} wants a whole number, not {v:?}"))
            };
            let small = |v: &str| {
                number(v)
                    .and_then(|n| u32::try_from(n).map_err(|_| format!("{name} is too large: {n}")))
            };
            match name.trim() {
                "global" => limits.global = small(value)?,
                "read" => limits.read_limit = small(value)?,
                "write" => limits.write_limit = small(value)?,
                "secrets" => limits.secrets_limit = small(value)?,
                "auth" => limits.auth_rate_limit = small(value)?,
                "project-creation" => limits.project_creation_limit = small(value)?,
                "window-ms" => limits.window_ms = number(value)?.max(1),
                other => return Err(format!("no rate limit is called {other:?}")),
            }
        }
        Ok(limits)
    }

    fn limit(&self, bucket: Bucket) -> u32 {
        match bucket {
            Bucket::Global => self.global,
            Bucket::Read => self.read_limit,
            Bucket::Write => self.write_limit,
            Bucket::Secrets => self.secrets_limit,
            Bucket::Auth => self.auth_rate_limit,
            Bucket::ProjectCreation => self.project_creation_limit,
        }
    }
}

/// A bucket of `rateLimiter.ts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Bucket {
    /// The global limit, for routes without their own.
    Global,
    /// `readLimit`.
    Read,
    /// `writeLimit`.
    Write,
    /// `secretsLimit`.
    Secrets,
    /// `authRateLimit`.
    Auth,
    /// `projectCreationLimit`.
    ProjectCreation,
}

/// An emulated route: its method, its pattern, its bucket, and whether it authenticates before
/// the limit applies (`verifyAuth` is an `onRequest` hook; the route limits are `preValidation`
/// hooks, so a request refused by authentication is not counted).
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) pattern: &'static str,
    pub(crate) bucket: Bucket,
    pub(crate) authenticated: bool,
}

const fn r(method: &'static str, pattern: &'static str, bucket: Bucket) -> Route {
    Route {
        method,
        pattern,
        bucket,
        authenticated: true,
    }
}

const fn open(method: &'static str, pattern: &'static str, bucket: Bucket) -> Route {
    Route {
        method,
        pattern,
        bucket,
        authenticated: false,
    }
}

/// Every emulated Infisical route, the more specific patterns first, with the bucket its
/// router's `config.rateLimit` names.
const ROUTES: &[Route] = {
    use Bucket::{ProjectCreation, Read, Secrets, Write};
    &[
        open("POST", "/api/v1/auth/universal-auth/login", Write),
        open("POST", "/api/v1/auth/oidc-auth/login", Write),
        open("POST", "/api/v1/auth/kubernetes-auth/login", Write),
        open("POST", "/api/v1/auth/aws-auth/login", Write),
        open("POST", "/api/v1/auth/token/renew", Write),
        r("GET", "/api/v1/app-connections/github", Read),
        r("POST", "/api/v1/app-connections/github", Write),
        r(
            "GET",
            "/api/v1/app-connections/github/connection-name/{name}",
            Read,
        ),
        r("GET", "/api/v1/app-connections/github/{id}", Read),
        r("PATCH", "/api/v1/app-connections/github/{id}", Write),
        r("DELETE", "/api/v1/app-connections/github/{id}", Write),
        r("GET", "/api/v1/github-apps", Read),
        r("GET", "/api/v1/secret-syncs", Read),
        r("GET", "/api/v1/secret-syncs/options", Read),
        r("GET", "/api/v1/secret-syncs/github", Read),
        r("POST", "/api/v1/secret-syncs/github", Write),
        r(
            "POST",
            "/api/v1/secret-syncs/github/check-destination",
            Write,
        ),
        r("GET", "/api/v1/secret-syncs/github/sync-name/{name}", Read),
        r("GET", "/api/v1/secret-syncs/github/{id}", Read),
        r("PATCH", "/api/v1/secret-syncs/github/{id}", Write),
        r("DELETE", "/api/v1/secret-syncs/github/{id}", Write),
        r(
            "POST",
            "/api/v1/secret-syncs/github/{id}/sync-secrets",
            Write,
        ),
        r(
            "POST",
            "/api/v1/secret-syncs/github/{id}/remove-secrets",
            Write,
        ),
        r(
            "POST",
            "/api/v1/secret-syncs/github/{id}/import-secrets",
            Write,
        ),
        r("GET", "/api/v1/projects", Read),
        r("POST", "/api/v1/projects", ProjectCreation),
        r("GET", "/api/v1/projects/slug/{slug}", Read),
        r("GET", "/api/v1/projects/{projectId}", Read),
        r("PATCH", "/api/v1/projects/{projectId}", Write),
        r("DELETE", "/api/v1/projects/{projectId}", Write),
        r("POST", "/api/v1/projects/{projectId}/environments", Write),
        r(
            "GET",
            "/api/v1/projects/{projectId}/environments/{id}",
            Read,
        ),
        r(
            "PATCH",
            "/api/v1/projects/{projectId}/environments/{id}",
            Write,
        ),
        r(
            "DELETE",
            "/api/v1/projects/{projectId}/environments/{id}",
            Write,
        ),
        r("GET", "/api/v1/projects/{projectId}/tags", Read),
        r("POST", "/api/v1/projects/{projectId}/tags", Write),
        r(
            "GET",
            "/api/v1/projects/{projectId}/tags/slug/{tagSlug}",
            Read,
        ),
        r("GET", "/api/v1/projects/{projectId}/tags/{tagId}", Read),
        r("PATCH", "/api/v1/projects/{projectId}/tags/{tagId}", Write),
        r("DELETE", "/api/v1/projects/{projectId}/tags/{tagId}", Write),
        r("GET", "/api/v1/identities", Read),
        r("POST", "/api/v1/identities", Write),
        r("GET", "/api/v1/identities/details", Read),
        r("GET", "/api/v1/identities/{identityId}", Read),
        r("PATCH", "/api/v1/identities/{identityId}", Write),
        r("DELETE", "/api/v1/identities/{identityId}", Write),
        r(
            "GET",
            "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets/{id}",
            Read,
        ),
        r(
            "POST",
            "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets/{id}/revoke",
            Write,
        ),
        r(
            "GET",
            "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets",
            Read,
        ),
        r(
            "POST",
            "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets",
            Write,
        ),
        r(
            "GET",
            "/api/v1/auth/universal-auth/identities/{identityId}",
            Read,
        ),
        r(
            "POST",
            "/api/v1/auth/universal-auth/identities/{identityId}",
            Write,
        ),
        r(
            "PATCH",
            "/api/v1/auth/universal-auth/identities/{identityId}",
            Write,
        ),
        r(
            "DELETE",
            "/api/v1/auth/universal-auth/identities/{identityId}",
            Write,
        ),
        r("GET", "/api/v2/folders", Read),
        r("POST", "/api/v2/folders", Secrets),
        r("GET", "/api/v2/folders/{id}", Read),
        r("PATCH", "/api/v2/folders/{id}", Secrets),
        r("DELETE", "/api/v2/folders/{id}", Secrets),
        r("GET", "/api/v4/secrets", Secrets),
        r("POST", "/api/v4/secrets/batch", Secrets),
        r("PATCH", "/api/v4/secrets/batch", Secrets),
        r("DELETE", "/api/v4/secrets/batch", Secrets),
        r("GET", "/api/v4/secrets/id/{secretId}", Secrets),
        r("GET", "/api/v4/secrets/{secretName}", Secrets),
        r("POST", "/api/v4/secrets/{secretName}", Secrets),
        r("PATCH", "/api/v4/secrets/{secretName}", Secrets),
        r("DELETE", "/api/v4/secrets/{secretName}", Secrets),
        // The deprecated routes (`api/deprecated.rs`), with their routers' buckets.
        r("POST", "/api/v2/workspace", Write),
        r("GET", "/api/v2/workspace/{slug}", Read),
        r("DELETE", "/api/v2/workspace/{slug}", Write),
        r("GET", "/api/v1/workspace/environments/{envId}", Read),
        r("GET", "/api/v1/workspace/{workspaceId}", Read),
        r(
            "PUT",
            "/api/v1/workspace/{workspaceSlug}/audit-logs-retention",
            Write,
        ),
        r(
            "POST",
            "/api/v1/workspace/{workspaceId}/environments",
            Write,
        ),
        r(
            "GET",
            "/api/v1/workspace/{workspaceId}/environments/{envId}",
            Read,
        ),
        r(
            "PATCH",
            "/api/v1/workspace/{workspaceId}/environments/{id}",
            Write,
        ),
        r(
            "DELETE",
            "/api/v1/workspace/{workspaceId}/environments/{id}",
            Write,
        ),
        r("GET", "/api/v1/workspace/{projectId}/tags", Read),
        r("POST", "/api/v1/workspace/{projectId}/tags", Write),
        r(
            "GET",
            "/api/v1/workspace/{projectId}/tags/slug/{tagSlug}",
            Read,
        ),
        r("GET", "/api/v1/workspace/{projectId}/tags/{tagId}", Read),
        r("PATCH", "/api/v1/workspace/{projectId}/tags/{tagId}", Write),
        r(
            "DELETE",
            "/api/v1/workspace/{projectId}/tags/{tagId}",
            Write,
        ),
        r("POST", "/api/v1/folders", Secrets),
        r("GET", "/api/v1/folders/{id}", Read),
        r("PATCH", "/api/v1/folders/{folderId}", Secrets),
        r("GET", "/api/v3/secrets/raw", Secrets),
        r("GET", "/api/v3/secrets/raw/id/{secretId}", Secrets),
        r("GET", "/api/v3/secrets/raw/{secretName}", Secrets),
        r("POST", "/api/v3/secrets/raw/{secretName}", Secrets),
        r("PATCH", "/api/v3/secrets/raw/{secretName}", Secrets),
        r("DELETE", "/api/v3/secrets/raw/{secretName}", Secrets),
    ]
};

/// The emulated route `method` and `path` reach, if any.
pub(crate) fn route(method: &str, path: &str) -> Option<&'static Route> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ROUTES.iter().find(|route| {
        route.method == method && {
            let pattern: Vec<&str> = route.pattern.split('/').collect();
            pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s)
        }
    })
}

/// A 429's facts: how long until the window ends, and the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) wait: Duration,
    pub(crate) limit: u32,
}

/// An admitted request's facts, for the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Admitted {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) reset: Duration,
}

/// The server's buckets and each (route, client IP)'s current window.
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    pub(crate) limits: BucketLimits,
    /// `(route key, client IP)` → when its window started and how many requests it counted.
    windows: HashMap<(String, String), (Instant, u32)>,
}

impl Buckets {
    pub(crate) fn new(limits: BucketLimits) -> Self {
        Self {
            limits,
            windows: HashMap::new(),
        }
    }

    /// Counts a request to `route` (`None`: a path no emulated route serves, under the global
    /// limit) from `ip` at `now`: admitted, or refused past the limit.
    pub(crate) fn admit(
        &mut self,
        route: Option<&Route>,
        ip: &str,
        now: Instant,
    ) -> Result<Admitted, Refused> {
        let (key, bucket) = match route {
            Some(route) => (format!("{} {}", route.method, route.pattern), route.bucket),
            None => ("global".to_owned(), Bucket::Global),
        };
        let limit = self.limits.limit(bucket);
        let window = Duration::from_millis(self.limits.window_ms);
        let (started, counted) = self.windows.entry((key, ip.to_owned())).or_insert((now, 0));
        if now.duration_since(*started) >= window {
            *started = now;
            *counted = 0;
        }
        *counted += 1;
        let reset = (*started + window).saturating_duration_since(now);
        if *counted > limit {
            return Err(Refused { wait: reset, limit });
        }
        Ok(Admitted {
            limit,
            remaining: limit - *counted,
            reset,
        })
    }
}

/// How many requests a route received, and how many of them were refused with a 429.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteCount {
    /// The route's bucket.
    pub bucket: Option<Bucket>,
    /// Requests received.
    pub requests: u64,
    /// Of them, refused by a rate limit (either mode).
    pub rate_limited: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_identity_gets_its_budget_per_window() {
        let mut limit = RateLimit::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limit.admit("a", start).is_ok());
        assert!(limit.admit("a", start).is_ok());
        let wait = limit
            .admit("a", start + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(limit.admit("b", start).is_ok(), "another identity");
        assert!(
            limit.admit("a", start + Duration::from_secs(60)).is_ok(),
            "next window"
        );
        assert_eq!(whole_seconds(Duration::from_millis(40_001)), 41);
        assert_eq!(whole_seconds(Duration::from_secs(40)), 40);
    }

    #[test]
    fn each_route_counts_against_its_bucket_on_its_own() {
        let limits = BucketLimits {
            secrets_limit: 2,
            global: 1,
            ..BucketLimits::default()
        };
        let mut buckets = Buckets::new(limits);
        let start = Instant::now();
        let list = route("GET", "/api/v4/secrets");
        let one = route("GET", "/api/v4/secrets/DB_URL");
        assert_eq!(one.map(|r| r.pattern), Some("/api/v4/secrets/{secretName}"));
        assert_eq!(
            route("PATCH", "/api/v4/secrets/batch").map(|r| r.pattern),
            Some("/api/v4/secrets/batch")
        );
        assert!(buckets.admit(list, "ip", start).is_ok());
        assert_eq!(buckets.admit(list, "ip", start).map(|a| a.remaining), Ok(0));
        let refused = buckets
            .admit(list, "ip", start + Duration::from_secs(15))
            .unwrap_err();
        assert_eq!(
            refused,
            Refused {
                wait: Duration::from_secs(45),
                limit: 2
            }
        );
        assert!(buckets.admit(one, "ip", start).is_ok(), "another route");
        assert!(
            buckets.admit(list, "other-ip", start).is_ok(),
            "another client"
        );
        assert!(
            buckets
                .admit(list, "ip", start + Duration::from_secs(60))
                .is_ok(),
            "the next window"
        );
        assert!(buckets.admit(None, "ip", start).is_ok());
        assert!(
            buckets.admit(None, "ip", start).is_err(),
            "unknown routes share the global"
        );
        assert!(route("GET", "/api/v9/nothing").is_none());
        assert_eq!(
            route("POST", "/api/v1/projects").map(|r| r.bucket),
            Some(Bucket::ProjectCreation)
        );
        assert_eq!(
            route("GET", "/api/v2/folders").map(|r| r.bucket),
            Some(Bucket::Read)
        );
    }

    #[test]
    fn limits_parse_from_the_command_line() {
        assert_eq!(BucketLimits::parse("default"), Ok(BucketLimits::default()));
        let limits = BucketLimits::parse("secrets=120, window-ms=1000").unwrap();
        assert_eq!(limits.secrets_limit, 120);
        assert_eq!(limits.window_ms, 1000);
        assert_eq!(limits.read_limit, 60);
        assert!(BucketLimits::parse("reads=1").is_err());
        assert!(BucketLimits::parse("read=x").is_err());
    }
}
