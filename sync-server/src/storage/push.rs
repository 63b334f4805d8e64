//! What every backend does the same way with a sync request: check its
//! shape, and apply its mutations exactly once in `seq` order. A backend
//! supplies the [`Ledger`] (its transaction) and keeps only the SQL.

use chrono::{DateTime, Utc};
use volunteer_domain::wire::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_BATCH};
use volunteer_domain::{
    Decision, Effect, MAX_ID_LEN, MutationEnvelope, MutationResult, MutationStatus, State,
    SyncRequest, decide, is_valid_id,
};

use super::{Principal, StoreError, SyncError};

/// Refuse a malformed request before any work; returns the page size to use.
pub fn check_request(request: &SyncRequest) -> Result<u32, SyncError> {
    if !is_valid_id(&request.client_id) {
        return Err(SyncError::BadRequest(format!(
            "client_id must be 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"
        )));
    }
    if request.mutations.len() > MAX_PUSH_BATCH {
        return Err(SyncError::BadRequest(format!(
            "at most {MAX_PUSH_BATCH} mutations per request"
        )));
    }
    for env in &request.mutations {
        if env.seq == 0 {
            return Err(SyncError::BadRequest("mutation seq starts at 1".into()));
        }
        if !is_valid_id(&env.id) {
            return Err(SyncError::BadRequest(format!(
                "mutation id must be 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"
            )));
        }
    }
    Ok(request
        .pull_limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT))
}

/// A logged decision, as stored.
pub struct Logged {
    pub id: String,
    pub result: MutationResult,
}

/// One backend transaction, as the push needs it.
pub trait Ledger: State<Error = StoreError> {
    /// The client's last applied seq, registering it (at 0) if new; locks
    /// the client's row until commit so its pushes apply one at a time.
    fn client_last_seq(
        &mut self,
        who: &Principal,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, SyncError>;
    fn logged(&mut self, client_id: &str, seq: u64) -> Result<Option<Logged>, StoreError>;
    fn apply_effects(&mut self, effects: &[Effect]) -> Result<(), StoreError>;
    fn log(
        &mut self,
        who: &Principal,
        client_id: &str,
        env: &MutationEnvelope,
        result: &MutationResult,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn set_last_seq(
        &mut self,
        client_id: &str,
        seq: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Apply a client's mutations (checked by [`check_request`]) exactly once,
/// in the caller's transaction. A seq already decided is answered from the
/// log; the same seq with another mutation id means the device's numbering
/// diverged from ours (a restored backup): refuse rather than answer for a
/// mutation we never saw. One result per mutation.
pub fn push<L: Ledger>(
    l: &mut L,
    who: &Principal,
    client_id: &str,
    mutations: &[MutationEnvelope],
    now: DateTime<Utc>,
) -> Result<Vec<MutationResult>, SyncError> {
    let mut last = l.client_last_seq(who, client_id, now)?;
    let mut results = Vec::with_capacity(mutations.len());
    for env in mutations {
        if env.seq <= last {
            let logged = l.logged(client_id, env.seq)?.ok_or_else(|| {
                StoreError::Corrupt(format!("no stored result for seq {}", env.seq))
            })?;
            if logged.id != env.id {
                return Err(SyncError::SequenceReused { seq: env.seq });
            }
            results.push(logged.result);
        } else if env.seq == last + 1 {
            results.push(apply_new(l, who, client_id, env, now)?);
            last = env.seq;
        } else {
            return Err(SyncError::SequenceGap { expected: last + 1 });
        }
    }
    l.set_last_seq(client_id, last, now)?;
    Ok(results)
}

fn apply_new<L: Ledger>(
    l: &mut L,
    who: &Principal,
    client_id: &str,
    env: &MutationEnvelope,
    now: DateTime<Utc>,
) -> Result<MutationResult, SyncError> {
    let result = match decide(env, &who.actor, now, l)? {
        Decision::Apply(effects) => {
            l.apply_effects(&effects)?;
            MutationResult {
                seq: env.seq,
                status: MutationStatus::Applied,
                code: None,
                message: None,
            }
        }
        Decision::Reject(r) => {
            tracing::info!(
                seq = env.seq,
                mutation = env.mutation.name(),
                code = r.code.as_str(),
                "mutation rejected"
            );
            MutationResult {
                seq: env.seq,
                status: MutationStatus::Rejected,
                code: Some(r.code.as_str().to_owned()),
                message: Some(r.message),
            }
        }
        Decision::Defer => {
            return Err(
                StoreError::Corrupt("authoritative state deferred a decision".into()).into(),
            );
        }
    };
    l.log(who, client_id, env, &result, now)?;
    Ok(result)
}

/// Most bytes of a rejected mutation the log keeps: a refused oversized
/// payload is not worth keeping for ever (its id, name and outcome are).
pub const MAX_LOGGED_REJECTED_BYTES: usize = 4096;

/// The mutation's body as the log keeps it.
pub fn logged_body(env: &MutationEnvelope, result: &MutationResult) -> Result<String, StoreError> {
    let body = serde_json::to_string(&env.mutation)?;
    if result.status == MutationStatus::Rejected && body.len() > MAX_LOGGED_REJECTED_BYTES {
        let omitted = serde_json::json!({"type": env.mutation.name(), "omitted_bytes": body.len()});
        return Ok(omitted.to_string());
    }
    Ok(body)
}

/// A stored status; anything but `applied` reads as rejected.
pub fn parse_status(s: &str) -> MutationStatus {
    MutationStatus::parse(s).unwrap_or(MutationStatus::Rejected)
}

/// A site's path must be its parent's path plus its id and a slash: scope
/// checks compare path prefixes, which is only sound on whole segments.
pub fn check_site_path(
    site: &volunteer_domain::Site,
    parent_path: Option<&str>,
) -> Result<(), StoreError> {
    let parent = match (&site.parent_id, parent_path) {
        (None, _) => "/",
        (Some(_), Some(p)) => p,
        (Some(p), None) => {
            return Err(StoreError::Invalid(format!(
                "site {} has unknown parent {p}",
                site.id
            )));
        }
    };
    let ok_id = !site.id.is_empty() && !site.id.contains('/');
    if !ok_id || site.path != format!("{parent}{}/", site.id) {
        return Err(StoreError::Invalid(format!(
            "site {} must have path {parent}{}/",
            site.id, site.id
        )));
    }
    Ok(())
}

/// The district of a site path: its first segment (`/d/i/s/` is in `d`).
pub fn district_of(site_path: &str) -> Option<&str> {
    site_path.split('/').find(|s| !s.is_empty())
}
