//! The shared files (`~/.aws/config` and `~/.aws/credentials`), read as the AWS SDK for Go reads
//! them, which is what Infisical's own Go SDK and Terraform users' other tools do: where they
//! are, and the keys of a section. A profile's keys are those of `[profile NAME]` (or
//! `[default]`) in the config file, overlaid by `[NAME]` in the credentials file. What the keys
//! lead to is `chain`'s to decide; this module reads files and asks nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::env;

/// Where the shared files are and which profile to read.
pub(super) struct SharedFiles {
    /// `AWS_PROFILE`, else `default`.
    pub(super) profile: String,
    /// Whether `AWS_PROFILE` names it (then it must exist).
    pub(super) explicit: bool,
    pub(super) credentials: Option<PathBuf>,
    pub(super) config: Option<PathBuf>,
    /// `~/.aws/sso/cache`, where `aws sso login` keeps its tokens.
    pub(super) sso_cache: Option<PathBuf>,
}

impl SharedFiles {
    pub(super) fn locate(getenv: &dyn Fn(&str) -> Option<String>) -> Self {
        let home = getenv("HOME").or_else(|| getenv("USERPROFILE"));
        let file = |var: &str, name: &str| {
            getenv(var)
                .map(|p| expand_home(&p, home.as_deref()))
                .or_else(|| home.as_ref().map(|h| Path::new(h).join(".aws").join(name)))
        };
        let explicit = getenv(env::PROFILE);
        Self {
            explicit: explicit.is_some(),
            profile: explicit.unwrap_or_else(|| "default".to_owned()),
            credentials: file(env::SHARED_CREDENTIALS_FILE, "credentials"),
            config: file(env::CONFIG_FILE, "config"),
            sso_cache: home.map(|h| Path::new(&h).join(".aws").join("sso").join("cache")),
        }
    }

    /// The keys of profile `name`, or `None` when neither file has it.
    pub(super) fn profile(&self, name: &str) -> Option<BTreeMap<String, String>> {
        let config = read_section(self.config.as_deref(), Section::ConfigProfile, name);
        let credentials = read_section(self.credentials.as_deref(), Section::Credentials, name);
        match (config, credentials) {
            (None, None) => None,
            (config, credentials) => {
                let mut keys = config.unwrap_or_default();
                keys.extend(credentials.unwrap_or_default());
                Some(keys)
            }
        }
    }

    /// The keys of the config file's `[sso-session name]`, or `None` when it has none.
    pub(super) fn sso_session(&self, name: &str) -> Option<BTreeMap<String, String>> {
        read_section(self.config.as_deref(), Section::SsoSession, name)
    }

    /// Both files, for messages.
    pub(super) fn shown(&self) -> String {
        let shown = |path: &Option<PathBuf>| {
            path.as_ref().map_or_else(
                || "(no home directory)".to_owned(),
                |p| p.display().to_string(),
            )
        };
        format!("{} or {}", shown(&self.credentials), shown(&self.config))
    }
}

fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Which kind of section to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// `[name]` in the credentials file.
    Credentials,
    /// `[profile name]` (or `[default]`) in the config file.
    ConfigProfile,
    /// `[sso-session name]` in the config file.
    SsoSession,
}

/// The keys of section `name` of kind `kind` in an INI file; `None` when the file or the section
/// is missing.
fn read_section(
    path: Option<&Path>,
    kind: Section,
    name: &str,
) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path?).ok()?;
    parse_section(&text, kind, name)
}

fn parse_section(text: &str, kind: Section, name: &str) -> Option<BTreeMap<String, String>> {
    let mut keys: Option<BTreeMap<String, String>> = None;
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let found = match kind {
                Section::Credentials => Some(section),
                Section::ConfigProfile if section == "default" => Some(section),
                Section::ConfigProfile => section.strip_prefix("profile ").map(str::trim),
                Section::SsoSession => section.strip_prefix("sso-session ").map(str::trim),
            };
            inside = found == Some(name);
            if inside && keys.is_none() {
                keys = Some(BTreeMap::new());
            }
            continue;
        }
        if inside
            && let Some((key, value)) = line.split_once('=')
            && let Some(keys) = keys.as_mut()
        {
            keys.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    keys
}
