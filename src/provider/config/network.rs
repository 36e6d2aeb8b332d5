//! The host and the network settings: the Infisical URL (from `host` or `INFISICAL_HOST`) and
//! the time limits of requests, each reported where it came from.

use std::time::Duration;

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::super::{DEFAULT_HOST, attr};
use super::env;
use super::reader::Reader;

impl Reader<'_> {
    /// A time limit from the block's `name`, else the environment's `var`; a value that is not
    /// a duration is reported where it came from.
    pub(super) fn duration(&mut self, name: &str, var: &str) -> Option<Duration> {
        let path = AttrPath::new(name);
        let from_block = matches!(self.config.at(&path), Value::String(_));
        let text = self.pick(&path, Some(var))?;
        match parse_duration(&text) {
            Ok(duration) => Some(duration),
            Err(problem) if from_block => {
                self.diags.attr_error(path, INVALID_DURATION, problem);
                None
            }
            Err(problem) => {
                self.diags
                    .error(INVALID_DURATION, format!("{var}: {problem}"));
                None
            }
        }
    }
}

pub(super) const INVALID_DURATION: &str = "Invalid time limit";

/// A time limit as Go and Terraform write durations (`30s`, `2m`, `1m30s`, `500ms`, `1h`), or a
/// number of seconds (`45`). It must be more than zero.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || {
        format!(
            "{text:?} is not a duration: write it like 30s, 2m, 1m30s or 500ms (or a number of \
             seconds)"
        )
    };
    let duration = if let Ok(seconds) = text.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let mut total = Duration::ZERO;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit() && c != '.')
                .ok_or_else(invalid)?;
            let (number, after) = rest.split_at(digits);
            let unit_len = after
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(after.len());
            let (unit, next) = after.split_at(unit_len);
            let number: f64 = number.parse().map_err(|_| invalid())?;
            let scale = match unit {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => return Err(invalid()),
            };
            total += Duration::try_from_secs_f64(number * scale).map_err(|_| invalid())?;
            rest = next;
        }
        total
    };
    if duration.is_zero() {
        return Err(format!(
            "{text:?} is no time at all: a time limit must be more than zero"
        ));
    }
    Ok(duration)
}

/// Where the host came from, which is where an error about it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HostOrigin {
    /// The provider block's `host`: the error carries its path.
    Block,
    /// `INFISICAL_HOST`: the error names it.
    Environment,
}

/// Parses the host: an http(s) URL; a trailing slash, `/api` or `/api/v1` is tolerated and
/// dropped.
pub(super) fn parse_host(
    text: &str,
    origin: HostOrigin,
    diags: &mut Diagnostics,
) -> Option<url::Url> {
    let parsed = url::Url::parse(text.trim())
        .ok()
        .filter(|url| url.host_str().is_some());
    if let Some(Ok(url)) = parsed.map(crate::infisical::normalize_host) {
        return Some(url);
    }
    let (summary, problem) = match bracketed_ipv6(text.trim()) {
        Some(fixed) => (
            "Invalid Infisical host",
            format!(
                "an IPv6 address in a URL must be in brackets: write \"{fixed}\", not {text:?}."
            ),
        ),
        None => (
            "Invalid Infisical host",
            format!("must be an http:// or https:// URL such as {DEFAULT_HOST}, got {text:?}."),
        ),
    };
    match origin {
        HostOrigin::Block => diags.attr_error(
            AttrPath::new(attr::HOST),
            summary,
            format!("host {problem}"),
        ),
        HostOrigin::Environment => diags.error(
            summary,
            format!(
                "{} (from the environment; the provider block sets no `host`) {problem}",
                env::HOST
            ),
        ),
    }
    None
}

/// For a URL whose host is an IPv6 address without brackets (`http://::1:8080`), the URL with
/// them (`http://[::1]:8080`); `None` for anything else.
pub(super) fn bracketed_ipv6(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains(['[', '@']) || authority.matches(':').count() < 2 {
        return None;
    }
    let whole = authority.parse::<std::net::Ipv6Addr>().is_ok();
    // A last group of decimal digits reads as a port: `::1:8080` is `::1`, port 8080 — unless
    // the user meant it as part of the address, which is then offered too.
    let with_port = authority.rsplit_once(':').filter(|(address, port)| {
        port.chars().all(|c| c.is_ascii_digit())
            && port.parse::<u16>().is_ok()
            && address.parse::<std::net::Ipv6Addr>().is_ok()
    });
    match (with_port, whole) {
        (Some((address, port)), true) => Some(format!(
            "{scheme}://[{address}]:{port}{tail}\" (or \"{scheme}://[{authority}]{tail}\" if \
             {port} is part of the address)"
        )),
        (Some((address, port)), false) => Some(format!("{scheme}://[{address}]:{port}{tail}")),
        (None, true) => Some(format!("{scheme}://[{authority}]{tail}")),
        (None, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::config::testing::*;
    use crate::provider::config::validate;

    #[test]
    fn durations_are_written_as_go_writes_them_or_in_seconds() {
        for (text, millis) in [
            ("30s", 30_000),
            ("2m", 120_000),
            ("1m30s", 90_000),
            ("500ms", 500),
            ("1.5s", 1_500),
            ("1h", 3_600_000),
            ("45", 45_000),
            (" 10s ", 10_000),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(millis)),
                "{text}"
            );
        }
        for text in ["", "0", "0s", "s", "10 s", "10x", "ten", "-5s", "1m-5s"] {
            assert!(parse_duration(text).is_err(), "{text}");
        }
    }

    #[test]
    fn time_limits_come_from_the_block_then_the_environment_and_errors_say_where() {
        let with = |request: Value, retry: Value| {
            Value::object([
                ("host", Value::Null),
                ("auth", Value::Null),
                (attr::REQUEST_TIMEOUT, request),
                (attr::RETRY_TIMEOUT, retry),
            ])
        };
        let token = (env::TOKEN, "t");
        let settings = ready(&with(Value::Null, Value::Null), &[token]);
        assert_eq!(
            (settings.request_timeout, settings.retry_timeout),
            (None, None)
        );
        let settings = ready(
            &with(Value::Null, Value::Null),
            &[
                token,
                (env::REQUEST_TIMEOUT, "5s"),
                (env::RETRY_TIMEOUT, "1m"),
            ],
        );
        assert_eq!(settings.request_timeout, Some(Duration::from_secs(5)));
        assert_eq!(settings.retry_timeout, Some(Duration::from_secs(60)));
        let settings = ready(
            &with(s("90s"), Value::Null),
            &[token, (env::REQUEST_TIMEOUT, "5s")],
        );
        assert_eq!(settings.request_timeout, Some(Duration::from_secs(90)));

        let errors = invalid(&with(s("soon"), Value::Null), &[token]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "request_timeout");
        assert!(
            errors[0].1.contains("\"soon\" is not a duration"),
            "{errors:?}"
        );
        let errors = invalid(
            &with(Value::Null, Value::Null),
            &[token, (env::RETRY_TIMEOUT, "0")],
        );
        assert_eq!(errors[0].0, "");
        assert!(
            errors[0]
                .1
                .starts_with("Invalid time limit: INFISICAL_RETRY_TIMEOUT: \"0\" is no time"),
            "{errors:?}"
        );
        let mut diags = Diagnostics::default();
        validate(&with(Value::Null, s("2 minutes")), &mut diags);
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["retry_timeout"]);
    }

    #[test]
    fn host_errors_say_where_the_host_came_from_and_how_to_write_ipv6() {
        let token = (env::TOKEN, "t");
        // From the environment: named, no attribute path.
        let errors = invalid(&none(), &[token, (env::HOST, "htps//infisical.corp")]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "");
        assert!(
            errors[0].1.starts_with(
                "Invalid Infisical host: INFISICAL_HOST (from the environment; the provider \
                 block sets no `host`) must be an http:// or https:// URL"
            ),
            "{errors:?}"
        );
        // From the block: at its path, even with the variable set too.
        let block = Value::object([("host", s("http://::1:8080")), ("auth", Value::Null)]);
        let errors = invalid(&block, &[token, (env::HOST, "https://ok.example")]);
        assert_eq!(errors[0].0, "host");
        assert!(
            errors[0].1.contains(
                "host an IPv6 address in a URL must be in brackets: write \"http://[::1]:8080\""
            ),
            "{errors:?}"
        );
        for (text, fixed) in [
            (
                "http://::1:8080",
                Some(
                    "http://[::1]:8080\" (or \"http://[::1:8080]\" if 8080 is part of the \
                     address)",
                ),
            ),
            (
                "https://fd00::5/infisical",
                Some("https://[fd00::5]/infisical"),
            ),
            (
                "http://2001:db8:0:0:0:0:0:1:8443/api",
                Some("http://[2001:db8:0:0:0:0:0:1]:8443/api"),
            ),
            ("http://fe80::1:abcd", Some("http://[fe80::1:abcd]")),
            ("http://[::1]:8080", None),
            ("http://example.com:8080", None),
            ("not a url", None),
        ] {
            assert_eq!(bracketed_ipv6(text).as_deref(), fixed, "{text}");
        }
        // A bracketed address and `/api/v1` are fine.
        let settings = ready(&none(), &[token, (env::HOST, "http://[::1]:8080/api/v1")]);
        assert_eq!(settings.host.as_str(), "http://[::1]:8080/");
    }
}
