//! Pins the emulator's fidelity to the real Infisical server over HTTP: credentialsHash
//! behaviour, single-use codes, sanitized answers, validation messages and the 422 shape, auth
//! errors, and the fault injection other tests rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use infisical_emulator::{
    Config, Fault, FaultAction, GitHubApp, Project, SeedConnection, SharedGitHubApp,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::{CONNECTIONS, Fixture, issue, issues, message, request};

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

    let (_, read) = f.get(&path).await;
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
    answers.push(f.get(CONNECTIONS).await.1);
    answers.push(f.get(&format!("{CONNECTIONS}/{id}")).await.1);
    answers.push(f.get(&format!("{CONNECTIONS}/connection-name/app")).await.1);
    answers.push(
        f.call(
            Method::PATCH,
            &format!("{CONNECTIONS}/{id}"),
            Some(json!({ "description": "x" })),
        )
        .await
        .1,
    );
    answers.push(f.delete(&format!("{CONNECTIONS}/{id}")).await.1);
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

    let (status, body) = f.get(&format!("{CONNECTIONS}/not-a-uuid")).await;
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
    let (_, org) = f.get(&format!("{CONNECTIONS}/connection-name/same")).await;
    assert_eq!(org["appConnection"]["projectId"], Value::Null);
    assert_eq!(org["appConnection"]["gatewayId"], gateway);
    let (_, project) = f
        .get(&format!(
            "{CONNECTIONS}/connection-name/same?projectId=proj"
        ))
        .await;
    assert_eq!(project["appConnection"]["projectId"], "proj");
    let (_, listed) = f.get(&format!("{CONNECTIONS}?projectId=proj")).await;
    assert_eq!(listed["appConnections"].as_array().unwrap().len(), 1);
    let (status, body) = f
        .get(&format!("{CONNECTIONS}/connection-name/absent"))
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
    let (status, answer) = f.get(&format!("{CONNECTIONS}/{missing}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "NotFound");
    assert_eq!(
        message(&answer),
        format!("Could not find App Connection with ID {missing}")
    );
    let (status, _) = f.get("/api/v1/no-such-route").await;
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
    let (status, body) = f.get(CONNECTIONS).await;
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
    // One identity declared through the Rust handle, one over HTTP.
    f.emulator
        .admin()
        .add_oidc_identity("oidc-id", "the-oidc-jwt");
    let declared = f
        .send(
            Method::POST,
            "/__emulator/identities/kubernetes",
            None,
            Some(json!({ "identityId": "k8s-id", "jwt": "the-sa-token" })),
        )
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
    let declared = f
        .send(
            Method::POST,
            "/__emulator/identities/aws",
            None,
            Some(json!({ "identityId": "aws-id", "accessKeyId": "AKID", "secretAccessKey": "s" })),
        )
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
        .send(
            Method::POST,
            CONNECTIONS,
            Some(&f.token),
            Some(body.clone()),
        )
        .await;
    assert!(sent.is_err(), "no answer expected: {sent:?}");
    assert_eq!(admin.connection_count(), 0);

    admin.inject_fault(Fault::next(1, FaultAction::DropAfterProcessing).on("POST", CONNECTIONS));
    let sent = f
        .send(
            Method::POST,
            CONNECTIONS,
            Some(&f.token),
            Some(body.clone()),
        )
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
    let response = f.send(Method::GET, CONNECTIONS, None, None).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
}

#[tokio::test]
async fn the_admin_api_works_over_http() {
    let f = Fixture::start().await;
    let post = |path: &'static str, body: Value| f.send(Method::POST, path, None, Some(body));
    let get = |path: &'static str| f.send(Method::GET, path, None, None);
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
    let (status, _) = f.get(CONNECTIONS).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    f.create_pat("over-http", "ghp_http").await;
    let seeded = post(
        "/__emulator/connections",
        json!({ "app": "gitlab", "name": "lab", "method": "access-token" }),
    )
    .await
    .unwrap();
    assert_eq!(seeded.status(), StatusCode::CREATED);
    let connections: Value = get("/__emulator/connections")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(connections.as_array().unwrap().len(), 2);
    let counters: Value = get("/__emulator/counters")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["logins"], 1);
    let requests: Value = get("/__emulator/requests")
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
    let (status, _) = f.get(CONNECTIONS).await;
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
                let response = request(
                    &http,
                    &url,
                    Method::POST,
                    CONNECTIONS,
                    Some(&token),
                    Some(body),
                )
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
        .get(&format!("{CONNECTIONS}/connection-name/conn-19-49"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// ----- the server as it is today (issue 13; research `infisical-api-2026.md` §1 and §2) -----

const GITHUB_APPS: &str = "/api/v1/github-apps";
const ORG_APP: &str = "0c3b2a19-8d7e-4f6a-9b5c-4d3e2f1a0b9c";
const PROJECT_APP: &str = "1d4c3b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d";
const POOL: &str = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const GATEWAY: &str = "6b5c4d3e-2f1a-4b0c-9d8e-7f6a5b4c3d2e";

/// A secret-manager project `proj` with a name and slug of its own.
fn project() -> Project {
    Project {
        name: "Payments".into(),
        slug: "payments-x1y2".into(),
        ..Project::new("proj")
    }
}

impl Fixture {
    async fn patch(&self, id: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, &format!("{CONNECTIONS}/{id}"), Some(body))
            .await
    }

    /// Creates a `github-app` connection with a fresh declared code and returns the answer.
    async fn create_app(&self, name: &str, code: &str, extra: Value) -> (StatusCode, Value) {
        self.emulator.admin().add_code(code, ["42"]);
        let mut body = json!({ "name": name, "method": "github-app",
            "credentials": { "code": code, "installationId": "42" } });
        for (key, value) in extra.as_object().unwrap() {
            match key.as_str() {
                "credentials" => {
                    for (k, v) in value.as_object().unwrap() {
                        body["credentials"][k] = v.clone();
                    }
                }
                _ => body[key] = value.clone(),
            }
        }
        self.create(body).await
    }
}

#[tokio::test]
async fn list_without_a_project_returns_every_connection_of_the_organization_with_its_project() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_project_details(project());
    admin.add_project("other");
    admin.add_pat("ghp_l");
    let pat = json!({ "personalAccessToken": "ghp_l" });
    for (name, project) in [
        ("b-org", None),
        ("a-proj", Some("proj")),
        ("c-other", Some("other")),
    ] {
        let mut body = json!({ "name": name, "method": "pat", "credentials": pat });
        if let Some(project) = project {
            body["projectId"] = project.into();
        }
        let (status, answer) = f.create(body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    // Another app's connection is never listed under GitHub.
    admin
        .seed_connection(SeedConnection {
            app: "gitlab".into(),
            name: "lab".into(),
            method: "access-token".into(),
            project_id: None,
            credentials: Default::default(),
        })
        .unwrap();

    let (status, body) = f.get(CONNECTIONS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = body["appConnections"].as_array().unwrap();
    let names: Vec<&str> = listed.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a-proj", "b-org", "c-other"]);
    assert_eq!(
        listed[0]["project"],
        json!({ "name": "Payments", "id": "proj", "type": "secret-manager", "slug": "payments-x1y2" })
    );
    assert_eq!(listed[1]["project"], Value::Null);
    assert_eq!(listed[2]["project"]["id"], "other");

    let (_, body) = f.get(&format!("{CONNECTIONS}?projectId=proj")).await;
    let listed = body["appConnections"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["project"]["name"], "Payments");
}

#[tokio::test]
async fn list_with_an_unknown_project_is_an_error_not_an_empty_list() {
    let f = Fixture::start().await;
    // The server fails the project permission check; its exact answer was not read, so this is
    // the answer it gives an unknown project on create.
    let (status, body) = f.get(&format!("{CONNECTIONS}?projectId=nope")).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Could not find project with ID nope"
        )
    );
    assert_eq!(body["error"], "BadRequest");
}

#[tokio::test]
async fn get_by_name_not_found_names_the_scope_it_looked_in() {
    let f = Fixture::start().await;
    f.emulator.admin().add_project("proj");
    let (status, body) = f
        .get(&format!("{CONNECTIONS}/connection-name/absent"))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            "Could not find App Connection with name absent in organization scope."
        )
    );
    let (status, body) = f
        .get(&format!(
            "{CONNECTIONS}/connection-name/absent?projectId=proj"
        ))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::NOT_FOUND,
            "Could not find App Connection with name absent in project scope."
        )
    );
}

#[tokio::test]
async fn reads_carry_the_project_and_writes_answer_the_bare_row() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_project_details(project());
    admin.add_pat("ghp_r");
    let pat = json!({ "personalAccessToken": "ghp_r" });
    let (_, created) = f
        .create(
            json!({ "name": "scoped", "method": "pat", "credentials": pat, "projectId": "proj" }),
        )
        .await;
    let scoped = created["appConnection"].clone();
    let org = f.create_pat("org-level", "ghp_r").await;
    let id = scoped["id"].as_str().unwrap();
    let org_id = org["id"].as_str().unwrap();

    for path in [
        format!("{CONNECTIONS}/{id}"),
        format!("{CONNECTIONS}/connection-name/scoped?projectId=proj"),
    ] {
        let (status, body) = f.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(
            body["appConnection"]["project"],
            project_summary(),
            "{path}"
        );
    }
    for path in [
        format!("{CONNECTIONS}/{org_id}"),
        format!("{CONNECTIONS}/connection-name/org-level"),
    ] {
        let (_, body) = f.get(&path).await;
        let read = body["appConnection"].as_object().unwrap();
        assert_eq!(read.get("project"), Some(&Value::Null), "{path}");
    }

    // Create, PATCH and DELETE answer with the row they wrote: nothing joined on.
    assert!(scoped.get("project").is_none(), "{scoped}");
    assert!(org.get("project").is_none(), "{org}");
    let (_, patched) = f.patch(id, json!({ "description": "d" })).await;
    assert!(
        patched["appConnection"].get("project").is_none(),
        "{patched}"
    );
    let (_, deleted) = f.delete(&format!("{CONNECTIONS}/{id}")).await;
    assert!(
        deleted["appConnection"].get("project").is_none(),
        "{deleted}"
    );
}

fn project_summary() -> Value {
    json!({ "name": "Payments", "id": "proj", "type": "secret-manager", "slug": "payments-x1y2" })
}

#[tokio::test]
async fn a_gateway_without_the_plan_is_refused_on_create_before_the_lookup() {
    let f = Fixture::with(Config {
        gateway_license: false,
        ..Config::default()
    })
    .await;
    let admin = f.emulator.admin();
    admin.add_pat("ghp_g");
    let pat = json!({ "personalAccessToken": "ghp_g" });
    let unknown = "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f";
    let (status, body) = f
        .create(json!({ "name": "g", "method": "pat", "credentials": pat, "gatewayId": unknown }))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Your current plan does not support gateway usage with app connections. Please \
             upgrade your plan or contact Infisical Sales for assistance."
        )
    );
    assert_eq!(body["error"], "BadRequest");
    // `gatewayId: null` names no gateway, so the plan does not matter.
    let (status, _) = f
        .create(json!({ "name": "g", "method": "pat", "credentials": pat, "gatewayId": null }))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The server checks the plan on create only: a PATCH goes straight to the lookup.
    let id = admin.connections()[0].id.clone();
    let (status, body) = f.patch(&id, json!({ "gatewayId": unknown })).await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::NOT_FOUND,
            format!("Gateway with ID {unknown} not found for org")
        )
    );

    admin.set_gateway_license(true);
    let (status, body) = f
        .create(json!({ "name": "h", "method": "pat", "credentials": pat, "gatewayId": unknown }))
        .await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::NOT_FOUND,
            format!("Gateway with ID {unknown} not found for org")
        )
    );
}

#[tokio::test]
async fn rotation_and_auto_rotation_are_not_github_features() {
    let f = Fixture::start().await;
    f.emulator.admin().add_pat("ghp_rot");
    let pat = json!({ "personalAccessToken": "ghp_rot" });

    let (status, body) = f
        .create(json!({ "name": "r", "method": "pat", "credentials": pat, "rotation": {} }))
        .await;
    assert_eq!(issues(status, &body), [issue("rotation", "Invalid input")]);
    let refusal = &body["message"][0];
    assert_eq!(refusal["code"], "invalid_union");
    let branches: Vec<(&str, &str)> = refusal["unionErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let issue = &e["issues"][0];
            (
                issue["expected"].as_str().unwrap(),
                issue["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        branches,
        [
            ("undefined", "Not supported for GitHub Connections"),
            ("null", "Not supported for GitHub Connections"),
        ]
    );

    let (status, body) = f
        .create(json!({ "name": "r", "method": "pat", "credentials": pat, "isAutoRotationEnabled": true }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "isAutoRotationEnabled",
            "Not supported for GitHub Connections"
        )]
    );
    assert_eq!(f.emulator.admin().connection_count(), 0);

    let (status, body) = f
        .create(json!({ "name": "r", "method": "pat", "credentials": pat,
            "rotation": null, "isAutoRotationEnabled": false }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["appConnection"]["id"].as_str().unwrap().to_owned();

    let (status, body) = f
        .patch(&id, json!({ "rotation": { "rotationInterval": 30 } }))
        .await;
    assert_eq!(issues(status, &body), [issue("rotation", "Invalid input")]);
    let (status, body) = f.patch(&id, json!({ "isAutoRotationEnabled": true })).await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "isAutoRotationEnabled",
            "Not supported for GitHub Connections"
        )]
    );
    let (status, body) = f
        .patch(
            &id,
            json!({ "rotation": null, "isAutoRotationEnabled": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn patch_checks_the_connection_then_gateway_then_format_then_github_then_name() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_pat("ghp_order");
    f.create_pat("taken", "ghp_order").await;
    let target = f.create_pat("target", "ghp_order").await;
    let id = target["id"].as_str().unwrap();
    let unknown_gateway = "8d7e6f5a-4b3c-4d2e-9f0a-1b2c3d4e5f6a";
    let wrong_format = json!({ "code": "c", "installationId": "1" });

    // Everything wrong: the connection is looked up first.
    let missing = "6f1c0b8e-2d3a-4b5c-8d7e-9f0a1b2c3d4e";
    let (status, body) = f
        .patch(
            missing,
            json!({ "gatewayId": unknown_gateway, "credentials": wrong_format, "name": "taken" }),
        )
        .await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::NOT_FOUND,
            format!("Could not find App Connection with ID {missing}")
        )
    );
    // Then the gateway, before the credentials' format.
    let (status, body) = f
        .patch(
            id,
            json!({ "gatewayId": unknown_gateway, "credentials": wrong_format, "name": "taken" }),
        )
        .await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::NOT_FOUND,
            format!("Gateway with ID {unknown_gateway} not found for org")
        )
    );
    // Then the format, before the name.
    let (status, body) = f
        .patch(id, json!({ "credentials": wrong_format, "name": "taken" }))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Invalid credential format for GitHub Connection with method Personal Access Token"
        )
    );
    // Then GitHub, before the name.
    let (status, body) = f
        .patch(
            id,
            json!({ "credentials": { "personalAccessToken": "ghp_refused" }, "name": "taken" }),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Unable to validate Personal Access Token: verify token has proper permissions"
        )
    );
    // The name last: a code is spent even though the PATCH fails on the name.
    let (status, app) = f.create_app("app", "code-order", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{app}");
    admin.add_code("code-order-2", ["42"]);
    let (status, body) = f
        .patch(
            app["appConnection"]["id"].as_str().unwrap(),
            json!({ "credentials": { "code": "code-order-2", "installationId": "42" }, "name": "taken" }),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "An App Connection with the name \"taken\" already exists"
        )
    );
    assert!(admin.code_used("code-order-2"));
}

#[tokio::test]
async fn github_apps_list_the_shared_app_first_then_the_organizations_and_the_projects() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_project("proj");
    admin
        .add_github_app(GitHubApp {
            host: Some("ghe.corp.example".into()),
            instance_type: "server".into(),
            owner: Some("corp".into()),
            ..GitHubApp::new(ORG_APP, "corp-app")
        })
        .unwrap();
    admin
        .add_github_app(GitHubApp {
            project_id: Some("proj".into()),
            ..GitHubApp::new(PROJECT_APP, "team-app")
        })
        .unwrap();

    let (status, body) = f.raw(Method::GET, GITHUB_APPS, None, None).await;
    assert_eq!(
        (status, message(&body)),
        (StatusCode::UNAUTHORIZED, "Token missing")
    );

    let (status, body) = f.get(GITHUB_APPS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let apps = body["gitHubApps"].as_array().unwrap();
    assert_eq!(
        apps.len(),
        2,
        "the project's app is not listed without ?projectId"
    );
    let shared = SharedGitHubApp::default();
    assert_eq!(apps[0]["id"], Value::Null);
    assert_eq!(apps[0]["name"], shared.slug.as_str());
    assert_eq!(apps[0]["slug"], shared.slug.as_str());
    assert_eq!(apps[0]["appId"], shared.app_id.as_str());
    assert_eq!(apps[0]["instanceType"], Value::Null);
    let corp = &apps[1];
    assert_eq!(
        (
            corp["id"].as_str(),
            corp["name"].as_str(),
            corp["slug"].as_str(),
            corp["host"].as_str(),
            corp["instanceType"].as_str(),
            corp["owner"].as_str(),
        ),
        (
            Some(ORG_APP),
            Some("corp-app"),
            Some("corp-app"),
            Some("ghe.corp.example"),
            Some("server"),
            Some("corp"),
        )
    );
    assert!(corp["appId"].is_string() && corp["clientId"].is_string());
    assert_eq!(corp["projectId"], Value::Null);
    assert_eq!(corp["connectionCount"], 0);

    let (_, body) = f.get(&format!("{GITHUB_APPS}?projectId=proj")).await;
    let ids: Vec<&Value> = body["gitHubApps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [&Value::Null, &json!(ORG_APP), &json!(PROJECT_APP)]);
    let (status, body) = f.get(&format!("{GITHUB_APPS}?projectId=nope")).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Could not find project with ID nope"
        )
    );

    // Connections are counted per app.
    let (status, body) = f
        .create_app(
            "via-corp",
            "code-count",
            json!({ "credentials": { "gitHubAppId": ORG_APP } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = f.get(GITHUB_APPS).await;
    assert_eq!(body["gitHubApps"][0]["connectionCount"], 0);
    assert_eq!(body["gitHubApps"][1]["connectionCount"], 1);
}

#[tokio::test]
async fn without_a_shared_app_none_is_listed_and_a_connection_must_name_one() {
    let f = Fixture::with(Config {
        shared_github_app: None,
        ..Config::default()
    })
    .await;
    let admin = f.emulator.admin();
    admin
        .add_github_app(GitHubApp::new(ORG_APP, "corp-app"))
        .unwrap();
    let (_, body) = f.get(GITHUB_APPS).await;
    let ids: Vec<&Value> = body["gitHubApps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [&json!(ORG_APP)]);

    let (status, body) = f.create_app("shared", "code-shared", json!({})).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(body["error"], "InternalServerError");
    assert!(
        message(&body).starts_with(
            "GitHub App environment variables have not been configured. Missing: \
             INF_APP_CONNECTION_GITHUB_APP_ID"
        ),
        "{body}"
    );
    assert!(
        !admin.code_used("code-shared"),
        "refused before the code is spent"
    );
    let (status, body) = f
        .create_app(
            "named",
            "code-named",
            json!({ "credentials": { "gitHubAppId": ORG_APP } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_github_app_id_binds_the_connection_to_the_apps_host_and_instance_type() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin
        .add_github_app(GitHubApp {
            host: Some("ghe.corp.example".into()),
            instance_type: "server".into(),
            ..GitHubApp::new(ORG_APP, "corp-app")
        })
        .unwrap();
    let (status, body) = f
        .create_app(
            "bound",
            "code-bound",
            json!({ "credentials": { "gitHubAppId": ORG_APP, "host": "sent.example", "instanceType": "cloud" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expected =
        json!({ "instanceType": "server", "host": "ghe.corp.example", "gitHubAppId": ORG_APP });
    assert_eq!(body["appConnection"]["credentials"], expected);
    let id = body["appConnection"]["id"].as_str().unwrap().to_owned();
    let (_, read) = f.get(&format!("{CONNECTIONS}/{id}")).await;
    assert_eq!(read["appConnection"]["credentials"], expected);
    assert_eq!(
        admin.connection(&id).unwrap().credentials["gitHubAppId"],
        ORG_APP
    );

    // The code was exchanged (with that app) once: it cannot be used again.
    assert!(admin.code_used("code-bound"));
    let (status, body) = f
        .patch(
            &id,
            json!({ "credentials": { "code": "code-bound", "installationId": "42", "gitHubAppId": ORG_APP } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).contains("bad_verification_code"), "{body}");

    // An app on github.com leaves no host; without gitHubAppId the shared app is used again and
    // the stored id is null, so answers carry none.
    admin
        .add_github_app(GitHubApp::new(PROJECT_APP, "dotcom-app"))
        .unwrap();
    admin.add_code("code-rebind", ["42"]);
    let (status, body) = f
        .patch(
            &id,
            json!({ "credentials": { "code": "code-rebind", "installationId": "42", "gitHubAppId": PROJECT_APP, "host": "sent.example" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["appConnection"]["credentials"],
        json!({ "instanceType": "cloud", "gitHubAppId": PROJECT_APP })
    );
    admin.add_code("code-shared", ["42"]);
    let (_, body) = f
        .patch(
            &id,
            json!({ "credentials": { "code": "code-shared", "installationId": "42" } }),
        )
        .await;
    assert_eq!(body["appConnection"]["credentials"], json!({}));
    assert_eq!(
        admin.connection(&id).unwrap().credentials["gitHubAppId"],
        Value::Null
    );
}

#[tokio::test]
async fn an_unknown_github_app_id_is_refused_before_the_code_is_spent() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_project("proj");
    admin.add_project("other");
    admin
        .add_github_app(GitHubApp {
            project_id: Some("proj".into()),
            ..GitHubApp::new(PROJECT_APP, "team-app")
        })
        .unwrap();
    let (status, body) = f
        .create_app(
            "a",
            "code-unknown",
            json!({ "credentials": { "gitHubAppId": ORG_APP } }),
        )
        .await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::BAD_REQUEST,
            format!("GitHub App with id {ORG_APP} not found in this organization.")
        )
    );
    assert!(!admin.code_used("code-unknown"));
    // A project's app serves that project only.
    let (status, body) = f
        .create_app(
            "b",
            "code-other",
            json!({ "projectId": "other", "credentials": { "gitHubAppId": PROJECT_APP } }),
        )
        .await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::BAD_REQUEST,
            format!("GitHub App with id {PROJECT_APP} not found in this project.")
        )
    );
    let (status, body) = f
        .create_app(
            "c",
            "code-org",
            json!({ "credentials": { "gitHubAppId": PROJECT_APP } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = f
        .create_app(
            "d",
            "code-proj",
            json!({ "projectId": "proj", "credentials": { "gitHubAppId": PROJECT_APP } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // It is a uuid, and only `github-app` credentials have it: `oauth` and `pat` strip it.
    let (status, body) = f
        .create_app(
            "e",
            "code-uuid",
            json!({ "credentials": { "gitHubAppId": "corp-app" } }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("credentials.gitHubAppId", "Invalid uuid")]
    );
    admin.add_pat("ghp_strip");
    let (status, body) = f
        .create(json!({ "name": "f", "method": "pat",
            "credentials": { "personalAccessToken": "ghp_strip", "gitHubAppId": ORG_APP } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["appConnection"]["id"].as_str().unwrap();
    assert!(
        admin
            .connection(id)
            .unwrap()
            .credentials
            .get("gitHubAppId")
            .is_none()
    );
}

#[tokio::test]
async fn gateway_pools_are_checked_stored_and_exclusive_with_gateways() {
    let f = Fixture::start().await;
    let admin = f.emulator.admin();
    admin.add_pat("ghp_pool");
    admin.add_gateway(GATEWAY);
    let pat = json!({ "personalAccessToken": "ghp_pool" });
    let with = |name: &str, extra: Value| {
        let mut body = json!({ "name": name, "method": "pat", "credentials": pat });
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };

    let (status, body) = f
        .create(with(
            "both",
            json!({ "gatewayId": GATEWAY, "gatewayPoolId": POOL }),
        ))
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Cannot specify both a gateway and a gateway pool"
        )
    );
    let (status, body) = f
        .create(with("unknown", json!({ "gatewayPoolId": POOL })))
        .await;
    assert_eq!(
        (status, message(&body).to_owned()),
        (
            StatusCode::NOT_FOUND,
            format!("Gateway pool with ID {POOL} not found")
        )
    );
    assert_eq!(body["error"], "NotFound");
    let (status, body) = f
        .create(with("bad", json!({ "gatewayPoolId": "pool-1" })))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("gatewayPoolId", "Invalid uuid")]
    );

    admin.add_gateway_pool(POOL);
    let (status, body) = f
        .create(with(
            "pooled",
            json!({ "gatewayPoolId": POOL, "gatewayId": null }),
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let connection = &body["appConnection"];
    assert_eq!(
        (&connection["gatewayPoolId"], &connection["gatewayId"]),
        (&json!(POOL), &Value::Null)
    );
    let id = connection["id"].as_str().unwrap().to_owned();
    let (_, read) = f.get(&format!("{CONNECTIONS}/{id}")).await;
    assert_eq!(read["appConnection"]["gatewayPoolId"], POOL);
    assert_eq!(
        admin.connection(&id).unwrap().gateway_pool_id.as_deref(),
        Some(POOL)
    );

    // On PATCH, both is refused before the connection is even looked up; attaching one
    // detaches the other; clearing one leaves the other alone.
    let missing = "6f1c0b8e-2d3a-4b5c-8d7e-9f0a1b2c3d4e";
    let (status, body) = f
        .patch(
            missing,
            json!({ "gatewayId": GATEWAY, "gatewayPoolId": POOL }),
        )
        .await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Cannot specify both a gateway and a gateway pool"
        )
    );
    let (_, body) = f.patch(&id, json!({ "gatewayId": null })).await;
    assert_eq!(body["appConnection"]["gatewayPoolId"], POOL);
    let (_, body) = f.patch(&id, json!({ "gatewayId": GATEWAY })).await;
    assert_eq!(
        (
            &body["appConnection"]["gatewayId"],
            &body["appConnection"]["gatewayPoolId"]
        ),
        (&json!(GATEWAY), &Value::Null)
    );
    let (_, body) = f.patch(&id, json!({ "gatewayPoolId": POOL })).await;
    assert_eq!(
        (
            &body["appConnection"]["gatewayId"],
            &body["appConnection"]["gatewayPoolId"]
        ),
        (&Value::Null, &json!(POOL))
    );
    let (_, body) = f.patch(&id, json!({ "gatewayPoolId": null })).await;
    assert_eq!(body["appConnection"]["gatewayPoolId"], Value::Null);

    // A plan without pools refuses a pool before looking it up.
    admin.set_gateway_pool_license(false);
    let (status, body) = f.patch(&id, json!({ "gatewayPoolId": POOL })).await;
    assert_eq!(
        (status, message(&body)),
        (
            StatusCode::BAD_REQUEST,
            "Your current plan does not support gateway pools. Please upgrade to an Enterprise plan."
        )
    );
}

#[tokio::test]
async fn the_github_app_gateway_pool_project_and_license_fixtures_work_over_http() {
    let f = Fixture::start().await;
    let send =
        |method: Method, path: &'static str, body: Option<Value>| f.send(method, path, None, body);
    for (path, body) in [
        (
            "/__emulator/github/apps",
            json!({ "id": ORG_APP, "name": "corp-app", "host": "ghe.corp.example", "instanceType": "server" }),
        ),
        ("/__emulator/gateway-pools", json!({ "id": POOL })),
        (
            "/__emulator/projects",
            json!({ "id": "proj", "name": "Payments", "slug": "payments-x1y2" }),
        ),
    ] {
        let response = send(Method::POST, path, Some(body)).await.unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
    }
    let refused = send(
        Method::POST,
        "/__emulator/github/apps",
        Some(json!({ "id": "not-a-uuid", "name": "x" })),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let shared = json!({ "appId": "42", "slug": "acme-shared", "host": "github.acme.example" });
    let response = send(Method::PUT, "/__emulator/github/shared-app", Some(shared))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, body) = f.get(GITHUB_APPS).await;
    assert_eq!(body["gitHubApps"][0]["slug"], "acme-shared");
    assert_eq!(body["gitHubApps"][1]["host"], "ghe.corp.example");
    // The shared app's host, when the instance sets one, is the host its connections get.
    f.emulator.admin().add_code("code-http", ["42"]);
    let (status, body) = f
        .create(json!({ "name": "shared-host", "method": "github-app",
            "credentials": { "code": "code-http", "installationId": "42", "host": "sent.example" },
            "projectId": "proj", "gatewayPoolId": POOL }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["appConnection"]["credentials"]["host"],
        "github.acme.example"
    );
    let id = body["appConnection"]["id"].as_str().unwrap().to_owned();
    let (_, read) = f.get(&format!("{CONNECTIONS}/{id}")).await;
    assert_eq!(read["appConnection"]["project"], project_summary());

    let response = send(Method::DELETE, "/__emulator/github/shared-app", None)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, body) = f.get(GITHUB_APPS).await;
    assert_eq!(body["gitHubApps"].as_array().unwrap().len(), 1);

    let response = send(
        Method::PUT,
        "/__emulator/license",
        Some(json!({ "gateway": false })),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    f.emulator.admin().add_pat("ghp_http");
    let (status, body) = f
        .create(json!({ "name": "gw", "method": "pat", "credentials": { "personalAccessToken": "ghp_http" },
            "gatewayId": GATEWAY }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).starts_with("Your current plan does not support gateway usage"));
}
