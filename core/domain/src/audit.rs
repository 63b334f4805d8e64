//! The evidence invariant stated on its own, over a set of records: every
//! confirmed minute traces to exactly one piece of evidence, and no
//! volunteer is credited more than a day's minutes on any Asia/Shanghai
//! day (`docs/domain.md`). The rules enforce it step by step; this checks
//! the result whole. The property test runs it after every generated step,
//! and the server's demo is checked with it after seeding.

use chrono::Duration;
use std::collections::{BTreeMap, BTreeSet};

use crate::record::Record;
use crate::records::{
    Activity, Attendance, HourEntry, HourSource, HourStatus, OrderStatus, ServiceOrder,
    SignupStatus,
};
use crate::rules::{MAX_DAILY_MINUTES, credited_minutes, shanghai_day};

/// The first violation found, in words, or `Ok`.
pub fn check<'r>(records: impl IntoIterator<Item = &'r Record>) -> Result<(), String> {
    let records: Vec<&Record> = records.into_iter().collect();
    let activities: BTreeMap<&str, &Activity> = records
        .iter()
        .filter_map(|r| match r {
            Record::Activity(a) => Some((a.id.as_str(), a)),
            _ => None,
        })
        .collect();
    let attendance: BTreeMap<(String, String), &Attendance> = records
        .iter()
        .filter_map(|r| match r {
            Record::Attendance(a) => Some(((a.activity_id.clone(), a.volunteer_id.clone()), a)),
            _ => None,
        })
        .collect();
    let orders: BTreeMap<&str, &ServiceOrder> = records
        .iter()
        .filter_map(|r| match r {
            Record::ServiceOrder(o) => Some((o.id.as_str(), o)),
            _ => None,
        })
        .collect();
    let hours: BTreeMap<&str, &HourEntry> = records
        .iter()
        .filter_map(|r| match r {
            Record::HourEntry(h) => Some((h.id.as_str(), h)),
            _ => None,
        })
        .collect();
    let places: BTreeSet<(&str, &str)> = records
        .iter()
        .filter_map(|r| match r {
            Record::Signup(s) if s.status == SignupStatus::Confirmed => {
                Some((s.activity_id.as_str(), s.volunteer_id.as_str()))
            }
            _ => None,
        })
        .collect();
    let signed = |a: &str, v: &str| places.contains(&(a, v));
    let took_place = |a: &Activity| a.status.took_place();
    // The (activity, volunteer) pairs attendance credits now.
    let credited_pairs: BTreeSet<(&str, &str)> = hours
        .values()
        .filter(|h| h.status == HourStatus::Confirmed && h.source == HourSource::Attendance)
        .filter_map(|h| Some((h.activity_id.as_deref()?, h.volunteer_id.as_str())))
        .collect();
    let mut per_pair: BTreeMap<(String, String), usize> = BTreeMap::new();
    for h in hours.values().filter(|h| h.status == HourStatus::Confirmed) {
        match h.source {
            HourSource::Attendance => {
                let pair = (
                    h.activity_id.clone().unwrap_or_default(),
                    h.volunteer_id.clone(),
                );
                let att = attendance
                    .get(&pair)
                    .ok_or_else(|| format!("{} has no attendance", h.id))?;
                if att.hours_id() != h.id {
                    return Err(format!("{} is not what {:?} earns now", h.id, pair));
                }
                let out = att
                    .checked_out_at
                    .ok_or_else(|| format!("{} without a check-out", h.id))?;
                let activity = activities
                    .get(pair.0.as_str())
                    .ok_or_else(|| format!("{} credits a missing activity", h.id))?;
                if !took_place(activity) {
                    return Err(format!("{} credits a {:?} activity", h.id, activity.status));
                }
                if h.minutes != credited_minutes(activity, att.checked_in_at, out) {
                    return Err(format!(
                        "{} credits {} minutes, its attendance {}",
                        h.id,
                        h.minutes,
                        credited_minutes(activity, att.checked_in_at, out)
                    ));
                }
                if att.recorded_by == att.volunteer_id
                    || att.corrections.iter().any(|c| c.by == att.volunteer_id)
                {
                    return Err(format!("{:?} recorded by the volunteer", pair));
                }
                if !activity.walk_ins && !signed(&pair.0, &pair.1) {
                    return Err(format!("{:?} attended without a place or walk-ins", pair));
                }
                *per_pair.entry(pair).or_default() += 1;
            }
            HourSource::SelfReport | HourSource::Order => {
                let reviewer = h
                    .reviewed_by
                    .as_deref()
                    .ok_or_else(|| format!("{} confirmed without review", h.id))?;
                if reviewer == h.volunteer_id {
                    return Err(format!("{} approved by its volunteer", h.id));
                }
                if h.source == HourSource::Order {
                    if reviewer == h.recorded_by {
                        return Err(format!("{} approved by whoever recorded it", h.id));
                    }
                    let order = h
                        .order_id
                        .as_deref()
                        .and_then(|o| orders.get(o))
                        .ok_or_else(|| format!("{} credits no order", h.id))?;
                    if !matches!(order.status, OrderStatus::Done | OrderStatus::Rated)
                        || !order.served_by.contains(&h.volunteer_id)
                    {
                        return Err(format!("{} is not a service {} records", h.id, order.id));
                    }
                }
                if let Some(old) = &h.corrects {
                    if reviewer == h.recorded_by {
                        return Err(format!("{} approved by its own corrector", h.id));
                    }
                    let superseded = hours.get(old.as_str()).is_some_and(|o| {
                        o.status == HourStatus::Superseded
                            && o.superseded_by.as_ref() == Some(&h.id)
                    });
                    if !superseded {
                        return Err(format!("{} stands beside the entry it corrects", h.id));
                    }
                }
                if let Some(a) = &h.activity_id {
                    let activity = activities
                        .get(a.as_str())
                        .ok_or_else(|| format!("{} reports a missing activity", h.id))?;
                    if !took_place(activity) {
                        return Err(format!("{} reports a {:?} activity", h.id, activity.status));
                    }
                    if credited_pairs.contains(&(a.as_str(), h.volunteer_id.as_str())) {
                        return Err(format!("{} counts time attendance credits", h.id));
                    }
                    if !signed(a, &h.volunteer_id) {
                        return Err(format!("{} reports an activity without a place", h.id));
                    }
                }
            }
        }
    }
    if let Some((pair, n)) = per_pair.iter().find(|(_, n)| **n > 1) {
        return Err(format!("{pair:?} credited {n} times"));
    }
    // Every checked-out attendance of an activity that took place is credited.
    for (pair, att) in &attendance {
        let credited = hours
            .get(att.hours_id().as_str())
            .is_some_and(|h| h.status == HourStatus::Confirmed);
        let held = activities
            .get(pair.0.as_str())
            .is_some_and(|a| took_place(a));
        if att.checked_out_at.is_some() && held && !credited {
            return Err(format!("{pair:?} is checked out but not credited"));
        }
    }
    // No two confirmed credits of one volunteer overlap in time.
    let mut spans: BTreeMap<&str, Vec<(i64, i64, &str)>> = BTreeMap::new();
    for h in hours.values().filter(|h| h.status == HourStatus::Confirmed) {
        let start = h.started_at.timestamp();
        let span = (start, start + i64::from(h.minutes) * 60, h.id.as_str());
        spans.entry(h.volunteer_id.as_str()).or_default().push(span);
    }
    for (v, list) in &mut spans {
        list.sort_unstable();
        if let Some(w) = list.windows(2).find(|w| w[1].0 < w[0].1) {
            return Err(format!("{v}: {} overlaps {}", w[1].2, w[0].2));
        }
    }
    // The daily limit, minute by minute of each Shanghai day.
    let mut per_day: BTreeMap<(String, i64), i64> = BTreeMap::new();
    for h in hours.values().filter(|h| h.status == HourStatus::Confirmed) {
        let mut t = h.started_at;
        let end = h.started_at + Duration::minutes(i64::from(h.minutes));
        while t < end {
            let day = shanghai_day(t);
            let next_day = t + Duration::minutes(1);
            *per_day.entry((h.volunteer_id.clone(), day)).or_default() += 1;
            t = next_day;
        }
    }
    if let Some(((v, day), m)) = per_day.iter().find(|(_, m)| **m > MAX_DAILY_MINUTES) {
        return Err(format!("{v} credited {m} minutes on day {day}"));
    }
    Ok(())
}
