//! The page around every console page: language, navigation, the outcome
//! of the last form, and the headers every page carries.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};

use super::Session;
use super::text::{Lang, Text};

/// Where a page sits in the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Home,
    Orders,
    Hours,
    Activities,
    Figures,
    CallOuts,
    Donations,
    Admin,
}

/// Headers of every console page: never cached, never framed, scripts and
/// styles only from here.
pub fn respond(markup: Markup) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "same-origin"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        markup,
    )
        .into_response()
}

fn head(lang: Lang, title: &str, t: &Text) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (t.app) }
            link rel="stylesheet" href="/console/console.css";
            script src="/console/console.js" defer {}
        }
        @let _ = lang;
    }
}

/// A page for a signed-in user. `flash` is the outcome of the last form.
pub fn page(s: &Session, nav: Nav, title: &str, flash: &Flash, body: Markup) -> Response {
    let t = s.t();
    let item = |n: Nav, href: &str, label: &str| {
        html! {
            li { a href=(href) aria-current=[(n == nav).then_some("page")] { (label) } }
        }
    };
    let other = match s.lang {
        Lang::Zh => "en",
        Lang::En => "zh",
    };
    let here = match nav {
        Nav::Home => "/console",
        Nav::Orders => "/console/orders",
        Nav::Hours => "/console/hours",
        Nav::Activities => "/console/activities",
        Nav::Figures => "/console/figures",
        Nav::CallOuts => "/console/callouts",
        Nav::Donations => "/console/donations",
        Nav::Admin => "/console/admin",
    };
    respond(html! {
        (DOCTYPE)
        html lang=(s.lang.code()) {
            (head(s.lang, title, t))
            body {
                a.skip href="#main" { (t.skip_to_content) }
                header.top {
                    span.brand { (t.app) }
                    nav aria-label=(t.nav_label) {
                        ul {
                            (item(Nav::Home, "/console", t.nav_home))
                            (item(Nav::Orders, "/console/orders", t.nav_orders))
                            (item(Nav::Hours, "/console/hours", t.nav_hours))
                            (item(Nav::Activities, "/console/activities", t.nav_activities))
                            (item(Nav::CallOuts, "/console/callouts", t.nav_callouts))
                            (item(Nav::Donations, "/console/donations", t.nav_donations))
                            (item(Nav::Figures, "/console/figures", t.nav_figures))
                            (item(Nav::Admin, "/console/admin", t.nav_admin))
                        }
                    }
                    div.who {
                        span { (s.who.actor.name) " · " (t.role(s.who.actor.role)) }
                        a href={ "/console/lang/" (other) "?back=" (here) } lang=(if other == "en" { "en" } else { "zh-CN" }) { (t.other_language) }
                        form method="post" action="/console/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button type="submit" { (t.sign_out) }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (flash.render(t))
                    (body)
                }
            }
        }
    })
}

/// A bare page (sign-in, refusals) for someone not signed in.
pub fn bare(lang: Lang, title: &str, body: Markup) -> Response {
    let t = lang.text();
    respond(html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title, t))
            body.bare {
                main #main {
                    p.brand { (t.app) }
                    h1 { (title) }
                    (body)
                }
            }
        }
    })
}

pub fn refusal(s: &Session, message: &str) -> Response {
    bare(
        s.lang,
        s.t().app,
        html! { p.error role="alert" { (message) } a href="/console" { (s.t().back) } },
    )
}

/// The outcome of the form the user came back from.
#[derive(Default, serde::Deserialize)]
pub struct Flash {
    pub done: Option<String>,
    pub failed: Option<String>,
}

impl Flash {
    fn render(&self, t: &Text) -> Markup {
        html! {
            div.flash role="status" aria-live="polite" {
                @if self.done.is_some() { p.ok { (t.done) } }
                @if let Some(code) = &self.failed { p.error { (t.failed) (t.known_code(code)) } }
            }
        }
    }
}

/// The hidden fields every action form carries.
pub fn form_fields(s: &Session, action: &str, back: &str) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(s.csrf);
        input type="hidden" name="form_id" value=(uuid::Uuid::new_v4().to_string());
        input type="hidden" name="op" value=(action);
        input type="hidden" name="back" value=(back);
    }
}

/// A fresh id for a record a form creates (a resubmission makes no second one).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A time as the district reads it (Beijing time).
pub fn local(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A time for a `datetime-local` field.
pub fn local_input(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// How long since `t`, in the largest whole unit.
pub fn age(t: &Text, since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let m = (now - since).num_minutes().max(0);
    match m {
        0..60 => format!("{m} {}", t.minutes_unit),
        60..1440 => format!("{} {}", m / 60, t.hours_unit),
        _ => format!("{} {}", m / 1440, t.days_unit),
    }
}
