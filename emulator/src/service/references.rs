//! Secret references, `${KEY}` (the same folder) and `${env.path.to.KEY}` (any folder of the
//! project), as `secret-reference-fns.ts` reads them: expansion on request
//! (`expandSecretReferencesFactory`) and the rewrite a rename makes in the secrets that refer to
//! the renamed one (`fnUpdateSecretLinkedReferences` in `secret-v2-bridge-fns.ts`).

use std::collections::HashSet;

use crate::state::State;
use crate::store::secrets::canonical_path;

/// `MAX_SECRET_REFERENCE_DEPTH`.
const MAX_DEPTH: usize = 10;

/// Every `${…}` of `value` (`\$\{([a-zA-Z0-9-_.]+)\}`), as `(whole syntax, inner)`, in order.
pub(crate) fn references(value: &str) -> Vec<(String, String)> {
    let bytes = value.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = value[at..].find("${") {
        let start = at + offset;
        let inner_start = start + 2;
        let inner_len = bytes[inner_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        let end = inner_start + inner_len;
        if inner_len > 0 && bytes.get(end) == Some(&b'}') {
            found.push((
                value[start..=end].to_owned(),
                value[inner_start..end].to_owned(),
            ));
            at = end + 1;
        } else {
            at = start + 1;
        }
    }
    found
}

/// Where a reference points, from the folder `(environment, path)` it is read in: one part is a
/// key of that folder; more are `environment.folder….KEY`.
fn target(inner: &str, environment: &str, path: &str) -> (String, String, String) {
    let parts: Vec<&str> = inner.split('.').collect();
    match parts.as_slice() {
        [key] => (environment.to_owned(), path.to_owned(), (*key).to_owned()),
        [env, middle @ .., key] => (
            (*env).to_owned(),
            canonical_path(&middle.join("/")),
            (*key).to_owned(),
        ),
        [] => (environment.to_owned(), path.to_owned(), String::new()),
    }
}

/// `formatMultiValueEnv`: a multi-line value as one quoted line with `\n` escapes.
fn multi_line(value: &str) -> String {
    if value.contains('\n') {
        format!("\"{}\"", value.replace('\n', "\\n"))
    } else {
        value.to_owned()
    }
}

/// What `expandSecretReferences` makes of the value of the secret `key` in the folder
/// `(environment, path)` of `project_id`: every reference replaced by the value it names, to a
/// depth of ten and never around a cycle. A reference to nothing (or to an empty value) stays as
/// written; a secret with `skipMultilineEncoding` gets its expanded value on one quoted line.
pub(crate) fn expand(
    state: &State,
    project_id: &str,
    (environment, path, key): (&str, &str, &str),
    value: &str,
    skip_multiline_encoding: Option<bool>,
) -> String {
    if value.is_empty() || references(value).is_empty() {
        return value.to_owned();
    }
    let fetch = |env: &str, folder_path: &str, name: &str| -> String {
        state
            .secrets
            .folder_at(project_id, env, folder_path)
            .and_then(|f| state.secrets.secret(&f.id, name))
            .map(|s| s.value.clone())
            .unwrap_or_default()
    };
    let id = |env: &str, folder_path: &str, name: &str| format!("{env}:{folder_path}:{name}");
    let mut expanded = value.to_owned();
    let mut stack = vec![(
        value.to_owned(),
        environment.to_owned(),
        canonical_path(path),
        0,
        HashSet::from([id(environment, &canonical_path(path), key)]),
    )];
    while let Some((current, env, folder_path, depth, visited)) = stack.pop() {
        if depth > MAX_DEPTH {
            continue;
        }
        for (syntax, inner) in references(&current) {
            let (ref_env, ref_path, ref_key) = target(&inner, &env, &folder_path);
            let referred = fetch(&ref_env, &ref_path, &ref_key);
            let referred_id = id(&ref_env, &ref_path, &ref_key);
            let circular = visited.contains(&referred_id);
            if !circular && !references(&referred).is_empty() {
                let mut next = visited.clone();
                next.insert(referred_id);
                stack.push((referred.clone(), ref_env, ref_path, depth + 1, next));
            }
            if !referred.is_empty() {
                expanded = expanded.replace(&syntax, &referred);
            }
        }
    }
    if skip_multiline_encoding == Some(true) {
        multi_line(&expanded)
    } else {
        expanded
    }
}

/// After the secret `old` of the folder `(environment, path)` was renamed `new`: every other
/// secret of that folder that refers to it as `${old}`, and every secret of the project that
/// refers to it as `${environment.path.old}`, is rewritten to the new name, one version more
/// each. The ids of the folders whose secrets changed.
pub(crate) fn rename(
    state: &mut State,
    project_id: &str,
    (environment, path, folder_id): (&str, &str, &str),
    renamed_id: &str,
    (old, new): (&str, &str),
) -> Vec<String> {
    let path = canonical_path(path);
    let dotted = if path == "/" {
        String::new()
    } else {
        format!(".{}", path[1..].replace('/', "."))
    };
    let (old_local, new_local) = (format!("${{{old}}}"), format!("${{{new}}}"));
    let old_nested = format!("${{{environment}{dotted}.{old}}}");
    let new_nested = format!("${{{environment}{dotted}.{new}}}");
    let mut changed = Vec::new();
    for (folder, secret) in state.secrets.project_secrets_mut(project_id) {
        if secret.id == renamed_id {
            continue;
        }
        let mut value = secret.value.clone();
        if folder.id == folder_id {
            value = value.replace(&old_local, &new_local);
        }
        value = value.replace(&old_nested, &new_nested);
        if value != secret.value {
            secret.value = value;
            secret.bump();
            changed.push(folder.id.clone());
        }
    }
    changed.sort();
    changed.dedup();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_follow_the_interpolation_pattern() {
        let found: Vec<String> = references("a ${A} ${dev.app.B} ${a b} ${} $${C}x ${D")
            .into_iter()
            .map(|(_, inner)| inner)
            .collect();
        assert_eq!(found, ["A", "dev.app.B", "C"]);
        assert_eq!(
            target("dev.app.db.KEY", "prod", "/"),
            ("dev".into(), "/app/db".into(), "KEY".into())
        );
        assert_eq!(
            target("dev.KEY", "prod", "/x"),
            ("dev".into(), "/".into(), "KEY".into())
        );
        assert_eq!(multi_line("a\nb"), "\"a\\nb\"");
    }
}
