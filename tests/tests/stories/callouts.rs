//! Issue 12, call-outs that name whom they call, through the real server:
//! a call for one team takes only its members; widened to the station's
//! subtree it takes more; a responder withdraws; closed early it takes no
//! one; the responders are its roster, checked in like any activity's.

use chrono::{Duration, Utc};
use volunteer_core::{Audience, Error, RejectCode, TeamRole};
use volunteer_tests::{TestServer, fixture, signed_in};

fn refused(r: volunteer_core::Result<()>) -> RejectCode {
    match r {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_call_out_takes_those_it_calls_widens_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    fixture::add_member(store, &fx, "v1", TeamRole::Member);
    // v2 is in team B (same station); v3 in no team.
    store
        .put_records(&[volunteer_domain::Record::Membership(
            volunteer_domain::Membership {
                team_id: fx.team_b.id.clone(),
                volunteer_id: fx.id("v2"),
                volunteer_name: "v2".into(),
                site_id: fx.station_a.id.clone(),
                joined_at: fx.now - Duration::days(30),
                status: volunteer_domain::MembershipStatus::Active,
                role: TeamRole::Member,
                decided_by: None,
                decided_at: None,
                reason: None,
                history: vec![],
            },
        )])
        .unwrap();
    let url = server.url();
    let staff = signed_in(dir.path(), "staff", &url, "staff-a").await;
    let now = Utc::now();
    let team_a = Audience {
        team_ids: vec![fx.team_a.id.clone()],
        site_id: None,
    };
    let call = staff
        .create_call_out(volunteer_core::CallOutDraft {
            site_id: fx.station_a.id.clone(),
            title: "防汛值守紧急集结".into(),
            description: "河堤巡查".into(),
            starts_at: now + Duration::hours(1),
            ends_at: now + Duration::hours(4),
            needed: 2,
            audience: team_a.clone(),
        })
        .unwrap();
    staff.sync().await.unwrap();

    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    let v3 = signed_in(dir.path(), "v3", &url, "v3").await;
    assert_eq!(v1.open_call_outs().unwrap().len(), 1, "called");
    assert!(
        v2.open_call_outs().unwrap().is_empty(),
        "not called: not shown"
    );
    v1.sign_up(&call).unwrap();
    assert_eq!(
        refused(v2.sign_up(&call)),
        RejectCode::Forbidden,
        "team B is not called"
    );
    v1.sync().await.unwrap();

    // Widened to the station's subtree: team B's members are called now,
    // volunteers in no team still are not.
    let subtree = Audience {
        team_ids: vec![fx.team_a.id.clone()],
        site_id: Some(fx.station_a.id.clone()),
    };
    staff.widen_call_out(&call, subtree, 3).unwrap();
    staff.sync().await.unwrap();
    assert!(staff.rejections().unwrap().is_empty());
    v2.sync().await.unwrap();
    v2.sign_up(&call).unwrap();
    v2.sync().await.unwrap();
    v3.sync().await.unwrap();
    assert_eq!(refused(v3.sign_up(&call)), RejectCode::Forbidden);
    // Narrowing is no widening (refused on the device already).
    assert_eq!(
        refused(staff.widen_call_out(&call, team_a, 3)),
        RejectCode::InvalidInput
    );

    // A responder withdraws; the call is closed early; nobody else gets in.
    v2.cancel_signup(&call).unwrap();
    v2.sync().await.unwrap();
    staff.close_call_out(&call).unwrap();
    staff.sync().await.unwrap();
    v2.sync().await.unwrap();
    assert_eq!(refused(v2.sign_up(&call)), RejectCode::ActivityClosed);

    // The muster roll: the responder who stayed, checked in like anyone.
    staff.sync().await.unwrap();
    let roster = staff.roster(&call).unwrap();
    assert_eq!(roster.len(), 1);
    assert_eq!(roster[0].volunteer_id, fx.id("v1"));
    staff.check_in(&call, &fx.id("v1"), None).unwrap();
    staff.sync().await.unwrap();
    assert!(staff.roster(&call).unwrap()[0].checked_in_at.is_some());
}
