//! Service orders (issue 4, workflow 5): the closed loop from a resident's
//! order to a rating, who sees the contact, forbidden steps, and two staff
//! dispatching one order offline.

use chrono::{Duration, Utc};
use volunteer_core::{
    Error, HourEntry, HourSource, HourStatus, Kind, OrderRequest, OrderStatus, RejectCode, Replica,
};
use volunteer_tests::{Fixture, TestServer, device, fixture, signed_in};

fn request(fx: &Fixture) -> OrderRequest {
    OrderRequest {
        site_id: fx.station_a.id.clone(),
        category: "助老".into(),
        description: "家中灯泡坏了，需要帮忙更换".into(),
        desired_at: None,
        phone: "138 0013 8000".into(),
        address: "幸福里小区3栋2单元401".into(),
    }
}

fn status(r: &Replica, id: &str) -> OrderStatus {
    let all = r.dump(Kind::ServiceOrder).unwrap();
    let o = all.iter().find(|o| o["id"] == id).expect("order on device");
    serde_json::from_value(o["status"].clone()).unwrap()
}

fn rejected(result: volunteer_core::Result<()>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// Orders go to volunteers active in a team of the dispatcher's sites.
fn members(store: &dyn volunteer_sync_server::Storage, fx: &fixture::Fixture) {
    for v in ["v2", "v4"] {
        fixture::add_member(store, fx, v, volunteer_core::TeamRole::Member);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_goes_from_the_resident_to_a_volunteer_and_back_to_a_rating() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    members(server.store.as_ref(), &fx);
    let url = server.url();
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let id = resident.place_order(request(&fx)).unwrap();
    assert_eq!(
        resident.my_orders().unwrap()[0].status,
        OrderStatus::Submitted
    );
    resident.sync().await.unwrap();

    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let queue = staff.orders_at_site(&fx.station_a.id, true).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        staff.order_contact(&id).unwrap().unwrap().phone,
        "138 0013 8000"
    );
    staff.dispatch_order(&id, None, Some(&fx.id("v2"))).unwrap();
    staff.sync().await.unwrap();

    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    let v3 = signed_in(dir.path(), "v3", &url, "v3").await;
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    assert_eq!(v2.assigned_orders().unwrap().len(), 1);
    assert!(
        v2.order_contact(&id).unwrap().is_some(),
        "the assignee needs the address"
    );
    for outsider in [&v3, &staff_b] {
        assert!(outsider.dump(Kind::ServiceOrder).unwrap().is_empty());
        assert!(
            outsider.dump(Kind::OrderContact).unwrap().is_empty(),
            "no contact leaks"
        );
    }

    v2.respond_to_order(&id, true, None).unwrap();
    v2.complete_order(&id, Utc::now() - Duration::minutes(5), 5, &[])
        .unwrap();
    assert_eq!(v2.sync().await.unwrap().applied, 2);
    resident.sync().await.unwrap();
    assert_eq!(status(&resident, &id), OrderStatus::Done);
    // The service is a record, pending the site's review.
    let record = HourEntry::order_key(&id, &fx.id("v2"));
    assert_eq!(v2.my_hours_total().unwrap().pending_minutes, 5);
    staff.sync().await.unwrap();
    staff.review_hours(&record, true, None).unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    resident.rate_order(&id, 5, Some("小伙子很热心")).unwrap();
    resident.sync().await.unwrap();
    v2.sync().await.unwrap();
    let mine = v2.my_hours().unwrap();
    let h = mine.iter().find(|h| h.id == record).unwrap();
    assert_eq!(
        (h.source, h.status, h.rating, h.order_id.as_deref()),
        (
            HourSource::Order,
            HourStatus::Confirmed,
            Some(5),
            Some(id.as_str())
        )
    );

    // Closed: the rating is on every copy; the contact is gone from all.
    v2.sync().await.unwrap();
    staff.sync().await.unwrap();
    for r in [&resident, &v2, &staff] {
        assert_eq!(status(r, &id), OrderStatus::Rated);
        assert!(r.order_contact(&id).unwrap().is_none());
    }
    assert!(v2.assigned_orders().unwrap().is_empty());
    assert_eq!(resident.my_orders().unwrap()[0].rating, Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_order_steps_are_refused_with_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    members(server.store.as_ref(), &fx);
    let url = server.url();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    match v1.place_order(request(&fx)) {
        Err(Error::Rejected { code, .. }) => assert_eq!(code, RejectCode::Forbidden),
        other => panic!("volunteers do not place orders: {other:?}"),
    }
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let id = resident.place_order(request(&fx)).unwrap();
    assert_eq!(
        rejected(resident.rate_order(&id, 5, None)),
        RejectCode::InvalidState
    );
    assert_eq!(
        rejected(resident.rate_order(&id, 6, None)),
        RejectCode::InvalidInput
    );
    resident.sync().await.unwrap();

    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff.dispatch_order(&id, None, Some(&fx.id("v2"))).unwrap();
    staff.sync().await.unwrap();
    // Someone else cannot take the order: v3's device never saw it, so the
    // server answers.
    let v3 = signed_in(dir.path(), "v3", &url, "v3").await;
    v3.respond_to_order(&id, true, None).unwrap();
    assert_eq!(v3.sync().await.unwrap().rejected, 1);
    assert_eq!(v3.rejections().unwrap()[0].code.as_str(), "forbidden");

    // Declining sends it back to the site, with the reason.
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    v2.respond_to_order(&id, false, Some("今天在外地")).unwrap();
    v2.sync().await.unwrap();
    staff.sync().await.unwrap();
    let order = &staff.orders_at_site(&fx.station_a.id, false).unwrap()[0];
    assert_eq!(
        (order.status, order.declined_reason.as_deref()),
        (OrderStatus::Submitted, Some("今天在外地"))
    );
    assert!(v2.order_contact(&id).unwrap().is_none(), "no longer theirs");
    assert!(
        v2.assigned_orders().unwrap().is_empty(),
        "the decliner's device agrees"
    );
    assert_eq!(status(&v2, &id), OrderStatus::Submitted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_offline_dispatches_of_one_order_the_first_to_arrive_wins() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    members(server.store.as_ref(), &fx);
    let url = server.url();
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let id = resident.place_order(request(&fx)).unwrap();
    resident.sync().await.unwrap();
    for name in ["staff-a", "staff-a2"] {
        drop(signed_in(dir.path(), name, &url, name).await);
    }
    let first = device(dir.path(), "staff-a", "http://127.0.0.1:9");
    let second = device(dir.path(), "staff-a2", "http://127.0.0.1:9");
    first.dispatch_order(&id, None, Some(&fx.id("v2"))).unwrap();
    second
        .dispatch_order(&id, None, Some(&fx.id("v4")))
        .unwrap();
    drop((first, second));

    let first = device(dir.path(), "staff-a", &url);
    let second = device(dir.path(), "staff-a2", &url);
    assert_eq!(first.sync().await.unwrap().applied, 1);
    let r = second.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(
        second.rejections().unwrap()[0].code.as_str(),
        "invalid_state"
    );
    let order = &second.orders_at_site(&fx.station_a.id, false).unwrap()[0];
    assert_eq!(
        order.assignee_volunteer_id.as_deref(),
        Some(fx.id("v2").as_str()),
        "the server's choice"
    );
}

/// Issue 10 §4: every state has an exit. Staff withdraw an offer nobody
/// answered and cancel an open order with a reason; an assignee gives back
/// an accepted order; the contact goes with each exit and with completion;
/// an answer replayed under a new client id touches no later offer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_state_has_an_exit_and_answers_are_tied_to_their_offer() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    members(server.store.as_ref(), &fx);
    let url = server.url();
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let id = resident.place_order(request(&fx)).unwrap();
    resident.sync().await.unwrap();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;

    // Offer 1 to v2, who never answers: staff withdraw it, v2's contact goes.
    staff.dispatch_order(&id, None, Some(&fx.id("v2"))).unwrap();
    staff.sync().await.unwrap();
    v2.sync().await.unwrap();
    assert!(v2.order_contact(&id).unwrap().is_some());
    staff.withdraw_order(&id, "两天无人应答").unwrap();
    staff.sync().await.unwrap();
    v2.sync().await.unwrap();
    assert_eq!(status(&v2, &id), OrderStatus::Submitted);
    assert!(v2.order_contact(&id).unwrap().is_none());

    // Offer 2 to v2, declined; offer 3 to v2 again. The decline of offer 2,
    // replayed by a script under a new client id, does not touch offer 3.
    staff.dispatch_order(&id, None, Some(&fx.id("v2"))).unwrap();
    staff.sync().await.unwrap();
    v2.sync().await.unwrap();
    v2.respond_to_order(&id, false, Some("这周没空")).unwrap();
    v2.sync().await.unwrap();
    staff.sync().await.unwrap();
    staff.dispatch_order(&id, None, Some(&fx.id("v2"))).unwrap();
    staff.sync().await.unwrap();
    let token = volunteer_tests::token(&url, "v2").await;
    let replay = serde_json::json!({"client_id": "replayer", "mutations": [{
        "seq": 1, "id": "again", "created_at": chrono::Utc::now().to_rfc3339(),
        "mutation": {"type": "respond_to_order", "order_id": id, "accept": false,
                     "reason": "这周没空", "offer": 2}}]});
    let resp: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(&token)
        .json(&replay)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resp["results"][0]["code"], "invalid_state", "{resp}");
    v2.sync().await.unwrap();
    assert_eq!(status(&v2, &id), OrderStatus::Dispatched);

    // Accepted, then given back: open again, the contact gone from v2.
    v2.respond_to_order(&id, true, None).unwrap();
    v2.sync().await.unwrap();
    v2.release_order(&id, "临时出差").unwrap();
    v2.sync().await.unwrap();
    assert_eq!(status(&v2, &id), OrderStatus::Submitted);
    assert!(v2.order_contact(&id).unwrap().is_none());

    // To v4, accepted and completed: v4's contact goes with completion.
    let v4 = signed_in(dir.path(), "v4", &url, "v4").await;
    staff.sync().await.unwrap();
    staff.dispatch_order(&id, None, Some(&fx.id("v4"))).unwrap();
    staff.sync().await.unwrap();
    v4.sync().await.unwrap();
    v4.respond_to_order(&id, true, None).unwrap();
    v4.sync().await.unwrap();
    assert!(v4.order_contact(&id).unwrap().is_some());
    v4.complete_order(&id, Utc::now() - Duration::minutes(3), 3, &[])
        .unwrap();
    v4.sync().await.unwrap();
    assert_eq!(status(&v4, &id), OrderStatus::Done);
    assert!(v4.order_contact(&id).unwrap().is_none());

    // Staff cancel an open order only with a reason.
    let other = resident.place_order(request(&fx)).unwrap();
    resident.sync().await.unwrap();
    staff.sync().await.unwrap();
    assert_eq!(
        rejected(staff.cancel_order_as_staff(&other, " ")),
        RejectCode::InvalidInput
    );
    staff.cancel_order_as_staff(&other, "重复下单").unwrap();
    staff.sync().await.unwrap();
    resident.sync().await.unwrap();
    assert_eq!(status(&resident, &other), OrderStatus::Cancelled);
}

/// Issue 10 §4: staff enter the order of a resident who phoned in; the
/// resident is its requester and sees it as theirs; nobody else may.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_place_an_order_for_a_resident_who_phoned_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let id = staff.place_order_for(request(&fx), &fx.id("r1")).unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let mine = resident.my_orders().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].id.as_str(), mine[0].placed_by.as_deref()),
        (id.as_str(), Some(fx.id("staff-a").as_str()))
    );
    // Another station's staff, and anyone for a volunteer, are refused.
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    let elsewhere = staff_b.place_order_for(request(&fx), &fx.id("r1"));
    assert!(matches!(
        elsewhere,
        Err(Error::Rejected {
            code: RejectCode::Forbidden,
            ..
        })
    ));
    // The device does not know residents: the server refuses a volunteer.
    staff.place_order_for(request(&fx), &fx.id("v1")).unwrap();
    assert_eq!(staff.sync().await.unwrap().rejected, 1);
    assert_eq!(staff.rejections().unwrap()[0].code, RejectCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_order_credits_the_members_who_served_after_the_sites_review() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    members(store, &fx);
    fixture::add_member(store, &fx, "v3", volunteer_core::TeamRole::Leader);
    let url = server.url();
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let id = resident.place_order(request(&fx)).unwrap();
    resident.sync().await.unwrap();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff
        .dispatch_order(&id, Some(&fx.team_a.id), None)
        .unwrap();
    staff.sync().await.unwrap();
    let leader = signed_in(dir.path(), "v3", &url, "v3").await;
    leader.respond_to_order(&id, true, None).unwrap();
    leader.sync().await.unwrap();

    // The leader names who served: a non-member is refused, and nothing
    // is written; no time, or time before the order was accepted, neither.
    let start = Utc::now() - Duration::minutes(5);
    let v = |logins: &[&str]| logins.iter().map(|l| fx.id(l)).collect::<Vec<_>>();
    leader
        .complete_order(&id, start, 5, &v(&["v2", "v6"]))
        .unwrap();
    let r = leader.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(leader.rejections().unwrap()[0].code, RejectCode::Forbidden);
    assert_eq!(
        rejected(leader.complete_order(&id, start - Duration::hours(3), 60, &v(&["v2"]))),
        RejectCode::InvalidInput,
        "the service began before the order was accepted"
    );
    assert!(store.records(Kind::HourEntry).unwrap().is_empty());
    leader
        .complete_order(&id, start, 5, &v(&["v2", "v4"]))
        .unwrap();
    assert_eq!(leader.sync().await.unwrap().applied, 1);

    // The leader's word is reviewed by the site's staff, not by the leader.
    let v2_record = HourEntry::order_key(&id, &fx.id("v2"));
    assert_eq!(
        rejected(leader.review_hours(&v2_record, true, None)),
        RejectCode::Forbidden
    );
    staff.sync().await.unwrap();
    staff.review_hours(&v2_record, true, None).unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    resident.sync().await.unwrap();
    resident.rate_order(&id, 4, None).unwrap();
    resident.sync().await.unwrap();

    let records: Vec<volunteer_core::Record> = volunteer_core::Kind::ALL
        .iter()
        .flat_map(|k| store.records(*k).unwrap())
        .collect();
    let entries: Vec<&HourEntry> = records
        .iter()
        .filter_map(|r| match r {
            volunteer_core::Record::HourEntry(h) => Some(h),
            _ => None,
        })
        .collect();
    let summary: Vec<(&str, HourStatus, Option<u8>)> = entries
        .iter()
        .map(|h| (h.volunteer_id.as_str(), h.status, h.rating))
        .collect();
    let (v2_id, v4_id) = (fx.id("v2"), fx.id("v4"));
    let mut expected = vec![
        (v2_id.as_str(), HourStatus::Confirmed, Some(4)),
        (v4_id.as_str(), HourStatus::Pending, Some(4)),
    ];
    expected.sort();
    let mut summary = summary;
    summary.sort();
    assert_eq!(summary, expected);
    // Every confirmed minute traces to its evidence: the completed order.
    volunteer_domain::audit::check(&records).unwrap();
}
