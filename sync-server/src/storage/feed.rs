//! What every backend does the same way to serve a pull: derive what the
//! user may read, decide where the page starts (or that the device must
//! reset), turn rows into changes, and say where the next page begins. A
//! backend supplies the [`Feed`] (its reading snapshot) and keeps only the
//! SQL and its notion of where the feed is final.

use chrono::{DateTime, SubsecRound, Utc};
use volunteer_domain::{Actor, Change, Kind, MutationResult, Role, SyncResponse};

use super::{Principal, StoreError, SyncError};
use crate::cursor::Cursor;

/// A place in the feed: `(0, seq)` on SQLite, `(transaction id, seq)` on
/// PostgreSQL. Rows are read in this order.
pub type Position = (i64, i64);

/// What a user may read, in the terms of the entity table's scope columns.
pub struct Visibility<'a> {
    pub user_id: &'a str,
    pub admin: bool,
    /// The subtree a staff member reads; only staff read by site.
    pub site_path: Option<&'a str>,
    pub led_teams: &'a [String],
}

impl<'a> Visibility<'a> {
    pub fn of(actor: &'a Actor) -> Visibility<'a> {
        Visibility {
            user_id: &actor.user_id,
            admin: actor.role == Role::Admin,
            site_path: match actor.role {
                Role::Staff => actor.site_path.as_deref(),
                _ => None,
            },
            led_teams: &actor.led_teams,
        }
    }

    /// Whether this reader sees only rows addressed to them (as owner,
    /// reader or team leader) and the public ones: then the pull reads the
    /// audience indexes and its cost follows the changes in its scope, not
    /// the district's. Staff (a subtree) and the admin read the feed in order
    /// and filter it, their scope being most of what changes.
    pub fn by_audience(&self) -> bool {
        !self.admin && self.site_path.is_none()
    }
}

/// A client's row, as the pull needs it.
pub struct FedClient {
    pub user_id: String,
    pub last_seq: u64,
    /// Every applied mutation's effects lie before the snapshot's end.
    pub in_feed: bool,
}

/// One backend snapshot, as the pull needs it.
pub trait Feed {
    /// Where the feed is final in this snapshot: every change before it is
    /// readable now, and every change still to come will land after it.
    fn end(&mut self) -> Result<Position, StoreError>;
    /// Whether a cursor at `at` (of the user's scope) is one this database
    /// can have issued, given the snapshot's `end`.
    fn issued(&self, at: Position, end: Position) -> bool;
    /// Pass the rows after `from` and before `end` that `who` may read, in
    /// feed order, to `page` until it refuses one.
    fn rows(
        &mut self,
        from: Position,
        end: Position,
        who: &Visibility<'_>,
        page: &mut Rows,
    ) -> Result<(), StoreError>;
    /// How many rows after `from` and before `end` `who` may read.
    fn count(
        &mut self,
        from: Position,
        end: Position,
        who: &Visibility<'_>,
    ) -> Result<u64, StoreError>;
    fn client(&mut self, client_id: &str, end: Position) -> Result<Option<FedClient>, StoreError>;
}

/// A page being filled with rows in feed order.
pub struct Rows {
    limit: usize,
    changes: Vec<Change>,
    last: Position,
    has_more: bool,
}

impl Rows {
    /// How many rows to ask for: one past the page tells whether more follow.
    pub fn fetch(&self) -> i64 {
        self.limit as i64 + 1
    }

    /// Take the next row; `false` once the page is full (that row only told
    /// that more follow), and the caller stops reading.
    pub fn take(
        &mut self,
        at: Position,
        kind: &str,
        key: String,
        data: Option<&str>,
    ) -> Result<bool, StoreError> {
        if self.changes.len() == self.limit {
            self.has_more = true;
            return Ok(false);
        }
        self.changes.push(Change {
            kind: Kind::parse(kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
            key,
            data: data.map(serde_json::from_str).transpose()?,
        });
        self.last = at;
        Ok(true)
    }
}

/// The answer to a pull.
pub struct Page {
    pub changes: Vec<Change>,
    pub cursor: String,
    pub has_more: bool,
    /// With `has_more`: the rows that follow, for the device's progress.
    pub remaining: Option<u64>,
    pub reset: bool,
    pub confirmed_seq: Option<u64>,
}

impl Page {
    pub fn respond(
        self,
        results: Vec<MutationResult>,
        epoch: &str,
        now: DateTime<Utc>,
    ) -> SyncResponse {
        SyncResponse {
            epoch: epoch.to_owned(),
            results,
            changes: self.changes,
            cursor: self.cursor,
            has_more: self.has_more,
            reset: self.reset,
            confirmed_seq: self.confirmed_seq,
            remaining: self.remaining,
            // Milliseconds: finer is noise on the wire.
            server_time: now.trunc_subsecs(3),
        }
    }
}

/// The next page of `who`'s changes after `cursor`, read from one snapshot
/// of a database with this `epoch`; refuses another user's client.
pub fn pull<F: Feed>(
    feed: &mut F,
    who: &Principal,
    epoch: &str,
    client_id: &str,
    cursor: Option<&str>,
    limit: u32,
) -> Result<Page, SyncError> {
    let scope = who.scope_tag(epoch);
    let end = feed.end()?;
    let (from, reset) = match cursor.map(Cursor::decode) {
        None => ((0, 0), false),
        Some(Some(c)) if c.scope == scope && feed.issued(c.at, end) => (c.at, false),
        // Another scope, a cursor from another database, or garbage: start over.
        Some(_) => ((0, 0), true),
    };
    let mut rows = Rows {
        limit: limit as usize,
        changes: Vec::new(),
        last: from,
        has_more: false,
    };
    let visibility = Visibility::of(&who.actor);
    feed.rows(from, end, &visibility, &mut rows)?;
    // A full page ends at its last row; otherwise every position before the
    // end has been seen, visible to this user or not.
    let next = if rows.has_more { rows.last } else { end };
    // A download from the start that takes more than a page is counted
    // once, on its first page: what a progress bar needs. (For staff the
    // count is one more pass over the district's rows; per page it tripled
    // a large first download.)
    let remaining = match rows.has_more && from == (0, 0) {
        true => Some(feed.count(next, end, &visibility)?),
        false => None,
    };
    let confirmed_seq = match feed.client(client_id, end)? {
        Some(c) if c.user_id != who.actor.user_id => return Err(SyncError::ClientMismatch),
        Some(c) if !rows.has_more && c.in_feed && c.last_seq > 0 => Some(c.last_seq),
        _ => None,
    };
    Ok(Page {
        changes: rows.changes,
        cursor: Cursor { scope, at: next }.encode(),
        has_more: rows.has_more,
        remaining,
        reset,
        confirmed_seq,
    })
}
