//! What config's unit tests share: provider blocks built in a line, and resolution in an
//! environment of the test's own.

use std::collections::HashMap;

use crate::infisical::AuthMethod;
use crate::infisical::aws;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::value::Value;

use super::precedence::PRECEDENCE;
use super::{Resolved, Settings, resolve};

/// A provider block with `auth` set to `methods` (the others null).
pub(super) fn block(host: Value, slug: Value, methods: &[(AuthMethod, Value)]) -> Value {
    let mut auth = vec![("organization_slug".to_owned(), slug)];
    for method in PRECEDENCE {
        let value = methods
            .iter()
            .find(|(m, _)| *m == method)
            .map_or(Value::Null, |(_, v)| v.clone());
        auth.push((method.name().to_owned(), value));
    }
    Value::object([("host", host), ("auth", Value::object(auth))])
}

pub(super) fn only(method: AuthMethod, value: Value) -> Value {
    block(Value::Null, Value::Null, &[(method, value)])
}

pub(super) fn none() -> Value {
    Value::object([("host", Value::Null), ("auth", Value::Null)])
}

pub(super) fn universal(id: Value, secret: Value) -> Value {
    Value::object([("client_id", id), ("client_secret", secret)])
}

pub(super) fn oidc(id: Value, name: Value) -> Value {
    Value::object([
        ("identity_id", id),
        ("token_environment_variable_name", name),
    ])
}

pub(super) fn kubernetes(id: Value, path: Value, token: Value) -> Value {
    Value::object([
        ("identity_id", id),
        ("service_account_token_path", path),
        ("service_account_token", token),
    ])
}

pub(super) fn aws_iam(id: Value) -> Value {
    Value::object([("identity_id", id)])
}

pub(super) fn s(text: &str) -> Value {
    Value::string(text)
}

/// Resolves `config` in an environment of `env` only, where EC2 instance metadata is off
/// unless `env` switches it on (no test may depend on the machine it runs on).
pub(super) fn run(config: &Value, env: &[(&str, &str)]) -> (Resolved, Diagnostics) {
    let env: HashMap<String, String> = [(aws::env::EC2_METADATA_DISABLED, "true")]
        .iter()
        .chain(env)
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let mut diags = Diagnostics::new();
    let resolved = resolve(config, &|k| env.get(k).cloned(), &mut diags);
    (resolved, diags)
}

#[track_caller]
pub(super) fn ready(config: &Value, env: &[(&str, &str)]) -> Settings {
    match run(config, env) {
        (Resolved::Ready(s), d) if d.is_empty() => *s,
        (other, diags) => panic!("{other:?} {diags:?}"),
    }
}

/// The errors of an invalid configuration, as `(path, summary + detail)`.
#[track_caller]
pub(super) fn invalid(config: &Value, env: &[(&str, &str)]) -> Vec<(String, String)> {
    match run(config, env) {
        (Resolved::Invalid, d) => d
            .iter()
            .map(|d| {
                (
                    d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                    format!("{}: {}", d.summary, d.detail),
                )
            })
            .collect(),
        (other, diags) => panic!("expected errors: {other:?} {diags:?}"),
    }
}

pub(super) const AWS_KEYS: [(&str, &str); 2] = [
    (aws::env::ACCESS_KEY_ID, "AKIDEXAMPLE"),
    (aws::env::SECRET_ACCESS_KEY, "aws-secret"),
];

pub(super) fn token_file(content: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, content).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}
