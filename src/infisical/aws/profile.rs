//! Profiles of the shared files (`~/.aws/config` and `~/.aws/credentials`), read as the AWS SDK
//! for Go reads them, which is what Infisical's own Go SDK and Terraform users' other tools do.
//!
//! A profile's keys are those of `[profile NAME]` (or `[default]`) in the config file, overlaid
//! by `[NAME]` in the credentials file. Its credentials come from the first of: `source_profile`
//! (with `role_arn`: another profile's credentials, followed to the end), static keys
//! (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`), `credential_source`
//! (`Environment`, `Ec2InstanceMetadata` or `EcsContainer`), `web_identity_token_file` (with
//! `role_arn`), IAM Identity Center (SSO: `sso_session` or `sso_start_url`, with
//! `sso_account_id` and `sso_role_name`, from the login `aws sso login` cached), then
//! `credential_process`. With `role_arn`, those credentials then assume the role through
//! `sts:AssumeRole` (`role_session_name`, `external_id`, `duration_seconds`).
//!
//! Refused with a reason: `mfa_serial`, which needs a code typed in. An expired SSO login is not
//! refreshed: the error says to run `aws sso login`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;

use super::remote::{self, Remote};
use super::{AwsCredentials, Found, env};
use crate::secret::Secret;

/// How long `credential_process` may run (the Go SDK's default).
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the shared files are and which profile to read.
pub(super) struct SharedFiles {
    /// `AWS_PROFILE`, else `default`.
    pub(super) profile: String,
    /// Whether `AWS_PROFILE` names it (then it must exist).
    explicit: bool,
    pub(super) credentials: Option<PathBuf>,
    pub(super) config: Option<PathBuf>,
    /// `~/.aws/sso/cache`, where `aws sso login` keeps its tokens.
    sso_cache: Option<PathBuf>,
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

/// What the selected profile leads to: `None` when it has no source of credentials (or does not
/// exist and `AWS_PROFILE` did not ask for it), so that the chain goes on.
pub(super) fn locate(
    files: &SharedFiles,
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Found>, String> {
    match files.profile(&files.profile) {
        Some(keys) => resolve(files, &files.profile, &keys, getenv, &mut Vec::new()),
        None if files.explicit => Err(format!(
            "the AWS profile {:?} ({}) is in neither {}",
            files.profile,
            env::PROFILE,
            files.shown()
        )),
        None => Ok(None),
    }
}

/// The source of profile `name` with `keys`; `seen` are the profiles that led here by
/// `source_profile`.
fn resolve(
    files: &SharedFiles,
    name: &str,
    keys: &BTreeMap<String, String>,
    getenv: &dyn Fn(&str) -> Option<String>,
    seen: &mut Vec<String>,
) -> Result<Option<Found>, String> {
    let key = |k: &str| keys.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let problem = |what: String| Err(format!("the AWS profile {name:?} {what}"));
    seen.push(name.to_owned());
    let role_arn = key("role_arn");
    if role_arn.is_some() && key("mfa_serial").is_some() {
        return problem(
            "assumes its role with an MFA code (mfa_serial), which a provider has no way to ask \
             for: export temporary credentials to the environment instead (e.g. `aws configure \
             export-credentials --format env`)"
                .to_owned(),
        );
    }
    let base = if let (Some(_), Some(source)) = (role_arn, key("source_profile")) {
        if source == name {
            // A profile may be its own source: its static keys assume its role.
            match static_keys(keys) {
                Some(credentials) => Some(Found::Local(credentials)),
                None => {
                    return problem(
                        "is its own source_profile but has no aws_access_key_id and \
                         aws_secret_access_key"
                            .to_owned(),
                    );
                }
            }
        } else if seen.iter().any(|s| s == source) {
            return problem(format!(
                "has a source_profile loop: {} → {source}",
                seen.join(" → ")
            ));
        } else {
            let Some(source_keys) = files.profile(source) else {
                return problem(format!(
                    "names {source:?} as source_profile, which is in neither {}",
                    files.shown()
                ));
            };
            match resolve(files, source, &source_keys, getenv, seen)? {
                Some(found) => Some(found),
                None => {
                    return problem(format!(
                        "takes its credentials from source_profile {source:?}, which has none"
                    ));
                }
            }
        }
    } else if let Some(credentials) = static_keys(keys) {
        Some(Found::Local(credentials))
    } else if let Some(source) = key("credential_source") {
        Some(credential_source(name, source, getenv)?)
    } else if let Some(token_file) = key("web_identity_token_file") {
        let Some(role_arn) = role_arn else {
            return problem("has web_identity_token_file but no role_arn to assume".to_owned());
        };
        return Ok(Some(Found::Remote(Remote::WebIdentity {
            token_file: PathBuf::from(token_file),
            role_arn: role_arn.to_owned(),
            session_name: key("role_session_name").map(str::to_owned),
            endpoint: remote::sts_endpoint_from(getenv),
        })));
    } else if keys.keys().any(|k| k.starts_with("sso_")) {
        Some(Found::Remote(Remote::Sso(sso(files, name, keys, getenv)?)))
    } else {
        key("credential_process").map(|command| {
            Found::Remote(Remote::Process {
                profile: name.to_owned(),
                command: command.to_owned(),
            })
        })
    };
    match (role_arn, base) {
        (None, base) => Ok(base),
        (Some(role_arn), Some(base)) => Ok(Some(Found::Remote(Remote::AssumeRole(Box::new(
            AssumeRole {
                role_arn: role_arn.to_owned(),
                session_name: key("role_session_name").map(str::to_owned),
                external_id: key("external_id").map(str::to_owned),
                duration_seconds: key("duration_seconds").map(str::to_owned),
                endpoint: remote::sts_endpoint_from(getenv),
                base,
            },
        ))))),
        (Some(_), None) => problem(
            "has role_arn but nothing to assume it with: add source_profile, credential_source \
             or web_identity_token_file"
                .to_owned(),
        ),
    }
}

/// A role to assume with other credentials (`sts:AssumeRole`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssumeRole {
    pub(crate) role_arn: String,
    /// `role_session_name`, else one made up at each login.
    pub(crate) session_name: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) duration_seconds: Option<String>,
    /// STS's base URL from `AWS_ENDPOINT_URL_STS`; else the login region's endpoint.
    pub(crate) endpoint: Option<String>,
    /// The credentials that assume it.
    pub(crate) base: Found,
}

/// An IAM Identity Center (SSO) role, whose credentials the SSO portal hands out for the
/// login that `aws sso login` cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sso {
    /// The profile, for messages (`aws sso login --profile …`).
    pub(crate) profile: String,
    /// The cached login: `~/.aws/sso/cache/<SHA-1 of the session name or start URL>.json`.
    pub(crate) cache: PathBuf,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
    /// The portal's base URL: `AWS_ENDPOINT_URL_SSO`, else the SSO region's.
    pub(crate) endpoint: String,
}

/// The SSO settings of profile `name`, from its `[sso-session …]` section or (legacy) its own
/// keys.
fn sso(
    files: &SharedFiles,
    name: &str,
    keys: &BTreeMap<String, String>,
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<Sso, String> {
    let problem = |what: String| format!("the AWS profile {name:?} is an SSO profile, but {what}");
    let session = match keys.get("sso_session").filter(|s| !s.is_empty()) {
        Some(session) => Some((
            session,
            read_section(files.config.as_deref(), Section::SsoSession, session).ok_or_else(
                || {
                    problem(format!(
                        "its sso_session {session:?} has no [sso-session {session}] section"
                    ))
                },
            )?,
        )),
        None => None,
    };
    let key = |k: &str| {
        session
            .as_ref()
            .and_then(|(_, section)| section.get(k))
            .or_else(|| keys.get(k))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| problem(format!("it has no {k}")))
    };
    let (start_url, region) = (key("sso_start_url")?, key("sso_region")?);
    let (account_id, role_name) = (key("sso_account_id")?, key("sso_role_name")?);
    // The AWS CLI names the cached login after the session, or (legacy) the start URL.
    let cache_key = session.as_ref().map_or(start_url, |(session, _)| *session);
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        cache_key.as_bytes(),
    );
    let Some(cache) = &files.sso_cache else {
        return Err(problem(
            "there is no home directory to find its cached login in".to_owned(),
        ));
    };
    Ok(Sso {
        profile: name.to_owned(),
        cache: cache.join(format!("{}.json", hex::encode(digest.as_ref()))),
        account_id: account_id.clone(),
        role_name: role_name.clone(),
        endpoint: getenv(env::SSO_ENDPOINT)
            .map(|e| e.trim().trim_end_matches('/').to_owned())
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com")),
    })
}

fn static_keys(keys: &BTreeMap<String, String>) -> Option<AwsCredentials> {
    let key = |k: &str| keys.get(k).filter(|v| !v.is_empty());
    let (id, secret) = (key("aws_access_key_id")?, key("aws_secret_access_key")?);
    Some(AwsCredentials {
        access_key_id: id.clone(),
        secret_access_key: Secret::new(secret.as_str()),
        session_token: key("aws_session_token").map(|t| Secret::new(t.as_str())),
    })
}

/// `credential_source`: where the credentials that assume a role come from.
fn credential_source(
    profile: &str,
    source: &str,
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<Found, String> {
    let problem = |what: String| format!("the AWS profile {profile:?} has {what}");
    match source {
        "Environment" => super::env_credentials(getenv)
            .map(Found::Local)
            .ok_or_else(|| {
                problem(format!(
                    "credential_source = Environment, but {} and {} are not set",
                    env::ACCESS_KEY_ID,
                    env::SECRET_ACCESS_KEY
                ))
            }),
        "Ec2InstanceMetadata" => Ok(Found::Remote(remote::instance_metadata(getenv))),
        "EcsContainer" => remote::container(getenv)?
            .map(Found::Remote)
            .ok_or_else(|| {
                problem(format!(
                    "credential_source = EcsContainer, but neither {} nor {} is set",
                    env::CONTAINER_CREDENTIALS_RELATIVE_URI,
                    env::CONTAINER_CREDENTIALS_FULL_URI
                ))
            }),
        other => Err(problem(format!(
            "credential_source = {other:?}; valid values are Environment, Ec2InstanceMetadata \
             and EcsContainer"
        ))),
    }
}

/// Runs `credential_process` (through `sh -c`, as the Go SDK does) and reads the credentials
/// it prints. Neither the command, which may carry secrets, nor its output is ever quoted.
pub(super) async fn process(profile: &str, command: &str) -> Result<AwsCredentials, String> {
    let source = format!("credential_process of the AWS profile {profile:?}");
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(PROCESS_TIMEOUT, child)
        .await
        .map_err(|_| format!("{source} did not finish within {PROCESS_TIMEOUT:?}"))?
        .map_err(|e| format!("{source} could not be started: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{source} failed ({}); run it yourself to see why",
            output.status
        ));
    }
    /// What a credential process prints (format version 1).
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Printed {
        version: u32,
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    }
    let printed: Printed = serde_json::from_slice(&output.stdout).map_err(|_| {
        format!(
            "{source} printed something other than AWS credentials (a JSON object with Version \
             1, AccessKeyId and SecretAccessKey)"
        )
    })?;
    if printed.version != 1 {
        return Err(format!(
            "{source} printed credentials of format version {}; only version 1 exists",
            printed.version
        ));
    }
    Ok(AwsCredentials {
        access_key_id: printed.access_key_id,
        secret_access_key: Secret::new(printed.secret_access_key),
        session_token: printed.session_token.map(Secret::new),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The shared files `config` and `credentials` in a temporary directory, and `vars`.
    struct Machine {
        _dir: tempfile::TempDir,
        vars: HashMap<String, String>,
    }

    impl Machine {
        fn new(config: &str, credentials: &str, vars: &[(&str, &str)]) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let (config_path, credentials_path) =
                (dir.path().join("config"), dir.path().join("credentials"));
            std::fs::write(&config_path, config).unwrap();
            std::fs::write(&credentials_path, credentials).unwrap();
            let mut all: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            all.insert(
                env::CONFIG_FILE.to_owned(),
                config_path.display().to_string(),
            );
            all.insert(
                env::SHARED_CREDENTIALS_FILE.to_owned(),
                credentials_path.display().to_string(),
            );
            Self {
                _dir: dir,
                vars: all,
            }
        }

        fn locate(&self, profile: &str) -> Result<Option<Found>, String> {
            let getenv = |k: &str| match k {
                env::PROFILE => Some(profile.to_owned()),
                _ => self.vars.get(k).cloned(),
            };
            locate(&SharedFiles::locate(&getenv), &getenv)
        }
    }

    fn key(id: &str, secret: &str) -> Found {
        Found::Local(AwsCredentials {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: None,
        })
    }

    fn role(arn: &str, base: Found) -> Found {
        Found::Remote(Remote::AssumeRole(Box::new(AssumeRole {
            role_arn: arn.to_owned(),
            session_name: None,
            external_id: None,
            duration_seconds: None,
            endpoint: None,
            base,
        })))
    }

    const CONFIG: &str = "\
[default]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::1:role/dev
source_profile = base

[profile admin]
role_arn = arn:aws:iam::1:role/admin
source_profile = dev
external_id = ext-7
role_session_name = ci

[profile self]
role_arn = arn:aws:iam::1:role/self
source_profile = self
aws_access_key_id = AKIDSELF
aws_secret_access_key = self-secret

[profile on-ec2]
role_arn = arn:aws:iam::1:role/ec2
credential_source = Ec2InstanceMetadata

[profile from-env]
role_arn = arn:aws:iam::1:role/env
credential_source = Environment

[profile odd-source]
role_arn = arn:aws:iam::1:role/odd
credential_source = Lambda

[profile loop-a]
role_arn = arn:aws:iam::1:role/a
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::1:role/b
source_profile = loop-a

[profile orphan]
role_arn = arn:aws:iam::1:role/orphan

[profile lost]
role_arn = arn:aws:iam::1:role/lost
source_profile = nowhere

[profile mfa]
role_arn = arn:aws:iam::1:role/mfa
source_profile = base
mfa_serial = arn:aws:iam::1:mfa/me

[profile sso]
sso_session = corp
sso_account_id = 1
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
sso_account_id = 2
sso_role_name = ReadOnly
role_arn = arn:aws:iam::2:role/after-sso

[profile sso-lost]
sso_session = gone
sso_account_id = 1
sso_role_name = Admin

[profile sso-partial]
sso_session = corp
sso_account_id = 1

[profile eks]
role_arn = arn:aws:iam::1:role/eks
web_identity_token_file = /var/run/token

[profile vault]
credential_process = /usr/local/bin/vault-aws --profile x

[profile empty]
region = us-west-2
";

    const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret
";

    #[test]
    fn roles_are_assumed_with_the_source_profiles_credentials_to_the_end_of_the_chain() {
        let machine = Machine::new(CONFIG, CREDENTIALS, &[]);
        let dev = role("arn:aws:iam::1:role/dev", key("AKIDBASE", "base-secret"));
        assert_eq!(machine.locate("dev"), Ok(Some(dev.clone())));
        let Ok(Some(Found::Remote(Remote::AssumeRole(admin)))) = machine.locate("admin") else {
            panic!("{:?}", machine.locate("admin"));
        };
        assert_eq!(admin.base, dev);
        assert_eq!(
            (admin.external_id.as_deref(), admin.session_name.as_deref()),
            (Some("ext-7"), Some("ci"))
        );
        assert_eq!(
            machine.locate("self"),
            Ok(Some(role(
                "arn:aws:iam::1:role/self",
                key("AKIDSELF", "self-secret")
            )))
        );
        assert_eq!(
            machine.locate("on-ec2"),
            Ok(Some(role(
                "arn:aws:iam::1:role/ec2",
                Found::Remote(Remote::InstanceMetadata {
                    endpoint: "http://169.254.169.254".to_owned()
                })
            )))
        );
        assert!(matches!(
            machine.locate("eks"),
            Ok(Some(Found::Remote(Remote::WebIdentity { ref role_arn, .. }))) if role_arn == "arn:aws:iam::1:role/eks"
        ));
        assert_eq!(
            machine.locate("vault"),
            Ok(Some(Found::Remote(Remote::Process {
                profile: "vault".to_owned(),
                command: "/usr/local/bin/vault-aws --profile x".to_owned()
            })))
        );
    }

    #[test]
    fn sso_profiles_find_the_cli_s_cached_login_by_session_or_start_url() {
        let machine = Machine::new(CONFIG, CREDENTIALS, &[("HOME", "/home/me")]);
        let cache = Path::new("/home/me/.aws/sso/cache");
        // `printf corp | sha1sum`: the AWS CLI names the cache after the session.
        assert_eq!(
            machine.locate("sso"),
            Ok(Some(Found::Remote(Remote::Sso(Sso {
                profile: "sso".to_owned(),
                cache: cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
                account_id: "1".to_owned(),
                role_name: "Admin".to_owned(),
                endpoint: "https://portal.sso.eu-west-1.amazonaws.com".to_owned(),
            }))))
        );
        // Legacy profiles: after the start URL; and a role assumed on top.
        let Ok(Some(Found::Remote(Remote::AssumeRole(role)))) = machine.locate("sso-legacy") else {
            panic!("{:?}", machine.locate("sso-legacy"));
        };
        let Found::Remote(Remote::Sso(sso)) = &role.base else {
            panic!("{role:?}");
        };
        let digest = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            b"https://legacy.awsapps.com/start",
        );
        assert_eq!(
            sso.cache,
            cache.join(format!("{}.json", hex::encode(digest.as_ref())))
        );
        assert_eq!(sso.endpoint, "https://portal.sso.us-east-2.amazonaws.com");
    }

    #[test]
    fn credential_source_environment_reads_the_variables() {
        let machine = Machine::new(
            CONFIG,
            CREDENTIALS,
            &[
                (env::ACCESS_KEY_ID, "AKIDENV"),
                (env::SECRET_ACCESS_KEY, "env-secret"),
            ],
        );
        assert_eq!(
            machine.locate("from-env"),
            Ok(Some(role(
                "arn:aws:iam::1:role/env",
                key("AKIDENV", "env-secret")
            )))
        );
    }

    #[test]
    fn a_profile_that_cannot_work_says_why_at_plan() {
        let machine = Machine::new(CONFIG, CREDENTIALS, &[]);
        for (profile, says) in [
            ("loop-a", "source_profile loop: loop-a → loop-b → loop-a"),
            ("orphan", "has role_arn but nothing to assume it with"),
            (
                "lost",
                "names \"nowhere\" as source_profile, which is in neither",
            ),
            ("mfa", "MFA code"),
            (
                "sso-lost",
                "its sso_session \"gone\" has no [sso-session gone] section",
            ),
            ("sso-partial", "it has no sso_role_name"),
            (
                "from-env",
                "credential_source = Environment, but AWS_ACCESS_KEY_ID",
            ),
            (
                "odd-source",
                "valid values are Environment, Ec2InstanceMetadata and EcsContainer",
            ),
            (
                "missing",
                "the AWS profile \"missing\" (AWS_PROFILE) is in neither",
            ),
        ] {
            let error = machine.locate(profile).unwrap_err();
            assert!(error.contains(says), "{profile}: {error}");
        }
        // A profile with no source of credentials leaves the chain to go on.
        assert_eq!(machine.locate("empty"), Ok(None));
    }

    #[test]
    fn the_default_profile_may_be_missing() {
        let machine = Machine::new("", "", &[]);
        let getenv = |k: &str| machine.vars.get(k).cloned();
        assert_eq!(locate(&SharedFiles::locate(&getenv), &getenv), Ok(None));
    }

    #[test]
    fn the_credentials_file_overrides_the_config_file() {
        let machine = Machine::new(
            "[profile p]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n",
            "[p]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = k\n",
            &[],
        );
        assert_eq!(machine.locate("p"), Ok(Some(key("AKIDCREDS", "k"))));
    }

    #[tokio::test]
    async fn a_credential_process_prints_version_1_json() {
        let credentials = process(
            "p",
            r#"printf '{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token", "Expiration": "2999-01-01T00:00:00Z"}'"#,
        )
        .await
        .unwrap();
        assert_eq!(credentials.access_key_id, "ASIAPROC");
        assert_eq!(credentials.secret_access_key, Secret::new("proc-secret"));
        assert_eq!(credentials.session_token, Some(Secret::new("proc-token")));
    }

    #[tokio::test]
    async fn a_failing_credential_process_is_named_without_its_command_or_output() {
        for (command, says) in [
            (
                "echo leaked-output; echo leaked-stderr >&2; exit 3",
                "failed (exit status: 3)",
            ),
            (
                "echo '{\"leaked-output\": 1}'",
                "printed something other than AWS credentials",
            ),
            (
                r#"printf '{"Version": 2, "AccessKeyId": "leaked-output", "SecretAccessKey": "s"}'"#,
                "format version 2",
            ),
        ] {
            let error = process("p", command).await.unwrap_err();
            assert!(error.contains(says), "{error}");
            assert!(
                error.contains("credential_process of the AWS profile \"p\""),
                "{error}"
            );
            assert!(
                !error.contains("leaked") && !error.contains("printf"),
                "{error}"
            );
        }
    }
}
