//! Setting up and inspecting a running emulator: the [`Admin`] handle for Rust tests, and the same
//! operations over HTTP under `/__emulator/…` for other processes (a shell demo, a Terraform run).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, on, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::faults::{ActiveFault, Fault, Trigger};
use crate::rate_limit::{BucketLimits, RouteCount};
use crate::service::{auth, connections, oidc_issuer};
use crate::state::Shared;
use crate::store::aws::AwsRole;
use crate::store::connections::StoredConnection;
use crate::store::github_apps::{GitHubApp, SharedGitHubApp};
use crate::store::log::{Counters, LoggedRequest};
use crate::store::oidc_issuers::GITHUB;
use crate::store::projects::Project;
use crate::sts::AwsKey;

/// A connection to store directly, bypassing validation: typically one of another app, to test
/// the "is not for App" answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedConnection {
    /// The app, e.g. `gitlab`.
    pub app: String,
    /// The name (unique per scope across apps).
    pub name: String,
    /// The method, e.g. `access-token`.
    pub method: String,
    /// The project, `None` for the organization scope.
    #[serde(default)]
    pub project_id: Option<String>,
    /// Stored credentials; empty when absent.
    #[serde(default)]
    pub credentials: Map<String, Value>,
}

/// A handle on a running emulator's state, for setting up fixtures, changing things behind the
/// client's back, injecting faults and inspecting what happened. Cheap to clone.
#[derive(Clone)]
pub struct Admin {
    pub(crate) shared: Arc<Shared>,
}

impl Admin {
    /// Declares a personal access token GitHub accepts.
    pub fn add_pat(&self, pat: impl Into<String>) {
        self.shared.lock().github.add_pat(pat.into());
    }

    /// Declares an OAuth/GitHub App code, usable once, whose user can see `installations`.
    pub fn add_code<I, S>(&self, code: impl Into<String>, installations: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let installations = installations.into_iter().map(Into::into).collect();
        self.shared
            .lock()
            .github
            .add_code(code.into(), installations);
    }

    /// Whether a code has been exchanged already.
    pub fn code_used(&self, code: &str) -> bool {
        self.shared.lock().github.code_used(code)
    }

    /// Declares a machine identity with OIDC auth that logs in with `jwt` (call again to accept
    /// several JWTs).
    pub fn add_oidc_identity(&self, identity_id: impl Into<String>, jwt: impl Into<String>) {
        auth::add_oidc_identity(&mut self.shared.lock(), identity_id.into(), jwt.into());
    }

    /// The URL of the emulator's OIDC issuer `name` (`{url}/__oidc/{name}`): its `iss`, and the
    /// `oidcDiscoveryUrl` an identity's OIDC auth names to trust it. `github` stands in for
    /// GitHub Actions' `https://token.actions.githubusercontent.com`.
    pub fn oidc_issuer_url(&self, name: &str) -> String {
        oidc_issuer::issuer_url(&self.shared.settings.url, name)
    }

    /// Signs `claims` (an object) as the OIDC issuer `name` would (RS256, with the key its JWKS
    /// lists; the issuer is made on first use), filling in `iss`, `iat`, `nbf`, `exp` (five
    /// minutes on) and `jti` when absent. `None` for claims that are not an object or a name
    /// that is not lower-case letters, digits and `-`.
    pub fn mint_oidc_token(&self, name: &str, claims: serde_json::Value) -> Option<String> {
        let base = &self.shared.settings.url;
        oidc_issuer::mint(&mut self.shared.lock(), base, name, claims)
    }

    /// The claims GitHub Actions puts in a workflow run's OIDC token for `repository`
    /// (`owner/name`): a push to `main` (`sub` `repo:owner/name:ref:refs/heads/main`), or a job
    /// in `environment` (`sub` `repo:owner/name:environment:<env>`); `aud` is GitHub's default,
    /// `https://github.com/<owner>`. Change any before [`Admin::mint_oidc_token`].
    pub fn github_actions_claims(
        &self,
        repository: &str,
        environment: Option<&str>,
    ) -> serde_json::Value {
        oidc_issuer::github_actions_claims(repository, environment)
    }

    /// A GitHub Actions OIDC token for `repository`, signed by the `github` issuer
    /// ([`Admin::github_actions_claims`], then [`Admin::mint_oidc_token`]).
    pub fn github_actions_token(&self, repository: &str, environment: Option<&str>) -> String {
        let claims = oidc_issuer::github_actions_claims(repository, environment);
        self.mint_oidc_token(GITHUB, claims).unwrap_or_default()
    }

    /// Declares a machine identity with Kubernetes auth that logs in with the service account
    /// token `token`.
    pub fn add_kubernetes_identity(
        &self,
        identity_id: impl Into<String>,
        token: impl Into<String>,
    ) {
        auth::add_kubernetes_identity(&mut self.shared.lock(), identity_id.into(), token.into());
    }

    /// Declares a machine identity with AWS auth that logs in with a request signed by `key`.
    pub fn add_aws_identity(&self, identity_id: impl Into<String>, key: AwsKey) {
        auth::add_aws_identity(&mut self.shared.lock(), identity_id.into(), key);
    }

    /// Sets the role whose key the AWS stand-ins (instance metadata, container endpoint, STS web
    /// identity) hand out; see the `aws_services` module docs.
    pub fn set_aws_role(&self, role: AwsRole) {
        self.shared.lock().aws_services.role = Some(role);
    }

    /// How many times `service` (`imds`, `container` or `sts`) handed out the role's key.
    pub fn aws_credentials_served(&self, service: &str) -> u64 {
        let state = self.shared.lock();
        state
            .aws_services
            .served
            .get(service)
            .copied()
            .unwrap_or_default()
    }

    /// Declares a project id that `projectId` may name (its name and slug are the id; see
    /// [`Project::new`]), with Infisical's default environments `dev`, `staging` and `prod`.
    pub fn add_project(&self, id: impl Into<String>) {
        self.add_project_details(Project::new(id));
    }

    /// Declares a project with the details reads report as a connection's `project`.
    pub fn add_project_details(&self, project: Project) {
        let mut state = self.shared.lock();
        // Infisical creates every project with its default environments.
        state.secrets.ensure_default_environments(&project.id);
        state.projects.insert(project.id.clone(), project);
    }

    /// Declares a gateway id that `gatewayId` may name.
    pub fn add_gateway(&self, id: impl Into<String>) {
        self.shared.lock().gateways.insert(id.into());
    }

    /// Declares a gateway pool id that `gatewayPoolId` may name.
    pub fn add_gateway_pool(&self, id: impl Into<String>) {
        self.shared.lock().gateway_pools.insert(id.into());
    }

    /// Sets whether the organization's plan includes gateways (see
    /// [`crate::Config::gateway_license`]).
    pub fn set_gateway_license(&self, licensed: bool) {
        self.shared.lock().licenses.gateway = licensed;
    }

    /// Sets whether the organization's plan includes gateway pools.
    pub fn set_gateway_pool_license(&self, licensed: bool) {
        self.shared.lock().licenses.gateway_pool = licensed;
    }

    /// Registers an org-managed (or, with `project_id`, project) GitHub App that
    /// `credentials.gitHubAppId` may name and `GET /api/v1/github-apps` lists. Fails on an id
    /// that is not a uuid or is taken, or an `instance_type` other than `cloud`/`server`.
    pub fn add_github_app(&self, app: GitHubApp) -> Result<(), String> {
        let now = crate::clock::now_iso();
        self.shared.lock().github_apps.add(app, now)
    }

    /// Sets or (with `None`) removes the instance's shared GitHub App (see
    /// [`crate::Config::shared_github_app`]).
    pub fn set_shared_github_app(&self, app: Option<SharedGitHubApp>) {
        self.shared.lock().github_apps.shared = app;
    }

    /// Stores a connection directly (see [`SeedConnection`]).
    pub fn seed_connection(&self, seed: SeedConnection) -> Result<StoredConnection, String> {
        connections::seed(
            &mut self.shared.lock(),
            seed.app,
            seed.name,
            seed.method,
            seed.project_id,
            seed.credentials,
        )
    }

    /// Every stored connection, of every app.
    pub fn connections(&self) -> Vec<StoredConnection> {
        connections::all_stored(&self.shared.lock())
    }

    /// One stored connection.
    pub fn connection(&self, id: &str) -> Option<StoredConnection> {
        connections::stored(&self.shared.lock(), id)
    }

    /// How many connections are stored.
    pub fn connection_count(&self) -> usize {
        connections::connection_count(&self.shared.lock())
    }

    /// Changes a connection's credentials out of band, as an edit in the UI would: the
    /// `credentialsHash` changes. `None` if there is no such connection.
    pub fn rotate_credentials(&self, id: &str) -> Option<StoredConnection> {
        connections::rotate_credentials(&mut self.shared.lock(), id)
    }

    /// Renames a connection out of band.
    pub fn rename_connection(
        &self,
        id: &str,
        name: impl Into<String>,
    ) -> Result<StoredConnection, String> {
        connections::rename(&mut self.shared.lock(), id, name.into())
    }

    /// Sets a connection's description out of band.
    pub fn set_description(
        &self,
        id: &str,
        description: Option<String>,
    ) -> Option<StoredConnection> {
        connections::set_description(&mut self.shared.lock(), id, description)
    }

    /// Deletes a connection out of band; whether it existed.
    pub fn delete_connection(&self, id: &str) -> bool {
        connections::delete_out_of_band(&mut self.shared.lock(), id)
    }

    /// Makes every token issued so far expired (403 `TokenError` from now on).
    pub fn expire_tokens(&self) {
        auth::expire_tokens(&mut self.shared.lock());
    }

    /// Revokes every token issued so far (401 from now on).
    pub fn revoke_tokens(&self) {
        auth::revoke_tokens(&mut self.shared.lock());
    }

    /// Adds a fault rule.
    pub fn inject_fault(&self, fault: Fault) {
        if matches!(fault.trigger, Trigger::Next { times: 0 }) {
            return;
        }
        self.shared.lock().faults.push(ActiveFault::new(fault));
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Adds this latency to every API request.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Limits every machine identity to `requests` API requests per `window`, as Infisical
    /// Cloud does; past it, 429 with `Retry-After`. `None` removes the limit.
    pub fn set_rate_limit(&self, limit: Option<(u32, Duration)>) {
        self.shared.lock().rate_limit =
            limit.map(|(requests, window)| crate::rate_limit::RateLimit::new(requests, window));
    }

    /// Turns the server's rate-limit buckets on with these limits (every window starts afresh),
    /// or off with `None`.
    pub fn set_rate_limit_buckets(&self, limits: Option<BucketLimits>) {
        self.shared.lock().buckets = limits.map(crate::rate_limit::Buckets::new);
    }

    /// The server's rate-limit buckets, when on.
    pub fn rate_limit_buckets(&self) -> Option<BucketLimits> {
        self.shared.lock().buckets.as_ref().map(|b| b.limits)
    }

    /// How many API requests each route (`METHOD /pattern`, `METHOD (unknown route)` for the
    /// others) received since the start or the last [`Admin::clear_route_counters`], and how
    /// many of them a rate limit refused.
    pub fn route_counters(&self) -> BTreeMap<String, RouteCount> {
        self.shared.lock().route_counts.clone()
    }

    /// Starts the requests per route from zero.
    pub fn clear_route_counters(&self) {
        self.shared.lock().route_counts.clear();
    }

    /// Makes the identity a member of projects only: an organization-wide connection list is
    /// refused with 403 `PermissionDenied`, per-project lists still answer.
    pub fn set_projects_only(&self, projects_only: bool) {
        self.shared.lock().projects_only = projects_only;
    }

    /// The API requests received so far (the last 10 000), oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.requests()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters
    }
}

// ----- the HTTP admin API -----

pub(crate) fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn found<T: Serialize>(value: Option<T>) -> Response {
    match value {
        Some(value) => Json(value).into_response(),
        None => admin_error(StatusCode::NOT_FOUND, "no such app connection"),
    }
}

#[derive(Deserialize)]
struct PatBody {
    pat: String,
}

#[derive(Deserialize)]
struct CodeBody {
    code: String,
    #[serde(default)]
    installations: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JwtIdentityBody {
    identity_id: String,
    jwt: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AwsIdentityBody {
    identity_id: String,
    #[serde(flatten)]
    key: AwsKey,
}

#[derive(Deserialize)]
struct IdBody {
    id: String,
}

#[derive(Deserialize)]
struct ProjectBody {
    id: String,
    name: Option<String>,
    slug: Option<String>,
    #[serde(rename = "type")]
    project_type: Option<String>,
}

impl From<ProjectBody> for Project {
    fn from(body: ProjectBody) -> Self {
        let defaults = Project::new(body.id);
        Project {
            name: body.name.unwrap_or(defaults.name),
            slug: body.slug.unwrap_or(defaults.slug),
            project_type: body.project_type.unwrap_or(defaults.project_type),
            ..defaults
        }
    }
}

/// A GitHub App over HTTP: only `id` and `name` are required; the rest default as in
/// [`GitHubApp::new`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GitHubAppBody {
    id: String,
    name: String,
    slug: Option<String>,
    app_id: Option<String>,
    client_id: Option<String>,
    owner: Option<String>,
    host: Option<String>,
    instance_type: Option<String>,
    project_id: Option<String>,
}

impl From<GitHubAppBody> for GitHubApp {
    fn from(body: GitHubAppBody) -> Self {
        let defaults = GitHubApp::new(body.id, body.name);
        GitHubApp {
            slug: body.slug.unwrap_or(defaults.slug),
            app_id: body.app_id.unwrap_or(defaults.app_id),
            client_id: body.client_id.unwrap_or(defaults.client_id),
            owner: body.owner,
            host: body.host,
            instance_type: body.instance_type.unwrap_or(defaults.instance_type),
            project_id: body.project_id,
            id: defaults.id,
            name: defaults.name,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LicenseBody {
    gateway: Option<bool>,
    gateway_pool: Option<bool>,
}

/// `POST /__emulator/oidc/:issuer/tokens`: GitHub Actions' claims for `repository` (and
/// `environment`) with `claims` over them, or `claims` alone.
#[derive(Deserialize)]
struct MintBody {
    repository: Option<String>,
    environment: Option<String>,
    claims: Option<Value>,
}

#[derive(Deserialize)]
struct NameBody {
    name: String,
}

#[derive(Deserialize)]
struct DescriptionBody {
    description: Option<String>,
}

#[derive(Deserialize)]
struct LatencyBody {
    ms: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitBody {
    requests: u32,
    window_ms: u64,
}

const POST: MethodFilter = MethodFilter::POST;
const PUT: MethodFilter = MethodFilter::PUT;
const DELETE: MethodFilter = MethodFilter::DELETE;

/// An admin route that hands its JSON body to `apply` and answers 204 No Content, as most do.
pub(crate) fn command<T>(
    method: MethodFilter,
    apply: impl Fn(&Admin, T) + Clone + Send + Sync + 'static,
) -> MethodRouter<Admin>
where
    T: DeserializeOwned + Send + 'static,
{
    on(
        method,
        move |State(admin): State<Admin>, Json(body): Json<T>| {
            apply(&admin, body);
            std::future::ready(StatusCode::NO_CONTENT)
        },
    )
}

/// An admin route without a body that calls `apply` and answers 204 No Content.
pub(crate) fn action(
    method: MethodFilter,
    apply: impl Fn(&Admin) + Clone + Send + Sync + 'static,
) -> MethodRouter<Admin> {
    on(method, move |State(admin): State<Admin>| {
        apply(&admin);
        std::future::ready(StatusCode::NO_CONTENT)
    })
}

/// The admin routes, mounted under `/__emulator`. They bypass faults, latency and the log.
pub(crate) fn router(admin: Admin) -> Router {
    Router::new()
        .route(
            "/__emulator/github/pats",
            command(POST, |a, b: PatBody| a.add_pat(b.pat)),
        )
        .route(
            "/__emulator/github/codes",
            command(POST, |a, b: CodeBody| a.add_code(b.code, b.installations)),
        )
        .route(
            "/__emulator/identities/oidc",
            command(POST, |a, b: JwtIdentityBody| {
                a.add_oidc_identity(b.identity_id, b.jwt);
            }),
        )
        .route(
            "/__emulator/identities/kubernetes",
            command(POST, |a, b: JwtIdentityBody| {
                a.add_kubernetes_identity(b.identity_id, b.jwt);
            }),
        )
        .route(
            "/__emulator/identities/aws",
            command(POST, |a, b: AwsIdentityBody| {
                a.add_aws_identity(b.identity_id, b.key);
            }),
        )
        .route(
            "/__emulator/oidc/{issuer}/tokens",
            post(
                |State(a): State<Admin>, Path(issuer): Path<String>, Json(b): Json<MintBody>| async move {
                    let claims = match (&b.repository, b.claims) {
                        (Some(repository), overrides) => {
                            let mut claims =
                                a.github_actions_claims(repository, b.environment.as_deref());
                            if let (Some(base), Some(Value::Object(more))) =
                                (claims.as_object_mut(), overrides)
                            {
                                base.extend(more);
                            }
                            claims
                        }
                        (None, claims) => claims.unwrap_or_else(|| json!({})),
                    };
                    match a.mint_oidc_token(&issuer, claims) {
                        Some(jwt) => {
                            Json(json!({ "jwt": jwt, "issuer": a.oidc_issuer_url(&issuer) }))
                                .into_response()
                        }
                        None => admin_error(
                            StatusCode::BAD_REQUEST,
                            "claims must be an object and the issuer a name of lower-case \
                             letters, digits and -",
                        ),
                    }
                },
            ),
        )
        .route("/__emulator/aws-role", command(PUT, Admin::set_aws_role))
        .route(
            "/__emulator/projects",
            command(POST, |a, b: ProjectBody| a.add_project_details(b.into())),
        )
        .route(
            "/__emulator/gateway-pools",
            command(POST, |a, b: IdBody| a.add_gateway_pool(b.id)),
        )
        .route(
            "/__emulator/github/apps",
            post(
                |State(a): State<Admin>, Json(b): Json<GitHubAppBody>| async move {
                    match a.add_github_app(b.into()) {
                        Ok(()) => StatusCode::NO_CONTENT.into_response(),
                        Err(message) => admin_error(StatusCode::BAD_REQUEST, message),
                    }
                },
            ),
        )
        .route(
            "/__emulator/github/shared-app",
            command(PUT, |a, b| a.set_shared_github_app(Some(b)))
                .merge(action(DELETE, |a| a.set_shared_github_app(None))),
        )
        .route(
            "/__emulator/license",
            command(PUT, |a, b: LicenseBody| {
                if let Some(licensed) = b.gateway {
                    a.set_gateway_license(licensed);
                }
                if let Some(licensed) = b.gateway_pool {
                    a.set_gateway_pool_license(licensed);
                }
            }),
        )
        .route(
            "/__emulator/gateways",
            command(POST, |a, b: IdBody| a.add_gateway(b.id)),
        )
        .route(
            "/__emulator/connections",
            get(|State(a): State<Admin>| async move { Json(a.connections()) }).post(
                |State(a): State<Admin>, Json(b): Json<SeedConnection>| async move {
                    match a.seed_connection(b) {
                        Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
                        Err(message) => admin_error(StatusCode::CONFLICT, message),
                    }
                },
            ),
        )
        .route(
            "/__emulator/connections/{id}",
            get(|State(a): State<Admin>, Path(id): Path<String>| async move {
                found(a.connection(&id))
            })
            .delete(|State(a): State<Admin>, Path(id): Path<String>| async move {
                if a.delete_connection(&id) {
                    StatusCode::NO_CONTENT.into_response()
                } else {
                    admin_error(StatusCode::NOT_FOUND, "no such app connection")
                }
            }),
        )
        .route(
            "/__emulator/connections/{id}/rotate-credentials",
            post(|State(a): State<Admin>, Path(id): Path<String>| async move {
                found(a.rotate_credentials(&id))
            }),
        )
        .route(
            "/__emulator/connections/{id}/name",
            put(
                |State(a): State<Admin>, Path(id): Path<String>, Json(b): Json<NameBody>| async move {
                    match a.rename_connection(&id, b.name) {
                        Ok(view) => Json(view).into_response(),
                        Err(message) => admin_error(StatusCode::CONFLICT, message),
                    }
                },
            ),
        )
        .route(
            "/__emulator/connections/{id}/description",
            put(
                |State(a): State<Admin>,
                 Path(id): Path<String>,
                 Json(b): Json<DescriptionBody>| async move {
                    found(a.set_description(&id, b.description))
                },
            ),
        )
        .route(
            "/__emulator/tokens/expire",
            action(POST, Admin::expire_tokens),
        )
        .route(
            "/__emulator/tokens/revoke",
            action(POST, Admin::revoke_tokens),
        )
        .route(
            "/__emulator/faults",
            command(POST, Admin::inject_fault).merge(action(DELETE, Admin::clear_faults)),
        )
        .route(
            "/__emulator/latency",
            command(PUT, |a, b: LatencyBody| {
                a.set_latency(Duration::from_millis(b.ms));
            }),
        )
        .route(
            "/__emulator/rate-limit",
            command(PUT, |a, b: RateLimitBody| {
                a.set_rate_limit(Some((b.requests, Duration::from_millis(b.window_ms))));
            })
            .merge(action(DELETE, |a| a.set_rate_limit(None))),
        )
        .route(
            "/__emulator/rate-limit-buckets",
            get(|State(a): State<Admin>| async move { Json(a.rate_limit_buckets()) })
                .merge(command(PUT, |a, b: BucketLimits| {
                    a.set_rate_limit_buckets(Some(b));
                }))
                .merge(action(DELETE, |a| a.set_rate_limit_buckets(None))),
        )
        .route(
            "/__emulator/route-counters",
            get(|State(a): State<Admin>| async move { Json(a.route_counters()) })
                .merge(action(DELETE, Admin::clear_route_counters)),
        )
        .route(
            "/__emulator/requests",
            get(|State(a): State<Admin>| async move { Json(a.requests()) })
                .merge(action(DELETE, Admin::clear_requests)),
        )
        .route(
            "/__emulator/counters",
            get(|State(a): State<Admin>| async move { Json(a.counters()) }),
        )
        .route(
            "/__emulator/github/codes/{code}",
            get(|State(a): State<Admin>, Path(code): Path<String>| async move {
                Json(json!({ "used": a.code_used(&code) }))
            }),
        )
        .with_state(admin)
}
