//! Story 3: a push whose response is lost is retried and applied once; and
//! concurrent sync calls coalesce.

use volunteer_core::{Error, Kind, Record};
use volunteer_tests::{CutProxy, PASSWORD, TestServer, device, fixture, signed_in};

use crate::owned_by;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story3_a_push_whose_response_was_lost_is_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let proxy = CutProxy::start(server.addr).await;
    let phone = signed_in(dir.path(), "phone", &proxy.url(), "v1").await;

    phone.join_team(&fx.team_a.id).unwrap();
    phone.sign_up(&fx.activity_a.id).unwrap();
    proxy.set_cut(true);
    let err = phone.sync().await.unwrap_err();
    assert!(matches!(err, Error::Offline(_)), "{err:?}");
    assert_eq!(proxy.cuts(), 1);
    // The server committed both; the phone does not know it.
    assert_eq!(server.store.mutation_count().unwrap(), 2);
    assert_eq!(phone.pending_count().unwrap(), 2);

    proxy.set_cut(false);
    let r = phone.sync().await.unwrap();
    assert_eq!(
        (r.pushed, r.applied, r.rejected),
        (2, 2, 0),
        "answered from the log"
    );
    assert_eq!(server.store.mutation_count().unwrap(), 2);
    let v1 = fx.id("v1");
    assert_eq!(
        owned_by(server.store.as_ref(), Kind::Membership, &v1).len(),
        1
    );
    assert_eq!(owned_by(server.store.as_ref(), Kind::Signup, &v1).len(), 1);
    let team = server.store.records(Kind::Team).unwrap().remove(0);
    let Record::Team(team) = team else {
        unreachable!()
    };
    assert_eq!(team.member_count, 1, "not incremented twice");
    let activity = phone.activity(&fx.activity_a.id).unwrap().unwrap();
    assert_eq!(activity.signup_count, 1);
    assert_eq!(phone.pending_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sync_calls_coalesce_into_few_requests() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let proxy = CutProxy::start(server.addr).await;
    let phone = device(dir.path(), "phone", &proxy.url());
    phone.sign_in("v1", PASSWORD).await.unwrap();
    phone.join_team(&fx.team_a.id).unwrap();
    let before = proxy.requests();
    // The first call's answer is held, so the other seven are all issued
    // while a round is in flight: they must share one more round.
    proxy.set_hold(true);
    let first = {
        let p = phone.clone();
        tokio::spawn(async move { p.sync().await })
    };
    proxy.until_held().await;
    let mut calls: Vec<_> = (0..7)
        .map(|_| {
            let p = phone.clone();
            tokio::spawn(async move { p.sync().await })
        })
        .collect();
    // Each takes its ticket when first polled; give them ample time to.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    proxy.set_hold(false);
    calls.insert(0, first);
    for c in calls {
        c.await.unwrap().unwrap();
    }
    let made = proxy.requests() - before;
    assert_eq!(made, 2, "8 calls made {made} requests");
    assert_eq!(server.store.mutation_count().unwrap(), 1);
    assert_eq!(phone.pending_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_made_while_a_sync_is_in_flight_is_kept_and_pushed_next() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let proxy = CutProxy::start(server.addr).await;
    let phone = signed_in(dir.path(), "phone", &proxy.url(), "v1").await;

    phone.sign_up(&fx.activity_a.id).unwrap();
    proxy.set_hold(true);
    let p = phone.clone();
    let in_flight = tokio::spawn(async move { p.sync().await });
    proxy.until_held().await;
    // The server has applied the signup; its answer is on the way.
    phone.join_team(&fx.team_a.id).unwrap();
    proxy.set_hold(false);
    let r = in_flight.await.unwrap().unwrap();
    assert_eq!(
        r.applied, 2,
        "the sync loops until the late write is pushed too"
    );
    assert_eq!(phone.my_signups().unwrap().len(), 1);
    assert_eq!(phone.my_memberships().unwrap().len(), 1);
    assert_eq!(phone.pending_count().unwrap(), 0);
    assert_eq!(server.store.mutation_count().unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_arriving_after_sign_out_is_not_applied_to_the_next_user() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let proxy = CutProxy::start(server.addr).await;
    let phone = signed_in(dir.path(), "phone", &proxy.url(), "v1").await;
    phone.join_team(&fx.team_a.id).unwrap();

    proxy.set_hold(true);
    let p = phone.clone();
    let in_flight = tokio::spawn(async move { p.sync().await });
    proxy.until_held().await;
    phone.sign_out(true).await.unwrap();
    phone.sign_in("v2", PASSWORD).await.unwrap();
    phone.sign_up(&fx.activity_a.id).unwrap(); // seq 1 of the new client
    proxy.set_hold(false);
    assert_eq!(in_flight.await.unwrap().unwrap_err(), Error::SignedOut);

    assert!(
        phone.dump(Kind::Membership).unwrap().is_empty(),
        "nothing of v1's"
    );
    assert!(phone.dump(Kind::Profile).unwrap().is_empty());
    assert_eq!(phone.pending_count().unwrap(), 1, "v2's action untouched");
    let r = phone.sync().await.unwrap();
    assert_eq!((r.pushed, r.applied), (1, 1));
    let store = server.store.as_ref();
    assert_eq!(owned_by(store, Kind::Membership, &fx.id("v1")).len(), 1);
    assert_eq!(owned_by(store, Kind::Signup, &fx.id("v2")).len(), 1);
    let profiles = phone.dump(Kind::Profile).unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["user_id"], fx.id("v2").as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_restored_from_an_old_backup_re_registers_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let phone = signed_in(dir.path(), "phone", &server.url(), "v1").await;
    drop(phone);
    let backup = dir.path().join("backup.db");
    std::fs::copy(dir.path().join("phone.db"), &backup).unwrap();

    // After the backup: seq 1 is used for a join the server applies.
    let phone = device(dir.path(), "phone", &server.url());
    phone.join_team(&fx.team_a.id).unwrap();
    phone.sync().await.unwrap();
    drop(phone);

    // The backup comes back; its next action reuses seq 1 for something else.
    std::fs::copy(&backup, dir.path().join("phone.db")).unwrap();
    let _ = std::fs::remove_file(dir.path().join("phone.db-wal"));
    let phone = device(dir.path(), "phone", &server.url());
    phone.sign_up(&fx.activity_a.id).unwrap();
    let r = phone.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (1, 0));
    let store = server.store.as_ref();
    assert_eq!(
        owned_by(store, Kind::Signup, &fx.id("v1")).len(),
        1,
        "not lost"
    );
    assert_eq!(owned_by(store, Kind::Membership, &fx.id("v1")).len(), 1);
    assert_eq!(
        phone.my_memberships().unwrap().len(),
        1,
        "learned from the server"
    );
    assert_eq!(phone.pending_count().unwrap(), 0);
}
