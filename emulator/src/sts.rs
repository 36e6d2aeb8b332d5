//! The simulated AWS side of AWS IAM auth. Infisical's `aws-auth/login` decodes the client's
//! signed `sts:GetCallerIdentity` request (base64 body, base64 JSON headers), takes the region
//! from the `Authorization` header's credential scope, and replays the request to
//! `https://sts.<region>.amazonaws.com`; STS then checks the SigV4 signature. The emulator does
//! both halves: Infisical's decoding and region check with its messages, then the signature
//! check STS would make, against the access keys a test declares.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// An AWS access key that STS accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsKey {
    /// The access key id, e.g. `AKIDEXAMPLE`.
    pub access_key_id: String,
    /// The secret access key the signature is checked with.
    pub secret_access_key: String,
    /// For temporary credentials: the session token that must come with the request (signed).
    #[serde(default)]
    pub session_token: Option<String>,
}

impl AwsKey {
    /// Long-term credentials (no session token).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }
}

/// The only request AWS IAM auth signs.
pub(crate) const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// How far STS lets a request's `X-Amz-Date` stray from its clock.
const CLOCK_SKEW_SECONDS: i64 = 15 * 60;

/// Why a login was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Infisical itself refused the request (400): undecodable headers, no valid region.
    Infisical(String),
    /// STS refused the replayed request: `(code, message)` as STS names them.
    Sts(&'static str, String),
}

/// The decoded request, checked as Infisical and then STS would. `keys` are the access keys
/// the identity accepts; `now` is the STS clock.
pub(crate) fn verify(
    method: &str,
    body_b64: &str,
    headers_b64: &str,
    keys: &[AwsKey],
    now: OffsetDateTime,
) -> Result<(), Refusal> {
    // Infisical: `JSON.parse(Buffer.from(iamRequestHeaders, "base64"))` and the body likewise.
    let headers: BTreeMap<String, String> = BASE64
        .decode(headers_b64.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            Refusal::Infisical(
                "iamRequestHeaders must be the base64 of a JSON object of header names to values"
                    .to_owned(),
            )
        })?;
    let body = BASE64
        .decode(body_b64.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Refusal::Infisical("iamRequestBody must be base64".to_owned()))?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let authorization = headers
        .get("Authorization")
        .or_else(|| headers.get("authorization"))
        .map(String::as_str);
    let region = authorization.and_then(region_from_authorization);
    if !region.is_some_and(is_valid_region) {
        return Err(Refusal::Infisical("Invalid AWS region".to_owned()));
    }
    let region = region.unwrap_or_default();

    // STS, from here on: Infisical sends the request to the region's endpoint.
    let expected_host = format!("sts.{region}.amazonaws.com");
    if header("host") != Some(expected_host.as_str()) {
        return Err(Refusal::Sts(
            "SignatureDoesNotMatch",
            format!("the Host header must be {expected_host}, where Infisical sends the request"),
        ));
    }
    if method != "POST" || body != GET_CALLER_IDENTITY {
        return Err(Refusal::Sts(
            "InvalidAction",
            format!("expected POST {GET_CALLER_IDENTITY}"),
        ));
    }
    check_signature(
        &SignedRequest {
            method,
            path: "/",
            headers: &headers,
            body: &body,
        },
        keys,
        now,
    )
    .map(|_| ())
}

/// An HTTP request to STS, as the signature covers it.
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a str,
    /// The path, without a query.
    pub(crate) path: &'a str,
    /// Header names in any case.
    pub(crate) headers: &'a BTreeMap<String, String>,
    pub(crate) body: &'a str,
}

/// STS's check of a SigV4 signature for `sts` in the region of its credential scope, by one of
/// `keys` at `now`; the key that signed it.
pub(crate) fn check_signature<'k>(
    request: &SignedRequest<'_>,
    keys: &'k [AwsKey],
    now: OffsetDateTime,
) -> Result<&'k AwsKey, Refusal> {
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let incomplete = |what: &str| Refusal::Sts("IncompleteSignature", what.to_owned());
    let authorization = header("authorization").unwrap_or_default();
    let fields = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("the Authorization header must start with AWS4-HMAC-SHA256"))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in fields.split(',').map(str::trim) {
        if let Some(v) = field.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = field.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = field.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(incomplete(
            "the Authorization header needs Credential=, SignedHeaders= and Signature=",
        ));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope.as_slice() else {
        return Err(incomplete(
            "Credential must be <access key id>/<date>/<region>/<service>/aws4_request",
        ));
    };
    if *service != "sts" || *terminator != "aws4_request" || !is_valid_region(region) {
        return Err(Refusal::Sts(
            "SignatureDoesNotMatch",
            format!("Credential should be scoped to a valid region and to sts, not {credential}"),
        ));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(incomplete("Signature must be 64 hex digits"));
    }
    let amz_date = header("x-amz-date").ok_or_else(|| incomplete("X-Amz-Date is missing"))?;
    let signed_at = parse_amz_date(amz_date)
        .ok_or_else(|| incomplete("X-Amz-Date must look like 20150830T123600Z"))?;
    if !amz_date.starts_with(date) {
        return Err(Refusal::Sts(
            "SignatureDoesNotMatch",
            format!("Date in Credential scope does not match YYYYMMDD from X-Amz-Date: {date}"),
        ));
    }
    if (now - signed_at).whole_seconds().abs() > CLOCK_SKEW_SECONDS {
        return Err(Refusal::Sts(
            "SignatureDoesNotMatch",
            format!("Signature expired: {amz_date} is not within 15 minutes of the server time"),
        ));
    }
    let signed: Vec<&str> = signed_headers.split(';').collect();
    for required in ["host", "x-amz-date"] {
        if !signed.contains(&required) {
            return Err(incomplete(&format!(
                "SignedHeaders must include {required}"
            )));
        }
    }
    let invalid_token = || {
        Refusal::Sts(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.".to_owned(),
        )
    };
    let key = keys
        .iter()
        .find(|k| k.access_key_id == *access_key_id)
        .ok_or_else(invalid_token)?;
    if let Some(token) = &key.session_token
        && (header("x-amz-security-token") != Some(token.as_str())
            || !signed.contains(&"x-amz-security-token"))
    {
        return Err(invalid_token());
    }
    let mut canonical = format!("{}\n{}\n\n", request.method, request.path);
    for name in &signed {
        let value = header(name).ok_or_else(|| {
            Refusal::Sts(
                "SignatureDoesNotMatch",
                format!("signed header {name} is not in the request"),
            )
        })?;
        canonical.push_str(&format!("{name}:{}\n", normalize_header_value(value)));
    }
    canonical.push_str(&format!(
        "\n{signed_headers}\n{}",
        hex::encode(Sha256::digest(request.body.as_bytes()))
    ));
    let expected = sign_v4(&key.secret_access_key, amz_date, region, "sts", &canonical);
    if expected != signature {
        return Err(Refusal::Sts(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided."
                .to_owned(),
        ));
    }
    Ok(key)
}

/// Infisical's `awsRegionFromHeader`: the third `/`-separated part of the `Credential=` field.
fn region_from_authorization(authorization: &str) -> Option<&str> {
    authorization
        .split(' ')
        .find_map(|field| field.strip_prefix("Credential="))
        .and_then(|credential| credential.split('/').nth(2))
}

/// Infisical's `isValidAwsRegion`: `^[a-z0-9-]+$`, at most 20 characters.
fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 20
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_amz_date(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// SigV4's header value canonicalization: trimmed, inner runs of spaces collapsed.
fn normalize_header_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 signature of `canonical_request`, in hex.
fn sign_v4(
    secret: &str,
    amz_date: &str,
    region: &str,
    service: &str,
    canonical_request: &str,
) -> String {
    let date = amz_date.get(..8).unwrap_or_default();
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = [region, service, "aws4_request"].into_iter().fold(
        hmac(format!("AWS4{secret}").as_bytes(), date),
        |key, part| hmac(&key, part),
    );
    hex::encode(hmac(&key, &string_to_sign))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// AWS's own worked example ("Examples of the complete Signature Version 4 signing
    /// process": IAM ListUsers), so the check does not merely agree with our client.
    #[test]
    fn signatures_match_aws_documented_example() {
        let canonical = "GET\n/\nAction=ListUsers&Version=2010-05-08\n\
             content-type:application/x-www-form-urlencoded; charset=utf-8\n\
             host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             content-type;host;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            sign_v4(SECRET, "20150830T123600Z", "us-east-1", "iam", canonical),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    fn signed_request(
        key: &AwsKey,
        region: &str,
        amz_date: &str,
        tamper: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> String {
        let host = format!("sts.{region}.amazonaws.com");
        let mut names = vec!["content-type", "host", "x-amz-date"];
        let mut headers = BTreeMap::from([
            (
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
            ),
            ("Host".to_owned(), host),
            ("X-Amz-Date".to_owned(), amz_date.to_owned()),
        ]);
        if let Some(token) = &key.session_token {
            headers.insert("X-Amz-Security-Token".to_owned(), token.clone());
            names.push("x-amz-security-token");
        }
        let mut canonical = "POST\n/\n\n".to_owned();
        for name in &names {
            let value = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .unwrap()
                .1;
            canonical.push_str(&format!("{name}:{value}\n"));
        }
        let signed_headers = names.join(";");
        canonical.push_str(&format!(
            "\n{signed_headers}\n{}",
            hex::encode(Sha256::digest(GET_CALLER_IDENTITY))
        ));
        let signature = sign_v4(&key.secret_access_key, amz_date, region, "sts", &canonical);
        headers.insert(
            "Authorization".to_owned(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{}/{region}/sts/aws4_request, \
                 SignedHeaders={signed_headers}, Signature={signature}",
                key.access_key_id,
                &amz_date[..8]
            ),
        );
        tamper(&mut headers);
        BASE64.encode(serde_json::to_vec(&headers).unwrap())
    }

    #[test]
    fn a_well_signed_request_passes_and_any_change_fails() {
        let key = AwsKey {
            session_token: Some("session".to_owned()),
            ..AwsKey::new("AKIDEXAMPLE", SECRET)
        };
        let now = parse_amz_date("20150830T123600Z").unwrap();
        let body = BASE64.encode(GET_CALLER_IDENTITY);
        let keys = [key.clone()];
        let check = |headers: &str| verify("POST", &body, headers, &keys, now);
        assert_eq!(
            check(&signed_request(
                &key,
                "eu-west-1",
                "20150830T123600Z",
                |_| {}
            )),
            Ok(())
        );
        let refused = |tamper: fn(&mut BTreeMap<String, String>)| {
            check(&signed_request(
                &key,
                "eu-west-1",
                "20150830T123600Z",
                tamper,
            ))
        };
        assert!(matches!(
            refused(|h| {
                h.insert("X-Amz-Security-Token".into(), "other".into());
            }),
            Err(Refusal::Sts("InvalidClientTokenId", _))
        ));
        assert!(matches!(
            refused(|h| {
                h.insert("Content-Type".into(), "text/plain".into());
            }),
            Err(Refusal::Sts("SignatureDoesNotMatch", _))
        ));
        assert!(matches!(
            refused(|h| {
                h.remove("X-Amz-Date");
            }),
            Err(Refusal::Sts("IncompleteSignature", _))
        ));
        assert_eq!(
            refused(|h| {
                h.remove("Authorization");
            }),
            Err(Refusal::Infisical("Invalid AWS region".into()))
        );
        let late = verify(
            "POST",
            &body,
            &signed_request(&key, "eu-west-1", "20150830T123600Z", |_| {}),
            &keys,
            now + time::Duration::minutes(16),
        );
        assert!(matches!(late, Err(Refusal::Sts(_, m)) if m.contains("expired")));
        let stranger = AwsKey::new("AKIDOTHER", SECRET);
        assert!(matches!(
            check(&signed_request(
                &stranger,
                "eu-west-1",
                "20150830T123600Z",
                |_| {}
            )),
            Err(Refusal::Sts("InvalidClientTokenId", _))
        ));
        assert!(matches!(
            verify("POST", &body, "not base64!", &keys, now),
            Err(Refusal::Infisical(_))
        ));
    }
}
