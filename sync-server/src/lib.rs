//! The sync server: authenticates devices, applies their mutations exactly
//! once under the shared rules, and serves each user a scoped change feed.
//!
//! `main.rs` is thin; everything a test needs is here: [`router`] builds the
//! HTTP app over any [`Storage`], and [`serve`] runs it on a listener until a
//! shutdown future resolves.

pub mod api;
pub mod auth;
pub mod config;
pub mod cursor;
pub mod demo;
pub mod figures;
pub mod storage;

pub use api::router;
pub use config::Config;
pub use storage::{
    NewUser, Principal, Storage, StoreError, SyncError, postgres::PgStore, sqlite::SqliteStore,
};

use std::future::Future;
use std::sync::Arc;

/// How often the figures are recomputed while serving.
pub const FIGURES_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Serve the API on `listener` until `shutdown` resolves, then finish the
/// requests in flight. The figures are refreshed every [`FIGURES_EVERY`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn Storage>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = storage.clone();
    let figures = tokio::spawn(async move {
        let mut every = tokio::time::interval(FIGURES_EVERY);
        loop {
            every.tick().await;
            let s = store.clone();
            match tokio::task::spawn_blocking(move || figures::refresh(s.as_ref())).await {
                Ok(Ok(n)) if n > 0 => tracing::debug!(changed = n, "figures refreshed"),
                Ok(Err(e)) => tracing::warn!(error = %e, "figures refresh failed"),
                _ => {}
            }
        }
    });
    let served = axum::serve(listener, router(storage))
        .with_graceful_shutdown(shutdown)
        .await;
    figures.abort();
    served
}
