//! The typed union of replicated records ([`Record`], [`Kind`]) and how each
//! is keyed and encoded. The list below is the one place a record kind is
//! declared: its string form, `Kind::ALL`, and every per-kind dispatch follow.

use crate::records::*;

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
