//! The `timeouts` block: how long an operation may wait for remote work it started, as
//! terraform-plugin-framework-timeouts offers it — `timeouts { create = "15m" }`, one optional
//! Go duration string per operation, a default for each that is unset, checked at plan.

use std::time::Duration;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::schema::Attribute;
use super::value::Value;

/// The block's name.
pub const NAME: &str = "timeouts";

/// An operation a timeout bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
}

impl Op {
    /// The block's attribute for this operation.
    pub const fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// The `timeouts` block for `ops`, each described by what it bounds and its default, e.g.
/// `(Op::Create, "How long create waits for the first sync. Defaults to 10m.")`.
pub fn block(ops: &[(Op, &'static str)]) -> Attribute {
    Attribute::block(
        NAME,
        ops.iter()
            .map(|(op, description)| Attribute::string(op.name()).description(description))
            .collect(),
    )
    .description(
        "How long operations may wait, as Go durations (`\"30s\"`, `\"10m\"`, `\"1h30m\"`), the \
         convention of terraform-plugin-framework-timeouts.",
    )
}

/// Checks every duration the block of `config` sets, with its path; unknown values are checked
/// once known.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let block = config.get(NAME);
    for op in [Op::Create, Op::Update, Op::Delete] {
        if let Some(text) = block.get(op.name()).as_str()
            && let Err(problem) = parse(text)
        {
            diags.attr_error(
                AttrPath::new(NAME).attr(op.name()),
                "Invalid timeout",
                format!(
                    "{NAME}.{} is {text:?}, which {problem}. Write a Go duration: a number and a \
                     unit (h, m, s, ms), e.g. \"90s\", \"10m\" or \"1h30m\".",
                    op.name()
                ),
            );
        }
    }
}

/// The timeout for `op` in `block` (the value of the `timeouts` block, as a resource keeps it),
/// or `default` when unset (or, never after validation, unreadable).
pub fn get(block: &Value, op: Op, default: Duration) -> Duration {
    block
        .get(op.name())
        .as_str()
        .and_then(|text| parse(text).ok())
        .unwrap_or(default)
}

/// A Go duration (`time.ParseDuration`): a sequence of decimal numbers, each with a unit among
/// `ns`, `us` (`µs`), `ms`, `s`, `m`, `h`; `"0"` alone is zero. Negative durations are refused:
/// a wait cannot last less than nothing.
pub fn parse(text: &str) -> Result<Duration, String> {
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if text.starts_with('-') {
        return Err("is negative".to_owned());
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return Err("is empty".to_owned());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("has no number where one is expected ({rest:?})"))?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let seconds = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("has no unit after {number}")),
            other => return Err(format!("has the unknown unit {other:?}")),
        };
        total += value * seconds;
        rest = next;
    }
    Duration::try_from_secs_f64(total).map_err(|_| "is too long".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse_as_go_reads_them() {
        for (text, secs) in [
            ("0", 0.0),
            ("30s", 30.0),
            ("10m", 600.0),
            ("1h30m", 5400.0),
            ("1.5h", 5400.0),
            ("250ms", 0.25),
            ("2m30s", 150.0),
            ("+5s", 5.0),
        ] {
            assert_eq!(parse(text), Ok(Duration::from_secs_f64(secs)), "{text}");
        }
        for bad in ["", "10", "5 m", "-1m", "1d", "m", "1h-5m", "1..2s"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn an_unset_timeout_takes_the_default_and_a_bad_one_is_an_error_at_its_path() {
        let plan = Value::object([(NAME, Value::object([("create", Value::string("2m"))]))]);
        let default = Duration::from_secs(600);
        assert_eq!(
            get(plan.get(NAME), Op::Create, default),
            Duration::from_secs(120)
        );
        assert_eq!(get(plan.get(NAME), Op::Update, default), default);
        assert_eq!(get(&Value::Null, Op::Delete, default), default);
        let config = Value::object([(
            NAME,
            Value::object([
                ("create", Value::string("ten minutes")),
                ("delete", Value::Unknown),
            ]),
        )]);
        let mut diags = Diagnostics::new();
        validate(&config, &mut diags);
        let paths: Vec<_> = diags
            .iter()
            .map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, [Some("timeouts.create".to_owned())]);
    }
}
