//! Harness for end-to-end stories: a real sync server on 127.0.0.1 with a
//! real SQLite file, a fixture district with known accounts, and a TCP proxy
//! that can cut a connection after the server has answered (a lost response).

pub mod fixture;
pub mod proxy;
pub mod server;

pub use fixture::{Fixture, PASSWORD};
pub use proxy::CutProxy;
pub use server::{TestServer, free_addr};

use volunteer_core::{Replica, SyncOptions};

/// Open a replica file in `dir` syncing with `url`.
pub fn device(dir: &std::path::Path, name: &str, url: &str) -> Replica {
    Replica::open(dir.join(format!("{name}.db")), url).expect("open replica")
}

/// Like [`device`] with a short request timeout, for stories that expect failures.
pub fn device_with(dir: &std::path::Path, name: &str, url: &str, options: SyncOptions) -> Replica {
    Replica::open_with(dir.join(format!("{name}.db")), url, options).expect("open replica")
}
