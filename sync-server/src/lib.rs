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
pub mod storage;

pub use api::router;
pub use config::Config;
pub use storage::{NewUser, Principal, Storage, StoreError, SyncError, sqlite::SqliteStore};

use std::future::Future;
use std::sync::Arc;

/// Serve the API on `listener` until `shutdown` resolves, then finish the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn Storage>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(storage))
        .with_graceful_shutdown(shutdown)
        .await
}
