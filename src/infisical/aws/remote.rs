//! Asking for AWS credentials at login: the network sources of AWS's default chain (web identity,
//! the container credentials endpoint, EC2 instance metadata (IMDSv2), `sts:AssumeRole`, the
//! IAM Identity Center portal) and a profile's `credential_process`. Which one to ask is
//! `chain`'s to decide; this module reads no profile.
//!
//! Each answer holds a secret key and a session token: they go into [`Secret`]s at once, and no
//! error message quotes a response body (nor a credential process's command or output).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;

use super::AwsCredentials;
use crate::secret::{self, Secret, SecretSource};

/// How long `credential_process` may run (the Go SDK's default).
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a link-local service gets to accept a connection, and to answer.
const LOCAL_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const LOCAL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long AWS's public endpoints (STS, the SSO portal) get to answer.
const PUBLIC_TIMEOUT: Duration = Duration::from_secs(30);

/// A role to assume with `sts:AssumeRole`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Role {
    pub(crate) role_arn: String,
    /// `role_session_name`, else one made up at each login.
    pub(crate) session_name: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) duration_seconds: Option<String>,
    /// STS's base URL from `AWS_ENDPOINT_URL_STS`; else the login region's endpoint.
    pub(crate) endpoint: Option<String>,
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

/// STS's base URL: the configured one, else the region's.
pub(super) fn sts_endpoint(configured: Option<&str>, region: &str) -> String {
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

pub(super) async fn fetch_instance_metadata(endpoint: &str) -> Result<AwsCredentials, String> {
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

pub(super) async fn fetch_container(
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

pub(super) async fn web_identity(
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

/// `sts:AssumeRole` of `role`, signed with `base`; `region` chooses STS's endpoint.
pub(super) async fn assume_role(
    role: &Role,
    base: &AwsCredentials,
    region: &str,
) -> Result<AwsCredentials, String> {
    let form = assume_role_form(role);
    let url = format!("{}/", sts_endpoint(role.endpoint.as_deref(), region));
    let headers = super::sign_sts_form(base, region, &url, &form, SystemTime::now())?;
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
pub(super) async fn fetch_sso(sso: &Sso) -> Result<AwsCredentials, String> {
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
fn assume_role_form(role: &Role) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
