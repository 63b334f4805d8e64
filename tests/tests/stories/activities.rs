//! Activities (issue 4, workflow 2): drafts, the lifecycle, waitlists with
//! promotion, the signup deadline, and an offline conflict.

use chrono::{Duration, Utc};
use volunteer_core::{ActivityDraft, ActivityStatus, Error, RejectCode, Replica};
use volunteer_tests::{Fixture, TestServer, device, fixture, signed_in};

fn draft(fx: &Fixture, capacity: u32, deadline_in: Option<Duration>) -> ActivityDraft {
    let now = Utc::now();
    ActivityDraft {
        site_id: fx.station_a.id.clone(),
        team_id: None,
        title: "社区环境清洁日".into(),
        description: "清理楼道杂物".into(),
        starts_at: now + Duration::hours(2),
        ends_at: now + Duration::hours(4),
        capacity,
        signup_deadline: deadline_in.map(|d| now + d),
        waitlist: true,
        walk_ins: true,
        credit_rounding_minutes: 0,
    }
}

fn visible(r: &Replica, id: &str) -> bool {
    r.upcoming_activities(100)
        .unwrap()
        .iter()
        .any(|a| a.id == id)
}

fn rejected(result: volunteer_core::Result<()>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drafted_activity_is_published_filled_and_its_waitlist_promoted() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;

    let id = staff.create_activity(draft(&fx, 1, None)).unwrap();
    assert_eq!(
        staff.activity(&id).unwrap().unwrap().status,
        ActivityStatus::Draft
    );
    staff.sync().await.unwrap();
    v1.sync().await.unwrap();
    assert!(
        v1.activity(&id).unwrap().is_none(),
        "volunteers do not see drafts"
    );

    staff.publish_activity(&id).unwrap();
    staff.sync().await.unwrap();
    v1.sync().await.unwrap();
    assert!(visible(&v1, &id));

    v1.sign_up(&id).unwrap();
    v1.sync().await.unwrap();
    v2.sync().await.unwrap();
    v2.sign_up(&id).unwrap();
    v2.sync().await.unwrap();
    let mine = &v2.my_signups().unwrap()[0];
    assert_eq!(
        (mine.status, mine.position),
        (volunteer_core::SignupStatus::Waitlisted, 1)
    );
    let a = v2.activity(&id).unwrap().unwrap();
    assert_eq!((a.signup_count, a.waitlist_count), (1, 1));

    // v1 drops out: the first on the waitlist gets the place.
    v1.cancel_signup(&id).unwrap();
    v1.sync().await.unwrap();
    v2.sync().await.unwrap();
    let mine = &v2.my_signups().unwrap()[0];
    assert_eq!(
        mine.status,
        volunteer_core::SignupStatus::Confirmed,
        "promoted"
    );
    staff.sync().await.unwrap();
    let roster = staff.roster(&id).unwrap();
    assert_eq!(roster.len(), 1);
    assert_eq!(
        (roster[0].volunteer_name.as_str(), roster[0].signed_up),
        ("王伟", true)
    );

    staff.start_activity(&id).unwrap();
    staff.finish_activity(&id).unwrap();
    staff.sync().await.unwrap();
    v2.sync().await.unwrap();
    assert_eq!(
        v2.activity(&id).unwrap().unwrap().status,
        ActivityStatus::Finished
    );
    assert!(
        !visible(&v2, &id),
        "a finished activity is no longer upcoming"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_lifecycle_steps_are_refused_with_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let id = staff.create_activity(draft(&fx, 5, None)).unwrap();
    staff.publish_activity(&id).unwrap();
    staff.sync().await.unwrap();

    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    assert_eq!(
        rejected(v1.cancel_activity(&id, "不想办了")),
        RejectCode::Forbidden
    );
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    assert_eq!(rejected(staff_b.start_activity(&id)), RejectCode::Forbidden);
    assert_eq!(
        rejected(staff.finish_activity(&id)),
        RejectCode::InvalidState
    );
    assert_eq!(
        rejected(staff.cancel_activity(&id, "  ")),
        RejectCode::InvalidInput
    );
    let mut past = draft(&fx, 5, None);
    past.ends_at = past.starts_at - Duration::minutes(1);
    match staff.create_activity(past) {
        Err(Error::Rejected { code, .. }) => assert_eq!(code, RejectCode::InvalidInput),
        other => panic!("expected invalid_input, got {other:?}"),
    }
    v1.sync().await.unwrap();
    v1.sign_up(&id).unwrap();
    v1.sync().await.unwrap();
    staff.cancel_activity(&id, "暴雨预警").unwrap();
    staff.sync().await.unwrap();
    assert_eq!(
        rejected(staff.publish_activity(&id)),
        RejectCode::InvalidState
    );
    v1.sync().await.unwrap();
    let a = v1.activity(&id).unwrap().unwrap();
    assert_eq!(
        (a.status, a.cancel_reason.as_deref()),
        (ActivityStatus::Cancelled, Some("暴雨预警"))
    );
    assert_eq!(rejected(v1.sign_up(&id)), RejectCode::ActivityClosed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_start_loses_to_a_cancellation_that_reached_the_server_first() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let id = staff.create_activity(draft(&fx, 5, None)).unwrap();
    staff.publish_activity(&id).unwrap();
    staff.sync().await.unwrap();
    let colleague = signed_in(dir.path(), "staff-a2", &url, "staff-a2").await;
    drop(staff);

    let offline = device(dir.path(), "staff-a", "http://127.0.0.1:9");
    offline.start_activity(&id).unwrap();
    assert_eq!(
        offline.activity(&id).unwrap().unwrap().status,
        ActivityStatus::InProgress
    );
    drop(offline);
    colleague.cancel_activity(&id, "场地临时不可用").unwrap();
    colleague.sync().await.unwrap();

    let staff = device(dir.path(), "staff-a", &url);
    let r = staff.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(
        staff.rejections().unwrap()[0].code.as_str(),
        "invalid_state"
    );
    assert_eq!(
        staff.activity(&id).unwrap().unwrap().status,
        ActivityStatus::Cancelled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_made_offline_before_the_deadline_is_judged_by_the_server_clock() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let id = staff
        .create_activity(draft(&fx, 5, Some(Duration::seconds(2))))
        .unwrap();
    staff.publish_activity(&id).unwrap();
    staff.sync().await.unwrap();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    v1.sign_up(&id).unwrap(); // before the deadline, on the device
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let r = v1.sync().await.unwrap();
    assert_eq!(r.rejected, 1);
    assert_eq!(v1.rejections().unwrap()[0].code.as_str(), "activity_closed");
    assert!(v1.my_signups().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_out_closes_when_enough_volunteers_respond() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let now = Utc::now();
    let window = (now + Duration::hours(1), now + Duration::hours(5));
    // Volunteers cannot call out.
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let draft = |title: &str, description: &str| volunteer_core::CallOutDraft {
        site_id: fx.station_a.id.clone(),
        title: title.into(),
        description: description.into(),
        starts_at: window.0,
        ends_at: window.1,
        needed: 2,
        audience: Default::default(),
    };
    let err = v1.create_call_out(draft("防汛", ""));
    assert!(matches!(
        err,
        Err(Error::Rejected {
            code: RejectCode::Forbidden,
            ..
        })
    ));

    let id = staff
        .create_call_out(draft("防汛值守紧急集结", "河堤巡查，带雨具"))
        .unwrap();
    staff.sync().await.unwrap();
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    let v3 = signed_in(dir.path(), "v3", &url, "v3").await;
    assert!(v1.sync().await.is_ok());
    assert_eq!(v1.open_call_outs().unwrap().len(), 1, "published at once");
    v1.sign_up(&id).unwrap();
    assert_eq!(v1.sync().await.unwrap().applied, 1);
    // One place left; v2 and v3 both respond while offline.
    for v in [&v2, &v3] {
        v.sync().await.unwrap();
    }
    drop((v2, v3));
    for name in ["v2", "v3"] {
        let offline = device(dir.path(), name, "http://127.0.0.1:9");
        offline.sign_up(&id).unwrap();
        assert_eq!(offline.my_signups().unwrap().len(), 1, "optimistic");
    }
    let v2 = device(dir.path(), "v2", &url);
    let v3 = device(dir.path(), "v3", &url);
    assert_eq!(
        v3.sync().await.unwrap().applied,
        1,
        "the first to reach the server"
    );
    // Full: the call takes no more responses.
    assert_eq!(v2.sync().await.unwrap().rejected, 1);
    assert_eq!(v2.rejections().unwrap()[0].code.as_str(), "activity_full");
    assert!(
        v2.my_signups().unwrap().is_empty(),
        "the device now shows the server's answer"
    );
    assert!(v2.open_call_outs().unwrap().is_empty());
    // Responders are checked in like at any activity.
    staff.sync().await.unwrap();
    assert_eq!(staff.roster(&id).unwrap().len(), 2);
    staff.check_in(&id, &fx.id("v1"), None).unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
}
