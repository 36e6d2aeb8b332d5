//! The emulator's state and the server-side logic of each route: tokens, app connections (stored
//! with a randomized "ciphertext" so `credentialsHash` behaves like the real one), the simulated
//! GitHub side, injected faults, the request log and counters. Everything sits behind one mutex
//! that is never held across an `.await`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::admin::{Counters, LoggedRequest, StoredConnection};
use crate::error::{ApiError, TOKEN_EXPIRED, TOKEN_MALFORMED};
use crate::faults::ActiveFault;
use crate::github::{self, CreateInput, GitHubSide, Method, UpdateInput};
use crate::sts::{self, AwsKey, Refusal};

/// How many requests the log keeps; older ones are forgotten so a long demo does not grow forever.
const LOG_CAPACITY: usize = 10_000;

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
}

impl Shared {
    pub(crate) fn new(settings: Settings, github: GitHubSide) -> Self {
        Self {
            settings,
            state: Mutex::new(State {
                github,
                ..State::default()
            }),
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

/// One stored app connection.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) app: String,
    pub(crate) method: String,
    pub(crate) project_id: Option<String>,
    pub(crate) gateway_id: Option<String>,
    pub(crate) credentials: Map<String, Value>,
    /// What Infisical would store encrypted: a fresh random nonce followed by the JSON. The
    /// nonce makes every encryption different, like the real KMS cipher, so the hash changes on
    /// every credential-bearing write even when the credentials are identical.
    ciphertext: Vec<u8>,
    created_at: String,
    updated_at: String,
}

impl Connection {
    /// `sha256(encryptedCredentials)` in hex, as `decryptAppConnection` computes it.
    pub(crate) fn credentials_hash(&self) -> String {
        hex::encode(Sha256::digest(&self.ciphertext))
    }

    fn seal(&mut self) {
        let nonce: [u8; 16] = rand::rng().random();
        let mut ciphertext = nonce.to_vec();
        ciphertext.extend(serde_json::to_vec(&self.credentials).unwrap_or_default());
        self.ciphertext = ciphertext;
    }

    /// The sanitized connection as the routes return it: no `code`, `installationId`,
    /// `personalAccessToken` or `accessToken`, only `credentials: {instanceType?, host?}`.
    pub(crate) fn sanitized(&self, org_id: &str) -> Value {
        let mut credentials = Map::new();
        for key in ["instanceType", "host"] {
            if let Some(value) = self.credentials.get(key) {
                credentials.insert(key.to_owned(), value.clone());
            }
        }
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "app": self.app,
            "method": self.method,
            "version": 1,
            "orgId": org_id,
            "projectId": self.project_id,
            "gatewayId": self.gateway_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "isPlatformManagedCredentials": false,
            "credentialsHash": self.credentials_hash(),
            "credentials": credentials,
        })
    }

    fn stored_view(&self) -> StoredConnection {
        StoredConnection {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            app: self.app.clone(),
            method: self.method.clone(),
            project_id: self.project_id.clone(),
            gateway_id: self.gateway_id.clone(),
            credentials_hash: self.credentials_hash(),
            credentials: crate::admin::redact(&Value::Object(self.credentials.clone())),
        }
    }
}

/// `createdAt`/`updatedAt` as JavaScript's `Date.toISOString()` writes them.
fn now_iso() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

/// Everything mutable.
#[derive(Default)]
pub(crate) struct State {
    connections: HashMap<String, Connection>,
    /// `(projectId, name)` → id: names are unique per scope across all apps, and looked up by
    /// name without a scan.
    names: HashMap<(Option<String>, String), String>,
    tokens: HashMap<String, Token>,
    /// Machine identities with OIDC auth: identity id → the JWTs that log it in.
    oidc: HashMap<String, HashSet<String>>,
    /// Machine identities with Kubernetes auth: identity id → the service account tokens.
    kubernetes: HashMap<String, HashSet<String>>,
    /// Machine identities with AWS auth: identity id → the AWS access keys STS accepts.
    aws: HashMap<String, Vec<AwsKey>>,
    pub(crate) github: GitHubSide,
    /// The stand-ins for AWS's credential services.
    pub(crate) aws_services: crate::aws_services::AwsServices,
    pub(crate) projects: HashSet<String>,
    pub(crate) gateways: HashSet<String>,
    pub(crate) faults: Vec<ActiveFault>,
    pub(crate) latency: Duration,
    log: VecDeque<LoggedRequest>,
    pub(crate) counters: Counters,
}

impl State {
    // ----- auth -----

    fn issue_token(&mut self, settings: &Settings, max_expires_at: Option<Instant>) -> Value {
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
        Ok(self.issue_token(settings, None))
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
        self.finish_login(settings, outcome)
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
        self.finish_login(settings, outcome)
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
        self.finish_login(settings, outcome)
    }

    /// Counts a login and issues its token, or counts the refusal.
    fn finish_login(
        &mut self,
        settings: &Settings,
        outcome: Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        match outcome {
            Ok(()) => {
                self.counters.logins += 1;
                Ok(self.issue_token(settings, None))
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
        Ok(self.issue_token(settings, Some(token.max_expires_at)))
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

    pub(crate) fn get(&self, settings: &Settings, app: &str, id: &str) -> Result<Value, ApiError> {
        Ok(self.find(app, id)?.sanitized(&settings.org_id))
    }

    pub(crate) fn get_by_name(
        &self,
        settings: &Settings,
        app: &str,
        name: &str,
        project_id: Option<&str>,
    ) -> Result<Value, ApiError> {
        let key = (project_id.map(str::to_owned), name.to_owned());
        let connection = self
            .names
            .get(&key)
            .and_then(|id| self.connections.get(id))
            .ok_or_else(|| {
                ApiError::not_found(format!("Could not find App Connection with name {name}"))
            })?;
        if connection.app != app {
            return Err(ApiError::bad_request(format!(
                "App Connection with name {name} is not for App \"{app}\""
            )));
        }
        Ok(connection.sanitized(&settings.org_id))
    }

    /// The connections of `app` in one scope (the organization when `project_id` is `None`),
    /// sorted by name as the server does.
    pub(crate) fn list(
        &self,
        settings: &Settings,
        app: &str,
        project_id: Option<&str>,
    ) -> Vec<Value> {
        let mut found: Vec<&Connection> = self
            .connections
            .values()
            .filter(|c| c.app == app && c.project_id.as_deref() == project_id)
            .collect();
        found.sort_by_key(|c| c.name.to_lowercase());
        found
            .iter()
            .map(|c| c.sanitized(&settings.org_id))
            .collect()
    }

    fn name_taken(&self, project_id: &Option<String>, name: &str) -> bool {
        self.names
            .contains_key(&(project_id.clone(), name.to_owned()))
    }

    fn duplicate(name: &str) -> ApiError {
        ApiError::bad_request(format!(
            "An App Connection with the name \"{name}\" already exists"
        ))
    }

    fn check_gateway(&self, gateway_id: Option<&str>) -> Result<(), ApiError> {
        match gateway_id {
            Some(id) if !self.gateways.contains(id) => Err(ApiError::not_found(format!(
                "Gateway with ID {id} not found for org"
            ))),
            _ => Ok(()),
        }
    }

    fn insert(&mut self, connection: Connection) {
        self.names.insert(
            (connection.project_id.clone(), connection.name.clone()),
            connection.id.clone(),
        );
        self.connections.insert(connection.id.clone(), connection);
    }

    /// `POST /api/v1/app-connections/github`, after body validation. The checks run in the
    /// server's order: project, gateway, GitHub (which consumes a code even if a later check
    /// fails), then name uniqueness (a database constraint, so last).
    pub(crate) fn create_github(
        &mut self,
        settings: &Settings,
        input: CreateInput,
    ) -> Result<Value, ApiError> {
        if let Some(project) = &input.project_id
            && !self.projects.contains(project)
        {
            return Err(ApiError::bad_request(format!(
                "Could not find project with ID {project}"
            )));
        }
        self.check_gateway(input.gateway_id.as_deref())?;
        let credentials = self.github.validate(input.method, &input.credentials)?;
        if self.name_taken(&input.project_id, &input.name) {
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
            credentials,
            ciphertext: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        connection.seal();
        let answer = connection.sanitized(&settings.org_id);
        self.insert(connection);
        Ok(answer)
    }

    /// `PATCH /api/v1/app-connections/github/:id`, after body validation.
    pub(crate) fn update_github(
        &mut self,
        settings: &Settings,
        id: &str,
        input: UpdateInput,
    ) -> Result<Value, ApiError> {
        let current = self.find(github::APP, id)?.clone();
        let method = Method::parse(&current.method).ok_or_else(|| Self::not_found(id))?;
        let mut credentials = None;
        if let Some(given) = &input.credentials {
            let Some(checked) = github::parse_for_method(method, given) else {
                return Err(ApiError::bad_request(format!(
                    "Invalid credential format for GitHub Connection with method {}",
                    method.display_name()
                )));
            };
            credentials = Some(checked);
        }
        if let Some(Some(gateway)) = &input.gateway_id
            && current.gateway_id.as_ref() != Some(gateway)
        {
            self.check_gateway(Some(gateway))?;
        }
        let credentials = match credentials {
            Some(checked) => Some(self.github.validate(method, &checked)?),
            None => None,
        };
        if let Some(name) = &input.name
            && *name != current.name
            && self.name_taken(&current.project_id, name)
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
        if let Some(gateway_id) = input.gateway_id {
            updated.gateway_id = gateway_id;
        }
        if let Some(credentials) = credentials {
            updated.credentials = credentials;
            updated.seal();
        }
        updated.updated_at = now_iso();
        self.names
            .remove(&(current.project_id.clone(), current.name.clone()));
        let answer = updated.sanitized(&settings.org_id);
        self.insert(updated);
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
        self.remove(id);
        Ok(answer)
    }

    fn remove(&mut self, id: &str) -> Option<Connection> {
        let connection = self.connections.remove(id)?;
        self.names
            .remove(&(connection.project_id.clone(), connection.name.clone()));
        Some(connection)
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
        if self.name_taken(&project_id, &name) {
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
            credentials,
            ciphertext: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        connection.seal();
        let view = connection.stored_view();
        self.insert(connection);
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
        if current.name != name && self.name_taken(&current.project_id, &name) {
            return Err(format!(
                "an app connection named {name:?} already exists in that scope"
            ));
        }
        self.remove(id);
        let mut renamed = current;
        renamed.name = name;
        renamed.updated_at = now_iso();
        let view = renamed.stored_view();
        self.insert(renamed);
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
        self.remove(id).is_some()
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

    // ----- request log -----

    pub(crate) fn record(&mut self, entry: LoggedRequest) {
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }

    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        self.log.iter().cloned().collect()
    }

    pub(crate) fn clear_requests(&mut self) {
        self.log.clear();
    }
}
