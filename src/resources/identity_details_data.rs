//! Data source `infisical_identity_details`: the organization of the machine identity the
//! provider logs in as (`GET /api/v1/identities/details`), which `infisical_identity.org_id`
//! needs — the official provider's data source of the same name and attributes.

use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::Value;

use super::configured::Configured;
use super::errors::Area;
use super::model::settle;

/// The data source's type name.
const TYPE_NAME: &str = "infisical_identity_details";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const ORGANIZATION: &str = "organization";
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const SLUG: &str = "slug";
}

/// The data source, as the provider registers it.
pub(crate) struct IdentityDetailsData;

/// The data source's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let computed = |name, text| Attribute::string(name).computed().description(text);
    Schema {
        version: 0,
        description: "The organization of the machine identity the provider logs in as: its \
                      id is what `infisical_identity.org_id` takes.",
        attributes: vec![
            Attribute::single(
                ORGANIZATION,
                vec![
                    computed(ID, "The organization's id."),
                    computed(NAME, "The organization's name."),
                    computed(SLUG, "The organization's slug."),
                ],
            )
            .computed()
            .description("The organization."),
        ],
    }
}

#[tonic::async_trait]
impl DataSource<Configured> for IdentityDetailsData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        api: &Configured,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        settle(read(api).await, diags)
    }
}

async fn read(api: &Configured) -> Result<Value, Diagnostic> {
    use attr::*;
    let organization = api
        .client_or_error()?
        .identities()
        .details()
        .await
        .map_err(|err| {
            api.error_in(
                Area::Identities,
                "read the organization of the provider's identity",
                &err,
            )
        })?;
    Ok(Value::object([(
        ORGANIZATION,
        Value::object([
            (ID, Value::string(&organization.id)),
            (NAME, Value::string(&organization.name)),
            (SLUG, Value::string(&organization.slug)),
        ]),
    )]))
}
