//! `volunteer-sync-server`: parse flags, open storage, optionally seed the
//! demo district, serve until SIGINT or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;
use volunteer_sync_server::config::{Database, ParseOutcome, USAGE};
use volunteer_sync_server::{Config, PgStore, SqliteStore, Storage, demo, serve_with};

fn main() -> ExitCode {
    #[cfg(unix)]
    unblock_shutdown_signals();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    return_large_blocks_to_the_system();
    match tokio::runtime::Runtime::new() {
        Ok(rt) => rt.block_on(start()),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config =
        match Config::parse_with(std::env::args().skip(1), std::env::var("DATABASE_URL").ok()) {
            Ok(ParseOutcome::Run(c)) => c,
            Ok(ParseOutcome::Help) => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!("error: {e}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Recording deadlines count working days: say so when the calendar does
/// not hold this year's or next year's official arrangement.
fn warn_about_calendar() {
    use volunteer_domain::calendar::{Coverage, china};
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    for year in [this_year, this_year + 1] {
        match china().coverage(year) {
            Coverage::Official => {}
            coverage => tracing::warn!(
                year,
                ?coverage,
                "the working-day calendar lacks the State Council's holiday arrangement for a year: \
                 recording deadlines may be off by the days it does not know; \
                 add core/domain/calendar/{year}.txt from the State Council's notice"
            ),
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    warn_about_calendar();
    let database = config.database.clone();
    let pool_size = config.pool_size;
    let store: Arc<dyn Storage> = tokio::task::spawn_blocking(move || match database {
        Database::Sqlite(path) => SqliteStore::open(path).map(|s| Arc::new(s) as Arc<dyn Storage>),
        Database::Postgres(url) => {
            PgStore::open(&url, pool_size).map(|s| Arc::new(s) as Arc<dyn Storage>)
        }
    })
    .await??;
    if config.new_epoch {
        let s = store.clone();
        let epoch = tokio::task::spawn_blocking(move || s.new_epoch()).await??;
        tracing::warn!(%epoch, "new epoch drawn: devices will resend what they remember");
    }
    if config.demo {
        let s = store.clone();
        let summary =
            tokio::task::spawn_blocking(move || demo::seed_if_empty(s.as_ref(), 2026)).await??;
        println!("{summary}");
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = %config.database, "listening");
    println!("listening on http://{addr}");
    serve_with(listener, store, config.limits.clone(), shutdown_signal()).await?;
    tracing::info!("shut down");
    Ok(())
}

/// A process can start with SIGINT and SIGTERM blocked, inherited from
/// whatever spawned it (some test runners and supervisors do); then they are
/// never delivered and the server cannot be stopped gracefully. Unblock them.
#[cfg(unix)]
#[allow(unsafe_code)]
fn unblock_shutdown_signals() {
    // SAFETY: sigset_t is plain data initialised by sigemptyset before use,
    // and pthread_sigmask only reads it. Called before any thread starts.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    }
}

/// glibc raises its mmap threshold each time a large block is freed, after
/// which blocks of that size come from per-thread arenas and stay there:
/// every password check's 19 MiB, once per blocking thread, is kept for
/// good and the server's memory climbs under a sign-in storm. A fixed
/// threshold keeps such blocks mmapped, so freeing returns them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets an allocator tunable; called before any
    // thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
