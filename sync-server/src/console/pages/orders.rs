//! The dispatch desk: residents' orders by state and age, an order taken
//! by phone, dispatch, withdraw or take back (to reassign), cancel, and
//! link to a brand project. A contact shows only where the user may read
//! it (the order's site staff and above).

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use maud::{Markup, html};
use std::collections::{BTreeMap, BTreeSet};
use volunteer_domain::{
    AccountStatus, Kind, MembershipStatus, OrderStatus, Project, Record, Role, ServiceOrder,
};

use super::{accounts, my_sites, my_teams, names, site_name};
use crate::api::{AppState, Failure};
use crate::console::layout::{self, Flash, Nav, form_fields, new_id};
use crate::console::{Session, read};

#[derive(serde::Deserialize)]
pub struct Filter {
    status: Option<String>,
    #[serde(flatten)]
    flash: Flash,
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Filter>,
) -> Result<Response, Failure> {
    render(&state, &s, q).await
}

async fn render(state: &AppState, s: &Session, q: Filter) -> Result<Response, Failure> {
    let t = s.t();
    let status = q.status.as_deref().and_then(OrderStatus::parse);
    let mut orders = read(state, s, Kind::ServiceOrder, |r| match r {
        Record::ServiceOrder(o) => Some(o),
        _ => None,
    })
    .await?;
    orders.retain(|o| status.is_none_or(|st| o.status == st));
    orders.sort_by_key(|o| o.created_at);
    let contacts: BTreeMap<String, (String, String)> =
        read(state, s, Kind::OrderContact, |r| match r {
            Record::OrderContact(c) if !c.is_assignee_copy() => {
                Some((c.order_id, (c.phone, c.address)))
            }
            _ => None,
        })
        .await?
        .into_iter()
        .collect();
    let sites = my_sites(state, s).await?;
    let teams = my_teams(state, s, &sites).await?;
    let names = names(state, s).await?;
    let residents: Vec<_> = read(state, s, Kind::Account, accounts)
        .await?
        .into_iter()
        .filter(|a| a.role == Role::Resident && a.status != AccountStatus::Deactivated)
        .collect();
    let team_ids: BTreeSet<&str> = teams.iter().map(|t| t.id.as_str()).collect();
    let volunteers: BTreeMap<String, String> = read(state, s, Kind::Membership, |r| match r {
        Record::Membership(m) => Some(m),
        _ => None,
    })
    .await?
    .into_iter()
    .filter(|m| m.status == MembershipStatus::Active && team_ids.contains(m.team_id.as_str()))
    .map(|m| (m.volunteer_id, m.volunteer_name))
    .collect();
    let projects: Vec<Project> = read(state, s, Kind::Project, |r| match r {
        Record::Project(p) => Some(p),
        _ => None,
    })
    .await?;
    let now = Utc::now();
    let back = match status {
        Some(st) => format!("/console/orders?status={st}"),
        None => "/console/orders".to_owned(),
    };
    let assignee = |o: &ServiceOrder| -> String {
        match (&o.assignee_team_id, &o.assignee_volunteer_id) {
            (Some(team), _) => teams
                .iter()
                .find(|x| &x.id == team)
                .map_or_else(|| team.clone(), |x| x.name.clone()),
            (None, Some(v)) => names.get(v).cloned().unwrap_or_else(|| v.clone()),
            _ => t.none.to_owned(),
        }
    };
    let actions = |o: &ServiceOrder| -> Markup {
        html! {
            @if o.status == OrderStatus::Submitted {
                form.inline method="post" action="/console/act" {
                    (form_fields(s, "dispatch_order", &back))
                    input type="hidden" name="order_id" value=(o.id);
                    label { (t.to_team) " "
                        select name="team_id" {
                            option value="" { (t.none) }
                            @for team in &teams { option value=(team.id) { (team.name) } }
                        }
                    }
                    label { (t.to_volunteer) " "
                        select name="volunteer_id" {
                            option value="" { (t.none) }
                            @for (id, name) in &volunteers { option value=(id) { (name) } }
                        }
                    }
                    button type="submit" { (t.dispatch) }
                }
            }
            @if matches!(o.status, OrderStatus::Dispatched | OrderStatus::Accepted) {
                form.inline method="post" action="/console/act" {
                    (form_fields(s, "withdraw_order", &back))
                    input type="hidden" name="order_id" value=(o.id);
                    label { (t.reason) " " input type="text" name="reason" required size="10"; }
                    button.plain type="submit" {
                        @if o.status == OrderStatus::Accepted { (t.take_back) } @else { (t.withdraw) }
                    }
                }
            }
            @if !projects.is_empty() && !matches!(o.status, OrderStatus::Cancelled) {
                form.inline method="post" action="/console/act" {
                    (form_fields(s, "assign_project", &back))
                    input type="hidden" name="order_id" value=(o.id);
                    label { (t.project) " "
                        select name="project_id" {
                            option value="" { (t.none) }
                            @for p in &projects { option value=(p.id) selected[o.project_id.as_deref() == Some(p.id.as_str())] { (p.name) } }
                        }
                    }
                    button.plain type="submit" { (t.link_project) }
                }
            }
            @if matches!(o.status, OrderStatus::Submitted | OrderStatus::Dispatched | OrderStatus::Accepted) {
                form.inline method="post" action="/console/act" {
                    (form_fields(s, "cancel_order", &back))
                    input type="hidden" name="order_id" value=(o.id);
                    label { (t.reason) " " input type="text" name="reason" required size="10"; }
                    button.plain type="submit" { (t.cancel_order) }
                }
            }
        }
    };
    let tab = |st: Option<OrderStatus>, label: &str| {
        let href = match st {
            Some(st) => format!("/console/orders?status={st}"),
            None => "/console/orders".to_owned(),
        };
        html! { li { a href=(href) aria-current=[(st == status).then_some("page")] { (label) } } }
    };
    Ok(layout::page(
        s,
        Nav::Orders,
        t.orders_title,
        &q.flash,
        html! {
            p.hint { (t.reassign_hint) }
            nav aria-label=(t.status) {
                ul.tabs {
                    (tab(None, t.all_states))
                    @for st in OrderStatus::ALL { (tab(Some(st), t.order_status(st))) }
                }
            }
            @if orders.is_empty() { p { (t.nothing_here) } } @else {
                table #orders {
                    thead { tr {
                        th scope="col" { (t.placed) } th scope="col" { (t.age) } th scope="col" { (t.category) }
                        th scope="col" { (t.description) } th scope="col" { (t.resident) } th scope="col" { (t.site) }
                        th scope="col" { (t.status) } th scope="col" { (t.assignee) } th scope="col" { (t.contact) }
                        th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for o in &orders {
                            tr data-order=(o.id) {
                                td { (layout::local(o.created_at)) }
                                td { (layout::age(t, o.created_at, now)) }
                                td { (o.category) }
                                td { (o.description) }
                                td { (o.requester_name) }
                                td { (site_name(&sites, &o.site_id)) }
                                td.status { (t.order_status(o.status)) }
                                td { (assignee(o)) }
                                td { @match contacts.get(&o.id) {
                                    Some((phone, address)) => { (phone) br; (address) },
                                    None => span.hint { (t.contact_hidden) },
                                } }
                                td { (actions(o)) }
                            }
                        }
                    }
                }
            }
            h2 #phone-order { (t.phone_order_title) }
            @if residents.is_empty() { p.hint { (t.no_residents) } } @else {
                form.card method="post" action="/console/act" aria-labelledby="phone-order" {
                    (form_fields(s, "place_order", &back))
                    input type="hidden" name="order_id" value=(new_id());
                    p.hint { (t.phone_order_hint) }
                    label for="po-resident" { (t.resident) }
                    select #po-resident name="requester_id" required {
                        @for r in &residents { option value=(r.user_id) { (r.display_name) } }
                    }
                    label for="po-site" { (t.site) }
                    select #po-site name="site_id" required {
                        @for site in &sites { option value=(site.id) { (site.name) } }
                    }
                    label for="po-category" { (t.category) }
                    input #po-category type="text" name="category" required maxlength="50";
                    label for="po-description" { (t.description) }
                    textarea #po-description name="description" required maxlength="500" {}
                    label for="po-phone" { (t.phone) }
                    input #po-phone type="tel" name="phone" required maxlength="20";
                    label for="po-address" { (t.address) }
                    input #po-address type="text" name="address" required maxlength="200";
                    label for="po-desired" { (t.desired_at) (t.optional) }
                    input #po-desired type="datetime-local" name="desired_at";
                    p { button type="submit" { (t.place_order) } }
                }
            }
        },
    ))
}
