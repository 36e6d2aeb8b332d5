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
//!   [Secret syncs](#secret-syncs)).
//! - A GitHub under `/__github` with the Actions secrets routes a sync uses (see
//!   [The emulated GitHub](#the-emulated-github)).
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
//! # Secret syncs
//! The source is a secrets store seeded through the admin API: every project declared gets
//! Infisical's default environments (`dev` Development, `staging` Staging, `prod` Production,
//! each with its root folder `/`); [`Admin::set_secret`] creates the project, environment and
//! folders it names. Changing or deleting a secret through the admin API queues a sync for each
//! auto-synced sync of that folder, as the server's secret queue does (imports, references and
//! parent folders are not followed).
//!
//! The routes follow `research/secret-sync-github.md`: zod 422s with the server's messages, the
//! service's 400s and 404s in its order (project, folder, duplicate destination when
//! [`Admin::set_block_duplicate_destinations`] is on, connection, name), and the answer's fields.
//! The job queue follows `secret-sync-queue.ts` and the service's triggers:
//! - Create with auto-sync (the default) sets `syncStatus: pending` and queues a sync job. A
//!   `PATCH` of an auto-synced sync queues one too (`updateSecretSync`), but sets `pending` only
//!   when the sync has a folder: with the folder gone its answer keeps the old status and the
//!   job fails. Every answer carries `lastSyncJobId`, `lastSyncedAt` and `updatedAt`;
//!   `lastSyncJobId` is written only by a job's final write, and every job has a fresh id.
//! - Every queued job runs: none is merged into a newer one. A sync job waits a jitter of up to
//!   10 s, then each attempt takes the sync's lock (and one of its connection's 5 slots for sync
//!   jobs), sets `running`, and releases both when it ends. Between attempts (backoff 3 s
//!   doubling, 5 attempts for a sync job, 1 for a remove job) the lock is free and the status
//!   stays `running`. Only the last attempt (success, a failure that is not retried, or the
//!   fifth) writes `succeeded`/`failed`, `lastSyncJobId`, `lastSyncMessage` and (on success)
//!   `lastSyncedAt`.
//! - A sync job that meets the lock or a full connection is requeued as a new job 30 s + up to
//!   10 s later, up to 120 times; then the sync is `failed` with "Failed to run job. This
//!   typically happens when a sync is already in progress. Please try again.". A remove job
//!   that meets the lock fails at once with that message (`removeStatus: failed`), without
//!   requeue (`$handleAcquireLockFailure`).
//! - `POST …/sync-secrets`, `…/remove-secrets` and `DELETE ?removeSecrets=true` check the folder
//!   (400 "Invalid source configuration: folder no longer exists. Please configure a valid source
//!   and try again."), then the lock (400 "A job for this sync is already in progress. Please try
//!   again shortly.", only while an attempt runs), then queue the job and set `pending`. Remove
//!   jobs run at once. A `DELETE` with `removeSecrets=true` answers the still-existing sync with
//!   `removeStatus: pending` and the job deletes the row when it succeeds (on failure it stays,
//!   `removeStatus: failed`, with `lastRemoveMessage`).
//!
//! Every delay is divided by [`SyncTiming::speedup`]: by default 1000 (a queued job runs within
//! 10 ms, a requeue waits 30–40 ms, a failing sync ends after 45 ms of backoff), so tests stay
//! quick; [`SyncTiming::real`] (`--real-sync-timing`, `{"realTiming": true}`) is the server's own
//! timing, for a benchmark or a slow test. [`Config::sync_timing`] and [`Admin::set_sync_timing`]
//! set it, with the attempts, the requeue limit and the connection limit.
//!
//! A test waits with [`Admin::wait_for_sync`] (or `GET /__emulator/secret-syncs/:id/wait`), which
//! returns once the sync has no queued or running job. To reach a phase without sleeping:
//! [`Admin::pause_syncs`] holds queued jobs before they start (they stay `pending`),
//! [`Admin::hold_sync_attempts`] holds attempts once they hold the lock, [`Admin::hold_sync_retries`]
//! holds jobs between attempts, and [`Admin::wait_for_sync_engine`] waits until the engine's
//! counters ([`SyncEngine`]: jobs queued and pending, attempts running and held, jobs between
//! attempts, requeues, lock failures) satisfy a condition.
//!
//! A job does what `github-sync-fns.ts` does, against the emulated GitHub, in process: the limits
//! (1000 secrets at organization scope, 100 at repository scope), the token (a PAT connection's
//! token, an OAuth connection's access token from its code exchange, or for a `github-app`
//! connection a fresh installation token — and the list mints another of its own, as
//! `makePaginatedGitHubRequest` does, so two per attempt), the list (every page of 100), the
//! public key, one `PUT` per secret sealed with the scope's key, then — unless
//! `disableSecretDeletion` — a `DELETE` for every listed name that matches the key schema and is
//! not in the payload. Keys go through `keySchema` (`{{secretKey}}`, `{{environment}}` = the
//! environment's slug) and are upper-cased. The match is `matchesSchema`'s: the schema (its
//! `{{environment}}` the lower-case slug) is compared case-sensitively with GitHub's upper-case
//! names, so a schema with a lower-case letter or `{{environment}}` never deletes anything.
//! remove-secrets deletes the listed names that are in the payload.
//!
//! `lastSyncMessage` is what `parseSyncErrorMessage` writes: GitHub's answer body as JSON (keys
//! in GitHub's order, e.g. `{"message":"Not Found","documentation_url":…,"status":"404"}`) for a
//! failed list, public key or delete; for a failed `PUT`, the newer `SecretSyncError` shape
//! `{secretKey, message, error}` with undefined keys dropped — `{"secretKey":"K","error":{GitHub's
//! body}}` (the error carries no message of its own); for the limits, `{"message":"GitHub does not
//! support storing more than …"}`; a gone folder gives the job's `SecretSyncError` wrapped the same way,
//! `{"message":"Invalid Secret Sync source configuration: folder no longer exists. Please update
//! source environment and secret path."}`. Messages are
//! cut to 1024 characters.
//!
//! Decisions where the research leaves things open: an unknown project is a 404 `Project with ID
//! '<id>' not found` (the text was not read); get, delete and the action routes' 404 quote the id
//! (`… with ID "<id>"`), `PATCH`'s does not, as the research gives them; `keySchema` is capped at
//! 255 characters and only needs one `{{secretKey}}` (the newest version); there is neither
//! `recursive` nor `includeAllSubFolders`; failed syncs are not retried daily; `version` stays 1;
//! check-destination's `projectId` must be a uuid, as in the server's schema; there are no
//! permissions (every authenticated caller may do everything).
//!
//! # The emulated GitHub
//! Served under `/__github` (a GitHub API base URL of `{url}/__github`), outside the request log:
//! `GET …/secrets` (`?per_page` up to 100, default 30, `?page`; a `Link` header with `prev`,
//! `next`, `last`, `first`), `GET …/secrets/public-key` (`{key_id, key}`), `GET`/`PUT`/`DELETE
//! …/secrets/{name}` (PUT takes `{encrypted_value, key_id}`, plus `visibility` and
//! `selected_repository_ids` at organization scope; 201 created, 204 updated; DELETE 204), at
//! `/orgs/{org}/actions`, `/repos/{owner}/{repo}/actions` and
//! `/repos/{owner}/{repo}/environments/{env}`; and `POST /app/installations/{id}/access_tokens`
//! (any bearer token stands for the app's JWT). Each scope has its own X25519 key pair; PUT opens
//! the libsodium sealed box, so [`Admin::github_secrets`] shows the plaintext.
//!
//! GitHub's rules apply: names `[A-Za-z0-9_]`, no leading digit, no `GITHUB_` prefix, stored
//! upper-case; values up to 48 KB; a wrong `key_id` or an unopenable box is refused. Refusals are
//! 422 `{"message","documentation_url","status":"422"}` (GitHub's exact texts were not read;
//! these say the documented rules). Repositories ([`Admin::add_github_repo`], whose owner counts as
//! an organization), organizations and environments must exist, and the token must reach them:
//! otherwise 404 `{"message":"Not Found",…}` either way, as GitHub answers. A missing token is
//! 401 "Requires authentication", an unknown one 401 "Bad credentials". Who reaches what is
//! declared with [`Admin::grant_github_access`] / [`Admin::revoke_github_access`] for a token, an
//! installation, or a connection (its PAT, OAuth token or installation); a repository grant gives
//! the repository and its environments, an organization grant its secrets and all its
//! repositories. [`Admin::grant_github_access_without_secrets`] (over HTTP, a grant with
//! `"secrets": false`) lets the subject see the target but not its Actions secrets, as an
//! installation or fine-grained PAT without the "Secrets" permission: an existing target then
//! answers 403 `{"message":"Resource not accessible by integration","documentation_url":
//! "https://docs.github.com/rest/actions/secrets","status":"403"}` to an installation's token,
//! and "…by personal access token" to a PAT (and, untested against GitHub, an OAuth token). A connection's credentials become known to GitHub when Infisical validates them.
//!
//! With [`Config::demo`], the repository `demo-org/demo-repo` (environment `production`) exists,
//! and every token and installation GitHub sees (any `ghp_…`/`github_pat_…` PAT, any OAuth token
//! or installation of a connection) reaches the organization `demo-org`, so a demo can sync
//! there without setup.
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
//! [--kubernetes IDENTITY=TOKEN] [--aws IDENTITY=KEY_ID:SECRET] [--github-repo OWNER/NAME[=ENV,…]]
//! [--sync-speedup N] [--real-sync-timing] [--no-demo]` prints the base URL as the first line of stdout, then serves until Ctrl-C or
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
//! | `POST /__emulator/projects/:id/environments` | `{"slug","name"?}` | add an environment ([`Admin::add_environment`]) |
//! | `POST`/`DELETE /__emulator/projects/:id/folders` | `{"environment","path"}` | add a folder with its parents / delete it and its subfolders (syncs on it get `folderId: null`) |
//! | `PUT /__emulator/projects/:id/secrets` | `{"environment","path"?,"key","value"}` | set a secret (path defaults to `/`); queues the folder's auto-synced syncs |
//! | `DELETE /__emulator/projects/:id/secrets` | `{"environment","path"?,"key"}` | delete a secret (404 if absent); queues them too |
//! | `GET /__emulator/projects/:id/secrets?environment=&path=` | | `{"secrets":{key:value}}` |
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
//! - `observe`: the middleware around the API routes (faults, latency, request log).
//! - `http`: what every API route reads: the `Authenticated` extractor, bodies, ids, queries.
//! - `routes`: the login and app-connection routes.
//! - `state`: the state behind one mutex and the server-side logic of each route.
//! - `github`: the GitHub request schemas and the simulated GitHub side.
//! - `github_apps`: org-managed GitHub Apps and the shared app: resolution and listing.
//! - `github_server`: the emulated GitHub: repositories, grants, Actions secrets, sealed boxes.
//! - `secrets`: projects' environments, folders and secrets, what syncs read.
//! - `sync`: the secret-sync schemas, rows, answers and route logic.
//! - `sync_jobs`: the sync engine: job timing, status flow, the writes to GitHub.
//! - `sync_routes`: the secret-sync HTTP routes.
//! - `admin_sync`: the admin API of secrets, the emulated GitHub and syncs.
//! - `sts`: the simulated AWS STS side of AWS auth: SigV4 signature checks.
//! - `zod`: the imitation of zod that produces the real 422 issues.
//! - `admin`: [`Admin`] and the HTTP admin API.
//! - `faults`: [`Fault`] rules.
//! - `error`: Infisical's error bodies.
//! - `net`: a listener whose connections a handler can cut.

mod admin;
mod admin_sync;
mod api;
mod clock;
mod error;
mod faults;
mod github;
mod http;
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
pub use admin_sync::GitHubSubject;
pub use faults::{Fault, FaultAction, Trigger};
pub use github::model::{GitHubScope, GitHubSecret, GitHubTarget};
pub use store::aws::AwsRole;
pub use store::connections::{Project, StoredConnection};
pub use store::github_apps::{GitHubApp, SharedGitHubApp};
pub use store::log::{Counters, LoggedRequest};
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
            GitHub::new(config.demo),
            GitHubApps::new(config.shared_github_app),
            licenses,
            config.sync_timing,
        ));
        service::sync_jobs::start(&shared);
        let admin = Admin {
            shared: Arc::clone(&shared),
        };
        // The AWS stand-ins and the emulated GitHub stay out of the request log: their traffic
        // is credentials.
        let api = api::auth::routes()
            .merge(api::connections::routes())
            .merge(api::syncs::routes());
        let app = observe::wrap(api, Arc::clone(&shared))
            .merge(github::http::router(Arc::clone(&shared)))
            .merge(api::aws::router(shared))
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
