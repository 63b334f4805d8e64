//! Donations: staff record money or goods given to a campaign or a site,
//! with the donor's name or anonymously. A campaign's totals are kept on the
//! campaign (public); the donations themselves, with donors' names, are read
//! only by staff of the site and above. Two devices recording gifts to one
//! campaign while offline both count: the server adds each to the totals as
//! it applies it, never overwriting one device's totals with another's.
//!
//! A donation recorded wrong is corrected by a new one that replaces it in
//! the totals, or voided; neither edits the gift in place, and both keep
//! who, when and why. Goods handed out from a campaign are recorded
//! against it, never more than it received. The invariant (checked by
//! property, `core/domain/tests/donations.rs`): a campaign's totals are the
//! sum of its donations that count, and what it distributed never exceeds
//! what it received.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::{Campaign, Distribution, Donation, Gift, GoodsTotal};

/// Largest single gift of money: one billion yuan, in fen.
const MAX_FEN: u64 = 100_000_000_000;

fn staff_of<S: State>(
    s: &mut S,
    actor: &Actor,
    site_id: &str,
) -> Result<Result<(), Decision>, S::Error> {
    authority(
        s,
        actor,
        site_id,
        None,
        "donations are recorded by staff of the site or above",
    )
}

fn text(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.trim().chars().count())
}

pub(super) fn create_campaign<S: State>(
    s: &mut S,
    actor: &Actor,
    (campaign_id, site_id, name): (&str, &str, &str),
) -> Result<Decision, S::Error> {
    if !text(name, 100) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a name of 1 to 100 characters",
        ));
    }
    if let Err(d) = staff_of(s, actor, site_id)? {
        return Ok(d);
    }
    if let Some(existing) = get_campaign(s, campaign_id)? {
        // The same campaign, resent, is a no-op; another one's id is not.
        return Ok(
            if existing.site_id == site_id && existing.name == name.trim() {
                Decision::Apply(vec![])
            } else {
                reject(RejectCode::IdTaken, "campaign id already taken")
            },
        );
    }
    Ok(Decision::Apply(vec![Effect::Put(Record::Campaign(
        Campaign {
            id: campaign_id.to_owned(),
            site_id: site_id.to_owned(),
            name: name.trim().to_owned(),
            money_fen: 0,
            goods: vec![],
            donation_count: 0,
            distributed: vec![],
        },
    ))]))
}

pub(super) struct NewDonation<'a> {
    pub donation_id: &'a str,
    pub campaign_id: Option<&'a str>,
    pub site_id: &'a str,
    pub donor_name: Option<&'a str>,
    pub gift: &'a Gift,
    pub received_at: DateTime<Utc>,
}

pub(super) fn record_donation<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    d: NewDonation<'_>,
) -> Result<Decision, S::Error> {
    let valid = valid_gift(d.gift);
    if !valid || d.donor_name.is_some_and(|n| !text(n, 50)) || d.received_at > now + MAX_CLOCK_SKEW
    {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a positive amount or quantity with an item and unit, a donor name up to 50 characters, not in the future",
        ));
    }
    if let Err(decision) = staff_of(s, actor, d.site_id)? {
        return Ok(decision);
    }
    if let Some(existing) = get_donation(s, d.donation_id)? {
        return Ok(
            if existing.recorded_by == actor.user_id && existing.site_id == d.site_id {
                Decision::Apply(vec![]) // the same donation, resent
            } else {
                reject(RejectCode::IdTaken, "donation id already taken")
            },
        );
    }
    let mut effects = Vec::with_capacity(2);
    if let Some(campaign_id) = d.campaign_id {
        let Some(mut campaign) = get_campaign(s, campaign_id)? else {
            return Ok(missing(s, "campaign"));
        };
        if campaign.site_id != d.site_id {
            return Ok(reject(
                RejectCode::InvalidInput,
                "the campaign belongs to another site",
            ));
        }
        add(&mut campaign, d.gift);
        effects.push(Effect::Put(Record::Campaign(campaign)));
    }
    effects.insert(
        0,
        Effect::Put(Record::Donation(Donation {
            campaign_id: d.campaign_id.map(str::to_owned),
            donor_name: d.donor_name.map(|n| n.trim().to_owned()),
            ..Donation::new(
                d.donation_id,
                d.site_id,
                trimmed(d.gift),
                d.received_at,
                &actor.user_id,
            )
        })),
    );
    Ok(Decision::Apply(effects))
}

fn trimmed(gift: &Gift) -> Gift {
    match gift {
        Gift::Money { fen } => Gift::Money { fen: *fen },
        Gift::Goods {
            item,
            quantity,
            unit,
        } => Gift::Goods {
            item: item.trim().to_owned(),
            quantity: *quantity,
            unit: unit.trim().to_owned(),
        },
    }
}

fn total<'a>(totals: &'a mut Vec<GoodsTotal>, item: &str, unit: &str) -> &'a mut GoodsTotal {
    let (item, unit) = (item.trim(), unit.trim());
    match totals.iter().position(|g| g.item == item && g.unit == unit) {
        Some(i) => &mut totals[i],
        None => {
            totals.push(GoodsTotal {
                item: item.to_owned(),
                unit: unit.to_owned(),
                quantity: 0,
            });
            let last = totals.len() - 1;
            &mut totals[last]
        }
    }
}

/// A gift enters a campaign's totals.
fn add(campaign: &mut Campaign, gift: &Gift) {
    campaign.donation_count += 1;
    match gift {
        Gift::Money { fen } => campaign.money_fen += fen,
        Gift::Goods {
            item,
            quantity,
            unit,
        } => total(&mut campaign.goods, item, unit).quantity += u64::from(*quantity),
    }
}

/// A gift leaves a campaign's totals (corrected or voided).
fn remove(campaign: &mut Campaign, gift: &Gift) {
    campaign.donation_count = campaign.donation_count.saturating_sub(1);
    match gift {
        Gift::Money { fen } => campaign.money_fen = campaign.money_fen.saturating_sub(*fen),
        Gift::Goods {
            item,
            quantity,
            unit,
        } => {
            let t = total(&mut campaign.goods, item, unit);
            t.quantity = t.quantity.saturating_sub(u64::from(*quantity));
        }
    }
    campaign.goods.retain(|g| g.quantity > 0);
}

/// What was handed out stays handed out: a correction or a void may not
/// leave a campaign holding less of some goods than it distributed. (Only
/// the server knows the totals for sure.)
fn overdrawn(c: &Campaign, authoritative: bool) -> Option<Decision> {
    let held = |item: &str, unit: &str| {
        c.goods
            .iter()
            .find(|g| g.item == item && g.unit == unit)
            .map_or(0, |g| g.quantity)
    };
    let short = c
        .distributed
        .iter()
        .any(|d| held(&d.item, &d.unit) < d.quantity);
    (short && authoritative).then(|| {
        reject(
            RejectCode::InvalidState,
            "the campaign has handed out more of these goods than would remain",
        )
    })
}

fn valid_gift(gift: &Gift) -> bool {
    match gift {
        Gift::Money { fen } => (1..=MAX_FEN).contains(fen),
        Gift::Goods {
            item,
            quantity,
            unit,
        } => text(item, 50) && text(unit, 10) && (1..=1_000_000).contains(quantity),
    }
}

/// A donation and the campaign whose totals it is in.
type Changeable = (Donation, Option<Campaign>);

/// The donation and the campaign whose totals it is in, if `actor` may
/// change it: staff of its site or above, and only while it counts.
fn changeable<S: State>(
    s: &mut S,
    actor: &Actor,
    donation_id: &str,
    reason: &str,
) -> Result<Result<Changeable, Decision>, S::Error> {
    if !text(reason, MAX_DESCRIPTION_CHARS) {
        return Ok(Err(reject(
            RejectCode::InvalidInput,
            "say why (1 to 500 characters)",
        )));
    }
    let Some(donation) = get_donation(s, donation_id)? else {
        return Ok(Err(missing(s, "donation")));
    };
    if let Err(d) = staff_of(s, actor, &donation.site_id)? {
        return Ok(Err(d));
    }
    let campaign = match &donation.campaign_id {
        Some(id) => match get_campaign(s, id)? {
            Some(c) => Some(c),
            None => return Ok(Err(missing(s, "campaign"))),
        },
        None => None,
    };
    Ok(Ok((donation, campaign)))
}

fn stamp(mut d: Donation, actor: &Actor, now: DateTime<Utc>, reason: &str) -> Donation {
    d.reason = Some(reason.trim().to_owned());
    d.changed_by = Some(actor.user_id.clone());
    d.changed_at = Some(now);
    d
}

pub(super) struct DonationFix<'a> {
    pub donation_id: &'a str,
    pub new_donation_id: &'a str,
    pub gift: &'a Gift,
    pub donor_name: Option<&'a str>,
    pub reason: &'a str,
}

pub(super) fn correct_donation<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    fix: DonationFix<'_>,
) -> Result<Decision, S::Error> {
    if !valid_gift(fix.gift) || fix.donor_name.is_some_and(|n| !text(n, 50)) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a positive amount or quantity with an item and unit, a donor name up to 50 characters",
        ));
    }
    let (old, campaign) = match changeable(s, actor, fix.donation_id, fix.reason)? {
        Ok(x) => x,
        Err(d) => return Ok(d),
    };
    if old.superseded_by.as_deref() == Some(fix.new_donation_id) {
        return Ok(Decision::Apply(vec![])); // the same correction, resent
    }
    if !old.counts() {
        return Ok(reject(
            RejectCode::InvalidState,
            "the donation was already corrected or voided: correct the one that replaced it",
        ));
    }
    if get_donation(s, fix.new_donation_id)?.is_some() {
        return Ok(reject(RejectCode::IdTaken, "donation id already taken"));
    }
    let new = Donation {
        campaign_id: old.campaign_id.clone(),
        donor_name: fix.donor_name.map(|n| n.trim().to_owned()),
        corrects: Some(old.id.clone()),
        ..stamp(
            Donation::new(
                fix.new_donation_id,
                &old.site_id,
                trimmed(fix.gift),
                old.received_at,
                &actor.user_id,
            ),
            actor,
            now,
            fix.reason,
        )
    };
    let mut effects = Vec::with_capacity(3);
    if let Some(mut c) = campaign {
        remove(&mut c, &old.gift);
        add(&mut c, &new.gift);
        if let Some(d) = overdrawn(&c, s.authoritative()) {
            return Ok(d);
        }
        effects.push(Effect::Put(Record::Campaign(c)));
    }
    let old = Donation {
        superseded_by: Some(new.id.clone()),
        ..stamp(old, actor, now, fix.reason)
    };
    effects.insert(0, Effect::Put(Record::Donation(old)));
    effects.insert(1, Effect::Put(Record::Donation(new)));
    Ok(Decision::Apply(effects))
}

pub(super) fn void_donation<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (donation_id, reason): (&str, &str),
) -> Result<Decision, S::Error> {
    let (old, campaign) = match changeable(s, actor, donation_id, reason)? {
        Ok(x) => x,
        Err(d) => return Ok(d),
    };
    if old.voided {
        return Ok(Decision::Apply(vec![]));
    }
    if !old.counts() {
        return Ok(reject(
            RejectCode::InvalidState,
            "the donation was corrected: void the one that replaced it",
        ));
    }
    let mut effects = Vec::with_capacity(2);
    if let Some(mut c) = campaign {
        remove(&mut c, &old.gift);
        if let Some(d) = overdrawn(&c, s.authoritative()) {
            return Ok(d);
        }
        effects.push(Effect::Put(Record::Campaign(c)));
    }
    let old = Donation {
        voided: true,
        ..stamp(old, actor, now, reason)
    };
    effects.insert(0, Effect::Put(Record::Donation(old)));
    Ok(Decision::Apply(effects))
}

pub(super) struct Handout<'a> {
    pub distribution_id: &'a str,
    pub campaign_id: &'a str,
    pub item: &'a str,
    pub quantity: u32,
    pub unit: &'a str,
    pub recipient: &'a str,
    pub distributed_at: DateTime<Utc>,
}

pub(super) fn distribute_goods<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    h: Handout<'_>,
) -> Result<Decision, S::Error> {
    if !text(h.item, 50)
        || !text(h.unit, 10)
        || !text(h.recipient, 100)
        || !(1..=1_000_000).contains(&h.quantity)
        || h.distributed_at > now + MAX_CLOCK_SKEW
    {
        return Ok(reject(
            RejectCode::InvalidInput,
            "an item, unit and recipient, a positive quantity, not in the future",
        ));
    }
    let Some(mut campaign) = get_campaign(s, h.campaign_id)? else {
        return Ok(missing(s, "campaign"));
    };
    if let Err(d) = staff_of(s, actor, &campaign.site_id)? {
        return Ok(d);
    }
    if let Some(existing) = get_distribution(s, h.distribution_id)? {
        return Ok(
            if existing.recorded_by == actor.user_id && existing.campaign_id == h.campaign_id {
                Decision::Apply(vec![])
            } else {
                reject(RejectCode::IdTaken, "distribution id already taken")
            },
        );
    }
    let received = campaign
        .goods
        .iter()
        .find(|g| g.item == h.item.trim() && g.unit == h.unit.trim())
        .map_or(0, |g| g.quantity);
    let given = total(&mut campaign.distributed, h.item, h.unit);
    let after = given.quantity + u64::from(h.quantity);
    // A device knows the campaign's totals only as of its last sync.
    if after > received && s.authoritative() {
        return Ok(reject(
            RejectCode::InvalidInput,
            format!(
                "the campaign holds {} {} of this",
                received.saturating_sub(given.quantity),
                h.unit.trim()
            ),
        ));
    }
    given.quantity = after;
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Distribution(Distribution {
            id: h.distribution_id.to_owned(),
            campaign_id: campaign.id.clone(),
            site_id: campaign.site_id.clone(),
            item: h.item.trim().to_owned(),
            unit: h.unit.trim().to_owned(),
            quantity: h.quantity,
            recipient: h.recipient.trim().to_owned(),
            distributed_at: h.distributed_at,
            recorded_by: actor.user_id.clone(),
        })),
        Effect::Put(Record::Campaign(campaign)),
    ]))
}
