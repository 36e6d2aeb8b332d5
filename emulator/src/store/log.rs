//! The request log and the counters: what the emulator saw, for assertions, with every secret
//! replaced by `***`. A store: plain data, importing nothing of the crate.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many requests the log keeps; older ones are forgotten so a long demo does not grow forever.
const LOG_CAPACITY: usize = 10_000;

/// Keys whose values are secrets: replaced by `***` in the request log and the admin views.
/// `iamRequestHeaders` holds an AWS signature and any session token; `secretValue` a secret's value.
const SECRET_KEYS: [&str; 8] = [
    "secretValue",
    "clientSecret",
    "accessToken",
    "code",
    "personalAccessToken",
    "jwt",
    "token",
    "iamRequestHeaders",
];

/// Replaces every secret-looking value (by key, at any depth) with `"***"`.
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let value = if SECRET_KEYS.contains(&key.as_str()) {
                        Value::String("***".to_owned())
                    } else {
                        redact(value)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// A request the emulator received on an API route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The status the emulator answered (or, for a dropped connection, would have answered);
    /// `None` when the connection was dropped before any work.
    pub status: Option<u16>,
    /// The JSON body with secrets replaced by `***`; `None` without a JSON body.
    pub body: Option<Value>,
    /// The `Authorization` header with the token replaced: `Bearer ***`.
    pub authorization: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether an injected fault dropped the connection without an answer.
    pub dropped: bool,
}

/// Counters for assertions such as "exactly one login happened".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// API requests received (admin routes excluded).
    pub requests: u64,
    /// Successful logins, of every method.
    pub logins: u64,
    /// Logins refused after their body validated (bad credentials, unknown identity, a bad
    /// AWS signature), of every method.
    pub failed_logins: u64,
    /// Successful token renewals.
    pub renewals: u64,
}

/// The last [`LOG_CAPACITY`] requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RequestLog(VecDeque<LoggedRequest>);

impl RequestLog {
    pub(crate) fn record(&mut self, entry: LoggedRequest) {
        if self.0.len() == LOG_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(entry);
    }

    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        self.0.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
