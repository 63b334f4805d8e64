//! Workflows that reopen a decided record: a volunteer disputes a record of
//! theirs and a reviewer resolves it; a reviewer re-opens a rejected report.
//! Each step is appended to the entry's history, nothing is overwritten
//! without a trace.

use chrono::{DateTime, Utc};

use super::hours::{entry_to_review, reason_ok};
use super::*;
use crate::records::{HourEvent, HourEventKind};

/// The volunteer disputes a record of theirs (any but one already
/// superseded or voided), saying why; one open dispute at a time.
pub(super) fn dispute_hours<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    entry_id: &str,
    reason: &str,
) -> Result<Decision, S::Error> {
    if !reason_ok(reason) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a dispute needs a reason of 1 to 500 characters",
        ));
    }
    let Some(mut entry) = get_hour_entry(s, entry_id)? else {
        return Ok(missing(s, "hour entry"));
    };
    if entry.volunteer_id != actor.user_id {
        return Ok(reject(
            RejectCode::Forbidden,
            "a volunteer disputes only their own records",
        ));
    }
    if let Some(open) = entry.open_dispute() {
        return Ok(if open.reason == reason.trim() {
            Decision::Apply(vec![]) // the same dispute, replayed
        } else {
            reject(RejectCode::InvalidState, "this record is already disputed")
        });
    }
    if matches!(entry.status, HourStatus::Superseded | HourStatus::Voided) {
        return Ok(reject(
            RejectCode::InvalidState,
            "this record no longer stands: dispute the one that replaced it",
        ));
    }
    entry.history.push(HourEvent {
        kind: HourEventKind::Disputed,
        by: actor.user_id.clone(),
        at: now,
        reason: reason.trim().to_owned(),
    });
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}

/// A reviewer of the entry (never its volunteer) resolves its open dispute;
/// an accepted one is followed by a correction, which appends as always.
pub(super) fn resolve_dispute<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (entry_id, accept): (&str, bool),
    reason: &str,
) -> Result<Decision, S::Error> {
    if !reason_ok(reason) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a resolution needs a reason of 1 to 500 characters",
        ));
    }
    let mut entry = match entry_to_review(s, actor, entry_id)? {
        Ok(e) => e,
        Err(d) => return Ok(d),
    };
    let kind = if accept {
        HourEventKind::DisputeAccepted
    } else {
        HourEventKind::DisputeRejected
    };
    if entry.open_dispute().is_none() {
        let same = entry
            .history
            .last()
            .is_some_and(|e| e.kind == kind && e.by == actor.user_id);
        return Ok(if same {
            Decision::Apply(vec![]) // the same resolution, replayed
        } else {
            reject(RejectCode::InvalidState, "no open dispute on this record")
        });
    }
    entry.history.push(HourEvent {
        kind,
        by: actor.user_id.clone(),
        at: now,
        reason: reason.trim().to_owned(),
    });
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}

/// A reviewer re-opens a rejected self-report: pending again, the rejection
/// kept in the history, to be reviewed anew (by anyone but the volunteer).
pub(super) fn reopen_hours<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    entry_id: &str,
    reason: &str,
) -> Result<Decision, S::Error> {
    if !reason_ok(reason) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "re-opening needs a reason of 1 to 500 characters",
        ));
    }
    let mut entry = match entry_to_review(s, actor, entry_id)? {
        Ok(e) => e,
        Err(d) => return Ok(d),
    };
    match entry.status {
        HourStatus::Pending
            if entry
                .history
                .last()
                .is_some_and(|e| e.kind == HourEventKind::Reopened && e.by == actor.user_id) =>
        {
            Ok(Decision::Apply(vec![])) // the same re-opening, replayed
        }
        HourStatus::Rejected => {
            entry.history.push(HourEvent {
                kind: HourEventKind::Reopened,
                by: actor.user_id.clone(),
                at: now,
                reason: format!(
                    "{} (rejected by {}: {})",
                    reason.trim(),
                    entry.reviewed_by.as_deref().unwrap_or_default(),
                    entry.reason.as_deref().unwrap_or_default()
                ),
            });
            entry.status = HourStatus::Pending;
            entry.reviewed_by = None;
            entry.reviewed_at = None;
            entry.reason = None;
            Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
        }
        _ => Ok(reject(
            RejectCode::InvalidState,
            "only a rejected report is re-opened",
        )),
    }
}
