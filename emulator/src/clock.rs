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

/// A time as JavaScript's `Date.toISOString()` writes it.
pub(crate) fn iso(at: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

/// zod's `z.string().datetime()`: `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC, no offset), read.
pub(crate) fn parse_zod_datetime(text: &str) -> Option<OffsetDateTime> {
    let body = text.strip_suffix('Z')?;
    let (date, time_part) = body.split_once('T')?;
    let shape_ok = date.len() == 10
        && time_part.len() >= 8
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && time_part.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            8 => b == b'.',
            _ => b.is_ascii_digit(),
        })
        && time_part.len() != 9;
    if !shape_ok {
        return None;
    }
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}
