//! Team membership: joining and leaving.

use chrono::{DateTime, Utc};

use super::*;

pub(super) fn join_team<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let Some(mut team) = get_team(s, team_id)? else {
        return Ok(missing(s, "team"));
    };
    if get_membership(s, &pair_key(team_id, &actor.user_id))?.is_some() {
        return Ok(Decision::Apply(vec![]));
    }
    team.member_count += 1;
    let membership = Membership {
        team_id: team_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        volunteer_name: actor.name.clone(),
        site_id: team.site_id.clone(),
        joined_at: at,
    };
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Membership(membership)),
        Effect::Put(Record::Team(team)),
    ]))
}

pub(super) fn leave_team<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let key = pair_key(team_id, &actor.user_id);
    if get_membership(s, &key)?.is_none() {
        // Leaving twice (say from two phones) is not an error.
        return Ok(if s.authoritative() {
            Decision::Apply(vec![])
        } else {
            Decision::Defer
        });
    }
    let mut effects = vec![Effect::Delete {
        kind: Kind::Membership,
        key,
    }];
    if let Some(mut team) = get_team(s, team_id)? {
        team.member_count = team.member_count.saturating_sub(1);
        effects.push(Effect::Put(Record::Team(team)));
    }
    Ok(Decision::Apply(effects))
}
