//! Issue 11, a full disk on the device: an action that does not fit is
//! refused with its own error (`storage_full`) and nothing queued is lost;
//! a sync whose answer does not fit applies nothing and is finished later;
//! everything resumes when space returns; signing out on a full disk signs
//! out. The disk is "full" through SQLite's page cap on the replica file.

use chrono::{Duration, Utc};
use volunteer_core::{Error, HoursReport, Kind};
use volunteer_tests::{TestServer, fixture, signed_in};

fn report(i: i64) -> HoursReport {
    HoursReport {
        activity_id: None,
        team_id: None,
        started_at: Utc::now() - Duration::days(2) - Duration::hours(2 * i),
        minutes: 30,
        description: format!("{i} {}", "社区服务".repeat(120)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_what_does_not_fit_loses_nothing_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let phone = signed_in(dir.path(), "v1", &server.url(), "v1").await;
    phone.join_team(&fx.team_a.id).unwrap();

    // Full: writes go on until one does not fit, and that one is refused.
    phone.cap_file_pages(phone.file_pages().unwrap()).unwrap();
    let mut queued = 1;
    let refused = loop {
        match phone.report_hours(report(queued)) {
            Ok(_) => queued += 1,
            Err(e) => break e,
        }
        assert!(queued < 500, "the cap never filled");
    };
    assert!(matches!(refused, Error::StorageFull(_)), "{refused:?}");
    assert_eq!(refused.code(), "storage_full");
    assert_eq!(
        phone.pending_count().unwrap() as i64,
        queued,
        "nothing lost"
    );
    assert!(
        !phone.my_memberships().unwrap().is_empty(),
        "reads still work"
    );

    // Staff publish a week of activities: the answer does not fit, and the
    // sync applies nothing of it (the server applied the pushes: their
    // answers are lost with it, and the retry is answered from its log).
    let staff = signed_in(dir.path(), "staff", &server.url(), "staff-a").await;
    for day in 1..=12 {
        let id = staff
            .create_activity(volunteer_core::ActivityDraft {
                site_id: fx.station_a.id.clone(),
                team_id: None,
                title: format!("第{day}天 社区清洁"),
                description: "集合地点：社区广场；请带好手套和垃圾袋。".repeat(12),
                starts_at: Utc::now() + Duration::days(day),
                ends_at: Utc::now() + Duration::days(day) + Duration::hours(2),
                capacity: 20,
                signup_deadline: None,
                waitlist: false,
                walk_ins: true,
                credit_rounding_minutes: 0,
            })
            .unwrap();
        staff.publish_activity(&id).unwrap();
    }
    staff.sync().await.unwrap();
    let before = phone.upcoming_activities(100).unwrap().len();
    let full = phone.sync().await.unwrap_err();
    assert_eq!(full.code(), "storage_full", "{full}");
    assert_eq!(
        phone.pending_count().unwrap() as i64,
        queued,
        "still queued"
    );
    assert_eq!(
        phone.upcoming_activities(100).unwrap().len(),
        before,
        "nothing applied"
    );

    // Space returns: the same queue goes out, each action once.
    phone.cap_file_pages(1 << 30).unwrap();
    phone.sync().await.unwrap();
    assert_eq!(phone.pending_count().unwrap(), 0);
    assert_eq!(phone.upcoming_activities(100).unwrap().len(), before + 12);
    let on_server = server.store.records(Kind::HourEntry).unwrap().len() as i64;
    assert_eq!(on_server, queued - 1, "every report, once");
    assert_eq!(server.store.records(Kind::Membership).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_on_a_full_disk_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let phone = signed_in(dir.path(), "v1", &server.url(), "v1").await;
    phone.cap_file_pages(phone.file_pages().unwrap()).unwrap();
    phone.sign_out(false).await.unwrap();
    assert!(phone.profile().unwrap().is_none(), "no session left");
    assert!(phone.teams(None).unwrap().is_empty(), "no data left");
    phone.cap_file_pages(1 << 30).unwrap();
    phone
        .sign_in("v2", volunteer_tests::PASSWORD)
        .await
        .unwrap();
    phone.sync().await.unwrap();
    assert!(!phone.teams(None).unwrap().is_empty());
}
