//! The PostgreSQL backend, for a city: any number of stateless server
//! instances share one database. Rows are partitioned by district.
//! Here: opening and migrating, and running transactions; `pool` holds the
//! connections, `records` writes entity rows, `state` is a push transaction
//! as the rules and the push see it, `feed` the pull's SQL and watermark,
//! `principal` who a user is, `store` the [`Storage`](super::Storage)
//! interface over these.
//!
//! Pushes run REPEATABLE READ and are retried on a serialization failure.
//! Every invariant of the rules lives in a row that each competing mutation
//! writes (an activity's counters, a campaign's totals, the key of an
//! (activity, volunteer) pair), and a repeatable-read transaction that writes
//! a row another committed after its snapshot fails and is retried: the
//! conflicts that matter are caught, and the outcomes are those of SQLite's
//! single writer. (SERIALIZABLE caught them too, but its page-level read
//! locks made a burst of 100 check-in devices fail on false conflicts.)

mod feed;
mod pool;
mod principal;
mod records;
mod state;
mod store;
mod users;

use postgres::IsolationLevel;
use postgres::error::SqlState;
use std::time::Duration;

use super::{StoreError, SyncError};
use feed::await_writers;
use pool::{Pool, Tx};

const MIGRATIONS: &[&str] = &[
    include_str!("001_initial.sql"),
    include_str!("002_accounts.sql"),
    include_str!("003_audience_feed.sql"),
    include_str!("004_hours_index.sql"),
];
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
    /// Read at open; [`Storage::new_epoch`] replaces it (other instances
    /// started before learn it at their restart: restart them all).
    epoch: std::sync::RwLock<String>,
}

impl PgStore {
    /// Connect to `url` (a `postgres://` URL), migrating the schema; safe
    /// when several instances start at once.
    pub fn open(url: &str, pool_size: usize) -> Result<PgStore, StoreError> {
        let store = PgStore {
            pool: Pool::new(url, pool_size)?,
            epoch: Default::default(),
        };
        let epoch = store.run(IsolationLevel::ReadCommitted, |tx| {
            tx.exec("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now())",
            )?;
            let found: i32 = tx
                .one(
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
                tx.batch(sql)?;
                tx.exec(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&(i as i32 + 1)],
                )?;
            }
            if found == 1 {
                users::backfill_accounts(tx)?;
            }
            let epoch: String = tx
                .one("SELECT value FROM meta WHERE name = 'epoch'", &[])?
                .get(0);
            Ok::<_, StoreError>(epoch)
        })?;
        let store = PgStore {
            epoch: std::sync::RwLock::new(epoch),
            ..store
        };
        for setting in store.durability_risks()? {
            tracing::error!(
                setting,
                "PostgreSQL runs with {setting} = off: a crash can lose mutations the devices \
                 were told are applied, and they will not send them again. Turn it on."
            );
        }
        Ok(store)
    }

    /// The PostgreSQL settings that are off and make an acknowledged commit
    /// not durable (`fsync`, `synchronous_commit`, `full_page_writes`).
    pub fn durability_risks(&self) -> Result<Vec<&'static str>, StoreError> {
        self.run(IsolationLevel::ReadCommitted, |tx| {
            let mut off = vec![];
            for (setting, show) in [
                ("fsync", "SHOW fsync"),
                ("synchronous_commit", "SHOW synchronous_commit"),
                ("full_page_writes", "SHOW full_page_writes"),
            ] {
                let value: String = tx.one(show, &[])?.get(0);
                if value == "off" {
                    off.push(setting);
                }
            }
            Ok::<_, StoreError>(off)
        })
    }

    pub(super) fn epoch(&self) -> String {
        self.epoch.read().unwrap_or_else(|p| p.into_inner()).clone()
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
        let mut conn = self.pool.get()?;
        if settle {
            await_writers(&mut conn)?;
        }
        let mut tx = conn.begin(isolation)?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
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
