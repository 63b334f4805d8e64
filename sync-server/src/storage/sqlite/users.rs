//! The users table follows the replicated account records: a new profile
//! makes its user (once), an account's role, site, name and status are
//! copied onto it, and switching an account off revokes its sessions. So
//! an account changes through the rules and the log like any record, and
//! sign-in and authentication read one table.

use rusqlite::{Connection, OptionalExtension, params};
use volunteer_domain::{Account, AccountStatus, Profile, Record};

use super::principal::{profile_row, to_profile};
use super::records::put_record;
use super::ts;
use crate::storage::{StoreError, accounts};
use chrono::{DateTime, Utc};

/// A profile of a user not yet in the table makes the user: its phone is
/// its login. An existing user is left alone (their account changes them).
pub(super) fn follow_profile(tx: &Connection, p: &Profile) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO users (id, login, role, site_id, display_name, phone, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        p.user_id,
        p.phone.as_deref().unwrap_or(&p.user_id),
        p.role.as_str(),
        p.site_id,
        p.display_name,
        p.phone
    ])?;
    Ok(())
}

/// Copy an account onto its user; a changed role, site or name reaches the
/// owner's profile, a deactivation ends every session.
pub(super) fn follow_account(tx: &Connection, a: &Account) -> Result<(), StoreError> {
    const PROFILE: &str = "SELECT id, role, site_id, display_name, phone FROM users WHERE id = ?1";
    let before = tx
        .prepare_cached(PROFILE)?
        .query_row([&a.user_id], profile_row)
        .optional()?
        .map(to_profile)
        .transpose()?
        .ok_or_else(|| StoreError::Invalid(format!("account {} has no user", a.user_id)))?;
    tx.prepare_cached(
        "UPDATE users SET role = ?2, site_id = ?3, display_name = ?4, status = ?5 WHERE id = ?1",
    )?
    .execute(params![
        a.user_id,
        a.role.as_str(),
        a.site_id,
        a.display_name,
        a.status.as_str()
    ])?;
    if a.status == AccountStatus::Deactivated {
        tx.prepare_cached(
            "UPDATE sessions SET revoked_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
             WHERE user_id = ?1 AND revoked_at IS NULL",
        )?
        .execute([&a.user_id])?;
        tx.prepare_cached("DELETE FROM access_codes WHERE user_id = ?1")?
            .execute([&a.user_id])?;
    }
    let after = Profile {
        role: a.role,
        site_id: a.site_id.clone(),
        display_name: a.display_name.clone(),
        ..before.clone()
    };
    if after != before {
        put_record(tx, &Record::Profile(after))?;
    }
    Ok(())
}

/// Note what happened to an account outside the mutation log.
pub(super) fn event(
    tx: &Connection,
    user_id: &str,
    actor_id: Option<&str>,
    event: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO account_events (user_id, actor_id, event, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![user_id, actor_id, event, ts(now)])?;
    Ok(())
}

/// The user whose login or phone is this number.
pub(super) fn phone_holder(c: &Connection, phone: &str) -> Result<Option<String>, StoreError> {
    Ok(
        c.prepare_cached("SELECT id FROM users WHERE phone = ?1 OR login = ?1 LIMIT 1")?
            .query_row([phone], |r| r.get(0))
            .optional()?,
    )
}

pub(super) fn status_of(s: &str) -> Result<AccountStatus, StoreError> {
    AccountStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("account status {s}")))
}

/// Give every user of a schema-1 database its account record.
pub(super) fn backfill_accounts(tx: &Connection) -> Result<(), StoreError> {
    let mut stmt = tx.prepare(
        "SELECT id, role, site_id, display_name, phone, password_hash IS NOT NULL, created_at
         FROM users WHERE id NOT IN (SELECT key FROM entities WHERE kind = 'account')",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                profile_row(r)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (row, has_password, created_at) in rows {
        let profile = to_profile(row)?;
        let account = accounts::backfilled(&profile, has_password, super::parse_ts(&created_at)?);
        put_record(tx, &Record::Account(account))?;
    }
    Ok(())
}
