//! JSON snapshots of the wire: one example of every mutation and of every
//! record kind, pinned in `tests/snapshots/*.json`. A change to a field's
//! name, type or encoding shows up here as a diff to review (the protocol
//! document describes exactly these shapes). After an intended change,
//! regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p volunteer-domain --test snapshots`.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use serde_json::Value;
use volunteer_domain::*;

fn t(s: &str) -> DateTime<Utc> {
    format!("2026-12-01T{s}:00Z").parse().unwrap()
}

fn s(v: &str) -> String {
    v.to_owned()
}

/// One example per variant. The match in [`variant`] is exhaustive, so a new
/// mutation does not compile until it is named there, and the count check
/// below then asks for its example.
fn mutations() -> Vec<Mutation> {
    use Mutation as M;
    vec![
        M::JoinTeam { team_id: s("t1") },
        M::LeaveTeam { team_id: s("t1") },
        M::WithdrawJoinRequest { team_id: s("t1") },
        M::DecideJoinRequest {
            team_id: s("t1"),
            volunteer_id: s("v1"),
            approve: false,
            reason: Some(s("队伍已满")),
        },
        M::RemoveMember {
            team_id: s("t1"),
            volunteer_id: s("v1"),
            reason: s("长期未参加活动"),
        },
        M::SetTeamRole {
            team_id: s("t1"),
            volunteer_id: s("v1"),
            role: TeamRole::Leader,
        },
        M::SignUp {
            activity_id: s("a1"),
        },
        M::CreateActivity {
            activity_id: s("a1"),
            site_id: s("s1"),
            team_id: Some(s("t1")),
            title: s("敬老院陪伴服务"),
            description: s("陪老人聊天"),
            starts_at: t("01:00"),
            ends_at: t("03:00"),
            capacity: 10,
            signup_deadline: Some(t("00:00")),
            waitlist: true,
            walk_ins: false,
            credit_rounding_minutes: 15,
        },
        M::CreateCallOut {
            activity_id: s("a2"),
            site_id: s("s1"),
            title: s("河堤巡查"),
            description: s("带好雨具"),
            starts_at: t("10:00"),
            ends_at: t("14:00"),
            needed: 6,
            audience: Audience {
                team_ids: vec![s("t1")],
                site_id: None,
            },
        },
        M::CloseCallOut {
            activity_id: s("a2"),
        },
        M::WidenCallOut {
            activity_id: s("a2"),
            audience: Audience {
                team_ids: vec![s("t1")],
                site_id: Some(s("s1")),
            },
            needed: 10,
        },
        M::PublishActivity {
            activity_id: s("a1"),
        },
        M::StartActivity {
            activity_id: s("a1"),
        },
        M::FinishActivity {
            activity_id: s("a1"),
        },
        M::CancelActivity {
            activity_id: s("a1"),
            reason: s("暴雨"),
        },
        M::CancelSignup {
            activity_id: s("a1"),
        },
        M::ReportHours {
            entry_id: s("h1"),
            volunteer_id: s("v1"),
            activity_id: None,
            started_at: t("02:00"),
            minutes: 90,
            description: s("社区清洁"),
            team_id: Some(s("t1")),
        },
        M::ReviewHours {
            entry_id: s("h1"),
            approve: true,
            reason: None,
        },
        M::CorrectHours {
            entry_id: s("h1"),
            new_entry_id: s("h2"),
            minutes: 60,
            reason: s("录入有误"),
        },
        M::DisputeHours {
            entry_id: s("h1"),
            reason: s("时长少算了半小时"),
        },
        M::ResolveDispute {
            entry_id: s("h1"),
            accept: true,
            reason: s("已核实签到记录"),
        },
        M::ReopenHours {
            entry_id: s("h1"),
            reason: s("补交了证明材料"),
        },
        M::CheckIn {
            activity_id: s("a1"),
            volunteer_id: s("v1"),
            at: t("01:02"),
        },
        M::CheckOut {
            activity_id: s("a1"),
            volunteer_id: s("v1"),
            at: t("02:58"),
        },
        M::PlaceOrder {
            order_id: s("o1"),
            site_id: s("s1"),
            category: s("助老"),
            description: s("陪同就医"),
            desired_at: Some(t("08:00")),
            phone: s("13800000000"),
            address: s("幸福里3号"),
            requester_id: None,
        },
        M::CancelOrder {
            order_id: s("o1"),
            reason: Some(s("居民已自行解决")),
        },
        M::WithdrawOrder {
            order_id: s("o1"),
            reason: s("无人应答"),
        },
        M::ReleaseOrder {
            order_id: s("o1"),
            reason: s("临时有事"),
        },
        M::DispatchOrder {
            order_id: s("o1"),
            team_id: None,
            volunteer_id: Some(s("v1")),
        },
        M::RespondToOrder {
            order_id: s("o1"),
            accept: false,
            reason: Some(s("时间冲突")),
            offer: Some(2),
        },
        M::CompleteOrder {
            order_id: s("o1"),
            started_at: Some(t("05:00")),
            minutes: 45,
            volunteer_ids: vec![s("v1"), s("v2")],
        },
        M::RateOrder {
            order_id: s("o1"),
            stars: 5,
            comment: Some(s("很耐心")),
        },
        M::MarkNoticeRead {
            notice_id: s("promoted_from_waitlist/a1/v1"),
        },
        M::CreateCampaign {
            campaign_id: s("c1"),
            site_id: s("s1"),
            name: s("冬季暖心物资募集"),
        },
        M::RecordDonation {
            donation_id: s("d1"),
            campaign_id: Some(s("c1")),
            site_id: s("s1"),
            donor_name: None,
            gift: Gift::Goods {
                item: s("棉被"),
                quantity: 20,
                unit: s("床"),
            },
            received_at: t("05:00"),
        },
        M::CorrectAttendance {
            activity_id: s("a1"),
            volunteer_id: s("v1"),
            checked_in_at: t("01:05"),
            checked_out_at: Some(t("03:00")),
            reason: s("签到时间录入有误"),
        },
        M::CreateProject {
            project_id: s("pr1"),
            site_id: s("s1"),
            team_id: Some(s("t1")),
            name: s("智慧助老"),
            description: s("为独居老人上门服务"),
        },
        M::AssignProject {
            project_id: Some(s("pr1")),
            activity_id: Some(s("a1")),
            order_id: None,
        },
        M::CorrectDonation {
            donation_id: s("d1"),
            new_donation_id: s("d2"),
            gift: Gift::Money { fen: 50_000 },
            donor_name: Some(s("张三")),
            reason: s("多录了一个零"),
        },
        M::VoidDonation {
            donation_id: s("d3"),
            reason: s("重复录入"),
        },
        M::DistributeGoods {
            distribution_id: s("g1"),
            campaign_id: s("c1"),
            item: s("棉被"),
            quantity: 2,
            unit: s("床"),
            recipient: s("幸福里敬老院"),
            distributed_at: t("06:00"),
        },
        M::CreateSite {
            site_id: s("p1"),
            parent_id: s("s1"),
            name: s("幸福里3号楼服务点"),
            address: s("幸福路3号"),
        },
        M::UpdateSite {
            site_id: s("p1"),
            name: s("幸福里服务点"),
            address: s("幸福路3号"),
        },
        M::CreateTeam {
            team_id: s("t2"),
            site_id: s("s1"),
            name: s("助餐服务队"),
            description: s("为老人送餐"),
            join_policy: JoinPolicy::Open,
        },
        M::UpdateTeam {
            team_id: s("t2"),
            name: s("助餐队"),
            description: String::new(),
            join_policy: JoinPolicy::Approval,
        },
        M::CreateAccount {
            user_id: s("u1"),
            role: Role::Volunteer,
            site_id: s("s1"),
            display_name: s("张桂英"),
            phone: s("13812345678"),
        },
        M::AssignAccount {
            user_id: s("staff2"),
            role: Role::Staff,
            site_id: Some(s("s2")),
            reason: s("调到二站"),
        },
        M::DeactivateAccount {
            user_id: s("staff2"),
            reason: s("离职"),
        },
        M::ReactivateAccount {
            user_id: s("staff2"),
        },
    ]
}

/// The variant's position in the enum; exhaustive on purpose (see [`mutations`]).
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
        M::CheckIn { .. } => 17,
        M::CheckOut { .. } => 18,
        M::PlaceOrder { .. } => 19,
        M::CancelOrder { .. } => 20,
        M::DispatchOrder { .. } => 21,
        M::RespondToOrder { .. } => 22,
        M::CompleteOrder { .. } => 23,
        M::RateOrder { .. } => 24,
        M::MarkNoticeRead { .. } => 25,
        M::CreateCampaign { .. } => 26,
        M::RecordDonation { .. } => 27,
        M::CorrectAttendance { .. } => 28,
        M::WithdrawOrder { .. } => 29,
        M::ReleaseOrder { .. } => 30,
        M::DisputeHours { .. } => 31,
        M::ResolveDispute { .. } => 32,
        M::ReopenHours { .. } => 33,
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
const MUTATION_VARIANTS: usize = 49;

fn records() -> Vec<Record> {
    let activity = Activity {
        team_id: Some(s("t1")),
        description: s("陪老人聊天"),
        signup_count: 10,
        status: ActivityStatus::InProgress,
        signup_deadline: Some(t("00:00")),
        waitlist: true,
        waitlist_count: 2,
        waitlist_next: 2,
        created_by: Some(s("staff1")),
        credit_rounding_minutes: 15,
        published: true,
        ..Activity::new("a1", "s1", "敬老院陪伴服务", t("01:00"), t("03:00"), 10)
    };
    let attendance = Attendance {
        activity_id: s("a1"),
        volunteer_id: s("v1"),
        volunteer_name: s("王芳"),
        site_id: s("s1"),
        checked_in_at: t("01:05"),
        checked_out_at: Some(t("03:00")),
        recorded_by: s("staff1"),
        corrections: vec![AttendanceCorrection {
            at: t("04:00"),
            by: s("staff1"),
            reason: s("签到时间录入有误"),
            previous_in: Some(t("01:00")),
            previous_out: Some(t("03:00")),
        }],
        team_id: Some(s("t1")),
    };
    let hours = HourEntry::for_attendance(&activity, &attendance).unwrap();
    vec![
        Record::Site(Site {
            id: s("s1"),
            parent_id: Some(s("i1")),
            level: SiteLevel::Station,
            name: s("幸福里社区站"),
            path: s("/c1/i1/s1/"),
            address: String::new(),
        }),
        Record::Team(Team {
            id: s("t1"),
            site_id: s("s1"),
            name: s("幸福里助老队"),
            description: s("上门陪伴"),
            member_count: 12,
            join_policy: JoinPolicy::Approval,
        }),
        Record::Profile(Profile {
            user_id: s("staff1"),
            display_name: s("刘敏"),
            role: Role::Staff,
            site_id: Some(s("s1")),
            phone: Some(s("13800000001")),
        }),
        Record::Membership(Membership {
            team_id: s("t1"),
            volunteer_id: s("v1"),
            volunteer_name: s("王芳"),
            site_id: s("s1"),
            joined_at: t("00:10"),
            status: MembershipStatus::Declined,
            role: TeamRole::Member,
            decided_by: Some(s("leader1")),
            decided_at: Some(t("00:20")),
            reason: Some(s("队伍已满")),
            history: vec![],
        }),
        Record::Activity(activity),
        Record::Signup(Signup {
            activity_id: s("a1"),
            volunteer_id: s("v2"),
            volunteer_name: s("李娜"),
            site_id: s("s1"),
            signed_up_at: t("00:30"),
            status: SignupStatus::Waitlisted,
            position: 1,
            team_id: Some(s("t1")),
        }),
        Record::Attendance(attendance),
        Record::HourEntry(hours),
        Record::ServiceOrder(ServiceOrder {
            id: s("o1"),
            requester_id: s("r1"),
            requester_name: s("赵大爷"),
            site_id: s("s1"),
            category: s("助老"),
            description: s("陪同就医"),
            desired_at: Some(t("08:00")),
            status: OrderStatus::Dispatched,
            created_at: t("06:00"),
            assignee_team_id: None,
            assignee_volunteer_id: Some(s("v1")),
            dispatched_by: Some(s("staff1")),
            dispatched_at: Some(t("06:30")),
            declined_reason: Some(s("时间冲突")),
            declined_by_team_id: Some(s("t1")),
            declined_by_volunteer_id: None,
            accepted_at: None,
            done_at: None,
            rating: None,
            comment: None,
            offer: 2,
            reason: Some(s("无人应答")),
            placed_by: None,
            served_by: vec![],
            project_id: None,
        }),
        Record::OrderContact(OrderContact {
            order_id: s("o1"),
            requester_id: s("r1"),
            site_id: s("s1"),
            phone: s("13800000000"),
            address: s("幸福里3号"),
            assignee_team_id: None,
            assignee_volunteer_id: Some(s("v1")),
        }),
        Record::Campaign(Campaign {
            id: s("c1"),
            site_id: s("s1"),
            name: s("冬季暖心物资募集"),
            money_fen: 1_000_000,
            goods: vec![GoodsTotal {
                item: s("棉被"),
                unit: s("床"),
                quantity: 20,
            }],
            donation_count: 3,
            distributed: vec![],
        }),
        Record::Donation(Donation {
            id: s("d2"),
            campaign_id: Some(s("c1")),
            donor_name: Some(s("张三")),
            corrects: Some(s("d1")),
            reason: Some(s("多录了一个零")),
            ..Donation::new(
                "d2",
                "s1",
                Gift::Money { fen: 50_000 },
                t("05:00"),
                "staff1",
            )
        }),
        Record::Figures(Figures {
            key: s("site/s1"),
            site_id: Some(s("s1")),
            team_id: None,
            volunteers: 120,
            teams: 4,
            confirmed_minutes: 3_600,
            minutes_by_month: vec![MonthMinutes {
                month: s("2026-11"),
                minutes: 3_600,
            }],
            person_times: 40,
            orders: vec![OrderCount {
                status: OrderStatus::Done,
                count: 7,
            }],
            registered_volunteers: 0,
            project_id: None,
        }),
        Record::Notice(Notice {
            id: s("promoted_from_waitlist/a1/v2"),
            volunteer_id: s("v2"),
            topic: NoticeTopic::PromotedFromWaitlist,
            subject_id: s("a1"),
            message: s("候补转正：敬老院陪伴服务"),
            created_at: t("00:40"),
            read: false,
        }),
        Record::Account(Account {
            user_id: s("u1"),
            display_name: s("张桂英"),
            role: Role::Volunteer,
            site_id: Some(s("s1")),
            status: AccountStatus::Active,
            phone_masked: Some(s("138****5678")),
            created_by: Some(s("staff1")),
            created_at: t("06:00"),
            activated_at: Some(t("07:00")),
            consent_at: Some(t("07:00")),
            consent_version: Some(s("2026-12")),
            changed_by: None,
            changed_at: None,
            reason: None,
        }),
        Record::Distribution(Distribution {
            id: s("g1"),
            campaign_id: s("c1"),
            site_id: s("s1"),
            item: s("棉被"),
            unit: s("床"),
            quantity: 2,
            recipient: s("幸福里敬老院"),
            distributed_at: t("06:00"),
            recorded_by: s("staff1"),
        }),
        Record::Project(Project {
            id: s("pr1"),
            site_id: s("s1"),
            team_id: Some(s("t1")),
            name: s("智慧助老"),
            description: s("为独居老人上门服务"),
            created_by: s("staff1"),
        }),
    ]
}

/// Compare with the committed snapshot, or write it when asked to.
fn check_snapshot(name: &str, actual: &Value) {
    let path = format!("{}/tests/snapshots/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run with UPDATE_SNAPSHOTS=1 to create it"));
    assert!(
        expected == text,
        "{name}.json differs from the wire shapes; if intended, regenerate with UPDATE_SNAPSHOTS=1\n--- expected\n{expected}\n--- actual\n{text}"
    );
}

#[test]
fn every_mutation_has_a_pinned_json_shape() {
    let examples = mutations();
    let mut seen: Vec<usize> = examples.iter().map(variant).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        MUTATION_VARIANTS,
        "one example per mutation, each once"
    );
    let mut snapshot = serde_json::Map::new();
    for m in &examples {
        let json = serde_json::to_value(m).unwrap();
        // The stable name is the wire tag.
        assert_eq!(json["type"], m.name(), "{m:?}");
        let back: Mutation = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(&back, m, "round trip");
        snapshot.insert(m.name().to_owned(), json);
    }
    check_snapshot("mutations", &Value::Object(snapshot));
}

#[test]
fn every_record_kind_has_a_pinned_json_shape() {
    let examples = records();
    let kinds: Vec<Kind> = examples.iter().map(Record::kind).collect();
    assert_eq!(
        kinds,
        Kind::ALL,
        "one example per kind, in declaration order"
    );
    let mut snapshot = serde_json::Map::new();
    for r in &examples {
        let json = r.to_value();
        assert_eq!(Record::from_value(r.kind(), json.clone()).unwrap(), *r);
        assert_eq!(Record::from_json(r.kind(), &r.to_json()).unwrap(), *r);
        snapshot.insert(
            r.kind().as_str().to_owned(),
            serde_json::json!({ "key": r.key(), "data": json }),
        );
    }
    check_snapshot("records", &Value::Object(snapshot));
}

#[test]
fn every_string_enum_round_trips_through_its_table() {
    fn check<T: Copy + PartialEq + std::fmt::Debug + serde::Serialize>(
        all: &[T],
        as_str: impl Fn(T) -> &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) {
        for &v in all {
            assert_eq!(parse(as_str(v)), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), as_str(v));
        }
        assert_eq!(parse("no_such_value"), None);
    }
    check(&Kind::ALL, Kind::as_str, Kind::parse);
    check(&Role::ALL, Role::as_str, Role::parse);
    check(&RejectCode::ALL, RejectCode::as_str, RejectCode::parse);
    check(&SiteLevel::ALL, SiteLevel::as_str, SiteLevel::parse);
    check(
        &ActivityStatus::ALL,
        ActivityStatus::as_str,
        ActivityStatus::parse,
    );
    check(&HourStatus::ALL, HourStatus::as_str, HourStatus::parse);
    check(&OrderStatus::ALL, OrderStatus::as_str, OrderStatus::parse);
    check(&NoticeTopic::ALL, NoticeTopic::as_str, NoticeTopic::parse);
    assert_eq!(
        RejectCode::from_wire("from_a_newer_server"),
        RejectCode::Unknown
    );
    let bad: Result<Role, _> = serde_json::from_str("\"emperor\"");
    assert!(bad.unwrap_err().to_string().contains("unknown variant"));
}
