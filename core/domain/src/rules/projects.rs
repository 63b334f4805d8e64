//! Brand projects: a site's staff (or a team's leaders, for their team)
//! start one; those who organise an activity, or staff of an order's site,
//! link it to a project they may use (one of their sites', or their
//! team's). Figures per project are the server's (`figures.rs`).

use super::*;
use crate::records::Project;

pub(super) struct NewProject<'a> {
    pub project_id: &'a str,
    pub site_id: &'a str,
    pub team_id: Option<&'a str>,
    pub name: &'a str,
    pub description: &'a str,
}

pub(super) fn create_project<S: State>(
    s: &mut S,
    actor: &Actor,
    p: NewProject<'_>,
) -> Result<Decision, S::Error> {
    let name = p.name.trim();
    if !(1..=50).contains(&name.chars().count())
        || p.description.chars().count() > MAX_DESCRIPTION_CHARS
    {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a name of 1 to 50 characters and a description up to 500",
        ));
    }
    if let Some(team_id) = p.team_id {
        let Some(team) = get_team(s, team_id)? else {
            return Ok(missing(s, "team"));
        };
        if team.site_id != p.site_id {
            return Ok(reject(
                RejectCode::InvalidInput,
                "a team's project belongs to the team's site",
            ));
        }
    }
    if let Err(d) = authority(
        s,
        actor,
        p.site_id,
        p.team_id,
        "projects are started by staff of the site or the owning team's leaders",
    )? {
        return Ok(d);
    }
    if let Some(existing) = get_project(s, p.project_id)? {
        return Ok(
            if existing.created_by == actor.user_id && existing.name == name {
                Decision::Apply(vec![])
            } else {
                reject(RejectCode::IdTaken, "project id already taken")
            },
        );
    }
    Ok(Decision::Apply(vec![Effect::Put(Record::Project(
        Project {
            id: p.project_id.to_owned(),
            site_id: p.site_id.to_owned(),
            team_id: p.team_id.map(str::to_owned),
            name: name.to_owned(),
            description: p.description.trim().to_owned(),
            created_by: actor.user_id.clone(),
        },
    ))]))
}

pub(super) fn assign_project<S: State>(
    s: &mut S,
    actor: &Actor,
    (project_id, activity_id, order_id): (Option<&str>, Option<&str>, Option<&str>),
) -> Result<Decision, S::Error> {
    if let Some(project_id) = project_id {
        let Some(project) = get_project(s, project_id)? else {
            return Ok(missing(s, "project"));
        };
        if let Err(d) = authority(
            s,
            actor,
            &project.site_id,
            project.team_id.as_deref(),
            "link only to a project of your sites or your team",
        )? {
            return Ok(d);
        }
    }
    let project = project_id.map(str::to_owned);
    match (activity_id, order_id) {
        (Some(id), None) => {
            let Some(mut a) = get_activity(s, id)? else {
                return Ok(missing(s, "activity"));
            };
            if let Err(d) =
                super::activities::organiser(s, actor, &a.site_id, a.team_id.as_deref())?
            {
                return Ok(d);
            }
            if a.project_id == project {
                return Ok(Decision::Apply(vec![]));
            }
            a.project_id = project;
            Ok(Decision::Apply(vec![Effect::Put(Record::Activity(a))]))
        }
        (None, Some(id)) => {
            let Some(mut o) = get_order(s, id)? else {
                return Ok(missing(s, "order"));
            };
            if let Err(d) = authority(
                s,
                actor,
                &o.site_id,
                None,
                "staff of the order's site link it",
            )? {
                return Ok(d);
            }
            if o.project_id == project {
                return Ok(Decision::Apply(vec![]));
            }
            o.project_id = project;
            Ok(Decision::Apply(vec![Effect::Put(Record::ServiceOrder(o))]))
        }
        _ => Ok(reject(
            RejectCode::InvalidInput,
            "name exactly one activity or order",
        )),
    }
}
