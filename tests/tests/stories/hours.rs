//! Hours (issue 4, workflow 4): self-reports reviewed by a team's leaders or
//! staff, rejections with a reason, corrections as new records, the
//! rounding rule, and an offline conflict.

use chrono::{Duration, Utc};
use volunteer_core::{ActivityDraft, Error, HourStatus, HoursReport, RejectCode, Replica};
use volunteer_tests::{TestServer, device, fixture, signed_in};

fn report(team: &str, minutes: u32) -> HoursReport {
    HoursReport {
        activity_id: None,
        team_id: Some(team.into()),
        started_at: Utc::now() - Duration::hours(11),
        minutes,
        description: "社区敬老院陪伴".into(),
    }
}

fn entry(r: &Replica, id: &str) -> volunteer_core::HourEntry {
    r.my_hours()
        .unwrap()
        .into_iter()
        .find(|h| h.id == id)
        .unwrap()
}

fn rejected(result: volunteer_core::Result<()>) -> RejectCode {
    match result {
        Err(Error::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_reported_hours_are_approved_rejected_and_corrected_by_reviewers() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_a.id.clone();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let v2 = signed_in(dir.path(), "v2", &url, "v2").await;
    for v in [&v1, &v2] {
        v.join_team(&team).unwrap();
        v.sync().await.unwrap();
    }
    let a = v1.report_hours(report(&team, 90)).unwrap();
    let b = v2.report_hours(report(&team, 600)).unwrap();
    v1.sync().await.unwrap();
    v2.sync().await.unwrap();
    // Only for a team one belongs to: the device has no membership of
    // team-b, so the server decides.
    v1.report_hours(report(&fx.team_b.id, 30)).unwrap();
    assert_eq!(v1.sync().await.unwrap().rejected, 1);
    assert_eq!(v1.rejections().unwrap()[0].code.as_str(), "forbidden");

    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let queue = staff.hours_to_review().unwrap();
    assert_eq!(queue.len(), 2, "staff of the team's site review both");
    // Nobody reviews their own hours; another station's staff cannot either.
    assert_eq!(
        rejected(v1.review_hours(&a, true, None)),
        RejectCode::Forbidden
    );
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    // staff-b's device never received the entry: the server refuses.
    staff_b.review_hours(&a, true, None).unwrap();
    assert_eq!(staff_b.sync().await.unwrap().rejected, 1);
    assert_eq!(staff_b.rejections().unwrap()[0].code.as_str(), "forbidden");

    staff.review_hours(&a, true, None).unwrap();
    assert_eq!(
        rejected(staff.review_hours(&b, false, None)),
        RejectCode::InvalidInput
    );
    staff
        .review_hours(&b, false, Some("单次服务超过时长上限"))
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 2);
    assert_eq!(
        rejected(staff.review_hours(&a, false, Some("改主意了"))),
        RejectCode::InvalidState
    );

    v1.sync().await.unwrap();
    v2.sync().await.unwrap();
    assert_eq!(entry(&v1, &a).status, HourStatus::Confirmed);
    assert_eq!(v1.my_hours_total().unwrap().confirmed_minutes, 90);
    let refused = entry(&v2, &b);
    assert_eq!(
        (refused.status, refused.reason.as_deref()),
        (HourStatus::Rejected, Some("单次服务超过时长上限"))
    );
    assert_eq!(v2.my_hours_total().unwrap().confirmed_minutes, 0);

    // A correction is a new record, pending until a second reviewer
    // approves it; then the old one stays as it was, superseded.
    let fixed = staff.correct_hours(&a, 60, "实际服务一小时").unwrap();
    staff.sync().await.unwrap();
    v1.sync().await.unwrap();
    assert_eq!(entry(&v1, &fixed).status, HourStatus::Pending);
    assert_eq!(entry(&v1, &a).status, HourStatus::Confirmed);
    assert_eq!(
        rejected(staff.review_hours(&fixed, true, None)),
        RejectCode::Forbidden,
        "nobody approves their own correction"
    );
    let staff2 = signed_in(dir.path(), "staff-a2", &url, "staff-a2").await;
    staff2.review_hours(&fixed, true, None).unwrap();
    assert_eq!(staff2.sync().await.unwrap().applied, 1);
    v1.sync().await.unwrap();
    let old = entry(&v1, &a);
    assert_eq!((old.status, old.minutes), (HourStatus::Superseded, 90));
    assert_eq!(old.superseded_by.as_deref(), Some(fixed.as_str()));
    let new = entry(&v1, &fixed);
    assert_eq!(
        (new.status, new.minutes, new.corrects.as_deref()),
        (HourStatus::Confirmed, 60, Some(a.as_str()))
    );
    assert_eq!(new.reason.as_deref(), Some("实际服务一小时"));
    assert_eq!(v1.my_hours_total().unwrap().confirmed_minutes, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_approval_loses_to_a_rejection_that_reached_the_server_first() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_a.id.clone();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    v1.join_team(&team).unwrap();
    let a = v1.report_hours(report(&team, 120)).unwrap();
    v1.sync().await.unwrap();
    let staff1 = signed_in(dir.path(), "staff1", &url, "staff-a").await;
    let staff2 = signed_in(dir.path(), "staff2", &url, "staff-a2").await;
    drop(staff1);
    let offline = device(dir.path(), "staff1", "http://127.0.0.1:9");
    offline.review_hours(&a, true, None).unwrap();
    assert!(offline.hours_to_review().unwrap().is_empty(), "optimistic");
    drop(offline);
    staff2
        .review_hours(&a, false, Some("无活动记录佐证"))
        .unwrap();
    staff2.sync().await.unwrap();

    let staff1 = device(dir.path(), "staff1", &url);
    let r = staff1.sync().await.unwrap();
    assert_eq!((r.applied, r.rejected), (0, 1));
    assert_eq!(
        staff1.rejections().unwrap()[0].code.as_str(),
        "invalid_state"
    );
    v1.sync().await.unwrap();
    assert_eq!(entry(&v1, &a).status, HourStatus::Rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_hours_follow_the_activity_s_rounding_rule() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let now = Utc::now();
    let id = staff
        .create_activity(ActivityDraft {
            site_id: fx.station_a.id.clone(),
            team_id: None,
            title: "理论宣讲进小区".into(),
            description: String::new(),
            starts_at: now - Duration::hours(2),
            ends_at: now + Duration::hours(1),
            capacity: 20,
            signup_deadline: None,
            waitlist: false,
            walk_ins: true,
            credit_rounding_minutes: 15,
        })
        .unwrap();
    staff.publish_activity(&id).unwrap();
    staff.start_activity(&id).unwrap();
    let v1 = fx.id("v1");
    staff
        .check_in(&id, &v1, Some(now - Duration::minutes(110)))
        .unwrap();
    staff
        .check_out(&id, &v1, Some(now - Duration::minutes(60)))
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 5);
    let phone = signed_in(dir.path(), "v1", &url, "v1").await;
    let hours = phone.my_hours().unwrap();
    assert_eq!(
        hours[0].minutes, 45,
        "50 minutes, rounded down to 15-minute steps"
    );
}

/// Issue 10 §2: every workflow has an exit, and nothing is edited in place
/// without a trace: staff re-open a rejected report; a volunteer disputes a
/// record and a reviewer resolves it; each step is kept in the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_report_is_reopened_and_a_dispute_resolved_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let team = fx.team_a.id.clone();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    v1.join_team(&team).unwrap();
    let id = v1.report_hours(report(&team, 90)).unwrap();
    v1.sync().await.unwrap();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff.review_hours(&id, false, Some("缺少证明")).unwrap();
    staff.sync().await.unwrap();
    staff.reopen_hours(&id, "补交了照片").unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    v1.sync().await.unwrap();
    let reopened = entry(&v1, &id);
    assert_eq!(reopened.status, HourStatus::Pending);
    // A self-report is a service record with its legal fields too.
    assert_eq!(reopened.organiser.as_deref(), Some(fx.team_a.name.as_str()));
    assert_eq!(reopened.place.as_deref(), Some(fx.station_a.name.as_str()));
    assert!(reopened.recorded_at.is_some());
    assert_eq!(reopened.history.len(), 1);
    staff.review_hours(&id, true, None).unwrap();
    staff.sync().await.unwrap();
    v1.sync().await.unwrap();
    v1.dispute_hours(&id, "实际服务了两小时").unwrap();
    assert_eq!(v1.sync().await.unwrap().applied, 1);
    staff.sync().await.unwrap();
    assert_eq!(
        rejected(v1.resolve_dispute(&id, true, "我同意")),
        RejectCode::Forbidden
    );
    staff
        .resolve_dispute(&id, false, "签到记录为90分钟")
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    v1.sync().await.unwrap();
    let kinds: Vec<_> = entry(&v1, &id).history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            volunteer_core::HourEventKind::Reopened,
            volunteer_core::HourEventKind::Disputed,
            volunteer_core::HourEventKind::DisputeRejected
        ]
    );
}

/// Regression (found while adding order records): the id check refused the
/// keys the rules compose, so nobody could dispute, correct or review an
/// entry named `att/...` or `ord/...`: the most common record of all could
/// not be disputed. Now the volunteer disputes the hours their attendance
/// earned, and staff resolve it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_disputes_the_hours_their_attendance_earned() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let act = fx.activity_a.id.clone();
    let staff = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    let start = fx.activity_a.starts_at;
    staff.check_in(&act, &fx.id("v1"), Some(start)).unwrap();
    staff
        .check_out(&act, &fx.id("v1"), Some(start + Duration::minutes(60)))
        .unwrap();
    staff.sync().await.unwrap();
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    let id = format!("att/{act}/{}", fx.id("v1"));
    v1.dispute_hours(&id, "我签退晚了，实际服务了两小时")
        .unwrap();
    assert_eq!(v1.sync().await.unwrap().applied, 1);
    staff.sync().await.unwrap();
    staff
        .resolve_dispute(&id, true, "已核实，将更正签退时间")
        .unwrap();
    assert_eq!(staff.sync().await.unwrap().applied, 1);
    v1.sync().await.unwrap();
    let kinds: Vec<_> = entry(&v1, &id).history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            volunteer_core::HourEventKind::Disputed,
            volunteer_core::HourEventKind::DisputeAccepted
        ]
    );
    // A key of another shape is still refused before any rule runs.
    assert!(matches!(
        v1.dispute_hours("att/x", "理由"),
        Err(volunteer_core::Error::InvalidInput { .. })
    ));
}
