//! Joining without a desk: a volunteer registers from the app; staff make
//! an account for someone who will not, and hand them a one-time code with
//! which they set their password (the same code path resets a forgotten
//! one). Codes and passwords are kept only as Argon2 hashes; every step is
//! noted in the account's events, and attempts count against the same
//! limits as sign-in.

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use std::net::SocketAddr;
use volunteer_domain::wire::{
    CodeRequest, CodeResponse, PASSWORD_CHARS, RedeemRequest, RegisterRequest, TERMS_VERSION,
};
use volunteer_domain::{ApiErrorCode, Role, is_valid_id, normalize_phone};

use crate::api::{
    AppState, Failure, blocking, open_session, password_slot, peer_ip, session_response,
};
use crate::auth;
use crate::storage::{CodePurpose, IssuedCode, NewUser, Principal, Refusal};

fn bad(message: impl Into<String>) -> Failure {
    Failure::new(StatusCode::BAD_REQUEST, ApiErrorCode::BadRequest, message)
}

fn check_password_rule(password: &str) -> Result<(), Failure> {
    if PASSWORD_CHARS.contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(bad(format!(
            "a password of {} to {} characters",
            PASSWORD_CHARS.start(),
            PASSWORD_CHARS.end()
        )))
    }
}

fn check_terms(version: Option<&str>) -> Result<(), Failure> {
    if version == Some(TERMS_VERSION) {
        Ok(())
    } else {
        Err(bad(format!(
            "accept the current terms of service and privacy notice (version {TERMS_VERSION})"
        )))
    }
}

fn refused(r: Refusal) -> Failure {
    match r {
        Refusal::NotFound => Failure::new(
            StatusCode::NOT_FOUND,
            ApiErrorCode::NotFound,
            "no such account",
        ),
        Refusal::Forbidden => Failure::new(
            StatusCode::FORBIDDEN,
            ApiErrorCode::Forbidden,
            "you manage volunteers' accounts of your sites and staff accounts below your own site, never your own",
        ),
        Refusal::InvalidState(why) => {
            Failure::new(StatusCode::CONFLICT, ApiErrorCode::InvalidState, why)
        }
        Refusal::PhoneTaken => Failure::new(
            StatusCode::CONFLICT,
            ApiErrorCode::PhoneTaken,
            "an account with this phone number exists: sign in, or ask staff for a reset code",
        ),
    }
}

fn invalid_code() -> Failure {
    Failure::new(
        StatusCode::UNAUTHORIZED,
        ApiErrorCode::InvalidCode,
        "wrong, used or expired code: ask staff for a new one",
    )
}

/// `POST /v1/register`: a new volunteer, signed in at once.
pub(crate) async fn register(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<RegisterRequest>, JsonRejection>,
) -> Result<Response, Failure> {
    let Json(req) = body?;
    let name = req.display_name.trim().to_owned();
    if !(1..=50).contains(&name.chars().count()) {
        return Err(bad("a name of 1 to 50 characters"));
    }
    let phone = normalize_phone(&req.phone)
        .ok_or_else(|| bad("phone must be a mainland mobile number (11 digits)"))?;
    check_password_rule(&req.password)?;
    check_terms(Some(&req.consent_version))?;
    state
        .guards
        .sign_in(peer_ip(peer), &phone)
        .map_err(|r| Failure::limited(r, "too many attempts"))?;
    let _slot = password_slot(&state).await?;
    let storage = state.storage.clone();
    let resp = blocking(move || {
        let mut user = NewUser::new(&phone, Some(&req.password), Role::Volunteer, &name);
        user.phone = Some(phone);
        storage
            .register(&user, TERMS_VERSION, Utc::now())?
            .map_err(refused)?;
        open_session(storage.as_ref(), &user.id)
    })
    .await?;
    Ok(session_response(resp))
}

/// A code just issued, shown once.
pub(crate) struct NewCode {
    pub account: volunteer_domain::Account,
    pub purpose: CodePurpose,
    pub code: String,
    pub expires_at: chrono::DateTime<Utc>,
}

/// Issue a one-time code for an account `who` manages (the API's call and
/// the console's): drawn here, stored only as its hash.
pub(crate) fn new_code(
    storage: &dyn crate::storage::Storage,
    who: &Principal,
    user_id: &str,
) -> Result<Result<NewCode, Refusal>, crate::storage::StoreError> {
    let code = auth::new_code();
    let issued = IssuedCode {
        code_hash: auth::hash_password(&auth::normalize_code(&code)),
        issued_at: Utc::now(),
    };
    Ok(storage
        .issue_code(who, user_id, &issued, issued.issued_at)?
        .map(|(account, purpose)| {
            tracing::info!(purpose = purpose.as_str(), "access code issued");
            NewCode {
                account,
                purpose,
                code,
                expires_at: issued.issued_at + purpose.valid_for(),
            }
        }))
}

/// `POST /v1/accounts/code`: a one-time code for an account the caller
/// manages, shown once.
pub(crate) async fn issue_code(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<CodeRequest>, JsonRejection>,
) -> Result<Response, Failure> {
    let Json(req) = body?;
    if !is_valid_id(&req.user_id) {
        return Err(bad("user_id is not an id"));
    }
    let _slot = password_slot(&state).await?;
    let storage = state.storage.clone();
    let resp = blocking(move || {
        let c = new_code(storage.as_ref(), &who, &req.user_id)?.map_err(refused)?;
        Ok(CodeResponse {
            user_id: c.account.user_id,
            purpose: c.purpose.as_str().to_owned(),
            code: c.code,
            expires_at: c.expires_at,
        })
    })
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(resp)).into_response())
}

/// `POST /v1/password`: set the password with a code; a session follows.
pub(crate) async fn redeem(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<RedeemRequest>, JsonRejection>,
) -> Result<Response, Failure> {
    let Json(req) = body?;
    check_password_rule(&req.password)?;
    // A phone is typed many ways; a login that is no phone is taken as is.
    let login = normalize_phone(&req.login).unwrap_or_else(|| req.login.trim().to_owned());
    state
        .guards
        .sign_in(peer_ip(peer), &login)
        .map_err(|r| Failure::limited(r, "too many attempts"))?;
    let _slot = password_slot(&state).await?;
    let storage = state.storage.clone();
    let typed = auth::normalize_code(&req.code);
    let who = login.clone();
    let outcome = blocking(move || {
        let now = Utc::now();
        let code = storage.access_code(&who)?;
        let live = code.as_ref().filter(|c| c.expires_at > now);
        // Checked against a dummy when there is no code: timing tells nothing.
        if !auth::verify_password(&typed, live.map(|c| c.code_hash.as_str())) {
            if let Some(c) = live {
                storage.code_failed(c, now)?;
            }
            return Ok(Err(invalid_code()));
        }
        let Some(code) = live else {
            return Ok(Err(invalid_code()));
        };
        let consent = match code.purpose {
            CodePurpose::Activation => {
                check_terms(req.consent_version.as_deref())?;
                Some(TERMS_VERSION)
            }
            CodePurpose::Reset => None,
        };
        let hash = auth::hash_password(&req.password);
        if !storage.redeem_code(code, &hash, consent, now)? {
            return Ok(Err(invalid_code()));
        }
        Ok(Ok(open_session(storage.as_ref(), &code.user_id)?))
    })
    .await?;
    match outcome {
        Ok(resp) => Ok(session_response(resp)),
        Err(f) => {
            state.guards.sign_in_failed(&login);
            Err(f)
        }
    }
}
