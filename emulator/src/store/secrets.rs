//! The secrets store: each project's environments, the folders in each environment, and the
//! secrets in each folder, each with its version history. The environment, folder and secret
//! routes change it, tests and the demo seed it through the admin API, and secret syncs read it
//! (the sync routes look folders up in it as the server does, `Could not find folder …`; a sync
//! job reads a folder's keys and values through [`SecretsStore::secrets`]).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::clock::now_iso;

/// The environments Infisical gives every new project, as `(slug, name)`.
const DEFAULT_ENVIRONMENTS: [(&str, &str); 3] = [
    ("dev", "Development"),
    ("staging", "Staging"),
    ("prod", "Production"),
];

/// One environment of a project.
#[derive(Debug, Clone)]
pub(crate) struct Environment {
    pub(crate) id: String,
    pub(crate) slug: String,
    pub(crate) name: String,
    /// Its place in the project's list. The server stores whatever a `PATCH` sends (a `0`
    /// included), so it is a JSON number, not always a whole one.
    pub(crate) position: f64,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl Environment {
    /// `ProjectEnvironmentsSchema`, as the environment routes answer it.
    pub(crate) fn view(&self, project_id: &str) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "position": number(self.position),
            "projectId": project_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

/// A JSON number as JavaScript writes it: whole numbers without a fraction.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// One folder; `path` is canonical (`/`, `/app`, `/app/db`), its last segment the name.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) environment: String,
    pub(crate) path: String,
    pub(crate) description: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl Folder {
    /// Its name; an environment's root folder is the server's reserved `root`.
    pub(crate) fn name(&self) -> &str {
        match self.path.rsplit_once('/') {
            Some((_, "")) | None => ROOT_FOLDER_NAME,
            Some((_, name)) => name,
        }
    }

    /// The canonical path of its parent; `None` for a root folder.
    pub(crate) fn parent_path(&self) -> Option<String> {
        (self.path != "/").then(|| canonical_path(self.path.rsplit_once('/').map_or("", |p| p.0)))
    }
}

/// The name the server gives every environment's root folder (`ROOT_FOLDER_NAME`).
const ROOT_FOLDER_NAME: &str = "root";

/// One metadata entry of a secret (`secretMetadata`'s `{key, value, isEncrypted}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub(crate) key: String,
    pub(crate) value: String,
    /// Stored encrypted (the server's `encryptedValue`); read back decrypted, flagged.
    pub(crate) is_encrypted: bool,
}

/// A secret's reminder: its note and its interval in days (a JSON number, as sent).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reminder {
    pub(crate) note: Option<String>,
    pub(crate) repeat_days: f64,
}

/// One version of a secret, as `GET …/{name}?version=N` reads it back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SecretVersion {
    pub(crate) version: u64,
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) comment: String,
    pub(crate) skip_multiline_encoding: Option<bool>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

/// A shared secret of a folder (machine identities have no personal secrets).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredSecret {
    pub(crate) id: String,
    pub(crate) key: String,
    /// As stored: the write routes' trim rule already applied.
    pub(crate) value: String,
    pub(crate) comment: String,
    /// 1 when created, and one more for every write.
    pub(crate) version: u64,
    /// The project's tags it carries, by id, in the order they were given.
    pub(crate) tag_ids: Vec<String>,
    pub(crate) metadata: Vec<Metadata>,
    pub(crate) reminder: Option<Reminder>,
    pub(crate) skip_multiline_encoding: Option<bool>,
    /// The secret rotation that owns it (`isRotatedSecret`), if any.
    pub(crate) rotation_id: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// Every version it had, oldest first, the current one last.
    pub(crate) history: Vec<SecretVersion>,
}

impl StoredSecret {
    /// A new secret at version 1, with that version recorded.
    pub(crate) fn new(key: &str, value: &str) -> Self {
        let now = now_iso();
        let mut secret = Self {
            id: uuid::Uuid::new_v4().to_string(),
            key: key.to_owned(),
            value: value.to_owned(),
            comment: String::new(),
            version: 1,
            tag_ids: Vec::new(),
            metadata: Vec::new(),
            reminder: None,
            skip_multiline_encoding: None,
            rotation_id: None,
            created_at: now.clone(),
            updated_at: now,
            history: Vec::new(),
        };
        secret.record_version();
        secret
    }

    /// Records the current state as its version (the server writes a version row with every
    /// insert and update).
    pub(crate) fn record_version(&mut self) {
        self.history.push(SecretVersion {
            version: self.version,
            key: self.key.clone(),
            value: self.value.clone(),
            comment: self.comment.clone(),
            skip_multiline_encoding: self.skip_multiline_encoding,
            created_at: self.updated_at.clone(),
            updated_at: self.updated_at.clone(),
        });
    }

    /// A write: one more version, a new `updatedAt`, and the new version recorded. Call it
    /// after changing the fields.
    pub(crate) fn bump(&mut self) {
        self.version += 1;
        self.updated_at = now_iso();
        self.record_version();
    }

    /// The version `version` whose name was `key` then (`secretVersionDAL.findOne`).
    pub(crate) fn version_named(&self, version: u64, key: &str) -> Option<&SecretVersion> {
        self.history
            .iter()
            .find(|v| v.version == version && v.key == key)
    }
}

/// Every project's environments, folders and secrets.
#[derive(Debug, Default, Clone)]
pub(crate) struct SecretsStore {
    /// Project id → its environments, in creation order.
    environments: HashMap<String, Vec<Environment>>,
    /// Folder id → folder.
    folders: HashMap<String, Folder>,
    /// `(project, environment slug, canonical path)` → folder id.
    by_path: HashMap<(String, String, String), String>,
    /// Folder id → secret key → secret.
    secrets: HashMap<String, BTreeMap<String, StoredSecret>>,
}

/// What a `PATCH` of an environment changes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub(crate) struct EnvironmentChange {
    pub(crate) slug: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) position: Option<f64>,
}

/// The highest position in a project (`findLastEnvPosition`), 0 when it has none.
fn last_position(environments: &[Environment]) -> f64 {
    environments.iter().map(|e| e.position).fold(0.0, f64::max)
}

/// A secret path in canonical form. The server looks folders up segment by segment, ignoring
/// empty segments, so `app/`, `/app` and `/app/` name the same folder.
pub(crate) fn canonical_path(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    format!("/{}", segments.join("/"))
}

impl SecretsStore {
    /// Gives a project Infisical's default environments (`dev`, `staging`, `prod`), unless it has
    /// environments already.
    pub(crate) fn ensure_default_environments(&mut self, project_id: &str) {
        if self
            .environments
            .get(project_id)
            .is_some_and(|e| !e.is_empty())
        {
            return;
        }
        for (slug, name) in DEFAULT_ENVIRONMENTS {
            self.add_environment(project_id, slug, Some(name));
        }
    }

    /// Adds an environment with its root folder; an existing slug is kept (its name updated when
    /// one is given).
    pub(crate) fn add_environment(&mut self, project_id: &str, slug: &str, name: Option<&str>) {
        let environments = self.environments.entry(project_id.to_owned()).or_default();
        if let Some(existing) = environments.iter_mut().find(|e| e.slug == slug) {
            if let Some(name) = name {
                existing.name = name.to_owned();
            }
        } else {
            let now = now_iso();
            let position = last_position(environments) + 1.0;
            environments.push(Environment {
                id: uuid::Uuid::new_v4().to_string(),
                slug: slug.to_owned(),
                name: name.unwrap_or(slug).to_owned(),
                position,
                created_at: now.clone(),
                updated_at: now,
            });
        }
        self.ensure_one_folder(project_id, slug, "/");
    }

    /// The environment `slug` of a project.
    pub(crate) fn environment(&self, project_id: &str, slug: &str) -> Option<&Environment> {
        self.environments
            .get(project_id)?
            .iter()
            .find(|e| e.slug == slug)
    }

    fn ensure_one_folder(&mut self, project_id: &str, environment: &str, path: &str) -> String {
        let key = (
            project_id.to_owned(),
            environment.to_owned(),
            path.to_owned(),
        );
        if let Some(id) = self.by_path.get(&key) {
            return id.clone();
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_iso();
        self.folders.insert(
            id.clone(),
            Folder {
                id: id.clone(),
                project_id: project_id.to_owned(),
                environment: environment.to_owned(),
                path: path.to_owned(),
                description: None,
                created_at: now.clone(),
                updated_at: now,
            },
        );
        self.by_path.insert(key, id.clone());
        id
    }

    /// Makes sure the folder at `path` exists, with its environment and parents; its id.
    pub(crate) fn ensure_folder(
        &mut self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> String {
        if self.environment(project_id, environment).is_none() {
            self.add_environment(project_id, environment, None);
        }
        let canonical = canonical_path(path);
        let mut current = String::new();
        let mut id = self.ensure_one_folder(project_id, environment, "/");
        for segment in canonical.split('/').filter(|s| !s.is_empty()) {
            current.push('/');
            current.push_str(segment);
            id = self.ensure_one_folder(project_id, environment, &current);
        }
        id
    }

    /// The folder at `path`, if it exists.
    pub(crate) fn folder_at(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> Option<&Folder> {
        let key = (
            project_id.to_owned(),
            environment.to_owned(),
            canonical_path(path),
        );
        self.by_path.get(&key).and_then(|id| self.folders.get(id))
    }

    /// A folder by id.
    pub(crate) fn folder(&self, id: &str) -> Option<&Folder> {
        self.folders.get(id)
    }

    /// Deletes the folder at `path` and its subfolders (never an environment's root); the ids
    /// of the deleted folders.
    pub(crate) fn delete_folder(
        &mut self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> Vec<String> {
        let canonical = canonical_path(path);
        if canonical == "/" {
            return Vec::new();
        }
        let inside = format!("{canonical}/");
        self.remove_folders(|f| {
            f.project_id == project_id
                && f.environment == environment
                && (f.path == canonical || f.path.starts_with(&inside))
        })
    }

    /// Removes every folder `doomed` picks, with its secrets; their ids.
    fn remove_folders(&mut self, doomed: impl Fn(&Folder) -> bool) -> Vec<String> {
        let ids: Vec<String> = self
            .folders
            .values()
            .filter(|f| doomed(f))
            .map(|f| f.id.clone())
            .collect();
        for id in &ids {
            if let Some(folder) = self.folders.remove(id) {
                self.by_path
                    .remove(&(folder.project_id, folder.environment, folder.path));
            }
            self.secrets.remove(id);
        }
        ids
    }

    /// A project's environments, by position (the order the server lists them in).
    pub(crate) fn environments(&self, project_id: &str) -> Vec<&Environment> {
        let mut list: Vec<&Environment> = self
            .environments
            .get(project_id)
            .map(|e| e.iter().collect())
            .unwrap_or_default();
        list.sort_by(|a, b| a.position.total_cmp(&b.position));
        list
    }

    /// An environment by id, with its project's id.
    pub(crate) fn environment_by_id(&self, id: &str) -> Option<(&str, &Environment)> {
        self.environments.iter().find_map(|(project, list)| {
            list.iter()
                .find(|e| e.id == id)
                .map(|e| (project.as_str(), e))
        })
    }

    /// `createEnvironment`'s write: at `position`, moving every environment from there on one
    /// place down when the place is taken (`shiftPositions`), or after the last one; with its
    /// root folder.
    pub(crate) fn create_environment(
        &mut self,
        project_id: &str,
        slug: &str,
        name: &str,
        position: Option<f64>,
    ) -> Environment {
        let environments = self.environments.entry(project_id.to_owned()).or_default();
        let position = match position {
            Some(at) => {
                if environments.iter().any(|e| e.position == at) {
                    for env in environments.iter_mut().filter(|e| e.position >= at) {
                        env.position += 1.0;
                    }
                }
                at
            }
            None => last_position(environments) + 1.0,
        };
        let now = now_iso();
        let environment = Environment {
            id: uuid::Uuid::new_v4().to_string(),
            slug: slug.to_owned(),
            name: name.to_owned(),
            position,
            created_at: now.clone(),
            updated_at: now,
        };
        environments.push(environment.clone());
        self.ensure_one_folder(project_id, slug, "/");
        environment
    }

    /// `updateEnvironment`'s write: a truthy `position` held by another environment moves the
    /// ones in between (`updateAllPosition`); then each field given is stored as sent (a `0`
    /// position too). A new slug moves the environment's folders with it.
    pub(crate) fn update_environment(
        &mut self,
        project_id: &str,
        id: &str,
        change: EnvironmentChange,
    ) -> Option<Environment> {
        let environments = self.environments.get_mut(project_id)?;
        let old = environments.iter().find(|e| e.id == id)?.clone();
        if let Some(target) = change.position.filter(|p| *p != 0.0)
            && environments
                .iter()
                .any(|e| e.position == target && e.id != id)
        {
            let from = old.position;
            for env in environments.iter_mut() {
                if target > from && env.position <= target && env.position > from {
                    env.position -= 1.0;
                } else if target <= from && env.position >= target && env.position < from {
                    env.position += 1.0;
                }
            }
        }
        let env = environments.iter_mut().find(|e| e.id == id)?;
        if let Some(name) = change.name {
            env.name = name;
        }
        if let Some(position) = change.position {
            env.position = position;
        }
        if let Some(slug) = change.slug.filter(|s| *s != old.slug) {
            env.slug.clone_from(&slug);
            self.move_environment_folders(project_id, &old.slug, &slug);
        }
        let env = self
            .environments
            .get_mut(project_id)?
            .iter_mut()
            .find(|e| e.id == id)?;
        env.updated_at = now_iso();
        Some(env.clone())
    }

    fn move_environment_folders(&mut self, project_id: &str, from: &str, to: &str) {
        for folder in self.folders.values_mut() {
            if folder.project_id == project_id && folder.environment == from {
                let key = (
                    folder.project_id.clone(),
                    from.to_owned(),
                    folder.path.clone(),
                );
                self.by_path.remove(&key);
                folder.environment = to.to_owned();
                self.by_path.insert(
                    (
                        folder.project_id.clone(),
                        to.to_owned(),
                        folder.path.clone(),
                    ),
                    folder.id.clone(),
                );
            }
        }
    }

    /// Deletes an environment with its folders and their secrets (the server's cascade); the
    /// environment and the ids of the folders that went.
    pub(crate) fn delete_environment(
        &mut self,
        project_id: &str,
        id: &str,
    ) -> Option<(Environment, Vec<String>)> {
        let environments = self.environments.get_mut(project_id)?;
        let index = environments.iter().position(|e| e.id == id)?;
        let env = environments.remove(index);
        let gone = self.remove_folders(|f| f.project_id == project_id && f.environment == env.slug);
        Some((env, gone))
    }

    /// Deletes everything of a project; the ids of the folders that went.
    pub(crate) fn delete_project(&mut self, project_id: &str) -> Vec<String> {
        self.environments.remove(project_id);
        self.remove_folders(|f| f.project_id == project_id)
    }

    /// The folders right under the folder at `parent` (never a root), by name.
    pub(crate) fn children(
        &self,
        project_id: &str,
        environment: &str,
        parent: &str,
    ) -> Vec<&Folder> {
        let parent = canonical_path(parent);
        let mut list: Vec<&Folder> = self
            .folders
            .values()
            .filter(|f| {
                f.project_id == project_id
                    && f.environment == environment
                    && f.parent_path().as_deref() == Some(parent.as_str())
            })
            .collect();
        list.sort_by(|a, b| a.path.cmp(&b.path));
        list
    }

    /// Every folder below the folder at `parent`, each with its path relative to it.
    pub(crate) fn descendants(
        &self,
        project_id: &str,
        environment: &str,
        parent: &str,
    ) -> Vec<(&Folder, String)> {
        let parent = canonical_path(parent);
        let prefix = if parent == "/" { String::new() } else { parent };
        let mut list: Vec<(&Folder, String)> = self
            .folders
            .values()
            .filter(|f| f.project_id == project_id && f.environment == environment)
            .filter_map(|f| {
                let rest = f.path.strip_prefix(&prefix)?;
                (rest.starts_with('/') && rest.len() > 1).then(|| (f, rest.to_owned()))
            })
            .collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        list
    }

    /// `createFolder`'s write: the folder `name` under `parent` (created with any missing
    /// parents), or the one already there, untouched; its id.
    pub(crate) fn create_folder(
        &mut self,
        project_id: &str,
        environment: &str,
        parent: &str,
        name: &str,
        description: Option<String>,
    ) -> String {
        let path = canonical_path(&format!("{parent}/{name}"));
        if let Some(existing) = self.folder_at(project_id, environment, &path) {
            return existing.id.clone();
        }
        let id = self.ensure_folder(project_id, environment, &path);
        if let Some(folder) = self.folders.get_mut(&id) {
            folder.description = description;
        }
        id
    }

    /// `SecretFoldersSchema`: a folder as the folder routes answer it.
    pub(crate) fn folder_view(&self, folder: &Folder) -> Value {
        let env_id = self
            .environment(&folder.project_id, &folder.environment)
            .map(|e| e.id.clone());
        let parent_id = folder
            .parent_path()
            .and_then(|p| self.folder_at(&folder.project_id, &folder.environment, &p))
            .map(|p| p.id.clone());
        json!({
            "id": folder.id,
            "name": folder.name(),
            "version": 1,
            "createdAt": folder.created_at,
            "updatedAt": folder.updated_at,
            "envId": env_id,
            "parentId": parent_id,
            "isReserved": false,
            "description": folder.description,
            "lastSecretModified": null,
        })
    }

    /// `updateFolder`'s write: a new name (its subfolders' paths follow) and, when given, a
    /// description.
    pub(crate) fn update_folder(
        &mut self,
        id: &str,
        name: &str,
        description: Option<Option<String>>,
    ) {
        let Some(folder) = self.folders.get(id).cloned() else {
            return;
        };
        let parent = folder.parent_path().unwrap_or_default();
        let path = canonical_path(&format!("{parent}/{name}"));
        if path != folder.path {
            let inside = format!("{}/", folder.path);
            let moved: Vec<String> = self
                .folders
                .values()
                .filter(|f| {
                    f.project_id == folder.project_id
                        && f.environment == folder.environment
                        && (f.path == folder.path || f.path.starts_with(&inside))
                })
                .map(|f| f.id.clone())
                .collect();
            for moved_id in moved {
                if let Some(f) = self.folders.get_mut(&moved_id) {
                    let key = (f.project_id.clone(), f.environment.clone(), f.path.clone());
                    self.by_path.remove(&key);
                    f.path = format!("{path}{}", &f.path[folder.path.len()..]);
                    self.by_path.insert(
                        (f.project_id.clone(), f.environment.clone(), f.path.clone()),
                        f.id.clone(),
                    );
                }
            }
        }
        if let Some(f) = self.folders.get_mut(id) {
            if let Some(description) = description {
                f.description = description;
            }
            f.updated_at = now_iso();
        }
    }

    /// Sets a secret's value in a folder, as the admin API does: a new secret, or one more
    /// version of the one there.
    pub(crate) fn set_secret(&mut self, folder_id: &str, key: &str, value: &str) {
        let folder = self.secrets.entry(folder_id.to_owned()).or_default();
        match folder.get_mut(key) {
            Some(secret) => {
                value.clone_into(&mut secret.value);
                secret.bump();
            }
            None => {
                folder.insert(key.to_owned(), StoredSecret::new(key, value));
            }
        }
    }

    /// Deletes a secret from a folder; whether it was there.
    pub(crate) fn delete_secret(&mut self, folder_id: &str, key: &str) -> bool {
        self.remove_secret(folder_id, key).is_some()
    }

    /// A folder's secrets, key → value.
    pub(crate) fn secrets(&self, folder_id: &str) -> BTreeMap<String, String> {
        self.secrets
            .get(folder_id)
            .map(|s| {
                s.iter()
                    .map(|(key, secret)| (key.clone(), secret.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A folder's secret named `key`.
    pub(crate) fn secret(&self, folder_id: &str, key: &str) -> Option<&StoredSecret> {
        self.secrets.get(folder_id)?.get(key)
    }

    /// A folder's secret named `key`, to change.
    pub(crate) fn secret_mut(&mut self, folder_id: &str, key: &str) -> Option<&mut StoredSecret> {
        self.secrets.get_mut(folder_id)?.get_mut(key)
    }

    /// A folder's secrets, by name.
    pub(crate) fn folder_secrets(&self, folder_id: &str) -> Vec<&StoredSecret> {
        self.secrets
            .get(folder_id)
            .map(|s| s.values().collect())
            .unwrap_or_default()
    }

    /// A secret by id, with its folder.
    pub(crate) fn secret_by_id(&self, id: &str) -> Option<(&Folder, &StoredSecret)> {
        self.secrets.iter().find_map(|(folder_id, secrets)| {
            let secret = secrets.values().find(|s| s.id == id)?;
            Some((self.folders.get(folder_id)?, secret))
        })
    }

    /// Puts a secret in a folder under its name (replacing one of that name).
    pub(crate) fn insert_secret(&mut self, folder_id: &str, secret: StoredSecret) {
        self.secrets
            .entry(folder_id.to_owned())
            .or_default()
            .insert(secret.key.clone(), secret);
    }

    /// Takes a secret out of a folder.
    pub(crate) fn remove_secret(&mut self, folder_id: &str, key: &str) -> Option<StoredSecret> {
        self.secrets.get_mut(folder_id)?.remove(key)
    }

    /// Every secret of a project's folders, to change (reference rewriting, tag removal).
    pub(crate) fn project_secrets_mut(
        &mut self,
        project_id: &str,
    ) -> Vec<(Folder, &mut StoredSecret)> {
        let folders = &self.folders;
        self.secrets
            .iter_mut()
            .filter_map(|(folder_id, secrets)| {
                let folder = folders
                    .get(folder_id)
                    .filter(|f| f.project_id == project_id)?;
                Some((folder.clone(), secrets))
            })
            .flat_map(|(folder, secrets)| secrets.values_mut().map(move |s| (folder.clone(), s)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_canonical_and_folders_get_their_parents() {
        assert_eq!(canonical_path("app/"), "/app");
        assert_eq!(canonical_path("/"), "/");
        assert_eq!(canonical_path("//a//b/"), "/a/b");
        let mut store = SecretsStore::default();
        store.ensure_default_environments("p");
        assert_eq!(
            store.environment("p", "prod").map(|e| e.name.as_str()),
            Some("Production")
        );
        let id = store.ensure_folder("p", "dev", "/a/b/");
        assert!(store.folder_at("p", "dev", "/a").is_some());
        assert_eq!(store.folder_at("p", "dev", "a/b").map(|f| &f.id), Some(&id));
        assert!(store.folder_at("p", "staging", "/a").is_none());
        assert_eq!(store.delete_folder("p", "dev", "/a").len(), 2);
        assert!(store.folder_at("p", "dev", "/a/b").is_none());
        assert!(store.folder_at("p", "dev", "/").is_some());
    }
}
