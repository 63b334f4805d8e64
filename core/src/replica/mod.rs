//! [`Replica`]: the one object an app holds for a database file. Its
//! session, sync and status live here; its reads in [`reads`], its actions
//! in [`actions`] (in the order of the rules).

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use volunteer_domain::wire::{
    CodeRequest, PASSWORD_CHARS, RedeemRequest, RegisterRequest, SignInResponse,
};
use volunteer_domain::{Kind, Profile, SignInRequest, normalize_phone};

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::inner::Inner;
use crate::model::AccessCode;
use crate::model::{
    Connectivity, PendingMutation, RejectedMutation, SyncOptions, SyncReport, SyncStatus,
};
use crate::notify::{ChangeListener, StatusListener, Subscription};
use crate::schedule::AutoSyncOptions;
use crate::store::{self, meta_keys};
use crate::{outbox, queries};

mod actions;
mod admin;
mod reads;

/// A local replica of what the signed-in user may see, plus their queued actions.
///
/// Cheap to clone: clones share one connection and one sync gate.
#[derive(Clone)]
pub struct Replica {
    pub(crate) inner: Arc<Inner>,
}

impl Replica {
    /// Open (creating or upgrading) the replica at `path`, syncing with `server_url`.
    pub fn open(path: impl AsRef<Path>, server_url: &str) -> Result<Replica> {
        Replica::open_with(path, server_url, SyncOptions::default())
    }

    pub fn open_with(
        path: impl AsRef<Path>,
        server_url: &str,
        options: SyncOptions,
    ) -> Result<Replica> {
        let max_push = volunteer_domain::wire::MAX_PUSH_BATCH as u32;
        let max_pull = volunteer_domain::wire::MAX_PULL_LIMIT;
        if !(1..=max_pull).contains(&options.pull_page_size)
            || !(1..=max_push).contains(&options.push_batch_size)
        {
            return Err(Error::invalid(
                "options",
                format!("pull page 1..={max_pull}, push batch 1..={max_push}"),
            ));
        }
        let http = Http::new(server_url, options.request_timeout)?;
        let inner = Arc::new(Inner::open(path.as_ref(), http, options)?);
        // What the server spoke at the last sync, until it answers again.
        let heard = inner.with_db(|c| store::meta_get(c, meta_keys::SERVER_REVISION))?;
        if let Some(r) = heard.and_then(|r| r.parse().ok()) {
            inner.http.assume_server_revision(r);
        }
        Ok(Replica { inner })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.inner.with_db(|conn| f(conn))
    }

    fn me(&self) -> Result<Profile> {
        self.read(store::require_profile)
    }

    /// Sign in with credentials the server issued. Needs the network. Signing in
    /// again as the same user (say after the session expired) keeps local data;
    /// another user must be preceded by [`Replica::sign_out`].
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<Profile> {
        if login.trim().is_empty() {
            return Err(Error::invalid("login", "must not be empty"));
        }
        let current = self.current_user().await?;
        let resp = self
            .inner
            .http
            .sign_in(&SignInRequest {
                login: login.trim().to_owned(),
                password: password.to_owned(),
            })
            .await?;
        self.adopt_session(current, resp).await
    }

    /// Register as a new volunteer (needs the network) and sign in. The
    /// person must have read and accepted the terms of service and privacy
    /// notice of version [`TERMS_VERSION`]: `accepted_terms` is that version.
    /// A phone already registered is refused (`Server` error `phone_taken`).
    pub async fn register(
        &self,
        display_name: &str,
        phone: &str,
        password: &str,
        accepted_terms: &str,
    ) -> Result<Profile> {
        let phone = normalize_phone(phone)
            .ok_or_else(|| Error::invalid("phone", "a mainland mobile number (11 digits)"))?;
        check_password(password)?;
        let current = self.current_user().await?;
        if current.is_some() {
            return Err(Error::invalid(
                "phone",
                "someone is signed in on this replica; sign out first",
            ));
        }
        let resp = self
            .inner
            .http
            .register(&RegisterRequest {
                display_name: display_name.trim().to_owned(),
                phone,
                password: password.to_owned(),
                consent_version: accepted_terms.to_owned(),
            })
            .await?;
        self.adopt_session(current, resp).await
    }

    /// Set a password with the one-time code staff handed over (to
    /// activate an account they made, or after a forgotten password) and
    /// sign in. Activating needs the accepted terms' version. Every other
    /// session of the account ends.
    pub async fn sign_in_with_code(
        &self,
        login: &str,
        code: &str,
        new_password: &str,
        accepted_terms: Option<&str>,
    ) -> Result<Profile> {
        check_password(new_password)?;
        let current = self.current_user().await?;
        let resp = self
            .inner
            .http
            .redeem(&RedeemRequest {
                login: login.trim().to_owned(),
                code: code.to_owned(),
                password: new_password.to_owned(),
                consent_version: accepted_terms.map(str::to_owned),
            })
            .await?;
        self.adopt_session(current, resp).await
    }

    /// Staff: a one-time code for an account they manage (needs the
    /// network): an activation code while the account waits for its owner,
    /// else a password-reset code. Shown once; hand it to the person.
    pub async fn issue_access_code(&self, user_id: &str) -> Result<AccessCode> {
        let inner = self.inner.clone();
        let token = tokio::task::spawn_blocking(move || {
            inner.with_db(|c| store::meta_get(c, meta_keys::TOKEN))
        })
        .await??
        .ok_or(Error::SignedOut)?;
        let resp = self
            .inner
            .http
            .issue_code(
                &token,
                &CodeRequest {
                    user_id: user_id.trim().to_owned(),
                },
            )
            .await?;
        Ok(AccessCode {
            user_id: resp.user_id,
            purpose: resp.purpose,
            code: resp.code,
            expires_at: resp.expires_at,
        })
    }

    async fn current_user(&self) -> Result<Option<Profile>> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.with_db(|c| store::profile(c))).await?
    }

    /// Keep a session the server issued, unless another user's data is here.
    async fn adopt_session(
        &self,
        current: Option<Profile>,
        resp: SignInResponse,
    ) -> Result<Profile> {
        if let Some(current) = current
            && current.user_id != resp.profile.user_id
        {
            return Err(Error::invalid(
                "login",
                "another user is signed in on this replica; sign out first",
            ));
        }
        let profile = resp.profile.clone();
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            inner.write(|tx| {
                if store::meta_get(tx, meta_keys::CLIENT_ID)?.is_none() {
                    store::meta_set(tx, meta_keys::CLIENT_ID, &uuid::Uuid::new_v4().to_string())?;
                }
                store::meta_set(tx, meta_keys::TOKEN, &resp.token)?;
                store::meta_set(
                    tx,
                    meta_keys::PROFILE,
                    &serde_json::to_string(&resp.profile)?,
                )?;
                Ok(())
            })
        })
        .await??;
        self.inner.auto.update(|s| s.signed_in());
        self.inner.announce(vec![Kind::Profile]);
        Ok(profile)
    }

    /// Sign out and remove this user's data from the device. Refuses with
    /// [`Error::PendingChanges`] while actions are unsynced or rejected ones
    /// await the user's decision, unless `discard_pending` is set. A sync in
    /// flight is not applied afterwards. Revoking the token is best effort.
    pub async fn sign_out(&self, discard_pending: bool) -> Result<()> {
        let inner = self.inner.clone();
        let token = tokio::task::spawn_blocking(move || {
            let token = inner.write(|tx| {
                let count = outbox::unsettled_count(tx)?;
                if count > 0 && !discard_pending {
                    return Err(Error::PendingChanges { count });
                }
                store::wipe(tx)
            })?;
            store::scrub(&inner);
            Ok::<_, Error>(token)
        })
        .await??;
        {
            let mut live = self.inner.live();
            live.connectivity = Connectivity::Unknown;
            live.last_error = None;
        }
        self.inner.auto.update(|_| {}); // nobody signed in: the loop idles
        self.inner.announce(Kind::ALL.to_vec());
        if let Some(token) = token {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.inner.http.sign_out(&token))
                .await;
        }
        Ok(())
    }

    /// The signed-in user's profile, if anyone is signed in.
    pub fn profile(&self) -> Result<Option<Profile>> {
        self.read(store::profile)
    }

    pub fn pending_count(&self) -> Result<u64> {
        self.read(outbox::pending_count)
    }

    /// Whether syncs now travel on cleartext HTTP/2 (see `http.rs`).
    pub fn uses_http2_cleartext(&self) -> bool {
        self.inner.http.uses_h2c()
    }

    pub fn pending_mutations(&self) -> Result<Vec<PendingMutation>> {
        Ok(self
            .read(outbox::all)?
            .into_iter()
            .map(|e| PendingMutation {
                seq: e.seq,
                id: e.id,
                created_at: e.created_at,
                mutation: e.mutation,
            })
            .collect())
    }

    pub fn last_sync_at(&self) -> Result<Option<DateTime<Utc>>> {
        self.read(|c| {
            store::meta_get(c, meta_keys::LAST_SYNC_AT)?
                .as_deref()
                .map(outbox::parse_time)
                .transpose()
        })
    }

    /// Pending work, rejections, connectivity, last success and last error.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.inner.status()
    }

    /// Be told which kinds of data change (after local writes and syncs).
    pub fn subscribe_changes(&self, listener: Arc<dyn ChangeListener>) -> Subscription {
        self.inner.notifier.subscribe_changes(listener)
    }

    /// Be told the sync status: the current one first, then every change.
    pub fn subscribe_status(&self, listener: Arc<dyn StatusListener>) -> Subscription {
        let current = self.inner.status().ok();
        self.inner.notifier.subscribe_status(listener, current)
    }

    /// Actions the server refused, oldest first.
    pub fn rejections(&self) -> Result<Vec<RejectedMutation>> {
        self.read(queries::rejections)
    }

    pub fn discard_rejection(&self, seq: u64) -> Result<()> {
        self.inner.write(|tx| outbox::discard_rejection(tx, seq))?;
        self.inner.announce_status();
        Ok(())
    }

    /// Queue a rejected action again, unchanged (say after the user fixed what
    /// the server objected to, such as their site assignment).
    pub fn retry_rejection(&self, seq: u64) -> Result<()> {
        let (_, kinds) = self
            .inner
            .write(|tx| outbox::requeue_rejection(tx, seq, Utc::now()))?;
        self.inner
            .auto
            .update(|s| s.wrote(std::time::Instant::now()));
        self.inner.announce(kinds);
        Ok(())
    }

    /// Cap the replica file at `pages` pages (of the file's page size), as
    /// if the disk were that full: writes beyond it fail with
    /// [`Error::StorageFull`]. For tests of a full device.
    pub fn cap_file_pages(&self, pages: u32) -> Result<()> {
        self.inner.with_db(|conn| {
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            Ok(())
        })
    }

    /// Pages in the replica file now (see [`Replica::cap_file_pages`]).
    pub fn file_pages(&self) -> Result<u32> {
        self.read(|c| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?))
    }

    /// Let the core sync on its own (see [`AutoSyncOptions`]): after local
    /// writes, while actions wait, to refresh, and when the network is back,
    /// backing off after failures. Call it from a tokio runtime; calling it
    /// again changes the options. [`Replica::sync`] still works at any time.
    pub fn start_auto_sync(&self, options: AutoSyncOptions) -> Result<()> {
        crate::autosync::start(&self.inner, options)?;
        self.inner.announce_status();
        Ok(())
    }

    /// Turn the sync loop off (a round in flight finishes).
    pub fn stop_auto_sync(&self) {
        crate::autosync::stop(&self.inner);
    }

    /// The app's word on the network (from the platform's connectivity
    /// callback): back, and the loop tries at once instead of waiting out
    /// its backoff; gone, and it tries only every `max_backoff`.
    pub fn set_network_available(&self, available: bool) {
        self.inner
            .auto
            .update(|s| s.network(available, std::time::Instant::now()));
    }

    /// Push pending actions and pull what is new, until both are drained.
    ///
    /// Safe to call at any time and from many tasks: a call that arrives while a
    /// round is running waits and shares the next round with every other waiting
    /// call. On failure everything stays pending for the next try.
    pub async fn sync(&self) -> Result<SyncReport> {
        crate::sync::sync(&self.inner, &CancelToken::new()).await
    }

    /// [`Replica::sync`] that returns [`Error::Cancelled`] as soon as `token`
    /// is cancelled. What was applied before stays applied; what was not stays
    /// pending. A token cancelled before the call makes it return at once.
    pub async fn sync_cancellable(&self, token: &CancelToken) -> Result<SyncReport> {
        crate::sync::sync(&self.inner, token).await
    }
}

fn check_password(password: &str) -> Result<()> {
    if PASSWORD_CHARS.contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "password",
            format!(
                "{} to {} characters",
                PASSWORD_CHARS.start(),
                PASSWORD_CHARS.end()
            ),
        ))
    }
}
