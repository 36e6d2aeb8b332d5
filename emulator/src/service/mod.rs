//! The middle layer: the behaviour of each Infisical API area (what a route checks, in the
//! server's order, and what it changes), as functions over the stores in [`crate::state::State`].
//! Services import stores and schemas, never a router.

pub(crate) mod auth;
pub(crate) mod connections;
pub(crate) mod environments;
pub(crate) mod folders;
pub(crate) mod identities;
pub(crate) mod projects;
pub(crate) mod references;
pub(crate) mod secrets;
pub(crate) mod sync_jobs;
pub(crate) mod syncs;
pub(crate) mod tags;
pub(crate) mod universal_auth;
