//! AWS's default credential chain: where the credentials are found, in the order of the AWS SDK
//! for Go, and how the [`Source`] found is asked for them at login. The shared files are read by
//! [`profile`](super::profile) and the network sources asked by [`remote`](super::remote); this
//! module decides between them, so neither of the two knows the other.
//!
//! The order: the environment's keys, then (unless web identity is set in the environment) the
//! profile of the shared files, then the network sources the environment points to: web
//! identity, the container credentials endpoint, EC2 instance metadata.
//!
//! A profile's credentials come from the first of: `source_profile` (with `role_arn`: another
//! profile's credentials, followed to the end), static keys (`aws_access_key_id`,
//! `aws_secret_access_key`, `aws_session_token`), `credential_source` (`Environment`,
//! `Ec2InstanceMetadata` or `EcsContainer`), `web_identity_token_file` (with `role_arn`), IAM
//! Identity Center (SSO: `sso_session` or `sso_start_url`, with `sso_account_id` and
//! `sso_role_name`, from the login `aws sso login` cached), then `credential_process`. With
//! `role_arn`, those credentials then assume the role through `sts:AssumeRole`
//! (`role_session_name`, `external_id`, `duration_seconds`).
//!
//! Refused with a reason: `mfa_serial`, which needs a code typed in. An expired SSO login is not
//! refreshed: the error says to run `aws sso login`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::profile::SharedFiles;
use super::remote::{self, Role, Sso};
use super::{AwsCredentials, env};
use crate::secret::{Secret, SecretSource};

/// The instance metadata service, unless `AWS_EC2_METADATA_SERVICE_ENDPOINT` says otherwise.
const IMDS_ENDPOINT: &str = "http://169.254.169.254";
/// Where `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` points (ECS).
const CONTAINER_HOST: &str = "http://169.254.170.2";
/// Hosts the container endpoint may have over plain http besides loopback: ECS and EKS Pod
/// Identity's link-local agents (as the AWS SDKs allow).
const CONTAINER_HTTP_HOSTS: [&str; 3] = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"];

/// Where AWS credentials come from: as they are, or from a source asked at each login (a
/// service, a process, a role to assume).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// Credentials as they are: the environment's, or a profile's static keys.
    Keys(AwsCredentials),
    /// `sts:AssumeRoleWithWebIdentity` with the token in a file.
    WebIdentity {
        /// `AWS_WEB_IDENTITY_TOKEN_FILE`.
        token_file: PathBuf,
        /// `AWS_ROLE_ARN`.
        role_arn: String,
        /// `AWS_ROLE_SESSION_NAME`, else one made up at each login.
        session_name: Option<String>,
        /// STS's base URL from `AWS_ENDPOINT_URL_STS`; else the login region's endpoint.
        endpoint: Option<String>,
    },
    /// The container credentials endpoint.
    Container {
        /// The full URL.
        url: String,
        /// What goes into the `Authorization` header, if anything.
        token: Option<SecretSource>,
    },
    /// The EC2 instance metadata service.
    InstanceMetadata {
        /// Its base URL, without a trailing `/`.
        endpoint: String,
    },
    /// A profile's `credential_process`.
    Process {
        /// The profile, to name in messages.
        profile: String,
        /// The command, run by `sh -c`.
        command: String,
    },
    /// A profile's `role_arn`, assumed with other credentials.
    AssumeRole(Box<AssumeRole>),
    /// A profile's IAM Identity Center (SSO) role.
    Sso(Sso),
}

/// A role to assume (`sts:AssumeRole`) with the credentials of another source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssumeRole {
    /// The role and how to ask for it.
    pub(crate) role: Role,
    /// The credentials that assume it.
    pub(crate) base: Source,
}

impl Source {
    /// The credentials: these, or the source's answer; `region` chooses STS's endpoint for web
    /// identity and roles.
    pub(crate) async fn fetch(&self, region: &str) -> Result<AwsCredentials, String> {
        match self {
            Source::Keys(credentials) => Ok(credentials.clone()),
            Source::WebIdentity {
                token_file,
                role_arn,
                session_name,
                endpoint,
            } => {
                let endpoint = remote::sts_endpoint(endpoint.as_deref(), region);
                remote::web_identity(token_file, role_arn, session_name.as_deref(), &endpoint).await
            }
            Source::Container { url, token } => remote::fetch_container(url, token.as_ref()).await,
            Source::InstanceMetadata { endpoint } => {
                remote::fetch_instance_metadata(endpoint).await
            }
            Source::Process { profile, command } => remote::process(profile, command).await,
            Source::AssumeRole(assume) => {
                let base = Box::pin(assume.base.fetch(region)).await?;
                remote::assume_role(&assume.role, &base, region).await
            }
            Source::Sso(sso) => remote::fetch_sso(sso).await,
        }
    }
}

/// Follows AWS's default chain as far as it goes without a request: the credentials themselves,
/// or the source to ask. The error says where it looked, or what is wrong with a profile.
pub(crate) fn locate(getenv: &dyn Fn(&str) -> Option<String>) -> Result<Source, String> {
    let getenv = |name: &str| getenv(name).filter(|v| !v.trim().is_empty());
    if let Some(credentials) = env_credentials(&getenv) {
        return Ok(Source::Keys(credentials));
    }
    let files = SharedFiles::locate(&getenv);
    // Web identity from the environment comes before the profile.
    if getenv(env::WEB_IDENTITY_TOKEN_FILE).is_none()
        && let Some(found) = profile_source(&files, &getenv)?
    {
        return Ok(found);
    }
    match network(&getenv)? {
        Some(source) => Ok(source),
        None => Err(format!(
            "no AWS credentials found: set {} and {} (and {} for temporary credentials), or \
             configure the profile {:?} of {} (choose the profile with {}); and no network source \
             is configured either ({}, {} or {}), with EC2 instance metadata switched off by {}",
            env::ACCESS_KEY_ID,
            env::SECRET_ACCESS_KEY,
            env::SESSION_TOKEN,
            files.profile,
            files.shown(),
            env::PROFILE,
            env::WEB_IDENTITY_TOKEN_FILE,
            env::CONTAINER_CREDENTIALS_RELATIVE_URI,
            env::CONTAINER_CREDENTIALS_FULL_URI,
            env::EC2_METADATA_DISABLED,
        )),
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
fn env_credentials(getenv: &dyn Fn(&str) -> Option<String>) -> Option<AwsCredentials> {
    let getenv = |name: &str| getenv(name).filter(|v| !v.trim().is_empty());
    let (id, secret) = (getenv(env::ACCESS_KEY_ID)?, getenv(env::SECRET_ACCESS_KEY)?);
    Some(AwsCredentials {
        access_key_id: id.trim().to_owned(),
        secret_access_key: Secret::new(secret.trim()),
        session_token: getenv(env::SESSION_TOKEN).map(|t| Secret::new(t.trim())),
    })
}

/// What the selected profile leads to: `None` when it has no source of credentials (or does not
/// exist and `AWS_PROFILE` did not ask for it), so that the chain goes on.
fn profile_source(
    files: &SharedFiles,
    getenv: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Source>, String> {
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
) -> Result<Option<Source>, String> {
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
                Some(credentials) => Some(Source::Keys(credentials)),
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
        Some(Source::Keys(credentials))
    } else if let Some(source) = key("credential_source") {
        Some(credential_source(name, source, getenv)?)
    } else if let Some(token_file) = key("web_identity_token_file") {
        let Some(role_arn) = role_arn else {
            return problem("has web_identity_token_file but no role_arn to assume".to_owned());
        };
        return Ok(Some(Source::WebIdentity {
            token_file: PathBuf::from(token_file),
            role_arn: role_arn.to_owned(),
            session_name: key("role_session_name").map(str::to_owned),
            endpoint: sts_endpoint_from(getenv),
        }));
    } else if keys.keys().any(|k| k.starts_with("sso_")) {
        Some(Source::Sso(sso(files, name, keys, getenv)?))
    } else {
        key("credential_process").map(|command| Source::Process {
            profile: name.to_owned(),
            command: command.to_owned(),
        })
    };
    match (role_arn, base) {
        (None, base) => Ok(base),
        (Some(role_arn), Some(base)) => Ok(Some(Source::AssumeRole(Box::new(AssumeRole {
            role: Role {
                role_arn: role_arn.to_owned(),
                session_name: key("role_session_name").map(str::to_owned),
                external_id: key("external_id").map(str::to_owned),
                duration_seconds: key("duration_seconds").map(str::to_owned),
                endpoint: sts_endpoint_from(getenv),
            },
            base,
        })))),
        (Some(_), None) => problem(
            "has role_arn but nothing to assume it with: add source_profile, credential_source \
             or web_identity_token_file"
                .to_owned(),
        ),
    }
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
            files.sso_session(session).ok_or_else(|| {
                problem(format!(
                    "its sso_session {session:?} has no [sso-session {session}] section"
                ))
            })?,
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
) -> Result<Source, String> {
    let problem = |what: String| format!("the AWS profile {profile:?} has {what}");
    match source {
        "Environment" => env_credentials(getenv).map(Source::Keys).ok_or_else(|| {
            problem(format!(
                "credential_source = Environment, but {} and {} are not set",
                env::ACCESS_KEY_ID,
                env::SECRET_ACCESS_KEY
            ))
        }),
        "Ec2InstanceMetadata" => Ok(instance_metadata(getenv)),
        "EcsContainer" => container(getenv)?.ok_or_else(|| {
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

/// The first network source the environment points to, or `None` when it points to none and
/// instance metadata is switched off (`AWS_EC2_METADATA_DISABLED=true`). Blank variables count
/// as unset.
fn network(getenv: &dyn Fn(&str) -> Option<String>) -> Result<Option<Source>, String> {
    let getenv = |name: &str| {
        getenv(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(token_file) = getenv(env::WEB_IDENTITY_TOKEN_FILE) {
        let role_arn = getenv(env::ROLE_ARN).ok_or_else(|| {
            format!(
                "{} is set but {} is not: web identity needs the ARN of the role to assume",
                env::WEB_IDENTITY_TOKEN_FILE,
                env::ROLE_ARN
            )
        })?;
        return Ok(Some(Source::WebIdentity {
            token_file: PathBuf::from(token_file),
            role_arn,
            session_name: getenv(env::ROLE_SESSION_NAME),
            endpoint: sts_endpoint_from(&getenv),
        }));
    }
    if let Some(container) = container(&getenv)? {
        return Ok(Some(container));
    }
    if getenv(env::EC2_METADATA_DISABLED).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    Ok(Some(instance_metadata(&getenv)))
}

/// The container endpoint the environment points to, if any.
fn container(getenv: &dyn Fn(&str) -> Option<String>) -> Result<Option<Source>, String> {
    let getenv = |name: &str| {
        getenv(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let token = getenv(env::CONTAINER_AUTHORIZATION_TOKEN)
        .map(|t| SecretSource::Value(Secret::new(t)))
        .or_else(|| {
            getenv(env::CONTAINER_AUTHORIZATION_TOKEN_FILE).map(|p| SecretSource::File(p.into()))
        });
    if let Some(relative) = getenv(env::CONTAINER_CREDENTIALS_RELATIVE_URI) {
        let url = format!("{CONTAINER_HOST}/{}", relative.trim_start_matches('/'));
        return Ok(Some(Source::Container { url, token }));
    }
    if let Some(url) = getenv(env::CONTAINER_CREDENTIALS_FULL_URI) {
        check_container_url(&url)?;
        return Ok(Some(Source::Container { url, token }));
    }
    Ok(None)
}

/// Instance metadata, at `AWS_EC2_METADATA_SERVICE_ENDPOINT` or its usual address.
fn instance_metadata(getenv: &dyn Fn(&str) -> Option<String>) -> Source {
    let endpoint = getenv(env::EC2_METADATA_SERVICE_ENDPOINT)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| IMDS_ENDPOINT.to_owned());
    Source::InstanceMetadata {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
    }
}

/// STS's base URL from `AWS_ENDPOINT_URL_STS`, if set.
fn sts_endpoint_from(getenv: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    getenv(env::STS_ENDPOINT)
        .map(|e| e.trim().trim_end_matches('/').to_owned())
        .filter(|e| !e.is_empty())
}

/// A full container credentials URL must be https, or http to loopback or to one of AWS's
/// link-local agents: credentials are never fetched in the clear from anywhere else.
fn check_container_url(text: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "{} is {text:?}, which {why}",
            env::CONTAINER_CREDENTIALS_FULL_URI
        ))
    };
    let Ok(url) = url::Url::parse(text) else {
        return refuse("is not a URL");
    };
    let host = url.host_str().unwrap_or_default();
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback || CONTAINER_HTTP_HOSTS.contains(&host) => Ok(()),
        "http" => refuse("is plain http to a host other than loopback or AWS's container agents"),
        _ => refuse("is neither http nor https"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

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

        fn locate(&self, profile: &str) -> Result<Option<Source>, String> {
            let getenv = |k: &str| match k {
                env::PROFILE => Some(profile.to_owned()),
                _ => self.vars.get(k).cloned(),
            };
            profile_source(&SharedFiles::locate(&getenv), &getenv)
        }
    }

    fn key(id: &str, secret: &str) -> Source {
        Source::Keys(AwsCredentials {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: None,
        })
    }

    fn role(arn: &str, base: Source) -> Source {
        Source::AssumeRole(Box::new(AssumeRole {
            role: Role {
                role_arn: arn.to_owned(),
                session_name: None,
                external_id: None,
                duration_seconds: None,
                endpoint: None,
            },
            base,
        }))
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
        let Ok(Some(Source::AssumeRole(admin))) = machine.locate("admin") else {
            panic!("{:?}", machine.locate("admin"));
        };
        assert_eq!(admin.base, dev);
        assert_eq!(
            (
                admin.role.external_id.as_deref(),
                admin.role.session_name.as_deref()
            ),
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
                Source::InstanceMetadata {
                    endpoint: "http://169.254.169.254".to_owned()
                }
            )))
        );
        assert!(matches!(
            machine.locate("eks"),
            Ok(Some(Source::WebIdentity { ref role_arn, .. })) if role_arn == "arn:aws:iam::1:role/eks"
        ));
        assert_eq!(
            machine.locate("vault"),
            Ok(Some(Source::Process {
                profile: "vault".to_owned(),
                command: "/usr/local/bin/vault-aws --profile x".to_owned()
            }))
        );
    }

    #[test]
    fn sso_profiles_find_the_cli_s_cached_login_by_session_or_start_url() {
        let machine = Machine::new(CONFIG, CREDENTIALS, &[("HOME", "/home/me")]);
        let cache = Path::new("/home/me/.aws/sso/cache");
        // `printf corp | sha1sum`: the AWS CLI names the cache after the session.
        assert_eq!(
            machine.locate("sso"),
            Ok(Some(Source::Sso(Sso {
                profile: "sso".to_owned(),
                cache: cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
                account_id: "1".to_owned(),
                role_name: "Admin".to_owned(),
                endpoint: "https://portal.sso.eu-west-1.amazonaws.com".to_owned(),
            })))
        );
        // Legacy profiles: after the start URL; and a role assumed on top.
        let Ok(Some(Source::AssumeRole(role))) = machine.locate("sso-legacy") else {
            panic!("{:?}", machine.locate("sso-legacy"));
        };
        let Source::Sso(sso) = &role.base else {
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
        assert_eq!(
            profile_source(&SharedFiles::locate(&getenv), &getenv),
            Ok(None)
        );
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

    fn locate_with(vars: &[(&str, &str)]) -> Result<Option<Source>, String> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        network(&|k| vars.get(k).map(|v| (*v).to_owned()))
    }

    #[test]
    fn sources_come_in_the_sdks_order() {
        let web = locate_with(&[
            (env::WEB_IDENTITY_TOKEN_FILE, "/var/run/token"),
            (env::ROLE_ARN, "arn:aws:iam::1:role/r"),
            (env::CONTAINER_CREDENTIALS_RELATIVE_URI, "/v2/credentials/x"),
        ]);
        assert!(
            matches!(web, Ok(Some(Source::WebIdentity { ref endpoint, .. })) if endpoint.is_none())
        );
        assert_eq!(
            remote::sts_endpoint(None, "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            remote::sts_endpoint(Some("http://127.0.0.1:1/sts"), "eu-west-1"),
            "http://127.0.0.1:1/sts"
        );
        let ecs = locate_with(&[(env::CONTAINER_CREDENTIALS_RELATIVE_URI, "/v2/credentials/x")]);
        assert_eq!(
            ecs,
            Ok(Some(Source::Container {
                url: "http://169.254.170.2/v2/credentials/x".to_owned(),
                token: None
            }))
        );
        assert_eq!(
            locate_with(&[]),
            Ok(Some(Source::InstanceMetadata {
                endpoint: IMDS_ENDPOINT.to_owned()
            }))
        );
        assert_eq!(
            locate_with(&[(env::EC2_METADATA_DISABLED, "TRUE")]),
            Ok(None)
        );
        assert_eq!(
            locate_with(&[
                (env::EC2_METADATA_DISABLED, " "),
                (env::EC2_METADATA_SERVICE_ENDPOINT, "http://127.0.0.1:9/")
            ]),
            Ok(Some(Source::InstanceMetadata {
                endpoint: "http://127.0.0.1:9".to_owned()
            }))
        );
    }

    #[test]
    fn web_identity_without_a_role_is_an_error() {
        let error = locate_with(&[(env::WEB_IDENTITY_TOKEN_FILE, "/t")]).unwrap_err();
        assert!(error.contains(env::ROLE_ARN), "{error}");
    }

    #[test]
    fn container_urls_are_https_or_local() {
        for ok in [
            "https://creds.example.com/x",
            "http://127.0.0.1:51679/creds",
            "http://localhost/creds",
            "http://169.254.170.23/v1/credentials",
            "http://[::1]:80/x",
        ] {
            assert!(check_container_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://creds.example.com/x",
            "ftp://127.0.0.1/x",
            "not a url",
        ] {
            let error = check_container_url(bad).unwrap_err();
            assert!(
                error.contains(env::CONTAINER_CREDENTIALS_FULL_URI),
                "{error}"
            );
        }
    }
}
