//! One write transaction as the rules and the push see it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::de::DeserializeOwned;
use volunteer_domain::{
    Attendance, Effect, HourEntry, Kind, Membership, MutationResult, Record, Signup, State,
};

use super::records::{apply_effects, get_record};
use super::ts;
use super::users;
use crate::storage::push::{Ledger, LogEntry, Logged, parse_status};
use crate::storage::{Principal, StoreError, SyncError};

/// The rules' authoritative state and the push's ledger, inside the write
/// transaction.
pub(super) struct TxState<'c>(pub(super) &'c Connection);

impl State for TxState<'_> {
    type Error = StoreError;

    fn authoritative(&self) -> bool {
        true
    }

    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, StoreError> {
        get_record(self.0, kind, key)
    }

    fn volunteer_name(&mut self, volunteer_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .prepare_cached("SELECT display_name FROM users WHERE id = ?1 AND role = 'volunteer'")?
            .query_row([volunteer_id], |r| r.get(0))
            .optional()?)
    }

    fn signups_of(&mut self, activity_id: &str) -> Result<Vec<Signup>, StoreError> {
        of_activity(self.0, Kind::Signup, activity_id)
    }

    fn attendances_of(&mut self, activity_id: &str) -> Result<Vec<Attendance>, StoreError> {
        of_activity(self.0, Kind::Attendance, activity_id)
    }

    fn resident_name(&mut self, resident_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .prepare_cached("SELECT display_name FROM users WHERE id = ?1 AND role = 'resident'")?
            .query_row([resident_id], |r| r.get(0))
            .optional()?)
    }

    fn phone_holder(&mut self, phone: &str) -> Result<Option<String>, StoreError> {
        users::phone_holder(self.0, phone)
    }

    fn memberships_of(&mut self, volunteer_id: &str) -> Result<Vec<Membership>, StoreError> {
        super::principal::memberships_of(self.0, volunteer_id)
    }

    fn hours_of(&mut self, volunteer_id: &str) -> Result<Vec<HourEntry>, StoreError> {
        // The volunteer owns their hour entries: the owner index finds them
        // (named: the planner would scan every entry by the key's `kind`).
        load(
            self.0,
            "SELECT data FROM entities INDEXED BY entities_owner
             WHERE owner = ?1 AND kind = 'hour_entry' AND data IS NOT NULL",
            [volunteer_id],
        )
    }

    fn hours_meeting(
        &mut self,
        volunteer_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<HourEntry>, StoreError> {
        // Entries of at most a day that meet the window start less than a
        // day before it; longer ones starting earlier come from their own
        // index (schema 4; the expressions spelled as there).
        let mut near: Vec<HourEntry> = load(
            self.0,
            "SELECT data FROM entities INDEXED BY entities_hours_by_start
             WHERE owner = ?1 AND kind = 'hour_entry' AND data IS NOT NULL
               AND unixepoch(json_extract(data, '$.started_at')) > ?2 - 86400
               AND unixepoch(json_extract(data, '$.started_at')) < ?3",
            params![volunteer_id, from, to],
        )?;
        near.extend(load::<HourEntry>(
            self.0,
            "SELECT data FROM entities INDEXED BY entities_hours_long
             WHERE owner = ?1 AND kind = 'hour_entry' AND data IS NOT NULL
               AND json_extract(data, '$.minutes') > 1440
               AND unixepoch(json_extract(data, '$.started_at')) <= ?2 - 86400
               AND unixepoch(json_extract(data, '$.started_at'))
                   + 60 * json_extract(data, '$.minutes') > ?2",
            params![volunteer_id, from],
        )?);
        Ok(near)
    }

    fn hours_for_activity(
        &mut self,
        volunteer_id: &str,
        activity_id: &str,
    ) -> Result<Vec<HourEntry>, StoreError> {
        load(
            self.0,
            "SELECT data FROM entities INDEXED BY entities_hours_by_activity
             WHERE owner = ?1 AND kind = 'hour_entry' AND data IS NOT NULL
               AND json_extract(data, '$.activity_id') = ?2",
            [volunteer_id, activity_id],
        )
    }

    fn first_waitlisted(&mut self, activity_id: &str) -> Result<Option<Signup>, StoreError> {
        // Signup keys are `activity/volunteer`: a key range scan of one activity.
        let data: Option<String> = self
            .0
            .prepare_cached(
                "SELECT data FROM entities
                 WHERE kind = 'signup' AND key > ?1 || '/' AND key < ?1 || '0'
                   AND data IS NOT NULL AND json_extract(data, '$.status') = 'waitlisted'
                 ORDER BY json_extract(data, '$.position') LIMIT 1",
            )?
            .query_row([activity_id], |r| r.get(0))
            .optional()?;
        Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
    }
}

impl Ledger for TxState<'_> {
    fn client_last_seq(
        &mut self,
        who: &Principal,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, SyncError> {
        // The single writer connection already serialises pushes.
        match client_row(self.0, client_id)? {
            Some((user, _)) if user != who.actor.user_id => Err(SyncError::ClientMismatch),
            Some((_, last_seq)) => Ok(last_seq),
            None => {
                self.0
                    .prepare_cached(
                        "INSERT INTO clients (client_id, user_id, last_seq, created_at, last_seen_at)
                         VALUES (?1, ?2, 0, ?3, ?3)",
                    )?
                    .execute(params![client_id, who.actor.user_id, ts(now)])?;
                Ok(0)
            }
        }
    }

    fn logged(&mut self, client_id: &str, seq: u64) -> Result<Option<Logged>, StoreError> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT id, status, code, message FROM mutations WHERE client_id = ?1 AND seq = ?2",
            )?
            .query_row(params![client_id, seq], |r| {
                Ok(Logged {
                    id: r.get(0)?,
                    result: MutationResult {
                        seq,
                        status: parse_status(&r.get::<_, String>(1)?),
                        code: r.get(2)?,
                        message: r.get(3)?,
                    },
                })
            })
            .optional()?)
    }

    fn logged_by_id(&mut self, client_id: &str, id: &str) -> Result<Option<Logged>, StoreError> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT seq, status, code, message FROM mutations WHERE client_id = ?1 AND id = ?2",
            )?
            .query_row(params![client_id, id], |r| {
                Ok(Logged {
                    id: id.to_owned(),
                    result: MutationResult {
                        seq: r.get(0)?,
                        status: parse_status(&r.get::<_, String>(1)?),
                        code: r.get(2)?,
                        message: r.get(3)?,
                    },
                })
            })
            .optional()?)
    }

    fn apply_effects(&mut self, effects: &[Effect]) -> Result<(), StoreError> {
        apply_effects(self.0, effects)
    }

    fn log(
        &mut self,
        who: &Principal,
        client_id: &str,
        entry: &LogEntry<'_>,
        result: &MutationResult,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.0
            .prepare_cached(
                "INSERT INTO mutations
                   (client_id, seq, id, user_id, name, body, device_time, received_at, status, code, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                client_id,
                entry.seq,
                entry.id,
                who.actor.user_id,
                entry.name,
                entry.body,
                ts(entry.device_time),
                ts(now),
                result.status.as_str(),
                result.code,
                result.message
            ])?;
        Ok(())
    }

    fn set_last_seq(
        &mut self,
        client_id: &str,
        seq: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.0
            .prepare_cached(
                "UPDATE clients SET last_seq = ?2, last_seen_at = ?3 WHERE client_id = ?1",
            )?
            .execute(params![client_id, seq, ts(now)])?;
        Ok(())
    }
}

/// `(user_id, last_seq)` of a registered client.
pub(super) fn client_row(
    conn: &Connection,
    client_id: &str,
) -> Result<Option<(String, u64)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT user_id, last_seq FROM clients WHERE client_id = ?1")?
        .query_row([client_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The records of a relationship kind for one activity. Their keys are
/// `activity/volunteer`: a key range scan of the activity ('0' follows '/').
fn of_activity<T: DeserializeOwned>(
    conn: &Connection,
    kind: Kind,
    activity_id: &str,
) -> Result<Vec<T>, StoreError> {
    load(
        conn,
        "SELECT data FROM entities
         WHERE kind = ?1 AND key > ?2 || '/' AND key < ?2 || '0' AND data IS NOT NULL",
        [kind.as_str(), activity_id],
    )
}

/// The rows of a query whose one column is a record's JSON, decoded.
pub(super) fn load<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
    rows.map(|data| Ok(serde_json::from_str(&data?)?)).collect()
}

#[cfg(test)]
mod tests {
    use super::TxState;
    use crate::storage::hours_reads;

    #[test]
    fn narrowed_hour_reads_find_every_entry_near_a_credit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = super::super::SqliteStore::open(dir.path().join("h.db")).expect("open");
        hours_reads::check(&store, &|f| store.write(|tx| f(&mut TxState(tx))));
    }
}
