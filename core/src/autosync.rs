//! The sync loop task: the core syncs on its own, so every app behaves the same.
//!
//! It syncs after a local write (debounced: a burst of taps is one sync),
//! when the app says the network is back, every `pending_interval` while
//! actions wait, and every `refresh_interval` to hear of others' changes.
//! After a failure it waits longer each time (doubling, with jitter, up to
//! `max_backoff`), or as long as the server's `Retry-After` asks, whichever
//! is longer. An expired session or a sign-out stops it until the next
//! sign-in. The app may still call `sync()` at any time: rounds coalesce in
//! the sync gate, and every round, the app's or the loop's, feeds the same
//! schedule.
//!
//! The loop holds the replica weakly: dropping the last `Replica` ends it.

use std::sync::{Arc, Weak};
use std::time::Instant;

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::schedule::{Auto, AutoSyncOptions};

/// Start (or restart with new options) the loop on the current runtime.
pub(crate) fn start(inner: &Arc<Inner>, options: AutoSyncOptions) -> Result<()> {
    options.check()?;
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| Error::Internal("the sync loop needs a tokio runtime".into()))?;
    let generation = {
        let mut s = inner.auto.schedule();
        s.options = options;
        s.enabled = true;
        s.generation += 1;
        s.generation
    };
    inner.auto.wake.notify_one();
    handle.spawn(run(Arc::downgrade(inner), inner.auto.clone(), generation));
    Ok(())
}

pub(crate) fn stop(inner: &Inner) {
    inner.auto.update(|s| {
        s.enabled = false;
        s.generation += 1;
        s.next_attempt_at = None;
    });
    inner.announce_status();
}

async fn run(replica: Weak<Inner>, auto: Arc<Auto>, generation: u64) {
    loop {
        let Some(inner) = replica.upgrade() else {
            return;
        };
        if auto.schedule().generation != generation {
            return;
        }
        let i = inner.clone();
        let counts = tokio::task::spawn_blocking(move || i.signed_in_and_pending()).await;
        let Ok(Ok((signed_in, pending))) = counts else {
            return; // the replica is unusable: nothing to schedule
        };
        let now = Instant::now();
        let due = auto.schedule().next_due(signed_in, pending, now);
        let at = due.map(|t| crate::schedule::wall_clock(t, now));
        let changed = {
            let mut s = auto.schedule();
            let changed = s.next_attempt_at != at;
            s.next_attempt_at = at;
            changed
        };
        if changed {
            inner.announce_status();
        }
        drop(inner);
        match due {
            None => auto.wake.notified().await,
            Some(t) => {
                tokio::select! {
                    () = tokio::time::sleep_until(t.into()) => {
                        let Some(inner) = replica.upgrade() else {
                            return;
                        };
                        // The outcome feeds the schedule (sync::record_outcome).
                        let _ = crate::sync::sync(&inner, &CancelToken::new()).await;
                    }
                    () = auto.wake.notified() => {}
                }
            }
        }
    }
}
