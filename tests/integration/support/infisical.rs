//! The Infisical emulator for integration tests, on a runtime of its own so that tests can run
//! Terraform (a blocking child process) while it serves.

use infisical_emulator::{Admin, Config, Emulator, LoggedRequest};

use super::Workspace;

/// A running emulator.
pub struct Infisical {
    emulator: Option<Emulator>,
    runtime: tokio::runtime::Runtime,
    /// Setup and inspection.
    pub admin: Admin,
    /// The base URL.
    pub url: String,
}

impl Infisical {
    /// Starts an emulator with the default machine identity (`demo-client-id`/`demo-client-secret`)
    /// and no demo rules: tests declare every PAT and code they use.
    pub fn start() -> Self {
        Self::with(Config::default())
    }

    /// Starts an emulator with `config`.
    pub fn with(config: Config) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = runtime
            .block_on(Emulator::start(config))
            .expect("start the emulator");
        Self {
            admin: emulator.admin().clone(),
            url: emulator.url().to_owned(),
            emulator: Some(emulator),
            runtime,
        }
    }

    /// Points `ws` at this emulator with universal auth from the environment.
    pub fn configure(&self, ws: &mut Workspace) {
        super::secrets::remember("demo-client-secret");
        ws.env("INFISICAL_HOST", &self.url)
            .env("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", "demo-client-id")
            .env(
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
                "demo-client-secret",
            );
    }

    /// The API requests received (admin requests excluded), oldest first.
    pub fn api_requests(&self) -> Vec<LoggedRequest> {
        self.admin
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/"))
            .collect()
    }

    /// The API requests to app connection routes, as `METHOD path` lines.
    pub fn connection_calls(&self) -> Vec<String> {
        self.api_requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/v1/app-connections"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

impl Drop for Infisical {
    fn drop(&mut self) {
        // The emulator logs request bodies with secrets redacted: none may slip through.
        let log = serde_json::to_string(&self.admin.requests()).unwrap_or_default();
        if !std::thread::panicking() {
            super::secrets::assert_absent(&log, "the emulator's request log");
        }
        if let Some(emulator) = self.emulator.take() {
            self.runtime.block_on(emulator.stop());
        }
    }
}

impl Infisical {
    /// Creates a `pat` connection through the API (as someone in the UI would), returning it.
    pub fn create_pat_connection(
        &self,
        name: &str,
        project_id: Option<&str>,
    ) -> terraform_provider_infisical::infisical::AppConnection<
        terraform_provider_infisical::infisical::GitHub,
    > {
        use terraform_provider_infisical::infisical::{
            Auth, Client, ClientConfig, CreateAppConnection, GitHubCredentials, GitHubInstanceType,
        };
        let pat = super::secrets::remember(format!("ghp_ui_made_{name}"));
        self.admin.add_pat(pat.clone());
        let client = Client::new(ClientConfig::new(
            url::Url::parse(&self.url).unwrap(),
            Auth::universal("demo-client-id", "demo-client-secret"),
        ))
        .unwrap();
        let mut request = CreateAppConnection::new(
            name,
            GitHubCredentials::Pat {
                personal_access_token: pat.as_str().into(),
                instance_type: Some(GitHubInstanceType::Cloud),
                host: None,
            },
        );
        request.description = Some("made in the UI".to_owned());
        request.project_id = project_id.map(str::to_owned);
        self.runtime
            .block_on(client.github().create(&request))
            .unwrap()
    }
}

impl Infisical {
    /// Logs in with the default machine identity and returns its access token, for tests of
    /// token auth. The login shows in the counters and the request log.
    pub fn access_token(&self) -> String {
        let url = format!("{}/api/v1/auth/universal-auth/login", self.url);
        let body = serde_json::json!({
            "clientId": "demo-client-id",
            "clientSecret": "demo-client-secret",
        });
        let answer: serde_json::Value = self.runtime.block_on(async {
            reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        answer["accessToken"].as_str().unwrap().to_owned()
    }

    /// Sends an API request as the default machine identity would from outside Terraform (say,
    /// from the Infisical UI), logging in first, and returns the JSON answer. `path` includes
    /// the query.
    pub fn api_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> serde_json::Value {
        let token = self.access_token();
        let url = format!("{}{path}", self.url);
        self.runtime.block_on(async {
            let request = reqwest::Client::new()
                .request(method, url)
                .bearer_auth(token);
            let request = match body {
                Some(body) => request.json(body),
                None => request,
            };
            request.send().await.unwrap().json().await.unwrap()
        })
    }

    /// Sends an API request with `token` as its bearer (none: unauthenticated, as a login is),
    /// and returns the status and the JSON answer.
    pub fn call_as(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let url = format!("{}{path}", self.url);
        self.runtime.block_on(async {
            let mut request = reqwest::Client::new().request(method, url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let answer = request.send().await.unwrap();
            let status = answer.status().as_u16();
            (
                status,
                answer.json().await.unwrap_or(serde_json::Value::Null),
            )
        })
    }

    /// Waits up to 10 s until sync `id` has no queued or running job, as
    /// [`Admin::wait_for_sync`]: `Ok(Some(sync))`, `Ok(None)` when it is gone, `Err(sync)` as it
    /// was at the timeout.
    pub fn wait_for_sync(&self, id: &str) -> Result<Option<serde_json::Value>, serde_json::Value> {
        self.runtime.block_on(
            self.admin
                .wait_for_sync(id, std::time::Duration::from_secs(10)),
        )
    }
}
