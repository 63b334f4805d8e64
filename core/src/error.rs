//! The core's public error: few cases, each one an app can act on.
//!
//! Internal failures (SQLite, HTTP, JSON) are mapped here, in one place, so a
//! caller never matches on a dependency's error type. The type is `Clone`
//! because one sync round's outcome is shared by every coalesced caller.

use volunteer_domain::{ApiError, ApiErrorCode, RejectCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The server could not be reached, or the connection broke. Nothing is lost:
    /// pending changes stay queued for the next sync.
    #[error("offline: {0}")]
    Offline(String),
    /// No user is signed in on this replica.
    #[error("not signed in")]
    SignedOut,
    /// The session expired or was revoked: sign in again. Pending changes are kept.
    #[error("session expired: sign in again")]
    AuthExpired,
    /// The account was deactivated by staff: the replica has been reset
    /// (its data and queue removed) and nobody is signed in.
    #[error("account deactivated: {0}")]
    AccountDisabled(String),
    /// The action is refused by the rules (locally, before it is queued).
    #[error("rejected ({code:?}): {message}")]
    Rejected { code: RejectCode, message: String },
    /// An argument is unusable; `field` names it.
    #[error("invalid {field}: {message}")]
    InvalidInput { field: String, message: String },
    /// Sign-out would drop changes the server has not received yet.
    #[error("{count} changes are not synced yet")]
    PendingChanges { count: u64 },
    /// The replica file was written by a newer app version.
    #[error("database schema {found} is newer than this app supports ({supported})")]
    DatabaseTooNew { found: i64, supported: i64 },
    /// Another `Replica` in this process already has this file open.
    #[error("replica already open: {0}")]
    AlreadyOpen(String),
    /// The server refused the request (not a per-mutation rejection).
    #[error("server error {status} ({code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// The server is busy or limits this device: try again after
    /// `retry_after_secs` (HTTP 429 or 503 with `Retry-After`). Nothing is lost.
    #[error("server busy ({status}): retry in {retry_after_secs} s: {message}")]
    RetryLater {
        status: u16,
        retry_after_secs: u64,
        message: String,
    },
    /// The server no longer serves this app version: update the app.
    /// Pending changes are kept for the updated app to send.
    #[error("update the app: {0}")]
    UpgradeRequired(String),
    /// The device is out of space: the action was not taken, nothing queued
    /// was lost, and everything works again once space is freed.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// The local database failed (corrupt file, I/O).
    #[error("storage: {0}")]
    Storage(String),
    /// The call was cancelled through its [`crate::CancelToken`].
    #[error("cancelled")]
    Cancelled,
    /// A bug: an invariant did not hold.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    /// A stable, machine-readable name of the case.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Offline(_) => "offline",
            Error::SignedOut => "signed_out",
            Error::AuthExpired => "auth_expired",
            Error::AccountDisabled(_) => "account_disabled",
            Error::Rejected { .. } => "rejected",
            Error::InvalidInput { .. } => "invalid_input",
            Error::PendingChanges { .. } => "pending_changes",
            Error::DatabaseTooNew { .. } => "database_too_new",
            Error::AlreadyOpen(_) => "already_open",
            Error::Server { .. } => "server",
            Error::RetryLater { .. } => "retry_later",
            Error::UpgradeRequired(_) => "upgrade_required",
            Error::StorageFull(_) => "storage_full",
            Error::Storage(_) => "storage",
            Error::Cancelled => "cancelled",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Error::StorageFull(e.to_string()),
            _ => Error::Storage(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json: {e}"))
    }
}

impl From<volunteer_domain::RecordError> for Error {
    fn from(e: volunteer_domain::RecordError) -> Self {
        Error::Storage(e.to_string())
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        if e.is_decode() {
            Error::Server {
                status: e.status().map_or(0, |s| s.as_u16()),
                code: "bad_response".into(),
                message: e.to_string(),
            }
        } else {
            // Connect failures, timeouts and cut connections all mean the same
            // thing to the app: try again later.
            Error::Offline(e.to_string())
        }
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Internal(format!("background task failed: {e}"))
    }
}

impl Error {
    /// Map an HTTP error response from the server.
    pub(crate) fn from_api(status: u16, body: Option<ApiError>) -> Error {
        match body {
            Some(ApiError {
                code: ApiErrorCode::AuthExpired | ApiErrorCode::Unauthorized,
                ..
            }) => Error::AuthExpired,
            Some(ApiError {
                code: ApiErrorCode::UpgradeRequired,
                message,
            }) => Error::UpgradeRequired(message),
            Some(ApiError {
                code: ApiErrorCode::AccountDisabled,
                message,
            }) => Error::AccountDisabled(message),
            Some(e) => Error::Server {
                status,
                code: serde_json::to_value(e.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                message: e.message,
            },
            None => Error::Server {
                status,
                code: "unexpected_response".into(),
                message: format!("HTTP {status} without an error body"),
            },
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }
}
