//! The `terraform-provider-infisical` binary: Terraform launches it as a plugin.

use std::process::ExitCode;

use terraform_provider_infisical::provider::InfisicalProvider;
use terraform_provider_infisical::tfplugin::server::{self, Identity};

/// The names Terraform, its log and its users know this provider by.
const IDENTITY: Identity = Identity {
    binary: "terraform-provider-infisical",
    // `source = "infisical/infisical"` in Terraform and in OpenTofu.
    addresses: &[
        "registry.terraform.io/infisical/infisical",
        "registry.opentofu.org/infisical/infisical",
    ],
    log_module: "provider.infisical",
    log_level_var: "TF_LOG_PROVIDER_INFISICAL",
    // The library: provider, resources and API client (the protocol layer is always logged).
    log_targets: &["terraform_provider_infisical"],
};

fn main() -> ExitCode {
    server::run(IDENTITY, InfisicalProvider)
}
