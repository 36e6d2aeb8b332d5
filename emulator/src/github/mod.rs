//! The GitHub inside the emulator: its model (repositories, grants, Actions secrets, what it
//! accepts as credentials) and its HTTP face under `/__github`.

pub(crate) mod http;
pub(crate) mod model;
