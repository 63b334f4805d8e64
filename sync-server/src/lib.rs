//! The sync server: authenticates devices, applies their mutations exactly
//! once under the shared rules, and serves each user a scoped change feed.
//!
//! `main.rs` is thin; everything a test needs is here: [`router`] builds the
//! HTTP app over any [`Storage`], and [`serve`] runs it on a listener until a
//! shutdown future resolves.

pub mod api;
pub mod auth;
mod compress;
pub mod config;
pub mod console;
pub mod cursor;
pub mod demo;
pub mod figures;
pub mod limits;
pub mod listen;
mod onboarding;
pub mod storage;

pub use api::router;
pub use config::Config;
pub use storage::{
    NewUser, Principal, Storage, StoreError, SyncError, postgres::PgStore, sqlite::SqliteStore,
};

use std::future::Future;
use std::sync::Arc;

/// How often the figures are recomputed while serving, by default
/// ([`limits::Limits::figures_every`]).
pub const FIGURES_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Serve the API on `listener` with the default [`limits::Limits`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn Storage>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, storage, limits::Limits::default(), shutdown).await
}

/// Serve the API on `listener` until `shutdown` resolves, then finish the
/// requests in flight (for at most [`listen::DRAIN`]). The figures are
/// refreshed every [`limits::Limits::figures_every`]; the limiters forget
/// old entries as often.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn Storage>,
    limits: limits::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let guards = Arc::new(limits::Guards::new(limits));
    let store = storage.clone();
    let g = guards.clone();
    let period = guards.limits.figures_every;
    let housekeeping = tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        loop {
            every.tick().await;
            g.forget_old();
            let s = store.clone();
            match tokio::task::spawn_blocking(move || figures::refresh(s.as_ref())).await {
                Ok(Ok(n)) if n > 0 => tracing::debug!(changed = n, "figures refreshed"),
                Ok(Err(e)) => tracing::warn!(error = %e, "figures refresh failed"),
                _ => {}
            }
        }
    });
    let app = api::router_with(storage, guards.clone());
    let served = listen::run(listener, app, &guards.limits, shutdown).await;
    housekeeping.abort();
    served
}
