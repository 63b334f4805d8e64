//! The [`Storage`] interface over the PostgreSQL backend's parts.

use chrono::{DateTime, Utc};
use postgres::IsolationLevel;
use volunteer_domain::{Kind, Profile, Record, Role, SyncRequest, SyncResponse};

use super::feed::Snapshot;
use super::principal::{principal_district, principal_of, to_profile, user_district};
use super::records::{district_for, put_record};
use super::state::TxState;
use super::{IMPORT_CHUNK, PUSH_CHUNK, PgStore};
use crate::storage::push::{self, check_epoch, check_request};
use crate::storage::{AuthOutcome, NewUser, Principal, Storage, StoreError, SyncError, feed};

impl PgStore {
    fn create_users_now(&self, users: &[NewUser], now: DateTime<Utc>) -> Result<(), StoreError> {
        self.admin_write(|tx| {
            for u in users {
                let district = user_district(tx, u)?;
                tx.exec(
                    "INSERT INTO districts (id) VALUES ($1) ON CONFLICT DO NOTHING",
                    &[&district],
                )?;
                tx.exec(
                    "INSERT INTO users
                       (district, id, login, password_hash, role, site_id, display_name, phone, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &district,
                        &u.id,
                        &u.login,
                        &u.password_hash,
                        &u.role.as_str(),
                        &u.site_id,
                        &u.display_name,
                        &u.phone,
                        &now,
                    ],
                )?;
                put_record(tx, &district, &Record::Profile(u.profile()))?;
            }
            Ok(())
        })
    }
}

impl Storage for PgStore {
    fn credential(&self, login: &str) -> Result<Option<(String, Option<String>)>, StoreError> {
        self.read(|tx| {
            Ok(tx
                .opt(
                    "SELECT id, password_hash FROM users WHERE login = $1",
                    &[&login],
                )?
                .map(|r| (r.get(0), r.get(1))))
        })
    }

    fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Profile, StoreError> {
        self.run(IsolationLevel::ReadCommitted, |tx| {
            tx.exec("DELETE FROM sessions WHERE expires_at < $1", &[&now])?;
            // User ids are unique across districts; the login lookup found this one.
            let user = tx.one(
                "SELECT district, id, role, site_id, display_name, phone FROM users
                 WHERE id = $1 AND district IN (SELECT id FROM districts)",
                &[&user_id],
            )?;
            let district: String = user.get("district");
            tx.exec(
                "INSERT INTO sessions (token_hash, district, user_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&token_hash, &district, &user_id, &now, &expires_at],
            )?;
            to_profile(&user)
        })
    }

    fn revoke_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.run(IsolationLevel::ReadCommitted, |tx| {
            tx.exec("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
            Ok(())
        })
    }

    fn authenticate(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<AuthOutcome, StoreError> {
        self.read(|tx| {
            let row = tx.opt(
                "SELECT u.district, u.id, u.role, u.site_id, u.display_name, u.phone, s.expires_at
                 FROM sessions s JOIN users u ON u.district = s.district AND u.id = s.user_id
                 WHERE s.token_hash = $1",
                &[&token_hash],
            )?;
            let Some(row) = row else {
                return Ok(AuthOutcome::Unknown);
            };
            if row.get::<_, DateTime<Utc>>("expires_at") <= now {
                return Ok(AuthOutcome::Expired);
            }
            let profile = to_profile(&row)?;
            Ok(AuthOutcome::Valid(Box::new(principal_of(
                tx,
                row.get("district"),
                profile,
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
        let epoch = self.epoch();
        check_epoch(request, &epoch)?;
        let district = principal_district(who)?;
        let mut results = Vec::with_capacity(request.mutations.len());
        for chunk in request.mutations.chunks(PUSH_CHUNK) {
            results.extend(self.write(|tx| {
                let mut state = TxState {
                    tx,
                    district,
                    began_at: 0,
                };
                push::push(&mut state, who, &request.client_id, chunk, now)
            })?);
        }
        // The pull reads after the push committed, in its own snapshot, once
        // the writers in flight when it arrived have ended.
        let page = self.run_after(true, IsolationLevel::RepeatableRead, |tx| {
            feed::pull(
                &mut Snapshot { tx, district },
                who,
                &epoch,
                &request.client_id,
                request.cursor.as_deref(),
                limit,
            )
        })?;
        Ok(page.respond(results, &epoch, now))
    }

    fn create_users(&self, users: &[NewUser], now: DateTime<Utc>) -> Result<(), StoreError> {
        for chunk in users.chunks(IMPORT_CHUNK) {
            self.create_users_now(chunk, now)?;
        }
        Ok(())
    }

    fn put_records(&self, records: &[Record]) -> Result<(), StoreError> {
        for chunk in records.chunks(IMPORT_CHUNK) {
            self.admin_write(|tx| {
                for r in chunk {
                    let district = district_for(tx, r)?;
                    put_record(tx, &district, r)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    fn move_user(
        &self,
        user_id: &str,
        role: Role,
        site_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.admin_write(|tx| {
            let row = tx.opt(
                "UPDATE users SET role = $2, site_id = $3
                 WHERE id = $1 AND district IN (SELECT id FROM districts)
                 RETURNING district, id, role, site_id, display_name, phone",
                &[&user_id, &role.as_str(), &site_id],
            )?;
            let row = row.ok_or_else(|| StoreError::Invalid(format!("no user {user_id}")))?;
            let district: String = row.get("district");
            put_record(tx, &district, &Record::Profile(to_profile(&row)?))
        })
    }

    fn user_count(&self) -> Result<u64, StoreError> {
        self.read(|tx| Ok(tx.one("SELECT count(*) FROM users", &[])?.get::<_, i64>(0) as u64))
    }

    fn volunteer_count(&self) -> Result<u64, StoreError> {
        let sql = "SELECT count(*) FROM users WHERE role = 'volunteer'";
        self.read(|tx| Ok(tx.one(sql, &[])?.get::<_, i64>(0) as u64))
    }

    fn new_epoch(&self) -> Result<String, StoreError> {
        let epoch: String = self.admin_write(|tx| {
            Ok(tx
                .one(
                    "UPDATE meta SET value = substr(md5(random()::text || clock_timestamp()::text), 1, 16)
                     WHERE name = 'epoch' RETURNING value",
                    &[],
                )?
                .get(0))
        })?;
        *self.epoch.write().unwrap_or_else(|p| p.into_inner()) = epoch.clone();
        Ok(epoch)
    }

    fn health(&self) -> Result<(), StoreError> {
        self.read(|tx| {
            tx.one("SELECT 1", &[])?;
            Ok(())
        })
    }

    fn records(&self, kind: Kind) -> Result<Vec<Record>, StoreError> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT data FROM entities WHERE kind = $1 AND data IS NOT NULL
                 ORDER BY key, district",
                &[&kind.as_str()],
            )?;
            rows.iter()
                .map(|r| Ok(Record::from_json(kind, r.get(0))?))
                .collect()
        })
    }

    fn mutation_count(&self) -> Result<u64, StoreError> {
        self.read(|tx| {
            Ok(tx
                .one("SELECT count(*) FROM mutations", &[])?
                .get::<_, i64>(0) as u64)
        })
    }
}
