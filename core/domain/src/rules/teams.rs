//! Team membership: open teams take a join at once; others take a request
//! that a leader or site staff approve or decline. Members leave, or are
//! removed with a reason. Every state is kept on the membership record.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::{JoinPolicy, MembershipStatus, PastMembership, TeamRole};

fn key(team_id: &str, volunteer_id: &str) -> String {
    pair_key(team_id, volunteer_id)
}

fn text_ok(reason: &str) -> bool {
    !reason.trim().is_empty() && reason.chars().count() <= MAX_DESCRIPTION_CHARS
}

/// The team and whether `actor` may decide for it; `Err` carries the refusal.
fn team_authority<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
) -> Result<Result<Team, Decision>, S::Error> {
    let Some(team) = get_team(s, team_id)? else {
        return Ok(Err(missing(s, "team")));
    };
    if let Err(d) = authority(
        s,
        actor,
        &team.site_id,
        Some(team_id),
        "only the team's leaders or staff of its site decide this",
    )? {
        return Ok(Err(d));
    }
    Ok(Ok(team))
}

fn with_count(mut team: Team, delta: i64) -> Effect {
    team.member_count = u32::try_from((i64::from(team.member_count) + delta).max(0)).unwrap_or(0);
    Effect::Put(Record::Team(team))
}

fn invalid_state(what: &str) -> Decision {
    reject(RejectCode::InvalidState, what.to_owned())
}

pub(super) fn join_team<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let Some(team) = get_team(s, team_id)? else {
        return Ok(missing(s, "team"));
    };
    let previous = get_membership(s, &key(team_id, &actor.user_id))?;
    if let Some(m) = &previous
        && matches!(
            m.status,
            MembershipStatus::Active | MembershipStatus::Requested
        )
    {
        return Ok(Decision::Apply(vec![]));
    }
    // Someone once removed comes back only if a leader or staff agree
    // again (however the requests in between ended).
    let removed = previous.as_ref().is_some_and(|m| {
        m.status == MembershipStatus::Removed
            || m.history
                .iter()
                .any(|h| h.status == MembershipStatus::Removed)
    });
    let status = match team.join_policy {
        JoinPolicy::Open if !removed => MembershipStatus::Active,
        _ => MembershipStatus::Requested,
    };
    // How the earlier relation ended is kept, not overwritten.
    let history = previous.map_or_else(Vec::new, |m| {
        let mut h = m.history;
        h.push(PastMembership {
            status: m.status,
            joined_at: m.joined_at,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            reason: m.reason,
        });
        h
    });
    let membership = Membership {
        team_id: team_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        volunteer_name: actor.name.clone(),
        site_id: team.site_id.clone(),
        joined_at: at,
        status,
        role: TeamRole::Member,
        decided_by: None,
        decided_at: None,
        reason: None,
        history,
    };
    let mut effects = vec![Effect::Put(Record::Membership(membership))];
    if status == MembershipStatus::Active {
        effects.push(with_count(team, 1));
    }
    Ok(Decision::Apply(effects))
}

pub(super) fn leave_team<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
    now: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let membership = get_membership(s, &key(team_id, &actor.user_id))?;
    let Some(mut m) = membership.filter(Membership::is_active) else {
        // Leaving twice (say from two phones) is not an error.
        return Ok(if s.authoritative() {
            Decision::Apply(vec![])
        } else {
            Decision::Defer
        });
    };
    m.status = MembershipStatus::Left;
    m.role = TeamRole::Member;
    m.decided_at = Some(now);
    m.decided_by = Some(actor.user_id.clone());
    let mut effects = vec![Effect::Put(Record::Membership(m))];
    if let Some(team) = get_team(s, team_id)? {
        effects.push(with_count(team, -1));
    }
    Ok(Decision::Apply(effects))
}

pub(super) fn withdraw_join<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
    now: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let Some(mut m) = get_membership(s, &key(team_id, &actor.user_id))? else {
        return Ok(missing(s, "join request"));
    };
    match m.status {
        MembershipStatus::Withdrawn => Ok(Decision::Apply(vec![])),
        MembershipStatus::Requested => {
            m.status = MembershipStatus::Withdrawn;
            m.decided_at = Some(now);
            m.decided_by = Some(actor.user_id.clone());
            Ok(Decision::Apply(vec![Effect::Put(Record::Membership(m))]))
        }
        _ => Ok(invalid_state("there is no open join request to withdraw")),
    }
}

pub(super) fn decide_join<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (team_id, volunteer_id): (&str, &str),
    approve: bool,
    reason: Option<&str>,
) -> Result<Decision, S::Error> {
    let team = match team_authority(s, actor, team_id)? {
        Ok(t) => t,
        Err(d) => return Ok(d),
    };
    let Some(mut m) = get_membership(s, &key(team_id, volunteer_id))? else {
        return Ok(missing(s, "join request"));
    };
    let target = if approve {
        MembershipStatus::Active
    } else {
        MembershipStatus::Declined
    };
    if m.status == target && m.decided_by.as_deref() == Some(actor.user_id.as_str()) {
        return Ok(Decision::Apply(vec![])); // the same decision, replayed
    }
    if m.status != MembershipStatus::Requested {
        return Ok(invalid_state(
            "the request was already decided or withdrawn",
        ));
    }
    m.status = target;
    m.decided_by = Some(actor.user_id.clone());
    m.decided_at = Some(now);
    m.reason = reason.map(str::to_owned);
    let mut effects = vec![Effect::Put(Record::Membership(m))];
    if approve {
        effects.push(with_count(team, 1));
    }
    Ok(Decision::Apply(effects))
}

pub(super) fn remove_member<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (team_id, volunteer_id): (&str, &str),
    reason: &str,
) -> Result<Decision, S::Error> {
    if !text_ok(reason) {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!("a reason of 1 to {MAX_DESCRIPTION_CHARS} characters is required"),
        ));
    }
    let team = match team_authority(s, actor, team_id)? {
        Ok(t) => t,
        Err(d) => return Ok(d),
    };
    let Some(mut m) = get_membership(s, &key(team_id, volunteer_id))? else {
        return Ok(missing(s, "member"));
    };
    // Leaders are appointed and removed by staff: a leader cannot push out
    // a co-leader (or themself) with a removal.
    if m.leads()
        && let Err(d) = authority(
            s,
            actor,
            &team.site_id,
            None,
            "a leader is removed by staff of the team's site",
        )?
    {
        return Ok(d);
    }
    match m.status {
        MembershipStatus::Removed => Ok(Decision::Apply(vec![])),
        MembershipStatus::Active => {
            m.status = MembershipStatus::Removed;
            m.role = TeamRole::Member;
            m.decided_by = Some(actor.user_id.clone());
            m.decided_at = Some(now);
            m.reason = Some(reason.trim().to_owned());
            Ok(Decision::Apply(vec![
                Effect::Put(Record::Membership(m)),
                with_count(team, -1),
            ]))
        }
        _ => Ok(invalid_state("only an active member can be removed")),
    }
}

pub(super) fn set_team_role<S: State>(
    s: &mut S,
    actor: &Actor,
    (team_id, volunteer_id): (&str, &str),
    role: TeamRole,
) -> Result<Decision, S::Error> {
    let Some(team) = get_team(s, team_id)? else {
        return Ok(missing(s, "team"));
    };
    if let Err(d) = authority(
        s,
        actor,
        &team.site_id,
        None,
        "only staff of the team's site appoint leaders",
    )? {
        return Ok(d);
    }
    let Some(mut m) = get_membership(s, &key(team_id, volunteer_id))? else {
        return Ok(missing(s, "member"));
    };
    if !m.is_active() {
        return Ok(invalid_state("only an active member can have a role"));
    }
    if m.role == role {
        return Ok(Decision::Apply(vec![]));
    }
    m.role = role;
    Ok(Decision::Apply(vec![Effect::Put(Record::Membership(m))]))
}
