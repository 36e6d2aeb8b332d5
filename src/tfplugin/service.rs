//! The `tfplugin6.Provider` gRPC service: decodes each request, calls the provider, resource or
//! data source, applies the shared planning rules and encodes the answer.
//!
//! Every problem is answered as a diagnostic with an OK status, because Terraform shows non-OK
//! statuses only as a generic "Plugin error". Features this provider does not offer (functions,
//! ephemeral resources, lists, actions, state stores) get well-formed empty answers or
//! `Unimplemented`, which Terraform tolerates for features the configuration does not use.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::diag::{AttrPath, Diagnostic, Diagnostics, PathStep, Severity};
use super::framework::{self, DataSource, Provider, ReadOutcome, Resource, Stored};
use super::proto::tfplugin6 as pb;
use super::schema::{Attribute, Kind, Mode, Nesting, Schema};
use super::value::{self, Type, Value};

type ResourceMap<C> = HashMap<&'static str, Arc<dyn Resource<C>>>;
type DataSourceMap<C> = HashMap<&'static str, Arc<dyn DataSource<C>>>;
/// How long an operation may go on after StopProvider before it is dropped.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

type BoxStream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, Status>> + Send>>;

/// The provider behind the gRPC service.
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_type: Type,
    resources: ResourceMap<P::Client>,
    data_sources: DataSourceMap<P::Client>,
    /// Built once: the schema never changes while the process lives.
    schema_response: pb::get_provider_schema::Response,
    /// Set by ConfigureProvider; every resource operation needs it.
    client: RwLock<Option<Arc<P::Client>>>,
    /// Cancelled by StopProvider, then replaced so later requests run normally.
    stop: Mutex<CancellationToken>,
}

impl<P: Provider> ProviderService<P> {
    /// Wraps a provider.
    pub fn new(provider: P) -> Self {
        let resources: ResourceMap<P::Client> = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        let data_sources: DataSourceMap<P::Client> = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), d))
            .collect();
        let provider_schema = provider.schema();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&provider_schema)),
            resource_schemas: resources
                .iter()
                .map(|(name, r)| ((*name).to_owned(), schema_to_proto(&r.schema())))
                .collect(),
            data_source_schemas: data_sources
                .iter()
                .map(|(name, d)| ((*name).to_owned(), schema_to_proto(&d.schema())))
                .collect(),
            server_capabilities: Some(pb::ServerCapabilities {
                // Destroy plans are always null here (the framework never calls a resource for
                // them), so Terraform need not ask: one round trip less per destroyed instance.
                plan_destroy: false,
                get_provider_schema_optional: true,
                move_resource_state: false,
                generate_resource_config: false,
            }),
            ..Default::default()
        };
        Self {
            provider_type: provider_schema.value_type(),
            provider,
            resources,
            data_sources,
            schema_response,
            client: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    fn resource(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<Arc<dyn Resource<P::Client>>> {
        let found = self.resources.get(type_name).cloned();
        if found.is_none() {
            diags.error(
                "Unknown resource type",
                format!("this provider has no resource type {type_name:?}"),
            );
        }
        found
    }

    fn data_source(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<Arc<dyn DataSource<P::Client>>> {
        let found = self.data_sources.get(type_name).cloned();
        if found.is_none() {
            diags.error(
                "Unknown data source type",
                format!("this provider has no data source type {type_name:?}"),
            );
        }
        found
    }

    fn client(&self, diags: &mut Diagnostics) -> Option<Arc<P::Client>> {
        let client = self.client.read().ok().and_then(|c| c.clone());
        if client.is_none() {
            diags.error(
                "Provider not configured",
                "Terraform asked for a resource operation before configuring the provider. \
                 Please report this to the provider's developers.",
            );
        }
        client
    }

    /// Runs `op`. After StopProvider, the provider's `stop` hook makes the operation give up at
    /// its next wait; an operation still running `STOP_GRACE` later is dropped (aborting its
    /// request), so the provider always answers promptly.
    async fn cancellable<T>(
        &self,
        diags: &mut Diagnostics,
        op: impl Future<Output = T>,
    ) -> Option<T> {
        let token = self.stop.lock().map(|t| t.clone()).unwrap_or_default();
        tokio::pin!(op);
        tokio::select! {
            out = &mut op => return Some(out),
            () = token.cancelled() => {}
        }
        match tokio::time::timeout(STOP_GRACE, op).await {
            Ok(out) => Some(out),
            Err(_) => {
                diags.error(
                    "Operation cancelled",
                    "Terraform asked the provider to stop (for example after Ctrl-C), and this \
                     operation did not finish in time, so it was abandoned. Run `terraform plan` \
                     to see what exists, then run the command again.",
                );
                None
            }
        }
    }
}

/// Decodes a DynamicValue: msgpack when present, else JSON, else null.
fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    match dv {
        Some(dv) if !dv.msgpack.is_empty() => Ok(value::from_msgpack(&dv.msgpack, ty)?),
        Some(dv) if !dv.json.is_empty() => Ok(value::from_json(&dv.json, ty)?),
        _ => Ok(Value::Null),
    }
}

fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostic> {
    Ok(pb::DynamicValue {
        msgpack: value::to_msgpack(v, ty)?,
        json: Vec::new(),
    })
}

/// Decodes several values at once, stopping at the first problem (reported in `diags`).
fn decode_all<const N: usize>(
    inputs: [(Option<&pb::DynamicValue>, &Type); N],
    diags: &mut Diagnostics,
) -> Option<[Value; N]> {
    let mut out: [Value; N] = std::array::from_fn(|_| Value::Null);
    for (slot, (dv, ty)) in out.iter_mut().zip(inputs) {
        match decode(dv, ty) {
            Ok(v) => *slot = v,
            Err(d) => {
                diags.add(d);
                return None;
            }
        }
    }
    Some(out)
}

fn encode_into(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    encode(v, ty).map_err(|d| diags.add(d)).ok()
}

/// The one place where diagnostics become protocol messages.
fn diags_to_proto(diags: &Diagnostics) -> Vec<pb::Diagnostic> {
    diags
        .iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.path.as_ref().map(path_to_proto),
        })
        .collect()
}

fn path_to_proto(path: &AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps()
            .iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attr(name) => Selector::AttributeName(name.clone()),
                    PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(pb::schema::Block {
            version: schema.version,
            attributes: schema.attributes.iter().map(attribute_to_proto).collect(),
            description: schema.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
    }
}

fn attribute_to_proto(attr: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &attr.kind {
        Kind::Plain(ty) => (ty.to_json().to_string().into_bytes(), None),
        Kind::Nested(nesting, children) => {
            use pb::schema::object::NestingMode;
            let nesting = match nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
            };
            let object = pb::schema::Object {
                attributes: children.iter().map(attribute_to_proto).collect(),
                nesting: nesting as i32,
                ..Default::default()
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: attr.name.to_owned(),
        r#type: ty,
        nested_type,
        description: attr.description.to_owned(),
        description_kind: pb::StringKind::Markdown as i32,
        required: attr.mode == Mode::Required,
        optional: matches!(attr.mode, Mode::Optional | Mode::OptionalComputed),
        computed: attr.is_computed(),
        sensitive: attr.sensitive,
        write_only: attr.write_only,
        deprecated: attr.deprecation.is_some(),
        deprecation_message: attr.deprecation.unwrap_or_default().to_owned(),
    }
}

fn stored_parts(stored: Option<Stored>) -> (Value, Vec<u8>) {
    stored.map_or((Value::Null, Vec::new()), |s| (s.state, s.private))
}

/// The answer for the RPCs of features this provider does not offer.
fn unimplemented<T>(rpc: &str) -> Result<T, Status> {
    Err(Status::unimplemented(format!(
        "terraform-provider-infisical does not offer {rpc}"
    )))
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata as m;
        Ok(Response::new(m::Response {
            server_capabilities: self.schema_response.server_capabilities,
            resources: self
                .resources
                .keys()
                .map(|n| m::ResourceMetadata {
                    type_name: (*n).to_owned(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| m::DataSourceMetadata {
                    type_name: (*n).to_owned(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some([config]) = decode_all([(req.config.as_ref(), &self.provider_type)], &mut diags)
        {
            self.provider.schema().warn_deprecated(&config, &mut diags);
            self.provider.validate(&config, &mut diags);
        }
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        tracing::debug!(terraform_version = %req.terraform_version, "configuring the provider");
        let mut diags = Diagnostics::new();
        if let Some([config]) = decode_all([(req.config.as_ref(), &self.provider_type)], &mut diags)
        {
            if let Some(client) = self.provider.configure(&config, &mut diags).await {
                if let Ok(mut slot) = self.client.write() {
                    *slot = Some(Arc::new(client));
                }
            }
        }
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("Terraform asked the provider to stop: cancelling operations in flight");
        if let Some(client) = self.client.read().ok().and_then(|c| c.clone()) {
            self.provider.stop(&client);
        }
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let schema = resource.schema();
            if let Some([config]) =
                decode_all([(req.config.as_ref(), &schema.value_type())], &mut diags)
            {
                schema.warn_deprecated(&config, &mut diags);
                resource.validate(&config, &mut diags);
            }
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut upgraded_state = None;
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let json = req.raw_state.map(|r| r.json).unwrap_or_default();
            if json.is_empty() {
                diags.error(
                    "Unsupported state format",
                    "the stored state has no JSON form (it predates Terraform 0.12), which this \
                     provider cannot read.",
                );
            } else if let Some(state) = resource.upgrade_state(req.version, &json, &mut diags) {
                upgraded_state = encode_into(&state, &resource.schema().value_type(), &mut diags);
            }
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::read_resource::Response {
            new_state: req.current_state.clone(),
            private: req.private.clone(),
            ..Default::default()
        };
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let ty = resource.schema().value_type();
            let decoded = decode_all([(req.current_state.as_ref(), &ty)], &mut diags);
            if let (Some([state]), Some(client)) = (decoded, self.client(&mut diags)) {
                let mut op = Diagnostics::new();
                let outcome = self
                    .cancellable(
                        &mut diags,
                        resource.read(&client, &state, &req.private, &mut op),
                    )
                    .await;
                diags.extend(op);
                match outcome {
                    Some(ReadOutcome::Found(stored)) => {
                        if stored.state.contains_unknown() {
                            diags.error(
                                "Provider bug: unknown value after refresh",
                                "the refreshed state has an unknown value; please report this.",
                            );
                        } else {
                            response.new_state = encode_into(&stored.state, &ty, &mut diags);
                            response.private = stored.private;
                        }
                    }
                    Some(ReadOutcome::Gone) => {
                        response.new_state = encode_into(&Value::Null, &ty, &mut diags);
                    }
                    Some(ReadOutcome::Failed) | None => {}
                }
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::plan_resource_change::Response::default();
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let ty = resource.schema().value_type();
            let decoded = decode_all(
                [
                    (req.prior_state.as_ref(), &ty),
                    (req.proposed_new_state.as_ref(), &ty),
                    (req.config.as_ref(), &ty),
                ],
                &mut diags,
            );
            if let Some([prior, proposed, config]) = decoded {
                let plan = framework::plan(
                    resource.as_ref(),
                    &prior,
                    &proposed,
                    &config,
                    &req.prior_private,
                    &mut diags,
                );
                response.planned_state = encode_into(&plan.planned, &ty, &mut diags);
                response.planned_private = plan.private;
                response.requires_replace =
                    plan.requires_replace.iter().map(path_to_proto).collect();
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::apply_resource_change::Response {
            new_state: req.prior_state.clone(),
            private: req.planned_private.clone(),
            ..Default::default()
        };
        let Some(resource) = self.resource(&req.type_name, &mut diags) else {
            response.diagnostics = diags_to_proto(&diags);
            return Ok(Response::new(response));
        };
        let ty = resource.schema().value_type();
        let decoded = decode_all(
            [
                (req.prior_state.as_ref(), &ty),
                (req.planned_state.as_ref(), &ty),
                (req.config.as_ref(), &ty),
            ],
            &mut diags,
        );
        if let (Some([prior, planned, config]), Some(client)) = (decoded, self.client(&mut diags)) {
            let private = &req.planned_private;
            let mut op = Diagnostics::new();
            let (new_state, new_private) = if planned.is_null() {
                self.cancellable(&mut diags, resource.delete(&client, &prior, &mut op))
                    .await;
                // A failed delete keeps the object in state, so Terraform tries again next time.
                let failed = op.has_errors() || diags.has_errors();
                (
                    if failed { prior.clone() } else { Value::Null },
                    private.clone(),
                )
            } else if prior.is_null() {
                let created = self
                    .cancellable(
                        &mut diags,
                        resource.create(&client, &planned, &config, private, &mut op),
                    )
                    .await;
                stored_parts(created.flatten())
            } else {
                let updated = self
                    .cancellable(
                        &mut diags,
                        resource.update(&client, &prior, &planned, &config, private, &mut op),
                    )
                    .await;
                match updated.flatten() {
                    Some(stored) => (stored.state, stored.private),
                    None => (prior.clone(), private.clone()),
                }
            };
            diags.extend(op);
            if !diags.has_errors() {
                framework::check_applied(&planned, &new_state, &mut diags);
            }
            if new_state.contains_unknown() {
                // Never hand Terraform an unknown after apply; keep what it had instead.
                diags.error(
                    "Provider bug: unknown value after apply",
                    "please report this.",
                );
            } else {
                response.new_state = encode_into(&new_state, &ty, &mut diags);
                response.private = new_private;
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut imported_resources = Vec::new();
        if let (Some(resource), Some(client)) = (
            self.resource(&req.type_name, &mut diags),
            self.client(&mut diags),
        ) {
            let mut op = Diagnostics::new();
            let state = self
                .cancellable(&mut diags, resource.import(&client, &req.id, &mut op))
                .await;
            diags.extend(op);
            if let Some(Some(state)) = state {
                if let Some(state) =
                    encode_into(&state, &resource.schema().value_type(), &mut diags)
                {
                    imported_resources.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        ..Default::default()
                    });
                }
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let mut diags = Diagnostics::new();
        diags.error(
            "Move not supported",
            "this provider cannot move state from another resource type into its resources.",
        );
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: diags_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(data_source) = self.data_source(&req.type_name, &mut diags) {
            let schema = data_source.schema();
            if let Some([config]) =
                decode_all([(req.config.as_ref(), &schema.value_type())], &mut diags)
            {
                schema.warn_deprecated(&config, &mut diags);
                data_source.validate(&config, &mut diags);
            }
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut state = None;
        if let Some(data_source) = self.data_source(&req.type_name, &mut diags) {
            let ty = data_source.schema().value_type();
            let decoded = decode_all([(req.config.as_ref(), &ty)], &mut diags);
            if let (Some([config]), Some(client)) = (decoded, self.client(&mut diags)) {
                let mut op = Diagnostics::new();
                let read = self
                    .cancellable(&mut diags, data_source.read(&client, &config, &mut op))
                    .await;
                diags.extend(op);
                if let Some(Some(value)) = read {
                    state = encode_into(&value, &ty, &mut diags);
                }
            }
        }
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("this provider has no function {:?}", req.into_inner().name),
                function_argument: None,
            }),
        }))
    }

    type ListResourceStream = BoxStream<pb::list_resource::Event>;
    type ReadStateBytesStream = BoxStream<pb::read_state_bytes::Response>;
    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    async fn upgrade_resource_identity(
        &self,
        _: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        unimplemented("upgrade_resource_identity")
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        unimplemented("generate_resource_config")
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        unimplemented("validate_ephemeral_resource_config")
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        unimplemented("open_ephemeral_resource")
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        unimplemented("renew_ephemeral_resource")
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        unimplemented("close_ephemeral_resource")
    }

    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        unimplemented("list_resource")
    }

    async fn validate_list_resource_config(
        &self,
        _: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        unimplemented("validate_list_resource_config")
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        unimplemented("validate_state_store_config")
    }

    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        unimplemented("configure_state_store")
    }

    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        unimplemented("read_state_bytes")
    }

    async fn lock_state(
        &self,
        _: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        unimplemented("lock_state")
    }

    async fn unlock_state(
        &self,
        _: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        unimplemented("unlock_state")
    }

    async fn get_states(
        &self,
        _: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        unimplemented("get_states")
    }

    async fn delete_state(
        &self,
        _: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        unimplemented("delete_state")
    }

    async fn plan_action(
        &self,
        _: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        unimplemented("plan_action")
    }

    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        unimplemented("invoke_action")
    }

    async fn validate_action_config(
        &self,
        _: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        unimplemented("validate_action_config")
    }

    async fn write_state_bytes(
        &self,
        _: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        unimplemented("write_state_bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::framework::Stored;
    use crate::tfplugin::schema::Attribute;
    use pb::provider_server::Provider as _;

    /// A provider whose one resource never finishes creating, and reads instantly.
    struct Slow;
    struct Stuck;

    #[tonic::async_trait]
    impl Resource<()> for Stuck {
        fn type_name(&self) -> &'static str {
            "test_stuck"
        }
        fn schema(&self) -> Schema {
            Schema {
                version: 0,
                description: "",
                attributes: vec![
                    Attribute::string("id").computed(),
                    Attribute::string("name").required(),
                ],
            }
        }
        async fn create(
            &self,
            _: &(),
            _: &Value,
            _: &Value,
            _: &[u8],
            _: &mut Diagnostics,
        ) -> Option<Stored> {
            std::future::pending().await
        }
        async fn read(&self, _: &(), state: &Value, _: &[u8], _: &mut Diagnostics) -> ReadOutcome {
            ReadOutcome::Found(Stored {
                state: state.clone(),
                private: Vec::new(),
            })
        }
        async fn update(
            &self,
            _: &(),
            _: &Value,
            _: &Value,
            _: &Value,
            _: &[u8],
            _: &mut Diagnostics,
        ) -> Option<Stored> {
            None
        }
        async fn delete(&self, _: &(), _: &Value, _: &mut Diagnostics) {}
        async fn import(&self, _: &(), _: &str, _: &mut Diagnostics) -> Option<Value> {
            None
        }
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
            vec![Arc::new(Stuck)]
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
        let service = Arc::new(ProviderService::new(Slow));
        service
            .configure_provider(Request::new(pb::configure_provider::Request::default()))
            .await
            .unwrap();
        let ty = Stuck.schema().value_type();
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
        let service = ProviderService::new(Slow);
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
}
