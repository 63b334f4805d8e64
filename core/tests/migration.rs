//! A replica written by the first release (schema 1) opens in this version
//! with nothing lost: the session, the replicated records in their v1 JSON
//! shapes (fields added since then take their defaults), the pending
//! mutations with their undo rows, and a rejection awaiting the user.
//!
//! `fixtures/replica-v1.db` is frozen: it was made once by applying
//! `src/migrations/001_initial.sql` exactly as released, with a signed-in
//! volunteer, a station, a team and an activity without the later optional
//! fields, a signup, two pending actions (join a team, report hours) with
//! their optimistic effects, and one rejected signup. Never regenerate it:
//! add a new fixture for a new schema version instead.
#![allow(clippy::unwrap_used)]

use rusqlite::Connection;
use volunteer_core::{HourStatus, Mutation, RejectCode, Replica, Role};

fn v1_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replica.db");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/replica-v1.db"),
        &path,
    )
    .unwrap();
    (dir, path)
}

#[test]
fn a_v1_replica_upgrades_with_everything_kept() {
    let (_dir, path) = v1_copy();
    let before: i64 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, 1, "the fixture is a schema-1 file");

    // Nothing listens on port 9: the upgrade needs no network.
    let replica = Replica::open(&path, "http://127.0.0.1:9").unwrap();
    let me = replica.profile().unwrap().expect("still signed in");
    assert_eq!((me.user_id.as_str(), me.role), ("v-1", Role::Volunteer));

    // Records in their v1 shapes read with today's defaults.
    let activity = replica.activity("a-1").unwrap().expect("activity kept");
    assert_eq!(activity.signup_count, 4);
    assert!(activity.walk_ins, "walk-ins default to allowed");
    assert_eq!(
        (activity.waitlist_next, activity.credit_rounding_minutes),
        (0, 0)
    );
    let teams = replica.teams(None).unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].join_policy, Default::default());
    assert_eq!(replica.my_signups().unwrap().len(), 1);

    // Pending work and its optimistic effects are intact, in order.
    let pending = replica.pending_mutations().unwrap();
    assert_eq!(
        pending.iter().map(|p| p.seq).collect::<Vec<_>>(),
        [2, 3],
        "{pending:?}"
    );
    assert!(matches!(&pending[0].mutation, Mutation::JoinTeam { team_id } if team_id == "t-1"));
    assert!(matches!(
        &pending[1].mutation,
        Mutation::ReportHours {
            minutes: 90,
            team_id: None,
            ..
        }
    ));
    assert!(
        replica
            .my_memberships()
            .unwrap()
            .iter()
            .any(|m| m.team_id == "t-1")
    );
    let hours = replica.my_hours().unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0].status, HourStatus::Pending);
    assert_eq!(replica.my_hours_total().unwrap().pending_minutes, 90);

    // The rejection still waits for the user, with its code and whole input.
    let rejected = replica.rejections().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].code, RejectCode::ActivityFull);
    assert!(
        matches!(&rejected[0].mutation, Mutation::SignUp { activity_id } if activity_id == "a-2")
    );
    let status = replica.sync_status().unwrap();
    assert_eq!((status.pending_count, status.rejected_count), (2, 1));

    // A new action continues the sequence after the v1 ones.
    replica.leave_team("t-1").unwrap();
    assert_eq!(replica.pending_mutations().unwrap().last().unwrap().seq, 4);
    drop(replica);

    let conn = Connection::open(&path).unwrap();
    let after: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert!(after > 1, "upgraded to the current schema");
    let narrow: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index'
             AND name IN ('activities_by_site', 'memberships_by_team')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(narrow, 2, "schema 2's indexes exist");
    // Schema 5: records in arrival order, and the planner's figures name
    // its key's index (the old key had none of its own). Schema 6: they
    // are kept compact in `record_rows`, read through the `records` view.
    let table: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'record_rows'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!table.contains("WITHOUT ROWID"), "{table}");
    let stats: Vec<String> = conn
        .prepare("SELECT idx FROM sqlite_stat1 WHERE tbl = 'record_rows' ORDER BY idx")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        stats,
        [
            "activities_by_site",
            "memberships_by_team",
            "records_by_activity",
            "records_by_volunteer",
            "sqlite_autoindex_record_rows_1"
        ]
    );
    let view: String = conn
        .query_row(
            "SELECT type FROM sqlite_schema WHERE name = 'records'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(view, "view");
}

#[test]
fn opening_an_upgraded_file_again_changes_nothing() {
    let (_dir, path) = v1_copy();
    drop(Replica::open(&path, "http://127.0.0.1:9").unwrap());
    let replica = Replica::open(&path, "http://127.0.0.1:9").unwrap();
    assert_eq!(replica.pending_mutations().unwrap().len(), 2);
    assert_eq!(replica.rejections().unwrap().len(), 1);
}
