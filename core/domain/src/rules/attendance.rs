//! Check-in and check-out by staff, and the hours they earn.

use chrono::{DateTime, Utc};

use super::*;

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
    let Some(site) = get_site(s, &activity.site_id)? else {
        return Ok(Err(missing(s, "site")));
    };
    if actor.role == Role::Staff && actor.site_path.is_none() && !s.authoritative() {
        // This device has not pulled its own site yet: the server decides.
        return Ok(Err(Decision::Defer));
    }
    if !actor.may_manage(&site.path) {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "the activity is outside your sites",
        )));
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
            if existing.checked_in_at <= at {
                return Ok(Decision::Apply(vec![]));
            }
            existing.checked_in_at = at;
            existing.recorded_by = actor.user_id.clone();
            existing
        }
        None => {
            let name = match get_signup(s, &key)? {
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
    if attendance.checked_out_at.is_some_and(|out| out >= at) {
        return Ok(Decision::Apply(vec![]));
    }
    attendance.checked_out_at = Some(at);
    attendance.recorded_by = actor.user_id.clone();
    Ok(Decision::Apply(attendance_effects(&activity, attendance)))
}

/// The attendance row plus, once checked out, the hour entry it earns.
fn attendance_effects(activity: &Activity, attendance: Attendance) -> Vec<Effect> {
    let mut effects = Vec::with_capacity(2);
    if let Some(out) = attendance.checked_out_at {
        effects.push(Effect::Put(Record::HourEntry(HourEntry {
            id: HourEntry::attendance_key(&attendance.activity_id, &attendance.volunteer_id),
            volunteer_id: attendance.volunteer_id.clone(),
            activity_id: Some(activity.id.clone()),
            site_id: Some(activity.site_id.clone()),
            source: HourSource::Attendance,
            status: HourStatus::Confirmed,
            started_at: attendance.checked_in_at,
            minutes: credited_minutes(activity, attendance.checked_in_at, out),
            description: activity.title.clone(),
            recorded_by: attendance.recorded_by.clone(),
        })));
    }
    effects.insert(0, Effect::Put(Record::Attendance(attendance)));
    effects
}

/// Whole minutes from check-in to check-out, capped at the activity's end.
pub fn credited_minutes(activity: &Activity, checked_in: DateTime<Utc>, out: DateTime<Utc>) -> u32 {
    let end = out.min(activity.ends_at);
    u32::try_from((end - checked_in).num_minutes().max(0)).unwrap_or(u32::MAX)
}
