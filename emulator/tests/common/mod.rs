//! What every emulator test starts from: an emulator on `127.0.0.1:0` with a logged-in HTTP
//! client, the one way to send it a request, and the readers of the server's error shapes.
// Each test crate compiles this module on its own and uses only a part of it.
#![allow(dead_code)]

use infisical_emulator::{Admin, Config, Emulator};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The GitHub app connections' route.
pub const CONNECTIONS: &str = "/api/v1/app-connections/github";

/// An emulator and a logged-in HTTP client for it. Test files add their own helpers in
/// `impl Fixture` blocks of their own.
pub struct Fixture {
    pub emulator: Emulator,
    pub http: reqwest::Client,
    /// The access token of the demo identity's universal-auth login.
    pub token: String,
}

impl Fixture {
    pub async fn start() -> Self {
        Self::with(Config::default()).await
    }

    pub async fn with(config: Config) -> Self {
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

    pub fn admin(&self) -> &Admin {
        self.emulator.admin()
    }

    pub async fn login(&self, id: &str, secret: &str) -> (StatusCode, Value) {
        self.raw(
            Method::POST,
            "/api/v1/auth/universal-auth/login",
            None,
            Some(json!({ "clientId": id, "clientSecret": secret })),
        )
        .await
    }

    /// Sends `method` to `path`, with `token` as the bearer token and `body` as JSON when given;
    /// the answer as it came, or the failure to get one (a dropped connection).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Result<reqwest::Response> {
        request(&self.http, self.emulator.url(), method, path, token, body)
            .send()
            .await
    }

    /// Sends as [`Fixture::send`] does, and reads the answer: its status, its JSON body (or the
    /// text, when it is not JSON) and its headers.
    pub async fn raw_with_headers(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, HeaderMap) {
        let response = self.send(method, path, token, body).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body, headers)
    }

    /// [`Fixture::raw_with_headers`] without the headers.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, body, _) = self.raw_with_headers(method, path, token, body).await;
        (status, body)
    }

    /// Sends as the logged-in identity.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.raw(method, path, Some(&self.token), body).await
    }

    /// GETs `path` as the logged-in identity.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// DELETEs `path` as the logged-in identity.
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Creates a GitHub app connection from `body`.
    pub async fn create(&self, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, CONNECTIONS, Some(body)).await
    }

    /// Creates a PAT connection and returns it.
    pub async fn create_pat(&self, name: &str, pat: &str) -> Value {
        self.admin().add_pat(pat);
        let (status, body) = self
            .create(json!({ "name": name, "method": "pat", "credentials": { "personalAccessToken": pat } }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["appConnection"].clone()
    }
}

/// The one place these tests build a request to the emulator at `base`: `method` to `path`, with
/// `token` as the bearer token and `body` as JSON when given. A free function so that spawned
/// tasks, which cannot borrow the fixture, build theirs the same way.
pub fn request(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::RequestBuilder {
    let mut request = http.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request
}

/// An error answer's `message`, or `""`.
pub fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

/// `(path, message)` of each zod issue of a 422 body, which must have the ValidationFailure shape.
/// A path's array indices are written as numbers (`items.0`).
pub fn issues(status: StatusCode, body: &Value) -> Vec<(String, String)> {
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
                .map(|p| match p {
                    Value::String(key) => key.clone(),
                    Value::Number(index) => index.to_string(),
                    other => panic!("a zod path holds keys and indices, not {other}"),
                })
                .collect();
            (
                path.join("."),
                issue["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// An expected issue, as [`issues`] returns them.
pub fn issue(path: &str, message: &str) -> (String, String) {
    (path.to_owned(), message.to_owned())
}
