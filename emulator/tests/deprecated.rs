//! Pins the deprecated routes the official Terraform provider calls over HTTP: their bodies,
//! envelopes and messages, and that they reach the same projects, environments, folders, secrets
//! and tags as the current routes. Each test names the server's router file it follows; the
//! bodies sent are the ones the official provider v0.19.24 sends (`internal/client/model.go`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use infisical_emulator::Bucket;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::{Fixture, issue, issues, message};

impl Fixture {
    async fn send_json(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(method, path, Some(body)).await
    }

    /// `POST /api/v2/workspace` with the official provider's body; the `project` answered.
    async fn v2_project(&self, slug: &str, default_envs: bool) -> Value {
        let (status, body) = self
            .send_json(
                Method::POST,
                "/api/v2/workspace",
                json!({
                    "projectName": "Payments", "slug": slug, "organizationSlug": "",
                    "type": "secret-manager", "shouldCreateDefaultEnvs": default_envs,
                    "hasDeleteProtection": false,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["project"].clone()
    }
}

/// `routes/v2/deprecated-project-router.ts` (`POST /`, `GET /:slug`, `DELETE /:slug`) and
/// `routes/v1/deprecated-project-router.ts` (`GET /:workspaceId`,
/// `PUT /:workspaceSlug/audit-logs-retention`), over `project-service.ts`.
#[tokio::test]
async fn the_workspace_routes_create_read_and_delete_the_projects_of_the_current_routes() {
    let f = Fixture::start().await;
    // 1. v2 create: `{project}`, with the v2 `projectWithEnv`'s `kmsSecretManagerKeyId`.
    let project = f.v2_project("payments", true).await;
    let id = project["id"].as_str().unwrap();
    assert_eq!(project["_id"], id);
    assert_eq!(project["slug"], "payments");
    assert_eq!(project["environments"].as_array().unwrap().len(), 3);
    assert!(
        project
            .as_object()
            .unwrap()
            .contains_key("kmsSecretManagerKeyId")
    );
    assert!(project["kmsSecretManagerKeyId"].is_null());
    // 2. The v2 body has no length limit on the name (the current route's is 64); its slug is
    //    `slugSchema({ min: 5, max: 36 })`.
    let long = "n".repeat(100);
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v2/workspace",
            json!({ "projectName": long, "slug": "long-name" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v2/workspace",
            json!({ "projectName": "x", "slug": "ab" }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("slug", "Slug field must be at least 5 characters")]
    );
    // 3. v1 read by id: `{workspace}` with its environments, and no KMS key (the v1
    //    `projectWithEnv` does not let it out); the current route sees the same project.
    let (status, body) = f.get(&format!("/api/v1/workspace/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let workspace = &body["workspace"];
    assert_eq!(workspace["name"], "Payments");
    assert_eq!(workspace["environments"][0]["slug"], "dev");
    assert!(
        !workspace
            .as_object()
            .unwrap()
            .contains_key("kmsSecretManagerKeyId")
    );
    let (_, current) = f.get(&format!("/api/v1/projects/{id}")).await;
    assert_eq!(current["project"]["slug"], "payments");
    // 4. Audit-log retention by slug: `{message, workspace}`; the plan's limit is 400.
    let (status, body) = f
        .send_json(
            Method::PUT,
            "/api/v1/workspace/payments/audit-logs-retention",
            json!({ "auditLogsRetentionDays": 30, "ProjectSlug": "payments" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["message"],
        "Successfully updated project's audit logs retention period"
    );
    assert_eq!(body["workspace"]["auditLogsRetentionDays"], 30);
    let (status, body) = f
        .send_json(
            Method::PUT,
            "/api/v1/workspace/payments/audit-logs-retention",
            json!({ "auditLogsRetentionDays": 400 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = f
        .send_json(
            Method::PUT,
            "/api/v1/workspace/nowhere/audit-logs-retention",
            json!({ "auditLogsRetentionDays": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(message(&body), "Project with slug 'nowhere' not found");
    // 5. v2 read by slug: bare, with the KMS key.
    let (status, body) = f.get("/api/v2/workspace/payments").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(body["auditLogsRetentionDays"], 30);
    assert!(body["kmsSecretManagerKeyId"].is_null());
    // 6. v2 delete by slug (`slugSchema({ min: 5, max: 64 })`): the project, bare; then gone
    //    for both route families.
    let (status, body) = f.delete("/api/v2/workspace/pay").await;
    assert_eq!(
        issues(status, &body),
        [issue("slug", "Slug field must be at least 5 characters")]
    );
    let (status, body) = f.delete("/api/v2/workspace/payments").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id);
    assert!(body.get("environments").is_none());
    let (status, _) = f.get(&format!("/api/v1/workspace/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = f.get(&format!("/api/v1/projects/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `routes/v1/deprecated-project-env-router.ts` over `project-env-service.ts`.
#[tokio::test]
async fn the_workspace_environment_routes_answer_workspace_and_share_the_environments() {
    let f = Fixture::start().await;
    let project = f.v2_project("shop-app", false).await;
    let id = project["id"].as_str().unwrap();
    assert_eq!(project["environments"], json!([]));
    let root = format!("/api/v1/workspace/{id}/environments");
    // 1. Create (the official body: `workspaceId` is stripped): `{message, workspace,
    //    environment}`; the name is `min(1).max(255)` there.
    let (status, body) = f
        .send_json(
            Method::POST,
            &root,
            json!({ "name": "Pre-prod", "slug": "preprod", "workspaceId": id, "position": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "Successfully created new environment");
    assert_eq!(body["workspace"], id);
    assert!(body.get("projectId").is_none());
    let env = body["environment"].clone();
    let env_id = env["id"].as_str().unwrap();
    assert_eq!(env["slug"], "preprod");
    assert_eq!(env["projectId"], id);
    let (status, body) = f
        .send_json(Method::POST, &root, json!({ "name": " ", "slug": "qa" }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("name", "String must contain at least 1 character(s)")]
    );
    // 2. Reads: by id alone, under the project, and on the current route.
    for path in [
        format!("/api/v1/workspace/environments/{env_id}"),
        format!("{root}/{env_id}"),
        format!("/api/v1/projects/{id}/environments/{env_id}"),
    ] {
        let (status, body) = f.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body["environment"]["name"], "Pre-prod", "{path}");
    }
    // 3. PATCH (the official body always sends the position) and DELETE, both `{…, workspace}`.
    let (status, body) = f
        .send_json(
            Method::PATCH,
            &format!("{root}/{env_id}"),
            json!({ "name": "Staging", "slug": "staging", "position": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "Successfully updated environment");
    assert_eq!(body["workspace"], id);
    assert_eq!(body["environment"]["slug"], "staging");
    let (status, body) = f
        .send_json(
            Method::DELETE,
            &format!("{root}/{env_id}"),
            json!({ "id": env_id, "workspaceId": id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "Successfully deleted environment");
    assert_eq!(body["workspace"], id);
    let (status, _) = f
        .get(&format!("/api/v1/workspace/environments/{env_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `routes/v1/deprecated-secret-folder-router.ts` over `secret-folder-service.ts`; folders are
/// deleted on `routes/v2/secret-folder-router.ts`, as the official provider does.
#[tokio::test]
async fn the_v1_folder_routes_take_workspace_id_and_share_the_folders() {
    let f = Fixture::start().await;
    let project = f.v2_project("folders", true).await;
    let id = project["id"].as_str().unwrap();
    // 1. Create with the official body (`workspaceId`, `path`, `description` ""), then one in it.
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v1/folders",
            json!({ "name": "backend", "environment": "dev", "workspaceId": id, "path": "/",
                    "description": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["folder"]["path"], "/backend");
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v1/folders",
            json!({ "name": "db", "environment": "dev", "workspaceId": id, "path": "backend/",
                    "description": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let nested = body["folder"].clone();
    let nested_id = nested["id"].as_str().unwrap();
    assert_eq!(
        nested["path"], "/backend/db",
        "the parent's path, normalised"
    );
    // 2. Without `path`, the CLI's `directory`; without either, the root.
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v1/folders",
            json!({ "name": "cli", "environment": "dev", "workspaceId": id, "directory": "/backend" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["folder"]["path"], "/backend/cli");
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v1/folders",
            json!({ "name": "top", "environment": "dev", "workspaceId": id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["folder"]["path"], "/top");
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v1/folders",
            json!({ "name": "a b", "environment": "dev", "workspaceId": id }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "name",
            "Invalid folder name. Only alphanumeric characters, dashes, and underscores are allowed."
        )]
    );
    // 3. Read by id: the environment, the full path and the project.
    let (status, body) = f.get(&format!("/api/v1/folders/{nested_id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let folder = &body["folder"];
    assert_eq!(folder["path"], "/backend/db");
    assert_eq!(folder["projectId"], id);
    assert_eq!(folder["environment"]["envSlug"], "dev");
    // 4. The current list sees them; a v1 PATCH renames in place.
    let (_, body) = f
        .get(&format!(
            "/api/v2/folders?projectId={id}&environment=dev&path=/backend"
        ))
        .await;
    let names: Vec<&str> = body["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{body}");
    assert!(names.contains(&"db") && names.contains(&"cli"), "{body}");
    let (status, body) = f
        .send_json(
            Method::PATCH,
            &format!("/api/v1/folders/{nested_id}"),
            json!({ "id": nested_id, "name": "database", "environment": "dev", "workspaceId": id,
                    "path": "/backend", "description": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["folder"]["path"], "/backend/database");
    // 5. Deleted on the current route with the official body.
    let (status, body) = f
        .send_json(
            Method::DELETE,
            &format!("/api/v2/folders/{nested_id}"),
            json!({ "id": nested_id, "environment": "dev", "projectId": id, "path": "/backend",
                    "forceDelete": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = f.get(&format!("/api/v1/folders/{nested_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `routes/v1/deprecated-secret-tag-router.ts` over `secret-tag-service.ts`.
#[tokio::test]
async fn the_workspace_tag_routes_answer_workspace_tag_and_strip_the_name() {
    let f = Fixture::start().await;
    let project = f.v2_project("tagged", true).await;
    let id = project["id"].as_str().unwrap();
    let root = format!("/api/v1/workspace/{id}/tags");
    // 1. Create with the official body: `name` is not in the schema, so the tag's name is its
    //    slug.
    let (status, body) = f
        .send_json(
            Method::POST,
            &root,
            json!({ "name": "Managed", "color": "#ff0000", "slug": "managed", "projectId": id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tag = body["workspaceTag"].clone();
    let tag_id = tag["id"].as_str().unwrap();
    assert_eq!(tag["slug"], "managed");
    assert_eq!(tag["name"], "managed");
    assert_eq!(tag["color"], "#ff0000");
    // 2. Reads: by id, by slug, the list, and the current route.
    let (_, body) = f.get(&format!("{root}/{tag_id}")).await;
    assert_eq!(body["workspaceTag"]["id"], tag_id);
    let (_, body) = f.get(&format!("{root}/slug/managed")).await;
    assert_eq!(body["workspaceTag"]["id"], tag_id);
    let (_, body) = f.get(&root).await;
    assert_eq!(body["workspaceTags"][0]["id"], tag_id, "{body}");
    let (_, body) = f.get(&format!("/api/v1/projects/{id}/tags/{tag_id}")).await;
    assert_eq!(body["tag"]["slug"], "managed");
    // 3. PATCH takes both fields; DELETE answers the tag.
    let (status, body) = f
        .send_json(
            Method::PATCH,
            &format!("{root}/{tag_id}"),
            json!({ "name": "x", "color": "#00ff00", "projectId": id, "tagId": tag_id }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("slug", "Required")],
        "the official update omits an unchanged slug"
    );
    let (status, body) = f
        .send_json(
            Method::PATCH,
            &format!("{root}/{tag_id}"),
            json!({ "slug": "owned", "color": "#00ff00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["workspaceTag"]["slug"], "owned");
    let (status, body) = f.delete(&format!("{root}/{tag_id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["workspaceTag"]["id"], tag_id);
    let (status, _) = f.get(&format!("{root}/{tag_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `routes/v3/deprecated-secret-router.ts` (`/raw`, `/raw/id/:secretId`, `/raw/:secretName`)
/// over `secret-service.ts`'s `…Raw` functions and `project-service.ts`
/// `extractProjectIdFromSlug`.
#[tokio::test]
async fn the_v3_raw_secret_routes_write_and_read_the_secrets_of_the_v4_routes() {
    let f = Fixture::start().await;
    let project = f.v2_project("secrets", true).await;
    let id = project["id"].as_str().unwrap();
    let (_, body) = f
        .send_json(
            Method::POST,
            &format!("/api/v1/workspace/{id}/tags"),
            json!({ "name": "managed", "slug": "managed", "color": "#fff" }),
        )
        .await;
    let tag_id = body["workspaceTag"]["id"].as_str().unwrap().to_owned();
    // 1. Create with the official body: `{secret}` with `workspace`, the value trimmed.
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v3/secrets/raw/DB_URL",
            json!({
                "workspaceId": id, "type": "shared", "environment": "dev", "secretKey": "DB_URL",
                "secretValue": " postgres://db ", "secretComment": "", "secretPath": "/",
                "secretReminderNote": "rotate", "secretReminderRepeatDays": 30,
                "secretMetadata": [{ "key": "team", "value": "ops", "isEncrypted": false }],
                "tagIds": [tag_id],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["secret"].clone();
    let secret_id = secret["id"].as_str().unwrap();
    assert_eq!(secret["workspace"], id);
    assert_eq!(secret["secretValue"], "postgres://db");
    assert_eq!(secret["version"], 1);
    // 2. Read by id: the path, the reminder, the tags and the metadata.
    let (status, body) = f.get(&format!("/api/v3/secrets/raw/id/{secret_id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let read = &body["secret"];
    assert_eq!(read["secretKey"], "DB_URL");
    assert_eq!(read["secretPath"], "/");
    assert_eq!(read["secretReminderNote"], "rotate");
    assert_eq!(read["secretReminderRepeatDays"], 30);
    assert_eq!(read["tags"][0]["slug"], "managed");
    assert_eq!(read["secretMetadata"][0]["key"], "team");
    // 3. The v4 routes see it; the v3 list reads it, by the project's id or its slug.
    let (_, body) = f
        .get(&format!(
            "/api/v4/secrets/DB_URL?projectId={id}&environment=dev"
        ))
        .await;
    assert_eq!(body["secret"]["id"], secret_id);
    for project in [
        format!("workspaceId={id}"),
        "workspaceSlug=secrets".to_owned(),
    ] {
        let (status, body) = f
            .get(&format!(
                "/api/v3/secrets/raw?{project}&environment=dev&expandSecretReferences=true"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["secrets"][0]["secretValue"], "postgres://db",
            "{project}"
        );
        assert_eq!(body["imports"], json!([]));
    }
    // 4. Read by name, hidden on request.
    let (status, body) = f
        .get(&format!(
            "/api/v3/secrets/raw/DB_URL?workspaceId={id}&environment=dev&type=shared&secretPath=/&viewSecretValue=false"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretValueHidden"], true);
    // 5. Without an id or a slug: `extractProjectIdFromSlug`'s 400, before the environment.
    let (status, body) = f.get("/api/v3/secrets/raw/DB_URL").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        message(&body),
        "You must provide projectSlug or workspaceId"
    );
    let (status, body) = f
        .send_json(
            Method::POST,
            "/api/v3/secrets/raw/OTHER",
            json!({ "environment": "dev", "secretValue": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // 6. PATCH with the official body (a rename, no value): the secret keeps its value.
    let (status, body) = f
        .send_json(
            Method::PATCH,
            "/api/v3/secrets/raw/DB_URL",
            json!({
                "secretName": "DB_URL", "newSecretName": "DATABASE_URL", "workspaceId": id,
                "environment": "dev", "type": "shared", "secretPath": "/",
                "secretReminderNote": "", "secretReminderRepeatDays": 0, "tagIds": [],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretKey"], "DATABASE_URL");
    let (_, body) = f.get(&format!("/api/v3/secrets/raw/id/{secret_id}")).await;
    assert_eq!(body["secret"]["secretValue"], "postgres://db");
    assert_eq!(body["secret"]["tags"], json!([]));
    // 7. DELETE with the official body; by slug too.
    let (status, body) = f
        .send_json(
            Method::DELETE,
            "/api/v3/secrets/raw/DATABASE_URL",
            json!({ "secretName": "DATABASE_URL", "projectSlug": "secrets", "environment": "dev",
                    "type": "shared", "secretPath": "/" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["id"], secret_id);
    let (status, _) = f.get(&format!("/api/v3/secrets/raw/id/{secret_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // 8. Every raw route counts against `secretsLimit`, the v2 create against `writeLimit`
    //    (`server/config/rateLimiter.ts`, as each route's `config.rateLimit` names it).
    let counters = f.admin().route_counters();
    for route in [
        "GET /api/v3/secrets/raw",
        "GET /api/v3/secrets/raw/id/{secretId}",
        "GET /api/v3/secrets/raw/{secretName}",
        "POST /api/v3/secrets/raw/{secretName}",
        "PATCH /api/v3/secrets/raw/{secretName}",
        "DELETE /api/v3/secrets/raw/{secretName}",
    ] {
        assert_eq!(counters[route].bucket, Some(Bucket::Secrets), "{route}");
    }
    assert_eq!(
        counters["POST /api/v2/workspace"].bucket,
        Some(Bucket::Write)
    );
}
