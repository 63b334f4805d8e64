//! The [`Storage`] interface over the SQLite backend's parts.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use volunteer_domain::{Kind, Profile, Record, Role, SyncRequest, SyncResponse};

use super::feed::{Snapshot, epoch};
use super::principal::{principal_of, profile_row, to_profile};
use super::records::put_record;
use super::state::TxState;
use super::{SqliteStore, parse_ts, ts};
use crate::storage::push::{self, check_epoch, check_request};
use crate::storage::{AuthOutcome, NewUser, Principal, Storage, StoreError, SyncError, feed};

impl Storage for SqliteStore {
    fn credential(&self, login: &str) -> Result<Option<(String, Option<String>)>, StoreError> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT id, password_hash FROM users WHERE login = ?1")?
                    .query_row([login], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
            )
        })
    }

    fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Profile, StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE expires_at < ?1", [ts(now)])?;
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user_id, ts(now), ts(expires_at)],
            )?;
            to_profile(tx.query_row(
                "SELECT id, role, site_id, display_name, phone FROM users WHERE id = ?1",
                [user_id],
                profile_row,
            )?)
        })
    }

    fn revoke_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
    }

    fn authenticate(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<AuthOutcome, StoreError> {
        self.read(|c| {
            let row = c
                .prepare_cached(
                    "SELECT u.id, u.role, u.site_id, u.display_name, u.phone, s.expires_at
                     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
                )?
                .query_row([token_hash], |r| {
                    Ok((profile_row(r)?, r.get::<_, String>(5)?))
                })
                .optional()?;
            let Some((profile, expires_at)) = row else {
                return Ok(AuthOutcome::Unknown);
            };
            if parse_ts(&expires_at)? <= now {
                return Ok(AuthOutcome::Expired);
            }
            Ok(AuthOutcome::Valid(Box::new(principal_of(
                c,
                to_profile(profile)?,
            )?)))
        })
    }

    fn sync(
        &self,
        who: &Principal,
        request: &SyncRequest,
        now: DateTime<Utc>,
    ) -> Result<SyncResponse, SyncError> {
        let limit = check_request(request)?;
        let cursor = request.cursor.as_deref();
        let pull = |c: &Connection| {
            let epoch = epoch(c)?;
            let page = feed::pull(
                &mut Snapshot(c),
                who,
                &epoch,
                &request.client_id,
                cursor,
                limit,
            )?;
            Ok::<_, SyncError>((page, epoch))
        };
        // Push and pull share one transaction, so a last page holds every
        // effect of the client's applied mutations.
        let (results, (page, epoch)) = if request.mutations.is_empty() {
            // Nothing to push: a read transaction, no writer lock.
            self.read(|c| {
                check_epoch(request, &epoch(c)?)?;
                Ok::<_, SyncError>((Vec::new(), pull(c)?))
            })?
        } else {
            self.write(|tx| {
                check_epoch(request, &epoch(tx)?)?;
                let results = push::push(
                    &mut TxState(tx),
                    who,
                    &request.client_id,
                    &request.mutations,
                    now,
                )?;
                Ok::<_, SyncError>((results, pull(tx)?))
            })?
        };
        Ok(page.respond(results, &epoch, now))
    }

    fn create_users(&self, users: &[NewUser], now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO users (id, login, password_hash, role, site_id, display_name, phone, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for u in users {
                insert.execute(params![
                    u.id,
                    u.login,
                    u.password_hash,
                    u.role.as_str(),
                    u.site_id,
                    u.display_name,
                    u.phone,
                    ts(now)
                ])?;
                put_record(tx, &Record::Profile(u.profile()))?;
            }
            Ok(())
        })
    }

    fn put_records(&self, records: &[Record]) -> Result<(), StoreError> {
        self.write(|tx| {
            for r in records {
                put_record(tx, r)?;
            }
            Ok(())
        })
    }

    fn move_user(
        &self,
        user_id: &str,
        role: Role,
        site_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE users SET role = ?2, site_id = ?3 WHERE id = ?1",
                params![user_id, role.as_str(), site_id],
            )?;
            if n == 0 {
                return Err(StoreError::Invalid(format!("no user {user_id}")));
            }
            let profile = to_profile(tx.query_row(
                "SELECT id, role, site_id, display_name, phone FROM users WHERE id = ?1",
                [user_id],
                profile_row,
            )?)?;
            put_record(tx, &Record::Profile(profile))
        })
    }

    fn user_count(&self) -> Result<u64, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?))
    }

    fn volunteer_count(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let sql = "SELECT count(*) FROM users WHERE role = 'volunteer'";
            Ok(c.query_row(sql, [], |r| r.get(0))?)
        })
    }

    fn new_epoch(&self) -> Result<String, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE counters SET value = abs(random()) WHERE name = 'epoch'",
                [],
            )?;
            epoch(tx)
        })
    }

    fn health(&self) -> Result<(), StoreError> {
        self.read(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
    }

    fn records(&self, kind: Kind) -> Result<Vec<Record>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT data FROM entities WHERE kind = ?1 AND data IS NOT NULL ORDER BY key",
            )?;
            let rows = stmt.query_map([kind.as_str()], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for row in rows {
                out.push(Record::from_json(kind, &row?)?);
            }
            Ok(out)
        })
    }

    fn mutation_count(&self) -> Result<u64, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT count(*) FROM mutations", [], |r| r.get(0))?))
    }
}
