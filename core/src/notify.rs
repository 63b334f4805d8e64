//! Change and status notifications for the app's UI.
//!
//! Listeners run on one dispatcher thread per replica: never on the caller's
//! thread, never while the core holds its database lock, never two at once.
//! A status listener gets the current status first, then only changes
//! (equal consecutive statuses are dropped). Dropping or cancelling the
//! [`Subscription`] stops delivery (a call already under way may still end).
//! A listener that panics (or throws, across the FFI) is skipped for that
//! event; the others, and later events, are still delivered.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, Weak};
use volunteer_domain::Kind;

use crate::views::SyncStatus;

/// Told which kinds of data changed after a local write or a sync.
pub trait ChangeListener: Send + Sync {
    fn on_change(&self, kinds: Vec<Kind>);
}

/// Told the sync status whenever it changes.
pub trait StatusListener: Send + Sync {
    fn on_status(&self, status: SyncStatus);
}

enum Event {
    Changed(Vec<Kind>),
    /// The status as it is now (delivered if it differs from the last one).
    Status(SyncStatus),
    /// The current status, for one new subscriber.
    StatusTo(u64, SyncStatus),
}

#[derive(Default)]
struct Listeners {
    changes: Vec<(u64, Arc<dyn ChangeListener>)>,
    statuses: Vec<(u64, Arc<dyn StatusListener>)>,
}

pub(crate) struct Notifier {
    tx: Mutex<Sender<Event>>,
    listeners: Arc<Mutex<Listeners>>,
    next_id: AtomicU64,
}

impl Notifier {
    /// Statuses are computed by the caller and only delivered here, so the
    /// thread never touches the database (dropping a replica closes it at once).
    pub(crate) fn start() -> Notifier {
        let (tx, rx) = channel();
        let listeners: Arc<Mutex<Listeners>> = Arc::default();
        let l = listeners.clone();
        // If the thread cannot start, notifications are off; the core still works.
        let _ = std::thread::Builder::new()
            .name("volunteer-core-notify".into())
            .spawn(move || dispatch(rx, l));
        Notifier {
            tx: Mutex::new(tx),
            listeners,
            next_id: AtomicU64::new(1),
        }
    }

    fn send(&self, e: Event) {
        let _ = self.tx.lock().unwrap_or_else(|p| p.into_inner()).send(e);
    }

    pub(crate) fn changed(&self, kinds: Vec<Kind>) {
        if !kinds.is_empty() {
            self.send(Event::Changed(kinds));
        }
    }

    pub(crate) fn status(&self, status: SyncStatus) {
        self.send(Event::Status(status));
    }

    pub(crate) fn subscribe_changes(self: &Arc<Self>, l: Arc<dyn ChangeListener>) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().changes.push((id, l));
        Subscription::new(id, self)
    }

    pub(crate) fn subscribe_status(
        self: &Arc<Self>,
        l: Arc<dyn StatusListener>,
        current: Option<SyncStatus>,
    ) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().statuses.push((id, l));
        if let Some(current) = current {
            self.send(Event::StatusTo(id, current));
        }
        Subscription::new(id, self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Listeners> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn unsubscribe(&self, id: u64) {
        let mut l = self.lock();
        l.changes.retain(|(i, _)| *i != id);
        l.statuses.retain(|(i, _)| *i != id);
    }
}

fn dispatch(rx: Receiver<Event>, listeners: Arc<Mutex<Listeners>>) {
    let lock = || listeners.lock().unwrap_or_else(|p| p.into_inner());
    let statuses = |only: Option<u64>| -> Vec<Arc<dyn StatusListener>> {
        lock()
            .statuses
            .iter()
            .filter(|(i, _)| only.is_none_or(|id| id == *i))
            .map(|(_, l)| l.clone())
            .collect()
    };
    let mut last: Option<SyncStatus> = None;
    while let Ok(event) = rx.recv() {
        match event {
            Event::Changed(kinds) => {
                let ls: Vec<Arc<dyn ChangeListener>> =
                    lock().changes.iter().map(|(_, l)| l.clone()).collect();
                for l in ls {
                    shielded(|| l.on_change(kinds.clone()));
                }
            }
            Event::Status(status) => {
                if last.as_ref() == Some(&status) {
                    continue;
                }
                last = Some(status.clone());
                for l in statuses(None) {
                    shielded(|| l.on_status(status.clone()));
                }
            }
            Event::StatusTo(id, status) => {
                for l in statuses(Some(id)) {
                    shielded(|| l.on_status(status.clone()));
                }
                last.get_or_insert(status);
            }
        }
    }
}

/// Call a listener; if it panics, say so and carry on.
fn shielded(call: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(call)).is_err() {
        tracing::warn!("a change or status listener failed; it stays subscribed");
    }
}

/// Keeps a listener registered. Dropping it, or calling [`Subscription::cancel`]
/// (any number of times), stops delivery.
pub struct Subscription {
    id: u64,
    notifier: Weak<Notifier>,
}

impl Subscription {
    fn new(id: u64, notifier: &Arc<Notifier>) -> Subscription {
        Subscription {
            id,
            notifier: Arc::downgrade(notifier),
        }
    }

    pub fn cancel(&self) {
        if let Some(n) = self.notifier.upgrade() {
            n.unsubscribe(self.id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}
