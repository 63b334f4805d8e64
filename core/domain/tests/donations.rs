//! The donation invariant, by property: after any sequence of donations
//! recorded, corrected, voided and goods handed out, by staff of either
//! station or the admin (forbidden steps included), through the real rules
//! with authoritative state:
//!
//! - every campaign's totals (money, goods per item, count) are the sum of
//!   its donations that count (neither superseded nor voided);
//! - what it handed out is the sum of its distributions, and never more of
//!   an item than it holds;
//! - no donation's gift or donor is ever edited in place;
//! - a station's staff never touch another station's donations.
//!
//! `the_checker_catches_broken_rules` runs rules with a known hole.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Utc};
use common::{World, real_rules};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::collections::BTreeMap;
use volunteer_domain::*;

impl World {}

fn t0() -> DateTime<Utc> {
    "2026-12-01T02:00:00Z".parse().unwrap()
}

fn site(id: &str, parent: Option<&str>, path: &str) -> Record {
    Record::Site(Site {
        id: id.into(),
        parent_id: parent.map(Into::into),
        level: if parent.is_some() {
            SiteLevel::Station
        } else {
            SiteLevel::Center
        },
        name: id.into(),
        path: path.into(),
        address: String::new(),
    })
}

fn world() -> World {
    let mut w = World::default();
    w.put(site("c", None, "/c/"));
    w.put(site("s1", Some("c"), "/c/s1/"));
    w.put(site("s2", Some("c"), "/c/s2/"));
    for (id, at) in [("camp1", "s1"), ("camp2", "s2")] {
        w.put(Record::Campaign(Campaign {
            id: id.into(),
            site_id: at.into(),
            name: id.into(),
            money_fen: 0,
            goods: vec![],
            donation_count: 0,
            distributed: vec![],
        }));
    }
    w
}

const ACTORS: &[(&str, Role, Option<&str>)] = &[
    ("k1", Role::Staff, Some("/c/s1/")),
    ("k2", Role::Staff, Some("/c/s2/")),
    ("ad", Role::Admin, None),
];
const ITEMS: &[(&str, &str)] = &[("棉被", "床"), ("大米", "袋")];

fn actor(i: usize) -> Actor {
    let (id, role, path) = ACTORS[i];
    Actor {
        user_id: id.into(),
        name: id.into(),
        role,
        site_path: path.map(Into::into),
        led_teams: vec![],
    }
}

#[derive(Debug, Clone)]
struct Op {
    actor: usize,
    kind: u8,
    campaign: usize,
    target: usize,
    money: bool,
    item: usize,
    amount: u32,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..ACTORS.len(),
        0u8..4,
        0..2usize,
        0..40usize,
        any::<bool>(),
        0..ITEMS.len(),
        1u32..30,
    )
        .prop_map(|(actor, kind, campaign, target, money, item, amount)| Op {
            actor,
            kind,
            campaign,
            target,
            money,
            item,
            amount,
        })
}

fn gift(op: &Op) -> Gift {
    if op.money {
        Gift::Money {
            fen: u64::from(op.amount) * 100,
        }
    } else {
        let (item, unit) = ITEMS[op.item];
        Gift::Goods {
            item: item.into(),
            quantity: op.amount,
            unit: unit.into(),
        }
    }
}

fn mutation(w: &World, op: &Op, i: usize) -> Mutation {
    let campaign = ["camp1", "camp2"][op.campaign];
    let donations: Vec<String> = w.all(|r| match r {
        Record::Donation(d) => Some(d.id.clone()),
        _ => None,
    });
    let target = donations
        .get(op.target % donations.len().max(1))
        .cloned()
        .unwrap_or_else(|| "none".into());
    match op.kind {
        0 => Mutation::RecordDonation {
            donation_id: format!("d{i}"),
            campaign_id: Some(campaign.into()),
            site_id: ["s1", "s2"][op.campaign].into(),
            donor_name: None,
            gift: gift(op),
            received_at: t0(),
        },
        1 => Mutation::CorrectDonation {
            donation_id: target,
            new_donation_id: format!("d{i}"),
            gift: gift(op),
            donor_name: None,
            reason: "录错了".into(),
        },
        2 => Mutation::VoidDonation {
            donation_id: target,
            reason: "重复录入".into(),
        },
        _ => {
            let (item, unit) = ITEMS[op.item];
            Mutation::DistributeGoods {
                distribution_id: format!("g{i}"),
                campaign_id: campaign.into(),
                item: item.into(),
                quantity: op.amount,
                unit: unit.into(),
                recipient: "幸福里敬老院".into(),
                distributed_at: t0(),
            }
        }
    }
}

/// The checker, over the world after a step (and the one before it).
fn check(before: &World, after: &World, actor: &Actor) -> Result<(), String> {
    let donations: Vec<Donation> = after.all(|r| match r {
        Record::Donation(d) => Some(d.clone()),
        _ => None,
    });
    for d in &donations {
        if let Some(Record::Donation(old)) = before.rows.get(&(Kind::Donation, d.id.clone())) {
            if old.gift != d.gift || old.donor_name != d.donor_name {
                return Err(format!("donation {} was edited in place", d.id));
            }
            if old != d
                && actor.role == Role::Staff
                && !format!("/c/{}/", d.site_id)
                    .starts_with(actor.site_path.as_deref().unwrap_or("?"))
            {
                return Err(format!(
                    "{} changed {}'s donation {}",
                    actor.user_id, d.site_id, d.id
                ));
            }
        }
    }
    for c in after.all(|r| match r {
        Record::Campaign(c) => Some(c.clone()),
        _ => None,
    }) {
        let counting: Vec<&Donation> = donations
            .iter()
            .filter(|d| d.campaign_id.as_deref() == Some(&c.id) && d.counts())
            .collect();
        let money: u64 = counting
            .iter()
            .filter_map(|d| match d.gift {
                Gift::Money { fen } => Some(fen),
                Gift::Goods { .. } => None,
            })
            .sum();
        let mut goods: BTreeMap<(String, String), u64> = BTreeMap::new();
        for d in &counting {
            if let Gift::Goods {
                item,
                quantity,
                unit,
            } = &d.gift
            {
                *goods.entry((item.clone(), unit.clone())).or_default() += u64::from(*quantity);
            }
        }
        let totals: BTreeMap<(String, String), u64> = c
            .goods
            .iter()
            .filter(|g| g.quantity > 0)
            .map(|g| ((g.item.clone(), g.unit.clone()), g.quantity))
            .collect();
        if c.money_fen != money || totals != goods || c.donation_count as usize != counting.len() {
            return Err(format!(
                "campaign {}: totals {} fen {:?} ({} gifts), donations say {money} fen {goods:?} ({})",
                c.id,
                c.money_fen,
                totals,
                c.donation_count,
                counting.len()
            ));
        }
        let mut handed: BTreeMap<(String, String), u64> = BTreeMap::new();
        for d in after.all(|r| match r {
            Record::Distribution(d) if d.campaign_id == c.id => Some(d.clone()),
            _ => None,
        }) {
            *handed.entry((d.item, d.unit)).or_default() += u64::from(d.quantity);
        }
        let recorded: BTreeMap<(String, String), u64> = c
            .distributed
            .iter()
            .filter(|g| g.quantity > 0)
            .map(|g| ((g.item.clone(), g.unit.clone()), g.quantity))
            .collect();
        if recorded != handed {
            return Err(format!(
                "campaign {}: distributed {recorded:?}, distributions {handed:?}",
                c.id
            ));
        }
        for (k, n) in &handed {
            if goods.get(k).copied().unwrap_or(0) < *n {
                return Err(format!(
                    "campaign {} handed out {n} of {k:?}, holds {:?}",
                    c.id,
                    goods.get(k)
                ));
            }
        }
    }
    Ok(())
}

type Rules = fn(&MutationEnvelope, &Actor, DateTime<Utc>, &mut World) -> Decision;

fn run(ops: &[Op], rules: Rules) -> Result<(), String> {
    let mut w = world();
    for (i, op) in ops.iter().enumerate() {
        let a = actor(op.actor);
        let env = MutationEnvelope {
            seq: i as u64 + 1,
            id: format!("m{i}"),
            created_at: t0(),
            mutation: mutation(&w, op, i),
        };
        if let Decision::Apply(effects) = rules(&env, &a, t0(), &mut w.clone()) {
            let before = w.clone();
            for e in effects {
                if let Effect::Put(r) = e {
                    w.put(r);
                }
            }
            check(&before, &w, &a).map_err(|e| format!("step {i} {:?}: {e}", env.mutation))?;
        }
    }
    Ok(())
}

fn holds_in(rules: Rules, mut runner: TestRunner) -> Result<(), String> {
    runner
        .run(&prop::collection::vec(op(), 1..50), |ops| {
            run(&ops, rules).map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string())
}

#[test]
fn campaign_totals_are_the_donations_that_count() {
    if let Err(e) = holds_in(real_rules, TestRunner::new(Config::default())) {
        panic!("{e}");
    }
}

/// Broken: a void marks the donation but leaves the totals.
fn void_keeps_the_totals(
    env: &MutationEnvelope,
    actor: &Actor,
    now: DateTime<Utc>,
    w: &mut World,
) -> Decision {
    match (&env.mutation, real_rules(env, actor, now, w)) {
        (Mutation::VoidDonation { .. }, Decision::Apply(effects)) => Decision::Apply(
            effects
                .into_iter()
                .filter(|e| !matches!(e, Effect::Put(Record::Campaign(_))))
                .collect(),
        ),
        (_, d) => d,
    }
}

/// Broken: a correction edits the gift in place.
fn correction_in_place(
    env: &MutationEnvelope,
    actor: &Actor,
    now: DateTime<Utc>,
    w: &mut World,
) -> Decision {
    if let Mutation::CorrectDonation {
        donation_id, gift, ..
    } = &env.mutation
        && let Some(Record::Donation(mut d)) =
            w.rows.get(&(Kind::Donation, donation_id.clone())).cloned()
        && d.counts()
    {
        d.gift = gift.clone();
        return Decision::Apply(vec![Effect::Put(Record::Donation(d))]);
    }
    real_rules(env, actor, now, w)
}

#[test]
fn the_checker_catches_broken_rules() {
    for (name, broken) in [
        ("a void keeps the totals", void_keeps_the_totals as Rules),
        ("a correction edits in place", correction_in_place),
    ] {
        let runner = TestRunner::new_with_rng(
            Config {
                cases: 500,
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

/// The case the issue names: a billion-yuan typo leaves the public totals.
#[test]
fn a_billion_yuan_typo_is_corrected_out_of_the_totals() {
    let mut w = world();
    let k1 = actor(0);
    let env = |mutation| MutationEnvelope {
        seq: 1,
        id: "m".into(),
        created_at: t0(),
        mutation,
    };
    let apply = |w: &mut World, m: Mutation| match real_rules(&env(m), &k1, t0(), &mut w.clone()) {
        Decision::Apply(effects) => {
            for e in effects {
                if let Effect::Put(r) = e {
                    w.put(r);
                }
            }
        }
        other => panic!("{other:?}"),
    };
    apply(
        &mut w,
        Mutation::RecordDonation {
            donation_id: "typo".into(),
            campaign_id: Some("camp1".into()),
            site_id: "s1".into(),
            donor_name: Some("张三".into()),
            gift: Gift::Money {
                fen: 100_000_000_000,
            },
            received_at: t0(),
        },
    );
    apply(
        &mut w,
        Mutation::CorrectDonation {
            donation_id: "typo".into(),
            new_donation_id: "fixed".into(),
            gift: Gift::Money { fen: 100_000 },
            donor_name: Some("张三".into()),
            reason: "多录了六个零".into(),
        },
    );
    let Some(Record::Campaign(c)) = w.rows.get(&(Kind::Campaign, "camp1".into())) else {
        panic!()
    };
    assert_eq!((c.money_fen, c.donation_count), (100_000, 1));
    let Some(Record::Donation(old)) = w.rows.get(&(Kind::Donation, "typo".into())) else {
        panic!()
    };
    assert_eq!(
        old.gift,
        Gift::Money {
            fen: 100_000_000_000
        },
        "kept as recorded"
    );
    assert_eq!(old.superseded_by.as_deref(), Some("fixed"));
    // The old one cannot be corrected again; the new one is what counts.
    let again = real_rules(
        &env(Mutation::VoidDonation {
            donation_id: "typo".into(),
            reason: "x".into(),
        }),
        &k1,
        t0(),
        &mut w.clone(),
    );
    assert!(matches!(again, Decision::Reject(r) if r.code == RejectCode::InvalidState));
    // Another station's staff may not touch it.
    let k2 = actor(1);
    let theirs = real_rules(
        &env(Mutation::VoidDonation {
            donation_id: "fixed".into(),
            reason: "x".into(),
        }),
        &k2,
        t0(),
        &mut w.clone(),
    );
    assert!(matches!(theirs, Decision::Reject(r) if r.code == RejectCode::Forbidden));
}

/// The generator reaches the outcomes that matter, so passing means something.
#[test]
fn the_steps_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    let mut seen = std::collections::BTreeSet::new();
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    for _ in 0..200 {
        let ops = prop::collection::vec(op(), 1..50)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut w = world();
        for (i, op) in ops.iter().enumerate() {
            let env = MutationEnvelope {
                seq: i as u64 + 1,
                id: format!("m{i}"),
                created_at: t0(),
                mutation: mutation(&w, op, i),
            };
            let name = env.mutation.name();
            match real_rules(&env, &actor(op.actor), t0(), &mut w.clone()) {
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
        "record_donation applied",
        "record_donation forbidden",
        "correct_donation applied",
        "correct_donation invalid_state",
        "void_donation applied",
        "void_donation forbidden",
        "distribute_goods applied",
        "distribute_goods invalid_input",
    ] {
        assert!(seen.contains(want), "never reached: {want} (saw {seen:?})");
    }
}
