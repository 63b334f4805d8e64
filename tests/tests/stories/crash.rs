//! Story 7: the device process is killed while applying a large pull; the
//! reopened replica is consistent and finishes the sync.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use volunteer_core::{Kind, Replica};
use volunteer_sync_server::demo;
use volunteer_tests::TestServer;

/// What the admin's replica must hold: every record but other users' profiles.
fn expected(server: &TestServer) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for kind in volunteer_domain::Kind::ALL {
        let rows: BTreeMap<String, String> = server
            .store
            .records(kind)
            .unwrap()
            .into_iter()
            .filter(|r| kind != Kind::Profile || matches!(r, volunteer_domain::Record::Profile(p) if p.role == volunteer_domain::Role::Admin))
            .map(|r| (r.key(), r.to_json()))
            .collect();
        out.insert(kind.as_str().to_owned(), rows);
    }
    out
}

fn replica_rows(r: &Replica) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for kind in Kind::ALL {
        let rows = r
            .dump(kind)
            .unwrap()
            .into_iter()
            .map(|v| {
                let rec = volunteer_domain::Record::from_value(kind, v).unwrap();
                (rec.key(), rec.to_json())
            })
            .collect();
        out.insert(kind.as_str().to_owned(), rows);
    }
    out
}

fn count(rows: &BTreeMap<String, BTreeMap<String, String>>) -> usize {
    rows.values().map(BTreeMap::len).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story7_killed_mid_pull_the_replica_reopens_consistent_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    demo::seed_district(server.store.as_ref(), 11, chrono::Utc::now()).unwrap();
    let want = expected(&server);
    let total = count(&want);
    assert!(total > 10_000, "a large pull: {total}");

    let db = dir.path().join("admin.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_device-sync"))
        .args([
            db.to_str().unwrap(),
            &server.url(),
            "admin",
            demo::DEMO_PASSWORD,
            "300",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = tokio::task::spawn_blocking(move || lines.next())
        .await
        .unwrap();
    assert_eq!(ready.unwrap().unwrap(), "ready");

    // Kill it once some pages are in but while more are coming.
    let watcher =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n: i64 = watcher
            .query_row("SELECT count(*) FROM record_rows", [], |r| r.get(0))
            .unwrap_or(0);
        if n >= 1500 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished");
    drop(watcher);

    let check = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    drop(check);

    let replica = Replica::open(&db, &server.url()).unwrap();
    let partial = replica_rows(&replica);
    let have = count(&partial);
    assert!(
        have > 0 && have < total,
        "killed mid-way: {have} of {total}"
    );
    // Every record present is exactly the server's: no torn or invented rows.
    for (kind, rows) in &partial {
        for (key, json) in rows {
            assert_eq!(want[kind].get(key), Some(json), "{kind} {key}");
        }
    }
    assert!(replica.profile().unwrap().is_some(), "still signed in");

    let report = replica.sync().await.unwrap();
    assert!(report.pulled as usize >= total - have);
    assert_eq!(replica_rows(&replica), want);
    assert_eq!(replica.pending_count().unwrap(), 0);
}
