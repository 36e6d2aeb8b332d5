//! The emulator's state and the server-side logic of each route: tokens, app connections (stored
//! with a randomized "ciphertext" so `credentialsHash` behaves like the real one), the simulated
//! GitHub side, injected faults, the request log and counters. Everything sits behind one mutex
//! that is never held across an `.await`.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::clock::now_iso;
use crate::error::{ApiError, TOKEN_EXPIRED, TOKEN_MALFORMED};
use crate::faults::ActiveFault;
use crate::github::model::GitHubServer;
use crate::schema::connection::{self as github, CreateInput, GitHubSide, Method, UpdateInput};
use crate::store::aws::AwsServices;
use crate::store::connections::{Connection, Connections, Project, StoredConnection};
use crate::store::github_apps::{self, GitHubApps};
use crate::store::log::{Counters, RequestLog};
use crate::store::secrets::SecretsStore;
use crate::store::syncs::{SyncStore, SyncTiming};
use crate::sts::{self, AwsKey, Refusal};

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) token_ttl: Duration,
    pub(crate) token_max_ttl: Duration,
    pub(crate) org_id: String,
}

/// State shared by the server and every [`crate::Admin`] handle.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    state: Mutex<State>,
    /// Whether queued sync jobs wait before they start (an admin switch for observing `pending`).
    pub(crate) sync_paused: tokio::sync::watch::Sender<bool>,
    /// Whether attempts wait once they hold their sync's lock, before they read anything.
    pub(crate) sync_hold_attempts: tokio::sync::watch::Sender<bool>,
    /// Whether jobs wait between attempts (lock released) before their next attempt.
    pub(crate) sync_hold_retries: tokio::sync::watch::Sender<bool>,
    /// Bumped whenever a sync job changes phase or ends, so waiters re-check without polling.
    pub(crate) sync_done: tokio::sync::watch::Sender<u64>,
}

/// What the organization's plan allows (a self-hosted instance without a license has neither).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Licenses {
    /// `plan.gateway`: gateways on app connections.
    pub(crate) gateway: bool,
    /// `plan.gatewayPool`: gateway pools.
    pub(crate) gateway_pool: bool,
}

impl Default for Licenses {
    fn default() -> Self {
        Self {
            gateway: true,
            gateway_pool: true,
        }
    }
}

impl Shared {
    pub(crate) fn new(
        settings: Settings,
        github: GitHubSide,
        github_apps: GitHubApps,
        licenses: Licenses,
        sync_timing: SyncTiming,
    ) -> Self {
        let demo = github.demo();
        Self {
            settings,
            state: Mutex::new(State {
                github,
                github_server: GitHubServer::new(demo),
                github_apps,
                licenses,
                syncs: SyncStore::new(sync_timing),
                ..State::default()
            }),
            sync_paused: tokio::sync::watch::channel(false).0,
            sync_hold_attempts: tokio::sync::watch::channel(false).0,
            sync_hold_retries: tokio::sync::watch::channel(false).0,
            sync_done: tokio::sync::watch::channel(0).0,
        }
    }

    /// Locks the state. A panic while holding the lock cannot leave it half-updated in a way
    /// that matters to an emulator, so poisoning is ignored rather than propagated.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An issued access token.
#[derive(Debug, Clone)]
struct Token {
    /// The machine identity it was issued to (the rate limit's key).
    identity: String,
    expires_at: Instant,
    /// Renewals cannot extend the token past this (the identity's `accessTokenMaxTTL`).
    max_expires_at: Instant,
    /// Set by [`State::expire_tokens`]: the token is treated as past its `exp`.
    expired: bool,
    /// Set by [`State::revoke_tokens`].
    revoked: bool,
}

impl Token {
    fn is_expired(&self) -> bool {
        self.expired || Instant::now() >= self.expires_at
    }
}

/// Everything mutable.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) connections: Connections,
    tokens: HashMap<String, Token>,
    /// Machine identities with OIDC auth: identity id → the JWTs that log it in.
    oidc: HashMap<String, HashSet<String>>,
    /// Machine identities with Kubernetes auth: identity id → the service account tokens.
    kubernetes: HashMap<String, HashSet<String>>,
    /// Machine identities with AWS auth: identity id → the AWS access keys STS accepts.
    aws: HashMap<String, Vec<AwsKey>>,
    pub(crate) github: GitHubSide,
    /// The GitHub that syncs write to (repositories, Actions secrets, grants).
    pub(crate) github_server: GitHubServer,
    /// Projects' environments, folders and secrets: what syncs read.
    pub(crate) secrets: SecretsStore,
    /// Secret syncs and their job machinery.
    pub(crate) syncs: SyncStore,
    /// The stand-ins for AWS's credential services.
    pub(crate) aws_services: AwsServices,
    /// Projects by id.
    pub(crate) projects: HashMap<String, Project>,
    pub(crate) gateways: HashSet<String>,
    pub(crate) gateway_pools: HashSet<String>,
    pub(crate) github_apps: GitHubApps,
    pub(crate) licenses: Licenses,
    pub(crate) faults: Vec<ActiveFault>,
    pub(crate) latency: Duration,
    pub(crate) rate_limit: Option<crate::rate_limit::RateLimit>,
    /// The identity is a member of projects, not of the organization: an organization-wide
    /// list is refused (403), per-project lists are not.
    pub(crate) projects_only: bool,
    pub(crate) log: RequestLog,
    pub(crate) counters: Counters,
}

impl State {
    // ----- auth -----

    fn issue_token(
        &mut self,
        settings: &Settings,
        identity: &str,
        max_expires_at: Option<Instant>,
    ) -> Value {
        let now = Instant::now();
        let max_expires_at = max_expires_at.unwrap_or(now + settings.token_max_ttl);
        let expires_at = (now + settings.token_ttl).min(max_expires_at);
        let token = format!(
            "emu.{}.{}",
            uuid::Uuid::new_v4().simple(),
            hex::encode(rand::rng().random::<[u8; 16]>())
        );
        self.tokens.insert(
            token.clone(),
            Token {
                identity: identity.to_owned(),
                expires_at,
                max_expires_at,
                expired: false,
                revoked: false,
            },
        );
        json!({
            "accessToken": token,
            "expiresIn": expires_at.saturating_duration_since(now).as_secs(),
            "accessTokenMaxTTL": settings.token_max_ttl.as_secs(),
            "tokenType": "Bearer",
        })
    }

    /// Universal-auth login with validated, trimmed credentials.
    pub(crate) fn login(
        &mut self,
        settings: &Settings,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Value, ApiError> {
        if client_id != settings.client_id || client_secret != settings.client_secret {
            self.counters.failed_logins += 1;
            return Err(ApiError::unauthorized("Invalid credentials"));
        }
        self.counters.logins += 1;
        Ok(self.issue_token(settings, client_id, None))
    }

    /// Declares an identity that logs in with OIDC auth and `jwt`.
    pub(crate) fn add_oidc_identity(&mut self, identity_id: String, jwt: String) {
        self.oidc.entry(identity_id).or_default().insert(jwt);
    }

    /// Declares an identity that logs in with Kubernetes auth and `token`.
    pub(crate) fn add_kubernetes_identity(&mut self, identity_id: String, token: String) {
        self.kubernetes
            .entry(identity_id)
            .or_default()
            .insert(token);
    }

    /// Declares an identity that logs in with AWS auth, signing with `key`.
    pub(crate) fn add_aws_identity(&mut self, identity_id: String, key: AwsKey) {
        self.aws.entry(identity_id).or_default().push(key);
    }

    /// OIDC login with a validated body. The real server verifies the JWT against the
    /// provider's JWKS; here a JWT is valid when it was declared for the identity.
    pub(crate) fn oidc_login(
        &mut self,
        settings: &Settings,
        identity_id: &str,
        jwt: &str,
    ) -> Result<Value, ApiError> {
        let outcome = match self.oidc.get(identity_id) {
            None => Err(ApiError::not_found(
                "OIDC auth method not found for identity, did you configure OIDC auth?",
            )),
            Some(jwts) if !jwts.contains(jwt) => Err(ApiError::unauthorized(
                "Access denied: Unable to verify JWT signature with any available signing key. \
                 invalid signature",
            )),
            Some(_) => Ok(()),
        };
        self.finish_login(settings, identity_id, outcome)
    }

    /// Kubernetes login with a validated body. The real server asks the cluster's TokenReview
    /// API; here a token is valid when it was declared for the identity.
    pub(crate) fn kubernetes_login(
        &mut self,
        settings: &Settings,
        identity_id: &str,
        jwt: &str,
    ) -> Result<Value, ApiError> {
        let outcome = match self.kubernetes.get(identity_id) {
            None => Err(ApiError::not_found(
                "Kubernetes auth method not found for identity, did you configure Kubernetes auth?",
            )),
            Some(tokens) if !tokens.contains(jwt) => {
                Err(ApiError::unauthorized("Kubernetes token not authenticated"))
            }
            Some(_) => Ok(()),
        };
        self.finish_login(settings, identity_id, outcome)
    }

    /// AWS login with a validated body: Infisical's decoding, then STS's signature check (see
    /// [`crate::sts`]). An STS refusal is answered 401, an undecodable request 400.
    pub(crate) fn aws_login(
        &mut self,
        settings: &Settings,
        identity_id: &str,
        method: &str,
        body: &str,
        headers: &str,
    ) -> Result<Value, ApiError> {
        let outcome = match self.aws.get(identity_id) {
            None => Err(ApiError::not_found(
                "AWS auth method not found for identity, did you configure AWS auth?",
            )),
            Some(keys) => sts::verify(method, body, headers, keys, OffsetDateTime::now_utc())
                .map_err(|refusal| match refusal {
                    Refusal::Infisical(message) => ApiError::bad_request(message),
                    Refusal::Sts(code, message) => ApiError::unauthorized(format!(
                        "Access denied: AWS STS refused the signed GetCallerIdentity request: \
                         {code}: {message}"
                    )),
                }),
        };
        self.finish_login(settings, identity_id, outcome)
    }

    /// Counts a login and issues its token, or counts the refusal.
    fn finish_login(
        &mut self,
        settings: &Settings,
        identity_id: &str,
        outcome: Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        match outcome {
            Ok(()) => {
                self.counters.logins += 1;
                Ok(self.issue_token(settings, identity_id, None))
            }
            Err(error) => {
                self.counters.failed_logins += 1;
                Err(error)
            }
        }
    }

    /// `POST /api/v1/auth/token/renew`: a new token, never past the original's max TTL.
    pub(crate) fn renew(
        &mut self,
        settings: &Settings,
        access_token: &str,
    ) -> Result<Value, ApiError> {
        let token = self.check_token(access_token)?;
        if Instant::now() + Duration::from_secs(1) >= token.max_expires_at {
            return Err(ApiError::unauthorized(
                "Failed to renew MI access token due to Max TTL expiration",
            ));
        }
        self.counters.renewals += 1;
        Ok(self.issue_token(settings, &token.identity, Some(token.max_expires_at)))
    }

    fn check_token(&self, token: &str) -> Result<Token, ApiError> {
        let Some(record) = self.tokens.get(token) else {
            return Err(ApiError::token_error(TOKEN_MALFORMED));
        };
        // `jwt.verify` runs before the database lookup, so expiry wins over revocation.
        if record.is_expired() {
            return Err(ApiError::token_error(TOKEN_EXPIRED));
        }
        if record.revoked {
            return Err(ApiError::unauthorized("No identity access token found"));
        }
        Ok(record.clone())
    }

    /// Checks the `Authorization` header as Infisical's `extractAuth` does: it drops the first
    /// seven characters without looking at them, so anything but `Bearer <token>` fails.
    pub(crate) fn authenticate(&self, header: Option<&str>) -> Result<(), ApiError> {
        let Some(header) = header else {
            return Err(ApiError::unauthorized("Token missing"));
        };
        self.check_token(header.get(7..).unwrap_or_default())
            .map(|_| ())
    }

    /// The identity a bearer `Authorization` header belongs to, if its token was issued here.
    pub(crate) fn identity_of(&self, header: Option<&str>) -> Option<&str> {
        let token = header?.strip_prefix("Bearer ")?;
        self.tokens.get(token).map(|t| t.identity.as_str())
    }

    pub(crate) fn expire_tokens(&mut self) {
        self.tokens.values_mut().for_each(|t| t.expired = true);
    }

    pub(crate) fn revoke_tokens(&mut self) {
        self.tokens.values_mut().for_each(|t| t.revoked = true);
    }

    // ----- app connections -----

    fn not_found(id: &str) -> ApiError {
        ApiError::not_found(format!("Could not find App Connection with ID {id}"))
    }

    /// A connection by id, of any app.
    pub(crate) fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections.get(id)
    }

    /// Finds a connection of `app` by id, with the server's 404 and wrong-app 400.
    fn find(&self, app: &str, id: &str) -> Result<&Connection, ApiError> {
        let connection = self
            .connections
            .get(id)
            .ok_or_else(|| Self::not_found(id))?;
        if connection.app != app {
            return Err(ApiError::bad_request(format!(
                "App Connection with ID {id} is not for App \"{app}\""
            )));
        }
        Ok(connection)
    }

    /// The `project` the server joins onto a connection it reads: the project's details, or
    /// `null` for an organization-level connection. A project the emulator was never told about
    /// (a seeded connection's) gets [`Project::new`]'s details.
    fn project_of(&self, connection: &Connection) -> Value {
        match &connection.project_id {
            None => Value::Null,
            Some(id) => self
                .projects
                .get(id)
                .map_or_else(|| Project::new(id.clone()).summary(), Project::summary),
        }
    }

    /// A connection as a read returns it: sanitized, with its `project`.
    fn read_view(&self, settings: &Settings, connection: &Connection) -> Value {
        let mut answer = connection.sanitized(&settings.org_id);
        if let Some(object) = answer.as_object_mut() {
            object.insert("project".to_owned(), self.project_of(connection));
        }
        answer
    }

    /// The server checks the caller's permission in a project before listing it, and that fails
    /// for a project that does not exist. The exact answer was not read; this is the one the
    /// server gives an unknown project on create.
    fn check_project(&self, project_id: &str) -> Result<(), ApiError> {
        if self.projects.contains_key(project_id) {
            Ok(())
        } else {
            Err(ApiError::bad_request(format!(
                "Could not find project with ID {project_id}"
            )))
        }
    }

    /// `GET …/:id`: the connection with its `project`.
    pub(crate) fn get(&self, settings: &Settings, app: &str, id: &str) -> Result<Value, ApiError> {
        Ok(self.read_view(settings, self.find(app, id)?))
    }

    /// `GET …/connection-name/:name`: looks in one scope, the organization's or, with
    /// `?projectId`, the project's; the 404 names the scope.
    pub(crate) fn get_by_name(
        &self,
        settings: &Settings,
        app: &str,
        name: &str,
        project_id: Option<&str>,
    ) -> Result<Value, ApiError> {
        let connection = self.connections.by_name(project_id, name).ok_or_else(|| {
            let scope = if project_id.is_some() {
                "project"
            } else {
                "organization"
            };
            ApiError::not_found(format!(
                "Could not find App Connection with name {name} in {scope} scope."
            ))
        })?;
        if connection.app != app {
            return Err(ApiError::bad_request(format!(
                "App Connection with name {name} is not for App \"{app}\""
            )));
        }
        Ok(self.read_view(settings, connection))
    }

    /// `GET …?projectId`: without a project, every connection of `app` in the organization,
    /// project-scoped ones included; with one, that project's (an unknown project is refused).
    /// Each carries its `project`; sorted by name, case-insensitively, as the server does.
    pub(crate) fn list(
        &self,
        settings: &Settings,
        app: &str,
        project_id: Option<&str>,
    ) -> Result<Vec<Value>, ApiError> {
        if let Some(project_id) = project_id {
            self.check_project(project_id)?;
        } else if self.projects_only {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "PermissionDenied",
                "You are not allowed to read on app-connections",
            ));
        }
        let mut found: Vec<&Connection> = self
            .connections
            .values()
            .filter(|c| {
                c.app == app && (project_id.is_none() || c.project_id.as_deref() == project_id)
            })
            .collect();
        found.sort_by_key(|c| c.name.to_lowercase());
        Ok(found.iter().map(|c| self.read_view(settings, c)).collect())
    }

    /// `GET /api/v1/github-apps?projectId`: the GitHub Apps the caller may use (see
    /// [`GitHubApps::list`]); an unknown project is refused as on the connection list.
    pub(crate) fn list_github_apps(
        &self,
        settings: &Settings,
        project_id: Option<&str>,
    ) -> Result<Vec<Value>, ApiError> {
        if let Some(project_id) = project_id {
            self.check_project(project_id)?;
        }
        let mut per_app: HashMap<Option<String>, u64> = HashMap::new();
        for connection in self
            .connections
            .values()
            .filter(|c| c.app == github::APP && c.method == Method::App.as_str())
        {
            let app_id = connection
                .credentials
                .get("gitHubAppId")
                .and_then(Value::as_str)
                .map(str::to_owned);
            *per_app.entry(app_id).or_default() += 1;
        }
        Ok(self
            .github_apps
            .list(&settings.org_id, project_id, &per_app))
    }

    fn duplicate(name: &str) -> ApiError {
        ApiError::bad_request(format!(
            "An App Connection with the name \"{name}\" already exists"
        ))
    }

    /// Platform-wide, a connection reaches GitHub through a gateway or a pool, never both. The
    /// service checks this before anything else, even before looking the connection up.
    fn check_not_both(gateway: bool, pool: bool) -> Result<(), ApiError> {
        if gateway && pool {
            Err(ApiError::bad_request(
                "Cannot specify both a gateway and a gateway pool",
            ))
        } else {
            Ok(())
        }
    }

    /// The gateway lookup of create and PATCH.
    fn check_gateway(&self, gateway_id: &str) -> Result<(), ApiError> {
        if self.gateways.contains(gateway_id) {
            Ok(())
        } else {
            Err(ApiError::not_found(format!(
                "Gateway with ID {gateway_id} not found for org"
            )))
        }
    }

    /// `resolveAttachableGatewayFromPool`: the plan first, then the pool.
    fn check_gateway_pool(&self, pool_id: &str) -> Result<(), ApiError> {
        if !self.licenses.gateway_pool {
            return Err(ApiError::bad_request(
                "Your current plan does not support gateway pools. Please upgrade to an \
                 Enterprise plan.",
            ));
        }
        if self.gateway_pools.contains(pool_id) {
            Ok(())
        } else {
            Err(ApiError::not_found(format!(
                "Gateway pool with ID {pool_id} not found"
            )))
        }
    }

    /// Validates credentials against "GitHub" as the server does, for a connection in
    /// `project_id`: a `github-app` connection's GitHub App is resolved first (an unknown
    /// `gitHubAppId` fails before the code is spent), then GitHub is asked, then the stored
    /// credentials are bound to the app.
    fn validate_github(
        &mut self,
        method: Method,
        credentials: &Map<String, Value>,
        project_id: Option<&str>,
    ) -> Result<Map<String, Value>, ApiError> {
        if method != Method::App {
            let stored = self.github.validate(method, credentials)?;
            self.github_server.register_credentials(method, &stored);
            return Ok(stored);
        }
        let app_id = credentials.get("gitHubAppId").and_then(Value::as_str);
        // Resolved twice so the borrow of the app records ends before GitHub is asked.
        self.github_apps.resolve(app_id, project_id)?;
        let mut stored = self.github.validate(method, credentials)?;
        let resolved = self.github_apps.resolve(app_id, project_id)?;
        github_apps::bind(&mut stored, &resolved);
        self.github_server.register_credentials(method, &stored);
        Ok(stored)
    }

    /// `POST /api/v1/app-connections/github`, after body validation. The checks run in the
    /// server's order: gateway and pool together, project, gateway (the plan, then the lookup),
    /// pool (the plan, then the lookup), GitHub (which consumes a code even if a later check
    /// fails), then name uniqueness (a database constraint, so last).
    pub(crate) fn create_github(
        &mut self,
        settings: &Settings,
        input: CreateInput,
    ) -> Result<Value, ApiError> {
        Self::check_not_both(input.gateway_id.is_some(), input.gateway_pool_id.is_some())?;
        if let Some(project) = &input.project_id {
            self.check_project(project)?;
        }
        if let Some(gateway) = &input.gateway_id {
            if !self.licenses.gateway {
                return Err(ApiError::bad_request(
                    "Your current plan does not support gateway usage with app connections. \
                     Please upgrade your plan or contact Infisical Sales for assistance.",
                ));
            }
            self.check_gateway(gateway)?;
        }
        if let Some(pool) = &input.gateway_pool_id {
            self.check_gateway_pool(pool)?;
        }
        let credentials = self.validate_github(
            input.method,
            &input.credentials,
            input.project_id.as_deref(),
        )?;
        if self.connections.name_taken(&input.project_id, &input.name) {
            return Err(Self::duplicate(&input.name));
        }
        let now = now_iso();
        let mut connection = Connection {
            id: uuid::Uuid::new_v4().to_string(),
            name: input.name,
            description: input.description,
            app: github::APP.to_owned(),
            method: input.method.as_str().to_owned(),
            project_id: input.project_id,
            gateway_id: input.gateway_id,
            gateway_pool_id: input.gateway_pool_id,
            credentials,
            ciphertext: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        connection.seal();
        // The create answer is the inserted row: no `project` joined on.
        let answer = connection.sanitized(&settings.org_id);
        self.connections.insert(connection);
        Ok(answer)
    }

    /// `PATCH /api/v1/app-connections/github/:id`, after body validation. The checks run in the
    /// server's order: gateway and pool together, the connection (404 or another app's), a
    /// changed gateway (the lookup only: the server checks the plan on create alone), a newly
    /// attached pool, the credentials' format for the stored method, GitHub, the name.
    pub(crate) fn update_github(
        &mut self,
        settings: &Settings,
        id: &str,
        input: UpdateInput,
    ) -> Result<Value, ApiError> {
        Self::check_not_both(
            matches!(input.gateway_id, Some(Some(_))),
            matches!(input.gateway_pool_id, Some(Some(_))),
        )?;
        let current = self.find(github::APP, id)?.clone();
        let method = Method::parse(&current.method).ok_or_else(|| Self::not_found(id))?;
        if let Some(Some(gateway)) = &input.gateway_id
            && current.gateway_id.as_ref() != Some(gateway)
        {
            self.check_gateway(gateway)?;
        }
        if let Some(Some(pool)) = &input.gateway_pool_id
            && current.gateway_pool_id.as_ref() != Some(pool)
        {
            self.check_gateway_pool(pool)?;
        }
        let credentials = match &input.credentials {
            None => None,
            Some(given) => {
                let Some(checked) = github::parse_for_method(method, given) else {
                    return Err(ApiError::bad_request(format!(
                        "Invalid credential format for GitHub Connection with method {}",
                        method.display_name()
                    )));
                };
                Some(self.validate_github(method, &checked, current.project_id.as_deref())?)
            }
        };
        if let Some(name) = &input.name
            && *name != current.name
            && self.connections.name_taken(&current.project_id, name)
        {
            return Err(Self::duplicate(name));
        }
        let mut updated = current.clone();
        if let Some(name) = input.name {
            updated.name = name;
        }
        if let Some(description) = input.description {
            updated.description = description;
        }
        // Attaching one of gateway and pool detaches the other; clearing one leaves the other.
        match (input.gateway_id, input.gateway_pool_id) {
            (Some(gateway), Some(pool)) => {
                updated.gateway_id = gateway;
                updated.gateway_pool_id = pool;
            }
            (Some(gateway), None) => {
                if gateway.is_some() {
                    updated.gateway_pool_id = None;
                }
                updated.gateway_id = gateway;
            }
            (None, Some(pool)) => {
                if pool.is_some() {
                    updated.gateway_id = None;
                }
                updated.gateway_pool_id = pool;
            }
            (None, None) => {}
        }
        if let Some(credentials) = credentials {
            updated.credentials = credentials;
            updated.seal();
        }
        updated.updated_at = now_iso();
        self.connections.remove(&current.id);
        // The PATCH answer is the updated row: no `project` joined on.
        let answer = updated.sanitized(&settings.org_id);
        self.connections.insert(updated);
        Ok(answer)
    }

    /// `DELETE /api/v1/app-connections/:app/:id`: answers with the deleted connection.
    pub(crate) fn delete(
        &mut self,
        settings: &Settings,
        app: &str,
        id: &str,
    ) -> Result<Value, ApiError> {
        let answer = self.find(app, id)?.sanitized(&settings.org_id);
        self.connections.remove(id);
        Ok(answer)
    }

    // ----- out-of-band changes (admin) -----

    /// Stores a connection directly, e.g. one of another app; fails on a taken name.
    pub(crate) fn seed(
        &mut self,
        app: String,
        name: String,
        method: String,
        project_id: Option<String>,
        credentials: Map<String, Value>,
    ) -> Result<StoredConnection, String> {
        if self.connections.name_taken(&project_id, &name) {
            return Err(format!(
                "an app connection named {name:?} already exists in that scope"
            ));
        }
        let now = now_iso();
        let mut connection = Connection {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            description: None,
            app,
            method,
            project_id,
            gateway_id: None,
            gateway_pool_id: None,
            credentials,
            ciphertext: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        connection.seal();
        let view = connection.stored_view();
        self.connections.insert(connection);
        Ok(view)
    }

    /// Re-encrypts a connection's credentials as a credentials edit in the UI would: new hash.
    pub(crate) fn rotate_credentials(&mut self, id: &str) -> Option<StoredConnection> {
        let connection = self.connections.get_mut(id)?;
        connection.seal();
        connection.updated_at = now_iso();
        Some(connection.stored_view())
    }

    /// Renames a connection behind the client's back; fails if the name is taken.
    pub(crate) fn rename(&mut self, id: &str, name: String) -> Result<StoredConnection, String> {
        let current = self
            .connections
            .get(id)
            .ok_or_else(|| format!("no app connection with id {id}"))?
            .clone();
        if current.name != name && self.connections.name_taken(&current.project_id, &name) {
            return Err(format!(
                "an app connection named {name:?} already exists in that scope"
            ));
        }
        self.connections.remove(id);
        let mut renamed = current;
        renamed.name = name;
        renamed.updated_at = now_iso();
        let view = renamed.stored_view();
        self.connections.insert(renamed);
        Ok(view)
    }

    /// Sets a connection's description behind the client's back.
    pub(crate) fn set_description(
        &mut self,
        id: &str,
        description: Option<String>,
    ) -> Option<StoredConnection> {
        let connection = self.connections.get_mut(id)?;
        connection.description = description;
        connection.updated_at = now_iso();
        Some(connection.stored_view())
    }

    pub(crate) fn delete_out_of_band(&mut self, id: &str) -> bool {
        self.connections.remove(id).is_some()
    }

    pub(crate) fn stored(&self, id: &str) -> Option<StoredConnection> {
        self.connections.get(id).map(Connection::stored_view)
    }

    pub(crate) fn all_stored(&self) -> Vec<StoredConnection> {
        let mut all: Vec<_> = self
            .connections
            .values()
            .map(Connection::stored_view)
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.connections.len()
    }
}
