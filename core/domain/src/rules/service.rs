//! The service record of a completed order: the assignee says when the
//! service began and how long it took (and, for a team, which members
//! served); each volunteer gets an hour entry `ord/<order>/<volunteer>`,
//! pending until the staff of the order's site review it, like a
//! self-report. The resident's rating reaches the records when it comes.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::records::ServiceOrder;

/// Most volunteers one order's service credits.
pub const MAX_SERVED: usize = 20;

pub(super) struct Completion<'a> {
    pub order_id: &'a str,
    pub started_at: Option<DateTime<Utc>>,
    pub minutes: u32,
    pub volunteer_ids: &'a [String],
}

/// The records completing `order` writes, or why it is refused. None when
/// the completion says no time (an app older than the service record).
pub(super) fn records<S: State>(
    s: &mut S,
    actor: &Actor,
    order: &ServiceOrder,
    now: DateTime<Utc>,
    c: &Completion<'_>,
) -> Result<Result<Vec<HourEntry>, Decision>, S::Error> {
    let invalid = |msg: &str| Ok(Err(reject(RejectCode::InvalidInput, msg.to_owned())));
    let Some(started_at) = c.started_at else {
        // Minutes or names without a start is a mistake, not an old app.
        if c.minutes != 0 || !c.volunteer_ids.is_empty() {
            return invalid("the service needs its start time");
        }
        return Ok(Ok(vec![]));
    };
    if c.minutes == 0 || c.minutes > MAX_REPORT_MINUTES {
        return invalid("the service lasts 1 to 1440 minutes");
    }
    if started_at + Duration::minutes(i64::from(c.minutes)) > now + MAX_CLOCK_SKEW {
        return invalid("the service cannot end in the future");
    }
    // The evidence is the order: service before it was accepted is not its.
    if order
        .accepted_at
        .is_some_and(|a| started_at < a - MAX_CLOCK_SKEW)
    {
        return invalid("the service began before the order was accepted");
    }
    if started_at < now - LATE_RECORD_LIMIT {
        return Ok(Err(reject(
            RejectCode::TooLate,
            "too old to record: ask the site's staff",
        )));
    }
    let volunteers = match (&order.assignee_volunteer_id, &order.assignee_team_id) {
        (Some(v), _) => {
            if c.volunteer_ids.iter().any(|x| x != v) {
                return invalid("a volunteer's order is served by that volunteer");
            }
            vec![v.clone()]
        }
        (None, Some(team)) => {
            let mut ids = c.volunteer_ids.to_vec();
            ids.sort();
            ids.dedup();
            if ids.is_empty() || ids.len() > MAX_SERVED {
                return invalid("name the team's members who served (1 to 20)");
            }
            for v in &ids {
                let membership = get_membership(s, &pair_key(team, v))?;
                if !membership.as_ref().is_some_and(Membership::is_active) {
                    return Ok(Err(if membership.is_none() && !s.authoritative() {
                        Decision::Defer
                    } else {
                        reject(
                            RejectCode::Forbidden,
                            "only the team's active members serve its orders",
                        )
                    }));
                }
            }
            ids
        }
        (None, None) => return Ok(Ok(vec![])), // an accepted order has an assignee
    };
    let content: String = format!("{}：{}", order.category, order.description)
        .chars()
        .take(MAX_DESCRIPTION_CHARS)
        .collect();
    let mut out = vec![];
    for volunteer_id in volunteers {
        let mut entry = HourEntry {
            site_id: Some(order.site_id.clone()),
            description: content.clone(),
            team_id: order.assignee_team_id.clone(),
            order_id: Some(order.id.clone()),
            ..HourEntry::new(
                HourEntry::order_key(&order.id, &volunteer_id),
                &volunteer_id,
                (HourSource::Order, HourStatus::Pending),
                started_at,
                c.minutes,
                &actor.user_id,
            )
        };
        super::evidence::stamp(s, &mut entry, None, now)?;
        out.push(entry);
    }
    Ok(Ok(out))
}

/// The resident's rating, carried to the order's service records (and to
/// the corrections that replaced them).
pub(super) fn rate_records<S: State>(
    s: &mut S,
    order: &ServiceOrder,
) -> Result<Vec<Effect>, S::Error> {
    let mut effects = vec![];
    for v in &order.served_by {
        let mut next = Some(HourEntry::order_key(&order.id, v));
        while let Some(id) = next.take() {
            if let Some(mut h) = get_hour_entry(s, &id)? {
                next = h.superseded_by.clone();
                h.rating = order.rating;
                effects.push(Effect::Put(Record::HourEntry(h)));
            }
        }
    }
    Ok(effects)
}
