//! Shared by the server's integration tests.
#![allow(dead_code)] // each test binary uses its own part

use std::sync::atomic::{AtomicUsize, Ordering};
use volunteer_sync_server::{PgStore, SqliteStore, Storage};

pub struct Backend {
    pub name: &'static str,
    pub store: Box<dyn Storage>,
    /// The database URL, for PostgreSQL.
    pub url: Option<String>,
    _dir: tempfile::TempDir,
}

/// A fresh, empty store of every backend available: SQLite always,
/// PostgreSQL when `VOLUNTEER_TEST_POSTGRES` is set.
pub fn backends() -> Vec<Backend> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open(dir.path().join("s.db")).expect("open sqlite");
    let mut out = vec![Backend {
        name: "sqlite",
        store: Box::new(sqlite),
        url: None,
        _dir: dir,
    }];
    let name = format!(
        "storage_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    if let Some(url) = fresh_postgres_database(&name) {
        out.push(Backend {
            name: "postgres",
            store: Box::new(PgStore::open(&url, 4).expect("open postgres")),
            url: Some(url),
            _dir: tempfile::tempdir().expect("temp dir"),
        });
    }
    out
}

/// A new, empty database named `name` on the test PostgreSQL server, and
/// its URL; `None` when `VOLUNTEER_TEST_POSTGRES` (the admin URL that
/// scripts/test.sh sets) is absent, i.e. on a SQLite-only run.
pub fn fresh_postgres_database(name: &str) -> Option<String> {
    let admin = std::env::var("VOLUNTEER_TEST_POSTGRES").ok()?;
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect admin");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop database");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}
