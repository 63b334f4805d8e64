//! Signing up for activities, with capacity decided by the server.

use chrono::{DateTime, Utc};

use super::*;

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
    if get_signup(s, &pair_key(activity_id, &actor.user_id))?.is_some() {
        return Ok(Decision::Apply(vec![]));
    }
    // Only the server sees every signup; a device signs up optimistically and
    // the server decides capacity in the order it receives signups.
    if s.authoritative() && activity.signup_count >= activity.capacity {
        return Ok(reject(
            RejectCode::ActivityFull,
            "every place of this activity is taken",
        ));
    }
    activity.signup_count += 1;
    let signup = Signup {
        activity_id: activity_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        volunteer_name: actor.name.clone(),
        site_id: activity.site_id.clone(),
        signed_up_at: at,
    };
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Signup(signup)),
        Effect::Put(Record::Activity(activity)),
    ]))
}

fn closed(activity: &Activity, at: DateTime<Utc>) -> Option<Decision> {
    if activity.status == ActivityStatus::Cancelled {
        Some(reject(
            RejectCode::ActivityClosed,
            "the activity is cancelled",
        ))
    } else if activity.ends_at <= at {
        Some(reject(RejectCode::ActivityClosed, "the activity is over"))
    } else {
        None
    }
}

pub(super) fn cancel_signup<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let key = pair_key(activity_id, &actor.user_id);
    if get_signup(s, &key)?.is_none() {
        return Ok(if s.authoritative() {
            Decision::Apply(vec![])
        } else {
            Decision::Defer
        });
    }
    let mut effects = vec![Effect::Delete {
        kind: Kind::Signup,
        key,
    }];
    if let Some(mut activity) = get_activity(s, activity_id)? {
        activity.signup_count = activity.signup_count.saturating_sub(1);
        effects.push(Effect::Put(Record::Activity(activity)));
    }
    Ok(Decision::Apply(effects))
}
