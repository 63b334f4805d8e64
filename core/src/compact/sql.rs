//! The SQL side of the compact form: the functions the `records` view, the
//! lookups and the migration to schema 6 call, and the rows `record_json`
//! decoded last.

use std::cell::RefCell;

use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};

use volunteer_domain::Kind;

use super::{
    LIFTED_COUNT, decode, encode_lifting, kind_code, kind_of_code, lifted, pack, time_nanos, unpack,
};

/// The SQL functions the schema and the queries use, on this connection:
/// - `id_pack(text)` and `id_text(packed)`: [`pack`] and [`unpack`];
/// - `record_json(body, key, activity, volunteer, site, team, path,
///   starts_at, ends_at)`: [`decode`], on the stored columns (the `records`
///   view; the migration to schema 7 calls it on a schema-6 row, without
///   the last two);
/// - `record_body(key, json[, lifts])` and `record_lift(json, n)`: the body
///   and the `n`th lifted value of [`encode`] (the migrations to schemas 6
///   and 7; schema 6 lifted five fields);
/// - `time_ns(stored)`: a stored time's nanoseconds ([`time_nanos`]), which
///   the `records` view shows as `starts_ns` and `ends_ns`;
/// - `kind_code(name)` and `kind_name(code)`: a kind's code in
///   `record_rows` and back ([`kind_code`]); NULL for what is no kind.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("id_pack", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => pack(std::str::from_utf8(t).map_err(user_error)?),
            _ => Value::Null,
        })
    })?;
    conn.create_scalar_function("id_text", 1, flags, |ctx| Ok(unpack(ctx.get_raw(0))))?;
    // Any number of arguments: the body, the key and the lifted columns;
    // the ones not given are NULL.
    conn.create_scalar_function("record_json", -1, flags, |ctx| {
        if !(2..=2 + LIFTED_COUNT).contains(&ctx.len()) {
            return Err(user_error(
                "record_json takes a body, a key and the lifted columns",
            ));
        }
        let args: [ValueRef<'_>; 2 + LIFTED_COUNT] = std::array::from_fn(|i| {
            if i < ctx.len() {
                ctx.get_raw(i)
            } else {
                ValueRef::Null
            }
        });
        RECENT
            .with_borrow_mut(|recent| {
                recent.get_or_decode(&args, || {
                    let key = unpack(args[1]).ok_or("record key unreadable")?;
                    let ValueRef::Blob(body) = args[0] else {
                        return Err(format!("record {key}: body is not a blob"));
                    };
                    let lifted = std::array::from_fn(|i| unpack(args[2 + i]));
                    decode(body, &key, &lifted).map_err(|e| format!("record {key}: {e}"))
                })
            })
            .map_err(user_error)
    })?;
    conn.create_scalar_function("time_ns", 1, flags, |ctx| Ok(time_nanos(ctx.get_raw(0))))?;
    conn.create_scalar_function("kind_code", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .and_then(Kind::parse)
                .map(kind_code),
            _ => None,
        })
    })?;
    conn.create_scalar_function("kind_name", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(c) => kind_of_code(c).map(Kind::as_str),
            _ => None,
        })
    })?;
    // Optionally with how many fields to lift: schema 6 lifted five.
    let record_body = |ctx: &Context<'_>| {
        let (key, json) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?);
        let lifts = if ctx.len() > 2 {
            ctx.get(2)?
        } else {
            LIFTED_COUNT
        };
        Ok(encode_lifting(&key, &json, lifts).map_err(user_error)?.body)
    };
    conn.create_scalar_function("record_body", 2, flags, record_body)?;
    conn.create_scalar_function("record_body", 3, flags, record_body)?;
    conn.create_scalar_function("record_lift", 2, flags, |ctx| {
        let json = text_arg(ctx, 0)?;
        let n: usize = ctx.get(1)?;
        Ok(lifted(&json).into_iter().nth(n).unwrap_or(Value::Null))
    })?;
    Ok(())
}

thread_local! {
    static RECENT: RefCell<Recent> = RefCell::new(Recent::default());
}

/// The JSON of the last few rows `record_json` read on this thread. A
/// query reads a row's `data` once for each use (its filter, its sort key,
/// its result) and a join alternates between a few rows: without this,
/// each use would decompress the row again.
#[derive(Default)]
struct Recent {
    /// (the call's arguments, as [`Recent::fingerprint`] writes them; the JSON)
    rows: Vec<(Vec<u8>, String)>,
    next: usize,
    scratch: Vec<u8>,
}

const RECENT_ROWS: usize = 4;
const RECENT_MAX_BYTES: usize = 64 << 10;

impl Recent {
    fn get_or_decode(
        &mut self,
        args: &[ValueRef<'_>],
        decode: impl FnOnce() -> Result<String, String>,
    ) -> Result<String, String> {
        Self::fingerprint(args, &mut self.scratch);
        if let Some((_, json)) = self.rows.iter().find(|(f, _)| *f == self.scratch) {
            return Ok(json.clone());
        }
        let json = decode()?;
        if json.len() > RECENT_MAX_BYTES {
            // Kept per thread for good: a rare large row is not worth it.
            return Ok(json);
        }
        if self.rows.len() < RECENT_ROWS {
            self.rows.push((self.scratch.clone(), json.clone()));
        } else {
            let slot = &mut self.rows[self.next];
            slot.0.clone_from(&self.scratch);
            slot.1.clone_from(&json);
            self.next = (self.next + 1) % RECENT_ROWS;
        }
        Ok(json)
    }

    /// Every argument's type and bytes, each with its length: equal
    /// fingerprints are equal arguments.
    fn fingerprint(args: &[ValueRef<'_>], out: &mut Vec<u8>) {
        out.clear();
        for arg in args {
            let number;
            let (tag, bytes): (u8, &[u8]) = match arg {
                ValueRef::Null => (0, &[]),
                ValueRef::Text(t) => (1, t),
                ValueRef::Blob(b) => (2, b),
                ValueRef::Integer(i) => {
                    number = i.to_le_bytes();
                    (3, &number)
                }
                ValueRef::Real(f) => {
                    number = f.to_bits().to_le_bytes();
                    (4, &number)
                }
            };
            out.push(tag);
            out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            out.extend_from_slice(bytes);
        }
    }
}

fn text_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<String> {
    ctx.get(i)
}

fn user_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(e.into())
}

#[cfg(test)]
mod tests {
    const A: &str = "2e9edc89-2fa3-4ec0-8ac9-543e9e1dcb6c";

    /// Rows whose bodies are alike read as their own, however reads of
    /// them interleave (the decoded rows kept per thread).
    #[test]
    fn rows_alike_but_for_their_ids_read_as_their_own() {
        use volunteer_domain::Kind;
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::schema::open(&dir.path().join("r.db")).unwrap();
        let id = |i: usize| format!("{i:08x}-0000-4000-8000-000000000000");
        let key = |i: usize| format!("{A}/{}", id(i));
        for i in 0..6 {
            let json = format!(
                r#"{{"activity_id":"{A}","status":"confirmed","volunteer_id":"{}"}}"#,
                id(i)
            );
            crate::store::put_raw(&conn, Kind::Signup, &key(i), &json).unwrap();
        }
        let volunteer = |json: &str| {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            v["volunteer_id"].as_str().unwrap().to_owned()
        };
        for i in [0, 5, 1, 4, 2, 3, 0, 0, 5, 1, 4, 2, 3] {
            let json = crate::store::get_raw(&conn, Kind::Signup, &key(i))
                .unwrap()
                .unwrap();
            assert_eq!(volunteer(&json), id(i));
        }
        // One statement that reads each row's data three times.
        let mut stmt = conn
            .prepare(
                "SELECT key, data FROM records WHERE kind_code = kind_code('signup')
                   AND json_extract(data, '$.status') = 'confirmed'
                 ORDER BY json_extract(data, '$.volunteer_id') DESC",
            )
            .unwrap();
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows.len(), 6);
        for (n, (k, json)) in rows.iter().enumerate() {
            assert_eq!(*k, key(5 - n));
            assert_eq!(volunteer(json), id(5 - n));
        }
    }
}
