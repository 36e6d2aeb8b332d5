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
//! - GitHub secret syncs under `/api/v1/secret-syncs/github`: list (`?projectId`, required), get by
//!   id, get by name (`/sync-name/:name?projectId`), create, `PATCH`, `DELETE`
//!   (`?removeSecrets=true|false`), `POST /:id/sync-secrets`, `/:id/remove-secrets`,
//!   `/:id/import-secrets` (always 400 for GitHub) and `POST /check-destination`; plus the generic
//!   `GET /api/v1/secret-syncs?projectId` and `GET /api/v1/secret-syncs/options` (see
//!   `FIDELITY.md`).
//! - Projects under `/api/v1/projects`: create, list, get by id, get by slug (`/slug/:slug`,
//!   answered without an envelope), `PATCH`, `DELETE`; their environments under
//!   `/api/v1/projects/:projectId/environments`: create, get by id, `PATCH`, `DELETE`.
//! - Folders under `/api/v2/folders`: create, list (`?projectId&environment&path&recursive`),
//!   get by id, `PATCH /:folderId`, `DELETE /:folderIdOrName`. Projects, environments and folders
//!   are the ones the admin API seeds and secret syncs read.
//! - Secrets under `/api/v4/secrets`: the list (`?projectId&environment&secretPath&recursive&…`),
//!   get by id (`/id/:secretId`), get by name (`/:secretName`, `?version`), create, `PATCH`,
//!   `DELETE`, and the batch routes (`/batch`: `POST`, `PATCH`, `DELETE`); the same secrets the
//!   admin API seeds and syncs read. A secret-approval policy makes writes answer `{approval}`.
//! - Tags under `/api/v1/projects/:projectId/tags`: list, create, get by id, get by slug
//!   (`/slug/:tagSlug`), `PATCH`, `DELETE`; secrets carry them by id.
//! - Machine identities under `/api/v1/identities`: create, list (`?orgId`), get by id (the
//!   organization membership), `PATCH`, `DELETE`, and `GET /details` (the caller's organization);
//!   their universal auth under `/api/v1/auth/universal-auth/identities/:identityId` (attach,
//!   get, `PATCH`, `DELETE`) with its client secrets (`/client-secrets`: create, list, get by id,
//!   `/:id/revoke`). The universal-auth login then logs these identities in too.
//! - The deprecated routes the official Terraform provider calls, onto the same objects:
//!   `POST /api/v2/workspace`, `GET`/`DELETE /api/v2/workspace/:slug`,
//!   `GET /api/v1/workspace/:workspaceId`, `PUT …/:workspaceSlug/audit-logs-retention`, the
//!   environments under `/api/v1/workspace/:workspaceId/environments` and
//!   `GET /api/v1/workspace/environments/:envId`, the tags under
//!   `/api/v1/workspace/:projectId/tags` (`{workspaceTag}`), `POST /api/v1/folders`,
//!   `GET`/`PATCH /api/v1/folders/:id`, and the raw secrets under `/api/v3/secrets/raw` (list,
//!   `/id/:secretId`, and get, create, `PATCH`, `DELETE` by name).
//! - A GitHub under `/__github` with the Actions secrets routes a sync uses (see `FIDELITY.md`).
//! - An admin API under `/__emulator/…` (see below) that other processes can use.
//!
//! Where it follows the real server, and the choices it made where the server was not read
//! (validation, error texts, the sync job queue, GitHub's rules, the logins), is written in
//! `emulator/FIDELITY.md`.
//!

//! # Running it
//! `cargo run -p infisical-emulator -- [--port N] [--client-id X --client-secret Y]
//! [--token-ttl SECS] [--pat TOKEN] [--code CODE=INSTALLATION,…] [--project ID] [--gateway ID]
//! [--gateway-pool ID] [--github-app ID=NAME[,KEY=VALUE…]] [--no-shared-github-app]
//! [--no-gateway-license] [--no-gateway-pool-license] [--oidc IDENTITY=JWT]
//! [--kubernetes IDENTITY=TOKEN] [--aws IDENTITY=KEY_ID:SECRET] [--github-repo OWNER/NAME[=ENV,…]]
//! [--sync-speedup N] [--real-sync-timing] [--rate-limits default|NAME=N,…] [--no-demo]` prints the base URL as the first line of stdout, then serves until Ctrl-C or
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
//! | `GET`/`PUT`/`DELETE /__emulator/rate-limit-buckets` | [`BucketLimits`] (fields missing: the defaults) | the server's buckets per client IP (`null` when off) / on / off |
//! | `GET`/`DELETE /__emulator/route-counters` | | `{"METHOD /pattern": `[`RouteCount`]`}`: requests per route and how many got a 429 / reset them |
//! | `GET`/`DELETE /__emulator/requests` | | the request log ([`LoggedRequest`]) / clear it |
//! | `GET /__emulator/counters` | | [`Counters`] |
//! | `GET /__emulator/projects/:id` | | the stored [`Project`], with its `members` ([`Admin::project`]; 404 if unknown) |
//! | `GET`/`POST /__emulator/projects/:id/environments` | `{"slug","name"?}` | `{"environments":[`[`EnvironmentInfo`]`]}` by position ([`Admin::environments`]) / add an environment ([`Admin::add_environment`]) |
//! | `GET /__emulator/projects/:id/folders?environment=` | | `{"folders":[path…]}`, sorted, `/` first ([`Admin::folders`]) |
//! | `POST`/`DELETE /__emulator/projects/:id/folders` | `{"environment","path"}` | add a folder with its parents / delete it and its subfolders (syncs on it get `folderId: null`) |
//! | `PUT /__emulator/projects/:id/secrets` | `{"environment","path"?,"key","value"}` | set a secret (path defaults to `/`); queues the folder's auto-synced syncs |
//! | `DELETE /__emulator/projects/:id/secrets` | `{"environment","path"?,"key"}` | delete a secret (404 if absent); queues them too |
//! | `GET /__emulator/projects/:id/secrets?environment=&path=` | | `{"secrets":{key:value}}` |
//! | `POST /__emulator/projects/:id/approval-policies` | `{"environment","secretPath"?,"bypassForMachineIdentities"?}` | put a path (or glob) under a secret-approval policy ([`Admin::add_secret_approval_policy`]); `{"id"}` |
//! | `GET /__emulator/projects/:id/approval-requests` | | `{"requests":[`[`ApprovalRequest`]`]}` the writes held |
//! | `PUT`/`DELETE /__emulator/projects/:id/secret-rotation` | `{"environment","path"?,"key","rotationId"?}` | a rotation owns the secret / none does ([`Admin::set_secret_rotation`]; 404 if absent) |
//! | `POST /__emulator/github/repos` | `{"owner","name","environments"?:[…]}` | declare a repository; `{"id"}` |
//! | `POST /__emulator/github/orgs` | `{"org"}` | declare an organization without repositories |
//! | `POST`/`DELETE /__emulator/github/grants` | `{"token"\|"installationId"\|"connectionId", "repo":"owner/name"\|"org", "secrets"?: bool}` | give / take access; `"secrets": false` gives access without the Secrets permission (GitHub's 403) |
//! | `GET /__emulator/github/secrets?org=` or `?owner=&repo=[&env=]` | | `{"secrets":[`[`GitHubSecret`]`]}`, decrypted |
//! | `GET /__emulator/github/installations/:id/tokens` | | `{"minted": n}` installation tokens minted |
//! | `GET /__emulator/secret-syncs/:id` | | the sync as the API answers it |
//! | `GET /__emulator/secret-syncs/:id/wait?timeoutMs=` | | the sync once it has no job (404 if it is gone; 408 `{"error","secretSync"}` at the timeout, default 10 s) |
//! | `GET`/`PUT /__emulator/sync-timing` | `{"speedup"?,"realTiming"?,"attempts"?,"requeueLimit"?,"connectionLimit"?,"paused"?,"holdAttempts"?,"holdRetries"?}` | read / change job timing ([`SyncTiming`]; `realTiming: true` is speedup 1) and the holds ([`Admin::pause_syncs`], [`Admin::hold_sync_attempts`], [`Admin::hold_sync_retries`]) |
//! | `GET /__emulator/sync-engine` | | [`SyncEngine`]'s counters, camelCase |
//! | `PUT /__emulator/org-settings` | `{"blockDuplicateSecretSyncDestinations"}` | the organization flag |
//!
//! # Layout
//! Three layers, each importing only those below it (`ARCHITECTURE.md`, "The emulator"):
//! - stores (`store/`, `github/model.rs`): plain data per area — tokens, machine identities
//!   (with their universal auth and client secrets), connections, GitHub Apps, projects, secrets (environments, folders and their secrets with their versions),
//!   tags, secret-approval policies and requests, syncs, the AWS
//!   stand-ins' role, the request log — and `state.rs`'s `State`, their aggregate behind one
//!   mutex;
//! - services (`service/`): what each API area does — logins, identities, universal auth,
//!   connections, projects,
//!   environments, folders, secrets (and their references), syncs and the sync engine — over the
//!   stores; `schema/` turns
//!   request bodies into their typed inputs;
//! - HTTP (`api/`, `github/http.rs`, `admin.rs`, `admin_sync.rs`, `admin_secrets.rs`): one router per area, reading
//!   requests through `http.rs` (the `Authenticated` extractor, bodies, ids, queries), with
//!   `observe.rs` (faults, latency, the request log) around the API routers this file composes.
//!
//! Leaves: `clock`, `error` (Infisical's error bodies), `zod`, `faults` ([`Fault`] rules),
//! `ip` (trusted IP ranges), `net` (a listener whose connections a handler can cut),
//! `rate_limit`, `sts` (SigV4 checks).

mod admin;
mod admin_secrets;
mod admin_sync;
mod api;
mod clock;
mod error;
mod faults;
mod github;
mod http;
mod ip;
mod net;
mod observe;
mod rate_limit;
mod schema;
mod service;
mod state;
mod store;
mod sts;
mod zod;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use admin::{Admin, SeedConnection};
pub use admin_sync::{EnvironmentInfo, GitHubSubject};
pub use faults::{Fault, FaultAction, Trigger};
pub use github::model::{GitHubScope, GitHubSecret, GitHubTarget, sealed_secret};
pub use rate_limit::{Bucket, BucketLimits, RouteCount};
pub use store::approvals::{ApprovalCommit, ApprovalPolicy, ApprovalRequest};
pub use store::aws::AwsRole;
pub use store::connections::StoredConnection;
pub use store::github_apps::{GitHubApp, SharedGitHubApp};
pub use store::log::{Counters, LoggedRequest};
pub use store::projects::Project;
pub use store::syncs::{SyncEngine, SyncTiming};
pub use sts::AwsKey;

use crate::github::model::GitHub;
use crate::net::{ConnInfo, KillableListener};
use crate::state::{Licenses, Settings, Shared};
use crate::store::github_apps::GitHubApps;

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
    /// How secret-sync jobs are timed (see [`SyncTiming`]); the default is the server's timing
    /// a thousand times faster (a queued sync job runs within 10 ms), [`SyncTiming::real`] the
    /// server's own.
    pub sync_timing: SyncTiming,
    /// The self-hosted server's rate-limit buckets ([`BucketLimits::default`] is a self-hosted
    /// server's: 600 per client IP and minute in all, 60 reads, 200 writes, 60 to each secrets
    /// route…), or `None` (the default) for no limit. See `FIDELITY.md`.
    pub rate_limit_buckets: Option<BucketLimits>,
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
            rate_limit_buckets: None,
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
            GitHub::new(config.demo),
            GitHubApps::new(config.shared_github_app),
            licenses,
            config.sync_timing,
        ));
        shared.lock().buckets = config.rate_limit_buckets.map(rate_limit::Buckets::new);
        service::sync_jobs::start(&shared);
        let admin = Admin {
            shared: Arc::clone(&shared),
        };
        // The AWS stand-ins and the emulated GitHub stay out of the request log: their traffic
        // is credentials.
        let api = api::auth::routes()
            .merge(api::connections::routes())
            .merge(api::syncs::routes())
            .merge(api::projects::routes())
            .merge(api::folders::routes())
            .merge(api::secrets::routes())
            .merge(api::tags::routes())
            .merge(api::identities::routes())
            .merge(api::deprecated::routes());
        let app = observe::wrap(api, Arc::clone(&shared))
            .merge(github::http::router(Arc::clone(&shared)))
            .merge(api::aws::router(shared))
            .merge(admin::router(admin.clone()))
            .merge(admin_sync::router(admin.clone()))
            .merge(admin_secrets::router(admin.clone()));
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
