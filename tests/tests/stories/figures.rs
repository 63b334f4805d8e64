//! Figures (issue 4, workflow 8): computed by the server from a data set
//! whose totals are known, readable only within each user's scope.

use chrono::{Duration, Utc};
use volunteer_core::{HoursReport, OrderRequest, OrderStatus, TeamRole};
use volunteer_sync_server::figures;
use volunteer_tests::{TestServer, fixture, signed_in};

fn orders(f: &volunteer_core::Figures) -> Vec<(OrderStatus, u32)> {
    let mut v: Vec<_> = f.orders.iter().map(|o| (o.status, o.count)).collect();
    v.sort_by_key(|(s, _)| format!("{s:?}"));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_match_a_data_set_with_known_totals_and_stay_in_scope() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let (team_a, team_b) = (fx.team_a.id.clone(), fx.team_b.id.clone());
    let (sa, sb) = (fx.station_a.id.clone(), fx.station_b.id.clone());
    let now = Utc::now();

    // Members: v1, v2 active in team-a (v3 joined and left); v4 only asked to join team-b.
    let mut phones = Vec::new();
    for login in ["v1", "v2", "v3", "v4"] {
        let p = signed_in(dir.path(), login, &url, login).await;
        p.join_team(if login == "v4" { &team_b } else { &team_a })
            .unwrap();
        p.sync().await.unwrap();
        phones.push(p);
    }
    phones[2].leave_team(&team_a).unwrap();
    phones[2].sync().await.unwrap();

    // Self-reports for team-a: v1's 30 minutes approved, v2's 40 still pending.
    let report = |minutes| HoursReport {
        activity_id: None,
        team_id: Some(team_a.clone()),
        started_at: now - Duration::hours(1),
        minutes,
        description: "助老".into(),
    };
    let approved = phones[0].report_hours(report(30)).unwrap();
    phones[1].report_hours(report(40)).unwrap();
    phones[0].sync().await.unwrap();
    phones[1].sync().await.unwrap();

    // Attendance at act-a (team-a, station A): 60 and 90 minutes. At act-b
    // (station B): 45 minutes.
    let staff_a = signed_in(dir.path(), "staff-a", &url, "staff-a").await;
    staff_a.review_hours(&approved, true, None).unwrap();
    let at = |min: i64| Some(now - Duration::minutes(min));
    for (v, minutes) in [("v1", 60), ("v2", 90)] {
        staff_a
            .check_in(&fx.activity_a.id, &fx.id(v), at(150))
            .unwrap();
        staff_a
            .check_out(&fx.activity_a.id, &fx.id(v), at(150 - minutes))
            .unwrap();
    }
    staff_a.sync().await.unwrap();
    let staff_b = signed_in(dir.path(), "staff-b", &url, "staff-b").await;
    staff_b
        .check_in(&fx.activity_b.id, &fx.id("v5"), at(100))
        .unwrap();
    staff_b
        .check_out(&fx.activity_b.id, &fx.id("v5"), at(55))
        .unwrap();
    staff_b.sync().await.unwrap();
    // v3 checked in but never out: no person-time, no hours.
    staff_a
        .check_in(&fx.activity_a.id, &fx.id("v3"), at(60))
        .unwrap();
    staff_a.sync().await.unwrap();
    // 20 minutes for no team and no activity, approved by the admin: the
    // district's (the center's) figures count them, no station's do.
    let unattached = phones[3]
        .report_hours(HoursReport {
            activity_id: None,
            team_id: None,
            started_at: now - Duration::hours(2),
            minutes: 20,
            description: "社区宣传".into(),
        })
        .unwrap();
    phones[3].sync().await.unwrap();
    let admin = signed_in(dir.path(), "admin", &url, "admin").await;
    admin.review_hours(&unattached, true, None).unwrap();
    assert_eq!(admin.sync().await.unwrap().applied, 1);

    // Orders: two at station A (one dispatched to team-a), one at station B.
    let resident = signed_in(dir.path(), "r1", &url, "r1").await;
    let order = |site: &str| OrderRequest {
        site_id: site.into(),
        category: "维修".into(),
        description: String::new(),
        desired_at: None,
        phone: "13800138000".into(),
        address: "幸福里1栋".into(),
    };
    let first = resident.place_order(order(&sa)).unwrap();
    resident.place_order(order(&sa)).unwrap();
    resident.place_order(order(&sb)).unwrap();
    resident.sync().await.unwrap();
    staff_a.sync().await.unwrap();
    staff_a.dispatch_order(&first, Some(&team_a), None).unwrap();
    staff_a
        .set_team_role(&team_a, &fx.id("v1"), TeamRole::Leader)
        .unwrap();
    staff_a.sync().await.unwrap();

    assert!(figures::refresh(server.store.as_ref()).unwrap() > 0);
    assert_eq!(
        figures::refresh(server.store.as_ref()).unwrap(),
        0,
        "unchanged: nothing rewritten"
    );

    staff_a.sync().await.unwrap();
    let a = staff_a
        .site_figures(&sa)
        .unwrap()
        .expect("station A's figures");
    assert_eq!((a.volunteers, a.teams), (2, 2));
    assert_eq!((a.confirmed_minutes, a.person_times), (60 + 90 + 30, 2));
    assert_eq!(
        a.minutes_by_month.iter().map(|m| m.minutes).sum::<u64>(),
        180
    );
    assert_eq!(
        orders(&a),
        vec![(OrderStatus::Dispatched, 1), (OrderStatus::Submitted, 1)]
    );
    assert!(
        staff_a.site_figures(&sb).unwrap().is_none(),
        "not their station"
    );

    admin.sync().await.unwrap();
    let center = admin
        .site_figures("c")
        .unwrap()
        .expect("the district's figures");
    assert_eq!((center.volunteers, center.teams), (2, 2));
    // Six registered volunteers, two of them active members: both reported.
    assert_eq!(center.registered_volunteers, 6);
    assert_eq!(
        a.registered_volunteers, 0,
        "volunteers belong to no station"
    );
    assert_eq!(
        (center.confirmed_minutes, center.person_times),
        (225 + 20, 3)
    );
    assert_eq!(
        orders(&center),
        vec![(OrderStatus::Dispatched, 1), (OrderStatus::Submitted, 2)]
    );

    staff_b.sync().await.unwrap();
    let b = staff_b
        .site_figures(&sb)
        .unwrap()
        .expect("station B's figures");
    assert_eq!(
        (b.volunteers, b.teams, b.confirmed_minutes, b.person_times),
        (0, 0, 45, 1)
    );
    assert!(staff_b.site_figures(&sa).unwrap().is_none());

    // The team's leader reads the team's figures; a plain member reads none.
    phones[0].sync().await.unwrap();
    let t = phones[0]
        .team_figures(&team_a)
        .unwrap()
        .expect("team-a's figures");
    // team-a organises both fixture activities (act-b at station B too).
    assert_eq!(
        (t.volunteers, t.confirmed_minutes, t.person_times),
        (2, 180 + 45, 3)
    );
    assert_eq!(orders(&t), vec![(OrderStatus::Dispatched, 1)]);
    phones[1].sync().await.unwrap();
    assert!(phones[1].team_figures(&team_a).unwrap().is_none());
    assert!(phones[1].site_figures(&sa).unwrap().is_none());
}

/// Issue 12: a brand project's figures are what its linked activities and
/// orders did, and only what they did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_projects_figures_count_its_linked_activities_and_orders() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let staff = signed_in(dir.path(), "staff", &url, "staff-a").await;
    let project = staff
        .create_project(&fx.station_a.id, None, "智慧助老", "上门陪伴独居老人")
        .unwrap();
    staff
        .assign_activity_project(&fx.activity_a.id, Some(&project))
        .unwrap();
    // Two volunteers an hour each at the linked activity.
    let now = Utc::now();
    for (activity, login) in [(&fx.activity_a.id, "v1"), (&fx.activity_a.id, "v2")] {
        staff
            .check_in(activity, &fx.id(login), Some(now - Duration::minutes(60)))
            .unwrap();
        staff.check_out(activity, &fx.id(login), Some(now)).unwrap();
    }
    let order = {
        let r1 = signed_in(dir.path(), "r1", &url, "r1").await;
        let id = r1
            .place_order(OrderRequest {
                site_id: fx.station_a.id.clone(),
                category: "助老".into(),
                description: "代买药".into(),
                desired_at: None,
                phone: "13900000000".into(),
                address: "幸福里1号".into(),
            })
            .unwrap();
        r1.sync().await.unwrap();
        id
    };
    staff.sync().await.unwrap();
    staff.assign_order_project(&order, Some(&project)).unwrap();
    staff.sync().await.unwrap();
    assert!(
        staff.rejections().unwrap().is_empty(),
        "{:?}",
        staff.rejections()
    );
    figures::refresh(server.store.as_ref()).unwrap();
    staff.sync().await.unwrap();
    let f = staff
        .project_figures(&project)
        .unwrap()
        .expect("project figures");
    assert_eq!(f.person_times, 2);
    assert_eq!(f.confirmed_minutes, 120);
    assert_eq!(f.volunteers, 2, "distinct volunteers credited");
    assert_eq!(orders(&f), vec![(OrderStatus::Submitted, 1)]);
    assert_eq!(staff.projects().unwrap()[0].name, "智慧助老");
    // A volunteer sees the project (public), not its figures.
    let v1 = signed_in(dir.path(), "v1", &url, "v1").await;
    assert_eq!(v1.projects().unwrap().len(), 1);
    assert!(v1.project_figures(&project).unwrap().is_none());
}
