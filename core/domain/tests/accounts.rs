//! The account invariant, by property: in a four-level district, sequences
//! of account and site steps by arbitrary users (forbidden ones included)
//! go through the real rules with authoritative state, and after every
//! applied step an independent checker asks whether the step widened
//! anyone's authority beyond what its actor held:
//!
//! - nobody changes their own account, and no step makes an admin;
//! - a staff member touches only accounts they could have made: volunteers
//!   and residents of their subtree, staff strictly below their own site,
//!   both as the account was and as it becomes;
//! - a staff member's new site lies strictly below their own, one level
//!   below its parent, on its parent's path.
//!
//! `the_checker_catches_broken_rules` swaps in rules with a known hole and
//! expects a report, so the property is not vacuous.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{World, real_rules};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use volunteer_domain::rules::{level_below, may_manage_account};
use volunteer_domain::*;

impl World {
    fn site(&self, id: &str) -> Option<Site> {
        match self.rows.get(&(Kind::Site, id.to_owned())) {
            Some(Record::Site(s)) => Some(s.clone()),
            _ => None,
        }
    }
    fn account(&self, id: &str) -> Option<Account> {
        match self.rows.get(&(Kind::Account, id.to_owned())) {
            Some(Record::Account(a)) => Some(a.clone()),
            _ => None,
        }
    }
    fn path(&self, site: Option<&str>) -> Option<String> {
        site.and_then(|s| self.site(s)).map(|s| s.path)
    }
    /// The user as the server would authenticate them, if they may sign in.
    fn actor(&self, id: &str) -> Option<Actor> {
        let a = self.account(id).filter(Account::may_sign_in)?;
        let profile = Profile {
            user_id: a.user_id.clone(),
            display_name: a.display_name.clone(),
            role: a.role,
            site_id: a.site_id.clone(),
            phone: None,
        };
        let site = a.site_id.as_deref().and_then(|s| self.site(s));
        Some(Actor::for_user(&profile, site.as_ref(), []))
    }
}

fn t0() -> DateTime<Utc> {
    "2026-12-01T02:00:00Z".parse().unwrap()
}

/// center c > institutes i1, i2 > stations s1 (in i1), s2 (in i2) > point p1 (in s1).
const SITES: &[(&str, Option<&str>, SiteLevel)] = &[
    ("c", None, SiteLevel::Center),
    ("i1", Some("c"), SiteLevel::Institute),
    ("i2", Some("c"), SiteLevel::Institute),
    ("s1", Some("i1"), SiteLevel::Station),
    ("s2", Some("i2"), SiteLevel::Station),
    ("p1", Some("s1"), SiteLevel::Point),
];
const USERS: &[(&str, Role, Option<&str>)] = &[
    ("ad", Role::Admin, None),
    ("k-c", Role::Staff, Some("c")),
    ("k-i1", Role::Staff, Some("i1")),
    ("k-s1", Role::Staff, Some("s1")),
    ("k-s1b", Role::Staff, Some("s1")),
    ("k-s2", Role::Staff, Some("s2")),
    ("k-p1", Role::Staff, Some("p1")),
    ("v1", Role::Volunteer, Some("s1")),
    ("v2", Role::Volunteer, Some("s2")),
    ("v3", Role::Volunteer, None),
    ("r1", Role::Resident, Some("p1")),
];
/// Ids new accounts and sites are made under (collisions on purpose).
const NEW_USERS: &[&str] = &["n1", "n2", "n3"];
const NEW_SITES: &[&str] = &["x1", "x2", "x3"];
const ROLES: &[Role] = &[Role::Volunteer, Role::Resident, Role::Staff, Role::Admin];

fn world() -> World {
    let mut w = World::default();
    for (id, parent, level) in SITES {
        let path = match parent {
            Some(p) => format!("{}{id}/", w.site(p).unwrap().path),
            None => format!("/{id}/"),
        };
        w.put(Record::Site(Site {
            id: (*id).into(),
            parent_id: parent.map(Into::into),
            level: *level,
            name: (*id).into(),
            path,
            address: String::new(),
        }));
    }
    for (i, (id, role, site)) in USERS.iter().enumerate() {
        w.put(Record::Profile(Profile {
            user_id: (*id).into(),
            display_name: (*id).into(),
            role: *role,
            site_id: site.map(Into::into),
            phone: Some(format!("1390000{i:04}")),
        }));
        w.put(Record::Account(Account {
            user_id: (*id).into(),
            display_name: (*id).into(),
            role: *role,
            site_id: site.map(Into::into),
            status: AccountStatus::Active,
            phone_masked: None,
            created_by: None,
            created_at: t0() - Duration::days(30),
            activated_at: Some(t0() - Duration::days(30)),
            consent_at: None,
            consent_version: None,
            changed_by: None,
            changed_at: None,
            reason: None,
        }));
    }
    w
}

#[derive(Debug, Clone)]
struct Op {
    actor: usize,
    kind: u8,
    target: usize,
    role: usize,
    site: usize,
    with_site: bool,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..USERS.len(),
        0u8..5,
        0..20usize,
        0..ROLES.len(),
        0..12usize,
        any::<bool>(),
    )
        .prop_map(|(actor, kind, target, role, site, with_site)| Op {
            actor,
            kind,
            target,
            role,
            site,
            with_site,
        })
}

fn all_sites(w: &World) -> Vec<String> {
    w.rows
        .keys()
        .filter(|(k, _)| *k == Kind::Site)
        .map(|(_, id)| id.clone())
        .collect()
}

fn mutation(w: &World, op: &Op) -> Mutation {
    let targets: Vec<&str> = USERS
        .iter()
        .map(|u| u.0)
        .chain(NEW_USERS.iter().copied())
        .collect();
    let target = targets[op.target % targets.len()].to_owned();
    let sites = all_sites(w);
    let site = sites[op.site % sites.len()].clone();
    let role = ROLES[op.role];
    match op.kind {
        0 => Mutation::CreateAccount {
            user_id: NEW_USERS[op.target % NEW_USERS.len()].into(),
            role,
            site_id: site,
            display_name: "新人".into(),
            phone: format!("1370000000{}", op.site % 4),
        },
        1 => Mutation::AssignAccount {
            user_id: target,
            role,
            site_id: op.with_site.then_some(site),
            reason: "调整".into(),
        },
        2 => Mutation::DeactivateAccount {
            user_id: target,
            reason: "停用".into(),
        },
        3 => Mutation::ReactivateAccount { user_id: target },
        _ => Mutation::CreateSite {
            site_id: NEW_SITES[op.target % NEW_SITES.len()].into(),
            parent_id: site,
            name: "新站点".into(),
            address: String::new(),
        },
    }
}

/// Whether a staff member at `own` could have made this account as it stands.
fn in_reach(w: &World, own: &str, a: &Account) -> bool {
    let path = w.path(a.site_id.as_deref());
    match (a.role, path) {
        (Role::Staff, Some(p)) => p.starts_with(own) && p != own,
        (Role::Volunteer | Role::Resident, Some(p)) => p.starts_with(own),
        _ => false,
    }
}

/// The checker: what an applied step by `actor` wrote, against the world before it.
fn check(before: &World, actor: &Actor, effects: &[Effect]) -> Result<(), String> {
    for e in effects {
        let Effect::Put(r) = e else {
            return Err(format!("an account step deleted something: {e:?}"));
        };
        match r {
            Record::Account(new) => {
                if new.user_id == actor.user_id {
                    return Err(format!("{} changed their own account", actor.user_id));
                }
                let old = before.account(&new.user_id);
                if new.role == Role::Admin && old.as_ref().is_none_or(|o| o.role != Role::Admin) {
                    return Err(format!(
                        "{} made an admin of {}",
                        actor.user_id, new.user_id
                    ));
                }
                if actor.role == Role::Staff {
                    let own = actor.site_path.as_deref().unwrap_or("?");
                    if let Some(old) = &old
                        && !in_reach(before, own, old)
                    {
                        return Err(format!("{} (at {own}) changed {old:?}", actor.user_id));
                    }
                    if !in_reach(before, own, new) {
                        return Err(format!("{} (at {own}) wrote {new:?}", actor.user_id));
                    }
                }
            }
            Record::Profile(p) => {
                if before.account(&p.user_id).is_some() {
                    return Err(format!(
                        "a profile of an existing account was rewritten: {p:?}"
                    ));
                }
            }
            Record::Site(site) => {
                let parent = site
                    .parent_id
                    .as_deref()
                    .and_then(|p| before.site(p))
                    .ok_or("a site without a known parent")?;
                if site.path != format!("{}{}/", parent.path, site.id)
                    || Some(site.level) != level_below(parent.level)
                {
                    return Err(format!("{site:?} is not one level below {parent:?}"));
                }
                if actor.role == Role::Staff
                    && !actor
                        .site_path
                        .as_deref()
                        .is_some_and(|own| site.path.starts_with(own) && site.path != own)
                {
                    return Err(format!(
                        "{} opened {site:?} outside their subtree",
                        actor.user_id
                    ));
                }
            }
            other => return Err(format!("an account step wrote {other:?}")),
        }
    }
    Ok(())
}

type Rules = fn(&MutationEnvelope, &Actor, DateTime<Utc>, &mut World) -> Decision;

fn run(ops: &[Op], rules: Rules) -> Result<(), String> {
    let mut w = world();
    for (i, op) in ops.iter().enumerate() {
        let Some(actor) = w.actor(USERS[op.actor].0) else {
            continue; // switched off: the server would not authenticate them
        };
        let env = MutationEnvelope {
            seq: i as u64 + 1,
            id: format!("m{i}"),
            created_at: t0(),
            mutation: mutation(&w, op),
        };
        if let Decision::Apply(effects) = rules(&env, &actor, t0(), &mut w.clone()) {
            check(&w, &actor, &effects).map_err(|e| format!("step {i} {:?}: {e}", env.mutation))?;
            for e in effects {
                if let Effect::Put(r) = e {
                    w.put(r);
                }
            }
        }
    }
    Ok(())
}

fn holds_in(rules: Rules, mut runner: TestRunner) -> Result<(), String> {
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            run(&ops, rules).map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string())
}

#[test]
fn no_account_step_widens_its_actors_authority() {
    if let Err(e) = holds_in(real_rules, TestRunner::new(Config::default())) {
        panic!("{e}");
    }
}

/// Broken: staff may switch off a colleague of their own site.
fn colleagues_switch_each_other_off(
    env: &MutationEnvelope,
    actor: &Actor,
    now: DateTime<Utc>,
    w: &mut World,
) -> Decision {
    if let Mutation::DeactivateAccount { user_id, .. } = &env.mutation
        && let Some(mut a) = w.account(user_id)
        && a.role == Role::Staff
        && w.path(a.site_id.as_deref()) == actor.site_path
        && a.user_id != actor.user_id
    {
        a.status = AccountStatus::Deactivated;
        return Decision::Apply(vec![Effect::Put(Record::Account(a))]);
    }
    real_rules(env, actor, now, w)
}

/// Broken: a move checks only where the account goes, not where it is.
fn moves_check_only_the_destination(
    env: &MutationEnvelope,
    actor: &Actor,
    now: DateTime<Utc>,
    w: &mut World,
) -> Decision {
    if let Mutation::AssignAccount {
        user_id,
        role,
        site_id,
        ..
    } = &env.mutation
        && let Some(mut a) = w.account(user_id)
        && *role != Role::Admin
        && a.user_id != actor.user_id
        && may_manage_account(actor, *role, w.path(site_id.as_deref()).as_deref())
    {
        a.role = *role;
        a.site_id = site_id.clone();
        return Decision::Apply(vec![Effect::Put(Record::Account(a))]);
    }
    real_rules(env, actor, now, w)
}

#[test]
fn the_checker_catches_broken_rules() {
    for (name, broken) in [
        (
            "colleagues switch each other off",
            colleagues_switch_each_other_off as Rules,
        ),
        (
            "a move checks only the destination",
            moves_check_only_the_destination,
        ),
    ] {
        let runner = TestRunner::new_with_rng(
            Config {
                cases: 2000,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        assert!(
            holds_in(broken, runner).is_err(),
            "the checker missed: {name}"
        );
    }
}

/// The generator reaches the interesting outcomes, so passing means something.
#[test]
fn the_steps_reach_every_outcome() {
    let mut seen = std::collections::BTreeSet::new();
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    for _ in 0..300 {
        let ops = prop::collection::vec(op(), 1..40)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut w = world();
        for (i, op) in ops.iter().enumerate() {
            let Some(actor) = w.actor(USERS[op.actor].0) else {
                continue;
            };
            let env = MutationEnvelope {
                seq: i as u64 + 1,
                id: format!("m{i}"),
                created_at: t0(),
                mutation: mutation(&w, op),
            };
            let name = env.mutation.name();
            match real_rules(&env, &actor, t0(), &mut w.clone()) {
                Decision::Apply(effects) if !effects.is_empty() => {
                    seen.insert(format!("{name} applied"));
                    for e in effects {
                        if let Effect::Put(r) = e {
                            w.put(r);
                        }
                    }
                }
                Decision::Reject(r) => {
                    seen.insert(format!("{name} {}", r.code));
                }
                _ => {}
            }
        }
    }
    for want in [
        "create_account applied",
        "create_account forbidden",
        "create_account phone_taken",
        "assign_account applied",
        "assign_account forbidden",
        "deactivate_account applied",
        "deactivate_account forbidden",
        "reactivate_account applied",
        "create_site applied",
        "create_site forbidden",
    ] {
        assert!(seen.contains(want), "never reached: {want} (saw {seen:?})");
    }
}
