//! The admin side of secrets: secret-approval policies (and the requests they opened), and the
//! secret rotations that own secrets. [`Admin`] methods, and the same over HTTP under
//! `/__emulator/…`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::admin::{Admin, admin_error};
use crate::service::syncs;
use crate::store::approvals::{ApprovalPolicy, ApprovalRequest};
use crate::store::secrets::canonical_path;

impl Admin {
    /// Puts the environment's secret path (`/`, `/app`, or a glob such as `/app/**`) of a project
    /// under a secret-approval policy (declaring the project if needed): from then on, secret
    /// writes there (single and batch) answer `{approval}` and change nothing, unless
    /// `bypass_for_machine_identities`. The policy's id.
    pub fn add_secret_approval_policy(
        &self,
        project_id: &str,
        environment: &str,
        secret_path: &str,
        bypass_for_machine_identities: bool,
    ) -> String {
        let mut state = self.shared.lock();
        syncs::ensure_project(&mut state, project_id);
        let id = uuid::Uuid::new_v4().to_string();
        state.approvals.policies.push(ApprovalPolicy {
            id: id.clone(),
            project_id: project_id.to_owned(),
            environment: environment.to_owned(),
            secret_path: secret_path.to_owned(),
            bypass_for_machine_identities,
        });
        id
    }

    /// The approval requests opened in a project, oldest first.
    pub fn secret_approval_requests(&self, project_id: &str) -> Vec<ApprovalRequest> {
        self.shared
            .lock()
            .approvals
            .requests
            .iter()
            .filter(|r| r.project_id == project_id)
            .cloned()
            .collect()
    }

    /// Makes a secret owned by the secret rotation `rotation_id` (`isRotatedSecret: true`,
    /// `rotationId`), or with `None` by none. Whether the secret exists.
    pub fn set_secret_rotation(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
        key: &str,
        rotation_id: Option<&str>,
    ) -> bool {
        let mut state = self.shared.lock();
        let Some(folder) = state
            .secrets
            .folder_at(project_id, environment, &canonical_path(path))
            .map(|f| f.id.clone())
        else {
            return false;
        };
        match state.secrets.secret_mut(&folder, key) {
            Some(secret) => {
                secret.rotation_id = rotation_id.map(str::to_owned);
                true
            }
            None => false,
        }
    }

    /// A secret's version (1 when created, one more for every write), if it exists.
    pub fn secret_version(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
        key: &str,
    ) -> Option<u64> {
        let state = self.shared.lock();
        let folder = state.secrets.folder_at(project_id, environment, path)?;
        state.secrets.secret(&folder.id, key).map(|s| s.version)
    }
}

// ----- HTTP -----

fn root() -> String {
    "/".to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyBody {
    environment: String,
    #[serde(default = "root")]
    secret_path: String,
    #[serde(default)]
    bypass_for_machine_identities: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RotationBody {
    environment: String,
    #[serde(default = "root")]
    path: String,
    key: String,
    rotation_id: Option<String>,
}

type A = State<Admin>;

/// The admin routes of this module, under `/__emulator`.
pub(crate) fn router(admin: Admin) -> Router {
    Router::new()
        .route(
            "/__emulator/projects/{id}/approval-policies",
            post(
                |State(a): A, Path(id): Path<String>, Json(b): Json<PolicyBody>| async move {
                    let policy = a.add_secret_approval_policy(
                        &id,
                        &b.environment,
                        &b.secret_path,
                        b.bypass_for_machine_identities,
                    );
                    Json(json!({ "id": policy }))
                },
            ),
        )
        .route(
            "/__emulator/projects/{id}/approval-requests",
            get(|State(a): A, Path(id): Path<String>| async move {
                Json(json!({ "requests": a.secret_approval_requests(&id) }))
            }),
        )
        .route(
            "/__emulator/projects/{id}/secret-rotation",
            axum::routing::put(
                |State(a): A, Path(id): Path<String>, Json(b): Json<RotationBody>| async move {
                    let rotation = b
                        .rotation_id
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                    rotated(a.set_secret_rotation(
                        &id,
                        &b.environment,
                        &b.path,
                        &b.key,
                        Some(&rotation),
                    ))
                },
            )
            .delete(
                |State(a): A, Path(id): Path<String>, Json(b): Json<RotationBody>| async move {
                    rotated(a.set_secret_rotation(&id, &b.environment, &b.path, &b.key, None))
                },
            ),
        )
        .with_state(admin)
}

fn rotated(found: bool) -> axum::response::Response {
    if found {
        StatusCode::NO_CONTENT.into_response()
    } else {
        admin_error(StatusCode::NOT_FOUND, "no such secret")
    }
}
