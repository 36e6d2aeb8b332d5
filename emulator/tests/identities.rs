//! Pins the emulator's machine identities to the server: the identity routes
//! (`routes/v1/identity-router.ts`, `services/identity/identity-service.ts`), universal auth and
//! its client secrets (`routes/v1/identity-universal-auth-router.ts`,
//! `services/identity-ua/identity-ua-service.ts`), and the access tokens their logins issue
//! (`services/identity-access-token/identity-access-token-service.ts`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::{Fixture, issue, issues, message};

const IDENTITIES: &str = "/api/v1/identities";

fn ua_path(identity: &str) -> String {
    format!("/api/v1/auth/universal-auth/identities/{identity}")
}

impl Fixture {
    /// The organization, as the details route answers the caller's.
    async fn organization(&self) -> String {
        let (status, body) = self.get("/api/v1/identities/details").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["identityDetails"]["organization"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates an identity named `name` with the organization role `role`; its id.
    async fn identity(&self, name: &str, role: &str) -> String {
        let org = self.organization().await;
        let (status, body) = self
            .call(
                Method::POST,
                IDENTITIES,
                Some(json!({ "name": name, "organizationId": org, "role": role })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["identity"]["id"].as_str().unwrap().to_owned()
    }

    /// Attaches universal auth with `body` to the identity; the configuration.
    async fn universal_auth(&self, identity: &str, body: Value) -> Value {
        let (status, answer) = self
            .call(Method::POST, &ua_path(identity), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["identityUniversalAuth"].clone()
    }

    /// Creates a client secret with `body`; `(secret, its data)`.
    async fn client_secret(&self, identity: &str, body: Value) -> (String, Value) {
        let (status, answer) = self
            .call(
                Method::POST,
                &format!("{}/client-secrets", ua_path(identity)),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        (
            answer["clientSecret"].as_str().unwrap().to_owned(),
            answer["clientSecretData"].clone(),
        )
    }

    /// An identity with universal auth (`ua`) and a client secret (`secret`): `(identity id,
    /// client id, client secret)`.
    async fn ua_identity(&self, name: &str, ua: Value, secret: Value) -> (String, String, String) {
        let identity = self.identity(name, "member").await;
        let config = self.universal_auth(&identity, ua).await;
        let (secret, _) = self.client_secret(&identity, secret).await;
        (
            identity,
            config["clientId"].as_str().unwrap().to_owned(),
            secret,
        )
    }

    /// Logs in with universal auth; the access token.
    async fn token_of(&self, client_id: &str, secret: &str) -> String {
        let (status, body) = self.login(client_id, secret).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["accessToken"].as_str().unwrap().to_owned()
    }

    /// GETs `path` with `token`.
    async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.raw(Method::GET, path, Some(token), None).await
    }
}

/// `identity-router.ts` (create, get, `PATCH`, delete) and `identity-service.ts`.
#[tokio::test]
async fn identities_are_created_read_changed_and_deleted_as_the_router_answers() {
    let f = Fixture::start().await;
    let org = f.organization().await;
    let (status, created) = f
        .call(
            Method::POST,
            IDENTITIES,
            Some(json!({
                "name": "  ci  ", "organizationId": org, "role": "member",
                "hasDeleteProtection": false,
                "metadata": [{ "key": " team ", "value": "platform" }],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let identity = &created["identity"];
    let id = identity["id"].as_str().unwrap();
    assert_eq!(identity["name"], "ci");
    assert_eq!(identity["orgId"], org.as_str());
    assert_eq!(identity["authMethods"], json!([]));
    assert_eq!(identity["projectId"], Value::Null);
    assert_eq!(identity["hasDeleteProtection"], false);
    assert_eq!(identity["metadata"][0]["key"], "team");
    assert!(identity["metadata"][0]["id"].is_string());

    // The read is the organization membership, with the identity inside.
    let (status, read) = f.get(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let membership = &read["identity"];
    assert_ne!(membership["id"], id, "the membership's own id");
    assert_eq!(membership["identityId"], id);
    assert_eq!(membership["role"], "member");
    assert_eq!(membership["orgId"], org.as_str());
    assert_eq!(membership["identity"]["name"], "ci");
    assert_eq!(membership["identity"]["authMethods"], json!([]));
    assert_eq!(
        membership["identity"]["activeLockoutAuthMethods"],
        json!([])
    );
    assert_eq!(membership["metadata"][0]["value"], "platform");

    // `hasDeleteProtection: true` alone is written; `false` alone is not (`name ||
    // hasDeleteProtection`); metadata sent replaces the whole, and the answer's metadata is only
    // what was inserted.
    let path = format!("{IDENTITIES}/{id}");
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "hasDeleteProtection": true })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["identity"]["hasDeleteProtection"], true);
    assert_eq!(body["identity"]["metadata"], json!([]));
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "hasDeleteProtection": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["identity"]["hasDeleteProtection"], true, "unchanged");
    let (status, body) = f.delete(&path).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::BAD_REQUEST, "Identity has delete protection")
    );
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({
                "name": "ci-2", "hasDeleteProtection": false, "role": "admin",
                "metadata": [{ "key": "a", "value": "b" }],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["identity"]["name"], "ci-2");
    assert_eq!(body["identity"]["hasDeleteProtection"], false);
    assert_eq!(body["identity"]["metadata"][0]["key"], "a");
    let (_, read) = f.get(&path).await;
    assert_eq!(read["identity"]["role"], "admin");
    assert_eq!(read["identity"]["metadata"].as_array().unwrap().len(), 1);

    let (status, deleted) = f.delete(&path).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["identity"]["id"], id);
    let (status, body) = f.get(&path).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Failed to find identity with id {id}").as_str()
        )
    );
}

/// `identity-router.ts`' body schemas, `permission-service.ts`' `getOrgPermission` and
/// `getOrgPermissionByRoles`.
#[tokio::test]
async fn identity_bodies_roles_and_organizations_are_checked_as_the_server_does() {
    let f = Fixture::start().await;
    let org = f.organization().await;
    let (status, body) = f
        .call(
            Method::POST,
            IDENTITIES,
            Some(json!({ "organizationId": org, "role": "", "metadata": [{ "key": "", "value": "v" }] })),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("name", "Required"),
            issue("role", "String must contain at least 1 character(s)"),
            issue(
                "metadata.0.key",
                "String must contain at least 1 character(s)"
            ),
        ]
    );
    let (status, body) = f
        .call(
            Method::POST,
            IDENTITIES,
            Some(json!({ "name": "x", "organizationId": org, "role": "billing" })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Specified roles 'billing' was not found in the organization with ID '{org}'")
                .as_str()
        )
    );
    let (status, body) = f
        .call(
            Method::POST,
            IDENTITIES,
            Some(json!({ "name": "x", "organizationId": "another-org" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"],
        "You are not allowed to access organization resource"
    );
    assert_eq!(
        message(&body),
        "You are not allowed to access this resource"
    );

    // Without a role, the identity has none in the organization: `no-access`.
    let (status, body) = f
        .call(
            Method::POST,
            IDENTITIES,
            Some(json!({ "name": "quiet", "organizationId": org })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["identity"]["id"].as_str().unwrap();
    let (_, read) = f.get(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(read["identity"]["role"], "no-access");

    // The list is the organization's identities, by name; another organization's is empty.
    f.identity("alpha", "member").await;
    let (status, list) = f.get(&format!("{IDENTITIES}?orgId={org}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let names: Vec<&str> = list["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["identity"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "quiet"]);
    assert_eq!(list["totalCount"], 2);
    let (_, list) = f.get(&format!("{IDENTITIES}?orgId=other")).await;
    assert_eq!(list["identities"], json!([]));
    let (status, body) = f.get(IDENTITIES).await;
    assert_eq!(issues(status, &body), [issue("orgId", "Required")]);
}

/// `identity-universal-auth-router.ts` (attach, get, `PATCH`, delete) and the service's checks.
#[tokio::test]
async fn universal_auth_is_attached_with_the_routers_defaults_and_checked_as_the_service_does() {
    let f = Fixture::start().await;
    let id = f.identity("ua", "member").await;
    let path = ua_path(&id);
    let (status, body) = f.get(&path).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Failed to find universal auth for identity with ID {id}").as_str()
        )
    );
    let (status, body) = f.get(&format!("{path}/client-secrets")).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "The identity does not have universal auth"
        )
    );
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({
                "accessTokenTTL": 1.5, "accessTokenMaxTTL": -1, "lockoutThreshold": 31,
                "clientSecretTrustedIps": [],
            })),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue(
                "clientSecretTrustedIps",
                "Array must contain at least 1 element(s)"
            ),
            issue("accessTokenTTL", "Expected integer, received float"),
            issue(
                "accessTokenMaxTTL",
                "Number must be greater than or equal to 0"
            ),
            issue(
                "lockoutThreshold",
                "Number must be less than or equal to 30"
            ),
            issue(
                "",
                "Access Token TTL cannot be greater than Access Token Max TTL."
            ),
        ]
    );
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "accessTokenTrustedIps": [{ "ipAddress": "10.0.0.0/33" }] })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "The IP is not a valid IPv4, IPv6, or CIDR block"
        )
    );

    let config = f.universal_auth(&id, json!({})).await;
    assert_eq!(config["identityId"], id.as_str());
    assert!(config["clientId"].as_str().unwrap().len() == 36);
    assert_eq!(config["accessTokenTTL"], 2_592_000);
    assert_eq!(config["accessTokenMaxTTL"], 2_592_000);
    assert_eq!(config["accessTokenNumUsesLimit"], 0);
    assert_eq!(config["accessTokenPeriod"], 0);
    assert_eq!(
        config["clientSecretTrustedIps"],
        json!([
            { "type": "ipv4", "prefix": 0, "ipAddress": "0.0.0.0" },
            { "type": "ipv6", "prefix": 0, "ipAddress": "::" },
        ])
    );
    assert_eq!(
        (
            &config["lockoutEnabled"],
            &config["lockoutThreshold"],
            &config["lockoutDurationSeconds"],
            &config["lockoutCounterResetSeconds"]
        ),
        (&json!(true), &json!(3), &json!(300), &json!(30))
    );
    let (status, body) = f.call(Method::POST, &path, Some(json!({}))).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Failed to add universal auth to already configured identity"
        )
    );
    let (_, read) = f.get(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(
        read["identity"]["identity"]["authMethods"],
        json!(["universal-auth"])
    );

    // `PATCH` writes what is sent, a 0 and a one-address list included; a TTL above the
    // stored max is refused by the service (`(ttl || max) > (max || storedMax)`).
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({
                "accessTokenNumUsesLimit": 0, "accessTokenTTL": 60, "accessTokenMaxTTL": 120,
                "accessTokenTrustedIps": [{ "ipAddress": "127.0.0.1" }],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let updated = &body["identityUniversalAuth"];
    assert_eq!(
        (&updated["accessTokenTTL"], &updated["accessTokenMaxTTL"]),
        (&json!(60), &json!(120))
    );
    assert_eq!(
        updated["accessTokenTrustedIps"],
        json!([{ "type": "ipv4", "ipAddress": "127.0.0.1" }])
    );
    assert_eq!(updated["clientId"], config["clientId"]);
    let (status, body) = f
        .call(Method::PATCH, &path, Some(json!({ "accessTokenTTL": 600 })))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Access token TTL cannot be greater than max TTL"
        )
    );
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "accessTokenTTL": 600, "accessTokenMaxTTL": 60 })),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "",
            "Access Token TTL cannot be greater than Access Token Max TTL."
        )]
    );

    let (status, body) = f.delete(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["identityUniversalAuth"]["clientId"],
        config["clientId"]
    );
    let (status, body) = f.delete(&path).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "The identity does not have universal auth"
        )
    );
}

/// `identity-universal-auth-router.ts`' client-secret routes and the service's `login`.
#[tokio::test]
async fn client_secrets_are_answered_once_counted_revoked_and_expire() {
    let f = Fixture::start().await;
    let id = f.identity("secrets", "member").await;
    let client_id = f.universal_auth(&id, json!({})).await["clientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = ua_path(&id);

    let (secret, data) = f
        .client_secret(&id, json!({ "description": " ci ", "numUsesLimit": 2 }))
        .await;
    assert_eq!(secret.len(), 64, "32 random bytes in hex");
    assert_eq!(data["description"], "ci");
    assert_eq!(data["clientSecretPrefix"], &secret[..4]);
    assert_eq!(data["clientSecretNumUses"], 0);
    assert_eq!(data["clientSecretNumUsesLimit"], 2);
    assert_eq!(data["clientSecretTTL"], 0);
    assert_eq!(data["isClientSecretRevoked"], false);
    assert!(data.get("clientSecretHash").is_none());
    let secret_path = format!("{path}/client-secrets/{}", data["id"].as_str().unwrap());

    // Two logins; the third is over the limit, which revokes the secret.
    let token = f.token_of(&client_id, &secret).await;
    f.token_of(&client_id, &secret).await;
    let (status, body) = f.login(&client_id, &secret).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Access denied due to client secret usage limit reached"
        )
    );
    let (status, read) = f.get(&secret_path).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["clientSecretData"]["clientSecretNumUses"], 2);
    assert_eq!(read["clientSecretData"]["isClientSecretRevoked"], true);
    let (_, list) = f.get(&format!("{path}/client-secrets")).await;
    assert_eq!(
        list["clientSecretData"],
        json!([]),
        "the list leaves revoked ones out"
    );
    let (status, body) = f.login(&client_id, &secret).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "Invalid credentials")
    );
    // The token of a login is the identity's.
    let (status, body) = f.get_as(&token, "/api/v1/identities/details").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A revoked secret logs nothing in; revoke answers the secret.
    let (other, data) = f.client_secret(&id, json!({})).await;
    let (status, body) = f
        .call(
            Method::POST,
            &format!(
                "{path}/client-secrets/{}/revoke",
                data["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["clientSecretData"]["isClientSecretRevoked"], true);
    let (status, _) = f.login(&client_id, &other).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A secret with a TTL expires, and is revoked by the login that finds it so.
    let (short, _) = f.client_secret(&id, json!({ "ttl": 1 })).await;
    f.token_of(&client_id, &short).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = f.login(&client_id, &short).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Access denied due to expired client secret"
        )
    );

    let (status, body) = f
        .get(&format!("{path}/client-secrets/{}", uuid_like()))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Failed to find identity with ID {id}").as_str()
        )
    );
}

fn uuid_like() -> &'static str {
    "00000000-0000-4000-8000-000000000000"
}

/// `identity-ua-service.ts`' `login`: lockout after the threshold, then until it lapses, and the
/// client-secret trusted IPs.
#[tokio::test]
async fn failed_logins_lock_universal_auth_out_and_trusted_ips_refuse_other_addresses() {
    let f = Fixture::start().await;
    let (id, client_id, secret) = f
        .ua_identity(
            "locked",
            json!({ "lockoutThreshold": 2, "lockoutDurationSeconds": 30 }),
            json!({}),
        )
        .await;
    for _ in 0..2 {
        let (status, body) = f.login(&client_id, "wrong").await;
        assert_eq!(
            (status, message(&body)),
            (StatusCode::UNAUTHORIZED, "Invalid credentials")
        );
    }
    let (status, body) = f.login(&client_id, &secret).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "This identity auth method is temporarily locked, please try again later"
        )
    );
    let (_, read) = f.get(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(
        read["identity"]["identity"]["activeLockoutAuthMethods"],
        json!(["universal-auth"])
    );

    // Without the lockout, failures are only failures.
    let (_, client_id, secret) = f
        .ua_identity("unlocked", json!({ "lockoutEnabled": false }), json!({}))
        .await;
    for _ in 0..4 {
        f.login(&client_id, "wrong").await;
    }
    f.token_of(&client_id, &secret).await;

    let (_, client_id, secret) = f
        .ua_identity(
            "fenced",
            json!({ "clientSecretTrustedIps": [{ "ipAddress": "10.0.0.0/8" }] }),
            json!({}),
        )
        .await;
    let (status, body) = f.login(&client_id, &secret).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::FORBIDDEN,
            "You are not allowed to access this resource from the current IP address"
        )
    );
}

/// `identity-access-token-service.ts`: the token's TTL, use limit, trusted IPs, renewal past the
/// max TTL, and the identity's deletion.
#[tokio::test]
async fn tokens_carry_the_identitys_terms() {
    let f = Fixture::start().await;
    let (_, client_id, secret) = f
        .ua_identity(
            "limited",
            json!({ "accessTokenNumUsesLimit": 2, "accessTokenTTL": 0, "accessTokenMaxTTL": 0 }),
            json!({}),
        )
        .await;
    let (status, login) = f.login(&client_id, &secret).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(
        (&login["expiresIn"], &login["accessTokenMaxTTL"]),
        (&json!(0), &json!(0))
    );
    let token = login["accessToken"].as_str().unwrap();
    for _ in 0..2 {
        let (status, body) = f.get_as(token, "/api/v1/identities/details").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = f.get_as(token, "/api/v1/identities/details").await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Unable to renew because access token number of uses limit reached"
        )
    );
    // The server deleted it.
    let (status, body) = f.get_as(token, "/api/v1/identities/details").await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "No identity access token found")
    );

    let (_, client_id, secret) = f
        .ua_identity(
            "fenced-token",
            json!({ "accessTokenTrustedIps": [{ "ipAddress": "::1" }] }),
            json!({}),
        )
        .await;
    let token = f.token_of(&client_id, &secret).await;
    let (status, body) = f.get_as(&token, "/api/v1/identities/details").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A renewal that would run past the max TTL is refused; its TTL is the configuration's.
    let (id, client_id, secret) = f
        .ua_identity(
            "short",
            json!({ "accessTokenTTL": 60, "accessTokenMaxTTL": 90 }),
            json!({}),
        )
        .await;
    let (_, login) = f.login(&client_id, &secret).await;
    assert_eq!(
        (&login["expiresIn"], &login["accessTokenMaxTTL"]),
        (&json!(60), &json!(90))
    );
    let token = login["accessToken"].as_str().unwrap();
    let (status, body) = f
        .raw(
            Method::POST,
            "/api/v1/auth/token/renew",
            None,
            Some(json!({ "accessToken": token })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = body["accessToken"].as_str().unwrap().to_owned();
    let (status, body) = f
        .raw(
            Method::POST,
            "/api/v1/auth/token/renew",
            None,
            Some(json!({ "accessToken": renewed })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, client_id_2, secret_2) = f
        .ua_identity(
            "shorter",
            json!({ "accessTokenTTL": 60, "accessTokenMaxTTL": 60 }),
            json!({}),
        )
        .await;
    let token = f.token_of(&client_id_2, &secret_2).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, body) = f
        .raw(
            Method::POST,
            "/api/v1/auth/token/renew",
            None,
            Some(json!({ "accessToken": token })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Failed to renew MI access token past its Max TTL expiration"
        )
    );

    let (status, _) = f.delete(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = f.get_as(&renewed, "/api/v1/identities/details").await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "No identity access token found")
    );
    let (status, body) = f.login(&client_id, &secret).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "Invalid credentials")
    );
}

fn oidc_path(identity: &str) -> String {
    format!("/api/v1/auth/oidc-auth/identities/{identity}")
}

impl Fixture {
    /// An identity with OIDC auth trusting the emulator's GitHub issuer, bound by `bounds`
    /// (merged over the discovery URL and issuer); its id.
    async fn oidc_identity(&self, name: &str, bounds: Value) -> String {
        let identity = self.identity(name, "member").await;
        let issuer = self.admin().oidc_issuer_url("github");
        let mut body =
            json!({ "oidcDiscoveryUrl": issuer, "boundIssuer": issuer, "boundClaims": {} });
        body.as_object_mut()
            .unwrap()
            .extend(bounds.as_object().unwrap().clone());
        let (status, answer) = self
            .call(Method::POST, &oidc_path(&identity), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        identity
    }

    async fn oidc_login(&self, identity: &str, jwt: &str) -> (StatusCode, Value) {
        self.raw(
            Method::POST,
            "/api/v1/auth/oidc-auth/login",
            None,
            Some(json!({ "identityId": identity, "jwt": jwt })),
        )
        .await
    }

    /// A GitHub Actions token for `repository` with `overrides` over its claims.
    fn github_token(&self, repository: &str, overrides: Value) -> String {
        let mut claims = self.admin().github_actions_claims(repository, None);
        claims
            .as_object_mut()
            .unwrap()
            .extend(overrides.as_object().unwrap().clone());
        self.admin().mint_oidc_token("github", claims).unwrap()
    }
}

/// `identity-oidc-auth-router.ts` (attach, get, `PATCH`, delete) with its validators, and the
/// service's checks.
#[tokio::test]
async fn oidc_auth_is_attached_validated_and_answered_as_the_router_does() {
    let f = Fixture::start().await;
    let id = f.identity("oidc", "member").await;
    let path = oidc_path(&id);
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "oidcDiscoveryUrl": "not a url", "boundIssuer": "" })),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("oidcDiscoveryUrl", "Invalid url"),
            issue("boundIssuer", "String must contain at least 1 character(s)"),
            issue("boundClaims", "Required"),
        ]
    );
    let (status, body) = f.get(&path).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "The identity does not have OIDC Auth attached"
        )
    );
    let issuer = f.admin().oidc_issuer_url("github");
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({
                "oidcDiscoveryUrl": issuer, "boundIssuer": issuer,
                "boundAudiences": " https://github.com/octo ,sts.amazonaws.com",
                "boundClaims": { "repository": "octo/app , octo/lib" },
                "boundSubject": "repo:octo/*",
                "accessTokenTTL": 600,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let oidc = &body["identityOidcAuth"];
    assert_eq!(
        oidc["boundAudiences"],
        "https://github.com/octo, sts.amazonaws.com"
    );
    assert_eq!(
        oidc["boundClaims"],
        json!({ "repository": "octo/app, octo/lib" })
    );
    assert_eq!(oidc["claimMetadataMapping"], Value::Null);
    assert_eq!(oidc["caCert"], "");
    assert_eq!(
        (&oidc["accessTokenTTL"], &oidc["accessTokenMaxTTL"]),
        (&json!(600), &json!(2_592_000))
    );
    assert_eq!(oidc["identityId"], id.as_str());
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "oidcDiscoveryUrl": issuer, "boundIssuer": issuer, "boundClaims": {} })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Failed to add OIDC Auth to already configured identity"
        )
    );
    let (_, read) = f.get(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(
        read["identity"]["identity"]["authMethods"],
        json!(["oidc-auth"])
    );

    // `PATCH` is partial: what is sent, without defaults.
    let (status, body) = f
        .call(Method::PATCH, &path, Some(json!({ "boundSubject": "" })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let patched = &body["identityOidcAuth"];
    assert_eq!(patched["boundSubject"], "");
    assert_eq!(patched["accessTokenTTL"], 600);
    assert_eq!(patched["boundClaims"], oidc["boundClaims"]);

    let (status, body) = f.delete(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["identityOidcAuth"].get("caCert").is_none());
    let (status, body) = f.delete(&path).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "The identity does not have OIDC auth"
        )
    );
    let (status, body) = f.delete(&oidc_path(uuid_like())).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::NOT_FOUND, "Failed to find identity")
    );
}

/// The emulated issuer: GitHub Actions' discovery document and JWKS, served under `/__oidc`.
#[tokio::test]
async fn the_github_issuer_serves_its_discovery_document_and_keys() {
    let f = Fixture::start().await;
    let issuer = f.admin().oidc_issuer_url("github");
    assert_eq!(issuer, format!("{}/__oidc/github", f.emulator.url()));
    let path = issuer.trim_start_matches(f.emulator.url());
    let (status, document) = f
        .raw(
            Method::GET,
            &format!("{path}/.well-known/openid-configuration"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{document}");
    assert_eq!(document["issuer"], issuer.as_str());
    assert_eq!(document["jwks_uri"], format!("{issuer}/.well-known/jwks"));
    assert_eq!(
        document["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    let (status, jwks) = f
        .raw(Method::GET, &format!("{path}/.well-known/jwks"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{jwks}");
    let key = &jwks["keys"][0];
    assert_eq!(
        (&key["kty"], &key["alg"], &key["e"]),
        (&json!("RSA"), &json!("RS256"), &json!("AQAB"))
    );

    // A minted token names that key and carries GitHub's claims for the repository.
    let jwt = f
        .admin()
        .github_actions_token("octo/app", Some("production"));
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            jwt.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], key["kid"]);
    assert_eq!(header["alg"], "RS256");
    let claims = f
        .admin()
        .github_actions_claims("octo/app", Some("production"));
    assert_eq!(claims["sub"], "repo:octo/app:environment:production");
    assert_eq!(claims["aud"], "https://github.com/octo");
    assert_eq!(claims["repository_owner"], "octo");

    let (status, _) = f
        .raw(Method::GET, "/__oidc/nobody/.well-known/jwks", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Over HTTP too.
    let (status, body) = f
        .raw(
            Method::POST,
            "/__emulator/oidc/github/tokens",
            None,
            Some(json!({ "repository": "octo/app", "claims": { "ref": "refs/heads/dev" } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["issuer"], issuer.as_str());
    assert_eq!(body["jwt"].as_str().unwrap().split('.').count(), 3);
}

/// `identity-oidc-auth-service.ts`' `login` (with `identity-oidc-auth-fns.ts`' glob matching):
/// signature, time, issuer, subject, audiences, claims, each refused in the server's words.
#[tokio::test]
async fn oidc_login_verifies_the_jwt_and_its_bound_subject_audiences_and_claims() {
    let f = Fixture::start().await;
    let id = f
        .oidc_identity(
            "deployer",
            json!({
                "boundAudiences": "https://github.com/octo",
                "boundSubject": "repo:octo/app:ref:refs/heads/*",
                "boundClaims": { "repository": "octo/app", "ref_type": "branch,tag" },
                "claimMetadataMapping": { "team": "repository_owner" },
                "accessTokenTTL": 300, "accessTokenMaxTTL": 600,
            }),
        )
        .await;
    let jwt = f.github_token("octo/app", json!({}));
    let (status, login) = f.oidc_login(&id, &jwt).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(
        (&login["expiresIn"], &login["accessTokenMaxTTL"]),
        (&json!(300), &json!(600))
    );
    let token = login["accessToken"].as_str().unwrap();
    let (status, body) = f.get_as(token, "/api/v1/identities/details").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = f.get(&format!("{IDENTITIES}/{id}")).await;
    assert_eq!(read["identity"]["lastLoginAuthMethod"], "oidc-auth");

    let refusals = [
        (
            f.github_token(
                "octo/other",
                json!({ "sub": "repo:octo/app:ref:refs/heads/main" }),
            ),
            StatusCode::UNAUTHORIZED,
            "Access denied: OIDC claim not allowed.".to_owned(),
        ),
        (
            f.github_token("octo/other", json!({})),
            StatusCode::FORBIDDEN,
            "Access denied: OIDC subject not allowed.".to_owned(),
        ),
        (
            f.github_token("octo/app", json!({ "aud": "sts.amazonaws.com" })),
            StatusCode::UNAUTHORIZED,
            "Access denied: OIDC audience not allowed.".to_owned(),
        ),
        (
            f.github_token("octo/app", json!({ "ref_type": "" })),
            StatusCode::UNAUTHORIZED,
            "Access denied: token has no ref_type field".to_owned(),
        ),
        (
            f.github_token("octo/app", json!({ "repository_owner": null })),
            StatusCode::UNAUTHORIZED,
            "Access denied: token has no repository_owner field".to_owned(),
        ),
        (
            f.github_token("octo/app", json!({ "exp": 1_000 })),
            StatusCode::UNAUTHORIZED,
            "Access denied: jwt expired".to_owned(),
        ),
        (
            f.github_token("octo/app", json!({ "nbf": 99_999_999_999_u64 })),
            StatusCode::UNAUTHORIZED,
            "Access denied: jwt not active".to_owned(),
        ),
        (
            f.github_token(
                "octo/app",
                json!({ "iss": "https://token.actions.githubusercontent.com" }),
            ),
            StatusCode::UNAUTHORIZED,
            format!(
                "Access denied: jwt issuer invalid. expected: {}",
                f.admin().oidc_issuer_url("github")
            ),
        ),
        (
            "not.a.jwt".to_owned(),
            StatusCode::UNAUTHORIZED,
            "Invalid JWT".to_owned(),
        ),
    ];
    for (jwt, status, text) in refusals {
        let (got, body) = f.oidc_login(&id, &jwt).await;
        assert_eq!((got, message(&body)), (status, text.as_str()), "{body}");
    }

    // Signed by another issuer: its key is not in GitHub's JWKS.
    let foreign = f
        .admin()
        .mint_oidc_token(
            "elsewhere",
            f.admin().github_actions_claims("octo/app", None),
        )
        .unwrap();
    let (status, body) = f.oidc_login(&id, &foreign).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        message(&body)
            .starts_with("Access denied: Unable to verify JWT signature. The signing key '"),
        "{body}"
    );
    // Without a `kid`, every key is tried (here: the header no longer matches the signature).
    let (_, claims, signature) = {
        let mut parts = jwt.split('.');
        (parts.next(), parts.next().unwrap(), parts.next().unwrap())
    };
    let header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"alg":"RS256","typ":"JWT"}"#,
    );
    let (status, body) = f
        .oidc_login(&id, &format!("{header}.{claims}.{signature}"))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Access denied: Unable to verify JWT signature with any available signing key. invalid signature"
        )
    );
    let counters = f.admin().counters();
    assert_eq!(counters.failed_logins, 11);

    // Revoking OIDC auth takes the tokens it issued.
    let (status, _) = f.delete(&oidc_path(&id)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = f.get_as(token, "/api/v1/identities/details").await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "No identity access token found")
    );
    let (status, body) = f.oidc_login(&id, &jwt).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            "OIDC auth method not found for identity, did you configure OIDC auth?"
        )
    );
}

/// The discovery document is fetched from `oidcDiscoveryUrl`: the emulator reaches only its own
/// issuers.
#[tokio::test]
async fn a_discovery_url_the_emulator_cannot_reach_refuses_the_login() {
    let f = Fixture::start().await;
    let id = f
        .oidc_identity(
            "unreachable",
            json!({ "oidcDiscoveryUrl": "https://token.actions.githubusercontent.com" }),
        )
        .await;
    let jwt = f.github_token("octo/app", json!({}));
    let (status, body) = f.oidc_login(&id, &jwt).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Access denied: Failed to fetch OIDC discovery document from \
             https://token.actions.githubusercontent.com. getaddrinfo ENOTFOUND \
             token.actions.githubusercontent.com"
        )
    );
    let base = f.emulator.url().to_owned();
    let id = f
        .oidc_identity(
            "no-issuer",
            json!({ "oidcDiscoveryUrl": format!("{base}/__oidc/nobody") }),
        )
        .await;
    let (status, body) = f.oidc_login(&id, &jwt).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message(&body).ends_with("Request failed with status code 404"),
        "{body}"
    );
}

fn membership_path(project: &str, identity: &str) -> String {
    format!("/api/v1/projects/{project}/memberships/identities/{identity}")
}

impl Fixture {
    /// A project the demo identity creates (its admin); its id.
    async fn demo_project(&self, name: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/projects",
                Some(json!({ "projectName": name })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["project"]["id"].as_str().unwrap().to_owned()
    }

    /// Makes `identity` a member of `project` with `roles`.
    async fn member(&self, project: &str, identity: &str, roles: Value) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                &membership_path(project, identity),
                Some(json!({ "roles": roles })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["identityMembership"].clone()
    }

    /// An identity with universal auth, logged in: `(identity id, access token)`.
    async fn logged_in(&self, name: &str) -> (String, String) {
        let (id, client_id, secret) = self.ua_identity(name, json!({}), json!({})).await;
        (id, self.token_of(&client_id, &secret).await)
    }

    /// Writes the secret `key` in `dev` at `/` with `token`.
    async fn write_secret(&self, token: &str, project: &str, key: &str) -> (StatusCode, Value) {
        self.raw(
            Method::POST,
            &format!("/api/v4/secrets/{key}"),
            Some(token),
            Some(json!({
                "projectId": project, "environment": "dev", "secretPath": "/",
                "secretValue": "v",
            })),
        )
        .await
    }

    /// Lists the secrets of `dev` at `/` with `token`.
    async fn read_secrets(&self, token: &str, project: &str) -> (StatusCode, Value) {
        self.get_as(
            token,
            &format!("/api/v4/secrets?projectId={project}&environment=dev&secretPath=/"),
        )
        .await
    }
}

/// `identity-project-membership-router.ts` and `membership-identity-service.ts` with its
/// project factory: create, get, `PATCH`, list, delete, in the server's order and words.
#[tokio::test]
async fn memberships_are_created_read_replaced_and_deleted_as_the_service_does() {
    let f = Fixture::start().await;
    let project = f.demo_project("Members").await;
    let id = f.identity("reader", "member").await;
    let path = membership_path(&project, &id);

    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "roles": [{ "role": "viewer", "isTemporary": true, "temporaryMode": "relative", "temporaryRange": "1h", "temporaryAccessStartTime": "2030-01-01T00:00:00Z" }] })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Identity must have at least one permanent role"
        )
    );
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "roles": [{ "role": "viewer", "isTemporary": true, "temporaryMode": "relative", "temporaryRange": "soon", "temporaryAccessStartTime": "tomorrow" }] })),
        )
        .await;
    // The temporary branch of the union is the one that only failed refinements: its issues.
    assert_eq!(
        issues(status, &body),
        [
            issue(
                "roles.0.temporaryRange",
                "Temporary range must be a positive number"
            ),
            issue("roles.0.temporaryAccessStartTime", "Invalid datetime"),
        ]
    );
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "roles": [{ "role": "auditor" }] })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Specified roles 'auditor' was not found in the project with ID '{project}'")
                .as_str()
        )
    );
    let (status, body) = f
        .call(
            Method::POST,
            &membership_path(&project, uuid_like()),
            Some(json!({ "roles": [{ "role": "viewer" }] })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            format!(
                "Identity {} is missing organization membership",
                uuid_like()
            )
            .as_str()
        )
    );

    let created = f.member(&project, &id, json!([{ "role": "viewer" }])).await;
    assert_eq!(created["identityId"], id.as_str());
    assert_eq!(created["projectId"], project.as_str());
    assert!(created.get("roles").is_none(), "the row only: {created}");
    let (status, body) = f
        .call(
            Method::POST,
            &path,
            Some(json!({ "roles": [{ "role": "viewer" }] })),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::BAD_REQUEST, "Identity is already a member")
    );

    // The read has the roles and the identity, and no `identityId`.
    let (status, read) = f.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let membership = &read["identityMembership"];
    assert_eq!(membership["id"], created["id"]);
    assert!(membership.get("identityId").is_none(), "{membership}");
    assert_eq!(membership["identity"]["id"], id.as_str());
    assert_eq!(membership["identity"]["name"], "reader");
    assert_eq!(membership["roles"][0]["role"], "viewer");
    assert_eq!(membership["roles"][0]["isTemporary"], false);
    assert_eq!(membership["roles"][0]["customRoleSlug"], Value::Null);

    // `PATCH` replaces the roles; a temporary one ends `temporaryRange` after its start.
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "roles": [
                { "role": "member" },
                { "role": "admin", "isTemporary": true, "temporaryMode": "relative", "temporaryRange": "2h", "temporaryAccessStartTime": "2030-01-01T00:00:00Z" },
            ] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = f.get(&path).await;
    let roles = &read["identityMembership"]["roles"];
    assert_eq!(roles[0]["role"], "member");
    assert_eq!(
        roles[1]["temporaryAccessStartTime"],
        "2030-01-01T00:00:00.000Z"
    );
    assert_eq!(
        roles[1]["temporaryAccessEndTime"],
        "2030-01-01T02:00:00.000Z"
    );
    let (status, body) = f
        .call(Method::PATCH, &path, Some(json!({ "roles": [] })))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("roles", "Array must contain at least 1 element(s)")]
    );

    // The creator of the project is its admin; the list has both.
    let (status, list) = f
        .get(&format!(
            "/api/v1/projects/{project}/memberships/identities"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["totalCount"], 2);
    assert_eq!(list["identityMemberships"][0]["roles"][0]["role"], "admin");
    // The deprecated get by membership id.
    let membership_id = created["id"].as_str().unwrap();
    let (status, body) = f
        .get(&format!(
            "/api/v1/projects/identity-memberships/{membership_id}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["identityMembership"]["identityId"], id.as_str());
    assert_eq!(
        body["identityMembership"]["project"]["id"],
        project.as_str()
    );
    let (status, body) = f
        .get(&format!(
            "/api/v1/projects/identity-memberships/{}",
            uuid_like()
        ))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Project membership with ID '{}' not found", uuid_like()).as_str()
        )
    );

    let (status, body) = f.delete(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["identityMembership"]["identityId"], id.as_str());
    let (status, body) = f.get(&path).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::NOT_FOUND, "Identity membership not found")
    );
    let (status, body) = f.delete(&path).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::BAD_REQUEST, "Identity doesn't have membership")
    );
}

/// `permission-service.ts`' `getProjectPermission` and `default-roles.ts`: what an identity
/// made through the API may do in a project, by its membership's roles.
#[tokio::test]
async fn a_projects_routes_answer_an_api_identity_by_its_membership() {
    let f = Fixture::start().await;
    let project = f.demo_project("Guarded").await;
    let (status, body) = f.write_secret(&f.token, &project, "SEEDED").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (outsider_id, outsider) = f.logged_in("outsider").await;

    // Not a member: 403, as the permission service words it; the list leaves the project out.
    let (status, body) = f.read_secrets(&outsider, &project).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "You are not member of this project");
    assert_eq!(
        message(&body),
        "You are not allowed to access this resource"
    );
    let (status, body) = f
        .get_as(&outsider, &format!("/api/v1/projects/{project}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, list) = f.get_as(&outsider, "/api/v1/projects").await;
    assert_eq!(list["projects"], json!([]));
    let (status, body) = f
        .get_as(&outsider, &format!("/api/v1/projects/{}", uuid_like()))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            format!("Project with {} not found", uuid_like()).as_str()
        )
    );

    // A viewer reads, and may not write.
    f.member(&project, &outsider_id, json!([{ "role": "viewer" }]))
        .await;
    let (status, body) = f.read_secrets(&outsider, &project).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secrets"][0]["secretKey"], "SEEDED");
    assert_eq!(body["secrets"][0]["secretValue"], "v");
    let (_, list) = f.get_as(&outsider, "/api/v1/projects").await;
    assert_eq!(list["projects"][0]["id"], project.as_str());
    let (status, body) = f.write_secret(&outsider, &project, "NOPE").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "PermissionDenied");
    assert_eq!(message(&body), "You are not allowed to create on secrets");
    assert_eq!(body["details"], json!([]));
    let denials = [
        (
            Method::POST,
            "/api/v2/folders".to_owned(),
            json!({ "projectId": project, "environment": "dev", "name": "app" }),
            "You are not allowed to create on secret-folders",
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{project}/tags"),
            json!({ "slug": "team", "color": "red" }),
            "You are not allowed to create on tags",
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{project}/environments"),
            json!({ "name": "QA", "slug": "qa" }),
            "You are not allowed to create on environments",
        ),
        (
            Method::PATCH,
            format!("/api/v1/projects/{project}"),
            json!({ "name": "Renamed" }),
            "You are not allowed to edit on settings",
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{project}/memberships/identities/{outsider_id}"),
            json!({ "roles": [{ "role": "admin" }] }),
            "You are not allowed to create on identity",
        ),
    ];
    for (method, path, body, text) in denials {
        let (status, answer) = f.raw(method, &path, Some(&outsider), Some(body)).await;
        assert_eq!(
            (status, message(&answer)),
            (StatusCode::FORBIDDEN, text),
            "{path}"
        );
    }
    let (status, body) = f
        .get_as(
            &outsider,
            &format!("/api/v2/folders?projectId={project}&environment=dev&path=/"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A member writes; it may not delete the project, an admin's right.
    let path = membership_path(&project, &outsider_id);
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "roles": [{ "role": "member" }] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = f.write_secret(&outsider, &project, "MINE").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = f
        .raw(
            Method::DELETE,
            &format!("/api/v1/projects/{project}"),
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::FORBIDDEN,
            "You are not allowed to delete on workspace"
        )
    );

    // `no-access`, with a temporary viewer role that has ended: nothing to read.
    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "roles": [
                { "role": "no-access" },
                { "role": "viewer", "isTemporary": true, "temporaryMode": "relative", "temporaryRange": "1m", "temporaryAccessStartTime": "2020-01-01T00:00:00Z" },
            ] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = f.read_secrets(&outsider, &project).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::FORBIDDEN,
            "You are not allowed to describeSecret on secrets"
        )
    );

    // An identity may not remove its own membership; deleting the identity removes it.
    let (admin_id, admin) = f.logged_in("project-admin").await;
    f.member(&project, &admin_id, json!([{ "role": "admin" }]))
        .await;
    let (status, body) = f
        .raw(
            Method::DELETE,
            &membership_path(&project, &admin_id),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "You can't delete your own membership"
        )
    );
    let (status, _) = f.delete(&format!("{IDENTITIES}/{outsider_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let members = f.admin().project(&project).unwrap().members;
    assert!(!members.contains(&outsider_id), "{members:?}");
    assert!(members.contains(&admin_id), "{members:?}");
}

/// End to end, as a GitHub Actions workflow would: an identity bound by OIDC to one repository
/// with a read-only membership reads the project's secrets with a token GitHub's issuer minted
/// for that repository, may not write, and another repository's token does not log in.
/// (`identity-oidc-auth-service.ts`, `membership-identity-service.ts`, `permission-service.ts`.)
#[tokio::test]
async fn a_workflow_of_the_bound_repository_reads_and_another_repository_is_refused() {
    let f = Fixture::start().await;
    let project = f.demo_project("CI secrets").await;
    let (status, body) = f.write_secret(&f.token, &project, "DATABASE_URL").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let identity = f
        .oidc_identity(
            "github-actions",
            json!({
                "boundAudiences": "https://github.com/octo",
                "boundSubject": "repo:octo/app:*",
                "boundClaims": { "repository": "octo/app" },
            }),
        )
        .await;
    f.member(&project, &identity, json!([{ "role": "viewer" }]))
        .await;

    let jwt = f
        .admin()
        .github_actions_token("octo/app", Some("production"));
    let (status, login) = f.oidc_login(&identity, &jwt).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["accessToken"].as_str().unwrap();
    let (status, body) = f.read_secrets(token, &project).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secrets"][0]["secretKey"], "DATABASE_URL");
    let (status, body) = f.write_secret(token, &project, "STOLEN").await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::FORBIDDEN,
            "You are not allowed to create on secrets"
        )
    );

    let other = f
        .admin()
        .github_actions_token("octo/other", Some("production"));
    let (status, body) = f.oidc_login(&identity, &other).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::FORBIDDEN,
            "Access denied: OIDC subject not allowed."
        )
    );
    // Even with the bound subject, the repository claim decides.
    let mut claims = f
        .admin()
        .github_actions_claims("octo/other", Some("production"));
    claims["sub"] = json!("repo:octo/app:environment:production");
    let forged = f.admin().mint_oidc_token("github", claims).unwrap();
    let (status, body) = f.oidc_login(&identity, &forged).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::UNAUTHORIZED,
            "Access denied: OIDC claim not allowed."
        )
    );
}
