//! Hours review: the pending records in the user's scope (self-reports,
//! late records, order service), approved or rejected one by one or in
//! bulk; and open disputes, accepted or turned down. The rules decide each
//! (a reviewer never reviews their own, a late record only the site's staff).

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use volunteer_domain::{HourEntry, HourStatus, Kind, Record};

use super::names;
use crate::api::{AppState, Failure};
use crate::console::layout::{self, Flash, Nav, form_fields};
use crate::console::{Session, read};

fn entries(r: Record) -> Option<HourEntry> {
    match r {
        Record::HourEntry(h) => Some(h),
        _ => None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    render(&state, &s, flash).await
}

async fn render(state: &AppState, s: &Session, flash: Flash) -> Result<Response, Failure> {
    let t = s.t();
    let all = read(state, s, Kind::HourEntry, entries).await?;
    let me = &s.who.actor.user_id;
    let mut pending: Vec<&HourEntry> = all
        .iter()
        .filter(|h| h.status == HourStatus::Pending && &h.volunteer_id != me)
        .collect();
    pending.sort_by_key(|h| (h.due_by, h.started_at));
    let disputed: Vec<&HourEntry> = all
        .iter()
        .filter(|h| h.open_dispute().is_some() && &h.volunteer_id != me)
        .collect();
    let activities: std::collections::BTreeMap<String, String> =
        read(state, s, Kind::Activity, |r| match r {
            Record::Activity(a) => Some((a.id, a.title)),
            _ => None,
        })
        .await?
        .into_iter()
        .collect();
    let names = names(state, s).await?;
    let back = "/console/hours";
    let who = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let what = |h: &HourEntry| {
        h.activity_id
            .as_ref()
            .and_then(|a| activities.get(a).cloned())
            .unwrap_or_else(|| h.description.clone())
    };
    Ok(layout::page(
        s,
        Nav::Hours,
        t.hours_title,
        &flash,
        html! {
            p.hint { (t.hours_hint) }
            @if pending.is_empty() { p { (t.nothing_here) } } @else {
                form #bulk method="post" action="/console/act" {
                    (form_fields(s, "review_hours", back))
                }
                table #pending {
                    thead { tr {
                        th scope="col" {
                            input #select-all type="checkbox" data-select-all="bulk" aria-label=(t.select);
                        }
                        th scope="col" { (t.volunteer) } th scope="col" { (t.started) }
                        th.num scope="col" { (t.minutes) } th scope="col" { (t.source) }
                        th scope="col" { (t.activity) }
                    } }
                    tbody {
                        @for h in &pending {
                            tr data-entry=(h.id) {
                                td { input type="checkbox" name="entry" value=(h.id) form="bulk" aria-label={ (t.select) " " (who(&h.volunteer_id)) " " (layout::local(h.started_at)) }; }
                                td { (who(&h.volunteer_id)) }
                                td { (layout::local(h.started_at)) }
                                td.num { (h.minutes) }
                                td { (t.hour_source(h.source)) @if h.late { " " span.flag { (t.late) } } }
                                td { (what(h)) }
                            }
                        }
                    }
                }
                div.card {
                    p { button type="submit" form="bulk" name="approve" value="true" { (t.approve_selected) } }
                    p {
                        label for="bulk-reason" { (t.reason) " " }
                        input #bulk-reason type="text" name="reason" form="bulk" maxlength="500";
                        " "
                        button.plain type="submit" form="bulk" name="approve" value="false" { (t.reject_selected) }
                    }
                }
            }
            h2 { (t.disputes_title) }
            @if disputed.is_empty() { p { (t.nothing_here) } } @else {
                table #disputes {
                    thead { tr {
                        th scope="col" { (t.volunteer) } th scope="col" { (t.started) }
                        th.num scope="col" { (t.minutes) } th scope="col" { (t.reason) } th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for h in &disputed {
                            tr {
                                td { (who(&h.volunteer_id)) }
                                td { (layout::local(h.started_at)) }
                                td.num { (h.minutes) }
                                td { (h.open_dispute().map(|e| e.reason.clone()).unwrap_or_default()) }
                                td {
                                    form.inline method="post" action="/console/act" {
                                        (form_fields(s, "resolve_dispute", back))
                                        input type="hidden" name="entry_id" value=(h.id);
                                        label { (t.reason) " " input type="text" name="reason" required size="12"; }
                                        button type="submit" name="accept" value="true" { (t.accept_dispute) }
                                        button.plain type="submit" name="accept" value="false" { (t.reject_dispute) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}
