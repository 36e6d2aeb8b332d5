//! AWS IAM auth's proof of identity: a SigV4-signed `sts:GetCallerIdentity` request that
//! Infisical forwards to AWS STS, and the AWS credentials it is signed with.
//!
//! The request is built as Infisical's Go SDK builds it (`AwsIamAuthLogin`): `POST
//! https://sts.<region>.amazonaws.com/` with the body `Action=GetCallerIdentity&Version=2011-06-15`,
//! sent to Infisical as the base64 of the body and the base64 of a JSON object of the signed
//! headers. Infisical reads the region back from the `Authorization` header's credential scope.
//!
//! Signing is `aws-sigv4`'s. The credentials come from AWS's default chain, in the SDKs' order:
//! the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the
//! profile (`AWS_PROFILE`, else `default`) in the shared credentials and config files, then the
//! network sources of [`remote`]: web identity, the container endpoint, EC2 instance metadata.
//! Not covered: SSO, `credential_process` and role chaining in profiles. `aws-config`, which has
//! them, costs several minutes of compile time, so it is not used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::secret::Secret;

mod remote;

pub(crate) use remote::Remote;

/// Environment variables of AWS's credential chain that this module reads.
pub mod env {
    /// The access key id.
    pub const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
    /// The secret access key.
    pub const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
    /// The session token of temporary credentials.
    pub const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
    /// The profile to read from the shared files (default `default`).
    pub const PROFILE: &str = "AWS_PROFILE";
    /// The shared credentials file (default `~/.aws/credentials`).
    pub const SHARED_CREDENTIALS_FILE: &str = "AWS_SHARED_CREDENTIALS_FILE";
    /// The shared config file (default `~/.aws/config`).
    pub const CONFIG_FILE: &str = "AWS_CONFIG_FILE";
    /// The region.
    pub const REGION: &str = "AWS_REGION";
    /// The region, as older tools name it.
    pub const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
    /// Web identity: the file holding the OIDC token (EKS IAM roles for service accounts).
    pub const WEB_IDENTITY_TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
    /// Web identity: the role to assume.
    pub const ROLE_ARN: &str = "AWS_ROLE_ARN";
    /// Web identity: the session name (default: made up).
    pub const ROLE_SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";
    /// STS's base URL for web identity (default: the region's endpoint).
    pub const STS_ENDPOINT: &str = "AWS_ENDPOINT_URL_STS";
    /// The container credentials endpoint's path on 169.254.170.2 (ECS).
    pub const CONTAINER_CREDENTIALS_RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    /// The container credentials endpoint's full URL (EKS Pod Identity, local agents).
    pub const CONTAINER_CREDENTIALS_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    /// The container endpoint's authorization token.
    pub const CONTAINER_AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    /// A file holding the container endpoint's authorization token.
    pub const CONTAINER_AUTHORIZATION_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    /// `true` switches EC2 instance metadata off.
    pub const EC2_METADATA_DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
    /// The instance metadata service's base URL (default `http://169.254.169.254`).
    pub const EC2_METADATA_SERVICE_ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
}

/// The region when none is configured: STS's global endpoint lives there.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The body of the signed request.
const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
/// Its content type, signed along with it.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// AWS credentials. `Debug` shows the access key id only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// The access key id (not a secret: it names the key).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
}

/// Where the AWS credentials and region come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsSource {
    /// AWS's default chain: the environment, the shared files and the network sources, read
    /// again at every login (so that rotated credentials are picked up).
    Environment,
    /// Fixed credentials and region.
    Static {
        /// The credentials.
        credentials: AwsCredentials,
        /// The region whose STS endpoint the request is signed for.
        region: String,
    },
}

impl AwsSource {
    /// The credentials and region, from AWS's default chain for [`AwsSource::Environment`].
    pub(crate) async fn resolve(&self) -> Result<(AwsCredentials, String), String> {
        match self {
            AwsSource::Environment => {
                let (found, region) = {
                    let getenv = |name: &str| std::env::var(name).ok();
                    (locate(&getenv)?, region(&getenv))
                };
                let credentials = match found {
                    Found::Local(credentials) => credentials,
                    Found::Remote(remote) => remote.fetch(&region).await?,
                };
                Ok((credentials, region))
            }
            AwsSource::Static {
                credentials,
                region,
            } => Ok((credentials.clone(), region.clone())),
        }
    }
}

/// The signed request, encoded as Infisical's `aws-auth/login` wants it.
pub(crate) struct SignedGetCallerIdentity {
    /// `iamHttpRequestMethod`.
    pub(crate) method: &'static str,
    /// `iamRequestBody`: base64 of the form body.
    pub(crate) body: String,
    /// `iamRequestHeaders`: base64 of a JSON object of header name to value. It carries the
    /// signature and any session token, so it is a secret.
    pub(crate) headers: Secret,
}

/// Signs `sts:GetCallerIdentity` for `region` at `now`.
pub(crate) fn sign_get_caller_identity(
    credentials: &AwsCredentials,
    region: &str,
    now: SystemTime,
) -> Result<SignedGetCallerIdentity, String> {
    let host = format!("sts.{region}.amazonaws.com");
    let url = format!("https://{host}/");
    let identity = Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.expose(),
        credentials
            .session_token
            .as_ref()
            .map(|t| t.expose().to_owned()),
        None,
        "terraform-provider-infisical",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot set up AWS request signing: {e}"))?
        .into();
    let headers = [("content-type", FORM_CONTENT_TYPE), ("host", host.as_str())];
    let request = SignableRequest::new(
        "POST",
        url,
        headers.into_iter(),
        SignableBody::Bytes(GET_CALLER_IDENTITY.as_bytes()),
    )
    .map_err(|e| format!("cannot sign the AWS request: {e}"))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| format!("cannot sign the AWS request: {e}"))?
        .into_parts();
    // Header names as Go's canonical form writes them: Infisical looks up `Authorization`.
    let mut signed: BTreeMap<String, String> = BTreeMap::new();
    signed.insert("Host".to_owned(), host.clone());
    signed.insert("Content-Type".to_owned(), FORM_CONTENT_TYPE.to_owned());
    signed.insert(
        "Content-Length".to_owned(),
        GET_CALLER_IDENTITY.len().to_string(),
    );
    for (name, value) in instructions.headers() {
        signed.insert(canonical_header_name(name), value.to_owned());
    }
    let json = serde_json::to_vec(&signed)
        .map_err(|e| format!("cannot encode the signed AWS request: {e}"))?;
    Ok(SignedGetCallerIdentity {
        method: "POST",
        body: BASE64.encode(GET_CALLER_IDENTITY),
        headers: Secret::new(BASE64.encode(json)),
    })
}

/// `x-amz-date` → `X-Amz-Date`.
fn canonical_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`.
pub(crate) fn region(getenv: &dyn Fn(&str) -> Option<String>) -> String {
    let getenv = |name: &str| getenv(name).filter(|v| !v.trim().is_empty());
    getenv(env::REGION)
        .or_else(|| getenv(env::DEFAULT_REGION))
        .or_else(|| {
            let files = SharedFiles::locate(&getenv);
            read_profile(files.config.as_deref(), &files.profile, true)
                .remove("region")
                .filter(|r| !r.is_empty())
        })
        .unwrap_or_else(|| DEFAULT_REGION.to_owned())
}

/// Where the default chain finds credentials.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// In the environment or the shared files.
    Local(AwsCredentials),
    /// At a network source, to be asked at login.
    Remote(Remote),
}

/// Follows AWS's default chain as far as it goes without a request: the credentials themselves,
/// or the network source to ask. The error says where it looked.
pub(crate) fn locate(getenv: &dyn Fn(&str) -> Option<String>) -> Result<Found, String> {
    let local = match credentials(getenv) {
        Ok(credentials) => return Ok(Found::Local(credentials)),
        Err(problem) => problem,
    };
    match remote::locate(getenv)? {
        Some(source) => Ok(Found::Remote(source)),
        None => Err(format!(
            "{local}; and no network source is configured either ({}, {} or {}), with EC2 \
             instance metadata switched off by {}",
            env::WEB_IDENTITY_TOKEN_FILE,
            env::CONTAINER_CREDENTIALS_RELATIVE_URI,
            env::CONTAINER_CREDENTIALS_FULL_URI,
            env::EC2_METADATA_DISABLED,
        )),
    }
}

/// The credentials: the environment, else the profile in the shared credentials file, else the
/// profile in the shared config file. The error says where it looked.
fn credentials(getenv: &dyn Fn(&str) -> Option<String>) -> Result<AwsCredentials, String> {
    let getenv = |name: &str| getenv(name).filter(|v| !v.trim().is_empty());
    if let (Some(id), Some(secret)) = (getenv(env::ACCESS_KEY_ID), getenv(env::SECRET_ACCESS_KEY)) {
        return Ok(AwsCredentials {
            access_key_id: id.trim().to_owned(),
            secret_access_key: Secret::new(secret.trim()),
            session_token: getenv(env::SESSION_TOKEN).map(|t| Secret::new(t.trim())),
        });
    }
    let files = SharedFiles::locate(&getenv);
    for (path, is_config) in [(&files.credentials, false), (&files.config, true)] {
        let mut profile = read_profile(path.as_deref(), &files.profile, is_config);
        if let (Some(id), Some(secret)) = (
            profile.remove("aws_access_key_id"),
            profile.remove("aws_secret_access_key"),
        ) {
            return Ok(AwsCredentials {
                access_key_id: id,
                secret_access_key: Secret::new(secret),
                session_token: profile.remove("aws_session_token").map(Secret::new),
            });
        }
    }
    let shown = |path: &Option<PathBuf>| {
        path.as_ref().map_or_else(
            || "(no home directory)".to_owned(),
            |p| p.display().to_string(),
        )
    };
    Err(format!(
        "no AWS credentials found: set {} and {} (and {} for temporary credentials), or put \
         aws_access_key_id and aws_secret_access_key in the profile {:?} of {} or {} (choose the \
         profile with {})",
        env::ACCESS_KEY_ID,
        env::SECRET_ACCESS_KEY,
        env::SESSION_TOKEN,
        files.profile,
        shown(&files.credentials),
        shown(&files.config),
        env::PROFILE,
    ))
}

/// Where the shared files are and which profile to read.
struct SharedFiles {
    profile: String,
    credentials: Option<PathBuf>,
    config: Option<PathBuf>,
}

impl SharedFiles {
    fn locate(getenv: &dyn Fn(&str) -> Option<String>) -> Self {
        let home = getenv("HOME").or_else(|| getenv("USERPROFILE"));
        let file = |var: &str, name: &str| {
            getenv(var)
                .map(|p| expand_home(&p, home.as_deref()))
                .or_else(|| home.as_ref().map(|h| Path::new(h).join(".aws").join(name)))
        };
        Self {
            profile: getenv(env::PROFILE).unwrap_or_else(|| "default".to_owned()),
            credentials: file(env::SHARED_CREDENTIALS_FILE, "credentials"),
            config: file(env::CONFIG_FILE, "config"),
        }
    }
}

fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The keys of one profile in an INI file: `[name]` in the credentials file; `[profile name]`
/// (or `[default]`) in the config file. A missing or unreadable file has no profiles.
fn read_profile(path: Option<&Path>, profile: &str, is_config: bool) -> BTreeMap<String, String> {
    let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return BTreeMap::new();
    };
    parse_profile(&text, profile, is_config)
}

fn parse_profile(text: &str, profile: &str, is_config: bool) -> BTreeMap<String, String> {
    let mut keys = BTreeMap::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let name = if is_config && section != "default" {
                section.strip_prefix("profile ").map(str::trim)
            } else {
                Some(section)
            };
            inside = name == Some(profile);
            continue;
        }
        if inside && let Some((key, value)) = line.split_once('=') {
            keys.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| vars.get(k).cloned()
    }

    #[test]
    fn the_environment_comes_before_the_files() {
        let found = credentials(&lookup(&[
            (env::ACCESS_KEY_ID, "AKIDENV"),
            (env::SECRET_ACCESS_KEY, "secret"),
            (env::SESSION_TOKEN, "session"),
            (env::SHARED_CREDENTIALS_FILE, "/nonexistent"),
        ]))
        .unwrap();
        assert_eq!(found.access_key_id, "AKIDENV");
        assert_eq!(found.session_token, Some(Secret::new("session")));
    }

    #[test]
    fn profiles_are_read_from_the_credentials_then_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("credentials");
        let config = dir.path().join("config");
        std::fs::write(
            &creds,
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n\
             # a comment\n[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=s2\n\
             aws_session_token = tok\n",
        )
        .unwrap();
        std::fs::write(
            &config,
            "[default]\nregion = eu-west-1\n[profile other]\nregion = ap-south-1\n\
             aws_access_key_id = AKIDOTHER\naws_secret_access_key = s3\n",
        )
        .unwrap();
        let files = [
            (env::SHARED_CREDENTIALS_FILE, creds.to_str().unwrap()),
            (env::CONFIG_FILE, config.to_str().unwrap()),
        ];
        let default = lookup(&files);
        assert_eq!(credentials(&default).unwrap().access_key_id, "AKIDDEFAULT");
        assert_eq!(region(&default), "eu-west-1");
        let ci = lookup(&[files[0], files[1], (env::PROFILE, "ci")]);
        let found = credentials(&ci).unwrap();
        assert_eq!(
            (found.access_key_id.as_str(), found.session_token),
            ("AKIDCI", Some(Secret::new("tok")))
        );
        assert_eq!(region(&ci), DEFAULT_REGION);
        let other = lookup(&[files[0], files[1], (env::PROFILE, "other")]);
        assert_eq!(credentials(&other).unwrap().access_key_id, "AKIDOTHER");
        assert_eq!(region(&other), "ap-south-1");
        let env_region = lookup(&[files[1], (env::DEFAULT_REGION, "ca-central-1")]);
        assert_eq!(region(&env_region), "ca-central-1");
    }

    #[test]
    fn missing_credentials_say_where_they_were_looked_for() {
        let error = credentials(&lookup(&[
            ("HOME", "/nowhere"),
            (env::ACCESS_KEY_ID, "AKID"),
        ]))
        .unwrap_err();
        assert!(error.contains(env::SECRET_ACCESS_KEY), "{error}");
        assert!(error.contains("/nowhere/.aws/credentials"), "{error}");
    }

    #[test]
    fn the_signed_request_has_the_go_sdk_shape() {
        let credentials = AwsCredentials {
            access_key_id: "AKIDEXAMPLE".to_owned(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: Some(Secret::new("the-session-token")),
        };
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160);
        let signed = sign_get_caller_identity(&credentials, "eu-central-1", now).unwrap();
        assert_eq!(signed.method, "POST");
        assert_eq!(
            BASE64.decode(&signed.body).unwrap(),
            GET_CALLER_IDENTITY.as_bytes()
        );
        let headers: BTreeMap<String, String> =
            serde_json::from_slice(&BASE64.decode(signed.headers.expose()).unwrap()).unwrap();
        let names: Vec<&str> = headers.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "Authorization",
                "Content-Length",
                "Content-Type",
                "Host",
                "X-Amz-Date",
                "X-Amz-Security-Token"
            ]
        );
        assert_eq!(headers["Host"], "sts.eu-central-1.amazonaws.com");
        assert_eq!(headers["X-Amz-Date"], "20150830T123600Z");
        assert_eq!(headers["X-Amz-Security-Token"], "the-session-token");
        let authorization = &headers["Authorization"];
        assert!(
            authorization.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-central-1/sts/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
            ),
            "{authorization}"
        );
    }
}
