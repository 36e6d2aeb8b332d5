//! Secrets through the current API, `/api/v4/secrets` (the server's
//! `backend/src/server/routes/v4/secret-router.ts`): the list of a whole environment in one
//! request, reads by id and by name, single and batch writes, and the `{approval}` answer a
//! secret-approval policy gives instead of the write.
//!
//! Values travel as [`Secret`]s, so no `Debug` or log line ever shows one.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::app_connection::Patch;
use super::client::{Client, Repeat, encode};
use super::error::Error;
use super::secrets_batch::{Batches, Job};
use super::snapshot::{Listed, Listing};
use crate::secret::Secret;
use reqwest::Method;

/// The value Infisical stores for `value`: every write route trims it, keeping one trailing
/// newline when the value ended with one (``val.at(-1) === "\n" ? `${val.trim()}\n` :
/// val.trim()`` in the v4 router's zod schemas). Comparing configuration with what a read
/// returns goes through this, so a value with surrounding blanks is never a perpetual diff.
pub fn stored_value(value: &str) -> String {
    let trimmed = value.trim_matches(js_whitespace);
    if value.ends_with('\n') {
        format!("{trimmed}\n")
    } else {
        trimmed.to_owned()
    }
}

/// What JavaScript's `String.prototype.trim` removes: ECMAScript's WhiteSpace and
/// LineTerminator. Unicode's White_Space (Rust's `char::is_whitespace`) differs in two code
/// points: it has U+0085 (NEXT LINE), which JavaScript keeps, and lacks U+FEFF (the byte-order
/// mark), which JavaScript removes.
fn js_whitespace(c: char) -> bool {
    c == '\u{feff}' || (c.is_whitespace() && c != '\u{85}')
}

/// `shared` (the project's) or `personal` (a user's override; never an identity's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretType {
    /// The project's secret.
    #[default]
    Shared,
    /// A user's personal override.
    Personal,
}

/// One metadata entry: `secretMetadata`'s `{key, value, isEncrypted}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretMetadata {
    /// The key.
    pub key: String,
    /// The value (Infisical answers `""` for none).
    #[serde(default)]
    pub value: String,
    /// Whether Infisical stores the value encrypted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_encrypted: bool,
}

/// A tag as a secret carries it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SecretTagRef {
    /// The tag's id.
    pub id: String,
    /// The tag's slug.
    pub slug: String,
    /// Its name, when answered.
    #[serde(default)]
    pub name: Option<String>,
    /// Its color, when answered.
    #[serde(default)]
    pub color: Option<String>,
}

/// A secret as the v4 routes answer it. The batch and delete answers leave out the path, the
/// tags and the metadata: those are `None` / empty there.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretEntry {
    /// The secret's id (a UUID).
    pub id: String,
    /// The project's id (`workspace` in the answer).
    #[serde(rename = "workspace")]
    pub project_id: String,
    /// The environment's slug.
    pub environment: String,
    /// Bumped by every write.
    pub version: u64,
    /// `shared` or `personal`.
    #[serde(rename = "type")]
    pub secret_type: SecretType,
    /// The name.
    pub secret_key: String,
    /// The value, as stored (see [`stored_value`]); absent in some answers.
    #[serde(default)]
    pub secret_value: Option<Secret>,
    /// Whether the value was withheld (`viewSecretValue=false`, or no permission to read it):
    /// `secret_value` is then a placeholder, never a value.
    #[serde(default)]
    pub secret_value_hidden: bool,
    /// The comment (`""` for none).
    #[serde(default)]
    pub secret_comment: String,
    /// The folder's path, where the answer has it.
    #[serde(default)]
    pub secret_path: Option<String>,
    /// The reminder's note.
    #[serde(default)]
    pub secret_reminder_note: Option<String>,
    /// The reminder's interval in days.
    #[serde(default)]
    pub secret_reminder_repeat_days: Option<u32>,
    /// Whether multi-line values are stored unencoded.
    #[serde(default)]
    pub skip_multiline_encoding: Option<bool>,
    /// The tags, where the answer has them.
    #[serde(default)]
    pub tags: Vec<SecretTagRef>,
    /// The metadata, where the answer has it.
    #[serde(default)]
    pub secret_metadata: Vec<SecretMetadata>,
    /// Set when a secret rotation owns the secret: writing to it fights the rotation.
    #[serde(default)]
    pub is_rotated_secret: bool,
    /// The rotation that owns it, if one does.
    #[serde(default)]
    pub rotation_id: Option<String>,
    /// When it last changed (RFC 3339), where the answer has it.
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl SecretEntry {
    /// The value, unless it was withheld.
    pub fn value(&self) -> Option<&Secret> {
        self.secret_value
            .as_ref()
            .filter(|_| !self.secret_value_hidden)
    }
}

/// The secrets an import brings into a folder (`include_imports=true`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedSecrets {
    /// The imported folder's path.
    pub secret_path: String,
    /// The imported folder's environment slug.
    pub environment: String,
    /// The secrets it brings.
    #[serde(default)]
    pub secrets: Vec<SecretEntry>,
}

/// `GET /api/v4/secrets`'s answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SecretList {
    /// The folder's secrets (with `recursive`, every folder's below it, each with its path).
    pub secrets: Vec<SecretEntry>,
    /// With `include_imports`: what the folder's imports bring, in import order.
    #[serde(default)]
    pub imports: Vec<ImportedSecrets>,
}

/// What `GET /api/v4/secrets` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSecrets<'a> {
    /// The project's id.
    pub project_id: &'a str,
    /// The environment's slug.
    pub environment: &'a str,
    /// The folder (`/` for the root).
    pub secret_path: &'a str,
    /// Every folder below `secret_path` too.
    pub recursive: bool,
    /// The secrets the folder's imports bring, in `imports`.
    pub include_imports: bool,
    /// Values (`false`: names and metadata only, which needs only the describe permission).
    pub view_secret_value: bool,
    /// `${…}` references replaced by the values they name.
    pub expand_secret_references: bool,
}

/// What `GET /api/v4/secrets/:name` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadSecret<'a> {
    /// The secret's name.
    pub name: &'a str,
    /// Where it lives.
    pub at: SecretLocation<'a>,
    /// Its value (`false`: everything else, which needs only the describe permission).
    pub view_secret_value: bool,
    /// `${…}` references replaced by the values they name (the server's default is not to).
    pub expand_secret_references: bool,
}

/// A secret-approval request that holds a change instead of applying it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    /// The request's id.
    pub id: String,
    /// The request's slug, as the UI shows it.
    #[serde(default)]
    pub slug: Option<String>,
    /// `open`, `close`…
    #[serde(default)]
    pub status: Option<String>,
}

/// What a write did: applied, or held for approval by a secret-approval policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Written<T> {
    /// The change was made.
    Applied(T),
    /// A policy holds it until someone approves the request.
    PendingApproval(ApprovalRequest),
}

impl<T> Written<T> {
    /// The change, or `None` when held for approval.
    pub fn applied(self) -> Option<T> {
        match self {
            Written::Applied(t) => Some(t),
            Written::PendingApproval(_) => None,
        }
    }
}

/// A new secret's content: the body of a create, and of each entry of a batch create.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSecret {
    /// The value.
    pub secret_value: Secret,
    /// The comment.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub secret_comment: String,
    /// Tag ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag_ids: Vec<String>,
    /// Metadata.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secret_metadata: Vec<SecretMetadata>,
}

/// What changes in a secret: the body of an update, and of each entry of a batch update. What
/// is `None` is not sent, which Infisical reads as "no change"; metadata and tags are sent whole
/// when given, so an empty list really removes them.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretChanges {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_secret_name: Option<String>,
    /// A new value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_value: Option<Secret>,
    /// A new comment (`""` clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_comment: Option<String>,
    /// The tags, all of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_ids: Option<Vec<String>>,
    /// The metadata, all of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_metadata: Option<Vec<SecretMetadata>>,
}

/// `POST /api/v4/secrets/:name`'s body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSecret<'a> {
    /// Where it goes.
    #[serde(flatten)]
    pub at: SecretLocation<'a>,
    /// What it holds.
    #[serde(flatten)]
    pub secret: NewSecret,
    /// The reminder's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_reminder_note: Option<&'a str>,
    /// The reminder's interval in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_reminder_repeat_days: Option<u32>,
    /// Always `shared`: Terraform manages the project's secrets.
    #[serde(rename = "type")]
    pub secret_type: SecretType,
}

/// `PATCH /api/v4/secrets/:name`'s body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSecret<'a> {
    /// Where the secret is.
    #[serde(flatten)]
    pub at: SecretLocation<'a>,
    /// What changes.
    #[serde(flatten)]
    pub changes: SecretChanges,
    /// The reminder's note.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub secret_reminder_note: Patch<&'a str>,
    /// The reminder's interval.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub secret_reminder_repeat_days: Patch<u32>,
    /// Always `shared`.
    #[serde(rename = "type")]
    pub secret_type: SecretType,
}

impl<'a> UpdateSecret<'a> {
    /// A PATCH of the secret at `at` that changes nothing yet.
    pub fn new(at: SecretLocation<'a>) -> Self {
        Self {
            at,
            changes: SecretChanges::default(),
            secret_reminder_note: Patch::Unchanged,
            secret_reminder_repeat_days: Patch::Unchanged,
            secret_type: SecretType::Shared,
        }
    }
}

/// Where a secret lives: the body of `DELETE /api/v4/secrets/:name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretLocation<'a> {
    /// The project's id.
    pub project_id: &'a str,
    /// The environment's slug.
    pub environment: &'a str,
    /// The folder's path.
    pub secret_path: &'a str,
}

/// One entry of a batch route: the secret's name and what the route does with it (a
/// [`NewSecret`] to create, [`SecretChanges`] to update).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchEntry<'a, T> {
    /// The name (the current one, for an update).
    pub secret_key: &'a str,
    /// Its content or changes.
    #[serde(flatten)]
    pub fields: T,
}

/// One entry of `POST /api/v4/secrets/batch`.
pub type BatchCreate<'a> = BatchEntry<'a, NewSecret>;

/// One entry of `PATCH /api/v4/secrets/batch`.
pub type BatchUpdate<'a> = BatchEntry<'a, SecretChanges>;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Batch<'a, T> {
    #[serde(flatten)]
    location: SecretLocation<'a>,
    secrets: &'a [T],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchDelete<'a> {
    secret_key: &'a str,
    #[serde(rename = "type")]
    secret_type: SecretType,
}

/// A write's answer: the secret, or the approval request holding the change.
#[derive(Deserialize)]
#[serde(untagged)]
enum WriteAnswer<T> {
    Secret { secret: T },
    Secrets { secrets: T },
    Approval { approval: ApprovalRequest },
}

impl<T> From<WriteAnswer<T>> for Written<T> {
    fn from(answer: WriteAnswer<T>) -> Self {
        match answer {
            WriteAnswer::Secret { secret: t } | WriteAnswer::Secrets { secrets: t } => {
                Written::Applied(t)
            }
            WriteAnswer::Approval { approval } => Written::PendingApproval(approval),
        }
    }
}

#[derive(Deserialize)]
struct One {
    secret: SecretEntry,
}

/// The snapshot kinds of the environment listings: with values, and without.
const LISTING_WITH_VALUES: &str = "secrets";
const LISTING_WITHOUT_VALUES: &str = "secrets-without-values";

/// The v4 secrets calls; from [`Client::secrets`].
#[derive(Debug, Clone, Copy)]
pub struct Secrets<'c> {
    client: &'c Client,
}

impl Client {
    /// The v4 secrets calls.
    pub fn secrets(&self) -> Secrets<'_> {
        Secrets { client: self }
    }
}

fn flag(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}

impl Secrets<'_> {
    const BASE: [&'static str; 3] = ["api", "v4", "secrets"];

    fn path<'s>(tail: &[&'s str]) -> Vec<&'s str> {
        Self::BASE
            .iter()
            .copied()
            .chain(tail.iter().copied())
            .collect()
    }

    /// `GET /api/v4/secrets`: a folder's secrets (with `recursive`, a whole tree's) in one
    /// request; Infisical has no pages here.
    #[instrument(level = "debug", skip(self))]
    pub async fn list(&self, what: &ListSecrets<'_>) -> Result<SecretList, Error> {
        let query = [
            ("projectId", what.project_id),
            ("environment", what.environment),
            ("secretPath", what.secret_path),
            ("recursive", flag(what.recursive)),
            ("include_imports", flag(what.include_imports)),
            ("viewSecretValue", flag(what.view_secret_value)),
            (
                "expandSecretReferences",
                flag(what.expand_secret_references),
            ),
        ];
        self.client
            .request(Method::GET, &Self::path(&[]), &query, None)
            .await
    }

    /// `GET /api/v4/secrets/id/:id` (machine identities and users only; needs the permission to
    /// read values).
    #[instrument(level = "debug", skip(self))]
    pub async fn get_by_id(&self, id: &str) -> Result<SecretEntry, Error> {
        let one: One = self
            .client
            .request(Method::GET, &Self::path(&["id", id]), &[], None)
            .await?;
        Ok(one.secret)
    }

    /// Secret `id` of `environment` in `project_id`, answered from one recursive listing of the
    /// environment shared by every read of this client (see `snapshot`): a plan of hundreds of
    /// secrets then costs one list per environment instead of one GET per secret. With
    /// `view_values` false the listing withholds values (describe permission suffices) and so
    /// does the answer. A secret the listing lacks (moved to another environment, or gone), a
    /// listing that failed, and one older than this client's last write to `id` fall back to
    /// the GET by id.
    #[instrument(level = "debug", skip(self))]
    pub async fn read(
        &self,
        id: &str,
        project_id: &str,
        environment: &str,
        view_values: bool,
    ) -> Result<SecretEntry, Error> {
        let kind = if view_values {
            LISTING_WITH_VALUES
        } else {
            LISTING_WITHOUT_VALUES
        };
        let scope = (kind, Some(format!("{project_id}/{environment}")));
        let fetch = self.listing(project_id, environment, view_values);
        if let Listed::Found(entry) = self.client.snapshots().lookup(scope, id, fetch).await {
            return Ok(entry);
        }
        let mut entry = self.get_by_id(id).await?;
        if !view_values {
            entry.secret_value = None;
            entry.secret_value_hidden = true;
        }
        Ok(entry)
    }

    /// The recursive listing of one environment for the snapshots, or `None` when it failed.
    async fn listing(
        &self,
        project_id: &str,
        environment: &str,
        view_values: bool,
    ) -> Option<Listing> {
        let sent = std::time::Instant::now();
        let what = ListSecrets {
            project_id,
            environment,
            secret_path: "/",
            recursive: true,
            include_imports: false,
            view_secret_value: view_values,
            expand_secret_references: false,
        };
        match self.list(&what).await {
            Ok(list) => {
                let by_id: std::collections::HashMap<String, SecretEntry> = list
                    .secrets
                    .into_iter()
                    .map(|s| (s.id.clone(), s))
                    .collect();
                tracing::debug!(count = by_id.len(), "listed secrets for reads");
                Some(Listing {
                    sent,
                    by_id: Box::new(by_id),
                })
            }
            Err(err) => {
                tracing::debug!(error = %err, "listing failed; reads send their own GET");
                None
            }
        }
    }

    /// Records a write of this client to the secrets `written` answered with: listings sent
    /// before it no longer answer for them.
    fn wrote<'e>(&self, written: impl IntoIterator<Item = &'e SecretEntry>) {
        for entry in written {
            self.client.snapshots().wrote(&entry.id);
        }
    }

    /// `GET /api/v4/secrets/:name`, without expanding references.
    #[instrument(level = "debug", skip(self))]
    pub async fn get_by_name(
        &self,
        name: &str,
        at: SecretLocation<'_>,
        view_secret_value: bool,
    ) -> Result<SecretEntry, Error> {
        self.get(&ReadSecret {
            name,
            at,
            view_secret_value,
            expand_secret_references: false,
        })
        .await
    }

    /// `GET /api/v4/secrets/:name`, with the reading options said (the folder's own secret;
    /// imports are not searched).
    #[instrument(level = "debug", skip(self))]
    pub async fn get(&self, what: &ReadSecret<'_>) -> Result<SecretEntry, Error> {
        let query = [
            ("projectId", what.at.project_id),
            ("environment", what.at.environment),
            ("secretPath", what.at.secret_path),
            ("viewSecretValue", flag(what.view_secret_value)),
            (
                "expandSecretReferences",
                flag(what.expand_secret_references),
            ),
        ];
        let one: One = self
            .client
            .request(Method::GET, &Self::path(&[what.name]), &query, None)
            .await?;
        Ok(one.secret)
    }

    /// `POST /api/v4/secrets/:name`. Not repeated once sent: a repeat of a create that took
    /// effect meets "already exists".
    #[instrument(level = "debug", skip_all, fields(name))]
    pub async fn create(
        &self,
        name: &str,
        request: &CreateSecret<'_>,
    ) -> Result<Written<SecretEntry>, Error> {
        self.write(Method::POST, &[name], request, Repeat::Unsafe)
            .await
    }

    /// `PATCH /api/v4/secrets/:name`.
    #[instrument(level = "debug", skip_all, fields(name))]
    pub async fn update(
        &self,
        name: &str,
        request: &UpdateSecret<'_>,
    ) -> Result<Written<SecretEntry>, Error> {
        let written = self
            .write(Method::PATCH, &[name], request, Repeat::Safe)
            .await;
        if request.changes.new_secret_name.is_some() {
            self.renamed(request.at.project_id);
        }
        written
    }

    /// A rename rewrites the references to the secret in other secrets of the project (which
    /// this client cannot name): its listings of the project no longer answer.
    fn renamed(&self, project_id: &str) {
        let prefix = format!("{project_id}/");
        for kind in [LISTING_WITH_VALUES, LISTING_WITHOUT_VALUES] {
            self.client.snapshots().forget(kind, &prefix);
        }
    }

    /// `DELETE /api/v4/secrets/:name`.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete(
        &self,
        name: &str,
        at: SecretLocation<'_>,
    ) -> Result<Written<SecretEntry>, Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            #[serde(flatten)]
            at: SecretLocation<'a>,
            #[serde(rename = "type")]
            secret_type: SecretType,
        }
        let body = Body {
            at,
            secret_type: SecretType::Shared,
        };
        self.write(Method::DELETE, &[name], &body, Repeat::Safe)
            .await
    }

    /// Creates secret `name` at `at`, together with the other creates in the same folder
    /// that this client sends within a few milliseconds (one `POST /batch` for all of them; on
    /// the batch's failure each is sent alone, so each gets its own answer). A reminder cannot
    /// ride in a batch: send those with [`Secrets::create`].
    pub async fn create_batched(
        &self,
        name: &str,
        at: SecretLocation<'_>,
        secret: NewSecret,
    ) -> Result<Written<SecretEntry>, Error> {
        Batches::submit(self.client, name, at, Job::Create(secret)).await
    }

    /// Updates secret `name` at `at` as [`Secrets::create_batched`] creates (`PATCH /batch`).
    pub async fn update_batched(
        &self,
        name: &str,
        at: SecretLocation<'_>,
        changes: SecretChanges,
    ) -> Result<Written<SecretEntry>, Error> {
        Batches::submit(self.client, name, at, Job::Update(changes)).await
    }

    /// Deletes secret `name` at `at` as [`Secrets::create_batched`] creates (`DELETE /batch`).
    pub async fn delete_batched(
        &self,
        name: &str,
        at: SecretLocation<'_>,
    ) -> Result<Written<SecretEntry>, Error> {
        Batches::submit(self.client, name, at, Job::Delete).await
    }

    /// `POST /api/v4/secrets/batch`: creates `secrets` in one folder, all or none.
    #[instrument(level = "debug", skip_all, fields(count = secrets.len()))]
    pub async fn create_many(
        &self,
        at: SecretLocation<'_>,
        secrets: &[BatchCreate<'_>],
    ) -> Result<Written<Vec<SecretEntry>>, Error> {
        self.batch(Method::POST, at, secrets, Repeat::Unsafe).await
    }

    /// `PATCH /api/v4/secrets/batch` (mode `failOnNotFound`): all or none.
    #[instrument(level = "debug", skip_all, fields(count = secrets.len()))]
    pub async fn update_many(
        &self,
        at: SecretLocation<'_>,
        secrets: &[BatchUpdate<'_>],
    ) -> Result<Written<Vec<SecretEntry>>, Error> {
        let written = self.batch(Method::PATCH, at, secrets, Repeat::Safe).await;
        if secrets.iter().any(|s| s.fields.new_secret_name.is_some()) {
            self.renamed(at.project_id);
        }
        written
    }

    /// `DELETE /api/v4/secrets/batch`: all or none.
    #[instrument(level = "debug", skip_all, fields(count = names.len()))]
    pub async fn delete_many(
        &self,
        at: SecretLocation<'_>,
        names: &[&str],
    ) -> Result<Written<Vec<SecretEntry>>, Error> {
        let secrets: Vec<BatchDelete> = names
            .iter()
            .map(|name| BatchDelete {
                secret_key: name,
                secret_type: SecretType::Shared,
            })
            .collect();
        self.batch(Method::DELETE, at, &secrets, Repeat::Safe).await
    }

    /// One of the `/batch` routes: `secrets`, all in the folder `at`.
    async fn batch<T: Serialize>(
        &self,
        method: Method,
        at: SecretLocation<'_>,
        secrets: &[T],
        repeat: Repeat,
    ) -> Result<Written<Vec<SecretEntry>>, Error> {
        let body = Batch {
            location: at,
            secrets,
        };
        self.write(method, &["batch"], &body, repeat).await
    }

    async fn write<T: DeserializeOwned + Entries>(
        &self,
        method: Method,
        tail: &[&str],
        body: &impl Serialize,
        repeat: Repeat,
    ) -> Result<Written<T>, Error> {
        let body = encode(body)?;
        let answer: WriteAnswer<T> = self
            .client
            .request_as(method, &Self::path(tail), &[], Some(body), repeat)
            .await?;
        let written: Written<T> = answer.into();
        if let Written::Applied(entries) = &written {
            self.wrote(entries.entries());
        }
        Ok(written)
    }
}

/// What a write answers with, as the secrets it wrote.
trait Entries {
    fn entries(&self) -> Vec<&SecretEntry>;
}

impl Entries for SecretEntry {
    fn entries(&self) -> Vec<&SecretEntry> {
        vec![self]
    }
}

impl Entries for Vec<SecretEntry> {
    fn entries(&self) -> Vec<&SecretEntry> {
        self.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_stored_as_the_v4_router_trims_them() {
        let cases = [
            ("plain", "plain"),
            ("  padded\t", "padded"),
            ("pem\n", "pem\n"),
            ("pem\n\n\n", "pem\n"),
            (" both \n", "both\n"),
            ("\r\n", "\n"),
            ("", ""),
            ("inner  spaces stay", "inner  spaces stay"),
            // JavaScript trims the byte-order mark and the no-break space, and keeps NEXT LINE.
            ("\u{feff}bom\u{a0}", "bom"),
            ("\u{85}nel\u{85}", "\u{85}nel\u{85}"),
        ];
        for (given, stored) in cases {
            assert_eq!(stored_value(given), stored, "{given:?}");
            assert_eq!(
                stored_value(stored),
                stored,
                "stored values are fixed points"
            );
        }
    }

    #[test]
    fn answers_decode_with_values_kept_secret() {
        let entry: SecretEntry = serde_json::from_value(serde_json::json!({
            "id": "6f0c", "_id": "6f0c", "workspace": "p1", "environment": "dev", "version": 3,
            "type": "shared", "secretKey": "DB_PASSWORD", "secretValue": "hunter2",
            "secretComment": "", "secretPath": "/app", "secretValueHidden": false,
            "createdAt": "2026-12-01T00:00:00Z", "updatedAt": "2026-12-01T00:00:00Z",
            "tags": [{"id": "t1", "slug": "prod", "color": "#fff"}],
            "secretMetadata": [{"key": "owner", "value": "ops", "isEncrypted": false}],
            "secretReminderNote": null, "secretReminderRepeatDays": null,
            "actor": null, "isRotatedSecret": false, "rotationId": null
        }))
        .unwrap();
        assert_eq!(entry.project_id, "p1");
        assert_eq!(entry.value().map(Secret::expose), Some("hunter2"));
        assert_eq!(entry.tags[0].slug, "prod");
        assert!(!format!("{entry:?}").contains("hunter2"));
        let hidden: SecretEntry = serde_json::from_value(serde_json::json!({
            "id": "1", "_id": "1", "workspace": "p", "environment": "dev", "version": 1,
            "type": "shared", "secretKey": "K", "secretValue": "<hidden-by-infisical>",
            "secretValueHidden": true
        }))
        .unwrap();
        assert_eq!(hidden.value(), None);
    }

    #[test]
    fn an_approval_answer_is_not_taken_for_a_write() {
        let held: WriteAnswer<SecretEntry> = serde_json::from_value(serde_json::json!({
            "approval": {"id": "a1", "slug": "quiet-fox", "status": "open", "policyId": "x"}
        }))
        .unwrap();
        match Written::from(held) {
            Written::PendingApproval(request) => {
                assert_eq!(request.slug.as_deref(), Some("quiet-fox"))
            }
            Written::Applied(_) => panic!("an approval request was taken for a write"),
        }
        let many: WriteAnswer<Vec<SecretEntry>> =
            serde_json::from_value(serde_json::json!({"secrets": []})).unwrap();
        assert_eq!(Written::from(many).applied(), Some(vec![]));
    }

    #[test]
    fn an_update_sends_only_what_changes_and_empty_metadata_when_removed() {
        let mut patch = UpdateSecret::new(SecretLocation {
            project_id: "p",
            environment: "dev",
            secret_path: "/app",
        });
        patch.changes.secret_metadata = Some(Vec::new());
        patch.secret_reminder_note = Patch::Clear;
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            serde_json::json!({"projectId": "p", "environment": "dev", "secretPath": "/app",
                               "secretMetadata": [], "secretReminderNote": null, "type": "shared"})
        );
        let entry = BatchCreate {
            secret_key: "A",
            fields: NewSecret {
                secret_value: Secret::new("v"),
                secret_comment: String::new(),
                tag_ids: vec!["t1".into()],
                secret_metadata: Vec::new(),
            },
        };
        assert_eq!(
            serde_json::to_value(&entry).unwrap(),
            serde_json::json!({"secretKey": "A", "secretValue": "v", "tagIds": ["t1"]})
        );
        let body = Batch {
            location: SecretLocation {
                project_id: "p",
                environment: "dev",
                secret_path: "/",
            },
            secrets: &[BatchDelete {
                secret_key: "A",
                secret_type: SecretType::Shared,
            }],
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"projectId": "p", "environment": "dev", "secretPath": "/",
                               "secrets": [{"secretKey": "A", "type": "shared"}]})
        );
    }
}
