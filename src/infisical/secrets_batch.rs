//! Coalesced secret writes. Terraform applies independent resources concurrently (ten at a
//! time by default); the creates, updates and deletes of secrets in the same folder that arrive
//! within a short window go out as one request to the v4 batch routes instead of one each.
//! Infisical counts every secrets request against a limit of 60 a minute by default, so a
//! folder of fifty secrets is applied in five requests instead of fifty.
//!
//! The batch routes are all or nothing: when one fails, each write of the batch is sent again
//! alone, so that the write that caused the failure gets its own error and the others succeed.
//! A batch held by a secret-approval policy is held for each of its writes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::oneshot;

use super::client::Client;
use super::error::Error;
use super::secrets::{
    BatchEntry, CreateSecret, NewSecret, SecretChanges, SecretEntry, SecretLocation, SecretType,
    UpdateSecret, Written,
};

/// How long the first write of a folder waits for others to join it. Terraform starts the
/// writes its graph makes ready together within milliseconds of each other.
const WINDOW: Duration = Duration::from_millis(40);
/// The most writes one batch request carries.
const MAX_BATCH: usize = 100;

/// What a queued write gets back.
type Answer = Result<Written<SecretEntry>, Error>;

/// Which batch route, and the folder all its writes are in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    op: Op,
    project_id: String,
    environment: String,
    secret_path: String,
}

impl Key {
    fn location(&self) -> SecretLocation<'_> {
        SecretLocation {
            project_id: &self.project_id,
            environment: &self.environment,
            secret_path: &self.secret_path,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Create,
    Update,
    Delete,
}

/// One write: the secret's (current) name and what to do with it.
pub(super) enum Job {
    Create(NewSecret),
    Update(SecretChanges),
    Delete,
}

impl Job {
    fn op(&self) -> Op {
        match self {
            Job::Create(_) => Op::Create,
            Job::Update(_) => Op::Update,
            Job::Delete => Op::Delete,
        }
    }
}

struct Queued {
    name: String,
    job: Job,
    reply: oneshot::Sender<Answer>,
}

impl Queued {
    /// The name the secret has in the batch's answer (the new one after a rename).
    fn answered_as(&self) -> &str {
        match &self.job {
            Job::Update(changes) => changes.new_secret_name.as_deref().unwrap_or(&self.name),
            Job::Create(_) | Job::Delete => &self.name,
        }
    }
}

/// The writes waiting for their batch, by route and folder.
#[derive(Default)]
pub(crate) struct Batches {
    queues: Mutex<HashMap<Key, Vec<Queued>>>,
}

impl Batches {
    /// Queues `job` on secret `name` at `at` and waits for its answer: the first write of a
    /// folder and route opens a batch that leaves after [`WINDOW`] (or when full), carrying
    /// every write queued for it meanwhile.
    pub(super) async fn submit(
        client: &Client,
        name: &str,
        at: SecretLocation<'_>,
        job: Job,
    ) -> Answer {
        let key = Key {
            op: job.op(),
            project_id: at.project_id.to_owned(),
            environment: at.environment.to_owned(),
            secret_path: at.secret_path.to_owned(),
        };
        let (reply, answer) = oneshot::channel();
        let queued = Queued {
            name: name.to_owned(),
            job,
            reply,
        };
        let batches = client.batches();
        let full = {
            let mut queues = batches
                .queues
                .lock()
                .map_err(|_| Error::Internal("the write queue is poisoned".to_owned()))?;
            let queue = queues.entry(key.clone()).or_default();
            queue.push(queued);
            match queue.len() {
                1 => {
                    let client = client.clone();
                    let key = key.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(WINDOW).await;
                        let jobs = client.batches().take(&key);
                        flush(&client, &key, jobs).await;
                    });
                    None
                }
                n if n >= MAX_BATCH => queues.remove(&key),
                _ => None,
            }
        };
        if let Some(jobs) = full {
            let client = client.clone();
            tokio::spawn(async move { flush(&client, &key, jobs).await });
        }
        answer
            .await
            .unwrap_or_else(|_| Err(Error::Internal("a batched write was dropped".to_owned())))
    }

    /// The writes queued for `key`, leaving none.
    fn take(&self, key: &Key) -> Vec<Queued> {
        self.queues
            .lock()
            .ok()
            .and_then(|mut queues| queues.remove(key))
            .unwrap_or_default()
    }
}

/// Sends the writes of one batch: alone when there is one, else as one batch request, and on
/// the batch's failure each alone.
async fn flush(client: &Client, key: &Key, jobs: Vec<Queued>) {
    if jobs.len() < 2 {
        for queued in jobs {
            let answer = single(client, key, &queued).await;
            let _ = queued.reply.send(answer);
        }
        return;
    }
    let secrets = client.secrets();
    let at = key.location();
    let result = match key.op {
        Op::Create => {
            let entries: Vec<_> = jobs
                .iter()
                .filter_map(|q| match &q.job {
                    Job::Create(new) => Some(BatchEntry {
                        secret_key: q.name.as_str(),
                        fields: new.clone(),
                    }),
                    _ => None,
                })
                .collect();
            secrets.create_many(at, &entries).await
        }
        Op::Update => {
            let entries: Vec<_> = jobs
                .iter()
                .filter_map(|q| match &q.job {
                    Job::Update(changes) => Some(BatchEntry {
                        secret_key: q.name.as_str(),
                        fields: changes.clone(),
                    }),
                    _ => None,
                })
                .collect();
            secrets.update_many(at, &entries).await
        }
        Op::Delete => {
            let names: Vec<&str> = jobs.iter().map(|q| q.name.as_str()).collect();
            secrets.delete_many(at, &names).await
        }
    };
    match result {
        Ok(Written::Applied(entries)) => {
            tracing::debug!(count = jobs.len(), op = ?key.op, "batched secret writes");
            for queued in jobs {
                let answer = entries
                    .iter()
                    .find(|e| e.secret_key == queued.answered_as())
                    .cloned()
                    .map(Written::Applied)
                    .ok_or_else(|| {
                        Error::Internal(format!(
                            "Infisical's batch answer does not mention the secret {:?}",
                            queued.answered_as()
                        ))
                    });
                let _ = queued.reply.send(answer);
            }
        }
        Ok(Written::PendingApproval(request)) => {
            for queued in jobs {
                let _ = queued
                    .reply
                    .send(Ok(Written::PendingApproval(request.clone())));
            }
        }
        Err(err) => {
            // All or nothing: nothing was written. Each write alone finds its own answer.
            tracing::debug!(error = %err, count = jobs.len(), "batch refused; sending each write alone");
            join_all(jobs.into_iter().map(|queued| async move {
                let answer = single(client, key, &queued).await;
                let _ = queued.reply.send(answer);
            }))
            .await;
        }
    }
}

/// One write through its own route.
async fn single(client: &Client, key: &Key, queued: &Queued) -> Answer {
    let secrets = client.secrets();
    let at = key.location();
    match &queued.job {
        Job::Create(new) => {
            let request = CreateSecret {
                at,
                secret: new.clone(),
                secret_reminder_note: None,
                secret_reminder_repeat_days: None,
                secret_type: SecretType::Shared,
            };
            secrets.create(&queued.name, &request).await
        }
        Job::Update(changes) => {
            let mut request = UpdateSecret::new(at);
            request.changes = changes.clone();
            secrets.update(&queued.name, &request).await
        }
        Job::Delete => secrets.delete(&queued.name, at).await,
    }
}
