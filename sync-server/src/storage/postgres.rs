//! The PostgreSQL backend, for a city: any number of stateless server
//! instances share one database. Rows are partitioned by district.
//!
//! Why the feed cannot skip a change although writers commit out of order:
//! every row carries the id of the transaction that last wrote it (`txid`)
//! and a sequence number drawn in it (`seq`); the feed is ordered by
//! `(txid, seq)`. A pull reads in one snapshot and returns only rows whose
//! transaction is below the snapshot's `xmin`: every such transaction has
//! ended, and any transaction still to come gets a larger id. So the set of
//! positions below `xmin` is final when it is read, and a cursor that has
//! reached `(xmin, 0)` has seen everything before it. A change committed but
//! not yet below `xmin` (an older transaction still running) is delivered by
//! a later pull, never skipped. See docs/protocol.md.
//!
//! Pushes run REPEATABLE READ and are retried on a serialization failure.
//! Every invariant of the rules lives in a row that each competing mutation
//! writes (an activity's counters, a campaign's totals, the key of an
//! (activity, volunteer) pair), and a repeatable-read transaction that writes
//! a row another committed after its snapshot fails and is retried: the
//! conflicts that matter are caught, and the outcomes are those of SQLite's
//! single writer. (SERIALIZABLE caught them too, but its page-level read
//! locks made a burst of 100 check-in devices fail on false conflicts.)

use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Row, Statement, Transaction};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::Duration;
use volunteer_domain::{
    Actor, Effect, Kind, MutationEnvelope, MutationResult, Profile, Record, Role, Signup, State,
    SyncRequest, SyncResponse,
};

use super::feed::{self, FedClient, Feed, Position, Rows, Visibility};
use super::push::{self, Ledger, Logged, check_request, district_of, parse_status, status_str};
use super::{AuthOutcome, NewUser, Principal, Storage, StoreError, SyncError};

const MIGRATIONS: &[&str] = &[include_str!("postgres/001_initial.sql")];
/// Held while migrating, so instances starting together migrate once.
const MIGRATION_LOCK: i64 = 0x766f_6c75_6e74; // "volunt"
/// Records per transaction when seeding or importing: every pull waits for
/// the writers in flight, so no write transaction may run long.
const IMPORT_CHUNK: usize = 200;
/// Mutations per push transaction. A request's mutations commit in chunks:
/// two devices recording the same check-ins conflict, and a conflict then
/// retries a few mutations, not a whole batch of hundreds.
const PUSH_CHUNK: usize = 25;
/// Attempts of a push that keeps meeting serialization failures.
const PUSH_ATTEMPTS: u32 = 20;
pub const DEFAULT_POOL_SIZE: usize = 16;
/// How long a pull waits for writers that were in flight when it arrived.
const WRITER_WAIT: Duration = Duration::from_secs(2);

// ----- connections ----------------------------------------------------------

/// A connection with its prepared statements (prepared once per connection).
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

/// A bounded pool: at most `max` connections; callers wait for a free one.
struct Pool {
    url: String,
    max: usize,
    state: Mutex<(Vec<Conn>, usize)>,
    freed: Condvar,
}

impl Pool {
    fn take(&self) -> Result<Conn, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = state.0.pop() {
                return Ok(conn);
            }
            if state.1 < self.max {
                state.1 += 1;
                drop(state);
                return Client::connect(&self.url, NoTls)
                    .map(|client| Conn {
                        client,
                        statements: HashMap::new(),
                    })
                    .map_err(|e| {
                        self.forget();
                        e.into()
                    });
            }
            state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn give(&self, conn: Conn) {
        if conn.client.is_closed() {
            self.forget();
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.0.push(conn);
        self.freed.notify_one();
    }

    /// A connection was lost: make room for a new one.
    fn forget(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.1 -= 1;
        self.freed.notify_one();
    }
}

impl Drop for Pool {
    /// Closing a connection blocks on its own small runtime, which cannot
    /// happen on an async runtime's thread (where the last handle to the
    /// store may well be dropped): close them on a thread of their own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.state.get_mut().unwrap_or_else(|p| p.into_inner()).0);
        if idle.is_empty() {
            return;
        }
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::spawn(move || drop(idle));
        } else {
            drop(idle);
        }
    }
}

/// `sql` prepared once per connection, through `prepare` the first time.
fn prepared(
    statements: &mut HashMap<&'static str, Statement>,
    sql: &'static str,
    prepare: impl FnOnce(&str) -> Result<Statement, postgres::Error>,
) -> Result<Statement, postgres::Error> {
    if let Some(s) = statements.get(sql) {
        return Ok(s.clone());
    }
    let s = prepare(sql)?;
    statements.insert(sql, s.clone());
    Ok(s)
}

/// One transaction with the connection's statement cache.
struct Tx<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<&'static str, Statement>,
    txid: Option<i64>,
    /// Site paths read in this transaction, by (district, site id).
    sites: HashMap<(String, String), String>,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl Tx<'_> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        prepared(self.statements, sql, |sql| self.tx.prepare(sql))
    }

    fn query(&mut self, sql: &'static str, params: Params) -> Result<Vec<Row>, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.query(&s, params)?)
    }

    fn opt(&mut self, sql: &'static str, params: Params) -> Result<Option<Row>, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.query_opt(&s, params)?)
    }

    fn one(&mut self, sql: &'static str, params: Params) -> Result<Row, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.query_one(&s, params)?)
    }

    fn exec(&mut self, sql: &'static str, params: Params) -> Result<u64, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.execute(&s, params)?)
    }

    /// This transaction's id (assigning one): the feed position of its writes.
    fn txid(&mut self) -> Result<i64, StoreError> {
        if let Some(t) = self.txid {
            return Ok(t);
        }
        let t: i64 = self
            .one("SELECT pg_current_xact_id()::text::bigint", &[])?
            .get(0);
        self.txid = Some(t);
        Ok(t)
    }
}

fn retryable(e: &StoreError) -> bool {
    let StoreError::Postgres(e) = e else {
        return false;
    };
    matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE) | Some(&SqlState::T_R_DEADLOCK_DETECTED)
    )
}

pub struct PgStore {
    pool: Pool,
    epoch: String,
}

impl PgStore {
    /// Connect to `url` (a `postgres://` URL), migrating the schema; safe
    /// when several instances start at once.
    pub fn open(url: &str, pool_size: usize) -> Result<PgStore, StoreError> {
        let store = PgStore {
            pool: Pool {
                url: url.to_owned(),
                max: pool_size.max(1),
                state: Mutex::new((Vec::new(), 0)),
                freed: Condvar::new(),
            },
            epoch: String::new(),
        };
        let epoch = store.run(IsolationLevel::ReadCommitted, |tx| {
            tx.tx
                .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now())",
            )?;
            let found: i32 = tx
                .tx
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM schema_migrations",
                    &[],
                )?
                .get(0);
            let supported = MIGRATIONS.len() as i32;
            if found > supported {
                return Err(StoreError::Invalid(format!(
                    "database schema {found} is newer than this server supports ({supported})"
                )));
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
                tx.tx.batch_execute(sql)?;
                tx.tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&(i as i32 + 1)],
                )?;
            }
            let epoch: String = tx
                .tx
                .query_one("SELECT value FROM meta WHERE name = 'epoch'", &[])?
                .get(0);
            Ok::<_, StoreError>(epoch)
        })?;
        Ok(PgStore { epoch, ..store })
    }

    /// Run `f` in one transaction on a pooled connection.
    fn run<T, E: From<StoreError> + From<postgres::Error>>(
        &self,
        isolation: IsolationLevel,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.run_after(false, isolation, f)
    }

    /// [`Self::run`], first waiting for writers (see [`await_writers`]) on
    /// the same connection when `settle` is set.
    fn run_after<T, E: From<StoreError> + From<postgres::Error>>(
        &self,
        settle: bool,
        isolation: IsolationLevel,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.pool.take()?;
        let out = (|| {
            let Conn { client, statements } = &mut conn;
            if settle {
                await_writers(client, statements)?;
            }
            let tx = client
                .build_transaction()
                .isolation_level(isolation)
                .start()?;
            let mut tx = Tx {
                tx,
                statements,
                txid: None,
                sites: HashMap::new(),
            };
            let out = f(&mut tx)?;
            tx.tx.commit()?;
            Ok(out)
        })();
        self.pool.give(conn);
        out
    }

    fn read<T, E: From<StoreError> + From<postgres::Error>>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        // Repeatable read: every statement sees the transaction's one snapshot.
        self.run(IsolationLevel::RepeatableRead, f)
    }

    /// A write, retried while it meets serialization failures (see the
    /// module's note on isolation).
    fn write<T>(
        &self,
        mut f: impl FnMut(&mut Tx<'_>) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.run(IsolationLevel::RepeatableRead, &mut f) {
                Err(SyncError::Store(e)) if retryable(&e) && attempt < PUSH_ATTEMPTS => {
                    tracing::debug!(attempt, error = ?e, "write retried after a serialization failure");
                    // Back off a little, more each time, so contenders spread out.
                    std::thread::sleep(Duration::from_millis(u64::from(attempt * attempt)));
                }
                other => return other,
            }
        }
    }

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

    fn admin_write<T>(
        &self,
        mut f: impl FnMut(&mut Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(|tx| f(tx).map_err(SyncError::from))
            .map_err(|e| match e {
                SyncError::Store(s) => s,
                other => StoreError::Invalid(other.to_string()),
            })
    }
}

/// Wait, up to [`WRITER_WAIT`], until every transaction that was writing when
/// this was called has ended. A pull's watermark is the oldest writer still
/// running; without the wait, one unrelated writer in flight would hold back
/// changes that committed before the request arrived (the check-in a
/// colleague just synced). Past the wait the pull serves what is final and
/// the rest comes with the next pull: later, never lost. Plain statements
/// outside a transaction each see a fresh snapshot; with no writer running,
/// the first answers at once.
fn await_writers(
    client: &mut Client,
    statements: &mut HashMap<&'static str, Statement>,
) -> Result<(), StoreError> {
    let window = prepared(
        statements,
        "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint
         FROM pg_current_snapshot() s",
        |sql| client.prepare(sql),
    )?;
    let row = client.query_one(&window, &[])?;
    let (mut oldest, target): (i64, i64) = (row.get(0), row.get(1));
    let started = std::time::Instant::now();
    while oldest < target && started.elapsed() < WRITER_WAIT {
        std::thread::sleep(Duration::from_micros(300));
        oldest = client.query_one(&window, &[])?.get(0);
    }
    if oldest < target {
        tracing::warn!(
            oldest_writer = oldest,
            waited_for = target,
            "a writer has run longer than the pull waits for; its changes follow later"
        );
    }
    Ok(())
}

// ----- entity rows ----------------------------------------------------------

fn site_path(tx: &mut Tx, district: &str, site_id: &str) -> Result<Option<String>, StoreError> {
    let key = (district.to_owned(), site_id.to_owned());
    if let Some(p) = tx.sites.get(&key) {
        return Ok(Some(p.clone()));
    }
    let path: Option<String> = tx
        .opt(
            "SELECT site_path FROM entities
             WHERE district = $1 AND kind = 'site' AND key = $2 AND data IS NOT NULL",
            &[&district, &site_id],
        )?
        .and_then(|r| r.get(0));
    if let Some(p) = &path {
        tx.sites.insert(key, p.clone());
    }
    Ok(path)
}

/// The district of a record written outside a user's request (seeding,
/// administration): its site's, else the only district there is.
fn district_for(tx: &mut Tx, record: &Record) -> Result<String, StoreError> {
    if let Record::Site(s) = record {
        return district_of(&s.path)
            .map(str::to_owned)
            .ok_or_else(|| StoreError::Invalid(format!("site {} has an empty path", s.id)));
    }
    let site_id = record.scope().site_id;
    let districts: Vec<String> = tx
        .query("SELECT id FROM districts ORDER BY id", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if let Some(site_id) = site_id {
        for d in &districts {
            if site_path(tx, d, &site_id)?.is_some() {
                return Ok(d.clone());
            }
        }
        return Err(StoreError::Invalid(format!(
            "record refers to unknown site {site_id}"
        )));
    }
    match districts.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(StoreError::Invalid(format!(
            "{} {} has no site; on a database of several districts give its district",
            record.kind().as_str(),
            record.key()
        ))),
    }
}

fn get_record(
    tx: &mut Tx,
    district: &str,
    kind: Kind,
    key: &str,
) -> Result<Option<Record>, StoreError> {
    let row = tx.opt(
        "SELECT data FROM entities
         WHERE district = $1 AND kind = $2 AND key = $3 AND data IS NOT NULL",
        &[&district, &kind.as_str(), &key],
    )?;
    row.map(|r| Record::from_json(kind, r.get(0)).map_err(StoreError::from))
        .transpose()
}

/// Write a record as a new change at this transaction's feed position.
fn put_record(tx: &mut Tx, district: &str, record: &Record) -> Result<(), StoreError> {
    let scope = record.scope();
    let path =
        match (&scope.site_id, record) {
            (_, Record::Site(s)) => {
                let parent = match &s.parent_id {
                    Some(p) => site_path(tx, district, p)?,
                    None => None,
                };
                push::check_site_path(s, parent.as_deref())?;
                if s.parent_id.is_none() {
                    tx.exec(
                        "INSERT INTO districts (id) VALUES ($1) ON CONFLICT DO NOTHING",
                        &[&district],
                    )?;
                }
                Some(s.path.clone())
            }
            (Some(id), _) => Some(site_path(tx, district, id)?.ok_or_else(|| {
                StoreError::Invalid(format!("record refers to unknown site {id}"))
            })?),
            (None, _) => None,
        };
    let txid = tx.txid()?;
    tx.exec(
        "INSERT INTO entities
           (district, kind, key, txid, seq, data, public, owner, site_path, owner_only, team_id, reader)
         VALUES ($1, $2, $3, $4, nextval('change_seq'), $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (district, kind, key) DO UPDATE SET
           txid = excluded.txid, seq = excluded.seq, data = excluded.data,
           public = excluded.public, owner = excluded.owner, site_path = excluded.site_path,
           owner_only = excluded.owner_only, team_id = excluded.team_id, reader = excluded.reader",
        &[
            &district,
            &record.kind().as_str(),
            &record.key(),
            &txid,
            &record.to_json(),
            &scope.public,
            &scope.owner,
            &path,
            &scope.owner_only,
            &scope.team_id,
            &scope.reader,
        ],
    )?;
    Ok(())
}

/// Turn a row into a tombstone: a new change without data, same scope.
fn delete_record(tx: &mut Tx, district: &str, kind: Kind, key: &str) -> Result<(), StoreError> {
    let txid = tx.txid()?;
    tx.exec(
        "UPDATE entities SET txid = $4, seq = nextval('change_seq'), data = NULL
         WHERE district = $1 AND kind = $2 AND key = $3 AND data IS NOT NULL",
        &[&district, &kind.as_str(), &key, &txid],
    )?;
    Ok(())
}

/// The rules' view of one district, inside a push transaction.
struct Rules<'t, 'a> {
    tx: &'t mut Tx<'a>,
    district: &'t str,
    /// The client's last seq when the transaction began.
    began_at: u64,
}

impl State for Rules<'_, '_> {
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

    fn signups_of(&mut self, activity_id: &str) -> Result<Vec<Signup>, StoreError> {
        // Signup keys are `activity/volunteer`: a key range scan of one activity.
        let rows = self.tx.query(
            "SELECT data FROM entities
             WHERE district = $1 AND kind = 'signup' AND key > $2 || '/' AND key < $2 || '0'
               AND data IS NOT NULL",
            &[&self.district, &activity_id],
        )?;
        rows.iter()
            .map(|r| Ok(serde_json::from_str(r.get(0))?))
            .collect()
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

impl Ledger for Rules<'_, '_> {
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
        env: &MutationEnvelope,
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
                &(env.seq as i64),
                &env.id,
                &who.actor.user_id,
                &env.mutation.name(),
                &serde_json::to_string(&env.mutation)?,
                &env.created_at,
                &now,
                &status_str(result.status),
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

// ----- pull -----------------------------------------------------------------

/// A read of one district's feed in one repeatable-read snapshot.
struct Snapshot<'t, 'a> {
    tx: &'t mut Tx<'a>,
    district: &'t str,
}

impl Feed for Snapshot<'_, '_> {
    /// `(xmin, 0)`: every transaction below the snapshot's xmin has ended,
    /// and any still to come gets a larger id (see the module's note).
    fn end(&mut self) -> Result<Position, StoreError> {
        let watermark: i64 = self
            .tx
            .one(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
                &[],
            )?
            .get(0);
        Ok((watermark, 0))
    }

    fn issued(&self, at: Position, end: Position) -> bool {
        at.0 <= end.0
    }

    fn rows(
        &mut self,
        from: Position,
        end: Position,
        who: &Visibility<'_>,
        page: &mut Rows,
    ) -> Result<(), StoreError> {
        let rows = self.tx.query(
            "SELECT txid, seq, kind, key, data FROM entities
             WHERE district = $1 AND (txid, seq) > ($2, $3) AND txid < $4
               AND (owner = $5
                    OR (NOT owner_only AND (public OR reader = $5 OR $6
                        OR ($7::text IS NOT NULL AND starts_with(site_path, $7))
                        OR team_id = ANY($8))))
             ORDER BY txid, seq
             LIMIT $9",
            &[
                &self.district,
                &from.0,
                &from.1,
                &end.0,
                &who.user_id,
                &who.admin,
                &who.site_path,
                &who.led_teams,
                &page.fetch(),
            ],
        )?;
        for row in &rows {
            if !page.take((row.get(0), row.get(1)), row.get(2), row.get(3), row.get(4))? {
                break;
            }
        }
        Ok(())
    }

    fn client(&mut self, client_id: &str, end: Position) -> Result<Option<FedClient>, StoreError> {
        let row = self.tx.opt(
            "SELECT user_id, last_seq, last_txid FROM clients WHERE district = $1 AND client_id = $2",
            &[&self.district, &client_id],
        )?;
        // The client's effects are in the feed once the watermark has
        // passed the last transaction that advanced it.
        Ok(row.map(|r| FedClient {
            user_id: r.get(0),
            last_seq: r.get::<_, i64>(1) as u64,
            in_feed: r.get::<_, i64>(2) < end.0,
        }))
    }
}

// ----- users ----------------------------------------------------------------

/// Teams the user leads: their active memberships with the leader role.
fn led_teams(tx: &mut Tx, district: &str, user_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(tx
        .query(
            "SELECT data::jsonb ->> 'team_id' AS team FROM entities
             WHERE district = $1 AND owner = $2 AND kind = 'membership' AND data IS NOT NULL
               AND data::jsonb ->> 'role' = 'leader' AND data::jsonb ->> 'status' = 'active'
             ORDER BY team",
            &[&district, &user_id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

fn to_profile(r: &Row) -> Result<Profile, StoreError> {
    let role: &str = r.get("role");
    Ok(Profile {
        user_id: r.get("id"),
        display_name: r.get("display_name"),
        role: Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        site_id: r.get("site_id"),
        phone: r.get("phone"),
    })
}

fn principal_of(tx: &mut Tx, district: String, profile: Profile) -> Result<Principal, StoreError> {
    let site_path = match (&profile.role, &profile.site_id) {
        (Role::Staff, Some(site)) => site_path(tx, &district, site)?,
        _ => None,
    };
    Ok(Principal {
        actor: Actor {
            user_id: profile.user_id.clone(),
            name: profile.display_name.clone(),
            role: profile.role,
            site_path,
            led_teams: led_teams(tx, &district, &profile.user_id)?,
        },
        profile,
        district: Some(district),
    })
}

/// The district a new user belongs to: given, else their site's, else the
/// only one there is.
fn user_district(tx: &mut Tx, user: &NewUser) -> Result<String, StoreError> {
    if let Some(d) = &user.district {
        return Ok(d.clone());
    }
    let as_profile = Record::Profile(user.profile());
    district_for(tx, &as_profile).map_err(|_| {
        StoreError::Invalid(format!(
            "user {} needs a district or a site (the database has several districts)",
            user.login
        ))
    })
}

fn principal_district(who: &Principal) -> Result<&str, StoreError> {
    who.district
        .as_deref()
        .ok_or_else(|| StoreError::Invalid("principal without a district".into()))
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
        let district = principal_district(who)?;
        let mut results = Vec::with_capacity(request.mutations.len());
        for chunk in request.mutations.chunks(PUSH_CHUNK) {
            results.extend(self.write(|tx| {
                let mut rules = Rules {
                    tx,
                    district,
                    began_at: 0,
                };
                push::push(&mut rules, who, &request.client_id, chunk, now)
            })?);
        }
        // The pull reads after the push committed, in its own snapshot, once
        // the writers in flight when it arrived have ended.
        let page = self.run_after(true, IsolationLevel::RepeatableRead, |tx| {
            feed::pull(
                &mut Snapshot { tx, district },
                who,
                &self.epoch,
                &request.client_id,
                request.cursor.as_deref(),
                limit,
            )
        })?;
        Ok(page.respond(results, now))
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
