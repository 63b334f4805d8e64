//! The entity table of each district: each row a record's current state
//! and its latest change, at the feed position of the transaction that
//! wrote it, with the scope columns the feed filters on.

use volunteer_domain::{Kind, Record};

use super::pool::Tx;
use super::users;
use crate::storage::StoreError;
use crate::storage::push::{self, district_of};

pub(super) fn site_path(
    tx: &mut Tx,
    district: &str,
    site_id: &str,
) -> Result<Option<String>, StoreError> {
    let key = (district.to_owned(), site_id.to_owned());
    if let Some(p) = tx.sites.get(&key) {
        return Ok(Some(p.clone()));
    }
    let path: Option<String> = tx
        .opt(
            "SELECT site_path FROM entities
             WHERE district = $1 AND kind = 'site' AND key = $2 AND data IS NOT NULL",
            &[&district, &site_id],
        )?
        .and_then(|r| r.get(0));
    if let Some(p) = &path {
        tx.sites.insert(key, p.clone());
    }
    Ok(path)
}

/// The district of a record written outside a user's request (seeding,
/// administration): its site's, else the only district there is.
pub(super) fn district_for(tx: &mut Tx, record: &Record) -> Result<String, StoreError> {
    if let Record::Site(s) = record {
        return district_of(&s.path)
            .map(str::to_owned)
            .ok_or_else(|| StoreError::Invalid(format!("site {} has an empty path", s.id)));
    }
    let site_id = record.scope().site_id;
    let districts: Vec<String> = tx
        .query("SELECT id FROM districts ORDER BY id", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if let Some(site_id) = site_id {
        for d in &districts {
            if site_path(tx, d, &site_id)?.is_some() {
                return Ok(d.clone());
            }
        }
        return Err(StoreError::Invalid(format!(
            "record refers to unknown site {site_id}"
        )));
    }
    match districts.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(StoreError::Invalid(format!(
            "{} {} has no site; on a database of several districts give its district",
            record.kind().as_str(),
            record.key()
        ))),
    }
}

pub(super) fn get_record(
    tx: &mut Tx,
    district: &str,
    kind: Kind,
    key: &str,
) -> Result<Option<Record>, StoreError> {
    let row = tx.opt(
        "SELECT data FROM entities
         WHERE district = $1 AND kind = $2 AND key = $3 AND data IS NOT NULL",
        &[&district, &kind.as_str(), &key],
    )?;
    row.map(|r| Record::from_json(kind, r.get(0)).map_err(StoreError::from))
        .transpose()
}

/// Write a record as a new change at this transaction's feed position.
pub(super) fn put_record(tx: &mut Tx, district: &str, record: &Record) -> Result<(), StoreError> {
    let scope = record.scope();
    let path =
        match (&scope.site_id, record) {
            (_, Record::Site(s)) => {
                let parent = match &s.parent_id {
                    Some(p) => site_path(tx, district, p)?,
                    None => None,
                };
                push::check_site_path(s, parent.as_deref())?;
                if s.parent_id.is_none() {
                    tx.exec(
                        "INSERT INTO districts (id) VALUES ($1) ON CONFLICT DO NOTHING",
                        &[&district],
                    )?;
                }
                Some(s.path.clone())
            }
            (Some(id), _) => Some(site_path(tx, district, id)?.ok_or_else(|| {
                StoreError::Invalid(format!("record refers to unknown site {id}"))
            })?),
            (None, _) => None,
        };
    let txid = tx.txid()?;
    tx.exec(
        "INSERT INTO entities
           (district, kind, key, txid, seq, data, public, owner, site_path, owner_only, team_id, reader)
         VALUES ($1, $2, $3, $4, nextval('change_seq'), $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (district, kind, key) DO UPDATE SET
           txid = excluded.txid, seq = excluded.seq, data = excluded.data,
           public = excluded.public, owner = excluded.owner, site_path = excluded.site_path,
           owner_only = excluded.owner_only, team_id = excluded.team_id, reader = excluded.reader",
        &[
            &district,
            &record.kind().as_str(),
            &record.key(),
            &txid,
            &record.to_json(),
            &scope.public,
            &scope.owner,
            &path,
            &scope.owner_only,
            &scope.team_id,
            &scope.reader,
        ],
    )?;
    match record {
        Record::Profile(p) => users::follow_profile(tx, district, p),
        Record::Account(a) => users::follow_account(tx, district, a),
        _ => Ok(()),
    }
}

/// Turn a row into a tombstone: a new change without data, same scope.
pub(super) fn delete_record(
    tx: &mut Tx,
    district: &str,
    kind: Kind,
    key: &str,
) -> Result<(), StoreError> {
    let txid = tx.txid()?;
    tx.exec(
        "UPDATE entities SET txid = $4, seq = nextval('change_seq'), data = NULL
         WHERE district = $1 AND kind = $2 AND key = $3 AND data IS NOT NULL",
        &[&district, &kind.as_str(), &key, &txid],
    )?;
    Ok(())
}
