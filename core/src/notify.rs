//! Change and status notifications for the app's UI.
//!
//! Listeners run on one dispatcher thread per replica: never on the caller's
//! thread, never while the core holds its database lock, never two at once.
//! A status listener gets the current status first, then only changes
//! (equal consecutive statuses are dropped). A listener gets only events
//! sent after it subscribed, never one already on its way. Dropping or cancelling the
//! [`Subscription`] stops delivery (a call already under way may still end).
//! A listener that panics (or throws, across the FFI) is skipped for that
//! event; the others, and later events, are still delivered.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, Weak};
use volunteer_domain::Kind;

use crate::model::SyncStatus;

/// Told which kinds of data changed after a local write or a sync.
pub trait ChangeListener: Send + Sync {
    fn on_change(&self, kinds: Vec<Kind>);
}

/// Told the sync status whenever it changes.
pub trait StatusListener: Send + Sync {
    fn on_status(&self, status: SyncStatus);
}

/// Each event carries the sequence number it was sent with; a listener gets
/// only events sent after it subscribed.
enum Event {
    Changed(u64, Vec<Kind>),
    /// The status as it is now (delivered if it differs from the last one).
    Status(u64, SyncStatus),
    /// The current status, for one new subscriber.
    StatusTo(u64, SyncStatus),
}

/// A registered listener and the last event sequence sent before it subscribed.
struct Entry<L: ?Sized> {
    id: u64,
    since: u64,
    listener: Arc<L>,
}

#[derive(Default)]
struct Listeners {
    changes: Vec<Entry<dyn ChangeListener>>,
    statuses: Vec<Entry<dyn StatusListener>>,
}

pub(crate) struct Notifier {
    tx: Mutex<Sender<Event>>,
    listeners: Arc<Mutex<Listeners>>,
    next_id: AtomicU64,
    /// Sequence of the last event sent.
    sent: AtomicU64,
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
            sent: AtomicU64::new(0),
        }
    }

    /// Send under the sender's lock, so sequence order is channel order.
    fn send(&self, make: impl FnOnce(u64) -> Event) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        let seq = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = tx.send(make(seq));
    }

    pub(crate) fn changed(&self, kinds: Vec<Kind>) {
        if !kinds.is_empty() {
            self.send(|seq| Event::Changed(seq, kinds));
        }
    }

    pub(crate) fn status(&self, status: SyncStatus) {
        self.send(|seq| Event::Status(seq, status));
    }

    /// The sequence of the last event sent, read under the sender's lock.
    fn last_sent(&self) -> u64 {
        let _tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        self.sent.load(Ordering::SeqCst)
    }

    pub(crate) fn subscribe_changes(self: &Arc<Self>, l: Arc<dyn ChangeListener>) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let since = self.last_sent();
        self.lock().changes.push(Entry {
            id,
            since,
            listener: l,
        });
        Subscription::new(id, self)
    }

    pub(crate) fn subscribe_status(
        self: &Arc<Self>,
        l: Arc<dyn StatusListener>,
        current: Option<SyncStatus>,
    ) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let since = self.last_sent();
        self.lock().statuses.push(Entry {
            id,
            since,
            listener: l,
        });
        if let Some(current) = current {
            let _ = self
                .tx
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .send(Event::StatusTo(id, current));
        }
        Subscription::new(id, self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Listeners> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn unsubscribe(&self, id: u64) {
        let mut l = self.lock();
        l.changes.retain(|e| e.id != id);
        l.statuses.retain(|e| e.id != id);
    }
}

fn dispatch(rx: Receiver<Event>, listeners: Arc<Mutex<Listeners>>) {
    let lock = || listeners.lock().unwrap_or_else(|p| p.into_inner());
    let mut last: Option<SyncStatus> = None;
    while let Ok(event) = rx.recv() {
        match event {
            Event::Changed(seq, kinds) => {
                let ls: Vec<Arc<dyn ChangeListener>> = lock()
                    .changes
                    .iter()
                    .filter(|e| e.since < seq)
                    .map(|e| e.listener.clone())
                    .collect();
                for l in ls {
                    shielded(|| l.on_change(kinds.clone()));
                }
            }
            Event::Status(seq, status) => {
                if last.as_ref() == Some(&status) {
                    continue;
                }
                last = Some(status.clone());
                let ls: Vec<Arc<dyn StatusListener>> = lock()
                    .statuses
                    .iter()
                    .filter(|e| e.since < seq)
                    .map(|e| e.listener.clone())
                    .collect();
                for l in ls {
                    shielded(|| l.on_status(status.clone()));
                }
            }
            Event::StatusTo(id, status) => {
                let ls: Vec<Arc<dyn StatusListener>> = lock()
                    .statuses
                    .iter()
                    .filter(|e| e.id == id)
                    .map(|e| e.listener.clone())
                    .collect();
                for l in ls {
                    shielded(|| l.on_status(status.clone()));
                }
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
