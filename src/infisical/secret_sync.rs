//! GitHub secret syncs: the typed requests and answers of `/api/v1/secret-syncs/github`, the
//! CRUD calls, the duplicate-destination check, and the wait for a queued sync's outcome. A sync
//! holds no secret of its own (the connection does), so nothing here is a [`crate::secret::Secret`].

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::client::{Client, Repeat, StopSignal, encode};
use super::error::Error;

/// `pending | running | succeeded | failed`, as Infisical spells them (SecretSyncStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncStatus {
    /// Queued.
    Pending,
    /// A job is working on it (also between its attempts).
    Running,
    /// The last job succeeded.
    Succeeded,
    /// The last job failed; the message says why.
    Failed,
}

impl SyncStatus {
    /// Whether a job is queued or running.
    pub fn is_busy(self) -> bool {
        matches!(self, SyncStatus::Pending | SyncStatus::Running)
    }

    /// Infisical's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Pending => "pending",
            SyncStatus::Running => "running",
            SyncStatus::Succeeded => "succeeded",
            SyncStatus::Failed => "failed",
        }
    }
}

/// Where on GitHub a sync writes: `destinationConfig`, a union on `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope")]
pub enum GitHubDestination {
    /// An organization's secrets, visible to `visibility`'s repositories.
    #[serde(rename = "organization", rename_all = "camelCase")]
    Organization {
        /// The organization's login.
        org: String,
        /// `all`, `private` or `selected`.
        visibility: String,
        /// With `selected`: the repositories' numeric ids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        selected_repository_ids: Option<Vec<u64>>,
    },
    /// A repository's secrets.
    #[serde(rename = "repository")]
    Repository {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
    },
    /// A repository environment's secrets.
    #[serde(rename = "repository-environment")]
    RepositoryEnvironment {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
        /// The environment's name.
        env: String,
    },
}

/// `syncOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncOptions {
    /// For GitHub, always `overwrite-destination` (GitHub cannot return secrets to import).
    pub initial_sync_behavior: String,
    /// Keep destination secrets that are not in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_secret_deletion: Option<bool>,
    /// How keys are named at the destination, e.g. `APP_{{secretKey}}`; empty or absent is the
    /// key itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_schema: Option<String>,
}

/// The source environment of a sync, as a read returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SyncEnvironment {
    /// Its slug, e.g. `prod`.
    pub slug: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its id.
    #[serde(default)]
    pub id: String,
}

/// The source folder of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SyncFolder {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// Its full path, e.g. `/app`.
    pub path: String,
}

/// A GitHub secret sync as Infisical returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretSync {
    /// The id (a UUID).
    pub id: String,
    /// The name, unique in its project.
    pub name: String,
    /// The description; `None` when never set.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether a change of the source queues a sync.
    #[serde(default)]
    pub is_auto_sync_enabled: bool,
    /// The project.
    pub project_id: String,
    /// The GitHub connection it writes with.
    pub connection_id: String,
    /// Where it writes.
    pub destination_config: GitHubDestination,
    /// How it writes.
    pub sync_options: SyncOptions,
    /// The source environment; `None` if it is gone.
    #[serde(default)]
    pub environment: Option<SyncEnvironment>,
    /// The source folder; `None` if it is gone.
    #[serde(default)]
    pub folder: Option<SyncFolder>,
    /// The last sync job's status; `None` before the first (auto-sync off).
    #[serde(default)]
    pub sync_status: Option<SyncStatus>,
    /// Why the last sync failed (GitHub's answer, as JSON); `None` after a success.
    #[serde(default)]
    pub last_sync_message: Option<String>,
    /// When the last successful sync ended (ISO 8601).
    #[serde(default)]
    pub last_synced_at: Option<String>,
    /// The id of the last sync job that finished (written by the job's final write, with its
    /// status): how a wait tells the outcome of the run it caused from an earlier run's.
    #[serde(default)]
    pub last_sync_job_id: Option<String>,
    /// The last remove job's status.
    #[serde(default)]
    pub remove_status: Option<SyncStatus>,
    /// Why the last remove failed.
    #[serde(default)]
    pub last_remove_message: Option<String>,
}

/// A create request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSecretSync {
    /// The name.
    pub name: String,
    /// The project.
    pub project_id: String,
    /// The description (left out when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The GitHub connection.
    pub connection_id: String,
    /// The source environment's slug.
    pub environment: String,
    /// The source folder's path.
    pub secret_path: String,
    /// Whether source changes queue a sync (a create with it queues the first sync).
    pub is_auto_sync_enabled: bool,
    /// How it writes.
    pub sync_options: SyncOptions,
    /// Where it writes.
    pub destination_config: GitHubDestination,
}

/// A PATCH: only what is given is sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSecretSync {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new description (`""` clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// A new source environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// A new source path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_path: Option<String>,
    /// Turn auto-sync on or off (`false` is sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_auto_sync_enabled: Option<bool>,
    /// New options, complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_options: Option<SyncOptions>,
    /// A new destination, complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<GitHubDestination>,
}

impl UpdateSecretSync {
    /// Whether the PATCH changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// `POST /check-destination`'s body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckDestination {
    /// The destination to look for.
    pub destination_config: GitHubDestination,
    /// The project the sync is (to be) in.
    pub project_id: String,
    /// The connection it would write with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The sync itself, on an update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_sync_id: Option<String>,
}

/// `POST /check-destination`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateCheck {
    /// Whether another sync of the organization writes to the same place.
    pub has_duplicate: bool,
    /// Its project, when the caller may see it.
    #[serde(default)]
    pub duplicate_project_id: Option<String>,
}

/// How a wait for a sync's job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited {
    /// No job is queued or running any more: the sync as it then was.
    Idle(SecretSync),
    /// The time was up with a job still queued or running: the sync as last seen.
    TimedOut(SecretSync),
    /// The stop came ([`Client::stop_waiting`], before the wait or during it) with a job still
    /// queued or running: the sync as last seen, if it was seen.
    Stopped(Option<SecretSync>),
    /// The sync is gone (a delete that removed the secrets first, then the row).
    Gone,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct One {
    secret_sync: SecretSync,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Many {
    secret_syncs: Vec<SecretSync>,
}

const BASE: [&str; 4] = ["api", "v1", "secret-syncs", "github"];

/// The GitHub secret syncs: `client.github_syncs()`.
#[derive(Debug, Clone, Copy)]
pub struct GitHubSyncs<'c> {
    client: &'c Client,
}

impl Client {
    /// The GitHub secret syncs.
    pub fn github_syncs(&self) -> GitHubSyncs<'_> {
        GitHubSyncs { client: self }
    }
}

impl GitHubSyncs<'_> {
    fn path<'p>(extra: &[&'p str]) -> Vec<&'p str> {
        let mut path: Vec<&str> = BASE.to_vec();
        path.extend_from_slice(extra);
        path
    }

    /// `POST /api/v1/secret-syncs/github`. Never retried once sent: after
    /// [`Error::Ambiguous`], look the sync up by name.
    #[instrument(level = "debug", skip_all, fields(name = %request.name))]
    pub async fn create(&self, request: &CreateSecretSync) -> Result<SecretSync, Error> {
        let body = encode(request)?;
        let one: One = self
            .client
            .request(Method::POST, &Self::path(&[]), &[], Some(body))
            .await?;
        Ok(one.secret_sync)
    }

    /// `GET /api/v1/secret-syncs/github/:id`. [`Error::NotFound`] when it does not exist.
    #[instrument(level = "debug", skip(self))]
    pub async fn get(&self, id: &str) -> Result<SecretSync, Error> {
        let one: One = self
            .client
            .request(Method::GET, &Self::path(&[id]), &[], None)
            .await?;
        Ok(one.secret_sync)
    }

    /// `GET /api/v1/secret-syncs/github/sync-name/:name?projectId=`.
    #[instrument(level = "debug", skip(self))]
    pub async fn get_by_name(&self, name: &str, project_id: &str) -> Result<SecretSync, Error> {
        let one: One = self
            .client
            .request(
                Method::GET,
                &Self::path(&["sync-name", name]),
                &[("projectId", project_id)],
                None,
            )
            .await?;
        Ok(one.secret_sync)
    }

    /// `GET /api/v1/secret-syncs/github?projectId=`: the project's GitHub syncs.
    #[instrument(level = "debug", skip(self))]
    pub async fn list(&self, project_id: &str) -> Result<Vec<SecretSync>, Error> {
        let many: Many = self
            .client
            .request(
                Method::GET,
                &Self::path(&[]),
                &[("projectId", project_id)],
                None,
            )
            .await?;
        Ok(many.secret_syncs)
    }

    /// `PATCH /api/v1/secret-syncs/github/:id` with only the fields given. With auto-sync on,
    /// any PATCH queues a sync.
    #[instrument(level = "debug", skip(self, request))]
    pub async fn update(&self, id: &str, request: &UpdateSecretSync) -> Result<SecretSync, Error> {
        let body = encode(request)?;
        let one: One = self
            .client
            .request(Method::PATCH, &Self::path(&[id]), &[], Some(body))
            .await?;
        Ok(one.secret_sync)
    }

    /// `DELETE /api/v1/secret-syncs/github/:id?removeSecrets=`. Without `remove_secrets` the
    /// sync is deleted at once; with it, a remove job is queued and the still-existing sync
    /// returned (`removeStatus: pending`): the row goes when the job succeeds.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete(&self, id: &str, remove_secrets: bool) -> Result<SecretSync, Error> {
        // Removing queues a job and takes the sync's lock: a repeat would meet that lock.
        let (flag, repeat) = if remove_secrets {
            ("true", Repeat::Unsafe)
        } else {
            ("false", Repeat::Safe)
        };
        let one: One = self
            .client
            .request_as(
                Method::DELETE,
                &Self::path(&[id]),
                &[("removeSecrets", flag)],
                None,
                repeat,
            )
            .await?;
        Ok(one.secret_sync)
    }

    /// `POST /api/v1/secret-syncs/github/:id/sync-secrets`: queues a sync now (400 while a job
    /// holds the sync's lock). Not repeated once sent: a repeat would queue a second run.
    #[instrument(level = "debug", skip(self))]
    pub async fn sync_now(&self, id: &str) -> Result<SecretSync, Error> {
        let one: One = self
            .client
            .request(Method::POST, &Self::path(&[id, "sync-secrets"]), &[], None)
            .await?;
        Ok(one.secret_sync)
    }

    /// `POST /api/v1/secret-syncs/github/check-destination`: whether another sync of the
    /// organization writes to the same place.
    #[instrument(level = "debug", skip_all)]
    pub async fn check_destination(
        &self,
        request: &CheckDestination,
    ) -> Result<DuplicateCheck, Error> {
        let body = encode(request)?;
        // A read, though sent as POST: safe to repeat.
        self.client
            .request_as(
                Method::POST,
                &Self::path(&["check-destination"]),
                &[],
                Some(body),
                Repeat::Safe,
            )
            .await
    }

    /// Polls the sync until no sync or remove job is queued or running, until `limit` has
    /// passed, or until `stop` (taken when the operation began) says the provider was stopped:
    /// first after a short wait, then less and less often (at most every 5 s).
    #[instrument(level = "debug", skip(self, stop))]
    pub async fn wait_until_idle(
        &self,
        id: &str,
        limit: Duration,
        stop: &StopSignal,
    ) -> Result<Waited, Error> {
        self.wait(id, limit, stop, |_| true).await
    }

    /// Waits, as [`GitHubSyncs::wait_until_idle`] does, for the outcome of a sync run queued
    /// after the job `previous` finished (the sync's `lastSyncJobId` before the run was asked
    /// for; `None` if no job had finished): idle is not enough, since the status an earlier job
    /// writes when it ends would otherwise pass for this run's.
    #[instrument(level = "debug", skip(self, stop))]
    pub async fn wait_for_run_after(
        &self,
        id: &str,
        previous: Option<&str>,
        limit: Duration,
        stop: &StopSignal,
    ) -> Result<Waited, Error> {
        self.wait(id, limit, stop, |sync| {
            sync.last_sync_job_id.is_some() && sync.last_sync_job_id.as_deref() != previous
        })
        .await
    }

    async fn wait(
        &self,
        id: &str,
        limit: Duration,
        stop: &StopSignal,
        ran: impl Fn(&SecretSync) -> bool,
    ) -> Result<Waited, Error> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(100);
        let mut last = None;
        loop {
            if !stop.sleep(pause).await {
                return Ok(Waited::Stopped(last));
            }
            let sync = match self.get(id).await {
                Ok(sync) => sync,
                Err(err) if err.is_not_found() => return Ok(Waited::Gone),
                Err(err) => return Err(err),
            };
            let busy = sync.sync_status.is_some_and(SyncStatus::is_busy)
                || sync.remove_status.is_some_and(SyncStatus::is_busy);
            if !busy && ran(&sync) {
                return Ok(Waited::Idle(sync));
            }
            if start.elapsed() + pause >= limit {
                return Ok(Waited::TimedOut(sync));
            }
            last = Some(sync);
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_serialize_as_infisical_spells_them() {
        let org = GitHubDestination::Organization {
            org: "acme".into(),
            visibility: "selected".into(),
            selected_repository_ids: Some(vec![1, 2]),
        };
        assert_eq!(
            serde_json::to_value(&org).unwrap(),
            serde_json::json!({"scope":"organization","org":"acme","visibility":"selected","selectedRepositoryIds":[1,2]})
        );
        let env: GitHubDestination = serde_json::from_value(serde_json::json!(
            {"scope":"repository-environment","owner":"o","repo":"r","env":"e"}
        ))
        .unwrap();
        assert_eq!(
            env,
            GitHubDestination::RepositoryEnvironment {
                owner: "o".into(),
                repo: "r".into(),
                env: "e".into()
            }
        );
    }

    #[test]
    fn an_update_sends_false() {
        let update = UpdateSecretSync {
            is_auto_sync_enabled: Some(false),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            serde_json::json!({"isAutoSyncEnabled": false})
        );
    }
}
