//! Change and status notifications, and cancellable sync.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;
use volunteer_core::{
    CancelToken, ChangeListener, Connectivity, Error, Kind, StatusListener, SyncStatus,
};
use volunteer_tests::{CutProxy, PASSWORD, TestServer, device, fixture, signed_in};

/// A listener that always panics: it must not silence the others.
struct Broken;
impl ChangeListener for Broken {
    fn on_change(&self, _: Vec<Kind>) {
        panic!("listener bug");
    }
}
impl StatusListener for Broken {
    fn on_status(&self, _: SyncStatus) {
        panic!("listener bug");
    }
}

struct Changes(Sender<Vec<Kind>>);
impl ChangeListener for Changes {
    fn on_change(&self, kinds: Vec<Kind>) {
        let _ = self.0.send(kinds);
    }
}

struct Statuses(Sender<SyncStatus>);
impl StatusListener for Statuses {
    fn on_status(&self, status: SyncStatus) {
        let _ = self.0.send(status);
    }
}

fn next<T>(rx: &Receiver<T>) -> T {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("a notification")
}

/// Wait for a status that satisfies `pred`, skipping intermediate ones.
fn until(rx: &Receiver<SyncStatus>, pred: impl Fn(&SyncStatus) -> bool) -> SyncStatus {
    loop {
        let s = next(rx);
        if pred(&s) {
            return s;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_hear_local_writes_syncs_and_failures_until_unsubscribed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = TestServer::start(&db).await;
    let fx = fixture::seed(server.store.as_ref());
    let phone = device(dir.path(), "phone", &server.url());
    assert_eq!(
        phone.sync_status().unwrap().connectivity,
        Connectivity::Unknown
    );
    phone.sign_in("v1", PASSWORD).await.unwrap();
    phone.sync().await.unwrap();

    let _broken_status = phone.subscribe_status(Arc::new(Broken));
    let _broken_changes = phone.subscribe_changes(Arc::new(Broken));
    let (stx, srx) = channel();
    let status_sub = phone.subscribe_status(Arc::new(Statuses(stx)));
    let first = next(&srx);
    assert!(first.signed_in);
    assert_eq!(
        (first.pending_count, first.connectivity),
        (0, Connectivity::Online)
    );

    let (ctx, crx) = channel();
    let change_sub = phone.subscribe_changes(Arc::new(Changes(ctx)));
    phone.join_team(&fx.team_a.id).unwrap();
    assert_eq!(next(&crx), vec![Kind::Team, Kind::Membership]);
    let s = until(&srx, |s| s.pending_count == 1);
    assert!(s.oldest_pending_at.is_some());

    phone.sync().await.unwrap();
    let kinds = next(&crx);
    assert!(
        kinds.contains(&Kind::Membership) && kinds.contains(&Kind::Team),
        "{kinds:?}"
    );
    let s = until(&srx, |s| s.pending_count == 0 && !s.syncing);
    assert_eq!(s.connectivity, Connectivity::Online);
    assert!(s.last_sync_at.is_some() && s.last_error.is_none());

    let addr = server.addr;
    server.stop().await;
    phone.leave_team(&fx.team_a.id).unwrap();
    assert!(matches!(phone.sync().await, Err(Error::Offline(_))));
    let s = until(&srx, |s| s.connectivity == Connectivity::Offline);
    assert_eq!(
        s.last_error.as_ref().map(|e| e.code.as_str()),
        Some("offline")
    );
    assert_eq!(s.pending_count, 1);

    let server = TestServer::start_on(&db, addr).await;
    phone.sync().await.unwrap();
    let s = until(&srx, |s| {
        s.connectivity == Connectivity::Online && !s.syncing
    });
    assert!(s.last_error.is_none(), "cleared by a successful round");

    // Signing out is news too: listeners hear it, and no stale error stays.
    phone.sign_out(true).await.unwrap();
    let s = until(&srx, |s| !s.signed_in);
    assert_eq!((s.pending_count, s.rejected_count), (0, 0));
    assert_eq!(
        (s.connectivity, s.last_error),
        (Connectivity::Unknown, None)
    );
    while next(&crx).len() != Kind::ALL.len() {} // earlier events first, then "everything"

    phone.sign_in("v1", PASSWORD).await.unwrap();
    phone.sync().await.unwrap();

    status_sub.cancel();
    status_sub.cancel(); // idempotent
    drop(change_sub);
    // Events already on their way may still arrive: flush them through the
    // dispatcher with a probe listener before checking silence.
    let (ptx, prx) = channel();
    let probe = phone.subscribe_changes(Arc::new(Changes(ptx)));
    phone.join_team(&fx.team_a.id).unwrap();
    next(&prx);
    drop(probe);
    while crx.try_recv().is_ok() {}
    while srx.try_recv().is_ok() {}
    phone.leave_team(&fx.team_a.id).unwrap();
    phone.sync().await.unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(crx.try_recv().is_err(), "no change after unsubscribing");
    assert!(srx.try_recv().is_err(), "no status after unsubscribing");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_sync_returns_at_once_and_leaves_everything_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let proxy = CutProxy::start(server.addr).await;
    let phone = signed_in(dir.path(), "phone", &proxy.url(), "v1").await;

    // Cancelled before the call: no request at all.
    let token = CancelToken::new();
    token.cancel();
    let before = proxy.requests();
    assert_eq!(
        phone.sync_cancellable(&token).await.unwrap_err(),
        Error::Cancelled
    );
    assert_eq!(proxy.requests(), before);

    // Cancelled while the server's answer is on its way.
    phone.join_team(&fx.team_a.id).unwrap();
    proxy.set_hold(true);
    let token = CancelToken::new();
    let (p, t) = (phone.clone(), token.clone());
    let call = tokio::spawn(async move { p.sync_cancellable(&t).await });
    proxy.until_held().await;
    token.cancel();
    let outcome = tokio::time::timeout(Duration::from_secs(5), call).await;
    assert_eq!(outcome.unwrap().unwrap().unwrap_err(), Error::Cancelled);
    assert_eq!(
        phone.pending_count().unwrap(),
        1,
        "still pending on the device"
    );
    assert_eq!(phone.my_memberships().unwrap().len(), 1, "still visible");
    assert!(!phone.sync_status().unwrap().syncing);
    proxy.set_hold(false);

    // The server did apply it; the next sync learns so and applies nothing twice.
    let r = phone.sync().await.unwrap();
    assert_eq!(r.applied, 1);
    assert_eq!(server.store.mutation_count().unwrap(), 1);
    assert_eq!(phone.pending_count().unwrap(), 0);
    assert_eq!(phone.my_memberships().unwrap().len(), 1);
}

/// Issue 14: a download of many pages shows its progress, rows done and
/// expected, one status event per page; the expected count is the
/// server's, and the status is back to no download once it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_download_reports_rows_done_and_expected_page_by_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let fresh = volunteer_core::Replica::open_with(
        dir.path().join("fresh.db"),
        &server.url(),
        volunteer_core::SyncOptions {
            pull_page_size: 3,
            ..Default::default()
        },
    )
    .unwrap();
    fresh.sign_in("staff-a", PASSWORD).await.unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let _sub = fresh.subscribe_status(Arc::new(Statuses(tx)));
    let report = fresh.sync().await.unwrap();
    assert!(report.requests > 3, "paged: {report:?}");
    let mut progress = Vec::new();
    loop {
        let s = next(&rx);
        if s.download_expected > 0 {
            progress.push((s.download_done, s.download_expected));
        }
        if !s.syncing && s.last_sync_at.is_some() {
            assert_eq!((s.download_done, s.download_expected), (0, 0), "{s:?}");
            break;
        }
    }
    let total = u64::from(report.pulled);
    // Every page but the last is one event: 3, 6, 9, ... of the total.
    let pages = (total as usize).div_ceil(3);
    assert_eq!(progress.len(), pages - 1, "{progress:?} of {total}");
    for (i, (done, expected)) in progress.iter().enumerate() {
        assert_eq!(*done, 3 * (i as u64 + 1), "{progress:?}");
        assert_eq!(*expected, total, "{progress:?}");
    }
}
