//! The domain's and the core's own types, declared to uniffi in place
//! (`#[uniffi::remote]`): no copies, no conversions. Each declaration must
//! list every field or variant of the real type, so a field added to a
//! record fails to compile here until it is added (one line), and then
//! reaches Kotlin and Swift with nothing else to update.
//!
//! App-facing names that differ from the Rust ones are type aliases:
//! `DataKind` (the core's `Kind`), `Action` (`Mutation`), `PendingAction`
//! and `RejectedAction`. Timestamps are `DateTime<Utc>` in Rust and cross
//! as `SystemTime`: `java.time.Instant` in Kotlin, `Date` in Swift.

mod desk;
mod model;
mod mutation;
mod records;

pub use model::*;
pub use mutation::*;
pub use records::*;

/// A UTC instant: `java.time.Instant` in Kotlin, `Date` in Swift.
pub type DateTime = chrono::DateTime<chrono::Utc>;
uniffi::custom_type!(DateTime, std::time::SystemTime, { remote });
