//! The evidence invariant (`docs/domain.md`): every confirmed minute traces
//! to one piece of evidence (an attendance, an approved self-report), no
//! volunteer is credited more than a day's minutes on any day, and derived
//! hours follow their evidence: an entry an attendance earned is superseded
//! when the attendance is corrected and voided when it no longer earns
//! anything, never left standing beside its replacement.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};

use super::*;
use crate::calendar;

/// Working days from an activity's end to record its service (the 2021
/// rules, art. 11), on China's working-day calendar ([`calendar::china`]).
pub const RECORDING_WORKING_DAYS: u32 = 10;

/// How far back a late record is still made, by the site's staff only:
/// past this the record is a matter for a dispute, not a new entry. It
/// bounds what a careless or stolen staff account can add to old events.
pub const LATE_RECORD_LIMIT: Duration = Duration::days(60);

/// When the record of service ending at `end` is due: the end of the
/// tenth working day after the day it ends, Shanghai time.
pub fn recording_deadline(end: DateTime<Utc>) -> DateTime<Utc> {
    let last_day = end.with_timezone(&shanghai()).date_naive();
    let due = calendar::china().add_working_days(last_day, RECORDING_WORKING_DAYS);
    let midnight = due.succ_opt().unwrap_or(due).and_time(NaiveTime::MIN);
    midnight
        .and_local_timezone(shanghai())
        .single()
        .map_or(end, |t| t.with_timezone(&Utc))
}

/// Most minutes one volunteer is credited in one calendar day.
pub const MAX_DAILY_MINUTES: i64 = 24 * 60;

/// Asia/Shanghai is UTC+8 all year (no daylight saving).
const SHANGHAI_OFFSET_SECS: i64 = 8 * 3600;
const DAY_SECS: i64 = 86_400;

/// The district's time zone, Asia/Shanghai (UTC+8, no daylight saving).
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(SHANGHAI_OFFSET_SECS as i32).expect("UTC+8 is a valid offset")
}

/// The Asia/Shanghai calendar day of an instant, in days since 1970-01-01.
pub fn shanghai_day(t: DateTime<Utc>) -> i64 {
    (t.timestamp() + SHANGHAI_OFFSET_SECS).div_euclid(DAY_SECS)
}

/// The entry's credited span, `[started_at, started_at + minutes)`, in seconds.
fn span(e: &HourEntry) -> (i64, i64) {
    let start = e.started_at.timestamp();
    (start, start + i64::from(e.minutes) * 60)
}

/// Whether the entry's credited span meets `[from, to)` (whole seconds,
/// as [`span`] counts them): the test the narrowed reads of
/// [`State::hours_meeting`] answer for.
pub fn span_meets(e: &HourEntry, from: i64, to: i64) -> bool {
    let (f, t) = span(e);
    f < to && from < t
}

/// The Shanghai days `candidate`'s span touches, as `[from, to)`: what the
/// daily limit and the overlap rule read of the volunteer's other entries.
pub(super) fn credit_window(candidate: &HourEntry) -> (i64, i64) {
    let own = span(candidate);
    let first = shanghai_day(candidate.started_at);
    let last = (own.1 - 1 + SHANGHAI_OFFSET_SECS)
        .div_euclid(DAY_SECS)
        .max(first);
    (
        first * DAY_SECS - SHANGHAI_OFFSET_SECS,
        (last + 1) * DAY_SECS - SHANGHAI_OFFSET_SECS,
    )
}

/// Minutes of the span that fall on a Shanghai day.
fn minutes_on(span: (i64, i64), day: i64) -> i64 {
    let day_start = day * DAY_SECS - SHANGHAI_OFFSET_SECS;
    let (from, to) = (span.0.max(day_start), span.1.min(day_start + DAY_SECS));
    (to - from).max(0) / 60
}

/// Whether crediting `candidate` keeps its volunteer within
/// [`MAX_DAILY_MINUTES`] on every day its span touches, counting the
/// confirmed entries of `existing` except the candidate itself and the
/// `replaced` ones (what the candidate supersedes).
pub fn within_daily_limit(
    existing: &[HourEntry],
    candidate: &HourEntry,
    replaced: &[&str],
) -> bool {
    let own = span(candidate);
    let (first, last) = (
        shanghai_day(candidate.started_at),
        (own.1 - 1 + SHANGHAI_OFFSET_SECS).div_euclid(DAY_SECS),
    );
    let others: Vec<(i64, i64)> = existing
        .iter()
        .filter(|e| {
            e.is_confirmed()
                && e.volunteer_id == candidate.volunteer_id
                && e.id != candidate.id
                && !replaced.contains(&e.id.as_str())
        })
        .map(span)
        .collect();
    (first..=last).all(|day| {
        minutes_on(own, day) + others.iter().map(|&o| minutes_on(o, day)).sum::<i64>()
            <= MAX_DAILY_MINUTES
    })
}

/// Whether `candidate`'s span overlaps another of its volunteer's entries
/// that `counts` (except itself and the `replaced` ones): nobody serves in
/// two places at once, so overlapping credit is double counting.
pub fn overlaps(
    existing: &[HourEntry],
    candidate: &HourEntry,
    replaced: &[&str],
    counts: impl Fn(&HourEntry) -> bool,
) -> bool {
    let (from, to) = span(candidate);
    existing.iter().any(|e| {
        let (f, t) = span(e);
        counts(e)
            && e.volunteer_id == candidate.volunteer_id
            && e.id != candidate.id
            && !replaced.contains(&e.id.as_str())
            && f < to
            && from < t
    })
}

/// The refusal when crediting `candidate` would pass the daily limit or
/// overlap time already credited. A device holds only part of the
/// volunteer's record (and maybe stale): it leaves the refusal to the server.
pub(super) fn credit_check<S: State>(
    s: &mut S,
    candidate: &HourEntry,
    replaced: &[&str],
) -> Result<Option<Decision>, S::Error> {
    let (from, to) = credit_window(candidate);
    let existing = s.hours_meeting(&candidate.volunteer_id, from, to)?;
    let refusal = if !within_daily_limit(&existing, candidate, replaced) {
        reject(
            RejectCode::DailyLimit,
            "this would credit the volunteer more than 24 hours in one day",
        )
    } else if overlaps(&existing, candidate, replaced, HourEntry::is_confirmed) {
        reject(
            RejectCode::HoursOverlap,
            "the volunteer is already credited for part of this time",
        )
    } else {
        return Ok(None);
    };
    Ok(Some(if s.authoritative() {
        refusal
    } else {
        Decision::Defer
    }))
}

/// The hour-entry effects of an attendance now standing as `after`, which
/// earned `previous` (by its id before this change) until now. The entry
/// `after` earns replaces `previous`: in place when the id is the same (a
/// later check-out merged in), superseding it after a correction; a
/// `previous` it no longer replaces is voided. A self-report of the same
/// volunteer for the activity is voided too once the attendance credits
/// time: attendance is the evidence.
/// `Err` carries a refusal (the daily limit).
pub(super) fn follow_attendance<S: State>(
    s: &mut S,
    activity: &Activity,
    previous_id: Option<&str>,
    after: &Attendance,
    (reason, now): (Option<&str>, DateTime<Utc>),
) -> Result<Result<Vec<Effect>, Decision>, S::Error> {
    let previous = match previous_id {
        Some(id) => get_hour_entry(s, id)?.filter(HourEntry::is_confirmed),
        None => None,
    };
    let mut earned = HourEntry::for_attendance(activity, after);
    let mut effects = vec![];
    if let Some(new) = &mut earned {
        stamp(s, new, Some(activity), now)?;
        let replaced: Vec<&str> = previous.iter().map(|p| p.id.as_str()).collect();
        if let Some(refusal) = credit_check(s, new, &replaced)? {
            return Ok(Err(refusal));
        }
        if let Some(p) = previous.as_ref().filter(|p| p.id != new.id) {
            new.corrects = Some(p.id.clone());
            new.reason = reason.map(str::to_owned);
            // A correction is not a new record: it was late if the record
            // it corrects was.
            new.late = p.late;
        }
    }
    // Once attendance credits the activity, it is the evidence: a
    // self-report for it gives way (a bare check-in erases nothing).
    for mut report in s.hours_for_activity(&after.volunteer_id, &activity.id)? {
        let open = matches!(report.status, HourStatus::Pending | HourStatus::Confirmed);
        if open && earned.is_some() && report.source == HourSource::SelfReport {
            report.status = HourStatus::Voided;
            report.reason = Some("the activity's attendance records this volunteer".into());
            effects.push(Effect::Put(Record::HourEntry(report)));
        }
    }
    if let Some(mut p) = previous
        && earned.as_ref().is_none_or(|n| n.id != p.id)
    {
        match &earned {
            Some(n) => {
                p.status = HourStatus::Superseded;
                p.superseded_by = Some(n.id.clone());
            }
            None => {
                p.status = HourStatus::Voided;
                p.reason = reason.map(str::to_owned);
            }
        }
        effects.push(Effect::Put(Record::HourEntry(p)));
    }
    effects.extend(earned.map(|n| Effect::Put(Record::HourEntry(n))));
    Ok(Ok(effects))
}

/// Stamp a service record with the fields the 2021 rules ask for, as they
/// stand when it is recorded: the recording time, the place (the site's
/// name and address), the organising unit (the team, else the site) and the
/// activity lead; and with its deadline (from the activity's end, else the
/// service's) and whether it was recorded after it.
pub(super) fn stamp<S: State>(
    s: &mut S,
    entry: &mut HourEntry,
    activity: Option<&Activity>,
    now: DateTime<Utc>,
) -> Result<(), S::Error> {
    entry.recorded_at = Some(now);
    let served_until = activity.map_or_else(
        || entry.started_at + Duration::minutes(i64::from(entry.minutes)),
        |a| a.ends_at,
    );
    let due = recording_deadline(served_until);
    entry.due_by = Some(due);
    entry.late = now > due;
    let site = match &entry.site_id {
        Some(id) => get_site(s, id)?,
        None => None,
    };
    entry.place = site.as_ref().map(|x| match x.address.as_str() {
        "" => x.name.clone(),
        address => format!("{} {address}", x.name),
    });
    let team = match &entry.team_id {
        Some(t) => get_team(s, t)?,
        None => None,
    };
    entry.organiser = team.map(|t| t.name).or_else(|| site.map(|x| x.name));
    entry.lead = activity.and_then(|a| a.lead.clone());
    Ok(())
}

/// Void every open hour entry for a cancelled activity (of the volunteers
/// signed up or recorded there): it did not take place.
pub(super) fn void_for_cancelled<S: State>(
    s: &mut S,
    activity: &Activity,
    reason: &str,
) -> Result<Vec<Effect>, S::Error> {
    let mut volunteers: Vec<String> = s
        .signups_of(&activity.id)?
        .into_iter()
        .map(|x| x.volunteer_id)
        .chain(
            s.attendances_of(&activity.id)?
                .into_iter()
                .map(|a| a.volunteer_id),
        )
        .collect();
    volunteers.sort();
    volunteers.dedup();
    let mut effects = vec![];
    for v in volunteers {
        for mut h in s.hours_for_activity(&v, &activity.id)? {
            let open = matches!(h.status, HourStatus::Pending | HourStatus::Confirmed);
            if open {
                h.status = HourStatus::Voided;
                h.reason = Some(format!("activity cancelled: {reason}"));
                effects.push(Effect::Put(Record::HourEntry(h)));
            }
        }
    }
    Ok(effects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, start: &str, minutes: u32) -> HourEntry {
        HourEntry {
            id: id.into(),
            volunteer_id: "v1".into(),
            activity_id: None,
            site_id: None,
            source: HourSource::SelfReport,
            status: HourStatus::Confirmed,
            started_at: start.parse().unwrap(),
            minutes,
            description: String::new(),
            recorded_by: "v1".into(),
            team_id: None,
            reviewed_by: None,
            reviewed_at: None,
            reason: None,
            corrects: None,
            superseded_by: None,
            history: vec![],
            order_id: None,
            rating: None,
            recorded_at: None,
            due_by: None,
            late: false,
            place: None,
            organiser: None,
            lead: None,
        }
    }

    #[test]
    fn days_are_shanghai_days() {
        // 23:30 UTC is 07:30 the next morning in Shanghai.
        let late: DateTime<Utc> = "2026-12-01T23:30:00Z".parse().unwrap();
        let early: DateTime<Utc> = "2026-12-01T15:59:00Z".parse().unwrap();
        assert_eq!(shanghai_day(late), shanghai_day(early) + 1);
    }

    #[test]
    fn the_daily_limit_counts_every_confirmed_minute_of_the_day() {
        // 16:00 UTC is midnight in Shanghai: 20 h on one Shanghai day.
        let existing = vec![entry("a", "2026-12-01T16:00:00Z", 20 * 60)];
        assert!(within_daily_limit(
            &existing,
            &entry("b", "2026-12-02T12:00:00Z", 4 * 60),
            &[]
        ));
        assert!(!within_daily_limit(
            &existing,
            &entry("b", "2026-12-02T11:59:00Z", 4 * 60 + 1),
            &[]
        ));
        // Across midnight, each day counts its own part.
        assert!(within_daily_limit(
            &existing,
            &entry("b", "2026-12-02T14:00:00Z", 6 * 60),
            &[]
        ));
        // What the candidate replaces, and unconfirmed entries, do not count.
        let big = entry("b", "2026-12-02T12:00:00Z", 23 * 60);
        assert!(within_daily_limit(&existing, &big, &["a"]));
        let mut pending = existing.clone();
        pending[0].status = HourStatus::Pending;
        assert!(within_daily_limit(&pending, &big, &[]));
    }
}
