//! Sign-in: staff, team leaders and admins, with the API's password check
//! and limits.

use axum::Extension;
use axum::extract::{ConnectInfo, Query, RawForm, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::html;
use std::net::SocketAddr;

use crate::api::AppState;
use crate::console::text::Lang;
use crate::console::{foreign_origin, forms, lang_of, layout, start_session};

#[derive(serde::Deserialize)]
pub struct Why {
    m: Option<String>,
}

fn form(lang: Lang, why: Option<&str>) -> Response {
    let t = lang.text();
    let message = match why {
        Some("wrong") => Some(t.sign_in_wrong),
        Some("locked") => Some(t.sign_in_locked),
        Some("volunteer") => Some(t.sign_in_not_for_volunteers),
        Some("disabled") => Some(t.sign_in_disabled),
        Some("ended") => Some(t.session_ended),
        _ => None,
    };
    let other = match lang {
        Lang::Zh => "en",
        Lang::En => "zh",
    };
    layout::bare(
        lang,
        t.sign_in_title,
        html! {
            @if let Some(m) = message { p.error role="alert" { (m) } }
            form.card method="post" action="/console/login" {
                label for="login" { (t.login) }
                input #login type="text" name="login" autocomplete="username" required;
                label for="password" { (t.password) }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button type="submit" { (t.sign_in) } }
            }
            p { a href={ "/console/lang/" (other) "?back=/console/login" } lang=(if other == "en" { "en" } else { "zh-CN" }) { (t.other_language) } }
        },
    )
}

pub async fn page(headers: HeaderMap, Query(q): Query<Why>) -> Response {
    form(lang_of(&headers), q.m.as_deref())
}

pub async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    if foreign_origin(&headers) {
        return (
            axum::http::StatusCode::FORBIDDEN,
            form(lang_of(&headers), None),
        )
            .into_response();
    }
    let fields = forms::parse(&body);
    let login = forms::field(&fields, "login").unwrap_or("");
    let password = forms::field(&fields, "password").unwrap_or("");
    match start_session(&state, peer, &headers, (login, password)).await {
        Ok(resp) => resp,
        Err(why) => {
            let mut resp = form(lang_of(&headers), Some(why)).into_response();
            *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            resp
        }
    }
}
