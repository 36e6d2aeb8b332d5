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
