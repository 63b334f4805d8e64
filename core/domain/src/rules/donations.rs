//! Donations: staff record money or goods given to a campaign or a site,
//! with the donor's name or anonymously. A campaign's totals are kept on the
//! campaign (public); the donations themselves, with donors' names, are read
//! only by staff of the site and above. Two devices recording gifts to one
//! campaign while offline both count: the server adds each to the totals as
//! it applies it, never overwriting one device's totals with another's.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::{Campaign, Donation, Gift, GoodsTotal};

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
    let valid = match d.gift {
        Gift::Money { fen } => (1..=MAX_FEN).contains(fen),
        Gift::Goods {
            item,
            quantity,
            unit,
        } => text(item, 50) && text(unit, 10) && (1..=1_000_000).contains(quantity),
    };
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
        campaign.donation_count += 1;
        match d.gift {
            Gift::Money { fen } => campaign.money_fen += fen,
            Gift::Goods {
                item,
                quantity,
                unit,
            } => match campaign
                .goods
                .iter_mut()
                .find(|g| g.item == item.trim() && g.unit == unit.trim())
            {
                Some(total) => total.quantity += u64::from(*quantity),
                None => campaign.goods.push(GoodsTotal {
                    item: item.trim().to_owned(),
                    unit: unit.trim().to_owned(),
                    quantity: u64::from(*quantity),
                }),
            },
        }
        effects.push(Effect::Put(Record::Campaign(campaign)));
    }
    effects.insert(
        0,
        Effect::Put(Record::Donation(Donation {
            id: d.donation_id.to_owned(),
            campaign_id: d.campaign_id.map(str::to_owned),
            site_id: d.site_id.to_owned(),
            donor_name: d.donor_name.map(|n| n.trim().to_owned()),
            gift: d.gift.clone(),
            received_at: d.received_at,
            recorded_by: actor.user_id.clone(),
        })),
    );
    Ok(Decision::Apply(effects))
}
