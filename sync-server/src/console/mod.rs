//! The staff web console at `/console`: server-rendered pages (maud) for
//! the desk work of a station, an institute or the center.
//!
//! The console is one more client of the same authority. It signs in
//! through the same password check and limits as the API, keeps the same
//! kind of session (its token in an HttpOnly, SameSite=Strict cookie), and
//! every form it posts becomes one mutation that goes through
//! [`Storage::submit`]: the same rules, the same log, exactly once per form
//! (a form carries a fresh id, so a double submission is answered from the
//! log). It reads what the user may read through [`Storage::visible`], the
//! pull's own filter. Every form carries a CSRF token derived from the
//! session; a post from another origin is refused.

mod chart;
mod export;
mod forms;
mod import;
mod layout;
mod pages;
pub mod text;

use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, RawForm, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use volunteer_domain::{Kind, Record, Role};

use crate::api::{AppState, Failure, blocking, check_password, open_session, peer_ip};
use crate::auth;
use crate::storage::{AuthOutcome, Principal, Storage};
use text::{Lang, Text};

const SESSION_COOKIE: &str = "vs_session";
const LANG_COOKIE: &str = "vs_lang";

/// A signed-in console user.
pub(crate) struct Session {
    pub who: Principal,
    pub token_hash: String,
    pub csrf: String,
    pub lang: Lang,
}

impl Session {
    pub fn t(&self) -> &'static Text {
        self.lang.text()
    }

    /// The console's client id for this session: its mutations are logged
    /// under it, numbered by the server.
    fn client_id(&self) -> String {
        format!("console-{}", &self.token_hash[..24])
    }
}

/// A page's signed-in user, or the answer instead (to the sign-in page).
impl axum::extract::FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Session, Response> {
        session(state, &parts.headers).await
    }
}

/// Who may use the console: staff, admins, and volunteers who lead a team.
fn may_use_console(who: &Principal) -> bool {
    matches!(who.actor.role, Role::Staff | Role::Admin) || !who.actor.led_teams.is_empty()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(pages::home::page))
        .route("/console/", get(|| async { Redirect::to("/console") }))
        .route(
            "/console/login",
            get(pages::signin::page).post(pages::signin::sign_in),
        )
        .route("/console/logout", post(sign_out))
        .route("/console/lang/{lang}", get(set_lang))
        .route("/console/console.css", get(stylesheet))
        .route("/console/console.js", get(script))
        .route("/console/act", post(act))
        .route("/console/orders", get(pages::orders::page))
        .route("/console/hours", get(pages::hours::page))
        .route("/console/activities", get(pages::activities::list))
        .route("/console/activities/{id}", get(pages::activities::roster))
        .route("/console/figures", get(pages::figures::page))
        .route("/console/callouts", get(pages::callouts::page))
        .route("/console/donations", get(pages::donations::page))
        .route("/console/admin", get(pages::admin::page))
        .route("/console/admin/accounts/{id}", get(pages::admin::account))
        .route("/console/admin/code", post(pages::admin::issue_code))
        .route("/console/admin/import", post(pages::transfer::import))
        .route("/console/export", get(pages::transfer::export))
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The language: Chinese unless the user chose English (a cookie).
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    cookies(headers)
        .get(LANG_COOKIE)
        .and_then(|v| Lang::parse(v))
        .unwrap_or(Lang::Zh)
}

/// Whether the request reached us over TLS (directly or through a proxy
/// that says so): then the cookie is `Secure`.
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

fn cookie(name: &str, value: &str, max_age: i64, headers: &HeaderMap) -> HeaderValue {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let c = format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The CSRF token of a session: derived from its token, so it needs no
/// storage and no page of another origin can know it.
fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("console-csrf\0{token}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a posted form may act for `s`: it carries the session's CSRF
/// token, and no `Origin` of another host.
pub(crate) fn genuine(s: &Session, headers: &HeaderMap, csrf: Option<&str>) -> bool {
    !foreign_origin(headers) && csrf.is_some_and(|c| same(c, &s.csrf))
}

/// A post whose `Origin` names another host is refused (SameSite cookies
/// already keep it from being signed in; this is the second lock, and the
/// only one on the sign-in form, which has no session yet).
pub(crate) fn foreign_origin(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    origin_host != host
}

/// The signed-in console user, or the answer to give instead (to the
/// sign-in page).
pub(crate) async fn session(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    let lang = lang_of(headers);
    let to_login = |why: &str| Redirect::to(&format!("/console/login?m={why}")).into_response();
    let Some(token) = cookies(headers).remove(SESSION_COOKIE) else {
        return Err(Redirect::to("/console/login").into_response());
    };
    let hash = auth::token_hash(&token);
    let storage = state.storage.clone();
    let h = hash.clone();
    let outcome = blocking(move || Ok(storage.authenticate(&h, Utc::now())?))
        .await
        .map_err(IntoResponse::into_response)?;
    let who = match outcome {
        AuthOutcome::Valid(p) => *p,
        AuthOutcome::Disabled => return Err(to_login("disabled")),
        AuthOutcome::Expired | AuthOutcome::Unknown => return Err(to_login("ended")),
    };
    if !may_use_console(&who) {
        return Err(to_login("volunteer"));
    }
    state
        .guards
        .sync(&who.actor.user_id)
        .map_err(|r| Failure::limited(r, "too many requests").into_response())?;
    Ok(Session {
        who,
        token_hash: hash,
        csrf: csrf_of(&token),
        lang,
    })
}

/// Sign in with the API's password check; refuse volunteers who lead no
/// team (their session is revoked at once).
pub(crate) async fn start_session(
    state: &AppState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    (login, password): (&str, &str),
) -> Result<Response, &'static str> {
    let user_id = match check_password(state, peer_ip(peer), login, password).await {
        Ok(id) => id,
        Err(f) => {
            return Err(match f.code() {
                volunteer_domain::ApiErrorCode::RateLimited => "locked",
                volunteer_domain::ApiErrorCode::AccountDisabled => "disabled",
                _ => "wrong",
            });
        }
    };
    let storage = state.storage.clone();
    let opened = blocking(move || {
        let resp = open_session(storage.as_ref(), &user_id)?;
        let hash = auth::token_hash(&resp.token);
        match storage.authenticate(&hash, Utc::now())? {
            AuthOutcome::Valid(p) if may_use_console(&p) => Ok(Some(resp.token)),
            _ => {
                storage.revoke_session(&hash)?;
                Ok(None)
            }
        }
    })
    .await
    .map_err(|_| "wrong")?;
    let Some(token) = opened else {
        return Err("volunteer");
    };
    let mut resp = Redirect::to("/console").into_response();
    let max_age = auth::SESSION_DAYS * 24 * 3600;
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, &token, max_age, headers),
    );
    Ok(resp)
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let fields = forms::parse(&body);
    if let Ok(s) = session(&state, &headers).await
        && genuine(&s, &headers, forms::field(&fields, "csrf"))
    {
        let storage = state.storage.clone();
        let hash = s.token_hash.clone();
        let _ = blocking(move || Ok(storage.revoke_session(&hash)?)).await;
    }
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, cookie(SESSION_COOKIE, "", 0, &headers));
    resp
}

#[derive(serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// A path inside the console to return to; anything else goes home.
pub(crate) fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b) if b.starts_with("/console") && !b.contains("//") && !b.contains('\\') => {
            b.to_owned()
        }
        _ => "/console".to_owned(),
    }
}

async fn set_lang(Path(lang): Path<String>, Query(q): Query<Back>, headers: HeaderMap) -> Response {
    let lang = Lang::parse(&lang).unwrap_or(Lang::Zh);
    let mut resp = Redirect::to(&safe_back(q.back.as_deref())).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, &headers),
    );
    resp
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("console.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("console.js"),
    )
        .into_response()
}

/// `POST /console/act`: one form, one mutation (or, for a bulk review, one
/// per selected entry), each through [`Storage::submit`]; then back to the
/// page with the outcome.
async fn act(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let fields = forms::parse(&body);
    let back = safe_back(forms::field(&fields, "back"));
    if !genuine(&s, &headers, forms::field(&fields, "csrf")) {
        return (
            StatusCode::FORBIDDEN,
            layout::refusal(&s, s.t().form_expired),
        )
            .into_response();
    }
    let mutations = match forms::mutations(&fields, Utc::now()) {
        Ok(m) => m,
        Err(why) => {
            // The page shows only known codes: a message in the address
            // could be anything a link put there.
            tracing::debug!(why, "a console form is no mutation");
            return Redirect::to(&forms::flash(&back, Err("invalid_input"))).into_response();
        }
    };
    let storage = state.storage.clone();
    let client = s.client_id();
    let who = s.who.clone();
    let outcome = blocking(move || {
        let mut first_refusal = None;
        for (id, m) in mutations {
            let r = storage.submit(&who, &client, &id, m, Utc::now())?;
            if let (None, Some(code)) = (&first_refusal, r.code) {
                first_refusal = Some(code);
            }
        }
        Ok(first_refusal)
    })
    .await;
    let to = match outcome {
        Ok(None) => forms::flash(&back, Ok(())),
        Ok(Some(code)) => forms::flash(&back, Err(&code)),
        Err(f) => return f.into_response(),
    };
    Redirect::to(&to).into_response()
}

/// Records of one kind the session may read, typed.
pub(crate) async fn read<T: Send + 'static>(
    state: &AppState,
    s: &Session,
    kind: Kind,
    pick: fn(Record) -> Option<T>,
) -> Result<Vec<T>, Failure> {
    let storage: Arc<dyn Storage> = state.storage.clone();
    let who = s.who.clone();
    blocking(move || {
        Ok(storage
            .visible(&who, kind)?
            .into_iter()
            .filter_map(pick)
            .collect())
    })
    .await
}
