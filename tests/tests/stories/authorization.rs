//! Story 4: forbidden actions are rejected, the device shows it, nothing leaks.

use chrono::{Duration, Utc};
use serde_json::json;
use volunteer_core::{Error, HoursReport, Kind, Mutation, RejectCode, Role};
use volunteer_tests::{PASSWORD, TestServer, device, fixture, signed_in, token};

async fn raw_sync(url: &str, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story4a_a_volunteer_cannot_report_hours_for_someone_else() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let t = token(&url, "v1").await;
    let forged = json!({
        "client_id": "tampered-app",
        "mutations": [{
            "seq": 1, "id": "m1", "created_at": Utc::now(),
            "mutation": {"type": "report_hours", "entry_id": "forged", "volunteer_id": fx.id("v2"),
                         "activity_id": null, "started_at": Utc::now() - Duration::hours(2),
                         "minutes": 600, "description": "not mine"}
        }]
    });
    let (status, body) = raw_sync(&url, &t, forged).await;
    assert_eq!(status, 200);
    assert_eq!(body["results"][0]["status"], "rejected");
    assert_eq!(body["results"][0]["code"], "forbidden");
    assert!(server.store.records(Kind::HourEntry).unwrap().is_empty());

    // Through the core, a volunteer's report is always their own.
    let phone = device(dir.path(), "v1", &url);
    phone.sign_in("v1", PASSWORD).await.unwrap();
    phone
        .report_hours(HoursReport {
            activity_id: None,
            team_id: None,
            started_at: Utc::now() - Duration::hours(2),
            minutes: 60,
            description: String::new(),
        })
        .unwrap();
    let pending = phone.pending_mutations().unwrap();
    assert!(
        matches!(&pending[0].mutation, Mutation::ReportHours { volunteer_id, .. } if *volunteer_id == fx.id("v1"))
    );
    // And a volunteer cannot record attendance at all.
    let err = phone
        .check_in(&fx.activity_a.id, &fx.id("v2"), None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Rejected {
                code: RejectCode::Forbidden,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story4b_staff_cannot_check_in_outside_their_sites() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let act_a = fx.activity_a.id.clone();

    // Known to be outside: refused at once, nothing queued.
    let staff_b = signed_in(dir.path(), "staff-b", &server.url(), "staff-b").await;
    let err = staff_b.check_in(&act_a, &fx.id("v1"), None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Rejected {
                code: RejectCode::Forbidden,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(staff_b.pending_count().unwrap(), 0);

    // The device believes it may (staff moved to station B while it was
    // offline): the server refuses, the device shows it and undoes it.
    let staff_a = signed_in(dir.path(), "staff-a", &server.url(), "staff-a").await;
    server
        .store
        .move_user(&fx.id("staff-a"), Role::Staff, Some(&fx.station_b.id))
        .unwrap();
    staff_a.check_in(&act_a, &fx.id("v2"), None).unwrap();
    assert_eq!(staff_a.roster(&act_a).unwrap().len(), 1, "optimistic");
    let r = staff_a.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert!(r.reset, "scope changed: the device refetched");
    let rejections = staff_a.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].code.as_str(), "forbidden");
    assert!(
        matches!(&rejections[0].mutation, Mutation::CheckIn { activity_id, volunteer_id, .. }
        if *activity_id == act_a && *volunteer_id == fx.id("v2"))
    );
    assert!(
        staff_a.roster(&act_a).unwrap().is_empty(),
        "optimistic effect gone"
    );
    assert!(server.store.records(Kind::Attendance).unwrap().is_empty());
    assert_eq!(
        staff_a.profile().unwrap().unwrap().site_id.as_deref(),
        Some(fx.station_b.id.as_str()),
        "the device learned its new site"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story4c_nobody_pulls_another_volunteer_s_personal_records() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let (act_a, v1) = (fx.activity_a.id.clone(), fx.id("v1"));

    // v1 joins, signs up, reports hours; staff of station A records attendance.
    let phone = signed_in(dir.path(), "v1", &url, "v1").await;
    phone.join_team(&fx.team_a.id).unwrap();
    phone.sign_up(&act_a).unwrap();
    phone
        .report_hours(HoursReport {
            activity_id: None,
            team_id: None,
            started_at: Utc::now() - Duration::hours(3),
            minutes: 45,
            description: String::new(),
        })
        .unwrap();
    phone.sync().await.unwrap();
    let staff_a = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff_a.check_in(&act_a, &v1, None).unwrap();
    staff_a.check_out(&act_a, &v1, None).unwrap();
    assert_eq!(staff_a.sync().await.unwrap().applied, 2);

    // Another volunteer's device: only their own personal records.
    let other = signed_in(dir.path(), "v2", &url, "v2").await;
    for kind in [
        Kind::HourEntry,
        Kind::Attendance,
        Kind::Signup,
        Kind::Membership,
    ] {
        assert!(
            other.dump(kind).unwrap().is_empty(),
            "{kind:?} leaked to v2"
        );
    }
    let profiles = other.dump(Kind::Profile).unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["user_id"], fx.id("v2").as_str());

    // The raw feed says the same, from the start.
    let t = token(&url, "v2").await;
    let (status, body) = raw_sync(&url, &t, json!({"client_id": "raw-v2"})).await;
    assert_eq!(status, 200);
    for change in body["changes"].as_array().unwrap() {
        let data = &change["data"];
        assert_ne!(data["volunteer_id"], v1.as_str(), "leak: {change}");
        assert_ne!(data["user_id"], v1.as_str(), "leak: {change}");
    }

    // Staff of another station do not get station A's attendance or hours,
    // and no staff device gets volunteers' profiles (phone numbers).
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    for kind in [
        Kind::HourEntry,
        Kind::Attendance,
        Kind::Signup,
        Kind::Membership,
    ] {
        assert!(
            staff_b.dump(kind).unwrap().is_empty(),
            "{kind:?} leaked to staff-b"
        );
    }
    assert_eq!(
        staff_a.dump(Kind::Profile).unwrap().len(),
        1,
        "only their own"
    );
    // Staff of station A see what happened at their station, except the
    // self-report that is not tied to it.
    staff_a.sync().await.unwrap();
    assert_eq!(staff_a.dump(Kind::Attendance).unwrap().len(), 1);
    assert_eq!(staff_a.dump(Kind::Signup).unwrap().len(), 1);
    assert_eq!(staff_a.dump(Kind::Membership).unwrap().len(), 1);
    let hours = staff_a.dump(Kind::HourEntry).unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0]["source"], "attendance");
}
