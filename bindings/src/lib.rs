//! Kotlin and Swift bindings of the volunteer core, through uniffi proc macros.
//!
//! One object, [`VolunteerClient`], is what an app holds for its lifetime.
//! Local reads and writes are synchronous (one SQLite transaction: call them
//! off the UI thread); `sign_in`, `sign_out` and `sync` are async and run on a
//! tokio runtime owned by this crate. Every export returns `Result`, and every
//! body runs behind a panic guard, so no panic crosses the FFI.

uniffi::setup_scaffolding!();

mod client;
mod error;
mod listeners;
mod logging;
mod runtime;
mod types;

pub use client::VolunteerClient;
pub use error::VolunteerError;
pub use listeners::{CancelHandle, ChangeListener, StatusListener, SubscriptionHandle};
pub use logging::{LogLevel, Logger, set_logger};
pub use types::*;
