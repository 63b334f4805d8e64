//! Issue 11: a server restored from last night's backup loses nothing a
//! device still remembers. Devices sync; the server is backed up; they go
//! on (joins, reports, check-ins, a donation); the server is restored from
//! the backup with a new epoch (`--new-epoch`). Each device hears of it,
//! sends again what it sent since (its journal) and what is queued, and
//! refetches: every later mutation is back on the server, exactly once.
//!
//! SQLite only: the backup is `VACUUM INTO` of the server's file. On
//! PostgreSQL the same epoch mechanism applies to a restored dump.

use chrono::{Duration, Utc};
use volunteer_core::{Gift, HoursReport, Kind, Record};
use volunteer_tests::server::{open_store, postgres_url_for};
use volunteer_tests::{TestServer, fixture, free_addr, signed_in};

fn report(i: i64) -> HoursReport {
    HoursReport {
        activity_id: None,
        team_id: None,
        started_at: Utc::now() - Duration::days(1) - Duration::hours(2 * i),
        minutes: 45,
        description: format!("第{i}次上门"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restored_from_a_backup_gets_back_what_devices_sent_since() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    if postgres_url_for(&db).is_some() {
        return; // the backup below is SQLite's
    }
    let addr = free_addr();
    let server = TestServer::start_on(&db, addr).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    let staff = signed_in(dir.path(), "staff", &url, "staff-a").await;
    v1.join_team(&fx.team_a.id).unwrap();
    v1.report_hours(report(0)).unwrap();
    v1.sync().await.unwrap();

    // Last night's backup.
    let backup = dir.path().join("backup.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute("VACUUM INTO ?1", [backup.to_str().unwrap()])
            .unwrap();
    }

    // The day goes on: confirmed on the server, then forgotten by it.
    v1.report_hours(report(1)).unwrap();
    v2.join_team(&fx.team_a.id).unwrap();
    v2.report_hours(report(2)).unwrap();
    staff
        .check_in(&fx.activity_a.id, &fx.id("v3"), None)
        .unwrap();
    let campaign = staff.create_campaign(&fx.station_a.id, "冬衣募集").unwrap();
    staff
        .record_donation(
            &fx.station_a.id,
            Some(&campaign),
            None,
            Gift::Money { fen: 12_345 },
            Utc::now(),
        )
        .unwrap();
    for d in [&v1, &v2, &staff] {
        d.sync().await.unwrap();
        d.sync().await.unwrap(); // the pull catches up: confirmed, journaled
        assert_eq!(d.pending_count().unwrap(), 0);
    }
    // And one more, still queued when the restore happens.
    v2.report_hours(report(3)).unwrap();

    // The disk is lost; the backup is restored, with a new epoch.
    server.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&backup, &db).unwrap();
    open_store(&db).new_epoch().unwrap();
    let server = TestServer::start_on(&db, addr).await;
    assert_eq!(
        server.store.records(Kind::HourEntry).unwrap().len(),
        1,
        "the backup holds only the first report"
    );

    for d in [&v1, &v2, &staff] {
        d.sync().await.unwrap();
        assert_eq!(d.pending_count().unwrap(), 0);
    }
    let store = server.store.as_ref();
    let hours = store.records(Kind::HourEntry).unwrap();
    assert_eq!(hours.len(), 4, "every report once: {hours:?}");
    assert_eq!(store.records(Kind::Membership).unwrap().len(), 2);
    assert_eq!(store.records(Kind::Attendance).unwrap().len(), 1);
    let totals: Vec<u64> = store
        .records(Kind::Campaign)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Campaign(c) => Some(c.money_fen),
            _ => None,
        })
        .collect();
    assert_eq!(totals, [12_345], "the donation counted once");
    // The devices' replicas follow the restored server.
    assert_eq!(v2.my_hours().unwrap().len(), 2);
    assert_eq!(v1.my_hours().unwrap().len(), 2);
}
