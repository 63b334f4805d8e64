//! Hours: volunteers report their own, for an activity or a team; the
//! activity's organisers or the team's leaders (or staff above its site)
//! approve or reject them with a reason. A confirmed entry is never edited:
//! a correction is a new entry that references the old one, which is marked
//! superseded and otherwise kept as it was.

use chrono::{DateTime, Utc};

use super::*;

pub(super) struct ReportArgs<'a> {
    pub entry_id: &'a str,
    pub volunteer_id: &'a str,
    pub activity_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
    pub description: &'a str,
}

fn minutes_ok(minutes: u32) -> Option<Decision> {
    (minutes == 0 || minutes > MAX_REPORT_MINUTES).then(|| {
        reject(
            RejectCode::InvalidInput,
            format!("minutes must be between 1 and {MAX_REPORT_MINUTES}"),
        )
    })
}

fn reason_ok(reason: &str) -> bool {
    !reason.trim().is_empty() && reason.chars().count() <= MAX_DESCRIPTION_CHARS
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
    if let Some(d) = minutes_ok(a.minutes) {
        return Ok(d);
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
    let mut site_id = match a.activity_id {
        None => None,
        Some(id) => match get_activity(s, id)? {
            Some(activity) => Some(activity.site_id),
            None if s.authoritative() => return Ok(missing(s, "activity")),
            None => None,
        },
    };
    if let Some(team_id) = a.team_id {
        let membership = get_membership(s, &pair_key(team_id, &actor.user_id))?;
        if !membership.as_ref().is_some_and(Membership::is_active) {
            if membership.is_none() && !s.authoritative() {
                return Ok(Decision::Defer);
            }
            return Ok(reject(
                RejectCode::Forbidden,
                "hours can be reported only for a team one belongs to",
            ));
        }
        if site_id.is_none() {
            site_id = get_team(s, team_id)?.map(|t| t.site_id);
        }
    }
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
        team_id: a.team_id.map(str::to_owned),
        reviewed_by: None,
        reviewed_at: None,
        reason: None,
        corrects: None,
        superseded_by: None,
    };
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}

/// Who reviews an entry: the activity's organisers, else the team's leaders
/// and staff above its site, else district admins. Never its own volunteer.
fn reviewer<S: State>(
    s: &mut S,
    actor: &Actor,
    entry: &HourEntry,
) -> Result<Result<(), Decision>, S::Error> {
    if entry.volunteer_id == actor.user_id {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "nobody reviews their own hours",
        )));
    }
    if let Some(activity_id) = &entry.activity_id {
        let Some(activity) = get_activity(s, activity_id)? else {
            return Ok(Err(missing(s, "activity")));
        };
        return super::activities::organiser(
            s,
            actor,
            &activity.site_id,
            activity.team_id.as_deref(),
        );
    }
    if let Some(team_id) = &entry.team_id {
        let Some(team) = get_team(s, team_id)? else {
            return Ok(Err(missing(s, "team")));
        };
        return super::activities::organiser(s, actor, &team.site_id, Some(team_id));
    }
    Ok(if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(reject(
            RejectCode::Forbidden,
            "hours for no team or activity are reviewed by district admins",
        ))
    })
}

pub(super) fn review_hours<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    entry_id: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<Decision, S::Error> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if !approve && !reason.is_some_and(reason_ok) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a rejection needs a reason of 1 to 500 characters",
        ));
    }
    let Some(mut entry) = get_hour_entry(s, entry_id)? else {
        return Ok(missing(s, "hour entry"));
    };
    if let Err(d) = reviewer(s, actor, &entry)? {
        return Ok(d);
    }
    let target = if approve {
        HourStatus::Confirmed
    } else {
        HourStatus::Rejected
    };
    if entry.status == target && entry.reviewed_by.as_deref() == Some(actor.user_id.as_str()) {
        return Ok(Decision::Apply(vec![])); // the same review, replayed
    }
    if entry.status != HourStatus::Pending {
        return Ok(reject(
            RejectCode::InvalidState,
            "these hours were already reviewed",
        ));
    }
    entry.status = target;
    entry.reviewed_by = Some(actor.user_id.clone());
    entry.reviewed_at = Some(now);
    entry.reason = reason.map(str::to_owned);
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}

pub(super) fn correct_hours<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (entry_id, new_entry_id): (&str, &str),
    minutes: u32,
    reason: &str,
) -> Result<Decision, S::Error> {
    if let Some(d) = minutes_ok(minutes) {
        return Ok(d);
    }
    if !reason_ok(reason) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a correction needs a reason of 1 to 500 characters",
        ));
    }
    let Some(mut old) = get_hour_entry(s, entry_id)? else {
        return Ok(missing(s, "hour entry"));
    };
    if let Err(d) = reviewer(s, actor, &old)? {
        return Ok(d);
    }
    if old.superseded_by.as_deref() == Some(new_entry_id) {
        return Ok(Decision::Apply(vec![])); // the same correction, replayed
    }
    if old.status != HourStatus::Confirmed || old.source != HourSource::SelfReport {
        // Attendance hours are corrected through the attendance.
        return Ok(reject(
            RejectCode::InvalidState,
            "only confirmed self-reported hours are corrected this way",
        ));
    }
    if get_hour_entry(s, new_entry_id)?.is_some() {
        return Ok(reject(
            RejectCode::InvalidInput,
            "new entry id already used",
        ));
    }
    let new = HourEntry {
        id: new_entry_id.to_owned(),
        minutes,
        status: HourStatus::Confirmed,
        recorded_by: actor.user_id.clone(),
        reviewed_by: Some(actor.user_id.clone()),
        reviewed_at: Some(now),
        reason: Some(reason.trim().to_owned()),
        corrects: Some(old.id.clone()),
        superseded_by: None,
        ..old.clone()
    };
    old.status = HourStatus::Superseded;
    old.superseded_by = Some(new_entry_id.to_owned());
    Ok(Decision::Apply(vec![
        Effect::Put(Record::HourEntry(old)),
        Effect::Put(Record::HourEntry(new)),
    ]))
}
