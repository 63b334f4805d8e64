//! The embedded SQLite backend: one file, WAL, one writer connection and a
//! small pool of readers.
//!
//! Why the cursor cannot skip here: SQLite admits one writer at a time, and a
//! change's sequence number is taken inside the writing transaction, so
//! changes become visible in sequence order. A pull reads its page and the
//! current maximum in one read transaction (one snapshot), so "everything up to
//! that maximum" is exactly what the snapshot holds.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use volunteer_domain::{
    Actor, Effect, Kind, MutationEnvelope, MutationResult, Profile, Record, Role, Signup, State,
    SyncRequest, SyncResponse,
};

use super::feed::{self, FedClient, Feed, Position, Rows, Visibility};
use super::push::{self, Ledger, Logged, check_request, parse_status, status_str};
use super::{AuthOutcome, NewUser, Principal, Storage, StoreError, SyncError};

const MIGRATIONS: &[&str] = &[include_str!("sqlite/001_initial.sql")];
const READERS: usize = 4;

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // A mutation is acknowledged to the device only after its commit is durable.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", 2)?;
    Ok(conn)
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

impl SqliteStore {
    /// Open or create the database at `path`, upgrading its schema.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut writer = connect(&path)?;
        let found: i64 = writer.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(StoreError::Invalid(format!(
                "database schema {found} is newer than this server supports ({supported})"
            )));
        }
        if found < supported {
            let tx = writer.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            for sql in &MIGRATIONS[found as usize..] {
                tx.execute_batch(sql)?;
            }
            tx.pragma_update(None, "user_version", supported)?;
            tx.commit()?;
        }
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` in a read transaction on a pooled reader: one consistent snapshot.
    fn read<T, E: From<rusqlite::Error> + From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let out = {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let out = f(&tx)?;
            tx.commit()?;
            out
        };
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < READERS {
            pool.push(conn);
        }
        Ok(out)
    }
}

// ----- entity rows ----------------------------------------------------------

fn next_change_seq(tx: &Connection) -> Result<i64, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value",
        )?
        .query_row([], |r| r.get(0))?)
}

fn epoch(conn: &Connection) -> Result<String, StoreError> {
    let e: i64 = conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'epoch'")?
        .query_row([], |r| r.get(0))?;
    Ok(format!("{e:x}"))
}

fn max_change_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'change_seq'")?
        .query_row([], |r| r.get(0))?)
}

fn site_path(conn: &Connection, site_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT json_extract(data, '$.path') FROM entities
             WHERE kind = 'site' AND key = ?1 AND data IS NOT NULL",
        )?
        .query_row([site_id], |r| r.get(0))
        .optional()?)
}

fn get_record(conn: &Connection, kind: Kind, key: &str) -> Result<Option<Record>, StoreError> {
    let data: Option<String> = conn
        .prepare_cached(
            "SELECT data FROM entities WHERE kind = ?1 AND key = ?2 AND data IS NOT NULL",
        )?
        .query_row([kind.as_str(), key], |r| r.get(0))
        .optional()?;
    data.map(|d| Record::from_json(kind, &d).map_err(StoreError::from))
        .transpose()
}

fn check_site_path(tx: &Connection, site: &volunteer_domain::Site) -> Result<(), StoreError> {
    let parent = match &site.parent_id {
        Some(p) => site_path(tx, p)?,
        None => None,
    };
    push::check_site_path(site, parent.as_deref())
}

/// Write a record as a new change, with the scope columns the feed filters on.
fn put_record(tx: &Connection, record: &Record) -> Result<(), StoreError> {
    if let Record::Site(site) = record {
        check_site_path(tx, site)?;
    }
    let scope = record.scope();
    let path =
        match (&scope.site_id, record) {
            (_, Record::Site(s)) => Some(s.path.clone()),
            (Some(id), _) => Some(site_path(tx, id)?.ok_or_else(|| {
                StoreError::Invalid(format!("record refers to unknown site {id}"))
            })?),
            (None, _) => None,
        };
    let seq = next_change_seq(tx)?;
    tx.prepare_cached(
        "INSERT INTO entities (kind, key, seq, data, public, owner, site_path, owner_only, team_id, reader)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (kind, key) DO UPDATE SET
           seq = excluded.seq, data = excluded.data, public = excluded.public,
           owner = excluded.owner, site_path = excluded.site_path,
           owner_only = excluded.owner_only, team_id = excluded.team_id, reader = excluded.reader",
    )?
    .execute(params![
        record.kind().as_str(),
        record.key(),
        seq,
        record.to_json(),
        scope.public,
        scope.owner,
        path,
        scope.owner_only,
        scope.team_id,
        scope.reader
    ])?;
    Ok(())
}

/// Turn a row into a tombstone: a new change without data, same scope.
fn delete_record(tx: &Connection, kind: Kind, key: &str) -> Result<(), StoreError> {
    let seq = next_change_seq(tx)?;
    tx.prepare_cached(
        "UPDATE entities SET seq = ?3, data = NULL WHERE kind = ?1 AND key = ?2 AND data IS NOT NULL",
    )?
    .execute(params![kind.as_str(), key, seq])?;
    Ok(())
}

fn apply_effects(tx: &Connection, effects: &[Effect]) -> Result<(), StoreError> {
    for e in effects {
        match e {
            Effect::Put(r) => put_record(tx, r)?,
            Effect::Delete { kind, key } => delete_record(tx, *kind, key)?,
        }
    }
    Ok(())
}

/// Authoritative state for the rules, read inside the write transaction.
struct ServerState<'c>(&'c Connection);

impl State for ServerState<'_> {
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
        let mut stmt = self.0.prepare_cached(
            "SELECT data FROM entities
             WHERE kind = 'signup' AND key > ?1 || '/' AND key < ?1 || '0' AND data IS NOT NULL",
        )?;
        let rows = stmt.query_map([activity_id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
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

// ----- push -----------------------------------------------------------------

impl Ledger for ServerState<'_> {
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

    fn apply_effects(&mut self, effects: &[Effect]) -> Result<(), StoreError> {
        apply_effects(self.0, effects)
    }

    fn log(
        &mut self,
        who: &Principal,
        client_id: &str,
        env: &MutationEnvelope,
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
                env.seq,
                env.id,
                who.actor.user_id,
                env.mutation.name(),
                serde_json::to_string(&env.mutation)?,
                ts(env.created_at),
                ts(now),
                status_str(result.status),
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
fn client_row(conn: &Connection, client_id: &str) -> Result<Option<(String, u64)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT user_id, last_seq FROM clients WHERE client_id = ?1")?
        .query_row([client_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

// ----- pull -----------------------------------------------------------------

/// A read of the feed: the transaction's one snapshot.
struct Snapshot<'c>(&'c Connection);

impl Feed for Snapshot<'_> {
    fn end(&mut self) -> Result<Position, StoreError> {
        // The writer takes a change's seq inside its transaction, so changes
        // become visible in seq order: everything up to the maximum is here.
        Ok((0, max_change_seq(self.0)?))
    }

    fn issued(&self, at: Position, end: Position) -> bool {
        at.0 == 0 && at.1 <= end.1
    }

    fn rows(
        &mut self,
        from: Position,
        _end: Position,
        who: &Visibility<'_>,
        page: &mut Rows,
    ) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT seq, kind, key, data FROM entities
             WHERE seq > ?1
               AND (owner = ?2
                    OR (owner_only = 0 AND (public = 1 OR reader = ?2 OR ?3
                        OR (?4 IS NOT NULL AND substr(site_path, 1, length(?4)) = ?4)
                        OR (team_id IS NOT NULL AND team_id IN (SELECT value FROM json_each(?6))))))
             ORDER BY seq
             LIMIT ?5",
        )?;
        let mut rows = stmt.query(params![
            from.1,
            who.user_id,
            who.admin,
            who.site_path,
            page.fetch(),
            serde_json::to_string(who.led_teams)?
        ])?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(1)?;
            let data: Option<String> = row.get(3)?;
            if !page.take((0, row.get(0)?), &kind, row.get(2)?, data.as_deref())? {
                break;
            }
        }
        Ok(())
    }

    fn client(&mut self, client_id: &str, _end: Position) -> Result<Option<FedClient>, StoreError> {
        // Read in the push's own transaction, if any: its effects are here.
        Ok(
            client_row(self.0, client_id)?.map(|(user_id, last_seq)| FedClient {
                user_id,
                last_seq,
                in_feed: true,
            }),
        )
    }
}

/// Teams the user leads: their active memberships with the leader role.
fn led_teams(conn: &Connection, user_id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT json_extract(data, '$.team_id') FROM entities
         WHERE owner = ?1 AND kind = 'membership' AND data IS NOT NULL
           AND json_extract(data, '$.role') = 'leader'
           AND json_extract(data, '$.status') = 'active'
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn principal_of(conn: &Connection, profile: Profile) -> Result<Principal, StoreError> {
    let site_path = match (&profile.role, &profile.site_id) {
        (Role::Staff, Some(site)) => site_path(conn, site)?,
        _ => None,
    };
    Ok(Principal {
        actor: Actor {
            user_id: profile.user_id.clone(),
            name: profile.display_name.clone(),
            role: profile.role,
            site_path,
            led_teams: led_teams(conn, &profile.user_id)?,
        },
        profile,
        district: None,
    })
}

/// `id, role, site_id, display_name, phone` of a users row.
type ProfileRow = (String, String, Option<String>, String, Option<String>);

fn profile_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_profile(
    (user_id, role, site_id, display_name, phone): ProfileRow,
) -> Result<Profile, StoreError> {
    Ok(Profile {
        user_id,
        display_name,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        site_id,
        phone,
    })
}

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
            feed::pull(
                &mut Snapshot(c),
                who,
                &epoch,
                &request.client_id,
                cursor,
                limit,
            )
        };
        // Push and pull share one transaction, so a last page holds every
        // effect of the client's applied mutations.
        let (results, page) = if request.mutations.is_empty() {
            // Nothing to push: a read transaction, no writer lock.
            self.read(|c| Ok::<_, SyncError>((Vec::new(), pull(c)?)))?
        } else {
            self.write(|tx| {
                let results = push::push(
                    &mut ServerState(tx),
                    who,
                    &request.client_id,
                    &request.mutations,
                    now,
                )?;
                Ok::<_, SyncError>((results, pull(tx)?))
            })?
        };
        Ok(page.respond(results, now))
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
