//! What a GitHub sync's runs and removals come to, in words: the diagnostics of a failed run or
//! removal, of a wait that ran out or was interrupted, and what GitHub's or Infisical's message
//! means for the user — with what to do, which for a failed run always ends in how to run it
//! again (a failed run is never re-run by a plan on its own).

use crate::infisical::{SecretSync, SyncStatus, Waited};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};

use super::attr;
use super::scope;
use super::state::{Destination, Sync};

/// How to run a sync again once the cause of its failure is fixed.
pub(super) const RERUN: &str = "Once the cause is fixed, run the sync again: change any value of \
     `resync_triggers` (e.g. `resync_triggers = { fixed = \"1\" }`) and apply, or run it from \
     Infisical (its \"Sync\" action); with auto-sync, a change of the source secrets runs it too.";

/// Which operation waited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Waiter {
    /// A create, waiting for the first run. A failure there is a warning: Terraform taints a
    /// resource whose create returned an error, and replacing the sync would remove and rewrite
    /// GitHub's secrets on every apply while the cause lasts.
    Create,
    /// An update, waiting for the run it queued. A failure is an error: the state keeps the new
    /// configuration, so nothing is planned again.
    Update,
}

/// Writes what a wait for a run found into `state` and reports it: a failed run (an error, or a
/// warning for a create), a wait that ran out or was interrupted (a warning: Infisical goes on
/// with the run), a sync deleted meanwhile (an error). `result` is what the wait returned, or
/// the diagnostic of a wait that failed to read the sync.
pub(super) fn report_run(
    result: Result<Waited, Diagnostic>,
    waiter: Waiter,
    state: &mut Sync,
    diags: &mut Diagnostics,
) {
    let timeout = match waiter {
        Waiter::Create => "timeouts.create",
        Waiter::Update => "timeouts.update",
    };
    match result {
        Ok(Waited::Idle(sync)) => {
            state.take_status(&sync);
            if sync.sync_status == Some(SyncStatus::Failed) {
                let mut diag = failure(&sync, &state.destination);
                if waiter == Waiter::Create {
                    diag.severity = Severity::Warning;
                    diag.summary = format!(
                        "GitHub sync {:?} was created, but its first run failed",
                        sync.name
                    );
                    diag.detail.push_str(
                        "\n\nThe sync is kept in state (not tainted), so no apply replaces it; \
                         every refresh warns until a run succeeds.",
                    );
                }
                diags.add(diag);
            }
        }
        Ok(Waited::TimedOut(sync)) => {
            state.take_status(&sync);
            diags.warning(
                format!("GitHub sync {:?} still running", state.name),
                format!(
                    "the run was still {} when {timeout} (default 10m) ran out; Infisical goes on \
                     with it, and its outcome shows in `sync_status` on the next refresh. Raise \
                     {timeout}, or set wait_for_sync = false not to wait.",
                    sync.sync_status.map_or("queued", SyncStatus::as_str)
                ),
            );
        }
        Ok(Waited::Stopped(seen)) => {
            if let Some(sync) = &seen {
                state.take_status(sync);
            }
            diags.warning(
                format!("Stopped waiting for GitHub sync {:?}", state.name),
                format!(
                    "Terraform was interrupted while the run was {}; Infisical goes on with it. \
                     The sync is kept in state, and its outcome shows in `sync_status` on the \
                     next refresh.",
                    seen.and_then(|sync| sync.sync_status)
                        .map_or("queued", SyncStatus::as_str)
                ),
            );
        }
        Ok(Waited::Gone) => diags.add(Diagnostic {
            severity: Severity::Error,
            summary: format!("GitHub sync {:?} disappeared", state.name),
            detail: format!(
                "the sync {} was deleted outside Terraform while apply waited for it; the next \
                 plan creates it again.",
                state.id.known().unwrap_or("?")
            ),
            path: None,
        }),
        Err(mut diag) => {
            diag.severity = Severity::Warning;
            diags.add(diag);
        }
    }
}

/// The warning a refresh gives for a sync whose last run failed.
pub(super) fn failed_last_run(sync: &SecretSync, destination: &Destination) -> Diagnostic {
    let mut warning = failure(sync, destination);
    warning.severity = Severity::Warning;
    warning.summary = format!("The last run of GitHub sync {:?} failed", sync.name);
    warning.detail.push_str(
        "\n\nThis is not a planned change: Terraform does not run a failed sync again by itself.",
    );
    warning
}

/// The error of a failed run: GitHub's message, what it means, and how to run it again.
pub(super) fn failure(sync: &SecretSync, destination: &Destination) -> Diagnostic {
    let message = sync.last_sync_message.as_deref().unwrap_or("(no message)");
    Diagnostic {
        severity: Severity::Error,
        summary: format!("GitHub sync {:?} failed", sync.name),
        detail: format!(
            "Infisical could not write the secrets to {}. It said: {message}\n\n{}\n\n{RERUN}",
            where_(destination),
            meaning(message, destination)
        ),
        path: None,
    }
}

/// The error of a failed removal on destroy.
pub(super) fn removal_failed(sync: &SecretSync, destination: &Destination) -> Diagnostic {
    let message = sync
        .last_remove_message
        .as_deref()
        .unwrap_or("(no message)");
    Diagnostic {
        severity: Severity::Error,
        summary: format!(
            "Could not remove the secrets of GitHub sync {:?}",
            sync.name
        ),
        detail: format!(
            "Infisical could not remove the synced secrets from {}, so the sync was not deleted \
             and stays in state. Infisical said: {message}\n\n{}\n\n{KEEP_SECRETS}",
            where_(destination),
            meaning(message, destination)
        ),
        path: None,
    }
}

/// How to delete a sync whose secrets cannot be removed.
pub(super) const KEEP_SECRETS: &str = "To delete the sync and leave the secrets on GitHub, set \
     remove_secrets_on_destroy = false and apply before destroying.";

/// The destination in words.
pub(super) fn where_(destination: &Destination) -> String {
    let owner = destination.repository_owner.as_deref().unwrap_or("?");
    let repo = destination.repository_name.as_deref().unwrap_or("?");
    match destination.scope.as_str() {
        scope::ORGANIZATION => format!("the GitHub organization {owner:?}"),
        scope::REPOSITORY_ENVIRONMENT => format!(
            "the environment {:?} of the GitHub repository \"{owner}/{repo}\"",
            destination.repository_environment.as_deref().unwrap_or("?")
        ),
        _ => format!("the GitHub repository \"{owner}/{repo}\""),
    }
}

/// What a run's or a removal's message means for the user, and what to do about its cause.
/// Substrings, so that it reads the server's JSON-wrapped messages and older plain ones alike.
pub(super) fn meaning(message: &str, destination: &Destination) -> String {
    let has = |s: &str| message.contains(s);
    let organization = destination.scope == scope::ORGANIZATION;
    if has("Bad credentials") || has("Requires authentication") {
        "The connection's GitHub credentials are no longer valid (revoked or expired): update \
         the app connection's credentials."
            .to_owned()
    } else if has("Resource not accessible by integration") {
        format!(
            "The GitHub App's installation reaches {} but may not write its Actions secrets. In \
             the GitHub App's settings, give it the {} permission \"Secrets: Read and write\", \
             then accept the new permission on the installation (the organization's Settings → \
             GitHub Apps).",
            where_(destination),
            if organization {
                "organization"
            } else {
                "repository"
            }
        )
    } else if has("Resource not accessible by personal access token") {
        format!(
            "The connection's personal access token reaches {} but may not write its Actions \
             secrets. Give the fine-grained token the {} permission \"Secrets: Read and write\" \
             (a classic token needs the `repo` scope{}).",
            where_(destination),
            if organization {
                "organization"
            } else {
                "repository"
            },
            if organization {
                ", and `admin:org` for organization secrets"
            } else {
                ""
            }
        )
    } else if has("Not Found") || has("\"status\":\"404\"") {
        let environment = if destination.scope == scope::REPOSITORY_ENVIRONMENT {
            " and that the repository has that environment (create it under the repository's \
             Settings → Environments)"
        } else {
            ""
        };
        format!(
            "GitHub answers \"Not Found\" when the destination does not exist or the \
             connection's token cannot reach it. Check the owner and name{environment}, and give \
             the connection access: for a personal access token, access to the repository (or \
             organization) with the Secrets permission; for a GitHub App, install it on the \
             repository or organization."
        )
    } else if has("Secret names") || has("GITHUB_") {
        "GitHub refused a secret's name: names may contain only letters, digits and `_`, must \
         not start with a digit, and must not start with GITHUB_. Rename the secret in \
         Infisical or change sync_options.key_schema."
            .to_owned()
    } else if has("does not support storing more than") {
        "The folder holds more secrets than GitHub allows at this scope (100 for a repository, \
         1000 for an organization). Sync a smaller folder."
            .to_owned()
    } else if has("folder no longer exists") {
        format!(
            "The source folder was deleted: set {} and {} to an existing folder.",
            attr::ENVIRONMENT,
            attr::SECRET_PATH
        )
    } else if has("Failed to run job") || has("already in progress") {
        "Another job of this sync held its lock (a run started by a change of the source \
         secrets, or from Infisical), and Infisical does not retry this one. Wait for that job \
         to end, then run the command again."
            .to_owned()
    } else {
        "Fix the cause named in the message.".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> Destination {
        Destination {
            scope: scope::REPOSITORY.to_owned(),
            repository_owner: Some("acme".into()),
            repository_name: Some("api".into()),
            repository_environment: None,
            visibility: None,
            selected_repository_ids: None,
        }
    }

    #[test]
    fn each_message_gets_the_advice_that_fits_it() {
        let cases = [
            (
                r#"{"secretKey":"K","error":{"message":"Resource not accessible by integration","status":"403"}}"#,
                "GitHub App's installation",
            ),
            (
                r#"{"message":"Resource not accessible by personal access token","status":"403"}"#,
                "personal access token reaches",
            ),
            (
                r#"{"message":"Bad credentials","status":"401"}"#,
                "no longer valid",
            ),
            (
                r#"{"message":"Not Found","status":"404"}"#,
                "does not exist",
            ),
            (
                r#"{"message":"Invalid Secret Sync source configuration: folder no longer exists."}"#,
                "source folder was deleted",
            ),
            (
                "Failed to run job. This typically happens when a sync is already in progress. \
                 Please try again.",
                "held its lock",
            ),
            ("something else", "Fix the cause"),
        ];
        for (message, advice) in cases {
            let said = meaning(message, &repository());
            assert!(said.contains(advice), "{message} → {said}");
        }
    }

    #[test]
    fn a_failed_run_always_says_how_to_run_it_again() {
        let sync: SecretSync = serde_json::from_value(serde_json::json!({
            "id": "i", "name": "s", "projectId": "p", "connectionId": "c",
            "destinationConfig": {"scope": "repository", "owner": "acme", "repo": "api"},
            "syncOptions": {"initialSyncBehavior": "overwrite-destination"},
            "syncStatus": "failed", "lastSyncMessage": "boom"
        }))
        .unwrap();
        assert!(
            failure(&sync, &repository())
                .detail
                .contains("resync_triggers")
        );
        let warning = failed_last_run(&sync, &repository());
        assert_eq!(warning.severity, Severity::Warning);
        assert!(warning.detail.contains("not a planned change"));
    }
}
