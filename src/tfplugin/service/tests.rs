//! Tests of the provider service as Terraform drives it: cancellation after StopProvider,
//! malformed values answered as diagnostics, write-only values, identities, list resources and
//! generated configuration, ephemeral resources, and the answers to RPCs it does not offer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tonic::Request;

use super::{ProviderService, STOP_GRACE};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{
    DataSource, EphemeralResource, Opened, Provider, Renewed, Resource,
};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::proto::tfplugin6 as pb;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::testing::Stub;
use crate::tfplugin::value::{Type, Value};
use crate::tfplugin::wire::{decode, encode};
use pb::provider_server::Provider as _;

/// A provider of two resources: `test_stuck`, which never finishes creating and reads
/// instantly, and `test_secretive`.
struct Slow;

/// A resource whose create never finishes.
fn stuck() -> Stub {
    Stub::new(
        "test_stuck",
        vec![
            Attribute::string("id").computed(),
            Attribute::string("name").required(),
        ],
    )
    .hanging_on_create()
}

/// A resource with a write-only token, an identity `{ id }` and a list resource; its create
/// stores the token it was configured with, and its list lists tokens.
fn secretive() -> Stub {
    Stub::new(
        "test_secretive",
        vec![
            Attribute::string("id").computed(),
            Attribute::string("token").sensitive().write_only(),
        ],
    )
    .listed()
}

#[tonic::async_trait]
impl Provider for Slow {
    type Client = ();
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            description: "",
            attributes: Vec::new(),
        }
    }
    fn validate(&self, _: &Value, _: &mut Diagnostics) {}
    async fn configure(&self, _: &Value, _: &mut Diagnostics) -> Option<()> {
        Some(())
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
        vec![Arc::new(stuck()), Arc::new(secretive())]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        Vec::new()
    }
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(encode(value, ty).unwrap())
}

#[tokio::test]
async fn stop_provider_cancels_work_in_flight_and_keeps_serving() {
    let service = Arc::new(ProviderService::new(Slow, "terraform-provider-test"));
    service
        .configure_provider(Request::new(pb::configure_provider::Request::default()))
        .await
        .unwrap();
    let ty = stuck().schema().value_type();
    let planned = Value::object([("id", Value::Unknown), ("name", Value::string("x"))]);
    let apply = pb::apply_resource_change::Request {
        type_name: "test_stuck".into(),
        prior_state: dv(&Value::Null, &ty),
        planned_state: dv(&planned, &ty),
        config: dv(
            &Value::object([("id", Value::Null), ("name", Value::string("x"))]),
            &ty,
        ),
        ..Default::default()
    };
    let in_flight = tokio::spawn({
        let service = service.clone();
        async move { service.apply_resource_change(Request::new(apply)).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        !in_flight.is_finished(),
        "the create should still be running"
    );
    service
        .stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    let answer = tokio::time::timeout(STOP_GRACE * 2, in_flight)
        .await
        .expect("StopProvider did not cancel the create")
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(
        answer
            .diagnostics
            .iter()
            .any(|d| d.summary == "Operation cancelled"),
        "{:?}",
        answer.diagnostics
    );

    // The server keeps working after a stop.
    let state = Value::object([("id", Value::string("1")), ("name", Value::string("x"))]);
    let read = service
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_stuck".into(),
            current_state: dv(&state, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(decode(read.new_state.as_ref(), &ty).unwrap(), state);
}

#[tokio::test]
async fn malformed_values_become_error_diagnostics() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    for bytes in [
        vec![0xa5, b'a'],
        vec![0x92, 0x01],
        b"\x81\xa4name\x05".to_vec(),
    ] {
        let shown = bytes.clone();
        let answer = service
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: "test_stuck".into(),
                config: Some(pb::DynamicValue {
                    msgpack: bytes,
                    json: Vec::new(),
                }),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            answer.diagnostics.len(),
            1,
            "{shown:?} {:?}",
            answer.diagnostics
        );
        assert_eq!(
            answer.diagnostics[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
    }
    let unknown_type = service
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "test_missing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(unknown_type.diagnostics[0].detail.contains("test_missing"));
}

#[tokio::test]
async fn unoffered_rpcs_are_refused_naming_the_binary_or_answered_empty() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    let refused = service
        .lock_state(Request::new(pb::lock_state::Request::default()))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unimplemented);
    assert_eq!(
        refused.message(),
        "terraform-provider-test does not offer lock_state"
    );
    let functions = service
        .get_functions(Request::new(pb::get_functions::Request::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(functions, pb::get_functions::Response::default());
}

#[tokio::test]
async fn write_only_values_need_a_terraform_that_announces_them_and_never_reach_state() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    let ty = secretive().schema().value_type();
    let config = Value::object([("id", Value::Null), ("token", Value::string("s3cr3t"))]);
    let validate = |capabilities| pb::validate_resource_config::Request {
        type_name: "test_secretive".into(),
        config: dv(&config, &ty),
        client_capabilities: capabilities,
    };
    let old = service
        .validate_resource_config(Request::new(validate(None)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(old.diagnostics.len(), 1, "{:?}", old.diagnostics);
    assert_eq!(
        old.diagnostics[0].summary,
        "Write-only attribute not supported by this Terraform"
    );
    assert!(old.diagnostics[0].attribute.is_some());
    let new = service
        .validate_resource_config(Request::new(validate(Some(pb::ClientCapabilities {
            deferral_allowed: false,
            write_only_attributes_allowed: true,
        }))))
        .await
        .unwrap()
        .into_inner();
    assert!(new.diagnostics.is_empty(), "{:?}", new.diagnostics);

    service
        .configure_provider(Request::new(pb::configure_provider::Request::default()))
        .await
        .unwrap();
    let planned = Value::object([("id", Value::Unknown), ("token", Value::Null)]);
    let applied = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_secretive".into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: dv(&planned, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = decode(applied.new_state.as_ref(), &ty).unwrap();
    assert_eq!(state.get("token"), &Value::Null);
    assert_eq!(state.get("id"), &Value::string("s-1"));
}

#[tokio::test]
async fn identities_are_offered_upgraded_and_given_back_by_import_and_apply() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    let schemas = service
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        schemas.identity_schemas.keys().collect::<Vec<_>>(),
        ["test_secretive"]
    );
    let id_ty = secretive().identity_schema().unwrap().value_type();
    let identity = |id: &str| Value::object([("id", Value::string(id))]);
    let upgrade = |version| pb::upgrade_resource_identity::Request {
        type_name: "test_secretive".into(),
        version,
        raw_identity: Some(pb::RawState {
            json: br#"{"id":"s-9"}"#.to_vec(),
            ..Default::default()
        }),
    };
    let upgraded = service
        .upgrade_resource_identity(Request::new(upgrade(0)))
        .await
        .unwrap()
        .into_inner();
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    let data = upgraded.upgraded_identity.unwrap().identity_data;
    assert_eq!(decode(data.as_ref(), &id_ty).unwrap(), identity("s-9"));
    let future = service
        .upgrade_resource_identity(Request::new(upgrade(1)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        future.diagnostics[0].summary,
        "Unsupported identity version"
    );

    service
        .configure_provider(Request::new(pb::configure_provider::Request::default()))
        .await
        .unwrap();
    let imported = service
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_secretive".into(),
            identity: Some(pb::ResourceIdentityData {
                identity_data: dv(&identity("s-7"), &id_ty),
            }),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let data = imported.imported_resources[0].identity.clone().unwrap();
    assert_eq!(
        decode(data.identity_data.as_ref(), &id_ty).unwrap(),
        identity("s-7")
    );

    // A create's plan does not know the id yet: no identity; its apply does.
    let ty = secretive().schema().value_type();
    let config = Value::object([("id", Value::Null), ("token", Value::Null)]);
    let plan = service
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_secretive".into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(&config, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.planned_identity.is_none());
    let applied = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_secretive".into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: plan.planned_state,
            config: dv(&config, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let data = applied.new_identity.unwrap().identity_data;
    assert_eq!(decode(data.as_ref(), &id_ty).unwrap(), identity("s-1"));
}

/// The events of a ListResource call.
async fn list(
    service: &ProviderService<Slow>,
    type_name: &str,
    prefix: Option<&str>,
    include_resource_object: bool,
    limit: i64,
) -> Vec<pb::list_resource::Event> {
    use futures_util::StreamExt;
    let config_ty = secretive().list_schema().unwrap().value_type();
    let stream = service
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: type_name.into(),
            config: dv(
                &Value::object([("prefix", Value::opt_string(prefix))]),
                &config_ty,
            ),
            include_resource_object,
            limit,
        }))
        .await
        .unwrap()
        .into_inner();
    stream.map(Result::unwrap).collect().await
}

#[tokio::test]
async fn list_resources_are_offered_and_stream_names_identities_and_objects_only_when_asked() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    let schemas = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<_> = schemas.list_resource_schemas.keys().collect();
    assert_eq!(listed, ["test_secretive"]);
    let metadata = service
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        metadata.list_resources,
        [pb::get_metadata::ListResourceMetadata {
            type_name: "test_secretive".into()
        }]
    );
    service
        .configure_provider(Request::new(pb::configure_provider::Request::default()))
        .await
        .unwrap();
    let identity_ty = secretive().identity_schema().unwrap().value_type();
    let ty = secretive().schema().value_type();

    // Without the objects: names and identities, `limit` honoured.
    let events = list(&service, "test_secretive", Some("a"), false, 2).await;
    let names: Vec<_> = events.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["a-1", "a-2"]);
    for event in &events {
        assert!(event.diagnostic.is_empty(), "{:?}", event.diagnostic);
        assert!(event.resource_object.is_none());
        let identity = event.identity.as_ref().unwrap().identity_data.as_ref();
        assert_eq!(
            decode(identity, &identity_ty).unwrap(),
            Value::object([("id", Value::string(&event.display_name))])
        );
    }

    // With them: full objects, write-only values nulled.
    let events = list(&service, "test_secretive", None, true, 100).await;
    assert_eq!(events.len(), 3);
    assert_eq!(
        decode(events[2].resource_object.as_ref(), &ty).unwrap(),
        Value::object([("id", Value::string("s-3")), ("token", Value::Null)])
    );

    assert!(
        list(&service, "test_secretive", None, true, 0)
            .await
            .is_empty()
    );

    // A type without a list resource: one event, an error naming it.
    let events = list(&service, "test_stuck", None, false, 10).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].identity.is_none());
    assert_eq!(
        events[0].diagnostic[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
    assert!(events[0].diagnostic[0].detail.contains("test_stuck"));
}

#[tokio::test]
async fn list_configurations_are_validated_with_their_attribute_path() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    let config_ty = secretive().list_schema().unwrap().value_type();
    let answer = service
        .validate_list_resource_config(Request::new(pb::validate_list_resource_config::Request {
            type_name: "test_secretive".into(),
            config: dv(
                &Value::object([("prefix", Value::string("bad"))]),
                &config_ty,
            ),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.diagnostics.len(), 1, "{:?}", answer.diagnostics);
    assert_eq!(answer.diagnostics[0].summary, "Bad prefix");
    assert_eq!(
        answer.diagnostics[0].attribute,
        Some(crate::tfplugin::wire::path_to_proto(&AttrPath::new(
            "prefix"
        )))
    );
}

#[tokio::test]
async fn generated_configurations_leave_out_computed_and_write_only_values() {
    let service = ProviderService::new(Slow, "terraform-provider-test");
    let schemas = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(
        schemas
            .server_capabilities
            .unwrap()
            .generate_resource_config
    );
    let ty = stuck().schema().value_type();
    let answer = service
        .generate_resource_config(Request::new(pb::generate_resource_config::Request {
            type_name: "test_stuck".into(),
            state: dv(
                &Value::object([("id", Value::string("1")), ("name", Value::string("x"))]),
                &ty,
            ),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(answer.diagnostics.is_empty(), "{:?}", answer.diagnostics);
    assert_eq!(
        decode(answer.config.as_ref(), &ty).unwrap(),
        Value::object([("id", Value::Null), ("name", Value::string("x"))])
    );
    let ty = secretive().schema().value_type();
    let answer = service
        .generate_resource_config(Request::new(pb::generate_resource_config::Request {
            type_name: "test_secretive".into(),
            state: dv(
                &Value::object([("id", Value::string("1")), ("token", Value::string("t"))]),
                &ty,
            ),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decode(answer.config.as_ref(), &ty).unwrap(),
        Value::object([("id", Value::Null), ("token", Value::Null)])
    );
}

/// A provider of one ephemeral resource, `test_lease`, which records what it closes.
struct Leasing {
    closed: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// An ephemeral lease on a named secret, held for an hour. Its `name` chooses how it behaves:
/// `"broken"` fails to open, `"careless"` answers another name than the one configured,
/// `"vague"` answers an unknown secret (both provider bugs the framework must catch); any other
/// name opens lease `lease-<name>`, renewable.
struct Lease {
    closed: Arc<Mutex<Vec<Vec<u8>>>>,
}

fn lease_schema() -> Schema {
    Schema {
        version: 0,
        description: "",
        attributes: vec![
            Attribute::string("name").required(),
            Attribute::string("secret").computed().sensitive(),
        ],
    }
}

/// When every lease asks to be renewed: a fixed time, so that tests can compare it.
fn renew_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000)
}

#[tonic::async_trait]
impl EphemeralResource<()> for Lease {
    fn type_name(&self) -> &'static str {
        "test_lease"
    }

    fn schema(&self) -> Schema {
        lease_schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("name").as_str() == Some("") {
            diags.attr_error(AttrPath::new("name"), "Empty name", "name a lease");
        }
    }

    async fn open(&self, _: &(), config: &Value, diags: &mut Diagnostics) -> Option<Opened> {
        let name = config.get("name").as_str().unwrap_or_default().to_owned();
        let (result_name, secret) = match name.as_str() {
            "broken" => {
                diags.attr_error(AttrPath::new("name"), "No such lease", "broken");
                return None;
            }
            "careless" => (Value::string("someone-else"), Value::string("s")),
            "vague" => (Value::string(&name), Value::Unknown),
            _ => (
                Value::string(&name),
                Value::string(format!("s3cr3t-{name}")),
            ),
        };
        Some(Opened {
            result: Value::object([("name", result_name), ("secret", secret)]),
            renew_at: Some(renew_time()),
            private: Some(format!("lease-{name}").into_bytes()),
        })
    }

    async fn renew(&self, _: &(), private: Option<&[u8]>, _: &mut Diagnostics) -> Renewed {
        let mut renewed = private.unwrap_or_default().to_vec();
        renewed.extend_from_slice(b"+renewed");
        Renewed {
            renew_at: Some(renew_time() + Duration::from_secs(3600)),
            private: Some(renewed),
        }
    }

    async fn close(&self, _: &(), private: Option<&[u8]>, _: &mut Diagnostics) {
        if let Ok(mut closed) = self.closed.lock() {
            closed.push(private.unwrap_or_default().to_vec());
        }
    }
}

#[tonic::async_trait]
impl Provider for Leasing {
    type Client = ();
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            description: "",
            attributes: Vec::new(),
        }
    }
    fn validate(&self, _: &Value, _: &mut Diagnostics) {}
    async fn configure(&self, _: &Value, _: &mut Diagnostics) -> Option<()> {
        Some(())
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<()>>> {
        vec![Arc::new(Lease {
            closed: self.closed.clone(),
        })]
    }
}

/// A configured service of [`Leasing`], and the list its lease closes into.
async fn leasing() -> (ProviderService<Leasing>, Arc<Mutex<Vec<Vec<u8>>>>) {
    let closed = Arc::new(Mutex::new(Vec::new()));
    let service = ProviderService::new(
        Leasing {
            closed: closed.clone(),
        },
        "terraform-provider-test",
    );
    service
        .configure_provider(Request::new(pb::configure_provider::Request::default()))
        .await
        .unwrap();
    (service, closed)
}

fn lease_config(name: Value) -> Value {
    Value::object([("name", name), ("secret", Value::Null)])
}

/// OpenEphemeralResource for `test_lease` configured with `name`.
async fn open(
    service: &ProviderService<Leasing>,
    name: Value,
    capabilities: Option<pb::ClientCapabilities>,
) -> pb::open_ephemeral_resource::Response {
    service
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: "test_lease".into(),
            config: dv(&lease_config(name), &lease_schema().value_type()),
            client_capabilities: capabilities,
        }))
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn ephemeral_resources_are_offered_with_their_schemas_and_only_by_providers_that_have_them() {
    let (service, _) = leasing().await;
    let schemas = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        schemas
            .ephemeral_resource_schemas
            .keys()
            .collect::<Vec<_>>(),
        ["test_lease"]
    );
    let secret = &schemas.ephemeral_resource_schemas["test_lease"]
        .block
        .as_ref()
        .unwrap()
        .attributes[1];
    assert_eq!(secret.name, "secret");
    assert!(secret.sensitive && secret.computed);
    let metadata = service
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        metadata.ephemeral_resources,
        [pb::get_metadata::EphemeralMetadata {
            type_name: "test_lease".into()
        }]
    );
    // A provider that declares none offers none (the trait's default).
    let plain = ProviderService::new(Slow, "terraform-provider-test");
    let schemas = plain
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(schemas.ephemeral_resource_schemas.is_empty());
    let unknown = plain
        .validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: "test_lease".into(),
                config: dv(
                    &lease_config(Value::string("a")),
                    &lease_schema().value_type(),
                ),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        unknown.diagnostics[0].summary,
        "Unknown ephemeral resource type"
    );
}

#[tokio::test]
async fn ephemeral_configurations_are_validated_with_paths_and_unknowns_let_through() {
    let (service, _) = leasing().await;
    let validate = |name: Value| pb::validate_ephemeral_resource_config::Request {
        type_name: "test_lease".into(),
        config: dv(&lease_config(name), &lease_schema().value_type()),
    };
    let empty = service
        .validate_ephemeral_resource_config(Request::new(validate(Value::string(""))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(empty.diagnostics.len(), 1, "{:?}", empty.diagnostics);
    assert_eq!(empty.diagnostics[0].summary, "Empty name");
    assert_eq!(
        empty.diagnostics[0].attribute,
        Some(crate::tfplugin::wire::path_to_proto(&AttrPath::new("name")))
    );
    // `terraform validate` sends values it does not know yet: no error for them.
    let unknown = service
        .validate_ephemeral_resource_config(Request::new(validate(Value::Unknown)))
        .await
        .unwrap()
        .into_inner();
    assert!(unknown.diagnostics.is_empty(), "{:?}", unknown.diagnostics);
    let malformed = service
        .validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: "test_lease".into(),
                config: Some(pb::DynamicValue {
                    msgpack: vec![0x92, 0x01],
                    json: Vec::new(),
                }),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        malformed.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
}

#[tokio::test]
async fn an_ephemeral_resource_opens_renews_and_closes_with_its_private_bytes() {
    let (service, closed) = leasing().await;
    let ty = lease_schema().value_type();
    let opened = open(&service, Value::string("db"), None).await;
    assert!(opened.diagnostics.is_empty(), "{:?}", opened.diagnostics);
    assert_eq!(
        decode(opened.result.as_ref(), &ty).unwrap(),
        Value::object([
            ("name", Value::string("db")),
            ("secret", Value::string("s3cr3t-db"))
        ])
    );
    assert_eq!(
        opened.renew_at,
        Some(prost_types::Timestamp::from(renew_time()))
    );
    assert_eq!(opened.private.as_deref(), Some(&b"lease-db"[..]));
    assert!(opened.deferred.is_none());

    // Terraform renews with the private bytes it was given, and keeps the new ones.
    let renewed = service
        .renew_ephemeral_resource(Request::new(pb::renew_ephemeral_resource::Request {
            type_name: "test_lease".into(),
            private: opened.private.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(renewed.diagnostics.is_empty(), "{:?}", renewed.diagnostics);
    assert_eq!(renewed.private.as_deref(), Some(&b"lease-db+renewed"[..]));
    assert_eq!(
        renewed.renew_at,
        Some(prost_types::Timestamp::from(
            renew_time() + Duration::from_secs(3600)
        ))
    );
    let closing = service
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "test_lease".into(),
            private: renewed.private,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(closing.diagnostics.is_empty(), "{:?}", closing.diagnostics);
    assert_eq!(*closed.lock().unwrap(), [b"lease-db+renewed".to_vec()]);
}

#[tokio::test]
async fn an_open_with_unknown_values_is_deferred_when_allowed_and_refused_otherwise() {
    let (service, closed) = leasing().await;
    let refused = open(&service, Value::Unknown, None).await;
    assert_eq!(refused.diagnostics.len(), 1, "{:?}", refused.diagnostics);
    assert_eq!(
        refused.diagnostics[0].summary,
        "Ephemeral resource configuration not known yet"
    );
    assert!(refused.result.is_none() && refused.deferred.is_none());
    let deferred = open(
        &service,
        Value::Unknown,
        Some(pb::ClientCapabilities {
            deferral_allowed: true,
            write_only_attributes_allowed: true,
        }),
    )
    .await;
    assert!(
        deferred.diagnostics.is_empty(),
        "{:?}",
        deferred.diagnostics
    );
    assert!(deferred.result.is_none());
    assert_eq!(
        deferred.deferred,
        Some(pb::Deferred {
            reason: pb::deferred::Reason::ResourceConfigUnknown as i32
        })
    );
    // Neither opened anything, so there is nothing to close.
    assert!(closed.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_open_answers_its_error_and_a_result_terraform_would_reject_is_closed() {
    let (service, closed) = leasing().await;
    let failed = open(&service, Value::string("broken"), None).await;
    assert_eq!(failed.diagnostics.len(), 1, "{:?}", failed.diagnostics);
    assert_eq!(failed.diagnostics[0].summary, "No such lease");
    assert!(failed.diagnostics[0].attribute.is_some());
    assert!(failed.result.is_none() && failed.private.is_none());

    // Results that break Terraform's rules never leave: what they opened is closed.
    for name in ["careless", "vague"] {
        let answer = open(&service, Value::string(name), None).await;
        assert!(
            answer
                .diagnostics
                .iter()
                .any(|d| d.summary.starts_with("Provider bug")),
            "{name}: {:?}",
            answer.diagnostics
        );
        assert!(answer.result.is_none(), "{name}");
        assert!(answer.private.is_none(), "{name}");
    }
    assert_eq!(
        *closed.lock().unwrap(),
        [b"lease-careless".to_vec(), b"lease-vague".to_vec()]
    );
}
