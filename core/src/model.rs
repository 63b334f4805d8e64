//! The core's public value types: what reads return, what actions take, and
//! what sync reports. No I/O here: the SQL that fills them is in the
//! queries module, which depends on this one and not the other way round.

use chrono::{DateTime, Utc};
use std::time::Duration;
use volunteer_domain::{HourEntry, HourStatus, Kind, Mutation, OrderStatus, RejectCode};

/// Tuning of the sync client.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Changes requested per pull page.
    pub pull_page_size: u32,
    /// Mutations pushed per request.
    pub push_batch_size: u32,
    /// Deadline of one HTTP request.
    pub request_timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            // Each page is one transaction, and a replica's index updates
            // cost more per commit the smaller the page: catching up with
            // 10,000 rows in 5,000-row pages is about three times faster
            // than in 1,000-row ones (volunteer-bench apply).
            pull_page_size: volunteer_domain::wire::MAX_PULL_LIMIT,
            push_batch_size: volunteer_domain::wire::MAX_PUSH_BATCH as u32,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// One line of an activity's roster: who signed up and who is or was there.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// Holds one of the places.
    pub signed_up: bool,
    /// Waiting for a place: position on the waitlist (1 = next).
    pub waitlist_position: Option<u32>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// A service record not complete yet, and when it is due: ten working days
/// after the activity ended (the 2021 rules, art. 11; `docs/domain.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct DueRecord {
    pub kind: DueKind,
    pub activity_id: Option<String>,
    /// The activity's title, else the entry's description.
    pub title: String,
    pub volunteer_id: Option<String>,
    pub volunteer_name: Option<String>,
    pub hour_entry_id: Option<String>,
    pub due_by: DateTime<Utc>,
    /// Past `due_by`: only the site's staff record it now, flagged late.
    pub overdue: bool,
}

/// What is missing from a [`DueRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueKind {
    /// Checked in and never checked out: no hours are recorded yet.
    OpenAttendance,
    /// The signed-in volunteer held a place, and nothing records their
    /// service: the organisers record it, or the volunteer reports it.
    NotRecorded,
    /// The activity had volunteers signed up and no attendance at all
    /// (the organisers' view).
    ActivityNotRecorded,
    /// A self-report waiting for its review.
    PendingReview,
}

/// How many of a site's orders stand in one state, and since when the
/// oldest of them was placed: the dispatcher's queue at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderQueue {
    pub status: OrderStatus,
    pub count: u32,
    pub oldest_created_at: DateTime<Utc>,
}

/// A one-time code staff hand to a person: to activate the account they
/// made (`purpose` "activation") or to set a forgotten password ("reset").
#[derive(Debug, Clone, PartialEq)]
pub struct AccessCode {
    pub user_id: String,
    pub purpose: String,
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// A volunteer's hours, in minutes: confirmed (from attendance or approved) and
/// still waiting for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HoursTotal {
    pub confirmed_minutes: u64,
    pub pending_minutes: u64,
}

/// Input of a new activity.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDraft {
    pub site_id: String,
    /// The organising team (a leader drafts for their own team).
    pub team_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    pub signup_deadline: Option<DateTime<Utc>>,
    /// Take signups beyond capacity on a waitlist.
    pub waitlist: bool,
    /// Staff may check in volunteers who did not sign up.
    pub walk_ins: bool,
    /// Round credited minutes down to a multiple of this (0, 5, 10, 15, 30, 60).
    pub credit_rounding_minutes: u32,
}

/// Input of a new call-out.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutDraft {
    pub site_id: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Responders wanted.
    pub needed: u32,
    /// Whom it calls (teams, a site's subtree; empty: everyone).
    pub audience: volunteer_domain::Audience,
}

/// Input of a resident's order for help.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    /// The site responsible, usually the resident's community station.
    pub site_id: String,
    pub category: String,
    pub description: String,
    pub desired_at: Option<DateTime<Utc>>,
    /// Shown only to the site's staff and whoever takes the order.
    pub phone: String,
    pub address: String,
}

/// Input of a self-report of hours.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursReport {
    pub activity_id: Option<String>,
    /// The team the service was for (one the volunteer belongs to); its
    /// leaders review the entry.
    pub team_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
    pub description: String,
}

/// A queued action not yet settled by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMutation {
    pub seq: u64,
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub mutation: Mutation,
}

/// An action the server refused, kept with its original input so the user can
/// resend it ([`crate::Replica::retry_rejection`]) or drop it.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedMutation {
    pub seq: u64,
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub mutation: Mutation,
    /// A stable code (`forbidden`, `activity_full`, …) an app translates.
    pub code: RejectCode,
    pub message: String,
    pub rejected_at: DateTime<Utc>,
}

/// What one call of [`crate::Replica::sync`] did.
#[derive(Debug, Clone, PartialEq, Default)]
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
    pub changed: Vec<Kind>,
    /// Time spent applying responses on the device (decoding, writing,
    /// replaying), without the network: what a slow phone adds to a sync.
    pub apply_time: Duration,
}

/// What the last contact with the server said about the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    /// No sync tried since the replica was opened.
    Unknown,
    /// The last sync reached the server.
    Online,
    /// The last sync could not reach the server.
    Offline,
}

/// The last failed sync; cleared by the next successful one.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncFailure {
    /// [`crate::Error::code`] of the failure.
    pub code: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// The sync status an app shows: pending work, rejections, last success, last error.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub connectivity: Connectivity,
    /// A sync is running now.
    pub syncing: bool,
    pub pending_count: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub rejected_count: u64,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<SyncFailure>,
    /// The core's sync loop is on ([`crate::Replica::start_auto_sync`]).
    pub auto_sync: bool,
    /// When the loop syncs next, if it has something to do.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Failed rounds in a row (the loop waits longer after each).
    pub consecutive_failures: u32,
    /// Changes from the server this app version cannot read (a newer
    /// server): kept, and read by an updated app. Non-zero: suggest an update.
    pub kept_aside_count: u64,
    /// A download of more than one page is under way (a new device, a
    /// reset, a long time offline): rows applied so far. Each page applied
    /// is a status event.
    pub download_done: u64,
    /// Rows that download holds in all, as the server last counted them; 0
    /// when no such download runs. Changes made meanwhile may add to it.
    pub download_expected: u64,
}

impl HoursTotal {
    /// Confirmed and pending minutes of these entries (rejected and
    /// superseded ones count for nothing).
    pub fn of(entries: &[HourEntry]) -> HoursTotal {
        entries.iter().fold(HoursTotal::default(), |mut t, e| {
            match e.status {
                HourStatus::Confirmed => t.confirmed_minutes += u64::from(e.minutes),
                HourStatus::Pending => t.pending_minutes += u64::from(e.minutes),
                HourStatus::Rejected | HourStatus::Superseded | HourStatus::Voided => {}
            }
            t
        })
    }
}
