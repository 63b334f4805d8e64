//! The [`Storage`] interface over the PostgreSQL backend's parts.

use chrono::{DateTime, Utc};
use postgres::IsolationLevel;
use volunteer_domain::{
    Account, AccountStatus, Kind, Mutation, MutationResult, Profile, Record, Role, SyncRequest,
    SyncResponse,
};

use super::feed::Snapshot;
use super::pool::Tx;
use super::principal::{principal_district, principal_of, to_profile, user_district};
use super::records::{district_for, get_record, put_record, site_path};
use super::state::TxState;
use super::users::{self, status_of};
use super::{IMPORT_CHUNK, PUSH_CHUNK, PgStore};
use crate::storage::feed::Visibility;
use crate::storage::push::{self, check_epoch, check_request};
use crate::storage::{
    AuthOutcome, CodePurpose, Credential, IssuedCode, NewUser, Principal, Refusal, Storage,
    StoreError, StoredCode, SyncError, accounts, feed,
};

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
                put_record(tx, &district, &Record::Account(u.account(now)))?;
            }
            Ok(())
        })
    }
}

/// The district and account of a user id (ids are unique city-wide).
fn account_of(tx: &mut Tx, user_id: &str) -> Result<Option<(String, Account)>, StoreError> {
    let Some(row) = tx.opt(
        "SELECT district FROM users WHERE id = $1 AND district IN (SELECT id FROM districts)",
        &[&user_id],
    )?
    else {
        return Ok(None);
    };
    let district: String = row.get(0);
    Ok(match get_record(tx, &district, Kind::Account, user_id)? {
        Some(Record::Account(a)) => Some((district, a)),
        _ => None,
    })
}

impl Storage for PgStore {
    fn credential(&self, login: &str) -> Result<Option<Credential>, StoreError> {
        self.read(|tx| {
            tx.opt(
                "SELECT id, password_hash, status FROM users WHERE login = $1",
                &[&login],
            )?
            .map(|r| {
                Ok(Credential {
                    user_id: r.get(0),
                    password_hash: r.get(1),
                    status: status_of(r.get(2))?,
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
                "SELECT u.district, u.id, u.role, u.site_id, u.display_name, u.phone, s.expires_at,
                        u.status, s.revoked_at IS NOT NULL AS revoked
                 FROM sessions s JOIN users u ON u.district = s.district AND u.id = s.user_id
                 WHERE s.token_hash = $1",
                &[&token_hash],
            )?;
            let Some(row) = row else {
                return Ok(AuthOutcome::Unknown);
            };
            if row.get::<_, &str>("status") == AccountStatus::Deactivated.as_str() {
                return Ok(AuthOutcome::Disabled);
            }
            if row.get::<_, bool>("revoked") {
                return Ok(AuthOutcome::Unknown);
            }
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
                let mut state = TxState::new(tx, district);
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

    fn submit(
        &self,
        who: &Principal,
        client_id: &str,
        id: &str,
        mutation: Mutation,
        now: DateTime<Utc>,
    ) -> Result<MutationResult, SyncError> {
        let district = principal_district(who)?;
        self.write(|tx| {
            let mut state = TxState::new(tx, district);
            push::submit(&mut state, who, client_id, (id, mutation.clone()), now)
        })
    }

    fn visible(&self, who: &Principal, kind: Kind) -> Result<Vec<Record>, StoreError> {
        let district = principal_district(who)?;
        let v = Visibility::of(&who.actor);
        self.read(|tx| {
            // The pull's filter (feed.rs), for one kind and without a cursor.
            let rows = tx.query(
                "SELECT data FROM entities
                 WHERE district = $1 AND kind = $2 AND data IS NOT NULL
                   AND (owner = $3
                        OR (NOT owner_only AND (public OR reader = $3 OR $4
                            OR ($5::text IS NOT NULL AND starts_with(site_path, $5))
                            OR team_id = ANY($6))))
                 ORDER BY key",
                &[
                    &district,
                    &kind.as_str(),
                    &v.user_id,
                    &v.admin,
                    &v.site_path,
                    &v.led_teams,
                ],
            )?;
            rows.iter()
                .map(|r| Ok(Record::from_json(kind, r.get(0))?))
                .collect()
        })
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
            let (district, mut account) = account_of(tx, user_id)?
                .ok_or_else(|| StoreError::Invalid(format!("no user {user_id}")))?;
            account.role = role;
            account.site_id = site_id.map(str::to_owned);
            put_record(tx, &district, &Record::Account(account))
        })
    }

    fn register(
        &self,
        user: &NewUser,
        consent_version: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Profile, Refusal>, StoreError> {
        self.admin_write(|tx| {
            let phone = user.phone.as_deref().unwrap_or(&user.login);
            if users::phone_holder(tx, phone)?.is_some() {
                return Ok(Err(Refusal::PhoneTaken));
            }
            let Ok(district) = user_district(tx, user) else {
                return Ok(Err(Refusal::InvalidState(
                    "this server holds several districts: register through your district's app",
                )));
            };
            let inserted = tx.exec(
                "INSERT INTO users
                   (district, id, login, password_hash, role, site_id, display_name, phone, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT DO NOTHING",
                &[
                    &district,
                    &user.id,
                    &user.login,
                    &user.password_hash,
                    &user.role.as_str(),
                    &user.site_id,
                    &user.display_name,
                    &user.phone,
                    &now,
                ],
            )?;
            if inserted == 0 {
                // Two registrations of one phone at once: the other won.
                return Ok(Err(Refusal::PhoneTaken));
            }
            put_record(tx, &district, &Record::Profile(user.profile()))?;
            let account = accounts::registered(user, consent_version, now);
            put_record(tx, &district, &Record::Account(account))?;
            users::event(tx, &district, (&user.id, None), "registered", now)?;
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
        let district = principal_district(who)?.to_owned();
        self.admin_write(|tx| {
            let Some(Record::Account(account)) = get_record(tx, &district, Kind::Account, user_id)?
            else {
                return Ok(Err(Refusal::NotFound));
            };
            let path = match &account.site_id {
                Some(s) => site_path(tx, &district, s)?,
                None => None,
            };
            let purpose = match accounts::code_for(who, &account, path.as_deref()) {
                Ok(p) => p,
                Err(r) => return Ok(Err(r)),
            };
            tx.exec(
                "INSERT INTO access_codes
                   (district, user_id, purpose, code_hash, issued_by, issued_at, expires_at, attempts)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0)
                 ON CONFLICT (district, user_id) DO UPDATE SET
                   purpose = excluded.purpose, code_hash = excluded.code_hash,
                   issued_by = excluded.issued_by, issued_at = excluded.issued_at,
                   expires_at = excluded.expires_at, attempts = 0",
                &[
                    &district,
                    &user_id,
                    &purpose.as_str(),
                    &code.code_hash,
                    &who.actor.user_id,
                    &code.issued_at,
                    &(code.issued_at + purpose.valid_for()),
                ],
            )?;
            let event = format!("{}_code_issued", purpose.as_str());
            users::event(tx, &district, (user_id, Some(&who.actor.user_id)), &event, now)?;
            Ok(Ok((account, purpose)))
        })
    }

    fn phone_taken(&self, phone: &str) -> Result<bool, StoreError> {
        self.read(|tx| Ok(users::phone_holder(tx, phone)?.is_some()))
    }

    fn access_code(&self, login: &str) -> Result<Option<StoredCode>, StoreError> {
        self.read(|tx| {
            tx.opt(
                "SELECT a.user_id, a.purpose, a.code_hash, a.expires_at, a.attempts
                 FROM access_codes a
                 JOIN users u ON u.district = a.district AND u.id = a.user_id
                 WHERE u.login = $1",
                &[&login],
            )?
            .map(|r| {
                let purpose: &str = r.get(1);
                Ok(StoredCode {
                    user_id: r.get(0),
                    purpose: CodePurpose::parse(purpose)
                        .ok_or_else(|| StoreError::Corrupt(format!("code purpose {purpose}")))?,
                    code_hash: r.get(2),
                    expires_at: r.get(3),
                    attempts: r.get::<_, i32>(4).max(0) as u32,
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
        self.admin_write(|tx| {
            let Some((district, account)) = account_of(tx, &code.user_id)? else {
                return Ok(false);
            };
            let taken = tx.exec(
                "DELETE FROM access_codes WHERE district = $1 AND user_id = $2 AND code_hash = $3",
                &[&district, &code.user_id, &code.code_hash],
            )?;
            if taken == 0 || account.status == AccountStatus::Deactivated {
                return Ok(false);
            }
            tx.exec(
                "UPDATE users SET password_hash = $3 WHERE district = $1 AND id = $2",
                &[&district, &code.user_id, &password_hash],
            )?;
            tx.exec(
                "UPDATE sessions SET revoked_at = $3
                 WHERE district = $1 AND user_id = $2 AND revoked_at IS NULL",
                &[&district, &code.user_id, &now],
            )?;
            let account = accounts::redeemed(account, consent_version, now);
            put_record(tx, &district, &Record::Account(account))?;
            let event = format!("{}_code_redeemed", code.purpose.as_str());
            users::event(
                tx,
                &district,
                (&code.user_id, Some(&code.user_id)),
                &event,
                now,
            )?;
            Ok(true)
        })
    }

    fn code_failed(&self, code: &StoredCode, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.admin_write(|tx| {
            let Some((district, _)) = account_of(tx, &code.user_id)? else {
                return Ok(());
            };
            tx.exec(
                "UPDATE access_codes SET attempts = attempts + 1
                 WHERE district = $1 AND user_id = $2 AND code_hash = $3",
                &[&district, &code.user_id, &code.code_hash],
            )?;
            tx.exec(
                "DELETE FROM access_codes WHERE district = $1 AND user_id = $2 AND attempts >= $3",
                &[&district, &code.user_id, &(accounts::CODE_ATTEMPTS as i32)],
            )?;
            users::event(tx, &district, (&code.user_id, None), "code_failed", now)
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
