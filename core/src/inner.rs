//! The shared handle behind every [`crate::Replica`] clone and every sync
//! round: the connection, the HTTP client, the sync gate, the live status
//! and the notifier. Its own module, so the replica's API and the sync
//! round both depend on it and not on each other.
//!
//! One handle per file per process (enforced): two would fight over the
//! outbox and sync twice.

use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use volunteer_domain::Kind;

use crate::error::{Error, Result};
use crate::http::Http;
use crate::model::{Connectivity, SyncFailure, SyncOptions, SyncReport, SyncStatus};
use crate::notify::Notifier;
use crate::schedule::Auto;
use crate::store::{self, meta_keys};
use crate::{outbox, queries, schema};

/// The outcome of the last sync round, shared with the calls it covered.
pub(crate) struct LastRound {
    /// Every call whose ticket is at most this was covered by the round.
    pub(crate) covers: u64,
    pub(crate) outcome: Result<SyncReport>,
}

/// Paths of replicas open in this process.
fn open_paths() -> &'static Mutex<HashSet<PathBuf>> {
    static OPEN: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
}

struct PathGuard(PathBuf);

impl Drop for PathGuard {
    fn drop(&mut self) {
        open_paths()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

/// The parts of the status that live only in memory.
pub(crate) struct Live {
    pub(crate) connectivity: Connectivity,
    pub(crate) syncing: bool,
    pub(crate) last_error: Option<SyncFailure>,
    /// Rows applied and expected, while a download of several pages runs.
    pub(crate) download: Option<(u64, u64)>,
}

pub(crate) struct Inner {
    db: Mutex<Connection>,
    pub(crate) http: Http,
    pub(crate) options: SyncOptions,
    pub(crate) sync_gate: tokio::sync::Mutex<Option<LastRound>>,
    pub(crate) sync_calls: AtomicU64,
    pub(crate) live: Mutex<Live>,
    pub(crate) notifier: Arc<Notifier>,
    /// A bulk download dropped the large indexes and has not rebuilt them
    /// yet (opening the file rebuilds them too, after a crash).
    pub(crate) indexes_dropped: AtomicBool,
    /// The sync loop's schedule ([`crate::autosync`]).
    pub(crate) auto: Arc<Auto>,
    _guard: PathGuard,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The loop holds the replica weakly: wake it to see it is gone.
        self.auto.update(|_| {});
    }
}

impl Inner {
    /// Open the file at `path` (creating or upgrading it) for `http`.
    /// Reserves the path first, so a second open in this process fails at
    /// once instead of waiting on the first one's lock.
    pub(crate) fn open(path: &Path, http: Http, options: SyncOptions) -> Result<Inner> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::Storage(e.to_string()))?;
        let canonical = std::fs::canonicalize(path).map_err(|e| Error::Storage(e.to_string()))?;
        if !open_paths()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(canonical.clone())
        {
            return Err(Error::AlreadyOpen(canonical.display().to_string()));
        }
        let guard = PathGuard(canonical);
        let conn = schema::open(path)?;
        let readmitted = store::readmit_aside(&conn)?;
        if readmitted > 0 {
            tracing::info!(
                readmitted,
                "changes kept aside by an older version are readable now"
            );
        }
        Ok(Inner {
            db: Mutex::new(conn),
            http,
            options,
            sync_gate: tokio::sync::Mutex::new(None),
            sync_calls: AtomicU64::new(0),
            live: Mutex::new(Live {
                connectivity: Connectivity::Unknown,
                syncing: false,
                last_error: None,
                download: None,
            }),
            notifier: Arc::new(Notifier::start()),
            indexes_dropped: AtomicBool::new(false),
            auto: Arc::new(Auto::default()),
            _guard: guard,
        })
    }

    /// Run `f` on the connection. A panic in an earlier holder poisons the
    /// mutex, but its transaction was rolled back on unwind, so the
    /// connection is still consistent and is reused.
    pub(crate) fn with_db<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn: MutexGuard<'_, Connection> =
            self.db.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Run `f` in one immediate write transaction, committed if it succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.with_db(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    pub(crate) fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn status(&self) -> Result<SyncStatus> {
        let mut status = status_of(&self.db, &self.live)?;
        let s = self.auto.schedule();
        status.auto_sync = s.enabled;
        status.next_attempt_at = s.next_attempt_at;
        status.consecutive_failures = s.failures;
        Ok(status)
    }

    /// Whether someone is signed in, and how many actions wait.
    pub(crate) fn signed_in_and_pending(&self) -> Result<(bool, u64)> {
        self.with_db(|c| Ok((store::profile(c)?.is_some(), outbox::pending_count(c)?)))
    }

    /// Tell listeners which kinds changed, and the status that follows.
    /// Called after the write committed, with no lock held.
    pub(crate) fn announce(&self, kinds: Vec<Kind>) {
        self.notifier.changed(kinds);
        self.announce_status();
    }

    pub(crate) fn announce_status(&self) {
        if let Ok(status) = self.status() {
            self.notifier.status(status);
        }
    }
}

/// The current status, from the database and the live flags.
fn status_of(db: &Mutex<Connection>, live: &Mutex<Live>) -> Result<SyncStatus> {
    let (connectivity, syncing, last_error, download) = {
        let live = live.lock().unwrap_or_else(|p| p.into_inner());
        (
            live.connectivity,
            live.syncing,
            live.last_error.clone(),
            live.download.unwrap_or_default(),
        )
    };
    let c = db.lock().unwrap_or_else(|p| p.into_inner());
    Ok(SyncStatus {
        signed_in: store::profile(&c)?.is_some(),
        connectivity,
        syncing,
        pending_count: outbox::pending_count(&c)?,
        oldest_pending_at: outbox::oldest_pending_at(&c)?,
        rejected_count: queries::rejected_count(&c)?,
        last_sync_at: store::meta_get(&c, meta_keys::LAST_SYNC_AT)?
            .as_deref()
            .map(outbox::parse_time)
            .transpose()?,
        last_error,
        auto_sync: false,
        next_attempt_at: None,
        consecutive_failures: 0,
        kept_aside_count: store::aside_count(&c)?,
        download_done: download.0,
        download_expected: download.1,
    })
}
