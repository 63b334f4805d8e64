//! Activities: drafted by site staff or a team leader, published, under way,
//! finished or cancelled; signups with capacity, a deadline and a waitlist
//! whose first volunteer is promoted when a place frees up.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::records::{NoticeTopic, SignupStatus};

/// Most places of one activity.
pub const MAX_CAPACITY: u32 = 10_000;
/// Longest activity: a longer event is one activity per day, so no single
/// attendance credits more than a day.
pub const MAX_ACTIVITY_LENGTH: Duration = Duration::hours(24);

/// Whether `actor` organises at this site (staff above it, admins) or for
/// this team (its leaders); `Err` carries the refusal.
pub(super) fn organiser<S: State>(
    s: &mut S,
    actor: &Actor,
    site_id: &str,
    team_id: Option<&str>,
) -> Result<Result<(), Decision>, S::Error> {
    authority(
        s,
        actor,
        site_id,
        team_id,
        "only staff of the site or the organising team's leaders manage this activity",
    )
}

pub(super) fn create_activity<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    m: &Mutation,
) -> Result<Decision, S::Error> {
    let Mutation::CreateActivity {
        activity_id,
        site_id,
        team_id,
        title,
        description,
        starts_at,
        ends_at,
        capacity,
        signup_deadline,
        waitlist,
        walk_ins,
        credit_rounding_minutes,
    } = m
    else {
        return Ok(reject(RejectCode::InvalidInput, "not an activity draft"));
    };
    let invalid = |msg: &str| Ok(reject(RejectCode::InvalidInput, msg.to_owned()));
    // Upper bounds of every text are checked before any rule (inputs.rs).
    if title.trim().is_empty() {
        return invalid("a title is required");
    }
    if ends_at <= starts_at || *ends_at <= now {
        return invalid("the activity must end after it starts, in the future");
    }
    // Older evidence cannot be made now: an activity created with a start
    // far back would let its attendance credit time nobody recorded then.
    // It is entered by the day it starts at the latest.
    if *starts_at < now - MAX_ACTIVITY_LENGTH {
        return Ok(reject(
            RejectCode::TooLate,
            "the activity started more than a day ago: it can no longer be entered",
        ));
    }
    if *ends_at - *starts_at > MAX_ACTIVITY_LENGTH {
        return invalid("an activity lasts at most 24 hours (one per day for longer events)");
    }
    if *capacity == 0 || *capacity > MAX_CAPACITY {
        return invalid("capacity must be 1 to 10000");
    }
    if signup_deadline.is_some_and(|d| d > *starts_at) {
        return invalid("signups must close by the start");
    }
    if ![0, 5, 10, 15, 30, 60].contains(credit_rounding_minutes) {
        return invalid("credit rounding must be 0, 5, 10, 15, 30 or 60 minutes");
    }
    if let Some(team_id) = team_id {
        match get_team(s, team_id)? {
            None => return Ok(missing(s, "team")),
            Some(team) if team.site_id != *site_id => {
                return invalid("a team organises at its own site");
            }
            Some(_) => {}
        }
    }
    if let Err(d) = organiser(s, actor, site_id, team_id.as_deref())? {
        return Ok(d);
    }
    // A leader plans ahead or starts it on the day; only the site's staff
    // enter an activity that began earlier (within the recording window).
    let staff = get_site(s, site_id)?.is_some_and(|site| actor.may_manage(&site.path));
    if !staff && *starts_at < now - super::attendance::LEADER_LATE_LIMIT {
        return Ok(reject(
            RejectCode::TooLate,
            "an activity that began earlier is entered by the site's staff",
        ));
    }
    if let Some(existing) = get_activity(s, activity_id)? {
        return Ok(
            if existing.created_by.as_deref() == Some(actor.user_id.as_str()) {
                Decision::Apply(vec![]) // the same draft, resent
            } else {
                reject(RejectCode::IdTaken, "activity id already taken")
            },
        );
    }
    Ok(Decision::Apply(vec![Effect::Put(Record::Activity(
        Activity {
            team_id: team_id.clone(),
            description: description.clone(),
            signup_deadline: *signup_deadline,
            waitlist: *waitlist,
            created_by: Some(actor.user_id.clone()),
            lead: Some(actor.name.clone()),
            walk_ins: *walk_ins,
            credit_rounding_minutes: *credit_rounding_minutes,
            ..Activity::new(
                activity_id,
                site_id,
                title.trim(),
                *starts_at,
                *ends_at,
                *capacity,
            )
        },
    ))]))
}

/// A call-out: staff of the site or above call for `needed` volunteers; it is
/// published at once and volunteers respond by signing up. It closes to
/// responses when enough have responded (no waitlist), or when cancelled.
/// One step of the lifecycle, allowed only from the `from` states.
pub(super) fn move_activity<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    from: &[ActivityStatus],
    to: ActivityStatus,
    reason: Option<&str>,
) -> Result<Decision, S::Error> {
    let Some(mut activity) = get_activity(s, activity_id)? else {
        return Ok(missing(s, "activity"));
    };
    if let Err(d) = organiser(s, actor, &activity.site_id, activity.team_id.as_deref())? {
        return Ok(d);
    }
    if let Some(r) = reason
        && (r.trim().is_empty() || r.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a reason of 1 to 500 characters is required",
        ));
    }
    if activity.status == to {
        return Ok(Decision::Apply(vec![]));
    }
    if !from.contains(&activity.status) {
        return Ok(reject(
            RejectCode::InvalidState,
            format!("a {:?} activity cannot become {:?}", activity.status, to),
        ));
    }
    activity.status = to;
    activity.published |= to == ActivityStatus::Published;
    activity.cancel_reason = reason.map(|r| r.trim().to_owned());
    let mut effects = Vec::new();
    if to == ActivityStatus::Cancelled {
        // It did not take place: the hours recorded for it count nowhere.
        let reason = activity.cancel_reason.clone().unwrap_or_default();
        effects.extend(super::evidence::void_for_cancelled(s, &activity, &reason)?);
    }
    if to == ActivityStatus::Cancelled && s.authoritative() {
        // Everyone signed up hears of it (only the server knows them all).
        let message = format!(
            "活动「{}」已取消：{}",
            activity.title,
            activity.cancel_reason.as_deref().unwrap_or_default()
        );
        for signup in s.signups_of(activity_id)? {
            effects.push(notice(
                NoticeTopic::ActivityCancelled,
                activity_id,
                &signup.volunteer_id,
                message.clone(),
                now,
            ));
        }
    }
    effects.insert(0, Effect::Put(Record::Activity(activity)));
    Ok(Decision::Apply(effects))
}

pub(super) fn sign_up<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let Some(mut activity) = get_activity(s, activity_id)? else {
        return Ok(missing(s, "activity"));
    };
    // Judged by the deciding side's clock: a device cannot backdate its way in.
    if let Some(d) = closed(&activity, now) {
        return Ok(d);
    }
    if activity.callout
        && let Err(d) = super::callouts::called(s, actor, &activity.audience)?
    {
        return Ok(d);
    }
    if get_signup(s, &pair_key(activity_id, &actor.user_id))?.is_some() {
        return Ok(Decision::Apply(vec![]));
    }
    // Only the server sees every signup: it decides places in the order it
    // receives signups. A device takes a place optimistically unless it
    // already knows the activity is full and has a waitlist.
    let full = activity.signup_count >= activity.capacity;
    if full && !activity.waitlist && s.authoritative() {
        return Ok(reject(
            RejectCode::ActivityFull,
            "every place of this activity is taken",
        ));
    }
    let (status, position) = if full && activity.waitlist {
        activity.waitlist_next += 1;
        activity.waitlist_count += 1;
        (SignupStatus::Waitlisted, activity.waitlist_next)
    } else {
        activity.signup_count += 1;
        (SignupStatus::Confirmed, 0)
    };
    let signup = Signup {
        activity_id: activity_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        volunteer_name: actor.name.clone(),
        site_id: activity.site_id.clone(),
        signed_up_at: at,
        status,
        position,
        team_id: activity.team_id.clone(),
    };
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Signup(signup)),
        Effect::Put(Record::Activity(activity)),
    ]))
}

fn closed(activity: &Activity, now: DateTime<Utc>) -> Option<Decision> {
    let why = match activity.status {
        ActivityStatus::Cancelled => "the activity is cancelled",
        ActivityStatus::Draft => "the activity is not published yet",
        ActivityStatus::InProgress | ActivityStatus::Finished => "signups are closed",
        ActivityStatus::Published if activity.ends_at <= now => "the activity is over",
        ActivityStatus::Published if activity.signup_deadline.is_some_and(|d| d <= now) => {
            "the signup deadline has passed"
        }
        ActivityStatus::Published => return None,
    };
    Some(reject(RejectCode::ActivityClosed, why))
}

pub(super) fn cancel_signup<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let key = pair_key(activity_id, &actor.user_id);
    let Some(signup) = get_signup(s, &key)? else {
        return Ok(if s.authoritative() {
            Decision::Apply(vec![])
        } else {
            Decision::Defer
        });
    };
    let mut effects = vec![Effect::Delete {
        kind: Kind::Signup,
        key,
    }];
    let Some(mut activity) = get_activity(s, activity_id)? else {
        return Ok(Decision::Apply(effects));
    };
    // Once under way, or once the volunteer is checked in, the signup is
    // part of the record (who was expected, on what ground they attended).
    let attended = get_attendance(s, &pair_key(activity_id, &actor.user_id))?.is_some();
    let reported = s
        .hours_for_activity(&actor.user_id, activity_id)?
        .into_iter()
        .any(|h| matches!(h.status, HourStatus::Pending | HourStatus::Confirmed));
    if attended
        || reported
        || matches!(
            activity.status,
            ActivityStatus::InProgress | ActivityStatus::Finished
        )
    {
        return Ok(reject(
            RejectCode::ActivityClosed,
            "a signup cannot be cancelled once the activity is under way",
        ));
    }
    match signup.status {
        SignupStatus::Waitlisted => {
            activity.waitlist_count = activity.waitlist_count.saturating_sub(1);
        }
        SignupStatus::Confirmed => {
            activity.signup_count = activity.signup_count.saturating_sub(1);
            // The freed place goes to the first on the waitlist; their
            // device learns it on its next sync.
            let open = matches!(activity.status, ActivityStatus::Published);
            if open && let Some(mut next) = s.first_waitlisted(activity_id)? {
                next.status = SignupStatus::Confirmed;
                next.position = 0;
                activity.signup_count += 1;
                activity.waitlist_count = activity.waitlist_count.saturating_sub(1);
                effects.push(notice(
                    NoticeTopic::PromotedFromWaitlist,
                    activity_id,
                    &next.volunteer_id,
                    format!("「{}」有了空位：你已从候补转为正式报名", activity.title),
                    now,
                ));
                effects.push(Effect::Put(Record::Signup(next)));
            }
        }
    }
    effects.push(Effect::Put(Record::Activity(activity)));
    Ok(Decision::Apply(effects))
}
