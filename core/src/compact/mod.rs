//! The compact form of a replicated record in the device's file (schemas
//! 6 to 11).
//!
//! A phone holds tens of thousands of records, most of them a few ids, a
//! timestamp and a status wrapped in field names. Stored as the JSON the
//! server sent, an institute's replica took 750 bytes per record. Each row of
//! `record_rows` now holds:
//! - its kind as a small integer code (`kinds.rs`);
//! - its key **packed** ([`pack`]): a key made of canonical UUIDs joined by
//!   `/` is their 16-byte forms (a signup's `activity/volunteer`: 32 bytes,
//!   not 73); any other key is kept as text;
//! - the ids the replica looks rows up by (`activity_id`, `volunteer_id`,
//!   `site_id`, `team_id`) **lifted** out of the JSON into columns of their
//!   own, packed (or, when one is a part of the key, that part's number:
//!   [`beside_key`]), which the indexes use, and so is a site's `path` (as
//!   text), which every subtree test reads, and an activity's `starts_at`
//!   and `ends_at` (as integer nanoseconds, see [`pack_time`]), which the
//!   activity lists filter and sort by without decoding every row; `id` is
//!   dropped when it equals the key;
//! - the rest of the JSON **compressed** with zstd against a fixed dictionary
//!   of every kind's field names (`dictionary_v1.txt`).
//!
//! The `records` view puts a row back together ([`decode`], as the SQL
//! function `record_json`), so queries read JSON as before. The JSON a read
//! returns equals the one written as a JSON value (its fields may come in
//! another order). Every connection to the file needs the functions
//! [`register`] defines (`sql.rs`): `schema::open` registers them. How a
//! lifted value is stored is in `stored.rs`.
//!
//! The first byte of a body says how the rest is stored ([`Format`]). A
//! dictionary, once used, can never change: rows written with it must stay
//! readable. A better one is a new format byte beside it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use std::thread::LocalKey;

use rusqlite::types::Value;
use serde_json::value::RawValue;

/// How a lifted field's value is stored in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    /// [`pack`]ed: the indexes compare ids in their 16-byte forms.
    Id,
    /// As it came (a site's path: its subtree test is a prefix).
    Text,
    /// [`pack_time`]: compared as numbers.
    Time,
}

/// The fields lifted into columns, in the columns' order: the ids rows are
/// looked up by, a site's path (subtree tests read it on every row), and
/// the times activity lists filter and sort by.
const LIFTED: [(&str, Stored); 7] = [
    ("activity_id", Stored::Id),
    ("volunteer_id", Stored::Id),
    ("site_id", Stored::Id),
    ("team_id", Stored::Id),
    ("path", Stored::Text),
    ("starts_at", Stored::Time),
    ("ends_at", Stored::Time),
];
/// How many fields [`LIFTED`] holds: the row's columns after its body.
pub const LIFTED_COUNT: usize = LIFTED.len();

/// What follows a body's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Format {
    /// The JSON text as written: it was not an object this module can split.
    Verbatim = 0,
    /// zstd against dictionary 1, of the object without its lifted fields.
    Compressed = 1,
    /// As `Compressed`, and the object's `"id"`, equal to the key, removed.
    CompressedIdIsKey = 2,
    /// As `Compressed` and `CompressedIdIsKey`, without the 4 bytes of zstd's
    /// frame magic, which this byte already stands for (schema 10 writes
    /// these; 1 and 2 stay readable).
    Bare = 3,
    BareIdIsKey = 4,
}

/// What starts every zstd frame: left out of `Bare` bodies.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

static DICTIONARY: &[u8] = include_bytes!("dictionary_v1.txt");
/// Level 1: with the dictionary, higher levels gain under 1 % on records.
const LEVEL: i32 = 1;
/// No record comes near this; a body claiming more is corrupt.
const MAX_RECORD_BYTES: usize = 8 << 20;

static ENCODER: LazyLock<zstd::dict::EncoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::EncoderDictionary::copy(DICTIONARY, LEVEL));
static DECODER: LazyLock<zstd::dict::DecoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::DecoderDictionary::copy(DICTIONARY));

thread_local! {
    // One context per thread, reused: creating one costs more than a record.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
        RefCell::new(zstd::bulk::Compressor::with_prepared_dictionary(&ENCODER).ok());
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        RefCell::new(zstd::bulk::Decompressor::with_prepared_dictionary(&DECODER).ok());
}

/// A record's compact parts: the body and the lifted values (ids packed, a
/// path as text; `Null` where the JSON has no such string field).
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    pub body: Vec<u8>,
    pub lifted: [Value; LIFTED_COUNT],
}

/// A record's JSON taken apart: the object to compress without its lifted
/// fields (`None`: keep the JSON as it came), the lifted values, and whether
/// its `id`, equal to the key, was left out.
struct Split {
    rest: Option<String>,
    lifted: [Value; LIFTED_COUNT],
    id_is_key: bool,
}

/// `lifts`: how many of [`LIFTED`] to lift (all, but for the migration to
/// schema 6, whose rows had no time columns).
fn split(key: &str, json: &str, lifts: usize) -> Split {
    let mut lifted: [Value; LIFTED_COUNT] = std::array::from_fn(|_| Value::Null);
    let fields = serde_json::from_str::<BTreeMap<&str, &RawValue>>(json)
        .ok()
        .filter(|_| json.len() <= MAX_RECORD_BYTES);
    let Some(fields) = fields else {
        // Not an object with plain field names (they never have escapes),
        // or too large to decompress later: kept as it came, its ids still
        // lifted so that lookups find it.
        if let Ok(owned) = serde_json::from_str::<BTreeMap<String, &RawValue>>(json) {
            for (name, value) in &owned {
                lift_into(&mut lifted[..lifts], name, value);
            }
        }
        return Split {
            rest: None,
            lifted,
            id_is_key: false,
        };
    };
    let mut id_is_key = false;
    let mut rest = String::with_capacity(json.len());
    rest.push('{');
    for (name, value) in fields {
        if lift_into(&mut lifted[..lifts], name, value) {
            continue;
        }
        if name == "id" && string_value(value).as_deref() == Some(key) {
            id_is_key = true;
            continue;
        }
        if rest.len() > 1 {
            rest.push(',');
        }
        // Borrowed, so the name had no escapes: it is written as it came.
        rest.push('"');
        rest.push_str(name);
        rest.push_str("\":");
        rest.push_str(value.get());
    }
    rest.push('}');
    Split {
        rest: Some(rest),
        lifted,
        id_is_key,
    }
}

/// Store `value` in `lifted` if `name` is a lifted field and `value` a
/// string: ids packed, a path as text (its subtree test is a prefix), times
/// by [`pack_time`].
fn lift_into(lifted: &mut [Value], name: &str, value: &RawValue) -> bool {
    let Some(i) = LIFTED[..lifted.len()].iter().position(|(f, _)| *f == name) else {
        return false;
    };
    let Some(s) = string_value(value) else {
        return false;
    };
    lifted[i] = match LIFTED[i].1 {
        Stored::Id => pack(&s),
        Stored::Text => Value::Text(s.into_owned()),
        Stored::Time => pack_time(&s),
    };
    true
}

/// Split and compress a record's JSON (`key` is its key, as text).
pub fn encode(key: &str, json: &str) -> Result<Encoded, String> {
    encode_lifting(key, json, LIFTED_COUNT)
}

/// [`encode`], lifting only the first `lifts` of [`LIFTED`].
pub fn encode_lifting(key: &str, json: &str, lifts: usize) -> Result<Encoded, String> {
    let Split {
        rest,
        lifted,
        id_is_key,
    } = split(key, json, lifts.min(LIFTED_COUNT));
    let (format, stored) = match rest {
        None => (Format::Verbatim, json.as_bytes().to_vec()),
        Some(rest) => {
            let frame = with_context(&COMPRESSOR, |c| c.compress(rest.as_bytes()))?;
            match (frame.strip_prefix(&ZSTD_MAGIC), id_is_key) {
                (Some(bare), true) => (Format::BareIdIsKey, bare.to_vec()),
                (Some(bare), false) => (Format::Bare, bare.to_vec()),
                // zstd frames always start so; kept whole should one not.
                (None, true) => (Format::CompressedIdIsKey, frame),
                (None, false) => (Format::Compressed, frame),
            }
        }
    };
    let mut body = Vec::with_capacity(stored.len() + 1);
    body.push(format as u8);
    body.extend_from_slice(&stored);
    Ok(Encoded { body, lifted })
}

/// The lifted values of a record's JSON alone, without compressing it.
pub fn lifted(json: &str) -> [Value; LIFTED_COUNT] {
    split("", json, LIFTED_COUNT).lifted
}

/// The record's JSON from its compact parts: `key` and `lifted` as text
/// (unpacked).
pub fn decode(
    body: &[u8],
    key: &str,
    lifted: &[Option<String>; LIFTED_COUNT],
) -> Result<String, String> {
    let Some((&first, rest)) = body.split_first() else {
        return Err("empty record body".into());
    };
    let format = match first {
        0 => Format::Verbatim,
        1 => Format::Compressed,
        2 => Format::CompressedIdIsKey,
        3 => Format::Bare,
        4 => Format::BareIdIsKey,
        other => return Err(format!("record body of unknown format {other}")),
    };
    let frame: Cow<[u8]> = match format {
        Format::Verbatim => {
            return String::from_utf8(rest.to_vec()).map_err(|e| e.to_string());
        }
        Format::Compressed | Format::CompressedIdIsKey => Cow::Borrowed(rest),
        Format::Bare | Format::BareIdIsKey => Cow::Owned([&ZSTD_MAGIC, rest].concat()),
    };
    let id_is_key = matches!(format, Format::CompressedIdIsKey | Format::BareIdIsKey);
    let plain = with_context(&DECOMPRESSOR, |d| d.decompress(&frame, MAX_RECORD_BYTES))
        .map_err(|e| format!("record body unreadable: {e}"))?;
    let plain = String::from_utf8(plain).map_err(|e| e.to_string())?;
    let inner = plain
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or("record body is not an object")?;
    let mut out = String::with_capacity(plain.len() + 4 * 56);
    out.push('{');
    let restored = LIFTED
        .iter()
        .zip(lifted)
        .filter_map(|((name, _), v)| v.as_deref().map(|v| (*name, v)))
        .chain(id_is_key.then_some(("id", key)));
    for (name, value) in restored {
        if out.len() > 1 {
            out.push(',');
        }
        push_json_string(&mut out, name);
        out.push(':');
        push_json_string(&mut out, value);
    }
    if !inner.is_empty() {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(inner);
    }
    out.push('}');
    Ok(out)
}

/// A JSON value's string, if it is one (borrowed unless it has escapes).
fn string_value(v: &RawValue) -> Option<Cow<'_, str>> {
    let raw = v.get();
    if !raw.starts_with('"') {
        return None;
    }
    match serde_json::from_str::<&str>(raw) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
    }
}

fn push_json_string(out: &mut String, s: &str) {
    if s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        // Serialising a str cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

/// Run `f` on this thread's compression context.
fn with_context<C: 'static, T>(
    context: &'static LocalKey<RefCell<Option<C>>>,
    f: impl FnOnce(&mut C) -> std::io::Result<T>,
) -> Result<T, String> {
    context.with_borrow_mut(|c| match c {
        Some(c) => f(c).map_err(|e| e.to_string()),
        None => Err("no zstd context (out of memory)".into()),
    })
}

mod kinds;
mod sql;
mod stored;
pub use kinds::{kind_code, kind_of_code};
pub use sql::register;
pub use stored::{beside_key, pack, pack_time, time_nanos, unpack};

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::ValueRef;

    const A: &str = "2e9edc89-2fa3-4ec0-8ac9-543e9e1dcb6c";
    const V: &str = "00148b54-c6fc-48b3-845e-538175fd8d5b";

    fn text(v: &Value) -> Option<String> {
        unpack(ValueRef::from(v))
    }

    fn same_json(a: &str, b: &str) {
        let a: serde_json::Value = serde_json::from_str(a).unwrap();
        let b: serde_json::Value = serde_json::from_str(b).unwrap();
        assert_eq!(a, b);
    }

    fn round_trip(key: &str, json: &str) -> Encoded {
        let e = encode(key, json).unwrap();
        let lifted = e.lifted.each_ref().map(text);
        same_json(&decode(&e.body, key, &lifted).unwrap(), json);
        e
    }

    #[test]
    fn records_come_back_as_written() {
        let signup = format!(
            r#"{{"activity_id":"{A}","position":0,"signed_up_at":"2026-04-16T09:03:22.403586863Z","site_id":"{A}","status":"confirmed","team_id":null,"volunteer_id":"{V}","volunteer_name":"王秀英 \"x\"\n"}}"#
        );
        let e = round_trip(&format!("{A}/{V}"), &signup);
        assert_eq!(
            e.lifted.each_ref().map(text),
            [
                Some(A.into()),
                Some(V.into()),
                Some(A.into()),
                None,
                None,
                None,
                None
            ]
        );
        assert!(e.body.len() < signup.len() / 2, "{} bytes", e.body.len());
        // `id` dropped only when it is the key; kept when it is not.
        let team = format!(r#"{{"id":"{A}","name":"队","site_id":"{V}"}}"#);
        assert_eq!(round_trip(A, &team).body[0], Format::BareIdIsKey as u8);
        assert_eq!(round_trip(V, &team).body[0], Format::Bare as u8);
        // Lifted fields that are not strings stay in the body.
        round_trip(
            "k",
            r#"{"activity_id":7,"site_id":{"x":1},"team_id":[],"volunteer_id":true}"#,
        );
        // Only lifted fields, or none at all, or nested ids.
        round_trip("k", &format!(r#"{{"site_id":"{A}"}}"#));
        round_trip("k", "{}");
        round_trip(
            "k",
            &format!(r#"{{"audience":{{"site_id":"{A}","team_ids":[]}}}}"#),
        );
        // Times written the server's way are stored as integers; any other
        // string as it came, and either reads back as written.
        for (time, packed) in [
            ("2026-03-19T19:24:52.573768814Z", true),
            ("2026-03-19T19:24:52Z", true),
            ("2026-03-19T19:24:52.500Z", true),
            ("1969-12-31T23:59:59.999999999Z", true),
            ("2026-03-19T19:24:52.5Z", false),
            ("2026-03-19T19:24:52.000Z", false),
            ("2026-03-20T03:24:52+08:00", false),
            ("2026-03-19t19:24:52z", false),
            ("3000-01-01T00:00:00Z", false),
            ("next tuesday", false),
        ] {
            let activity = format!(r#"{{"ends_at":"{time}","starts_at":null,"title":"t"}}"#);
            let e = round_trip(A, &activity);
            assert_eq!(matches!(e.lifted[6], Value::Integer(_)), packed, "{time}");
            assert_eq!(e.lifted[5], Value::Null, "a null stays in the body");
            assert_eq!(text(&e.lifted[6]).as_deref(), Some(time));
        }
        // Schema 6's rows lifted the first five fields only.
        let both = format!(r#"{{"ends_at":"2026-03-19T19:24:52Z","site_id":"{A}"}}"#);
        let six = encode_lifting(A, &both, 5).unwrap();
        assert_eq!(six.lifted[6], Value::Null);
        let lifted = six.lifted.each_ref().map(text);
        same_json(&decode(&six.body, A, &lifted).unwrap(), &both);
        // Not an object this can split: kept as it is.
        // Kept as it came, its ids still lifted for the lookups.
        let escaped = format!(r#"{{"\u0061ctivity_id":"{A}","n":1}}"#);
        let e = round_trip("k", &escaped);
        assert_eq!(
            (e.body[0], text(&e.lifted[0])),
            (Format::Verbatim as u8, Some(A.into()))
        );
        for odd in ["[1,2]", r#"{"a\u0062":1}"#, "\"s\""] {
            assert_eq!(
                round_trip("k", odd).body[0],
                Format::Verbatim as u8,
                "{odd}"
            );
        }
    }

    /// Schemas 6 to 9 wrote whole zstd frames (formats 1 and 2); they read
    /// back as the bare ones do, and the bare ones are 4 bytes shorter.
    #[test]
    fn bodies_with_the_frame_magic_stay_readable() {
        for (key, whole, bare) in [(V, 1, 3), (A, 2, 4)] {
            let team = format!(r#"{{"id":"{A}","name":"幸福里敬老志愿服务队","site_id":"{V}"}}"#);
            let e = encode(key, &team).unwrap();
            assert_eq!(e.body[0], bare);
            let old = [&[whole][..], &ZSTD_MAGIC, &e.body[1..]].concat();
            let lifted = e.lifted.each_ref().map(text);
            for body in [&e.body, &old] {
                same_json(&decode(body, key, &lifted).unwrap(), &team);
            }
        }
    }

    #[test]
    fn a_damaged_body_is_an_error_not_a_panic() {
        let e = encode(A, r#"{"name":"x"}"#).unwrap();
        let none = [None, None, None, None, None, None, None];
        let mut cut = e.body.clone();
        cut.truncate(cut.len() - 2);
        for bad in [
            vec![],
            vec![9, 1, 2],
            cut,
            vec![1, 0x28, 0xb5, 0x2f, 0xfd, 0xff],
            vec![3, 0xff],
            vec![4],
        ] {
            assert!(decode(&bad, A, &none).is_err(), "{bad:?}");
        }
    }

    mod properties {
        use super::super::stored::strategies::{id, time};
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = serde_json::Value> {
            use serde_json::Value as J;
            let leaf = prop_oneof![
                Just(J::Null),
                any::<bool>().prop_map(J::Bool),
                any::<i64>().prop_map(J::from),
                id().prop_map(J::String),
                time().prop_map(J::String),
            ];
            leaf.prop_recursive(2, 8, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(J::Array),
                    prop::collection::btree_map(field(), inner, 0..3)
                        .prop_map(|m| J::Object(m.into_iter().collect())),
                ]
            })
        }

        /// The lifted names, `id`, and others.
        fn field() -> impl Strategy<Value = String> {
            let names: Vec<&str> = LIFTED.iter().map(|(name, _)| *name).collect();
            prop_oneof![
                prop::sample::select([names, vec!["id"]].concat()).prop_map(str::to_owned),
                "[a-z_]{1,6}",
                ".{1,4}",
            ]
        }

        proptest! {
            /// Any record, under any key, reads back as the same JSON value.
            #[test]
            fn any_object_reads_back_as_written(
                key in id(),
                fields in prop::collection::btree_map(field(), value(), 0..8),
                id_is_key in any::<bool>(),
            ) {
                let mut object: serde_json::Map<_, _> = fields.into_iter().collect();
                if id_is_key {
                    object.insert("id".into(), key.clone().into());
                }
                let json = serde_json::Value::Object(object).to_string();
                let e = encode(&key, &json).unwrap();
                let lifted = e.lifted.each_ref().map(text);
                let back: serde_json::Value =
                    serde_json::from_str(&decode(&e.body, &key, &lifted).unwrap()).unwrap();
                prop_assert_eq!(back, serde_json::from_str::<serde_json::Value>(&json).unwrap());
            }
        }
    }

    /// Rows written with a dictionary must stay readable: changing it is a
    /// new format, never an edit.
    #[test]
    fn dictionary_one_is_frozen() {
        let fnv = DICTIONARY.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        assert_eq!((DICTIONARY.len(), fnv), (2847, 0x3267_ac1b_e786_d9a8));
    }
}
