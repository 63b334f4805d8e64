//! [`VolunteerClient`]: the object an app holds. Its session, sync, status
//! and listeners are here; its reads in `reads.rs`, its actions in
//! `actions.rs`. Every export runs behind the panic guard and returns the
//! core's own types (declared to uniffi in `crate::remote`).

use std::sync::Arc;
use volunteer_core::Replica;

use crate::error::{VolunteerError, guard};
use crate::listeners::{
    CancelHandle, ChangeBridge, ChangeListener, StatusBridge, StatusListener, SubscriptionHandle,
};
use crate::runtime::{enter, run};

use crate::remote::{
    AccessCode, AutoSyncOptions, PendingAction, Profile, RejectedAction, SyncReport, SyncStatus,
};

/// The offline-first core of the app: a local replica of what the signed-in
/// user may see, their queued actions, and sync with the server.
///
/// Hold one per database file for the app's lifetime. Reads and writes are
/// synchronous and fast (one local transaction) but touch the disk: call them
/// off the main thread. Every write is visible to reads at once and is kept
/// through an app kill; `sync` sends it when the network allows.
mod actions;
mod reads;

#[derive(uniffi::Object)]
pub struct VolunteerClient {
    replica: Replica,
}

#[uniffi::export]
impl VolunteerClient {
    /// Open (creating or upgrading) the replica at `path`, syncing with
    /// `server_url` (e.g. `https://sync.example.org`).
    #[uniffi::constructor]
    pub fn open(path: String, server_url: String) -> Result<Arc<Self>, VolunteerError> {
        guard(|| {
            Ok(Arc::new(VolunteerClient {
                replica: Replica::open(path, &server_url)?,
            }))
        })
    }

    /// Sign in with credentials the server issued (needs the network).
    pub async fn sign_in(
        &self,
        login: String,
        password: String,
    ) -> Result<Profile, VolunteerError> {
        let replica = self.replica.clone();
        run(async move { replica.sign_in(&login, &password).await }).await
    }

    /// Register as a new volunteer and sign in. `accepted_terms` is the
    /// version of the terms the person accepted (`terms_version()`).
    pub async fn register(
        &self,
        display_name: String,
        phone: String,
        password: String,
        accepted_terms: String,
    ) -> Result<Profile, VolunteerError> {
        let replica = self.replica.clone();
        run(async move {
            replica
                .register(&display_name, &phone, &password, &accepted_terms)
                .await
        })
        .await
    }

    /// Set a password with a one-time code from staff and sign in;
    /// activating an account needs `accepted_terms`.
    pub async fn sign_in_with_code(
        &self,
        login: String,
        code: String,
        new_password: String,
        accepted_terms: Option<String>,
    ) -> Result<Profile, VolunteerError> {
        let replica = self.replica.clone();
        run(async move {
            replica
                .sign_in_with_code(&login, &code, &new_password, accepted_terms.as_deref())
                .await
        })
        .await
    }

    /// Staff: a one-time activation or reset code for an account they
    /// manage. Needs the network; shown once.
    pub async fn issue_access_code(&self, user_id: String) -> Result<AccessCode, VolunteerError> {
        let replica = self.replica.clone();
        run(async move { replica.issue_access_code(&user_id).await }).await
    }

    /// Sign out and delete this user's data from the device. Fails with
    /// `PendingChanges` while actions are unsynced, unless `discard_pending`.
    pub async fn sign_out(&self, discard_pending: bool) -> Result<(), VolunteerError> {
        let replica = self.replica.clone();
        run(async move { replica.sign_out(discard_pending).await }).await
    }

    /// The signed-in user, or nothing.
    pub fn profile(&self) -> Result<Option<Profile>, VolunteerError> {
        guard(|| self.replica.profile())
    }

    /// Pending work, rejections, connectivity, last sync, last error.
    pub fn sync_status(&self) -> Result<SyncStatus, VolunteerError> {
        guard(|| self.replica.sync_status())
    }

    /// Actions not yet settled by the server, oldest first.
    pub fn pending_actions(&self) -> Result<Vec<PendingAction>, VolunteerError> {
        guard(|| self.replica.pending_mutations())
    }

    /// Actions the server refused, oldest first, until resent or discarded.
    pub fn rejected_actions(&self) -> Result<Vec<RejectedAction>, VolunteerError> {
        guard(|| self.replica.rejections())
    }

    /// Queue a rejected action again, unchanged.
    pub fn retry_rejected(&self, seq: u64) -> Result<(), VolunteerError> {
        guard(|| self.replica.retry_rejection(seq))
    }

    /// Forget a rejected action.
    pub fn discard_rejected(&self, seq: u64) -> Result<(), VolunteerError> {
        guard(|| self.replica.discard_rejection(seq))
    }

    /// Push pending actions and pull what is new, until both are drained.
    /// Calls from many places at once share rounds. Pass a [`CancelHandle`] to
    /// be able to stop waiting (what was applied stays applied; the rest stays
    /// pending).
    pub async fn sync(
        &self,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<SyncReport, VolunteerError> {
        let replica = self.replica.clone();
        let token = cancel.map(|c| c.0.clone()).unwrap_or_default();
        run(async move { replica.sync_cancellable(&token).await }).await
    }

    /// Let the core sync on its own: after local writes (debounced), while
    /// actions wait, to refresh, and when the network is back, backing off
    /// after failures. `sync_status` says when it tries next. Calling it
    /// again changes the options; `sync` still works at any time.
    pub fn start_auto_sync(&self, options: AutoSyncOptions) -> Result<(), VolunteerError> {
        let _runtime = enter()?;
        guard(|| self.replica.start_auto_sync(options))
    }

    /// Turn the sync loop off.
    pub fn stop_auto_sync(&self) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica.stop_auto_sync();
            Ok::<_, volunteer_core::Error>(())
        })
    }

    /// Tell the core the platform's connectivity changed: when it is back,
    /// the loop tries at once instead of waiting out its backoff.
    pub fn set_network_available(&self, available: bool) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica.set_network_available(available);
            Ok::<_, volunteer_core::Error>(())
        })
    }

    /// Be told which kinds of data change. Keep the handle; cancel it to stop.
    pub fn subscribe_changes(
        &self,
        listener: Arc<dyn ChangeListener>,
    ) -> Result<Arc<SubscriptionHandle>, VolunteerError> {
        guard(|| {
            Ok(SubscriptionHandle::new(
                self.replica
                    .subscribe_changes(Arc::new(ChangeBridge(listener))),
            ))
        })
    }

    /// Be told the sync status, now and on every change. Keep the handle.
    pub fn subscribe_status(
        &self,
        listener: Arc<dyn StatusListener>,
    ) -> Result<Arc<SubscriptionHandle>, VolunteerError> {
        guard(|| {
            Ok(SubscriptionHandle::new(
                self.replica
                    .subscribe_status(Arc::new(StatusBridge(listener))),
            ))
        })
    }
}
