//! Tests of the provider service as Terraform drives it: cancellation after StopProvider,
//! malformed values answered as diagnostics, write-only values, identities, list resources and
//! generated configuration, and the answers to RPCs it does not offer.

use std::sync::Arc;

use tonic::Request;

use super::{ProviderService, STOP_GRACE};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{DataSource, Provider, Resource};
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
