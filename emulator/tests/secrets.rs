//! Pins the emulator's secrets over HTTP: `/api/v4/secrets` (single routes, the list and the
//! batch routes), secret-approval policies and rotations, and the tags the secrets carry. Each
//! test names the server file and function it follows; `secret-router.ts` is
//! `backend/src/server/routes/v4/secret-router.ts`, the bridge is
//! `backend/src/services/secret-v2-bridge/secret-v2-bridge-service.ts`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::{Fixture, issue, issues, message};

const SECRETS: &str = "/api/v4/secrets";
const PROJECT: &str = "p-secrets";

impl Fixture {
    /// A fixture with the project `p-secrets` (environments `dev`, `staging`, `prod`) and the
    /// folders `/app` and `/app/db` in `dev`.
    async fn secrets() -> Self {
        let fixture = Self::start().await;
        fixture.admin().add_project(PROJECT);
        fixture.admin().add_folder(PROJECT, "dev", "/app/db");
        fixture
    }

    async fn send_json(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(method, path, Some(body)).await
    }

    /// `POST /api/v4/secrets/{name}` in `dev` at `path`, with `extra` fields.
    async fn create_secret(&self, name: &str, path: &str, extra: Value) -> (StatusCode, Value) {
        let mut body = json!({ "projectId": PROJECT, "environment": "dev", "secretPath": path });
        merge(&mut body, extra);
        self.send_json(Method::POST, &format!("{SECRETS}/{name}"), body)
            .await
    }

    /// Creates a secret that must succeed; its answer.
    async fn created(&self, name: &str, path: &str, value: &str) -> Value {
        let (status, body) = self
            .create_secret(name, path, json!({ "secretValue": value }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["secret"].clone()
    }

    /// `PATCH /api/v4/secrets/{name}` in `dev` at `path`.
    async fn update_secret(&self, name: &str, path: &str, extra: Value) -> (StatusCode, Value) {
        let mut body = json!({ "projectId": PROJECT, "environment": "dev", "secretPath": path });
        merge(&mut body, extra);
        self.send_json(Method::PATCH, &format!("{SECRETS}/{name}"), body)
            .await
    }

    /// `DELETE /api/v4/secrets/{name}` in `dev` at `path`.
    async fn delete_secret(&self, name: &str, path: &str) -> (StatusCode, Value) {
        let body = json!({ "projectId": PROJECT, "environment": "dev", "secretPath": path });
        self.send_json(Method::DELETE, &format!("{SECRETS}/{name}"), body)
            .await
    }

    /// `GET /api/v4/secrets/{name}?projectId&environment=dev&…`.
    async fn read_secret(&self, name: &str, query: &str) -> (StatusCode, Value) {
        self.get(&format!(
            "{SECRETS}/{name}?projectId={PROJECT}&environment=dev&{query}"
        ))
        .await
    }

    /// `GET /api/v4/secrets?projectId&environment=dev&…`.
    async fn list_secrets(&self, query: &str) -> (StatusCode, Value) {
        self.get(&format!(
            "{SECRETS}?projectId={PROJECT}&environment=dev&{query}"
        ))
        .await
    }

    /// What the sync engine reads from a folder of `dev`: key → value.
    fn stored(&self, path: &str) -> Value {
        json!(self.admin().secrets(PROJECT, "dev", path).unwrap())
    }
}

fn merge(body: &mut Value, extra: Value) {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["secretKey"].as_str().unwrap().to_owned())
        .collect()
}

/// secret-router.ts `POST /:secretName` (secretRawSchema answer), `GET /:secretName`,
/// `GET /id/:secretId` and `GET /`; the bridge's `createSecret`, `getSecretByName`,
/// `getSecretById`, `getSecrets`: each route answers exactly its response schema's fields, and
/// the sync engine reads the same secret.
#[tokio::test]
async fn a_created_secret_reads_back_through_every_route_in_its_schema() {
    let f = Fixture::secrets().await;
    let secret = f.created("DB_URL", "/app", "  postgres://db  ").await;
    assert_eq!(
        sorted_keys(&secret),
        [
            "_id",
            "createdAt",
            "environment",
            "id",
            "secretComment",
            "secretKey",
            "secretReminderNote",
            "secretReminderRepeatDays",
            "secretValue",
            "skipMultilineEncoding",
            "type",
            "updatedAt",
            "version",
            "workspace"
        ]
    );
    assert_eq!(secret["secretValue"], "postgres://db", "trimmed on write");
    assert_eq!(secret["version"], 1);
    assert_eq!(secret["workspace"], PROJECT);
    assert_eq!(secret["type"], "shared");
    assert_eq!(secret["secretComment"], "");
    let id = secret["id"].as_str().unwrap();
    assert_eq!(secret["_id"], id);

    let (status, body) = f.read_secret("DB_URL", "secretPath=/app/").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let read = &body["secret"];
    assert_eq!(read["id"], id);
    assert_eq!(read["secretValue"], "postgres://db");
    assert_eq!(read["secretValueHidden"], false);
    assert_eq!(read["secretPath"], "/app");
    assert_eq!(read["tags"], json!([]));
    assert_eq!(read["secretMetadata"], json!([]));
    assert_eq!(read["isRotatedSecret"], false);
    assert_eq!(read["rotationId"], Value::Null);

    let (status, body) = f.get(&format!("{SECRETS}/id/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretKey"], "DB_URL");
    assert_eq!(body["secret"]["secretPath"], "/app");
    assert!(
        body["secret"].get("secretValueHidden").is_none(),
        "the by-id schema has no secretValueHidden: {body}"
    );

    let (status, body) = f.list_secrets("secretPath=/app").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body["secrets"]), ["DB_URL"]);
    assert_eq!(body["imports"], json!([]));
    assert_eq!(body["secrets"][0]["secretPath"], "/app");

    assert_eq!(f.stored("/app"), json!({ "DB_URL": "postgres://db" }));
}

/// secret-router.ts: the value transform `val.at(-1) === "\n" ? val.trim() + "\n" : val.trim()`
/// on create, update and the batch routes, with JavaScript's whitespace.
#[tokio::test]
async fn values_are_trimmed_keeping_one_trailing_newline() {
    let f = Fixture::secrets().await;
    for (name, given, stored) in [
        ("PEM", "-----BEGIN-----\n\n", "-----BEGIN-----\n"),
        ("PADDED", "\t x \u{a0}", "x"),
        ("NEL", "\u{85}y\u{85}", "\u{85}y\u{85}"),
    ] {
        assert_eq!(f.created(name, "/", given).await["secretValue"], stored);
    }
    let (_, body) = f
        .update_secret("PADDED", "/", json!({ "secretValue": " z \n" }))
        .await;
    assert_eq!(body["secret"]["secretValue"], "z\n");
    assert_eq!(
        f.stored("/"),
        json!({ "NEL": "\u{85}y\u{85}", "PADDED": "z\n", "PEM": "-----BEGIN-----\n" })
    );
}

/// secret-router.ts `POST /:secretName` body and params: zod's 422s with the server's messages
/// (`SecretNameSchema`, the reminder note's limit, `ResourceMetadataWithEncryptionSchema`).
#[tokio::test]
async fn create_validates_as_the_router() {
    let f = Fixture::secrets().await;
    let (status, body) = f.create_secret("A:B", "/", json!({})).await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "secretName",
            "Secret name cannot contain colon or forward slash."
        )],
        "the path's name is checked before the body"
    );
    let (status, body) = f
        .create_secret(
            "A",
            "/",
            json!({
                "secretReminderNote": "n".repeat(1025),
                "secretMetadata": [{ "key": " " }],
                "tagIds": "t",
            }),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("secretValue", "Required"),
            issue(
                "secretMetadata.0.key",
                "String must contain at least 1 character(s)"
            ),
            issue("tagIds", "Expected array, received string"),
            issue(
                "secretReminderNote",
                "Secret reminder note cannot exceed 1024 characters"
            ),
        ]
    );
    let (status, body) = f
        .create_secret("A", "/", json!({ "secretValue": "v", "type": "team" }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "type",
            "Invalid enum value. Expected 'shared' | 'personal', received 'team'"
        )]
    );
}

/// The bridge's `createSecret`: the folder's 404 named `CreateSecret`, a personal secret refused
/// to a machine identity, a taken name (400 `Secret already exists`), unknown tags (404).
#[tokio::test]
async fn create_refuses_as_the_bridge() {
    let f = Fixture::secrets().await;
    let (status, body) = f
        .create_secret("A", "/nope", json!({ "secretValue": "v" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "CreateSecret");
    assert_eq!(
        message(&body),
        "Folder with path '/nope' in environment with slug 'dev' not found"
    );
    let (status, body) = f
        .create_secret("A", "/a b", json!({ "secretValue": "v" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        message(&body),
        "Invalid secret path. Only alphanumeric characters, dashes, and underscores are allowed."
    );
    let (status, body) = f
        .create_secret("A", "/", json!({ "secretValue": "v", "type": "personal" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "Must be user to create personal secret");
    f.created("A", "/", "v").await;
    let (status, body) = f
        .create_secret("A", "/", json!({ "secretValue": "w" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "BadRequest");
    assert_eq!(message(&body), "Secret already exists");
    let (status, body) = f
        .create_secret(
            "B",
            "/",
            json!({ "secretValue": "v", "tagIds": ["2b1f6c1e-0000-4000-8000-000000000000"] }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(message(&body), "Tag not found. Found ");
    let (status, body) = f
        .send_json(
            Method::POST,
            &format!("{SECRETS}/C"),
            json!({ "projectId": "unknown", "environment": "dev", "secretValue": "v" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(message(&body), "Project with ID 'unknown' not found");
    assert_eq!(
        f.stored("/"),
        json!({ "A": "v" }),
        "nothing else was written"
    );
}

/// The bridge's `updateSecret`: every field optional, each write one version more, `tagIds` and
/// `secretMetadata` replaced whole (`[]` clears), `newSecretName` renames; the answer shows the
/// value and comment sent, `""` for those not sent (`value: inputSecret.secretValue || ""`).
#[tokio::test]
async fn updates_change_only_what_is_sent_and_bump_the_version() {
    let f = Fixture::secrets().await;
    f.create_secret(
        "API_KEY",
        "/app",
        json!({ "secretValue": "one", "secretComment": " note ",
                "secretMetadata": [{ "key": "owner", "value": "ops" }] }),
    )
    .await;
    let (status, body) = f
        .update_secret("API_KEY", "/app", json!({ "secretComment": "new note" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = &body["secret"];
    assert_eq!(answer["version"], 2);
    assert_eq!(
        answer["secretValue"], "",
        "a value not sent is answered as \"\""
    );
    assert_eq!(answer["secretComment"], "new note");
    assert_eq!(answer["secretValueHidden"], false);
    assert!(answer.get("secretPath").is_none(), "{answer}");
    let (_, body) = f.read_secret("API_KEY", "secretPath=/app").await;
    assert_eq!(
        body["secret"]["secretValue"], "one",
        "the value did not change"
    );
    assert_eq!(body["secret"]["secretComment"], "new note");
    assert_eq!(
        body["secret"]["secretMetadata"],
        json!([{ "key": "owner", "value": "ops", "isEncrypted": false }])
    );

    let (_, body) = f
        .update_secret("API_KEY", "/app", json!({ "secretMetadata": [] }))
        .await;
    assert_eq!(body["secret"]["version"], 3);
    let (_, body) = f.read_secret("API_KEY", "secretPath=/app").await;
    assert_eq!(body["secret"]["secretMetadata"], json!([]), "[] clears");

    let (status, body) = f
        .update_secret(
            "API_KEY",
            "/app",
            json!({ "newSecretName": "TOKEN", "secretValue": "two" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretKey"], "TOKEN");
    assert_eq!(body["secret"]["version"], 4);
    assert_eq!(f.stored("/app"), json!({ "TOKEN": "two" }));
    let (status, _) = f.read_secret("API_KEY", "secretPath=/app").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The bridge's `updateSecret` errors: the secret (`Secret with name X not found`, unquoted), the
/// new name taken — its own name included — and the folder's 404 named `UpdateSecret`.
#[tokio::test]
async fn update_refuses_as_the_bridge() {
    let f = Fixture::secrets().await;
    f.created("A", "/", "a").await;
    f.created("B", "/", "b").await;
    let (status, body) = f.update_secret("NOPE", "/", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(message(&body), "Secret with name NOPE not found");
    for taken in ["B", "A"] {
        let (status, body) = f
            .update_secret("A", "/", json!({ "newSecretName": taken }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(message(&body), "Secret with the new name already exists");
    }
    let (status, body) = f.update_secret("A", "/x", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "UpdateSecret");
    let (status, body) = f
        .update_secret("A", "/", json!({ "newSecretName": "x/y" }))
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "newSecretName",
            "Secret name cannot contain colon or forward slash."
        )]
    );
    assert_eq!(f.admin().secret_version(PROJECT, "dev", "/", "A"), Some(1));
}

/// The bridge's `deleteSecret`: `Secret not found`, the folder's 404 named `DeleteSecret`, and
/// the answer is the secret as it was; the sync engine no longer sees it.
#[tokio::test]
async fn delete_answers_the_secret_as_it_was() {
    let f = Fixture::secrets().await;
    f.created("GONE", "/app", "bye").await;
    let (status, body) = f.delete_secret("GONE", "/app").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretValue"], "bye");
    assert_eq!(body["secret"]["secretValueHidden"], false);
    assert_eq!(f.stored("/app"), json!({}));
    let (status, body) = f.delete_secret("GONE", "/app").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(message(&body), "Secret not found");
    let (status, body) = f.delete_secret("GONE", "/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "DeleteSecret");
}

/// secret-router.ts `GET /:secretName` and the bridge's `getSecretByName`: the 400s for a
/// missing environment or project, the folder's 404, `Secret with name 'X' not found` (quoted),
/// `viewSecretValue=false` (the mask and `secretValueHidden`), and `version` reading a past
/// version (by the name it had then).
#[tokio::test]
async fn get_by_name_reads_values_hidden_or_past() {
    let f = Fixture::secrets().await;
    f.created("K", "/", "v1").await;
    f.update_secret("K", "/", json!({ "secretValue": "v2" }))
        .await;
    f.update_secret("K", "/", json!({ "newSecretName": "L" }))
        .await;

    let (status, body) = f.read_secret("L", "viewSecretValue=false").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretValue"], "<hidden-by-infisical>");
    assert_eq!(body["secret"]["secretValueHidden"], true);
    assert_eq!(body["secret"]["version"], 3);

    let (status, body) = f.read_secret("K", "version=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretValue"], "v1");
    assert_eq!(body["secret"]["version"], 1);
    let (_, body) = f.read_secret("K", "version=2").await;
    assert_eq!(body["secret"]["secretValue"], "v2");
    let (status, body) = f.read_secret("K", "version=3").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "version 3 is named L: {body}"
    );
    assert_eq!(message(&body), "Secret with name 'K' not found");
    let (_, body) = f.read_secret("L", "version=3").await;
    assert_eq!(body["secret"]["secretValue"], "v2");

    let (status, body) = f.read_secret("L", "version=abc").await;
    assert_eq!(
        issues(status, &body),
        [issue("version", "Expected number, received nan")]
    );
    let (status, body) = f.get(&format!("{SECRETS}/L?projectId={PROJECT}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "Missing environment");
    let (status, body) = f.get(&format!("{SECRETS}/L?environment=dev")).await;
    assert_eq!(issues(status, &body), [issue("projectId", "Required")]);
    let (status, body) = f.read_secret("L", "secretPath=/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "GetSecretByName");
    let (status, body) = f.get(&format!("{SECRETS}/id/{}", uuid())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "GetSecretById");
}

fn uuid() -> &'static str {
    "6b0d6f49-6c1f-4c55-9d2d-5a4b4a4f4a4f"
}

/// secret-router.ts `GET /` and the bridge's `getSecrets`: the 400 without project or
/// environment, `SecretPathNotFound` for a missing folder, `recursive` (every folder below, each
/// secret with its path), `viewSecretValue=false`, `include_imports` (`imports: []`) and the
/// booleans' `z.enum(["true", "false"])`.
#[tokio::test]
async fn the_list_covers_a_folder_or_a_tree() {
    let f = Fixture::secrets().await;
    f.created("ROOT", "/", "r").await;
    f.created("APP", "/app", "a").await;
    f.created("DB", "/app/db", "d").await;

    let (_, body) = f.list_secrets("").await;
    assert_eq!(names(&body["secrets"]), ["ROOT"]);
    let (_, body) = f
        .list_secrets("secretPath=/app&recursive=true&include_imports=true")
        .await;
    assert_eq!(names(&body["secrets"]), ["APP", "DB"]);
    assert_eq!(body["secrets"][1]["secretPath"], "/app/db");
    assert_eq!(body["imports"], json!([]));
    let (_, body) = f.list_secrets("recursive=true&viewSecretValue=false").await;
    assert_eq!(names(&body["secrets"]), ["ROOT", "APP", "DB"]);
    assert!(
        body["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["secretValue"] == "<hidden-by-infisical>" && s["secretValueHidden"] == true),
        "{body}"
    );

    let (status, body) = f.get(&format!("{SECRETS}?projectId={PROJECT}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "Missing project id or environment");
    let (status, body) = f.list_secrets("secretPath=/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "SecretPathNotFound");
    assert_eq!(
        message(&body),
        "Folder with path '/nope' in environment 'dev' was not found. Please ensure the \
         environment slug and secret path is correct."
    );
    let (status, body) = f.list_secrets("recursive=yes").await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "recursive",
            "Invalid enum value. Expected 'true' | 'false', received 'yes'"
        )]
    );
}

/// `expandSecretReferencesFactory` (`secret-reference-fns.ts`): references stay raw unless
/// `expandSecretReferences=true`; `${KEY}` is the same folder, `${env.path.KEY}` any folder;
/// references expand recursively, a missing one stays as written, a cycle stops.
#[tokio::test]
async fn references_expand_only_on_request() {
    let f = Fixture::secrets().await;
    f.created("HOST", "/app/db", "db.internal").await;
    f.created("PORT", "/", "5432").await;
    f.created("ADDR", "/", "${dev.app.db.HOST}:${PORT}").await;
    f.created("URL", "/", "pg://${ADDR}/${MISSING}").await;
    f.created("LOOP", "/", "a${LOOP}").await;

    let (_, body) = f.read_secret("URL", "").await;
    assert_eq!(body["secret"]["secretValue"], "pg://${ADDR}/${MISSING}");
    let (_, body) = f.read_secret("URL", "expandSecretReferences=true").await;
    assert_eq!(
        body["secret"]["secretValue"],
        "pg://db.internal:5432/${MISSING}"
    );
    let (_, body) = f.list_secrets("expandSecretReferences=true").await;
    let secrets = body["secrets"].as_array().unwrap();
    let value = |name: &str| {
        secrets.iter().find(|s| s["secretKey"] == name).unwrap()["secretValue"].clone()
    };
    assert_eq!(value("ADDR"), "db.internal:5432");
    assert_eq!(value("LOOP"), "aa${LOOP}");
    assert_eq!(
        f.stored("/")["URL"],
        "pg://${ADDR}/${MISSING}",
        "stored raw"
    );
}

/// `fnUpdateSecretLinkedReferences` (`secret-v2-bridge-fns.ts`): a rename rewrites `${OLD}` in
/// the same folder and `${env.path.OLD}` anywhere in the project, one version more each.
#[tokio::test]
async fn a_rename_rewrites_the_references_to_it() {
    let f = Fixture::secrets().await;
    f.created("OLD", "/app", "x").await;
    f.created("LOCAL", "/app", "${OLD}-${OLD}").await;
    f.created("NESTED", "/", "${dev.app.OLD}").await;
    f.created("OTHER", "/", "${OLD}").await;
    let (status, body) = f
        .update_secret("OLD", "/app", json!({ "newSecretName": "NEW" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.stored("/app")["LOCAL"], "${NEW}-${NEW}");
    assert_eq!(f.stored("/")["NESTED"], "${dev.app.NEW}");
    assert_eq!(
        f.stored("/")["OTHER"],
        "${OLD}",
        "another folder's local reference is its own"
    );
    assert_eq!(
        f.admin().secret_version(PROJECT, "dev", "/app", "LOCAL"),
        Some(2)
    );
    assert_eq!(
        f.admin().secret_version(PROJECT, "dev", "/", "OTHER"),
        Some(1)
    );
}

/// secret-service.ts `createSecretRaw`/`updateSecretRaw`/`deleteSecretRaw` with a policy
/// (`shouldApplyPolicy`, `generateSecretApprovalRequestV2Bridge`): the write answers
/// `{approval}` (`SecretApprovalRequestsSchema`) and changes nothing; a policy that lets machine
/// identities bypass it does not hold their writes; the request's own checks answer first.
#[tokio::test]
async fn a_change_policy_holds_writes_for_approval() {
    let f = Fixture::secrets().await;
    f.created("KEPT", "/app", "v").await;
    f.admin()
        .add_secret_approval_policy(PROJECT, "dev", "/app/**", false);

    let (status, body) = f
        .create_secret("NEW", "/app", json!({ "secretValue": "n" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approval = &body["approval"];
    assert_eq!(approval["status"], "open");
    assert_eq!(approval["hasMerged"], false);
    assert!(approval["slug"].as_str().unwrap().len() >= 10, "{approval}");
    assert!(body.get("secret").is_none());
    let (status, body) = f
        .update_secret("KEPT", "/app", json!({ "secretValue": "changed" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["approval"]["id"].is_string(), "{body}");
    let (status, body) = f.delete_secret("KEPT", "/app/db").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the request checks the secret: {body}"
    );
    assert_eq!(message(&body), "Secret does not exist: ");
    let (_, body) = f.delete_secret("KEPT", "/app").await;
    assert!(body["approval"].is_object(), "{body}");
    let (status, body) = f
        .create_secret("KEPT", "/app", json!({ "secretValue": "n" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "Secret already exists: KEPT");

    assert_eq!(f.stored("/app"), json!({ "KEPT": "v" }), "nothing changed");
    let requests = f.admin().secret_approval_requests(PROJECT);
    let ops: Vec<(&str, &str)> = requests
        .iter()
        .flat_map(|r| &r.commits)
        .map(|c| (c.op.as_str(), c.secret_key.as_str()))
        .collect();
    assert_eq!(
        ops,
        [("create", "NEW"), ("update", "KEPT"), ("delete", "KEPT")]
    );

    let (_, body) = f
        .create_secret("FREE", "/", json!({ "secretValue": "f" }))
        .await;
    assert_eq!(
        body["secret"]["secretKey"], "FREE",
        "the root is not covered"
    );
    f.admin()
        .add_secret_approval_policy(PROJECT, "prod", "/", true);
    let (status, body) = f
        .send_json(
            Method::POST,
            &format!("{SECRETS}/BYPASS"),
            json!({ "projectId": PROJECT, "environment": "prod", "secretValue": "b" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret"]["secretKey"], "BYPASS");
}

/// The bridge and a secret rotation: `updateSecret` refuses a new name (`Cannot update rotated
/// secret name`) but writes the rest; `deleteSecret` meets the rotation's mapping (`Cannot delete
/// rotated secrets`); reads carry `isRotatedSecret` and `rotationId`.
#[tokio::test]
async fn a_rotated_secret_keeps_its_name_and_stays() {
    let f = Fixture::secrets().await;
    f.created("DB_PASSWORD", "/", "p1").await;
    let rotation = "0f5c1c6e-1111-4222-8333-444455556666";
    assert!(
        f.admin()
            .set_secret_rotation(PROJECT, "dev", "/", "DB_PASSWORD", Some(rotation))
    );
    let (_, body) = f.read_secret("DB_PASSWORD", "").await;
    assert_eq!(body["secret"]["isRotatedSecret"], true);
    assert_eq!(body["secret"]["rotationId"], rotation);
    let (status, body) = f
        .update_secret("DB_PASSWORD", "/", json!({ "newSecretName": "PW" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "Cannot update rotated secret name");
    let (status, body) = f.delete_secret("DB_PASSWORD", "/").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(message(&body), "Cannot delete rotated secrets");
    let (status, body) = f
        .update_secret("DB_PASSWORD", "/", json!({ "secretComment": "rotated" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.stored("/"), json!({ "DB_PASSWORD": "p1" }));
}

/// The bridge's writes end with `secretQueueService.syncSecrets` for the folder: a secret
/// written through `/api/v4/secrets` reaches GitHub through the folder's auto-synced sync, and
/// its deletion removes it there.
#[tokio::test]
async fn api_writes_queue_the_folders_syncs() {
    use infisical_emulator::{GitHubScope, GitHubSubject, GitHubTarget};
    use std::time::Duration;

    let f = Fixture::secrets().await;
    f.admin()
        .add_github_repo("acme", "app", Vec::<String>::new());
    let connection = f.create_pat("gh", "ghp_secrets").await;
    let connection = connection["id"].as_str().unwrap().to_owned();
    f.admin()
        .grant_github_access(
            GitHubSubject::Connection(connection.clone()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    let (status, sync) = f
        .send_json(
            Method::POST,
            "/api/v1/secret-syncs/github",
            json!({
                "name": "app", "projectId": PROJECT, "connectionId": connection,
                "environment": "dev", "secretPath": "/app",
                "syncOptions": { "initialSyncBehavior": "overwrite-destination" },
                "destinationConfig": { "scope": "repository", "owner": "acme", "repo": "app" },
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sync}");
    let sync = sync["secretSync"]["id"].as_str().unwrap().to_owned();
    let settle = || async {
        f.admin()
            .wait_for_sync(&sync, Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap()
    };
    settle().await;
    let repo = GitHubScope::repo("acme", "app");
    assert!(f.admin().github_secret_values(&repo).is_empty());

    f.created("API_KEY", "/app", "k-1").await;
    let synced = settle().await;
    assert_eq!(synced["syncStatus"], "succeeded", "{synced}");
    assert_eq!(
        json!(f.admin().github_secret_values(&repo)),
        json!({ "API_KEY": "k-1" })
    );
    f.update_secret("API_KEY", "/app", json!({ "secretValue": "k-2" }))
        .await;
    settle().await;
    assert_eq!(
        json!(f.admin().github_secret_values(&repo)),
        json!({ "API_KEY": "k-2" })
    );
    f.delete_secret("API_KEY", "/app").await;
    settle().await;
    assert!(f.admin().github_secret_values(&repo).is_empty());
}
