//! Host capabilities the app implements (foreign traits), and the handles
//! that control subscriptions and cancellation from Kotlin and Swift.

use std::sync::{Arc, Mutex};
use volunteer_core as core;

use crate::remote::{DataKind, SyncStatus};

/// Told which kinds of data changed, after a local write or a sync, so a UI
/// can re-read them. Called on a core thread, one call at a time: return quickly.
#[uniffi::export(foreign)]
pub trait ChangeListener: Send + Sync {
    /// These kinds of data changed; re-read what shows them.
    fn on_change(&self, kinds: Vec<DataKind>);
}

/// Told the sync status: the current one at once, then each change.
/// Called on a core thread, one call at a time: return quickly.
#[uniffi::export(foreign)]
pub trait StatusListener: Send + Sync {
    /// The new status (a full snapshot, not a diff).
    fn on_status(&self, status: SyncStatus);
}

pub(crate) struct ChangeBridge(pub Arc<dyn ChangeListener>);

impl core::ChangeListener for ChangeBridge {
    fn on_change(&self, kinds: Vec<core::Kind>) {
        self.0.on_change(kinds);
    }
}

pub(crate) struct StatusBridge(pub Arc<dyn StatusListener>);

impl core::StatusListener for StatusBridge {
    fn on_status(&self, status: core::SyncStatus) {
        self.0.on_status(status);
    }
}

/// Keeps a listener registered until cancelled or dropped.
#[derive(uniffi::Object)]
pub struct SubscriptionHandle(Mutex<Option<core::Subscription>>);

impl SubscriptionHandle {
    pub(crate) fn new(s: core::Subscription) -> Arc<SubscriptionHandle> {
        Arc::new(SubscriptionHandle(Mutex::new(Some(s))))
    }
}

#[uniffi::export]
impl SubscriptionHandle {
    /// Stop delivery. Calling it again does nothing.
    pub fn cancel(&self) {
        if let Some(s) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            s.cancel();
        }
    }
}

/// Cancels one `sync` call. Create it before the call, cancel it from the
/// coroutine's or task's cancellation handler; a cancel that comes before the
/// call starts is not lost.
#[derive(uniffi::Object, Default)]
pub struct CancelHandle(pub(crate) core::CancelToken);

#[uniffi::export]
impl CancelHandle {
    /// A handle that is not cancelled yet.
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelHandle> {
        Arc::new(CancelHandle::default())
    }

    /// Cancel the call this handle was given to. Calling it again does nothing.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether `cancel` was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}
