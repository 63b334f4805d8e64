//! The pull's SQL. Why the cursor cannot skip here: SQLite admits one
//! writer at a time, and a change's sequence number is taken inside the
//! writing transaction, so changes become visible in sequence order. A pull
//! reads its page and the current maximum in one transaction (one snapshot),
//! so "everything up to that maximum" is exactly what the snapshot holds.

use rusqlite::{CachedStatement, Connection, params_from_iter};

use super::state::client_row;
use crate::storage::StoreError;
use crate::storage::feed::{FedClient, Feed, Position, Rows, Visibility};

pub(super) fn epoch(conn: &Connection) -> Result<String, StoreError> {
    let e: i64 = conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'epoch'")?
        .query_row([], |r| r.get(0))?;
    Ok(format!("{e:x}"))
}

fn max_change_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'change_seq'")?
        .query_row([], |r| r.get(0))?)
}

// Both pulls write their limit as an expression: SQLite plans a `LIMIT ?`
// with the bound value, and so plans the statement again at every pull.

/// A pull by audience: the scan's filter below split into disjoint arms,
/// each an index range in seq order that SQLite merges.
const AUDIENCE: &str = "SELECT seq, kind, key, data FROM entities
             WHERE owner = ?2 AND seq > ?1
             UNION ALL
             SELECT seq, kind, key, data FROM entities
             WHERE public = 1 AND owner_only = 0 AND seq > ?1 AND owner IS NOT ?2
             UNION ALL
             SELECT seq, kind, key, data FROM entities
             WHERE reader = ?2 AND owner_only = 0 AND seq > ?1
               AND public = 0 AND owner IS NOT ?2
             UNION ALL
             SELECT seq, kind, key, data FROM entities
             WHERE team_id IN (SELECT value FROM json_each(?3)) AND owner_only = 0 AND seq > ?1
               AND public = 0 AND reader IS NOT ?2 AND owner IS NOT ?2
             ORDER BY seq
             LIMIT ?4 + 0";

/// A pull of staff or the admin: the feed in order, filtered by scope.
const SCAN: &str = "SELECT seq, kind, key, data FROM entities
             WHERE seq > ?1
               AND (owner = ?2
                    OR (owner_only = 0 AND (public = 1 OR reader = ?2 OR ?3
                        OR (?4 IS NOT NULL AND substr(site_path, 1, length(?4)) = ?4)
                        OR (team_id IS NOT NULL AND team_id IN (SELECT value FROM json_each(?6))))))
             ORDER BY seq
             LIMIT ?5 + 0";

type Argument<'a> = Box<dyn rusqlite::ToSql + 'a>;

/// The pull's statement for `who` (its rows, or their count) and its
/// arguments.
fn statement<'c, 'a>(
    conn: &'c Connection,
    who: &'a Visibility<'a>,
    count: bool,
    from: Position,
    limit: i64,
) -> Result<(CachedStatement<'c>, Vec<Argument<'a>>), StoreError> {
    let teams = serde_json::to_string(who.led_teams)?;
    let (sql, args): (_, Vec<Argument<'a>>) = if who.by_audience() {
        let args = vec![
            Box::new(from.1) as Argument<'a>,
            Box::new(who.user_id),
            Box::new(teams),
            Box::new(limit),
        ];
        (AUDIENCE, args)
    } else {
        let args = vec![
            Box::new(from.1) as Argument<'a>,
            Box::new(who.user_id),
            Box::new(who.admin),
            Box::new(who.site_path),
            Box::new(limit),
            Box::new(teams),
        ];
        (SCAN, args)
    };
    let stmt = if count {
        conn.prepare_cached(&format!("SELECT count(*) FROM ({sql})"))?
    } else {
        conn.prepare_cached(sql)?
    };
    Ok((stmt, args))
}

/// A read of the feed: the transaction's one snapshot.
pub(super) struct Snapshot<'c>(pub(super) &'c Connection);

impl Feed for Snapshot<'_> {
    fn end(&mut self) -> Result<Position, StoreError> {
        // The writer takes a change's seq inside its transaction, so changes
        // become visible in seq order: everything up to the maximum is here.
        Ok((0, max_change_seq(self.0)?))
    }

    /// Positions are `(0, seq)`, and no seq past the maximum was handed out.
    fn issued(&self, at: Position, end: Position) -> bool {
        at.0 == 0 && at.1 <= end.1
    }

    fn rows(
        &mut self,
        from: Position,
        _end: Position,
        who: &Visibility<'_>,
        page: &mut Rows,
    ) -> Result<(), StoreError> {
        let (mut stmt, args) = statement(self.0, who, false, from, page.fetch())?;
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(1)?;
            let data: Option<String> = row.get(3)?;
            if !page.take((0, row.get(0)?), &kind, row.get(2)?, data.as_deref())? {
                break;
            }
        }
        Ok(())
    }

    fn count(
        &mut self,
        from: Position,
        _end: Position,
        who: &Visibility<'_>,
    ) -> Result<u64, StoreError> {
        // A limit of -1 is none.
        let (mut stmt, args) = statement(self.0, who, true, from, -1)?;
        let n: i64 = stmt.query_row(params_from_iter(args), |r| r.get(0))?;
        Ok(n as u64)
    }

    fn client(&mut self, client_id: &str, _end: Position) -> Result<Option<FedClient>, StoreError> {
        // Read in the push's own transaction, if any: its effects are here.
        Ok(
            client_row(self.0, client_id)?.map(|(user_id, last_seq)| FedClient {
                user_id,
                last_seq,
                in_feed: true,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// How often `sql` was planned again over pulls by different users.
    fn replans(sql: &str, params: impl Fn(&str) -> Vec<Box<dyn rusqlite::ToSql>>) -> i32 {
        let conn = Connection::open_in_memory().unwrap();
        for m in super::super::MIGRATIONS {
            conn.execute_batch(m).unwrap();
        }
        let mut stmt = conn.prepare(sql).unwrap();
        for user in ["u1", "u2", "u3"] {
            let p = params(user);
            let refs: Vec<&dyn rusqlite::ToSql> = p
                .iter()
                .take(stmt.parameter_count())
                .map(|b| b.as_ref())
                .collect();
            stmt.query(refs.as_slice()).unwrap().next().unwrap();
        }
        stmt.get_status(StatementStatus::RePrepare)
    }

    #[test]
    fn a_pull_is_not_planned_again_for_each_user() {
        let n = replans(AUDIENCE, |u| {
            vec![
                Box::new(0),
                Box::new(u.to_owned()),
                Box::new("[]"),
                Box::new(10),
            ]
        });
        assert_eq!(n, 0, "the audience pull was planned again {n} times");
        let n = replans(SCAN, |u| {
            vec![
                Box::new(0),
                Box::new(u.to_owned()),
                Box::new(false),
                Box::new("/c/i/"),
                Box::new(10),
                Box::new("[]"),
            ]
        });
        assert_eq!(n, 0, "the staff pull was planned again {n} times");
    }

    #[test]
    fn the_check_sees_a_statement_planned_again() {
        let n = replans("SELECT seq FROM entities WHERE seq > ?1 LIMIT ?2", |_| {
            vec![Box::new(0), Box::new(10)]
        });
        assert_eq!(n, 3);
    }
}
