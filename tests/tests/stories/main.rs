//! End-to-end stories: real device cores (each with its own SQLite file)
//! against a real sync server on 127.0.0.1.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod accounts;
mod activities;
mod attendance;
mod authorization;
mod autosync;
mod callouts;
mod capacity;
mod compression;
mod concurrency;
mod console_http;
mod crash;
mod crash_points;
mod deadline;
mod disk_full;
mod donations;
mod evidence;
mod figures;
mod hours;
mod lost_response;
mod notifications;
mod offline;
mod openapi;
mod orders;
mod protocol;
mod replay;
mod restore;
mod rights;
mod server_kill;
mod shedding;
mod teams;
mod transport;
mod version_skew;

use volunteer_domain::{Kind, Record};
use volunteer_sync_server::Storage;

/// Server-side records of one kind that belong to `volunteer_id`.
pub fn owned_by(store: &dyn Storage, kind: Kind, volunteer_id: &str) -> Vec<Record> {
    store
        .records(kind)
        .expect("server records")
        .into_iter()
        .filter(|r| r.scope().owner.as_deref() == Some(volunteer_id))
        .collect()
}
