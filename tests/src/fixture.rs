//! A small district with known ids and accounts, for exact assertions.
//!
//! Sites: center `/c/`, institute A under it, stations A1 and B1. Teams
//! `team-a` (open) and `team-b` (approval) at station A1. Activity
//! `act-a` is at station A1 (now minus 3 h to now plus 1 h, capacity 3);
//! `act-b` at station B1. Staff: `staff-a` (station A1), `staff-a2` (station
//! A1), `staff-b` (station B1). Volunteers `v1` … `v6`, resident `r1`, and
//! `admin`.

use chrono::{DateTime, Duration, Utc};
use volunteer_domain::{
    Activity, ActivityStatus, JoinPolicy, Membership, MembershipStatus, Record, Role, Site,
    SiteLevel, Team, TeamRole,
};
use volunteer_sync_server::{NewUser, Storage};

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub now: DateTime<Utc>,
    pub activity_a: Activity,
    pub activity_b: Activity,
    pub team_a: Team,
    /// An approval team at station A.
    pub team_b: Team,
    pub station_a: Site,
    pub station_b: Site,
    /// User ids by login.
    pub ids: std::collections::HashMap<String, String>,
}

impl Fixture {
    pub fn id(&self, login: &str) -> String {
        self.ids[login].clone()
    }
}

fn site(id: &str, parent: Option<&Site>, level: SiteLevel, name: &str) -> Site {
    Site {
        id: id.into(),
        parent_id: parent.map(|p| p.id.clone()),
        level,
        name: name.into(),
        path: format!("{}{id}/", parent.map_or("/", |p| p.path.as_str())),
        address: String::new(),
    }
}

pub fn seed(store: &dyn Storage) -> Fixture {
    let now = Utc::now();
    let center = site("c", None, SiteLevel::Center, "青川区新时代文明实践中心");
    let institute = site("ia", Some(&center), SiteLevel::Institute, "东城街道实践所");
    let station_a = site(
        "sa",
        Some(&institute),
        SiteLevel::Station,
        "幸福里社区实践站",
    );
    let station_b = site("sb", Some(&center), SiteLevel::Station, "和平社区实践站");
    let team_a = Team {
        id: "team-a".into(),
        site_id: station_a.id.clone(),
        name: "幸福里敬老志愿服务队".into(),
        description: "陪伴老人".into(),
        member_count: 0,
        join_policy: JoinPolicy::Open,
    };
    let team_b = Team {
        id: "team-b".into(),
        site_id: station_a.id.clone(),
        name: "幸福里应急救援队".into(),
        description: "防汛值守".into(),
        member_count: 0,
        join_policy: JoinPolicy::Approval,
    };
    let activity = |id: &str, site: &Site| Activity {
        team_id: Some(team_a.id.clone()),
        status: ActivityStatus::Published,
        ..Activity::new(
            id,
            &site.id,
            "敬老院陪伴服务",
            now - Duration::hours(3),
            now + Duration::hours(1),
            3,
        )
    };
    let activity_a = activity("act-a", &station_a);
    let activity_b = activity("act-b", &station_b);
    store
        .put_records(&[
            Record::Site(center.clone()),
            Record::Site(institute.clone()),
            Record::Site(station_a.clone()),
            Record::Site(station_b.clone()),
            Record::Team(team_a.clone()),
            Record::Team(team_b.clone()),
            Record::Activity(activity_a.clone()),
            Record::Activity(activity_b.clone()),
        ])
        .expect("seed records");

    let names = ["李娜", "王伟", "张敏", "刘洋", "陈静", "杨磊"];
    let mut users = vec![
        NewUser::new("admin", Some(PASSWORD), Role::Admin, "管理员"),
        NewUser::new("staff-a", Some(PASSWORD), Role::Staff, "刘社工").at_site("sa"),
        NewUser::new("staff-a2", Some(PASSWORD), Role::Staff, "周社工").at_site("sa"),
        NewUser::new("staff-b", Some(PASSWORD), Role::Staff, "赵社工").at_site("sb"),
        NewUser::new("r1", Some(PASSWORD), Role::Resident, "孙奶奶"),
    ];
    for (i, name) in names.iter().enumerate() {
        let mut u = NewUser::new(
            &format!("v{}", i + 1),
            Some(PASSWORD),
            Role::Volunteer,
            name,
        );
        u.phone = Some(format!("1380000000{i}"));
        users.push(u);
    }
    store.create_users(&users, now).expect("seed users");
    Fixture {
        now,
        activity_a,
        activity_b,
        team_a,
        team_b,
        station_a,
        station_b,
        ids: users
            .iter()
            .map(|u| (u.login.clone(), u.id.clone()))
            .collect(),
    }
}

/// Make `login` an active member of team-a with `role`, as if it had joined
/// (or been appointed) a month ago.
pub fn add_member(store: &dyn Storage, fx: &Fixture, login: &str, role: TeamRole) {
    store
        .put_records(&[Record::Membership(Membership {
            team_id: fx.team_a.id.clone(),
            volunteer_id: fx.id(login),
            volunteer_name: login.into(),
            site_id: fx.station_a.id.clone(),
            joined_at: fx.now - Duration::days(30),
            status: MembershipStatus::Active,
            role,
            decided_by: None,
            decided_at: None,
            reason: None,
            history: vec![],
        })])
        .expect("seed membership");
}
