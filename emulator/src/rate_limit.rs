//! An optional rate limit per machine identity, as Infisical Cloud has: at most `requests` API
//! requests per identity in each fixed window; past it, 429 with `Retry-After` and
//! `X-RateLimit-Reset` (whole seconds until the window ends), as Fastify's rate limiter answers.
//! Requests without a token of ours (logins) share one key.

use std::collections::HashMap;
use std::time::{Duration, Instant};

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
}
