//! Story 2: two staff devices check in overlapping volunteers offline; after
//! both sync, everyone holds the unique set, merged earliest-in, latest-out.

use chrono::{DateTime, Duration, Utc};
use volunteer_core::{HourSource, HourStatus, Kind, Record, Replica};
use volunteer_tests::{TestServer, device, fixture, signed_in};

type Line = (String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn roster(r: &Replica, activity: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = r
        .roster(activity)
        .unwrap()
        .into_iter()
        .filter(|e| e.checked_in_at.is_some())
        .map(|e| (e.volunteer_id, e.checked_in_at, e.checked_out_at))
        .collect();
    lines.sort();
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story2_offline_check_ins_from_two_devices_merge_into_one_attendance_each() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = TestServer::start(&db).await;
    let fx = fixture::seed(server.store.as_ref());
    let act = fx.activity_a.id.clone();
    let (v1, v2, v3) = (fx.id("v1"), fx.id("v2"), fx.id("v3"));

    // v1 and v2 signed up beforehand; v3 will walk in.
    for login in ["v1", "v2"] {
        let phone = signed_in(dir.path(), login, &server.url(), login).await;
        phone.sign_up(&act).unwrap();
        assert_eq!(phone.sync().await.unwrap().applied, 1);
    }
    let staff1 = signed_in(dir.path(), "staff1", &server.url(), "staff-a").await;
    let staff2 = signed_in(dir.path(), "staff2", &server.url(), "staff-a2").await;
    assert_eq!(
        staff1.roster(&act).unwrap().len(),
        2,
        "roster of signups on the device"
    );
    let addr = server.addr;
    server.stop().await;

    let t0 = fx.activity_a.starts_at;
    let m = |min: i64| Some(t0 + Duration::minutes(min));
    staff1.check_in(&act, &v1, m(0)).unwrap();
    staff1.check_in(&act, &v2, m(5)).unwrap();
    staff1.check_out(&act, &v1, m(120)).unwrap();
    staff2.check_in(&act, &v1, m(2)).unwrap();
    staff2.check_in(&act, &v2, m(1)).unwrap();
    staff2.check_in(&act, &v3, m(10)).unwrap();
    staff2.check_out(&act, &v1, m(150)).unwrap();
    let mut own = vec![(v1.clone(), m(0), m(120)), (v2.clone(), m(5), None)];
    own.sort();
    assert_eq!(
        roster(&staff1, &act),
        own,
        "each device sees its own check-ins at once"
    );
    assert_eq!(staff2.pending_count().unwrap(), 4);

    let server = TestServer::start_on(&db, addr).await;
    assert_eq!(staff1.sync().await.unwrap().applied, 3);
    assert_eq!(staff2.sync().await.unwrap().applied, 4);
    staff1.sync().await.unwrap();

    let mut expected = vec![
        (v1.clone(), m(0), m(150)),
        (v2.clone(), m(1), None),
        (v3.clone(), m(10), None),
    ];
    expected.sort();
    let mut on_server: Vec<Line> = server
        .store
        .records(Kind::Attendance)
        .unwrap()
        .into_iter()
        .map(|r| match r {
            Record::Attendance(a) => (a.volunteer_id, Some(a.checked_in_at), a.checked_out_at),
            _ => unreachable!(),
        })
        .collect();
    on_server.sort();
    assert_eq!(on_server, expected);
    assert_eq!(roster(&staff1, &act), expected);
    assert_eq!(roster(&staff2, &act), expected);
    let names: Vec<String> = staff2
        .roster(&act)
        .unwrap()
        .into_iter()
        .map(|e| e.volunteer_name)
        .collect();
    assert_eq!(names.len(), 3);
    assert!(
        names.contains(&"张敏".to_string()),
        "walk-in named by the server: {names:?}"
    );

    // Hours follow from the merged attendance, once.
    let hours = crate::owned_by(server.store.as_ref(), Kind::HourEntry, &v1);
    assert_eq!(hours.len(), 1);
    let Record::HourEntry(h) = &hours[0] else {
        unreachable!()
    };
    assert_eq!(
        (h.minutes, h.source, h.status),
        (150, HourSource::Attendance, HourStatus::Confirmed)
    );

    // The volunteer's own phone learns it.
    let phone = signed_in(dir.path(), "v1-second", &server.url(), "v1").await;
    assert_eq!(phone.my_hours_total().unwrap().confirmed_minutes, 150);
    assert_eq!(roster(&phone, &act), vec![(v1.clone(), m(0), m(150))]);
}

/// Staff of station A open an activity under way, taking walk-ins or not.
async fn running_activity(
    staff: &Replica,
    fx: &volunteer_tests::Fixture,
    walk_ins: bool,
    signups: &[&Replica],
) -> String {
    let now = Utc::now();
    let id = staff
        .create_activity(volunteer_core::ActivityDraft {
            site_id: fx.station_a.id.clone(),
            team_id: None,
            title: "文明交通劝导".into(),
            description: String::new(),
            starts_at: now - Duration::hours(2),
            ends_at: now + Duration::hours(2),
            capacity: 10,
            signup_deadline: None,
            waitlist: false,
            walk_ins,
            credit_rounding_minutes: 0,
        })
        .unwrap();
    staff.publish_activity(&id).unwrap();
    staff.sync().await.unwrap();
    for v in signups {
        v.sync().await.unwrap();
        v.sign_up(&id).unwrap();
        v.sync().await.unwrap();
    }
    staff.start_activity(&id).unwrap();
    staff.sync().await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walk_ins_are_refused_where_the_activity_takes_none() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = volunteer_tests::signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let v1 = volunteer_tests::signed_in(dir.path(), "v1", &url, "v1").await;
    let id = running_activity(&staff, &fx, false, &[&v1]).await;

    staff.check_in(&id, &fx.id("v1"), None).unwrap();
    staff.check_in(&id, &fx.id("v2"), None).unwrap(); // no place: only the server can tell
    let r = staff.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (1, 1));
    assert_eq!(
        staff.rejections().unwrap()[0].code.as_str(),
        "not_signed_up"
    );
    let lines = roster(&staff, &id);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].0, fx.id("v1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_keeps_history_and_a_late_scan_does_not_undo_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff1 = volunteer_tests::signed_in(dir.path(), "staff1", &url, "staff-a").await;
    let staff2 = volunteer_tests::signed_in(dir.path(), "staff2", &url, "staff-a2").await;
    let v1 = volunteer_tests::signed_in(dir.path(), "v1", &url, "v1").await;
    let id = running_activity(&staff1, &fx, true, &[&v1]).await;
    let v1_id = fx.id("v1");
    let t0 = Utc::now() - Duration::minutes(90);
    let m = |min: i64| t0 + Duration::minutes(min);

    staff1.check_in(&id, &v1_id, Some(m(0))).unwrap();
    staff1.check_out(&id, &v1_id, Some(m(60))).unwrap();
    staff1.sync().await.unwrap();
    // staff2, offline, scans v1 even earlier; it reaches the server late.
    drop(staff2);
    let offline = device(dir.path(), "staff2", "http://127.0.0.1:9");
    offline.sync().await.unwrap_err();
    offline.check_in(&id, &v1_id, Some(m(-30))).unwrap();
    drop(offline);

    // Refused corrections first.
    let err = v1.correct_attendance(&id, &v1_id, m(0), Some(m(80)), "我来得更早");
    assert!(matches!(
        err,
        Err(volunteer_core::Error::Rejected {
            code: volunteer_core::RejectCode::Forbidden,
            ..
        })
    ));
    let err = staff1.correct_attendance(&id, &v1_id, m(5), Some(m(50)), " ");
    assert!(matches!(
        err,
        Err(volunteer_core::Error::Rejected {
            code: volunteer_core::RejectCode::InvalidInput,
            ..
        })
    ));

    staff1
        .correct_attendance(&id, &v1_id, m(5), Some(m(50)), "签到时间录入错误")
        .unwrap();
    assert_eq!(staff1.sync().await.unwrap().applied, 1);
    let staff2 = device(dir.path(), "staff2", &url);
    let r = staff2.sync().await.unwrap();
    assert_eq!(
        (r.applied, r.rejected),
        (1, 0),
        "applied, but it moves nothing"
    );

    let expected = vec![(v1_id.clone(), Some(m(5)), Some(m(50)))];
    assert_eq!(roster(&staff2, &id), expected);
    staff1.sync().await.unwrap();
    assert_eq!(roster(&staff1, &id), expected);
    v1.sync().await.unwrap();
    let mine = v1.my_attendance().unwrap();
    assert_eq!(mine.len(), 1);
    let c = &mine[0].corrections;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].previous_in, c[0].previous_out),
        (Some(m(0)), Some(m(60)))
    );
    assert_eq!(c[0].reason, "签到时间录入错误");
    let hours = v1.my_hours().unwrap();
    assert_eq!(hours[0].minutes, 45, "hours follow the corrected times");
}
