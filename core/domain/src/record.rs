//! The typed union of replicated records ([`Record`], [`Kind`]), how each is
//! keyed and encoded, and the constructors of records built in many places.
//! The list below is the one place a record kind is declared: its string
//! form, `Kind::ALL`, and every per-kind dispatch follow.

use chrono::{DateTime, Utc};

use crate::records::*;

/// A record type's stable key within its kind.
pub trait Keyed {
    fn key(&self) -> String;
}

/// The key of a relationship record: `a/b`.
pub fn pair_key(a: &str, b: &str) -> String {
    format!("{a}/{b}")
}

impl Keyed for Site {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Team {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Profile {
    fn key(&self) -> String {
        self.user_id.clone()
    }
}
impl Keyed for Membership {
    fn key(&self) -> String {
        pair_key(&self.team_id, &self.volunteer_id)
    }
}
impl Keyed for Activity {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Signup {
    fn key(&self) -> String {
        pair_key(&self.activity_id, &self.volunteer_id)
    }
}
impl Keyed for Attendance {
    fn key(&self) -> String {
        pair_key(&self.activity_id, &self.volunteer_id)
    }
}
impl Keyed for HourEntry {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for ServiceOrder {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for OrderContact {
    fn key(&self) -> String {
        OrderContact::copy_key(
            &self.order_id,
            self.assignee_team_id.as_deref(),
            self.assignee_volunteer_id.as_deref(),
        )
    }
}
impl Keyed for Campaign {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Donation {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Figures {
    fn key(&self) -> String {
        self.key.clone()
    }
}
impl Keyed for Distribution {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Project {
    fn key(&self) -> String {
        self.id.clone()
    }
}
impl Keyed for Account {
    fn key(&self) -> String {
        self.user_id.clone()
    }
}
impl Keyed for Notice {
    fn key(&self) -> String {
        self.id.clone()
    }
}

records! {
    Site = "site",
    Team = "team",
    Profile = "profile",
    Membership = "membership",
    Activity = "activity",
    Signup = "signup",
    Attendance = "attendance",
    HourEntry = "hour_entry",
    ServiceOrder = "service_order",
    OrderContact = "order_contact",
    Campaign = "campaign",
    Donation = "donation",
    Figures = "figures",
    Notice = "notice",
    Account = "account",
    Distribution = "distribution",
    Project = "project",
}

// ----- constructors -----

impl Activity {
    /// A draft activity with every optional part off: no team, no deadline,
    /// no waitlist, walk-ins allowed, exact credit. Set the rest with struct
    /// update syntax (`Activity { waitlist: true, ..Activity::new(..) }`).
    pub fn new(
        id: impl Into<String>,
        site_id: impl Into<String>,
        title: impl Into<String>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        capacity: u32,
    ) -> Activity {
        Activity {
            id: id.into(),
            site_id: site_id.into(),
            team_id: None,
            title: title.into(),
            description: String::new(),
            starts_at,
            ends_at,
            capacity,
            signup_count: 0,
            status: ActivityStatus::Draft,
            signup_deadline: None,
            waitlist: false,
            waitlist_count: 0,
            waitlist_next: 0,
            created_by: None,
            cancel_reason: None,
            walk_ins: true,
            credit_rounding_minutes: 0,
            callout: false,
            published: false,
            lead: None,
            audience: Audience::default(),
            project_id: None,
        }
    }

    /// Volunteers may see it: published at some point (a draft, or a draft
    /// cancelled before it was published, is its organisers' alone).
    pub fn is_public(&self) -> bool {
        self.status != ActivityStatus::Draft
            && (self.published || self.status != ActivityStatus::Cancelled)
    }
}

impl HourEntry {
    /// An entry with its identity, origin and time: nothing reviewed,
    /// corrected or stamped yet (the rules stamp what they record).
    pub fn new(
        id: String,
        volunteer_id: &str,
        (source, status): (HourSource, HourStatus),
        started_at: DateTime<Utc>,
        minutes: u32,
        recorded_by: &str,
    ) -> HourEntry {
        HourEntry {
            id,
            volunteer_id: volunteer_id.to_owned(),
            activity_id: None,
            site_id: None,
            source,
            status,
            started_at,
            minutes,
            description: String::new(),
            recorded_by: recorded_by.to_owned(),
            team_id: None,
            reviewed_by: None,
            reviewed_at: None,
            reason: None,
            corrects: None,
            superseded_by: None,
            history: vec![],
            order_id: None,
            rating: None,
            recorded_at: None,
            due_by: None,
            late: false,
            place: None,
            organiser: None,
            lead: None,
        }
    }

    /// The confirmed entry a checked-out attendance earns (`None` until it is
    /// checked out): its minutes are [`crate::rules::credited_minutes`].
    pub fn for_attendance(activity: &Activity, attendance: &Attendance) -> Option<HourEntry> {
        let out = attendance.checked_out_at?;
        Some(HourEntry {
            activity_id: Some(activity.id.clone()),
            site_id: Some(activity.site_id.clone()),
            description: activity.title.clone(),
            team_id: activity.team_id.clone(),
            ..HourEntry::new(
                attendance.hours_id(),
                &attendance.volunteer_id,
                (HourSource::Attendance, HourStatus::Confirmed),
                // Credit starts with the activity at the earliest.
                attendance.checked_in_at.max(activity.starts_at),
                crate::rules::credited_minutes(activity, attendance.checked_in_at, out),
                &attendance.recorded_by,
            )
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("unknown record kind {0:?}")]
    UnknownKind(String),
    #[error("malformed {kind} record: {source}")]
    Malformed {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;
    use chrono::Utc;

    fn activity() -> Activity {
        Activity {
            status: ActivityStatus::Published,
            ..Activity::new(
                "a1",
                "s1",
                "Elderly care",
                "2026-12-01T01:00:00Z".parse().unwrap(),
                "2026-12-01T03:00:00Z".parse().unwrap(),
                10,
            )
        }
    }

    #[test]
    fn kind_strings_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(Kind::parse("nope"), None);
    }

    #[test]
    fn record_json_round_trips_and_keeps_snake_case_fields() {
        let r = Record::Activity(activity());
        let json = r.to_json();
        assert!(json.contains("\"signup_count\":0"), "{json}");
        assert!(json.contains("\"status\":\"published\""), "{json}");
        assert_eq!(Record::from_json(Kind::Activity, &json).unwrap(), r);
        assert_eq!(Record::from_value(Kind::Activity, r.to_value()).unwrap(), r);
    }

    #[test]
    fn malformed_record_is_a_typed_error() {
        let err = Record::from_json(Kind::Team, "{\"id\":1}").unwrap_err();
        assert!(matches!(err, RecordError::Malformed { kind: "team", .. }));
    }

    #[test]
    fn personal_records_are_owned_and_site_scoped() {
        let s = Record::Signup(Signup {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            volunteer_name: "王芳".into(),
            site_id: "s1".into(),
            signed_up_at: Utc::now(),
            status: SignupStatus::Confirmed,
            position: 0,
            team_id: None,
        });
        assert_eq!(s.key(), "a1/v1");
        assert_eq!(
            s.scope(),
            Scope {
                public: false,
                owner: Some("v1".into()),
                site_id: Some("s1".into()),
                owner_only: false,
                team_id: None,
                reader: None,
            }
        );
        assert!(Record::Activity(activity()).scope().public);
    }
}
