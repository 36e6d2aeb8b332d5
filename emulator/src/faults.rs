//! Injected faults: which requests misbehave (method, path prefix, the next N or a seeded share)
//! and how (an error status, extra latency, a dropped connection before or after the work is done).

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// A rule that makes some API requests misbehave. Admin routes (`/__emulator/…`) are never
/// affected. Rules are checked in the order they were added; the first one that fires wins.
///
/// JSON form (admin API): `{"method":"POST","pathPrefix":"/api/v1/app-connections",
/// "times":1,"action":{"kind":"drop-after-processing"}}` or, instead of `times`,
/// `"probability":0.25,"seed":7`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Only requests with this HTTP method (any case); every method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path starts with this; every path when absent.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// With `path_prefix`: only the path itself, not the paths below it.
    #[serde(default)]
    pub exact: bool,
    /// When the rule fires.
    #[serde(flatten)]
    pub trigger: Trigger,
    /// What happens when it fires.
    pub action: FaultAction,
}

/// When a [`Fault`] fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Trigger {
    /// On the next `times` matching requests, then the rule is spent.
    Next {
        /// How many matching requests are affected.
        times: u32,
    },
    /// On each matching request with this probability, drawn from a generator seeded with
    /// `seed`, so a failing test replays the same sequence.
    Probability {
        /// Between 0 and 1.
        probability: f64,
        /// The seed of the rule's own random generator.
        seed: u64,
    },
}

/// What an injected fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum FaultAction {
    /// Answer with this status and an Infisical-shaped error body, without doing the work.
    Status {
        /// The HTTP status, e.g. 429 or 503.
        status: u16,
        /// A `Retry-After` header value: seconds (`"2"`) or an HTTP date.
        #[serde(default)]
        retry_after: Option<String>,
        /// The body's `error` name; a sensible one for the status when absent.
        #[serde(default)]
        error: Option<String>,
        /// The body's `message`; a sensible one for the status when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// Wait this long, then handle the request normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Close the connection without answering and without doing the work.
    Drop,
    /// Do the work (e.g. create the connection), then close the connection without answering:
    /// the client cannot tell whether its request took effect.
    DropAfterProcessing,
    /// Answer with this status, content type and body, without doing the work: what a server
    /// that is not Infisical sends (a web server's 404 page, a captive portal's login page).
    Raw {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header.
        content_type: String,
        /// The body.
        body: String,
    },
    /// Answer 200 with a JSON-looking body of this many bytes, streamed without a
    /// `Content-Length`, without doing the work: a client that reads it whole runs out of memory.
    HugeBody {
        /// The body's size.
        bytes: u64,
    },
}

impl Fault {
    /// A rule affecting the next `times` requests (narrow it with [`Fault::on`]).
    pub fn next(times: u32, action: FaultAction) -> Self {
        Self {
            method: None,
            path_prefix: None,
            exact: false,
            trigger: Trigger::Next { times },
            action,
        }
    }

    /// A rule affecting each request with `probability`, reproducibly from `seed`.
    pub fn sometimes(probability: f64, seed: u64, action: FaultAction) -> Self {
        Self {
            method: None,
            path_prefix: None,
            exact: false,
            trigger: Trigger::Probability { probability, seed },
            action,
        }
    }

    /// Restricts the rule to one method and a path prefix.
    pub fn on(mut self, method: &str, path_prefix: &str) -> Self {
        self.method = Some(method.to_owned());
        self.path_prefix = Some(path_prefix.to_owned());
        self
    }

    /// Restricts the rule to one method and exactly one path (not the paths below it).
    pub fn on_exact(self, method: &str, path: &str) -> Self {
        let mut fault = self.on(method, path);
        fault.exact = true;
        fault
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path_prefix.as_deref().is_none_or(|p| {
                if self.exact {
                    path == p
                } else {
                    path.starts_with(p)
                }
            })
    }
}

impl FaultAction {
    /// An error answer with the default body for `status`.
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after: None,
            error: None,
            message: None,
        }
    }

    /// A 429 with a `Retry-After` header.
    pub fn rate_limited(retry_after: impl Into<String>) -> Self {
        Self::Status {
            status: 429,
            retry_after: Some(retry_after.into()),
            error: None,
            message: None,
        }
    }

    /// A delay before normal handling.
    pub fn delay(duration: Duration) -> Self {
        Self::Delay {
            ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// A rule as held by the emulator: the spec plus its remaining count or random generator.
pub(crate) struct ActiveFault {
    spec: Fault,
    remaining: u32,
    rng: Option<StdRng>,
}

impl ActiveFault {
    pub(crate) fn new(spec: Fault) -> Self {
        let (remaining, rng) = match spec.trigger {
            Trigger::Next { times } => (times, None),
            Trigger::Probability { seed, .. } => (u32::MAX, Some(StdRng::seed_from_u64(seed))),
        };
        Self {
            spec,
            remaining,
            rng,
        }
    }
}

/// Finds the first rule that fires for this request, consuming one use of it; spent rules are
/// removed.
pub(crate) fn take(faults: &mut Vec<ActiveFault>, method: &str, path: &str) -> Option<FaultAction> {
    let mut fired = None;
    for (index, fault) in faults.iter_mut().enumerate() {
        if !fault.spec.matches(method, path) {
            continue;
        }
        let fires = match (&mut fault.rng, &fault.spec.trigger) {
            (Some(rng), Trigger::Probability { probability, .. }) => {
                rng.random_bool(probability.clamp(0.0, 1.0))
            }
            _ if fault.remaining == 0 => false,
            _ => {
                fault.remaining -= 1;
                true
            }
        };
        if fires {
            fired = Some((index, fault.spec.action.clone(), fault.remaining == 0));
            break;
        }
    }
    let (index, action, spent) = fired?;
    if spent {
        faults.remove(index);
    }
    Some(action)
}

/// The default `(error name, message)` of an injected status, as Infisical or a proxy would send.
pub(crate) fn default_body(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("BadRequest", "The request is invalid"),
        401 => (
            "UnauthorizedError",
            "You are not allowed to access this resource",
        ),
        403 => (
            "ForbiddenError",
            "You are not allowed to access this resource",
        ),
        404 => ("NotFound", "The requested entity is not found"),
        429 => ("RateLimitExceeded", "Rate limit exceeded"),
        502 => ("BadGateway", "Bad Gateway"),
        503 => ("ServiceUnavailable", "Service Unavailable"),
        504 => ("GatewayTimeoutError", "Timeout error"),
        _ => ("InternalServerError", "Something went wrong"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_rules_are_spent_and_filtered() {
        let mut faults = vec![ActiveFault::new(
            Fault::next(2, FaultAction::Drop).on("post", "/api/v1/app-connections"),
        )];
        assert_eq!(
            take(&mut faults, "GET", "/api/v1/app-connections/github"),
            None
        );
        assert_eq!(
            take(&mut faults, "POST", "/api/v1/app-connections/github"),
            Some(FaultAction::Drop)
        );
        assert!(take(&mut faults, "POST", "/api/v1/app-connections/github").is_some());
        assert!(faults.is_empty());
    }

    #[test]
    fn probability_rules_replay_from_their_seed() {
        let run = || {
            let mut faults = vec![ActiveFault::new(Fault::sometimes(
                0.5,
                42,
                FaultAction::Drop,
            ))];
            (0..64)
                .map(|_| take(&mut faults, "GET", "/").is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().any(|f| *f) && first.iter().any(|f| !*f));
    }

    #[test]
    fn json_form_round_trips() {
        let fault: Fault = serde_json::from_str(
            r#"{"method":"GET","times":3,"action":{"kind":"status","status":429,"retryAfter":"2"}}"#,
        )
        .unwrap();
        assert_eq!(fault.trigger, Trigger::Next { times: 3 });
        assert_eq!(fault.action, FaultAction::rate_limited("2"));
        let fault: Fault = serde_json::from_str(
            r#"{"probability":0.1,"seed":9,"action":{"kind":"drop-after-processing"}}"#,
        )
        .unwrap();
        assert_eq!(fault.action, FaultAction::DropAfterProcessing);
    }
}
