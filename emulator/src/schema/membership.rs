//! Project identity memberships' request schemas (`routes/v1/identity-project-membership-router.ts`),
//! rule for rule and message for message, and the typed inputs they give
//! [`crate::service::memberships`].

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{Input, text, validated};
use crate::error::ApiError;
use crate::zod::{
    Schema, array, array_min, custom_issue, literal, optional, refine, string, with_default,
};

const RANGE_MESSAGE: &str = "Temporary range must be a positive number";

/// The `ms` package: a duration such as `1h`, `30m`, `2 days` or `1000` in milliseconds.
pub(crate) fn ms(text: &str) -> Option<f64> {
    if text.is_empty() || text.len() > 100 {
        return None;
    }
    let number_end = text
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(number_end);
    let value: f64 = number.parse().ok()?;
    let unit = unit.trim_start_matches(' ').to_ascii_lowercase();
    let factor = match unit.as_str() {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1e3,
        "m" | "min" | "mins" | "minute" | "minutes" => 6e4,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3.6e6,
        "d" | "day" | "days" => 8.64e7,
        "w" | "week" | "weeks" => 6.048e8,
        "y" | "yr" | "yrs" | "year" | "years" => 3.15576e10,
        _ => return None,
    };
    Some(value * factor)
}

fn check_range(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let bad = !value.as_str().and_then(ms).is_some_and(|ms| ms > 0.0);
    if bad {
        issues.push(custom_issue(path, RANGE_MESSAGE));
    }
    bad
}

fn check_datetime(value: &Value, path: &[Value], issues: &mut Vec<Value>) -> bool {
    let bad = value
        .as_str()
        .and_then(crate::clock::parse_zod_datetime)
        .is_none();
    if bad {
        issues.push(json!({
            "code": "invalid_string", "validation": "datetime", "message": "Invalid datetime",
            "path": path,
        }));
    }
    bad
}

/// A permanent role, or a temporary one with its mode, range and start.
fn role_schema() -> Schema {
    Schema::Union(vec![
        Schema::Object(vec![
            ("role", string().into()),
            ("isTemporary", with_default(literal(false), false)),
        ]),
        Schema::Object(vec![
            ("role", string().into()),
            ("isTemporary", literal(true)),
            ("temporaryMode", Schema::Enum(&["relative"])),
            ("temporaryRange", refine(string(), check_range)),
            ("temporaryAccessStartTime", refine(string(), check_datetime)),
        ]),
    ])
}

static CREATE: LazyLock<Schema> = LazyLock::new(|| {
    Schema::Object(vec![
        ("role", with_default(string().trim(), "no-access")),
        ("roles", optional(array(role_schema()))),
    ])
});

static UPDATE: LazyLock<Schema> =
    LazyLock::new(|| Schema::Object(vec![("roles", array_min(role_schema(), 1))]));

/// A role as a body gives it.
#[derive(Debug, Clone)]
pub(crate) struct RoleInput {
    pub(crate) role: String,
    /// `(mode, range, start)` of a temporary role.
    pub(crate) temporary: Option<(String, String, String)>,
}

fn roles(value: &Value) -> Option<Vec<RoleInput>> {
    value.get("roles").and_then(Value::as_array).map(|roles| {
        roles
            .iter()
            .map(|r| RoleInput {
                role: text(r, "role").unwrap_or_default(),
                temporary: (r["isTemporary"] == true).then(|| {
                    (
                        text(r, "temporaryMode").unwrap_or_default(),
                        text(r, "temporaryRange").unwrap_or_default(),
                        text(r, "temporaryAccessStartTime").unwrap_or_default(),
                    )
                }),
            })
            .collect()
    })
}

/// A validated `POST …/memberships/identities/:identityId`: `roles`, or the deprecated `role`
/// (default `no-access`) as one permanent role.
pub(crate) struct CreateMembershipInput(pub(crate) Vec<RoleInput>);

impl Input for CreateMembershipInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&CREATE, body)?;
        let roles = roles(&value).unwrap_or_else(|| {
            vec![RoleInput {
                role: text(&value, "role").unwrap_or_default(),
                temporary: None,
            }]
        });
        Ok(Self(roles))
    }
}

/// A validated `PATCH …/memberships/identities/:identityId`: the roles that replace the
/// membership's.
pub(crate) struct UpdateMembershipInput(pub(crate) Vec<RoleInput>);

impl Input for UpdateMembershipInput {
    fn parse(body: Option<&Value>) -> Result<Self, ApiError> {
        let value = validated(&UPDATE, body)?;
        Ok(Self(roles(&value).unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_reads_the_packages_units() {
        assert_eq!(ms("1h"), Some(3.6e6));
        assert_eq!(ms("30m"), Some(1.8e6));
        assert_eq!(ms("2 days"), Some(1.728e8));
        assert_eq!(ms("1000"), Some(1000.0));
        assert_eq!(ms("1.5h"), Some(5.4e6));
        assert_eq!(ms("soon"), None);
        assert_eq!(ms("-1h"), Some(-3.6e6));
    }
}
