//! Kotlin and Swift bindings of the volunteer core, through uniffi proc macros.
//!
//! One object, [`VolunteerClient`], is what an app holds for its lifetime.
//! Local reads and writes are synchronous (one SQLite transaction: call them
//! off the UI thread); `sign_in`, `sign_out` and `sync` are async and run on a
//! tokio runtime owned by this crate. Every export that can fail returns
//! `Result` and runs behind a panic guard; the few that cannot (cancel a
//! handle, set the logger) have no panicking path. Calls into the host's
//! listeners and logger are shielded too: a Kotlin or Swift exception thrown
//! there is dropped, never unwound through the core.

uniffi::setup_scaffolding!();

mod client;
mod error;
mod listeners;
mod logging;
mod remote;
mod runtime;

pub use client::VolunteerClient;
pub use error::VolunteerError;
pub use listeners::{CancelHandle, ChangeListener, StatusListener, SubscriptionHandle};
pub use logging::{LogLevel, Logger, set_logger};
pub use remote::*;

/// The version of the terms of service and privacy notice an app shows
/// before `register` or an activation; pass it back as `accepted_terms`.
#[uniffi::export]
pub fn terms_version() -> String {
    volunteer_core::TERMS_VERSION.to_owned()
}
