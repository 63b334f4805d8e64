//! Issue 11, proof 2: the device killed at every write point. A child
//! process queues five reports and syncs in pages of three, and aborts at
//! one named point (`VOLUNTEER_CRASH_AT`, compiled in by the tests'
//! `crash-points` feature): inside an enqueue, after one, inside a page's
//! apply, after settling, after the cursor write, after a page committed.
//! Reopened each time, the replica is intact, holds what was committed and
//! nothing torn, and the sync then finishes with every report on the
//! server exactly once and the replica equal to a fresh download.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use volunteer_core::{Kind, Record, Replica};
use volunteer_tests::{PASSWORD, TestServer, device, fixture};

const REPORTS: usize = 5;

fn rows(r: &Replica) -> BTreeMap<(Kind, String), String> {
    let mut out = BTreeMap::new();
    for kind in Kind::ALL.into_iter().filter(|k| *k != Kind::Figures) {
        for v in r.dump(kind).unwrap() {
            let rec = Record::from_value(kind, v).unwrap();
            out.insert((kind, rec.key()), rec.to_json());
        }
    }
    out
}

/// Run the child until it dies at `point`; (queued after reopening, the
/// reopened replica).
async fn killed_at(point: &str) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let db = dir.path().join("v1.db");
    let child = Command::new(env!("CARGO_BIN_EXE_device-sync"))
        .args([
            db.to_str().unwrap(),
            &server.url(),
            "v1",
            PASSWORD,
            "3",
            &REPORTS.to_string(),
        ])
        .env("VOLUNTEER_CRASH_AT", point)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(!out.status.success(), "{point}: the child did not die");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("done"),
        "{point}: the sync finished"
    );

    let check = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "{point}");
    drop(check);
    let phone = Replica::open(&db, &server.url()).unwrap();
    let queued = phone.pending_count().unwrap() as usize;
    let on_server = server.store.records(Kind::HourEntry).unwrap().len();
    // Committed reports are somewhere (queued, or already on the server),
    // and a report whose enqueue was cut is nowhere.
    let expected = match point {
        "enqueue:3" => 2,
        "after_enqueue:3" => 3,
        _ => REPORTS,
    };
    assert_eq!(
        queued.max(on_server),
        expected,
        "{point}: queued {queued}, on server {on_server}"
    );

    phone.sync().await.unwrap();
    assert_eq!(phone.pending_count().unwrap(), 0, "{point}");
    assert_eq!(
        server.store.records(Kind::HourEntry).unwrap().len(),
        expected,
        "{point}: each report once"
    );
    let fresh = device(dir.path(), "fresh", &server.url());
    fresh.sign_in("v1", PASSWORD).await.unwrap();
    fresh.sync().await.unwrap();
    assert_eq!(
        rows(&phone),
        rows(&fresh),
        "{point}: the replica equals a fresh download"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_every_write_point_the_replica_reopens_consistent_and_finishes() {
    for point in [
        "enqueue:3",
        "after_enqueue:3",
        "apply_page:1",
        "apply_page:2",
        "settle:1",
        "after_cursor:2",
        "after_apply:1",
        "after_apply:2",
    ] {
        killed_at(point).await;
    }
}
