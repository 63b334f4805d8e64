//! A sync server running in-process on a real loopback socket, stoppable and
//! restartable on the same address and database file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::oneshot;
use volunteer_sync_server::{SqliteStore, Storage, serve};

pub struct TestServer {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    pub store: Arc<SqliteStore>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A loopback address that was free a moment ago (for a server started later).
pub fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

impl TestServer {
    /// Start on a free port with the database at `db_path`.
    pub async fn start(db_path: &Path) -> TestServer {
        TestServer::start_on(db_path, "127.0.0.1:0".parse().expect("addr")).await
    }

    /// Start on `addr` (retrying briefly while a previous server releases it).
    pub async fn start_on(db_path: &Path, addr: SocketAddr) -> TestServer {
        let store = Arc::new(SqliteStore::open(db_path).expect("open server db"));
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
        let storage: Arc<dyn Storage> = store.clone();
        let task = tokio::spawn(serve(listener, storage, async {
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
