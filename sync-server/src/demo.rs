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
const UPCOMING_ACTIVITIES: usize = 60;

/// Deterministic generator (splitmix64): same seed, same district.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        let bytes: Vec<u8> = a.to_be_bytes().into_iter().chain(b.to_be_bytes()).collect();
        uuid::Builder::from_random_bytes(bytes.try_into().unwrap_or([0; 16]))
            .into_uuid()
            .to_string()
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "华", "玉兰", "建国", "红", "建华", "文", "辉", "丹",
    "萍", "鹏", "宇", "浩", "欣怡", "子涵", "梓萱", "一诺", "雨桐", "俊杰", "志强", "淑珍", "国华",
    "晓燕", "海燕", "春梅", "立新", "德明", "永红", "佳怡",
];
const STREETS: &[&str] = &[
    "东城", "西园", "南湖", "北关", "新华", "长安", "青石", "河畔",
];
const COMMUNITIES: &[&str] = &[
    "幸福里",
    "和平",
    "光明",
    "朝阳",
    "锦绣",
    "枫林",
    "桃源",
    "春晖",
    "建设",
    "民主",
];
const POINTS: &[&str] = &["车棚议事点", "睦邻点", "书香角", "便民服务点"];
const CAUSES: &[(&str, &str)] = &[
    ("敬老助残", "陪伴老人、上门助餐、助残出行"),
    ("环境保护", "垃圾分类指导、河道清洁、植树护绿"),
    ("文化宣传", "文艺演出、读书会、非遗传承"),
    ("医疗卫生", "义诊、健康讲座、疫苗接种引导"),
    ("应急救援", "防汛值守、消防演练、疫情防控"),
    ("理论宣讲", "政策宣讲进小区、百姓宣讲团"),
    ("法律服务", "法律咨询、反诈宣传、矛盾调解"),
    ("关爱儿童", "四点半课堂、留守儿童陪伴"),
    ("文明交通", "路口劝导、护学岗"),
    ("邻里互助", "居民议事、物品共享、便民维修"),
];
const ACTIVITIES: &[&str] = &[
    "敬老院陪伴服务",
    "社区环境清洁日",
    "垃圾分类宣传",
    "反诈知识讲座",
    "居民议事会",
    "广场文艺汇演",
    "义诊进社区",
    "防汛应急演练",
    "关爱留守儿童",
    "文明交通劝导",
    "理论宣讲进小区",
    "消防安全检查",
];

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// Residents of the demo station and their orders, one in each state of the
/// closed loop; `resident1` signs in.
fn seed_orders(
    store: &dyn Storage,
    rng: &mut Rng,
    now: DateTime<Utc>,
    station: &Site,
    volunteer: &NewUser,
) -> Result<(), StoreError> {
    let resident = NewUser::new("resident1", Some(DEMO_PASSWORD), Role::Resident, "孙桂兰");
    let neighbour = NewUser::new("13900000002", None, Role::Resident, "钱建国");
    store.create_users(&[resident.clone(), neighbour.clone()], now)?;
    let wanted = [
        ("助老", "帮忙代购一周的药品", OrderStatus::Submitted),
        ("维修", "楼道灯不亮，需要更换", OrderStatus::Dispatched),
        ("陪伴", "周末陪老人去公园散步", OrderStatus::Accepted),
        ("清洁", "帮忙打扫厨房油烟机", OrderStatus::Rated),
    ];
    let mut records = Vec::new();
    for (i, (category, description, status)) in wanted.into_iter().enumerate() {
        let who = if i % 2 == 0 { &resident } else { &neighbour };
        let id = rng.uuid();
        let assigned = status != OrderStatus::Submitted;
        let created_at = now - Duration::hours(6 * (i as i64 + 1));
        let order = ServiceOrder {
            id: id.clone(),
            requester_id: who.id.clone(),
            requester_name: who.display_name.clone(),
            site_id: station.id.clone(),
            category: category.into(),
            description: description.into(),
            desired_at: Some(now + Duration::days(1)),
            status,
            created_at,
            assignee_team_id: None,
            assignee_volunteer_id: assigned.then(|| volunteer.id.clone()),
            dispatched_by: None,
            dispatched_at: assigned.then_some(created_at + Duration::hours(1)),
            declined_reason: None,
            declined_by_team_id: None,
            declined_by_volunteer_id: None,
            accepted_at: None,
            done_at: (status == OrderStatus::Rated).then_some(created_at + Duration::hours(3)),
            rating: (status == OrderStatus::Rated).then_some(5),
            comment: (status == OrderStatus::Rated).then(|| "志愿者很耐心，谢谢！".to_owned()),
        };
        let contact = OrderContact {
            order_id: id,
            requester_id: who.id.clone(),
            site_id: station.id.clone(),
            phone: format!("1390000{:04}", 1 + i),
            address: format!("幸福里小区{}栋{}单元", 2 + i, 1 + i % 3),
            assignee_team_id: None,
            assignee_volunteer_id: None,
        };
        let open = status != OrderStatus::Rated;
        if open && assigned {
            records.push(Record::OrderContact(OrderContact {
                assignee_volunteer_id: order.assignee_volunteer_id.clone(),
                ..contact.clone()
            }));
        }
        if open {
            records.push(Record::OrderContact(contact));
        }
        records.push(Record::ServiceOrder(order));
    }
    store.put_records(&records)
}

/// An open call-out at the demo station, and a donation campaign of the
/// center with gifts of money and goods, named and anonymous.
fn seed_callout_and_donations(
    store: &dyn Storage,
    rng: &mut Rng,
    now: DateTime<Utc>,
    center: &Site,
    station: &Site,
    staff_id: &str,
) -> Result<(), StoreError> {
    let starts_at = now + Duration::hours(3);
    let callout = Activity {
        description: "需要6名志愿者今晚协助巡查，带好雨具和手电".into(),
        status: ActivityStatus::Published,
        created_by: Some(staff_id.to_owned()),
        callout: true,
        ..Activity::new(
            rng.uuid(),
            &station.id,
            "暴雨预警：河堤巡查紧急集结",
            starts_at,
            starts_at + Duration::hours(4),
            6,
        )
    };
    let mut campaign = Campaign {
        id: rng.uuid(),
        site_id: center.id.clone(),
        name: "2026年冬季暖心物资募集".into(),
        money_fen: 0,
        goods: vec![],
        donation_count: 0,
    };
    let gifts = [
        (Some("青川区爱心企业联合会"), Gift::Money { fen: 5_000_000 }),
        (None, Gift::Money { fen: 20_000 }),
        (
            Some("李记粮油店"),
            Gift::Goods {
                item: "大米".into(),
                quantity: 50,
                unit: "袋".into(),
            },
        ),
        (
            None,
            Gift::Goods {
                item: "棉被".into(),
                quantity: 30,
                unit: "床".into(),
            },
        ),
    ];
    let mut records = vec![Record::Activity(callout)];
    for (i, (donor, gift)) in gifts.into_iter().enumerate() {
        campaign.donation_count += 1;
        match &gift {
            Gift::Money { fen } => campaign.money_fen += fen,
            Gift::Goods {
                item,
                quantity,
                unit,
            } => campaign.goods.push(GoodsTotal {
                item: item.clone(),
                unit: unit.clone(),
                quantity: u64::from(*quantity),
            }),
        }
        records.push(Record::Donation(Donation {
            id: rng.uuid(),
            campaign_id: Some(campaign.id.clone()),
            site_id: center.id.clone(),
            donor_name: donor.map(str::to_owned),
            gift,
            received_at: now - Duration::days(7 - i as i64),
            recorded_by: staff_id.to_owned(),
        }));
    }
    records.insert(0, Record::Campaign(campaign));
    store.put_records(&records)
}

/// What `examples` adds to.
struct Examples<'a> {
    rng: &'a mut Rng,
    now: DateTime<Utc>,
    station: &'a Site,
    staff_id: &'a str,
    volunteers: &'a [NewUser],
    teams: &'a [Team],
    activities: &'a mut Vec<Activity>,
    signups: &'a mut Vec<Signup>,
    attendance: &'a mut Vec<Attendance>,
    hours: &'a mut Vec<HourEntry>,
}

/// One example of each workflow state, around the demo accounts: a draft at
/// the demo station, a full activity with a waitlist, a corrected
/// attendance, and self-reported hours pending, rejected and corrected for
/// the team volunteer3 leads.
fn examples(x: &mut Examples<'_>) {
    let hour = x.now.duration_trunc(Duration::hours(1)).unwrap_or(x.now);
    let activity = |id: String, title: &str, starts_at: DateTime<Utc>, capacity, status| Activity {
        description: format!("{}组织的{}", x.station.name, title),
        status,
        signup_deadline: Some(starts_at - Duration::hours(12)),
        waitlist: true,
        created_by: Some(x.staff_id.to_owned()),
        credit_rounding_minutes: 15,
        ..Activity::new(
            id,
            &x.station.id,
            title,
            starts_at,
            starts_at + Duration::hours(2),
            capacity,
        )
    };
    let draft = activity(
        x.rng.uuid(),
        "重阳节敬老宴筹备会",
        hour + Duration::days(10),
        30,
        ActivityStatus::Draft,
    );
    let mut full = activity(
        x.rng.uuid(),
        "老年人智能手机课堂",
        hour + Duration::days(3),
        2,
        ActivityStatus::Published,
    );
    for (i, v) in x.volunteers.iter().skip(10).take(5).enumerate() {
        let waiting = i >= 2;
        if waiting {
            full.waitlist_next += 1;
            full.waitlist_count += 1;
        } else {
            full.signup_count += 1;
        }
        x.signups.push(Signup {
            activity_id: full.id.clone(),
            volunteer_id: v.id.clone(),
            volunteer_name: v.display_name.clone(),
            site_id: full.site_id.clone(),
            signed_up_at: hour - Duration::hours(10 - i as i64),
            status: if waiting {
                SignupStatus::Waitlisted
            } else {
                SignupStatus::Confirmed
            },
            position: if waiting { full.waitlist_next } else { 0 },
        });
    }
    x.activities.push(draft);
    x.activities.push(full);

    // A corrected attendance: the first recorded one, five minutes later.
    if let Some(a) = x.attendance.first_mut() {
        a.corrections.push(AttendanceCorrection {
            at: x.now - Duration::days(1),
            by: x.staff_id.to_owned(),
            reason: "签到时间录入有误".into(),
            previous_in: Some(a.checked_in_at),
            previous_out: a.checked_out_at,
        });
        a.checked_in_at += Duration::minutes(5);
        // The hours follow from the corrected times, by the rule itself.
        let key = HourEntry::attendance_key(&a.activity_id, &a.volunteer_id);
        let activity = x.activities.iter().find(|act| act.id == a.activity_id);
        if let (Some(h), Some(act)) = (x.hours.iter_mut().find(|h| h.id == key), activity)
            && let Some(derived) = HourEntry::for_attendance(act, a)
        {
            *h = derived;
        }
    }

    // Self-reports for the first team volunteer3 leads (team 34).
    let team = &x.teams[34];
    let entry = |id: String, v: &NewUser, minutes, status, days| HourEntry {
        id,
        volunteer_id: v.id.clone(),
        activity_id: None,
        site_id: Some(team.site_id.clone()),
        source: HourSource::SelfReport,
        status,
        started_at: hour - Duration::days(days),
        minutes,
        description: "社区助老上门服务".into(),
        recorded_by: v.id.clone(),
        team_id: Some(team.id.clone()),
        reviewed_by: None,
        reviewed_at: None,
        reason: None,
        corrects: None,
        superseded_by: None,
    };
    let (v1, v2) = (&x.volunteers[0], &x.volunteers[1]);
    x.hours
        .push(entry(x.rng.uuid(), v1, 90, HourStatus::Pending, 2));
    let mut refused = entry(x.rng.uuid(), v2, 480, HourStatus::Rejected, 5);
    refused.reason = Some("与活动签到记录不符".into());
    refused.reviewed_by = Some(x.volunteers[2].id.clone());
    x.hours.push(refused);
    let (old_id, new_id) = (x.rng.uuid(), x.rng.uuid());
    let mut old = entry(old_id.clone(), v1, 120, HourStatus::Superseded, 9);
    old.superseded_by = Some(new_id.clone());
    let mut new = entry(new_id, v1, 100, HourStatus::Confirmed, 9);
    new.corrects = Some(old_id);
    new.reason = Some("实际服务时长为一小时四十分".into());
    new.reviewed_by = Some(x.volunteers[2].id.clone());
    x.hours.push(old);
    x.hours.push(new);
}

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
    ]
}

/// Seed the district unless the database already has users.
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
    for (i, v) in volunteers.iter().enumerate() {
        let n = if rng.chance(80) { 1 } else { 2 };
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < n {
            let t = if i < 3 {
                34 + chosen.len() * 40
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
                };
                if let Some(h) = HourEntry::for_attendance(&activity, &a) {
                    recorded_minutes += u64::from(h.minutes);
                    hours.push(h);
                }
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
        assert!(!seed_if_empty(&store, 7).unwrap().seeded);
        assert_eq!(store.user_count().unwrap(), (VOLUNTEERS + 7) as u64);
    }
}
