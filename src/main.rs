//! The `terraform-provider-infisical` binary: Terraform launches it as a plugin.

use std::process::ExitCode;

use terraform_provider_infisical::provider::InfisicalProvider;
use terraform_provider_infisical::tfplugin::{logging, server};

fn main() -> ExitCode {
    logging::init(logging::level_from_env());
    let options = server::ServeOptions {
        debug: std::env::args().skip(1).any(|a| a == "--debug"),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("terraform-provider-infisical: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::serve(InfisicalProvider, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-infisical: {e}");
            ExitCode::FAILURE
        }
    }
}
