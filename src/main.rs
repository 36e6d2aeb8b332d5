//! The `terraform-provider-infisical` binary.

fn main() {}
