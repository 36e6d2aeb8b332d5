//! The `terraform-provider-infisical` binary: Terraform launches it as a plugin.

use std::process::ExitCode;

use terraform_provider_infisical::provider::InfisicalProvider;
use terraform_provider_infisical::tfplugin::server;

fn main() -> ExitCode {
    server::run("terraform-provider-infisical", InfisicalProvider)
}
