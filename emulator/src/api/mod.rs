//! The top layer: one router per area of the emulated Infisical API, each handler reading its
//! request through [`crate::http`] and handing over to its service; and the AWS credential
//! stand-ins. `lib.rs` composes them.

pub(crate) mod auth;
pub(crate) mod aws;
pub(crate) mod connections;
pub(crate) mod deprecated;
pub(crate) mod folders;
pub(crate) mod identities;
pub(crate) mod projects;
pub(crate) mod secrets;
pub(crate) mod syncs;
pub(crate) mod tags;
