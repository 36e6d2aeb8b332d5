//! Batched reads: the first read of a connection lists every connection of its app in one
//! request, concurrent reads wait for that request, and the reads that follow are answered from
//! its listing. A plan of a thousand connections then costs one list instead of a thousand GETs,
//! which is what a remote, rate-limited Infisical needs.
//!
//! A listing never decides alone that a connection is gone: a connection it lacks is confirmed
//! with a GET by id. A listing that failed (an identity allowed to list only some projects, a
//! server error, an unexpected body) serves nothing, and each read falls back to its own GET.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

/// How long a listing answers reads. A refresh of thousands of connections reads them all within
/// a second or two of the listing, so this bound costs no request in practice; it exists for
/// long-lived provider processes (a large apply, a language server), where a listing older than
/// this could hide a change made in the UI meanwhile. Within it, a read from the listing is as
/// fresh as a GET sent at the moment the listing was, which is what a refresh promises anyway.
pub(super) const FRESH_FOR: Duration = Duration::from_secs(30);

/// Which listing: the app's URL segment, and the project for a per-project listing (`None`:
/// the whole organization, project-scoped connections included).
type Scope = (&'static str, Option<String>);

/// The listings of this process, and when it last wrote each connection.
#[derive(Default)]
pub(crate) struct Snapshots {
    listings: Mutex<HashMap<Scope, Arc<Slot>>>,
    /// Connection id → when this process's last write to it finished (or failed).
    writes: Mutex<HashMap<String, Instant>>,
}

/// One listing, fetched once however many reads ask for it at the same time.
struct Slot {
    created: Instant,
    listing: OnceCell<Option<Listing>>,
}

/// What a list request returned, by id, typed for its app (`HashMap<String, AppConnection<A>>`).
pub(super) struct Listing {
    /// When the list request was sent: the listing shows no change made after this.
    pub(super) sent: Instant,
    pub(super) by_id: Box<dyn Any + Send + Sync>,
}

/// What a listing says about one connection.
pub(super) enum Listed<T> {
    /// It is there, as listed.
    Found(T),
    /// The listing is fresh and does not hold it: confirm with a GET before calling it gone.
    Missing,
    /// The listing cannot answer (it failed, or this process wrote the connection after it).
    Unavailable,
}

impl Snapshots {
    /// Records that this process just wrote connection `id` (created, updated or deleted it, or
    /// tried to): listings sent before now no longer answer for it.
    pub(super) fn wrote(&self, id: &str) {
        if let Ok(mut writes) = self.writes.lock() {
            writes.insert(id.to_owned(), Instant::now());
        }
    }

    /// Forgets every listing of `kind` whose scope starts with `prefix`: a write of this process
    /// changed objects it cannot name one by one (a folder rename moves everything below it; a
    /// secret rename rewrites the references to it across the project).
    pub(super) fn forget(&self, kind: &str, prefix: &str) {
        if let Ok(mut listings) = self.listings.lock() {
            listings.retain(|(k, scope), _| {
                !(*k == kind && scope.as_deref().is_some_and(|s| s.starts_with(prefix)))
            });
        }
    }

    /// Looks connection `id` up in the listing of `scope`, fetching the listing with `fetch`
    /// when there is none fresh; concurrent callers share one fetch.
    pub(super) async fn lookup<T, F>(&self, scope: Scope, id: &str, fetch: F) -> Listed<T>
    where
        T: Clone + 'static,
        F: Future<Output = Option<Listing>>,
    {
        let slot = self.slot(scope);
        let Some(listing) = slot.listing.get_or_init(|| fetch).await else {
            return Listed::Unavailable;
        };
        let written_after = self
            .writes
            .lock()
            .ok()
            .and_then(|writes| writes.get(id).copied())
            .is_some_and(|written| written >= listing.sent);
        if written_after {
            return Listed::Unavailable;
        }
        match listing.by_id.downcast_ref::<HashMap<String, T>>() {
            Some(by_id) => by_id
                .get(id)
                .cloned()
                .map_or(Listed::Missing, Listed::Found),
            None => Listed::Unavailable,
        }
    }

    /// The slot of `scope`: the current one, or a new one when it is older than [`FRESH_FOR`]
    /// and done (one still being fetched is waited for, not replaced).
    fn slot(&self, scope: Scope) -> Arc<Slot> {
        let fresh = || {
            Arc::new(Slot {
                created: Instant::now(),
                listing: OnceCell::new(),
            })
        };
        let Ok(mut listings) = self.listings.lock() else {
            return fresh();
        };
        let slot = listings.entry(scope).or_insert_with(fresh);
        if slot.listing.initialized() && slot.created.elapsed() >= FRESH_FOR {
            *slot = fresh();
        }
        Arc::clone(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(ids: &[&str]) -> Option<Listing> {
        let by_id: HashMap<String, String> = ids
            .iter()
            .map(|id| ((*id).to_owned(), format!("connection {id}")))
            .collect();
        Some(Listing {
            sent: Instant::now(),
            by_id: Box::new(by_id),
        })
    }

    fn org() -> Scope {
        ("github", None)
    }

    #[tokio::test]
    async fn one_fetch_serves_every_read_and_a_missing_id_is_not_called_gone() {
        let snapshots = Snapshots::default();
        let fetches = std::sync::atomic::AtomicUsize::new(0);
        let fetch = || async {
            fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            listing(&["a", "b"])
        };
        let (a, b) = tokio::join!(
            snapshots.lookup::<String, _>(org(), "a", fetch()),
            snapshots.lookup::<String, _>(org(), "b", fetch())
        );
        assert!(matches!(a, Listed::Found(ref c) if c == "connection a"));
        assert!(matches!(b, Listed::Found(ref c) if c == "connection b"));
        let c = snapshots.lookup::<String, _>(org(), "c", fetch()).await;
        assert!(matches!(c, Listed::Missing));
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_write_after_the_listing_makes_it_unavailable_for_that_connection() {
        let snapshots = Snapshots::default();
        let first = snapshots.lookup::<String, _>(org(), "a", async { listing(&["a", "b"]) });
        assert!(matches!(first.await, Listed::Found(_)));
        snapshots.wrote("a");
        let a = snapshots
            .lookup::<String, _>(org(), "a", async { listing(&[]) })
            .await;
        assert!(
            matches!(a, Listed::Unavailable),
            "a was written after the listing"
        );
        let b = snapshots
            .lookup::<String, _>(org(), "b", async { listing(&[]) })
            .await;
        assert!(matches!(b, Listed::Found(_)), "b was not");
    }

    #[tokio::test]
    async fn a_failed_listing_answers_nothing_and_scopes_are_separate() {
        let snapshots = Snapshots::default();
        let failed = snapshots
            .lookup::<String, _>(org(), "a", async { None })
            .await;
        assert!(matches!(failed, Listed::Unavailable));
        let project = ("github", Some("p1".to_owned()));
        let listed = snapshots.lookup::<String, _>(project, "a", async { listing(&["a"]) });
        assert!(matches!(listed.await, Listed::Found(_)));
    }

    #[tokio::test]
    async fn a_forgotten_listing_is_fetched_again_and_others_are_kept() {
        let snapshots = Snapshots::default();
        let scope = |s: &str| ("secrets", Some(s.to_owned()));
        let first = snapshots.lookup::<String, _>(scope("p1/dev"), "a", async { listing(&["a"]) });
        assert!(matches!(first.await, Listed::Found(_)));
        let other = snapshots.lookup::<String, _>(scope("p2/dev"), "a", async { listing(&["a"]) });
        assert!(matches!(other.await, Listed::Found(_)));
        snapshots.forget("secrets", "p1/");
        let refetched = snapshots
            .lookup::<String, _>(scope("p1/dev"), "a", async { listing(&[]) })
            .await;
        assert!(
            matches!(refetched, Listed::Missing),
            "p1's listing was fetched again"
        );
        let kept = snapshots
            .lookup::<String, _>(scope("p2/dev"), "a", async { listing(&[]) })
            .await;
        assert!(matches!(kept, Listed::Found(_)), "p2's listing was kept");
    }

    #[tokio::test]
    async fn another_apps_listing_type_answers_nothing() {
        let snapshots = Snapshots::default();
        let found = snapshots
            .lookup::<u32, _>(org(), "a", async { listing(&["a"]) })
            .await;
        assert!(matches!(found, Listed::Unavailable));
    }
}
