//! Hour entries: the service records, where they come from, how they stand,
//! and what happened to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Attendance;
use crate::actor::is_valid_id;

string_enum! {
    pub enum HourSource {
        Attendance = "attendance",
        SelfReport = "self_report",
        /// The service of a completed order (`order_id`).
        Order = "order",
    }
}

string_enum! {
    pub enum HourStatus {
        /// Self-reported, waiting for a reviewer.
        Pending = "pending",
        /// Derived from attendance recorded by staff, or approved.
        Confirmed = "confirmed",
        /// A reviewer turned it down, with a reason.
        Rejected = "rejected",
        /// Replaced by a correction (`superseded_by`); its content is unchanged.
        Superseded = "superseded",
        /// Its evidence no longer stands (the check-out was cleared, the
        /// activity cancelled, or attendance credits the same time): kept,
        /// with the reason, and counted nowhere.
        Voided = "voided",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourEntry {
    pub id: String,
    pub volunteer_id: String,
    pub activity_id: Option<String>,
    pub site_id: Option<String>,
    pub source: HourSource,
    pub status: HourStatus,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
    pub description: String,
    pub recorded_by: String,
    /// The team a self-report is made for; its leaders review it.
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was rejected or corrected.
    #[serde(default)]
    pub reason: Option<String>,
    /// The entry this one corrects.
    #[serde(default)]
    pub corrects: Option<String>,
    /// The entry that corrects this one.
    #[serde(default)]
    pub superseded_by: Option<String>,
    /// When the record was made (the recording time the 2021 rules ask for).
    #[serde(default)]
    pub recorded_at: Option<DateTime<Utc>>,
    /// When it was due: ten working days after the service ended.
    #[serde(default)]
    pub due_by: Option<DateTime<Utc>>,
    /// Recorded after `due_by`: made or approved by the site's staff only.
    #[serde(default)]
    pub late: bool,
    /// The place of service: the site's name and address, as recorded.
    #[serde(default)]
    pub place: Option<String>,
    /// The organising unit: the team, else the site, by name, as recorded.
    #[serde(default)]
    pub organiser: Option<String>,
    /// The activity lead, by name, as recorded.
    #[serde(default)]
    pub lead: Option<String>,
    /// The completed order this record is the service of.
    #[serde(default)]
    pub order_id: Option<String>,
    /// The resident's rating of that service (1 to 5), once given.
    #[serde(default)]
    pub rating: Option<u8>,
    /// The volunteer's disputes of this record and how each was resolved,
    /// oldest first (a correction request under the 2021 rules, art. 13),
    /// and earlier reviews undone by a re-opening.
    #[serde(default)]
    pub history: Vec<HourEvent>,
}

/// One event in an hour entry's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourEvent {
    pub kind: HourEventKind,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

string_enum! {
    /// What happened to an hour entry besides its review.
    pub enum HourEventKind {
        /// The volunteer disputes the record, saying why.
        Disputed = "disputed",
        /// A reviewer accepted the dispute (a correction follows).
        DisputeAccepted = "dispute_accepted",
        /// A reviewer turned the dispute down, saying why.
        DisputeRejected = "dispute_rejected",
        /// A reviewer re-opened a rejected report: pending again.
        Reopened = "reopened",
    }
}

impl HourEntry {
    /// The key of the first entry derived from an attendance of this
    /// (activity, volunteer); see [`Attendance::hours_id`].
    pub fn attendance_key(activity_id: &str, volunteer_id: &str) -> String {
        format!("att/{activity_id}/{volunteer_id}")
    }

    /// Whether `id` can name an hour entry: a client-chosen id, or a key the
    /// rules compose (`att/<activity>/<volunteer>[/<n>]`,
    /// `ord/<order>/<volunteer>`).
    pub fn is_valid_key(id: &str) -> bool {
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            [one] => is_valid_id(one),
            ["att" | "ord", a, v] => is_valid_id(a) && is_valid_id(v),
            ["att", a, v, n] => {
                is_valid_id(a)
                    && is_valid_id(v)
                    && !n.starts_with('0')
                    && n.len() <= 6
                    && n.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        }
    }

    /// The key of the record of `volunteer_id`'s service for an order.
    pub fn order_key(order_id: &str, volunteer_id: &str) -> String {
        format!("ord/{order_id}/{volunteer_id}")
    }

    /// Counts towards the volunteer's hours.
    pub fn is_confirmed(&self) -> bool {
        self.status == HourStatus::Confirmed
    }

    /// The last event, when it is a dispute not yet resolved.
    pub fn open_dispute(&self) -> Option<&HourEvent> {
        self.history
            .last()
            .filter(|e| e.kind == HourEventKind::Disputed)
    }
}

impl Attendance {
    /// The id of the entry this attendance earns now: `att/activity/volunteer`
    /// until it is corrected, `att/activity/volunteer/n` after its n-th
    /// correction (each correction supersedes the entry before it).
    pub fn hours_id(&self) -> String {
        let first = HourEntry::attendance_key(&self.activity_id, &self.volunteer_id);
        match self.corrections.len() {
            0 => first,
            n => format!("{first}/{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HourEntry;

    #[test]
    fn entry_keys_are_client_ids_or_the_keys_the_rules_compose() {
        for ok in ["e1", "att/a1/v1", "att/a1/v1/2", "ord/o1/v1"] {
            assert!(HourEntry::is_valid_key(ok), "{ok}");
        }
        for bad in [
            "",
            "a/b",
            "att/a1",
            "att/a1/v1/0",
            "att/a1/v1/x",
            "ord/o1/v1/1",
            "att//v1",
            "att/a 1/v1",
            "x/a1/v1",
        ] {
            assert!(!HourEntry::is_valid_key(bad), "{bad}");
        }
    }
}
