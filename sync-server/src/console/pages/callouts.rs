//! Call-outs: publish one for teams, a site's subtree or everyone; watch
//! the responses come in; stop them early or widen the call. The
//! responders are the call's roster (the activities page checks them in).

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use maud::{Markup, html};
use volunteer_domain::{Activity, ActivityStatus, Audience, Kind, Record, Site, Team};

use super::{my_sites, my_teams, site_name};
use crate::api::{AppState, Failure};
use crate::console::layout::{self, Flash, Nav, form_fields, new_id};
use crate::console::text::Text;
use crate::console::{Session, read};

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    render(&state, &s, flash).await
}

fn audience_label(t: &Text, a: &Audience, teams: &[Team], sites: &[Site]) -> String {
    if a.everyone() {
        return t.audience_everyone.to_owned();
    }
    let mut parts: Vec<String> = a
        .team_ids
        .iter()
        .map(|id| {
            teams
                .iter()
                .find(|x| &x.id == id)
                .map_or(id.clone(), |x| x.name.clone())
        })
        .collect();
    if let Some(site) = &a.site_id {
        parts.push(format!(
            "{}（{}）",
            site_name(sites, site),
            t.audience_subtree
        ));
    }
    parts.join("、")
}

/// The audience fields of a form: team boxes and a subtree choice.
fn audience_fields(
    t: &Text,
    prefix: &str,
    teams: &[Team],
    sites: &[Site],
    current: &Audience,
) -> Markup {
    html! {
        fieldset {
            legend { (t.audience) }
            p.hint { (t.audience_hint) }
            @for team in teams {
                label { input type="checkbox" name="audience.team_ids" value=(team.id) checked[current.team_ids.contains(&team.id)]; " " (team.name) }
            }
            label for={ (prefix) "-subtree" } { (t.audience_subtree) }
            select id={ (prefix) "-subtree" } name="audience.site_id" {
                option value="" { (t.none) }
                @for x in sites { option value=(x.id) selected[current.site_id.as_deref() == Some(x.id.as_str())] { (x.name) } }
            }
        }
    }
}

async fn render(state: &AppState, s: &Session, flash: Flash) -> Result<Response, Failure> {
    let t = s.t();
    let sites = my_sites(state, s).await?;
    let teams = my_teams(state, s, &sites).await?;
    let mut calls: Vec<Activity> = read(state, s, Kind::Activity, |r| match r {
        Record::Activity(a) if a.callout => Some(a),
        _ => None,
    })
    .await?;
    calls.retain(|a| {
        sites.iter().any(|x| x.id == a.site_id) && a.ends_at > Utc::now() - Duration::days(7)
    });
    calls.sort_by_key(|a| std::cmp::Reverse(a.starts_at));
    let now = Utc::now();
    let back = "/console/callouts";
    let start = now + Duration::minutes(30);
    Ok(layout::page(
        s,
        Nav::CallOuts,
        t.callouts_title,
        &flash,
        html! {
            @if calls.is_empty() { p { (t.nothing_here) } } @else {
                table #callouts {
                    thead { tr {
                        th scope="col" { (t.title) } th scope="col" { (t.starts_at) } th scope="col" { (t.site) }
                        th scope="col" { (t.audience) } th.num scope="col" { (t.responses) } th scope="col" { (t.status) } th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for a in &calls {
                            @let stopped = a.signup_deadline.is_some_and(|d| d <= now);
                            tr data-callout=(a.id) {
                                td { a href={ "/console/activities/" (a.id) } { (a.title) } }
                                td { (layout::local(a.starts_at)) }
                                td { (site_name(&sites, &a.site_id)) }
                                td { (audience_label(t, &a.audience, &teams, &sites)) }
                                td.num.responses { (a.signup_count) " / " (a.capacity) }
                                td { (t.activity_status(a.status)) @if stopped { " · " (t.closed) } }
                                td {
                                    @if a.status == ActivityStatus::Published {
                                        @if !stopped {
                                            form.inline method="post" action="/console/act" {
                                                (form_fields(s, "close_call_out", back))
                                                input type="hidden" name="activity_id" value=(a.id);
                                                button.plain type="submit" { (t.close_early) }
                                            }
                                        }
                                        details {
                                            summary { (t.widen) }
                                            form method="post" action="/console/act" {
                                                (form_fields(s, "widen_call_out", back))
                                                input type="hidden" name="activity_id" value=(a.id);
                                                (audience_fields(t, &format!("widen-{}", a.id), &teams, &sites, &a.audience))
                                                label { (t.needed) " " input type="number" name="needed" min=(a.capacity) max="10000" value=(a.capacity) required; }
                                                button type="submit" { (t.widen) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 #new-callout { (t.new_callout) }
            form.card method="post" action="/console/act" aria-labelledby="new-callout" {
                (form_fields(s, "create_call_out", back))
                input type="hidden" name="activity_id" value=(new_id());
                label for="co-site" { (t.site) }
                select #co-site name="site_id" required {
                    @for x in &sites { option value=(x.id) { (x.name) } }
                }
                label for="co-title" { (t.title) }
                input #co-title type="text" name="title" required maxlength="100";
                label for="co-description" { (t.description) }
                textarea #co-description name="description" maxlength="500" {}
                label for="co-starts" { (t.starts_at) }
                input #co-starts type="datetime-local" name="starts_at" required value=(layout::local_input(start));
                label for="co-ends" { (t.ends_at) }
                input #co-ends type="datetime-local" name="ends_at" required value=(layout::local_input(start + Duration::hours(3)));
                label for="co-needed" { (t.needed) }
                input #co-needed type="number" name="needed" min="1" max="10000" value="10" required;
                (audience_fields(t, "co", &teams, &sites, &Audience::default()))
                p { button type="submit" { (t.publish_now) } }
            }
        },
    ))
}
