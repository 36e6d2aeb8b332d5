//! The time as the emulated servers write it: Infisical's `Date.toISOString()` and GitHub's
//! whole-second timestamps. A leaf: it imports nothing of the crate.

use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// `createdAt`/`updatedAt` as JavaScript's `Date.toISOString()` writes them.
pub(crate) fn now_iso() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

/// GitHub's timestamps, `after` from now: whole seconds, `Z`.
pub(crate) fn github_time(after: Duration) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    (OffsetDateTime::now_utc() + after)
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}
