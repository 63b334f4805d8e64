//! Stories 1 and 6: offline writes on a phone reach the server exactly once
//! and a second phone of the same volunteer, with or without restarts.

use chrono::Duration;
use volunteer_core::{Error, HourStatus, HoursReport, Kind, Replica};
use volunteer_tests::{Fixture, PASSWORD, TestServer, device, fixture, signed_in};

use crate::owned_by;

fn report(fx: &Fixture) -> HoursReport {
    HoursReport {
        activity_id: None,
        team_id: None,
        started_at: fx.now - Duration::hours(5),
        minutes: 90,
        description: "社区清洁".into(),
    }
}

/// What the server and a second phone must hold after story 1.
async fn assert_server_and_second_phone(
    server: &TestServer,
    fx: &Fixture,
    dir: &std::path::Path,
    entry: &str,
) {
    let v1 = fx.id("v1");
    let store = server.store.as_ref();
    assert_eq!(owned_by(store, Kind::Membership, &v1).len(), 1);
    let hours = owned_by(store, Kind::HourEntry, &v1);
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0].key(), entry);
    assert_eq!(store.mutation_count().unwrap(), 2);

    let phone2 = signed_in(dir, "phone2", &server.url(), "v1").await;
    let memberships = phone2.my_memberships().unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].team_id, fx.team_a.id);
    let hours = phone2.my_hours().unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0].id, entry);
    assert_eq!(hours[0].minutes, 90);
    assert_eq!(hours[0].status, HourStatus::Pending);
    assert_eq!(phone2.my_hours_total().unwrap().pending_minutes, 90);
    let team = phone2
        .teams(None)
        .unwrap()
        .into_iter()
        .find(|t| t.id == fx.team_a.id);
    assert_eq!(team.unwrap().member_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story1_offline_join_and_hours_reach_the_server_once_and_the_second_phone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = TestServer::start(&db).await;
    let fx = fixture::seed(server.store.as_ref());
    let phone1 = signed_in(dir.path(), "phone1", &server.url(), "v1").await;
    let addr = server.addr;
    server.stop().await;

    // Offline: every write is visible at once.
    phone1.join_team(&fx.team_a.id).unwrap();
    let entry = phone1.report_hours(report(&fx)).unwrap();
    assert_eq!(phone1.my_memberships().unwrap().len(), 1);
    let team_a = |p: &Replica| {
        p.teams(None)
            .unwrap()
            .into_iter()
            .find(|t| t.id == fx.team_a.id)
    };
    assert_eq!(team_a(&phone1).unwrap().member_count, 1);
    assert_eq!(phone1.my_hours().unwrap()[0].id, entry);
    assert_eq!(phone1.my_hours_total().unwrap().pending_minutes, 90);
    assert_eq!(phone1.pending_count().unwrap(), 2);
    let err = phone1.sync().await.unwrap_err();
    assert!(matches!(err, Error::Offline(_)), "{err:?}");
    assert_eq!(
        phone1.pending_count().unwrap(),
        2,
        "a failed sync keeps everything"
    );
    assert_eq!(phone1.my_memberships().unwrap().len(), 1);

    let server = TestServer::start_on(&db, addr).await;
    let r = phone1.sync().await.unwrap();
    assert_eq!((r.pushed, r.applied, r.rejected), (2, 2, 0));
    assert_eq!(phone1.pending_count().unwrap(), 0);
    assert!(phone1.last_sync_at().unwrap().is_some());
    assert_eq!(
        phone1.my_memberships().unwrap().len(),
        1,
        "confirmed, not doubled"
    );

    // Syncing again pushes nothing and changes nothing.
    let again = phone1.sync().await.unwrap();
    assert_eq!((again.pushed, again.requests), (0, 1));
    assert_server_and_second_phone(&server, &fx, dir.path(), &entry).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story6_restarting_server_and_device_between_every_step_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let mut server = TestServer::start(&db).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let reopen = |p: Replica| {
        drop(p);
        device(dir.path(), "phone1", &url)
    };

    let mut phone = device(dir.path(), "phone1", &url);
    phone.sign_in("v1", PASSWORD).await.unwrap();
    server = server.restart().await;
    phone = reopen(phone);
    phone.sync().await.unwrap();
    server = server.restart().await;
    phone = reopen(phone);

    let addr = server.addr;
    server.stop().await;
    phone.join_team(&fx.team_a.id).unwrap();
    phone = reopen(phone);
    assert_eq!(
        phone.my_memberships().unwrap().len(),
        1,
        "survives the app restart"
    );
    let entry = phone.report_hours(report(&fx)).unwrap();
    phone = reopen(phone);
    assert_eq!(phone.pending_count().unwrap(), 2);
    assert!(matches!(phone.sync().await, Err(Error::Offline(_))));
    phone = reopen(phone);

    server = TestServer::start_on(&db, addr).await;
    server = server.restart().await;
    let r = phone.sync().await.unwrap();
    assert_eq!(r.applied, 2);
    phone = reopen(phone);
    server = server.restart().await;
    assert_eq!(phone.pending_count().unwrap(), 0);
    let r = phone.sync().await.unwrap();
    assert_eq!(r.pushed, 0);
    assert_eq!(phone.my_hours().unwrap().len(), 1);
    server = server.restart().await;
    assert_server_and_second_phone(&server, &fx, dir.path(), &entry).await;
}
