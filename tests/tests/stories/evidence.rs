//! Issue 10, the evidence invariant through the real server: the two-step
//! hole (a year-back activity, then a correction that creates attendance)
//! tried through the documented protocol; derived hours that follow their
//! attendance through corrections and a cancellation; one attendance rule
//! for leaders and staff; no double counting; the daily limit.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use volunteer_core::{
    Error, HourSource, HourStatus, HoursReport, Kind, Record, RejectCode, Replica, TeamRole,
};
use volunteer_sync_server::Storage;
use volunteer_tests::fixture::Fixture;
use volunteer_tests::{PASSWORD, TestServer, fixture, signed_in};

fn make_leader(store: &dyn Storage, fx: &Fixture, login: &str) {
    fixture::add_member(store, fx, login, TeamRole::Leader);
}

fn hours(store: &dyn Storage) -> Vec<volunteer_core::HourEntry> {
    store
        .records(Kind::HourEntry)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::HourEntry(h) => Some(h),
            _ => None,
        })
        .collect()
}

fn hour(store: &dyn Storage, id: &str) -> volunteer_core::HourEntry {
    hours(store)
        .into_iter()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("no hour entry {id}"))
}

fn rejected(result: volunteer_core::Result<impl std::fmt::Debug>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

async fn post(url: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_cannot_credit_hours_nobody_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    make_leader(server.store.as_ref(), &fx, "v3");
    let url = server.url();
    let session = post(
        &url,
        "/v1/session",
        None,
        json!({"login": "v3", "password": PASSWORD}),
    )
    .await;
    let token = session["token"].as_str().unwrap();
    let now = Utc::now();
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339();
    // As a new user would: a published activity a year back, then a
    // correction for a volunteer who never signed up or attended.
    let push = json!({
        "client_id": "leader-script",
        "mutations": [
            {"seq": 1, "id": "m1", "created_at": at(now), "mutation": {
                "type": "create_activity", "activity_id": "year-back", "site_id": fx.station_a.id,
                "team_id": fx.team_a.id, "title": "补录", "description": "",
                "starts_at": at(now - Duration::days(365)), "ends_at": at(now + Duration::hours(1)),
                "capacity": 10, "signup_deadline": null, "waitlist": false}},
            {"seq": 2, "id": "m2", "created_at": at(now), "mutation": {
                "type": "correct_attendance", "activity_id": fx.activity_a.id,
                "volunteer_id": fx.id("v5"), "checked_in_at": at(now - Duration::hours(3)),
                "checked_out_at": at(now), "reason": "补录"}},
        ]
    });
    let resp = post(&url, "/v1/sync", Some(token), push).await;
    let codes: Vec<&str> = resp["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap_or("applied"))
        .collect();
    assert_eq!(codes, ["too_late", "not_checked_in"], "{resp}");
    assert!(
        hours(server.store.as_ref()).is_empty(),
        "not one minute credited"
    );
    assert!(server.store.records(Kind::Attendance).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_hours_follow_their_attendance() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    make_leader(server.store.as_ref(), &fx, "v3");
    let url = server.url();
    let act = fx.activity_a.id.clone();
    let store = server.store.as_ref();

    // One rule for everyone who records attendance: the team's leader may,
    // for others, never for themself; another station's staff may not.
    let leader = signed_in(dir.path(), "v3", &url, "v3").await;
    assert_eq!(
        rejected(leader.check_in(&act, &fx.id("v3"), None)),
        RejectCode::Forbidden
    );
    leader
        .check_in(&act, &fx.id("v1"), Some(fx.now - Duration::hours(3)))
        .unwrap();
    leader
        .check_out(&act, &fx.id("v1"), Some(fx.now - Duration::hours(1)))
        .unwrap();
    assert_eq!(leader.sync().await.unwrap().applied, 2);
    let first = format!("att/{act}/{}", fx.id("v1"));
    let h = hour(store, &first);
    assert_eq!((h.status, h.minutes), (HourStatus::Confirmed, 120));
    // The service record carries its legal fields as recorded: the place,
    // the organising unit, the recorder and the recording time.
    assert_eq!(h.place.as_deref(), Some(fx.station_a.name.as_str()));
    assert_eq!(h.organiser.as_deref(), Some(fx.team_a.name.as_str()));
    assert_eq!(h.recorded_by, fx.id("v3"));
    assert!(h.recorded_at.is_some_and(|t| t <= Utc::now()));
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    assert_eq!(
        rejected(staff_b.check_in(&act, &fx.id("v2"), None)),
        RejectCode::Forbidden
    );

    // A correction supersedes the entry; clearing the check-out voids it.
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff
        .correct_attendance(
            &act,
            &fx.id("v1"),
            fx.now - Duration::hours(3),
            Some(fx.now - Duration::hours(2)),
            "提前离开",
        )
        .unwrap();
    staff.sync().await.unwrap();
    let second = format!("{first}/1");
    let old = hour(store, &first);
    assert_eq!(
        (old.status, old.superseded_by.as_deref()),
        (HourStatus::Superseded, Some(second.as_str()))
    );
    let new = hour(store, &second);
    assert_eq!(
        (new.status, new.minutes, new.corrects.as_deref()),
        (HourStatus::Confirmed, 60, Some(first.as_str()))
    );
    staff
        .correct_attendance(
            &act,
            &fx.id("v1"),
            fx.now - Duration::hours(3),
            None,
            "签退记录有误",
        )
        .unwrap();
    staff.sync().await.unwrap();
    let voided = hour(store, &second);
    assert_eq!(
        (voided.status, voided.reason.as_deref()),
        (HourStatus::Voided, Some("签退记录有误"))
    );
    assert_eq!(
        hours(store)
            .iter()
            .filter(|h| h.status == HourStatus::Confirmed)
            .count(),
        0
    );

    // A cancelled activity did not take place: what it credited is voided.
    staff
        .check_in(&act, &fx.id("v2"), Some(fx.now - Duration::hours(2)))
        .unwrap();
    staff.check_out(&act, &fx.id("v2"), Some(fx.now)).unwrap();
    staff.sync().await.unwrap();
    let v2_entry = format!("att/{act}/{}", fx.id("v2"));
    assert_eq!(hour(store, &v2_entry).status, HourStatus::Confirmed);
    staff.cancel_activity(&act, "场地停电").unwrap();
    staff.sync().await.unwrap();
    let v2_hours = hour(store, &v2_entry);
    assert_eq!(v2_hours.status, HourStatus::Voided);
    assert!(v2_hours.reason.unwrap().contains("场地停电"));
    // And the volunteer's device shows it so.
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    assert_eq!(v2.my_hours_total().unwrap().confirmed_minutes, 0);
}

fn report(
    team: Option<&str>,
    activity: Option<&str>,
    start: chrono::DateTime<Utc>,
    minutes: u32,
) -> HoursReport {
    HoursReport {
        activity_id: activity.map(Into::into),
        team_id: team.map(Into::into),
        started_at: start,
        minutes,
        description: "社区服务".into(),
    }
}

/// Approve on `staff`'s device and sync: (applied, rejected) by the server.
async fn approved(staff: &Replica, entry: &str) -> (u32, u32) {
    staff.sync().await.unwrap();
    staff.review_hours(entry, true, None).unwrap();
    let r = staff.sync().await.unwrap();
    (r.applied, r.rejected)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_minute_counts_twice() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let act = fx.activity_a.id.clone();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;

    // A self-report for the activity, then staff record the attendance:
    // the attendance is the evidence, the report is voided.
    v1.sign_up(&act).unwrap();
    let start = fx.activity_a.starts_at;
    let claimed = v1
        .report_hours(report(None, Some(&act), start, 60))
        .unwrap();
    v1.sync().await.unwrap();
    staff.sync().await.unwrap();
    staff.check_in(&act, &fx.id("v1"), Some(start)).unwrap();
    staff
        .check_out(&act, &fx.id("v1"), Some(start + Duration::hours(2)))
        .unwrap();
    staff.sync().await.unwrap();
    assert_eq!(
        hour(server.store.as_ref(), &claimed).status,
        HourStatus::Voided
    );
    // A report made after it: refused with its own code (the device holds
    // the attendance, so at once).
    v1.sync().await.unwrap();
    assert_eq!(
        rejected(v1.report_hours(report(None, Some(&act), start, 30))),
        RejectCode::AlreadyCredited
    );

    // Two long reports on one Shanghai day (00:00-13:00 and 11:00-23:00 the
    // day before yesterday, 25 hours): the second overlaps the first, and
    // the server refuses it; nobody serves in two places at once.
    v1.join_team(&fx.team_a.id).unwrap();
    v1.sync().await.unwrap();
    let today = volunteer_domain::rules::shanghai_day(Utc::now());
    let day = chrono::DateTime::from_timestamp((today - 2) * 86_400 - 8 * 3600, 0).unwrap();
    let a = v1
        .report_hours(report(Some(&fx.team_a.id), None, day, 13 * 60))
        .unwrap();
    v1.sync().await.unwrap();
    // The device holds only part of the record: it leaves this to the server.
    v1.report_hours(report(
        Some(&fx.team_a.id),
        None,
        day + Duration::hours(11),
        12 * 60,
    ))
    .unwrap();
    assert_eq!(v1.sync().await.unwrap().rejected, 1);
    assert_eq!(v1.rejections().unwrap()[0].code, RejectCode::HoursOverlap);
    assert_eq!(approved(&staff, &a).await, (1, 0));
    let confirmed: u32 = hours(server.store.as_ref())
        .iter()
        .filter(|h| h.status == HourStatus::Confirmed && h.source == HourSource::SelfReport)
        .map(|h| h.minutes)
        .sum();
    assert_eq!(confirmed, 13 * 60);
}
