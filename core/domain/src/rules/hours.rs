//! Self-reported hours.

use chrono::{DateTime, Utc};

use super::*;

pub(super) struct ReportArgs<'a> {
    pub entry_id: &'a str,
    pub volunteer_id: &'a str,
    pub activity_id: Option<&'a str>,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
    pub description: &'a str,
}

pub(super) fn report_hours<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    a: ReportArgs<'_>,
) -> Result<Decision, S::Error> {
    if actor.role != Role::Volunteer || a.volunteer_id != actor.user_id {
        return Ok(reject(
            RejectCode::Forbidden,
            "volunteers report hours only for themselves",
        ));
    }
    if a.minutes == 0 || a.minutes > MAX_REPORT_MINUTES {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!("minutes must be between 1 and {MAX_REPORT_MINUTES}"),
        ));
    }
    if a.description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!("description is longer than {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if a.started_at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::InvalidInput,
            "hours cannot start in the future",
        ));
    }
    if a.entry_id.is_empty() || a.entry_id.starts_with("att/") {
        return Ok(reject(RejectCode::InvalidInput, "invalid entry id"));
    }
    if let Some(existing) = get_hour_entry(s, a.entry_id)? {
        // The same entry resent: nothing to do. Someone else's id: refuse.
        return Ok(if existing.volunteer_id == actor.user_id {
            Decision::Apply(vec![])
        } else {
            reject(RejectCode::Forbidden, "entry id belongs to another user")
        });
    }
    let site_id = match a.activity_id {
        None => None,
        Some(id) => match get_activity(s, id)? {
            Some(activity) => Some(activity.site_id),
            None if s.authoritative() => return Ok(missing(s, "activity")),
            None => None,
        },
    };
    let entry = HourEntry {
        id: a.entry_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        activity_id: a.activity_id.map(str::to_owned),
        site_id,
        source: HourSource::SelfReport,
        status: HourStatus::Pending,
        started_at: a.started_at,
        minutes: a.minutes,
        description: a.description.to_owned(),
        recorded_by: actor.user_id.clone(),
    };
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}
