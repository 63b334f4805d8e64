//! The embedded SQLite backend: one file, WAL, one writer connection and a
//! small pool of readers. Here: opening, migrating and the two kinds of
//! transaction; `writer` groups the writes that queue up into one commit,
//! `records` writes entity rows, `state` is a write
//! transaction as the rules and the push see it, `feed` the pull's SQL (and
//! why its cursor cannot skip), `principal` who a user is, `store` the
//! [`Storage`](super::Storage) interface over these.

mod feed;
mod principal;
mod records;
mod state;
mod store;
mod users;
mod writer;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::StoreError;
use writer::Writer;

const MIGRATIONS: &[&str] = &[
    include_str!("001_initial.sql"),
    include_str!("002_accounts.sql"),
    include_str!("003_audience_feed.sql"),
    include_str!("004_hours_index.sql"),
];
const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENTS: usize = 128;

pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
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
    // Temporary files on disk, as SQLite's default: the writer's savepoint
    // journals among them. Each write runs in a savepoint (group commit),
    // which copies each page it first changes into the savepoint's journal,
    // and every statement that ends cuts the journal back to where the
    // statement began. In memory that cut walks the journal from its start,
    // so a large write (seeding a district, an import of 66,750 volunteers)
    // took time in its square: minutes instead of seconds. A file is cut in
    // one step, and journals under 64 KiB never leave memory anyway.
    conn.pragma_update(None, "temp_store", 1)?;
    // The rules and the feed use about fifty statements; rusqlite's default
    // of 16 made a push re-prepare most of them.
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
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
            if found == 1 {
                users::backfill_accounts(&tx)?;
            }
            tx.pragma_update(None, "user_version", supported)?;
            tx.commit()?;
        }
        Ok(SqliteStore {
            path,
            writer: Writer::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The writer's journal mode and `synchronous` level (2: FULL), for the
    /// durability check at start and its test.
    pub fn durability(&self) -> Result<(String, i64), StoreError> {
        self.writer.with_conn(|conn| {
            let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            Ok((mode, sync))
        })
    }

    /// Run `f` in a write transaction (shared with the writes queued beside
    /// it, see `writer`); returns once its effects are durable.
    fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.writer.write(f)
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
