//! What the auth methods of an identity share: the access-token settings (TTL, max TTL, use
//! limit, trusted IPs), their schema with Infisical's defaults (so that removing one from the
//! configuration sends the default, where the official provider sent nothing and kept the old
//! value), their checks, and trusted IP ranges compared as Infisical stores them.

use std::net::IpAddr;

use crate::infisical::{TrustedIp, TrustedIpRequest};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::Attribute;
use crate::tfplugin::value::Value;

use super::model::{Fields, missing};

/// Attribute names (the official provider's).
pub(super) const ACCESS_TOKEN_TTL: &str = "access_token_ttl";
pub(super) const ACCESS_TOKEN_MAX_TTL: &str = "access_token_max_ttl";
pub(super) const ACCESS_TOKEN_NUM_USES_LIMIT: &str = "access_token_num_uses_limit";
pub(super) const ACCESS_TOKEN_TRUSTED_IPS: &str = "access_token_trusted_ips";
pub(super) const IP_ADDRESS: &str = "ip_address";

/// Infisical's default TTL and max TTL: 30 days.
const DEFAULT_TTL: i64 = 2_592_000;
/// The longest TTL Infisical accepts: 10 years.
const MAX_TTL: i64 = 315_360_000;

/// The trusted IPs Infisical gives when none are set: everywhere.
pub(super) fn everywhere() -> Value {
    Value::List(
        ["0.0.0.0/0", "::/0"]
            .into_iter()
            .map(|ip| Value::object([(IP_ADDRESS, Value::string(ip))]))
            .collect(),
    )
}

/// A trusted-IPs attribute (a list of `{ ip_address }`), defaulting to everywhere.
pub(super) fn trusted_ips_attribute(name: &'static str, what: &'static str) -> Attribute {
    Attribute::nested_list(
        name,
        vec![
            Attribute::string(IP_ADDRESS)
                .required()
                .description("An IPv4 or IPv6 address, or a CIDR range such as `10.0.0.0/8`."),
        ],
    )
    .optional_computed()
    .default(everywhere())
    .description(what)
}

/// The access-token attributes, with Infisical's defaults.
pub(super) fn token_attributes() -> Vec<Attribute> {
    vec![
        Attribute::number(ACCESS_TOKEN_TTL)
            .optional_computed()
            .default(Value::int(DEFAULT_TTL))
            .description("How long an access token lives, in seconds (default 2592000: 30 days)."),
        Attribute::number(ACCESS_TOKEN_MAX_TTL)
            .optional_computed()
            .default(Value::int(DEFAULT_TTL))
            .description(
                "How long renewals may extend an access token, in seconds (default 2592000).",
            ),
        Attribute::number(ACCESS_TOKEN_NUM_USES_LIMIT)
            .optional_computed()
            .default(Value::int(0))
            .description("How many times an access token may be used; 0 (the default): no limit."),
        trusted_ips_attribute(
            ACCESS_TOKEN_TRUSTED_IPS,
            "Where access tokens may be used from (default: everywhere, `0.0.0.0/0` and `::/0`).",
        ),
    ]
}

/// The access-token settings of a plan or state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TokenSettings {
    pub(super) ttl: i64,
    pub(super) max_ttl: i64,
    pub(super) num_uses_limit: i64,
    pub(super) trusted_ips: Vec<String>,
}

/// A list of `{ ip_address }` as written.
pub(super) fn read_ips(fields: &Fields<'_>, name: &str) -> Result<Vec<String>, Diagnostic> {
    match fields.get(name) {
        Value::Null => Ok(Vec::new()),
        Value::List(items) => items
            .iter()
            .map(|item| {
                item.get(IP_ADDRESS)
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| missing(&fields.path(name), item))
            })
            .collect(),
        other => Err(missing(&fields.path(name), other)),
    }
}

pub(super) fn ips_value(ips: &[String]) -> Value {
    Value::List(
        ips.iter()
            .map(|ip| Value::object([(IP_ADDRESS, Value::string(ip))]))
            .collect(),
    )
}

impl TokenSettings {
    pub(super) fn read(fields: &Fields<'_>) -> Result<Self, Diagnostic> {
        let number = |name: &str| {
            fields
                .whole(name)?
                .ok_or_else(|| missing(&fields.path(name), &Value::Null))
        };
        Ok(Self {
            ttl: number(ACCESS_TOKEN_TTL)?,
            max_ttl: number(ACCESS_TOKEN_MAX_TTL)?,
            num_uses_limit: number(ACCESS_TOKEN_NUM_USES_LIMIT)?,
            trusted_ips: read_ips(fields, ACCESS_TOKEN_TRUSTED_IPS)?,
        })
    }

    pub(super) fn attributes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (ACCESS_TOKEN_TTL, Value::int(self.ttl)),
            (ACCESS_TOKEN_MAX_TTL, Value::int(self.max_ttl)),
            (ACCESS_TOKEN_NUM_USES_LIMIT, Value::int(self.num_uses_limit)),
            (ACCESS_TOKEN_TRUSTED_IPS, ips_value(&self.trusted_ips)),
        ]
    }

    /// The settings Infisical answered with, keeping this form of the trusted IPs when they
    /// mean the same.
    pub(super) fn answered(
        &self,
        ttl: i64,
        max_ttl: i64,
        num_uses_limit: i64,
        trusted_ips: &[TrustedIp],
    ) -> Self {
        Self {
            ttl,
            max_ttl,
            num_uses_limit,
            trusted_ips: kept_ips(&self.trusted_ips, trusted_ips),
        }
    }
}

/// The trusted IPs as a request takes them.
pub(super) fn ip_requests(ips: &[String]) -> Vec<TrustedIpRequest> {
    ips.iter()
        .map(|ip| TrustedIpRequest {
            ip_address: ip.trim().to_owned(),
        })
        .collect()
}

/// An IP range in one canonical form: the address parsed, a bare address as its full-length
/// prefix (`10.0.0.1` ≡ `10.0.0.1/32`). `None` when it does not parse.
fn canonical(ip: &str) -> Option<(IpAddr, u8)> {
    let ip = ip.trim();
    let (address, prefix) = match ip.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
        None => (ip, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let full = if address.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(full);
    (prefix <= full).then_some((address, prefix))
}

/// `mine` when it means the same ranges as what Infisical `stored`, else Infisical's.
pub(super) fn kept_ips(mine: &[String], stored: &[TrustedIp]) -> Vec<String> {
    let written: Vec<String> = stored.iter().map(TrustedIp::written).collect();
    let same = mine.len() == written.len()
        && mine
            .iter()
            .zip(&written)
            .all(|(a, b)| canonical(a).is_some() && canonical(a) == canonical(b));
    if same { mine.to_vec() } else { written }
}

/// Checks the access-token settings of a configuration (unknowns skipped).
pub(super) fn validate_tokens(config: &Value, diags: &mut Diagnostics) {
    let ttl = config.get(ACCESS_TOKEN_TTL).as_int();
    let max_ttl = config.get(ACCESS_TOKEN_MAX_TTL).as_int();
    for (name, value) in [(ACCESS_TOKEN_TTL, ttl), (ACCESS_TOKEN_MAX_TTL, max_ttl)] {
        if let Some(v) = value
            && !(0..=MAX_TTL).contains(&v)
        {
            diags.attr_error(
                AttrPath::new(name),
                "Invalid TTL",
                format!("{name} {v} must be between 0 and {MAX_TTL} seconds (10 years)."),
            );
        }
    }
    let effective_ttl = ttl.or(config
        .get(ACCESS_TOKEN_TTL)
        .is_null()
        .then_some(DEFAULT_TTL));
    let effective_max = max_ttl.or(config
        .get(ACCESS_TOKEN_MAX_TTL)
        .is_null()
        .then_some(DEFAULT_TTL));
    if let (Some(ttl), Some(max)) = (effective_ttl, effective_max)
        && ttl > max
    {
        diags.attr_error(
            AttrPath::new(ACCESS_TOKEN_TTL),
            "TTL above the max TTL",
            format!(
                "access_token_ttl {ttl} is more than access_token_max_ttl {max}: Infisical \
                 refuses it."
            ),
        );
    }
    if let Some(v) = config.get(ACCESS_TOKEN_NUM_USES_LIMIT).as_int()
        && v < 0
    {
        diags.attr_error(
            AttrPath::new(ACCESS_TOKEN_NUM_USES_LIMIT),
            "Invalid use limit",
            format!("access_token_num_uses_limit {v} must be 0 (no limit) or more."),
        );
    }
    validate_ips(config, ACCESS_TOKEN_TRUSTED_IPS, diags);
}

/// Checks a trusted-IPs list of a configuration.
pub(super) fn validate_ips(config: &Value, name: &'static str, diags: &mut Diagnostics) {
    if let Value::List(items) = config.get(name) {
        for (index, item) in items.iter().enumerate() {
            if let Some(ip) = item.get(IP_ADDRESS).as_str()
                && canonical(ip).is_none()
            {
                diags.attr_error(
                    AttrPath::new(name).index(index).attr(IP_ADDRESS),
                    "Invalid IP address",
                    format!("{ip:?} is not an IPv4 or IPv6 address or CIDR range."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(ip: &str, prefix: Option<u8>) -> TrustedIp {
        TrustedIp {
            ip_type: None,
            ip_address: ip.into(),
            prefix,
        }
    }

    #[test]
    fn ranges_compare_as_infisical_stores_them() {
        let mine = vec!["10.0.0.1".to_owned(), "0.0.0.0/0".to_owned()];
        let same = [stored("10.0.0.1", Some(32)), stored("0.0.0.0", Some(0))];
        assert_eq!(kept_ips(&mine, &same), mine);
        let other = [stored("10.0.0.2", None), stored("0.0.0.0", Some(0))];
        assert_eq!(kept_ips(&mine, &other), ["10.0.0.2", "0.0.0.0/0"]);
        assert!(canonical("::/0").is_some());
        assert!(canonical("10.0.0.0/33").is_none());
        assert!(canonical("not-an-ip").is_none());
    }

    #[test]
    fn a_ttl_above_the_max_is_refused_at_plan_even_against_the_default() {
        let check = |ttl: Value, max: Value| {
            let mut config = Value::object([
                (ACCESS_TOKEN_TTL, ttl),
                (ACCESS_TOKEN_MAX_TTL, max),
                (ACCESS_TOKEN_NUM_USES_LIMIT, Value::Null),
                (ACCESS_TOKEN_TRUSTED_IPS, Value::Null),
            ]);
            config.set(ACCESS_TOKEN_NUM_USES_LIMIT, Value::Null);
            let mut diags = Diagnostics::new();
            validate_tokens(&config, &mut diags);
            diags.has_errors()
        };
        assert!(!check(Value::int(3600), Value::int(7200)));
        assert!(check(Value::int(7200), Value::int(3600)));
        assert!(check(Value::int(DEFAULT_TTL + 1), Value::Null));
        assert!(!check(Value::Unknown, Value::int(1)));
    }
}
