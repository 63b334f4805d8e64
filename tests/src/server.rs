//! A sync server running in-process on a real loopback socket, stoppable and
//! restartable on the same address and database.
//!
//! The backend is SQLite (a file at the given path) unless
//! `VOLUNTEER_TEST_POSTGRES` holds the admin URL of a PostgreSQL server (as
//! `scripts/test.sh` sets it): then each path names its own database there,
//! created on first use, so the same stories run against both backends.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::oneshot;
use volunteer_sync_server::limits::Limits;
use volunteer_sync_server::{PgStore, SqliteStore, Storage, serve_with};

use crate::blocking::OffRuntime;

pub const POSTGRES_ENV: &str = "VOLUNTEER_TEST_POSTGRES";

pub struct TestServer {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    /// The server's storage, callable from async test code.
    pub store: Arc<dyn Storage>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A loopback address that was free a moment ago (for a server started later).
pub fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// The PostgreSQL admin URL the tests run against, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty())
}

/// A database on the test PostgreSQL server for `name`, created if missing;
/// returns its URL.
pub fn postgres_database(admin_url: &str, name: &str) -> String {
    let db: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let admin = admin_url.to_owned();
    let db_name = db.clone();
    // The postgres client blocks; keep it off any async runtime thread.
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect admin");
        let exists = c
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&db_name])
            .expect("query")
            .is_some();
        if !exists {
            c.batch_execute(&format!("CREATE DATABASE \"{db_name}\""))
                .expect("create database");
        }
    })
    .join()
    .expect("create database thread");
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    format!("{base}/{db}")
}

/// The PostgreSQL database standing for `db_path` (one per path: the path is
/// unique per test), created if missing; `None` when the tests use SQLite.
pub fn postgres_url_for(db_path: &Path) -> Option<String> {
    let admin = postgres_admin_url()?;
    let name = format!(
        "t_{}",
        volunteer_sync_server::auth::fingerprint(&[&db_path.to_string_lossy()])
    );
    Some(postgres_database(&admin, &name))
}

/// Open the storage a test server at `db_path` uses.
pub fn open_store(db_path: &Path) -> Arc<dyn Storage> {
    match postgres_url_for(db_path) {
        None => Arc::new(SqliteStore::open(db_path).expect("open server db")),
        Some(url) => {
            let store = std::thread::spawn(move || PgStore::open(&url, 8))
                .join()
                .expect("open thread")
                .expect("open postgres store");
            Arc::new(OffRuntime(Arc::new(store)))
        }
    }
}

impl TestServer {
    /// Start on a free port with the database at `db_path`.
    pub async fn start(db_path: &Path) -> TestServer {
        TestServer::start_on(db_path, "127.0.0.1:0".parse().expect("addr")).await
    }

    /// Start on a free port with these limits.
    pub async fn start_limited(db_path: &Path, limits: Limits) -> TestServer {
        TestServer::start_with(db_path, "127.0.0.1:0".parse().expect("addr"), limits).await
    }

    /// Start on `addr` (retrying briefly while a previous server releases it).
    pub async fn start_on(db_path: &Path, addr: SocketAddr) -> TestServer {
        TestServer::start_with(db_path, addr, Limits::default()).await
    }

    async fn start_with(db_path: &Path, addr: SocketAddr, limits: Limits) -> TestServer {
        let store = open_store(db_path);
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot bind {addr}: {e}"),
            }
        };
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_with(listener, store.clone(), limits, async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            db_path: db_path.to_path_buf(),
            store,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful shutdown; the database is closed when the last handle drops.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Stop and start again on the same address and database.
    pub async fn restart(self) -> TestServer {
        let (addr, path) = (self.addr, self.db_path.clone());
        self.stop().await;
        TestServer::start_on(&path, addr).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
