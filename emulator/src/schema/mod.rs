//! The request schemas of the emulated Infisical routes, rule for rule and message for message
//! as the server's zod schemas: each turns a body into the typed input its service takes.

pub(crate) mod connection;
pub(crate) mod sync;
