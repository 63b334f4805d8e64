//! How a lifted value is stored in its column (see the module above): ids
//! and keys [`pack`]ed to their 16-byte UUID forms, times as integer
//! nanoseconds ([`pack_time`]), and [`unpack`], which writes any of them
//! back as the text that came.

use rusqlite::types::{Value, ValueRef};

/// A key or id as stored: the 16-byte forms of canonical (lower-case,
/// hyphenated) UUIDs joined by `/`, or the text itself. [`unpack`] inverts
/// it exactly; text that is not such a UUID path stays text, so a packed
/// value's type says which it is.
pub fn pack(id: &str) -> Value {
    if id.is_empty() || id.len() > 36 * 4 + 3 {
        return Value::Text(id.to_owned());
    }
    let mut bytes = Vec::with_capacity(16 * id.len().div_ceil(37));
    for part in id.split('/') {
        if !push_uuid(part, &mut bytes) {
            return Value::Text(id.to_owned());
        }
    }
    Value::Blob(bytes)
}

/// A lifted id as `record_rows` stores it beside its row's `key` (both
/// packed): the number of the key's part it equals, 0 or 1, or itself
/// (schema 11). The table's generated `*_packed` columns undo it with
/// SQLite's own `substr`, so the two must agree: parts are 16 bytes.
pub fn beside_key(key: &Value, id: Value) -> Value {
    if let (Value::Blob(key), Value::Blob(bytes)) = (key, &id)
        && let Some(part) = key.chunks(16).take(2).position(|p| p == bytes.as_slice())
    {
        return Value::Integer(part as i64);
    }
    id
}

/// A canonical UUID's 16 bytes onto `out`, or false.
fn push_uuid(s: &str, out: &mut Vec<u8>) -> bool {
    let s = s.as_bytes();
    if s.len() != 36 {
        return false;
    }
    let mut nibbles = [0u8; 32];
    let mut n = 0;
    for (i, &c) in s.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return false;
            }
            continue;
        }
        nibbles[n] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return false,
        };
        n += 1;
    }
    out.extend(nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]));
    true
}

/// The text of a packed key, id or time; `None` for NULL or a value
/// [`pack`] or [`pack_time`] cannot have made.
pub fn unpack(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::to_owned),
        ValueRef::Integer(nanos) => Some(time_text(nanos)),
        ValueRef::Blob(b) if !b.is_empty() && b.len() % 16 == 0 => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let mut s = String::with_capacity(b.len() / 16 * 37);
            for (n, uuid) in b.chunks(16).enumerate() {
                if n > 0 {
                    s.push('/');
                }
                for (i, byte) in uuid.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        s.push('-');
                    }
                    s.push(HEX[usize::from(byte >> 4)] as char);
                    s.push(HEX[usize::from(byte & 15)] as char);
                }
            }
            Some(s)
        }
        _ => None,
    }
}

/// A time as stored: the integer nanoseconds since 1970 of a time written
/// the way the server writes them (UTC, `Z`, the fraction in 0, 3, 6 or 9
/// digits), which [`unpack`] writes back exactly; any other string stays
/// text. Eight bytes instead of thirty, and compared as numbers.
pub fn pack_time(s: &str) -> Value {
    let nanos = chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
        .filter(|n| time_text(*n) == s);
    match nanos {
        Some(n) => Value::Integer(n),
        None => Value::Text(s.to_owned()),
    }
}

fn time_text(nanos: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(nanos)
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A stored time's nanoseconds since 1970, whichever way it was stored (an
/// unusual string is parsed); `None` for no time.
pub fn time_nanos(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(n) => Some(n),
        ValueRef::Text(t) => chrono::DateTime::parse_from_rfc3339(std::str::from_utf8(t).ok()?)
            .ok()?
            .timestamp_nanos_opt(),
        _ => None,
    }
}

#[cfg(test)]
pub(super) mod strategies {
    use super::time_text;
    use proptest::prelude::*;

    /// Ids as they come: UUIDs (sometimes in upper case or cut short),
    /// paths of them, and other text.
    pub fn id() -> impl Strategy<Value = String> {
        let uuid = any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string());
        prop_oneof![
            uuid.clone(),
            (uuid.clone(), uuid.clone()).prop_map(|(a, b)| format!("{a}/{b}")),
            uuid.clone().prop_map(|u| u.to_uppercase()),
            uuid.prop_map(|u| u[..35].to_owned()),
            "[a-z0-9/-]{0,12}",
            ".{0,8}",
        ]
    }

    /// Times as the server writes them, at any precision, and near
    /// misses of that form.
    pub fn time() -> impl Strategy<Value = String> {
        let canonical = (any::<i64>(), 0..4u32).prop_map(|(n, digits)| {
            let cut = 10i64.pow(3 * (3 - digits));
            time_text(n - n.rem_euclid(cut))
        });
        prop_oneof![
            canonical.clone(),
            canonical.clone().prop_map(|t| t.replace('Z', "+00:00")),
            canonical.clone().prop_map(|t| t.replace('Z', "0Z")),
            canonical.prop_map(|t| t.to_lowercase()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::strategies::{id, time};
    use super::*;
    use proptest::prelude::*;

    const A: &str = "2e9edc89-2fa3-4ec0-8ac9-543e9e1dcb6c";
    const V: &str = "00148b54-c6fc-48b3-845e-538175fd8d5b";

    fn text(v: &Value) -> Option<String> {
        unpack(ValueRef::from(v))
    }

    #[test]
    fn uuid_paths_pack_to_sixteen_bytes_each_and_back() {
        let pair = format!("{A}/{V}");
        assert!(matches!(pack(A), Value::Blob(b) if b.len() == 16));
        assert!(matches!(pack(&pair), Value::Blob(b) if b.len() == 32));
        assert_eq!(text(&pack(&pair)).as_deref(), Some(pair.as_str()));
        // Anything else stays text, exactly: upper case, no hyphens, mixed
        // paths, an empty segment, short ids.
        for other in [
            A.to_uppercase(),
            A.replace('-', ""),
            format!("{A}/team/{V}"),
            format!("{A}/"),
            "t1".to_owned(),
            String::new(),
            "ünïcode".to_owned(),
        ] {
            assert_eq!(pack(&other), Value::Text(other.clone()), "{other}");
        }
    }

    proptest! {
        /// Packing is exact and one-to-one: a key reads back as
        /// written, and two keys never share a stored form.
        #[test]
        fn packing_is_exact_and_one_to_one(a in id(), b in id()) {
            prop_assert_eq!(unpack(ValueRef::from(&pack(&a))), Some(a.clone()));
            prop_assert_eq!(pack(&a) == pack(&b), a == b);
        }

        /// A stored time compares as the instant it names, however it
        /// was stored (the activity lists filter and sort by it).
        #[test]
        fn stored_times_name_their_instant(t in time()) {
            let instant = chrono::DateTime::parse_from_rfc3339(&t)
                .ok()
                .and_then(|d| d.timestamp_nanos_opt());
            let stored = pack_time(&t);
            prop_assert_eq!(time_nanos(ValueRef::from(&stored)), instant);
            prop_assert_eq!(unpack(ValueRef::from(&stored)), Some(t));
        }
    }
}
