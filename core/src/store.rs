//! Row-level access to the replica: replicated records, small settings, and the
//! [`DeviceState`] through which the shared rules read the replica.
//!
//! Records are JSON, keyed by kind and key, read through the `records` view
//! and stored compact in `record_rows` (see [`crate::compact`]). Pulled rows
//! keep every field the server sent (those this version does not know
//! included), so the device schema does not change with every field added.

use rusqlite::{Connection, OptionalExtension, params};
use serde::de::DeserializeOwned;
use volunteer_domain::{Actor, Kind, Membership, Profile, Record, Site, State};

use crate::compact;
use crate::error::{Error, Result};

pub mod meta_keys {
    pub const CLIENT_ID: &str = "client_id";
    pub const TOKEN: &str = "token";
    pub const PROFILE: &str = "profile";
    pub const CURSOR: &str = "cursor";
    pub const NEXT_SEQ: &str = "next_seq";
    pub const LAST_SYNC_AT: &str = "last_sync_at";
    /// The server's epoch as last heard.
    pub const EPOCH: &str = "epoch";
    /// The server's protocol revision as last heard.
    pub const SERVER_REVISION: &str = "server_revision";
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

pub fn get_raw(conn: &Connection, kind: Kind, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT data FROM records WHERE kind_code = ?1 AND key_packed = id_pack(?2)",
        )?
        .query_row(params![compact::kind_code(kind), key], |r| r.get(0))
        .optional()?)
}

pub fn put_raw(conn: &Connection, kind: Kind, key: &str, data: &str) -> Result<()> {
    let row = compact::encode(key, data).map_err(Error::Storage)?;
    let key = compact::pack(key);
    let [activity, volunteer, site, team, path, starts_at, ends_at] = row.lifted;
    let [activity, volunteer, site, team] =
        [activity, volunteer, site, team].map(|id| compact::beside_key(&key, id));
    conn.prepare_cached(
        "INSERT INTO record_rows
           (kind, key, body, activity, volunteer, site, team, path, starts_at, ends_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (kind, key) DO UPDATE SET
           body = excluded.body, activity = excluded.activity,
           volunteer = excluded.volunteer, site = excluded.site, team = excluded.team,
           path = excluded.path, starts_at = excluded.starts_at, ends_at = excluded.ends_at",
    )?
    .execute(params![
        compact::kind_code(kind),
        key,
        row.body,
        activity,
        volunteer,
        site,
        team,
        path,
        starts_at,
        ends_at
    ])?;
    Ok(())
}

pub fn delete_raw(conn: &Connection, kind: Kind, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM record_rows WHERE kind = ?1 AND key = id_pack(?2)")?
        .execute(params![compact::kind_code(kind), key])?;
    Ok(())
}

/// Keep a change this app version cannot read (see `003_kept_aside.sql`).
pub fn keep_aside(
    conn: &Connection,
    kind: &str,
    key: &str,
    data: &str,
    reason: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO kept_aside (kind, key, data, reason, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, key) DO UPDATE SET
           data = excluded.data, reason = excluded.reason, received_at = excluded.received_at",
    )?
    .execute(params![
        kind,
        key,
        data,
        reason,
        chrono::Utc::now().to_rfc3339()
    ])?;
    Ok(())
}

/// Forget a kept-aside change (a later, readable version or a deletion came).
pub fn drop_aside(conn: &Connection, kind: &str, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM kept_aside WHERE kind = ?1 AND key = ?2")?
        .execute([kind, key])?;
    Ok(())
}

/// Move the kept-aside changes this version can read into the replica;
/// returns how many. Run on open: an app update may read what its
/// predecessor could not.
pub fn readmit_aside(conn: &Connection) -> Result<usize> {
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT kind, key, data FROM kept_aside")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut moved = 0;
    for (kind, key, data) in rows {
        let Some(k) = Kind::parse(&kind) else {
            continue;
        };
        let readable = serde_json::from_str(&data)
            .ok()
            .is_some_and(|v| Record::from_value(k, v).is_ok());
        if readable {
            put_raw(conn, k, &key, &data)?;
            drop_aside(conn, &kind, &key)?;
            moved += 1;
        }
    }
    Ok(moved)
}

/// How many changes are kept aside, unreadable by this app version.
pub fn aside_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM kept_aside", [], |r| r.get(0))?)
}

/// Run a query whose single column is record JSON and decode each row.
pub fn load<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(parse(&row?)?);
    }
    Ok(out)
}

/// A stored record's JSON as its type.
pub fn parse<T: DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Storage(e.to_string()))
}

pub fn profile(conn: &Connection) -> Result<Option<Profile>> {
    match meta_get(conn, meta_keys::PROFILE)? {
        Some(json) => Ok(Some(serde_json::from_str(&json)?)),
        None => Ok(None),
    }
}

pub fn require_profile(conn: &Connection) -> Result<Profile> {
    profile(conn)?.ok_or(Error::SignedOut)
}

pub fn site(conn: &Connection, id: &str) -> Result<Option<Site>> {
    match get_raw(conn, Kind::Site, id)? {
        Some(json) => Ok(Some(serde_json::from_str(&json)?)),
        None => Ok(None),
    }
}

/// The signed-in user as the rules see them. A staff member whose site has not
/// been pulled yet has no path; the rules then defer to the server.
pub fn actor(conn: &Connection, me: &Profile) -> Result<Actor> {
    let own_site = match &me.site_id {
        Some(id) => site(conn, id)?,
        None => None,
    };
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM records
         WHERE kind_code = kind_code('membership') AND volunteer_packed = id_pack(?1)",
    )?;
    let memberships = stmt
        .query_map([&me.user_id], |r| r.get::<_, String>(0))?
        .map(|data| Ok(serde_json::from_str::<Membership>(&data?)?))
        .collect::<Result<Vec<_>>>()?;
    Ok(Actor::for_user(me, own_site.as_ref(), &memberships))
}

/// The replica as the rules read it: not authoritative.
pub struct DeviceState<'c> {
    pub conn: &'c Connection,
    pub me: &'c Profile,
}

impl State for DeviceState<'_> {
    type Error = Error;

    fn authoritative(&self) -> bool {
        false
    }

    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>> {
        match get_raw(self.conn, kind, key)? {
            Some(json) => Ok(Some(Record::from_json(kind, &json)?)),
            None => Ok(None),
        }
    }

    fn signups_of(&mut self, activity_id: &str) -> Result<Vec<volunteer_domain::Signup>> {
        load(
            self.conn,
            "SELECT data FROM records WHERE kind_code = kind_code('signup') AND activity_packed = id_pack(?1)",
            [activity_id],
        )
    }

    fn attendances_of(&mut self, activity_id: &str) -> Result<Vec<volunteer_domain::Attendance>> {
        load(
            self.conn,
            "SELECT data FROM records WHERE kind_code = kind_code('attendance') AND activity_packed = id_pack(?1)",
            [activity_id],
        )
    }

    /// Residents' accounts are the server's: staff placing an order for one defer.
    fn resident_name(&mut self, _resident_id: &str) -> Result<Option<String>> {
        Ok(None)
    }

    fn memberships_of(&mut self, volunteer_id: &str) -> Result<Vec<Membership>> {
        load(
            self.conn,
            "SELECT data FROM records WHERE kind_code = kind_code('membership') AND volunteer_packed = id_pack(?1)",
            [volunteer_id],
        )
    }

    fn hours_of(&mut self, volunteer_id: &str) -> Result<Vec<volunteer_domain::HourEntry>> {
        load(
            self.conn,
            "SELECT data FROM records WHERE kind_code = kind_code('hour_entry') AND volunteer_packed = id_pack(?1)",
            [volunteer_id],
        )
    }

    /// A device may not see every signup: promotion is the server's to decide.
    fn first_waitlisted(&mut self, _activity_id: &str) -> Result<Option<volunteer_domain::Signup>> {
        Ok(None)
    }

    fn volunteer_name(&mut self, volunteer_id: &str) -> Result<Option<String>> {
        if volunteer_id == self.me.user_id {
            return Ok(Some(self.me.display_name.clone()));
        }
        Ok(self
            .conn
            .prepare_cached(
                "SELECT json_extract(data, '$.volunteer_name') FROM records
                 WHERE kind_code IN (kind_code('signup'), kind_code('attendance'), kind_code('membership'))
                   AND volunteer_packed = id_pack(?1)
                   AND json_extract(data, '$.volunteer_name') <> ''
                 LIMIT 1",
            )?
            .query_row([volunteer_id], |r| r.get(0))
            .optional()?)
    }
}

/// Remove the signed-in user's data, queue and session from the replica
/// (sign-out, or an account switched off); the token it held, if any.
pub(crate) fn wipe(tx: &Connection) -> Result<Option<String>> {
    let token = meta_get(tx, meta_keys::TOKEN)?;
    tx.execute_batch(
        "DELETE FROM undo; DELETE FROM outbox; DELETE FROM rejections;
         DELETE FROM record_rows; DELETE FROM meta; DELETE FROM journal;
         DELETE FROM kept_aside;",
    )?;
    Ok(token)
}

/// Compact the file after a [`wipe`]: deleted pages would otherwise keep
/// personal data. The wipe itself is committed: on a full disk (VACUUM
/// needs room for a copy) the pages are scrubbed at the next wipe.
pub(crate) fn scrub(inner: &crate::inner::Inner) {
    let scrubbed = inner.with_db(|conn| {
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    });
    if let Err(e) = scrubbed {
        tracing::warn!(error = %e, "data removed; the file could not be compacted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    #[test]
    fn records_round_trip_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        put_raw(&conn, Kind::Team, "t1", r#"{"id":"t1"}"#).unwrap();
        put_raw(&conn, Kind::Team, "t1", r#"{"id":"t1","v":2}"#).unwrap();
        assert_eq!(
            get_raw(&conn, Kind::Team, "t1").unwrap().as_deref(),
            Some(r#"{"id":"t1","v":2}"#)
        );
        assert_eq!(get_raw(&conn, Kind::Site, "t1").unwrap(), None);
        delete_raw(&conn, Kind::Team, "t1").unwrap();
        assert_eq!(get_raw(&conn, Kind::Team, "t1").unwrap(), None);
    }

    /// The planner's choice for `sql` (one bound text parameter per `?N`).
    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let n = stmt.parameter_count();
        let params: Vec<&dyn rusqlite::ToSql> = (0..n).map(|_| &"x" as _).collect();
        stmt.query_map(params.as_slice(), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("; ")
    }

    /// Regression: with the primary key on (kind, key), the planner preferred
    /// scanning a whole kind to the expression indexes, so every replayed
    /// check-in scanned all attendance (100 devices x 16,000 rows: minutes).
    #[test]
    fn lookups_by_volunteer_and_activity_use_their_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        for i in 0..2000 {
            let data = format!(
                r#"{{"activity_id":"a{}","volunteer_id":"v{i}","volunteer_name":""}}"#,
                i % 7
            );
            put_raw(&conn, Kind::Attendance, &format!("a/v{i}"), &data).unwrap();
        }
        // As after a bulk download, which drops the indexes and their statistics.
        schema::drop_bulk_indexes(&conn).unwrap();
        schema::ensure_bulk_indexes(&conn).unwrap();
        let name = plan(
            &conn,
            "SELECT json_extract(data, '$.volunteer_name') FROM records
             WHERE kind_code IN (kind_code('signup'), kind_code('attendance'), kind_code('membership'))
               AND volunteer_packed = id_pack(?1)
               AND json_extract(data, '$.volunteer_name') <> '' LIMIT 1",
        );
        assert!(name.contains("records_by_volunteer"), "{name}");
        let roster = plan(
            &conn,
            "SELECT data FROM records WHERE kind_code = kind_code('attendance') AND activity_packed = id_pack(?1)",
        );
        assert!(roster.contains("records_by_activity"), "{roster}");
    }

    /// The partial indexes serve the queries that name their kind's code
    /// (schema 9): the activities of a site, the members of a team.
    #[test]
    fn lookups_by_site_and_team_use_their_partial_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        let at_site = plan(
            &conn,
            "SELECT data FROM records
             WHERE kind_code = 0 -- activity, as activities_by_site names it
               AND site_packed = id_pack(?1)
             ORDER BY starts_ns, key",
        );
        assert!(at_site.contains("activities_by_site"), "{at_site}");
        let members = plan(
            &conn,
            "SELECT data FROM records
             WHERE kind_code = 5 -- membership, as memberships_by_team names it
               AND team_packed = id_pack(?1) AND json_extract(data, '$.status') = ?2",
        );
        assert!(members.contains("memberships_by_team"), "{members}");
    }

    /// The view's packed columns say so in their names: a query that
    /// compares a plain-named id with text (forgetting `id_pack`) does not
    /// run, instead of finding nothing for every UUID.
    #[test]
    fn the_records_view_has_no_plain_named_packed_columns() {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        for column in ["k", "kind", "activity", "volunteer", "site", "team"] {
            let sql = format!("SELECT data FROM records WHERE {column} = ?1");
            let err = conn.prepare(&sql).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains("no such column")),
                "{column}: {err:?}"
            );
        }
        for column in [
            "key_packed",
            "activity_packed",
            "volunteer_packed",
            "site_packed",
            "team_packed",
        ] {
            conn.prepare(&format!(
                "SELECT data FROM records WHERE {column} = id_pack(?1)"
            ))
            .unwrap();
        }
    }

    /// Ids that are UUIDs are stored packed (16 bytes): the lookups still
    /// find their rows, and only theirs.
    #[test]
    fn lookups_by_uuid_ids_find_their_rows() {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        let id = |i: u128| uuid::Uuid::from_u128(i + 1).to_string();
        let (a, b) = (id(100), id(200));
        for (activity, v) in [(&a, 1), (&a, 2), (&a, 3), (&b, 4)] {
            let data = format!(
                r#"{{"activity_id":"{activity}","volunteer_id":"{}","volunteer_name":"n{v}",
                    "site_id":"{}","checked_in_at":"2026-01-01T09:00:00Z","checked_out_at":null,
                    "recorded_by":"{}"}}"#,
                id(v),
                id(9),
                id(9)
            );
            put_raw(
                &conn,
                Kind::Attendance,
                &format!("{activity}/{}", id(v)),
                &data,
            )
            .unwrap();
        }
        let me = Profile {
            user_id: id(1),
            display_name: "me".into(),
            role: volunteer_domain::Role::Volunteer,
            site_id: None,
            phone: None,
        };
        let mut state = DeviceState {
            conn: &conn,
            me: &me,
        };
        let roster = state.attendances_of(&a).unwrap();
        let mut ids: Vec<_> = roster.iter().map(|r| r.volunteer_id.clone()).collect();
        ids.sort();
        assert_eq!(ids, [id(1), id(2), id(3)]);
        assert_eq!(state.attendances_of(&b).unwrap().len(), 1);
        assert_eq!(state.volunteer_name(&id(4)).unwrap().as_deref(), Some("n4"));
        // Schema 11: the activity and the volunteer are the key's parts,
        // stored as their numbers; the recorder is not.
        let stored: Vec<(i64, i64, String)> = conn
            .prepare("SELECT activity, volunteer, typeof(site) FROM record_rows WHERE kind = 6")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored, vec![(0, 1, "blob".to_string()); 4]);
        let key = format!("{b}/{}", id(4));
        assert!(get_raw(&conn, Kind::Attendance, &key).unwrap().is_some());
        delete_raw(&conn, Kind::Attendance, &key).unwrap();
        assert!(state.attendances_of(&b).unwrap().is_empty());
    }

    #[test]
    fn meta_upserts() {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        assert_eq!(meta_get(&conn, "k").unwrap(), None);
        meta_set(&conn, "k", "1").unwrap();
        meta_set(&conn, "k", "2").unwrap();
        assert_eq!(meta_get(&conn, "k").unwrap().as_deref(), Some("2"));
        assert!(matches!(require_profile(&conn), Err(Error::SignedOut)));
    }
}
