//! A local emulator of the Infisical API routes terraform-provider-infisical uses, faithful to the
//! real server where a client can notice: validation (422 with an array of zod issues), error
//! bodies and messages, `credentialsHash` behaviour, single-use GitHub codes, token expiry.
//!
//! # What it serves
//! - `POST /api/v1/auth/universal-auth/login`, `…/oidc-auth/login`, `…/kubernetes-auth/login`,
//!   `…/aws-auth/login`, and `POST /api/v1/auth/token/renew`.
//! - The GitHub app connection routes under `/api/v1/app-connections/github`: list (`?projectId`),
//!   get by id, get by name (`/connection-name/:name`, `?projectId`), create, `PATCH`, `DELETE`.
//! - `GET /api/v1/github-apps` (`?projectId`): the GitHub Apps a `github-app` connection may name.
//! - An admin API under `/__emulator/…` (see below) that other processes can use.
//!
//! # The server it follows
//! Infisical as of 2026 (the provider's `research/infisical-api-2026.md`, §1 and §2):
//! - The list without `?projectId` holds every GitHub connection of the organization, the
//!   project-scoped ones included; with an unknown project it is a 400 "Could not find project
//!   with ID …" (the answer the server gives an unknown project on create; the list's own was not
//!   read). Reads (list, get by id, get by name) carry `project: {name, id, type, slug}` or
//!   `project: null`; create, `PATCH` and `DELETE` answer with the bare row, without `project`.
//! - A get-by-name 404 names its scope: "… in organization scope." or "… in project scope.".
//! - `rotation` (anything but absent or `null`) and `isAutoRotationEnabled` (anything but `false`)
//!   are 422 "Not supported for GitHub Connections".
//! - `gatewayPoolId` sits next to `gatewayId`; both at once is a 400 before anything else, an
//!   unknown pool a 404, and attaching one detaches the other. Without the plan
//!   ([`Config::gateway_license`], [`Config::gateway_pool_license`]), a create naming a gateway,
//!   or anything attaching a pool, is a 400 before the lookup.
//! - `credentials.gitHubAppId` (a uuid, `github-app` only) names an org-managed GitHub App
//!   ([`Admin::add_github_app`]): an unknown one is a 400 before the code is spent; a known one's
//!   `host` and `instanceType` replace the ones sent. Without it, the instance's shared app
//!   ([`Config::shared_github_app`]) is used, or without one, the server's 500.
//! - `PATCH` checks the connection (404), then the gateway, the credentials' format, GitHub, and
//!   the name last.
//!
//! # What "GitHub" accepts
//! Tests declare what is valid with [`Admin::add_pat`] and [`Admin::add_code`] (a code is
//! exchanged once; its user sees the installations given). A code is accepted whichever GitHub
//! App the connection names; it is still exchanged only once. With [`Config::demo`] set (the
//! binary's default), these rules apply as well:
//! - any personal access token starting with `ghp_` or `github_pat_` is valid;
//! - any code not used before is valid, once, and its user can see every installation.
//!
//! # What the logins accept
//! Universal auth: the client id and secret of the [`Config`]. OIDC and Kubernetes auth: the
//! identity id and JWT pairs declared with [`Admin::add_oidc_identity`] and
//! [`Admin::add_kubernetes_identity`] (the real server checks the JWT with the OIDC provider or
//! the cluster). AWS auth: an identity declared with [`Admin::add_aws_identity`] and an
//! [`AwsKey`]; the request is decoded as Infisical does (400 "Invalid AWS region" without a
//! credential scope) and its SigV4 signature checked as STS would, clock skew included (a
//! refusal is 401 with STS's error code in the message). Unknown identities get the server's 404.
//!
//! # Running it
//! `cargo run -p infisical-emulator -- [--port N] [--client-id X --client-secret Y]
//! [--token-ttl SECS] [--pat TOKEN] [--code CODE=INSTALLATION,…] [--project ID] [--gateway ID]
//! [--gateway-pool ID] [--github-app ID=NAME[,KEY=VALUE…]] [--no-shared-github-app]
//! [--no-gateway-license] [--no-gateway-pool-license] [--oidc IDENTITY=JWT]
//! [--kubernetes IDENTITY=TOKEN] [--aws IDENTITY=KEY_ID:SECRET] [--no-demo]` prints the base URL as the first line of stdout, then serves until Ctrl-C or
//! SIGTERM. It logs in `demo-client-id` / `demo-client-secret` unless told otherwise.
//!
//! # Embedding
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use infisical_emulator::{Config, Emulator};
//! let emulator = Emulator::start(Config::default()).await?;
//! emulator.admin().add_pat("ghp_example");
//! println!("{}", emulator.url()); // http://127.0.0.1:PORT
//! emulator.stop().await;
//! # Ok(()) }
//! ```
//! The server also stops when the [`Emulator`] is dropped.
//!
//! # Admin API (JSON bodies, camelCase)
//! | Route | Body | Effect |
//! |---|---|---|
//! | `POST /__emulator/github/pats` | `{"pat"}` | declare a valid PAT |
//! | `POST /__emulator/github/codes` | `{"code","installations":[…]}` | declare a single-use code |
//! | `GET /__emulator/github/codes/:code` | | `{"used": bool}` |
//! | `POST /__emulator/projects` | `{"id","name"?,"slug"?,"type"?}` ([`Project`]) | declare a project (name and slug default to the id) |
//! | `POST /__emulator/gateways`, `POST /__emulator/gateway-pools` | `{"id"}` | declare a gateway / gateway pool |
//! | `PUT /__emulator/license` | `{"gateway"?: bool,"gatewayPool"?: bool}` | what the organization's plan includes |
//! | `POST /__emulator/github/apps` | `{"id","name","slug"?,"appId"?,"clientId"?,"owner"?,"host"?,"instanceType"?,"projectId"?}` ([`GitHubApp`]) | register an org-managed (or project) GitHub App; 400 on a non-uuid or taken id |
//! | `PUT`/`DELETE /__emulator/github/shared-app` | [`SharedGitHubApp`] | set / remove the instance's shared GitHub App |
//! | `POST /__emulator/identities/oidc`, `…/kubernetes` | `{"identityId","jwt"}` | declare an identity and a JWT that logs it in |
//! | `POST /__emulator/identities/aws` | `{"identityId","accessKeyId","secretAccessKey","sessionToken"?}` | declare an identity and an AWS key |
//! | `PUT /__emulator/aws-role` | [`AwsRole`] | the key the AWS credential stand-ins hand out (`/__aws/imds`, `/__aws/container`, `/__aws/sts`) |
//! | `GET`/`POST /__emulator/connections` | [`SeedConnection`] | list all / store one directly |
//! | `GET`/`DELETE /__emulator/connections/:id` | | inspect / delete out of band |
//! | `POST /__emulator/connections/:id/rotate-credentials` | | new `credentialsHash`, as a UI edit |
//! | `PUT /__emulator/connections/:id/name` | `{"name"}` | rename out of band |
//! | `PUT /__emulator/connections/:id/description` | `{"description"}` | edit out of band |
//! | `POST /__emulator/tokens/expire`, `…/tokens/revoke` | | every token so far: 403 `TokenError` / 401 |
//! | `POST`/`DELETE /__emulator/faults` | [`Fault`] | add a fault rule / remove all |
//! | `PUT /__emulator/latency` | `{"ms"}` | latency added to every API request |
//! | `PUT`/`DELETE /__emulator/rate-limit` | `{"requests", "windowMs"}` | a per-identity limit (429 + `Retry-After` past it) / none |
//! | `GET`/`DELETE /__emulator/requests` | | the request log ([`LoggedRequest`]) / clear it |
//! | `GET /__emulator/counters` | | [`Counters`] |
//!
//! # Layout
//! - `routes`: the API routes and the middleware (faults, latency, request log).
//! - `state`: the state behind one mutex and the server-side logic of each route.
//! - `github`: the GitHub request schemas and the simulated GitHub side.
//! - `github_apps`: org-managed GitHub Apps and the shared app: resolution and listing.
//! - `sts`: the simulated AWS STS side of AWS auth: SigV4 signature checks.
//! - `zod`: the imitation of zod that produces the real 422 issues.
//! - `admin`: [`Admin`] and the HTTP admin API.
//! - `faults`: [`Fault`] rules.
//! - `error`: Infisical's error bodies.
//! - `net`: a listener whose connections a handler can cut.

mod admin;
mod admin_sync;
mod aws_services;
mod error;
mod faults;
mod github;
mod github_apps;
mod github_server;
mod net;
mod rate_limit;
mod routes;
mod secrets;
mod state;
mod sts;
mod sync;
mod sync_jobs;
mod sync_routes;
mod zod;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use admin::{Admin, Counters, LoggedRequest, Project, SeedConnection, StoredConnection};
pub use admin_sync::GitHubSubject;
pub use aws_services::AwsRole;
pub use faults::{Fault, FaultAction, Trigger};
pub use github_apps::{GitHubApp, SharedGitHubApp};
pub use github_server::{GitHubScope, GitHubSecret, GitHubTarget};
pub use sts::AwsKey;
pub use sync::SyncTiming;

use crate::github::GitHubSide;
use crate::github_apps::GitHubApps;
use crate::net::{ConnInfo, KillableListener};
use crate::state::{Licenses, Settings, Shared};

/// How the emulator starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The universal-auth client id that logs in.
    pub client_id: String,
    /// The universal-auth client secret that logs in.
    pub client_secret: String,
    /// The access-token TTL (`expiresIn`), in whole seconds.
    pub token_ttl: Duration,
    /// The access-token max TTL: renewals never go past it.
    pub token_max_ttl: Duration,
    /// The organization id every connection belongs to.
    pub org_id: String,
    /// Whether the demo rules for PATs and codes apply (see the crate docs).
    pub demo: bool,
    /// The instance's shared GitHub App, which `github-app` connections without a `gitHubAppId`
    /// use and `GET /api/v1/github-apps` lists with `id: null`. `None` is a self-hosted instance
    /// that registers its apps per organization only: such a connection then gets the server's
    /// 500.
    pub shared_github_app: Option<SharedGitHubApp>,
    /// Whether the organization's plan includes gateways (`plan.gateway`). Without it, a create
    /// naming a `gatewayId` gets the server's 400 before the gateway is looked up.
    pub gateway_license: bool,
    /// Whether the organization's plan includes gateway pools (`plan.gatewayPool`).
    pub gateway_pool_license: bool,
    /// How secret-sync jobs are timed (see [`SyncTiming`]); the default runs a job about 20 ms
    /// after it is queued.
    pub sync_timing: SyncTiming,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            client_id: "demo-client-id".to_owned(),
            client_secret: "demo-client-secret".to_owned(),
            token_ttl: Duration::from_secs(7200),
            token_max_ttl: Duration::from_secs(2_592_000),
            org_id: uuid::Uuid::new_v4().to_string(),
            demo: false,
            shared_github_app: Some(SharedGitHubApp::default()),
            gateway_license: true,
            gateway_pool_license: true,
            sync_timing: SyncTiming::default(),
        }
    }
}

/// A running emulator. Dropping it stops the server (gracefully: in-flight requests finish).
pub struct Emulator {
    addr: SocketAddr,
    url: String,
    admin: Admin,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds 127.0.0.1 and starts serving on the current Tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let settings = Settings {
            client_id: config.client_id,
            client_secret: config.client_secret,
            token_ttl: config.token_ttl,
            token_max_ttl: config.token_max_ttl,
            org_id: config.org_id,
        };
        let licenses = Licenses {
            gateway: config.gateway_license,
            gateway_pool: config.gateway_pool_license,
        };
        let shared = Arc::new(Shared::new(
            settings,
            GitHubSide::new(config.demo),
            GitHubApps::new(config.shared_github_app),
            licenses,
            config.sync_timing,
        ));
        sync_jobs::start(&shared);
        let admin = Admin {
            shared: Arc::clone(&shared),
        };
        // The AWS stand-ins and the emulated GitHub stay out of the request log: their traffic
        // is credentials.
        let app = routes::router(Arc::clone(&shared))
            .merge(github_server::router(Arc::clone(&shared)))
            .merge(aws_services::router(shared))
            .merge(admin::router(admin.clone()))
            .merge(admin_sync::router(admin.clone()));
        let (shutdown, signal) = oneshot::channel::<()>();
        let server = axum::serve(
            KillableListener(listener),
            app.into_make_service_with_connect_info::<ConnInfo>(),
        )
        .with_graceful_shutdown(async {
            // A dropped sender means the same as a sent signal: stop.
            let _ = signal.await;
        });
        let task = tokio::spawn(async move {
            // axum's serve future never fails; there is nothing to report.
            let _ = server.await;
        });
        Ok(Self {
            addr,
            url: format!("http://{addr}"),
            admin,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The handle for setup and inspection.
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// Stops accepting connections and waits (up to five seconds) for in-flight requests.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
