//! Stand-ins for the AWS services the provider asks for credentials when AWS's environment
//! variables and shared files have none: the EC2 instance metadata service (IMDSv2), the
//! container credentials endpoint (ECS, EKS Pod Identity), STS's `AssumeRoleWithWebIdentity`
//! (EKS IAM roles for service accounts), STS's `AssumeRole` (a profile's `role_arn`, signed
//! with the role's trusted key) and the IAM Identity Center (SSO) portal's role credentials. All
//! of them hand out the key of the one role set with
//! [`crate::Admin::set_aws_role`]; declare an AWS identity with the same key, and AWS IAM auth
//! works on a machine that is not in AWS.
//!
//! Point the provider at them with `AWS_EC2_METADATA_SERVICE_ENDPOINT={url}/__aws/imds`,
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI={url}/__aws/container`, `AWS_ENDPOINT_URL_STS={url}/__aws/sts`
//! or `AWS_ENDPOINT_URL_SSO={url}/__aws/sso`. Their requests and answers carry credentials, so
//! they are not in the request log; [`crate::Admin::aws_credentials_served`] counts them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::json;
use time::OffsetDateTime;

use crate::state::Shared;
use crate::store::aws::AwsRole;
use crate::sts::{AwsKey, Refusal, SignedRequest, check_signature};

const EXPIRATION: &str = "2999-01-01T00:00:00Z";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__aws/imds/latest/api/token", put(imds_token))
        .route(
            "/__aws/imds/latest/meta-data/iam/security-credentials/",
            get(imds_roles),
        )
        .route(
            "/__aws/imds/latest/meta-data/iam/security-credentials/{role}",
            get(imds_credentials),
        )
        .route("/__aws/container", get(container))
        .route("/__aws/sts/", post(sts))
        .route("/__aws/sso/federation/credentials", get(sso))
        .with_state(shared)
}

async fn imds_token(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !headers.contains_key("x-aws-ec2-metadata-token-ttl-seconds") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let mut state = shared.lock();
    let services = &mut state.aws_services;
    if services.imds_token.is_empty() {
        services.imds_token = format!("imds-{}", uuid::Uuid::new_v4().simple());
    }
    services.imds_token.clone().into_response()
}

/// The role, when the request carries the IMDSv2 token (401 otherwise, as IMDS answers).
fn imds_role(shared: &Shared, headers: &HeaderMap) -> Result<Option<AwsRole>, StatusCode> {
    let state = shared.lock();
    let token = headers
        .get("x-aws-ec2-metadata-token")
        .and_then(|v| v.to_str().ok());
    if state.aws_services.imds_token.is_empty() || token != Some(&state.aws_services.imds_token) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(state.aws_services.role.clone())
}

async fn imds_roles(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    match imds_role(&shared, &headers) {
        Ok(Some(role)) => role.name.into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(status) => status.into_response(),
    }
}

async fn imds_credentials(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    match imds_role(&shared, &headers) {
        Ok(Some(role)) if role.name == name => {
            serve(&shared, "imds");
            let mut body = credentials_json(&role.key);
            body["Code"] = "Success".into();
            body["Type"] = "AWS-HMAC".into();
            Json(body).into_response()
        }
        Ok(_) => StatusCode::NOT_FOUND.into_response(),
        Err(status) => status.into_response(),
    }
}

async fn container(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let Some(role) = shared.lock().aws_services.role.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if role.container_token.is_some() && authorization != role.container_token.as_deref() {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"code": "AccessDeniedException", "message": "invalid authorization token"}),
            ),
        )
            .into_response();
    }
    serve(&shared, "container");
    Json(credentials_json(&role.key)).into_response()
}

async fn sts(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let Ok(form) = serde_urlencoded::from_str::<HashMap<String, String>>(&body) else {
        return sts_error(StatusCode::BAD_REQUEST, "MalformedInput");
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("Version") != "2011-06-15" {
        return sts_error(StatusCode::BAD_REQUEST, "InvalidAction");
    }
    if field("RoleArn").is_empty() || field("RoleSessionName").is_empty() {
        return sts_error(StatusCode::BAD_REQUEST, "MissingParameter");
    }
    let role = shared.lock().aws_services.role.clone();
    let (role, action) = match field("Action") {
        "AssumeRoleWithWebIdentity" => {
            match role.filter(|r| r.web_identity_token == field("WebIdentityToken")) {
                Some(role) => (role, "AssumeRoleWithWebIdentity"),
                None => return sts_error(StatusCode::BAD_REQUEST, "InvalidIdentityToken"),
            }
        }
        "AssumeRole" => {
            let Some(role) = role else {
                return sts_error(StatusCode::FORBIDDEN, "AccessDenied");
            };
            let headers: BTreeMap<String, String> = headers
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.to_string(), value.to_str().ok()?.to_owned()))
                })
                .collect();
            let request = SignedRequest {
                method: method.as_str(),
                path: uri.path(),
                headers: &headers,
                body: &body,
            };
            let trusted: Vec<AwsKey> = role.trusted_key.iter().cloned().collect();
            // `check_signature` speaks for STS alone: its refusals are STS's.
            if let Err(Refusal::Sts(code, _)) =
                check_signature(&request, &trusted, OffsetDateTime::now_utc())
            {
                return sts_error(StatusCode::FORBIDDEN, code);
            }
            (role, "AssumeRole")
        }
        _ => return sts_error(StatusCode::BAD_REQUEST, "InvalidAction"),
    };
    serve(
        &shared,
        if action == "AssumeRole" {
            "assume-role"
        } else {
            "sts"
        },
    );
    let key = &role.key;
    let xml = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <{action}Result><Credentials>\
         <AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
         <SessionToken>{}</SessionToken><Expiration>{EXPIRATION}</Expiration>\
         </Credentials></{action}Result></{action}Response>",
        key.access_key_id,
        key.secret_access_key,
        key.session_token.as_deref().unwrap_or_default(),
    );
    ([(header::CONTENT_TYPE, "text/xml")], xml).into_response()
}

/// The SSO portal's `GetRoleCredentials`.
async fn sso(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let role = shared.lock().aws_services.role.clone();
    let token = headers
        .get("x-amz-sso_bearer_token")
        .and_then(|v| v.to_str().ok());
    let Some(role) =
        role.filter(|r| r.sso_access_token.is_some() && r.sso_access_token.as_deref() == token)
    else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Session token not found or invalid"})),
        )
            .into_response();
    };
    let field = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    if field("account_id").is_empty() || field("role_name") != role.name {
        return (StatusCode::FORBIDDEN, Json(json!({"message": "No access"}))).into_response();
    }
    serve(&shared, "sso");
    let key = &role.key;
    Json(json!({
        "roleCredentials": {
            "accessKeyId": key.access_key_id,
            "secretAccessKey": key.secret_access_key,
            "sessionToken": key.session_token,
            "expiration": 32_472_144_000_000_u64,
        }
    }))
    .into_response()
}

fn sts_error(status: StatusCode, code: &str) -> Response {
    let xml = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
         <Type>Sender</Type><Code>{code}</Code><Message>refused by the emulator</Message>\
         </Error></ErrorResponse>"
    );
    (status, [(header::CONTENT_TYPE, "text/xml")], xml).into_response()
}

fn credentials_json(key: &AwsKey) -> serde_json::Value {
    json!({
        "AccessKeyId": key.access_key_id,
        "SecretAccessKey": key.secret_access_key,
        "Token": key.session_token,
        "Expiration": EXPIRATION,
    })
}

fn serve(shared: &Shared, service: &'static str) {
    *shared
        .lock()
        .aws_services
        .served
        .entry(service)
        .or_default() += 1;
}
