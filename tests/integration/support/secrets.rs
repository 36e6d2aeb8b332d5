//! Every secret the suite uses is registered here, and every Terraform output and emulator
//! request log the harness sees is checked against all of them: a leak anywhere fails the test
//! that caused it.

use std::sync::Mutex;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Registers a secret value (a PAT, a code, a client secret) and returns it.
pub fn remember(secret: impl Into<String>) -> String {
    let secret = secret.into();
    let mut all = SECRETS.lock().unwrap();
    if !all.contains(&secret) {
        all.push(secret.clone());
    }
    secret
}

/// Panics if `text` contains any registered secret.
#[track_caller]
pub fn assert_absent(text: &str, what: &str) {
    let all = SECRETS.lock().unwrap().clone();
    for secret in all {
        assert!(
            !text.contains(&secret),
            "{what} contains a secret (one of the suite's registered secrets)"
        );
    }
}
