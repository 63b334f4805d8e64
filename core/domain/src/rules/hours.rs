//! Hours: volunteers report their own, for an activity or a team; the
//! activity's organisers or the team's leaders (or staff above its site)
//! approve or reject them with a reason. A confirmed entry is never edited:
//! a correction is a new, pending entry that references the old one; when a
//! second reviewer approves it, the old one is marked superseded and
//! otherwise kept as it was.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::records::{OrderStatus, SignupStatus};

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

pub(super) fn reason_ok(reason: &str) -> bool {
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
    let ends_at = a.started_at + Duration::minutes(i64::from(a.minutes));
    if ends_at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::InvalidInput,
            "hours cannot end in the future",
        ));
    }
    // After the deadline a report is still made, flagged late, for the
    // site's staff to approve; past the late limit it is not.
    if a.started_at < now - LATE_RECORD_LIMIT {
        return Ok(reject(
            RejectCode::TooLate,
            "too old to report: ask the site's staff about a correction",
        ));
    }
    if let Some(existing) = get_hour_entry(s, a.entry_id)? {
        // The same entry resent: nothing to do. Someone else's id: refuse.
        return Ok(if existing.volunteer_id == actor.user_id {
            Decision::Apply(vec![])
        } else {
            reject(RejectCode::IdTaken, "entry id belongs to another record")
        });
    }
    let mut site_id = match a.activity_id {
        None => None,
        Some(id) => match get_activity(s, id)? {
            Some(activity) => {
                if let Err(d) = reportable(s, &activity, actor, (a.started_at, ends_at))? {
                    return Ok(d);
                }
                // The hours count for the team that organised the activity.
                if a.team_id
                    .is_some_and(|t| activity.team_id.as_deref() != Some(t))
                {
                    return Ok(reject(
                        RejectCode::InvalidInput,
                        "the activity is not that team's",
                    ));
                }
                Some(activity.site_id)
            }
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
    let mut entry = HourEntry {
        activity_id: a.activity_id.map(str::to_owned),
        site_id,
        description: a.description.to_owned(),
        team_id: a.team_id.map(str::to_owned),
        ..HourEntry::new(
            a.entry_id.to_owned(),
            &actor.user_id,
            (HourSource::SelfReport, HourStatus::Pending),
            a.started_at,
            a.minutes,
            &actor.user_id,
        )
    };
    let activity = match a.activity_id {
        Some(id) => get_activity(s, id)?,
        None => None,
    };
    super::evidence::stamp(s, &mut entry, activity.as_ref(), now)?;
    let open = |e: &HourEntry| matches!(e.status, HourStatus::Pending | HourStatus::Confirmed);
    let (from, to) = super::evidence::credit_window(&entry);
    if super::evidence::overlaps(
        &s.hours_meeting(&actor.user_id, from, to)?,
        &entry,
        &[],
        open,
    ) {
        return Ok(if s.authoritative() {
            reject(
                RejectCode::HoursOverlap,
                "hours are already reported or credited for part of this time",
            )
        } else {
            Decision::Defer
        });
    }
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}

/// Whether hours for `activity` can be self-reported over `span`: it took
/// place (not a draft, not cancelled), the span lies within it, the
/// volunteer signed up, and attendance does not already credit them.
fn reportable<S: State>(
    s: &mut S,
    activity: &Activity,
    actor: &Actor,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Result<(), Decision>, S::Error> {
    if !activity.status.took_place() {
        return Ok(Err(reject(
            RejectCode::ActivityClosed,
            "hours are reported only for an activity that took place",
        )));
    }
    if let Some(d) = outside(activity, from, to) {
        return Ok(Err(d));
    }
    if let Some(d) = credited_by_attendance(s, &activity.id, &actor.user_id)? {
        return Ok(Err(d));
    }
    // One open report per activity: a second would count the time twice.
    let reported = s
        .hours_for_activity(&actor.user_id, &activity.id)?
        .into_iter()
        .any(|h| {
            h.source == HourSource::SelfReport
                && matches!(h.status, HourStatus::Pending | HourStatus::Confirmed)
        });
    if reported {
        return Ok(Err(reject(
            RejectCode::AlreadyCredited,
            "hours for this activity are already reported",
        )));
    }
    let key = pair_key(&activity.id, &actor.user_id);
    let signed = get_signup(s, &key)?.is_some_and(|x| x.status == SignupStatus::Confirmed);
    if !signed {
        return Ok(Err(if s.authoritative() {
            reject(
                RejectCode::NotSignedUp,
                "hours for an activity are reported by those signed up for it",
            )
        } else {
            Decision::Defer
        }));
    }
    Ok(Ok(()))
}

/// The refusal when a span leaves the activity's start and end.
fn outside(activity: &Activity, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Decision> {
    (from < activity.starts_at || to > activity.ends_at).then(|| {
        reject(
            RejectCode::InvalidInput,
            "the hours lie outside the activity's time",
        )
    })
}

/// The refusal when attendance records the volunteer at the activity: its
/// hours are the evidence, a self-report would count the time twice.
fn credited_by_attendance<S: State>(
    s: &mut S,
    activity_id: &str,
    volunteer_id: &str,
) -> Result<Option<Decision>, S::Error> {
    Ok(
        get_attendance(s, &pair_key(activity_id, volunteer_id))?.map(|_| {
            reject(
                RejectCode::AlreadyCredited,
                "attendance already records this volunteer at the activity",
            )
        }),
    )
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
    // The assignee's word (a leader's, for their team) is checked by the
    // side that dispatched the order.
    if entry.source == HourSource::Order {
        return Ok(if site_staff(s, actor, entry)? {
            Ok(())
        } else {
            Err(reject(
                RejectCode::Forbidden,
                "the service of an order is reviewed by the staff of its site",
            ))
        });
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

/// Whether `actor` is staff of the entry's site (or a district admin).
fn site_staff<S: State>(s: &mut S, actor: &Actor, entry: &HourEntry) -> Result<bool, S::Error> {
    if actor.role == Role::Admin {
        return Ok(true);
    }
    Ok(match &entry.site_id {
        Some(id) => get_site(s, id)?.is_some_and(|site| actor.may_manage(&site.path)),
        None => false,
    })
}

/// The entry, if `actor` may review it (see [`reviewer`]).
pub(super) fn entry_to_review<S: State>(
    s: &mut S,
    actor: &Actor,
    entry_id: &str,
) -> Result<Result<HourEntry, Decision>, S::Error> {
    let Some(entry) = get_hour_entry(s, entry_id)? else {
        return Ok(Err(missing(s, "hour entry")));
    };
    Ok(reviewer(s, actor, &entry)?.map(|()| entry))
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
    let mut entry = match entry_to_review(s, actor, entry_id)? {
        Ok(e) => e,
        Err(d) => return Ok(d),
    };
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
    if approve && entry.late && !site_staff(s, actor, &entry)? {
        return Ok(reject(
            RejectCode::Forbidden,
            "a record made after its deadline is approved by the site's staff",
        ));
    }
    let mut effects = vec![];
    if approve {
        match approvable(s, actor, &entry)? {
            Ok(superseded) => effects.extend(superseded),
            Err(d) => return Ok(d),
        }
    }
    entry.status = target;
    entry.reviewed_by = Some(actor.user_id.clone());
    entry.reviewed_at = Some(now);
    // A rejection's reason is the reviewer's; an approved correction keeps
    // its own (why it was made).
    if let Some(r) = reason
        && (!approve || entry.corrects.is_none())
    {
        entry.reason = Some(r.to_owned());
    }
    effects.push(Effect::Put(Record::HourEntry(entry)));
    Ok(Decision::Apply(effects))
}

/// What approving `entry` also writes (the entry a correction supersedes),
/// or why it cannot be approved: its evidence must still stand, a
/// correction needs a second person, and the day must have room.
fn approvable<S: State>(
    s: &mut S,
    actor: &Actor,
    entry: &HourEntry,
) -> Result<Result<Vec<Effect>, Decision>, S::Error> {
    if let Some(activity_id) = &entry.activity_id {
        if let Some(activity) = get_activity(s, activity_id)? {
            if !activity.status.took_place() {
                return Ok(Err(reject(
                    RejectCode::ActivityClosed,
                    "the activity did not take place",
                )));
            }
            // A correction may have changed the length: the span still
            // lies within the activity.
            let to = entry.started_at + Duration::minutes(i64::from(entry.minutes));
            if let Some(d) = outside(&activity, entry.started_at, to) {
                return Ok(Err(d));
            }
        }
        if let Some(d) = credited_by_attendance(s, activity_id, &entry.volunteer_id)? {
            return Ok(Err(d));
        }
    }
    if let Some(order_id) = &entry.order_id {
        let done = get_order(s, order_id)?
            .is_some_and(|o| matches!(o.status, OrderStatus::Done | OrderStatus::Rated));
        if !done {
            return Ok(Err(reject(
                RejectCode::InvalidState,
                "the order was not completed",
            )));
        }
    }
    let mut effects = vec![];
    let mut replaced = vec![];
    if let Some(old_id) = &entry.corrects {
        if entry.recorded_by == actor.user_id {
            return Ok(Err(reject(
                RejectCode::Forbidden,
                "a correction is approved by someone other than its author",
            )));
        }
        match get_hour_entry(s, old_id)? {
            Some(mut old) if old.is_confirmed() => {
                old.status = HourStatus::Superseded;
                old.superseded_by = Some(entry.id.clone());
                replaced.push(old.id.clone());
                effects.push(Effect::Put(Record::HourEntry(old)));
            }
            Some(_) => {
                return Ok(Err(reject(
                    RejectCode::InvalidState,
                    "the corrected hours no longer stand",
                )));
            }
            None => return Ok(Err(missing(s, "corrected hour entry"))),
        }
    }
    let replaced: Vec<&str> = replaced.iter().map(String::as_str).collect();
    if let Some(d) = super::evidence::credit_check(s, entry, &replaced)? {
        return Ok(Err(d));
    }
    Ok(Ok(effects))
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
    let old = match entry_to_review(s, actor, entry_id)? {
        Ok(e) => e,
        Err(d) => return Ok(d),
    };
    if let Some(existing) = get_hour_entry(s, new_entry_id)? {
        return Ok(
            if existing.corrects.as_deref() == Some(old.id.as_str())
                && existing.recorded_by == actor.user_id
            {
                Decision::Apply(vec![]) // the same correction, replayed
            } else {
                reject(RejectCode::IdTaken, "new entry id already used")
            },
        );
    }
    if old.status != HourStatus::Confirmed || old.source == HourSource::Attendance {
        // Attendance hours are corrected through the attendance.
        return Ok(reject(
            RejectCode::InvalidState,
            "only confirmed reported or order hours are corrected this way",
        ));
    }
    if old.started_at + Duration::minutes(i64::from(minutes)) > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::InvalidInput,
            "corrected hours cannot end in the future",
        ));
    }
    // A proposal: it replaces the old entry once another reviewer approves it.
    let new = HourEntry {
        id: new_entry_id.to_owned(),
        minutes,
        status: HourStatus::Pending,
        recorded_by: actor.user_id.clone(),
        reviewed_by: None,
        reviewed_at: None,
        reason: Some(reason.trim().to_owned()),
        corrects: Some(old.id.clone()),
        superseded_by: None,
        history: vec![],
        recorded_at: Some(now),
        ..old
    };
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(new))]))
}
