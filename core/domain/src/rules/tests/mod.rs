//! Rule tests over an in-memory state, authoritative or not.
use super::*;

mod admin;
mod desk;
use crate::records::{
    JoinPolicy, MembershipStatus, OrderStatus, SignupStatus, SiteLevel, TeamRole,
};
use std::collections::HashMap;

/// An in-memory state, authoritative or not.
struct Mem {
    authoritative: bool,
    rows: HashMap<(Kind, String), Record>,
    names: HashMap<String, String>,
}

impl Mem {
    fn new(authoritative: bool) -> Mem {
        let mut m = Mem {
            authoritative,
            rows: HashMap::new(),
            names: HashMap::new(),
        };
        m.put(Record::Site(Site {
            id: "c".into(),
            parent_id: None,
            level: SiteLevel::Center,
            name: "中心".into(),
            path: "/c/".into(),
            address: String::new(),
        }));
        m.put(Record::Site(Site {
            id: "s1".into(),
            parent_id: Some("c".into()),
            level: SiteLevel::Station,
            name: "站一".into(),
            path: "/c/s1/".into(),
            address: String::new(),
        }));
        m.put(Record::Site(Site {
            id: "s2".into(),
            parent_id: Some("c".into()),
            level: SiteLevel::Station,
            name: "站二".into(),
            path: "/c/s2/".into(),
            address: String::new(),
        }));
        m.put(Record::Activity(Activity {
            status: ActivityStatus::Published,
            ..Activity::new("a1", "s1", "敬老", t(9, 0), t(11, 0), 1)
        }));
        m.put(Record::Team(Team {
            id: "t1".into(),
            site_id: "s1".into(),
            name: "红马甲".into(),
            description: String::new(),
            member_count: 0,
            join_policy: JoinPolicy::Open,
        }));
        m.put(Record::Team(Team {
            id: "t2".into(),
            site_id: "s1".into(),
            name: "敬老服务队".into(),
            description: String::new(),
            member_count: 0,
            join_policy: JoinPolicy::Approval,
        }));
        m.names.insert("v1".into(), "李娜".into());
        m.names.insert("v2".into(), "王伟".into());
        m
    }
    fn put(&mut self, r: Record) {
        self.rows.insert((r.kind(), r.key()), r);
    }
    fn apply(&mut self, d: Decision) -> Decision {
        if let Decision::Apply(effects) = &d {
            for e in effects.clone() {
                match e {
                    Effect::Put(r) => self.put(r),
                    Effect::Delete { kind, key } => {
                        self.rows.remove(&(kind, key));
                    }
                }
            }
        }
        d
    }
}

impl State for Mem {
    type Error = std::convert::Infallible;
    fn authoritative(&self) -> bool {
        self.authoritative
    }
    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, Self::Error> {
        Ok(self.rows.get(&(kind, key.to_owned())).cloned())
    }
    fn volunteer_name(&mut self, id: &str) -> Result<Option<String>, Self::Error> {
        Ok(self.names.get(id).cloned())
    }
    fn attendances_of(&mut self, activity_id: &str) -> Result<Vec<Attendance>, Self::Error> {
        Ok(self
            .rows
            .values()
            .filter_map(|r| match r {
                Record::Attendance(a) if a.activity_id == activity_id => Some(a.clone()),
                _ => None,
            })
            .collect())
    }
    fn resident_name(&mut self, _resident_id: &str) -> Result<Option<String>, Self::Error> {
        Ok(None)
    }
    fn phone_holder(&mut self, phone: &str) -> Result<Option<String>, Self::Error> {
        Ok(self.rows.values().find_map(|r| match r {
            Record::Profile(p) if self.authoritative && p.phone.as_deref() == Some(phone) => {
                Some(p.user_id.clone())
            }
            _ => None,
        }))
    }
    fn memberships_of(&mut self, volunteer_id: &str) -> Result<Vec<Membership>, Self::Error> {
        Ok(self
            .rows
            .values()
            .filter_map(|r| match r {
                Record::Membership(m) if m.volunteer_id == volunteer_id => Some(m.clone()),
                _ => None,
            })
            .collect())
    }
    fn hours_of(&mut self, volunteer_id: &str) -> Result<Vec<HourEntry>, Self::Error> {
        Ok(self
            .rows
            .values()
            .filter_map(|r| match r {
                Record::HourEntry(h) if h.volunteer_id == volunteer_id => Some(h.clone()),
                _ => None,
            })
            .collect())
    }
    fn signups_of(&mut self, activity_id: &str) -> Result<Vec<Signup>, Self::Error> {
        Ok(self
            .rows
            .values()
            .filter_map(|r| match r {
                Record::Signup(s) if s.activity_id == activity_id => Some(s.clone()),
                _ => None,
            })
            .collect())
    }
    fn first_waitlisted(&mut self, activity_id: &str) -> Result<Option<Signup>, Self::Error> {
        if !self.authoritative {
            return Ok(None);
        }
        Ok(self
            .rows
            .values()
            .filter_map(|r| match r {
                Record::Signup(s)
                    if s.activity_id == activity_id && s.status == SignupStatus::Waitlisted =>
                {
                    Some(s.clone())
                }
                _ => None,
            })
            .min_by_key(|s| s.position))
    }
}

fn t(h: u32, m: u32) -> DateTime<Utc> {
    format!("2026-12-01T{h:02}:{m:02}:00Z").parse().unwrap()
}

fn volunteer(id: &str) -> Actor {
    Actor {
        user_id: id.into(),
        name: "李娜".into(),
        role: Role::Volunteer,
        site_path: None,
        led_teams: vec![],
    }
}

fn staff(path: &str) -> Actor {
    Actor {
        user_id: "st".into(),
        name: "社工".into(),
        role: Role::Staff,
        site_path: Some(path.into()),
        led_teams: vec![],
    }
}

fn run(s: &mut Mem, actor: &Actor, m: Mutation, at: DateTime<Utc>) -> Decision {
    let env = MutationEnvelope {
        seq: 1,
        id: "x".into(),
        created_at: at,
        mutation: m,
    };
    let d = decide(&env, actor, at, s).unwrap();
    s.apply(d)
}

fn code(d: &Decision) -> Option<RejectCode> {
    match d {
        Decision::Reject(r) => Some(r.code),
        _ => None,
    }
}

#[test]
fn joining_twice_is_one_membership() {
    let mut s = Mem::new(true);
    let v = volunteer("v1");
    let join = Mutation::JoinTeam {
        team_id: "t1".into(),
    };
    assert!(matches!(run(&mut s, &v, join.clone(), t(8, 0)), Decision::Apply(e) if e.len() == 2));
    assert_eq!(run(&mut s, &v, join, t(8, 1)), Decision::Apply(vec![]));
    let Some(Record::Team(team)) = s.get(Kind::Team, "t1").unwrap() else {
        panic!()
    };
    assert_eq!(team.member_count, 1);
}

#[test]
fn capacity_is_enforced_only_where_counts_are_exact() {
    let mut server = Mem::new(true);
    let first = run(
        &mut server,
        &volunteer("v1"),
        Mutation::SignUp {
            activity_id: "a1".into(),
        },
        t(8, 0),
    );
    assert!(matches!(first, Decision::Apply(_)));
    let second = run(
        &mut server,
        &volunteer("v2"),
        Mutation::SignUp {
            activity_id: "a1".into(),
        },
        t(8, 0),
    );
    assert_eq!(code(&second), Some(RejectCode::ActivityFull));

    let mut device = Mem::new(false);
    device.put(server.rows[&(Kind::Activity, "a1".to_string())].clone());
    let optimistic = run(
        &mut device,
        &volunteer("v2"),
        Mutation::SignUp {
            activity_id: "a1".into(),
        },
        t(8, 0),
    );
    assert!(matches!(optimistic, Decision::Apply(_)));
}

#[test]
fn check_ins_merge_to_earliest_in_and_latest_out() {
    let mut s = Mem::new(true);
    let st = staff("/c/s1/");
    let ci = |at| Mutation::CheckIn {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        at,
    };
    let co = |at| Mutation::CheckOut {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        at,
    };
    run(&mut s, &st, ci(t(9, 5)), t(12, 0));
    run(&mut s, &st, ci(t(9, 0)), t(12, 0));
    assert_eq!(
        run(&mut s, &st, ci(t(9, 10)), t(12, 0)),
        Decision::Apply(vec![])
    );
    run(&mut s, &st, co(t(10, 30)), t(12, 0));
    run(&mut s, &st, co(t(11, 30)), t(12, 0));
    assert_eq!(
        run(&mut s, &st, co(t(10, 0)), t(12, 0)),
        Decision::Apply(vec![])
    );
    let Some(Record::Attendance(a)) = s.get(Kind::Attendance, "a1/v1").unwrap() else {
        panic!()
    };
    assert_eq!(
        (a.checked_in_at, a.checked_out_at),
        (t(9, 0), Some(t(11, 30)))
    );
    let Some(Record::HourEntry(h)) = s.get(Kind::HourEntry, "att/a1/v1").unwrap() else {
        panic!()
    };
    // Capped at the activity's end, 11:00.
    assert_eq!(h.minutes, 120);
    assert_eq!(h.status, HourStatus::Confirmed);
}

#[test]
fn staff_act_only_in_their_subtree() {
    let mut s = Mem::new(true);
    let outsider = staff("/c/s2/");
    let d = run(
        &mut s,
        &outsider,
        Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: t(9, 0),
        },
        t(9, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    let center = staff("/c/");
    let d = run(
        &mut s,
        &center,
        Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: t(9, 0),
        },
        t(9, 0),
    );
    assert!(matches!(d, Decision::Apply(_)));
    // Paths end in '/', so a prefix is a whole-segment ancestor: "/c/s1/"
    // does not admit "/c/s10/". The server refuses paths without it.
    assert!(!staff("/c/s1/").may_manage("/c/s10/"));
}

#[test]
fn volunteers_cannot_report_for_others_or_check_in() {
    let mut s = Mem::new(false);
    let v = volunteer("v1");
    let d = run(
        &mut s,
        &v,
        Mutation::ReportHours {
            entry_id: "e1".into(),
            volunteer_id: "v2".into(),
            activity_id: None,
            started_at: t(8, 0),
            minutes: 60,
            description: String::new(),
            team_id: None,
        },
        t(9, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    let d = run(
        &mut s,
        &v,
        Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: t(9, 0),
        },
        t(9, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
}

#[test]
fn unknown_records_defer_on_device_and_reject_on_server() {
    let st = staff("/c/");
    let m = Mutation::CheckIn {
        activity_id: "elsewhere".into(),
        volunteer_id: "v1".into(),
        at: t(9, 0),
    };
    assert_eq!(
        run(&mut Mem::new(false), &st, m.clone(), t(9, 0)),
        Decision::Defer
    );
    assert_eq!(
        code(&run(&mut Mem::new(true), &st, m, t(9, 0))),
        Some(RejectCode::NotFound)
    );
    let out = Mutation::CheckOut {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        at: t(10, 0),
    };
    assert_eq!(
        run(&mut Mem::new(false), &st, out.clone(), t(10, 0)),
        Decision::Defer
    );
    assert_eq!(
        code(&run(&mut Mem::new(true), &st, out, t(10, 0))),
        Some(RejectCode::NotCheckedIn)
    );
}

#[test]
fn clock_skew_and_bad_input_are_rejected() {
    let mut s = Mem::new(true);
    let v = volunteer("v1");
    let env = MutationEnvelope {
        seq: 1,
        id: "x".into(),
        created_at: t(12, 0),
        mutation: Mutation::JoinTeam {
            team_id: "t1".into(),
        },
    };
    let d = decide(&env, &v, t(11, 0), &mut s).unwrap();
    assert_eq!(code(&d), Some(RejectCode::ClockSkew));
    let d = run(
        &mut s,
        &v,
        Mutation::ReportHours {
            entry_id: "e1".into(),
            volunteer_id: "v1".into(),
            activity_id: None,
            started_at: t(8, 0),
            minutes: 0,
            description: String::new(),
            team_id: None,
        },
        t(9, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::InvalidInput));
}

#[test]
fn oversized_ids_are_invalid_input() {
    let mut s = Mem::new(true);
    let d = run(
        &mut s,
        &volunteer("v1"),
        Mutation::JoinTeam {
            team_id: "x".repeat(MAX_ID_LEN + 1),
        },
        t(8, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::InvalidInput));
    let d = run(
        &mut s,
        &volunteer("v1"),
        Mutation::SignUp {
            activity_id: String::new(),
        },
        t(8, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::InvalidInput));
}

#[test]
fn a_backdated_signup_to_an_ended_activity_is_refused() {
    let mut s = Mem::new(true);
    let env = MutationEnvelope {
        seq: 1,
        id: "x".into(),
        created_at: t(8, 0),
        mutation: Mutation::SignUp {
            activity_id: "a1".into(),
        },
    };
    // The activity ended at 11:00; the server receives this at 12:00.
    let d = decide(&env, &volunteer("v1"), t(12, 0), &mut s).unwrap();
    assert_eq!(code(&d), Some(RejectCode::ActivityClosed));
}

#[test]
fn staff_without_their_site_on_the_device_defer() {
    let mut s = Mem::new(false);
    let mut st = staff("/c/s1/");
    st.site_path = None;
    // One mutation per rule that goes through the shared authority check.
    for m in [
        Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: t(9, 0),
        },
        Mutation::SetTeamRole {
            team_id: "t1".into(),
            volunteer_id: "v1".into(),
            role: TeamRole::Leader,
        },
        Mutation::CreateCampaign {
            campaign_id: "cp1".into(),
            site_id: "s1".into(),
            name: "冬衣".into(),
        },
    ] {
        let name = m.name();
        assert_eq!(run(&mut s, &st, m, t(9, 0)), Decision::Defer, "{name}");
    }
}

#[test]
fn reject_codes_round_trip() {
    for c in RejectCode::ALL {
        assert_eq!(RejectCode::parse(c.as_str()), Some(c));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!("\"{}\"", c.as_str())
        );
    }
}

fn membership(s: &mut Mem, team: &str, volunteer: &str) -> Membership {
    match s
        .get(Kind::Membership, &format!("{team}/{volunteer}"))
        .unwrap()
    {
        Some(Record::Membership(m)) => m,
        other => panic!("no membership: {other:?}"),
    }
}

fn members(s: &mut Mem, team: &str) -> u32 {
    match s.get(Kind::Team, team).unwrap() {
        Some(Record::Team(t)) => t.member_count,
        _ => panic!(),
    }
}

fn leader_of(team: &str) -> Actor {
    Actor {
        user_id: "lead".into(),
        name: "队长".into(),
        role: Role::Volunteer,
        site_path: None,
        led_teams: vec![team.into()],
    }
}

fn decide_join(approve: bool) -> Mutation {
    Mutation::DecideJoinRequest {
        team_id: "t2".into(),
        volunteer_id: "v1".into(),
        approve,
        reason: None,
    }
}

#[test]
fn an_approval_team_takes_a_request_that_a_leader_decides_once() {
    let mut s = Mem::new(true);
    let join = Mutation::JoinTeam {
        team_id: "t2".into(),
    };
    run(&mut s, &volunteer("v1"), join.clone(), t(8, 0));
    assert_eq!(
        membership(&mut s, "t2", "v1").status,
        MembershipStatus::Requested
    );
    assert_eq!(members(&mut s, "t2"), 0, "a request is not a member");
    assert_eq!(
        run(&mut s, &volunteer("v1"), join, t(8, 1)),
        Decision::Apply(vec![])
    );

    // The volunteer cannot approve their own request; another team's leader neither.
    let d = run(&mut s, &volunteer("v1"), decide_join(true), t(8, 2));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    let d = run(&mut s, &leader_of("t1"), decide_join(true), t(8, 2));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));

    run(&mut s, &leader_of("t2"), decide_join(true), t(8, 3));
    let m = membership(&mut s, "t2", "v1");
    assert_eq!(
        (m.status, m.decided_by.as_deref()),
        (MembershipStatus::Active, Some("lead"))
    );
    assert_eq!(members(&mut s, "t2"), 1);
    // Replaying the same decision is a no-op; a different one is too late.
    assert_eq!(
        run(&mut s, &leader_of("t2"), decide_join(true), t(8, 4)),
        Decision::Apply(vec![])
    );
    let d = run(&mut s, &staff("/c/s1/"), decide_join(false), t(8, 4));
    assert_eq!(code(&d), Some(RejectCode::InvalidState));
    let d = run(
        &mut s,
        &volunteer("v1"),
        Mutation::WithdrawJoinRequest {
            team_id: "t2".into(),
        },
        t(8, 5),
    );
    assert_eq!(code(&d), Some(RejectCode::InvalidState));
    assert_eq!(members(&mut s, "t2"), 1);
}

#[test]
fn members_leave_or_are_removed_with_a_reason_and_counts_follow() {
    let mut s = Mem::new(true);
    for v in ["v1", "v2"] {
        run(
            &mut s,
            &volunteer(v),
            Mutation::JoinTeam {
                team_id: "t1".into(),
            },
            t(8, 0),
        );
    }
    assert_eq!(members(&mut s, "t1"), 2);
    let remove = |reason: &str| Mutation::RemoveMember {
        team_id: "t1".into(),
        volunteer_id: "v2".into(),
        reason: reason.into(),
    };
    let d = run(&mut s, &leader_of("t1"), remove("  "), t(9, 0));
    assert_eq!(code(&d), Some(RejectCode::InvalidInput));
    run(&mut s, &leader_of("t1"), remove("多次缺席"), t(9, 0));
    let m = membership(&mut s, "t1", "v2");
    assert_eq!(
        (m.status, m.reason.as_deref()),
        (MembershipStatus::Removed, Some("多次缺席"))
    );
    run(
        &mut s,
        &volunteer("v1"),
        Mutation::LeaveTeam {
            team_id: "t1".into(),
        },
        t(9, 1),
    );
    assert_eq!(
        membership(&mut s, "t1", "v1").status,
        MembershipStatus::Left
    );
    assert_eq!(members(&mut s, "t1"), 0);
    // Rejoining after leaving is a fresh, open join.
    run(
        &mut s,
        &volunteer("v1"),
        Mutation::JoinTeam {
            team_id: "t1".into(),
        },
        t(9, 2),
    );
    assert_eq!(members(&mut s, "t1"), 1);
}

#[test]
fn only_staff_appoint_leaders_and_only_of_active_members() {
    let mut s = Mem::new(true);
    run(
        &mut s,
        &volunteer("v1"),
        Mutation::JoinTeam {
            team_id: "t1".into(),
        },
        t(8, 0),
    );
    let appoint = Mutation::SetTeamRole {
        team_id: "t1".into(),
        volunteer_id: "v1".into(),
        role: TeamRole::Leader,
    };
    let d = run(&mut s, &leader_of("t1"), appoint.clone(), t(8, 1));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    let d = run(&mut s, &staff("/c/s2/"), appoint.clone(), t(8, 1));
    assert_eq!(
        code(&d),
        Some(RejectCode::Forbidden),
        "another station's staff"
    );
    run(&mut s, &staff("/c/"), appoint, t(8, 1));
    assert_eq!(membership(&mut s, "t1", "v1").role, TeamRole::Leader);
    let d = run(
        &mut s,
        &staff("/c/"),
        Mutation::SetTeamRole {
            team_id: "t1".into(),
            volunteer_id: "v2".into(),
            role: TeamRole::Leader,
        },
        t(8, 2),
    );
    assert_eq!(code(&d), Some(RejectCode::NotFound));
}

fn activity(s: &mut Mem, id: &str) -> Activity {
    match s.get(Kind::Activity, id).unwrap() {
        Some(Record::Activity(a)) => a,
        _ => panic!("no activity {id}"),
    }
}

fn signup_status(s: &mut Mem, activity: &str, volunteer: &str) -> Option<SignupStatus> {
    match s
        .get(Kind::Signup, &format!("{activity}/{volunteer}"))
        .unwrap()
    {
        Some(Record::Signup(x)) => Some(x.status),
        _ => None,
    }
}

fn draft(id: &str, team: Option<&str>) -> Mutation {
    Mutation::CreateActivity {
        activity_id: id.into(),
        site_id: "s1".into(),
        team_id: team.map(Into::into),
        title: "垃圾分类宣传".into(),
        description: String::new(),
        starts_at: t(14, 0),
        ends_at: t(16, 0),
        capacity: 1,
        signup_deadline: Some(t(13, 0)),
        waitlist: true,
        walk_ins: true,
        credit_rounding_minutes: 0,
    }
}

fn step(m: fn(String) -> Mutation, id: &str) -> Mutation {
    m(id.into())
}

#[test]
fn an_activity_moves_draft_published_in_progress_finished_and_not_back() {
    let mut s = Mem::new(true);
    let st = staff("/c/s1/");
    run(&mut s, &st, draft("a2", None), t(8, 0));
    assert_eq!(activity(&mut s, "a2").status, ActivityStatus::Draft);
    assert!(
        !Record::Activity(activity(&mut s, "a2")).scope().public,
        "drafts are not public"
    );
    // Nobody signs up to a draft; nobody but organisers moves it.
    let d = run(
        &mut s,
        &volunteer("v1"),
        Mutation::SignUp {
            activity_id: "a2".into(),
        },
        t(8, 1),
    );
    assert_eq!(code(&d), Some(RejectCode::ActivityClosed));
    let publish = |id: String| Mutation::PublishActivity { activity_id: id };
    let d = run(&mut s, &volunteer("v1"), step(publish, "a2"), t(8, 1));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    let d = run(&mut s, &staff("/c/s2/"), step(publish, "a2"), t(8, 1));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    run(&mut s, &st, step(publish, "a2"), t(8, 2));
    assert!(Record::Activity(activity(&mut s, "a2")).scope().public);
    let finish = |id: String| Mutation::FinishActivity { activity_id: id };
    let d = run(&mut s, &st, step(finish, "a2"), t(8, 3));
    assert_eq!(code(&d), Some(RejectCode::InvalidState), "not started yet");
    run(
        &mut s,
        &st,
        step(|id| Mutation::StartActivity { activity_id: id }, "a2"),
        t(14, 0),
    );
    run(&mut s, &st, step(finish, "a2"), t(16, 0));
    let cancel = Mutation::CancelActivity {
        activity_id: "a2".into(),
        reason: "下雨".into(),
    };
    let d = run(&mut s, &st, cancel, t(16, 1));
    assert_eq!(
        code(&d),
        Some(RejectCode::InvalidState),
        "finished is final"
    );
}

#[test]
fn leaders_organise_for_their_team_at_its_site_only() {
    let mut s = Mem::new(true);
    let d = run(&mut s, &leader_of("t1"), draft("a3", Some("t1")), t(8, 0));
    assert!(matches!(d, Decision::Apply(_)));
    let d = run(&mut s, &leader_of("t1"), draft("a4", Some("t2")), t(8, 0));
    assert_eq!(code(&d), Some(RejectCode::Forbidden), "another team");
    let d = run(&mut s, &leader_of("t1"), draft("a5", None), t(8, 0));
    assert_eq!(
        code(&d),
        Some(RejectCode::Forbidden),
        "no team: site staff only"
    );
    let mut bad = draft("a6", None);
    if let Mutation::CreateActivity { ends_at, .. } = &mut bad {
        *ends_at = t(13, 0);
    }
    let d = run(&mut s, &staff("/c/"), bad, t(8, 0));
    assert_eq!(code(&d), Some(RejectCode::InvalidInput));
}

#[test]
fn a_full_activity_waitlists_and_a_cancellation_promotes_the_first_waiting() {
    let mut s = Mem::new(true);
    let st = staff("/c/s1/");
    run(&mut s, &st, draft("a2", None), t(8, 0));
    run(
        &mut s,
        &st,
        Mutation::PublishActivity {
            activity_id: "a2".into(),
        },
        t(8, 0),
    );
    for v in ["v1", "v2", "v3"] {
        run(
            &mut s,
            &volunteer(v),
            Mutation::SignUp {
                activity_id: "a2".into(),
            },
            t(9, 0),
        );
    }
    assert_eq!(
        signup_status(&mut s, "a2", "v1"),
        Some(SignupStatus::Confirmed)
    );
    assert_eq!(
        signup_status(&mut s, "a2", "v2"),
        Some(SignupStatus::Waitlisted)
    );
    assert_eq!(
        signup_status(&mut s, "a2", "v3"),
        Some(SignupStatus::Waitlisted)
    );
    let a = activity(&mut s, "a2");
    assert_eq!((a.signup_count, a.waitlist_count), (1, 2));

    run(
        &mut s,
        &volunteer("v1"),
        Mutation::CancelSignup {
            activity_id: "a2".into(),
        },
        t(10, 0),
    );
    assert_eq!(signup_status(&mut s, "a2", "v1"), None);
    assert_eq!(
        signup_status(&mut s, "a2", "v2"),
        Some(SignupStatus::Confirmed),
        "first in line"
    );
    assert_eq!(
        signup_status(&mut s, "a2", "v3"),
        Some(SignupStatus::Waitlisted)
    );
    let a = activity(&mut s, "a2");
    assert_eq!((a.signup_count, a.waitlist_count), (1, 1));

    // After the deadline (13:00) nobody signs up, waitlist or not.
    let d = run(
        &mut s,
        &volunteer("v1"),
        Mutation::SignUp {
            activity_id: "a2".into(),
        },
        t(13, 30),
    );
    assert_eq!(code(&d), Some(RejectCode::ActivityClosed));
}

#[test]
fn a_corrected_attendance_keeps_its_times_and_its_history() {
    let mut s = Mem::new(true);
    let st = staff("/c/s1/");
    let ci = |at| Mutation::CheckIn {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        at,
    };
    run(&mut s, &st, ci(t(9, 10)), t(12, 0));
    let fix = Mutation::CorrectAttendance {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        checked_in_at: t(9, 30),
        checked_out_at: Some(t(10, 30)),
        reason: "录入错误".into(),
    };
    run(&mut s, &st, fix.clone(), t(12, 0));
    assert_eq!(
        run(&mut s, &st, fix, t(12, 1)),
        Decision::Apply(vec![]),
        "replayed"
    );
    assert_eq!(
        run(&mut s, &st, ci(t(9, 0)), t(12, 2)),
        Decision::Apply(vec![])
    );
    let Some(Record::Attendance(a)) = s.get(Kind::Attendance, "a1/v1").unwrap() else {
        panic!()
    };
    assert_eq!(
        (a.checked_in_at, a.checked_out_at),
        (t(9, 30), Some(t(10, 30)))
    );
    assert_eq!(a.corrections.len(), 1);
    assert_eq!(a.corrections[0].previous_in, Some(t(9, 10)));
    let Some(Record::HourEntry(h)) = s.get(Kind::HourEntry, "att/a1/v1/1").unwrap() else {
        panic!()
    };
    assert_eq!(h.minutes, 60);
    assert_eq!(
        h.corrects, None,
        "nothing was credited before the correction"
    );
}

#[test]
fn an_activity_without_walk_ins_takes_only_volunteers_with_a_place() {
    let mut s = Mem::new(true);
    let Some(Record::Activity(mut a)) = s.get(Kind::Activity, "a1").unwrap() else {
        panic!()
    };
    a.walk_ins = false;
    s.put(Record::Activity(a));
    let d = run(
        &mut s,
        &staff("/c/s1/"),
        Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: t(9, 0),
        },
        t(9, 0),
    );
    assert_eq!(code(&d), Some(RejectCode::NotSignedUp));
    let mut device = Mem::new(false);
    let Some(Record::Activity(a)) = s.get(Kind::Activity, "a1").unwrap() else {
        panic!()
    };
    device.put(Record::Activity(a));
    let d = run(
        &mut device,
        &staff("/c/s1/"),
        Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: t(9, 0),
        },
        t(9, 0),
    );
    assert_eq!(d, Decision::Defer, "the device may not know every signup");
}

#[test]
fn nobody_corrects_their_own_attendance_and_early_arrival_earns_nothing() {
    let mut s = Mem::new(true);
    let mut lead = leader_of("t1");
    lead.user_id = "v1".into();
    let fix = Mutation::CorrectAttendance {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        checked_in_at: t(7, 30),
        checked_out_at: Some(t(11, 0)),
        reason: "补录".into(),
    };
    let d = run(&mut s, &lead, fix.clone(), t(12, 0));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    // Staff may correct an attendance that exists; the credit still starts
    // at the activity's start (9:00).
    let check_in = Mutation::CheckIn {
        activity_id: "a1".into(),
        volunteer_id: "v1".into(),
        at: t(8, 0),
    };
    run(&mut s, &staff("/c/s1/"), check_in, t(8, 0));
    run(&mut s, &staff("/c/s1/"), fix, t(12, 0));
    let Some(Record::HourEntry(h)) = s.get(Kind::HourEntry, "att/a1/v1/1").unwrap() else {
        panic!()
    };
    assert_eq!((h.minutes, h.started_at), (120, t(9, 0)));
}

#[test]
fn a_removed_member_rejoins_only_on_request_and_the_removal_is_kept() {
    let mut s = Mem::new(true);
    let join = Mutation::JoinTeam {
        team_id: "t1".into(),
    };
    run(&mut s, &volunteer("v1"), join.clone(), t(9, 0));
    let remove = Mutation::RemoveMember {
        team_id: "t1".into(),
        volunteer_id: "v1".into(),
        reason: "多次缺席".into(),
    };
    run(&mut s, &staff("/c/s1/"), remove, t(10, 0));
    // t1 is open, but someone removed comes back only on request.
    run(&mut s, &volunteer("v1"), join, t(11, 0));
    let Some(Record::Membership(m)) = s.get(Kind::Membership, "t1/v1").unwrap() else {
        panic!()
    };
    assert_eq!(m.status, MembershipStatus::Requested);
    assert_eq!(m.history.len(), 1);
    assert_eq!(
        (m.history[0].status, m.history[0].reason.as_deref()),
        (MembershipStatus::Removed, Some("多次缺席"))
    );
}

#[test]
fn a_rejected_report_is_reopened_and_a_record_disputed_and_resolved() {
    use crate::records::HourEventKind;
    let mut s = Mem::new(true);
    let report = Mutation::ReportHours {
        entry_id: "e1".into(),
        volunteer_id: "v1".into(),
        activity_id: None,
        started_at: t(8, 0),
        minutes: 60,
        description: String::new(),
        team_id: None,
    };
    let admin = Actor {
        role: Role::Admin,
        site_path: None,
        ..staff("/c/")
    };
    run(&mut s, &volunteer("v1"), report, t(9, 0));
    let review = |approve| Mutation::ReviewHours {
        entry_id: "e1".into(),
        approve,
        reason: Some("缺少证明".into()),
    };
    run(&mut s, &admin, review(false), t(9, 5));
    let reopen = Mutation::ReopenHours {
        entry_id: "e1".into(),
        reason: "补交了证明".into(),
    };
    // Only a reviewer re-opens: not the volunteer.
    let d = run(&mut s, &volunteer("v1"), reopen.clone(), t(9, 10));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    run(&mut s, &admin, reopen, t(9, 10));
    let entry = |s: &mut Mem| match s.get(Kind::HourEntry, "e1").unwrap() {
        Some(Record::HourEntry(h)) => h,
        _ => panic!("no entry"),
    };
    let h = entry(&mut s);
    assert_eq!(h.status, HourStatus::Pending);
    assert_eq!(h.history[0].kind, HourEventKind::Reopened);
    assert!(
        h.history[0].reason.contains("缺少证明"),
        "the rejection is kept"
    );
    run(&mut s, &admin, review(true), t(9, 15));

    let dispute = |reason: &str| Mutation::DisputeHours {
        entry_id: "e1".into(),
        reason: reason.into(),
    };
    let d = run(&mut s, &admin, dispute("不对"), t(9, 20));
    assert_eq!(code(&d), Some(RejectCode::Forbidden), "only its volunteer");
    run(
        &mut s,
        &volunteer("v1"),
        dispute("实际服务了90分钟"),
        t(9, 20),
    );
    let d = run(&mut s, &volunteer("v1"), dispute("另一个理由"), t(9, 21));
    assert_eq!(code(&d), Some(RejectCode::InvalidState), "one open dispute");
    let resolve = Mutation::ResolveDispute {
        entry_id: "e1".into(),
        accept: true,
        reason: "已核实，另行更正".into(),
    };
    let d = run(&mut s, &volunteer("v1"), resolve.clone(), t(9, 25));
    assert_eq!(
        code(&d),
        Some(RejectCode::Forbidden),
        "not by the volunteer"
    );
    run(&mut s, &admin, resolve, t(9, 25));
    let kinds: Vec<HourEventKind> = entry(&mut s).history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            HourEventKind::Reopened,
            HourEventKind::Disputed,
            HourEventKind::DisputeAccepted
        ]
    );
}

fn hour_entry(s: &mut Mem, id: &str) -> HourEntry {
    match s.get(Kind::HourEntry, id).unwrap() {
        Some(Record::HourEntry(h)) => h,
        other => panic!("no entry {id}: {other:?}"),
    }
}

fn day(d: u32, h: u32) -> DateTime<Utc> {
    format!("2026-12-{d:02}T{h:02}:00:00Z").parse().unwrap()
}

#[test]
fn a_record_after_its_deadline_is_flagged_late_and_approved_by_site_staff() {
    let mut s = Mem::new(true);
    s.put(Record::Activity(Activity {
        status: ActivityStatus::Published,
        team_id: Some("t1".into()),
        ..Activity::new("a2", "s1", "探访", t(9, 0), t(11, 0), 5)
    }));
    // Tuesday 1 December ends at 19:00 Shanghai: due by the end of
    // Tuesday 15 December (ten working days), Shanghai time.
    let due: DateTime<Utc> = "2026-12-15T16:00:00Z".parse().unwrap();
    assert_eq!(recording_deadline(t(11, 0)), due);
    for v in ["v1", "v2"] {
        let sign = Mutation::SignUp {
            activity_id: "a2".into(),
        };
        run(&mut s, &volunteer(v), sign, t(8, 0));
    }
    let report = |v: &str| Mutation::ReportHours {
        entry_id: format!("r-{v}"),
        volunteer_id: v.into(),
        activity_id: Some("a2".into()),
        started_at: t(9, 0),
        minutes: 120,
        description: String::new(),
        team_id: None,
    };
    // On time: the team's leader approves it.
    run(&mut s, &volunteer("v1"), report("v1"), day(15, 15));
    let on_time = hour_entry(&mut s, "r-v1");
    assert_eq!((on_time.due_by, on_time.late), (Some(due), false));
    let approve = |id: &str| Mutation::ReviewHours {
        entry_id: id.into(),
        approve: true,
        reason: None,
    };
    let d = run(&mut s, &leader_of("t1"), approve("r-v1"), day(16, 0));
    assert!(matches!(d, Decision::Apply(_)), "{d:?}");
    // The hours count for the activity's own team, not another of the
    // volunteer's choosing.
    let mut elsewhere = report("v2");
    if let Mutation::ReportHours { team_id, .. } = &mut elsewhere {
        *team_id = Some("t2".into());
    }
    let d = run(&mut s, &volunteer("v2"), elsewhere, day(15, 15));
    assert_eq!(code(&d), Some(RejectCode::InvalidInput));
    // A minute past the deadline: still taken, flagged, for the site's staff.
    run(
        &mut s,
        &volunteer("v2"),
        report("v2"),
        due + Duration::minutes(1),
    );
    assert!(hour_entry(&mut s, "r-v2").late);
    let d = run(&mut s, &leader_of("t1"), approve("r-v2"), day(16, 0));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    let d = run(&mut s, &staff("/c/s2/"), approve("r-v2"), day(16, 0));
    assert_eq!(
        code(&d),
        Some(RejectCode::Forbidden),
        "another site's staff"
    );
    run(&mut s, &staff("/c/s1/"), approve("r-v2"), day(16, 0));
    assert_eq!(hour_entry(&mut s, "r-v2").status, HourStatus::Confirmed);
    // Past the late limit nobody reports it.
    let mut old = report("v1");
    if let Mutation::ReportHours {
        entry_id,
        activity_id,
        ..
    } = &mut old
    {
        *entry_id = "r-old".into();
        *activity_id = None;
    }
    let d = run(
        &mut s,
        &volunteer("v1"),
        old,
        t(11, 0) + LATE_RECORD_LIMIT + Duration::hours(1),
    );
    assert_eq!(code(&d), Some(RejectCode::TooLate));
}

#[test]
fn late_attendance_is_flagged_and_its_correction_keeps_the_flag() {
    let mut s = Mem::new(true);
    let st = staff("/c/s1/");
    let record = |v: &str, out| Mutation::CorrectAttendance {
        activity_id: "a1".into(),
        volunteer_id: v.into(),
        checked_in_at: t(9, 0),
        checked_out_at: Some(out),
        reason: "补录".into(),
    };
    let ci = |v: &str| Mutation::CheckIn {
        activity_id: "a1".into(),
        volunteer_id: v.into(),
        at: t(9, 0),
    };
    let co = |v: &str| Mutation::CheckOut {
        activity_id: "a1".into(),
        volunteer_id: v.into(),
        at: t(11, 0),
    };
    // v1 recorded in full on the day; v2's check-out only after the deadline.
    run(&mut s, &st, ci("v1"), t(9, 0));
    run(&mut s, &st, co("v1"), t(11, 0));
    run(&mut s, &st, ci("v2"), t(9, 0));
    run(&mut s, &st, co("v2"), day(21, 2));
    assert!(!hour_entry(&mut s, "att/a1/v1").late);
    assert!(hour_entry(&mut s, "att/a1/v2").late);
    // A correction weeks later is not a late record; it keeps the flag of
    // what it corrects.
    run(&mut s, &st, record("v1", t(10, 0)), day(21, 3));
    run(&mut s, &st, record("v2", t(10, 0)), day(21, 3));
    assert!(!hour_entry(&mut s, "att/a1/v1/1").late);
    assert!(hour_entry(&mut s, "att/a1/v2/1").late);
}

#[test]
fn a_completed_order_is_a_service_record_the_audit_traces_to_it() {
    let mut s = Mem::new(true);
    let join = Mutation::JoinTeam {
        team_id: "t1".into(),
    };
    run(&mut s, &volunteer("v1"), join, t(0, 0));
    let resident = Actor {
        user_id: "r1".into(),
        role: Role::Resident,
        ..volunteer("r1")
    };
    let st = staff("/c/s1/");
    let steps = [
        (
            &resident,
            Mutation::PlaceOrder {
                order_id: "o1".into(),
                site_id: "s1".into(),
                category: "助老".into(),
                description: "代买药品".into(),
                desired_at: None,
                phone: "13800000000".into(),
                address: "幸福里".into(),
                requester_id: None,
            },
        ),
        (
            &st,
            Mutation::DispatchOrder {
                order_id: "o1".into(),
                team_id: None,
                volunteer_id: Some("v1".into()),
            },
        ),
        (
            &volunteer("v1"),
            Mutation::RespondToOrder {
                order_id: "o1".into(),
                accept: true,
                reason: None,
                offer: None,
            },
        ),
    ];
    for (actor, m) in steps {
        let d = run(&mut s, actor, m, t(8, 0));
        assert!(matches!(d, Decision::Apply(_)), "{d:?}");
    }
    let complete = |volunteers: Vec<String>| Mutation::CompleteOrder {
        order_id: "o1".into(),
        started_at: Some(t(8, 30)),
        minutes: 60,
        volunteer_ids: volunteers,
    };
    let d = run(
        &mut s,
        &volunteer("v1"),
        complete(vec!["v2".into()]),
        t(9, 30),
    );
    assert_eq!(code(&d), Some(RejectCode::InvalidInput), "not v1's to give");
    let no_start = Mutation::CompleteOrder {
        order_id: "o1".into(),
        started_at: None,
        minutes: 60,
        volunteer_ids: vec![],
    };
    let d = run(&mut s, &volunteer("v1"), no_start, t(9, 30));
    assert_eq!(
        code(&d),
        Some(RejectCode::InvalidInput),
        "minutes need a start"
    );
    run(&mut s, &volunteer("v1"), complete(vec![]), t(9, 30));
    let key = HourEntry::order_key("o1", "v1");
    let h = hour_entry(&mut s, &key);
    assert_eq!(
        (h.status, h.minutes, h.source),
        (HourStatus::Pending, 60, HourSource::Order)
    );
    let approve = Mutation::ReviewHours {
        entry_id: key.clone(),
        approve: true,
        reason: None,
    };
    // The assignee's word is checked by the site's staff only.
    let d = run(&mut s, &leader_of("t1"), approve.clone(), t(10, 0));
    assert_eq!(code(&d), Some(RejectCode::Forbidden));
    run(&mut s, &st, approve, t(10, 0));
    let rate = Mutation::RateOrder {
        order_id: "o1".into(),
        stars: 4,
        comment: None,
    };
    run(&mut s, &resident, rate, t(11, 0));
    assert_eq!(hour_entry(&mut s, &key).rating, Some(4));
    let records: Vec<Record> = s.rows.values().cloned().collect();
    crate::audit::check(&records).unwrap();

    // The checker fails on an order record that does not trace to its order.
    let tamper = |f: &dyn Fn(&mut Record)| {
        let mut broken = records.clone();
        broken.iter_mut().for_each(f);
        crate::audit::check(&broken)
    };
    assert!(
        tamper(&|r| if let Record::ServiceOrder(o) = r {
            o.served_by.clear();
        })
        .is_err()
    );
    assert!(
        tamper(&|r| if let Record::HourEntry(h) = r {
            h.reviewed_by = Some(h.recorded_by.clone());
        })
        .is_err()
    );
    assert!(
        tamper(&|r| if let Record::ServiceOrder(o) = r {
            o.status = OrderStatus::Cancelled;
        })
        .is_err()
    );
}

#[test]
fn staff_take_back_an_accepted_order_to_give_it_to_someone_else() {
    let mut s = Mem::new(true);
    for v in ["v1", "v2"] {
        let join = Mutation::JoinTeam {
            team_id: "t1".into(),
        };
        run(&mut s, &volunteer(v), join, t(0, 0));
    }
    let resident = Actor {
        user_id: "r1".into(),
        role: Role::Resident,
        ..volunteer("r1")
    };
    let st = staff("/c/s1/");
    let place = Mutation::PlaceOrder {
        order_id: "o1".into(),
        site_id: "s1".into(),
        category: "助老".into(),
        description: "陪同就医".into(),
        desired_at: None,
        phone: "13800000000".into(),
        address: "幸福里".into(),
        requester_id: None,
    };
    let dispatch = |v: &str| Mutation::DispatchOrder {
        order_id: "o1".into(),
        team_id: None,
        volunteer_id: Some(v.into()),
    };
    let accept = Mutation::RespondToOrder {
        order_id: "o1".into(),
        accept: true,
        reason: None,
        offer: None,
    };
    let withdraw = |reason: &str| Mutation::WithdrawOrder {
        order_id: "o1".into(),
        reason: reason.into(),
    };
    for (actor, m) in [
        (&resident, place),
        (&st, dispatch("v1")),
        (&volunteer("v1"), accept.clone()),
    ] {
        let d = run(&mut s, actor, m, t(8, 0));
        assert!(matches!(d, Decision::Apply(_)), "{d:?}");
    }
    let copy = OrderContact::copy_key("o1", None, Some("v1"));
    assert!(s.get(Kind::OrderContact, &copy).unwrap().is_some());

    // Neither the assignee, another station's staff nor a blank reason.
    let other = staff("/c/s2/");
    for (actor, m, want) in [
        (&volunteer("v1"), withdraw("病了"), RejectCode::Forbidden),
        (&other, withdraw("改派"), RejectCode::Forbidden),
        (&st, withdraw(" "), RejectCode::InvalidInput),
    ] {
        let d = run(&mut s, actor, m, t(8, 10));
        assert_eq!(code(&d), Some(want), "{d:?}");
    }
    let d = run(&mut s, &st, withdraw("志愿者生病，改派"), t(8, 10));
    assert!(matches!(d, Decision::Apply(_)), "{d:?}");
    let Some(Record::ServiceOrder(o)) = s.get(Kind::ServiceOrder, "o1").unwrap() else {
        panic!("no order");
    };
    assert_eq!(o.status, OrderStatus::Submitted);
    assert_eq!(o.assignee_volunteer_id, None);
    assert_eq!(o.declined_by_volunteer_id.as_deref(), Some("v1"));
    assert!(
        s.get(Kind::OrderContact, &copy).unwrap().is_none(),
        "v1 keeps no copy of the contact"
    );
    // v1 can no longer finish it; v2 takes it.
    let complete = Mutation::CompleteOrder {
        order_id: "o1".into(),
        started_at: Some(t(8, 20)),
        minutes: 30,
        volunteer_ids: vec![],
    };
    let d = run(&mut s, &volunteer("v1"), complete, t(9, 0));
    assert_eq!(code(&d), Some(RejectCode::Forbidden), "{d:?}");
    for (actor, m) in [(&st, dispatch("v2")), (&volunteer("v2"), accept)] {
        let d = run(&mut s, actor, m, t(9, 0));
        assert!(matches!(d, Decision::Apply(_)), "{d:?}");
    }
    let served = Mutation::CompleteOrder {
        order_id: "o1".into(),
        started_at: Some(t(9, 5)),
        minutes: 30,
        volunteer_ids: vec![],
    };
    let d = run(&mut s, &volunteer("v2"), served, t(9, 40));
    assert!(matches!(d, Decision::Apply(_)), "{d:?}");
    // A finished order is not taken back.
    let d = run(&mut s, &st, withdraw("改派"), t(9, 40));
    assert_eq!(code(&d), Some(RejectCode::InvalidState), "{d:?}");
}
