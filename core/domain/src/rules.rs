//! The one definition of each mutation's rule: who may do it, when it is
//! refused, and which records it writes.
//!
//! [`decide`] is pure: it reads through [`State`] and returns a [`Decision`].
//! The server runs it with authoritative state inside its write transaction;
//! the device runs it over its replica for the optimistic effect. A device
//! lacks other users' data, so where a decision needs facts it does not hold
//! (an activity it never pulled, the true signup count) it answers
//! [`Decision::Defer`] or applies optimistically, and the server decides.
//!
//! Every rule is idempotent with respect to its own effect (joining twice is one
//! membership, a repeated check-in keeps the earliest time), because the device
//! replays pending mutations on top of fresh server state after every pull.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::mutation::{Mutation, MutationEnvelope};
use crate::records::{
    Activity, ActivityStatus, Attendance, HourEntry, HourSource, HourStatus, Kind, Membership,
    Record, Role, Signup, Site, Team, pair_key,
};

/// How far ahead of the server's clock a device timestamp may be.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(10);
/// Longest single self-reported entry.
pub const MAX_REPORT_MINUTES: u32 = 24 * 60;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest id argument (ids are UUIDs or `a/b` pairs of them).
pub const MAX_ID_LEN: usize = 100;

/// The user a mutation is decided for, as the deciding side knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    /// Path of the staff member's site (see [`Site::path`]); `None` otherwise.
    pub site_path: Option<String>,
}

impl Actor {
    /// Whether this user may act at the site with this path.
    pub fn may_manage(&self, site_path: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Staff => self
                .site_path
                .as_deref()
                .is_some_and(|own| site_path.starts_with(own)),
            Role::Volunteer => false,
        }
    }
}

/// Why a mutation was refused. The string form is stable: apps translate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The user's role or scope does not allow this action.
    Forbidden,
    /// A referenced team, activity or volunteer does not exist.
    NotFound,
    /// Every place of the activity is taken.
    ActivityFull,
    /// The activity is cancelled or already over.
    ActivityClosed,
    /// Check-out of a volunteer who was never checked in.
    NotCheckedIn,
    /// An argument is out of range (times, minutes, text length).
    InvalidInput,
    /// A timestamp lies further in the future than the device clock may be trusted.
    ClockSkew,
}

impl RejectCode {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::Forbidden => "forbidden",
            RejectCode::NotFound => "not_found",
            RejectCode::ActivityFull => "activity_full",
            RejectCode::ActivityClosed => "activity_closed",
            RejectCode::NotCheckedIn => "not_checked_in",
            RejectCode::InvalidInput => "invalid_input",
            RejectCode::ClockSkew => "clock_skew",
        }
    }

    pub fn parse(s: &str) -> Option<RejectCode> {
        use RejectCode::*;
        [
            Forbidden,
            NotFound,
            ActivityFull,
            ActivityClosed,
            NotCheckedIn,
            InvalidInput,
            ClockSkew,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    /// A human message without personal data.
    pub message: String,
}

fn reject(code: RejectCode, message: impl Into<String>) -> Decision {
    Decision::Reject(Rejection {
        code,
        message: message.into(),
    })
}

/// A write a mutation makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Put(Record),
    Delete { kind: Kind, key: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Write these effects (possibly none: the fact already holds).
    Apply(Vec<Effect>),
    /// Only the server can decide; the device queues without a local effect.
    Defer,
    Reject(Rejection),
}

/// Read access to the state a rule needs.
pub trait State {
    type Error;
    /// True on the server: a missing record does not exist, counts are exact.
    fn authoritative(&self) -> bool;
    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, Self::Error>;
    /// The display name of a volunteer, if this side knows them.
    fn volunteer_name(&mut self, volunteer_id: &str) -> Result<Option<String>, Self::Error>;
}

macro_rules! getter {
    ($name:ident, $kind:ident, $ty:ty) => {
        fn $name<S: State>(s: &mut S, key: &str) -> Result<Option<$ty>, S::Error> {
            Ok(match s.get(Kind::$kind, key)? {
                Some(Record::$kind(r)) => Some(r),
                _ => None,
            })
        }
    };
}
getter!(get_site, Site, Site);
getter!(get_team, Team, Team);
getter!(get_activity, Activity, Activity);
getter!(get_membership, Membership, Membership);
getter!(get_signup, Signup, Signup);
getter!(get_attendance, Attendance, Attendance);
getter!(get_hour_entry, HourEntry, HourEntry);

/// What to do when a referenced record is absent: the server knows it does
/// not exist; the device only knows it has not seen it.
fn missing<S: State>(s: &S, what: &str) -> Decision {
    if s.authoritative() {
        reject(RejectCode::NotFound, format!("{what} not found"))
    } else {
        Decision::Defer
    }
}

/// Decide one mutation for `actor`. `now` is the deciding side's clock (the
/// server's receive time on the server).
pub fn decide<S: State>(
    env: &MutationEnvelope,
    actor: &Actor,
    now: DateTime<Utc>,
    s: &mut S,
) -> Result<Decision, S::Error> {
    if env.created_at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::ClockSkew,
            "the device clock is ahead of the server's; correct it and resend",
        ));
    }
    if let Some(field) = bad_id(&env.mutation) {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!("{field} must be 1 to {MAX_ID_LEN} characters"),
        ));
    }
    let acted_at = env.created_at;
    match &env.mutation {
        Mutation::JoinTeam { team_id } => join_team(s, actor, team_id, acted_at),
        Mutation::LeaveTeam { team_id } => leave_team(s, actor, team_id),
        Mutation::SignUp { activity_id } => sign_up(s, actor, activity_id, acted_at, now),
        Mutation::CancelSignup { activity_id } => cancel_signup(s, actor, activity_id),
        Mutation::ReportHours {
            entry_id,
            volunteer_id,
            activity_id,
            started_at,
            minutes,
            description,
        } => report_hours(
            s,
            actor,
            now,
            ReportArgs {
                entry_id,
                volunteer_id,
                activity_id: activity_id.as_deref(),
                started_at: *started_at,
                minutes: *minutes,
                description,
            },
        ),
        Mutation::CheckIn {
            activity_id,
            volunteer_id,
            at,
        } => check_in(s, actor, now, activity_id, volunteer_id, *at),
        Mutation::CheckOut {
            activity_id,
            volunteer_id,
            at,
        } => check_out(s, actor, now, activity_id, volunteer_id, *at),
    }
}

/// The first id argument that is empty or too long, by field name.
fn bad_id(m: &Mutation) -> Option<&'static str> {
    let ok = |id: &str| !id.is_empty() && id.len() <= MAX_ID_LEN;
    match m {
        Mutation::JoinTeam { team_id } | Mutation::LeaveTeam { team_id } => {
            (!ok(team_id)).then_some("team_id")
        }
        Mutation::SignUp { activity_id } | Mutation::CancelSignup { activity_id } => {
            (!ok(activity_id)).then_some("activity_id")
        }
        Mutation::ReportHours {
            entry_id,
            volunteer_id,
            activity_id,
            ..
        } => {
            if !ok(entry_id) {
                Some("entry_id")
            } else if !ok(volunteer_id) {
                Some("volunteer_id")
            } else if activity_id.as_deref().is_some_and(|a| !ok(a)) {
                Some("activity_id")
            } else {
                None
            }
        }
        Mutation::CheckIn {
            activity_id,
            volunteer_id,
            ..
        }
        | Mutation::CheckOut {
            activity_id,
            volunteer_id,
            ..
        } => {
            if !ok(activity_id) {
                Some("activity_id")
            } else if !ok(volunteer_id) {
                Some("volunteer_id")
            } else {
                None
            }
        }
    }
}

fn volunteer_only(actor: &Actor) -> Option<Decision> {
    (actor.role != Role::Volunteer).then(|| {
        reject(
            RejectCode::Forbidden,
            "only volunteers can do this for themselves",
        )
    })
}

fn join_team<S: State>(
    s: &mut S,
    actor: &Actor,
    team_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let Some(mut team) = get_team(s, team_id)? else {
        return Ok(missing(s, "team"));
    };
    if get_membership(s, &pair_key(team_id, &actor.user_id))?.is_some() {
        return Ok(Decision::Apply(vec![]));
    }
    team.member_count += 1;
    let membership = Membership {
        team_id: team_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        volunteer_name: actor.name.clone(),
        site_id: team.site_id.clone(),
        joined_at: at,
    };
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Membership(membership)),
        Effect::Put(Record::Team(team)),
    ]))
}

fn leave_team<S: State>(s: &mut S, actor: &Actor, team_id: &str) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let key = pair_key(team_id, &actor.user_id);
    if get_membership(s, &key)?.is_none() {
        // Leaving twice (say from two phones) is not an error.
        return Ok(if s.authoritative() {
            Decision::Apply(vec![])
        } else {
            Decision::Defer
        });
    }
    let mut effects = vec![Effect::Delete {
        kind: Kind::Membership,
        key,
    }];
    if let Some(mut team) = get_team(s, team_id)? {
        team.member_count = team.member_count.saturating_sub(1);
        effects.push(Effect::Put(Record::Team(team)));
    }
    Ok(Decision::Apply(effects))
}

fn sign_up<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let Some(mut activity) = get_activity(s, activity_id)? else {
        return Ok(missing(s, "activity"));
    };
    // Judged by the deciding side's clock: a device cannot backdate its way in.
    if let Some(d) = closed(&activity, now) {
        return Ok(d);
    }
    if get_signup(s, &pair_key(activity_id, &actor.user_id))?.is_some() {
        return Ok(Decision::Apply(vec![]));
    }
    // Only the server sees every signup; a device signs up optimistically and
    // the server decides capacity in the order it receives signups.
    if s.authoritative() && activity.signup_count >= activity.capacity {
        return Ok(reject(
            RejectCode::ActivityFull,
            "every place of this activity is taken",
        ));
    }
    activity.signup_count += 1;
    let signup = Signup {
        activity_id: activity_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        volunteer_name: actor.name.clone(),
        site_id: activity.site_id.clone(),
        signed_up_at: at,
    };
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Signup(signup)),
        Effect::Put(Record::Activity(activity)),
    ]))
}

fn closed(activity: &Activity, at: DateTime<Utc>) -> Option<Decision> {
    if activity.status == ActivityStatus::Cancelled {
        Some(reject(
            RejectCode::ActivityClosed,
            "the activity is cancelled",
        ))
    } else if activity.ends_at <= at {
        Some(reject(RejectCode::ActivityClosed, "the activity is over"))
    } else {
        None
    }
}

fn cancel_signup<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
) -> Result<Decision, S::Error> {
    if let Some(d) = volunteer_only(actor) {
        return Ok(d);
    }
    let key = pair_key(activity_id, &actor.user_id);
    if get_signup(s, &key)?.is_none() {
        return Ok(if s.authoritative() {
            Decision::Apply(vec![])
        } else {
            Decision::Defer
        });
    }
    let mut effects = vec![Effect::Delete {
        kind: Kind::Signup,
        key,
    }];
    if let Some(mut activity) = get_activity(s, activity_id)? {
        activity.signup_count = activity.signup_count.saturating_sub(1);
        effects.push(Effect::Put(Record::Activity(activity)));
    }
    Ok(Decision::Apply(effects))
}

struct ReportArgs<'a> {
    entry_id: &'a str,
    volunteer_id: &'a str,
    activity_id: Option<&'a str>,
    started_at: DateTime<Utc>,
    minutes: u32,
    description: &'a str,
}

fn report_hours<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    a: ReportArgs<'_>,
) -> Result<Decision, S::Error> {
    if actor.role != Role::Volunteer || a.volunteer_id != actor.user_id {
        return Ok(reject(
            RejectCode::Forbidden,
            "volunteers report hours only for themselves",
        ));
    }
    if a.minutes == 0 || a.minutes > MAX_REPORT_MINUTES {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!("minutes must be between 1 and {MAX_REPORT_MINUTES}"),
        ));
    }
    if a.description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!("description is longer than {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if a.started_at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::InvalidInput,
            "hours cannot start in the future",
        ));
    }
    if a.entry_id.is_empty() || a.entry_id.starts_with("att/") {
        return Ok(reject(RejectCode::InvalidInput, "invalid entry id"));
    }
    if let Some(existing) = get_hour_entry(s, a.entry_id)? {
        // The same entry resent: nothing to do. Someone else's id: refuse.
        return Ok(if existing.volunteer_id == actor.user_id {
            Decision::Apply(vec![])
        } else {
            reject(RejectCode::Forbidden, "entry id belongs to another user")
        });
    }
    let site_id = match a.activity_id {
        None => None,
        Some(id) => match get_activity(s, id)? {
            Some(activity) => Some(activity.site_id),
            None if s.authoritative() => return Ok(missing(s, "activity")),
            None => None,
        },
    };
    let entry = HourEntry {
        id: a.entry_id.to_owned(),
        volunteer_id: actor.user_id.clone(),
        activity_id: a.activity_id.map(str::to_owned),
        site_id,
        source: HourSource::SelfReport,
        status: HourStatus::Pending,
        started_at: a.started_at,
        minutes: a.minutes,
        description: a.description.to_owned(),
        recorded_by: actor.user_id.clone(),
    };
    Ok(Decision::Apply(vec![Effect::Put(Record::HourEntry(entry))]))
}

/// The activity, its site's path, and whether `actor` may record attendance there.
fn attendance_target<S: State>(
    s: &mut S,
    actor: &Actor,
    activity_id: &str,
) -> Result<Result<Activity, Decision>, S::Error> {
    if actor.role == Role::Volunteer {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "only staff record attendance",
        )));
    }
    let Some(activity) = get_activity(s, activity_id)? else {
        return Ok(Err(missing(s, "activity")));
    };
    let Some(site) = get_site(s, &activity.site_id)? else {
        return Ok(Err(missing(s, "site")));
    };
    if actor.role == Role::Staff && actor.site_path.is_none() && !s.authoritative() {
        // This device has not pulled its own site yet: the server decides.
        return Ok(Err(Decision::Defer));
    }
    if !actor.may_manage(&site.path) {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "the activity is outside your sites",
        )));
    }
    if activity.status == ActivityStatus::Cancelled {
        return Ok(Err(reject(
            RejectCode::ActivityClosed,
            "the activity is cancelled",
        )));
    }
    Ok(Ok(activity))
}

fn check_in<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::ClockSkew,
            "check-in time is in the future",
        ));
    }
    let activity = match attendance_target(s, actor, activity_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    let key = pair_key(activity_id, volunteer_id);
    let attendance = match get_attendance(s, &key)? {
        Some(mut existing) => {
            if existing.checked_in_at <= at {
                return Ok(Decision::Apply(vec![]));
            }
            existing.checked_in_at = at;
            existing.recorded_by = actor.user_id.clone();
            existing
        }
        None => {
            let name = match get_signup(s, &key)? {
                Some(signup) => Some(signup.volunteer_name),
                None => s.volunteer_name(volunteer_id)?,
            };
            let name = match name {
                Some(n) => n,
                None if s.authoritative() => return Ok(missing(s, "volunteer")),
                // A walk-in this device has never seen: the server fills the name.
                None => String::new(),
            };
            Attendance {
                activity_id: activity_id.to_owned(),
                volunteer_id: volunteer_id.to_owned(),
                volunteer_name: name,
                site_id: activity.site_id.clone(),
                checked_in_at: at,
                checked_out_at: None,
                recorded_by: actor.user_id.clone(),
            }
        }
    };
    Ok(Decision::Apply(attendance_effects(&activity, attendance)))
}

fn check_out<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    activity_id: &str,
    volunteer_id: &str,
    at: DateTime<Utc>,
) -> Result<Decision, S::Error> {
    if at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::ClockSkew,
            "check-out time is in the future",
        ));
    }
    let activity = match attendance_target(s, actor, activity_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    let Some(mut attendance) = get_attendance(s, &pair_key(activity_id, volunteer_id))? else {
        return Ok(if s.authoritative() {
            reject(
                RejectCode::NotCheckedIn,
                "the volunteer was not checked in at this activity",
            )
        } else {
            // Another device may have checked them in: let the server decide.
            Decision::Defer
        });
    };
    if at < attendance.checked_in_at {
        return Ok(reject(
            RejectCode::InvalidInput,
            "check-out is earlier than check-in",
        ));
    }
    if attendance.checked_out_at.is_some_and(|out| out >= at) {
        return Ok(Decision::Apply(vec![]));
    }
    attendance.checked_out_at = Some(at);
    attendance.recorded_by = actor.user_id.clone();
    Ok(Decision::Apply(attendance_effects(&activity, attendance)))
}

/// The attendance row plus, once checked out, the hour entry it earns.
fn attendance_effects(activity: &Activity, attendance: Attendance) -> Vec<Effect> {
    let mut effects = Vec::with_capacity(2);
    if let Some(out) = attendance.checked_out_at {
        effects.push(Effect::Put(Record::HourEntry(HourEntry {
            id: HourEntry::attendance_key(&attendance.activity_id, &attendance.volunteer_id),
            volunteer_id: attendance.volunteer_id.clone(),
            activity_id: Some(activity.id.clone()),
            site_id: Some(activity.site_id.clone()),
            source: HourSource::Attendance,
            status: HourStatus::Confirmed,
            started_at: attendance.checked_in_at,
            minutes: credited_minutes(activity, attendance.checked_in_at, out),
            description: activity.title.clone(),
            recorded_by: attendance.recorded_by.clone(),
        })));
    }
    effects.insert(0, Effect::Put(Record::Attendance(attendance)));
    effects
}

/// Whole minutes from check-in to check-out, capped at the activity's end.
pub fn credited_minutes(activity: &Activity, checked_in: DateTime<Utc>, out: DateTime<Utc>) -> u32 {
    let end = out.min(activity.ends_at);
    u32::try_from((end - checked_in).num_minutes().max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::SiteLevel;
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
            }));
            m.put(Record::Site(Site {
                id: "s1".into(),
                parent_id: Some("c".into()),
                level: SiteLevel::Station,
                name: "站一".into(),
                path: "/c/s1/".into(),
            }));
            m.put(Record::Site(Site {
                id: "s2".into(),
                parent_id: Some("c".into()),
                level: SiteLevel::Station,
                name: "站二".into(),
                path: "/c/s2/".into(),
            }));
            m.put(Record::Activity(Activity {
                id: "a1".into(),
                site_id: "s1".into(),
                team_id: None,
                title: "敬老".into(),
                description: String::new(),
                starts_at: t(9, 0),
                ends_at: t(11, 0),
                capacity: 1,
                signup_count: 0,
                status: ActivityStatus::Published,
            }));
            m.put(Record::Team(Team {
                id: "t1".into(),
                site_id: "s1".into(),
                name: "红马甲".into(),
                description: String::new(),
                member_count: 0,
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
        }
    }

    fn staff(path: &str) -> Actor {
        Actor {
            user_id: "st".into(),
            name: "社工".into(),
            role: Role::Staff,
            site_path: Some(path.into()),
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
        assert!(
            matches!(run(&mut s, &v, join.clone(), t(8, 0)), Decision::Apply(e) if e.len() == 2)
        );
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
        let d = run(
            &mut s,
            &st,
            Mutation::CheckIn {
                activity_id: "a1".into(),
                volunteer_id: "v1".into(),
                at: t(9, 0),
            },
            t(9, 0),
        );
        assert_eq!(d, Decision::Defer);
    }

    #[test]
    fn reject_codes_round_trip() {
        for c in [
            RejectCode::Forbidden,
            RejectCode::NotFound,
            RejectCode::ActivityFull,
            RejectCode::ActivityClosed,
            RejectCode::NotCheckedIn,
            RejectCode::InvalidInput,
            RejectCode::ClockSkew,
        ] {
            assert_eq!(RejectCode::parse(c.as_str()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
    }
}
