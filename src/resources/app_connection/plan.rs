//! The app-connection base's refinements of the shared plan: the credentials hash changes only
//! when credentials are written, and a single-use secret this connection already exchanged is
//! refused before apply.

use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework::PlanInput;
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
