//! The secret syncs Infisical stores, in creation order, and the state of their job machinery:
//! the timing, the queue's sender, each connection's running jobs and the engine's counters.
//! A store: plain data and its bookkeeping; what a route or a job does with it is a service's.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use crate::github::model::GitHubScope;

/// How sync jobs are timed, in the shape of the server's queue (`secret-sync-queue.ts`): a queued
/// sync job waits a random jitter of up to 10 s; a failed attempt is retried after a backoff of
/// 3 s doubling (BullMQ's exponential backoff) up to [`SyncTiming::attempts`]; a job that meets
/// its sync's lock, or its connection's limit of running sync jobs, is requeued as a new job
/// after 30 s plus a jitter of up to 10 s, up to [`SyncTiming::requeue_limit`] times. Remove jobs
/// run at once and get one attempt. Every delay is divided by [`SyncTiming::speedup`]: the
/// default, 1000, turns the server's seconds into milliseconds (a queued job runs within 10 ms,
/// a failing sync ends after 3+6+12+24 ms of backoff); [`SyncTiming::real`] is the server's own
/// timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncTiming {
    /// What every delay of the server's queue is divided by; 1 is the server's timing.
    pub speedup: u32,
    /// How many attempts a sync job gets (the server's 5; remove jobs always get one).
    pub attempts: u32,
    /// How many times a sync job that met the lock is requeued before it fails (the server's 120).
    pub requeue_limit: u32,
    /// How many sync jobs of one connection may run at once (the server's 5).
    pub connection_limit: u32,
}

impl Default for SyncTiming {
    fn default() -> Self {
        Self {
            speedup: 1000,
            attempts: 5,
            requeue_limit: 120,
            connection_limit: 5,
        }
    }
}

impl SyncTiming {
    /// The server's jitter before a queued sync job runs (`JITTER_MS`).
    pub const JITTER: Duration = Duration::from_secs(10);
    /// The server's first backoff between attempts (`DEFAULT_SECRET_SYNC_RETRY_CONFIG`).
    pub const BACKOFF: Duration = Duration::from_secs(3);
    /// The server's delay before a requeued job runs, before its jitter (`REQUEUE_MS`).
    pub const REQUEUE: Duration = Duration::from_secs(30);

    /// The server's own timing (speedup 1), for a benchmark or a slow test.
    pub fn real() -> Self {
        Self {
            speedup: 1,
            ..Self::default()
        }
    }

    /// A server delay at this timing's speed.
    pub fn scaled(&self, delay: Duration) -> Duration {
        delay / self.speedup.max(1)
    }

    /// `getRequeueDelay`: a jitter of up to 10 s for a new job, 30 s more for a requeued one.
    pub(crate) fn queue_delay(&self, lock_failures: u32) -> Duration {
        let jitter = Self::JITTER.mul_f64(rand::random::<f64>());
        let delay = if lock_failures == 0 {
            jitter
        } else {
            Self::REQUEUE + jitter
        };
        self.scaled(delay)
    }

    /// BullMQ's exponential backoff after failed attempt `attempt` (from 1): 3 s, 6 s, 12 s, ….
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        self.scaled(Self::BACKOFF.saturating_mul(1 << attempt.saturating_sub(1).min(16)))
    }
}

/// `pending | running | succeeded | failed` (SecretSyncStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobKind {
    /// Push the folder's secrets.
    Sync,
    /// Remove the folder's secrets from the destination; delete the sync after success when set.
    Remove { delete_on_complete: bool },
}

/// A queued job. Each has its own id (`jobId: randomUUID()`); none are merged.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) sync_id: String,
    pub(crate) kind: JobKind,
    /// `failedToAcquireLockCount`: how many times this sync job was requeued.
    pub(crate) lock_failures: u32,
}

/// One stored sync.
#[derive(Debug, Clone)]
pub(crate) struct SecretSync {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) project_id: String,
    /// `None` once the folder is deleted (the server's foreign key is set null).
    pub(crate) folder_id: Option<String>,
    /// The environment and path the sync was configured with (a folder lookup on PATCH needs them
    /// even when the folder is gone).
    pub(crate) environment: String,
    pub(crate) secret_path: String,
    pub(crate) connection_id: String,
    pub(crate) destination_config: Value,
    pub(crate) sync_options: Value,
    pub(crate) is_auto_sync_enabled: bool,
    pub(crate) sync_status: Option<Status>,
    pub(crate) last_sync_job_id: Option<String>,
    pub(crate) last_sync_message: Option<String>,
    pub(crate) last_synced_at: Option<String>,
    pub(crate) remove_status: Option<Status>,
    pub(crate) last_remove_job_id: Option<String>,
    pub(crate) last_remove_message: Option<String>,
    pub(crate) last_removed_at: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// Jobs queued or running.
    pub(crate) outstanding: u32,
    /// An attempt holds the sync's lock (it is released between attempts).
    pub(crate) locked: bool,
}

impl SecretSync {
    /// The GitHub scope the destination config names.
    pub(crate) fn scope(&self) -> GitHubScope {
        let config = &self.destination_config;
        let text = |key: &str| {
            config
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match text("scope").as_str() {
            "organization" => GitHubScope::org(text("org")),
            "repository-environment" => GitHubScope::env(text("owner"), text("repo"), text("env")),
            _ => GitHubScope::repo(text("owner"), text("repo")),
        }
    }

    /// `syncOptions.keySchema`, `None` when empty or missing.
    pub(crate) fn key_schema(&self) -> Option<&str> {
        self.sync_options
            .get("keySchema")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `syncOptions.disableSecretDeletion`.
    pub(crate) fn deletion_disabled(&self) -> bool {
        self.sync_options
            .get("disableSecretDeletion")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// What the sync engine is doing, for tests that wait on it ([`crate::Admin::sync_engine`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncEngine {
    /// Jobs queued so far, requeued ones included (each requeue is a new job).
    pub queued: u64,
    /// Jobs queued or running now.
    pub jobs: u32,
    /// Attempts holding their sync's lock now.
    pub attempts_running: u32,
    /// Of those, attempts held by [`crate::Admin::hold_sync_attempts`].
    pub attempts_held: u32,
    /// Jobs between two attempts (lock released, `syncStatus: running`).
    pub between_attempts: u32,
    /// Sync jobs requeued because they met their sync's lock or their connection's limit.
    pub requeued: u64,
    /// Jobs that failed because they could not run: remove jobs that met the lock, sync jobs
    /// past the requeue limit.
    pub lock_failures: u64,
}

/// The syncs and their job machinery.
#[derive(Default)]
pub(crate) struct SyncStore {
    pub(crate) syncs: HashMap<String, SecretSync>,
    /// Creation order, which is the order lists come in.
    pub(crate) order: Vec<String>,
    pub(crate) timing: SyncTiming,
    /// The organization flag `blockDuplicateSecretSyncDestinations`.
    pub(crate) block_duplicates: bool,
    /// Where queued jobs go (the engine's dispatcher); `None` before the emulator runs.
    pub(crate) jobs: Option<UnboundedSender<Job>>,
    /// Connection id → sync jobs of that connection running an attempt now.
    pub(crate) connection_running: HashMap<String, u32>,
    /// The engine's counters (its `jobs` is computed when read).
    pub(crate) engine: SyncEngine,
}

impl SyncStore {
    pub(crate) fn new(timing: SyncTiming) -> Self {
        Self {
            timing,
            ..Self::default()
        }
    }

    /// Sets the status the server sets when it queues a job (`pending`), and queues it.
    pub(crate) fn queue(&mut self, sync_id: &str, kind: JobKind) {
        if let Some(sync) = self.syncs.get_mut(sync_id) {
            match kind {
                JobKind::Sync => sync.sync_status = Some(Status::Pending),
                JobKind::Remove { .. } => sync.remove_status = Some(Status::Pending),
            }
        }
        self.enqueue(sync_id, kind, 0);
    }

    /// Queues a job with a fresh id, leaving the statuses as they are.
    pub(crate) fn enqueue(&mut self, sync_id: &str, kind: JobKind, lock_failures: u32) {
        let Some(sync) = self.syncs.get_mut(sync_id) else {
            return;
        };
        let job = Job {
            id: uuid::Uuid::new_v4().to_string(),
            sync_id: sync_id.to_owned(),
            kind,
            lock_failures,
        };
        // Without a dispatcher (it only goes when the emulator stops) the job cannot run.
        if self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok())
        {
            sync.outstanding += 1;
            self.engine.queued += 1;
        }
    }

    /// The engine's counters, with the jobs of the syncs that exist.
    pub(crate) fn engine(&self) -> SyncEngine {
        SyncEngine {
            jobs: self.syncs.values().map(|s| s.outstanding).sum(),
            ..self.engine
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<SecretSync> {
        self.order.retain(|o| o != id);
        self.syncs.remove(id)
    }

    /// Deletes a sync's row (a remove job with `deleteSyncOnComplete` that succeeded).
    pub(crate) fn delete_row(&mut self, id: &str) {
        self.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `getRequeueDelay` and `DEFAULT_SECRET_SYNC_RETRY_CONFIG` in
    /// `backend/src/services/secret-sync/secret-sync-queue.ts`, divided by the speedup.
    #[test]
    fn timing_has_the_servers_shape_at_the_chosen_speed() {
        let fast = SyncTiming::default();
        assert_eq!(fast.backoff(1), Duration::from_millis(3));
        assert_eq!(fast.backoff(4), Duration::from_millis(24));
        for _ in 0..100 {
            assert!(fast.queue_delay(0) <= Duration::from_millis(10));
            let requeue = fast.queue_delay(1);
            assert!(requeue >= Duration::from_millis(30) && requeue <= Duration::from_millis(40));
        }
        let real = SyncTiming::real();
        assert_eq!(real.backoff(2), Duration::from_secs(6));
        assert!(real.queue_delay(3) >= Duration::from_secs(30));
        assert_eq!(
            (real.attempts, real.requeue_limit, real.connection_limit),
            (5, 120, 5)
        );
    }
}
