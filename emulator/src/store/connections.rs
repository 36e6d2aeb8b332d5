//! The app connections Infisical stores, by id and by `(project, name)`, with what a read shows
//! of them. A store: plain data and its lookups.

use std::collections::HashMap;

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::log::redact;

/// One stored app connection.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) app: String,
    pub(crate) method: String,
    pub(crate) project_id: Option<String>,
    pub(crate) gateway_id: Option<String>,
    pub(crate) gateway_pool_id: Option<String>,
    pub(crate) credentials: Map<String, Value>,
    /// What Infisical would store encrypted: a fresh random nonce followed by the JSON. The
    /// nonce makes every encryption different, like the real KMS cipher, so the hash changes on
    /// every credential-bearing write even when the credentials are identical.
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl Connection {
    /// `sha256(encryptedCredentials)` in hex, as `decryptAppConnection` computes it.
    pub(crate) fn credentials_hash(&self) -> String {
        hex::encode(Sha256::digest(&self.ciphertext))
    }

    /// Encrypts the credentials again, with a fresh nonce: a new `credentialsHash`.
    pub(crate) fn seal(&mut self) {
        let nonce: [u8; 16] = rand::rng().random();
        let mut ciphertext = nonce.to_vec();
        ciphertext.extend(serde_json::to_vec(&self.credentials).unwrap_or_default());
        self.ciphertext = ciphertext;
    }

    /// The sanitized connection as the routes return it: no `code`, `installationId`,
    /// `personalAccessToken` or `accessToken`, only `credentials: {instanceType?, host?}`, and
    /// `gitHubAppId` when the connection names an org-managed GitHub App. (The server stores
    /// `gitHubAppId: null` for the shared app; the emulator leaves that out of answers, as for a
    /// connection made before org-managed apps, which a client must read the same way.)
    pub(crate) fn sanitized(&self, org_id: &str) -> Value {
        let mut credentials = Map::new();
        for key in ["instanceType", "host"] {
            if let Some(value) = self.credentials.get(key) {
                credentials.insert(key.to_owned(), value.clone());
            }
        }
        if let Some(id) = self
            .credentials
            .get("gitHubAppId")
            .filter(|v| v.is_string())
        {
            credentials.insert("gitHubAppId".to_owned(), id.clone());
        }
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "app": self.app,
            "method": self.method,
            "version": 1,
            "orgId": org_id,
            "projectId": self.project_id,
            "gatewayId": self.gateway_id,
            "gatewayPoolId": self.gateway_pool_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "isPlatformManagedCredentials": false,
            "credentialsHash": self.credentials_hash(),
            "credentials": credentials,
        })
    }

    /// The connection as the admin sees it.
    pub(crate) fn stored_view(&self) -> StoredConnection {
        StoredConnection {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            app: self.app.clone(),
            method: self.method.clone(),
            project_id: self.project_id.clone(),
            gateway_id: self.gateway_id.clone(),
            gateway_pool_id: self.gateway_pool_id.clone(),
            credentials_hash: self.credentials_hash(),
            credentials: redact(&Value::Object(self.credentials.clone())),
        }
    }
}

/// A stored connection as the admin sees it: like the API's sanitized view, plus the stored
/// credentials with secrets redacted (so `installationId` is visible, a PAT is not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredConnection {
    /// The connection's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its app, e.g. `github`.
    pub app: String,
    /// Its method, e.g. `pat`.
    pub method: String,
    /// Its project, `None` for an organization-level connection.
    pub project_id: Option<String>,
    /// Its gateway.
    pub gateway_id: Option<String>,
    /// Its gateway pool.
    pub gateway_pool_id: Option<String>,
    /// The current `credentialsHash`.
    pub credentials_hash: String,
    /// The stored credentials, secrets redacted.
    pub credentials: Value,
}

/// Every app connection, of every app: by id, and by `(projectId, name)` (names are unique per
/// scope across all apps, and looked up by name without a scan).
#[derive(Debug, Default)]
pub(crate) struct Connections {
    by_id: HashMap<String, Connection>,
    names: HashMap<(Option<String>, String), String>,
}

impl Connections {
    /// A connection by id, of any app.
    pub(crate) fn get(&self, id: &str) -> Option<&Connection> {
        self.by_id.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Connection> {
        self.by_id.get_mut(id)
    }

    /// A connection by name in one scope (the organization's with `None`).
    pub(crate) fn by_name(&self, project_id: Option<&str>, name: &str) -> Option<&Connection> {
        let key = (project_id.map(str::to_owned), name.to_owned());
        self.names.get(&key).and_then(|id| self.by_id.get(id))
    }

    pub(crate) fn name_taken(&self, project_id: &Option<String>, name: &str) -> bool {
        self.names
            .contains_key(&(project_id.clone(), name.to_owned()))
    }

    /// Stores a connection (replacing one with its id; the caller removed its old name).
    pub(crate) fn insert(&mut self, connection: Connection) {
        self.names.insert(
            (connection.project_id.clone(), connection.name.clone()),
            connection.id.clone(),
        );
        self.by_id.insert(connection.id.clone(), connection);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Connection> {
        let connection = self.by_id.remove(id)?;
        self.names
            .remove(&(connection.project_id.clone(), connection.name.clone()));
        Some(connection)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Connection> {
        self.by_id.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }
}
