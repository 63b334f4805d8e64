//! Check-in and check-out (from the roster, or walk-ins where the activity
//! allows them), corrections of an existing attendance with a reason kept in
//! history, and the hours attendance earns (see [`super::evidence`]).
//!
//! Who records attendance is one rule for all three steps: the activity's
//! organisers (staff of its site or above, admins, leaders of its team),
//! never for themselves.

use chrono::{DateTime, Duration, Utc};

use super::evidence::follow_attendance;
use super::*;
use crate::records::{AttendanceCorrection, SignupStatus};

/// How long before an activity's start a check-in may be recorded.
pub const CHECK_IN_GRACE: Duration = Duration::hours(2);
/// How far back a team leader records attendance: on the day, live. Late
/// records (up to the recording window) are for the site's staff.
pub const LEADER_LATE_LIMIT: Duration = Duration::hours(12);

/// The activity and how far back `actor` may record times at it.
struct Target {
    activity: Activity,
    earliest: DateTime<Utc>,
}

/// The activity, if `actor` may record `volunteer_id`'s attendance there,
/// and the earliest time they may record.
fn attendance_target<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
) -> Result<Result<Target, Decision>, S::Error> {
    if volunteer_id == actor.user_id {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "nobody records their own attendance",
        )));
    }
    // Known at once, whatever the device holds: only staff, admins and
    // team leaders organise.
    if matches!(actor.role, Role::Volunteer | Role::Resident) && actor.led_teams.is_empty() {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "only the activity's organisers record attendance",
        )));
    }
    let Some(activity) = get_activity(s, activity_id)? else {
        return Ok(Err(missing(s, "activity")));
    };
    if let Err(d) = authority(
        s,
        actor,
        &activity.site_id,
        activity.team_id.as_deref(),
        "only the activity's organisers record attendance",
    )? {
        return Ok(Err(d));
    }
    if !activity.status.took_place() {
        return Ok(Err(reject(
            RejectCode::ActivityClosed,
            "a draft or cancelled activity has no attendance",
        )));
    }
    let staff = get_site(s, &activity.site_id)?.is_some_and(|site| actor.may_manage(&site.path));
    let earliest = now
        - if staff {
            LATE_RECORD_LIMIT
        } else {
            LEADER_LATE_LIMIT
        };
    Ok(Ok(Target { activity, earliest }))
}

/// A time of attendance: not in the future, not long before the start, not
/// further back than this recorder may go.
fn time_ok(t: &Target, now: DateTime<Utc>, at: DateTime<Utc>) -> Option<Decision> {
    if at > now + MAX_CLOCK_SKEW {
        return Some(reject(RejectCode::ClockSkew, "the time is in the future"));
    }
    if at < t.earliest {
        return Some(reject(
            RejectCode::TooLate,
            "too late to record this time: site staff record late attendance",
        ));
    }
    (at < t.activity.starts_at - CHECK_IN_GRACE).then(|| {
        reject(
            RejectCode::InvalidInput,
            "the time is long before the activity starts",
        )
    })
}

/// Write the attendance and the hours it now earns in place of what it
/// earned as `previous_id`.
fn record<S: State>(
    s: &mut S,
    activity: &Activity,
    previous_id: Option<String>,
    attendance: Attendance,
    (reason, now): (Option<&str>, DateTime<Utc>),
) -> Result<Decision, S::Error> {
    match follow_attendance(
        s,
        activity,
        previous_id.as_deref(),
        &attendance,
        (reason, now),
    )? {
        Err(refusal) => Ok(refusal),
        Ok(hours) => {
            let mut effects = vec![Effect::Put(Record::Attendance(attendance))];
            effects.extend(hours);
            Ok(Decision::Apply(effects))
        }
    }
}

pub(super) fn check_in<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    let target = match attendance_target(s, actor, now, activity_id, volunteer_id)? {
        Ok(t) => t,
        Err(d) => return Ok(d),
    };
    if let Some(d) = time_ok(&target, now, at) {
        return Ok(d);
    }
    let activity = target.activity;
    let key = pair_key(activity_id, volunteer_id);
    let (previous_id, attendance) = match get_attendance(s, &key)? {
        Some(mut existing) => {
            // Corrected times stand; an earlier scan does not move them.
            if existing.checked_in_at <= at || !existing.corrections.is_empty() {
                return Ok(Decision::Apply(vec![]));
            }
            let previous = existing.hours_id();
            existing.checked_in_at = at;
            existing.recorded_by = actor.user_id.clone();
            (Some(previous), existing)
        }
        None => {
            let signup = get_signup(s, &key)?;
            if !activity.walk_ins {
                match &signup {
                    Some(x) if x.status == SignupStatus::Confirmed => {}
                    // The server may have promoted them from the waitlist.
                    _ if !s.authoritative() => return Ok(Decision::Defer),
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
            let attendance = Attendance {
                activity_id: activity_id.to_owned(),
                volunteer_id: volunteer_id.to_owned(),
                volunteer_name: name,
                site_id: activity.site_id.clone(),
                checked_in_at: at,
                checked_out_at: None,
                recorded_by: actor.user_id.clone(),
                corrections: vec![],
                team_id: activity.team_id.clone(),
            };
            (None, attendance)
        }
    };
    record(s, &activity, previous_id, attendance, (None, now))
}

pub(super) fn check_out<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    let target = match attendance_target(s, actor, now, activity_id, volunteer_id)? {
        Ok(t) => t,
        Err(d) => return Ok(d),
    };
    if let Some(d) = time_ok(&target, now, at) {
        return Ok(d);
    }
    let activity = target.activity;
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
    let previous = attendance.hours_id();
    attendance.checked_out_at = Some(at);
    attendance.recorded_by = actor.user_id.clone();
    record(s, &activity, Some(previous), attendance, (None, now))
}

pub(super) struct CorrectionArgs<'a> {
    pub activity_id: &'a str,
    pub volunteer_id: &'a str,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    pub reason: &'a str,
}

/// The organisers set the times of an attendance that exists, saying why;
/// the hours it earned are superseded (or voided, without a check-out).
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
    let target = match attendance_target(s, actor, now, a.activity_id, a.volunteer_id)? {
        Ok(t) => t,
        Err(d) => return Ok(d),
    };
    for t in [Some(a.checked_in_at), a.checked_out_at]
        .into_iter()
        .flatten()
    {
        if let Some(d) = time_ok(&target, now, t) {
            return Ok(d);
        }
    }
    let activity = target.activity;
    // A correction changes evidence that exists; it never creates it.
    let Some(mut attendance) = get_attendance(s, &pair_key(a.activity_id, a.volunteer_id))? else {
        return Ok(if s.authoritative() {
            reject(
                RejectCode::NotCheckedIn,
                "only a recorded attendance can be corrected",
            )
        } else {
            Decision::Defer
        });
    };
    if attendance.checked_in_at == a.checked_in_at
        && attendance.checked_out_at == a.checked_out_at
        && attendance
            .corrections
            .last()
            .is_some_and(|c| c.reason == a.reason.trim())
    {
        return Ok(Decision::Apply(vec![])); // the same correction, replayed
    }
    let previous = attendance.hours_id();
    attendance.corrections.push(AttendanceCorrection {
        at: now,
        by: actor.user_id.clone(),
        reason: a.reason.trim().to_owned(),
        previous_in: Some(attendance.checked_in_at),
        previous_out: attendance.checked_out_at,
    });
    attendance.checked_in_at = a.checked_in_at;
    attendance.checked_out_at = a.checked_out_at;
    attendance.recorded_by = actor.user_id.clone();
    record(
        s,
        &activity,
        Some(previous),
        attendance,
        (Some(a.reason.trim()), now),
    )
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
