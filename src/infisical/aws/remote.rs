//! The sources of AWS credentials that are asked at login. The network sources of AWS's default
//! chain, in the AWS SDKs' order: web identity (EKS IAM roles for service accounts and other OIDC
//! federation), the container credentials endpoint (ECS task roles, EKS Pod Identity), then the
//! EC2 instance metadata service (IMDSv2); and what a profile of the shared files can point to:
//! a credential process, a role to assume with other credentials.
//!
//! Each answer holds a secret key and a session token: they go into [`Secret`]s at once, and no
//! error message quotes a response body.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;

use super::profile::{self, AssumeRole, Sso};
use super::{AwsCredentials, Found, env};
use crate::secret::{self, Secret, SecretSource};

/// The instance metadata service, unless `AWS_EC2_METADATA_SERVICE_ENDPOINT` says otherwise.
const IMDS_ENDPOINT: &str = "http://169.254.169.254";
/// Where `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` points (ECS).
const CONTAINER_HOST: &str = "http://169.254.170.2";
/// Hosts the container endpoint may have over plain http besides loopback: ECS and EKS Pod
/// Identity's link-local agents (as the AWS SDKs allow).
const CONTAINER_HTTP_HOSTS: [&str; 3] = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"];
/// How long a link-local service gets to accept a connection, and to answer.
const LOCAL_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const LOCAL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long AWS's public endpoints (STS, the SSO portal) get to answer.
const PUBLIC_TIMEOUT: Duration = Duration::from_secs(30);

/// A source of AWS credentials that needs a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Remote {
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

/// The first network source the environment points to, or `None` when it points to none and
/// instance metadata is switched off (`AWS_EC2_METADATA_DISABLED=true`). Blank variables count
/// as unset.
pub(crate) fn locate(getenv: &dyn Fn(&str) -> Option<String>) -> Result<Option<Remote>, String> {
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
        return Ok(Some(Remote::WebIdentity {
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
pub(super) fn container(getenv: &dyn Fn(&str) -> Option<String>) -> Result<Option<Remote>, String> {
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
        return Ok(Some(Remote::Container { url, token }));
    }
    if let Some(url) = getenv(env::CONTAINER_CREDENTIALS_FULL_URI) {
        check_container_url(&url)?;
        return Ok(Some(Remote::Container { url, token }));
    }
    Ok(None)
}

/// Instance metadata, at `AWS_EC2_METADATA_SERVICE_ENDPOINT` or its usual address.
pub(super) fn instance_metadata(getenv: &dyn Fn(&str) -> Option<String>) -> Remote {
    let endpoint = getenv(env::EC2_METADATA_SERVICE_ENDPOINT)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| IMDS_ENDPOINT.to_owned());
    Remote::InstanceMetadata {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
    }
}

/// STS's base URL from `AWS_ENDPOINT_URL_STS`, if set.
pub(super) fn sts_endpoint_from(getenv: &dyn Fn(&str) -> Option<String>) -> Option<String> {
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

impl Remote {
    /// Asks the source for credentials; `region` chooses STS's endpoint for web identity.
    pub(crate) async fn fetch(&self, region: &str) -> Result<AwsCredentials, String> {
        match self {
            Remote::WebIdentity {
                token_file,
                role_arn,
                session_name,
                endpoint,
            } => {
                let endpoint = sts_endpoint(endpoint.as_deref(), region);
                web_identity(token_file, role_arn, session_name.as_deref(), &endpoint).await
            }
            Remote::Container { url, token } => fetch_container(url, token.as_ref()).await,
            Remote::InstanceMetadata { endpoint } => fetch_instance_metadata(endpoint).await,
            Remote::Process { profile, command } => profile::process(profile, command).await,
            Remote::AssumeRole(role) => assume_role(role, region).await,
            Remote::Sso(sso) => fetch_sso(sso).await,
        }
    }
}

/// STS's base URL: the configured one, else the region's.
fn sts_endpoint(configured: Option<&str>, region: &str) -> String {
    configured.map_or_else(
        || format!("https://sts.{region}.amazonaws.com"),
        str::to_owned,
    )
}

/// Credentials as the container endpoint and instance metadata return them.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonCredentials {
    /// Instance metadata's status: `Success`, or why not.
    code: Option<String>,
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
}

impl JsonCredentials {
    fn parse(body: &[u8], source: &str) -> Result<AwsCredentials, String> {
        // serde's message could quote part of the body: it is not passed on.
        let parsed: JsonCredentials = serde_json::from_slice(body)
            .map_err(|_| format!("{source} answered with something other than AWS credentials"))?;
        if let Some(code) = parsed.code.filter(|c| c != "Success") {
            return Err(format!("{source} did not hand out credentials: {code}"));
        }
        Ok(AwsCredentials {
            access_key_id: parsed.access_key_id,
            secret_access_key: Secret::new(parsed.secret_access_key),
            session_token: parsed.token.map(Secret::new),
        })
    }
}

/// A client for link-local services: no proxy (they are on this host or its network), short
/// timeouts (on a machine without them, the chain must fail fast).
fn local_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(LOCAL_CONNECT_TIMEOUT)
        .timeout(LOCAL_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// A header value that `Debug` does not print.
fn secret_header(value: &Secret) -> Result<HeaderValue, String> {
    let mut header = HeaderValue::from_str(value.expose())
        .map_err(|_| "a credentials token is not a valid HTTP header value".to_owned())?;
    header.set_sensitive(true);
    Ok(header)
}

/// Sends `request`, failing on a transport error or a status other than 2xx; returns the body.
async fn body(request: reqwest::RequestBuilder, source: &str) -> Result<Vec<u8>, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("{source} did not answer: {}", without_url(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{source} answered {status}"));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("{source}'s answer could not be read: {}", without_url(&e)))?;
    Ok(bytes.to_vec())
}

/// reqwest's error without the URL (the caller names the source already).
fn without_url(error: &reqwest::Error) -> String {
    let mut cause = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = format!("{cause}: {inner}");
        source = inner.source();
    }
    cause
}

async fn fetch_instance_metadata(endpoint: &str) -> Result<AwsCredentials, String> {
    let source = format!("the EC2 instance metadata service at {endpoint}");
    let client = local_client()?;
    let token = body(
        client
            .put(format!("{endpoint}/latest/api/token"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
        &source,
    )
    .await?;
    let token = Secret::new(String::from_utf8_lossy(&token).trim());
    let token = secret_header(&token)?;
    let base = format!("{endpoint}/latest/meta-data/iam/security-credentials/");
    let roles = body(
        client
            .get(&base)
            .header("x-aws-ec2-metadata-token", token.clone()),
        &source,
    )
    .await?;
    let roles = String::from_utf8_lossy(&roles);
    let Some(role) = roles.lines().map(str::trim).find(|r| !r.is_empty()) else {
        return Err(format!("{source} has no IAM role for this instance"));
    };
    let answer = body(
        client
            .get(format!("{base}{role}"))
            .header("x-aws-ec2-metadata-token", token),
        &source,
    )
    .await?;
    JsonCredentials::parse(&answer, &source)
}

async fn fetch_container(
    url: &str,
    token: Option<&SecretSource>,
) -> Result<AwsCredentials, String> {
    let source = format!("the container credentials endpoint {url}");
    let mut request = local_client()?.get(url);
    if let Some(token) = token {
        // EKS Pod Identity rotates the token file: it is read at each login.
        let token = token.read("container authorization token").await?;
        request = request.header(AUTHORIZATION, secret_header(&token)?);
    }
    JsonCredentials::parse(&body(request, &source).await?, &source)
}

async fn web_identity(
    token_file: &std::path::Path,
    role_arn: &str,
    session_name: Option<&str>,
    endpoint: &str,
) -> Result<AwsCredentials, String> {
    let token = secret::read_file(token_file, "web identity token").await?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "AssumeRoleWithWebIdentity")
        .append_pair("Version", "2011-06-15")
        .append_pair("RoleArn", role_arn)
        .append_pair("RoleSessionName", &session_name_or_made_up(session_name))
        .append_pair("WebIdentityToken", token.expose())
        .finish();
    let source = format!("AWS STS at {endpoint} (AssumeRoleWithWebIdentity of {role_arn})");
    let request = public_client()?.post(format!("{endpoint}/")).header(
        CONTENT_TYPE,
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    sts_credentials(request.body(form), &source).await
}

/// `sts:AssumeRole` of `role`, signed with its base credentials (asked first when they are
/// themselves at a source); `region` chooses STS's endpoint.
async fn assume_role(role: &AssumeRole, region: &str) -> Result<AwsCredentials, String> {
    let base = match &role.base {
        Found::Local(credentials) => credentials.clone(),
        Found::Remote(remote) => Box::pin(remote.fetch(region)).await?,
    };
    let form = assume_role_form(role);
    let url = format!("{}/", sts_endpoint(role.endpoint.as_deref(), region));
    let headers = super::sign_sts_form(&base, region, &url, &form, SystemTime::now())?;
    let source = format!(
        "AWS STS at {} (AssumeRole of {})",
        url.trim_end_matches('/'),
        role.role_arn
    );
    let mut request = public_client()?.post(&url);
    for (name, value) in headers {
        if name == "host" {
            continue; // reqwest writes the same one, from the URL
        }
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| "a signed header is not a valid HTTP header value".to_owned())?;
        value.set_sensitive(true);
        request = request.header(name, value);
    }
    sts_credentials(request.body(form), &source).await
}

/// The role credentials the SSO portal hands out for the login `aws sso login` cached.
async fn fetch_sso(sso: &Sso) -> Result<AwsCredentials, String> {
    let login = format!("run `aws sso login --profile {}`", sso.profile);
    let profile = format!("the AWS SSO profile {:?}", sso.profile);
    let cached = tokio::fs::read(&sso.cache).await.map_err(|_| {
        format!(
            "{profile} has no cached login at {}: {login}",
            sso.cache.display()
        )
    })?;
    /// What the AWS CLI caches of a login (it holds more, unused here).
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Cached {
        access_token: String,
        expires_at: Option<String>,
    }
    let cached: Cached = serde_json::from_slice(&cached).map_err(|_| {
        format!(
            "{profile}'s cached login {} is not an AWS SSO token: {login}",
            sso.cache.display()
        )
    })?;
    let expiry = cached.expires_at.as_deref().and_then(|at| {
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
    });
    if expiry.is_some_and(|at| at <= time::OffsetDateTime::now_utc()) {
        return Err(format!("{profile}'s login has expired: {login}"));
    }
    let source = format!("AWS SSO at {}", sso.endpoint);
    let token = secret_header(&Secret::new(cached.access_token))?;
    let response = public_client()?
        .get(format!("{}/federation/credentials", sso.endpoint))
        .query(&[
            ("account_id", sso.account_id.as_str()),
            ("role_name", sso.role_name.as_str()),
        ])
        .header("x-amz-sso_bearer_token", token)
        .send()
        .await
        .map_err(|e| format!("{source} did not answer: {}", without_url(&e)))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(format!(
            "{source} refused {profile}'s cached login ({status}): {login}"
        ));
    }
    if !status.is_success() {
        return Err(format!(
            "{source} answered {status} for role {} of account {}",
            sso.role_name, sso.account_id
        ));
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        role_credentials: RoleCredentials,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct RoleCredentials {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("{source}'s answer could not be read: {}", without_url(&e)))?;
    // serde's message could quote part of the body: it is not passed on.
    let answer: Answer = serde_json::from_slice(&bytes)
        .map_err(|_| format!("{source} answered with something other than role credentials"))?;
    let role = answer.role_credentials;
    Ok(AwsCredentials {
        access_key_id: role.access_key_id,
        secret_access_key: Secret::new(role.secret_access_key),
        session_token: role.session_token.map(Secret::new),
    })
}

/// `sts:AssumeRole`'s form body for `role`.
fn assume_role_form(role: &AssumeRole) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", "AssumeRole")
        .append_pair("Version", "2011-06-15")
        .append_pair("RoleArn", &role.role_arn)
        .append_pair(
            "RoleSessionName",
            &session_name_or_made_up(role.session_name.as_deref()),
        );
    if let Some(external_id) = &role.external_id {
        form.append_pair("ExternalId", external_id);
    }
    if let Some(duration) = &role.duration_seconds {
        form.append_pair("DurationSeconds", duration);
    }
    form.finish()
}

/// `session_name`, else one made up from the time.
fn session_name_or_made_up(session_name: Option<&str>) -> String {
    session_name.map_or_else(
        || {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            format!("terraform-provider-infisical-{now}")
        },
        str::to_owned,
    )
}

/// A client for AWS's public endpoints (STS, the SSO portal), reached through any proxy the
/// environment configures.
fn public_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(PUBLIC_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// Sends an STS request and reads the credentials from its answer.
async fn sts_credentials(
    request: reqwest::RequestBuilder,
    source: &str,
) -> Result<AwsCredentials, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("{source} did not answer: {}", without_url(&e)))?;
    let status = response.status();
    let xml = response
        .text()
        .await
        .map_err(|e| format!("{source}'s answer could not be read: {}", without_url(&e)))?;
    if !status.is_success() {
        // STS's error code (e.g. `InvalidIdentityToken`, `AccessDenied`) names the problem
        // without echoing anything secret.
        let code = xml_text(&xml, "Code").unwrap_or("no error code");
        return Err(format!("{source} answered {status}: {code}"));
    }
    let field = |tag: &str| {
        xml_text(&xml, tag)
            .map(str::to_owned)
            .ok_or_else(|| format!("{source} answered without {tag}"))
    };
    Ok(AwsCredentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: Secret::new(field("SecretAccessKey")?),
        session_token: Some(Secret::new(field("SessionToken")?)),
    })
}

/// The text of the first `<tag>…</tag>` in an STS answer. STS's values (key ids, base64 keys and
/// tokens, error codes) need no unescaping.
fn xml_text<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    Some(xml[start..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn locate_with(vars: &[(&str, &str)]) -> Result<Option<Remote>, String> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        locate(&|k| vars.get(k).map(|v| (*v).to_owned()))
    }

    #[test]
    fn sources_come_in_the_sdks_order() {
        let web = locate_with(&[
            (env::WEB_IDENTITY_TOKEN_FILE, "/var/run/token"),
            (env::ROLE_ARN, "arn:aws:iam::1:role/r"),
            (env::CONTAINER_CREDENTIALS_RELATIVE_URI, "/v2/credentials/x"),
        ]);
        assert!(
            matches!(web, Ok(Some(Remote::WebIdentity { ref endpoint, .. })) if endpoint.is_none())
        );
        assert_eq!(
            sts_endpoint(None, "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            sts_endpoint(Some("http://127.0.0.1:1/sts"), "eu-west-1"),
            "http://127.0.0.1:1/sts"
        );
        let ecs = locate_with(&[(env::CONTAINER_CREDENTIALS_RELATIVE_URI, "/v2/credentials/x")]);
        assert_eq!(
            ecs,
            Ok(Some(Remote::Container {
                url: "http://169.254.170.2/v2/credentials/x".to_owned(),
                token: None
            }))
        );
        assert_eq!(
            locate_with(&[]),
            Ok(Some(Remote::InstanceMetadata {
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
            Ok(Some(Remote::InstanceMetadata {
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

    #[test]
    fn json_credentials_never_quote_the_body() {
        let ok = JsonCredentials::parse(
            br#"{"Code":"Success","AccessKeyId":"ASIA1","SecretAccessKey":"sk","Token":"st","Expiration":"2030-01-01T00:00:00Z"}"#,
            "imds",
        )
        .unwrap();
        assert_eq!(ok.access_key_id, "ASIA1");
        assert_eq!(ok.session_token, Some(Secret::new("st")));
        let error =
            JsonCredentials::parse(br#"{"AccessKeyId":"ASIA1","SecretAccessKey":7}"#, "imds")
                .unwrap_err();
        assert!(!error.contains("ASIA1"), "{error}");
        let error = JsonCredentials::parse(
            br#"{"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"","SecretAccessKey":""}"#,
            "imds",
        )
        .unwrap_err();
        assert!(error.contains("AssumeRoleUnauthorizedAccess"), "{error}");
    }

    #[tokio::test]
    async fn an_sso_login_that_is_missing_or_expired_says_to_log_in_again() {
        let dir = tempfile::tempdir().unwrap();
        let sso = |file: &str| Sso {
            profile: "dev".to_owned(),
            cache: dir.path().join(file),
            account_id: "1".to_owned(),
            role_name: "Admin".to_owned(),
            // Nothing listens here: neither case may get as far as a request.
            endpoint: "http://127.0.0.1:9".to_owned(),
        };
        std::fs::write(
            dir.path().join("expired.json"),
            r#"{"accessToken": "sso-token-that-must-stay-hidden", "expiresAt": "2020-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        for (file, says) in [
            ("missing.json", "has no cached login at"),
            ("expired.json", "login has expired"),
        ] {
            let error = fetch_sso(&sso(file)).await.unwrap_err();
            assert!(
                error.contains(says) && error.contains("run `aws sso login --profile dev`"),
                "{error}"
            );
            assert!(!error.contains("must-stay-hidden"), "{error}");
        }
    }

    #[test]
    fn sts_answers_are_read_by_tag() {
        let xml = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
                   <Credentials><AccessKeyId>ASIA2</AccessKeyId><SecretAccessKey>a/b+c</SecretAccessKey>\
                   <SessionToken>tok==</SessionToken></Credentials></AssumeRoleWithWebIdentityResult>\
                   </AssumeRoleWithWebIdentityResponse>";
        assert_eq!(xml_text(xml, "SecretAccessKey"), Some("a/b+c"));
        assert_eq!(xml_text(xml, "SessionToken"), Some("tok=="));
        assert_eq!(xml_text(xml, "Code"), None);
    }
}
