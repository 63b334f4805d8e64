//! A realistic demo district, generated deterministically from a seed.
//!
//! Shaped on the figures of the district in the brief: a four-level site
//! network (1 center, 8 institutes, 40 stations, 80 points), 97 teams, 6,675
//! volunteers with Chinese names, about 3,700 hours already recorded from past
//! activities, and activities over the coming four weeks with signups. Only
//! the printed demo accounts have passwords; the other volunteers exist as data.
//! One activity is under way at the demo staff's station, with the demo
//! volunteers signed up, so check-in can be tried at once.

use chrono::{DateTime, Duration, DurationRound, Utc};
use std::fmt;
use volunteer_domain::{
    Activity, ActivityStatus, Attendance, AttendanceCorrection, Campaign, Donation, Gift,
    GoodsTotal, HourEntry, HourSource, HourStatus, JoinPolicy, Membership, MembershipStatus,
    OrderContact, OrderStatus, Record, Role, ServiceOrder, Signup, SignupStatus, Site, SiteLevel,
    Team, TeamRole,
};

use crate::storage::{NewUser, Storage, StoreError};

pub const VOLUNTEERS: usize = 6_675;
pub const TEAMS: usize = 97;
pub const DEMO_PASSWORD: &str = "demo-2026";

mod rng;
mod workflows;

use rng::*;
use workflows::*;

/// What was seeded and how to sign in; printed by `--demo`.
pub struct DemoSummary {
    pub seeded: bool,
    pub counts: Vec<(&'static str, usize)>,
    pub accounts: Vec<(String, &'static str, String)>,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.seeded {
            writeln!(f, "demo district seeded:")?;
            for (what, n) in &self.counts {
                writeln!(f, "  {n:>6} {what}")?;
            }
        } else {
            writeln!(f, "database already has data; demo data not added again")?;
        }
        writeln!(f, "demo accounts (password: {DEMO_PASSWORD}):")?;
        for (login, role, who) in &self.accounts {
            writeln!(f, "  {login:<18} {role:<10} {who}")?;
        }
        Ok(())
    }
}

fn accounts() -> Vec<(String, &'static str, String)> {
    vec![
        ("admin".into(), "admin", "区文明实践中心管理员".into()),
        (
            "staff-center".into(),
            "staff",
            "中心工作人员（全区）".into(),
        ),
        (
            "staff-institute".into(),
            "staff",
            "东城街道实践所工作人员".into(),
        ),
        (
            "staff-station".into(),
            "staff",
            "东城·幸福里社区实践站工作人员".into(),
        ),
        (
            "staff-station-2".into(),
            "staff",
            "西园·和平社区实践站工作人员".into(),
        ),
        ("volunteer1".into(), "volunteer", "志愿者".into()),
        ("volunteer2".into(), "volunteer", "志愿者".into()),
        (
            "volunteer3".into(),
            "leader",
            "志愿者，两支队伍的队长".into(),
        ),
        (
            "resident1".into(),
            "resident",
            "居民，幸福里社区，点单求助".into(),
        ),
    ]
}

/// Seed the district unless the database already has users.
/// The first team at the first station (teams past the center's and the
/// institutes' go round the stations): the demo volunteers' team, which
/// volunteer3 leads.
pub(crate) fn home_team(stations: usize) -> usize {
    (34..TEAMS).find(|i| i % stations == 0).unwrap_or(34)
}

pub fn seed_if_empty(store: &dyn Storage, seed: u64) -> Result<DemoSummary, StoreError> {
    if store.user_count()? > 0 {
        return Ok(DemoSummary {
            seeded: false,
            counts: vec![],
            accounts: accounts(),
        });
    }
    seed_district(store, seed, Utc::now())
}

pub fn seed_district(
    store: &dyn Storage,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<DemoSummary, StoreError> {
    let mut rng = Rng(seed);
    let mut records = Vec::new();

    // Sites: the "one net" of center, institutes, stations, points.
    let site = |rng: &mut Rng, parent: Option<&Site>, level, name: String| {
        let id = rng.uuid();
        Site {
            path: format!("{}{id}/", parent.map_or("/", |p| p.path.as_str())),
            parent_id: parent.map(|p| p.id.clone()),
            id,
            level,
            name,
            address: String::new(),
        }
    };
    let center = site(
        &mut rng,
        None,
        SiteLevel::Center,
        "青川区新时代文明实践中心".into(),
    );
    let mut institutes = Vec::new();
    let mut stations = Vec::new();
    let mut points = Vec::new();
    for street in STREETS {
        let inst = site(
            &mut rng,
            Some(&center),
            SiteLevel::Institute,
            format!("{street}街道新时代文明实践所"),
        );
        for c in 0..5 {
            let community = COMMUNITIES[(institutes.len() * 3 + c) % COMMUNITIES.len()];
            let st = site(
                &mut rng,
                Some(&inst),
                SiteLevel::Station,
                format!("{street}·{community}社区新时代文明实践站"),
            );
            for p in 0..2 {
                let point = POINTS[(c + p) % POINTS.len()];
                points.push(site(
                    &mut rng,
                    Some(&st),
                    SiteLevel::Point,
                    format!("{community}{point}"),
                ));
            }
            stations.push(st);
        }
        institutes.push(inst);
    }
    let all_sites: Vec<&Site> = std::iter::once(&center)
        .chain(&institutes)
        .chain(&stations)
        .chain(&points)
        .collect();
    records.extend(all_sites.iter().map(|s| Record::Site((*s).clone())));

    // Teams: a few district-wide, most at institutes and stations.
    let mut teams = Vec::new();
    for i in 0..TEAMS {
        let (cause, about) = CAUSES[i % CAUSES.len()];
        let host: &Site = match i {
            0..=9 => &center,
            10..=33 => &institutes[i % institutes.len()],
            _ => &stations[i % stations.len()],
        };
        let short = host.name.replace("新时代文明实践", "");
        teams.push(Team {
            id: rng.uuid(),
            site_id: host.id.clone(),
            name: format!("{short}{cause}志愿服务队"),
            description: about.into(),
            member_count: 0,
            // A third of the teams approve their members.
            join_policy: if i % 3 == 1 {
                JoinPolicy::Approval
            } else {
                JoinPolicy::Open
            },
        });
    }

    // People: demo accounts first, then the district's volunteers.
    let mut users = vec![
        NewUser::new("admin", Some(DEMO_PASSWORD), Role::Admin, "区管理员"),
        NewUser::new("staff-center", Some(DEMO_PASSWORD), Role::Staff, "周建华")
            .at_site(&center.id),
        NewUser::new("staff-institute", Some(DEMO_PASSWORD), Role::Staff, "陈丽")
            .at_site(&institutes[0].id),
        NewUser::new("staff-station", Some(DEMO_PASSWORD), Role::Staff, "刘敏")
            .at_site(&stations[0].id),
        NewUser::new("staff-station-2", Some(DEMO_PASSWORD), Role::Staff, "赵磊")
            .at_site(&stations[5].id),
    ];
    let mut volunteers = Vec::with_capacity(VOLUNTEERS);
    for i in 0..VOLUNTEERS {
        let login = if i < 3 {
            format!("volunteer{}", i + 1)
        } else {
            format!("1{:010}", 3_800_000_000u64 + i as u64)
        };
        let password = (i < 3).then_some(DEMO_PASSWORD);
        let mut u = NewUser::new(&login, None, Role::Volunteer, &name(&mut rng));
        u.id = rng.uuid();
        if let Some(p) = password {
            u.password_hash = Some(crate::auth::hash_password(p));
        }
        u.phone = Some(format!(
            "1{}{:08}",
            rng.pick(&["38", "39", "58", "86"]),
            rng.below(100_000_000)
        ));
        volunteers.push(u);
    }
    users.extend(volunteers.iter().cloned());

    // Memberships: most volunteers in one team, some in two; the demo
    // volunteers in the first station's teams.
    let mut memberships = Vec::new();
    let mut led = [false; TEAMS];
    // The demo volunteers' teams are at the demo staff's station, so its
    // staff review their hours and offer them its residents' orders.
    let home = home_team(stations.len());
    for (i, v) in volunteers.iter().enumerate() {
        let n = if rng.chance(80) { 1 } else { 2 };
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < n {
            let t = if i < 3 {
                home + chosen.len() * stations.len()
            } else {
                rng.below(TEAMS)
            };
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for t in chosen {
            teams[t].member_count += 1;
            // Each team's first member leads it; the first two demo
            // volunteers stay plain members, so volunteer3 leads two teams.
            let leads = i >= 2 && !led[t];
            led[t] |= leads;
            memberships.push(Membership {
                team_id: teams[t].id.clone(),
                volunteer_id: v.id.clone(),
                volunteer_name: v.display_name.clone(),
                site_id: teams[t].site_id.clone(),
                joined_at: now - Duration::days(30 + rng.below(700) as i64),
                status: MembershipStatus::Active,
                role: if leads {
                    TeamRole::Leader
                } else {
                    TeamRole::Member
                },
                decided_by: None,
                decided_at: None,
                reason: None,
                history: vec![],
            });
        }
    }
    // Open join requests waiting for the approval teams' leaders.
    let mut members: std::collections::HashSet<(String, String)> = memberships
        .iter()
        .map(|m| (m.team_id.clone(), m.volunteer_id.clone()))
        .collect();
    for team in teams
        .iter()
        .filter(|t| t.join_policy == JoinPolicy::Approval)
    {
        for _ in 0..3 {
            let v = &volunteers[3 + rng.below(VOLUNTEERS - 3)];
            if !members.insert((team.id.clone(), v.id.clone())) {
                continue;
            }
            memberships.push(Membership {
                team_id: team.id.clone(),
                volunteer_id: v.id.clone(),
                volunteer_name: v.display_name.clone(),
                site_id: team.site_id.clone(),
                joined_at: now - Duration::hours(1 + rng.below(72) as i64),
                status: MembershipStatus::Requested,
                role: TeamRole::Member,
                decided_by: None,
                decided_at: None,
                reason: None,
                history: vec![],
            });
        }
    }

    // Activities: past ones with attendance and hours (about 3,700 h in all),
    // upcoming ones over four weeks with signups.
    let day = now.duration_trunc(Duration::days(1)).unwrap_or(now);
    let mut activities = Vec::new();
    let mut signups = Vec::new();
    let mut attendance = Vec::new();
    let mut hours = Vec::new();
    let mut credited: std::collections::HashMap<String, Vec<HourEntry>> = Default::default();
    let mut recorded_minutes: u64 = 0;
    let target_minutes: u64 = 3_735 * 60;
    let mut k = 0usize;
    let mut upcoming = 0;
    while recorded_minutes < target_minutes || upcoming < UPCOMING_ACTIVITIES {
        let past = recorded_minutes < target_minutes;
        upcoming += usize::from(!past);
        let team = &teams[rng.below(TEAMS)];
        let host = all_sites
            .iter()
            .find(|s| s.id == team.site_id)
            .copied()
            .unwrap_or(&center);
        let offset_days = if past {
            -1 - rng.below(60) as i64
        } else {
            rng.below(28) as i64
        };
        // 09:00 or 14:00 in China (UTC+8).
        let start_hour = if rng.chance(50) { 1 } else { 6 };
        let starts_at = day + Duration::days(offset_days) + Duration::hours(start_hour);
        let ends_at = starts_at + Duration::minutes(90 + 30 * rng.below(4) as i64);
        let capacity = 10 + 5 * rng.below(7) as u32;
        let title = ACTIVITIES[k % ACTIVITIES.len()];
        k += 1;
        let id = rng.uuid();
        let mut activity = Activity {
            team_id: Some(team.id.clone()),
            description: format!("{}组织的{}", team.name, title),
            status: if past {
                ActivityStatus::Finished
            } else if rng.chance(3) {
                ActivityStatus::Cancelled
            } else {
                ActivityStatus::Published
            },
            signup_deadline: (!past).then(|| starts_at - Duration::hours(12)),
            waitlist: !past,
            // Every generated one was published (some cancelled after).
            published: true,
            ..Activity::new(id, &host.id, title, starts_at, ends_at, capacity)
        };
        let fill = capacity as usize * (50 + rng.below(50)) / 100;
        let mut taken = std::collections::HashSet::new();
        for _ in 0..fill {
            let v = &volunteers[rng.below(VOLUNTEERS)];
            if !taken.insert(v.id.clone()) {
                continue;
            }
            activity.signup_count += 1;
            let signed_up_at = starts_at - Duration::days(1 + rng.below(6) as i64);
            signups.push(Signup {
                activity_id: activity.id.clone(),
                volunteer_id: v.id.clone(),
                volunteer_name: v.display_name.clone(),
                site_id: host.id.clone(),
                signed_up_at,
                status: SignupStatus::Confirmed,
                position: 0,
                team_id: activity.team_id.clone(),
            });
            if past && rng.chance(90) {
                let checked_in_at = starts_at + Duration::minutes(rng.below(20) as i64 - 10);
                let out = ends_at + Duration::minutes(rng.below(30) as i64 - 15);
                let a = Attendance {
                    activity_id: activity.id.clone(),
                    volunteer_id: v.id.clone(),
                    volunteer_name: v.display_name.clone(),
                    site_id: host.id.clone(),
                    checked_in_at,
                    checked_out_at: Some(out),
                    recorded_by: users[3].id.clone(),
                    corrections: vec![],
                    team_id: activity.team_id.clone(),
                };
                // Nobody serves in two places at once: the rules refuse a
                // credit that overlaps one already made, and so does the demo.
                let Some(h) = HourEntry::for_attendance(&activity, &a) else {
                    continue;
                };
                let theirs = credited.entry(v.id.clone()).or_default();
                if volunteer_domain::rules::overlaps(theirs, &h, &[], HourEntry::is_confirmed) {
                    continue;
                }
                recorded_minutes += u64::from(h.minutes);
                theirs.push(h.clone());
                hours.push(h);
                attendance.push(a);
            }
        }
        activities.push(activity);
    }

    // An activity under way right now at the demo staff's station, with the
    // demo volunteers signed up: what staff check people in at, offline.
    let station_team = teams
        .iter()
        .find(|t| t.site_id == stations[0].id)
        .unwrap_or(&teams[0]);
    let hour = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
    let mut today = Activity {
        team_id: Some(station_team.id.clone()),
        description: format!("{}组织的敬老院陪伴服务", station_team.name),
        status: ActivityStatus::InProgress,
        published: true,
        ..Activity::new(
            rng.uuid(),
            &stations[0].id,
            "敬老院陪伴服务",
            hour - Duration::hours(1),
            hour + Duration::hours(3),
            20,
        )
    };
    for v in volunteers.iter().take(3) {
        today.signup_count += 1;
        signups.push(Signup {
            activity_id: today.id.clone(),
            volunteer_id: v.id.clone(),
            volunteer_name: v.display_name.clone(),
            site_id: today.site_id.clone(),
            signed_up_at: hour - Duration::days(2),
            status: SignupStatus::Confirmed,
            position: 0,
            team_id: today.team_id.clone(),
        });
    }
    activities.push(today);
    examples(&mut Examples {
        rng: &mut rng,
        now,
        station: &stations[0],
        staff_id: &users[3].id,
        volunteers: &volunteers,
        teams: &teams,
        activities: &mut activities,
        signups: &mut signups,
        attendance: &mut attendance,
        hours: &mut hours,
    });

    let counts = vec![
        ("sites", all_sites.len()),
        ("teams", teams.len()),
        ("users", users.len()),
        ("memberships", memberships.len()),
        ("activities", activities.len()),
        ("signups", signups.len()),
        ("attendance records", attendance.len()),
        ("hours recorded", (recorded_minutes / 60) as usize),
    ];
    records.extend(teams.into_iter().map(Record::Team));
    records.extend(activities.into_iter().map(Record::Activity));
    store.put_records(&records)?;
    store.create_users(&users, now)?;
    let mut rest: Vec<Record> = Vec::new();
    rest.extend(memberships.into_iter().map(Record::Membership));
    rest.extend(signups.into_iter().map(Record::Signup));
    rest.extend(attendance.into_iter().map(Record::Attendance));
    rest.extend(hours.into_iter().map(Record::HourEntry));
    store.put_records(&rest)?;
    seed_orders(store, &mut rng, now, &stations[0], &volunteers[0])?;
    seed_callout_and_donations(store, &mut rng, now, &center, &stations[0], &users[1].id)?;
    crate::figures::refresh(store)?;

    let mut accounts = accounts();
    for (i, v) in volunteers.iter().take(3).enumerate() {
        accounts[5 + i].2 = v.display_name.clone();
    }
    Ok(DemoSummary {
        seeded: true,
        counts,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteStore;
    use volunteer_domain::Kind;

    #[test]
    fn demo_district_has_the_brief_s_shape_and_is_seeded_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("s.db")).unwrap();
        let summary = seed_if_empty(&store, 7).unwrap();
        assert!(summary.seeded);
        assert_eq!(store.user_count().unwrap(), (VOLUNTEERS + 7) as u64);
        assert_eq!(store.records(Kind::ServiceOrder).unwrap().len(), 4);
        assert_eq!(store.records(Kind::Campaign).unwrap().len(), 1);
        assert_eq!(store.records(Kind::Donation).unwrap().len(), 4);
        assert!(!store.records(Kind::Figures).unwrap().is_empty());
        let sites = store.records(Kind::Site).unwrap();
        assert_eq!(sites.len(), 1 + 8 + 40 + 80);
        assert_eq!(store.records(Kind::Team).unwrap().len(), TEAMS);
        let minutes: u64 = store
            .records(Kind::HourEntry)
            .unwrap()
            .iter()
            .map(|r| match r {
                Record::HourEntry(h) => u64::from(h.minutes),
                _ => 0,
            })
            .sum();
        assert!((3_735 * 60..3_900 * 60).contains(&minutes), "{minutes}");
        let upcoming = store
            .records(Kind::Activity)
            .unwrap()
            .into_iter()
            .filter(|r| matches!(r, Record::Activity(a) if a.starts_at > Utc::now()))
            .count();
        assert!(upcoming >= 20, "{upcoming}");
        let under_way = store
            .records(Kind::Activity)
            .unwrap()
            .into_iter()
            .filter(|r| {
                matches!(r, Record::Activity(a)
                    if a.starts_at <= Utc::now() && a.ends_at > Utc::now() && a.signup_count == 3)
            })
            .count();
        assert!(under_way >= 1);
        assert!(summary.to_string().contains("staff-station"));
        assert!(summary.to_string().contains("resident1"));
        assert!(!seed_if_empty(&store, 7).unwrap().seeded);
        assert_eq!(store.user_count().unwrap(), (VOLUNTEERS + 7) as u64);
    }

    /// Every seeded record is one the rules could have produced: the demo's
    /// hours pass the same evidence audit the property test runs.
    #[test]
    fn the_demo_district_passes_the_evidence_audit() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("s.db")).unwrap();
        seed_if_empty(&store, 7).unwrap();
        let mut records = vec![];
        for kind in [
            Kind::Activity,
            Kind::Signup,
            Kind::Attendance,
            Kind::HourEntry,
        ] {
            records.extend(store.records(kind).unwrap());
        }
        assert_eq!(volunteer_domain::audit::check(&records), Ok(()));
    }
}
