//! One push transaction as the rules and the push see it.

use chrono::{DateTime, Utc};
use volunteer_domain::{
    Attendance, Effect, HourEntry, Kind, Membership, MutationResult, Record, Signup, State,
};

use super::pool::Tx;
use super::records::{delete_record, get_record, put_record};
use super::users;
use crate::storage::push::{Ledger, LogEntry, Logged, parse_status};
use crate::storage::{Principal, StoreError, SyncError};

/// The rules' authoritative state and the push's ledger, in one district,
/// inside a push transaction.
pub(super) struct TxState<'t, 'a> {
    pub(super) tx: &'t mut Tx<'a>,
    pub(super) district: &'t str,
    /// The client's last seq when the transaction began.
    pub(super) began_at: u64,
    /// The volunteers whose user row this transaction holds (see
    /// [`TxState::claim_volunteer`]).
    claimed: Vec<String>,
}

impl<'t, 'a> TxState<'t, 'a> {
    pub(super) fn new(tx: &'t mut Tx<'a>, district: &'t str) -> Self {
        TxState {
            tx,
            district,
            began_at: 0,
            claimed: Vec::new(),
        }
    }

    /// Every decision that credits a volunteer reads their hours through
    /// here and writes their user row, so two transactions crediting the
    /// same volunteer at once conflict (first updater wins, the other
    /// retries and sees the first's hours): the daily limit and the overlap
    /// rule cannot be passed by a race between instances. Once per
    /// volunteer and transaction: the lock is held until it ends.
    fn claim_volunteer(&mut self, volunteer_id: &str) -> Result<(), StoreError> {
        if self.claimed.iter().any(|v| v == volunteer_id) {
            return Ok(());
        }
        self.tx.exec(
            "UPDATE users SET id = id WHERE district = $1 AND id = $2",
            &[&self.district, &volunteer_id],
        )?;
        self.claimed.push(volunteer_id.to_owned());
        Ok(())
    }
}

/// The rows of a query whose first column is a record's JSON, decoded.
pub(super) fn decode<T: serde::de::DeserializeOwned>(
    rows: &[postgres::Row],
) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|r| Ok(serde_json::from_str(r.get(0))?))
        .collect()
}

impl State for TxState<'_, '_> {
    type Error = StoreError;

    fn authoritative(&self) -> bool {
        true
    }

    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, StoreError> {
        get_record(self.tx, self.district, kind, key)
    }

    fn volunteer_name(&mut self, volunteer_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .opt(
                "SELECT display_name FROM users
                 WHERE district = $1 AND id = $2 AND role = 'volunteer'",
                &[&self.district, &volunteer_id],
            )?
            .map(|r| r.get(0)))
    }

    fn phone_holder(&mut self, phone: &str) -> Result<Option<String>, StoreError> {
        users::phone_holder(self.tx, phone)
    }

    fn signups_of(&mut self, activity_id: &str) -> Result<Vec<Signup>, StoreError> {
        of_activity(self, Kind::Signup, activity_id)
    }

    fn attendances_of(&mut self, activity_id: &str) -> Result<Vec<Attendance>, StoreError> {
        of_activity(self, Kind::Attendance, activity_id)
    }

    fn resident_name(&mut self, resident_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .opt(
                "SELECT display_name FROM users
                 WHERE district = $1 AND id = $2 AND role = 'resident'",
                &[&self.district, &resident_id],
            )?
            .map(|r| r.get(0)))
    }

    fn memberships_of(&mut self, volunteer_id: &str) -> Result<Vec<Membership>, StoreError> {
        super::principal::memberships_of(self.tx, self.district, volunteer_id)
    }

    fn hours_of(&mut self, volunteer_id: &str) -> Result<Vec<HourEntry>, StoreError> {
        self.claim_volunteer(volunteer_id)?;
        // The volunteer owns their hour entries: the owner index finds them.
        let rows = self.tx.query(
            "SELECT data FROM entities
             WHERE district = $1 AND owner = $2 AND kind = 'hour_entry' AND data IS NOT NULL",
            &[&self.district, &volunteer_id],
        )?;
        decode(&rows)
    }

    fn hours_meeting(
        &mut self,
        volunteer_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<HourEntry>, StoreError> {
        self.claim_volunteer(volunteer_id)?;
        // As on SQLite: entries of at most a day starting less than a day
        // before the window, and longer ones from their own index (schema
        // 4). `<=` and `>=` let through a start read a second late.
        let mut rows = self.tx.query(
            "SELECT data FROM entities
             WHERE district = $1 AND owner = $2 AND kind = 'hour_entry' AND data IS NOT NULL
               AND hour_entry_start(data) > $3::bigint - 86400
               AND hour_entry_start(data) <= $4::bigint",
            &[&self.district, &volunteer_id, &from, &to],
        )?;
        rows.extend(self.tx.query(
            "SELECT data FROM entities
             WHERE district = $1 AND owner = $2 AND kind = 'hour_entry' AND data IS NOT NULL
               AND (data::jsonb ->> 'minutes')::bigint > 1440
               AND hour_entry_start(data) <= $3::bigint - 86400
               AND hour_entry_start(data) + 60 * (data::jsonb ->> 'minutes')::bigint >= $3::bigint",
            &[&self.district, &volunteer_id, &from],
        )?);
        decode(&rows)
    }

    fn hours_for_activity(
        &mut self,
        volunteer_id: &str,
        activity_id: &str,
    ) -> Result<Vec<HourEntry>, StoreError> {
        self.claim_volunteer(volunteer_id)?;
        let rows = self.tx.query(
            "SELECT data FROM entities
             WHERE district = $1 AND owner = $2 AND kind = 'hour_entry' AND data IS NOT NULL
               AND data::jsonb ->> 'activity_id' = $3",
            &[&self.district, &volunteer_id, &activity_id],
        )?;
        decode(&rows)
    }

    fn first_waitlisted(&mut self, activity_id: &str) -> Result<Option<Signup>, StoreError> {
        let row = self.tx.opt(
            "SELECT data FROM entities
             WHERE district = $1 AND kind = 'signup' AND key > $2 || '/' AND key < $2 || '0'
               AND data IS NOT NULL AND data::jsonb ->> 'status' = 'waitlisted'
             ORDER BY (data::jsonb ->> 'position')::bigint LIMIT 1",
            &[&self.district, &activity_id],
        )?;
        Ok(row.map(|r| serde_json::from_str(r.get(0))).transpose()?)
    }
}

impl Ledger for TxState<'_, '_> {
    fn client_last_seq(
        &mut self,
        who: &Principal,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, SyncError> {
        // Register if new, then lock the row: one push per client at a time,
        // whichever instance it reaches.
        self.tx.exec(
            "INSERT INTO clients (district, client_id, user_id, last_seq, created_at, last_seen_at)
             VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT DO NOTHING",
            &[&self.district, &client_id, &who.actor.user_id, &now],
        )?;
        let row = self.tx.one(
            "SELECT user_id, last_seq FROM clients
             WHERE district = $1 AND client_id = $2 FOR UPDATE",
            &[&self.district, &client_id],
        )?;
        if row.get::<_, &str>(0) != who.actor.user_id {
            return Err(SyncError::ClientMismatch);
        }
        self.began_at = row.get::<_, i64>(1) as u64;
        Ok(self.began_at)
    }

    fn logged(&mut self, client_id: &str, seq: u64) -> Result<Option<Logged>, StoreError> {
        Ok(self
            .tx
            .opt(
                "SELECT id, status, code, message FROM mutations
                 WHERE district = $1 AND client_id = $2 AND seq = $3",
                &[&self.district, &client_id, &(seq as i64)],
            )?
            .map(|r| Logged {
                id: r.get(0),
                result: MutationResult {
                    seq,
                    status: parse_status(r.get(1)),
                    code: r.get(2),
                    message: r.get(3),
                },
            }))
    }

    fn logged_by_id(&mut self, client_id: &str, id: &str) -> Result<Option<Logged>, StoreError> {
        Ok(self
            .tx
            .opt(
                "SELECT seq, status, code, message FROM mutations
                 WHERE district = $1 AND client_id = $2 AND id = $3",
                &[&self.district, &client_id, &id],
            )?
            .map(|r| Logged {
                id: id.to_owned(),
                result: MutationResult {
                    seq: r.get::<_, i64>(0) as u64,
                    status: parse_status(r.get(1)),
                    code: r.get(2),
                    message: r.get(3),
                },
            }))
    }

    fn apply_effects(&mut self, effects: &[Effect]) -> Result<(), StoreError> {
        for e in effects {
            match e {
                Effect::Put(r) => put_record(self.tx, self.district, r)?,
                Effect::Delete { kind, key } => delete_record(self.tx, self.district, *kind, key)?,
            }
        }
        Ok(())
    }

    fn log(
        &mut self,
        who: &Principal,
        client_id: &str,
        entry: &LogEntry<'_>,
        result: &MutationResult,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx.exec(
            "INSERT INTO mutations
               (district, client_id, seq, id, user_id, name, body, device_time, received_at,
                status, code, message)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &self.district,
                &client_id,
                &(entry.seq as i64),
                &entry.id,
                &who.actor.user_id,
                &entry.name,
                &entry.body,
                &entry.device_time,
                &now,
                &result.status.as_str(),
                &result.code,
                &result.message,
            ],
        )?;
        Ok(())
    }

    fn set_last_seq(
        &mut self,
        client_id: &str,
        seq: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if seq == self.began_at {
            self.tx.exec(
                "UPDATE clients SET last_seen_at = $3 WHERE district = $1 AND client_id = $2",
                &[&self.district, &client_id, &now],
            )?;
            return Ok(());
        }
        // The highest transaction that advanced the client: once the feed's
        // watermark passes it, every applied mutation's effects are in the feed.
        let txid = self.tx.txid()?;
        self.tx.exec(
            "UPDATE clients SET last_seq = $3, last_txid = greatest(last_txid, $4),
                 last_seen_at = $5
             WHERE district = $1 AND client_id = $2",
            &[&self.district, &client_id, &(seq as i64), &txid, &now],
        )?;
        Ok(())
    }
}

/// The records of a relationship kind for one activity. Their keys are
/// `activity/volunteer`: a key range scan of the activity ('0' follows '/').
fn of_activity<T: serde::de::DeserializeOwned>(
    state: &mut TxState<'_, '_>,
    kind: Kind,
    activity_id: &str,
) -> Result<Vec<T>, StoreError> {
    let rows = state.tx.query(
        "SELECT data FROM entities
         WHERE district = $1 AND kind = $2 AND key > $3 || '/' AND key < $3 || '0'
           AND data IS NOT NULL",
        &[&state.district, &kind.as_str(), &activity_id],
    )?;
    decode(&rows)
}

#[cfg(test)]
mod tests {
    use super::TxState;
    use crate::storage::{SyncError, hours_reads};

    /// Runs when `VOLUNTEER_TEST_POSTGRES` (an admin URL) is set, on a new
    /// database.
    #[test]
    fn narrowed_hour_reads_find_every_entry_near_a_credit() {
        let Ok(admin) = std::env::var("VOLUNTEER_TEST_POSTGRES") else {
            eprintln!("VOLUNTEER_TEST_POSTGRES unset: PostgreSQL not checked");
            return;
        };
        let name = format!("hours_reads_{}", std::process::id());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            c.batch_execute(&sql).expect("create database");
        }
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let store = super::super::PgStore::open(&format!("{base}/{name}"), 2).expect("open");
        hours_reads::check(&store, &|f| {
            store
                .write(|tx| {
                    let mut state = TxState::new(tx, hours_reads::DISTRICT);
                    f(&mut state).map_err(SyncError::from)
                })
                .map_err(|e| match e {
                    SyncError::Store(e) => e,
                    other => panic!("{other:?}"),
                })
        });
        drop(store);
        c.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .expect("drop database");
    }
}
