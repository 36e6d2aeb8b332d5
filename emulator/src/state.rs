//! The emulator's state: a plain aggregate of the stores (tokens, app connections, the emulated
//! GitHub, secrets, syncs, the AWS stand-ins, the request log and counters) and the few settings
//! that have no area of their own (faults, latency, the rate limit). Everything sits behind one
//! mutex that is never held across an `.await`. The behaviour lives in [`crate::service`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::faults::ActiveFault;
use crate::github::model::GitHub;
use crate::store::approvals::Approvals;
use crate::store::aws::AwsServices;
use crate::store::connections::Connections;
use crate::store::github_apps::GitHubApps;
use crate::store::identities::Identities;
use crate::store::log::{Counters, RequestLog};
use crate::store::projects::Project;
use crate::store::secrets::SecretsStore;
use crate::store::syncs::{SyncStore, SyncTiming};
use crate::store::tags::Tags;
use crate::store::tokens::Tokens;

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
        github: GitHub,
        github_apps: GitHubApps,
        licenses: Licenses,
        sync_timing: SyncTiming,
    ) -> Self {
        Self {
            settings,
            state: Mutex::new(State {
                github,
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

/// Everything mutable.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) connections: Connections,
    /// Access tokens issued, and the machine identities that may log in.
    pub(crate) tokens: Tokens,
    /// Machine identities made through the API, with their auth methods.
    pub(crate) identities: Identities,
    /// The emulated GitHub: the credentials it accepts, and what syncs write to (repositories,
    /// Actions secrets, grants).
    pub(crate) github: GitHub,
    /// Projects' environments, folders and secrets: what syncs read.
    pub(crate) secrets: SecretsStore,
    /// Projects' secret tags.
    pub(crate) tags: Tags,
    /// Secret-approval policies and the requests they opened.
    pub(crate) approvals: Approvals,
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
    /// The server's rate-limit buckets, when on.
    pub(crate) buckets: Option<crate::rate_limit::Buckets>,
    /// Requests per route (`METHOD /pattern`), for the benchmark's counts.
    pub(crate) route_counts: BTreeMap<String, crate::rate_limit::RouteCount>,
    /// The identity is a member of projects, not of the organization: an organization-wide
    /// list is refused (403), per-project lists are not.
    pub(crate) projects_only: bool,
    pub(crate) log: RequestLog,
    pub(crate) counters: Counters,
}
