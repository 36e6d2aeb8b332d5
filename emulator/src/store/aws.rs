//! What the AWS credential stand-ins hand out and have handed out: the one role, the IMDSv2
//! session token, and a count per service. A store: plain data.

use std::collections::HashMap;

use serde::Deserialize;

use crate::sts::AwsKey;

/// The role the stand-ins hand out credentials for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsRole {
    /// The role's name, as instance metadata lists it.
    pub name: String,
    /// The temporary key handed out (give it a session token, as AWS does).
    pub key: AwsKey,
    /// What the container endpoint wants in `Authorization`; `None` accepts any request.
    #[serde(default)]
    pub container_token: Option<String>,
    /// The web identity token STS accepts for the role.
    pub web_identity_token: String,
    /// The key that may assume the role with `sts:AssumeRole` (its signature is checked);
    /// `None` refuses every `AssumeRole`.
    #[serde(default)]
    pub trusted_key: Option<AwsKey>,
    /// The access token of an IAM Identity Center (SSO) login that the SSO portal accepts for
    /// the role (`GET /federation/credentials?role_name=<name>`); `None` refuses every one.
    #[serde(default)]
    pub sso_access_token: Option<String>,
}

/// The stand-ins' state.
#[derive(Debug, Default)]
pub(crate) struct AwsServices {
    pub(crate) role: Option<AwsRole>,
    /// The IMDSv2 session token handed out by `PUT /latest/api/token`.
    pub(crate) imds_token: String,
    /// Credentials handed out, per service: `imds`, `container`, `sts` (web identity),
    /// `assume-role`, `sso`.
    pub(crate) served: HashMap<&'static str, u64>,
}
