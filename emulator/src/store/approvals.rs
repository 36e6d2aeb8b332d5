//! Secret-approval policies (change policies) and the approval requests they open instead of
//! writing, as `secret-approval-policy` and `secret-approval-request` keep them. The admin API
//! declares policies; the secret write routes open requests; nothing merges them.

use serde::Serialize;
use serde_json::{Value, json};

/// A policy over an environment and a secret path (a glob, as the server's `picomatch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalPolicy {
    /// Its id.
    pub id: String,
    /// The project.
    pub project_id: String,
    /// The environment's slug.
    pub environment: String,
    /// The secret path it covers: `/`, `/app`, or a glob such as `/app/**` or `/*`.
    pub secret_path: String,
    /// `bypassForMachineIdentities`: machine identities write directly.
    pub bypass_for_machine_identities: bool,
}

/// One change an approval request holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalCommit {
    /// `create`, `update` or `delete` (`SecretOperations`).
    pub op: String,
    /// The secret's name.
    pub secret_key: String,
    /// For an update that renames it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_secret_name: Option<String>,
}

/// An approval request: a change held until someone approves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    /// Its id.
    pub id: String,
    /// Its slug, as the UI shows it.
    pub slug: String,
    /// The policy that opened it.
    pub policy_id: String,
    /// The folder the changes are for.
    pub folder_id: String,
    /// The project.
    pub project_id: String,
    /// The machine identity that committed it.
    pub committer_identity_id: String,
    /// The changes it holds.
    pub commits: Vec<ApprovalCommit>,
    /// `createdAt`.
    pub created_at: String,
}

impl ApprovalRequest {
    /// `SecretApprovalRequestsSchema`: the `approval` of a write's answer.
    pub(crate) fn view(&self) -> Value {
        json!({
            "id": self.id,
            "policyId": self.policy_id,
            "hasMerged": false,
            "status": "open",
            "conflicts": null,
            "slug": self.slug,
            "folderId": self.folder_id,
            "bypassReason": null,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
            "isReplicated": null,
            "committerUserId": null,
            "committerIdentityId": self.committer_identity_id,
            "statusChangedByUserId": null,
        })
    }
}

/// The policies and the requests they opened.
#[derive(Debug, Default, Clone)]
pub(crate) struct Approvals {
    pub(crate) policies: Vec<ApprovalPolicy>,
    pub(crate) requests: Vec<ApprovalRequest>,
}

impl Approvals {
    /// The first policy of the project that covers `environment` and `path`.
    pub(crate) fn policy_for(
        &self,
        project_id: &str,
        environment: &str,
        path: &str,
    ) -> Option<&ApprovalPolicy> {
        self.policies.iter().find(|p| {
            p.project_id == project_id
                && p.environment == environment
                && glob_matches(&p.secret_path, path)
        })
    }
}

/// Whether `path` matches the policy's glob: segment by segment, `**` any number of segments
/// (none included), `*` any characters within one segment, anything else itself. Empty segments
/// (`//`, a trailing `/`) do not count.
pub(crate) fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(segment, others)| {
            segment_matches(first, segment) && segments_match(rest, others)
        }),
    }
}

/// `*` matches any run of characters (an empty one too); everything else matches itself.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == segment,
        Some((prefix, rest)) => {
            let Some(tail) = segment.strip_prefix(prefix) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| segment_matches(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_segment_by_segment() {
        assert!(glob_matches("/", "/"));
        assert!(!glob_matches("/", "/app"));
        assert!(glob_matches("/app", "/app/"));
        assert!(glob_matches("/app/**", "/app"));
        assert!(glob_matches("/app/**", "/app/db/x"));
        assert!(!glob_matches("/app/**", "/web"));
        assert!(glob_matches("/*", "/web"));
        assert!(!glob_matches("/*", "/web/x"));
        assert!(glob_matches("/**", "/"));
        assert!(glob_matches("/a*-db", "/app-db"));
        assert!(!glob_matches("/a*-db", "/app-web"));
    }
}
