//! Figures: per site subtree, team and month, as tables and a chart drawn
//! on the server. The server computes them (`crate::figures`); this page
//! only shows the records the user may read.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use volunteer_domain::{Figures, Kind, Record};

use super::{my_sites, my_teams};
use crate::api::{AppState, Failure};
use crate::console::layout::{self, Flash, Nav};
use crate::console::{Session, chart, read};

#[derive(serde::Deserialize)]
pub struct Pick {
    site: Option<String>,
    #[serde(flatten)]
    flash: Flash,
}

fn hours(minutes: u64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Pick>,
) -> Result<Response, Failure> {
    render(&state, &s, q).await
}

async fn render(state: &AppState, s: &Session, q: Pick) -> Result<Response, Failure> {
    let t = s.t();
    let sites = my_sites(state, s).await?;
    let figures = read(state, s, Kind::Figures, |r| match r {
        Record::Figures(f) => Some(f),
        _ => None,
    })
    .await?;
    let site = q
        .site
        .as_deref()
        .and_then(|id| sites.iter().find(|x| x.id == id))
        .or(sites.first());
    let of_site: Option<&Figures> =
        site.and_then(|x| figures.iter().find(|f| f.key == format!("site/{}", x.id)));
    let teams = my_teams(state, s, &sites).await?;
    let projects: Vec<(volunteer_domain::Project, Figures)> =
        read(state, s, Kind::Project, |r| match r {
            Record::Project(p) => Some(p),
            _ => None,
        })
        .await?
        .into_iter()
        .filter_map(|p| {
            let f = figures
                .iter()
                .find(|f| f.key == format!("project/{}", p.id))?
                .clone();
            Some((p, f))
        })
        .collect();
    let in_subtree: Vec<_> = teams
        .iter()
        .filter(|team| {
            site.is_none_or(|x| {
                sites
                    .iter()
                    .find(|y| y.id == team.site_id)
                    .is_some_and(|y| y.path.starts_with(&x.path))
            })
        })
        .filter_map(|team| {
            figures
                .iter()
                .find(|f| f.key == format!("team/{}", team.id))
                .map(|f| (team, f))
        })
        .collect();
    // The last six months any of these teams served in, oldest first.
    let months: Vec<String> = {
        let all: std::collections::BTreeSet<&str> = in_subtree
            .iter()
            .flat_map(|(_, f)| f.minutes_by_month.iter().map(|m| m.month.as_str()))
            .collect();
        let skip = all.len().saturating_sub(6);
        all.into_iter().skip(skip).map(str::to_owned).collect()
    };
    let minutes_in = |f: &Figures, month: &str| {
        f.minutes_by_month
            .iter()
            .find(|m| m.month == month)
            .map_or(0, |m| m.minutes)
    };
    Ok(layout::page(
        s,
        Nav::Figures,
        t.figures_title,
        &q.flash,
        html! {
            p.hint { (t.figures_hint) }
            form method="get" action="/console/figures" {
                label for="fig-site" { (t.site) " " }
                select #fig-site name="site" {
                    @for x in &sites { option value=(x.id) selected[site.is_some_and(|y| y.id == x.id)] { (x.name) } }
                }
                " " button type="submit" { (t.open) }
            }
            @match of_site {
                None => p { (t.nothing_here) },
                Some(f) => {
                    table #totals {
                        tbody {
                            tr { th scope="row" { (t.volunteers_active) } td.num { (f.volunteers) } }
                            @if f.registered_volunteers > 0 { tr { th scope="row" { (t.registered_volunteers) } td.num { (f.registered_volunteers) } } }
                            tr { th scope="row" { (t.teams) } td.num { (f.teams) } }
                            tr { th scope="row" { (t.hours_confirmed) } td.num #confirmed-hours { (hours(f.confirmed_minutes)) } }
                            tr { th scope="row" { (t.person_times) } td.num #person-times { (f.person_times) } }
                        }
                    }
                    h2 { (t.hours_by_month) }
                    (chart::bars(t.chart_label, t.hours, &f.minutes_by_month.iter().map(|m| (m.month.clone(), m.minutes as f64 / 60.0)).collect::<Vec<_>>()))
                    table #by-month {
                        thead { tr { th scope="col" { (t.month) } th.num scope="col" { (t.hours) } } }
                        tbody { @for m in &f.minutes_by_month { tr { td { (m.month) } td.num { (hours(m.minutes)) } } } }
                    }
                    h2 { (t.orders_by_status) }
                    table #orders-by-status {
                        thead { tr { th scope="col" { (t.status) } th.num scope="col" { (t.count) } } }
                        tbody { @for o in &f.orders { tr { td { (t.order_status(o.status)) } td.num { (o.count) } } } }
                    }
                }
            }
            h2 { (t.projects) }
            @if projects.is_empty() { p { (t.nothing_here) } } @else {
                table #by-project {
                    thead { tr { th scope="col" { (t.project) } th.num scope="col" { (t.volunteers_active) } th.num scope="col" { (t.hours_confirmed) } th.num scope="col" { (t.person_times) } th.num scope="col" { (t.orders_by_status) } } }
                    tbody { @for (p, f) in &projects { tr { td { (p.name) } td.num { (f.volunteers) } td.num { (hours(f.confirmed_minutes)) } td.num { (f.person_times) } td.num { (f.orders.iter().map(|o| o.count).sum::<u32>()) } } } }
                }
            }
            h2 { (t.by_team) }
            @if in_subtree.is_empty() { p { (t.nothing_here) } } @else {
                table #by-team {
                    thead { tr { th scope="col" { (t.team) } th.num scope="col" { (t.volunteers_active) } th.num scope="col" { (t.hours_confirmed) } th.num scope="col" { (t.person_times) } } }
                    tbody { @for (team, f) in &in_subtree { tr { td { (team.name) } td.num { (f.volunteers) } td.num { (hours(f.confirmed_minutes)) } td.num { (f.person_times) } } } }
                }
            }
            @if !months.is_empty() {
                h2 { (t.team_months) }
                table #team-months {
                    thead { tr { th scope="col" { (t.team) } @for m in &months { th.num scope="col" { (m) } } } }
                    tbody { @for (team, f) in &in_subtree { tr { th scope="row" { (team.name) } @for m in &months { td.num { (hours(minutes_in(f, m))) } } } } }
                }
            }
        },
    ))
}
