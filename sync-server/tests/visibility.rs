//! Conformance of who-reads-what: for every (record, user) pair of a table
//! covering each shape of `Scope`, a backend's pull delivers the record
//! exactly when the domain's `Scope::visible_to` says so. Run on SQLite
//! always and on PostgreSQL when `VOLUNTEER_TEST_POSTGRES` is set, so the two
//! SQL filters cannot drift from the Rust statement of the rule or each other.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};
use volunteer_domain::{
    Activity, ActivityStatus, Attendance, Campaign, Distribution, Donation, Figures, Gift,
    HourEntry, HourSource, HourStatus, Kind, Membership, MembershipStatus, Notice, NoticeTopic,
    OrderContact, OrderStatus, Record, Role, ServiceOrder, Signup, SignupStatus, Site, SiteLevel,
    SyncRequest, Team, TeamRole,
};
use volunteer_sync_server::storage::AuthOutcome;
use volunteer_sync_server::{NewUser, Principal, Storage};

fn site(id: &str, parent: Option<&str>, level: SiteLevel, path: &str) -> Site {
    Site {
        id: id.into(),
        parent_id: parent.map(Into::into),
        level,
        name: id.into(),
        path: path.into(),
        address: String::new(),
    }
}

fn membership(team: &str, user: &str, role: TeamRole, status: MembershipStatus) -> Membership {
    Membership {
        team_id: team.into(),
        volunteer_id: user.into(),
        volunteer_name: user.into(),
        site_id: "s1".into(),
        joined_at: t0(),
        status,
        role,
        decided_by: None,
        decided_at: None,
        reason: None,
        history: vec![],
    }
}

fn t0() -> DateTime<Utc> {
    "2026-11-20T01:00:00Z".parse().unwrap()
}

fn order(id: &str, team: Option<&str>, volunteer: Option<&str>) -> ServiceOrder {
    ServiceOrder {
        id: id.into(),
        requester_id: "resident".into(),
        requester_name: "居民".into(),
        site_id: "s1".into(),
        category: "助老".into(),
        description: String::new(),
        desired_at: None,
        status: OrderStatus::Dispatched,
        created_at: t0(),
        assignee_team_id: team.map(Into::into),
        assignee_volunteer_id: volunteer.map(Into::into),
        dispatched_by: None,
        dispatched_at: None,
        declined_reason: None,
        declined_by_team_id: None,
        declined_by_volunteer_id: None,
        accepted_at: None,
        done_at: None,
        rating: None,
        comment: None,
        offer: 0,
        reason: None,
        placed_by: None,
        served_by: vec![],
        project_id: None,
    }
}

fn contact(order: &str, team: Option<&str>, volunteer: Option<&str>) -> OrderContact {
    OrderContact {
        order_id: order.into(),
        requester_id: "resident".into(),
        site_id: "s1".into(),
        phone: "13800000000".into(),
        address: "幸福里3号".into(),
        assignee_team_id: team.map(Into::into),
        assignee_volunteer_id: volunteer.map(Into::into),
    }
}

/// The sites: center c > institute i > station s1; station s2 directly under c.
fn sites() -> Vec<Site> {
    vec![
        site("c", None, SiteLevel::Center, "/c/"),
        site("i", Some("c"), SiteLevel::Institute, "/c/i/"),
        site("s1", Some("i"), SiteLevel::Station, "/c/i/s1/"),
        site("s2", Some("c"), SiteLevel::Station, "/c/s2/"),
    ]
}

/// One record of every kind and scope shape.
fn table() -> Vec<Record> {
    let mut out: Vec<Record> = sites().into_iter().map(Record::Site).collect();
    out.push(Record::Team(Team {
        id: "t1".into(),
        site_id: "s1".into(),
        name: "t1".into(),
        description: String::new(),
        member_count: 1,
        join_policy: Default::default(),
    }));
    let window = (t0(), t0() + Duration::hours(2));
    let published = Activity {
        status: ActivityStatus::Published,
        ..Activity::new("a-pub", "s1", "敬老", window.0, window.1, 5)
    };
    let draft = Activity {
        team_id: Some("t1".into()),
        ..Activity::new("a-draft", "s1", "筹备", window.0, window.1, 5)
    };
    let draft_s2 = Activity::new("a-draft-s2", "s2", "筹备", window.0, window.1, 5);
    let cancelled_draft = Activity {
        status: ActivityStatus::Cancelled,
        ..Activity::new("a-cancelled-draft", "s1", "取消", window.0, window.1, 5)
    };
    let cancelled = Activity {
        status: ActivityStatus::Cancelled,
        published: true,
        ..Activity::new("a-cancelled", "s1", "取消", window.0, window.1, 5)
    };
    out.extend([published, draft, draft_s2, cancelled_draft, cancelled].map(Record::Activity));
    out.extend(
        [
            membership("t1", "leader", TeamRole::Leader, MembershipStatus::Active),
            membership(
                "t1",
                "ex-leader",
                TeamRole::Leader,
                MembershipStatus::Removed,
            ),
            membership("t1", "v1", TeamRole::Member, MembershipStatus::Active),
        ]
        .map(Record::Membership),
    );
    out.push(Record::Signup(Signup {
        activity_id: "a-pub".into(),
        volunteer_id: "v1".into(),
        volunteer_name: "v1".into(),
        site_id: "s1".into(),
        signed_up_at: t0(),
        status: SignupStatus::Confirmed,
        position: 0,
        team_id: Some("t1".into()),
    }));
    let attendance = Attendance {
        activity_id: "a-pub".into(),
        volunteer_id: "v1".into(),
        volunteer_name: "v1".into(),
        site_id: "s1".into(),
        checked_in_at: window.0,
        checked_out_at: Some(window.1),
        recorded_by: "staff-s1".into(),
        corrections: vec![],
        team_id: Some("t1".into()),
    };
    let derived = HourEntry::for_attendance(
        &Activity::new("a-pub", "s1", "敬老", window.0, window.1, 5),
        &attendance,
    )
    .unwrap();
    out.push(Record::Attendance(attendance));
    out.push(Record::HourEntry(derived.clone()));
    out.push(Record::HourEntry(HourEntry {
        id: "report-t1".into(),
        source: HourSource::SelfReport,
        status: HourStatus::Pending,
        activity_id: None,
        team_id: Some("t1".into()),
        ..derived.clone()
    }));
    out.push(Record::HourEntry(HourEntry {
        id: "report-nowhere".into(),
        source: HourSource::SelfReport,
        status: HourStatus::Pending,
        activity_id: None,
        site_id: None,
        ..derived
    }));
    out.push(Record::ServiceOrder(order("o-team", Some("t1"), None)));
    out.push(Record::ServiceOrder(order("o-v2", None, Some("v2"))));
    out.push(Record::ServiceOrder(ServiceOrder {
        declined_by_volunteer_id: Some("v1".into()),
        status: OrderStatus::Submitted,
        ..order("o-declined", None, None)
    }));
    out.extend(
        [
            contact("o-v2", None, None),
            contact("o-v2", None, Some("v2")),
            contact("o-team", Some("t1"), None),
        ]
        .map(Record::OrderContact),
    );
    out.push(Record::Campaign(Campaign {
        id: "camp".into(),
        site_id: "s2".into(),
        name: "募集".into(),
        money_fen: 0,
        goods: vec![],
        donation_count: 0,
        distributed: vec![],
    }));
    out.push(Record::Donation(Donation {
        campaign_id: Some("camp".into()),
        donor_name: Some("张三".into()),
        ..Donation::new("don-s2", "s2", Gift::Money { fen: 100 }, t0(), "staff-s2")
    }));
    out.push(Record::Project(volunteer_domain::Project {
        id: "proj".into(),
        site_id: "s2".into(),
        team_id: None,
        name: "智慧助老".into(),
        description: String::new(),
        created_by: "staff-s2".into(),
    }));
    out.push(Record::Distribution(Distribution {
        id: "dist-s2".into(),
        campaign_id: "camp".into(),
        site_id: "s2".into(),
        item: "棉被".into(),
        unit: "床".into(),
        quantity: 1,
        recipient: "敬老院".into(),
        distributed_at: t0(),
        recorded_by: "staff-s2".into(),
    }));
    let figures = |key: &str, site: Option<&str>, team: Option<&str>| Figures {
        key: key.into(),
        site_id: site.map(Into::into),
        team_id: team.map(Into::into),
        volunteers: 0,
        teams: 0,
        confirmed_minutes: 0,
        minutes_by_month: vec![],
        person_times: 0,
        orders: vec![],
        registered_volunteers: 0,
        project_id: None,
    };
    out.push(Record::Figures(figures("site/i", Some("i"), None)));
    out.push(Record::Figures(figures("team/t1", Some("s1"), Some("t1"))));
    out.push(Record::Notice(Notice {
        id: "promoted_from_waitlist/a-pub/v1".into(),
        volunteer_id: "v1".into(),
        topic: NoticeTopic::PromotedFromWaitlist,
        subject_id: "a-pub".into(),
        message: String::new(),
        created_at: t0(),
        read: false,
    }));
    out
}

/// Every kind of reader: admin, staff at each level and beside, volunteers
/// (owner, reader, leader, former leader, stranger) and the resident.
fn users() -> Vec<NewUser> {
    let user = |id: &str, role: Role, site: Option<&str>| {
        let mut u = NewUser::new(id, None, role, id);
        u.id = id.into();
        match site {
            Some(s) => u.at_site(s),
            None => u.in_district("c"),
        }
    };
    vec![
        user("admin", Role::Admin, None),
        user("staff-c", Role::Staff, Some("c")),
        user("staff-i", Role::Staff, Some("i")),
        user("staff-s1", Role::Staff, Some("s1")),
        user("staff-s2", Role::Staff, Some("s2")),
        user("v1", Role::Volunteer, None),
        user("v2", Role::Volunteer, None),
        user("leader", Role::Volunteer, None),
        user("ex-leader", Role::Volunteer, None),
        user("stranger", Role::Volunteer, None),
        user("resident", Role::Resident, None),
    ]
}

fn principal(store: &dyn Storage, user: &str) -> Principal {
    let now = Utc::now();
    let token = format!("token-{user}");
    store
        .create_session(user, &token, now + Duration::days(1), now)
        .unwrap();
    match store.authenticate(&token, now).unwrap() {
        AuthOutcome::Valid(p) => *p,
        _ => panic!("no session for {user}"),
    }
}

/// Every (kind, key) a user's pull delivers, following pages to the end;
/// each exactly once (the table is written once, so a row delivered twice
/// is a feed that overlaps itself).
fn pulled(store: &dyn Storage, who: &Principal) -> BTreeSet<(Kind, String)> {
    let mut request = SyncRequest {
        client_id: format!("client-{}", who.actor.user_id),
        cursor: None,
        mutations: vec![],
        pull_limit: Some(7),
        epoch: None,
    };
    let mut out = BTreeSet::new();
    loop {
        let page = store.sync(who, &request, Utc::now()).unwrap();
        for c in page.changes {
            let row = (c.kind, c.key);
            assert!(
                !out.contains(&row),
                "{} pulled {row:?} twice",
                who.actor.user_id
            );
            out.insert(row);
        }
        if !page.has_more {
            return out;
        }
        request.cursor = Some(page.cursor);
    }
}

#[test]
fn every_backend_delivers_exactly_what_visible_to_allows() {
    let records = table();
    let paths: BTreeMap<String, String> = sites().into_iter().map(|s| (s.id, s.path)).collect();
    let covered: BTreeSet<Kind> = records.iter().map(Record::kind).collect();
    let expected_kinds: BTreeSet<Kind> = Kind::ALL
        .into_iter()
        // Made by create_users: profiles are checked below, accounts with the table.
        .filter(|k| !matches!(k, Kind::Profile | Kind::Account))
        .collect();
    let accounts: Vec<Record> = users()
        .iter()
        .map(|u| Record::Account(u.account(Utc::now())))
        .collect();
    assert_eq!(covered, expected_kinds, "the table covers every kind");
    for b in common::backends() {
        let store = b.store.as_ref();
        store.put_records(&records).unwrap();
        store.create_users(&users(), Utc::now()).unwrap();
        let mut mismatches = vec![];
        let mut cases = 0;
        for u in users() {
            let who = principal(store, &u.id);
            let got = pulled(store, &who);
            // The console's read (`Storage::visible`) filters as the pull does.
            let read: BTreeSet<(Kind, String)> = Kind::ALL
                .iter()
                .flat_map(|k| store.visible(&who, *k).unwrap())
                .map(|r| (r.kind(), r.key()))
                .collect();
            assert_eq!(read, got, "{}: {} visible() and the pull", b.name, u.id);
            for r in records.iter().chain(&accounts) {
                let scope = r.scope();
                let path = scope.site_id.as_ref().and_then(|s| paths.get(s));
                let visible = scope.visible_to(&who.actor, path.map(String::as_str));
                let delivered = got.contains(&(r.kind(), r.key()));
                cases += 1;
                if visible != delivered {
                    mismatches.push(format!(
                        "{} {}/{}: visible_to={visible} delivered={delivered}",
                        u.id,
                        r.kind(),
                        r.key()
                    ));
                }
            }
            // Profiles are owner-only: each user receives exactly their own.
            let profiles: Vec<&String> = got
                .iter()
                .filter(|(k, _)| *k == Kind::Profile)
                .map(|(_, key)| key)
                .collect();
            assert_eq!(profiles, [&u.id], "{}: {}", b.name, u.id);
        }
        assert!(cases > 250, "{cases} cases");
        assert!(
            mismatches.is_empty(),
            "{}:\n{}",
            b.name,
            mismatches.join("\n")
        );
    }
}

/// The checker above is not vacuous: a rule that differs from the backends'
/// filter in one respect (staff read everything in their district) is caught.
#[test]
fn the_conformance_check_catches_a_rule_that_differs() {
    let records = table();
    let paths: BTreeMap<String, String> = sites().into_iter().map(|s| (s.id, s.path)).collect();
    let b = common::backends().remove(0);
    let store = b.store.as_ref();
    store.put_records(&records).unwrap();
    store.create_users(&users(), Utc::now()).unwrap();
    let who = principal(store, "staff-s2");
    let got = pulled(store, &who);
    let broken = |r: &Record| {
        let scope = r.scope();
        let path = scope.site_id.as_ref().and_then(|s| paths.get(s));
        scope.visible_to(&who.actor, path.map(String::as_str)) || scope.site_id.is_some()
    };
    let disagreements = records
        .iter()
        .filter(|r| broken(r) != got.contains(&(r.kind(), r.key())))
        .count();
    assert!(disagreements > 0);
}
