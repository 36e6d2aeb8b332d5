//! JSON Web Tokens as an OIDC provider signs them (RS256) and as the `jsonwebtoken` package
//! Infisical uses reads them: `decode` (header and claims, no check), and `verify` against an
//! RSA key with `jsonwebtoken`'s checks in its order and words (`jwt malformed`, `invalid
//! algorithm`, `invalid signature`, `jwt not active`, `jwt expired`, `jwt issuer invalid.
//! expected: …`). A leaf: it imports nothing of the crate.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, RsaParameters, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// An RSA public key as a JWKS lists it: `kid`, modulus and exponent (big-endian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RsaJwk {
    pub(crate) kid: String,
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
}

impl RsaJwk {
    /// The JWKS entry, as GitHub's token issuer writes its keys.
    pub(crate) fn view(&self) -> Value {
        json!({
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
        })
    }

    /// A JWKS entry read back (`kty: RSA` with `n` and `e`).
    pub(crate) fn from_view(view: &Value) -> Option<Self> {
        if view["kty"] != "RSA" {
            return None;
        }
        let part = |key: &str| {
            view[key]
                .as_str()
                .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        };
        Some(Self {
            kid: view["kid"].as_str().unwrap_or_default().to_owned(),
            n: part("n")?,
            e: part("e")?,
        })
    }
}

/// Reads the one DER length at the start of `input`: the length and the rest.
fn der_length(input: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first < 0x80 {
        return Some((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 || rest.len() < count {
        return None;
    }
    let length = rest[..count]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some((length, &rest[count..]))
}

/// Reads one DER element of `tag`: its content and the rest.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    if found != tag {
        return None;
    }
    let (length, rest) = der_length(rest)?;
    (rest.len() >= length).then(|| rest.split_at(length))
}

/// The modulus and exponent of an RFC 8017 `RSAPublicKey` (`SEQUENCE { n INTEGER, e INTEGER }`),
/// without the sign byte.
fn rsa_public_key_parts(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (sequence, _) = der_element(der, 0x30)?;
    let (n, rest) = der_element(sequence, 0x02)?;
    let (e, _) = der_element(rest, 0x02)?;
    let strip = |b: &[u8]| {
        let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
        b[start..].to_vec()
    };
    Some((strip(n), strip(e)))
}

/// A signing key: an RSA key pair and its JWKS entry.
pub(crate) struct SigningKey {
    key: RsaKeyPair,
    pub(crate) jwk: RsaJwk,
}

impl SigningKey {
    /// A fresh 2048-bit key, its `kid` the hex of its public key's SHA-256 (first 20 bytes).
    pub(crate) fn generate() -> Option<Self> {
        let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).ok()?;
        let der = key.public_key().as_ref().to_vec();
        let (n, e) = rsa_public_key_parts(&der)?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
        let kid = hex::encode(&digest.as_ref()[..20]);
        Some(Self {
            key,
            jwk: RsaJwk { kid, n, e },
        })
    }

    /// Signs `claims` as an RS256 JWT whose header names this key.
    pub(crate) fn sign(&self, claims: &Value) -> Option<String> {
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.jwk.kid });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .ok()?;
        Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// A JWT taken apart without any check (`jwt.decode(token, { complete: true })`).
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub(crate) header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
}

fn json_part(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `jwt.decode(token, { complete: true })`: `None` where it answers `null`.
pub(crate) fn decode(token: &str) -> Option<Decoded> {
    let mut parts = token.split('.');
    let (header, claims, _, extra) = (parts.next()?, parts.next()?, parts.next()?, parts.next());
    if extra.is_some() {
        return None;
    }
    Some(Decoded {
        header: json_part(header)?,
        claims: json_part(claims)?,
    })
}

/// The RSA algorithms `jsonwebtoken` accepts for an RSA public key without an `algorithms`
/// option, with what the emulator verifies them with (`PS*` are accepted by the package; the
/// emulator's issuers never sign with them, so they fail the signature).
fn rsa_parameters(alg: &str) -> Option<Option<&'static RsaParameters>> {
    match alg {
        "RS256" => Some(Some(&signature::RSA_PKCS1_2048_8192_SHA256)),
        "RS384" => Some(Some(&signature::RSA_PKCS1_2048_8192_SHA384)),
        "RS512" => Some(Some(&signature::RSA_PKCS1_2048_8192_SHA512)),
        "PS256" | "PS384" | "PS512" => Some(None),
        _ => None,
    }
}

/// `jwt.verify(token, key, { issuer })` at `now` (seconds since the epoch): the claims, or the
/// `JsonWebTokenError` message.
pub(crate) fn verify(
    token: &str,
    key: &RsaJwk,
    issuer: &str,
    now: i64,
) -> Result<Map<String, Value>, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err("jwt malformed".to_owned());
    }
    let decoded = decode(token).ok_or_else(|| "invalid token".to_owned())?;
    if parts[2].trim().is_empty() {
        return Err("jwt signature is required".to_owned());
    }
    let alg = decoded.header.get("alg").and_then(Value::as_str);
    let Some(parameters) = alg.and_then(rsa_parameters) else {
        return Err("invalid algorithm".to_owned());
    };
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap_or_default();
    let components = RsaPublicKeyComponents {
        n: &key.n,
        e: &key.e,
    };
    let input = format!("{}.{}", parts[0], parts[1]);
    let valid =
        parameters.is_some_and(|p| components.verify(p, input.as_bytes(), &signature).is_ok());
    if !valid {
        return Err("invalid signature".to_owned());
    }
    let claims = decoded.claims;
    if let Some(nbf) = claims.get("nbf") {
        let nbf = nbf.as_f64().ok_or_else(|| "invalid nbf value".to_owned())?;
        if nbf > now as f64 {
            return Err("jwt not active".to_owned());
        }
    }
    if let Some(exp) = claims.get("exp") {
        let exp = exp.as_f64().ok_or_else(|| "invalid exp value".to_owned())?;
        if now as f64 >= exp {
            return Err("jwt expired".to_owned());
        }
    }
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(format!("jwt issuer invalid. expected: {issuer}"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::generate().expect("a key")
    }

    #[test]
    fn a_signed_token_verifies_and_its_faults_are_named_as_jsonwebtoken_names_them() {
        let key = key();
        let now = 1_700_000_000;
        let claims =
            json!({ "iss": "https://issuer", "sub": "s", "nbf": now - 5, "exp": now + 60 });
        let token = key.sign(&claims).expect("signed");
        let verified = verify(&token, &key.jwk, "https://issuer", now).expect("valid");
        assert_eq!(verified["sub"], "s");
        assert_eq!(
            decode(&token).expect("decoded").header["kid"],
            json!(key.jwk.kid)
        );

        assert_eq!(
            verify(&token, &key.jwk, "https://other", now),
            Err("jwt issuer invalid. expected: https://other".to_owned())
        );
        assert_eq!(
            verify(&token, &key.jwk, "https://issuer", now + 60),
            Err("jwt expired".to_owned())
        );
        assert_eq!(
            verify(&token, &key.jwk, "https://issuer", now - 10),
            Err("jwt not active".to_owned())
        );
        let other = self::key();
        assert_eq!(
            verify(&token, &other.jwk, "https://issuer", now),
            Err("invalid signature".to_owned())
        );
        assert_eq!(
            verify("a.b", &key.jwk, "https://issuer", now),
            Err("jwt malformed".to_owned())
        );
        let tampered = format!("{}x", token.rsplit_once('.').map_or("", |(head, _)| head));
        assert!(verify(&format!("{tampered}.AA"), &key.jwk, "x", now).is_err());
    }

    #[test]
    fn the_jwks_entry_round_trips() {
        let key = key();
        let view = key.jwk.view();
        assert_eq!(view["e"], "AQAB");
        assert_eq!(RsaJwk::from_view(&view), Some(key.jwk.clone()));
        assert_eq!(key.jwk.n.len(), 256);
    }
}
