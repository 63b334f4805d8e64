//! Issue 11: the server killed with SIGKILL mid-push, on SQLite and on
//! PostgreSQL. Once after it committed and before its answer reached the
//! device, once while the push was being applied. Either way, after the
//! restart the device's retry leaves every mutation applied exactly once.

use chrono::{Duration, Utc};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use volunteer_core::{HoursReport, Kind};
use volunteer_tests::server::open_store;
use volunteer_tests::{CutProxy, fixture, free_addr, signed_in};

const REPORTS: i64 = 300;

fn start(db: &std::path::Path, addr: SocketAddr) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server-child"))
        .arg(db)
        .arg(addr.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "listening");
    child
}

async fn killed_mid_push(after_commit: bool) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let store = open_store(&db);
    fixture::seed(store.as_ref());
    let addr = free_addr();
    let mut server = start(&db, addr);
    let proxy = CutProxy::start(addr).await;
    let phone = signed_in(dir.path(), "v1", &proxy.url(), "v1").await;
    for i in 0..REPORTS {
        phone
            .report_hours(HoursReport {
                activity_id: None,
                team_id: None,
                started_at: Utc::now() - Duration::days(1) - Duration::hours(2 * i),
                minutes: 30,
                description: format!("第{i}次"),
            })
            .unwrap();
    }
    let before = proxy.requests();
    if after_commit {
        // The server commits and starts answering; the answer is cut.
        proxy.set_cut(true);
        assert!(phone.sync().await.is_err());
        server.kill().unwrap();
    } else {
        // Killed as soon as the push reaches it, while it applies it.
        let p = phone.clone();
        let push = tokio::spawn(async move { p.sync().await });
        while proxy.requests() == before {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        server.kill().unwrap();
        assert!(push.await.unwrap().is_err());
    }
    server.wait().unwrap();
    assert_eq!(phone.pending_count().unwrap() as i64, REPORTS);

    proxy.set_cut(false);
    let mut server = start(&db, addr);
    phone.sync().await.unwrap();
    assert_eq!(phone.pending_count().unwrap(), 0);
    let entries = store.records(Kind::HourEntry).unwrap().len() as i64;
    assert_eq!(entries, REPORTS, "each report applied once");
    assert_eq!(
        store.mutation_count().unwrap() as i64,
        REPORTS,
        "each logged once"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_commit_the_retry_applies_nothing_twice() {
    killed_mid_push(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_applying_the_retry_applies_everything_once() {
    killed_mid_push(false).await;
}
