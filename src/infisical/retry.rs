//! The retry policy: how many attempts, how long to wait between them (exponential backoff with
//! jitter, or the server's `Retry-After`), and the bound on the total time spent.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how often a failed request is tried again.
///
/// Retried: 429 (any request: the rate limiter answers before anything happens), and for
/// requests that are safe to repeat (GET, PATCH, DELETE, logins) also 502/503/504, timeouts and
/// broken connections. A create is retried only when its connection could not even be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 means no retry).
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles on each further retry.
    pub base_delay: Duration,
    /// The longest wait between two attempts that the client chooses itself.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt, nor when the
    /// wait would end after it (a `Retry-After` beyond it is not waited for).
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1`: `base × 2^(attempt-1)`, capped, then scaled by a
    /// random factor in [0.5, 1] so that many clients failing together do not retry together.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self.base_delay.saturating_mul(doubling).min(self.max_delay);
        ceiling.mul_f64(rand::rng().random_range(0.5..=1.0))
    }
}

/// The server's requested wait: `Retry-After` (delta-seconds or an HTTP date), else the rate
/// limiter's `X-RateLimit-Reset` (seconds until its window ends, as Fastify's limiter sends it).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_header(headers).or_else(|| {
        let value = headers.get("x-ratelimit-reset")?.to_str().ok()?.trim();
        value.parse::<u64>().ok().map(Duration::from_secs)
    })
}

fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for (attempt, ceiling) in [(1, 100), (2, 200), (3, 350), (10, 350)] {
            let wait = policy.backoff(attempt);
            let ceiling = Duration::from_millis(ceiling);
            assert!(
                wait <= ceiling && wait >= ceiling / 2,
                "{attempt}: {wait:?}"
            );
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
        headers.remove(RETRY_AFTER);
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
    }
}
