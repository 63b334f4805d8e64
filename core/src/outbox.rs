//! The outbox and the rebase that keeps the visible state honest.
//!
//! Invariants:
//! - A local write, its optimistic effect, the effect's undo pre-images and its
//!   outbox row commit in one transaction ([`enqueue`]).
//! - The visible records always equal the confirmed server state with every
//!   outbox mutation replayed on top, in `seq` order. To apply server changes the
//!   sync first takes every optimistic effect back ([`undo_all`]), applies the
//!   changes, settles results, then replays what is left ([`replay_all`]), all in
//!   one transaction.
//! - A mutation leaves the outbox only when the server has answered it: rejected
//!   ones move to `rejections` with their input; applied ones stay (replayed, not
//!   re-sent) until the server confirms the feed holds their effects
//!   ([`drop_confirmed`]), so the user never sees their action flicker away.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use volunteer_domain::{
    Actor, Decision, Effect, Kind, Mutation, MutationEnvelope, MutationResult, MutationStatus,
    Profile, RejectCode, decide,
};

use crate::error::{Error, Result};
use crate::store::{self, DeviceState, meta_keys};

fn next_seq(conn: &Connection) -> Result<u64> {
    let next = match store::meta_get(conn, meta_keys::NEXT_SEQ)? {
        Some(v) => v
            .parse()
            .map_err(|_| Error::Storage("bad next_seq".into()))?,
        None => 1,
    };
    store::meta_set(conn, meta_keys::NEXT_SEQ, &(next + 1).to_string())?;
    Ok(next)
}

/// Decide `mutation` locally and, unless the rules refuse it, apply its effect
/// and queue it. Returns the new outbox sequence number and the kinds of
/// record the optimistic effect changed.
pub fn enqueue(
    conn: &Connection,
    me: &Profile,
    actor: &Actor,
    mutation: Mutation,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<Kind>)> {
    let env = MutationEnvelope {
        seq: next_seq(conn)?,
        id: uuid::Uuid::new_v4().to_string(),
        created_at: now,
        mutation,
    };
    let decision = decide(&env, actor, now, &mut DeviceState { conn, me })?;
    if let Decision::Reject(r) = decision {
        return Err(Error::Rejected {
            code: r.code,
            message: r.message,
        });
    }
    insert(conn, &env, "pending")?;
    let mut kinds = Vec::new();
    if let Decision::Apply(effects) = decision {
        apply_with_undo(conn, env.seq, &effects)?;
        kinds = effects.iter().map(effect_kind).collect();
        kinds.sort();
        kinds.dedup();
    }
    Ok((env.seq, kinds))
}

fn effect_kind(e: &Effect) -> Kind {
    match e {
        Effect::Put(r) => r.kind(),
        Effect::Delete { kind, .. } => *kind,
    }
}

fn insert(conn: &Connection, env: &MutationEnvelope, state: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO outbox (seq, id, created_at, mutation, state) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        env.seq,
        env.id,
        env.created_at.to_rfc3339(),
        serde_json::to_string(&env.mutation)?,
        state
    ])?;
    Ok(())
}

/// Write effects, first saving the pre-image of every row they touch.
fn apply_with_undo(conn: &Connection, seq: u64, effects: &[Effect]) -> Result<()> {
    let mut save = conn.prepare_cached(
        "INSERT INTO undo (seq, ord, kind, key, prev) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (ord, effect) in effects.iter().enumerate() {
        let (kind, key) = match effect {
            Effect::Put(r) => (r.kind(), r.key()),
            Effect::Delete { kind, key } => (*kind, key.clone()),
        };
        let prev = store::get_raw(conn, kind, &key)?;
        save.execute(params![seq, ord, kind.as_str(), key, prev])?;
        match effect {
            Effect::Put(r) => store::put_raw(conn, kind, &key, &r.to_json())?,
            Effect::Delete { .. } => store::delete_raw(conn, kind, &key)?,
        }
    }
    Ok(())
}

/// Take back every optimistic effect, newest first, leaving confirmed state.
pub fn undo_all(conn: &Connection) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT kind, key, prev FROM undo ORDER BY seq DESC, ord DESC")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (kind, key, prev) = row?;
        let kind = Kind::parse(&kind).ok_or_else(|| Error::Storage(format!("kind {kind}")))?;
        match prev {
            Some(data) => store::put_raw(conn, kind, &key, &data)?,
            None => store::delete_raw(conn, kind, &key)?,
        }
    }
    conn.execute("DELETE FROM undo", [])?;
    Ok(())
}

/// Re-apply every outbox mutation over the current state. A mutation the
/// replica can no longer apply keeps no local effect; the server still decides.
pub fn replay_all(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    let Some(me) = store::profile(conn)? else {
        return Ok(());
    };
    let actor = store::actor(conn, &me)?;
    for env in envelopes(
        conn,
        "SELECT seq, id, created_at, mutation FROM outbox ORDER BY seq",
    )? {
        let decision = decide(&env, &actor, now, &mut DeviceState { conn, me: &me })?;
        if let Decision::Apply(effects) = decision {
            apply_with_undo(conn, env.seq, &effects)?;
        }
    }
    Ok(())
}

fn envelopes(conn: &Connection, sql: &str) -> Result<Vec<MutationEnvelope>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, u64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, id, created_at, mutation) = row?;
        out.push(MutationEnvelope {
            seq,
            id,
            created_at: parse_time(&created_at)?,
            mutation: serde_json::from_str(&mutation)?,
        });
    }
    Ok(out)
}

pub fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Storage(format!("bad timestamp {s:?}: {e}")))
}

/// Mutations not yet acknowledged, oldest first, at most `limit`.
pub fn pending_batch(conn: &Connection, limit: usize) -> Result<Vec<MutationEnvelope>> {
    let mut all = envelopes(
        conn,
        "SELECT seq, id, created_at, mutation FROM outbox WHERE state = 'pending' ORDER BY seq",
    )?;
    all.truncate(limit);
    Ok(all)
}

/// Every mutation still in the outbox (pending or awaiting catch-up).
pub fn all(conn: &Connection) -> Result<Vec<MutationEnvelope>> {
    envelopes(
        conn,
        "SELECT seq, id, created_at, mutation FROM outbox ORDER BY seq",
    )
}

/// Record the server's answers. Call between [`undo_all`] and [`replay_all`].
pub fn settle(conn: &Connection, results: &[MutationResult], now: DateTime<Utc>) -> Result<()> {
    for result in results {
        match result.status {
            MutationStatus::Applied => {
                conn.prepare_cached("UPDATE outbox SET state = 'applied' WHERE seq = ?1")?
                    .execute([result.seq])?;
            }
            MutationStatus::Rejected => {
                let code = result
                    .code
                    .as_deref()
                    .and_then(RejectCode::parse)
                    .map_or("unknown", RejectCode::as_str);
                let moved = conn
                    .prepare_cached(
                        "INSERT OR REPLACE INTO rejections
                           (seq, id, created_at, mutation, code, message, rejected_at)
                         SELECT seq, id, created_at, mutation, ?2, ?3, ?4 FROM outbox WHERE seq = ?1",
                    )?
                    .execute(params![
                        result.seq,
                        code,
                        result.message.as_deref().unwrap_or_default(),
                        now.to_rfc3339()
                    ])?;
                if moved == 1 {
                    conn.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
                        .execute([result.seq])?;
                }
            }
        }
    }
    Ok(())
}

/// How long confirmed mutations stay in the journal: a restore from a
/// backup older than this loses what the devices sent before it.
pub const JOURNAL_DAYS: i64 = 14;

/// The pulled state now holds the effects of mutations through `seq`:
/// those acknowledged ones are part of confirmed state, and go to the
/// journal.
pub fn drop_confirmed(conn: &Connection, seq: u64) -> Result<()> {
    to_journal(conn, seq)
}

/// Drop every acknowledged mutation (the client id is being replaced);
/// the server has them, so they are journaled.
fn drop_applied(conn: &Connection) -> Result<()> {
    to_journal(conn, i64::MAX as u64)
}

/// Move the acknowledged outbox rows through `seq` to the journal, and
/// forget journal entries older than [`JOURNAL_DAYS`].
fn to_journal(conn: &Connection, seq: u64) -> Result<()> {
    let now = chrono::Utc::now();
    conn.prepare_cached(
        "INSERT INTO journal (id, created_at, mutation, confirmed_at)
         SELECT id, created_at, mutation, ?2 FROM outbox
         WHERE state = 'applied' AND seq <= ?1 ORDER BY seq",
    )?
    .execute(params![seq, now.to_rfc3339()])?;
    conn.prepare_cached("DELETE FROM outbox WHERE state = 'applied' AND seq <= ?1")?
        .execute([seq])?;
    conn.execute(
        "DELETE FROM journal WHERE confirmed_at < ?1",
        [(now - chrono::Duration::days(JOURNAL_DAYS)).to_rfc3339()],
    )?;
    Ok(())
}

/// The server was restored from a backup: everything it confirmed within
/// the journal's window, then everything queued, in their original order,
/// becomes the queue again, numbered from 1 for a new client id. What the
/// restored server already holds is a no-op there (every rule is
/// idempotent); the rest is back.
pub fn requeue_journal(conn: &Connection) -> Result<u64> {
    undo_all(conn)?;
    let rows = |sql: &str| -> Result<Vec<(String, String, String)>> {
        Ok(conn
            .prepare(sql)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    };
    let mut queued = rows("SELECT id, created_at, mutation FROM journal ORDER BY ord")?;
    queued.extend(rows(
        "SELECT id, created_at, mutation FROM outbox ORDER BY seq",
    )?);
    conn.execute_batch("DELETE FROM outbox; DELETE FROM journal;")?;
    for (i, (id, created_at, mutation)) in queued.iter().enumerate() {
        conn.execute(
            "INSERT INTO outbox (seq, id, created_at, mutation, state)
             VALUES (?1, ?2, ?3, ?4, 'pending')",
            params![i as u64 + 1, id, created_at, mutation],
        )?;
    }
    store::meta_set(
        conn,
        meta_keys::NEXT_SEQ,
        &(queued.len() as u64 + 1).to_string(),
    )?;
    replay_all(conn, chrono::Utc::now())?;
    Ok(queued.len() as u64)
}

/// Kinds of record a queued mutation's optimistic effect touched.
pub fn kinds_touched(conn: &Connection, seq: u64) -> Result<Vec<Kind>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT kind FROM undo WHERE seq = ?1")?;
    let rows = stmt.query_map([seq], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for k in rows {
        out.extend(Kind::parse(&k?));
    }
    Ok(out)
}

/// Number the queued mutations 1, 2, … again (in order) for a new client id.
/// Applied-but-not-caught-up rows are dropped: the server has them.
pub fn renumber(conn: &Connection) -> Result<()> {
    undo_all(conn)?;
    drop_applied(conn)?;
    let seqs: Vec<u64> = conn
        .prepare("SELECT seq FROM outbox ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Shift out of the way first so the new numbers cannot collide.
    let offset = seqs.last().copied().unwrap_or(0) + 1;
    conn.execute("UPDATE outbox SET seq = seq + ?1", [offset])?;
    for (i, old) in seqs.iter().enumerate() {
        conn.execute(
            "UPDATE outbox SET seq = ?1 WHERE seq = ?2",
            [i as u64 + 1, old + offset],
        )?;
    }
    store::meta_set(
        conn,
        meta_keys::NEXT_SEQ,
        &(seqs.len() as u64 + 1).to_string(),
    )?;
    replay_all(conn, chrono::Utc::now())
}

/// Actions the user still has to see through: queued or rejected.
pub fn unsettled_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending')
              + (SELECT count(*) FROM rejections)",
        [],
        |r| r.get(0),
    )?)
}

pub fn pending_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'pending'",
        [],
        |r| r.get(0),
    )?)
}

pub fn oldest_pending_at(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let s: Option<String> = conn
        .query_row(
            "SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    s.as_deref().map(parse_time).transpose()
}

/// Put a rejected mutation back in the queue, unchanged, as a new mutation.
pub fn requeue_rejection(
    conn: &Connection,
    seq: u64,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<Kind>)> {
    let mutation: Option<String> = conn
        .query_row(
            "SELECT mutation FROM rejections WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .optional()?;
    let mutation: Mutation = match mutation {
        Some(m) => serde_json::from_str(&m)?,
        None => return Err(Error::invalid("seq", "no such rejected mutation")),
    };
    let me = store::require_profile(conn)?;
    let actor = store::actor(conn, &me)?;
    let queued = enqueue(conn, &me, &actor, mutation, now)?;
    conn.execute("DELETE FROM rejections WHERE seq = ?1", [seq])?;
    Ok(queued)
}

pub fn discard_rejection(conn: &Connection, seq: u64) -> Result<()> {
    if conn.execute("DELETE FROM rejections WHERE seq = ?1", [seq])? == 0 {
        return Err(Error::invalid("seq", "no such rejected mutation"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;
    use volunteer_domain::{Record, Role, Team};

    fn setup() -> (tempfile::TempDir, Connection, Profile) {
        let dir = tempfile::tempdir().unwrap();
        let conn = schema::open(&dir.path().join("r.db")).unwrap();
        let me = Profile {
            user_id: "v1".into(),
            display_name: "李娜".into(),
            role: Role::Volunteer,
            site_id: None,
            phone: None,
        };
        store::meta_set(
            &conn,
            meta_keys::PROFILE,
            &serde_json::to_string(&me).unwrap(),
        )
        .unwrap();
        let team = Record::Team(Team {
            id: "t1".into(),
            site_id: "s1".into(),
            name: "红马甲".into(),
            description: String::new(),
            member_count: 5,
            join_policy: Default::default(),
        });
        store::put_raw(&conn, Kind::Team, "t1", &team.to_json()).unwrap();
        (dir, conn, me)
    }

    fn team_members(conn: &Connection) -> u32 {
        let json = store::get_raw(conn, Kind::Team, "t1").unwrap().unwrap();
        let Record::Team(t) = Record::from_json(Kind::Team, &json).unwrap() else {
            panic!()
        };
        t.member_count
    }

    fn join(conn: &Connection, me: &Profile) -> u64 {
        let actor = store::actor(conn, me).unwrap();
        let m = Mutation::JoinTeam {
            team_id: "t1".into(),
        };
        enqueue(conn, me, &actor, m, Utc::now()).unwrap().0
    }

    #[test]
    fn enqueue_applies_optimistically_and_undo_restores_confirmed_state() {
        let (_d, conn, me) = setup();
        assert_eq!(join(&conn, &me), 1);
        let actor = store::actor(&conn, &me).unwrap();
        let leave = Mutation::LeaveTeam {
            team_id: "t1".into(),
        };
        let (_, kinds) = enqueue(&conn, &me, &actor, leave, Utc::now()).unwrap();
        assert_eq!(kinds, vec![Kind::Team, Kind::Membership]);
        undo_all(&conn).unwrap();
        conn.execute("DELETE FROM outbox WHERE seq = 2", [])
            .unwrap();
        replay_all(&conn, Utc::now()).unwrap();
        assert_eq!(team_members(&conn), 6);
        assert!(
            store::get_raw(&conn, Kind::Membership, "t1/v1")
                .unwrap()
                .is_some()
        );
        assert_eq!(pending_count(&conn).unwrap(), 1);

        undo_all(&conn).unwrap();
        assert_eq!(team_members(&conn), 5);
        assert!(
            store::get_raw(&conn, Kind::Membership, "t1/v1")
                .unwrap()
                .is_none()
        );

        replay_all(&conn, Utc::now()).unwrap();
        assert_eq!(team_members(&conn), 6);
    }

    #[test]
    fn local_rejection_queues_nothing() {
        let (_d, conn, me) = setup();
        let actor = store::actor(&conn, &me).unwrap();
        let m = Mutation::CheckIn {
            activity_id: "a".into(),
            volunteer_id: "v1".into(),
            at: Utc::now(),
        };
        let err = enqueue(&conn, &me, &actor, m, Utc::now()).unwrap_err();
        assert!(matches!(
            err,
            Error::Rejected {
                code: RejectCode::Forbidden,
                ..
            }
        ));
        assert_eq!(pending_count(&conn).unwrap(), 0);
    }

    #[test]
    fn settle_moves_rejections_and_keeps_applied_until_caught_up() {
        let (_d, conn, me) = setup();
        join(&conn, &me);
        let actor = store::actor(&conn, &me).unwrap();
        let m = Mutation::SignUp {
            activity_id: "unknown".into(),
        };
        let (seq2, kinds) = enqueue(&conn, &me, &actor, m, Utc::now()).unwrap();
        assert!(kinds.is_empty(), "deferred: no local effect");
        assert_eq!(pending_batch(&conn, 10).unwrap().len(), 2);

        undo_all(&conn).unwrap();
        settle(
            &conn,
            &[
                MutationResult {
                    seq: 1,
                    status: MutationStatus::Applied,
                    code: None,
                    message: None,
                },
                MutationResult {
                    seq: seq2,
                    status: MutationStatus::Rejected,
                    code: Some("not_found".into()),
                    message: Some("activity not found".into()),
                },
            ],
            Utc::now(),
        )
        .unwrap();
        replay_all(&conn, Utc::now()).unwrap();
        // Applied but not yet pulled: still visible, no longer pending.
        assert_eq!(team_members(&conn), 6);
        assert_eq!(pending_count(&conn).unwrap(), 0);
        assert!(pending_batch(&conn, 10).unwrap().is_empty());
        let code: String = conn
            .query_row("SELECT code FROM rejections WHERE seq = ?1", [seq2], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(code, "not_found");

        undo_all(&conn).unwrap();
        drop_applied(&conn).unwrap();
        replay_all(&conn, Utc::now()).unwrap();
        assert_eq!(all(&conn).unwrap().len(), 0);
        assert_eq!(team_members(&conn), 5, "confirmed state only");

        let (again, _) = requeue_rejection(&conn, seq2, Utc::now()).unwrap();
        assert!(again > seq2);
        assert_eq!(pending_count(&conn).unwrap(), 1);
        assert!(discard_rejection(&conn, seq2).is_err(), "already requeued");
    }
}
