//! Home: what waits for the desk today.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;
use maud::html;
use volunteer_domain::{HourStatus, Kind, OrderStatus, Record};

use crate::api::AppState;
use crate::console::layout::{self, Flash, Nav};
use crate::console::{Session, read};

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    _headers: HeaderMap,
    Query(flash): Query<Flash>,
) -> Response {
    let t = s.t();
    let counts = async {
        let orders = read(&state, &s, Kind::ServiceOrder, |r| match r {
            Record::ServiceOrder(o) => Some(o),
            _ => None,
        })
        .await?;
        let hours = read(&state, &s, Kind::HourEntry, |r| match r {
            Record::HourEntry(h) => Some(h),
            _ => None,
        })
        .await?;
        let activities = read(&state, &s, Kind::Activity, |r| match r {
            Record::Activity(a) => Some(a),
            _ => None,
        })
        .await?;
        let today = layout::local(Utc::now())[..10].to_owned();
        Ok::<_, crate::api::Failure>((
            orders
                .iter()
                .filter(|o| o.status == OrderStatus::Submitted)
                .count(),
            hours
                .iter()
                .filter(|h| {
                    h.status == HourStatus::Pending && h.volunteer_id != s.who.actor.user_id
                })
                .count(),
            activities
                .iter()
                .filter(|a| layout::local(a.starts_at).starts_with(&today))
                .count(),
        ))
    }
    .await;
    let (orders, hours, today) = match counts {
        Ok(c) => c,
        Err(f) => return axum::response::IntoResponse::into_response(f),
    };
    layout::page(
        &s,
        Nav::Home,
        t.home_title,
        &flash,
        html! {
            div.cards {
                section { h2 { (t.waiting_dispatch) } p.big { (orders) } a href="/console/orders?status=submitted" { (t.open) } }
                section { h2 { (t.waiting_review) } p.big { (hours) } a href="/console/hours" { (t.open) } }
                section { h2 { (t.activities_today) } p.big { (today) } a href="/console/activities" { (t.open) } }
            }
        },
    )
}
