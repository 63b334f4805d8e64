//! What every backend does the same way with a sync request: check its
//! shape, and apply its mutations exactly once in `seq` order. A backend
//! supplies the [`Ledger`] (its transaction) and keeps only the SQL.

use chrono::{DateTime, Utc};
use volunteer_domain::wire::Pushed;
use volunteer_domain::wire::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_BATCH};
use volunteer_domain::{
    Decision, Effect, MAX_ID_LEN, MutationResult, MutationStatus, RejectCode, State, SyncRequest,
    decide, is_valid_id,
};

use super::{Principal, StoreError, SyncError};

/// Refuse a request from a device that knew another epoch of this
/// database (it was restored from a backup since): nothing is applied.
pub fn check_epoch(request: &SyncRequest, epoch: &str) -> Result<(), SyncError> {
    match &request.epoch {
        Some(theirs) if theirs != epoch => Err(SyncError::EpochChanged),
        _ => Ok(()),
    }
}

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
        if env.seq() == 0 {
            return Err(SyncError::BadRequest("mutation seq starts at 1".into()));
        }
        if !is_valid_id(env.id()) {
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

/// A decided mutation as the log keeps it.
pub struct LogEntry<'a> {
    pub seq: u64,
    pub id: &'a str,
    pub name: String,
    pub body: String,
    pub device_time: DateTime<Utc>,
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
    /// The logged decision of the client's mutation with this id, if any.
    fn logged_by_id(&mut self, client_id: &str, id: &str) -> Result<Option<Logged>, StoreError>;
    fn apply_effects(&mut self, effects: &[Effect]) -> Result<(), StoreError>;
    fn log(
        &mut self,
        who: &Principal,
        client_id: &str,
        entry: &LogEntry<'_>,
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
    mutations: &[Pushed],
    now: DateTime<Utc>,
) -> Result<Vec<MutationResult>, SyncError> {
    let mut last = l.client_last_seq(who, client_id, now)?;
    let mut results = Vec::with_capacity(mutations.len());
    for env in mutations {
        let seq = env.seq();
        if seq <= last {
            let logged = l
                .logged(client_id, seq)?
                .ok_or_else(|| StoreError::Corrupt(format!("no stored result for seq {seq}")))?;
            if logged.id != env.id() {
                return Err(SyncError::SequenceReused { seq });
            }
            results.push(logged.result);
        } else if seq == last + 1 {
            results.push(apply_new(l, who, client_id, env, now)?);
            last = seq;
        } else {
            return Err(SyncError::SequenceGap { expected: last + 1 });
        }
    }
    l.set_last_seq(client_id, last, now)?;
    Ok(results)
}

/// Apply one mutation of a client that numbers nothing itself (the
/// console): the server gives it the next seq, and a mutation whose `id`
/// was already decided for this client (a form submitted twice) is
/// answered from the log. The client's row lock makes concurrent
/// submissions of one form apply once.
pub fn submit<L: Ledger>(
    l: &mut L,
    who: &Principal,
    client_id: &str,
    (id, mutation): (&str, volunteer_domain::Mutation),
    now: DateTime<Utc>,
) -> Result<MutationResult, SyncError> {
    if !is_valid_id(client_id) || !is_valid_id(id) {
        return Err(SyncError::BadRequest(
            "a client and form id is 1 to 64 letters, digits, '-' or '_'".into(),
        ));
    }
    let last = l.client_last_seq(who, client_id, now)?;
    if let Some(logged) = l.logged_by_id(client_id, id)? {
        return Ok(logged.result);
    }
    let env = volunteer_domain::MutationEnvelope {
        seq: last + 1,
        id: id.to_owned(),
        created_at: now,
        mutation,
    };
    let mut results = push(l, who, client_id, &[Pushed::Known(env)], now)?;
    results
        .pop()
        .ok_or_else(|| StoreError::Corrupt("a push without its result".into()).into())
}

fn apply_new<L: Ledger>(
    l: &mut L,
    who: &Principal,
    client_id: &str,
    pushed: &Pushed,
    now: DateTime<Utc>,
) -> Result<MutationResult, SyncError> {
    let env = match pushed {
        Pushed::Known(env) => env,
        Pushed::Unknown { seq, mutation, .. } => {
            let result = unsupported(*seq, &pushed.name(), mutation);
            tracing::info!(seq, mutation = %pushed.name(), "mutation not understood");
            l.log(
                who,
                client_id,
                &log_entry(pushed, &result, now)?,
                &result,
                now,
            )?;
            return Ok(result);
        }
    };
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
    l.log(
        who,
        client_id,
        &log_entry(pushed, &result, now)?,
        &result,
        now,
    )?;
    Ok(result)
}

/// The answer to a mutation this server cannot read: its type is unknown,
/// or a field is missing or has a value it does not know.
fn unsupported(seq: u64, name: &str, mutation: &serde_json::Value) -> MutationResult {
    let why = match serde_json::from_value::<volunteer_domain::Mutation>(mutation.clone()) {
        Err(e) => e.to_string(),
        Ok(_) => "the envelope's fields are malformed".into(),
    };
    MutationResult {
        seq,
        status: MutationStatus::Rejected,
        code: Some(RejectCode::Unsupported.as_str().to_owned()),
        message: Some(format!(
            "this server does not understand this mutation ({name}): {why}"
        )),
    }
}

/// Most bytes of a rejected mutation the log keeps: a refused oversized
/// payload is not worth keeping for ever (its id, name and outcome are).
pub const MAX_LOGGED_REJECTED_BYTES: usize = 4096;

/// A decided mutation as the log keeps it: a rejected oversized body is
/// replaced by its type and size; a device time that cannot be read is the
/// server's.
pub fn log_entry<'a>(
    pushed: &'a Pushed,
    result: &MutationResult,
    now: DateTime<Utc>,
) -> Result<LogEntry<'a>, StoreError> {
    let (body, device_time) = match pushed {
        Pushed::Known(env) => (serde_json::to_string(&env.mutation)?, env.created_at),
        Pushed::Unknown {
            mutation,
            created_at,
            ..
        } => (
            mutation.to_string(),
            serde_json::from_value(created_at.clone()).unwrap_or(now),
        ),
    };
    let name = pushed.name();
    let body =
        if result.status == MutationStatus::Rejected && body.len() > MAX_LOGGED_REJECTED_BYTES {
            serde_json::json!({"type": name, "omitted_bytes": body.len()}).to_string()
        } else {
            body
        };
    Ok(LogEntry {
        seq: pushed.seq(),
        id: pushed.id(),
        name,
        body,
        device_time,
    })
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
