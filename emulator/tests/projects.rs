//! Pins the emulator's projects, environments and folders over HTTP: the answers, validation and
//! errors of the server's current routes, the positions and cascades of its services, and that
//! the admin API and secret syncs see the same projects, folders and secrets. Each test names
//! the server file and function it follows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::{Fixture, issue, issues, message};

const PROJECTS: &str = "/api/v1/projects";
const FOLDERS: &str = "/api/v2/folders";
/// The universal-auth identity the fixture logs in as.
const IDENTITY: &str = "demo-client-id";

impl Fixture {
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    /// Creates a project with the default environments; its id.
    async fn project(&self, slug: &str) -> String {
        let (status, body) = self
            .post(PROJECTS, json!({ "projectName": "App", "slug": slug }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["project"]["id"].as_str().unwrap().to_owned()
    }

    /// Creates a folder through the API; the `folder` answered.
    async fn folder(&self, project: &str, path: &str, name: &str) -> Value {
        let (status, body) = self
            .post(
                FOLDERS,
                json!({ "projectId": project, "environment": "dev", "path": path, "name": name }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["folder"].clone()
    }

    /// A GitHub sync (auto-sync off) of the project's `dev` folder at `path`; its id.
    async fn sync_on(&self, project: &str, path: &str) -> String {
        let connection = self.create_pat("github", "ghp_projects").await;
        let (status, body) = self
            .post(
                "/api/v1/secret-syncs/github",
                json!({
                    "name": "sync", "projectId": project, "connectionId": connection["id"],
                    "environment": "dev", "secretPath": path, "isAutoSyncEnabled": false,
                    "syncOptions": { "initialSyncBehavior": "overwrite-destination" },
                    "destinationConfig": { "scope": "repository", "owner": "acme", "repo": "app" },
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["secretSync"]["id"].as_str().unwrap().to_owned()
    }

    /// Deletes the folder `target` (a name or an id) under the `dev` root.
    async fn delete_folder(&self, project: &str, target: &str) -> (StatusCode, Value) {
        let body = json!({ "projectId": project, "environment": "dev", "path": "/" });
        self.call(Method::DELETE, &format!("{FOLDERS}/{target}"), Some(body))
            .await
    }

    async fn sync_folder(&self, sync: &str) -> Value {
        let (_, body) = self
            .get(&format!("/api/v1/secret-syncs/github/{sync}"))
            .await;
        body["secretSync"]["folderId"].clone()
    }
}

fn slugs(environments: &Value) -> Vec<&str> {
    environments
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect()
}

/// `project-service.ts` `createProject`, `getProjects`, `getAProject`; `project-dal.ts`
/// `findProjectById` / `findProjectBySlug`.
#[tokio::test]
async fn a_created_project_has_the_default_environments_and_its_creator_as_member() {
    let f = Fixture::start().await;
    // 1. Create: the sanitized project with `_id` and the three default environments.
    let (status, body) = f
        .post(
            PROJECTS,
            json!({ "projectName": " Shop ", "projectDescription": "d", "slug": "shop-prod" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let project = &body["project"];
    let id = project["id"].as_str().unwrap();
    assert_eq!(project["_id"], id);
    assert_eq!(project["name"], "Shop", "trimmed");
    assert_eq!(project["description"], "d");
    assert_eq!(project["type"], "secret-manager");
    assert_eq!(project["hasDeleteProtection"], false);
    assert_eq!(project["version"], 3);
    assert!(project["auditLogsRetentionDays"].is_null());
    assert_eq!(slugs(&project["environments"]), ["dev", "staging", "prod"]);
    assert_eq!(project["environments"][2]["name"], "Production");
    // 2. The creator is a member; each environment has its root folder, at positions 1–3.
    assert_eq!(f.admin().project(id).unwrap().members, [IDENTITY]);
    let positions: Vec<f64> = f
        .admin()
        .environments(id)
        .iter()
        .map(|e| e.position)
        .collect();
    assert_eq!(positions, [1.0, 2.0, 3.0]);
    assert_eq!(f.admin().folders(id, "prod"), ["/"]);
    // 3. Reads: by id (enveloped), by slug (bare), in the list.
    let (status, body) = f.get(&format!("{PROJECTS}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["project"]["slug"], "shop-prod");
    let (_, body) = f.get(&format!("{PROJECTS}/slug/shop-prod")).await;
    assert_eq!(body["id"], id);
    let (_, body) = f.get(PROJECTS).await;
    assert_eq!(body["projects"][0]["id"], id);
    // 4. A taken slug is the server's 400; without a slug, the name's slug and four characters.
    let (status, body) = f
        .post(
            PROJECTS,
            json!({ "projectName": "Other", "slug": "shop-prod" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "A project with the slug \"shop-prod\" already exists in your organization. Please choose a different name or slug."
    );
    let (_, body) = f
        .post(
            PROJECTS,
            json!({ "projectName": "My Shop", "shouldCreateDefaultEnvs": false }),
        )
        .await;
    let slug = body["project"]["slug"].as_str().unwrap();
    assert!(slug.starts_with("my-shop-") && slug.len() == 12, "{slug}");
    assert_eq!(body["project"]["environments"], json!([]));
    // 5. Unknown ids and slugs are `findProjectBy…`'s 404s.
    let (status, body) = f.get(&format!("{PROJECTS}/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(message(&body), "Project with ID 'nope' not found");
    let (_, body) = f.get(&format!("{PROJECTS}/slug/nope-nope")).await;
    assert_eq!(message(&body), "Project with slug 'nope-nope' not found");
}

/// `project-router.ts`: the create body's `slugSchema({ min: 5, max: 36 })` and the `PATCH`
/// body's own slug rule.
#[tokio::test]
async fn project_bodies_are_validated_with_the_routers_rules() {
    let f = Fixture::start().await;
    let (status, body) = f
        .post(
            PROJECTS,
            json!({ "projectName": "x".repeat(65), "slug": "a_b" }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("projectName", "Name must be 64 or fewer characters"),
            issue("slug", "Slug field must be at least 5 characters"),
            issue(
                "slug",
                "Slug field can only contain letters, numbers, and hyphens"
            ),
        ]
    );
    let (status, body) = f
        .post(PROJECTS, json!({ "projectName": "A", "type": "vault" }))
        .await;
    assert_eq!(issues(status, &body)[0].0, "type");
    let id = f.project("valid-slug").await;
    let (status, body) = f
        .patch(&format!("{PROJECTS}/{id}"), json!({ "slug": "a__b" }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "slug",
            "Project slug can only contain lowercase letters and numbers, with optional single hyphens (-) or underscores (_) between words. Cannot start or end with a hyphen or underscore."
        )]
    );
}

/// `project-service.ts` `updateProject` and `deleteProject`: delete protection, then the
/// cascade to environments, folders, secrets and syncs.
#[tokio::test]
async fn a_protected_project_is_refused_deletion_and_a_deleted_one_takes_everything_with_it() {
    let f = Fixture::start().await;
    let id = f.project("to-delete").await;
    f.project("other-one").await;
    // 1. PATCH answers the sanitized project (no environments); a taken slug is a 400.
    let (status, body) = f
        .patch(
            &format!("{PROJECTS}/{id}"),
            json!({ "name": "Renamed", "slug": "renamed_1", "hasDeleteProtection": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"]["name"], "Renamed");
    assert_eq!(body["project"]["slug"], "renamed_1");
    assert!(body["project"].get("environments").is_none());
    let (status, body) = f
        .patch(&format!("{PROJECTS}/{id}"), json!({ "slug": "other-one" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message(&body)
            .starts_with("Failed to update project. A project with the slug \"other-one\"")
    );
    // 2. Protected: 403.
    let (status, body) = f.delete(&format!("{PROJECTS}/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(message(&body), "Project delete protection is enabled");
    // 3. Unprotected: its secrets, folders, environments and syncs go.
    f.admin().set_secret(&id, "dev", "/app", "KEY", "v");
    let sync = f.sync_on(&id, "/app").await;
    f.patch(
        &format!("{PROJECTS}/{id}"),
        json!({ "hasDeleteProtection": false }),
    )
    .await;
    let (status, body) = f.delete(&format!("{PROJECTS}/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"]["id"], id);
    assert!(f.admin().project(&id).is_none());
    assert!(f.admin().environments(&id).is_empty());
    assert!(f.admin().secrets(&id, "dev", "/app").is_none());
    let (status, _) = f.get(&format!("/api/v1/secret-syncs/github/{sync}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `project-router.ts` `PUT /:projectId/audit-logs-retention` (`z.number().min(0)`, answered as
/// `{message, project}`) and `project-service.ts` `updateAuditLogsRetention` (the plan's limit).
#[tokio::test]
async fn audit_log_retention_is_set_within_the_plan_and_answered_with_the_project() {
    let f = Fixture::start().await;
    let id = f.project("retained").await;
    let path = format!("{PROJECTS}/{id}/audit-logs-retention");
    let (status, body) = f
        .call(
            Method::PUT,
            &path,
            Some(json!({ "auditLogsRetentionDays": 30 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["message"],
        "Successfully updated project's audit logs retention period"
    );
    assert_eq!(body["project"]["auditLogsRetentionDays"], 30);
    let (_, read) = f.get(&format!("{PROJECTS}/{id}")).await;
    assert_eq!(read["project"]["auditLogsRetentionDays"], 30, "{read}");
    // Below zero: zod's 422; past the plan: 400.
    let (status, body) = f
        .call(
            Method::PUT,
            &path,
            Some(json!({ "auditLogsRetentionDays": -1 })),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "auditLogsRetentionDays",
            "Number must be greater than or equal to 0"
        )]
    );
    let (status, body) = f
        .call(
            Method::PUT,
            &path,
            Some(json!({ "auditLogsRetentionDays": 3650 })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).contains("plan limit reached"), "{body}");
    let (status, _) = f
        .call(
            Method::PUT,
            &format!("{PROJECTS}/no-such-project/audit-logs-retention"),
            Some(json!({ "auditLogsRetentionDays": 1 })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `project-env-service.ts` `createEnvironment` (`shiftPositions`), `updateEnvironment`
/// (`updateAllPosition` and its `if (position)`), `deleteEnvironment`, `getEnvironmentById`.
#[tokio::test]
async fn environments_take_their_positions_and_deleting_one_takes_its_folders() {
    let f = Fixture::start().await;
    let id = f.project("env-project").await;
    let envs = format!("{PROJECTS}/{id}/environments");
    let order = || {
        f.admin()
            .environments(&id)
            .iter()
            .map(|e| (e.slug.clone(), e.position))
            .collect::<Vec<_>>()
    };
    // 1. Without a position, last; at a taken position, the others move down.
    let (status, body) = f.post(&envs, json!({ "name": " QA ", "slug": "qa" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "Successfully created new environment");
    assert_eq!(body["projectId"], id);
    assert_eq!(body["environment"]["name"], "QA");
    assert_eq!(body["environment"]["position"], 4);
    let (_, body) = f
        .post(
            &envs,
            json!({ "name": "Local", "slug": "local", "position": 1 }),
        )
        .await;
    let local = body["environment"]["id"].as_str().unwrap().to_owned();
    let expected = [
        ("local", 1.0),
        ("dev", 2.0),
        ("staging", 3.0),
        ("prod", 4.0),
        ("qa", 5.0),
    ];
    let expected: Vec<(String, f64)> = expected.iter().map(|(s, p)| (s.to_string(), *p)).collect();
    assert_eq!(order(), expected);
    // 2. Validation and the taken slug.
    let (status, body) = f
        .post(&envs, json!({ "name": "X", "slug": "X Y", "position": 0 }))
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("position", "Number must be greater than or equal to 1"),
            issue(
                "slug",
                "Slug field can only contain letters, numbers, and hyphens"
            ),
        ]
    );
    let (status, body) = f.post(&envs, json!({ "name": "Dev", "slug": "dev" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "CreateEnvironment");
    assert_eq!(message(&body), "Environment with slug already exist");
    // 3. PATCH to a taken position moves the ones in between; a 0 is stored without a move.
    let (status, body) = f
        .patch(&format!("{envs}/{local}"), json!({ "position": 3 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "Successfully updated environment");
    let slugs_now: Vec<String> = order().into_iter().map(|(s, _)| s).collect();
    assert_eq!(slugs_now, ["dev", "staging", "local", "prod", "qa"]);
    let (_, body) = f
        .patch(
            &format!("{envs}/{local}"),
            json!({ "name": "Laptop", "position": 0 }),
        )
        .await;
    assert_eq!(body["environment"]["position"], 0);
    assert_eq!(order()[0], ("local".to_owned(), 0.0));
    let (status, body) = f
        .patch(&format!("{envs}/{local}"), json!({ "slug": "dev" }))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("UpdateEnvironment"))
    );
    // 4. GET by id; a renamed slug keeps its folders.
    f.admin().set_secret(&id, "local", "/app", "KEY", "v");
    f.patch(&format!("{envs}/{local}"), json!({ "slug": "laptop" }))
        .await;
    let (_, body) = f.get(&format!("{envs}/{local}")).await;
    assert_eq!(body["environment"]["slug"], "laptop");
    assert_eq!(body["environment"]["name"], "Laptop");
    assert_eq!(
        f.admin().secrets(&id, "laptop", "/app").unwrap()["KEY"],
        "v"
    );
    // 5. DELETE takes its folders and secrets; a sync on them loses its folder.
    let dev = f.admin().environments(&id)[1].id.clone();
    f.admin().set_secret(&id, "dev", "/app", "KEY", "v");
    let sync = f.sync_on(&id, "/app").await;
    assert!(f.sync_folder(&sync).await.is_string());
    let (status, body) = f.delete(&format!("{envs}/{dev}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "Successfully deleted environment");
    assert!(f.admin().folders(&id, "dev").is_empty());
    assert!(f.sync_folder(&sync).await.is_null());
    let (status, body) = f.delete(&format!("{envs}/{dev}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&body),
        format!("Environment with id '{dev}' in project with ID '{id}' not found")
    );
    let (_, body) = f.get(&format!("{envs}/{dev}")).await;
    assert_eq!(
        message(&body),
        format!("Environment with ID '{dev}' not found")
    );
}

/// `secret-folder-service.ts` `createFolder` (missing parents made, an existing folder
/// answered), `getFolders`, `getFolderById`; `secret-folder-router.ts`'s body rules.
#[tokio::test]
async fn folders_are_created_with_their_parents_and_listed_one_level_or_all() {
    let f = Fixture::start().await;
    let id = f.project("folder-proj").await;
    // 1. A folder under a path that does not exist yet: the path's folders are made too.
    let db = f.folder(&id, "app/", "db").await;
    assert_eq!(db["name"], "db");
    assert_eq!(db["path"], "/app/db");
    assert_eq!(f.admin().folders(&id, "dev"), ["/", "/app", "/app/db"]);
    // 2. The same name again is the same folder.
    let again = f.folder(&id, "/app", "db").await;
    assert_eq!(again["id"], db["id"]);
    // 3. The name rule and the environment's 404.
    let (status, body) = f
        .post(
            FOLDERS,
            json!({ "projectId": id, "environment": "dev", "name": "a b" }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "name",
            "Invalid folder name. Only alphanumeric characters, dashes, and underscores are allowed."
        )]
    );
    let (status, body) = f
        .post(
            FOLDERS,
            json!({ "projectId": id, "environment": "nope", "name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&body),
        format!("Environment with slug 'nope' in project with ID '{id}' not found")
    );
    // 4. List: one level, or every level with `relativePath`; a missing path lists nothing.
    let list = |path: &str, recursive: bool| {
        format!("{FOLDERS}?projectId={id}&environment=dev&path={path}&recursive={recursive}")
    };
    let (_, body) = f.get(&list("/", false)).await;
    let names: Vec<&str> = body["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app"]);
    let (_, body) = f.get(&list("/", true)).await;
    let relative: Vec<&str> = body["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["relativePath"].as_str().unwrap())
        .collect();
    assert_eq!(relative, ["/app", "/app/db"]);
    let (_, body) = f.get(&list("/app", true)).await;
    assert_eq!(body["folders"][0]["relativePath"], "/db");
    let (_, body) = f.get(&list("/missing", false)).await;
    assert_eq!(body["folders"], json!([]));
    let (status, body) = f
        .get(&format!("{FOLDERS}?projectId={id}&environment=dev"))
        .await;
    assert_eq!(issues(status, &body), [issue("path", "Required")]);
    // 5. Get by id: with its environment, full path and project.
    let (_, body) = f
        .get(&format!("{FOLDERS}/{}", db["id"].as_str().unwrap()))
        .await;
    let folder = &body["folder"];
    assert_eq!(folder["path"], "/app/db");
    assert_eq!(folder["projectId"], id);
    assert_eq!(folder["environment"]["envSlug"], "dev");
    assert_eq!(folder["environment"]["envName"], "Development");
    assert_eq!(folder["parentId"], f.folder(&id, "/", "app").await["id"]);
    let (status, body) = f.get(&format!("{FOLDERS}/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(message(&body), "Folder with ID 'nope' not found");
}

/// `secret-folder-service.ts` `updateFolder` and `deleteFolder` (with `$checkFolderPolicy`'s
/// lookup): the sync engine keeps reading the renamed folder, and loses a deleted one.
#[tokio::test]
async fn renaming_a_folder_moves_what_is_below_and_deleting_it_detaches_syncs() {
    let f = Fixture::start().await;
    let id = f.project("rename-proj").await;
    f.admin().set_secret(&id, "dev", "/app/db", "KEY", "v");
    let app = f.folder(&id, "/", "app").await;
    f.folder(&id, "/", "web").await;
    let sync = f.sync_on(&id, "/app/db").await;
    let app_id = app["id"].as_str().unwrap();
    let body =
        |name: &str| json!({ "projectId": id, "environment": "dev", "name": name, "path": "/" });
    // 1. Rename: the answer's path is the new one, the subfolder and its secret follow.
    let (status, answer) = f
        .patch(
            &format!("{FOLDERS}/{app_id}"),
            json!({ "projectId": id, "environment": "dev", "name": "api", "description": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["folder"]["path"], "/api");
    assert_eq!(answer["folder"]["description"], "x");
    assert_eq!(
        f.admin().secrets(&id, "dev", "/api/db").unwrap()["KEY"],
        "v"
    );
    assert!(f.sync_folder(&sync).await.is_string());
    // 2. A taken name, a wrong parent path, an unknown folder.
    let (status, answer) = f.patch(&format!("{FOLDERS}/{app_id}"), body("web")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&answer),
        "Folder with specified name already exists"
    );
    let (status, answer) = f
        .patch(
            &format!("{FOLDERS}/{app_id}"),
            json!({ "projectId": id, "environment": "dev", "name": "x", "path": "/none" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&answer),
        "Folder with path '/none' in environment with slug 'dev' not found"
    );
    let (_, answer) = f.patch(&format!("{FOLDERS}/nope"), body("x")).await;
    assert_eq!(message(&answer), "Folder with ID 'nope' not found");
    // 3. Delete by name: the folder and everything below; the sync loses its folder.
    let (status, answer) = f.delete_folder(&id, "missing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(message(&answer), "Target folder not found");
    let (status, answer) = f.delete_folder(&id, "api").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["folder"]["id"], app_id);
    assert_eq!(f.admin().folders(&id, "dev"), ["/", "/web"]);
    assert!(f.sync_folder(&sync).await.is_null());
    // 4. By id, too; the admin API's folders are the API's.
    let web = f.folder(&id, "/", "web").await;
    let (status, _) = f.delete_folder(&id, web["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    f.admin().add_folder(&id, "dev", "/seeded");
    let (_, answer) = f
        .get(&format!("{FOLDERS}?projectId={id}&environment=dev&path=/"))
        .await;
    assert_eq!(answer["folders"][0]["name"], "seeded");
}
