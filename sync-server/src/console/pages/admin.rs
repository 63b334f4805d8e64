//! Administration: accounts (make, move to another role or site, switch
//! off and on, issue an activation or reset code), sites and teams (open
//! and edit). Each form is a mutation decided by the
//! rules; a code is issued by the same call the app's staff use.

use axum::extract::{Path, Query, RawForm, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use volunteer_domain::{AccountStatus, JoinPolicy, Kind, Role};

use super::{accounts, my_sites, my_teams, site_name};
use crate::api::{AppState, Failure, blocking, password_slot};
use crate::console::layout::{self, Flash, Nav, form_fields, new_id};
use crate::console::{Session, forms, genuine, read};
use crate::onboarding::new_code;
use crate::storage::Refusal;

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    render(&state, &s, flash).await
}

async fn render(state: &AppState, s: &Session, flash: Flash) -> Result<Response, Failure> {
    let t = s.t();
    let sites = my_sites(state, s).await?;
    let all_sites = read(state, s, Kind::Site, super::sites).await?;
    let mut people = read(state, s, Kind::Account, accounts).await?;
    people.retain(|a| a.user_id != s.who.actor.user_id);
    people.sort_by(|a, b| (a.role, &a.display_name).cmp(&(b.role, &b.display_name)));
    let teams = my_teams(state, s, &sites).await?;
    let back = "/console/admin";
    let roles = roles_made_by(s);
    Ok(layout::page(
        s,
        Nav::Admin,
        t.admin_title,
        &flash,
        html! {
            h2 { (t.accounts) }
            @if people.is_empty() { p { (t.nothing_here) } } @else {
                table #accounts {
                    thead { tr {
                        th scope="col" { (t.name) } th scope="col" { (t.role) } th scope="col" { (t.site) }
                        th scope="col" { (t.phone) } th scope="col" { (t.status) } th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for a in &people {
                            tr data-account=(a.user_id) {
                                td { (a.display_name) }
                                td { (t.role(a.role)) }
                                td { @match &a.site_id { Some(id) => { (site_name(&all_sites, id)) }, None => { (t.none) } } }
                                td { (a.phone_masked.as_deref().unwrap_or(t.none)) }
                                td { (t.account_status(a.status)) }
                                td {
                                    @if a.status != AccountStatus::Deactivated && !roles.is_empty() {
                                        a href={ "/console/admin/accounts/" (a.user_id) } aria-label={ (t.change_post) " " (a.display_name) } { (t.change_post) }
                                        " "
                                    }
                                    @if a.status != AccountStatus::Deactivated {
                                        form.inline method="post" action="/console/admin/code" {
                                            input type="hidden" name="csrf" value=(s.csrf);
                                            input type="hidden" name="user_id" value=(a.user_id);
                                            button.plain type="submit" aria-label={ (t.issue_code) " " (a.display_name) } { (t.issue_code) }
                                        }
                                        form.inline method="post" action="/console/act" {
                                            (form_fields(s, "deactivate_account", back))
                                            input type="hidden" name="user_id" value=(a.user_id);
                                            label { (t.reason) " " input type="text" name="reason" required size="8"; }
                                            button.plain type="submit" { (t.deactivate) }
                                        }
                                    } @else {
                                        form.inline method="post" action="/console/act" {
                                            (form_fields(s, "reactivate_account", back))
                                            input type="hidden" name="user_id" value=(a.user_id);
                                            button.plain type="submit" { (t.reactivate) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !roles.is_empty() {
                h2 #new-account { (t.new_account) }
                form.card method="post" action="/console/act" aria-labelledby="new-account" {
                    (form_fields(s, "create_account", back))
                    input type="hidden" name="user_id" value=(new_id());
                    p.hint { (t.new_account_hint) }
                    label for="acc-name" { (t.name) }
                    input #acc-name type="text" name="display_name" required maxlength="50";
                    label for="acc-phone" { (t.phone) }
                    input #acc-phone type="tel" name="phone" required maxlength="20";
                    label for="acc-role" { (t.role) }
                    select #acc-role name="role" {
                        @for r in roles { option value=(r.as_str()) { (t.role(*r)) } }
                    }
                    label for="acc-site" { (t.site) }
                    select #acc-site name="site_id" required {
                        @for x in &sites { option value=(x.id) { (x.name) } }
                    }
                    p { button type="submit" { (t.create) } }
                }
                h2 #new-site { (t.new_site) }
                form.card method="post" action="/console/act" aria-labelledby="new-site" {
                    (form_fields(s, "create_site", back))
                    input type="hidden" name="site_id" value=(new_id());
                    label for="site-parent" { (t.parent_site) }
                    select #site-parent name="parent_id" required {
                        @for x in sites.iter().filter(|x| volunteer_domain::rules::level_below(x.level).is_some()) {
                            option value=(x.id) { (x.name) " (" (t.site_level(x.level)) ")" }
                        }
                    }
                    label for="site-name" { (t.name) }
                    input #site-name type="text" name="name" required maxlength="50";
                    label for="site-address" { (t.address) }
                    input #site-address type="text" name="address" maxlength="200";
                    p { button type="submit" { (t.create) } }
                }
                h2 #new-team { (t.new_team) }
                form.card method="post" action="/console/act" aria-labelledby="new-team" {
                    (form_fields(s, "create_team", back))
                    input type="hidden" name="team_id" value=(new_id());
                    label for="team-site" { (t.site) }
                    select #team-site name="site_id" required {
                        @for x in &sites { option value=(x.id) { (x.name) } }
                    }
                    label for="team-name" { (t.name) }
                    input #team-name type="text" name="name" required maxlength="50";
                    label for="team-description" { (t.description) }
                    textarea #team-description name="description" maxlength="500" {}
                    label for="team-policy" { (t.join_policy) }
                    select #team-policy name="join_policy" {
                        @for p in JoinPolicy::ALL { option value=(p.as_str()) { (t.join_policy(p)) } }
                    }
                    p { button type="submit" { (t.create) } }
                }
            }
            @if !roles.is_empty() {
                h2 #new-project { (t.new_project) }
                form.card method="post" action="/console/act" aria-labelledby="new-project" {
                    (form_fields(s, "create_project", back))
                    input type="hidden" name="project_id" value=(new_id());
                    label for="proj-site" { (t.site) }
                    select #proj-site name="site_id" required {
                        @for x in &sites { option value=(x.id) { (x.name) } }
                    }
                    label for="proj-name" { (t.name) }
                    input #proj-name type="text" name="name" required maxlength="50";
                    label for="proj-description" { (t.description) }
                    textarea #proj-description name="description" maxlength="500" {}
                    p { button type="submit" { (t.create) } }
                }
                (super::transfer::forms(s))
            }
            h2 { (t.sites) }
            table #sites {
                thead { tr { th scope="col" { (t.name) } th scope="col" { (t.level) } th scope="col" { (t.address) } th scope="col" { (t.actions) } } }
                tbody { @for x in &sites { tr data-site=(x.id) {
                    td { (x.name) } td { (t.site_level(x.level)) } td { (x.address) }
                    td { details.edit {
                        summary { (t.edit) }
                        form method="post" action="/console/act" {
                            (form_fields(s, "update_site", back))
                            input type="hidden" name="site_id" value=(x.id);
                            label { (t.name) " " input type="text" name="name" value=(x.name) required maxlength="50"; }
                            label { (t.address) " " input type="text" name="address" value=(x.address) maxlength="200"; }
                            button.plain type="submit" { (t.save) }
                        }
                    } }
                } } }
            }
            h2 { (t.teams) }
            @if teams.is_empty() { p { (t.nothing_here) } } @else {
                table #teams {
                    thead { tr { th scope="col" { (t.name) } th scope="col" { (t.site) } th scope="col" { (t.join_policy) } th scope="col" { (t.actions) } } }
                    tbody { @for team in &teams { tr data-team=(team.id) {
                        td { (team.name) } td { (site_name(&all_sites, &team.site_id)) } td { (t.join_policy(team.join_policy)) }
                        td { details.edit {
                            summary { (t.edit) }
                            form method="post" action="/console/act" {
                                (form_fields(s, "update_team", back))
                                input type="hidden" name="team_id" value=(team.id);
                                label { (t.name) " " input type="text" name="name" value=(team.name) required maxlength="50"; }
                                label { (t.description) " " textarea name="description" maxlength="500" { (team.description) } }
                                label { (t.join_policy) " "
                                    select name="join_policy" {
                                        @for p in JoinPolicy::ALL { option value=(p.as_str()) selected[p == team.join_policy] { (t.join_policy(p)) } }
                                    }
                                }
                                button.plain type="submit" { (t.save) }
                            }
                        } }
                    } } }
                }
            }
        },
    ))
}

/// The roles a user gives accounts (none: they manage no accounts).
fn roles_made_by(s: &Session) -> &'static [Role] {
    match s.who.actor.role {
        Role::Admin | Role::Staff => &[Role::Volunteer, Role::Resident, Role::Staff],
        _ => &[],
    }
}

/// `GET /console/admin/accounts/{id}`: move an account to another role or
/// site, saying why (one page per account: a select of every site on
/// each row of a district's accounts would be a page of megabytes).
pub async fn account(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    let t = s.t();
    let sites = my_sites(&state, &s).await?;
    let people = read(&state, &s, Kind::Account, accounts).await?;
    let back = "/console/admin";
    let Some(a) = people.into_iter().find(|a| a.user_id == id) else {
        return Ok(Redirect::to(&forms::flash(back, Err("not_found"))).into_response());
    };
    Ok(layout::page(
        &s,
        Nav::Admin,
        t.change_post,
        &flash,
        html! {
            p { (a.display_name) " · " (t.role(a.role)) " · " (a.phone_masked.as_deref().unwrap_or(t.none)) }
            form.card method="post" action="/console/act" aria-label=(t.change_post) {
                (form_fields(&s, "assign_account", back))
                input type="hidden" name="user_id" value=(a.user_id);
                label for="move-role" { (t.role) }
                select #move-role name="role" {
                    @for r in roles_made_by(&s) { option value=(r.as_str()) selected[*r == a.role] { (t.role(*r)) } }
                }
                label for="move-site" { (t.site) }
                select #move-site name="site_id" {
                    @for x in &sites { option value=(x.id) selected[a.site_id.as_deref() == Some(x.id.as_str())] { (x.name) " (" (t.site_level(x.level)) ")" } }
                }
                label for="move-reason" { (t.reason) }
                input #move-reason type="text" name="reason" required maxlength="200";
                p { button type="submit" { (t.save) } }
            }
            p { a href=(back) { (t.back) } }
        },
    ))
}

/// `POST /console/admin/code`: issue a one-time code and show it once.
pub async fn issue_code(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let fields = forms::parse(&body);
    if !genuine(&s, &headers, forms::field(&fields, "csrf")) {
        return layout::refusal(&s, s.t().form_expired);
    }
    let Some(user_id) = forms::field(&fields, "user_id").map(str::to_owned) else {
        return Redirect::to("/console/admin").into_response();
    };
    let Ok(_slot) = password_slot(&state).await else {
        return Redirect::to("/console/admin").into_response();
    };
    let storage = state.storage.clone();
    let who = s.who.clone();
    let issued = blocking(move || Ok(new_code(storage.as_ref(), &who, &user_id)?)).await;
    let t = s.t();
    match issued {
        Ok(Ok(c)) => layout::page(
            &s,
            Nav::Admin,
            t.code_title,
            &Flash::default(),
            html! {
                p { (c.account.display_name) " · " (c.account.phone_masked.as_deref().unwrap_or("")) }
                p.code #code { (c.code) }
                p { (t.code_expires) " " (layout::local(c.expires_at)) }
                p.hint { (t.code_hint) }
                p { a href="/console/admin" { (t.back) } }
            },
        ),
        Ok(Err(r)) => {
            let code = match r {
                Refusal::NotFound => "not_found",
                Refusal::InvalidState(_) => "invalid_state",
                Refusal::Forbidden | Refusal::PhoneTaken => "forbidden",
            };
            Redirect::to(&forms::flash("/console/admin", Err(code))).into_response()
        }
        Err(f) => f.into_response(),
    }
}
