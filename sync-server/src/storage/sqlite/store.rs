//! The [`Storage`] interface over the SQLite backend's parts.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use volunteer_domain::{
    Account, AccountStatus, Kind, Mutation, MutationResult, Profile, Record, Role, SyncRequest,
    SyncResponse,
};

use super::feed::{Snapshot, epoch};
use super::principal::{principal_of, profile_row, to_profile};
use super::records::{get_record, put_record, site_path};
use super::state::TxState;
use super::users::{self, phone_holder, status_of};
use super::{SqliteStore, parse_ts, ts};
use crate::storage::feed::Visibility;
use crate::storage::push::{self, check_epoch, check_request};
use crate::storage::{
    AuthOutcome, CodePurpose, Credential, IssuedCode, NewUser, Principal, Refusal, Storage,
    StoreError, StoredCode, SyncError, accounts, feed,
};

impl Storage for SqliteStore {
    fn credential(&self, login: &str) -> Result<Option<Credential>, StoreError> {
        self.read(|c| {
            let row = c
                .prepare_cached("SELECT id, password_hash, status FROM users WHERE login = ?1")?
                .query_row([login], |r| {
                    Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?))
                })
                .optional()?;
            row.map(|(user_id, password_hash, status)| {
                Ok(Credential {
                    user_id,
                    password_hash,
                    status: status_of(&status)?,
                })
            })
            .transpose()
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
                    "SELECT u.id, u.role, u.site_id, u.display_name, u.phone, s.expires_at,
                            u.status, s.revoked_at IS NOT NULL
                     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
                )?
                .query_row([token_hash], |r| {
                    Ok((
                        profile_row(r)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, bool>(7)?,
                    ))
                })
                .optional()?;
            let Some((profile, expires_at, status, revoked)) = row else {
                return Ok(AuthOutcome::Unknown);
            };
            if status == AccountStatus::Deactivated.as_str() {
                return Ok(AuthOutcome::Disabled);
            }
            if revoked {
                return Ok(AuthOutcome::Unknown);
            }
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

    fn submit(
        &self,
        who: &Principal,
        client_id: &str,
        id: &str,
        mutation: Mutation,
        now: DateTime<Utc>,
    ) -> Result<MutationResult, SyncError> {
        self.write(|tx| push::submit(&mut TxState(tx), who, client_id, (id, mutation), now))
    }

    fn visible(&self, who: &Principal, kind: Kind) -> Result<Vec<Record>, StoreError> {
        let v = Visibility::of(&who.actor);
        self.read(|c| {
            // The pull's filter (feed.rs), for one kind and without a cursor.
            let mut stmt = c.prepare_cached(
                "SELECT data FROM entities
                 WHERE kind = ?1 AND data IS NOT NULL
                   AND (owner = ?2
                        OR (owner_only = 0 AND (public = 1 OR reader = ?2 OR ?3
                            OR (?4 IS NOT NULL AND substr(site_path, 1, length(?4)) = ?4)
                            OR (team_id IS NOT NULL AND team_id IN (SELECT value FROM json_each(?5))))))
                 ORDER BY key",
            )?;
            let rows = stmt.query_map(
                params![
                    kind.as_str(),
                    v.user_id,
                    v.admin,
                    v.site_path,
                    serde_json::to_string(v.led_teams)?
                ],
                |r| r.get::<_, String>(0),
            )?;
            rows.map(|d| Ok(Record::from_json(kind, &d?)?)).collect()
        })
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
                put_record(tx, &Record::Account(u.account(now)))?;
            }
            Ok(())
        })
    }

    fn register(
        &self,
        user: &NewUser,
        consent_version: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Profile, Refusal>, StoreError> {
        self.write(|tx| {
            let phone = user.phone.as_deref().unwrap_or(&user.login);
            if phone_holder(tx, phone)?.is_some() {
                return Ok(Err(Refusal::PhoneTaken));
            }
            tx.prepare_cached(
                "INSERT INTO users (id, login, password_hash, role, site_id, display_name, phone, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                user.id,
                user.login,
                user.password_hash,
                user.role.as_str(),
                user.site_id,
                user.display_name,
                user.phone,
                ts(now)
            ])?;
            put_record(tx, &Record::Profile(user.profile()))?;
            put_record(
                tx,
                &Record::Account(accounts::registered(user, consent_version, now)),
            )?;
            users::event(tx, &user.id, None, "registered", now)?;
            Ok(Ok(user.profile()))
        })
    }

    fn issue_code(
        &self,
        who: &Principal,
        user_id: &str,
        code: &IssuedCode,
        now: DateTime<Utc>,
    ) -> Result<Result<(Account, CodePurpose), Refusal>, StoreError> {
        self.write(|tx| {
            let Some(Record::Account(account)) = get_record(tx, Kind::Account, user_id)? else {
                return Ok(Err(Refusal::NotFound));
            };
            let path = match &account.site_id {
                Some(s) => site_path(tx, s)?,
                None => None,
            };
            let purpose = match accounts::code_for(who, &account, path.as_deref()) {
                Ok(p) => p,
                Err(r) => return Ok(Err(r)),
            };
            tx.prepare_cached(
                "INSERT OR REPLACE INTO access_codes
                   (user_id, purpose, code_hash, issued_by, issued_at, expires_at, attempts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            )?
            .execute(params![
                user_id,
                purpose.as_str(),
                code.code_hash,
                who.actor.user_id,
                ts(code.issued_at),
                ts(code.issued_at + purpose.valid_for())
            ])?;
            let event = format!("{}_code_issued", purpose.as_str());
            users::event(tx, user_id, Some(&who.actor.user_id), &event, now)?;
            Ok(Ok((account, purpose)))
        })
    }

    fn phone_taken(&self, phone: &str) -> Result<bool, StoreError> {
        self.read(|c| Ok(phone_holder(c, phone)?.is_some()))
    }

    fn access_code(&self, login: &str) -> Result<Option<StoredCode>, StoreError> {
        self.read(|c| {
            let row = c
                .prepare_cached(
                    "SELECT a.user_id, a.purpose, a.code_hash, a.expires_at, a.attempts
                     FROM access_codes a JOIN users u ON u.id = a.user_id WHERE u.login = ?1",
                )?
                .query_row([login], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, u32>(4)?,
                    ))
                })
                .optional()?;
            row.map(|(user_id, purpose, code_hash, expires_at, attempts)| {
                Ok(StoredCode {
                    user_id,
                    purpose: CodePurpose::parse(&purpose)
                        .ok_or_else(|| StoreError::Corrupt(format!("code purpose {purpose}")))?,
                    code_hash,
                    expires_at: parse_ts(&expires_at)?,
                    attempts,
                })
            })
            .transpose()
        })
    }

    fn redeem_code(
        &self,
        code: &StoredCode,
        password_hash: &str,
        consent_version: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let taken = tx
                .prepare_cached("DELETE FROM access_codes WHERE user_id = ?1 AND code_hash = ?2")?
                .execute([&code.user_id, &code.code_hash])?;
            let Some(Record::Account(account)) = get_record(tx, Kind::Account, &code.user_id)?
            else {
                return Ok(false);
            };
            if taken == 0 || account.status == AccountStatus::Deactivated {
                return Ok(false);
            }
            tx.prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
                .execute([&code.user_id, password_hash])?;
            tx.prepare_cached(
                "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            )?
            .execute([&code.user_id, &ts(now)])?;
            put_record(
                tx,
                &Record::Account(accounts::redeemed(account, consent_version, now)),
            )?;
            let event = format!("{}_code_redeemed", code.purpose.as_str());
            users::event(tx, &code.user_id, Some(&code.user_id), &event, now)?;
            Ok(true)
        })
    }

    fn code_failed(&self, code: &StoredCode, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "UPDATE access_codes SET attempts = attempts + 1 WHERE user_id = ?1 AND code_hash = ?2",
            )?
            .execute([&code.user_id, &code.code_hash])?;
            tx.prepare_cached("DELETE FROM access_codes WHERE user_id = ?1 AND attempts >= ?2")?
                .execute(params![code.user_id, accounts::CODE_ATTEMPTS])?;
            users::event(tx, &code.user_id, None, "code_failed", now)
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
            let Some(Record::Account(mut account)) = get_record(tx, Kind::Account, user_id)? else {
                return Err(StoreError::Invalid(format!("no user {user_id}")));
            };
            account.role = role;
            account.site_id = site_id.map(str::to_owned);
            put_record(tx, &Record::Account(account))
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
