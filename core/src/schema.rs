//! Opening the replica file: connection settings and the schema upgrade ladder.
//!
//! The schema version lives in `PRAGMA user_version`. Upgrades run in one
//! transaction; a file from a newer app version is refused with a typed error
//! rather than half-read.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;

use crate::error::{Error, Result};

/// Each entry upgrades from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_narrow_indexes.sql"),
    include_str!("migrations/003_kept_aside.sql"),
    include_str!("migrations/004_journal.sql"),
    include_str!("migrations/005_records_by_arrival.sql"),
    include_str!("migrations/006_compact_records.sql"),
    include_str!("migrations/007_lifted_times.sql"),
    include_str!("migrations/008_packed_column_names.sql"),
    include_str!("migrations/009_kind_codes.sql"),
    include_str!("migrations/010_bare_bodies.sql"),
    include_str!("migrations/011_ids_from_the_key.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The secondary indexes every replicated row updates (as created by
/// `011_ids_from_the_key.sql`). A bulk
/// download drops them and builds them once at its end: building sorted is
/// several times cheaper than random inserts into two indexes for every row.
pub const BULK_INDEXES: &[(&str, &str)] = &[
    (
        "records_by_activity",
        "CREATE INDEX IF NOT EXISTS records_by_activity ON record_rows (kind, activity_packed) WHERE activity_packed IS NOT NULL",
    ),
    (
        "records_by_volunteer",
        "CREATE INDEX IF NOT EXISTS records_by_volunteer ON record_rows (kind, volunteer_packed) WHERE volunteer_packed IS NOT NULL",
    ),
];

pub fn drop_bulk_indexes(conn: &Connection) -> Result<()> {
    for (name, _) in BULK_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
    Ok(())
}

/// Fixed planner statistics for `record_rows`. Without any, SQLite guesses that
/// an equality on the (kind, key) index's first column narrows as well as
/// one on (kind, volunteer): it then scanned a whole kind, covering, instead
/// of using the index, and a replayed check-in read every attendance row.
/// These describe a large replica's shape (ten kinds, a volunteer's rows, an
/// activity's rows); the planner only compares them. Dropping an index
/// drops its row, so they are written again whenever one is missing.
const RECORDS_STATS: &[(&str, &str)] = &[
    // The (kind, key) index (`record_rows` is a rowid table).
    ("sqlite_autoindex_record_rows_1", "100000 10000 1"),
    ("records_by_volunteer", "100000 10000 5"),
    ("records_by_activity", "100000 10000 30"),
    ("activities_by_site", "2000 20"),
    ("memberships_by_team", "10000 70"),
];

/// Build the bulk indexes if a download dropped them (also on open: a bulk
/// download may have been interrupted), with the planner's statistics.
pub fn ensure_bulk_indexes(conn: &Connection) -> Result<()> {
    for (_, create) in BULK_INDEXES {
        conn.execute_batch(create)?;
    }
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    // Creates sqlite_stat1 when missing (it cannot be created by hand) and
    // touches no statistics of `record_rows`.
    conn.execute_batch("ANALYZE sqlite_schema")?;
    let present: Vec<String> = conn
        .prepare("SELECT idx FROM sqlite_stat1 WHERE tbl = 'record_rows' ORDER BY idx")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut wanted: Vec<&str> = RECORDS_STATS.iter().map(|(idx, _)| *idx).collect();
    wanted.sort_unstable();
    // By name: a replica migrated from an older schema has other rows.
    if present != wanted {
        conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'record_rows'", [])?;
        for (idx, stat) in RECORDS_STATS {
            conn.execute(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('record_rows', ?1, ?2)",
                [idx, stat],
            )?;
        }
        // Make the planner read them now, not at the next open.
        conn.execute_batch("ANALYZE sqlite_schema")?;
    }
    Ok(())
}

pub fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    configure(&conn)?;
    migrate(&mut conn)?;
    ensure_bulk_indexes(&conn)?;
    Ok(conn)
}

/// WAL for concurrent reads, FULL sync so an acknowledged write survives
/// power loss, foreign keys on, temp data in memory, and a page cache large
/// enough (16 MiB) that a pull page's index updates stay in memory.
fn configure(conn: &Connection) -> Result<()> {
    // The `records` view and the migration to schema 6 call them.
    crate::compact::register(conn)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // On Apple platforms fsync does not reach the disk; F_FULLFSYNC does.
    #[cfg(target_vendor = "apple")]
    {
        conn.pragma_update(None, "fullfsync", "ON")?;
        conn.pragma_update(None, "checkpoint_fullfsync", "ON")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", 2)?;
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    // A checkpointed WAL is cut back to this size; without a limit it keeps
    // the size of the largest download for good, on a phone's storage.
    conn.pragma_update(None, "journal_size_limit", WAL_KEPT_BYTES)?;
    // More statements than rusqlite's default 16 run in one sync round.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// The page cache (negative: KiB), and its size during a bulk download.
const CACHE_KIB: i64 = -16_384;
const BULK_CACHE_KIB: i64 = -65_536;
/// The WAL a replica keeps between checkpoints.
const WAL_KEPT_BYTES: i64 = 1 << 20;
/// A sync that pulled at least this many rows checkpoints and empties the
/// WAL at its end, so a download does not stay on the phone twice.
pub const CHECKPOINT_AFTER_ROWS: u32 = 1000;

/// Copy the WAL into the database file and truncate it (outside any
/// transaction; this core is the file's only user).
pub fn checkpoint(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// After a full download (a new replica, or one the server reset): rewrite
/// the file packed, then checkpoint. Its (kind, key) index was filled in
/// random key order and a quarter of its pages stayed empty: an institute's
/// replica shrinks by 10 bytes a record (3.5 %). Once per full download,
/// about as long as writing the file once more. On a full disk (VACUUM
/// needs room for a copy) the file stays as it is.
pub fn compact_after_full_download(conn: &Connection) -> Result<()> {
    if let Err(e) = conn.execute_batch("VACUUM") {
        tracing::warn!(error = %e, "downloaded; the file could not be compacted");
    }
    checkpoint(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::DatabaseTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    for sql in &MIGRATIONS[usize::try_from(found).unwrap_or(0)..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    if (1..LAST_REWRITE).contains(&found) {
        // Schemas 6, 9 and 11 rewrote every record in less space; without this
        // the file would keep its old size (and the old table's pages) for
        // good. On a full disk (VACUUM needs room for a copy) it stays as
        // it is.
        if let Err(e) = conn.execute_batch("VACUUM") {
            tracing::warn!(error = %e, "records migrated; the file could not be compacted");
        }
    }
    Ok(())
}

/// The last schema that rewrites every record (`011_ids_from_the_key.sql`).
const LAST_REWRITE: i64 = 11;

#[cfg(test)]
mod tests {
    use super::*;

    fn index_sql(conn: &Connection, name: &str) -> Option<String> {
        conn.query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .ok()
    }

    /// The bulk indexes rebuilt after a download are the ones the schema
    /// created, and an interrupted download's are rebuilt on open.
    #[test]
    fn bulk_indexes_come_back_as_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let conn = open(&path).unwrap();
        let created: Vec<_> = BULK_INDEXES
            .iter()
            .map(|(n, _)| index_sql(&conn, n))
            .collect();
        assert!(created.iter().all(Option::is_some));
        drop_bulk_indexes(&conn).unwrap();
        assert!(
            BULK_INDEXES
                .iter()
                .all(|(n, _)| index_sql(&conn, n).is_none())
        );
        drop(conn);
        let conn = open(&path).unwrap();
        let rebuilt: Vec<_> = BULK_INDEXES
            .iter()
            .map(|(n, _)| index_sql(&conn, n))
            .collect();
        let plain = |v: &[Option<String>]| -> Vec<String> {
            v.iter()
                .map(|s| s.clone().unwrap_or_default().replace(" IF NOT EXISTS", ""))
                .collect()
        };
        assert_eq!(plain(&rebuilt), plain(&created));
    }

    /// A schema-5 replica's records, rewritten compact, give their old
    /// pages back: the file shrinks on the upgrade, not at the next wipe.
    #[test]
    fn the_upgrade_to_compact_records_shrinks_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&MIGRATIONS[..5].concat()).unwrap();
            for i in 0..2000 {
                conn.execute(
                    "INSERT INTO records (kind, key, data) VALUES ('site', ?1, ?2)",
                    [
                        format!("s{i}"),
                        format!(r#"{{"id":"s{i}","name":"{}"}}"#, "x".repeat(400)),
                    ],
                )
                .unwrap();
            }
            conn.pragma_update(None, "user_version", 5).unwrap();
        }
        let before = std::fs::metadata(&path).unwrap().len();
        let conn = open(&path).unwrap();
        let free: i64 = conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .unwrap();
        let size: i64 = conn
            .query_row(
                "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(free, 0);
        assert!(size * 4 < before as i64, "{size} of {before} bytes");
    }

    /// Activities written by schema 5, 6 or 8 keep every field through the
    /// upgrades to 7 and 9; their times land in the columns the activity
    /// lists read (as the instants they name, however they were written),
    /// their kinds become codes.
    #[test]
    fn the_upgrade_to_lifted_times_keeps_every_record() {
        const A: &str = "2e9edc89-2fa3-4ec0-8ac9-543e9e1dcb6c";
        let rows = [
            (
                "activity",
                A.to_owned(),
                format!(
                    r#"{{"id":"{A}","ends_at":"2026-03-19T19:24:52.573768814Z","starts_at":"2026-03-19T16:24:52Z","site_id":"{A}","title":"清洁"}}"#
                ),
            ),
            (
                "activity",
                "a2".into(),
                r#"{"id":"a2","ends_at":"2026-03-20T03:24:52+08:00","starts_at":null}"#.into(),
            ),
            (
                "signup",
                "s1".into(),
                r#"{"activity_id":"a2","status":"confirmed"}"#.into(),
            ),
        ];
        // Enough rows that the rewrite to schema 9 frees pages.
        let filler = (0..400).map(|i| ("team", format!("t{i}"), r#"{"name":"队"}"#.to_string()));
        let rows: Vec<_> = rows.into_iter().chain(filler).collect();
        for from in [5, 6, 8] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("r.db");
            {
                let conn = Connection::open(&path).unwrap();
                crate::compact::register(&conn).unwrap();
                conn.execute_batch(&MIGRATIONS[..5].concat()).unwrap();
                for (kind, key, data) in &rows {
                    conn.execute(
                        "INSERT INTO records (kind, key, data) VALUES (?1, ?2, ?3)",
                        [*kind, key.as_str(), data.as_str()],
                    )
                    .unwrap();
                }
                conn.execute_batch(&MIGRATIONS[5..from].concat()).unwrap();
                conn.pragma_update(None, "user_version", from).unwrap();
            }
            let conn = open(&path).unwrap();
            for (kind, key, data) in &rows {
                let (back, starts, ends): (String, Option<i64>, Option<i64>) = conn
                    .query_row(
                        "SELECT data, starts_ns, ends_ns FROM records
                         WHERE kind_code = kind_code(?1) AND key = ?2",
                        [*kind, key.as_str()],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .unwrap();
                let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
                assert_eq!(json(&back), json(data), "from schema {from}");
                let instant = |field: &str| {
                    json(data)[field]
                        .as_str()
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                        .and_then(|t| t.timestamp_nanos_opt())
                };
                assert_eq!((starts, ends), (instant("starts_at"), instant("ends_at")));
            }
            let stored: Vec<String> = conn
                .prepare("SELECT typeof(ends_at) FROM record_rows ORDER BY rowid LIMIT 3")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(stored, ["integer", "text", "null"], "from schema {from}");
            // Schema 9: kinds by their codes, rows in their order of arrival.
            let kinds: Vec<i64> = conn
                .prepare("SELECT kind FROM record_rows ORDER BY rowid")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(kinds[..3], [0, 0, 1], "from schema {from}");
            // Schema 11: the first activity's site is its key, stored as part 0.
            let site: rusqlite::types::Value = conn
                .query_row(
                    "SELECT site FROM record_rows ORDER BY rowid LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(
                site,
                rusqlite::types::Value::Integer(0),
                "from schema {from}"
            );
            assert!(kinds[3..].iter().all(|k| *k == 3), "from schema {from}");
            let free: i64 = conn
                .query_row("PRAGMA freelist_count", [], |r| r.get(0))
                .unwrap();
            assert_eq!(free, 0, "the old table's pages are returned, from {from}");
        }
    }

    #[test]
    fn settings_are_applied() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("r.db")).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let temp: i64 = conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temp, 2);
        #[cfg(target_vendor = "apple")]
        {
            let full: i64 = conn
                .query_row("PRAGMA fullfsync", [], |r| r.get(0))
                .unwrap();
            assert_eq!(full, 1, "fullfsync on Apple platforms");
        }
    }

    #[test]
    fn reopening_keeps_data_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        {
            let conn = open(&path).unwrap();
            conn.execute("INSERT INTO meta VALUES ('k', 'v')", [])
                .unwrap();
        }
        let conn = open(&path).unwrap();
        let v: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'k'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, "v");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn newer_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        match open(&path) {
            Err(Error::DatabaseTooNew { found, supported }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected DatabaseTooNew, got {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_a_storage_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        assert!(matches!(open(&path), Err(Error::Storage(_))));
    }
}
