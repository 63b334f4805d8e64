//! The check both backends' narrowed hour reads must pass (their tests run
//! it): for random entries and windows, `hours_meeting` returns every entry
//! whose span meets the window ([`span_meets`], what the rules test) and
//! none ending more than a day before it, and `hours_for_activity` exactly the activity's
//! entries. A read that missed an entry would let a volunteer be credited
//! twice for the same time or past the daily limit.

use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeSet;
use volunteer_domain::rules::span_meets;
use volunteer_domain::{HourEntry, Record, State};

use super::{Storage, StoreError};

/// A small deterministic generator (xorshift), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The district (root site) the entries are filed under.
pub(crate) const DISTRICT: &str = "hd";
const VOLUNTEERS: [&str; 2] = ["hv-1", "hv-2"];
const ACTIVITIES: [&str; 3] = ["ha-1", "ha-2", "ha-3"];
/// Entries start within these 20 days.
const BASE: i64 = 1_790_000_000;
const RANGE: u64 = 20 * 86_400;

fn entry(rng: &mut Rng, i: usize) -> HourEntry {
    let start = BASE + rng.below(RANGE) as i64;
    // Whole seconds, a little past one, or a hair before the next: the
    // rules truncate to the second and PostgreSQL keeps microseconds.
    let nanos = [0, 1_000, 500_000_000, 999_999_999][rng.below(4) as usize];
    let started_at = DateTime::<Utc>::from_timestamp(start, nanos).expect("time");
    // Up to three days: attendance over a multi-day activity is one entry.
    let minutes = match rng.below(4) {
        0 => rng.below(60),
        1 => rng.below(600),
        _ => rng.below(3 * 1440),
    };
    let activity = match rng.below(4) {
        3 => None,
        n => Some(ACTIVITIES[n as usize]),
    };
    let status = ["confirmed", "pending", "voided", "superseded"][rng.below(4) as usize];
    serde_json::from_value(json!({
        "id": format!("he-{i}"),
        "volunteer_id": VOLUNTEERS[rng.below(2) as usize],
        "activity_id": activity,
        "site_id": null,
        "source": "self_report",
        "status": status,
        "started_at": started_at,
        "minutes": minutes,
        "description": "",
        "recorded_by": "staff",
    }))
    .expect("hour entry")
}

fn ids(entries: &[HourEntry]) -> BTreeSet<String> {
    entries.iter().map(|e| e.id.clone()).collect()
}

/// The checks, run inside one of the backend's transactions.
pub(crate) type Checks<'a> = dyn FnMut(&mut dyn Reads) -> Result<(), StoreError> + 'a;
/// Runs [`Checks`] in a transaction of the backend under test.
pub(crate) type InTransaction<'a> = dyn Fn(&mut Checks) -> Result<(), StoreError> + 'a;

/// Write random entries into `store`, then check `reads` (which runs the
/// backend's narrowed reads in one transaction) against every entry.
pub(crate) fn check(store: &dyn Storage, reads: &InTransaction) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let all: Vec<HourEntry> = (0..300).map(|i| entry(&mut rng, i)).collect();
    // A district for the entries (PostgreSQL files every row under one).
    let root = Record::from_value(
        volunteer_domain::Kind::Site,
        json!({"id": DISTRICT, "name": "district", "level": "center", "parent_id": null,
               "path": format!("/{DISTRICT}/"), "address": ""}),
    )
    .expect("site");
    let records: Vec<Record> = std::iter::once(root)
        .chain(all.iter().cloned().map(Record::HourEntry))
        .collect();
    store.put_records(&records).expect("put entries");
    let mut windows: Vec<(i64, i64)> = (0..200)
        .map(|_| {
            let from = BASE - 86_400 + rng.below(RANGE + 2 * 86_400) as i64;
            (from, from + rng.below(2 * 86_400) as i64)
        })
        .collect();
    // Windows that begin or end exactly where some entry begins or ends.
    for e in all.iter().take(40) {
        let (s, t) = (
            e.started_at.timestamp(),
            e.started_at.timestamp() + 60 * i64::from(e.minutes),
        );
        windows.extend([(s, s + 1), (t - 1, t), (t, t + 60), (s - 60, s)]);
        // Around the one-day bound between the two indexes.
        windows.extend([(s + 86_399, s + 86_401), (s + 86_400, s + 86_460)]);
    }
    reads(&mut |state| {
        for v in VOLUNTEERS {
            let own: Vec<&HourEntry> = all.iter().filter(|e| e.volunteer_id == v).collect();
            for &(from, to) in &windows {
                let got = ids(&state.meeting(v, from, to)?);
                let needed: BTreeSet<String> = own
                    .iter()
                    .filter(|e| span_meets(e, from, to))
                    .map(|e| e.id.clone())
                    .collect();
                // Near: ending at most a day before it (an index on the
                // start reads those), a second of slack after it
                // (PostgreSQL's microseconds).
                let near: BTreeSet<String> = own
                    .iter()
                    .filter(|e| span_meets(e, from - 86_400 - 1, to + 1))
                    .map(|e| e.id.clone())
                    .collect();
                assert!(
                    needed.is_subset(&got),
                    "{v} [{from}, {to}): missing {:?}",
                    needed.difference(&got).collect::<Vec<_>>()
                );
                assert!(
                    got.is_subset(&near),
                    "{v} [{from}, {to}): far from the window {:?}",
                    got.difference(&near).collect::<Vec<_>>()
                );
            }
            for a in ACTIVITIES {
                let got = ids(&state.for_activity(v, a)?);
                let want: BTreeSet<String> = own
                    .iter()
                    .filter(|e| e.activity_id.as_deref() == Some(a))
                    .map(|e| e.id.clone())
                    .collect();
                assert_eq!(got, want, "{v}'s entries for {a}");
            }
        }
        Ok(())
    })
    .expect("reads");
}

/// The two reads, object-safe over either backend's transaction state.
pub(crate) trait Reads {
    fn meeting(&mut self, v: &str, from: i64, to: i64) -> Result<Vec<HourEntry>, StoreError>;
    fn for_activity(&mut self, v: &str, a: &str) -> Result<Vec<HourEntry>, StoreError>;
}

impl<S: State<Error = StoreError>> Reads for S {
    fn meeting(&mut self, v: &str, from: i64, to: i64) -> Result<Vec<HourEntry>, StoreError> {
        self.hours_meeting(v, from, to)
    }
    fn for_activity(&mut self, v: &str, a: &str) -> Result<Vec<HourEntry>, StoreError> {
        self.hours_for_activity(v, a)
    }
}
