//! Service orders, the closed loop: a resident places an order (点单); staff
//! of its site or above dispatch it to a team or a volunteer (派单); the
//! assignee accepts or declines (接单) and marks it done; the resident rates it
//! (评单). The first dispatch to reach the server wins. The resident's
//! contact travels in its own records (see [`OrderContact`]): the assignee
//! holds a copy only while the order is theirs.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::{OrderContact, OrderStatus, ServiceOrder};

pub(super) struct NewOrder<'a> {
    pub order_id: &'a str,
    pub site_id: &'a str,
    pub category: &'a str,
    pub description: &'a str,
    pub desired_at: Option<DateTime<Utc>>,
    pub phone: &'a str,
    pub address: &'a str,
    /// Placed by staff for this resident.
    pub requester_id: Option<&'a str>,
}

fn invalid(msg: &str) -> Decision {
    reject(RejectCode::InvalidInput, msg.to_owned())
}

fn wrong_state(msg: &str) -> Decision {
    reject(RejectCode::InvalidState, msg.to_owned())
}

fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

fn order_effect(order: ServiceOrder) -> Effect {
    Effect::Put(Record::ServiceOrder(order))
}

/// Deletes the current assignee's copy of the contact, if the order has one.
fn drop_assignee_copy(order: &ServiceOrder) -> Option<Effect> {
    (order.assignee_team_id.is_some() || order.assignee_volunteer_id.is_some()).then(|| {
        Effect::Delete {
            kind: Kind::OrderContact,
            key: OrderContact::copy_key(
                &order.id,
                order.assignee_team_id.as_deref(),
                order.assignee_volunteer_id.as_deref(),
            ),
        }
    })
}

/// A closed order keeps no contact anywhere: the deletions reach everyone
/// who had a copy.
fn close(order: ServiceOrder) -> Vec<Effect> {
    let mut effects: Vec<Effect> = drop_assignee_copy(&order).into_iter().collect();
    effects.push(Effect::Delete {
        kind: Kind::OrderContact,
        key: order.id.clone(),
    });
    effects.insert(0, order_effect(order));
    effects
}

pub(super) fn place_order<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    o: NewOrder<'_>,
) -> Result<Decision, S::Error> {
    // A resident orders for themself; staff of the site enter the order of
    // a resident who phoned in, who is still its requester.
    let (requester_id, requester_name, placed_by) = match o.requester_id {
        Some(r) if r != actor.user_id => {
            if let Err(d) = authority(
                s,
                actor,
                o.site_id,
                None,
                "staff of the site place orders for residents",
            )? {
                return Ok(d);
            }
            let Some(name) = s.resident_name(r)? else {
                return Ok(missing(s, "resident"));
            };
            (r.to_owned(), name, Some(actor.user_id.clone()))
        }
        _ if actor.role != Role::Resident => {
            return Ok(reject(
                RejectCode::Forbidden,
                "orders are placed by residents",
            ));
        }
        _ => (actor.user_id.clone(), actor.name.clone(), None),
    };
    // Upper bounds of every text are checked before any rule (inputs.rs).
    if chars(o.category) == 0 {
        return Ok(invalid("a category is required"));
    }
    let digits = o.phone.chars().filter(char::is_ascii_digit).count();
    if !(5..=20).contains(&digits) || !(1..=200).contains(&chars(o.address)) {
        return Ok(invalid("a phone number and an address are required"));
    }
    if get_site(s, o.site_id)?.is_none() {
        return Ok(missing(s, "site"));
    }
    if let Some(existing) = get_order(s, o.order_id)? {
        return Ok(
            if existing.requester_id == requester_id && existing.placed_by == placed_by {
                Decision::Apply(vec![])
            } else {
                reject(RejectCode::IdTaken, "order id already taken")
            },
        );
    }
    let order = ServiceOrder {
        id: o.order_id.to_owned(),
        requester_id: requester_id.clone(),
        requester_name,
        site_id: o.site_id.to_owned(),
        category: o.category.trim().to_owned(),
        description: o.description.trim().to_owned(),
        desired_at: o.desired_at,
        status: OrderStatus::Submitted,
        created_at: now,
        assignee_team_id: None,
        assignee_volunteer_id: None,
        dispatched_by: None,
        dispatched_at: None,
        declined_reason: None,
        declined_by_team_id: None,
        declined_by_volunteer_id: None,
        accepted_at: None,
        done_at: None,
        rating: None,
        comment: None,
        offer: 0,
        reason: None,
        placed_by,
        served_by: vec![],
        project_id: None,
    };
    let contact = OrderContact {
        order_id: o.order_id.to_owned(),
        requester_id,
        site_id: o.site_id.to_owned(),
        phone: o.phone.trim().to_owned(),
        address: o.address.trim().to_owned(),
        assignee_team_id: None,
        assignee_volunteer_id: None,
    };
    Ok(Decision::Apply(vec![
        order_effect(order),
        Effect::Put(Record::OrderContact(contact)),
    ]))
}

/// The resident cancels an order nobody accepted yet; staff of its site or
/// above cancel any open order, with a reason.
pub(super) fn cancel_order<S: State>(
    s: &mut S,
    actor: &Actor,
    order_id: &str,
    reason: Option<&str>,
) -> Result<Decision, S::Error> {
    let Some(mut order) = get_order(s, order_id)? else {
        return Ok(missing(s, "order"));
    };
    if order.status == OrderStatus::Cancelled {
        return Ok(Decision::Apply(vec![]));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let open = if order.requester_id == actor.user_id {
        matches!(
            order.status,
            OrderStatus::Submitted | OrderStatus::Dispatched
        )
    } else {
        if let Err(d) = staff_of_order(s, actor, &order)? {
            return Ok(d);
        }
        if reason.is_none() {
            return Ok(invalid("staff cancel an order with a reason"));
        }
        matches!(
            order.status,
            OrderStatus::Submitted | OrderStatus::Dispatched | OrderStatus::Accepted
        )
    };
    if !open {
        return Ok(wrong_state("the order can no longer be cancelled"));
    }
    order.status = OrderStatus::Cancelled;
    order.reason = reason.map(str::to_owned);
    Ok(Decision::Apply(close(order)))
}

fn staff_of_order<S: State>(
    s: &mut S,
    actor: &Actor,
    order: &ServiceOrder,
) -> Result<Result<(), Decision>, S::Error> {
    authority(
        s,
        actor,
        &order.site_id,
        None,
        "only staff of the order's site or above manage it",
    )
}

/// Back to the site, open for a new offer: the assignee's copy of the
/// contact goes, and whoever last had it keeps reading the order (so their
/// device learns it is no longer theirs).
fn reopen(mut order: ServiceOrder, reason: &str) -> Vec<Effect> {
    let dropped = drop_assignee_copy(&order);
    order.status = OrderStatus::Submitted;
    order.declined_by_team_id = order.assignee_team_id.take();
    order.declined_by_volunteer_id = order.assignee_volunteer_id.take();
    order.accepted_at = None;
    order.reason = Some(reason.trim().to_owned());
    std::iter::once(order_effect(order))
        .chain(dropped)
        .collect()
}

/// Staff take back an offer nobody answered, or an accepted order its
/// assignee cannot do after all (to give it to someone else): it is open
/// again, and the assignee's copy of the contact is deleted.
pub(super) fn withdraw_order<S: State>(
    s: &mut S,
    actor: &Actor,
    order_id: &str,
    reason: &str,
) -> Result<Decision, S::Error> {
    if chars(reason) == 0 {
        return Ok(invalid("a reason is required"));
    }
    let Some(order) = get_order(s, order_id)? else {
        return Ok(missing(s, "order"));
    };
    if let Err(d) = staff_of_order(s, actor, &order)? {
        return Ok(d);
    }
    match order.status {
        OrderStatus::Submitted => Ok(Decision::Apply(vec![])),
        OrderStatus::Dispatched | OrderStatus::Accepted => {
            Ok(Decision::Apply(reopen(order, reason)))
        }
        _ => Ok(wrong_state(
            "a finished or cancelled order is not withdrawn",
        )),
    }
}

/// The assignee gives back an accepted order they cannot do.
pub(super) fn release_order<S: State>(
    s: &mut S,
    actor: &Actor,
    order_id: &str,
    reason: &str,
) -> Result<Decision, S::Error> {
    if chars(reason) == 0 {
        return Ok(invalid("a reason is required"));
    }
    let Some(order) = get_order(s, order_id)? else {
        return Ok(missing(s, "order"));
    };
    if order.status == OrderStatus::Submitted && order.reason.as_deref() == Some(reason.trim()) {
        return Ok(Decision::Apply(vec![])); // the same release, replayed
    }
    if !is_assignee(actor, &order) {
        return Ok(reject(
            RejectCode::Forbidden,
            "only the assignee gives an order back",
        ));
    }
    if order.status != OrderStatus::Accepted {
        return Ok(wrong_state("only an accepted order is given back"));
    }
    Ok(Decision::Apply(reopen(order, reason)))
}

pub(super) fn dispatch_order<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: &str,
    (team_id, volunteer_id): (Option<&str>, Option<&str>),
) -> Result<Decision, S::Error> {
    if team_id.is_some() == volunteer_id.is_some() {
        return Ok(invalid("dispatch to exactly one team or one volunteer"));
    }
    let Some(mut order) = get_order(s, order_id)? else {
        return Ok(missing(s, "order"));
    };
    if let Err(d) = authority(
        s,
        actor,
        &order.site_id,
        None,
        "orders are dispatched by staff of their site or above",
    )? {
        return Ok(d);
    }
    let same_target = order.assignee_team_id.as_deref() == team_id
        && order.assignee_volunteer_id.as_deref() == volunteer_id;
    if order.status == OrderStatus::Dispatched && same_target {
        return Ok(Decision::Apply(vec![])); // the same dispatch, replayed
    }
    // The first offer to reach the server wins; to offer it to someone
    // else, staff withdraw the offer first.
    if order.status != OrderStatus::Submitted {
        return Ok(wrong_state("the order was already dispatched or closed"));
    }
    // The dispatcher offers it within their own subtree: a team at one of
    // their sites, or a volunteer active in such a team.
    let outside = "orders are offered to teams and volunteers within one's own sites";
    if let Some(team) = team_id {
        let Some(team) = get_team(s, team)? else {
            return Ok(missing(s, "team"));
        };
        if let Err(d) = authority(s, actor, &team.site_id, None, outside)? {
            return Ok(d);
        }
    }
    if let Some(v) = volunteer_id {
        if s.volunteer_name(v)?.is_none() && s.authoritative() {
            return Ok(missing(s, "volunteer"));
        }
        let mut within = false;
        for m in s
            .memberships_of(v)?
            .into_iter()
            .filter(Membership::is_active)
        {
            if let Some(site) = get_site(s, &m.site_id)? {
                within |= actor.may_manage(&site.path);
            }
        }
        if !within {
            return Ok(if s.authoritative() {
                reject(RejectCode::Forbidden, outside)
            } else {
                Decision::Defer
            });
        }
    }
    order.status = OrderStatus::Dispatched;
    order.offer += 1;
    order.declined_by_team_id = None;
    order.declined_by_volunteer_id = None;
    order.assignee_team_id = team_id.map(str::to_owned);
    order.assignee_volunteer_id = volunteer_id.map(str::to_owned);
    order.dispatched_by = Some(actor.user_id.clone());
    order.dispatched_at = Some(now);
    let mut effects = Vec::with_capacity(2);
    if let Some(main) = get_contact(s, &order.id)? {
        effects.push(Effect::Put(Record::OrderContact(OrderContact {
            assignee_team_id: order.assignee_team_id.clone(),
            assignee_volunteer_id: order.assignee_volunteer_id.clone(),
            ..main
        })));
    }
    effects.insert(0, order_effect(order));
    Ok(Decision::Apply(effects))
}

/// Whether `actor` is the order's assignee: the volunteer, or a team leader.
fn is_assignee(actor: &Actor, order: &ServiceOrder) -> bool {
    order.assignee_volunteer_id.as_deref() == Some(actor.user_id.as_str())
        || order
            .assignee_team_id
            .as_ref()
            .is_some_and(|t| actor.led_teams.contains(t))
}

pub(super) fn respond_to_order<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: &str,
    (accept, offer): (bool, Option<u32>),
    reason: Option<&str>,
) -> Result<Decision, S::Error> {
    let Some(mut order) = get_order(s, order_id)? else {
        return Ok(missing(s, "order"));
    };
    // Every answer is tied to the offer it answers: replayed (say under a
    // new client id) after a later offer, it touches nothing.
    if offer.is_some_and(|n| n != order.offer) {
        return Ok(wrong_state("this answers an earlier offer"));
    }
    if accept && order.status == OrderStatus::Accepted && is_assignee(actor, &order) {
        return Ok(Decision::Apply(vec![]));
    }
    if order.status != OrderStatus::Dispatched {
        return Ok(wrong_state("the order is not waiting for an answer"));
    }
    if !is_assignee(actor, &order) {
        return Ok(reject(
            RejectCode::Forbidden,
            "only the volunteer or team the order was offered to answers it",
        ));
    }
    if accept {
        order.status = OrderStatus::Accepted;
        order.accepted_at = Some(now);
        return Ok(Decision::Apply(vec![order_effect(order)]));
    }
    // Volunteering is voluntary: a declined order goes back to the site, and
    // the assignee's copy of the contact goes away.
    let dropped = drop_assignee_copy(&order);
    order.status = OrderStatus::Submitted;
    order.declined_by_team_id = order.assignee_team_id.take();
    order.declined_by_volunteer_id = order.assignee_volunteer_id.take();
    order.declined_reason = reason.map(|r| r.trim().to_owned());
    Ok(Decision::Apply(
        std::iter::once(order_effect(order))
            .chain(dropped)
            .collect(),
    ))
}

pub(super) fn complete_order<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    c: super::service::Completion<'_>,
) -> Result<Decision, S::Error> {
    let Some(mut order) = get_order(s, c.order_id)? else {
        return Ok(missing(s, "order"));
    };
    if !is_assignee(actor, &order) {
        return Ok(reject(
            RejectCode::Forbidden,
            "only the assignee completes the order",
        ));
    }
    match order.status {
        OrderStatus::Done | OrderStatus::Rated => Ok(Decision::Apply(vec![])),
        OrderStatus::Accepted => {
            let records = match super::service::records(s, actor, &order, now, &c)? {
                Ok(r) => r,
                Err(d) => return Ok(d),
            };
            // The work is done: the assignee no longer needs the contact.
            let dropped = drop_assignee_copy(&order);
            order.status = OrderStatus::Done;
            order.done_at = Some(now);
            order.served_by = records.iter().map(|h| h.volunteer_id.clone()).collect();
            Ok(Decision::Apply(
                std::iter::once(order_effect(order))
                    .chain(dropped)
                    .chain(
                        records
                            .into_iter()
                            .map(|h| Effect::Put(Record::HourEntry(h))),
                    )
                    .collect(),
            ))
        }
        _ => Ok(wrong_state("only an accepted order can be completed")),
    }
}

pub(super) fn rate_order<S: State>(
    s: &mut S,
    actor: &Actor,
    order_id: &str,
    stars: u8,
    comment: Option<&str>,
) -> Result<Decision, S::Error> {
    if !(1..=5).contains(&stars) {
        return Ok(invalid("1 to 5 stars"));
    }
    let Some(mut order) = get_order(s, order_id)? else {
        return Ok(missing(s, "order"));
    };
    if order.requester_id != actor.user_id {
        return Ok(reject(
            RejectCode::Forbidden,
            "only the resident rates the service",
        ));
    }
    match order.status {
        OrderStatus::Rated if order.rating == Some(stars) => Ok(Decision::Apply(vec![])),
        OrderStatus::Done => {
            order.status = OrderStatus::Rated;
            order.rating = Some(stars);
            order.comment = comment
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty());
            let rated = super::service::rate_records(s, &order)?;
            let mut effects = close(order);
            effects.extend(rated);
            Ok(Decision::Apply(effects))
        }
        _ => Ok(wrong_state("only a completed order can be rated")),
    }
}
