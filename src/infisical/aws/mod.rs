//! AWS IAM auth's proof of identity: a SigV4-signed `sts:GetCallerIdentity` request that
//! Infisical forwards to AWS STS, and the AWS credentials it is signed with.
//!
//! The request is built as Infisical's Go SDK builds it (`AwsIamAuthLogin`): `POST
//! https://sts.<region>.amazonaws.com/` with the body `Action=GetCallerIdentity&Version=2011-06-15`,
//! sent to Infisical as the base64 of the body and the base64 of a JSON object of the signed
//! headers. Infisical reads the region back from the `Authorization` header's credential scope.
//!
//! Signing is `aws-sigv4`'s. The credentials come from AWS's default chain, in the order of the
//! AWS SDK for Go (which Infisical's Go SDK uses): the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), web identity from the environment, the
//! profile (`AWS_PROFILE`, else `default`) of the shared files (static keys, SSO,
//! `credential_process`, roles assumed with `source_profile` or `credential_source`), then the
//! container endpoint and EC2 instance metadata. [`chain`] follows that order and asks the source
//! it finds; [`profile`] reads the files and [`remote`] asks the sources. `aws-config`, which has them
//! all, costs several minutes of compile time, so it is not used.

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::secret::Secret;
use profile::SharedFiles;

mod chain;
mod profile;
mod remote;

pub(crate) use chain::locate;

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
    /// The SSO portal's base URL (default: the SSO region's).
    pub const SSO_ENDPOINT: &str = "AWS_ENDPOINT_URL_SSO";
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
                let (source, region) = {
                    let getenv = |name: &str| std::env::var(name).ok();
                    (locate(&getenv)?, region(&getenv))
                };
                Ok((source.fetch(&region).await?, region))
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
    let url = format!("https://sts.{region}.amazonaws.com/");
    // Header names as Go's canonical form writes them: Infisical looks up `Authorization`.
    let mut signed: BTreeMap<String, String> =
        sign_sts_form(credentials, region, &url, GET_CALLER_IDENTITY, now)?
            .into_iter()
            .map(|(name, value)| (canonical_header_name(&name), value))
            .collect();
    signed.insert(
        "Content-Length".to_owned(),
        GET_CALLER_IDENTITY.len().to_string(),
    );
    let json = serde_json::to_vec(&signed)
        .map_err(|e| format!("cannot encode the signed AWS request: {e}"))?;
    Ok(SignedGetCallerIdentity {
        method: "POST",
        body: BASE64.encode(GET_CALLER_IDENTITY),
        headers: Secret::new(BASE64.encode(json)),
    })
}

/// The headers of a SigV4-signed form `POST` of `body` to STS at `url`, for `region` at `now`:
/// `host`, `content-type`, and the signature's (`x-amz-date`, `authorization`, and
/// `x-amz-security-token` for temporary credentials).
pub(crate) fn sign_sts_form(
    credentials: &AwsCredentials,
    region: &str,
    url: &str,
    body: &str,
    now: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    let parsed =
        url::Url::parse(url).map_err(|e| format!("STS's URL {url:?} is not valid: {e}"))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return Err(format!("STS's URL {url:?} has no host")),
    };
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
        SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(|e| format!("cannot sign the AWS request: {e}"))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| format!("cannot sign the AWS request: {e}"))?
        .into_parts();
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    signed.extend(
        instructions
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    Ok(signed)
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
            files
                .profile(&files.profile)?
                .remove("region")
                .filter(|r| !r.is_empty())
        })
        .unwrap_or_else(|| DEFAULT_REGION.to_owned())
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

    /// The credentials `vars` lead to without a request.
    #[track_caller]
    fn credentials(getenv: &dyn Fn(&str) -> Option<String>) -> Result<AwsCredentials, String> {
        let off = |name: &str| match name {
            env::EC2_METADATA_DISABLED => Some("true".to_owned()),
            _ => getenv(name),
        };
        match locate(&off)? {
            chain::Source::Keys(credentials) => Ok(credentials),
            remote => panic!("not local: {remote:?}"),
        }
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
