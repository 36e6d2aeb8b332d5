//! A local emulator of the Infisical API routes terraform-provider-infisical uses, faithful to the
//! real server where a client can notice: validation (422 with an array of zod issues), error
//! bodies and messages, `credentialsHash` behaviour, single-use GitHub codes, token expiry.
//!
//! # What it serves
//! - `POST /api/v1/auth/universal-auth/login`, `…/oidc-auth/login`, `…/kubernetes-auth/login`,
//!   `…/aws-auth/login`, and `POST /api/v1/auth/token/renew`.
//! - The GitHub app connection routes under `/api/v1/app-connections/github`: list (`?projectId`),
//!   get by id, get by name (`/connection-name/:name`, `?projectId`), create, `PATCH`, `DELETE`.
//! - An admin API under `/__emulator/…` (see below) that other processes can use.
//!
//! # What "GitHub" accepts
//! Tests declare what is valid with [`Admin::add_pat`] and [`Admin::add_code`] (a code is
//! exchanged once; its user sees the installations given). With [`Config::demo`] set (the
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
//! [--oidc IDENTITY=JWT] [--kubernetes IDENTITY=TOKEN] [--aws IDENTITY=KEY_ID:SECRET]
//! [--no-demo]` prints the base URL as the first line of stdout, then serves until Ctrl-C or
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
//! | `POST /__emulator/projects`, `POST /__emulator/gateways` | `{"id"}` | declare a project / gateway |
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
//! | `GET`/`DELETE /__emulator/requests` | | the request log ([`LoggedRequest`]) / clear it |
//! | `GET /__emulator/counters` | | [`Counters`] |
//!
//! # Layout
//! - `routes`: the API routes and the middleware (faults, latency, request log).
//! - `state`: the state behind one mutex and the server-side logic of each route.
//! - `github`: the GitHub request schemas and the simulated GitHub side.
//! - `sts`: the simulated AWS STS side of AWS auth: SigV4 signature checks.
//! - `zod`: the imitation of zod that produces the real 422 issues.
//! - `admin`: [`Admin`] and the HTTP admin API.
//! - `faults`: [`Fault`] rules.
//! - `error`: Infisical's error bodies.
//! - `net`: a listener whose connections a handler can cut.

mod admin;
mod aws_services;
mod error;
mod faults;
mod github;
mod net;
mod routes;
mod state;
mod sts;
mod zod;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use admin::{Admin, Counters, LoggedRequest, SeedConnection, StoredConnection};
pub use aws_services::AwsRole;
pub use faults::{Fault, FaultAction, Trigger};
pub use sts::AwsKey;

use crate::github::GitHubSide;
use crate::net::{ConnInfo, KillableListener};
use crate::state::{Settings, Shared};

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
        let shared = Arc::new(Shared::new(settings, GitHubSide::new(config.demo)));
        let admin = Admin {
            shared: Arc::clone(&shared),
        };
        // The AWS stand-ins stay out of the request log: their traffic is credentials.
        let app = routes::router(Arc::clone(&shared))
            .merge(aws_services::router(shared))
            .merge(admin::router(admin.clone()));
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
