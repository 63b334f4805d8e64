//! The practice network's sites and its teams, as staff set them up: a
//! site opens below one its maker manages, one level down; a team forms
//! at a site its maker manages. Sites are never re-parented here (every
//! path below would change); see docs/domain.md.

use super::*;
use crate::records::{JoinPolicy, SiteLevel};

const NAME: usize = 50;
const ADDRESS: usize = 200;

fn text(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.trim().chars().count())
}

/// The level of a site directly below one of `parent`'s level.
pub fn level_below(parent: SiteLevel) -> Option<SiteLevel> {
    match parent {
        SiteLevel::Center => Some(SiteLevel::Institute),
        SiteLevel::Institute => Some(SiteLevel::Station),
        SiteLevel::Station => Some(SiteLevel::Point),
        SiteLevel::Point => None,
    }
}

pub(super) struct SiteArgs<'a> {
    pub site_id: &'a str,
    pub parent_id: &'a str,
    pub name: &'a str,
    pub address: &'a str,
}

pub(super) fn create_site<S: State>(
    s: &mut S,
    actor: &Actor,
    a: SiteArgs<'_>,
) -> Result<Decision, S::Error> {
    if !text(a.name, NAME) || a.address.chars().count() > ADDRESS {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a name of 1 to 50 characters and an address up to 200",
        ));
    }
    let Some(parent) = get_site(s, a.parent_id)? else {
        return Ok(missing(s, "parent site"));
    };
    let Some(level) = level_below(parent.level) else {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a service point is the lowest level: no site opens below it",
        ));
    };
    if let Err(d) = authority(
        s,
        actor,
        a.parent_id,
        None,
        "sites open below a site you manage",
    )? {
        return Ok(d);
    }
    let site = Site {
        id: a.site_id.to_owned(),
        parent_id: Some(parent.id.clone()),
        level,
        name: a.name.trim().to_owned(),
        path: format!("{}{}/", parent.path, a.site_id),
        address: a.address.trim().to_owned(),
    };
    if let Some(existing) = get_site(s, a.site_id)? {
        return Ok(
            if existing.parent_id == site.parent_id && existing.name == site.name {
                Decision::Apply(vec![]) // the same site, resent
            } else {
                reject(RejectCode::IdTaken, "site id already taken")
            },
        );
    }
    Ok(Decision::Apply(vec![Effect::Put(Record::Site(site))]))
}

pub(super) fn update_site<S: State>(
    s: &mut S,
    actor: &Actor,
    (site_id, name, address): (&str, &str, &str),
) -> Result<Decision, S::Error> {
    if !text(name, NAME) || address.chars().count() > ADDRESS {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a name of 1 to 50 characters and an address up to 200",
        ));
    }
    let Some(mut site) = get_site(s, site_id)? else {
        return Ok(missing(s, "site"));
    };
    if let Err(d) = authority(
        s,
        actor,
        site_id,
        None,
        "only staff of the site or above change it",
    )? {
        return Ok(d);
    }
    let (name, address) = (name.trim(), address.trim());
    if site.name == name && site.address == address {
        return Ok(Decision::Apply(vec![]));
    }
    site.name = name.to_owned();
    site.address = address.to_owned();
    Ok(Decision::Apply(vec![Effect::Put(Record::Site(site))]))
}

pub(super) struct TeamArgs<'a> {
    pub team_id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub join_policy: JoinPolicy,
}

fn bad_team_text(a: &TeamArgs<'_>) -> Option<Decision> {
    (!text(a.name, NAME) || a.description.chars().count() > MAX_DESCRIPTION_CHARS).then(|| {
        reject(
            RejectCode::InvalidInput,
            "a name of 1 to 50 characters and a description up to 500",
        )
    })
}

pub(super) fn create_team<S: State>(
    s: &mut S,
    actor: &Actor,
    site_id: &str,
    a: TeamArgs<'_>,
) -> Result<Decision, S::Error> {
    if let Some(d) = bad_team_text(&a) {
        return Ok(d);
    }
    if let Err(d) = authority(s, actor, site_id, None, "teams form at a site you manage")? {
        return Ok(d);
    }
    if let Some(existing) = get_team(s, a.team_id)? {
        return Ok(
            if existing.site_id == site_id && existing.name == a.name.trim() {
                Decision::Apply(vec![])
            } else {
                reject(RejectCode::IdTaken, "team id already taken")
            },
        );
    }
    Ok(Decision::Apply(vec![Effect::Put(Record::Team(Team {
        id: a.team_id.to_owned(),
        site_id: site_id.to_owned(),
        name: a.name.trim().to_owned(),
        description: a.description.trim().to_owned(),
        member_count: 0,
        join_policy: a.join_policy,
    }))]))
}

pub(super) fn update_team<S: State>(
    s: &mut S,
    actor: &Actor,
    a: TeamArgs<'_>,
) -> Result<Decision, S::Error> {
    if let Some(d) = bad_team_text(&a) {
        return Ok(d);
    }
    let Some(mut team) = get_team(s, a.team_id)? else {
        return Ok(missing(s, "team"));
    };
    if let Err(d) = authority(
        s,
        actor,
        &team.site_id,
        Some(a.team_id),
        "only the team's leaders or staff of its site change it",
    )? {
        return Ok(d);
    }
    let (name, description) = (a.name.trim(), a.description.trim());
    if team.name == name && team.description == description && team.join_policy == a.join_policy {
        return Ok(Decision::Apply(vec![]));
    }
    team.name = name.to_owned();
    team.description = description.to_owned();
    team.join_policy = a.join_policy;
    Ok(Decision::Apply(vec![Effect::Put(Record::Team(team))]))
}
