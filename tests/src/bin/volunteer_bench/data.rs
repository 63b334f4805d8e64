//! Generated districts, reproducible from `--seed`: a center, 14 institutes
//! of 12 stations each (the shape of a real district), volunteers, teams,
//! activities and their signups, and the accounts the scenarios sign in as.

use chrono::{DateTime, Duration, Utc};
use volunteer_domain::{
    Activity, ActivityStatus, Attendance, HourEntry, JoinPolicy, Record, Role, Signup,
    SignupStatus, Site, SiteLevel, Team,
};
use volunteer_sync_server::{NewUser, Storage};

pub const PASSWORD: &str = "bench-password";
pub const INSTITUTES: usize = 14;
pub const STATIONS_PER_INSTITUTE: usize = 12;

/// splitmix64: small, fast, and the same numbers for the same seed everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

pub struct District {
    pub institutes: Vec<Site>,
    pub stations: Vec<Site>,
    pub volunteers: Vec<NewUser>,
    pub records: Vec<Record>,
}

fn site(rng: &mut Rng, parent: Option<&Site>, level: SiteLevel, name: String) -> Site {
    let id = rng.uuid();
    Site {
        path: format!("{}{id}/", parent.map_or("/", |p| p.path.as_str())),
        parent_id: parent.map(|p| p.id.clone()),
        id,
        level,
        name,
        address: String::new(),
    }
}

/// One hash for every generated account: hashing is deliberately slow and
/// the benchmark measures sync, not sign-in.
pub fn password_hash() -> String {
    volunteer_sync_server::auth::hash_password(PASSWORD)
}

pub fn activity(
    id: String,
    site: &Site,
    starts_at: DateTime<Utc>,
    hours: i64,
    capacity: u32,
) -> Activity {
    Activity {
        description: "清理楼道杂物，整理公共绿地".into(),
        status: ActivityStatus::Published,
        ..Activity::new(
            id,
            &site.id,
            "社区环境清洁日",
            starts_at,
            starts_at + Duration::hours(hours),
            capacity,
        )
    }
}

/// A district of `volunteers` volunteers (each in one team) and
/// `activities` activities over its stations, each with up to 20 signups.
pub fn district(seed: u64, volunteers: usize, activities: usize, now: DateTime<Utc>) -> District {
    let mut rng = Rng::new(seed);
    let center = site(
        &mut rng,
        None,
        SiteLevel::Center,
        "青川区新时代文明实践中心".into(),
    );
    let mut institutes = Vec::new();
    let mut stations = Vec::new();
    for i in 0..INSTITUTES {
        let inst = site(
            &mut rng,
            Some(&center),
            SiteLevel::Institute,
            format!("第{}街道实践所", i + 1),
        );
        for s in 0..STATIONS_PER_INSTITUTE {
            stations.push(site(
                &mut rng,
                Some(&inst),
                SiteLevel::Station,
                format!("第{}社区实践站", s + 1),
            ));
        }
        institutes.push(inst);
    }
    let mut records: Vec<Record> = std::iter::once(&center)
        .chain(&institutes)
        .chain(&stations)
        .map(|s| Record::Site(s.clone()))
        .collect();
    // About 69 volunteers per team, as in the district the brief describes.
    let team_count = volunteers.div_ceil(69).max(1);
    let teams: Vec<Team> = (0..team_count)
        .map(|i| Team {
            id: rng.uuid(),
            site_id: stations[i % stations.len()].id.clone(),
            name: format!("第{}志愿服务队", i + 1),
            description: String::new(),
            member_count: 0,
            join_policy: JoinPolicy::Open,
        })
        .collect();
    let hash = password_hash();
    let people: Vec<NewUser> = (0..volunteers)
        .map(|i| {
            let mut u = NewUser::new(&format!("v{i}"), None, Role::Volunteer, "王秀英");
            u.id = rng.uuid();
            u.password_hash = Some(hash.clone());
            u.district = Some(center.id.clone());
            u
        })
        .collect();
    records.extend(teams.into_iter().map(Record::Team));
    for _ in 0..activities {
        let station = &stations[rng.below(stations.len())];
        let starts = now - Duration::days(rng.below(300) as i64) + Duration::days(30);
        let mut act = activity(rng.uuid(), station, starts, 3, 30);
        let signups = rng.below(21).min(volunteers);
        let first = rng.below(volunteers.max(1));
        for k in 0..signups {
            let v = &people[(first + k * 7) % volunteers];
            records.push(Record::Signup(Signup {
                activity_id: act.id.clone(),
                volunteer_id: v.id.clone(),
                volunteer_name: v.display_name.clone(),
                site_id: station.id.clone(),
                signed_up_at: starts - Duration::days(2),
                status: SignupStatus::Confirmed,
                position: 0,
                team_id: act.team_id.clone(),
            }));
        }
        act.signup_count = signups as u32;
        records.push(Record::Activity(act));
    }
    District {
        institutes,
        stations,
        volunteers: people,
        records,
    }
}

/// Write the district: sites first (activities refer to them), then people.
pub fn seed(store: &dyn Storage, d: &District, now: DateTime<Utc>) {
    store.put_records(&d.records).expect("seed records");
    store
        .create_users(&d.volunteers, now)
        .expect("seed volunteers");
}

/// Staff accounts `login0`, `login1`, … at `site`.
pub fn staff(store: &dyn Storage, login: &str, n: usize, site: &Site, now: DateTime<Utc>) {
    let hash = password_hash();
    let users: Vec<NewUser> = (0..n)
        .map(|i| {
            let mut u =
                NewUser::new(&format!("{login}{i}"), None, Role::Staff, "刘敏").at_site(&site.id);
            u.password_hash = Some(hash.clone());
            u
        })
        .collect();
    store.create_users(&users, now).expect("seed staff");
}

/// `rows` personal records at one activity: signups, attendance and
/// confirmed hours in equal parts (a big activity's full history).
pub fn busy_activity(act: &Activity, volunteers: &[NewUser], rows: usize) -> Vec<Record> {
    let at = act.starts_at;
    (0..rows)
        .map(|i| {
            let v = &volunteers[(i / 3) % volunteers.len()];
            let (volunteer_id, volunteer_name) = (v.id.clone(), v.display_name.clone());
            match i % 3 {
                0 => Record::Signup(Signup {
                    activity_id: act.id.clone(),
                    volunteer_id,
                    volunteer_name,
                    site_id: act.site_id.clone(),
                    signed_up_at: at - Duration::days(1),
                    status: SignupStatus::Confirmed,
                    position: 0,
                    team_id: act.team_id.clone(),
                }),
                _ => {
                    let attendance = Attendance {
                        activity_id: act.id.clone(),
                        volunteer_id,
                        volunteer_name,
                        site_id: act.site_id.clone(),
                        checked_in_at: at,
                        checked_out_at: Some(at + Duration::hours(2)),
                        recorded_by: "staff".into(),
                        corrections: vec![],
                        team_id: act.team_id.clone(),
                    };
                    match HourEntry::for_attendance(act, &attendance) {
                        Some(hours) if i % 3 == 2 => Record::HourEntry(hours),
                        _ => Record::Attendance(attendance),
                    }
                }
            }
        })
        .collect()
}

/// How many of `records` a staff member at `site_path` reads, by the
/// domain's scope rules (their own profile not counted): the benchmark's
/// expected count, worked out apart from the server's feed query.
pub fn visible_to_staff(records: &[Record], site_path: &str) -> u64 {
    let paths: std::collections::HashMap<&str, &str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Site(s) => Some((s.id.as_str(), s.path.as_str())),
            _ => None,
        })
        .collect();
    records
        .iter()
        .filter(|r| {
            let scope = r.scope();
            let under = scope
                .site_id
                .as_deref()
                .and_then(|id| paths.get(id))
                .is_some_and(|p| p.starts_with(site_path));
            !scope.owner_only && (scope.public || under)
        })
        .count() as u64
}
