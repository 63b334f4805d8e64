//! A console form as a mutation. A form names its action in `op` (a
//! mutation's `type`) and carries the mutation's fields under their wire names, so one
//! conversion serves every form: empty fields are left out, numbers,
//! yes/no and times are read as such (times as typed in Beijing time), and
//! the result is decoded by the mutation's own serde shape: a form cannot
//! send what a device could not. A dotted name fills a nested field
//! (`gift.type`, `audience.team_ids`); an amount in yuan (`gift.yuan`)
//! becomes fen. Each form also carries a fresh `form_id`,
//! the mutation's id, by which a second submission is recognised.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};
use volunteer_domain::{Mutation, is_valid_id};

/// Fields that steer the form rather than feed the mutation.
// `op`, not `action`: a field named `action` would hide the form's own
// `action` property from scripts.
const CONTROL: &[&str] = &["csrf", "form_id", "op", "back", "entry"];
const NUMBERS: &[&str] = &[
    "quantity",
    "capacity",
    "needed",
    "minutes",
    "credit_rounding_minutes",
    "stars",
    "offer",
];
const FLAGS: &[&str] = &["approve", "accept", "waitlist", "walk_ins"];
const TIMES: &[&str] = &[
    "starts_at",
    "ends_at",
    "at",
    "desired_at",
    "signup_deadline",
    "started_at",
    "received_at",
    "checked_in_at",
    "checked_out_at",
];
const LISTS: &[&str] = &["volunteer_ids", "team_ids"];
/// Text fields a mutation requires but that may be empty; any other empty
/// field is left out (an optional field is then absent).
const MAY_BE_EMPTY: &[&str] = &["description", "address"];

pub fn parse(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A time typed in a `datetime-local` field (Beijing time), or `now`.
fn time(v: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if v == "now" {
        return Some(now);
    }
    let local = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some((local - chrono::Duration::hours(8)).and_utc())
}

/// Yuan as typed (`12`, `12.5`, `12.50`) in fen.
fn fen_of(v: &str) -> Option<u64> {
    let (whole, part) = v.split_once('.').unwrap_or((v, ""));
    if part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let part: u64 = format!("{part:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(part)
}

/// The value of one field, by its (last) name.
fn value(name: &str, v: &str, now: DateTime<Utc>) -> Result<Value, String> {
    Ok(if NUMBERS.contains(&name) {
        Value::from(
            v.parse::<u64>()
                .map_err(|_| format!("{name}: a whole number"))?,
        )
    } else if FLAGS.contains(&name) {
        Value::Bool(matches!(v, "true" | "on" | "yes"))
    } else if TIMES.contains(&name) {
        let t = time(v, now).ok_or_else(|| format!("{name}: a date and time"))?;
        Value::String(t.to_rfc3339())
    } else if name == "yuan" {
        Value::from(fen_of(v).ok_or("an amount in yuan, with at most two decimals")?)
    } else {
        Value::String(v.to_owned())
    })
}

/// The mutation a form describes (without the control fields).
pub fn mutation(
    action: &str,
    fields: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Mutation, String> {
    let mut obj = Map::new();
    obj.insert("type".into(), Value::String(action.to_owned()));
    for (k, v) in fields {
        let v = v.trim();
        let path: Vec<&str> = k.split('.').collect();
        let Some((&last, parents)) = path.split_last() else {
            continue;
        };
        if CONTROL.contains(&k.as_str()) || (v.is_empty() && !MAY_BE_EMPTY.contains(&last)) {
            continue;
        }
        // Down to the object that holds this field.
        let mut at = &mut obj;
        for p in parents {
            let next = at
                .entry((*p).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = next else {
                return Err(format!("{k}: not a group of fields"));
            };
            at = m;
        }
        let name = if last == "yuan" { "fen" } else { last };
        if LISTS.contains(&last) {
            if let Value::Array(items) = at
                .entry(name.to_owned())
                .or_insert_with(|| Value::Array(vec![]))
            {
                items.push(Value::String(v.to_owned()));
            }
            continue;
        }
        // A later field of the same name wins (a checkbox after its hidden "no").
        at.insert(name.to_owned(), value(last, v, now)?);
    }
    serde_json::from_value(Value::Object(obj)).map_err(|e| e.to_string())
}

/// The mutations a posted form asks for, each with its id: one, or for a
/// bulk review one per selected entry (`entry`), numbered from the form's id.
pub fn mutations(
    fields: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Vec<(String, Mutation)>, String> {
    let form_id = field(fields, "form_id")
        .filter(|id| is_valid_id(id) && id.len() <= 40)
        .ok_or("the form has no id")?;
    let action = field(fields, "op").ok_or("the form names no action")?;
    let entries: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "entry")
        .map(|(_, v)| v.as_str())
        .collect();
    if entries.is_empty() {
        return Ok(vec![(form_id.to_owned(), mutation(action, fields, now)?)]);
    }
    entries
        .iter()
        .map(|entry| {
            let mut one = fields.to_vec();
            one.push(("entry_id".into(), (*entry).to_owned()));
            Ok((
                entry_mutation_id(form_id, entry),
                mutation(action, &one, now)?,
            ))
        })
        .collect()
}

/// One entry's mutation id within a bulk form: named by the entry, not by
/// its place in the list, so the same form posted again with another
/// selection (after Back) applies each newly ticked entry once instead of
/// being answered from the log under the ids of the first selection.
fn entry_mutation_id(form_id: &str, entry: &str) -> String {
    format!("{form_id}-{}", crate::auth::fingerprint(&[entry]))
}

/// The page to return to, with the outcome for it to show.
pub fn flash(back: &str, outcome: Result<(), &str>) -> String {
    let sep = if back.contains('?') { '&' } else { '?' };
    match outcome {
        Ok(()) => format!("{back}{sep}done=1"),
        Err(code) => {
            let code: String = serde_urlencoded::to_string([("failed", code)]).unwrap_or_default();
            format!("{back}{sep}{code}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_form_becomes_its_mutation_with_typed_fields() {
        let now: DateTime<Utc> = "2026-12-01T02:00:00Z".parse().unwrap();
        let fields = f(&[
            ("csrf", "x"),
            ("form_id", "f1"),
            ("op", "create_activity"),
            ("activity_id", "a1"),
            ("site_id", "s1"),
            ("team_id", ""),
            ("title", " 敬老 "),
            ("description", ""),
            ("starts_at", "2026-12-02T09:00"),
            ("ends_at", "2026-12-02T11:30"),
            ("capacity", "10"),
            ("waitlist", "false"),
            ("waitlist", "true"),
            ("walk_ins", "false"),
        ]);
        let ms = mutations(&fields, now).unwrap();
        let [
            (
                id,
                Mutation::CreateActivity {
                    team_id,
                    title,
                    starts_at,
                    capacity,
                    waitlist,
                    walk_ins,
                    description,
                    ..
                },
            ),
        ] = ms.as_slice()
        else {
            panic!("{ms:?}")
        };
        assert_eq!(id, "f1");
        assert_eq!(*team_id, None);
        assert_eq!(title, "敬老");
        assert_eq!(description, "");
        assert_eq!(
            starts_at.to_rfc3339(),
            "2026-12-02T01:00:00+00:00",
            "Beijing time"
        );
        assert_eq!((*capacity, *waitlist, *walk_ins), (10, true, false));
    }

    #[test]
    fn a_bulk_review_is_one_mutation_per_entry_with_ids_from_the_form() {
        let now = Utc::now();
        let fields = f(&[
            ("form_id", "f2"),
            ("op", "review_hours"),
            ("approve", "true"),
            ("entry", "e1"),
            ("entry", "att/a1/v1"),
        ]);
        let ms = mutations(&fields, now).unwrap();
        assert_eq!(ms.len(), 2);
        assert!(ms.iter().all(|(id, _)| is_valid_id(id)), "{ms:?}");
        assert!(
            matches!(&ms[1].1, Mutation::ReviewHours { entry_id, approve: true, .. } if entry_id == "att/a1/v1")
        );
        // The same form again with another selection: the entry kept keeps
        // its id, the new one gets its own (not the first one's "second").
        let again = f(&[
            ("form_id", "f2"),
            ("op", "review_hours"),
            ("approve", "true"),
            ("entry", "att/a1/v1"),
            ("entry", "e3"),
        ]);
        let ms2 = mutations(&again, now).unwrap();
        assert_eq!(ms2[0].0, ms[1].0);
        assert!(ms2[1].0 != ms[0].0 && ms2[1].0 != ms[1].0);
    }

    #[test]
    fn dotted_names_fill_nested_fields_and_yuan_become_fen() {
        let now = Utc::now();
        let fields = f(&[
            ("form_id", "f4"),
            ("op", "record_donation"),
            ("donation_id", "d1"),
            ("site_id", "s1"),
            ("gift.type", "money"),
            ("gift.yuan", "1234.5"),
            ("gift.item", ""),
            ("received_at", "now"),
        ]);
        let ms = mutations(&fields, now).unwrap();
        assert!(
            matches!(
                &ms[0].1,
                Mutation::RecordDonation {
                    gift: volunteer_domain::Gift::Money { fen: 123_450 },
                    ..
                }
            ),
            "{ms:?}"
        );
        let call = f(&[
            ("form_id", "f5"),
            ("op", "widen_call_out"),
            ("activity_id", "c1"),
            ("audience.team_ids", "t1"),
            ("audience.team_ids", "t2"),
            ("audience.site_id", ""),
            ("needed", "5"),
        ]);
        let ms = mutations(&call, now).unwrap();
        let Mutation::WidenCallOut {
            audience, needed, ..
        } = &ms[0].1
        else {
            panic!("{ms:?}")
        };
        assert_eq!(
            (
                audience.team_ids.len(),
                audience.site_id.as_deref(),
                *needed
            ),
            (2, None, 5)
        );
        assert_eq!(fen_of("12"), Some(1200));
        assert_eq!(fen_of("0.05"), Some(5));
        assert_eq!(fen_of("1.234"), None);
        assert_eq!(fen_of("-1"), None);
    }

    #[test]
    fn a_form_that_is_no_mutation_is_refused() {
        let now = Utc::now();
        for bad in [
            f(&[("form_id", "f3"), ("op", "drop_tables")]),
            f(&[
                ("form_id", "f3"),
                ("op", "create_activity"),
                ("capacity", "many"),
            ]),
            f(&[("op", "join_team"), ("team_id", "t1")]),
            f(&[
                ("form_id", "bad id"),
                ("op", "join_team"),
                ("team_id", "t1"),
            ]),
        ] {
            assert!(mutations(&bad, now).is_err(), "{bad:?}");
        }
    }
}
