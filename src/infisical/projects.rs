//! Projects, their environments and their folders through the current routes:
//! `/api/v1/projects` (the server's `routes/v1/project-router.ts`),
//! `/api/v1/projects/:id/environments` (`routes/v1/project-env-router.ts`) and `/api/v2/folders`
//! (`routes/v2/secret-folder-router.ts`). The official provider uses the deprecated
//! `/api/v1/workspace` and `/api/v1/folders` routes for the same objects.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::client::{Client, Repeat, encode};
use super::error::Error;
use super::snapshot::{Listed, Listing};

/// An environment as a project lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EnvironmentRef {
    /// The environment's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its slug.
    pub slug: String,
}

/// A project as `/api/v1/projects` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// The project's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its slug, unique in the organization.
    pub slug: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// `secret-manager`, `cert-manager`, `kms`…
    #[serde(default, rename = "type")]
    pub project_type: Option<String>,
    /// The organization's id.
    pub org_id: String,
    /// Whether deleting it is refused.
    #[serde(default)]
    pub has_delete_protection: Option<bool>,
    /// How long audit logs are kept, in days.
    #[serde(default)]
    pub audit_logs_retention_days: Option<i64>,
    /// Whether secret names are upper-cased.
    #[serde(default)]
    pub auto_capitalization: Option<bool>,
    /// The project's encryption version.
    #[serde(default)]
    pub version: Option<i64>,
    /// The state of an encryption upgrade, if one ran.
    #[serde(default)]
    pub upgrade_status: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it last changed (RFC 3339).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Its environments, in the project's order (absent from the update and delete answers).
    #[serde(default)]
    pub environments: Vec<EnvironmentRef>,
}

/// `POST /api/v1/projects`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProject<'a> {
    /// The name (at most 64 characters, trimmed).
    pub project_name: &'a str,
    /// The description (at most 1024 characters, trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_description: Option<&'a str>,
    /// The slug (5 to 36 characters: lower-case letters, digits, hyphens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<&'a str>,
    /// A KMS key to encrypt the project's secrets with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<&'a str>,
    /// A project template's name (Infisical's default when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<&'a str>,
    /// The project's type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub project_type: Option<&'a str>,
    /// Whether Infisical creates its default environments.
    pub should_create_default_envs: bool,
    /// Whether deleting it is refused.
    pub has_delete_protection: bool,
}

/// `PATCH /api/v1/projects/:id`'s body: only what is given changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProject<'a> {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// A new description (`""` clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// A new slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<&'a str>,
    /// Delete protection on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_delete_protection: Option<bool>,
}

/// An environment as `/api/v1/projects/:id/environments` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// The environment's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its slug, unique in the project.
    pub slug: String,
    /// Its place in the project's order, from 1.
    pub position: i64,
    /// The project's id.
    pub project_id: String,
}

/// The body of an environment's create (`position` at least 1) and update.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EnvironmentFields<'a> {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// The slug (at most 64 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<&'a str>,
    /// The position; sent only when given, since Infisical stores whatever number it gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// A folder's environment, as `GET /api/v2/folders/:id` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderEnvironment {
    /// The environment's id.
    pub env_id: String,
    /// Its name.
    pub env_name: String,
    /// Its slug.
    pub env_slug: String,
}

/// A folder as `/api/v2/folders` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    /// The folder's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its environment's id.
    pub env_id: String,
    /// Its parent's id (`None` for an environment's root).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// Its full path, name included, where the answer has it (create, update, get).
    #[serde(default)]
    pub path: Option<String>,
    /// Its path below the listed one (recursive lists).
    #[serde(default)]
    pub relative_path: Option<String>,
    /// Its environment (get by id).
    #[serde(default)]
    pub environment: Option<FolderEnvironment>,
    /// The project's id (get by id).
    #[serde(default)]
    pub project_id: Option<String>,
    /// Reserved folders are Infisical's own (secret rotations, for one).
    #[serde(default)]
    pub is_reserved: bool,
}

/// A folder's place and fields: the body of its create and update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderFields<'a> {
    /// The project's id.
    pub project_id: &'a str,
    /// The environment's slug.
    pub environment: &'a str,
    /// The folder's name (letters, digits, `-` and `_`).
    pub name: &'a str,
    /// The parent folder's path.
    pub path: &'a str,
    /// The description (`None` clears it).
    pub description: Option<&'a str>,
}

/// The project, environment and folder calls; from [`Client::projects`].
#[derive(Debug, Clone, Copy)]
pub struct Projects<'c> {
    client: &'c Client,
}

impl Client {
    /// The project, environment and folder calls.
    pub fn projects(&self) -> Projects<'_> {
        Projects { client: self }
    }
}

#[derive(Deserialize)]
struct OneProject {
    project: Project,
}

#[derive(Deserialize)]
struct OneEnvironment {
    environment: Environment,
}

/// The snapshot kind of the environments' folder listings.
const FOLDER_LISTING: &str = "folders";

#[derive(Deserialize)]
struct OneFolder {
    folder: Folder,
}

impl Projects<'_> {
    /// `POST /api/v1/projects`. The identity that creates a project becomes its admin.
    #[instrument(level = "debug", skip_all)]
    pub async fn create(&self, request: &CreateProject<'_>) -> Result<Project, Error> {
        let one: OneProject = self
            .client
            .request(
                Method::POST,
                &["api", "v1", "projects"],
                &[],
                Some(encode(request)?),
            )
            .await?;
        Ok(one.project)
    }

    /// `GET /api/v1/projects`: the projects the caller is a member of.
    #[instrument(level = "debug", skip(self))]
    pub async fn list(&self) -> Result<Vec<Project>, Error> {
        #[derive(Deserialize)]
        struct Many {
            projects: Vec<Project>,
        }
        let many: Many = self
            .client
            .request(Method::GET, &["api", "v1", "projects"], &[], None)
            .await?;
        Ok(many.projects)
    }

    /// `GET /api/v1/projects/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn get(&self, id: &str) -> Result<Project, Error> {
        let one: OneProject = self
            .client
            .request(Method::GET, &["api", "v1", "projects", id], &[], None)
            .await?;
        Ok(one.project)
    }

    /// `GET /api/v1/projects/slug/:slug` (answered without an envelope).
    #[instrument(level = "debug", skip(self))]
    pub async fn get_by_slug(&self, slug: &str) -> Result<Project, Error> {
        self.client
            .request(
                Method::GET,
                &["api", "v1", "projects", "slug", slug],
                &[],
                None,
            )
            .await
    }

    /// `PATCH /api/v1/projects/:id`.
    #[instrument(level = "debug", skip(self, request))]
    pub async fn update(&self, id: &str, request: &UpdateProject<'_>) -> Result<Project, Error> {
        let one: OneProject = self
            .client
            .request(
                Method::PATCH,
                &["api", "v1", "projects", id],
                &[],
                Some(encode(request)?),
            )
            .await?;
        Ok(one.project)
    }

    /// `PUT /api/v1/projects/:id/audit-logs-retention`: how long the project's audit logs are
    /// kept (the organization's plan caps it).
    #[instrument(level = "debug", skip(self))]
    pub async fn set_audit_logs_retention(&self, id: &str, days: i64) -> Result<Project, Error> {
        let one: OneProject = self
            .client
            .request(
                Method::PUT,
                &["api", "v1", "projects", id, "audit-logs-retention"],
                &[],
                Some(encode(
                    &serde_json::json!({ "auditLogsRetentionDays": days }),
                )?),
            )
            .await?;
        Ok(one.project)
    }

    /// `DELETE /api/v1/projects/:id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .request(Method::DELETE, &["api", "v1", "projects", id], &[], None)
            .await?;
        Ok(())
    }

    /// `POST /api/v1/projects/:id/environments`. Infisical serialises a project's environment
    /// changes behind a lock, so concurrent creates queue on the server.
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn create_environment(
        &self,
        project_id: &str,
        fields: &EnvironmentFields<'_>,
    ) -> Result<Environment, Error> {
        let one: OneEnvironment = self
            .client
            .request(
                Method::POST,
                &["api", "v1", "projects", project_id, "environments"],
                &[],
                Some(encode(fields)?),
            )
            .await?;
        Ok(one.environment)
    }

    /// `GET /api/v1/projects/:id/environments/:env_id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn environment(&self, project_id: &str, id: &str) -> Result<Environment, Error> {
        let one: OneEnvironment = self
            .client
            .request(
                Method::GET,
                &["api", "v1", "projects", project_id, "environments", id],
                &[],
                None,
            )
            .await?;
        Ok(one.environment)
    }

    /// `PATCH /api/v1/projects/:id/environments/:env_id`.
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn update_environment(
        &self,
        project_id: &str,
        id: &str,
        fields: &EnvironmentFields<'_>,
    ) -> Result<Environment, Error> {
        let one: OneEnvironment = self
            .client
            .request(
                Method::PATCH,
                &["api", "v1", "projects", project_id, "environments", id],
                &[],
                Some(encode(fields)?),
            )
            .await?;
        Ok(one.environment)
    }

    /// `DELETE /api/v1/projects/:id/environments/:env_id`.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete_environment(&self, project_id: &str, id: &str) -> Result<(), Error> {
        let _: OneEnvironment = self
            .client
            .request(
                Method::DELETE,
                &["api", "v1", "projects", project_id, "environments", id],
                &[],
                None,
            )
            .await?;
        Ok(())
    }

    /// `POST /api/v2/folders`. Not repeated once sent: a repeat of a create that took effect
    /// meets "already exists".
    #[instrument(level = "debug", skip_all)]
    pub async fn create_folder(&self, fields: &FolderFields<'_>) -> Result<Folder, Error> {
        let one: Result<OneFolder, Error> = self
            .client
            .request_as(
                Method::POST,
                &["api", "v2", "folders"],
                &[],
                Some(encode(fields)?),
                Repeat::Unsafe,
            )
            .await;
        self.folder_written(fields.project_id, fields.environment);
        Ok(one?.folder)
    }

    /// `GET /api/v2/folders/:id`, with its environment, full path and project.
    #[instrument(level = "debug", skip(self))]
    pub async fn folder(&self, id: &str) -> Result<Folder, Error> {
        let one: OneFolder = self
            .client
            .request(Method::GET, &["api", "v2", "folders", id], &[], None)
            .await?;
        Ok(one.folder)
    }

    /// Folder `id` of `environment` in `project_id` as [`Projects::folder`] answers it, from one
    /// recursive listing of the environment shared by every read of this client (see
    /// `snapshot`): each folder's full path and its environment's slug filled in. A folder the
    /// listing lacks, a listing that failed, and one older than this client's last folder write
    /// in the environment fall back to the GET by id.
    #[instrument(level = "debug", skip(self))]
    pub async fn read_folder(
        &self,
        id: &str,
        project_id: &str,
        environment: &str,
    ) -> Result<Folder, Error> {
        let scope = (FOLDER_LISTING, Some(format!("{project_id}/{environment}")));
        let fetch = self.folder_listing(project_id, environment);
        if let Listed::Found(folder) = self.client.snapshots().lookup(scope, id, fetch).await {
            return Ok(folder);
        }
        self.folder(id).await
    }

    /// The recursive listing of one environment's folders for the snapshots.
    async fn folder_listing(&self, project_id: &str, environment: &str) -> Option<Listing> {
        let sent = std::time::Instant::now();
        match self.folders(project_id, environment, "/", true).await {
            Ok(folders) => {
                let by_id: std::collections::HashMap<String, Folder> = folders
                    .into_iter()
                    .map(|mut folder| {
                        folder.path = folder.relative_path.clone();
                        folder.project_id = Some(project_id.to_owned());
                        folder.environment = Some(FolderEnvironment {
                            env_id: folder.env_id.clone(),
                            env_name: String::new(),
                            env_slug: environment.to_owned(),
                        });
                        (folder.id.clone(), folder)
                    })
                    .collect();
                tracing::debug!(count = by_id.len(), "listed folders for reads");
                Some(Listing {
                    sent,
                    by_id: Box::new(by_id),
                })
            }
            Err(err) => {
                tracing::debug!(error = %err, "folder listing failed; reads send their own GET");
                None
            }
        }
    }

    /// A folder write of this client in `environment` of `project_id`: a rename or a delete
    /// moves or removes what is below the folder too, so the environment's listing no longer
    /// answers.
    fn folder_written(&self, project_id: &str, environment: &str) {
        self.client
            .snapshots()
            .forget(FOLDER_LISTING, &format!("{project_id}/{environment}"));
    }

    /// `GET /api/v2/folders?recursive=`: the folders below `path`, or with `recursive` every
    /// folder of the tree (each with its `relative_path`), in one request.
    #[instrument(level = "debug", skip(self))]
    pub async fn folders(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
        recursive: bool,
    ) -> Result<Vec<Folder>, Error> {
        #[derive(Deserialize)]
        struct Many {
            folders: Vec<Folder>,
        }
        let query = [
            ("projectId", project_id),
            ("environment", environment),
            ("path", path),
            ("recursive", if recursive { "true" } else { "false" }),
        ];
        let many: Many = self
            .client
            .request(Method::GET, &["api", "v2", "folders"], &query, None)
            .await?;
        Ok(many.folders)
    }

    /// `PATCH /api/v2/folders/:id`: a new name or description (`fields.path` is where the
    /// folder is, not where it goes).
    #[instrument(level = "debug", skip(self, fields))]
    pub async fn update_folder(
        &self,
        id: &str,
        fields: &FolderFields<'_>,
    ) -> Result<Folder, Error> {
        let one: Result<OneFolder, Error> = self
            .client
            .request(
                Method::PATCH,
                &["api", "v2", "folders", id],
                &[],
                Some(encode(fields)?),
            )
            .await;
        self.folder_written(fields.project_id, fields.environment);
        Ok(one?.folder)
    }

    /// `DELETE /api/v2/folders/:id`; with `force`, also when it holds secrets that other
    /// resources reference.
    #[instrument(level = "debug", skip(self))]
    pub async fn delete_folder(
        &self,
        id: &str,
        project_id: &str,
        environment: &str,
        parent_path: &str,
        force: bool,
    ) -> Result<(), Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            project_id: &'a str,
            environment: &'a str,
            path: &'a str,
            force_delete: bool,
        }
        let body = Body {
            project_id,
            environment,
            path: parent_path,
            force_delete: force,
        };
        let deleted: Result<OneFolder, Error> = self
            .client
            .request(
                Method::DELETE,
                &["api", "v2", "folders", id],
                &[],
                Some(encode(&body)?),
            )
            .await;
        self.folder_written(project_id, environment);
        deleted.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_decodes_from_the_create_answer_with_its_environments() {
        let project: Project = serde_json::from_value(serde_json::json!({
            "id": "p1", "_id": "p1", "name": "App", "slug": "app-prod", "description": null,
            "type": "secret-manager", "orgId": "o1", "autoCapitalization": false, "version": 3,
            "hasDeleteProtection": false, "auditLogsRetentionDays": null,
            "createdAt": "2026-12-01T00:00:00Z", "updatedAt": "2026-12-01T00:00:00Z",
            "environments": [{"name": "Development", "slug": "dev", "id": "e1"}]
        }))
        .unwrap();
        assert_eq!(project.environments[0].slug, "dev");
        assert_eq!(project.project_type.as_deref(), Some("secret-manager"));
    }

    #[test]
    fn bodies_send_what_is_given_and_nothing_else() {
        let create = CreateProject {
            project_name: "App",
            project_description: None,
            slug: Some("app-prod"),
            kms_key_id: None,
            template: None,
            project_type: None,
            should_create_default_envs: false,
            has_delete_protection: false,
        };
        assert_eq!(
            serde_json::to_value(&create).unwrap(),
            serde_json::json!({"projectName": "App", "slug": "app-prod",
                               "shouldCreateDefaultEnvs": false, "hasDeleteProtection": false})
        );
        // A rename without a configured position sends no position (the official provider's
        // PATCH sends 0, which Infisical stores).
        let rename = EnvironmentFields {
            name: Some("Staging"),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&rename).unwrap(),
            serde_json::json!({"name": "Staging"})
        );
        let folder = FolderFields {
            project_id: "p1",
            environment: "dev",
            name: "app",
            path: "/",
            description: None,
        };
        assert_eq!(
            serde_json::to_value(&folder).unwrap(),
            serde_json::json!({"projectId": "p1", "environment": "dev", "name": "app",
                               "path": "/", "description": null})
        );
    }
}
