//! Call-outs ("cloud whistle"): urgent activities staff publish at once for
//! `needed` responders. A call-out names whom it calls ([`Audience`]:
//! teams, a site's subtree, or everyone); only those called may respond
//! (a response is a signup, withdrawn like one); staff close it early or
//! widen it; the responders are its roster, checked in like any activity's.
//! Responding is an offer, never an order (条例 art. 25).

use chrono::{DateTime, Utc};

use super::activities::{create_activity, organiser};
use super::*;
use crate::records::Audience;

/// Most teams one call-out names.
const MAX_TEAMS: usize = 50;

pub(super) struct CallOut<'a> {
    pub activity_id: &'a str,
    pub site_id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub needed: u32,
    pub audience: &'a Audience,
}

/// An audience `actor` may call: teams and a subtree they manage.
fn callable<S: State>(
    s: &mut S,
    actor: &Actor,
    audience: &Audience,
) -> Result<Result<(), Decision>, S::Error> {
    if audience.team_ids.len() > MAX_TEAMS {
        return Ok(Err(reject(
            RejectCode::InvalidInput,
            format!("at most {MAX_TEAMS} teams"),
        )));
    }
    for team_id in &audience.team_ids {
        if !is_valid_id(team_id) {
            return Ok(Err(reject(
                RejectCode::InvalidInput,
                "team ids follow the id rule",
            )));
        }
        let Some(team) = get_team(s, team_id)? else {
            return Ok(Err(missing(s, "team")));
        };
        if let Err(d) = authority(
            s,
            actor,
            &team.site_id,
            None,
            "you call teams of your sites",
        )? {
            return Ok(Err(d));
        }
    }
    if let Some(site_id) = &audience.site_id {
        if !is_valid_id(site_id) {
            return Ok(Err(reject(
                RejectCode::InvalidInput,
                "site ids follow the id rule",
            )));
        }
        if let Err(d) = authority(
            s,
            actor,
            site_id,
            None,
            "you call the volunteers of your sites",
        )? {
            return Ok(Err(d));
        }
    }
    Ok(Ok(()))
}

pub(super) fn create_call_out<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    c: CallOut<'_>,
) -> Result<Decision, S::Error> {
    if let Err(d) = callable(s, actor, c.audience)? {
        return Ok(d);
    }
    let draft = Mutation::CreateActivity {
        activity_id: c.activity_id.to_owned(),
        site_id: c.site_id.to_owned(),
        team_id: None,
        title: c.title.to_owned(),
        description: c.description.to_owned(),
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        capacity: c.needed,
        signup_deadline: None,
        waitlist: false,
        walk_ins: true,
        credit_rounding_minutes: 0,
    };
    // The same checks and authority as an activity (team leaders cannot: no team).
    let effects = match create_activity(s, actor, now, &draft)? {
        Decision::Apply(effects) => effects,
        other => return Ok(other),
    };
    Ok(Decision::Apply(
        effects
            .into_iter()
            .map(|e| match e {
                Effect::Put(Record::Activity(mut a)) => {
                    a.callout = true;
                    a.status = ActivityStatus::Published;
                    a.published = true;
                    a.audience = c.audience.clone();
                    Effect::Put(Record::Activity(a))
                }
                other => other,
            })
            .collect(),
    ))
}

/// Whether `actor` is called by this call-out (a device that lacks a
/// site it needs to tell defers to the server).
pub(super) fn called<S: State>(
    s: &mut S,
    actor: &Actor,
    audience: &Audience,
) -> Result<Result<(), Decision>, S::Error> {
    if audience.everyone() {
        return Ok(Ok(()));
    }
    let memberships = s.memberships_of(&actor.user_id)?;
    let mut paths = std::collections::BTreeMap::new();
    let sites = audience
        .site_id
        .iter()
        .cloned()
        .chain(memberships.iter().map(|m| m.site_id.clone()));
    for id in sites {
        if let Some(site) = get_site(s, &id)? {
            paths.insert(id, site.path);
        } else if id == audience.site_id.clone().unwrap_or_default() && !s.authoritative() {
            return Ok(Err(Decision::Defer));
        }
    }
    if audience.includes(&memberships, |id| paths.get(id).cloned()) {
        Ok(Ok(()))
    } else {
        Ok(Err(reject(
            RejectCode::Forbidden,
            "this call-out is for other teams or sites",
        )))
    }
}

fn a_call_out<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
) -> Result<Result<Activity, Decision>, S::Error> {
    let Some(activity) = get_activity(s, activity_id)? else {
        return Ok(Err(missing(s, "call-out")));
    };
    if !activity.callout {
        return Ok(Err(reject(RejectCode::InvalidInput, "not a call-out")));
    }
    if let Err(d) = organiser(s, actor, &activity.site_id, None)? {
        return Ok(Err(d));
    }
    if activity.status != ActivityStatus::Published {
        return Ok(Err(reject(
            RejectCode::InvalidState,
            "the call-out is under way, over or cancelled",
        )));
    }
    Ok(Ok(activity))
}

pub(super) fn close_call_out<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
) -> Result<Decision, S::Error> {
    let mut activity = match a_call_out(s, actor, activity_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    if activity.signup_deadline.is_some_and(|d| d <= now) {
        return Ok(Decision::Apply(vec![]));
    }
    activity.signup_deadline = Some(now);
    Ok(Decision::Apply(vec![Effect::Put(Record::Activity(
        activity,
    ))]))
}

/// Whether `new` calls everyone `old` calls (and maybe more).
fn holds<S: State>(s: &mut S, new: &Audience, old: &Audience) -> Result<bool, S::Error> {
    if new.everyone() {
        return Ok(true);
    }
    if old.everyone() || !old.team_ids.iter().all(|t| new.team_ids.contains(t)) {
        return Ok(false);
    }
    Ok(match (&old.site_id, &new.site_id) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(n)) => match (get_site(s, o)?, get_site(s, n)?) {
            (Some(o), Some(n)) => o.path.starts_with(&n.path),
            _ => false,
        },
    })
}

pub(super) fn widen_call_out<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
    (audience, needed): (&Audience, u32),
) -> Result<Decision, S::Error> {
    let mut activity = match a_call_out(s, actor, activity_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    if let Err(d) = callable(s, actor, audience)? {
        return Ok(d);
    }
    if needed < activity.capacity || needed > 10_000 || !holds(s, audience, &activity.audience)? {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a wider call: everyone called before and more, for as many places or more",
        ));
    }
    if activity.audience == *audience
        && activity.capacity == needed
        && activity.signup_deadline.is_none()
    {
        return Ok(Decision::Apply(vec![]));
    }
    activity.audience = audience.clone();
    activity.capacity = needed;
    // Widened, it takes responses again.
    activity.signup_deadline = None;
    Ok(Decision::Apply(vec![Effect::Put(Record::Activity(
        activity,
    ))]))
}
