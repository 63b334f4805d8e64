//! The entity table: each row a record's current state and its latest
//! change, with the scope columns the feed filters on.

use rusqlite::{Connection, OptionalExtension, params};
use volunteer_domain::{Effect, Kind, Record};

use super::super::push;
use super::users;
use crate::storage::StoreError;

fn next_change_seq(tx: &Connection) -> Result<i64, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value",
        )?
        .query_row([], |r| r.get(0))?)
}

pub(crate) fn site_path(conn: &Connection, site_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT json_extract(data, '$.path') FROM entities
             WHERE kind = 'site' AND key = ?1 AND data IS NOT NULL",
        )?
        .query_row([site_id], |r| r.get(0))
        .optional()?)
}

pub(super) fn get_record(
    conn: &Connection,
    kind: Kind,
    key: &str,
) -> Result<Option<Record>, StoreError> {
    let data: Option<String> = conn
        .prepare_cached(
            "SELECT data FROM entities WHERE kind = ?1 AND key = ?2 AND data IS NOT NULL",
        )?
        .query_row([kind.as_str(), key], |r| r.get(0))
        .optional()?;
    data.map(|d| Record::from_json(kind, &d).map_err(StoreError::from))
        .transpose()
}

fn check_site_path(tx: &Connection, site: &volunteer_domain::Site) -> Result<(), StoreError> {
    let parent = match &site.parent_id {
        Some(p) => site_path(tx, p)?,
        None => None,
    };
    push::check_site_path(site, parent.as_deref())
}

/// Write a record as a new change, with the scope columns the feed filters on.
pub(super) fn put_record(tx: &Connection, record: &Record) -> Result<(), StoreError> {
    if let Record::Site(site) = record {
        check_site_path(tx, site)?;
    }
    let scope = record.scope();
    let path =
        match (&scope.site_id, record) {
            (_, Record::Site(s)) => Some(s.path.clone()),
            (Some(id), _) => Some(site_path(tx, id)?.ok_or_else(|| {
                StoreError::Invalid(format!("record refers to unknown site {id}"))
            })?),
            (None, _) => None,
        };
    let seq = next_change_seq(tx)?;
    tx.prepare_cached(
        "INSERT INTO entities (kind, key, seq, data, public, owner, site_path, owner_only, team_id, reader)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (kind, key) DO UPDATE SET
           seq = excluded.seq, data = excluded.data, public = excluded.public,
           owner = excluded.owner, site_path = excluded.site_path,
           owner_only = excluded.owner_only, team_id = excluded.team_id, reader = excluded.reader",
    )?
    .execute(params![
        record.kind().as_str(),
        record.key(),
        seq,
        record.to_json(),
        scope.public,
        scope.owner,
        path,
        scope.owner_only,
        scope.team_id,
        scope.reader
    ])?;
    match record {
        Record::Profile(p) => users::follow_profile(tx, p),
        Record::Account(a) => users::follow_account(tx, a),
        _ => Ok(()),
    }
}

/// Turn a row into a tombstone: a new change without data, same scope.
fn delete_record(tx: &Connection, kind: Kind, key: &str) -> Result<(), StoreError> {
    let seq = next_change_seq(tx)?;
    tx.prepare_cached(
        "UPDATE entities SET seq = ?3, data = NULL WHERE kind = ?1 AND key = ?2 AND data IS NOT NULL",
    )?
    .execute(params![kind.as_str(), key, seq])?;
    Ok(())
}

pub(super) fn apply_effects(tx: &Connection, effects: &[Effect]) -> Result<(), StoreError> {
    for e in effects {
        match e {
            Effect::Put(r) => put_record(tx, r)?,
            Effect::Delete { kind, key } => delete_record(tx, *kind, key)?,
        }
    }
    Ok(())
}
