//! Faults, interrupts, load and hostile input: the provider keeps working and never leaves a
//! duplicate or an orphan behind.

use std::collections::BTreeSet;
use std::time::Duration;

use infisical_emulator::{Fault, FaultAction};

use crate::support::Workspace;
use crate::support::hcl::{self, Pat};
use crate::support::infisical::Infisical;

/// `count` PAT connections named `conn-0…`, the PAT from a sensitive variable.
fn many(count: usize, emu: &Infisical, ws: &Workspace) {
    let pat = crate::support::secrets::remember(format!("ghp_many_{}", std::process::id()));
    emu.admin.add_pat(pat.clone());
    ws.config(&hcl::config(&[Pat::named("conn-${count.index}")
        .label("c")
        .count(count)]));
    hcl::set_pat(ws, &pat);
}

fn workspace(emu: &Infisical) -> Workspace {
    let mut ws = Workspace::new();
    emu.configure(&mut ws);
    ws
}

/// The emulator holds exactly `conn-0 … conn-{count-1}`, once each.
#[track_caller]
fn assert_exactly(emu: &Infisical, count: usize) {
    let names: Vec<String> = emu
        .admin
        .connections()
        .into_iter()
        .map(|c| c.name)
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(names.len(), unique.len(), "duplicates: {names:?}");
    let want: BTreeSet<String> = (0..count).map(|i| format!("conn-{i}")).collect();
    assert_eq!(unique.into_iter().cloned().collect::<BTreeSet<_>>(), want);
}

fn apply_converges_when_a_fifth_of_requests_fail() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    many(50, &emu, &ws);
    let actions = [
        FaultAction::rate_limited("1"),
        FaultAction::status(500),
        FaultAction::status(502),
        FaultAction::status(503),
        FaultAction::Drop,
        FaultAction::delay(Duration::from_secs(2)),
    ];
    // Six rules of 3.6 % each: about one request in five meets one.
    for (seed, action) in actions.into_iter().enumerate() {
        let mut fault = Fault::sometimes(0.036, seed as u64 + 7, action);
        fault.path_prefix = Some("/api/".to_owned());
        emu.admin.inject_fault(fault);
    }
    ws.run(&["apply", "-auto-approve"]).success();
    assert_exactly(&emu, 50);
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
    let faulted = emu
        .admin
        .requests()
        .iter()
        .filter(|r| r.dropped || r.status.is_some_and(|s| s >= 429))
        .count();
    assert!(faulted > 10, "only {faulted} requests met a fault");
}

fn an_interrupted_apply_stops_promptly_and_the_next_apply_converges() {
    let emu = Infisical::start();
    emu.admin.set_latency(Duration::from_millis(20));
    let ws = workspace(&emu);
    many(200, &emu, &ws);
    let (run, took) = ws.run_interrupted(&["apply", "-auto-approve", "-parallelism=10"], || {
        emu.admin.connection_count() >= 40
    });
    assert!(
        took < Duration::from_secs(30),
        "Terraform did not stop after SIGINT ({took:?})"
    );
    assert_ne!(
        run.code,
        0,
        "the interrupted apply reported success:\n{}",
        run.output()
    );
    assert!(
        emu.admin.connection_count() < 200,
        "the interrupt came too late to test anything"
    );
    assert!(
        ws.provider_processes().is_empty(),
        "a provider process outlived Terraform"
    );

    ws.run(&["apply", "-auto-approve", "-parallelism=10"])
        .success();
    assert_exactly(&emu, 200);
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
}

fn a_thousand_connections_apply_and_destroy_with_parallelism_50() {
    let emu = Infisical::start();
    let ws = workspace(&emu);
    many(1000, &emu, &ws);
    ws.run(&["apply", "-auto-approve", "-parallelism=50"])
        .success();
    assert_exactly(&emu, 1000);
    ws.run(&["destroy", "-auto-approve", "-parallelism=50"])
        .success();
    assert_eq!(emu.admin.connection_count(), 0);
    assert!(
        ws.provider_processes().is_empty(),
        "a provider process was left running"
    );
    // One login per provider process, however many requests: each logs in once when it is
    // configured, and Terraform starts five (apply: plan and apply; destroy: refresh, plan and
    // apply).
    assert!(
        emu.admin.counters().logins <= 5,
        "{:?}",
        emu.admin.counters()
    );
}

/// The few protocol messages the hostile-input test sends, declared by hand (the generated code
/// is private to the provider).
mod wire {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DynamicValue {
        #[prost(bytes = "vec", tag = "1")]
        pub msgpack: Vec<u8>,
        #[prost(bytes = "vec", tag = "2")]
        pub json: Vec<u8>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Diagnostic {
        #[prost(int32, tag = "1")]
        pub severity: i32,
        #[prost(string, tag = "2")]
        pub summary: String,
    }

    /// `PlanResourceChange.Request` (and the same fields of `ApplyResourceChange.Request`).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ChangeRequest {
        #[prost(string, tag = "1")]
        pub type_name: String,
        #[prost(message, optional, tag = "2")]
        pub prior_state: Option<DynamicValue>,
        #[prost(message, optional, tag = "3")]
        pub proposed_or_planned: Option<DynamicValue>,
        #[prost(message, optional, tag = "4")]
        pub config: Option<DynamicValue>,
    }

    /// `PlanResourceChange.Response`: diagnostics are field 4.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PlanResponse {
        #[prost(message, repeated, tag = "4")]
        pub diagnostics: Vec<Diagnostic>,
    }

    /// `ValidateResourceConfig.Request` / `ReadResource.Request` share type_name = 1, value = 2.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TypedValue {
        #[prost(string, tag = "1")]
        pub type_name: String,
        #[prost(message, optional, tag = "2")]
        pub value: Option<DynamicValue>,
    }

    /// `ValidateResourceConfig.Response`: diagnostics are field 1.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ValidateResponse {
        #[prost(message, repeated, tag = "1")]
        pub diagnostics: Vec<Diagnostic>,
    }

    /// `UpgradeResourceState.Request`: raw_state (json = 1) is field 3.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct UpgradeRequest {
        #[prost(string, tag = "1")]
        pub type_name: String,
        #[prost(int64, tag = "2")]
        pub version: i64,
        #[prost(message, optional, tag = "3")]
        pub raw_state: Option<RawState>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct RawState {
        #[prost(bytes = "vec", tag = "1")]
        pub json: Vec<u8>,
    }

    /// `UpgradeResourceState.Response`: diagnostics are field 2.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct UpgradeResponse {
        #[prost(message, optional, tag = "1")]
        pub upgraded_state: Option<DynamicValue>,
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
    }
}

async fn unary<Req, Resp>(
    channel: &tonic::transport::Channel,
    path: &'static str,
    request: Req,
) -> Resp
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready().await.unwrap();
    let route = tonic::codegen::http::uri::PathAndQuery::from_static(path);
    grpc.unary(
        tonic::Request::new(request),
        route,
        tonic_prost::ProstCodec::<Req, Resp>::default(),
    )
    .await
    .unwrap_or_else(|status| {
        panic!("{path} answered a gRPC error instead of diagnostics: {status}")
    })
    .into_inner()
}

fn hostile_values_get_error_diagnostics_and_the_provider_stays_up() {
    use crate::support::plugin::Launched;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    const TYPE: &str = "infisical_app_connection_github";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let launched = Launched::start(&[]);
    let channel = runtime.block_on(launched.channel());
    // Random bytes, and random msgpack that is well formed but of the wrong shape.
    let bytes = proptest::collection::vec(any::<u8>(), 0..200);
    let shaped = proptest::collection::vec((any::<u8>(), "[a-z_]{0,12}", any::<i64>()), 0..8)
        .prop_map(|items| {
            let map = items
                .into_iter()
                .map(|(kind, key, n)| {
                    let value = match kind % 5 {
                        0 => rmpv::Value::from(n),
                        1 => rmpv::Value::Array(vec![rmpv::Value::from(n)]),
                        2 => rmpv::Value::Ext((n % 100) as i8, vec![]),
                        3 => rmpv::Value::Boolean(n % 2 == 0),
                        _ => rmpv::Value::from(key.as_str()),
                    };
                    (rmpv::Value::from(key.as_str()), value)
                })
                .collect();
            let mut out = Vec::new();
            rmpv::encode::write_value(&mut out, &rmpv::Value::Map(map)).unwrap();
            out
        });
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    runner
        .run(
            &(prop_oneof![bytes, shaped], any::<bool>()),
            |(input, as_json)| {
                let value = Some(if as_json {
                    wire::DynamicValue {
                        msgpack: Vec::new(),
                        json: input.clone(),
                    }
                } else {
                    wire::DynamicValue {
                        msgpack: input.clone(),
                        json: Vec::new(),
                    }
                });
                runtime.block_on(async {
                    let plan: wire::PlanResponse = unary(
                        &channel,
                        "/tfplugin6.Provider/PlanResourceChange",
                        wire::ChangeRequest {
                            type_name: TYPE.into(),
                            prior_state: None,
                            proposed_or_planned: value.clone(),
                            config: value.clone(),
                        },
                    )
                    .await;
                    let validate: wire::ValidateResponse = unary(
                        &channel,
                        "/tfplugin6.Provider/ValidateResourceConfig",
                        wire::TypedValue {
                            type_name: TYPE.into(),
                            value: value.clone(),
                        },
                    )
                    .await;
                    let upgrade: wire::UpgradeResponse = unary(
                        &channel,
                        "/tfplugin6.Provider/UpgradeResourceState",
                        wire::UpgradeRequest {
                            type_name: TYPE.into(),
                            version: 0,
                            raw_state: Some(wire::RawState {
                                json: input.clone(),
                            }),
                        },
                    )
                    .await;
                    // Anything that decodes to a whole object is fine; everything else must be an
                    // error diagnostic, never a crash or a gRPC failure.
                    let _ = (plan, validate);
                    prop_assert!(
                        upgrade.upgraded_state.is_some()
                            || upgrade.diagnostics.iter().any(|d| d.severity == 1)
                    );
                    Ok(())
                })
            },
        )
        .unwrap();
    let mut launched = launched;
    assert!(
        launched.child.try_wait().unwrap().is_none(),
        "the provider died"
    );
    assert_eq!(runtime.block_on(Launched::health(channel)).unwrap(), 1);
}

crate::cases! {
    full: [
        an_interrupted_apply_stops_promptly_and_the_next_apply_converges,
        a_thousand_connections_apply_and_destroy_with_parallelism_50,
        hostile_values_get_error_diagnostics_and_the_provider_stays_up,
    ],
    compat: [
        apply_converges_when_a_fifth_of_requests_fail,
    ],
}
