//! Issue 11, the re-registration path: when the server does not recognise
//! a device's numbering (a restored backup on either side) the device
//! takes a new client id and pushes its queue again, so mutations the old
//! id already applied arrive a second time. Every mutation type must then
//! be `applied` and change nothing. A tour of the district takes every
//! mutation type once (the list is checked against an exhaustive match, so
//! a new type cannot be left out), and after each step the same mutation
//! is pushed again under a fresh client id, through the real server.

use chrono::{Duration, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use volunteer_domain::wire::{SyncRequest, SyncResponse};
use volunteer_domain::{Gift, Kind, Mutation, MutationEnvelope, Record, TeamRole};
use volunteer_sync_server::Storage;
use volunteer_tests::{PASSWORD, TestServer, fixture};

/// The variant's position; exhaustive on purpose: a new mutation type does
/// not compile until the tour below covers it.
fn variant(m: &Mutation) -> usize {
    use Mutation as M;
    match m {
        M::JoinTeam { .. } => 0,
        M::LeaveTeam { .. } => 1,
        M::WithdrawJoinRequest { .. } => 2,
        M::DecideJoinRequest { .. } => 3,
        M::RemoveMember { .. } => 4,
        M::SetTeamRole { .. } => 5,
        M::SignUp { .. } => 6,
        M::CreateActivity { .. } => 7,
        M::CreateCallOut { .. } => 8,
        M::PublishActivity { .. } => 9,
        M::StartActivity { .. } => 10,
        M::FinishActivity { .. } => 11,
        M::CancelActivity { .. } => 12,
        M::CancelSignup { .. } => 13,
        M::ReportHours { .. } => 14,
        M::ReviewHours { .. } => 15,
        M::CorrectHours { .. } => 16,
        M::DisputeHours { .. } => 17,
        M::ResolveDispute { .. } => 18,
        M::ReopenHours { .. } => 19,
        M::CheckIn { .. } => 20,
        M::CheckOut { .. } => 21,
        M::CorrectAttendance { .. } => 22,
        M::PlaceOrder { .. } => 23,
        M::CancelOrder { .. } => 24,
        M::WithdrawOrder { .. } => 25,
        M::ReleaseOrder { .. } => 26,
        M::DispatchOrder { .. } => 27,
        M::RespondToOrder { .. } => 28,
        M::CompleteOrder { .. } => 29,
        M::RateOrder { .. } => 30,
        M::MarkNoticeRead { .. } => 31,
        M::CreateCampaign { .. } => 32,
        M::RecordDonation { .. } => 33,
        M::CreateSite { .. } => 34,
        M::UpdateSite { .. } => 35,
        M::CreateTeam { .. } => 36,
        M::UpdateTeam { .. } => 37,
        M::CreateAccount { .. } => 38,
        M::AssignAccount { .. } => 39,
        M::DeactivateAccount { .. } => 40,
        M::ReactivateAccount { .. } => 41,
        M::CorrectDonation { .. } => 42,
        M::VoidDonation { .. } => 43,
        M::DistributeGoods { .. } => 44,
        M::CloseCallOut { .. } => 45,
        M::WidenCallOut { .. } => 46,
        M::CreateProject { .. } => 47,
        M::AssignProject { .. } => 48,
    }
}
const VARIANTS: usize = 49;

struct Client {
    url: String,
    tokens: BTreeMap<String, String>,
    seqs: BTreeMap<String, u64>,
    fresh: u64,
}

impl Client {
    async fn token(&mut self, login: &str) -> String {
        if let Some(t) = self.tokens.get(login) {
            return t.clone();
        }
        let resp: Value = reqwest::Client::new()
            .post(format!("{}/v1/session", self.url))
            .json(&serde_json::json!({"login": login, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = resp["token"].as_str().unwrap().to_owned();
        self.tokens.insert(login.to_owned(), token.clone());
        token
    }

    /// Push `m` as `login` under `client`; the result's status and code.
    async fn push(&mut self, login: &str, client: &str, m: &Mutation) -> (String, Option<String>) {
        let token = self.token(login).await;
        let seq = self.seqs.entry(client.to_owned()).or_default();
        *seq += 1;
        let req = SyncRequest {
            client_id: client.to_owned(),
            cursor: None,
            mutations: vec![
                MutationEnvelope {
                    seq: *seq,
                    id: format!("{client}-{seq}"),
                    created_at: Utc::now(),
                    mutation: m.clone(),
                }
                .into(),
            ],
            pull_limit: Some(1),
            epoch: None,
        };
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/sync", self.url))
            .bearer_auth(token)
            .json(&req)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
        let body: SyncResponse = resp.json().await.unwrap();
        let r = &body.results[0];
        (r.status.as_str().to_owned(), r.code.clone())
    }

    /// Apply `m` as `login`, then push it again under a new client id of
    /// the same user: applied, and nothing changes.
    async fn step(&mut self, store: &dyn Storage, login: &str, m: Mutation) -> usize {
        let (status, code) = self.push(login, &format!("a-{login}"), &m).await;
        assert_eq!(status, "applied", "{} by {login}: {code:?}", m.name());
        let before = state(store);
        self.fresh += 1;
        let client = format!("b-{login}-{}", self.fresh);
        let (status, code) = self.push(login, &client, &m).await;
        assert_eq!(
            (status.as_str(), code),
            ("applied", None),
            "{} replayed under a new client id",
            m.name()
        );
        let after = state(store);
        if before != after {
            let changed: Vec<_> = after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(*v))
                .map(|(k, _)| k.clone())
                .chain(before.keys().filter(|k| !after.contains_key(*k)).cloned())
                .collect();
            panic!("{} replayed changed {changed:?}", m.name());
        }
        variant(&m)
    }
}

/// Every record except the figures (recomputed in the background).
fn state(store: &dyn Storage) -> BTreeMap<(Kind, String), Value> {
    Kind::ALL
        .iter()
        .filter(|k| **k != Kind::Figures)
        .flat_map(|k| store.records(*k).unwrap())
        .map(|r: Record| ((r.kind(), r.key()), r.to_value()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutation_type_replayed_under_a_new_client_id_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let store = server.store.as_ref();
    let fx = fixture::seed(store);
    let mut c = Client {
        url: server.url(),
        tokens: BTreeMap::new(),
        seqs: BTreeMap::new(),
        fresh: 0,
    };
    let id = |l: &str| fx.id(l);
    let (team_a, team_b) = (fx.team_a.id.clone(), fx.team_b.id.clone());
    let (site, act) = (fx.station_a.id.clone(), fx.activity_a.id.clone());
    let now = Utc::now();
    let mut seen = BTreeSet::new();
    use Mutation as M;

    // Teams.
    let steps: Vec<(&str, Mutation)> = vec![
        (
            "v1",
            M::JoinTeam {
                team_id: team_a.clone(),
            },
        ),
        (
            "v2",
            M::JoinTeam {
                team_id: team_b.clone(),
            },
        ),
        (
            "v2",
            M::WithdrawJoinRequest {
                team_id: team_b.clone(),
            },
        ),
        (
            "v3",
            M::JoinTeam {
                team_id: team_b.clone(),
            },
        ),
        (
            "staff-a",
            M::DecideJoinRequest {
                team_id: team_b.clone(),
                volunteer_id: id("v3"),
                approve: true,
                reason: None,
            },
        ),
        (
            "staff-a",
            M::SetTeamRole {
                team_id: team_a.clone(),
                volunteer_id: id("v1"),
                role: TeamRole::Leader,
            },
        ),
        (
            "staff-a",
            M::RemoveMember {
                team_id: team_b.clone(),
                volunteer_id: id("v3"),
                reason: "长期未参加".into(),
            },
        ),
        (
            "v5",
            M::JoinTeam {
                team_id: team_a.clone(),
            },
        ),
        (
            "v5",
            M::LeaveTeam {
                team_id: team_a.clone(),
            },
        ),
    ];
    for (login, m) in steps {
        seen.insert(c.step(store, login, m).await);
    }

    // Activities, a waitlist and its notice, a call-out.
    let tour = "tour-act".to_owned();
    let steps: Vec<(&str, Mutation)> = vec![
        (
            "staff-a",
            M::CreateActivity {
                activity_id: tour.clone(),
                site_id: site.clone(),
                team_id: Some(team_a.clone()),
                title: "社区清洁".into(),
                description: String::new(),
                starts_at: now + Duration::hours(2),
                ends_at: now + Duration::hours(4),
                capacity: 2,
                signup_deadline: None,
                waitlist: true,
                walk_ins: true,
                credit_rounding_minutes: 0,
            },
        ),
        (
            "staff-a",
            M::PublishActivity {
                activity_id: tour.clone(),
            },
        ),
        (
            "v2",
            M::SignUp {
                activity_id: tour.clone(),
            },
        ),
        (
            "v3",
            M::SignUp {
                activity_id: tour.clone(),
            },
        ),
        (
            "v5",
            M::SignUp {
                activity_id: tour.clone(),
            },
        ),
        (
            "v2",
            M::CancelSignup {
                activity_id: tour.clone(),
            },
        ),
        (
            "v5",
            M::MarkNoticeRead {
                notice_id: format!("promoted_from_waitlist/{tour}/{}", id("v5")),
            },
        ),
        (
            "staff-a",
            M::CreateCallOut {
                activity_id: "tour-call".into(),
                site_id: site.clone(),
                title: "防汛巡查".into(),
                description: String::new(),
                starts_at: now + Duration::hours(1),
                ends_at: now + Duration::hours(3),
                needed: 4,
                audience: volunteer_domain::Audience {
                    team_ids: vec![team_a.clone()],
                    site_id: None,
                },
            },
        ),
        (
            "staff-a",
            M::WidenCallOut {
                activity_id: "tour-call".into(),
                audience: volunteer_domain::Audience {
                    team_ids: vec![team_a.clone()],
                    site_id: Some(site.clone()),
                },
                needed: 6,
            },
        ),
        (
            "staff-a",
            M::CloseCallOut {
                activity_id: "tour-call".into(),
            },
        ),
        (
            "staff-a",
            M::StartActivity {
                activity_id: act.clone(),
            },
        ),
        (
            "staff-a",
            M::CheckIn {
                activity_id: act.clone(),
                volunteer_id: id("v2"),
                at: fx.activity_a.starts_at,
            },
        ),
        (
            "staff-a",
            M::CheckOut {
                activity_id: act.clone(),
                volunteer_id: id("v2"),
                at: fx.activity_a.starts_at + Duration::minutes(60),
            },
        ),
        (
            "staff-a",
            M::CorrectAttendance {
                activity_id: act.clone(),
                volunteer_id: id("v2"),
                checked_in_at: fx.activity_a.starts_at,
                checked_out_at: Some(fx.activity_a.starts_at + Duration::minutes(90)),
                reason: "签退晚录".into(),
            },
        ),
        (
            "v2",
            M::DisputeHours {
                entry_id: format!("att/{act}/{}/1", id("v2")),
                reason: "实际两小时".into(),
            },
        ),
        (
            "staff-a",
            M::ResolveDispute {
                entry_id: format!("att/{act}/{}/1", id("v2")),
                accept: false,
                reason: "签到记录为准".into(),
            },
        ),
        (
            "staff-a",
            M::FinishActivity {
                activity_id: act.clone(),
            },
        ),
        (
            "staff-a",
            M::CancelActivity {
                activity_id: tour.clone(),
                reason: "暴雨".into(),
            },
        ),
    ];
    for (login, m) in steps {
        seen.insert(c.step(store, login, m).await);
    }

    // Hours: a report approved and corrected, one rejected and re-opened.
    let report = |entry: &str, back: i64| M::ReportHours {
        entry_id: entry.into(),
        volunteer_id: String::new(),
        activity_id: None,
        started_at: now - Duration::days(back),
        minutes: 60,
        description: "助老".into(),
        team_id: None,
    };
    let with_volunteer = |m: Mutation, v: String| match m {
        M::ReportHours {
            entry_id,
            activity_id,
            started_at,
            minutes,
            description,
            team_id,
            ..
        } => M::ReportHours {
            entry_id,
            volunteer_id: v,
            activity_id,
            started_at,
            minutes,
            description,
            team_id,
        },
        other => other,
    };
    let steps: Vec<(&str, Mutation)> = vec![
        ("v3", with_volunteer(report("tour-e1", 2), id("v3"))),
        (
            "admin",
            M::ReviewHours {
                entry_id: "tour-e1".into(),
                approve: true,
                reason: None,
            },
        ),
        (
            "admin",
            M::CorrectHours {
                entry_id: "tour-e1".into(),
                new_entry_id: "tour-c1".into(),
                minutes: 45,
                reason: "多报了".into(),
            },
        ),
        ("v4", with_volunteer(report("tour-e2", 3), id("v4"))),
        (
            "admin",
            M::ReviewHours {
                entry_id: "tour-e2".into(),
                approve: false,
                reason: Some("缺少证明".into()),
            },
        ),
        (
            "admin",
            M::ReopenHours {
                entry_id: "tour-e2".into(),
                reason: "补交了证明".into(),
            },
        ),
    ];
    for (login, m) in steps {
        seen.insert(c.step(store, login, m).await);
    }

    // Orders: every exit, then the whole loop; a campaign and a donation.
    let order = |id: &str| M::PlaceOrder {
        order_id: id.into(),
        site_id: site.clone(),
        category: "助老".into(),
        description: "代买药品".into(),
        desired_at: None,
        phone: "13800138000".into(),
        address: "幸福里3栋".into(),
        requester_id: None,
    };
    let dispatch = || M::DispatchOrder {
        order_id: "tour-o1".into(),
        team_id: None,
        volunteer_id: Some(id("v1")),
    };
    let accept = |offer: u32| M::RespondToOrder {
        order_id: "tour-o1".into(),
        accept: true,
        reason: None,
        offer: Some(offer),
    };
    let steps: Vec<(&str, Mutation)> = vec![
        ("r1", order("tour-o1")),
        ("staff-a", dispatch()),
        ("v1", accept(1)),
        (
            "v1",
            M::ReleaseOrder {
                order_id: "tour-o1".into(),
                reason: "临时出差".into(),
            },
        ),
        ("staff-a", dispatch()),
        (
            "staff-a",
            M::WithdrawOrder {
                order_id: "tour-o1".into(),
                reason: "无人响应".into(),
            },
        ),
        ("staff-a", dispatch()),
        ("v1", accept(3)),
        (
            "v1",
            M::CompleteOrder {
                order_id: "tour-o1".into(),
                started_at: Some(Utc::now() - Duration::minutes(1)),
                minutes: 1,
                volunteer_ids: vec![],
            },
        ),
        (
            "r1",
            M::RateOrder {
                order_id: "tour-o1".into(),
                stars: 5,
                comment: Some("很好".into()),
            },
        ),
        ("r1", order("tour-o2")),
        (
            "r1",
            M::CancelOrder {
                order_id: "tour-o2".into(),
                reason: None,
            },
        ),
        (
            "staff-a",
            M::CreateCampaign {
                campaign_id: "tour-camp".into(),
                site_id: site.clone(),
                name: "冬衣募集".into(),
            },
        ),
        (
            "staff-a",
            M::RecordDonation {
                donation_id: "tour-d1".into(),
                campaign_id: Some("tour-camp".into()),
                site_id: site.clone(),
                donor_name: None,
                gift: Gift::Money { fen: 10_000 },
                received_at: now,
            },
        ),
        (
            "staff-a",
            M::RecordDonation {
                donation_id: "tour-d2".into(),
                campaign_id: Some("tour-camp".into()),
                site_id: site.clone(),
                donor_name: Some("李四".into()),
                gift: Gift::Goods {
                    item: "棉被".into(),
                    quantity: 10,
                    unit: "床".into(),
                },
                received_at: now,
            },
        ),
        (
            "staff-a",
            M::CorrectDonation {
                donation_id: "tour-d1".into(),
                new_donation_id: "tour-d3".into(),
                gift: Gift::Money { fen: 1_000 },
                donor_name: None,
                reason: "多录了一个零".into(),
            },
        ),
        (
            "staff-a",
            M::VoidDonation {
                donation_id: "tour-d3".into(),
                reason: "重复录入".into(),
            },
        ),
        (
            "staff-a",
            M::DistributeGoods {
                distribution_id: "tour-g1".into(),
                campaign_id: "tour-camp".into(),
                item: "棉被".into(),
                quantity: 4,
                unit: "床".into(),
                recipient: "幸福里敬老院".into(),
                distributed_at: now,
            },
        ),
    ];
    for (login, m) in steps {
        seen.insert(c.step(store, login, m).await);
    }
    // Administration: a point below the station, a team, an account made,
    // moved, switched off and on.
    let steps: Vec<(&str, Mutation)> = vec![
        (
            "staff-a",
            M::CreateProject {
                project_id: "tour-pr".into(),
                site_id: site.clone(),
                team_id: None,
                name: "智慧助老".into(),
                description: "上门服务".into(),
            },
        ),
        (
            "staff-a",
            M::AssignProject {
                project_id: Some("tour-pr".into()),
                activity_id: Some(act.clone()),
                order_id: None,
            },
        ),
        (
            "staff-a",
            M::CreateSite {
                site_id: "tour-p1".into(),
                parent_id: site.clone(),
                name: "3号楼服务点".into(),
                address: "幸福路3号".into(),
            },
        ),
        (
            "staff-a",
            M::UpdateSite {
                site_id: "tour-p1".into(),
                name: "3号楼志愿服务点".into(),
                address: "幸福路3号".into(),
            },
        ),
        (
            "staff-a",
            M::CreateTeam {
                team_id: "tour-t1".into(),
                site_id: site.clone(),
                name: "助餐队".into(),
                description: "送餐上门".into(),
                join_policy: volunteer_domain::JoinPolicy::Open,
            },
        ),
        (
            "staff-a",
            M::UpdateTeam {
                team_id: "tour-t1".into(),
                name: "助餐服务队".into(),
                description: "送餐上门".into(),
                join_policy: volunteer_domain::JoinPolicy::Approval,
            },
        ),
        (
            "staff-a",
            M::CreateAccount {
                user_id: "tour-u1".into(),
                role: volunteer_domain::Role::Volunteer,
                site_id: site.clone(),
                display_name: "张桂英".into(),
                phone: "13912340001".into(),
            },
        ),
        (
            "staff-a",
            M::AssignAccount {
                user_id: "tour-u1".into(),
                role: volunteer_domain::Role::Staff,
                site_id: Some("tour-p1".into()),
                reason: "任服务点负责人".into(),
            },
        ),
        (
            "staff-a",
            M::DeactivateAccount {
                user_id: "tour-u1".into(),
                reason: "调离".into(),
            },
        ),
        (
            "staff-a",
            M::ReactivateAccount {
                user_id: "tour-u1".into(),
            },
        ),
    ];
    for (login, m) in steps {
        seen.insert(c.step(store, login, m).await);
    }
    let missing: Vec<usize> = (0..VARIANTS).filter(|v| !seen.contains(v)).collect();
    assert!(
        missing.is_empty(),
        "mutation types the tour leaves out: {missing:?}"
    );
}
