//! Activities: create, publish, cancel; the roster with signups, the
//! waitlist and attendance, checked in and out at a desk, and walk-ins.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use maud::html;
use std::collections::BTreeMap;
use volunteer_domain::{Activity, ActivityStatus, Kind, MembershipStatus, Record, SignupStatus};

use super::{my_sites, my_teams, site_name};
use crate::api::{AppState, Failure};
use crate::console::layout::{self, Flash, Nav, form_fields, new_id};
use crate::console::{Session, read};

fn activities(r: Record) -> Option<Activity> {
    match r {
        Record::Activity(a) => Some(a),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    render_list(&state, &s, flash).await
}

async fn render_list(state: &AppState, s: &Session, flash: Flash) -> Result<Response, Failure> {
    let t = s.t();
    let sites = my_sites(state, s).await?;
    let teams = my_teams(state, s, &sites).await?;
    let mut all = read(state, s, Kind::Activity, activities).await?;
    // Those the user organises: at their sites, or of a team they lead.
    all.retain(|a| {
        sites.iter().any(|x| x.id == a.site_id)
            || a.team_id
                .as_deref()
                .is_some_and(|team| s.who.actor.leads(team))
    });
    let cutoff = Utc::now() - Duration::days(30);
    all.retain(|a| a.ends_at >= cutoff);
    all.sort_by_key(|a| a.starts_at);
    let back = "/console/activities";
    let start = Utc::now() + Duration::days(1);
    Ok(layout::page(
        s,
        Nav::Activities,
        t.activities_title,
        &flash,
        html! {
            @if all.is_empty() { p { (t.nothing_here) } } @else {
                table #activities {
                    thead { tr {
                        th scope="col" { (t.title) } th scope="col" { (t.starts_at) } th scope="col" { (t.site) }
                        th scope="col" { (t.status) } th.num scope="col" { (t.places) } th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for a in &all {
                            tr data-activity=(a.id) {
                                td { a href={ "/console/activities/" (a.id) } { (a.title) } }
                                td { (layout::local(a.starts_at)) }
                                td { (site_name(&sites, &a.site_id)) }
                                td { (t.activity_status(a.status)) }
                                td.num { (a.signup_count) " / " (a.capacity) }
                                td {
                                    @if a.status == ActivityStatus::Draft {
                                        form.inline method="post" action="/console/act" {
                                            (form_fields(s, "publish_activity", back))
                                            input type="hidden" name="activity_id" value=(a.id);
                                            button type="submit" { (t.publish) }
                                        }
                                    }
                                    @if matches!(a.status, ActivityStatus::Draft | ActivityStatus::Published | ActivityStatus::InProgress) {
                                        form.inline method="post" action="/console/act" {
                                            (form_fields(s, "cancel_activity", back))
                                            input type="hidden" name="activity_id" value=(a.id);
                                            label { (t.reason) " " input type="text" name="reason" required size="10"; }
                                            button.plain type="submit" { (t.cancel_activity) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 #new-activity { (t.new_activity) }
            form.card method="post" action="/console/act" aria-labelledby="new-activity" {
                (form_fields(s, "create_activity", back))
                input type="hidden" name="activity_id" value=(new_id());
                label for="na-site" { (t.site) }
                select #na-site name="site_id" required {
                    @for site in &sites { option value=(site.id) { (site.name) } }
                }
                label for="na-team" { (t.team) (t.optional) }
                select #na-team name="team_id" {
                    option value="" { (t.none) }
                    @for team in &teams { option value=(team.id) { (team.name) } }
                }
                label for="na-title" { (t.title) }
                input #na-title type="text" name="title" required maxlength="100";
                label for="na-description" { (t.description) }
                textarea #na-description name="description" maxlength="500" {}
                label for="na-starts" { (t.starts_at) }
                input #na-starts type="datetime-local" name="starts_at" required value=(layout::local_input(start));
                label for="na-ends" { (t.ends_at) }
                input #na-ends type="datetime-local" name="ends_at" required value=(layout::local_input(start + Duration::hours(2)));
                label for="na-capacity" { (t.capacity) }
                input #na-capacity type="number" name="capacity" min="1" max="10000" value="20" required;
                input type="hidden" name="waitlist" value="false";
                label { input type="checkbox" name="waitlist" value="true"; " " (t.waitlist) }
                input type="hidden" name="walk_ins" value="false";
                label { input type="checkbox" name="walk_ins" value="true" checked; " " (t.walk_ins) }
                p { button type="submit" { (t.create) } }
            }
        },
    ))
}

pub async fn roster(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    render_roster(&state, &s, &id, flash).await
}

async fn render_roster(
    state: &AppState,
    s: &Session,
    id: &str,
    flash: Flash,
) -> Result<Response, Failure> {
    let t = s.t();
    let Some(activity) = read(state, s, Kind::Activity, activities)
        .await?
        .into_iter()
        .find(|a| a.id == id)
    else {
        return Ok(layout::refusal(s, t.nothing_here));
    };
    let signups: Vec<_> = read(state, s, Kind::Signup, |r| match r {
        Record::Signup(x) => Some(x),
        _ => None,
    })
    .await?
    .into_iter()
    .filter(|x| x.activity_id == id)
    .collect();
    let attendance: BTreeMap<String, volunteer_domain::Attendance> =
        read(state, s, Kind::Attendance, |r| match r {
            Record::Attendance(x) => Some(x),
            _ => None,
        })
        .await?
        .into_iter()
        .filter(|x| x.activity_id == id)
        .map(|x| (x.volunteer_id.clone(), x))
        .collect();
    // Everyone on the roster: signed up, or checked in as a walk-in.
    let mut rows: BTreeMap<String, (String, Option<(SignupStatus, u32)>)> = BTreeMap::new();
    for x in &signups {
        rows.insert(
            x.volunteer_id.clone(),
            (x.volunteer_name.clone(), Some((x.status, x.position))),
        );
    }
    for (v, a) in &attendance {
        rows.entry(v.clone())
            .or_insert((a.volunteer_name.clone(), None));
    }
    // Walk-ins: members of the user's teams who are not on the roster.
    let sites = my_sites(state, s).await?;
    let teams = my_teams(state, s, &sites).await?;
    let mut walk_ins: BTreeMap<String, String> = BTreeMap::new();
    for r in read(state, s, Kind::Membership, Some).await? {
        if let Record::Membership(m) = r
            && m.status == MembershipStatus::Active
            && teams.iter().any(|team| team.id == m.team_id)
            && !rows.contains_key(&m.volunteer_id)
        {
            walk_ins.insert(m.volunteer_id, m.volunteer_name);
        }
    }
    let back = format!("/console/activities/{id}");
    let title = format!("{} · {}", t.roster, activity.title);
    let projects: Vec<volunteer_domain::Project> = read(state, s, Kind::Project, |r| match r {
        Record::Project(p) => Some(p),
        _ => None,
    })
    .await?
    .into_iter()
    .filter(|p| {
        sites.iter().any(|x| x.id == p.site_id)
            || p.team_id.as_deref().is_some_and(|t| s.who.actor.leads(t))
    })
    .collect();
    Ok(layout::page(
        s,
        Nav::Activities,
        &title,
        &flash,
        html! {
            p { (layout::local(activity.starts_at)) " – " (layout::local(activity.ends_at)) " · " (t.activity_status(activity.status)) " · " (activity.signup_count) " / " (activity.capacity) }
            @if rows.is_empty() { p { (t.nothing_here) } } @else {
                table #roster {
                    thead { tr {
                        th scope="col" { (t.name) } th scope="col" { (t.status) }
                        th scope="col" { (t.checked_in) } th scope="col" { (t.checked_out) } th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for (volunteer, (name, place)) in &rows {
                            @let att = attendance.get(volunteer);
                            tr data-volunteer=(volunteer) {
                                td { (name) }
                                td { @match place {
                                    Some((SignupStatus::Confirmed, _)) => { (t.signed_up) },
                                    Some((SignupStatus::Waitlisted, n)) => { (t.waitlisted) " " (t.position) " " (n) },
                                    None => { (t.walk_in) },
                                } }
                                td { @if let Some(a) = att { (layout::local(a.checked_in_at)) } }
                                td { @if let Some(out) = att.and_then(|a| a.checked_out_at) { (layout::local(out)) } }
                                td {
                                    @if att.is_none() {
                                        form.inline method="post" action="/console/act" {
                                            (form_fields(s, "check_in", &back))
                                            input type="hidden" name="activity_id" value=(id);
                                            input type="hidden" name="volunteer_id" value=(volunteer);
                                            input type="hidden" name="at" value="now";
                                            button type="submit" aria-label={ (t.check_in) " " (name) } { (t.check_in) }
                                        }
                                    } @else if att.is_some_and(|a| a.checked_out_at.is_none()) {
                                        form.inline method="post" action="/console/act" {
                                            (form_fields(s, "check_out", &back))
                                            input type="hidden" name="activity_id" value=(id);
                                            input type="hidden" name="volunteer_id" value=(volunteer);
                                            input type="hidden" name="at" value="now";
                                            button type="submit" aria-label={ (t.check_out) " " (name) } { (t.check_out) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if activity.walk_ins && !walk_ins.is_empty() {
                h2 #walk-in { (t.walk_in) }
                form.card method="post" action="/console/act" aria-labelledby="walk-in" {
                    (form_fields(s, "check_in", &back))
                    input type="hidden" name="activity_id" value=(id);
                    input type="hidden" name="at" value="now";
                    label for="wi-volunteer" { (t.volunteer) }
                    select #wi-volunteer name="volunteer_id" required {
                        @for (v, name) in &walk_ins { option value=(v) { (name) } }
                    }
                    p { button type="submit" { (t.check_in) } }
                }
            }
            @if !projects.is_empty() {
                h2 #link-project { (t.link_project) }
                form.card method="post" action="/console/act" aria-labelledby="link-project" {
                    (form_fields(s, "assign_project", &back))
                    input type="hidden" name="activity_id" value=(id);
                    label for="lp-project" { (t.project) }
                    select #lp-project name="project_id" {
                        option value="" { (t.none) }
                        @for p in &projects { option value=(p.id) selected[activity.project_id.as_deref() == Some(p.id.as_str())] { (p.name) } }
                    }
                    p { button type="submit" { (t.link_project) } }
                }
            }
            p { a href="/console/activities" { (t.back) } }
        },
    ))
}
