//! Group commit on the one writer connection.
//!
//! Every write used to be its own `BEGIN IMMEDIATE … COMMIT`, and so its own
//! fsync: on a phone-storm after an outage the server spent a quarter of its
//! CPU, and on a slow disk most of its time, flushing one small transaction
//! per request. Now writes that queue up behind each other share a
//! transaction: each runs in a savepoint of the open group, and the last one
//! in the queue (or the one that makes the group full or old) commits for
//! all. A write returns only once the commit that holds it is durable, so
//! nothing is acknowledged that a crash could take back; if that commit
//! fails, every write in the group fails and the devices retry (the push is
//! exactly-once on retry).
//!
//! The savepoint keeps one write's failure its own: a refused or failed
//! write is rolled back to its savepoint and the others stay in the group.
//! A write that panics is rolled back the same way before the panic goes on.
//! A long write (a CSV import) that joins an open group holds back the
//! answers of the writes grouped before it by its own length; a group is
//! at most 64 writes or 20 ms old when its last write starts.

use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A group commits once it holds this many writes, even with more queued:
/// the first write of a group waits for all the others.
const MAX_MEMBERS: usize = 64;
/// Or once it has been open this long.
const MAX_AGE: Duration = Duration::from_millis(20);

pub(super) struct Writer {
    conn: Mutex<Open>,
    /// Writes waiting for the connection: while any are, a group stays open
    /// for them. Counted before taking the lock, so a group is never left
    /// open with nobody coming to commit it.
    queued: AtomicUsize,
    /// [`MAX_AGE`]; the tests wait longer, so a slow machine cannot split
    /// the groups they build.
    max_age: Duration,
}

struct Open {
    conn: Connection,
    group: Option<Group>,
    /// For the tests: commits so far.
    #[cfg(test)]
    commits: u64,
}

struct Group {
    members: usize,
    opened: Instant,
    outcome: Arc<Outcome>,
}

/// How a group's commit ended, for the writes that wait on it.
#[derive(Default)]
struct Outcome {
    done: Mutex<Option<Result<(), Failure>>>,
    ready: Condvar,
}

/// A failed commit, as each of its writes reports it.
#[derive(Clone)]
struct Failure {
    code: rusqlite::ffi::Error,
    message: String,
}

impl Failure {
    fn of(e: &rusqlite::Error) -> Failure {
        let code = e
            .sqlite_error()
            .copied()
            .unwrap_or(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR));
        Failure {
            code,
            message: format!("group commit failed: {e}"),
        }
    }

    /// SQLite ended the transaction itself (it does on a full disk, for one).
    fn rolled_back() -> Failure {
        Failure {
            code: rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
            message: "group commit failed: the transaction was rolled back".into(),
        }
    }

    fn error(&self) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(self.code, Some(self.message.clone()))
    }
}

impl Outcome {
    fn settle(&self, result: Result<(), Failure>) {
        *lock(&self.done) = Some(result);
        self.ready.notify_all();
    }

    fn wait(&self) -> Result<(), Failure> {
        let mut done = lock(&self.done);
        loop {
            if let Some(r) = done.as_ref() {
                return r.clone();
            }
            done = self.ready.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// One of the savepoint statements, prepared once: they run on every write.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Open {
    /// Commit the open group (rolling it back if the commit fails) and tell
    /// its waiting writes how it went.
    fn commit(&mut self) -> Result<(), Failure> {
        let Some(group) = self.group.take() else {
            return Ok(());
        };
        let result = self.conn.execute_batch("COMMIT").map_err(|e| {
            // A failed COMMIT can leave the transaction open (a deferred
            // constraint, a busy checkpoint): end it so the next group starts clean.
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            Failure::of(&e)
        });
        #[cfg(test)]
        {
            self.commits += 1;
        }
        group.outcome.settle(result.clone());
        result
    }

    /// SQLite rolled the whole transaction back on its own (it does on some
    /// errors, such as a full disk): the group's earlier writes are gone.
    fn abandon(&mut self, failure: &Failure) {
        if let Some(group) = self.group.take() {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            group.outcome.settle(Err(failure.clone()));
        }
    }
}

impl Writer {
    pub(super) fn new(conn: Connection) -> Writer {
        Writer {
            conn: Mutex::new(Open {
                conn,
                group: None,
                #[cfg(test)]
                commits: 0,
            }),
            queued: AtomicUsize::new(0),
            max_age: MAX_AGE,
        }
    }

    /// Run `f` on the writer connection outside any group (the open group,
    /// if one is waiting, is committed first).
    pub(super) fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        let mut open = lock(&self.conn);
        let _ = open.commit();
        f(&open.conn)
    }

    /// Commits so far (each ends a group of one or more writes).
    #[cfg(test)]
    fn commits(&self) -> u64 {
        lock(&self.conn).commits
    }

    /// Run `f` in the open group's transaction; return once its effects are
    /// durable (or with the error that undid them).
    pub(super) fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut open = lock(&self.conn);
        self.queued.fetch_sub(1, Ordering::SeqCst);

        if open.group.is_none() {
            open.conn.execute_batch("BEGIN IMMEDIATE")?;
            open.group = Some(Group {
                members: 0,
                opened: Instant::now(),
                outcome: Arc::default(),
            });
        }
        if let Err(e) = run(&open.conn, "SAVEPOINT write") {
            open.abandon(&Failure::of(&e));
            return Err(e.into());
        }
        let ran = catch_unwind(AssertUnwindSafe(|| f(&open.conn)));
        let kept = matches!(ran, Ok(Ok(_)));
        let closed = match kept {
            true => run(&open.conn, "RELEASE write"),
            false => {
                run(&open.conn, "ROLLBACK TO write").and_then(|()| run(&open.conn, "RELEASE write"))
            }
        };
        let lost = match closed {
            Err(e) => Some(Failure::of(&e)),
            Ok(()) if open.conn.is_autocommit() => Some(Failure::rolled_back()),
            Ok(()) => None,
        };
        if let Some(failure) = lost {
            open.abandon(&failure);
            drop(open);
            return match ran {
                Err(panic) => resume_unwind(panic),
                Ok(Err(own)) => Err(own),
                Ok(Ok(_)) => Err(failure.error().into()),
            };
        }

        let group = open.group.as_mut().expect("a group is open");
        if kept {
            group.members += 1;
        }
        let outcome = Arc::clone(&group.outcome);
        let full = group.members >= MAX_MEMBERS || group.opened.elapsed() >= self.max_age;
        let committed = if full || self.queued.load(Ordering::SeqCst) == 0 {
            Some(open.commit())
        } else {
            None
        };
        drop(open);

        let value = match ran {
            Err(panic) => resume_unwind(panic),
            // Rolled back to its savepoint: nothing of it waits for the commit.
            Ok(Err(own)) => return Err(own),
            Ok(Ok(value)) => value,
        };
        match committed.unwrap_or_else(|| outcome.wait()) {
            Ok(()) => Ok(value),
            Err(failure) => Err(failure.error().into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::thread;

    fn open(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn
    }

    fn setup() -> (tempfile::TempDir, Arc<Writer>) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("w.db"));
        conn.execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE row (id INTEGER PRIMARY KEY,
                 parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);",
        )
        .unwrap();
        let w = Writer {
            max_age: Duration::from_secs(600),
            ..Writer::new(conn)
        };
        (dir, Arc::new(w))
    }

    fn rows(dir: &tempfile::TempDir) -> Vec<i64> {
        let conn = open(&dir.path().join("w.db"));
        let mut stmt = conn.prepare("SELECT id FROM row ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn insert(conn: &Connection, id: i64) -> rusqlite::Result<()> {
        conn.execute("INSERT INTO row (id) VALUES (?1)", [id])
            .map(drop)
    }

    /// A write run on its own thread, with what it returns.
    type Other<T> = Box<dyn FnOnce(&Writer) -> T + Send>;

    /// The first write holds the connection until all `others` are queued
    /// behind it (each on its own thread, in any order).
    fn grouped<L: Send + 'static, T: Send + 'static>(
        w: &Arc<Writer>,
        first: impl FnOnce(&Connection) -> rusqlite::Result<L> + Send + 'static,
        others: Vec<Other<T>>,
    ) -> (rusqlite::Result<L>, Vec<thread::Result<T>>) {
        let n = others.len();
        let w1 = Arc::clone(w);
        let holding = Arc::new(std::sync::Barrier::new(2));
        let held = Arc::clone(&holding);
        let lead = thread::spawn(move || {
            w1.write(|c| {
                held.wait();
                while w1.queued.load(Ordering::SeqCst) < n {
                    thread::yield_now();
                }
                first(c)
            })
        });
        // The others start once the first holds the connection.
        holding.wait();
        let handles: Vec<_> = others
            .into_iter()
            .map(|other| {
                let wi = Arc::clone(w);
                thread::spawn(move || other(&wi))
            })
            .collect();
        let lead = lead.join().unwrap();
        (lead, handles.into_iter().map(|h| h.join()).collect())
    }

    /// Regression: with savepoint journals in memory a large write took
    /// time in its square (seeding ten times `initial`'s district went from
    /// 12–35 s to over 10 minutes; `volunteer-bench initial` prints
    /// `seed_seconds`). Every store connection keeps temporary files on disk.
    #[test]
    fn store_connections_keep_savepoint_journals_in_files() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::connect(&dir.path().join("w.db")).unwrap();
        let temp: i64 = conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temp, 1, "FILE");
    }

    /// Writes queued behind each other share one commit, and none returns
    /// before that commit: each sees every row of its group durable.
    #[test]
    fn queued_writes_share_one_commit_and_return_after_it() {
        let (dir, w) = setup();
        let path = dir.path().join("w.db");
        let seen = |path: &Path| {
            let c = open(path);
            c.query_row("SELECT count(*) FROM row", [], |r| r.get::<_, i64>(0))
                .unwrap()
        };
        let others: Vec<Other<i64>> = (2..=4)
            .map(|id| {
                let path = path.clone();
                Box::new(move |w: &Writer| {
                    w.write(|c| insert(c, id)).unwrap();
                    seen(&path)
                }) as Box<_>
            })
            .collect();
        let (lead, others) = grouped(&w, |c| insert(c, 1).map(|()| 0), others);
        lead.unwrap();
        // Every write returned after the commit of all four.
        for seen_by in others {
            assert_eq!(seen_by.unwrap(), 4);
        }
        assert_eq!(rows(&dir), vec![1, 2, 3, 4]);
        assert_eq!(w.commits(), 1, "four writes, one commit");
        w.write(|c| insert(c, 5)).unwrap();
        assert_eq!(w.commits(), 2);
        assert_eq!(rows(&dir), vec![1, 2, 3, 4, 5]);
    }

    /// A write that fails or panics is undone alone: the rest of its group
    /// commits, and the writer goes on.
    #[test]
    fn a_failed_or_panicking_write_leaves_its_group_intact() {
        let (dir, w) = setup();
        let others: Vec<Other<rusqlite::Result<()>>> = vec![
            Box::new(|w: &Writer| {
                w.write(|c| {
                    insert(c, 2)?;
                    insert(c, 1) // already there: fails after its own insert
                })
            }),
            Box::new(|w: &Writer| {
                w.write(|c| -> rusqlite::Result<()> {
                    insert(c, 3)?;
                    panic!("a bug in a rule")
                })
            }),
            Box::new(|w: &Writer| w.write(|c| insert(c, 4))),
        ];
        let (lead, others) = grouped(&w, |c| insert(c, 1), others);
        lead.unwrap();
        let mut others = others.into_iter();
        assert!(matches!(others.next(), Some(Ok(Err(_)))), "duplicate key");
        assert!(matches!(others.next(), Some(Err(_))), "panicked");
        assert!(matches!(others.next(), Some(Ok(Ok(())))));
        assert_eq!(rows(&dir), vec![1, 4]);
        assert_eq!(w.commits(), 1, "the four were one group");
        w.write(|c| insert(c, 5)).unwrap();
        assert_eq!(rows(&dir), vec![1, 4, 5]);
    }

    /// When the group's commit fails, every write in it fails, none of them
    /// lands, and the next write starts a clean transaction.
    #[test]
    fn a_failed_commit_fails_every_write_in_its_group() {
        let (dir, w) = setup();
        let others: Vec<Other<rusqlite::Result<()>>> = vec![
            Box::new(|w: &Writer| w.write(|c| insert(c, 2))),
            // A deferred foreign key: checked, and refused, only at COMMIT.
            Box::new(|w: &Writer| {
                w.write(|c| {
                    c.execute("INSERT INTO row (id, parent) VALUES (3, 99)", [])
                        .map(drop)
                })
            }),
        ];
        let (lead, others) = grouped(&w, |c| insert(c, 1), others);
        assert!(lead.is_err(), "the first write's commit failed");
        for other in others {
            let err = other.unwrap().unwrap_err();
            assert_eq!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::ConstraintViolation)
            );
        }
        assert!(rows(&dir).is_empty());
        assert_eq!(w.commits(), 1, "the three were one group");
        w.write(|c| insert(c, 5)).unwrap();
        assert_eq!(rows(&dir), vec![5]);
    }
}
