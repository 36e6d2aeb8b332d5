//! The one place that answers the RPCs of features this provider does not offer.
//!
//! Terraform asks every provider for its functions: that gets a well-formed empty answer. A
//! configuration can reach two more (a function call, a `moved` block from another resource
//! type): those get answers a user can read. Every other RPC (actions, state stores) is refused
//! with `Unimplemented`, which Terraform tolerates for features a configuration does not use.
//!
//! To offer one of them: delete its line in [`rpcs`] (and its answer here, if it has its own),
//! then write its handler in `live.rs`.

use std::pin::Pin;

use tonic::{Response, Status};

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::proto::tfplugin6 as pb;
use crate::tfplugin::wire::diags_to_proto;

/// What a method of an `#[async_trait]` impl returns, once the attribute has rewritten it.
pub(super) type Answer<'a, T> =
    Pin<Box<dyn Future<Output = Result<Response<T>, Status>> + Send + 'a>>;

/// The methods of every RPC this provider does not offer, for the one `impl` of tonic's
/// `Provider` trait (in `live.rs`), which passes the name it gives the generated protocol module.
/// Each method answers with the function named beside it, given the provider's binary name, the
/// RPC's name and the request.
///
/// That impl is `#[async_trait]`, which rewrites its `async fn`s before a macro inside it expands;
/// so the methods here are written in the rewritten form: a boxed future, with its lifetimes.
macro_rules! rpcs {
    ($pb:ident) => {
        type ReadStateBytesStream =
            $crate::tfplugin::service::BoxStream<$pb::read_state_bytes::Response>;
        type InvokeActionStream = $crate::tfplugin::service::BoxStream<$pb::invoke_action::Event>;

        $crate::tfplugin::service::unoffered::rpcs! { @unary $pb
            // Terraform asks this on every run.
            get_functions = empty,
            // A configuration can reach these.
            call_function = no_such_function,
            move_resource_state = cannot_move,
            // Refused.
            configure_state_store = refuse,
            lock_state = refuse,
            unlock_state = refuse,
            get_states = refuse,
            delete_state = refuse,
            plan_action = refuse,
            validate_action_config = refuse,
        }
        // Refused, with shapes of their own: streams, and a message named unlike its RPC.
        $crate::tfplugin::service::unoffered::rpcs! { @method
            read_state_bytes($pb::read_state_bytes::Request) -> Self::ReadStateBytesStream = refuse
        }
        $crate::tfplugin::service::unoffered::rpcs! { @method
            invoke_action($pb::invoke_action::Request) -> Self::InvokeActionStream = refuse
        }
        $crate::tfplugin::service::unoffered::rpcs! { @method
            write_state_bytes(::tonic::Streaming<$pb::write_state_bytes::RequestChunk>)
                -> $pb::write_state_bytes::Response = refuse
        }
        $crate::tfplugin::service::unoffered::rpcs! { @method
            validate_state_store_config($pb::validate_state_store::Request)
                -> $pb::validate_state_store::Response = refuse
        }
    };
    (@unary $pb:ident $($rpc:ident = $answer:ident,)*) => {$(
        $crate::tfplugin::service::unoffered::rpcs! { @method
            $rpc($pb::$rpc::Request) -> $pb::$rpc::Response = $answer
        }
    )*};
    (@method $rpc:ident($request:ty) -> $response:ty = $answer:ident) => {
        fn $rpc<'life0, 'async_trait>(
            &'life0 self,
            request: ::tonic::Request<$request>,
        ) -> $crate::tfplugin::service::unoffered::Answer<'async_trait, $response>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            let answer = $crate::tfplugin::service::unoffered::$answer(
                self.binary,
                stringify!($rpc),
                request.into_inner(),
            );
            Box::pin(::std::future::ready(answer))
        }
    };
}
pub(super) use rpcs;

/// No functions: an empty list.
pub(super) fn empty<Request, T: Default>(
    _binary: &str,
    _rpc: &str,
    _: Request,
) -> Result<Response<T>, Status> {
    Ok(Response::new(T::default()))
}

/// A call to a function this provider does not have.
pub(super) fn no_such_function(
    _binary: &str,
    _rpc: &str,
    request: pb::call_function::Request,
) -> Result<Response<pb::call_function::Response>, Status> {
    Ok(Response::new(pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text: format!("this provider has no function {:?}", request.name),
            function_argument: None,
        }),
    }))
}

/// A `moved` block from another resource type into one of ours.
pub(super) fn cannot_move(
    _binary: &str,
    _rpc: &str,
    _: pb::move_resource_state::Request,
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

/// Every other feature: `Unimplemented`, naming the provider and the RPC.
pub(super) fn refuse<Request, T>(binary: &str, rpc: &str, _: Request) -> Result<T, Status> {
    Err(Status::unimplemented(format!(
        "{binary} does not offer {rpc}"
    )))
}
