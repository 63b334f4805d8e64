//! The sync round: one request that pushes pending mutations and pulls the next
//! page of changes, and the atomic apply of its response.
//!
//! Calls coalesce through a gate: each call takes a ticket on arrival; the
//! round that starts after a ticket was taken answers it. Rounds repeat until
//! nothing is pending and the pull has no more pages. Nothing is logged while
//! a lock is held: the host's logger may call back into the core.
//!
//! A response is applied only to the session it was requested for: if the
//! user signed out (or another signed in) while it was in flight, it is
//! dropped inside the apply transaction.

use chrono::Utc;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use volunteer_domain::wire::ReceivedChange;
use volunteer_domain::{Kind, MutationStatus, Record, SyncRequest, SyncResponse};

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::inner::{Inner, LastRound};
use crate::model::{Connectivity, SyncFailure, SyncReport};
use crate::outbox;
use crate::schema;
use crate::store::{self, meta_keys};

/// Safety bound on requests per call (a 10,000-page initial sync is far beyond any district).
const MAX_REQUESTS_PER_SYNC: u32 = 10_000;

pub(crate) async fn sync(inner: &Arc<Inner>, token: &CancelToken) -> Result<SyncReport> {
    if token.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let ticket = inner.sync_calls.fetch_add(1, Ordering::SeqCst) + 1;
    let mut gate = tokio::select! {
        g = inner.sync_gate.lock() => g,
        () = token.cancelled() => return Err(Error::Cancelled),
    };
    if let Some(last) = gate.as_ref()
        && last.covers >= ticket
    {
        return last.outcome.clone();
    }
    let covers = inner.sync_calls.load(Ordering::SeqCst);
    inner.live().syncing = true;
    inner.announce_status();
    let started = std::time::Instant::now();
    let outcome = run(inner, token).await;
    if let Err(Error::AccountDisabled(_)) = &outcome {
        reset_disabled(inner).await;
    }
    inner
        .auto
        .update(|s| s.round_done(started, &outcome, std::time::Instant::now()));
    record_outcome(inner, &outcome);
    if outcome != Err(Error::Cancelled) {
        *gate = Some(LastRound {
            covers,
            outcome: outcome.clone(),
        });
    }
    outcome
}

/// The account was switched off: its data leaves the device (what was
/// queued can no longer be applied by anyone signed in as it).
async fn reset_disabled(inner: &Arc<Inner>) {
    let i = inner.clone();
    let wiped = tokio::task::spawn_blocking(move || {
        i.write(store::wipe)?;
        store::scrub(&i);
        Ok::<_, Error>(())
    })
    .await;
    match wiped {
        Ok(Ok(())) => tracing::warn!("account deactivated: the replica was reset"),
        Ok(Err(e)) => tracing::error!(error = %e, "account deactivated; reset failed"),
        Err(e) => tracing::error!(error = %e, "account deactivated; reset failed"),
    }
    inner.auto.update(|_| {});
    inner.announce(Kind::ALL.to_vec());
}

/// Update the live status after a round and tell the listeners.
fn record_outcome(inner: &Inner, outcome: &Result<SyncReport>) {
    {
        let mut live = inner.live();
        live.syncing = false;
        live.download = None;
        match outcome {
            Ok(_) => {
                live.connectivity = Connectivity::Online;
                live.last_error = None;
            }
            Err(Error::Cancelled) => {}
            Err(e) => {
                if matches!(e, Error::Offline(_)) {
                    live.connectivity = Connectivity::Offline;
                } else if matches!(e, Error::Server { .. } | Error::AuthExpired) {
                    live.connectivity = Connectivity::Online;
                }
                live.last_error = Some(SyncFailure {
                    code: e.code().to_owned(),
                    message: e.to_string(),
                    at: Utc::now(),
                });
            }
        }
    }
    // Logged after the lock is released: the host's logger may call back in.
    match outcome {
        Ok(report) => inner.announce(report.changed.clone()),
        Err(Error::Cancelled) => inner.announce(Kind::ALL.to_vec()),
        Err(e) => {
            tracing::warn!(error = %e, "sync failed; pending changes kept");
            inner.announce_status();
        }
    }
}

/// Rounds until drained. Cancellation is cooperative: it interrupts a
/// request in flight, never an apply, so whatever a round commits is
/// committed before the call returns.
async fn run(inner: &Arc<Inner>, token: &CancelToken) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let mut changed = BTreeSet::new();
    let mut reregistered = false;
    let mut restored = false;
    let mut downloaded_in_full = false;
    while report.requests < MAX_REQUESTS_PER_SYNC {
        if token.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let i = inner.clone();
        let (auth, request) = tokio::task::spawn_blocking(move || prepare(&i)).await??;
        let pushed = request.mutations.len();
        let initial = request.cursor.is_none();
        let sent: Vec<u64> = request.mutations.iter().map(|m| m.seq()).collect();
        let response = tokio::select! {
            r = inner.http.sync(&auth, &request) => r,
            () = token.cancelled() => return Err(Error::Cancelled),
        };
        let response = match response {
            Err(e) if is_epoch_change(&e) && !restored => {
                // The server was restored from a backup: send again what it
                // confirmed lately, then the queue, as a new client.
                restored = true;
                let i = inner.clone();
                let client_id = request.client_id.clone();
                let resent = tokio::task::spawn_blocking(move || restore(&i, &client_id)).await??;
                tracing::warn!(resent, "the server was restored from a backup; resending");
                continue;
            }
            Err(e) if is_client_conflict(&e) && !reregistered => {
                // The server's record of this client does not match ours (a
                // restored backup on either side): continue as a new client.
                reregistered = true;
                tracing::warn!("server does not recognise this client's sequence; re-registering");
                let i = inner.clone();
                let client_id = request.client_id.clone();
                tokio::task::spawn_blocking(move || reregister(&i, &client_id)).await??;
                continue;
            }
            other => other?,
        };
        let got: Vec<u64> = response.results.iter().map(|r| r.seq).collect();
        if got != sent {
            return Err(Error::Internal(format!(
                "server answered seqs {got:?} for pushed {sent:?}"
            )));
        }
        report.requests += 1;
        report.pushed += pushed as u32;
        for r in &response.results {
            match r.status {
                MutationStatus::Applied => report.applied += 1,
                MutationStatus::Rejected => report.rejected += 1,
            }
        }
        report.pulled += response.changes.len() as u32;
        report.reset |= response.reset;
        let has_more = response.has_more;
        let progress = has_more.then_some((response.changes.len() as u64, response.remaining));
        let i = inner.clone();
        let client_id = request.client_id;
        let started = std::time::Instant::now();
        downloaded_in_full |= initial || response.reset;
        let (kinds, pending_left) =
            tokio::task::spawn_blocking(move || apply(&i, &client_id, initial, response)).await??;
        report.apply_time += started.elapsed();
        changed.extend(kinds);
        if let Some((rows, remaining)) = progress {
            show_progress(inner, rows, remaining);
        }
        tracing::debug!(pushed, has_more, pending_left, "sync round applied");
        if !has_more && pending_left == 0 {
            break;
        }
    }
    if downloaded_in_full {
        let i = inner.clone();
        tokio::task::spawn_blocking(move || i.with_db(|c| schema::compact_after_full_download(c)))
            .await??;
    } else if report.pulled >= schema::CHECKPOINT_AFTER_ROWS {
        let i = inner.clone();
        tokio::task::spawn_blocking(move || i.with_db(|c| schema::checkpoint(c))).await??;
    }
    report.changed = changed.into_iter().collect();
    Ok(report)
}

/// A page of a longer download is applied: count it, take the server's
/// count of what follows, and tell the status listeners.
fn show_progress(inner: &Inner, rows: u64, remaining: Option<u64>) {
    {
        let mut live = inner.live();
        let (done, expected) = live.download.unwrap_or_default();
        let done = done + rows;
        // The server counts on a download's first page only (and a server
        // before revision 3 not at all): then what is known is what is done.
        let expected = match remaining {
            Some(r) => done + r,
            None => expected.max(done),
        };
        live.download = Some((done, expected));
    }
    inner.announce_status();
}

fn is_epoch_change(e: &Error) -> bool {
    matches!(e, Error::Server { status: 409, code, .. } if code == "epoch_changed")
}

/// After a restore: the journal and the queue are the queue again, under a
/// new client id; the epoch is forgotten (the next answer tells it), and
/// the old cursor makes the server send the whole scope again (a reset).
fn restore(inner: &Inner, old_client_id: &str) -> Result<u64> {
    inner.write(|tx| {
        if store::meta_get(tx, meta_keys::CLIENT_ID)?.as_deref() != Some(old_client_id) {
            return Ok(0);
        }
        store::meta_set(tx, meta_keys::CLIENT_ID, &uuid::Uuid::new_v4().to_string())?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [meta_keys::EPOCH])?;
        outbox::requeue_journal(tx)
    })
}

fn is_client_conflict(e: &Error) -> bool {
    matches!(e, Error::Server { status: 409, code, .. }
        if code == "sequence_gap" || code == "sequence_reused")
}

fn prepare(inner: &Inner) -> Result<(String, SyncRequest)> {
    inner.with_db(|conn| {
        let token = store::meta_get(conn, meta_keys::TOKEN)?.ok_or(Error::SignedOut)?;
        let client_id = store::meta_get(conn, meta_keys::CLIENT_ID)?.ok_or(Error::SignedOut)?;
        let request = SyncRequest {
            client_id,
            cursor: store::meta_get(conn, meta_keys::CURSOR)?,
            epoch: store::meta_get(conn, meta_keys::EPOCH)?,
            mutations: outbox::pending_batch(conn, inner.options.push_batch_size as usize)?
                .into_iter()
                .map(Into::into)
                .collect(),
            pull_limit: Some(inner.options.pull_page_size),
        };
        Ok((token, request))
    })
}

/// Take a new client id and renumber the queued mutations from 1. Safe to
/// resend what the old id may already have applied: every rule is idempotent.
fn reregister(inner: &Inner, old_client_id: &str) -> Result<()> {
    inner.write(|tx| {
        if store::meta_get(tx, meta_keys::CLIENT_ID)?.as_deref() != Some(old_client_id) {
            return Ok(());
        }
        store::meta_set(tx, meta_keys::CLIENT_ID, &uuid::Uuid::new_v4().to_string())?;
        outbox::renumber(tx)
    })
}

/// Apply one response atomically: take optimistic effects back, apply the
/// server's changes, settle results, store the cursor, replay what is left.
/// Returns the kinds that changed and how many mutations are still unpushed.
///
/// A full download (the first pull, or a reset) that spans several pages
/// is a bulk load: the two large secondary indexes are dropped on its first
/// page and built once, sorted, after its last, instead of being updated
/// row by row in random order (see [`schema::BULK_INDEXES`]).
fn apply(
    inner: &Inner,
    client_id: &str,
    initial: bool,
    response: SyncResponse<ReceivedChange>,
) -> Result<(BTreeSet<Kind>, u64)> {
    let now = Utc::now();
    // Decode before touching the database. Rows are stored as the server
    // sent them, fields unknown to us included; a change this version
    // cannot read at all is kept aside, not a failed page.
    let mut decoded = Vec::with_capacity(response.changes.len());
    for change in response.changes {
        decoded.push(Incoming::of(change));
    }
    let aside = decoded
        .iter()
        .filter(|c| matches!(c, Incoming::Aside { data: Some(_), .. }))
        .count();
    if aside > 0 {
        tracing::warn!(
            aside,
            "changes this app version cannot read were kept aside"
        );
    }
    let bulk_start = (initial || response.reset) && response.has_more;
    let bulk_end = !response.has_more && inner.indexes_dropped.load(Ordering::SeqCst);
    let out = inner.write(|tx| {
        if store::meta_get(tx, meta_keys::CLIENT_ID)?.as_deref() != Some(client_id) {
            // Signed out (or another user signed in) while this was in flight.
            return Err(Error::SignedOut);
        }
        let mut kinds: BTreeSet<Kind> = decoded.iter().filter_map(Incoming::kind).collect();
        for r in &response.results {
            if r.status == MutationStatus::Rejected {
                kinds.extend(outbox::kinds_touched(tx, r.seq)?);
            }
        }

        outbox::undo_all(tx)?;
        if response.reset {
            tx.execute("DELETE FROM record_rows", [])?;
        }
        if bulk_start {
            schema::drop_bulk_indexes(tx)?;
        }
        let me = store::profile(tx)?;
        // Only a replica that holds kept-aside changes pays for clearing them.
        let holds_aside = aside > 0 || store::aside_count(tx)? > 0;
        for change in &decoded {
            match change {
                Incoming::Put(kind, key, r, json) => {
                    store::put_raw(tx, *kind, key, json)?;
                    if holds_aside {
                        store::drop_aside(tx, kind.as_str(), key)?;
                    }
                    if let (Record::Profile(p), Some(me)) = (r.as_ref(), &me)
                        && p.user_id == me.user_id
                    {
                        store::meta_set(tx, meta_keys::PROFILE, &serde_json::to_string(p)?)?;
                    }
                }
                Incoming::Delete(kind, key) => {
                    store::delete_raw(tx, *kind, key)?;
                    if holds_aside {
                        store::drop_aside(tx, kind.as_str(), key)?;
                    }
                }
                Incoming::Aside {
                    kind,
                    key,
                    data,
                    reason,
                } => {
                    // An older, readable version must not stand for it.
                    if let Some(k) = Kind::parse(kind) {
                        store::delete_raw(tx, k, key)?;
                    }
                    match data {
                        Some(d) => store::keep_aside(tx, kind, key, d, reason)?,
                        None => store::drop_aside(tx, kind, key)?,
                    }
                }
            }
        }
        crate::crash::point("apply_page");
        outbox::settle(tx, &response.results, now)?;
        crate::crash::point("settle");
        if let Some(seq) = response.confirmed_seq {
            outbox::drop_confirmed(tx, seq)?;
        }
        if bulk_end {
            schema::ensure_bulk_indexes(tx)?;
        }
        // Absent (revision 4): the cursor sent still stands.
        if !response.cursor.is_empty() {
            store::meta_set(tx, meta_keys::CURSOR, &response.cursor)?;
        }
        crate::crash::point("after_cursor");
        if !response.epoch.is_empty() {
            store::meta_set(tx, meta_keys::EPOCH, &response.epoch)?;
        }
        store::meta_set(tx, meta_keys::LAST_SYNC_AT, &now.to_rfc3339())?;
        store::meta_set(
            tx,
            meta_keys::SERVER_REVISION,
            &inner.http.server_revision().to_string(),
        )?;
        outbox::replay_all(tx, now)?;
        Ok((kinds, outbox::pending_count(tx)?))
    })?;
    crate::crash::point("after_apply");
    // Only once committed: a rolled-back drop or rebuild changed nothing.
    if bulk_start {
        inner.indexes_dropped.store(true, Ordering::SeqCst);
    } else if bulk_end {
        inner.indexes_dropped.store(false, Ordering::SeqCst);
    }
    Ok(out)
}

/// One received change, decoded as far as this app version can.
enum Incoming {
    Put(Kind, String, Box<Record>, String),
    Delete(Kind, String),
    /// A kind or a value this version does not know (see `kept_aside`).
    Aside {
        kind: String,
        key: String,
        data: Option<String>,
        reason: String,
    },
}

impl Incoming {
    fn of(change: ReceivedChange) -> Incoming {
        let ReceivedChange { kind, key, data } = change;
        let data: Option<String> = data.map(|d| String::from(Box::<str>::from(d)));
        let Some(k) = Kind::parse(&kind) else {
            return Incoming::Aside {
                data,
                reason: format!("unknown kind {kind}"),
                kind,
                key,
            };
        };
        let Some(json) = data else {
            return Incoming::Delete(k, key);
        };
        match Record::from_json(k, &json) {
            Ok(r) => Incoming::Put(k, key, Box::new(r), json),
            Err(e) => Incoming::Aside {
                kind,
                key,
                data: Some(json),
                reason: e.to_string(),
            },
        }
    }

    fn kind(&self) -> Option<Kind> {
        match self {
            Incoming::Put(k, ..) | Incoming::Delete(k, _) => Some(*k),
            Incoming::Aside { kind, .. } => Kind::parse(kind),
        }
    }
}
