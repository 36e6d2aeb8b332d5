//! Trusted IP ranges as Infisical's `lib/ip` handles them: `isValidIpOrCidr` decides what a
//! body may name, `extractIPDetails` what is stored (`{ipAddress, type, prefix?}`), and
//! `checkIPAgainstBlocklist` whether a client's address is in one of them. A leaf: it imports
//! nothing of the crate.

use std::net::IpAddr;

use serde_json::{Value, json};

/// A stored trusted address or subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrustedIp {
    /// The address, or a subnet's network address as written.
    pub(crate) address: IpAddr,
    /// As written (the answers repeat it).
    pub(crate) written: String,
    /// The prefix length of a subnet; `None` for a single address.
    pub(crate) prefix: Option<u8>,
}

impl TrustedIp {
    /// `extractIPDetails` of a value `isValidIpOrCidr` accepted: `None` when it did not.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        if let Ok(address) = text.parse::<IpAddr>() {
            return Some(Self {
                address,
                written: text.to_owned(),
                prefix: None,
            });
        }
        let (network, prefix) = text.split_once('/')?;
        let address = network.parse::<IpAddr>().ok()?;
        // `parseInt` reads leading digits; the range depends on the family.
        let digits: String = prefix.chars().take_while(char::is_ascii_digit).collect();
        let prefix: u8 = digits.parse().ok()?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        (prefix <= most).then(|| Self {
            address,
            written: network.to_owned(),
            prefix: Some(prefix),
        })
    }

    /// The stored JSON: `{type, prefix?, ipAddress}`, as the auth answers carry it.
    pub(crate) fn view(&self) -> Value {
        let kind = if self.address.is_ipv4() {
            "ipv4"
        } else {
            "ipv6"
        };
        match self.prefix {
            Some(prefix) => json!({ "type": kind, "prefix": prefix, "ipAddress": self.written }),
            None => json!({ "type": kind, "ipAddress": self.written }),
        }
    }

    /// Whether `client` is this address or in this subnet (`net.BlockList.check` with the
    /// client's own family).
    pub(crate) fn contains(&self, client: IpAddr) -> bool {
        match (self.address, client) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let bits = u32::from(self.prefix.unwrap_or(32));
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let bits = u32::from(self.prefix.unwrap_or(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The ranges the routes store when a body names none: everything, both families.
pub(crate) fn everywhere() -> Vec<TrustedIp> {
    ["0.0.0.0/0", "::/0"]
        .into_iter()
        .filter_map(TrustedIp::parse)
        .collect()
}

/// `checkIPAgainstBlocklist`: whether `client` is in one of `trusted`.
pub(crate) fn allowed(trusted: &[TrustedIp], client: IpAddr) -> bool {
    trusted.iter().any(|t| t.contains(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn addresses_and_subnets_parse_as_the_server_stores_them() {
        let subnet = TrustedIp::parse("10.1.0.0/16");
        assert_eq!(
            subnet.as_ref().map(TrustedIp::view),
            Some(json!({ "type": "ipv4", "prefix": 16, "ipAddress": "10.1.0.0" }))
        );
        assert_eq!(
            TrustedIp::parse("::1").map(|t| t.view()),
            Some(json!({ "type": "ipv6", "ipAddress": "::1" }))
        );
        for bad in ["10.0.0.0/33", "::/129", "10.0.0", "nope", "10.0.0.0/"] {
            assert_eq!(TrustedIp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_client_matches_its_family_only() {
        let trusted = everywhere();
        assert!(allowed(&trusted, ip("127.0.0.1")));
        assert!(allowed(&trusted, ip("::1")));
        let narrow: Vec<TrustedIp> = TrustedIp::parse("10.1.0.0/16").into_iter().collect();
        assert!(allowed(&narrow, ip("10.1.200.3")));
        assert!(!allowed(&narrow, ip("10.2.0.1")));
        assert!(!allowed(&narrow, ip("::1")));
        let single: Vec<TrustedIp> = TrustedIp::parse("127.0.0.1").into_iter().collect();
        assert!(allowed(&single, ip("127.0.0.1")));
        assert!(!allowed(&single, ip("127.0.0.2")));
    }
}
