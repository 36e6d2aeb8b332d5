//! The bottom layer: plain data per area, with its own lookups and bookkeeping, and no
//! behaviour of the API. A store imports no service, router or `State`; `State` is their
//! aggregate.

pub(crate) mod approvals;
pub(crate) mod aws;
pub(crate) mod connections;
pub(crate) mod github_apps;
pub(crate) mod identities;
pub(crate) mod log;
pub(crate) mod projects;
pub(crate) mod secrets;
pub(crate) mod syncs;
pub(crate) mod tags;
pub(crate) mod tokens;
