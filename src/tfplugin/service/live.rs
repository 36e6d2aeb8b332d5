//! The RPCs this provider offers: metadata and schema, provider validation, configuration and
//! stop, and each step of a resource's, data source's or ephemeral resource's life. Each decodes
//! its request, calls the provider, resource, data source or ephemeral resource (through the
//! shared planning rules), and encodes the answer; every problem travels as a diagnostic.
//!
//! To offer an RPC that `unoffered` answers today, delete it there and write it here.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::{ProviderService, unoffered};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{self, Listed, Provider, ReadOutcome, Resource, Stored};
use crate::tfplugin::proto::tfplugin6 as pb;
use crate::tfplugin::value::Value;
use crate::tfplugin::wire::{
    decode, decode_all, diags_to_proto, encode_into, identity_into, identity_schema_to_proto,
    path_to_proto, timestamp,
};

/// How long plan-time advice ([`Resource::advise_plan`]) may take before the plan goes on
/// without it: a warning is not worth a slow plan.
const ADVICE_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The identity of the object `state` describes, for a resource with an identity schema, once
/// it is wholly known; `None` otherwise (Terraform then keeps the identity it has, if any).
fn identity_of<C>(
    resource: &dyn Resource<C>,
    state: &Value,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let schema = resource.identity_schema()?;
    if state.is_null() {
        return None;
    }
    let identity = resource.identity(state)?;
    if identity.contains_unknown() {
        return None;
    }
    identity_into(&identity, &schema.value_type(), diags)
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
            list_resources: self
                .schema_response
                .list_resource_schemas
                .keys()
                .map(|n| m::ListResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemeral_resources
                .keys()
                .map(|n| m::EphemeralMetadata {
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
            && let Some(client) = self.provider.configure(&config, &mut diags).await
            && let Ok(mut slot) = self.client.write()
        {
            *slot = Some(Arc::new(client));
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
        self.stop_operations();
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
                let write_only_allowed = req
                    .client_capabilities
                    .is_some_and(|c| c.write_only_attributes_allowed);
                if !write_only_allowed {
                    framework::refuse_write_only(&schema, &config, &mut diags);
                }
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
            new_identity: req.current_identity.clone(),
            ..Default::default()
        };
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let schema = resource.schema();
            let ty = schema.value_type();
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
                    Some(ReadOutcome::Found(mut stored)) => {
                        framework::null_write_only(&schema.attributes, &mut stored.state);
                        if stored.state.contains_unknown() {
                            diags.error(
                                "Provider bug: unknown value after refresh",
                                "the refreshed state has an unknown value; please report this.",
                            );
                        } else {
                            response.new_state = encode_into(&stored.state, &ty, &mut diags);
                            response.private = stored.private;
                            response.new_identity =
                                identity_of(resource.as_ref(), &stored.state, &mut diags)
                                    .or(req.current_identity.clone());
                        }
                    }
                    Some(ReadOutcome::Gone) => {
                        response.new_identity = None;
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
                if !plan.planned.is_null()
                    && !diags.has_errors()
                    && let Some(client) = self.client.read().ok().and_then(|c| c.clone())
                {
                    // Advice never fails a plan: not when a stop abandons it, not when it is
                    // slow (it is capped at ADVICE_LIMIT), not when its request fails.
                    let mut advice = Diagnostics::new();
                    let mut abandoned = Diagnostics::new();
                    let advised = tokio::time::timeout(
                        ADVICE_LIMIT,
                        self.cancellable(
                            &mut abandoned,
                            resource.advise_plan(&client, &prior, &plan.planned, &mut advice),
                        ),
                    )
                    .await;
                    if advised.is_err() {
                        tracing::info!(
                            limit_ms = ADVICE_LIMIT.as_millis() as u64,
                            "plan-time advice took too long and was skipped"
                        );
                    }
                    for diag in advice.iter() {
                        diags.add(Diagnostic {
                            severity: Severity::Warning,
                            ..diag.clone()
                        });
                    }
                }
                response.planned_state = encode_into(&plan.planned, &ty, &mut diags);
                response.planned_identity =
                    identity_of(resource.as_ref(), &plan.planned, &mut diags)
                        .or(req.prior_identity.clone());
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
        let schema = resource.schema();
        let ty = schema.value_type();
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
            let (mut new_state, new_private) = if planned.is_null() {
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
            framework::null_write_only(&schema.attributes, &mut new_state);
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
                response.new_identity = if new_state.is_null() {
                    None
                } else {
                    identity_of(resource.as_ref(), &new_state, &mut diags)
                        .or(req.planned_identity.clone())
                };
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
            // An `import` block with `identity` (Terraform ≥ 1.12) sends it instead of an id.
            let by_identity = match (&req.identity, resource.identity_schema()) {
                (Some(data), Some(schema)) if req.id.is_empty() => {
                    match decode(data.identity_data.as_ref(), &schema.value_type()) {
                        Ok(identity) => Some(identity),
                        Err(diag) => {
                            diags.add(diag);
                            None
                        }
                    }
                }
                _ => None,
            };
            let state = match by_identity {
                Some(identity) => {
                    self.cancellable(
                        &mut diags,
                        resource.import_identity(&client, &identity, &mut op),
                    )
                    .await
                }
                None if diags.has_errors() => None,
                None => {
                    self.cancellable(&mut diags, resource.import(&client, &req.id, &mut op))
                        .await
                }
            };
            diags.extend(op);
            if let Some(Some(mut state)) = state {
                let schema = resource.schema();
                framework::fill_state_defaults(&schema.attributes, &mut state);
                framework::null_write_only(&schema.attributes, &mut state);
                let identity = identity_of(resource.as_ref(), &state, &mut diags);
                if let Some(state) = encode_into(&state, &schema.value_type(), &mut diags) {
                    imported_resources.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        identity,
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

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(name, r)| {
                    let schema = r.identity_schema()?;
                    Some(((*name).to_owned(), identity_schema_to_proto(&schema)))
                })
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut upgraded_identity = None;
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let json = req.raw_identity.map(|r| r.json).unwrap_or_default();
            match resource.identity_schema() {
                None => diags.error(
                    "Unsupported resource identity",
                    format!("{} has no resource identity.", req.type_name),
                ),
                Some(schema) if schema.version != req.version => diags.error(
                    "Unsupported identity version",
                    format!(
                        "the stored identity of this {} has version {}, and this provider only \
                         reads version {}. Use the provider version that wrote it.",
                        req.type_name, req.version, schema.version
                    ),
                ),
                Some(schema) => {
                    let ty = schema.value_type();
                    match crate::tfplugin::value::from_json(&json, &ty) {
                        Ok(identity) => {
                            upgraded_identity = identity_into(&identity, &ty, &mut diags);
                        }
                        Err(err) => diags.add(err.into()),
                    }
                }
            }
        }
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags_to_proto(&diags),
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

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut config = None;
        if let Some(resource) = self.resource(&req.type_name, &mut diags) {
            let schema = resource.schema();
            let ty = schema.value_type();
            if let Some([state]) = decode_all([(req.state.as_ref(), &ty)], &mut diags) {
                // A list result without its object arrives as null: nothing to write but the
                // empty block Terraform makes of it.
                let generated = if state.is_null() {
                    Some(Value::Null)
                } else {
                    resource.generate_config(&state, &mut diags)
                };
                if let Some(mut generated) = generated {
                    // A configuration never holds a secret Terraform would write into a file.
                    framework::null_write_only(&schema.attributes, &mut generated);
                    if generated.contains_unknown() {
                        diags.error(
                            "Provider bug: unknown value in a generated configuration",
                            "please report this.",
                        );
                    } else {
                        config = encode_into(&generated, &ty, &mut diags);
                    }
                }
            }
        }
        Ok(Response::new(pb::generate_resource_config::Response {
            config,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some((resource, schema)) = self.listable(&req.type_name, &mut diags)
            && let Some([config]) =
                decode_all([(req.config.as_ref(), &schema.value_type())], &mut diags)
        {
            schema.warn_deprecated(&config, &mut diags);
            resource.validate_list(&config, &mut diags);
        }
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    type ListResourceStream = super::BoxStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut events = Vec::new();
        let found = self.listable(&req.type_name, &mut diags);
        if let (Some((resource, schema)), Some(client)) = (found, self.client(&mut diags)) {
            let limit = usize::try_from(req.limit).unwrap_or(0);
            let decoded = decode_all([(req.config.as_ref(), &schema.value_type())], &mut diags);
            if let (Some([config]), true) = (decoded, limit > 0) {
                let mut op = Diagnostics::new();
                let listed = self
                    .cancellable(&mut diags, resource.list(&client, &config, limit, &mut op))
                    .await
                    .unwrap_or_default();
                diags.extend(op);
                events = listed_events(
                    resource.as_ref(),
                    listed,
                    limit,
                    req.include_resource_object,
                    &mut diags,
                );
            }
        }
        // Diagnostics travel in an event of their own, first: Terraform stops at an error, and
        // skips an event that carries only warnings.
        if !diags.is_empty() {
            events.insert(
                0,
                pb::list_resource::Event {
                    diagnostic: diags_to_proto(&diags),
                    ..Default::default()
                },
            );
        }
        if diags.has_errors() {
            events.truncate(1);
        }
        let stream = futures_util::stream::iter(events.into_iter().map(Ok));
        Ok(Response::new(Box::pin(stream)))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(ephemeral) = self.ephemeral_resource(&req.type_name, &mut diags) {
            let schema = ephemeral.schema();
            if let Some([config]) =
                decode_all([(req.config.as_ref(), &schema.value_type())], &mut diags)
            {
                schema.warn_deprecated(&config, &mut diags);
                ephemeral.validate(&config, &mut diags);
            }
        }
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags_to_proto(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::open_ephemeral_resource::Response::default();
        let found = self.ephemeral_resource(&req.type_name, &mut diags);
        let decoded = found.and_then(|ephemeral| {
            let schema = ephemeral.schema();
            let [config] = decode_all([(req.config.as_ref(), &schema.value_type())], &mut diags)?;
            Some((ephemeral, schema, config))
        });
        match decoded {
            // Terraform and OpenTofu open an ephemeral resource only once its configuration is
            // known (until then they show its values as known after apply). A client that asks
            // anyway is deferred when it allows that, and refused otherwise: `open` never sees
            // an unknown value.
            Some((_, _, config)) if config.contains_unknown() => {
                let deferral_allowed = req.client_capabilities.is_some_and(|c| c.deferral_allowed);
                if deferral_allowed {
                    response.deferred = Some(pb::Deferred {
                        reason: pb::deferred::Reason::ResourceConfigUnknown as i32,
                    });
                } else {
                    diags.error(
                        "Ephemeral resource configuration not known yet",
                        format!(
                            "{} cannot be opened while its configuration has values known only \
                             after apply. Terraform waits for them and opens it during the \
                             apply; this client asked to open it before, without allowing the \
                             provider to defer. Please report this with the Terraform or \
                             OpenTofu version and the configuration.",
                            req.type_name
                        ),
                    );
                }
            }
            Some((ephemeral, schema, config)) => {
                if let Some(client) = self.client(&mut diags) {
                    let mut op = Diagnostics::new();
                    let opened = self
                        .cancellable(&mut diags, ephemeral.open(&client, &config, &mut op))
                        .await
                        .flatten();
                    diags.extend(op);
                    if let Some(opened) = opened {
                        if !diags.has_errors() {
                            framework::check_opened(&schema, &config, &opened.result, &mut diags);
                        }
                        let result = if diags.has_errors() {
                            None
                        } else {
                            encode_into(&opened.result, &schema.value_type(), &mut diags)
                        };
                        if result.is_some() {
                            response.result = result;
                            response.renew_at = opened.renew_at.map(timestamp);
                            response.private = opened.private;
                        } else {
                            // Terraform closes only what it was given: what was opened but is
                            // not answered is closed here, so that nothing stays open.
                            let mut closing = Diagnostics::new();
                            self.cancellable(
                                &mut diags,
                                ephemeral.close(&client, opened.private.as_deref(), &mut closing),
                            )
                            .await;
                            diags.extend(closing);
                        }
                    }
                }
            }
            None => {}
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let mut response = pb::renew_ephemeral_resource::Response {
            private: req.private.clone(),
            ..Default::default()
        };
        if let (Some(ephemeral), Some(client)) = (
            self.ephemeral_resource(&req.type_name, &mut diags),
            self.client(&mut diags),
        ) {
            let mut op = Diagnostics::new();
            let renewed = self
                .cancellable(
                    &mut diags,
                    ephemeral.renew(&client, req.private.as_deref(), &mut op),
                )
                .await;
            diags.extend(op);
            if let Some(renewed) = renewed {
                response.renew_at = renewed.renew_at.map(timestamp);
                response.private = renewed.private;
            }
        }
        response.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(response))
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let (Some(ephemeral), Some(client)) = (
            self.ephemeral_resource(&req.type_name, &mut diags),
            self.client(&mut diags),
        ) {
            let mut op = Diagnostics::new();
            self.cancellable(
                &mut diags,
                ephemeral.close(&client, req.private.as_deref(), &mut op),
            )
            .await;
            diags.extend(op);
        }
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    // Every RPC of a feature this provider does not offer.
    unoffered::rpcs!(pb);
}

/// The events of a list: each object's display name and identity, and its state when asked
/// for. An object without a known identity is a provider bug, reported rather than sent.
fn listed_events<C>(
    resource: &dyn Resource<C>,
    listed: Vec<Listed>,
    limit: usize,
    include_resource: bool,
    diags: &mut Diagnostics,
) -> Vec<pb::list_resource::Event> {
    let schema = resource.schema();
    let ty = schema.value_type();
    let mut events = Vec::new();
    for Listed {
        display_name,
        mut state,
    } in listed.into_iter().take(limit)
    {
        framework::fill_state_defaults(&schema.attributes, &mut state);
        framework::null_write_only(&schema.attributes, &mut state);
        let Some(identity) = identity_of(resource, &state, diags) else {
            diags.error(
                "Provider bug: listed object without identity",
                format!(
                    "{} listed {display_name:?} without a known identity; please report this.",
                    resource.type_name()
                ),
            );
            continue;
        };
        let resource_object = if include_resource {
            if state.contains_unknown() {
                diags.error(
                    "Provider bug: unknown value in a listed object",
                    format!("{display_name:?}: please report this."),
                );
                continue;
            }
            match encode_into(&state, &ty, diags) {
                Some(object) => Some(object),
                None => continue,
            }
        } else {
            None
        };
        events.push(pb::list_resource::Event {
            identity: Some(identity),
            display_name,
            resource_object,
            diagnostic: Vec::new(),
        });
    }
    events
}

fn stored_parts(stored: Option<Stored>) -> (Value, Vec<u8>) {
    stored.map_or((Value::Null, Vec::new()), |s| (s.state, s.private))
}
