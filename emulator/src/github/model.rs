//! The GitHub inside the emulator: repositories, organizations and their environments, the
//! Actions secrets GitHub keeps for each scope (each scope with its own X25519 key pair, so the
//! libsodium sealed boxes a client PUTs are opened and the plaintext can be read back), who may
//! reach what (personal access tokens, OAuth tokens, app installations and the installation
//! tokens minted for them), and GitHub's own rules on names, sizes and answers.
//!
//! Its HTTP face is [`super::http`]; the sync engine calls the same functions in process.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::github_time;

/// The organization every token and installation reaches in demo mode.
pub(crate) const DEMO_ORG: &str = "demo-org";
/// The repository that exists in demo mode.
pub(crate) const DEMO_REPO: &str = "demo-repo";
/// The environment of the demo repository.
pub(crate) const DEMO_ENVIRONMENT: &str = "production";

/// GitHub's limit on a secret's value: 48 KB.
const MAX_VALUE_BYTES: usize = 48 * 1024;
/// GitHub's default and largest page sizes.
pub(crate) const DEFAULT_PER_PAGE: usize = 30;
pub(crate) const MAX_PER_PAGE: usize = 100;
/// The documentation link of GitHub's Actions secrets API.
const DOCS: &str = "https://docs.github.com/rest/actions/secrets";
/// GitHub's 403 to an installation that sees the target but lacks the Secrets permission.
const NOT_ACCESSIBLE_BY_INTEGRATION: &str = "Resource not accessible by integration";
/// GitHub's 403 to a (fine-grained) personal access token that sees the target but lacks the
/// Secrets permission. OAuth tokens get the same text here (their own was not read).
const NOT_ACCESSIBLE_BY_TOKEN: &str = "Resource not accessible by personal access token";

/// Where GitHub keeps Actions secrets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "kebab-case")]
pub enum GitHubScope {
    /// An organization's secrets (`/orgs/{org}/actions/secrets`).
    Organization {
        /// The organization's login.
        org: String,
    },
    /// A repository's secrets (`/repos/{owner}/{repo}/actions/secrets`).
    Repository {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
    },
    /// A repository environment's secrets (`/repos/{owner}/{repo}/environments/{env}/secrets`).
    RepositoryEnvironment {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
        /// The environment's name.
        env: String,
    },
}

impl GitHubScope {
    /// An organization's scope.
    pub fn org(org: impl Into<String>) -> Self {
        Self::Organization { org: org.into() }
    }

    /// A repository's scope.
    pub fn repo(owner: impl Into<String>, repo: impl Into<String>) -> Self {
        Self::Repository {
            owner: owner.into(),
            repo: repo.into(),
        }
    }

    /// A repository environment's scope.
    pub fn env(owner: impl Into<String>, repo: impl Into<String>, env: impl Into<String>) -> Self {
        Self::RepositoryEnvironment {
            owner: owner.into(),
            repo: repo.into(),
            env: env.into(),
        }
    }

    /// GitHub compares logins, repository and environment names case-insensitively.
    fn key(&self) -> Self {
        match self {
            Self::Organization { org } => Self::org(org.to_lowercase()),
            Self::Repository { owner, repo } => {
                Self::repo(owner.to_lowercase(), repo.to_lowercase())
            }
            Self::RepositoryEnvironment { owner, repo, env } => Self::env(
                owner.to_lowercase(),
                repo.to_lowercase(),
                env.to_lowercase(),
            ),
        }
    }

    fn is_org(&self) -> bool {
        matches!(self, Self::Organization { .. })
    }

    /// The documentation link of one operation at this scope, as GitHub puts in its errors.
    pub(crate) fn docs(&self, operation: Operation) -> String {
        let level = match self {
            Self::Organization { .. } => ("an-organization", "organization"),
            Self::Repository { .. } => ("a-repository", "repository"),
            Self::RepositoryEnvironment { .. } => ("an-environment", "environment"),
        };
        let anchor = match operation {
            Operation::List => format!("list-{}-secrets", level.1),
            Operation::PublicKey => format!("get-{}-public-key", level.0),
            Operation::Get => format!("get-{}-secret", level.0),
            Operation::Put => format!("create-or-update-{}-secret", level.0),
            Operation::Delete => format!("delete-{}-secret", level.0),
        };
        format!("{DOCS}#{anchor}")
    }
}

/// An Actions secrets operation, for the documentation link of its errors.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Operation {
    List,
    PublicKey,
    Get,
    Put,
    Delete,
}

/// Something GitHub may let reach a repository or organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Holder {
    /// A personal access token or an OAuth access token.
    Token(String),
    /// A GitHub App installation (its minted tokens reach what it reaches).
    Installation(String),
}

/// What a grant reaches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GitHubTarget {
    /// One repository (its secrets and its environments' secrets).
    Repository {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
    },
    /// An organization: its own secrets and every repository it owns.
    Organization(String),
}

/// A secret as GitHub holds it, decrypted (for tests and the demo only: GitHub never returns
/// values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitHubSecret {
    /// The name, upper-case as GitHub stores it.
    pub name: String,
    /// The plaintext opened from the sealed box.
    pub value: String,
    /// At organization scope: `all`, `private` or `selected`.
    pub visibility: Option<String>,
    /// At organization scope with `selected` visibility: the repositories' ids.
    pub selected_repository_ids: Option<Vec<u64>>,
    /// When it was first PUT.
    pub created_at: String,
    /// When it was last PUT.
    pub updated_at: String,
}

/// An error answer from GitHub: `{"message", "documentation_url", "status"}`, with the status as
/// a string, as GitHub's REST API writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GitHubError {
    pub(crate) status: u16,
    pub(crate) message: String,
    pub(crate) documentation_url: String,
}

impl GitHubError {
    pub(crate) fn new(
        status: u16,
        message: impl Into<String>,
        documentation_url: impl Into<String>,
    ) -> Self {
        Self {
            status,
            message: message.into(),
            documentation_url: documentation_url.into(),
        }
    }

    fn not_found(documentation_url: impl Into<String>) -> Self {
        Self::new(404, "Not Found", documentation_url)
    }

    fn unprocessable(message: impl Into<String>, documentation_url: impl Into<String>) -> Self {
        Self::new(422, message, documentation_url)
    }

    /// The body as GitHub writes it, keys in GitHub's order (what `JSON.stringify` of the parsed
    /// body gives, and so what Infisical stores as `lastSyncMessage`).
    pub(crate) fn body(&self) -> String {
        let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
        format!(
            "{{\"message\":{},\"documentation_url\":{},\"status\":{}}}",
            text(&self.message),
            text(&self.documentation_url),
            text(&self.status.to_string())
        )
    }
}

impl IntoResponse for GitHubError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            self.body(),
        )
            .into_response()
    }
}

/// A repository.
#[derive(Debug, Clone)]
struct Repo {
    id: u64,
    /// Lower-cased environment name → the name as declared.
    environments: BTreeMap<String, String>,
}

/// One secret as stored.
#[derive(Debug, Clone)]
struct Stored {
    value: String,
    visibility: Option<String>,
    selected_repository_ids: Option<Vec<u64>>,
    created_at: String,
    updated_at: String,
}

/// A scope's key pair and secrets.
struct Vault {
    key_id: String,
    secret_key: SecretKey,
    secrets: BTreeMap<String, Stored>,
}

impl Vault {
    fn new() -> Self {
        Self {
            key_id: rand::rng()
                .random_range(100_000_000_000_000_000u64..u64::MAX)
                .to_string(),
            secret_key: SecretKey::generate(&mut OsRng),
            secrets: BTreeMap::new(),
        }
    }

    fn public_key(&self) -> PublicKey {
        self.secret_key.public_key()
    }
}

/// What a holder reaches: lower-cased organizations and `owner/repo`s, with the Secrets
/// permission, and those it sees without it (GitHub answers 403 there).
#[derive(Debug, Clone, Default)]
struct Access {
    orgs: HashSet<String>,
    repos: HashSet<String>,
    orgs_without_secrets: HashSet<String>,
    repos_without_secrets: HashSet<String>,
}

impl Access {
    /// The sets a grant of `target` goes to: `(with secrets, without)`.
    fn sets(&mut self, org: bool) -> (&mut HashSet<String>, &mut HashSet<String>) {
        if org {
            (&mut self.orgs, &mut self.orgs_without_secrets)
        } else {
            (&mut self.repos, &mut self.repos_without_secrets)
        }
    }
}

impl Access {
    fn demo() -> Self {
        Self {
            orgs: HashSet::from([DEMO_ORG.to_owned()]),
            ..Self::default()
        }
    }
}

/// A grant's target as `Access` keys it (lower-cased), and whether it is an organization.
fn target_key(target: &GitHubTarget) -> (String, bool) {
    match target {
        GitHubTarget::Repository { owner, repo } => (
            format!("{}/{}", owner.to_lowercase(), repo.to_lowercase()),
            false,
        ),
        GitHubTarget::Organization(org) => (org.to_lowercase(), true),
    }
}

/// What a token is.
#[derive(Debug, Clone)]
enum TokenKind {
    /// A PAT or an OAuth token: its own grants.
    Own(Access),
    /// An installation token: what its installation reaches.
    Installation(String),
}

/// Which installations the user behind a code can see.
#[derive(Debug, Clone)]
pub(crate) enum Visible {
    Some(HashSet<String>),
    All,
}

/// A code declared by a test: who can see what, and whether it was exchanged already.
#[derive(Debug, Clone)]
struct Code {
    installations: HashSet<String>,
    used: bool,
}

/// The whole simulated GitHub: what it accepts as credentials (declared PATs and codes, and in
/// demo mode a few simple rules), and the world behind them.
#[derive(Default)]
pub(crate) struct GitHub {
    /// Whether the demo rules apply.
    demo: bool,
    /// Personal access tokens GitHub accepts.
    pats: HashSet<String>,
    /// Codes declared by tests.
    codes: HashMap<String, Code>,
    /// Codes exchanged under the demo rule ("any code works once").
    demo_used: HashSet<String>,
    /// `owner/repo`, lower-cased → repository.
    repos: BTreeMap<String, Repo>,
    /// Organizations declared on their own (owners of repositories count as organizations too).
    orgs: BTreeSet<String>,
    vaults: HashMap<GitHubScope, Vault>,
    tokens: HashMap<String, TokenKind>,
    installations: HashMap<String, Access>,
    /// Installation id → how many tokens were minted for it.
    minted: HashMap<String, u64>,
    next_repo_id: u64,
}

/// GitHub's rule for secret names: `[A-Za-z0-9_]`, not starting with a digit or `GITHUB_`. The
/// exact texts of GitHub's 422s were not read; these say what the documentation's rules say.
fn check_name(name: &str, docs: &str) -> Result<(), GitHubError> {
    let valid_chars =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid_chars || name.as_bytes()[0].is_ascii_digit() {
        return Err(GitHubError::unprocessable(
            "Failed to add secret. Secret names can only contain alphanumeric characters \
             ([a-z], [A-Z], [0-9]) or underscores (_), and must not start with a number.",
            docs,
        ));
    }
    if name.to_uppercase().starts_with("GITHUB_") {
        return Err(GitHubError::unprocessable(
            "Failed to add secret. Secret names must not start with the GITHUB_ prefix.",
            docs,
        ));
    }
    Ok(())
}

impl GitHub {
    /// An empty GitHub; in demo mode, `demo-org/demo-repo` (environment `production`) exists
    /// and every token and installation seen reaches `demo-org`.
    pub(crate) fn new(demo: bool) -> Self {
        let mut server = Self {
            demo,
            pats: HashSet::new(),
            codes: HashMap::new(),
            demo_used: HashSet::new(),
            repos: BTreeMap::new(),
            orgs: BTreeSet::new(),
            vaults: HashMap::new(),
            tokens: HashMap::new(),
            installations: HashMap::new(),
            minted: HashMap::new(),
            next_repo_id: 700_000_001,
        };
        if demo {
            server.add_repo(DEMO_ORG, DEMO_REPO, &[DEMO_ENVIRONMENT.to_owned()]);
        }
        server
    }

    // ----- the world (admin) -----

    /// Declares a repository (and its owner as an organization), adding environments to an
    /// existing one; its numeric id.
    pub(crate) fn add_repo(&mut self, owner: &str, name: &str, environments: &[String]) -> u64 {
        let key = format!("{}/{}", owner.to_lowercase(), name.to_lowercase());
        let next = self.next_repo_id;
        let repo = self.repos.entry(key).or_insert_with(|| Repo {
            id: next,
            environments: BTreeMap::new(),
        });
        if repo.id == next {
            self.next_repo_id += 1;
        }
        for env in environments {
            repo.environments.insert(env.to_lowercase(), env.clone());
        }
        repo.id
    }

    /// Declares an organization without repositories.
    pub(crate) fn add_org(&mut self, org: &str) {
        self.orgs.insert(org.to_lowercase());
    }

    fn org_exists(&self, org: &str) -> bool {
        self.orgs.contains(org) || self.repos.keys().any(|k| k.split('/').next() == Some(org))
    }

    /// Declares a PAT or an OAuth token (an existing one keeps its grants). In demo mode it
    /// reaches `demo-org`.
    pub(crate) fn register_token(&mut self, token: &str) {
        let demo = self.demo;
        self.tokens.entry(token.to_owned()).or_insert_with(|| {
            TokenKind::Own(if demo {
                Access::demo()
            } else {
                Access::default()
            })
        });
    }

    /// Declares an installation (an existing one keeps its grants). In demo mode it reaches
    /// `demo-org`.
    pub(crate) fn register_installation(&mut self, installation: &str) {
        let demo = self.demo;
        self.installations
            .entry(installation.to_owned())
            .or_insert_with(|| {
                if demo {
                    Access::demo()
                } else {
                    Access::default()
                }
            });
    }

    fn access_mut(&mut self, holder: &Holder) -> Result<&mut Access, String> {
        match holder {
            Holder::Token(token) => {
                self.register_token(token);
                match self.tokens.get_mut(token) {
                    Some(TokenKind::Own(access)) => Ok(access),
                    _ => Err("an installation token's access is its installation's".to_owned()),
                }
            }
            Holder::Installation(id) => {
                self.register_installation(id);
                self.installations
                    .get_mut(id)
                    .ok_or_else(|| format!("no installation {id}"))
            }
        }
    }

    // ----- credentials -----

    /// Declares a personal access token GitHub accepts (known at once, so grants can name it
    /// before a connection exists).
    pub(crate) fn add_pat(&mut self, pat: String) {
        self.register_token(&pat);
        self.pats.insert(pat);
    }

    /// Declares an OAuth/GitHub App code, usable once, whose user sees `installations`.
    pub(crate) fn add_code(&mut self, code: String, installations: HashSet<String>) {
        self.codes.insert(
            code,
            Code {
                installations,
                used: false,
            },
        );
    }

    /// Whether a code has been exchanged (declared codes and demo codes alike).
    pub(crate) fn code_used(&self, code: &str) -> bool {
        self.codes.get(code).is_some_and(|c| c.used) || self.demo_used.contains(code)
    }

    /// Whether GitHub accepts a personal access token (`GET /user`); an accepted one is known
    /// from then on.
    pub(crate) fn accept_pat(&mut self, pat: &str) -> bool {
        let valid = self.pats.contains(pat)
            || (self.demo && (pat.starts_with("ghp_") || pat.starts_with("github_pat_")));
        if valid {
            self.register_token(pat);
        }
        valid
    }

    /// Exchanges a code the way `POST /login/oauth/access_token` does: once. `None` is GitHub's
    /// `bad_verification_code` (unknown, already exchanged, or expired).
    pub(crate) fn exchange(&mut self, code: &str) -> Option<Visible> {
        if let Some(declared) = self.codes.get_mut(code) {
            if declared.used {
                return None;
            }
            declared.used = true;
            return Some(Visible::Some(declared.installations.clone()));
        }
        (self.demo && self.demo_used.insert(code.to_owned())).then_some(Visible::All)
    }

    /// A fresh OAuth access token, the answer to a code exchanged for one.
    pub(crate) fn issue_oauth_token(&mut self) -> String {
        let token = format!("gho_emulated_{}", uuid::Uuid::new_v4().simple());
        self.register_token(&token);
        token
    }

    /// Lets `holder` reach `target`: with the Secrets permission (`secrets`), or seeing it
    /// without (its Actions secrets requests then get GitHub's 403). A grant replaces the other
    /// kind of grant of the same target.
    pub(crate) fn grant(
        &mut self,
        holder: &Holder,
        target: &GitHubTarget,
        secrets: bool,
    ) -> Result<(), String> {
        let access = self.access_mut(holder)?;
        let (key, org) = target_key(target);
        let (with, without) = access.sets(org);
        if secrets {
            without.remove(&key);
            with.insert(key);
        } else {
            with.remove(&key);
            without.insert(key);
        }
        Ok(())
    }

    /// Takes `target` away from `holder`, either kind of grant (a repository grant and an
    /// organization grant are separate: revoking one leaves the other).
    pub(crate) fn revoke(&mut self, holder: &Holder, target: &GitHubTarget) -> Result<(), String> {
        let access = self.access_mut(holder)?;
        let (key, org) = target_key(target);
        let (with, without) = access.sets(org);
        with.remove(&key);
        without.remove(&key);
        Ok(())
    }

    /// `POST /app/installations/{id}/access_tokens`: a fresh token reaching what the
    /// installation reaches (the app's JWT is not checked). Each mint is counted.
    pub(crate) fn mint_installation_token(&mut self, installation: &str) -> String {
        self.register_installation(installation);
        *self.minted.entry(installation.to_owned()).or_default() += 1;
        let token = format!("ghs_{}", uuid::Uuid::new_v4().simple());
        self.tokens.insert(
            token.clone(),
            TokenKind::Installation(installation.to_owned()),
        );
        token
    }

    /// How many installation tokens were minted for `installation`.
    pub(crate) fn minted(&self, installation: &str) -> u64 {
        self.minted.get(installation).copied().unwrap_or_default()
    }

    /// Every secret of a scope, decrypted; `None` when the scope does not exist.
    pub(crate) fn secrets(&self, scope: &GitHubScope) -> Option<Vec<GitHubSecret>> {
        let key = scope.key();
        self.check_exists(&key, "").ok()?;
        let Some(vault) = self.vaults.get(&key) else {
            return Some(Vec::new());
        };
        Some(
            vault
                .secrets
                .iter()
                .map(|(name, stored)| GitHubSecret {
                    name: name.clone(),
                    value: stored.value.clone(),
                    visibility: stored.visibility.clone(),
                    selected_repository_ids: stored.selected_repository_ids.clone(),
                    created_at: stored.created_at.clone(),
                    updated_at: stored.updated_at.clone(),
                })
                .collect(),
        )
    }

    // ----- the REST API -----

    /// A 404 unless the scope exists.
    fn check_exists(&self, key: &GitHubScope, docs: &str) -> Result<(), GitHubError> {
        let exists = match key {
            GitHubScope::Organization { org } => self.org_exists(org),
            GitHubScope::Repository { owner, repo } => {
                self.repos.contains_key(&format!("{owner}/{repo}"))
            }
            GitHubScope::RepositoryEnvironment { owner, repo, env } => self
                .repos
                .get(&format!("{owner}/{repo}"))
                .is_some_and(|r| r.environments.contains_key(env)),
        };
        if exists {
            Ok(())
        } else {
            Err(GitHubError::not_found(docs))
        }
    }

    /// Checks the token and that it reaches the (existing) scope; GitHub answers 404 both for a
    /// scope that does not exist and for one the token cannot see. Returns the scope's key.
    fn authorize(
        &mut self,
        token: Option<&str>,
        scope: &GitHubScope,
        docs: &str,
    ) -> Result<GitHubScope, GitHubError> {
        let Some(token) = token else {
            return Err(GitHubError::new(401, "Requires authentication", docs));
        };
        if !self.tokens.contains_key(token)
            && self.demo
            && (token.starts_with("ghp_") || token.starts_with("github_pat_"))
        {
            self.register_token(token);
        }
        let (access, refused) = match self.tokens.get(token) {
            None => {
                return Err(GitHubError::new(
                    401,
                    "Bad credentials",
                    "https://docs.github.com/rest",
                ));
            }
            Some(TokenKind::Own(access)) => (access, NOT_ACCESSIBLE_BY_TOKEN),
            Some(TokenKind::Installation(id)) => match self.installations.get(id) {
                Some(access) => (access, NOT_ACCESSIBLE_BY_INTEGRATION),
                None => return Err(GitHubError::not_found(docs)),
            },
        };
        let key = scope.key();
        let reaches = |orgs: &HashSet<String>, repos: &HashSet<String>| match &key {
            GitHubScope::Organization { org } => orgs.contains(org),
            GitHubScope::Repository { owner, repo }
            | GitHubScope::RepositoryEnvironment { owner, repo, .. } => {
                orgs.contains(owner) || repos.contains(&format!("{owner}/{repo}"))
            }
        };
        if reaches(&access.orgs, &access.repos) {
            self.check_exists(&key, docs)?;
            return Ok(key);
        }
        if reaches(&access.orgs_without_secrets, &access.repos_without_secrets) {
            self.check_exists(&key, docs)?;
            return Err(GitHubError::new(403, refused, DOCS));
        }
        Err(GitHubError::not_found(docs))
    }

    /// `GET {prefix}?per_page&page`: one page of `{total_count, secrets}` and the number of the
    /// last page.
    pub(crate) fn list(
        &mut self,
        token: Option<&str>,
        scope: &GitHubScope,
        per_page: Option<usize>,
        page: Option<usize>,
    ) -> Result<(Value, usize), GitHubError> {
        let docs = scope.docs(Operation::List);
        let key = self.authorize(token, scope, &docs)?;
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE);
        let page = page.unwrap_or(1).max(1);
        let empty = BTreeMap::new();
        let secrets = self.vaults.get(&key).map_or(&empty, |v| &v.secrets);
        let last = secrets.len().div_ceil(per_page).max(1);
        let listed: Vec<Value> = secrets
            .iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .map(|(name, stored)| {
                let mut item = json!({
                    "name": name,
                    "created_at": stored.created_at,
                    "updated_at": stored.updated_at,
                });
                if let (GitHubScope::Organization { org }, Some(object)) = (&key, item.as_object_mut()) {
                    object.insert("visibility".to_owned(), json!(stored.visibility));
                    if stored.visibility.as_deref() == Some("selected") {
                        object.insert(
                            "selected_repositories_url".to_owned(),
                            json!(format!(
                                "https://api.github.com/orgs/{org}/actions/secrets/{name}/repositories"
                            )),
                        );
                    }
                }
                item
            })
            .collect();
        Ok((
            json!({ "total_count": secrets.len(), "secrets": listed }),
            last,
        ))
    }

    /// `GET {prefix}/public-key`: `{key_id, key}` (the key in standard base64).
    pub(crate) fn public_key(
        &mut self,
        token: Option<&str>,
        scope: &GitHubScope,
    ) -> Result<Value, GitHubError> {
        let docs = scope.docs(Operation::PublicKey);
        let key = self.authorize(token, scope, &docs)?;
        let vault = self.vaults.entry(key).or_insert_with(Vault::new);
        Ok(json!({
            "key_id": vault.key_id,
            "key": STANDARD.encode(vault.public_key().as_bytes()),
        }))
    }

    /// `GET {prefix}/{name}`: one secret's metadata.
    pub(crate) fn get(
        &mut self,
        token: Option<&str>,
        scope: &GitHubScope,
        name: &str,
    ) -> Result<Value, GitHubError> {
        let docs = scope.docs(Operation::Get);
        let key = self.authorize(token, scope, &docs)?;
        let stored = self
            .vaults
            .get(&key)
            .and_then(|v| v.secrets.get(&name.to_uppercase()))
            .ok_or_else(|| GitHubError::not_found(&docs))?;
        let mut answer = json!({
            "name": name.to_uppercase(),
            "created_at": stored.created_at,
            "updated_at": stored.updated_at,
        });
        if key.is_org()
            && let Some(object) = answer.as_object_mut()
        {
            object.insert("visibility".to_owned(), json!(stored.visibility));
        }
        Ok(answer)
    }

    /// `PUT {prefix}/{name}` with `{encrypted_value, key_id}` (and at organization scope
    /// `visibility`, `selected_repository_ids`): opens the sealed box and stores the plaintext
    /// under the upper-cased name. Whether the secret was created (201) rather than updated (204).
    pub(crate) fn put(
        &mut self,
        token: Option<&str>,
        scope: &GitHubScope,
        name: &str,
        body: &Value,
    ) -> Result<bool, GitHubError> {
        let docs = scope.docs(Operation::Put);
        let key = self.authorize(token, scope, &docs)?;
        let field = |name: &str| body.get(name).filter(|v| !v.is_null());
        let missing = |name: &str| {
            GitHubError::unprocessable(
                format!("Invalid request.\n\n\"{name}\" wasn't supplied."),
                &docs,
            )
        };
        let wrong_type = |name: &str, kind: &str| {
            GitHubError::unprocessable(
                format!("Invalid request.\n\nFor '{name}', the value is not of type {kind}."),
                &docs,
            )
        };
        let encrypted = field("encrypted_value").ok_or_else(|| missing("encrypted_value"))?;
        let encrypted = encrypted
            .as_str()
            .ok_or_else(|| wrong_type("encrypted_value", "string"))?;
        let key_id = field("key_id").ok_or_else(|| missing("key_id"))?;
        let key_id = key_id
            .as_str()
            .ok_or_else(|| wrong_type("key_id", "string"))?;
        let (visibility, selected) = if key.is_org() {
            let visibility = field("visibility").ok_or_else(|| missing("visibility"))?;
            let visibility = visibility
                .as_str()
                .filter(|v| matches!(*v, "all" | "private" | "selected"))
                .ok_or_else(|| {
                    GitHubError::unprocessable(
                        "Invalid request.\n\nFor 'visibility', the value must be one of: all, \
                         private, selected.",
                        &docs,
                    )
                })?;
            let selected = match field("selected_repository_ids") {
                None => None,
                Some(Value::Array(ids)) => Some(
                    ids.iter()
                        .map(Value::as_u64)
                        .collect::<Option<Vec<u64>>>()
                        .ok_or_else(|| {
                            wrong_type("selected_repository_ids", "array of integers")
                        })?,
                ),
                Some(_) => return Err(wrong_type("selected_repository_ids", "array")),
            };
            let selected = (visibility == "selected").then(|| selected.unwrap_or_default());
            (Some(visibility.to_owned()), selected)
        } else {
            (None, None)
        };
        check_name(name, &docs)?;
        let vault = self.vaults.entry(key).or_insert_with(Vault::new);
        if key_id != vault.key_id {
            return Err(GitHubError::unprocessable(
                "Bad request. The key_id does not match the current public key of this scope.",
                &docs,
            ));
        }
        let undecryptable = || {
            GitHubError::unprocessable(
                "Bad request. encrypted_value could not be decrypted with the public key key_id \
                 names.",
                &docs,
            )
        };
        let sealed = STANDARD.decode(encrypted).map_err(|_| undecryptable())?;
        let plaintext = vault
            .secret_key
            .unseal(&sealed)
            .map_err(|_| undecryptable())?;
        if plaintext.len() > MAX_VALUE_BYTES {
            return Err(GitHubError::unprocessable(
                "Failed to add secret. Secret values are limited to 48 KB.",
                &docs,
            ));
        }
        let value = String::from_utf8_lossy(&plaintext).into_owned();
        let now = github_time(time::Duration::ZERO);
        let upper = name.to_uppercase();
        let created = match vault.secrets.get_mut(&upper) {
            Some(stored) => {
                stored.value = value;
                stored.visibility = visibility;
                stored.selected_repository_ids = selected;
                stored.updated_at = now;
                false
            }
            None => {
                vault.secrets.insert(
                    upper,
                    Stored {
                        value,
                        visibility,
                        selected_repository_ids: selected,
                        created_at: now.clone(),
                        updated_at: now,
                    },
                );
                true
            }
        };
        Ok(created)
    }

    /// `DELETE {prefix}/{name}`: 404 when there is no such secret.
    pub(crate) fn delete(
        &mut self,
        token: Option<&str>,
        scope: &GitHubScope,
        name: &str,
    ) -> Result<(), GitHubError> {
        let docs = scope.docs(Operation::Delete);
        let key = self.authorize(token, scope, &docs)?;
        self.vaults
            .get_mut(&key)
            .and_then(|v| v.secrets.remove(&name.to_uppercase()))
            .map(|_| ())
            .ok_or_else(|| GitHubError::not_found(&docs))
    }
}

/// The body of a GitHub secret PUT, as a client of GitHub's API writes it: `value` sealed
/// (libsodium's sealed box, base64) for `public_key`, the answer of the scope's `public-key`
/// route; `None` when that is not a public key.
pub fn sealed_secret(public_key: &Value, value: &str) -> Option<Value> {
    let bytes: [u8; 32] = STANDARD
        .decode(public_key["key"].as_str()?)
        .ok()?
        .try_into()
        .ok()?;
    let sealed = PublicKey::from(bytes)
        .seal(&mut OsRng, value.as_bytes())
        .ok()?;
    Some(json!({ "encrypted_value": STANDARD.encode(sealed), "key_id": public_key["key_id"] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(server: &mut GitHub, token: &str, scope: &GitHubScope, value: &str) -> Value {
        let key = server.public_key(Some(token), scope).unwrap();
        sealed_secret(&key, value).unwrap()
    }

    #[test]
    fn sealed_values_are_opened_and_names_upper_cased() {
        let mut server = GitHub::new(false);
        server.add_repo("Acme", "App", &[]);
        let holder = Holder::Token("ghp_x".into());
        server
            .grant(
                &holder,
                &GitHubTarget::Repository {
                    owner: "acme".into(),
                    repo: "app".into(),
                },
                true,
            )
            .unwrap();
        let scope = GitHubScope::repo("acme", "app");
        let body = sealed(&mut server, "ghp_x", &scope, "hunter2");
        assert_eq!(
            server.put(Some("ghp_x"), &scope, "db_pass", &body),
            Ok(true)
        );
        assert_eq!(
            server.put(Some("ghp_x"), &scope, "DB_PASS", &body),
            Ok(false)
        );
        let held = server.secrets(&scope).unwrap();
        assert_eq!(
            (held[0].name.as_str(), held[0].value.as_str()),
            ("DB_PASS", "hunter2")
        );
        for bad in ["1ABC", "GITHUB_TOKEN", "A-B"] {
            let error = server.put(Some("ghp_x"), &scope, bad, &body).unwrap_err();
            assert_eq!(error.status, 422, "{bad}");
        }
        assert_eq!(
            server
                .list(Some("nope"), &scope, None, None)
                .unwrap_err()
                .status,
            401
        );
        let other = GitHubScope::repo("acme", "other");
        assert_eq!(
            server
                .list(Some("ghp_x"), &other, None, None)
                .unwrap_err()
                .status,
            404
        );
    }

    #[test]
    fn codes_are_single_use() {
        let mut github = GitHub::new(false);
        github.add_code("c1".into(), HashSet::from(["42".to_owned()]));
        assert!(github.exchange("c1").is_some());
        assert!(github.exchange("c1").is_none());
        assert!(github.code_used("c1"));
    }

    #[test]
    fn error_bodies_keep_githubs_key_order() {
        let error = GitHubError::not_found("https://docs.github.com/rest");
        assert_eq!(
            error.body(),
            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}"#
        );
    }
}
