//! The create that is confirmed before it is repeated: a create is never retried blindly (a lost
//! answer may hide a success), so after a failure that may have created the object the object is
//! looked up, and only a lookup that finds nothing lets the create go again — as often, and after
//! as long a wait, as the retry policy allows any request, and never past its `max_elapsed`
//! (`retry_timeout`). App connections and secret syncs both create this way.

use std::future::Future;
use std::time::Instant;

use super::client::Client;
use super::error::Error;

impl Client {
    /// Runs `create`; after a failure that may have created the object (a lost answer, an
    /// internal error), runs `lookup` (by name): an object found is the created one; none found
    /// (404) repeats `create` within the retry policy; anything else gives the create's error.
    pub async fn create_confirmed<T, C, CF, L, LF>(&self, create: C, lookup: L) -> Result<T, Error>
    where
        C: Fn() -> CF,
        CF: Future<Output = Result<T, Error>>,
        L: Fn() -> LF,
        LF: Future<Output = Result<T, Error>>,
    {
        let started = Instant::now();
        // Taken now: a stop while an attempt or its lookup is on the wire still ends the wait.
        let stop = self.stop_signal();
        let mut attempt = 1;
        loop {
            let err = match create().await {
                Ok(created) => return Ok(created),
                Err(err) => err,
            };
            if !(err.is_ambiguous() || matches!(err, Error::Server(_))) {
                return Err(err);
            }
            match lookup().await {
                Ok(found) => {
                    tracing::info!("the failed create had created the object; adopting it");
                    return Ok(found);
                }
                // Confirmed not created: try again, within the policy's attempts and time.
                Err(missing) if missing.is_not_found() => {
                    if started.elapsed() >= self.retry_limit()
                        || !self.wait_to_retry(attempt, &stop).await
                    {
                        return Err(err);
                    }
                    attempt += 1;
                }
                Err(_) => return Err(err),
            }
        }
    }
}
