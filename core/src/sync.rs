//! The sync round: one request that pushes pending mutations and pulls the next
//! page of changes, and the atomic apply of its response.
//!
//! Calls coalesce through a gate: each call takes a ticket on arrival; the
//! round that starts after a ticket was taken answers it. Rounds repeat until
//! nothing is pending and the pull has no more pages.

use chrono::Utc;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use volunteer_domain::{Kind, MutationStatus, Record, SyncRequest, SyncResponse};

use crate::error::{Error, Result};
use crate::outbox;
use crate::replica::Inner;
use crate::store::{self, meta_keys};
use crate::views::{Connectivity, SyncFailure, SyncReport};

/// Safety bound on requests per call (a 10,000-page initial sync is far beyond any district).
const MAX_REQUESTS_PER_SYNC: u32 = 10_000;

pub(crate) struct LastRound {
    /// Every call whose ticket is at most this was covered by the round.
    covers: u64,
    outcome: Result<SyncReport>,
}

pub(crate) async fn sync(inner: &Arc<Inner>) -> Result<SyncReport> {
    let ticket = inner.sync_calls.fetch_add(1, Ordering::SeqCst) + 1;
    let mut gate = inner.sync_gate.lock().await;
    if let Some(last) = gate.as_ref()
        && last.covers >= ticket
    {
        return last.outcome.clone();
    }
    let covers = inner.sync_calls.load(Ordering::SeqCst);
    inner.live().syncing = true;
    inner.notifier.status_dirty();
    let outcome = run(inner).await;
    record_outcome(inner, &outcome);
    *gate = Some(LastRound {
        covers,
        outcome: outcome.clone(),
    });
    outcome
}

/// Update the live status after a round and tell the listeners.
fn record_outcome(inner: &Inner, outcome: &Result<SyncReport>) {
    {
        let mut live = inner.live();
        live.syncing = false;
        match outcome {
            Ok(_) => {
                live.connectivity = Connectivity::Online;
                live.last_error = None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "sync failed; pending changes kept");
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
    match outcome {
        Ok(report) => inner.notifier.changed(report.changed.clone()),
        Err(_) => inner.notifier.status_dirty(),
    }
}

/// A round abandoned by cancellation: what it committed stays; the UI is told.
pub(crate) fn finish_cancelled(inner: &Inner) {
    inner.live().syncing = false;
    inner.notifier.changed(Kind::ALL.to_vec());
}

async fn run(inner: &Arc<Inner>) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let mut changed = BTreeSet::new();
    loop {
        if report.requests >= MAX_REQUESTS_PER_SYNC {
            break;
        }
        let i = inner.clone();
        let (token, request) = tokio::task::spawn_blocking(move || prepare(&i)).await??;
        let pushed = request.mutations.len();
        let sent: Vec<u64> = request.mutations.iter().map(|m| m.seq).collect();
        let response = inner.http.sync(&token, &request).await?;
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
        let i = inner.clone();
        let (kinds, pending_left) =
            tokio::task::spawn_blocking(move || apply(&i, response)).await??;
        changed.extend(kinds);
        tracing::debug!(pushed, has_more, pending_left, "sync round applied");
        if !has_more && pending_left == 0 {
            break;
        }
    }
    report.changed = changed.into_iter().collect();
    Ok(report)
}

fn prepare(inner: &Inner) -> Result<(String, SyncRequest)> {
    inner.with_db(|conn| {
        let token = store::meta_get(conn, meta_keys::TOKEN)?.ok_or(Error::SignedOut)?;
        let client_id = store::meta_get(conn, meta_keys::CLIENT_ID)?.ok_or(Error::SignedOut)?;
        let request = SyncRequest {
            client_id,
            cursor: store::meta_get(conn, meta_keys::CURSOR)?,
            mutations: outbox::pending_batch(conn, inner.options.push_batch_size as usize)?,
            pull_limit: Some(inner.options.pull_page_size),
        };
        Ok((token, request))
    })
}

/// Apply one response atomically: take optimistic effects back, apply the
/// server's changes, settle results, store the cursor, replay what is left.
/// Returns the kinds that changed and how many mutations are still unpushed.
fn apply(inner: &Inner, response: SyncResponse) -> Result<(BTreeSet<Kind>, u64)> {
    let now = Utc::now();
    // Decode before touching the database: a malformed page changes nothing.
    let mut decoded = Vec::with_capacity(response.changes.len());
    for change in response.changes {
        let record = match change.data {
            Some(data) => Some(Record::from_value(change.kind, data)?),
            None => None,
        };
        decoded.push((change.kind, change.key, record));
    }
    inner.write(|tx| {
        let mut kinds: BTreeSet<Kind> = decoded.iter().map(|(k, _, _)| *k).collect();
        let rejected: Vec<u64> = response
            .results
            .iter()
            .filter(|r| r.status == MutationStatus::Rejected)
            .map(|r| r.seq)
            .collect();
        for seq in &rejected {
            let mut stmt = tx.prepare_cached("SELECT DISTINCT kind FROM undo WHERE seq = ?1")?;
            let rows = stmt.query_map([seq], |r| r.get::<_, String>(0))?;
            for k in rows {
                kinds.extend(Kind::parse(&k?));
            }
        }

        outbox::undo_all(tx)?;
        if response.reset {
            tx.execute("DELETE FROM records", [])?;
        }
        let me = store::profile(tx)?;
        for (kind, key, record) in &decoded {
            match record {
                Some(r) => {
                    store::put_raw(tx, *kind, key, &r.to_json())?;
                    if let (Record::Profile(p), Some(me)) = (r, &me)
                        && p.user_id == me.user_id
                    {
                        store::meta_set(tx, meta_keys::PROFILE, &serde_json::to_string(p)?)?;
                    }
                }
                None => store::delete_raw(tx, *kind, key)?,
            }
        }
        outbox::settle(tx, &response.results, now)?;
        if !response.has_more {
            outbox::drop_applied(tx)?;
        }
        store::meta_set(tx, meta_keys::CURSOR, &response.cursor)?;
        store::meta_set(tx, meta_keys::LAST_SYNC_AT, &now.to_rfc3339())?;
        store::meta_set(
            tx,
            meta_keys::CLOCK_OFFSET_MS,
            &(response.server_time - now).num_milliseconds().to_string(),
        )?;
        outbox::replay_all(tx, now)?;
        Ok((kinds, outbox::pending_count(tx)?))
    })
}
