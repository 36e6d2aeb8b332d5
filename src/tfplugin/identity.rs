//! [`Identity`]: the names a provider is known by. The server serves under them and the logger
//! writes them; a leaf, so that both can read it without reading each other.

/// The names a provider is known by. This layer names no provider of its own: the provider's
/// binary passes its identity to `server::run`.
#[derive(Clone, Copy, Debug)]
pub struct Identity {
    /// The executable's name, e.g. `terraform-provider-random`: it begins every error the process
    /// writes to stderr, and the refusal of an RPC the provider does not offer.
    pub binary: &'static str,
    /// The source addresses Terraform and OpenTofu know the provider by, e.g.
    /// `registry.terraform.io/hashicorp/random` and `registry.opentofu.org/hashicorp/random`: the
    /// keys of the `TF_REATTACH_PROVIDERS` value that debug mode prints, so that either CLI
    /// attaches.
    pub addresses: &'static [&'static str],
    /// The `@module` of every log line, e.g. `provider.random`.
    pub log_module: &'static str,
    /// The environment variable that sets the provider's log level ahead of `TF_LOG_PROVIDER` and
    /// `TF_LOG`, e.g. `TF_LOG_PROVIDER_RANDOM`.
    pub log_level_var: &'static str,
    /// The `tracing` targets (crate or module paths) of the provider's own code, whose events
    /// reach the log beside this layer's; other crates' events stay out.
    pub log_targets: &'static [&'static str],
}
