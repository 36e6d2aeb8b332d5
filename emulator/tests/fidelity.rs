//! Pins the emulator's fidelity to the real Infisical server over HTTP: credentialsHash
//! behaviour, single-use codes, sanitized answers, validation messages and the 422 shape, auth
//! errors, and the fault injection other tests rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use infisical_emulator::{Config, Emulator, Fault, FaultAction, SeedConnection};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CONNECTIONS: &str = "/api/v1/app-connections/github";

/// An emulator and a logged-in HTTP client for it.
struct Fixture {
    emulator: Emulator,
    http: reqwest::Client,
    token: String,
}

impl Fixture {
    async fn start() -> Self {
        Self::with(Config::default()).await
    }

    async fn with(config: Config) -> Self {
        let emulator = Emulator::start(config).await.unwrap();
        let http = reqwest::Client::new();
        let mut fixture = Self {
            emulator,
            http,
            token: String::new(),
        };
        let (status, body) = fixture.login("demo-client-id", "demo-client-secret").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        fixture.token = body["accessToken"].as_str().unwrap().to_owned();
        fixture
    }

    async fn login(&self, id: &str, secret: &str) -> (StatusCode, Value) {
        self.raw(
            Method::POST,
            "/api/v1/auth/universal-auth/login",
            None,
            Some(json!({ "clientId": id, "clientSecret": secret })),
        )
        .await
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.url()));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.raw(method, path, Some(&self.token), body).await
    }

    async fn create(&self, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, CONNECTIONS, Some(body)).await
    }

    /// Creates a PAT connection and returns it.
    async fn create_pat(&self, name: &str, pat: &str) -> Value {
        self.emulator.admin().add_pat(pat);
        let (status, body) = self
            .create(json!({ "name": name, "method": "pat", "credentials": { "personalAccessToken": pat } }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["appConnection"].clone()
    }
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

/// `(path, message)` of each issue of a 422 body, which must have the ValidationFailure shape.
fn issues(status: StatusCode, body: &Value) -> Vec<(String, String)> {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "ValidationFailure");
    assert_eq!(body["statusCode"], 422);
    assert!(body["reqId"].as_str().unwrap().starts_with("req-"));
    body["message"]
        .as_array()
        .expect("a 422 message is an array of zod issues")
        .iter()
        .map(|issue| {
            assert!(issue["code"].is_string(), "{issue}");
            let path: Vec<String> = issue["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect();
            (
                path.join("."),
                issue["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn issue(path: &str, message: &str) -> (String, String) {
    (path.to_owned(), message.to_owned())
}

#[tokio::test]
async fn credentials_hash_survives_name_and_description_changes_but_not_a_credentials_write() {
    let f = Fixture::start().await;
    let created = f.create_pat("hash-check", "ghp_one").await;
    let id = created["id"].as_str().unwrap();
    let path = format!("{CONNECTIONS}/{id}");
    let hash = created["credentialsHash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);

    let (status, renamed) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "name": "renamed", "description": "now described" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["appConnection"]["name"], "renamed");
    assert_eq!(renamed["appConnection"]["credentialsHash"], hash.as_str());

    // The very same PAT again: re-encrypted with a fresh nonce, so a new hash.
    let (status, rewritten) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "credentials": { "personalAccessToken": "ghp_one" } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rewritten}");
    let new_hash = rewritten["appConnection"]["credentialsHash"]
        .as_str()
        .unwrap();
    assert_ne!(new_hash, hash);

    let (_, read) = f.call(Method::GET, &path, None).await;
    assert_eq!(read["appConnection"]["credentialsHash"], new_hash);
    let rotated = f.emulator.admin().rotate_credentials(id).unwrap();
    assert_ne!(
        rotated.credentials_hash, new_hash,
        "an out-of-band edit changes the hash"
    );
}

#[tokio::test]
async fn a_code_is_exchanged_once_and_only_for_installations_its_user_sees() {
    let f = Fixture::start().await;
    f.emulator.admin().add_code("code-1", ["111"]);
    f.emulator.admin().add_code("code-2", ["111"]);
    let app = |name: &str, code: &str, installation: &str| json!({ "name": name, "method": "github-app", "credentials": { "code": code, "installationId": installation } });

    let (status, body) = f.create(app("first", "code-1", "111")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(f.emulator.admin().code_used("code-1"));

    let (status, body) = f.create(app("second", "code-1", "111")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "Unable to validate credentials: GitHub responded with an error: bad_verification_code - The code passed is incorrect or expired."
    );

    let (status, body) = f.create(app("third", "code-2", "999")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        message(&body),
        "User does not have access to the provided installation"
    );
    // GitHub consumed the code before Infisical looked at the installations.
    let (status, _) = f.create(app("third", "code-2", "111")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) = f.create(app("fourth", "never-issued", "111")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, body) = f
        .create(json!({ "name": "pat", "method": "pat", "credentials": { "personalAccessToken": "ghp_unknown" } }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "Unable to validate Personal Access Token: verify token has proper permissions"
    );
    assert_eq!(f.emulator.admin().connection_count(), 1);
}

#[tokio::test]
async fn answers_never_contain_codes_installations_or_tokens() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    // Long enough never to turn up by chance inside a random id or hash.
    admin.add_code("code-app", ["31415926535"]);
    admin.add_code("code-oauth", Vec::<String>::new());
    admin.add_pat("ghp_secret_pat");
    let mut answers = Vec::new();
    for body in [
        json!({ "name": "app", "method": "github-app", "credentials":
            { "code": "code-app", "installationId": "31415926535", "instanceType": "server", "host": "ghe.example.com" } }),
        json!({ "name": "oauth", "method": "oauth", "credentials": { "code": "code-oauth" } }),
        json!({ "name": "pat", "method": "pat", "credentials": { "personalAccessToken": "ghp_secret_pat", "instanceType": "cloud" } }),
    ] {
        let (status, answer) = f.create(body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answers.push(answer);
    }
    let app = answers[0]["appConnection"].clone();
    assert_eq!(
        app["credentials"],
        json!({ "instanceType": "server", "host": "ghe.example.com" })
    );
    assert_eq!(answers[1]["appConnection"]["credentials"], json!({}));
    let id = app["id"].as_str().unwrap().to_owned();
    answers.push(f.call(Method::GET, CONNECTIONS, None).await.1);
    answers.push(
        f.call(Method::GET, &format!("{CONNECTIONS}/{id}"), None)
            .await
            .1,
    );
    answers.push(
        f.call(
            Method::GET,
            &format!("{CONNECTIONS}/connection-name/app"),
            None,
        )
        .await
        .1,
    );
    answers.push(
        f.call(
            Method::PATCH,
            &format!("{CONNECTIONS}/{id}"),
            Some(json!({ "description": "x" })),
        )
        .await
        .1,
    );
    answers.push(
        f.call(Method::DELETE, &format!("{CONNECTIONS}/{id}"), None)
            .await
            .1,
    );
    for answer in answers {
        let text = answer.to_string();
        for forbidden in [
            "code-app",
            "code-oauth",
            "31415926535",
            "ghp_secret_pat",
            "installationId",
            "personalAccessToken",
            "accessToken",
            "\"code\"",
        ] {
            assert!(!text.contains(forbidden), "{forbidden} in {text}");
        }
    }
    // The admin view shows the installation but never the PAT.
    let stored = admin.connections();
    assert!(
        stored
            .iter()
            .all(|c| !c.credentials.to_string().contains("ghp_secret_pat"))
    );
}

#[tokio::test]
async fn validation_failures_are_422_with_the_servers_zod_issues() {
    let f = Fixture::start().await;
    let pat = json!({ "personalAccessToken": "ghp_x" });

    let (status, body) = f
        .create(json!({ "name": "Bad_Name", "method": "pat", "credentials": pat, "description": "d".repeat(257) }))
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue(
                "name",
                "name field can only contain lowercase letters, numbers, and hyphens"
            ),
            issue("description", "Description cannot exceed 256 characters"),
        ]
    );

    let (status, body) = f
        .create(json!({ "name": "a".repeat(65), "method": "pat", "credentials": pat }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "name",
            "name field must be at most 64 lowercase characters"
        )]
    );
    let (status, body) = f
        .create(json!({ "name": "  ", "method": "pat", "credentials": pat }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "name",
            "name field must be at least 1 lowercase character"
        )]
    );
    for bad in ["a--b", "-a", "a-", "UPPER", "a b"] {
        let (status, body) = f
            .create(json!({ "name": bad, "method": "pat", "credentials": pat }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }

    let (status, body) = f
        .create(json!({ "name": "m", "method": "token", "credentials": pat }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "method",
            "Invalid discriminator value. Expected 'github-app' | 'oauth' | 'pat'"
        )]
    );

    // null for an `.optional()` field is refused; for a `.nullish()` one it is fine.
    let (status, body) = f
        .create(json!({ "name": "n", "method": "pat", "credentials": { "personalAccessToken": "ghp_x", "host": null }, "projectId": null }))
        .await;
    let found = issues(status, &body);
    assert!(
        found.contains(&issue("projectId", "Expected string, received null")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(path, _)| path == "credentials"),
        "{found:?}"
    );

    let (status, body) = f
        .create(json!({ "name": "n", "method": "pat", "credentials": { "personalAccessToken": "  ", "instanceType": "server", "host": "" } }))
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue(
                "credentials.personalAccessToken",
                "Personal Access Token required"
            ),
            issue(
                "credentials.host",
                "Host is required for server instance type"
            ),
        ]
    );
    let (status, body) = f
        .create(json!({ "name": "n", "method": "github-app", "credentials": { "code": "c", "installationId": "" }, "gatewayId": "nope" }))
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue(
                "credentials.installationId",
                "GitHub App Installation ID required"
            ),
            issue("gatewayId", "Invalid uuid"),
        ]
    );

    let (status, body) = f
        .call(Method::GET, &format!("{CONNECTIONS}/not-a-uuid"), None)
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("connectionId", "Invalid uuid")]
    );
    assert_eq!(f.emulator.admin().connection_count(), 0);
}

#[tokio::test]
async fn create_checks_project_gateway_and_name_as_the_server_does() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_pat("ghp_ok");
    let gateway = "3f9b8f4e-5d7c-4a8e-9b1a-2c3d4e5f6a7b";
    let pat = json!({ "personalAccessToken": "ghp_ok" });

    let (status, body) = f
        .create(json!({ "name": "p", "method": "pat", "credentials": pat, "projectId": "nope" }))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Could not find project with ID nope"
        )
    );
    let (status, body) = f
        .create(json!({ "name": "g", "method": "pat", "credentials": pat, "gatewayId": gateway }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&body),
        format!("Gateway with ID {gateway} not found for org")
    );

    admin.add_gateway(gateway);
    admin.add_project("proj");
    let (status, _) = f
        .create(
            json!({ "name": "same", "method": "pat", "credentials": pat, "gatewayId": gateway }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = f
        .create(json!({ "name": "same", "method": "pat", "credentials": pat }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "An App Connection with the name \"same\" already exists"
    );
    assert_eq!(body["error"], "BadRequest");
    // Another scope may reuse the name, and get-by-name looks in one scope only.
    let (status, _) = f
        .create(json!({ "name": "same", "method": "pat", "credentials": pat, "projectId": "proj" }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, org) = f
        .call(
            Method::GET,
            &format!("{CONNECTIONS}/connection-name/same"),
            None,
        )
        .await;
    assert_eq!(org["appConnection"]["projectId"], Value::Null);
    assert_eq!(org["appConnection"]["gatewayId"], gateway);
    let (_, project) = f
        .call(
            Method::GET,
            &format!("{CONNECTIONS}/connection-name/same?projectId=proj"),
            None,
        )
        .await;
    assert_eq!(project["appConnection"]["projectId"], "proj");
    let (_, listed) = f
        .call(Method::GET, &format!("{CONNECTIONS}?projectId=proj"), None)
        .await;
    assert_eq!(listed["appConnections"].as_array().unwrap().len(), 1);
    let (status, body) = f
        .call(
            Method::GET,
            &format!("{CONNECTIONS}/connection-name/absent"),
            None,
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            "Could not find App Connection with name absent in organization scope."
        )
    );
}

#[tokio::test]
async fn patch_is_partial_ignores_method_and_project_and_rechecks_credentials_format() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    let gateway = "0b6a9d8e-1c2f-4e3a-8b7c-6d5e4f3a2b1c";
    admin.add_gateway(gateway);
    admin.add_project("proj");
    let created = f.create_pat("partial", "ghp_p").await;
    let id = created["id"].as_str().unwrap();
    let path = format!("{CONNECTIONS}/{id}");

    let (status, body) = f
        .call(Method::PATCH, &path, Some(json!({ "description": "d", "gatewayId": gateway, "method": "oauth", "projectId": "proj" })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let updated = &body["appConnection"];
    assert_eq!(
        (updated["method"].as_str(), updated["projectId"].as_str()),
        (Some("pat"), None)
    );
    assert_eq!(updated["gatewayId"], gateway);

    let (_, body) = f.call(Method::PATCH, &path, Some(json!({}))).await;
    assert_eq!(
        body["appConnection"]["description"], "d",
        "absent means unchanged"
    );
    let (_, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "description": null, "gatewayId": null })),
        )
        .await;
    assert_eq!(body["appConnection"]["description"], Value::Null);
    assert_eq!(body["appConnection"]["gatewayId"], Value::Null);

    let (status, body) = f
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "credentials": { "code": "c", "installationId": "1" } })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "Invalid credential format for GitHub Connection with method Personal Access Token"
    );
    let (status, body) = f
        .call(Method::PATCH, &path, Some(json!({ "credentials": null })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn ids_of_missing_or_foreign_connections_get_the_servers_answers() {
    let f = Fixture::start().await;
    let gitlab = f
        .emulator
        .admin()
        .seed_connection(SeedConnection {
            app: "gitlab".into(),
            name: "lab".into(),
            method: "access-token".into(),
            project_id: None,
            credentials: Default::default(),
        })
        .unwrap();
    for method in [Method::GET, Method::DELETE, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| json!({ "name": "x" }));
        let (status, answer) = f
            .call(
                method.clone(),
                &format!("{CONNECTIONS}/{}", gitlab.id),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method}");
        assert_eq!(
            message(&answer),
            format!(
                "App Connection with ID {} is not for App \"github\"",
                gitlab.id
            )
        );
    }
    let missing = "6f1c0b8e-2d3a-4b5c-8d7e-9f0a1b2c3d4e";
    let (status, answer) = f
        .call(Method::GET, &format!("{CONNECTIONS}/{missing}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "NotFound");
    assert_eq!(
        message(&answer),
        format!("Could not find App Connection with ID {missing}")
    );
    let (status, _) = f.call(Method::GET, "/api/v1/no-such-route", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn auth_errors_match_the_server() {
    let f = Fixture::with(Config {
        token_ttl: Duration::from_secs(60),
        ..Config::default()
    })
    .await;
    let (status, body) = f.login("demo-client-id", "wrong").await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "Invalid credentials")
    );
    assert_eq!(body["error"], "UnauthorizedError");
    let (status, body) = f
        .raw(
            Method::POST,
            "/api/v1/auth/universal-auth/login",
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("clientId", "Required"),
            issue("clientSecret", "Required")
        ]
    );

    let (status, body) = f.raw(Method::GET, CONNECTIONS, None, None).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "Token missing")
    );
    let (status, body) = f.raw(Method::GET, CONNECTIONS, Some("forged"), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("TokenError"))
    );

    let (status, renewed) = f
        .raw(
            Method::POST,
            "/api/v1/auth/token/renew",
            None,
            Some(json!({ "accessToken": f.token })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["expiresIn"], 60);
    assert_eq!(renewed["tokenType"], "Bearer");
    assert_eq!(f.emulator.admin().counters().renewals, 1);

    f.emulator.admin().expire_tokens();
    let (status, body) = f.call(Method::GET, CONNECTIONS, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "TokenError");
    assert_eq!(
        message(&body),
        "Your token has expired. Please re-authenticate."
    );
    let counters = f.emulator.admin().counters();
    assert_eq!((counters.logins, counters.failed_logins), (1, 1));
}

#[tokio::test]
async fn oidc_and_kubernetes_logins_accept_declared_identities_only() {
    let f = Fixture::start().await;
    let url = f.emulator.url();
    // One identity declared through the Rust handle, one over HTTP.
    f.emulator
        .admin()
        .add_oidc_identity("oidc-id", "the-oidc-jwt");
    let declared = f
        .http
        .post(format!("{url}/__emulator/identities/kubernetes"))
        .json(&json!({ "identityId": "k8s-id", "jwt": "the-sa-token" }))
        .send()
        .await
        .unwrap();
    assert!(declared.status().is_success());
    let login = |path: &'static str, body: Value| f.raw(Method::POST, path, None, Some(body));
    for (path, id, jwt, unknown) in [
        (
            "/api/v1/auth/oidc-auth/login",
            "oidc-id",
            "the-oidc-jwt",
            "OIDC auth method not found for identity, did you configure OIDC auth?",
        ),
        (
            "/api/v1/auth/kubernetes-auth/login",
            "k8s-id",
            "the-sa-token",
            "Kubernetes auth method not found for identity, did you configure Kubernetes auth?",
        ),
    ] {
        let (status, body) = login(
            path,
            json!({ "identityId": id, "jwt": format!(" {jwt} "), "organizationSlug": "sub" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["tokenType"], "Bearer");
        let token = body["accessToken"].as_str().unwrap();
        let (status, _) = f.raw(Method::GET, CONNECTIONS, Some(token), None).await;
        assert_eq!(status, StatusCode::OK);

        let (status, body) = login(path, json!({ "identityId": id, "jwt": "forged" })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(!body.to_string().contains("forged"), "{body}");
        let (status, body) = login(path, json!({ "identityId": "nobody", "jwt": jwt })).await;
        assert_eq!((status, message(&body)), (StatusCode::NOT_FOUND, unknown));
        let (status, body) = login(path, json!({ "identityId": id })).await;
        assert_eq!(issues(status, &body), [issue("jwt", "Required")]);
    }
    let counters = f.emulator.admin().counters();
    // The fixture's own universal login, then one success and two refusals per method.
    assert_eq!((counters.logins, counters.failed_logins), (3, 4));
}

#[tokio::test]
async fn aws_login_decodes_the_request_as_infisical_and_hides_it_in_the_log() {
    let f = Fixture::start().await;
    let url = f.emulator.url();
    let declared = f
        .http
        .post(format!("{url}/__emulator/identities/aws"))
        .json(&json!({ "identityId": "aws-id", "accessKeyId": "AKID", "secretAccessKey": "s" }))
        .send()
        .await
        .unwrap();
    assert!(declared.status().is_success());
    let login = |body: Value| {
        f.raw(
            Method::POST,
            "/api/v1/auth/aws-auth/login",
            None,
            Some(body),
        )
    };
    // `iamRequestHeaders` decodes, but has no credential scope to take a region from.
    let (status, body) = login(json!({
        "identityId": "aws-id",
        "iamHttpRequestMethod": "POST",
        "iamRequestBody": "QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0wNi0xNQ==",
        "iamRequestHeaders": "eyJYLUFtei1EYXRlIjoiMjAyNjAxMDFUMDAwMDAwWiJ9",
    }))
    .await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::BAD_REQUEST, "Invalid AWS region")
    );
    // A forged signature is STS's to refuse.
    let headers = json!({
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, \
                          SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "Host": "sts.us-east-1.amazonaws.com",
        "X-Amz-Date": "20260101T000000Z",
    });
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(headers.to_string());
    let (status, body) = login(json!({
        "identityId": "aws-id",
        "iamRequestBody": "QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0wNi0xNQ==",
        "iamRequestHeaders": encoded,
    }))
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(message(&body).contains("AWS STS refused"), "{body}");
    let (status, body) = login(json!({
        "identityId": "someone-else",
        "iamRequestBody": "",
        "iamRequestHeaders": "",
    }))
    .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            "AWS auth method not found for identity, did you configure AWS auth?"
        )
    );
    let logged = f.emulator.admin().requests();
    let aws: Vec<_> = logged
        .iter()
        .filter(|r| r.path == "/api/v1/auth/aws-auth/login")
        .collect();
    assert_eq!(aws.len(), 3);
    assert!(
        aws.iter()
            .all(|r| r.body.as_ref().unwrap()["iamRequestHeaders"] == "***")
    );
}

#[tokio::test]
async fn faults_drop_connections_before_or_after_the_work() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_pat("ghp_f");
    let body = json!({ "name": "dropped", "method": "pat", "credentials": { "personalAccessToken": "ghp_f" } });

    admin.inject_fault(Fault::next(1, FaultAction::Drop).on("POST", CONNECTIONS));
    let sent = f
        .http
        .post(format!("{}{CONNECTIONS}", f.emulator.url()))
        .bearer_auth(&f.token)
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err(), "no answer expected: {sent:?}");
    assert_eq!(admin.connection_count(), 0);

    admin.inject_fault(Fault::next(1, FaultAction::DropAfterProcessing).on("POST", CONNECTIONS));
    let sent = f
        .http
        .post(format!("{}{CONNECTIONS}", f.emulator.url()))
        .bearer_auth(&f.token)
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err(), "no answer expected: {sent:?}");
    assert_eq!(admin.connection_count(), 1, "the work was done");

    let log = admin.requests();
    let posts: Vec<_> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == CONNECTIONS)
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|r| r.dropped));
    assert_eq!((posts[0].status, posts[1].status), (None, Some(200)));
    assert_eq!(
        posts[1].body.as_ref().unwrap()["credentials"]["personalAccessToken"],
        "***"
    );

    admin.inject_fault(Fault::next(1, FaultAction::rate_limited("7")));
    let response = f
        .http
        .get(format!("{}{CONNECTIONS}", f.emulator.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
}

#[tokio::test]
async fn the_admin_api_works_over_http() {
    let f = Fixture::start().await;
    let url = f.emulator.url();
    let post = |path: &str, body: Value| f.http.post(format!("{url}{path}")).json(&body).send();
    assert!(
        post("/__emulator/github/pats", json!({ "pat": "ghp_http" }))
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert!(
        post(
            "/__emulator/faults",
            json!({ "times": 1, "method": "GET", "action": { "kind": "status", "status": 503 } })
        )
        .await
        .unwrap()
        .status()
        .is_success()
    );
    let (status, _) = f.call(Method::GET, CONNECTIONS, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    f.create_pat("over-http", "ghp_http").await;
    let seeded = post(
        "/__emulator/connections",
        json!({ "app": "gitlab", "name": "lab", "method": "access-token" }),
    )
    .await
    .unwrap();
    assert_eq!(seeded.status(), StatusCode::CREATED);
    let connections: Value = f
        .http
        .get(format!("{url}/__emulator/connections"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(connections.as_array().unwrap().len(), 2);
    let counters: Value = f
        .http
        .get(format!("{url}/__emulator/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["logins"], 1);
    let requests: Value = f
        .http
        .get(format!("{url}/__emulator/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["path"].as_str().unwrap().starts_with("/__emulator"))
    );
    let expired = post("/__emulator/tokens/expire", json!({})).await.unwrap();
    assert!(expired.status().is_success());
    let (status, _) = f.call(Method::GET, CONNECTIONS, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_a_thousand_connections_and_serves_hundreds_of_requests_a_second() {
    let f = Fixture::with(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    let url = f.emulator.url().to_owned();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..20 {
        let (http, url, token) = (f.http.clone(), url.clone(), f.token.clone());
        tasks.spawn(async move {
            for i in 0..50 {
                let body = json!({ "name": format!("conn-{worker}-{i}"), "method": "pat",
                    "credentials": { "personalAccessToken": "ghp_load" } });
                let response = http
                    .post(format!("{url}{CONNECTIONS}"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(f.emulator.admin().connection_count(), 1000);
    let rate = 1000.0 / elapsed.as_secs_f64();
    eprintln!("1000 creates in {elapsed:?}: {rate:.0} requests/s");
    // A lenient floor: debug build, two cores shared with the other tests.
    assert!(rate > 100.0, "{rate:.0} requests/s");
    let (status, body) = f
        .call(
            Method::GET,
            &format!("{CONNECTIONS}/connection-name/conn-19-49"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
