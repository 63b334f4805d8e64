//! Check-in and check-out by staff (from the roster, or walk-ins where the
//! activity allows them), corrections with a reason kept in history, and the
//! hours attendance earns.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::AttendanceCorrection;

/// The activity, its site's path, and whether `actor` may record attendance there.
fn attendance_target<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
) -> Result<Result<Activity, Decision>, S::Error> {
    if actor.role == Role::Volunteer {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "only staff record attendance",
        )));
    }
    let Some(activity) = get_activity(s, activity_id)? else {
        return Ok(Err(missing(s, "activity")));
    };
    if let Err(d) = authority(
        s,
        actor,
        &activity.site_id,
        None,
        "the activity is outside your sites",
    )? {
        return Ok(Err(d));
    }
    if matches!(
        activity.status,
        ActivityStatus::Cancelled | ActivityStatus::Draft
    ) {
        return Ok(Err(reject(
            RejectCode::ActivityClosed,
            "the activity is cancelled",
        )));
    }
    Ok(Ok(activity))
}

pub(super) fn check_in<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::ClockSkew,
            "check-in time is in the future",
        ));
    }
    let activity = match attendance_target(s, actor, activity_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    let key = pair_key(activity_id, volunteer_id);
    let attendance = match get_attendance(s, &key)? {
        Some(mut existing) => {
            // Corrected times stand; an earlier scan does not move them.
            if existing.checked_in_at <= at || !existing.corrections.is_empty() {
                return Ok(Decision::Apply(vec![]));
            }
            existing.checked_in_at = at;
            existing.recorded_by = actor.user_id.clone();
            existing
        }
        None => {
            let signup = get_signup(s, &key)?;
            if !activity.walk_ins {
                match &signup {
                    Some(x) if x.status == crate::records::SignupStatus::Confirmed => {}
                    None if !s.authoritative() => return Ok(Decision::Defer),
                    _ => {
                        return Ok(reject(
                            RejectCode::NotSignedUp,
                            "this activity takes only volunteers who hold a place",
                        ));
                    }
                }
            }
            let name = match signup {
                Some(signup) => Some(signup.volunteer_name),
                None => s.volunteer_name(volunteer_id)?,
            };
            let name = match name {
                Some(n) => n,
                None if s.authoritative() => return Ok(missing(s, "volunteer")),
                // A walk-in this device has never seen: the server fills the name.
                None => String::new(),
            };
            Attendance {
                activity_id: activity_id.to_owned(),
                volunteer_id: volunteer_id.to_owned(),
                volunteer_name: name,
                site_id: activity.site_id.clone(),
                checked_in_at: at,
                checked_out_at: None,
                recorded_by: actor.user_id.clone(),
                corrections: vec![],
            }
        }
    };
    Ok(Decision::Apply(attendance_effects(&activity, attendance)))
}

pub(super) fn check_out<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::ClockSkew,
            "check-out time is in the future",
        ));
    }
    let activity = match attendance_target(s, actor, activity_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    let Some(mut attendance) = get_attendance(s, &pair_key(activity_id, volunteer_id))? else {
        return Ok(if s.authoritative() {
            reject(
                RejectCode::NotCheckedIn,
                "the volunteer was not checked in at this activity",
            )
        } else {
            // Another device may have checked them in: let the server decide.
            Decision::Defer
        });
    };
    if at < attendance.checked_in_at {
        return Ok(reject(
            RejectCode::InvalidInput,
            "check-out is earlier than check-in",
        ));
    }
    if attendance.checked_out_at.is_some_and(|out| out >= at) || !attendance.corrections.is_empty()
    {
        return Ok(Decision::Apply(vec![]));
    }
    attendance.checked_out_at = Some(at);
    attendance.recorded_by = actor.user_id.clone();
    Ok(Decision::Apply(attendance_effects(&activity, attendance)))
}

pub(super) struct CorrectionArgs<'a> {
    pub activity_id: &'a str,
    pub volunteer_id: &'a str,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    pub reason: &'a str,
}

/// Staff of the site or the organising team's leaders set the times.
pub(super) fn correct_attendance<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    a: CorrectionArgs<'_>,
) -> Result<Decision, S::Error> {
    if a.reason.trim().is_empty() || a.reason.chars().count() > MAX_DESCRIPTION_CHARS {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a reason of 1 to 500 characters is required",
        ));
    }
    if a.checked_out_at.is_some_and(|out| out < a.checked_in_at) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "check-out is earlier than check-in",
        ));
    }
    if a.checked_in_at
        .max(a.checked_out_at.unwrap_or(a.checked_in_at))
        > now + MAX_CLOCK_SKEW
    {
        return Ok(reject(RejectCode::ClockSkew, "times are in the future"));
    }
    if a.volunteer_id == actor.user_id {
        return Ok(reject(
            RejectCode::Forbidden,
            "nobody corrects their own attendance",
        ));
    }
    let Some(activity) = get_activity(s, a.activity_id)? else {
        return Ok(missing(s, "activity"));
    };
    if let Err(d) =
        super::activities::organiser(s, actor, &activity.site_id, activity.team_id.as_deref())?
    {
        return Ok(d);
    }
    if matches!(
        activity.status,
        ActivityStatus::Draft | ActivityStatus::Cancelled
    ) {
        return Ok(reject(
            RejectCode::ActivityClosed,
            "a draft or cancelled activity has no attendance",
        ));
    }
    let key = pair_key(a.activity_id, a.volunteer_id);
    let existing = get_attendance(s, &key)?;
    if let Some(e) = &existing
        && e.checked_in_at == a.checked_in_at
        && e.checked_out_at == a.checked_out_at
        && e.corrections
            .last()
            .is_some_and(|c| c.reason == a.reason.trim())
    {
        return Ok(Decision::Apply(vec![])); // the same correction, replayed
    }
    let previous = existing
        .as_ref()
        .map(|e| (e.checked_in_at, e.checked_out_at));
    let mut attendance = match existing {
        Some(e) => e,
        None => {
            let name = match get_signup(s, &key)? {
                Some(signup) => Some(signup.volunteer_name),
                None => s.volunteer_name(a.volunteer_id)?,
            };
            let Some(name) = name.or_else(|| (!s.authoritative()).then(String::new)) else {
                return Ok(missing(s, "volunteer"));
            };
            Attendance {
                activity_id: a.activity_id.to_owned(),
                volunteer_id: a.volunteer_id.to_owned(),
                volunteer_name: name,
                site_id: activity.site_id.clone(),
                checked_in_at: a.checked_in_at,
                checked_out_at: None,
                recorded_by: actor.user_id.clone(),
                corrections: vec![],
            }
        }
    };
    attendance.corrections.push(AttendanceCorrection {
        at: now,
        by: actor.user_id.clone(),
        reason: a.reason.trim().to_owned(),
        previous_in: previous.map(|(i, _)| i),
        previous_out: previous.and_then(|(_, o)| o),
    });
    attendance.checked_in_at = a.checked_in_at;
    attendance.checked_out_at = a.checked_out_at;
    attendance.recorded_by = actor.user_id.clone();
    Ok(Decision::Apply(attendance_effects(&activity, attendance)))
}

/// The attendance row plus, once checked out, the hour entry it earns.
fn attendance_effects(activity: &Activity, attendance: Attendance) -> Vec<Effect> {
    let hours = HourEntry::for_attendance(activity, &attendance);
    let mut effects = vec![Effect::Put(Record::Attendance(attendance))];
    effects.extend(hours.map(|h| Effect::Put(Record::HourEntry(h))));
    effects
}

/// Whole minutes from check-in to check-out, within the activity's start and
/// end (arriving early or leaving late earns nothing), rounded down to the
/// activity's rounding step.
pub fn credited_minutes(activity: &Activity, checked_in: DateTime<Utc>, out: DateTime<Utc>) -> u32 {
    let start = checked_in.max(activity.starts_at);
    let end = out.min(activity.ends_at);
    let minutes = u32::try_from((end - start).num_minutes().max(0)).unwrap_or(u32::MAX);
    match activity.credit_rounding_minutes {
        0 => minutes,
        step => minutes - minutes % step,
    }
}
