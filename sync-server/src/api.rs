//! HTTP routes of protocol v1, and the one place errors become responses.
//!
//! Every error response is JSON `{"code": "...", "message": "..."}` with a 4xx
//! or 5xx status, including malformed bodies, unknown routes and other
//! protocol versions. Storage runs on blocking threads.

use axum::Extension;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use volunteer_domain::wire::{
    COMPACT_ANSWERS_SINCE, Compact, MAX_BODY_BYTES, MIN_CLIENT_REVISION, PROTOCOL_REVISION,
    REVISION_HEADER,
};
use volunteer_domain::{
    AccountStatus, ApiError, ApiErrorCode, PROTOCOL_VERSION, SignInRequest, SignInResponse,
    SyncRequest,
};

use crate::auth;
use crate::limits::{Guards, Limits, RetryAfter};
use crate::storage::{AuthOutcome, Principal, Storage, StoreError, SyncError};
use crate::{console, onboarding};

/// Password checks allowed at once: each Argon2 check takes ~19 MiB and a
/// core for tens of milliseconds, so unauthenticated callers must queue.
const PASSWORD_CHECKS: usize = 4;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) password_checks: Arc<tokio::sync::Semaphore>,
    pub(crate) guards: Arc<Guards>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: ApiError,
    retry_after: Option<u64>,
}

impl Failure {
    pub(crate) fn new(
        status: StatusCode,
        code: ApiErrorCode,
        message: impl Into<String>,
    ) -> Failure {
        Failure {
            status,
            body: ApiError {
                code,
                message: message.into(),
            },
            retry_after: None,
        }
    }

    pub(crate) fn code(&self) -> ApiErrorCode {
        self.body.code
    }

    pub(crate) fn limited(RetryAfter(secs): RetryAfter, what: &str) -> Failure {
        Failure {
            retry_after: Some(secs),
            ..Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                ApiErrorCode::RateLimited,
                format!("{what}: try again in {secs} s"),
            )
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        resp
    }
}

/// Storage failures are logged here; the client gets no internals.
fn storage_failure(e: &StoreError) -> Failure {
    tracing::error!(error = %e, "storage failure");
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ApiErrorCode::Internal,
        "internal storage error",
    )
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        storage_failure(&e)
    }
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Failure {
        let conflict = |code| Failure::new(StatusCode::CONFLICT, code, e.to_string());
        match &e {
            SyncError::SequenceGap { .. } => conflict(ApiErrorCode::SequenceGap),
            SyncError::SequenceReused { .. } => conflict(ApiErrorCode::SequenceReused),
            SyncError::ClientMismatch => conflict(ApiErrorCode::ClientMismatch),
            SyncError::EpochChanged => conflict(ApiErrorCode::EpochChanged),
            SyncError::BadRequest(m) => {
                Failure::new(StatusCode::BAD_REQUEST, ApiErrorCode::BadRequest, m.clone())
            }
            SyncError::Store(s) => storage_failure(s),
        }
    }
}

impl From<JsonRejection> for Failure {
    fn from(r: JsonRejection) -> Failure {
        let status = r.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiErrorCode::PayloadTooLarge
        } else {
            ApiErrorCode::BadRequest
        };
        // 415 and 422 are folded into 400 except for the body-size limit.
        let status = if status == StatusCode::PAYLOAD_TOO_LARGE {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        Failure::new(status, code, r.body_text())
    }
}

impl From<tokio::task::JoinError> for Failure {
    fn from(e: tokio::task::JoinError) -> Failure {
        tracing::error!(error = %e, "blocking task failed");
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::Internal,
            "internal error",
        )
    }
}

/// Run blocking storage work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f).await?
}

/// The app with the default [`Limits`].
pub fn router(storage: Arc<dyn Storage>) -> Router {
    router_with(storage, Arc::new(Guards::new(Limits::default())))
}

pub fn router_with(storage: Arc<dyn Storage>, guards: Arc<Guards>) -> Router {
    let request_timeout = guards.limits.request_timeout;
    let state = AppState {
        storage,
        password_checks: Arc::new(tokio::sync::Semaphore::new(PASSWORD_CHECKS)),
        guards,
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/session", post(sign_in).delete(sign_out))
        .route("/v1/register", post(onboarding::register))
        .route("/v1/password", post(onboarding::redeem))
        .route(
            "/v1/accounts/code",
            post(onboarding::issue_code)
                .layer(middleware::from_fn_with_state(state.clone(), require_auth)),
        )
        // Authenticated before the body is read.
        .route(
            "/v1/sync",
            post(sync).layer(middleware::from_fn_with_state(state.clone(), require_auth)),
        )
        .merge(console::routes())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        // Request bodies in zstd or gzip (`Content-Encoding`), decoded as
        // they are read: the body limit counts decoded bytes, so a small
        // bomb stops at the limit. `revision` refuses any other coding.
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::from_fn(revision))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Responses compressed as the client asks (compress.rs).
        .layer(middleware::from_fn(crate::compress::compress))
        // A body sent byte by byte holds a connection: bound the whole request.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let path = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            tracing::info_span!("http", method = %req.method(), path)
        }))
        .with_state(state)
}

/// The revision the client said it speaks (absent: 1), as the revision
/// middleware read it.
#[derive(Clone, Copy)]
struct ClientRevision(u32);

/// Refuse a client older than this server serves (one clear answer, not
/// a failure it would retry), and say which revision this server speaks.
async fn revision(mut req: Request, next: Next) -> Response {
    let theirs = req
        .headers()
        .get(REVISION_HEADER)
        .map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u32>().ok()));
    let mut resp = match theirs {
        Some(None) => Failure::new(
            StatusCode::BAD_REQUEST,
            ApiErrorCode::BadRequest,
            format!("{REVISION_HEADER} must be a whole number"),
        )
        .into_response(),
        Some(Some(r)) if r < MIN_CLIENT_REVISION => Failure::new(
            StatusCode::UPGRADE_REQUIRED,
            ApiErrorCode::UpgradeRequired,
            format!(
                "this app speaks protocol revision {r}; the server needs {MIN_CLIENT_REVISION} or later: update the app"
            ),
        )
        .into_response(),
        _ if !decodable(&req) => Failure::new(
            StatusCode::BAD_REQUEST,
            ApiErrorCode::BadRequest,
            "Content-Encoding must be zstd, gzip or identity",
        )
        .into_response(),
        said => {
            req.extensions_mut()
                .insert(ClientRevision(said.flatten().unwrap_or(1)));
            next.run(req).await
        }
    };
    resp.headers_mut().insert(
        REVISION_HEADER,
        header::HeaderValue::from(PROTOCOL_REVISION),
    );
    resp
}

/// Whether the request body's coding is one the server decodes: none, or
/// one of zstd and gzip (not stacked).
fn decodable(req: &Request) -> bool {
    let mut codings = req.headers().get_all(header::CONTENT_ENCODING).iter();
    match (codings.next(), codings.next()) {
        (None, _) => true,
        (Some(v), None) => v
            .to_str()
            .is_ok_and(|v| matches!(v.trim(), "zstd" | "gzip" | "identity")),
        _ => false,
    }
}

async fn require_auth(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, Failure> {
    let who = principal(&state, req.headers()).await?;
    state
        .guards
        .sync(&who.actor.user_id)
        .map_err(|r| Failure::limited(r, "too many syncs"))?;
    req.extensions_mut().insert(who);
    Ok(next.run(req).await)
}

async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, Failure> {
    let storage = state.storage.clone();
    blocking(move || Ok(storage.health()?)).await?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "protocol_versions": [PROTOCOL_VERSION],
    })))
}

fn bearer(headers: &HeaderMap) -> Result<String, Failure> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                ApiErrorCode::Unauthorized,
                "missing bearer token",
            )
        })
}

pub(crate) async fn principal(state: &AppState, headers: &HeaderMap) -> Result<Principal, Failure> {
    let hash = auth::token_hash(&bearer(headers)?);
    let storage = state.storage.clone();
    match blocking(move || Ok(storage.authenticate(&hash, Utc::now())?)).await? {
        AuthOutcome::Valid(p) => Ok(*p),
        AuthOutcome::Expired => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            ApiErrorCode::AuthExpired,
            "session expired: sign in again",
        )),
        AuthOutcome::Unknown => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            ApiErrorCode::Unauthorized,
            "unknown or revoked token",
        )),
        AuthOutcome::Disabled => Err(disabled()),
    }
}

pub(crate) fn disabled() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        ApiErrorCode::AccountDisabled,
        "this account was deactivated; ask your station",
    )
}

/// The peer's address; without one (a router used without the listener),
/// one shared key.
pub(crate) fn peer_ip(peer: Option<Extension<ConnectInfo<SocketAddr>>>) -> IpAddr {
    peer.map_or(IpAddr::from([0, 0, 0, 0]), |Extension(ConnectInfo(a))| {
        a.ip()
    })
}

/// Wait for a slot to check a password or code (see [`PASSWORD_CHECKS`]).
pub(crate) async fn password_slot(
    state: &AppState,
) -> Result<tokio::sync::OwnedSemaphorePermit, Failure> {
    state
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| {
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ApiErrorCode::Internal,
                "shutting down",
            )
        })
}

/// A new session for a user who proved who they are.
pub(crate) fn open_session(
    storage: &dyn Storage,
    user_id: &str,
) -> Result<SignInResponse, Failure> {
    let token = auth::new_token();
    let now = Utc::now();
    let expires_at = now + Duration::days(auth::SESSION_DAYS);
    let profile = storage.create_session(user_id, &auth::token_hash(&token), expires_at, now)?;
    Ok(SignInResponse {
        token,
        expires_at,
        profile,
    })
}

/// A session answer that no cache on the way may keep.
pub(crate) fn session_response(resp: SignInResponse) -> Response {
    tracing::info!(role = resp.profile.role.as_str(), "signed in");
    ([(header::CACHE_CONTROL, "no-store")], Json(resp)).into_response()
}

/// Check a login's password: the user's id if it is right. Deactivated
/// accounts are told so, but only once the password proved it is theirs.
pub(crate) async fn check_password(
    state: &AppState,
    addr: IpAddr,
    login: &str,
    password: &str,
) -> Result<String, Failure> {
    let login = login.trim().to_owned();
    state
        .guards
        .sign_in(addr, &login)
        .map_err(|r| Failure::limited(r, "too many sign-in attempts"))?;
    let storage = state.storage.clone();
    let _permit = password_slot(state).await?;
    let (password, who) = (password.to_owned(), login.clone());
    let checked = blocking(move || {
        let cred = storage.credential(&who)?;
        // Verified even for unknown logins, so timing does not reveal them.
        let hash = cred.as_ref().and_then(|c| c.password_hash.as_deref());
        let ok = auth::verify_password(&password, hash);
        Ok(cred.filter(|_| ok))
    })
    .await?;
    match checked {
        Some(c) if c.status == AccountStatus::Deactivated => Err(disabled()),
        Some(c) => Ok(c.user_id),
        None => {
            state.guards.sign_in_failed(&login);
            Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                ApiErrorCode::Unauthorized,
                "wrong login or password",
            ))
        }
    }
}

async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<SignInRequest>, JsonRejection>,
) -> Result<Response, Failure> {
    let Json(req) = body?;
    let user_id = check_password(&state, peer_ip(peer), &req.login, &req.password).await?;
    let storage = state.storage.clone();
    let resp = blocking(move || open_session(storage.as_ref(), &user_id)).await?;
    Ok(session_response(resp))
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, Failure> {
    let hash = auth::token_hash(&bearer(&headers)?);
    let storage = state.storage.clone();
    blocking(move || Ok(storage.revoke_session(&hash)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn sync(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Extension(ClientRevision(theirs)): Extension<ClientRevision>,
    body: Result<Json<SyncRequest>, JsonRejection>,
) -> Result<Response, Failure> {
    let Json(req) = body?;
    let storage = state.storage.clone();
    let pushed = req.mutations.len();
    let (req, resp) = blocking(move || {
        let resp = storage.sync(&who, &req, Utc::now())?;
        Ok((req, resp))
    })
    .await?;
    tracing::debug!(
        pushed,
        pulled = resp.changes.len(),
        has_more = resp.has_more,
        "sync"
    );
    Ok(if theirs >= COMPACT_ANSWERS_SINCE {
        Json(Compact {
            response: &resp,
            cursor: req.cursor.as_deref(),
            epoch: req.epoch.as_deref(),
        })
        .into_response()
    } else {
        Json(resp).into_response()
    })
}

/// Unknown routes; a path under another protocol version gets its own code.
async fn fallback(uri: Uri) -> Failure {
    let version = uri
        .path()
        .strip_prefix("/v")
        .and_then(|rest| rest.split('/').next())
        .and_then(|v| v.parse::<u32>().ok());
    match version {
        Some(v) if v != PROTOCOL_VERSION => Failure::new(
            StatusCode::BAD_REQUEST,
            ApiErrorCode::UnsupportedProtocol,
            format!("protocol v{v} is not supported; this server speaks v{PROTOCOL_VERSION}"),
        ),
        _ => Failure::new(
            StatusCode::NOT_FOUND,
            ApiErrorCode::NotFound,
            format!("no route {}", uri.path()),
        ),
    }
}

async fn method_not_allowed() -> Failure {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ApiErrorCode::BadRequest,
        "method not allowed on this route",
    )
}
