//! The app-connection base's refinements of the shared plan: the credentials hash changes only
//! when credentials are written, a write-only secret's version never goes down, and a single-use
//! secret this connection already exchanged is refused before apply.

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::PlanInput;
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::value::Value;

use super::ConnectionApp;
use super::attr::*;
use super::private::Private;

/// Whether the plan creates a connection: on create, or on replacement (a changed `method` or
/// `project_id`; `-replace` plans its create half with a null prior).
fn creates(prior: &Value, planned: &Value) -> bool {
    prior.is_null()
        || [METHOD, PROJECT_ID]
            .iter()
            .any(|a| !planned.get(a).same_as(prior.get(a)))
}

/// Whether the plan writes credentials: when it creates a connection, or when they changed.
fn writes_credentials(prior: &Value, planned: &Value) -> bool {
    creates(prior, planned) || !planned.get(CREDENTIALS).same_as(prior.get(CREDENTIALS))
}

/// A write-only secret's version may only go up: a lower one than the state's is an error at its
/// path (a version the state forgot after drift is no constraint).
fn refuse_lowered_versions<A: ConnectionApp>(
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) {
    let (before, after) = (prior.get(CREDENTIALS), planned.get(CREDENTIALS));
    for pair in A::WRITE_ONLY {
        let (Some(was), Some(now)) = (
            before.get(pair.version).as_int(),
            after.get(pair.version).as_int(),
        ) else {
            continue;
        };
        if now < was {
            diags.attr_error(
                AttrPath::new(CREDENTIALS).attr(pair.version),
                format!("{} lowered", pair.version),
                format!(
                    "{} went down from {was} to {now}. It only goes up: set it to {} or more to \
                     send a new `{}`, or back to {was} to keep the one Infisical has.",
                    pair.version,
                    was + 1,
                    pair.secret
                ),
            );
        }
    }
}

/// Refines `planned`, which the shared rules produced from `input`.
pub(super) fn modify_plan<A: ConnectionApp>(
    input: &PlanInput<'_>,
    planned: &mut Value,
    private: &[u8],
    diags: &mut Diagnostics,
) {
    let writes = writes_credentials(input.prior, planned);
    // The hash is unpredictable (a hash of a fresh ciphertext), but it only changes when
    // credentials are written: otherwise the plan shows it unchanged.
    let hash = if writes {
        Value::Unknown
    } else {
        input.prior.get(CREDENTIALS_HASH).clone()
    };
    planned.set(CREDENTIALS_HASH, hash);
    refuse_lowered_versions::<A>(input.prior, planned, diags);

    let Some(method) = planned.get(METHOD).as_str() else {
        return;
    };
    let Some(single_use) = A::single_use_attribute(method) else {
        return;
    };
    // The prior private data is this connection's even when the prior state is null: Terraform
    // plans the create half of a replacement (`-replace`, a changed `project_id`) with it. That
    // plan must fail too, or apply would destroy the connection and then fail to create it.
    let secret = planned.get(CREDENTIALS).get(single_use).as_str();
    let reused = secret.is_some_and(|s| Private::decode(private).used(s));
    if !(writes && reused) {
        return;
    }
    let path = AttrPath::new(CREDENTIALS).attr(single_use);
    if creates(input.prior, planned) {
        diags.attr_error(path, A::spent_summary(), A::spent_detail(method, true));
    } else if input.prior.get(CREDENTIALS).get(single_use).is_null() {
        // The credentials drifted (state no longer holds the secret): show the update the
        // configuration asks for, and say now that apply needs a fresh one.
        diags.attr_warning(path, A::spent_summary(), A::spent_detail(method, false));
    } else {
        diags.attr_error(path, A::spent_summary(), A::spent_detail(method, false));
    }
}

#[cfg(test)]
mod tests {
    use super::super::github::{GitHubApp, attr as gh};
    use super::*;

    fn with_version(version: Value) -> Value {
        Value::object([
            (METHOD, Value::string("pat")),
            (PROJECT_ID, Value::Null),
            (CREDENTIALS_HASH, Value::string("h1")),
            (
                CREDENTIALS,
                Value::object([(gh::PERSONAL_ACCESS_TOKEN_WO_VERSION, version)]),
            ),
        ])
    }

    fn plan_errors(prior: &Value, planned: &Value) -> Vec<String> {
        let input = PlanInput {
            prior,
            config: planned,
            prior_private: b"",
        };
        let mut planned = planned.clone();
        let mut diags = Diagnostics::new();
        modify_plan::<GitHubApp>(&input, &mut planned, b"", &mut diags);
        diags
            .iter()
            .map(|d| d.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_write_only_version_may_rise_but_never_fall() {
        let two = with_version(Value::int(2));
        assert!(plan_errors(&two, &with_version(Value::int(3))).is_empty());
        assert!(plan_errors(&two, &two).is_empty());
        assert_eq!(
            plan_errors(&two, &with_version(Value::int(1))),
            ["credentials.personal_access_token_wo_version"]
        );
        // Forgotten after drift: any version writes again.
        assert!(plan_errors(&with_version(Value::Null), &with_version(Value::int(1))).is_empty());
    }

    #[test]
    fn a_changed_version_writes_the_credentials() {
        let prior = with_version(Value::int(1));
        let input = PlanInput {
            prior: &prior,
            config: &prior,
            prior_private: b"",
        };
        let mut planned = with_version(Value::int(2));
        let mut diags = Diagnostics::new();
        modify_plan::<GitHubApp>(&input, &mut planned, b"", &mut diags);
        assert_eq!(planned.get(CREDENTIALS_HASH), &Value::Unknown);
    }
}
