//! The core's value types: roster lines, totals, the inputs of actions with
//! many fields, and what sync reports.

use std::time::Duration;

use super::DateTime;
use super::mutation::Action;
use super::records::{Audience, DataKind, OrderStatus, RejectCode};

pub use volunteer_core::{
    AccessCode, ActivityDraft, AutoSyncOptions, CallOutDraft, Connectivity, DueKind, DueRecord,
    HoursReport, HoursTotal, OrderQueue, OrderRequest, RosterEntry, SyncFailure, SyncReport,
    SyncStatus,
};

/// An action waiting for the server.
pub type PendingAction = volunteer_core::PendingMutation;
/// An action the server refused, with its whole input.
pub type RejectedAction = volunteer_core::RejectedMutation;

/// Input of a new call-out: whom it calls (teams, a site's subtree; empty:
/// everyone) and how many responders it wants.
#[uniffi::remote(Record)]
pub struct CallOutDraft {
    pub site_id: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime,
    pub ends_at: DateTime,
    pub needed: u32,
    pub audience: Audience,
}

/// One line of an activity's roster: who signed up and who is or was there.
#[uniffi::remote(Record)]
pub struct RosterEntry {
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// Holds one of the places.
    pub signed_up: bool,
    /// Waiting for a place: position on the waitlist (1 = next).
    pub waitlist_position: Option<u32>,
    pub checked_in_at: Option<DateTime>,
    pub checked_out_at: Option<DateTime>,
}

/// A service record not complete yet, and when it is due: ten working days
/// after the activity ended.
#[uniffi::remote(Record)]
pub struct DueRecord {
    pub kind: DueKind,
    pub activity_id: Option<String>,
    /// The activity's title, else the entry's description.
    pub title: String,
    pub volunteer_id: Option<String>,
    pub volunteer_name: Option<String>,
    pub hour_entry_id: Option<String>,
    pub due_by: DateTime,
    /// Past `due_by`: only the site's staff record it now, flagged late.
    pub overdue: bool,
}

/// What is missing from a due record.
#[uniffi::remote(Enum)]
pub enum DueKind {
    /// Checked in and never checked out: no hours are recorded yet.
    OpenAttendance,
    /// The signed-in volunteer held a place and nothing records their service.
    NotRecorded,
    /// Volunteers were signed up and no attendance was recorded at all.
    ActivityNotRecorded,
    /// A self-report waiting for its review.
    PendingReview,
}

/// A one-time code staff hand to a person: `purpose` is "activation" (for
/// an account staff made) or "reset" (a forgotten password). Shown once.
#[uniffi::remote(Record)]
pub struct AccessCode {
    pub user_id: String,
    pub purpose: String,
    pub code: String,
    pub expires_at: DateTime,
}

/// How many of a site's orders stand in one state, and the oldest of them.
#[uniffi::remote(Record)]
pub struct OrderQueue {
    pub status: OrderStatus,
    pub count: u32,
    pub oldest_created_at: DateTime,
}

/// A volunteer's hours, in minutes: confirmed (from attendance or approved) and
/// still waiting for review.
#[uniffi::remote(Record)]
pub struct HoursTotal {
    pub confirmed_minutes: u64,
    pub pending_minutes: u64,
}

/// Input of a new activity.
#[uniffi::remote(Record)]
pub struct ActivityDraft {
    pub site_id: String,
    /// The organising team (a leader drafts for their own team).
    pub team_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime,
    pub ends_at: DateTime,
    pub capacity: u32,
    pub signup_deadline: Option<DateTime>,
    /// Take signups beyond capacity on a waitlist.
    pub waitlist: bool,
    /// Staff may check in volunteers who did not sign up.
    pub walk_ins: bool,
    /// Round credited minutes down to a multiple of this (0, 5, 10, 15, 30, 60).
    pub credit_rounding_minutes: u32,
}

/// Input of a resident's order for help.
#[uniffi::remote(Record)]
pub struct OrderRequest {
    /// The site responsible, usually the resident's community station.
    pub site_id: String,
    pub category: String,
    pub description: String,
    pub desired_at: Option<DateTime>,
    /// Shown only to the site's staff and whoever takes the order.
    pub phone: String,
    pub address: String,
}

/// Input of a self-report of hours.
#[uniffi::remote(Record)]
pub struct HoursReport {
    pub activity_id: Option<String>,
    /// The team the service was for (one the volunteer belongs to); its
    /// leaders review the entry.
    pub team_id: Option<String>,
    pub started_at: DateTime,
    pub minutes: u32,
    pub description: String,
}

/// A queued action not yet settled by the server.
#[uniffi::remote(Record)]
pub struct PendingAction {
    pub seq: u64,
    pub id: String,
    pub created_at: DateTime,
    pub mutation: Action,
}

/// An action the server refused, kept with its original input so the user can
/// resend it ([`crate::Replica::retry_rejection`]) or drop it.
#[uniffi::remote(Record)]
pub struct RejectedAction {
    pub seq: u64,
    pub id: String,
    pub created_at: DateTime,
    pub mutation: Action,
    /// A stable code (`forbidden`, `activity_full`, …) an app translates.
    pub code: RejectCode,
    pub message: String,
    pub rejected_at: DateTime,
}

/// What one call of [`crate::Replica::sync`] did.
#[uniffi::remote(Record)]
pub struct SyncReport {
    /// Requests made (each pushes and pulls).
    pub requests: u32,
    pub pushed: u32,
    pub applied: u32,
    pub rejected: u32,
    pub pulled: u32,
    /// The server told the device to refetch its scope.
    pub reset: bool,
    /// Which kinds of data changed, for UI refresh.
    pub changed: Vec<DataKind>,
    /// Time spent applying responses on the device (decoding, writing,
    /// replaying), without the network: what a slow phone adds to a sync.
    pub apply_time: Duration,
}

/// What the last contact with the server said about the network.
#[uniffi::remote(Enum)]
pub enum Connectivity {
    /// No sync tried since the replica was opened.
    Unknown,
    /// The last sync reached the server.
    Online,
    /// The last sync could not reach the server.
    Offline,
}

/// The last failed sync; cleared by the next successful one.
#[uniffi::remote(Record)]
pub struct SyncFailure {
    /// [`crate::Error::code`] of the failure.
    pub code: String,
    pub message: String,
    pub at: DateTime,
}

/// The sync status an app shows: pending work, rejections, last success, last error.
#[uniffi::remote(Record)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub connectivity: Connectivity,
    /// A sync is running now.
    pub syncing: bool,
    pub pending_count: u64,
    pub oldest_pending_at: Option<DateTime>,
    pub rejected_count: u64,
    pub last_sync_at: Option<DateTime>,
    pub last_error: Option<SyncFailure>,
    /// The core's sync loop is on.
    pub auto_sync: bool,
    /// When the loop syncs next, if it has something to do.
    pub next_attempt_at: Option<DateTime>,
    /// Failed rounds in a row (the loop waits longer after each).
    pub consecutive_failures: u32,
    /// Changes from the server this app version cannot read (a newer
    /// server): kept, and read by an updated app. Non-zero: suggest an update.
    pub kept_aside_count: u64,
    /// A download of more than one page is under way: rows applied so far.
    pub download_done: u64,
    /// Rows that download holds in all, as the server last counted them (0:
    /// no such download).
    pub download_expected: u64,
}

/// When the core's sync loop syncs on its own.
#[uniffi::remote(Record)]
pub struct AutoSyncOptions {
    /// After a local write, wait this long for more before syncing.
    pub debounce: Duration,
    /// While actions are pending, sync at least this often.
    pub pending_interval: Duration,
    /// With nothing pending, pull others' changes this often (none: only
    /// after writes, on network-back and while pending).
    pub refresh_interval: Option<Duration>,
    /// The wait after a first failure; it doubles with each failure in a row.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}
