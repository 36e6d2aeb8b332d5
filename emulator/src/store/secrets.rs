//! The secrets store that secret syncs read: each project's environments, the folders in each
//! environment, and the secrets in each folder. Tests and the demo seed it through the admin API;
//! the sync routes look folders up in it as the server does (`Could not find folder …`).

use std::collections::{BTreeMap, HashMap};

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
}

/// One folder; `path` is canonical (`/`, `/app`, `/app/db`).
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) environment: String,
    pub(crate) path: String,
}

/// Every project's environments, folders and secrets.
#[derive(Debug, Default)]
pub(crate) struct SecretsStore {
    /// Project id → its environments, in creation order.
    environments: HashMap<String, Vec<Environment>>,
    /// Folder id → folder.
    folders: HashMap<String, Folder>,
    /// `(project, environment slug, canonical path)` → folder id.
    by_path: HashMap<(String, String, String), String>,
    /// Folder id → secret key → value.
    secrets: HashMap<String, BTreeMap<String, String>>,
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
            environments.push(Environment {
                id: uuid::Uuid::new_v4().to_string(),
                slug: slug.to_owned(),
                name: name.unwrap_or(slug).to_owned(),
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
        self.folders.insert(
            id.clone(),
            Folder {
                id: id.clone(),
                project_id: project_id.to_owned(),
                environment: environment.to_owned(),
                path: path.to_owned(),
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
        let doomed: Vec<String> = self
            .folders
            .values()
            .filter(|f| {
                f.project_id == project_id
                    && f.environment == environment
                    && (f.path == canonical || f.path.starts_with(&inside))
            })
            .map(|f| f.id.clone())
            .collect();
        for id in &doomed {
            if let Some(folder) = self.folders.remove(id) {
                self.by_path
                    .remove(&(folder.project_id, folder.environment, folder.path));
            }
            self.secrets.remove(id);
        }
        doomed
    }

    /// Sets a secret in a folder.
    pub(crate) fn set_secret(&mut self, folder_id: &str, key: &str, value: &str) {
        self.secrets
            .entry(folder_id.to_owned())
            .or_default()
            .insert(key.to_owned(), value.to_owned());
    }

    /// Deletes a secret from a folder; whether it was there.
    pub(crate) fn delete_secret(&mut self, folder_id: &str, key: &str) -> bool {
        self.secrets
            .get_mut(folder_id)
            .is_some_and(|s| s.remove(key).is_some())
    }

    /// A folder's secrets, key → value.
    pub(crate) fn secrets(&self, folder_id: &str) -> BTreeMap<String, String> {
        self.secrets.get(folder_id).cloned().unwrap_or_default()
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
