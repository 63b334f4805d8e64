//! The system under test: a database (a SQLite file, or a PostgreSQL server
//! started for the run with fsync on), N `volunteer-sync-server` processes
//! on it, and a metering proxy in front of each (bytes and requests).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use volunteer_sync_server::{PgStore, SqliteStore, Storage};
use volunteer_tests::CutProxy;
use volunteer_tests::blocking::OffRuntime;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub struct Cluster {
    pub backend: Backend,
    /// `--database` value the servers get.
    database: String,
    /// Storage opened by the benchmark itself: seeding and checks.
    pub store: Arc<dyn Storage>,
    servers: Vec<Child>,
    pub proxies: Vec<CutProxy>,
    pg_dir: Option<PathBuf>,
}

const PG_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pg.sh");

/// The server binary, built in the bench's own profile when missing.
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().expect("exe dir");
    let bin = dir.join("volunteer-sync-server");
    let release = dir.ends_with("release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "-q", "-p", "volunteer-sync-server"]);
    if release {
        build.arg("--release");
    }
    // Always asked: cargo answers at once when the binary is current.
    let ok = build.status().map(|s| s.success()).unwrap_or(false);
    assert!(ok || bin.exists(), "cannot build volunteer-sync-server");
    bin
}

impl Cluster {
    /// A fresh, empty database for `backend` in `dir`.
    pub fn create(backend: Backend, dir: &Path) -> Cluster {
        let (database, store, pg_dir): (String, Arc<dyn Storage>, _) = match backend {
            Backend::Sqlite => {
                let path = dir.join("server.db");
                let store = SqliteStore::open(&path).expect("open sqlite");
                (path.display().to_string(), Arc::new(store), None)
            }
            Backend::Postgres => {
                let pg_dir = dir.join("pg");
                std::fs::create_dir_all(dir).expect("dir");
                set_searchable(dir);
                let out = Command::new("bash")
                    .args([PG_SCRIPT, "start"])
                    .arg(&pg_dir)
                    .stderr(Stdio::inherit())
                    .output()
                    .expect("run scripts/pg.sh");
                assert!(out.status.success(), "scripts/pg.sh start failed");
                let admin = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                let url = volunteer_tests::server::postgres_database(&admin, "bench");
                let u = url.clone();
                let store = std::thread::spawn(move || PgStore::open(&u, 8))
                    .join()
                    .expect("thread")
                    .expect("open postgres");
                (url, Arc::new(OffRuntime(Arc::new(store))), Some(pg_dir))
            }
        };
        Cluster {
            backend,
            database,
            store,
            servers: Vec::new(),
            proxies: Vec::new(),
            pg_dir,
        }
    }

    /// Start `n` server processes on the database, each behind a proxy.
    pub async fn start(&mut self, n: usize) {
        assert!(
            n == 1 || self.backend == Backend::Postgres,
            "SQLite serves from one instance; use --backend postgres for several"
        );
        let bin = server_binary();
        for _ in 0..n {
            let mut child = Command::new(&bin)
                .args(["--listen", "127.0.0.1:0", "--database", &self.database])
                // Every phone signs in from this one host.
                .args(["--sign-ins-per-minute", "1000000"])
                .env(
                    "RUST_LOG",
                    std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn server");
            let out = child.stdout.take().expect("stdout");
            let addr = tokio::task::spawn_blocking(move || {
                let mut lines = BufReader::new(out).lines();
                loop {
                    let line = lines.next().expect("server exited").expect("read");
                    if let Some(a) = line.strip_prefix("listening on http://") {
                        // Keep draining stdout so the server never blocks on it.
                        std::thread::spawn(move || lines.for_each(drop));
                        return a.parse::<std::net::SocketAddr>().expect("addr");
                    }
                }
            })
            .await
            .expect("join");
            self.servers.push(child);
            self.proxies.push(CutProxy::metering(addr).await);
        }
    }

    /// The URL of instance `i % n`: a load balancer's round robin.
    pub fn url(&self, i: usize) -> String {
        self.proxies[i % self.proxies.len()].url()
    }

    pub fn bytes(&self) -> (usize, usize) {
        self.proxies.iter().fold((0, 0), |(s, r), p| {
            (s + p.bytes_sent(), r + p.bytes_received())
        })
    }

    pub fn requests(&self) -> usize {
        self.proxies.iter().map(CutProxy::requests).sum()
    }

    /// Resident memory of each server process, in KiB.
    pub fn server_rss_kib(&self) -> Vec<u64> {
        self.servers
            .iter()
            .map(|c| {
                std::fs::read_to_string(format!("/proc/{}/status", c.id()))
                    .ok()
                    .and_then(|s| {
                        s.lines()
                            .find(|l| l.starts_with("VmRSS:"))
                            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                    })
                    .unwrap_or(0)
            })
            .collect()
    }
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    times(pid, &[11, 12])
}

/// The kernel's share (system time): syscalls, page faults, fsync.
fn system_seconds(pid: u32) -> f64 {
    times(pid, &[12])
}

/// The sum of `/proc/PID/stat` time fields, in seconds.
fn times(pid: u32, which: &[usize]) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) close with ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks: f64 = which
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0 // USER_HZ is 100 on Linux
}

impl Cluster {
    /// System CPU seconds used so far by the server processes.
    pub fn server_system_seconds(&self) -> f64 {
        self.servers.iter().map(|c| system_seconds(c.id())).sum()
    }

    /// CPU seconds used so far by the server processes, and by PostgreSQL's
    /// processes (every process named `postgres` on the machine).
    pub fn cpu_seconds(&self) -> (f64, f64) {
        let servers = self.servers.iter().map(|c| cpu_seconds(c.id())).sum();
        let mut database = 0.0;
        if self.backend == Backend::Postgres
            && let Ok(dir) = std::fs::read_dir("/proc")
        {
            for entry in dir.flatten() {
                let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                    continue;
                };
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                if comm.trim() == "postgres" {
                    database += cpu_seconds(pid);
                }
            }
        }
        (servers, database)
    }
}

/// PostgreSQL runs as its own user when we are root: it must reach `dir`.
fn set_searchable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.servers {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(dir) = &self.pg_dir {
            let _ = Command::new("bash")
                .args([PG_SCRIPT, "stop"])
                .arg(dir)
                .status();
        }
    }
}
