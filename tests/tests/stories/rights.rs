//! Issue 10 §3, who sees and may do what, through the real server: a
//! leader's roster, leader rights that end with the role, leaders removed
//! only by staff, dispatch within one's subtree, a cancelled draft that
//! stays private.

use chrono::{Duration, Utc};
use volunteer_core::{ActivityDraft, Error, Kind, OrderRequest, RejectCode, Role, TeamRole};
use volunteer_tests::{TestServer, fixture, signed_in};

fn rejected(result: volunteer_core::Result<impl std::fmt::Debug>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_sees_their_teams_roster_and_loses_it_with_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let store = server.store.as_ref();
    fixture::add_member(store, &fx, "v3", TeamRole::Leader);
    fixture::add_member(store, &fx, "v4", TeamRole::Leader);
    let url = server.url();
    let act = fx.activity_a.id.clone();
    // v1 signs up for the team's activity; staff check them in.
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    v1.sign_up(&act).unwrap();
    v1.sync().await.unwrap();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff.check_in(&act, &fx.id("v1"), None).unwrap();
    staff.sync().await.unwrap();

    let leader = signed_in(dir.path(), "v3", &url, "v3").await;
    let roster = leader.roster(&act).unwrap();
    let line = roster
        .iter()
        .find(|l| l.volunteer_id == fx.id("v1"))
        .expect("the leader's roster holds their team's signups");
    assert!(line.signed_up && line.checked_in_at.is_some());

    // A leader cannot remove a co-leader: staff appoint and remove leaders.
    assert_eq!(
        rejected(leader.remove_member(&fx.team_a.id, &fx.id("v4"), "不合适")),
        RejectCode::Forbidden
    );

    // Moved to another role, the leader's rights and reads end with it.
    store.move_user(&fx.id("v3"), Role::Resident, None).unwrap();
    let report = leader.sync().await.unwrap();
    assert!(report.reset, "the scope changed: the device refetches");
    assert!(leader.roster(&act).unwrap().is_empty());
    assert!(
        leader
            .dump(Kind::Membership)
            .unwrap()
            .iter()
            .all(|m| { m["volunteer_id"] == fx.id("v3").as_str() })
    );
    assert_eq!(
        rejected(leader.check_in(&act, &fx.id("v2"), None)),
        RejectCode::Forbidden
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_go_only_to_teams_and_volunteers_within_the_dispatchers_sites() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    fixture::add_member(server.store.as_ref(), &fx, "v2", TeamRole::Member);
    let url = server.url();
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let order = resident
        .place_order(OrderRequest {
            site_id: fx.station_a.id.clone(),
            category: "助老".into(),
            description: "陪同就医".into(),
            desired_at: None,
            phone: "13800138000".into(),
            address: "幸福里3号".into(),
        })
        .unwrap();
    resident.sync().await.unwrap();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    // v5 is in no team of the station: the server refuses.
    staff
        .dispatch_order(&order, None, Some(&fx.id("v5")))
        .unwrap();
    let r = staff.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(staff.rejections().unwrap()[0].code, RejectCode::Forbidden);
    // v2 is active in team-a at the station: offered.
    staff
        .dispatch_order(&order, None, Some(&fx.id("v2")))
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_draft_stays_private() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let start = Utc::now() + Duration::days(3);
    let draft = staff
        .create_activity(ActivityDraft {
            site_id: fx.station_a.id.clone(),
            team_id: None,
            title: "内部筹备会".into(),
            description: String::new(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
            capacity: 10,
            signup_deadline: None,
            waitlist: false,
            walk_ins: true,
            credit_rounding_minutes: 0,
        })
        .unwrap();
    staff.cancel_activity(&draft, "不办了").unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 2);
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    assert!(v1.activity(&draft).unwrap().is_none());
    assert!(
        staff.activity(&draft).unwrap().is_some(),
        "its organisers keep it"
    );
}
