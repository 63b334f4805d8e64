//! Team membership (issue 4, workflow 1): open and approval teams, leaders,
//! forbidden transitions, and an offline conflict, across devices and server.

use volunteer_core::{Error, Kind, MembershipStatus, Record, RejectCode, Replica, TeamRole};
use volunteer_tests::{Fixture, TestServer, fixture, signed_in};

fn status_on_server(server: &TestServer, team: &str, volunteer: &str) -> Option<MembershipStatus> {
    server
        .store
        .records(Kind::Membership)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Membership(m) if m.team_id == team && m.volunteer_id == volunteer => {
                Some(m.status)
            }
            _ => None,
        })
}

fn count(r: &Replica, team: &str) -> u32 {
    r.teams(None)
        .unwrap()
        .into_iter()
        .find(|t| t.id == team)
        .unwrap()
        .member_count
}

fn my_status(r: &Replica, team: &str) -> Option<MembershipStatus> {
    r.my_memberships()
        .unwrap()
        .into_iter()
        .find(|m| m.team_id == team)
        .map(|m| m.status)
}

fn rejected(result: volunteer_core::Result<()>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// v1 asks to join team-b, staff approve and make v1 its leader.
async fn appoint_leader(fx: &Fixture, dir: &std::path::Path, url: &str) -> (Replica, Replica) {
    let team = &fx.team_b.id;
    let leader = signed_in(dir, "v1", url, "v1").await;
    leader.join_team(team).unwrap();
    assert_eq!(my_status(&leader, team), Some(MembershipStatus::Requested));
    leader.sync().await.unwrap();
    let staff = signed_in(dir, "staff-a", url, "staff-a").await;
    assert_eq!(
        staff.join_requests(team).unwrap().len(),
        1,
        "staff see the request"
    );
    staff
        .decide_join_request(team, &fx.id("v1"), true, None)
        .unwrap();
    staff
        .set_team_role(team, &fx.id("v1"), TeamRole::Leader)
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 2);
    let r = leader.sync().await.unwrap();
    assert!(r.reset, "leading a team widens what the device may read");
    assert_eq!(leader.my_led_teams().unwrap()[0].id, *team);
    (leader, staff)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_request_is_decided_by_the_team_leader_across_devices() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_b.id.clone();
    let (leader, _staff) = appoint_leader(&fx, dir.path(), &url).await;

    let applicant = signed_in(dir.path(), "v2", &url, "v2").await;
    let addr = server.addr;
    let db = server.db_path.clone();
    server.stop().await;
    applicant.join_team(&team).unwrap();
    assert_eq!(
        my_status(&applicant, &team),
        Some(MembershipStatus::Requested)
    );
    assert_eq!(
        count(&applicant, &team),
        1,
        "a request does not count as a member"
    );
    let server = TestServer::start_on(&db, addr).await;
    applicant.sync().await.unwrap();

    leader.sync().await.unwrap();
    let requests = leader.join_requests(&team).unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].volunteer_name, "王伟");
    leader
        .decide_join_request(&team, &fx.id("v2"), true, None)
        .unwrap();
    assert_eq!(leader.team_members(&team).unwrap().len(), 2, "optimistic");
    assert_eq!(leader.sync().await.unwrap().applied, 1);

    applicant.sync().await.unwrap();
    assert_eq!(my_status(&applicant, &team), Some(MembershipStatus::Active));
    assert_eq!(count(&applicant, &team), 2);
    assert_eq!(
        status_on_server(&server, &team, &fx.id("v2")),
        Some(MembershipStatus::Active)
    );
    assert_eq!(count(&leader, &team), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_membership_transitions_are_refused_with_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_b.id.clone();
    let (leader, staff_a) = appoint_leader(&fx, dir.path(), &url).await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    v2.join_team(&team).unwrap();
    v2.sync().await.unwrap();

    // Another volunteer may not decide; nor may another station's staff.
    let v3 = signed_in(dir.path(), "v3", &url, "v3").await;
    let v2_id = fx.id("v2");
    assert_eq!(
        rejected(v3.decide_join_request(&team, &v2_id, true, None)),
        RejectCode::Forbidden
    );
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    // The team and its site are public, so staff-b's device knows at once.
    let r = staff_b.decide_join_request(&team, &v2_id, true, None);
    assert_eq!(rejected(r), RejectCode::Forbidden);
    // Leaders cannot appoint leaders; only staff can.
    let appoint = leader.set_team_role(&team, &v2_id, TeamRole::Leader);
    assert_eq!(rejected(appoint), RejectCode::Forbidden);

    leader.sync().await.unwrap();
    leader
        .decide_join_request(&team, &v2_id, true, None)
        .unwrap();
    leader.sync().await.unwrap();
    staff_a.sync().await.unwrap();
    // Once decided, a request cannot be decided again or withdrawn.
    let again = staff_a.decide_join_request(&team, &v2_id, false, Some("名额已满"));
    assert_eq!(rejected(again), RejectCode::InvalidState);
    v2.sync().await.unwrap();
    assert_eq!(
        rejected(v2.withdraw_join_request(&team)),
        RejectCode::InvalidState
    );
    // Removing needs a reason.
    let removal = leader.remove_member(&team, &v2_id, " ");
    assert_eq!(rejected(removal), RejectCode::InvalidInput);
    assert_eq!(
        status_on_server(&server, &team, &v2_id),
        Some(MembershipStatus::Active)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_approval_loses_to_a_decline_that_reached_the_server_first() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_b.id.clone();
    let (leader, staff_a) = appoint_leader(&fx, dir.path(), &url).await;
    let v4 = signed_in(dir.path(), "v4", &url, "v4").await;
    v4.join_team(&team).unwrap();
    v4.sync().await.unwrap();
    leader.sync().await.unwrap();
    staff_a.sync().await.unwrap();
    let v4_id = fx.id("v4");

    // The leader approves while offline (a dead server address)...
    drop(leader);
    let offline = volunteer_tests::device(dir.path(), "v1", "http://127.0.0.1:9");
    offline
        .decide_join_request(&team, &v4_id, true, None)
        .unwrap();
    assert_eq!(
        offline.team_members(&team).unwrap().len(),
        2,
        "optimistic approval"
    );
    drop(offline);
    // ...while staff decline online, first.
    staff_a
        .decide_join_request(&team, &v4_id, false, Some("年龄不符合要求"))
        .unwrap();
    assert_eq!(staff_a.sync().await.unwrap().applied, 1);

    let leader = volunteer_tests::device(dir.path(), "v1", &url);
    let r = leader.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(
        leader.rejections().unwrap()[0].code.as_str(),
        "invalid_state"
    );
    // The leader's view now equals the server's.
    assert_eq!(leader.team_members(&team).unwrap().len(), 1);
    assert!(leader.join_requests(&team).unwrap().is_empty());
    assert_eq!(
        status_on_server(&server, &team, &v4_id),
        Some(MembershipStatus::Declined)
    );
    assert_eq!(count(&leader, &team), 1);
    v4.sync().await.unwrap();
    let mine = v4.my_memberships().unwrap();
    assert_eq!(mine[0].status, MembershipStatus::Declined);
    assert_eq!(mine[0].reason.as_deref(), Some("年龄不符合要求"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_leave_or_are_removed_and_every_device_agrees_on_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_a.id.clone();
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    let v3 = signed_in(dir.path(), "v3", &url, "v3").await;
    for v in [&v2, &v3] {
        v.join_team(&team).unwrap();
        v.sync().await.unwrap();
    }
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    assert_eq!(staff.team_members(&team).unwrap().len(), 2);
    staff
        .remove_member(&team, &fx.id("v3"), "长期未参加活动")
        .unwrap();
    staff.sync().await.unwrap();
    v2.leave_team(&team).unwrap();
    v2.sync().await.unwrap();
    v3.sync().await.unwrap();
    let removed = &v3.my_memberships().unwrap()[0];
    assert_eq!(removed.status, MembershipStatus::Removed);
    assert_eq!(removed.reason.as_deref(), Some("长期未参加活动"));
    assert_eq!(my_status(&v2, &team), Some(MembershipStatus::Left));
    staff.sync().await.unwrap();
    for r in [&v2, &v3, &staff] {
        assert_eq!(count(r, &team), 0);
    }
    assert!(staff.team_members(&team).unwrap().is_empty());
}
