//! The one error type apps see, and the panic guard every export runs behind.

use std::panic::{AssertUnwindSafe, catch_unwind};
use volunteer_core::Error;

use volunteer_core::RejectCode;

/// Why a call failed. Each case says what the app can do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum VolunteerError {
    /// The server could not be reached. Nothing is lost; sync again later.
    #[error("offline: {reason}")]
    Offline { reason: String },
    /// Nobody is signed in on this replica.
    #[error("not signed in")]
    SignedOut { reason: String },
    /// The session expired or was revoked: sign in again (pending work is kept).
    #[error("session expired")]
    AuthExpired { reason: String },
    /// Staff deactivated this account: the replica was reset (its data and
    /// queue removed) and nobody is signed in.
    #[error("account deactivated")]
    AccountDisabled { reason: String },
    /// The rules refuse this action; `code` says why.
    #[error("rejected ({code:?}): {reason}")]
    Rejected { code: RejectCode, reason: String },
    /// An argument is unusable; `field` names it.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    /// Sign-out would drop `count` actions the server has not received.
    #[error("{count} changes not synced")]
    PendingChanges { count: u64, reason: String },
    /// The server refused the request as a whole (HTTP `status`, protocol `code`).
    #[error("server error {status} ({code}): {reason}")]
    Server {
        status: u16,
        code: String,
        reason: String,
    },
    /// The device is out of space: the action was not taken and nothing
    /// queued is lost; it works again once space is freed.
    #[error("storage full: {reason}")]
    StorageFull { reason: String },
    /// The server no longer serves this app version: update the app. Pending
    /// work is kept for the updated app.
    #[error("update the app: {reason}")]
    UpgradeRequired { reason: String },
    /// The local database failed, or was written by a newer app version.
    #[error("storage: {reason}")]
    Storage { reason: String },
    /// The call was cancelled through its [`crate::CancelHandle`].
    #[error("cancelled")]
    Cancelled { reason: String },
    /// A bug in the core (including a caught panic). Please report it.
    #[error("internal: {reason}")]
    Internal { reason: String },
}

impl From<Error> for VolunteerError {
    fn from(e: Error) -> Self {
        let reason = e.to_string();
        match e {
            Error::Offline(_) => VolunteerError::Offline { reason },
            Error::SignedOut => VolunteerError::SignedOut { reason },
            Error::AuthExpired => VolunteerError::AuthExpired { reason },
            Error::AccountDisabled(_) => VolunteerError::AccountDisabled { reason },
            Error::Rejected { code, message } => VolunteerError::Rejected {
                code,
                reason: message,
            },
            Error::InvalidInput { field, message } => VolunteerError::InvalidInput {
                field,
                reason: message,
            },
            Error::AlreadyOpen(_) => VolunteerError::InvalidInput {
                field: "path".into(),
                reason,
            },
            Error::PendingChanges { count } => VolunteerError::PendingChanges { count, reason },
            Error::Server {
                status,
                code,
                message,
            } => VolunteerError::Server {
                status,
                code,
                reason: message,
            },
            Error::UpgradeRequired(_) => VolunteerError::UpgradeRequired { reason },
            Error::StorageFull(_) => VolunteerError::StorageFull { reason },
            Error::RetryLater { status, .. } => VolunteerError::Server {
                status,
                code: "retry_later".into(),
                reason,
            },
            Error::Storage(_) | Error::DatabaseTooNew { .. } => VolunteerError::Storage { reason },
            Error::Cancelled => VolunteerError::Cancelled { reason },
            Error::Internal(_) => VolunteerError::Internal { reason },
        }
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Run an export's body; a panic becomes [`VolunteerError::Internal`].
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, VolunteerError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(VolunteerError::from),
        Err(payload) => Err(VolunteerError::Internal {
            reason: format!("panic: {}", panic_message(payload.as_ref())),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let r: Result<(), _> = guard(|| panic!("boom"));
        assert_eq!(
            r,
            Err(VolunteerError::Internal {
                reason: "panic: boom".into()
            })
        );
    }

    #[test]
    fn core_errors_map_to_their_case() {
        let e: VolunteerError = Error::Rejected {
            code: volunteer_core::RejectCode::ActivityFull,
            message: "full".into(),
        }
        .into();
        assert_eq!(
            e,
            VolunteerError::Rejected {
                code: RejectCode::ActivityFull,
                reason: "full".into()
            }
        );
        let e: VolunteerError = Error::DatabaseTooNew {
            found: 9,
            supported: 1,
        }
        .into();
        assert!(matches!(e, VolunteerError::Storage { reason } if reason.contains("newer")));
    }
}
