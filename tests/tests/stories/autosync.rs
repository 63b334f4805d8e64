//! Issue 11, the sync loop in the core: the device syncs on its own after a
//! write, keeps trying with growing waits while the server is away, heals
//! when it is back, tries at once when the app says the network is back,
//! and stops when signed out. Nobody calls `sync()` here after setup.

use std::time::{Duration, Instant};
use volunteer_core::{AutoSyncOptions, Kind, Replica};
use volunteer_tests::{CutProxy, TestServer, fixture, free_addr, signed_in};

fn quick() -> AutoSyncOptions {
    AutoSyncOptions {
        debounce: Duration::from_millis(50),
        pending_interval: Duration::from_millis(300),
        refresh_interval: None,
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(800),
    }
}

/// Wait up to `secs` for `cond`.
async fn until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn memberships_on_server(server: &TestServer) -> usize {
    server.store.records(Kind::Membership).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_syncs_writes_rides_out_an_outage_and_heals() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let addr = free_addr();
    let server = TestServer::start_on(&db, addr).await;
    let fx = fixture::seed(server.store.as_ref());
    let phone: Replica = signed_in(dir.path(), "v1", &server.url(), "v1").await;
    // Pending work alone would wait 30 s: only the write itself, then the
    // backoff, can deliver within the waits below.
    phone
        .start_auto_sync(AutoSyncOptions {
            pending_interval: Duration::from_secs(30),
            ..quick()
        })
        .unwrap();
    assert!(phone.sync_status().unwrap().auto_sync);

    // A write reaches the server without anyone calling sync().
    phone.join_team(&fx.team_a.id).unwrap();
    until(5, "the join on the server", || {
        memberships_on_server(&server) == 1
    })
    .await;
    until(5, "nothing pending", || phone.pending_count().unwrap() == 0).await;

    // The server goes away: the write waits, the loop keeps trying, each
    // wait longer, and says when it tries next and why the last failed.
    server.stop().await;
    phone.join_team(&fx.team_b.id).unwrap();
    until(10, "three failures in a row", || {
        phone.sync_status().unwrap().consecutive_failures >= 3
    })
    .await;
    let status = phone.sync_status().unwrap();
    assert_eq!(status.pending_count, 1);
    assert_eq!(status.last_error.unwrap().code, "offline");
    assert!(status.next_attempt_at.is_some());

    // Back: the loop delivers the write on its own.
    let server = TestServer::start_on(&db, addr).await;
    until(10, "the second join on the server", || {
        memberships_on_server(&server) == 2
    })
    .await;
    until(5, "nothing pending, no failure", || {
        let s = phone.sync_status().unwrap();
        s.pending_count == 0 && s.consecutive_failures == 0 && s.last_error.is_none()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_back_skips_the_backoff_and_sign_out_stops_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let proxy = CutProxy::start(server.addr).await;
    let phone = signed_in(dir.path(), "v1", &proxy.url(), "v1").await;
    // A long backoff: only the network-back hint can make it try soon.
    phone
        .start_auto_sync(AutoSyncOptions {
            min_backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(120),
            ..quick()
        })
        .unwrap();
    proxy.set_cut(true);
    phone.join_team(&fx.team_a.id).unwrap();
    until(5, "one failure", || {
        phone.sync_status().unwrap().consecutive_failures == 1
    })
    .await;
    let next = phone.sync_status().unwrap().next_attempt_at.unwrap();
    assert!(next > chrono::Utc::now() + chrono::Duration::seconds(25));
    proxy.set_cut(false);
    phone.set_network_available(true);
    until(5, "delivered at once", || {
        phone.pending_count().unwrap() == 0
    })
    .await;

    // Signed out: no request goes out any more, whatever happens.
    phone.sign_out(false).await.unwrap();
    let before = proxy.requests();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(proxy.requests(), before, "the loop idles while signed out");
    assert_eq!(phone.sync_status().unwrap().next_attempt_at, None);
}
