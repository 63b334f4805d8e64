//! Notices: messages the server writes to one volunteer when something they
//! did not do changes their plans, and marking them read.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::NoticeTopic;

/// A notice for `volunteer_id` about `subject_id`; its id makes it one per event.
pub(crate) fn notice(
    topic: NoticeTopic,
    subject_id: &str,
    volunteer_id: &str,
    message: String,
    now: DateTime<Utc>,
) -> Effect {
    Effect::Put(Record::Notice(Notice {
        id: format!("{topic}/{subject_id}/{volunteer_id}"),
        volunteer_id: volunteer_id.to_owned(),
        topic,
        subject_id: subject_id.to_owned(),
        message,
        created_at: now,
        read: false,
    }))
}

pub(super) fn mark_notice_read<S: State>(
    s: &mut S,
    actor: &Actor,
    notice_id: &str,
) -> Result<Decision, S::Error> {
    let Some(mut n) = get_notice(s, notice_id)? else {
        return Ok(missing(s, "notice"));
    };
    if n.volunteer_id != actor.user_id {
        return Ok(reject(
            RejectCode::Forbidden,
            "only its volunteer reads a notice",
        ));
    }
    if n.read {
        return Ok(Decision::Apply(vec![]));
    }
    n.read = true;
    Ok(Decision::Apply(vec![Effect::Put(Record::Notice(n))]))
}
