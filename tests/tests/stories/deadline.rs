//! Issue 10 §2, the recording deadline through the real server: ten working
//! days from an activity's end on China's calendar; after it, only the
//! site's staff record attendance or approve a report, and the record is
//! flagged late; the volunteer and the site see what is coming due.

use chrono::Duration;
use volunteer_core::{
    DueKind, Error, HourSource, HoursReport, Kind, OrderRequest, OrderStatus, Record, RejectCode,
    Replica, Signup, SignupStatus, TeamRole,
};
use volunteer_domain::rules::recording_deadline;
use volunteer_sync_server::Storage;
use volunteer_tests::fixture::Fixture;
use volunteer_tests::{TestServer, fixture, signed_in};

fn rejected(result: volunteer_core::Result<impl std::fmt::Debug>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn hour(store: &dyn Storage, id: &str) -> volunteer_core::HourEntry {
    store
        .records(Kind::HourEntry)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::HourEntry(h) if h.id == id => Some(h),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no hour entry {id}"))
}

/// An activity of team A that ended `days_ago`, with v1 and v2 holding places.
fn past_activity(
    store: &dyn Storage,
    fx: &Fixture,
    id: &str,
    days_ago: i64,
) -> volunteer_core::Activity {
    let end = fx.now - Duration::days(days_ago);
    let mut activity = volunteer_core::Activity {
        id: id.into(),
        starts_at: end - Duration::hours(2),
        ends_at: end,
        signup_count: 2,
        ..fx.activity_a.clone()
    };
    activity.title = format!("{} ({days_ago} 天前)", activity.title);
    let signup = |login: &str, name: &str| {
        Record::Signup(Signup {
            activity_id: id.into(),
            volunteer_id: fx.id(login),
            volunteer_name: name.into(),
            site_id: fx.station_a.id.clone(),
            signed_up_at: activity.starts_at - Duration::days(1),
            status: SignupStatus::Confirmed,
            position: 0,
            team_id: Some(fx.team_a.id.clone()),
        })
    };
    store
        .put_records(&[
            Record::Activity(activity.clone()),
            signup("v1", "李娜"),
            signup("v2", "王伟"),
        ])
        .unwrap();
    activity
}

fn due_kinds(r: &Replica, activity: &str) -> Vec<(DueKind, bool)> {
    r.records_due()
        .unwrap()
        .into_iter()
        .filter(|d| d.activity_id.as_deref() == Some(activity))
        .map(|d| (d.kind, d.overdue))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_deadline_only_site_staff_record_and_the_record_is_late() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    fixture::add_member(store, &fx, "v3", TeamRole::Leader);
    // Thirty days back is past ten working days whatever the holidays.
    let old = past_activity(store, &fx, "act-old", 30);
    let due = recording_deadline(old.ends_at);
    assert!(due < fx.now);
    let url = server.url();

    // What is coming due, as each side sees it: the volunteer, their own
    // place nothing records; the site, an activity with no attendance.
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let leader = signed_in(dir.path(), "v3", &url, "v3").await;
    assert_eq!(due_kinds(&v1, "act-old"), [(DueKind::NotRecorded, true)]);
    assert_eq!(
        due_kinds(&staff, "act-old"),
        [(DueKind::ActivityNotRecorded, true)]
    );
    let item = &staff.records_due().unwrap()[0];
    assert_eq!(
        (item.due_by, item.title.as_str()),
        (due, old.title.as_str())
    );

    // The team's leader records live only; the site's staff record late.
    assert_eq!(
        rejected(leader.check_in("act-old", &fx.id("v1"), Some(old.starts_at))),
        RejectCode::TooLate
    );
    staff
        .check_in("act-old", &fx.id("v1"), Some(old.starts_at))
        .unwrap();
    assert_eq!(
        due_kinds(&staff, "act-old"),
        [(DueKind::OpenAttendance, true)],
        "checked in, not out: still due"
    );
    staff
        .check_out("act-old", &fx.id("v1"), Some(old.ends_at))
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 2);
    let h = hour(store, &format!("att/act-old/{}", fx.id("v1")));
    assert_eq!((h.minutes, h.late, h.due_by), (120, true, Some(due)));
    assert!(due_kinds(&staff, "act-old").is_empty());

    // A late self-report is taken, flagged, and approved by staff only.
    v2.sync().await.unwrap();
    let entry = v2
        .report_hours(HoursReport {
            activity_id: Some("act-old".into()),
            team_id: None,
            started_at: old.starts_at,
            minutes: 90,
            description: "补报".into(),
        })
        .unwrap();
    assert_eq!(due_kinds(&v2, "act-old"), [(DueKind::PendingReview, true)]);
    v2.sync().await.unwrap();
    let report = hour(store, &entry);
    assert_eq!((report.source, report.late), (HourSource::SelfReport, true));
    leader.sync().await.unwrap();
    leader.review_hours(&entry, true, None).unwrap();
    let r = leader.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(leader.rejections().unwrap()[0].code, RejectCode::Forbidden);
    staff.sync().await.unwrap();
    staff.review_hours(&entry, true, None).unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    assert!(hour(store, &entry).is_confirmed());

    // An activity that ended yesterday is on time: recorded by the leader's
    // report review, not flagged.
    let recent = past_activity(store, &fx, "act-recent", 1);
    v1.sync().await.unwrap();
    assert_eq!(
        due_kinds(&v1, "act-recent"),
        [(DueKind::NotRecorded, false)]
    );
    let entry = v1
        .report_hours(HoursReport {
            activity_id: Some(recent.id.clone()),
            team_id: None,
            started_at: recent.starts_at,
            minutes: 60,
            description: "探访".into(),
        })
        .unwrap();
    v1.sync().await.unwrap();
    assert!(!hour(store, &entry).late);
    leader.sync().await.unwrap();
    leader.review_hours(&entry, true, None).unwrap();
    assert_eq!(leader.sync().await.unwrap().applied, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_their_orders_by_state_and_age() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let request = || OrderRequest {
        site_id: fx.station_a.id.clone(),
        category: "助老".into(),
        description: "代买药品".into(),
        desired_at: None,
        phone: "13800138000".into(),
        address: "幸福里3栋".into(),
    };
    let first = resident.place_order(request()).unwrap();
    resident.sync().await.unwrap();
    resident.place_order(request()).unwrap();
    resident.place_order(request()).unwrap();
    resident.sync().await.unwrap();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff.cancel_order_as_staff(&first, "重复下单").unwrap();
    let queue = staff.order_queue(&fx.station_a.id, true).unwrap();
    let states: Vec<(OrderStatus, u32)> = queue.iter().map(|q| (q.status, q.count)).collect();
    assert_eq!(
        states,
        [(OrderStatus::Submitted, 2), (OrderStatus::Cancelled, 1)]
    );
    let orders = staff.orders_at_site(&fx.station_a.id, true).unwrap();
    let oldest_open = orders
        .iter()
        .filter(|o| o.status == OrderStatus::Submitted)
        .map(|o| o.created_at)
        .min()
        .unwrap();
    assert_eq!(queue[0].oldest_created_at, oldest_open);
    // Another station's staff see none of it.
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    assert!(
        staff_b
            .order_queue(&fx.station_a.id, true)
            .unwrap()
            .is_empty()
    );
}
