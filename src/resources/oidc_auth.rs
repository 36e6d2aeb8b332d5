//! Resource `infisical_identity_oidc_auth`: OIDC auth attached to an identity, with the
//! official provider's attributes (schema version 0), on
//! `/api/v1/auth/oidc-auth/identities/{identity_id}` — how GitHub Actions logs in with no
//! stored secret.
//!
//! Beyond the official resource: the discovery URL, issuer, audiences, subject and claims are
//! checked at plan — a subject GitHub's tokens can never carry, and a GitHub binding that any
//! repository could log in with, are refused; settings removed from the configuration reach
//! Infisical; it can be imported by identity id.

use std::collections::BTreeMap;

use crate::infisical::{OidcAuth, OidcAuthFields};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::{Type, Value};

use super::auth_method::{self, TokenSettings, ip_requests};
use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model, missing};
use super::plain::{Lifecycle, Unfinished};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_identity_oidc_auth";

/// GitHub Actions' token issuer.
pub(super) const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ID: &str = "id";
    pub(super) const IDENTITY_ID: &str = "identity_id";
    pub(super) const DISCOVERY_URL: &str = "oidc_discovery_url";
    pub(super) const ISSUER: &str = "bound_issuer";
    pub(super) const AUDIENCES: &str = "bound_audiences";
    pub(super) const CLAIMS: &str = "bound_claims";
    pub(super) const CLAIM_METADATA: &str = "claim_metadata_mapping";
    pub(super) const SUBJECT: &str = "bound_subject";
    pub(super) const CA_CERT: &str = "oidc_ca_certificate";
}

/// The resource, as the provider registers it.
pub(crate) struct OidcAuthResource;

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct OidcState {
    id: Computed,
    identity_id: String,
    discovery_url: String,
    issuer: String,
    audiences: Option<Vec<String>>,
    claims: BTreeMap<String, String>,
    claim_metadata: BTreeMap<String, String>,
    subject: String,
    ca_cert: String,
    tokens: TokenSettings,
}

fn strings(fields: &Fields<'_>, name: &str) -> Result<Option<Vec<String>>, Diagnostic> {
    match fields.get(name) {
        Value::Null => Ok(None),
        Value::List(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| missing(&fields.path(name), i))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(missing(&fields.path(name), other)),
    }
}

fn map(fields: &Fields<'_>, name: &str) -> Result<BTreeMap<String, String>, Diagnostic> {
    match fields.get(name) {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_owned()))
                    .ok_or_else(|| missing(&fields.path(name), v))
            })
            .collect(),
        other => Err(missing(&fields.path(name), other)),
    }
}

fn map_value(entries: &BTreeMap<String, String>) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v)))
            .collect(),
    )
}

impl Model for OidcState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let text = |name: &str| fields.required(name);
        Ok(Self {
            id: fields.computed(ID)?,
            identity_id: text(IDENTITY_ID)?,
            discovery_url: text(DISCOVERY_URL)?,
            issuer: text(ISSUER)?,
            audiences: strings(&fields, AUDIENCES)?,
            claims: map(&fields, CLAIMS)?,
            claim_metadata: map(&fields, CLAIM_METADATA)?,
            subject: text(SUBJECT)?,
            ca_cert: text(CA_CERT)?,
            tokens: TokenSettings::read(&fields)?,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        let mut attributes = vec![
            (ID, self.id.to_value()),
            (IDENTITY_ID, Value::string(&self.identity_id)),
            (DISCOVERY_URL, Value::string(&self.discovery_url)),
            (ISSUER, Value::string(&self.issuer)),
            (
                AUDIENCES,
                self.audiences.as_ref().map_or(Value::Null, |a| {
                    Value::List(a.iter().map(Value::string).collect())
                }),
            ),
            (CLAIMS, map_value(&self.claims)),
            (CLAIM_METADATA, map_value(&self.claim_metadata)),
            (SUBJECT, Value::string(&self.subject)),
            (CA_CERT, Value::string(&self.ca_cert)),
        ];
        attributes.extend(self.tokens.attributes());
        attributes
    }
}

/// Audiences as Infisical stores them: one comma-separated string.
fn split_audiences(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

impl OidcState {
    fn answered(&self, oidc: &OidcAuth) -> Self {
        let stored_audiences = split_audiences(&oidc.bound_audiences);
        let audiences = if self.audiences.clone().unwrap_or_default() == stored_audiences {
            self.audiences.clone()
        } else {
            Some(stored_audiences)
        };
        let keep = |mine: &String, theirs: &String| {
            if mine.trim() == theirs.trim() {
                mine.clone()
            } else {
                theirs.clone()
            }
        };
        Self {
            id: Computed::Known(oidc.id.clone()),
            identity_id: self.identity_id.clone(),
            discovery_url: keep(&self.discovery_url, &oidc.oidc_discovery_url),
            issuer: keep(&self.issuer, &oidc.bound_issuer),
            audiences,
            claims: oidc.bound_claims.clone(),
            claim_metadata: oidc.claim_metadata_mapping.clone().unwrap_or_default(),
            subject: keep(&self.subject, &oidc.bound_subject),
            ca_cert: keep(&self.ca_cert, &oidc.ca_cert),
            tokens: self.tokens.answered(
                oidc.access_token_ttl,
                oidc.access_token_max_ttl,
                oidc.access_token_num_uses_limit,
                &oidc.access_token_trusted_ips,
            ),
        }
    }

    fn fields(&self) -> OidcAuthFields {
        OidcAuthFields {
            oidc_discovery_url: self.discovery_url.trim().to_owned(),
            bound_issuer: self.issuer.trim().to_owned(),
            bound_audiences: self.audiences.clone().unwrap_or_default().join(","),
            bound_claims: self.claims.clone(),
            claim_metadata_mapping: self.claim_metadata.clone(),
            bound_subject: self.subject.trim().to_owned(),
            ca_cert: self.ca_cert.clone(),
            access_token_trusted_ips: Some(ip_requests(&self.tokens.trusted_ips)),
            access_token_ttl: Some(self.tokens.ttl),
            access_token_max_ttl: Some(self.tokens.max_ttl),
            access_token_num_uses_limit: Some(self.tokens.num_uses_limit),
        }
    }
}

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let mut attributes = vec![
        Attribute::string(ID)
            .computed()
            .use_state_for_unknown()
            .description("The OIDC auth's id."),
        Attribute::string(IDENTITY_ID)
            .required()
            .requires_replace()
            .description("The id of the identity OIDC auth is attached to."),
        Attribute::string(DISCOVERY_URL).required().description(
            "The issuer's base URL, where Infisical finds `/.well-known/openid-configuration`: \
             `https://token.actions.githubusercontent.com` for GitHub Actions.",
        ),
        Attribute::string(ISSUER).required().description(
            "The `iss` a token must carry: `https://token.actions.githubusercontent.com` for \
             GitHub Actions.",
        ),
        Attribute::list(AUDIENCES, Type::String).description(
            "The audiences one of which a token's `aud` must be (GitHub Actions tokens carry \
             the repository owner's URL unless the workflow asks for another).",
        ),
        Attribute::map(CLAIMS, Type::String)
            .optional_computed()
            .default(Value::Map(BTreeMap::new()))
            .description(
                "Claims a token must carry, each value a glob (`*`), e.g. \
                 `{ repository = \"acme/app\" }`.",
            ),
        Attribute::map(CLAIM_METADATA, Type::String)
            .optional_computed()
            .default(Value::Map(BTreeMap::new()))
            .description("Claims copied into the access token's metadata, by name."),
        Attribute::string(SUBJECT)
            .optional_computed()
            .default(Value::string(""))
            .description(
                "The `sub` a token must carry, a glob: for GitHub Actions \
                 `repo:<owner>/<repo>:ref:refs/heads/main`, \
                 `repo:<owner>/<repo>:environment:<name>` or `repo:<owner>/<repo>:*`.",
            ),
        Attribute::string(CA_CERT)
            .optional_computed()
            .default(Value::string(""))
            .description("A PEM CA certificate for the discovery URL, for a private issuer."),
    ];
    attributes.extend(auth_method::token_attributes());
    Schema {
        version: 0,
        description: "OIDC auth attached to a machine identity: it logs in with a JWT from a \
                      trusted issuer, such as GitHub Actions' token for a workflow run, so no \
                      secret is stored anywhere.",
        attributes,
    }
}

/// Whether `url` is an http(s) URL with a host.
fn is_http_url(url: &str) -> bool {
    url::Url::parse(url.trim())
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::not_blank(config.get(IDENTITY_ID), AttrPath::new(IDENTITY_ID), diags);
    if let Some(url) = config.get(DISCOVERY_URL).as_str() {
        if !is_http_url(url) {
            diags.attr_error(
                AttrPath::new(DISCOVERY_URL),
                "Invalid discovery URL",
                format!("{url:?} is not an https URL such as \"{GITHUB_ISSUER}\"."),
            );
        } else if url
            .trim_end_matches('/')
            .ends_with("/.well-known/openid-configuration")
        {
            diags.attr_error(
                AttrPath::new(DISCOVERY_URL),
                "Invalid discovery URL",
                format!(
                    "give the issuer's base URL: Infisical appends \
                     /.well-known/openid-configuration itself (got {url:?})."
                ),
            );
        }
    }
    if let Some(issuer) = config.get(ISSUER).as_str()
        && !is_http_url(issuer)
    {
        diags.attr_error(
            AttrPath::new(ISSUER),
            "Invalid issuer",
            format!("{issuer:?} is not the issuer URL a token's `iss` carries."),
        );
    }
    if let Value::List(audiences) = config.get(AUDIENCES) {
        for (index, audience) in audiences.iter().enumerate() {
            if let Some(a) = audience.as_str()
                && (a.trim().is_empty() || a.contains(','))
            {
                diags.attr_error(
                    AttrPath::new(AUDIENCES).index(index),
                    "Invalid audience",
                    format!(
                        "audience {a:?} must be non-empty and without commas (Infisical keeps \
                         audiences as one comma-separated list)."
                    ),
                );
            }
        }
    }
    if let Value::Map(claims) = config.get(CLAIMS) {
        for (key, value) in claims {
            if key.trim().is_empty() || value.as_str().is_some_and(|v| v.trim().is_empty()) {
                diags.attr_error(
                    AttrPath::new(CLAIMS),
                    "Invalid claim",
                    format!("bound claim {key:?} needs a name and a value (a glob)."),
                );
            }
        }
    }
    check_github_binding(config, diags);
    auth_method::validate_tokens(config, diags);
}

/// For GitHub Actions' issuer: a subject GitHub's tokens cannot carry is an error, and so is a
/// binding that any repository's workflow could log in with.
fn check_github_binding(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    let github = [DISCOVERY_URL, ISSUER].iter().any(|name| {
        config
            .get(name)
            .as_str()
            .is_some_and(|u| u.trim().trim_end_matches('/') == GITHUB_ISSUER)
    });
    if !github {
        return;
    }
    let subject = config.get(SUBJECT);
    let claims = config.get(CLAIMS);
    if subject.is_unknown() || claims.is_unknown() {
        return;
    }
    let subject = subject.as_str().unwrap_or("").trim();
    if !subject.is_empty() && !subject.starts_with("repo:") && subject != "*" {
        diags.attr_error(
            AttrPath::new(SUBJECT),
            "Subject GitHub never sends",
            format!(
                "GitHub Actions tokens carry a `sub` of the form \
                 \"repo:<owner>/<repo>:<context>\", so {subject:?} can never match. For \
                 example \"repo:acme/app:ref:refs/heads/main\" or \"repo:acme/app:*\"."
            ),
        );
        return;
    }
    let subject_pins = subject
        .strip_prefix("repo:")
        .and_then(|rest| rest.split(':').next())
        .is_some_and(|repo| repo.contains('/') && !repo.starts_with('*'));
    let claim_pins = match claims {
        Value::Map(entries) => [
            "repository",
            "repository_id",
            "repository_owner",
            "repository_owner_id",
        ]
        .iter()
        .any(|claim| {
            entries
                .get(*claim)
                .and_then(Value::as_str)
                .is_some_and(|v| !v.trim().is_empty() && v.trim() != "*")
        }),
        _ => false,
    };
    if !subject_pins && !claim_pins {
        diags.attr_error(
            AttrPath::new(SUBJECT),
            "Any GitHub repository could log in",
            "with GitHub Actions' issuer and no repository in bound_subject (e.g. \
             \"repo:acme/app:*\") or in bound_claims (repository, repository_owner), a workflow \
             in any repository on GitHub could log in as this identity. Bind it to yours.",
        );
    }
}

fn oidc_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Identities, action, err)
}

#[tonic::async_trait]
impl Lifecycle for OidcAuthResource {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = OidcState::from_value(planned)?;
        let made = api
            .client_or_error()?
            .identity_auth()
            .attach_oidc(&plan.identity_id, &plan.fields())
            .await
            .map_err(|err| {
                oidc_error(
                    api,
                    &format!("attach OIDC auth to the identity {}", plan.identity_id),
                    &err,
                )
            })?;
        Ok(Stored {
            state: plan.answered(&made).to_value(),
            private: Vec::new(),
        })
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
    ) -> Result<ReadOutcome, Diagnostic> {
        let client = match api.client_or_keep(state, private) {
            Ok(client) => client,
            Err(kept) => return Ok(kept),
        };
        let known = OidcState::from_value(state)?;
        match client.identity_auth().oidc(&known.identity_id).await {
            Ok(oidc) => Ok(ReadOutcome::Found(Stored {
                state: known.answered(&oidc).to_value(),
                private: Vec::new(),
            })),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(oidc_error(
                api,
                &format!("read the OIDC auth of the identity {}", known.identity_id),
                &err,
            )),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let plan = OidcState::from_value(planned)?;
        let updated = api
            .client_or_error()?
            .identity_auth()
            .update_oidc(&plan.identity_id, &plan.fields())
            .await
            .map_err(|err| {
                oidc_error(
                    api,
                    &format!("update the OIDC auth of the identity {}", plan.identity_id),
                    &err,
                )
            })?;
        Ok(Stored {
            state: plan.answered(&updated).to_value(),
            private: Vec::new(),
        })
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = OidcState::from_value(prior)?;
        match api
            .client_or_error()?
            .identity_auth()
            .detach_oidc(&known.identity_id)
            .await
        {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(oidc_error(
                api,
                &format!("detach OIDC auth from the identity {}", known.identity_id),
                &err,
            )),
        }
    }

    /// Imports by the identity's id (the official provider cannot import it).
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        if id.trim().is_empty() || id.contains('/') {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!("import OIDC auth by the id of its identity; got {id:?}."),
                path: None,
            });
        }
        let oidc = api
            .client_or_error()?
            .identity_auth()
            .oidc(id)
            .await
            .map_err(|err| {
                oidc_error(
                    api,
                    &format!("import the OIDC auth of the identity {id:?}"),
                    &err,
                )
            })?;
        let blank = OidcState {
            id: Computed::Unknown,
            identity_id: id.to_owned(),
            discovery_url: oidc.oidc_discovery_url.clone(),
            issuer: oidc.bound_issuer.clone(),
            audiences: None,
            claims: BTreeMap::new(),
            claim_metadata: BTreeMap::new(),
            subject: oidc.bound_subject.clone(),
            ca_cert: oidc.ca_cert.clone(),
            tokens: TokenSettings {
                ttl: 0,
                max_ttl: 0,
                num_uses_limit: 0,
                trusted_ips: Vec::new(),
            },
        };
        Ok(blank.answered(&oidc).to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(subject: &str, claims: &[(&str, &str)]) -> Value {
        let mut config = schema().null_object();
        config.set(attr::IDENTITY_ID, Value::string("i1"));
        config.set(attr::DISCOVERY_URL, Value::string(GITHUB_ISSUER));
        config.set(attr::ISSUER, Value::string(GITHUB_ISSUER));
        config.set(attr::SUBJECT, Value::string(subject));
        config.set(
            attr::CLAIMS,
            Value::Map(
                claims
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::string(*v)))
                    .collect(),
            ),
        );
        config
    }

    fn errors(config: &Value) -> Vec<String> {
        let mut diags = Diagnostics::new();
        validate_config(config, &mut diags);
        diags.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn a_github_binding_must_name_a_repository_and_a_subject_github_can_send() {
        assert!(errors(&config("repo:acme/app:ref:refs/heads/main", &[])).is_empty());
        assert!(errors(&config("repo:acme/app:*", &[])).is_empty());
        assert!(errors(&config("", &[("repository", "acme/app")])).is_empty());
        assert_eq!(
            errors(&config("", &[])),
            ["Any GitHub repository could log in"]
        );
        assert_eq!(
            errors(&config("repo:*", &[])),
            ["Any GitHub repository could log in"]
        );
        assert_eq!(
            errors(&config("acme/app", &[])),
            ["Subject GitHub never sends"]
        );
    }

    #[test]
    fn discovery_urls_are_base_urls() {
        let mut bad = config("repo:acme/app:*", &[]);
        bad.set(
            attr::DISCOVERY_URL,
            Value::string(format!("{GITHUB_ISSUER}/.well-known/openid-configuration")),
        );
        assert_eq!(errors(&bad), ["Invalid discovery URL"]);
        bad.set(attr::DISCOVERY_URL, Value::string("token.actions"));
        assert_eq!(errors(&bad), ["Invalid discovery URL"]);
    }

    #[test]
    fn the_model_reads_what_it_writes_and_audiences_compare_as_stored() {
        let state = OidcState {
            id: Computed::Known("o1".into()),
            identity_id: "i1".into(),
            discovery_url: GITHUB_ISSUER.into(),
            issuer: GITHUB_ISSUER.into(),
            audiences: Some(vec!["https://github.com/acme".into(), "sts".into()]),
            claims: [("repository".to_owned(), "acme/app".to_owned())].into(),
            claim_metadata: BTreeMap::new(),
            subject: "repo:acme/app:*".into(),
            ca_cert: String::new(),
            tokens: TokenSettings {
                ttl: 60,
                max_ttl: 60,
                num_uses_limit: 0,
                trusted_ips: vec!["0.0.0.0/0".into()],
            },
        };
        assert_eq!(OidcState::from_value(&state.to_value()).unwrap(), state);
        assert_eq!(
            state.fields().bound_audiences,
            "https://github.com/acme,sts"
        );
        assert_eq!(
            split_audiences(" https://github.com/acme , sts"),
            ["https://github.com/acme", "sts"]
        );
    }
}
