//! Pins the emulator's GitHub secret syncs end to end over HTTP: the sync routes' answers and
//! validation, the job status flow, and what the emulated GitHub holds afterwards (decrypted),
//! including its own rules, grants, installation tokens and the paginated list route.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use infisical_emulator::{
    Config, GitHubScope, GitHubSubject, GitHubTarget, SeedConnection, SyncTiming, sealed_secret,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::{CONNECTIONS, Fixture, issue, issues, message};

const SYNCS: &str = "/api/v1/secret-syncs/github";
const PROJECT: &str = "7d2c1b0a-3e4f-4a5b-8c6d-9e0f1a2b3c4d";
const OTHER_PROJECT: &str = "8e3d2c1b-4f5a-4b6c-9d7e-0f1a2b3c4d5e";
const WAIT: Duration = Duration::from_secs(10);
/// `triggerSecretSyncSyncSecretsById` / `deleteSecretSync`'s 400 for a sync whose folder is gone.
const FOLDER_GONE: &str = "Invalid source configuration: folder no longer exists. Please configure a valid source and try again.";
/// The lock's 400.
const LOCKED: &str = "A job for this sync is already in progress. Please try again shortly.";
/// `$handleAcquireLockFailure`'s message.
const LOCK_FAILED: &str = "Failed to run job. This typically happens when a sync is already in progress. Please try again.";

impl Fixture {
    /// A fixture with a project whose `dev` environment has a folder `/app` with two secrets,
    /// next to a GitHub with `acme/app` (environment `production`).
    async fn seeded() -> Self {
        Self::seeded_with(Config::default()).await
    }

    /// [`Fixture::seeded`], with `config`.
    async fn seeded_with(config: Config) -> Self {
        let fixture = Self::with(config).await;
        let admin = fixture.admin();
        admin.add_project(PROJECT);
        admin.set_secret(PROJECT, "dev", "/app", "db_url", "postgres://db");
        admin.set_secret(PROJECT, "dev", "/app", "api_key", "k-123");
        admin.add_github_repo("acme", "app", ["production"]);
        fixture
    }

    /// Creates a PAT connection and returns its id.
    async fn pat_connection(&self, name: &str, pat: &str) -> String {
        self.create_pat(name, pat).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a sync and returns the answer's `secretSync`.
    async fn create_sync(&self, body: Value) -> Value {
        let (status, answer) = self.call(Method::POST, SYNCS, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["secretSync"].clone()
    }

    /// Creates a sync and returns its id.
    async fn create_sync_id(&self, body: Value) -> String {
        let created = self.create_sync(body).await;
        created["id"]
            .as_str()
            .expect("a created sync has an id")
            .to_owned()
    }

    /// Waits for a sync's jobs to end and returns it.
    async fn settled(&self, id: &str) -> Value {
        self.admin()
            .wait_for_sync(id, WAIT)
            .await
            .expect("the sync's jobs end")
            .expect("the sync still exists")
    }

    /// Seals `value` for a scope's public key and PUTs it over GitHub's HTTP route.
    async fn github_put(&self, prefix: &str, bearer: &str, name: &str, value: &str) -> StatusCode {
        let (status, key) = self
            .raw(
                Method::GET,
                &format!("{prefix}/public-key"),
                Some(bearer),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{key}");
        let (status, answer) = self
            .raw(
                Method::PUT,
                &format!("{prefix}/{name}"),
                Some(bearer),
                Some(sealed_secret(&key, value).expect("GitHub answered a public key")),
            )
            .await;
        assert!(status.is_success() || status.is_client_error(), "{answer}");
        status
    }
}

fn sync_body(name: &str, connection: &str, destination: Value) -> Value {
    json!({
        "name": name,
        "projectId": PROJECT,
        "connectionId": connection,
        "environment": "dev",
        "secretPath": "/app",
        "syncOptions": { "initialSyncBehavior": "overwrite-destination" },
        "destinationConfig": destination,
    })
}

fn repository() -> Value {
    json!({ "scope": "repository", "owner": "acme", "repo": "app" })
}

fn folder_secrets() -> Vec<(String, String)> {
    vec![
        ("API_KEY".to_owned(), "k-123".to_owned()),
        ("DB_URL".to_owned(), "postgres://db".to_owned()),
    ]
}

fn held(f: &Fixture, scope: &GitHubScope) -> Vec<(String, String)> {
    f.admin().github_secret_values(scope).into_iter().collect()
}

#[tokio::test]
async fn a_sync_per_scope_succeeds_and_github_holds_exactly_the_folders_secrets() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_scopes").await;
    f.admin()
        .grant_github_access(
            GitHubSubject::Connection(connection.clone()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    let repo_id = f
        .admin()
        .add_github_repo("acme", "site", Vec::<String>::new());
    let destinations = [
        (GitHubScope::repo("acme", "app"), repository()),
        (
            GitHubScope::env("acme", "app", "production"),
            json!({ "scope": "repository-environment", "owner": "acme", "repo": "app", "env": "production" }),
        ),
        (
            GitHubScope::org("acme"),
            json!({ "scope": "organization", "org": "acme", "visibility": "selected", "selectedRepositoryIds": [repo_id] }),
        ),
    ];
    for (n, (scope, destination)) in destinations.into_iter().enumerate() {
        let created = f
            .create_sync(sync_body(
                &format!("sync-{n}"),
                &connection,
                destination.clone(),
            ))
            .await;
        // Auto-sync defaults to on: the create answer is already pending.
        assert_eq!(created["syncStatus"], "pending", "{created}");
        assert_eq!(created["isAutoSyncEnabled"], true);
        assert_eq!(created["destination"], "github");
        assert_eq!(created["destinationConfig"], destination);
        assert_eq!(created["connection"]["id"], connection.as_str());
        assert_eq!(created["connection"]["app"], "github");
        assert_eq!(created["environment"]["slug"], "dev");
        assert_eq!(created["environment"]["name"], "Development");
        assert_eq!(created["folder"]["path"], "/app");
        assert_eq!(created["removeStatus"], Value::Null);
        let sync = f.settled(created["id"].as_str().unwrap()).await;
        assert_eq!(sync["syncStatus"], "succeeded", "{sync}");
        assert_eq!(sync["lastSyncMessage"], Value::Null);
        assert!(sync["lastSyncedAt"].is_string());
        assert!(sync["lastSyncJobId"].is_string());
        assert_eq!(held(&f, &scope), folder_secrets(), "{scope:?}");
    }
    let org = f.admin().github_secrets(&GitHubScope::org("acme")).unwrap();
    assert!(
        org.iter()
            .all(|s| s.visibility.as_deref() == Some("selected")
                && s.selected_repository_ids == Some(vec![repo_id]))
    );
    // The GitHub list and the generic list see them too.
    let (status, list) = f.get(&format!("{SYNCS}?projectId={PROJECT}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["secretSyncs"].as_array().unwrap().len(), 3);
    let (_, all) = f
        .get(&format!("/api/v1/secret-syncs?projectId={PROJECT}"))
        .await;
    assert_eq!(all["secretSyncs"].as_array().unwrap().len(), 3);
    let (status, by_name) = f
        .get(&format!("{SYNCS}/sync-name/sync-1?projectId={PROJECT}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_name["secretSync"]["name"], "sync-1");
}

#[tokio::test]
async fn secret_changes_through_the_admin_api_reach_github_unless_deletion_is_disabled() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_changes").await;
    f.admin()
        .add_github_repo("acme", "keep", Vec::<String>::new());
    for repo in ["app", "keep"] {
        f.admin()
            .grant_github_access(
                GitHubSubject::Token("ghp_changes".into()),
                GitHubTarget::Repository {
                    owner: "acme".into(),
                    repo: repo.into(),
                },
            )
            .unwrap();
    }
    // Secrets set in GitHub by someone else: outside the key schema, or not.
    let prefix = "/__github/repos/acme/app/actions/secrets";
    assert_eq!(
        f.github_put(prefix, "ghp_changes", "APP_STALE", "old")
            .await,
        StatusCode::CREATED
    );
    assert_eq!(
        f.github_put(prefix, "ghp_changes", "UNRELATED", "x").await,
        StatusCode::CREATED
    );
    let mut body = sync_body("deleting", &connection, repository());
    body["syncOptions"]["keySchema"] = json!("APP_{{secretKey}}");
    let deleting = f.create_sync_id(body).await;
    let mut body = sync_body(
        "keeping",
        &connection,
        json!({ "scope": "repository", "owner": "acme", "repo": "keep" }),
    );
    body["syncOptions"]["disableSecretDeletion"] = json!(true);
    let keeping = f.create_sync_id(body).await;
    f.settled(&deleting).await;
    f.settled(&keeping).await;
    let app = GitHubScope::repo("acme", "app");
    let keep = GitHubScope::repo("acme", "keep");
    assert_eq!(
        held(&f, &app),
        [
            ("APP_API_KEY", "k-123"),
            ("APP_DB_URL", "postgres://db"),
            ("UNRELATED", "x")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );

    // A change, an addition and a deletion, made through the admin API only.
    f.admin()
        .set_secret(PROJECT, "dev", "/app", "db_url", "postgres://new");
    f.admin().set_secret(PROJECT, "dev", "/app", "token", "t");
    assert!(f.admin().delete_secret(PROJECT, "dev", "/app", "api_key"));
    assert_eq!(f.settled(&deleting).await["syncStatus"], "succeeded");
    assert_eq!(f.settled(&keeping).await["syncStatus"], "succeeded");
    assert_eq!(
        held(&f, &app),
        [
            ("APP_DB_URL", "postgres://new"),
            ("APP_TOKEN", "t"),
            ("UNRELATED", "x")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(
        held(&f, &keep),
        [
            ("API_KEY", "k-123"),
            ("DB_URL", "postgres://new"),
            ("TOKEN", "t")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
        "disableSecretDeletion keeps the deleted secret"
    );

    // A sync with auto-sync off is not queued by a change.
    let mut body = sync_body(
        "manual",
        &connection,
        json!({ "scope": "repository", "owner": "acme", "repo": "keep" }),
    );
    body["isAutoSyncEnabled"] = json!(false);
    let manual = f.create_sync(body).await;
    assert_eq!(manual["syncStatus"], Value::Null);
    f.admin().set_secret(PROJECT, "dev", "/app", "other", "o");
    let manual = f.settled(manual["id"].as_str().unwrap()).await;
    assert_eq!(manual["syncStatus"], Value::Null);
}

#[tokio::test]
async fn a_token_without_access_fails_with_githubs_answer_and_succeeds_once_granted() {
    let f = Fixture::seeded().await;
    f.admin().set_sync_timing(SyncTiming {
        attempts: 3,
        ..SyncTiming::default()
    });
    let connection = f.pat_connection("gh", "ghp_nothing").await;
    let id = f
        .create_sync_id(sync_body("no-access", &connection, repository()))
        .await;
    let failed = f.settled(&id).await;
    assert_eq!(failed["syncStatus"], "failed", "{failed}");
    assert_eq!(failed["lastSyncedAt"], Value::Null);
    let github: Value = serde_json::from_str(failed["lastSyncMessage"].as_str().unwrap()).unwrap();
    assert_eq!(github["message"], "Not Found");
    assert_eq!(github["status"], "404");
    assert!(
        failed["lastSyncMessage"]
            .as_str()
            .unwrap()
            .starts_with(r#"{"message":"Not Found","documentation_url":"#)
    );
    assert!(held(&f, &GitHubScope::repo("acme", "app")).is_empty());

    let target = || GitHubTarget::Repository {
        owner: "acme".into(),
        repo: "app".into(),
    };
    f.admin()
        .grant_github_access(GitHubSubject::Connection(connection.clone()), target())
        .unwrap();
    let (status, answer) = f
        .call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["secretSync"]["syncStatus"], "pending");
    let synced = f.settled(&id).await;
    assert_eq!(synced["syncStatus"], "succeeded");
    assert_eq!(synced["lastSyncMessage"], Value::Null);
    assert_eq!(
        held(&f, &GitHubScope::repo("acme", "app")),
        folder_secrets()
    );

    // Access lost again: the next run fails, GitHub keeps what it had.
    f.admin()
        .revoke_github_access(GitHubSubject::Connection(connection), target())
        .unwrap();
    f.call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "failed");
    assert_eq!(
        held(&f, &GitHubScope::repo("acme", "app")),
        folder_secrets()
    );
}

#[tokio::test]
async fn app_and_oauth_connections_reach_github_through_their_grants() {
    let f = Fixture::seeded().await;
    f.admin().add_code("app-code", ["42"]);
    let (status, app) = f
        .call(
            Method::POST,
            CONNECTIONS,
            Some(json!({ "name": "app", "method": "github-app",
                "credentials": { "code": "app-code", "installationId": "42" } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{app}");
    let app = app["appConnection"]["id"].as_str().unwrap().to_owned();
    f.admin()
        .grant_github_access(
            GitHubSubject::Installation("42".into()),
            GitHubTarget::Repository {
                owner: "acme".into(),
                repo: "app".into(),
            },
        )
        .unwrap();
    let id = f
        .create_sync_id(sync_body("via-app", &app, repository()))
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");
    // `GithubSyncFns.syncSecrets` (`backend/src/services/secret-sync/github/github-sync-fns.ts`)
    // mints one token and `makePaginatedGitHubRequest`
    // (`backend/src/services/app-connection/github/github-connection-fns.ts`) another for the
    // list: two per attempt.
    assert_eq!(f.admin().github_installation_tokens_minted("42"), 2);
    f.call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");
    assert_eq!(
        f.admin().github_installation_tokens_minted("42"),
        4,
        "two tokens per run"
    );

    // An OAuth connection's token came out of the code exchange; grant it through the connection.
    f.admin().add_code("oauth-code", Vec::<String>::new());
    f.admin().add_github_repo("acme", "web", ["staging"]);
    let (status, oauth) = f
        .call(
            Method::POST,
            CONNECTIONS,
            Some(json!({ "name": "oauth", "method": "oauth", "credentials": { "code": "oauth-code" } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{oauth}");
    let oauth = oauth["appConnection"]["id"].as_str().unwrap().to_owned();
    let destination = json!({ "scope": "repository-environment", "owner": "acme", "repo": "web", "env": "staging" });
    let id = f
        .create_sync_id(sync_body("via-oauth", &oauth, destination.clone()))
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "failed");
    f.admin()
        .grant_github_access(
            GitHubSubject::Connection(oauth),
            GitHubTarget::Repository {
                owner: "acme".into(),
                repo: "web".into(),
            },
        )
        .unwrap();
    f.call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");
    assert_eq!(
        held(&f, &GitHubScope::env("acme", "web", "staging")),
        folder_secrets()
    );
}

#[tokio::test]
async fn remove_secrets_empties_the_destination_and_delete_with_removal_drops_the_row() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_remove").await;
    f.admin()
        .grant_github_access(
            GitHubSubject::Token("ghp_remove".into()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    let scope = GitHubScope::repo("acme", "app");
    let id = f
        .create_sync_id(sync_body("removable", &connection, repository()))
        .await;
    f.settled(&id).await;
    assert_eq!(held(&f, &scope), folder_secrets());

    let (status, answer) = f
        .call(Method::POST, &format!("{SYNCS}/{id}/remove-secrets"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["secretSync"]["removeStatus"], "pending");
    let removed = f.settled(&id).await;
    assert_eq!(removed["removeStatus"], "succeeded");
    assert!(removed["lastRemovedAt"].is_string());
    assert!(held(&f, &scope).is_empty());

    // Sync again, then delete with removal: answered with the still-existing sync, then gone.
    f.call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    f.settled(&id).await;
    assert_eq!(held(&f, &scope), folder_secrets());
    let (status, answer) = f.delete(&format!("{SYNCS}/{id}?removeSecrets=true")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["secretSync"]["id"], id.as_str());
    assert_eq!(answer["secretSync"]["removeStatus"], "pending");
    assert_eq!(f.admin().wait_for_sync(&id, WAIT).await, Ok(None));
    assert!(held(&f, &scope).is_empty());
    let (status, answer) = f.get(&format!("{SYNCS}/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&answer),
        format!("Could not find GitHub Sync with ID \"{id}\"")
    );
}

#[tokio::test]
async fn a_failed_removal_keeps_the_sync_with_its_message() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_fail_remove").await;
    let target = || GitHubTarget::Repository {
        owner: "acme".into(),
        repo: "app".into(),
    };
    let subject = || GitHubSubject::Token("ghp_fail_remove".into());
    f.admin().grant_github_access(subject(), target()).unwrap();
    let id = f
        .create_sync_id(sync_body("kept", &connection, repository()))
        .await;
    f.settled(&id).await;
    f.admin().revoke_github_access(subject(), target()).unwrap();
    let (status, _) = f.delete(&format!("{SYNCS}/{id}?removeSecrets=true")).await;
    assert_eq!(status, StatusCode::OK);
    let kept = f.settled(&id).await;
    assert_eq!(kept["removeStatus"], "failed");
    assert!(
        kept["lastRemoveMessage"]
            .as_str()
            .unwrap()
            .contains("Not Found")
    );
    assert_eq!(
        held(&f, &GitHubScope::repo("acme", "app")),
        folder_secrets()
    );
}

#[tokio::test]
async fn delete_without_remove_secrets_leaves_github_as_it_was() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_delete").await;
    f.admin()
        .grant_github_access(
            GitHubSubject::Token("ghp_delete".into()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    let id = f
        .create_sync_id(sync_body("deleted", &connection, repository()))
        .await;
    f.settled(&id).await;
    let (status, answer) = f.delete(&format!("{SYNCS}/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["secretSync"]["id"], id.as_str());
    assert!(f.admin().secret_sync(&id).is_none(), "deleted at once");
    assert_eq!(
        held(&f, &GitHubScope::repo("acme", "app")),
        folder_secrets()
    );
    // Later changes reach nobody: no job is queued.
    let queued = f.admin().sync_engine().queued;
    f.admin()
        .set_secret(PROJECT, "dev", "/app", "db_url", "changed");
    assert_eq!(f.admin().sync_engine().queued, queued, "nothing queued");
    assert_eq!(f.admin().sync_engine().jobs, 0);
    assert_eq!(
        held(&f, &GitHubScope::repo("acme", "app")),
        folder_secrets()
    );
}

#[tokio::test]
async fn validation_failures_are_the_servers_422s_400s_and_404s() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_validation").await;

    let (status, body) = f.get(SYNCS).await;
    assert_eq!(issues(status, &body), [issue("projectId", "Required")]);

    let mut bad = sync_body(
        "Bad_Name",
        &connection,
        json!({ "scope": "organization", "org": "", "visibility": "all", "selectedRepositoryIds": [1] }),
    );
    bad["syncOptions"] =
        json!({ "initialSyncBehavior": "import-prioritize-source", "keySchema": "NO_PLACEHOLDER" });
    bad["secretPath"] = json!("  ");
    let (status, body) = f.call(Method::POST, SYNCS, Some(bad)).await;
    assert_eq!(
        issues(status, &body),
        [
            issue(
                "name",
                "name field can only contain lowercase letters, numbers, and hyphens"
            ),
            issue("secretPath", "Secret path required"),
            issue(
                "syncOptions.initialSyncBehavior",
                "Invalid literal value, expected \"overwrite-destination\""
            ),
            issue(
                "syncOptions.keySchema",
                "Key schema must include exactly one {{secretKey}} placeholder. It can also include {{environment}} placeholders. Only alphanumeric characters (a-z, A-Z, 0-9), dashes (-), underscores (_), and slashes (/) are allowed besides the placeholders."
            ),
            issue("destinationConfig.org", "Organization name required"),
            issue(
                "destinationConfig.selectedRepositoryIds",
                "Selected repositories is only supported for visibility \"Selected\""
            ),
        ]
    );
    let (status, body) = f
        .call(
            Method::POST,
            SYNCS,
            Some(sync_body(
                "x",
                &connection,
                json!({ "scope": "organization", "org": "acme", "visibility": "selected" }),
            )),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "destinationConfig.selectedRepositoryIds",
            "Select at least 1 repository"
        )]
    );
    let (status, body) = f
        .call(
            Method::POST,
            SYNCS,
            Some(sync_body(
                "x",
                &connection,
                json!({ "scope": "user", "owner": "acme" }),
            )),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "destinationConfig.scope",
            "Invalid discriminator value. Expected 'organization' | 'repository' | 'repository-environment'"
        )]
    );
    let (status, body) = f
        .call(
            Method::POST,
            SYNCS,
            Some(sync_body(
                "x",
                &connection,
                json!({ "scope": "repository-environment", "owner": "", "repo": "r", "env": "" }),
            )),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [
            issue("destinationConfig.owner", "Repository owner name required"),
            issue("destinationConfig.env", "Environment name required")
        ]
    );

    // 400s and 404s of the service, in its order.
    let mut missing_folder = sync_body("x", &connection, repository());
    missing_folder["secretPath"] = json!("/nope/");
    let (status, body) = f.call(Method::POST, SYNCS, Some(missing_folder)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        format!(
            "Could not find folder with path \"/nope\" in environment \"dev\" for project with ID \"{PROJECT}\""
        )
    );
    let unknown = "0c3b2a19-8d7e-4f6a-9b5c-4d3e2f1a0b9c";
    let (status, body) = f
        .call(
            Method::POST,
            SYNCS,
            Some(sync_body("x", unknown, repository())),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&body),
        format!("Could not find App Connection with ID {unknown}")
    );
    let gitlab = f
        .admin()
        .seed_connection(SeedConnection {
            app: "gitlab".into(),
            name: "gl".into(),
            method: "access-token".into(),
            project_id: None,
            credentials: Default::default(),
        })
        .unwrap();
    let (status, body) = f
        .call(
            Method::POST,
            SYNCS,
            Some(sync_body("x", &gitlab.id, repository())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        format!(
            "GitLab Connection with ID {} cannot be used to connect to GitHub",
            gitlab.id
        )
    );
    let id = f
        .create_sync_id(sync_body("taken", &connection, repository()))
        .await;
    let (status, body) = f
        .call(
            Method::POST,
            SYNCS,
            Some(sync_body("taken", &connection, repository())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        format!(
            "A Secret Sync with the name \"taken\" already exists for the project with ID \"{PROJECT}\""
        )
    );
    let (status, body) = f
        .call(
            Method::POST,
            &format!("{SYNCS}/{id}/import-secrets?importBehavior=prioritize-source"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(message(&body), "GitHub does not support importing secrets.");
    let (status, body) = f
        .call(Method::POST, &format!("{SYNCS}/{id}/import-secrets"), None)
        .await;
    assert_eq!(issues(status, &body)[0].0, "importBehavior");
    let (status, body) = f.get(&format!("{SYNCS}/not-a-uuid")).await;
    assert_eq!(issues(status, &body), [issue("syncId", "Invalid uuid")]);
    let (status, body) = f
        .call(
            Method::PATCH,
            &format!("{SYNCS}/{unknown}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&body),
        format!("Could not find GitHub Sync with ID {unknown}")
    );
    let (status, body) = f
        .get(&format!("{SYNCS}/sync-name/nope?projectId={PROJECT}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        message(&body),
        "Could not find GitHub Sync with name \"nope\""
    );
    let (status, body) = f.delete(&format!("{SYNCS}/{id}?removeSecrets=maybe")).await;
    assert_eq!(
        issues(status, &body),
        [issue(
            "removeSecrets",
            "Invalid enum value. Expected 'true' | 'false', received 'maybe'"
        )]
    );
    let (status, body) = f
        .call(
            Method::PATCH,
            &format!("{SYNCS}/{id}"),
            Some(json!({ "secretPath": "" })),
        )
        .await;
    assert_eq!(
        issues(status, &body),
        [issue("secretPath", "Invalid secret path")]
    );

    // A folder that is gone: folderId null, and the action routes refuse.
    f.settled(&id).await;
    assert!(f.admin().delete_folder(PROJECT, "dev", "/app"));
    let (status, body) = f.get(&format!("{SYNCS}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["secretSync"]["folderId"], Value::Null);
    assert_eq!(body["secretSync"]["folder"], Value::Null);
    let (status, body) = f
        .call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(message(&body), FOLDER_GONE);
}

#[tokio::test]
async fn patch_queues_a_sync_and_check_destination_finds_duplicates() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_patch").await;
    f.admin()
        .grant_github_access(
            GitHubSubject::Connection(connection.clone()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    f.admin().pause_syncs(true);
    let id = f
        .create_sync_id(sync_body("patched", &connection, repository()))
        .await;
    let (status, body) = f
        .call(
            Method::PATCH,
            &format!("{SYNCS}/{id}"),
            Some(json!({ "description": "only this", "projectId": "ignored" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secretSync"]["description"], "only this");
    assert_eq!(body["secretSync"]["syncStatus"], "pending");
    assert!(
        f.admin()
            .wait_for_sync(&id, Duration::from_millis(100))
            .await
            .is_err(),
        "paused"
    );
    f.admin().pause_syncs(false);
    assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");

    let check = |exclude: Option<&str>| {
        let mut body = json!({ "destinationConfig": repository(), "projectId": OTHER_PROJECT });
        if let Some(exclude) = exclude {
            body["excludeSyncId"] = json!(exclude);
        }
        body
    };
    let path = format!("{SYNCS}/check-destination");
    let (status, body) = f.call(Method::POST, &path, Some(check(None))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "hasDuplicate": true, "duplicateProjectId": PROJECT })
    );
    let (_, body) = f.call(Method::POST, &path, Some(check(Some(&id)))).await;
    assert_eq!(body, json!({ "hasDuplicate": false }));
    let (status, body) = f
        .call(Method::POST, &path, Some(json!({ "projectId": "p" })))
        .await;
    assert_eq!(issues(status, &body), [issue("projectId", "Invalid uuid")]);
}

#[tokio::test]
async fn github_refuses_bad_names_and_the_sync_reports_its_422() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_names").await;
    f.admin()
        .grant_github_access(
            GitHubSubject::Token("ghp_names".into()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    f.admin().set_sync_timing(SyncTiming {
        attempts: 2,
        ..SyncTiming::default()
    });
    f.admin().set_secret(PROJECT, "dev", "/bad", "1st_key", "v");
    let mut body = sync_body("bad-names", &connection, repository());
    body["secretPath"] = json!("/bad");
    let id = f.create_sync_id(body).await;
    let failed = f.settled(&id).await;
    assert_eq!(failed["syncStatus"], "failed");
    let reported: Value =
        serde_json::from_str(failed["lastSyncMessage"].as_str().unwrap()).unwrap();
    assert_eq!(reported["secretKey"], "1ST_KEY");
    assert_eq!(reported["error"]["status"], "422");
    assert!(
        reported["error"]["message"]
            .as_str()
            .unwrap()
            .contains("must not start with a number")
    );

    // The same rules over HTTP, with real sealed boxes.
    let prefix = "/__github/repos/acme/app/actions/secrets";
    for name in ["GITHUB_TOKEN", "has-dash", "9LIVES"] {
        assert_eq!(
            f.github_put(prefix, "ghp_names", name, "v").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
    }
    assert_eq!(
        f.github_put(prefix, "ghp_names", "BIG", &"x".repeat(48 * 1024 + 1))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        f.github_put(prefix, "ghp_names", "lower_ok", "v").await,
        StatusCode::CREATED
    );
    assert_eq!(
        f.github_put(prefix, "ghp_names", "LOWER_OK", "w").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        f.admin()
            .github_secret_values(&GitHubScope::repo("acme", "app"))
            .get("LOWER_OK")
            .map(String::as_str),
        Some("w")
    );
    let (status, body) = f
        .raw(
            Method::PUT,
            &format!("{prefix}/X"),
            Some("ghp_names"),
            Some(json!({ "key_id": "1" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["status"], "422");
    assert!(
        body["documentation_url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.github.com/")
    );
    let (status, body) = f.raw(Method::GET, prefix, Some("ghp_unknown"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "Bad credentials");
    let (status, body) = f
        .raw(
            Method::GET,
            "/__github/repos/acme/missing/actions/secrets",
            Some("ghp_names"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "Not Found");
}

#[tokio::test]
async fn the_list_route_paginates_with_a_link_header() {
    let f = Fixture::seeded().await;
    f.admin().add_pat("ghp_pages");
    f.admin()
        .grant_github_access(
            GitHubSubject::Token("ghp_pages".into()),
            GitHubTarget::Repository {
                owner: "acme".into(),
                repo: "app".into(),
            },
        )
        .unwrap();
    let prefix = "/__github/repos/acme/app/environments/production/secrets";
    for n in 0..5 {
        assert_eq!(
            f.github_put(prefix, "ghp_pages", &format!("S{n}"), "v")
                .await,
            StatusCode::CREATED
        );
    }
    let (status, page, headers) = f
        .raw_with_headers(
            Method::GET,
            &format!("{prefix}?per_page=2"),
            Some("ghp_pages"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total_count"], 5);
    let names: Vec<&str> = page["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["S0", "S1"]);
    let link = headers["link"].to_str().unwrap();
    assert!(
        link.contains(&format!("{prefix}?per_page=2&page=2>; rel=\"next\"")),
        "{link}"
    );
    assert!(link.contains("page=3>; rel=\"last\""), "{link}");
    let (_, page, headers) = f
        .raw_with_headers(
            Method::GET,
            &format!("{prefix}?per_page=2&page=3"),
            Some("ghp_pages"),
            None,
        )
        .await;
    assert_eq!(page["secrets"].as_array().unwrap().len(), 1);
    let link = headers["link"].to_str().unwrap();
    assert!(
        link.contains("page=2>; rel=\"prev\"") && link.contains("page=1>; rel=\"first\""),
        "{link}"
    );
    assert!(!link.contains("rel=\"next\""), "{link}");
    let (status, _) = f
        .raw(
            Method::DELETE,
            &format!("{prefix}/s0"),
            Some("ghp_pages"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = f
        .raw(
            Method::DELETE,
            &format!("{prefix}/S0"),
            Some("ghp_pages"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page, headers) = f
        .raw_with_headers(Method::GET, prefix, Some("ghp_pages"), None)
        .await;
    assert_eq!(page["total_count"], 4);
    assert!(headers.get("link").is_none());
}

#[tokio::test]
async fn the_demo_syncs_to_its_repository_without_setup_and_the_admin_api_works_over_http() {
    let f = Fixture::seeded_with(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    let connection = f.pat_connection("demo", "ghp_demo_anything").await;
    let url = f.emulator.url().to_owned();
    let http = &f.http;
    let put = http
        .put(format!("{url}/__emulator/projects/{PROJECT}/secrets"))
        .json(&json!({ "environment": "prod", "path": "/", "key": "greeting", "value": "hello" }))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let mut body = sync_body(
        "demo",
        &connection,
        json!({ "scope": "repository", "owner": "demo-org", "repo": "demo-repo" }),
    );
    body["environment"] = json!("prod");
    body["secretPath"] = json!("/");
    let id = f.create_sync_id(body).await;
    let waited: Value = http
        .get(format!(
            "{url}/__emulator/secret-syncs/{id}/wait?timeoutMs=10000"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(waited["syncStatus"], "succeeded", "{waited}");
    let held: Value = http
        .get(format!(
            "{url}/__emulator/github/secrets?owner=demo-org&repo=demo-repo"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(held["secrets"][0]["name"], "GREETING");
    assert_eq!(held["secrets"][0]["value"], "hello");

    // A grant taken away over HTTP: the next run fails.
    let revoked = http
        .delete(format!("{url}/__emulator/github/grants"))
        .json(&json!({ "connectionId": connection, "org": "demo-org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    f.call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "failed");
    let timing = http
        .put(format!("{url}/__emulator/sync-timing"))
        .json(&json!({ "speedup": 10, "attempts": 1, "requeueLimit": 3, "connectionLimit": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(timing.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        f.admin().sync_timing(),
        SyncTiming {
            speedup: 10,
            attempts: 1,
            requeue_limit: 3,
            connection_limit: 2
        }
    );
    let timing = http
        .put(format!("{url}/__emulator/sync-timing"))
        .json(&json!({ "realTiming": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(timing.status(), StatusCode::NO_CONTENT);
    assert_eq!(f.admin().sync_timing().speedup, 1);
    let engine: Value = http
        .get(format!("{url}/__emulator/sync-engine"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(engine["jobs"], 0, "{engine}");
    assert_eq!(engine["queued"], f.admin().sync_engine().queued, "{engine}");
}

/// `matchesSchema` (`backend/src/services/secret-sync/secret-sync-fns.ts`), called by
/// `GithubSyncFns.syncSecrets` (`…/github/github-sync-fns.ts`) for each listed name: the schema,
/// with `{{environment}}` as the lower-case slug, is compared case-sensitively with GitHub's
/// upper-case names, so a schema with lower-case letters never deletes anything.
#[tokio::test]
async fn a_key_schema_with_lower_case_letters_never_deletes() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_case").await;
    f.admin()
        .grant_github_access(
            GitHubSubject::Token("ghp_case".into()),
            GitHubTarget::Organization("acme".into()),
        )
        .unwrap();
    let prefix = "/__github/repos/acme/app/actions/secrets";
    for stale in ["DEV_STALE", "APP_STALE"] {
        assert_eq!(
            f.github_put(prefix, "ghp_case", stale, "old").await,
            StatusCode::CREATED
        );
    }
    for (name, schema) in [
        ("by-environment", "{{environment}}_{{secretKey}}"),
        ("mixed-case", "App_{{secretKey}}"),
    ] {
        let mut body = sync_body(name, &connection, repository());
        body["syncOptions"]["keySchema"] = json!(schema);
        let id = f.create_sync_id(body).await;
        assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");
    }
    let held: Vec<String> = held(&f, &GitHubScope::repo("acme", "app"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        held,
        [
            "APP_API_KEY",
            "APP_DB_URL",
            "APP_STALE",
            "DEV_API_KEY",
            "DEV_DB_URL",
            "DEV_STALE"
        ],
        "the stale names stay"
    );
}

/// GitHub's answer to an installation or a fine-grained PAT that sees the repository but lacks
/// the "Secrets" permission: 403 "Resource not accessible by integration" / "…by personal
/// access token". The sync stores it as `parseSyncErrorMessage`
/// (`backend/src/services/secret-sync/secret-sync-fns.ts`) does for an Axios error: the body as
/// JSON.
#[tokio::test]
async fn a_grant_without_the_secrets_permission_gets_githubs_403() {
    let f = Fixture::seeded().await;
    f.admin().set_sync_timing(SyncTiming {
        attempts: 1,
        ..SyncTiming::default()
    });
    f.admin().add_code("no-secrets-code", ["77"]);
    let (status, app) = f
        .call(
            Method::POST,
            CONNECTIONS,
            Some(json!({ "name": "app", "method": "github-app",
                "credentials": { "code": "no-secrets-code", "installationId": "77" } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{app}");
    let app = app["appConnection"]["id"].as_str().unwrap().to_owned();
    let pat = f.pat_connection("pat", "ghp_no_secrets").await;
    let target = || GitHubTarget::Repository {
        owner: "acme".into(),
        repo: "app".into(),
    };
    f.admin()
        .grant_github_access_without_secrets(GitHubSubject::Installation("77".into()), target())
        .unwrap();
    // Over HTTP: `secrets: false`.
    let granted = f
        .http
        .post(format!("{}/__emulator/github/grants", f.emulator.url()))
        .json(&json!({ "token": "ghp_no_secrets", "repo": "acme/app", "secrets": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::NO_CONTENT);
    for (name, connection, refusal) in [
        ("via-app", &app, "Resource not accessible by integration"),
        (
            "via-pat",
            &pat,
            "Resource not accessible by personal access token",
        ),
    ] {
        let id = f
            .create_sync_id(sync_body(name, connection, repository()))
            .await;
        let failed = f.settled(&id).await;
        assert_eq!(failed["syncStatus"], "failed", "{failed}");
        assert_eq!(
            failed["lastSyncMessage"],
            format!(
                r#"{{"message":"{refusal}","documentation_url":"https://docs.github.com/rest/actions/secrets","status":"403"}}"#
            )
        );
    }
    // A missing environment is still GitHub's 404; the repository itself is a 403 over HTTP.
    let (status, body) = f
        .raw(
            Method::GET,
            "/__github/repos/acme/app/environments/nope/secrets",
            Some("ghp_no_secrets"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = f
        .raw(
            Method::GET,
            "/__github/repos/acme/app/actions/secrets/public-key",
            Some("ghp_no_secrets"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["status"], "403");
    // A full grant replaces it.
    f.admin()
        .grant_github_access(GitHubSubject::Connection(pat.clone()), target())
        .unwrap();
    let id = f
        .create_sync_id(sync_body("via-pat-granted", &pat, repository()))
        .await;
    assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");
}

/// Grants the PAT `pat` the repository `acme/app`.
fn grant_app(f: &Fixture, pat: &str) {
    f.admin()
        .grant_github_access(
            GitHubSubject::Token(pat.into()),
            GitHubTarget::Repository {
                owner: "acme".into(),
                repo: "app".into(),
            },
        )
        .unwrap();
}

/// Waits until the engine's counters satisfy `until`.
async fn engine_until(
    f: &Fixture,
    until: impl Fn(&infisical_emulator::SyncEngine) -> bool,
) -> infisical_emulator::SyncEngine {
    f.admin()
        .wait_for_sync_engine(WAIT, until)
        .await
        .expect("the engine gets there")
}

/// The worker of `backend/src/services/secret-sync/secret-sync-queue.ts` (`queueService.start`)
/// takes the sync's lock for each run of a job and releases it in `finally`; BullMQ's backoff
/// between attempts runs without it, the status staying `running`. So
/// `triggerSecretSyncSyncSecretsById`, `…RemoveSecretsById` and `deleteSecretSync`
/// (`secret-sync-service.ts`), which check the lock, accept requests then.
#[tokio::test]
async fn the_lock_is_taken_per_attempt_and_free_between_attempts() {
    let f = Fixture::seeded().await;
    f.admin().set_sync_timing(SyncTiming {
        attempts: 2,
        ..SyncTiming::default()
    });
    f.admin().hold_sync_retries(true);
    // No grant: every attempt fails with GitHub's 404 and is retried.
    let connection = f.pat_connection("gh", "ghp_between").await;
    let id = f
        .create_sync_id(sync_body("between", &connection, repository()))
        .await;
    engine_until(&f, |e| e.between_attempts == 1).await;
    let sync = f.admin().secret_sync(&id).unwrap();
    assert_eq!(sync["syncStatus"], "running", "{sync}");
    assert_eq!(
        sync["lastSyncJobId"],
        Value::Null,
        "only the last attempt writes"
    );
    let (status, body) = f
        .call(Method::POST, &format!("{SYNCS}/{id}/sync-secrets"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secretSync"]["syncStatus"], "pending");
    let (status, body) = f
        .call(Method::POST, &format!("{SYNCS}/{id}/remove-secrets"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secretSync"]["removeStatus"], "pending");
    let (status, body) = f.delete(&format!("{SYNCS}/{id}?removeSecrets=true")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    f.admin().hold_sync_retries(false);
    let sync = f.settled(&id).await;
    assert_eq!(sync["syncStatus"], "failed", "{sync}");
    assert_eq!(sync["removeStatus"], "failed", "{sync}");
}

/// Every job has its own id (`jobId: randomUUID()` in `queueSecretSyncSyncSecretsById`,
/// `backend/src/services/secret-sync/secret-sync-queue.ts`) and runs; none is merged into a
/// newer one. A sync job that meets the lock goes to `$handleAcquireLockFailure`, which queues a
/// new job (a fresh id, `failedToAcquireLockCount + 1`, 30 s + jitter later).
#[tokio::test]
async fn every_job_runs_and_one_that_meets_the_lock_is_requeued_with_a_new_id() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_requeue").await;
    grant_app(&f, "ghp_requeue");
    f.admin().hold_sync_attempts(true);
    let id = f
        .create_sync_id(sync_body("requeue", &connection, repository()))
        .await;
    engine_until(&f, |e| e.attempts_held == 1).await;
    // A secret change queues a second job (no lock check on that path); it meets the lock.
    f.admin()
        .set_secret(PROJECT, "dev", "/app", "db_url", "second");
    engine_until(&f, |e| e.requeued >= 1).await;
    // Hold the requeued job before it starts, then let the first one finish.
    f.admin().pause_syncs(true);
    f.admin().hold_sync_attempts(false);
    engine_until(&f, |e| e.attempts_running == 0).await;
    let first = f.admin().secret_sync(&id).unwrap();
    assert_eq!(first["syncStatus"], "succeeded", "{first}");
    let first_job = first["lastSyncJobId"].as_str().unwrap().to_owned();
    assert!(
        f.admin()
            .wait_for_sync(&id, Duration::from_millis(1))
            .await
            .is_err(),
        "the requeued job is still to run"
    );
    f.admin().pause_syncs(false);
    let second = f.settled(&id).await;
    assert_eq!(second["syncStatus"], "succeeded", "{second}");
    let second_job = second["lastSyncJobId"].as_str().unwrap();
    assert_ne!(second_job, first_job, "the requeued job wrote its own id");
    assert_ne!(second["lastSyncedAt"], Value::Null);
}

/// `$handleAcquireLockFailure` (`backend/src/services/secret-sync/secret-sync-queue.ts`): after
/// `REQUEUE_LIMIT` requeues the sync is `failed` with the server's message and that job's id;
/// a later run's final write replaces it.
#[tokio::test]
async fn a_sync_job_requeued_past_the_limit_fails_with_the_servers_message() {
    let f = Fixture::seeded().await;
    f.admin().set_sync_timing(SyncTiming {
        requeue_limit: 2,
        ..SyncTiming::default()
    });
    let connection = f.pat_connection("gh", "ghp_limit").await;
    grant_app(&f, "ghp_limit");
    f.admin().hold_sync_attempts(true);
    let id = f
        .create_sync_id(sync_body("limit", &connection, repository()))
        .await;
    engine_until(&f, |e| e.attempts_held == 1).await;
    f.admin()
        .set_secret(PROJECT, "dev", "/app", "db_url", "again");
    let engine = engine_until(&f, |e| e.lock_failures == 1).await;
    assert_eq!(engine.requeued, 2);
    let failed = f.admin().secret_sync(&id).unwrap();
    assert_eq!(failed["syncStatus"], "failed", "{failed}");
    assert_eq!(failed["lastSyncMessage"], LOCK_FAILED);
    assert!(failed["lastSyncJobId"].is_string());
    f.admin().hold_sync_attempts(false);
    let synced = f.settled(&id).await;
    assert_eq!(synced["syncStatus"], "succeeded", "{synced}");
    assert_eq!(synced["lastSyncMessage"], Value::Null);
    assert_ne!(synced["lastSyncJobId"], failed["lastSyncJobId"]);
}

/// `$tryAdmitConnectionConcurrency` (`backend/src/services/secret-sync/secret-sync-queue.ts`,
/// `CONNECTION_CONCURRENCY_LIMIT = 5`): a sync job that finds five sync jobs of its connection
/// running is requeued like one that met the lock.
#[tokio::test]
async fn a_sixth_running_sync_job_of_one_connection_is_requeued() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_six").await;
    grant_app(&f, "ghp_six");
    f.admin().hold_sync_attempts(true);
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            f.create_sync_id(sync_body(&format!("six-{n}"), &connection, repository()))
                .await,
        );
    }
    let engine = engine_until(&f, |e| e.attempts_held == 5 && e.requeued >= 1).await;
    assert_eq!(engine.attempts_running, 5, "{engine:?}");
    f.admin().hold_sync_attempts(false);
    for id in &ids {
        assert_eq!(f.settled(id).await["syncStatus"], "succeeded");
    }
}

/// `$handleAcquireLockFailure` (`backend/src/services/secret-sync/secret-sync-queue.ts`) for a
/// remove job: `removeStatus: failed` at once with the server's message, no requeue. Here the
/// `DELETE ?removeSecrets=true` is accepted between two attempts of a sync job, and the remove
/// job starts while the sync's next attempt holds the lock.
#[tokio::test]
async fn a_remove_job_that_meets_the_lock_fails_at_once() {
    let f = Fixture::seeded().await;
    f.admin().set_sync_timing(SyncTiming {
        attempts: 2,
        ..SyncTiming::default()
    });
    let connection = f.pat_connection("gh", "ghp_remove_lock").await;
    f.admin().hold_sync_retries(true);
    let id = f
        .create_sync_id(sync_body("remove-lock", &connection, repository()))
        .await;
    engine_until(&f, |e| e.between_attempts == 1).await;
    grant_app(&f, "ghp_remove_lock");
    f.admin().pause_syncs(true);
    let (status, body) = f.delete(&format!("{SYNCS}/{id}?removeSecrets=true")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secretSync"]["removeStatus"], "pending");
    f.admin().hold_sync_attempts(true);
    f.admin().hold_sync_retries(false);
    engine_until(&f, |e| e.attempts_held == 1).await;
    f.admin().pause_syncs(false);
    let engine = engine_until(&f, |e| e.lock_failures == 1).await;
    assert_eq!(engine.requeued, 0, "a remove job is not requeued");
    let refused = f.admin().secret_sync(&id).unwrap();
    assert_eq!(refused["removeStatus"], "failed", "{refused}");
    assert_eq!(refused["lastRemoveMessage"], LOCK_FAILED);
    assert!(refused["lastRemoveJobId"].is_string());
    f.admin().hold_sync_attempts(false);
    let synced = f.settled(&id).await;
    assert_eq!(
        synced["syncStatus"], "succeeded",
        "the sync stays: {synced}"
    );
    assert_eq!(
        held(&f, &GitHubScope::repo("acme", "app")),
        folder_secrets()
    );
}

/// `triggerSecretSyncSyncSecretsById`, `triggerSecretSyncRemoveSecretsById` and
/// `deleteSecretSync` (`backend/src/services/secret-sync/secret-sync-service.ts`) check the
/// folder, then the lock. A job whose folder is gone fails with the `SecretSyncError` of
/// `$getInfisicalSecrets` (`secret-sync-queue.ts`), which `parseSyncErrorMessage`
/// (`secret-sync-fns.ts`) writes as `{"message": …}`, and is not retried.
#[tokio::test]
async fn the_folder_is_checked_before_the_lock_and_a_job_without_it_fails_with_the_wrapped_message()
{
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_folder").await;
    grant_app(&f, "ghp_folder");
    f.admin().hold_sync_attempts(true);
    let id = f
        .create_sync_id(sync_body("folder", &connection, repository()))
        .await;
    engine_until(&f, |e| e.attempts_held == 1).await;
    let refusals = |expected: &'static str| {
        let f = &f;
        let id = id.clone();
        async move {
            for (method, path) in [
                (Method::POST, format!("{SYNCS}/{id}/sync-secrets")),
                (Method::POST, format!("{SYNCS}/{id}/remove-secrets")),
                (Method::DELETE, format!("{SYNCS}/{id}?removeSecrets=true")),
            ] {
                let (status, body) = f.call(method, &path, None).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
                assert_eq!(message(&body), expected, "{path}");
            }
        }
    };
    refusals(LOCKED).await;
    assert!(f.admin().delete_folder(PROJECT, "dev", "/app"));
    refusals(FOLDER_GONE).await;
    f.admin().hold_sync_attempts(false);
    let failed = f.settled(&id).await;
    assert_eq!(failed["syncStatus"], "failed", "{failed}");
    assert_eq!(
        failed["lastSyncMessage"],
        r#"{"message":"Invalid Secret Sync source configuration: folder no longer exists. Please update source environment and secret path."}"#
    );
    assert_eq!(
        f.admin().sync_engine().queued,
        1,
        "nothing was queued by the refusals"
    );
}

/// `updateSecretSync` (`backend/src/services/secret-sync/secret-sync-service.ts`): the row gets
/// `syncStatus: pending` only when auto-sync is on and it has a folder; a job is queued whenever
/// auto-sync is on, even with the folder gone (it then fails). The answer is the row after the
/// update, with `lastSyncJobId`, `lastSyncedAt` and `updatedAt`.
#[tokio::test]
async fn patch_sets_pending_only_with_a_folder_but_queues_whenever_auto_sync_is_on() {
    let f = Fixture::seeded().await;
    let connection = f.pat_connection("gh", "ghp_patch_folder").await;
    grant_app(&f, "ghp_patch_folder");
    let id = f
        .create_sync_id(sync_body("patch-folder", &connection, repository()))
        .await;
    let synced = f.settled(&id).await;
    assert_eq!(synced["syncStatus"], "succeeded");
    assert!(f.admin().delete_folder(PROJECT, "dev", "/app"));
    let queued = f.admin().sync_engine().queued;
    let (status, body) = f
        .call(
            Method::PATCH,
            &format!("{SYNCS}/{id}"),
            Some(json!({ "description": "no folder" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = &body["secretSync"];
    assert_eq!(answer["syncStatus"], "succeeded", "not pending: {answer}");
    assert_eq!(answer["description"], "no folder");
    assert_eq!(answer["lastSyncJobId"], synced["lastSyncJobId"]);
    assert_eq!(answer["lastSyncedAt"], synced["lastSyncedAt"]);
    assert!(answer["updatedAt"].is_string());
    assert_eq!(
        f.admin().sync_engine().queued,
        queued + 1,
        "a job is queued"
    );
    let failed = f.settled(&id).await;
    assert_eq!(failed["syncStatus"], "failed", "{failed}");
    assert!(
        failed["lastSyncMessage"]
            .as_str()
            .unwrap()
            .contains("folder no longer exists")
    );
    assert_ne!(failed["lastSyncJobId"], synced["lastSyncJobId"]);
    assert_eq!(failed["lastSyncedAt"], synced["lastSyncedAt"]);

    // Auto-sync off: nothing is queued.
    let queued = f.admin().sync_engine().queued;
    let (status, body) = f
        .call(
            Method::PATCH,
            &format!("{SYNCS}/{id}"),
            Some(json!({ "isAutoSyncEnabled": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secretSync"]["syncStatus"], "failed");
    assert_eq!(f.admin().sync_engine().queued, queued);

    // The folder back, and the source given again: the server looks it up (the gone folder's
    // path is unknown to it), so the sync has a folder and is pending.
    f.admin()
        .set_secret(PROJECT, "dev", "/app", "db_url", "back");
    let (status, body) = f
        .call(
            Method::PATCH,
            &format!("{SYNCS}/{id}"),
            Some(json!({ "isAutoSyncEnabled": true, "secretPath": "/app" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secretSync"]["syncStatus"], "pending", "{body}");
    assert_eq!(body["secretSync"]["folder"]["path"], "/app");
    assert_eq!(f.settled(&id).await["syncStatus"], "succeeded");
}

/// The server's own timing ([`SyncTiming::real`]): a queued sync job waits up to 10 s
/// (`JITTER_MS` in `backend/src/services/secret-sync/secret-sync-queue.ts`). The suite's one
/// test at the server's own pace: up to 10 s, run beside the others.
#[tokio::test]
async fn at_real_timing_a_queued_sync_runs_within_the_servers_jitter() {
    let f = Fixture::seeded_with(Config {
        sync_timing: SyncTiming::real(),
        ..Config::default()
    })
    .await;
    let connection = f.pat_connection("gh", "ghp_real").await;
    grant_app(&f, "ghp_real");
    let started = std::time::Instant::now();
    let created = f
        .create_sync(sync_body("real", &connection, repository()))
        .await;
    assert_eq!(created["syncStatus"], "pending");
    let synced = f
        .admin()
        .wait_for_sync(created["id"].as_str().unwrap(), Duration::from_secs(20))
        .await
        .expect("the sync's job ends")
        .expect("the sync exists");
    assert_eq!(synced["syncStatus"], "succeeded");
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
}
