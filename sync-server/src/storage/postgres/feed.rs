//! The pull's SQL and its watermark.
//!
//! Why the feed cannot skip a change although writers commit out of order:
//! every row carries the id of the transaction that last wrote it (`txid`)
//! and a sequence number drawn in it (`seq`); the feed is ordered by
//! `(txid, seq)`. A pull reads in one snapshot and returns only rows whose
//! transaction is below the snapshot's `xmin`: every such transaction has
//! ended, and any transaction still to come gets a larger id. So the set of
//! positions below `xmin` is final when it is read, and a cursor that has
//! reached `(xmin, 0)` has seen everything before it. A change committed but
//! not yet below `xmin` (an older transaction still running) is delivered by
//! a later pull, never skipped. See docs/protocol.md.

use std::time::Duration;

use super::pool::{Conn, Tx};
use crate::storage::StoreError;
use crate::storage::feed::{FedClient, Feed, Position, Rows, Visibility};

/// How long a pull waits for writers that were in flight when it arrived.
const WRITER_WAIT: Duration = Duration::from_secs(2);

/// Wait, up to [`WRITER_WAIT`], until every transaction that was writing when
/// this was called has ended. A pull's watermark is the oldest writer still
/// running; without the wait, one unrelated writer in flight would hold back
/// changes that committed before the request arrived (the check-in a
/// colleague just synced). Past the wait the pull serves what is final and
/// the rest comes with the next pull: later, never lost. Plain statements
/// outside a transaction each see a fresh snapshot; with no writer running,
/// the first answers at once.
pub(super) fn await_writers(conn: &mut Conn) -> Result<(), StoreError> {
    const WINDOW: &str =
        "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint
         FROM pg_current_snapshot() s";
    let row = conn.one(WINDOW, &[])?;
    let (mut oldest, target): (i64, i64) = (row.get(0), row.get(1));
    let started = std::time::Instant::now();
    while oldest < target && started.elapsed() < WRITER_WAIT {
        std::thread::sleep(Duration::from_micros(300));
        oldest = conn.one(WINDOW, &[])?.get(0);
    }
    if oldest < target {
        tracing::warn!(
            oldest_writer = oldest,
            waited_for = target,
            "a writer has run longer than the pull waits for; its changes follow later"
        );
    }
    Ok(())
}

// Both queries take the same arguments (`arguments`), numbered alike.

/// A pull by audience: the scan's filter below split into disjoint arms,
/// each an index range in feed order that PostgreSQL merges.
macro_rules! audience {
    () => {
        "(SELECT txid, seq, kind, key, data FROM entities
          WHERE district = $1 AND owner = $5 AND (txid, seq) > ($2, $3) AND txid < $4
          ORDER BY txid, seq LIMIT $6)
         UNION ALL
         (SELECT txid, seq, kind, key, data FROM entities
          WHERE district = $1 AND public AND NOT owner_only
            AND (txid, seq) > ($2, $3) AND txid < $4 AND owner IS DISTINCT FROM $5
          ORDER BY txid, seq LIMIT $6)
         UNION ALL
         (SELECT txid, seq, kind, key, data FROM entities
          WHERE district = $1 AND reader = $5 AND NOT owner_only
            AND (txid, seq) > ($2, $3) AND txid < $4
            AND NOT public AND owner IS DISTINCT FROM $5
          ORDER BY txid, seq LIMIT $6)
         UNION ALL
         (SELECT txid, seq, kind, key, data FROM entities
          WHERE district = $1 AND team_id = ANY($7) AND NOT owner_only
            AND (txid, seq) > ($2, $3) AND txid < $4
            AND NOT public AND reader IS DISTINCT FROM $5 AND owner IS DISTINCT FROM $5
          ORDER BY txid, seq LIMIT $6)
         ORDER BY txid, seq
         LIMIT $6"
    };
}
const AUDIENCE: &str = audience!();
const AUDIENCE_COUNT: &str = concat!("SELECT count(*) FROM (", audience!(), ") AS page");

/// A pull of staff or the admin: the feed in order, filtered by scope.
macro_rules! scan {
    () => {
        "SELECT txid, seq, kind, key, data FROM entities
         WHERE district = $1 AND (txid, seq) > ($2, $3) AND txid < $4
           AND (owner = $5
                OR (NOT owner_only AND (public OR reader = $5 OR $8
                    OR ($9::text IS NOT NULL AND starts_with(site_path, $9))
                    OR team_id = ANY($7))))
         ORDER BY txid, seq
         LIMIT $6"
    };
}
const SCAN: &str = scan!();
const SCAN_COUNT: &str = concat!("SELECT count(*) FROM (", scan!(), ") AS page");

/// The pull's statement for `who` (its rows, or their count) and how many
/// of [`arguments`] it takes.
fn statement(who: &Visibility<'_>, count: bool) -> (&'static str, usize) {
    match (who.by_audience(), count) {
        (true, false) => (AUDIENCE, 7),
        (true, true) => (AUDIENCE_COUNT, 7),
        (false, false) => (SCAN, 9),
        (false, true) => (SCAN_COUNT, 9),
    }
}

/// The arguments of both statements: `$1` district, `$2`/`$3` after this
/// position, `$4` below this watermark, `$5` user, `$6` limit (none: all),
/// `$7` led teams, `$8` admin, `$9` site path.
fn arguments<'a>(
    district: &'a str,
    who: &'a Visibility<'a>,
    from: Position,
    end: Position,
    limit: Option<i64>,
) -> Vec<Argument<'a>> {
    vec![
        Box::new(district),
        Box::new(from.0),
        Box::new(from.1),
        Box::new(end.0),
        Box::new(who.user_id),
        Box::new(limit),
        Box::new(who.led_teams),
        Box::new(who.admin),
        Box::new(who.site_path),
    ]
}

type Argument<'a> = Box<dyn postgres::types::ToSql + Sync + 'a>;

fn refs<'a>(args: &'a [Argument<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    args.iter().map(|a| a.as_ref()).collect()
}

/// A read of one district's feed in one repeatable-read snapshot.
pub(super) struct Snapshot<'t, 'a> {
    pub(super) tx: &'t mut Tx<'a>,
    pub(super) district: &'t str,
}

impl Feed for Snapshot<'_, '_> {
    /// `(xmin, 0)`: every transaction below the snapshot's xmin has ended,
    /// and any still to come gets a larger id (see the module's note).
    fn end(&mut self) -> Result<Position, StoreError> {
        let watermark: i64 = self
            .tx
            .one(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
                &[],
            )?
            .get(0);
        Ok((watermark, 0))
    }

    /// A cursor never passes the watermark it was issued under, and the
    /// watermark only rises.
    fn issued(&self, at: Position, end: Position) -> bool {
        at.0 <= end.0
    }

    fn rows(
        &mut self,
        from: Position,
        end: Position,
        who: &Visibility<'_>,
        page: &mut Rows,
    ) -> Result<(), StoreError> {
        let (sql, n) = statement(who, false);
        let args = arguments(self.district, who, from, end, Some(page.fetch()));
        let rows = self.tx.query(sql, &refs(&args[..n]))?;
        for row in &rows {
            if !page.take((row.get(0), row.get(1)), row.get(2), row.get(3), row.get(4))? {
                break;
            }
        }
        Ok(())
    }

    fn count(
        &mut self,
        from: Position,
        end: Position,
        who: &Visibility<'_>,
    ) -> Result<u64, StoreError> {
        let (sql, n) = statement(who, true);
        let args = arguments(self.district, who, from, end, None);
        let row = self.tx.one(sql, &refs(&args[..n]))?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn client(&mut self, client_id: &str, end: Position) -> Result<Option<FedClient>, StoreError> {
        let row = self.tx.opt(
            "SELECT user_id, last_seq, last_txid FROM clients WHERE district = $1 AND client_id = $2",
            &[&self.district, &client_id],
        )?;
        // The client's effects are in the feed once the watermark has
        // passed the last transaction that advanced it.
        Ok(row.map(|r| FedClient {
            user_id: r.get(0),
            last_seq: r.get::<_, i64>(1) as u64,
            in_feed: r.get::<_, i64>(2) < end.0,
        }))
    }
}
