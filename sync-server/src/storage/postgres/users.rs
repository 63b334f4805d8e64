//! The users table follows the replicated account records (see the SQLite
//! backend's `users` for why): a new profile makes its user once, an
//! account's role, site, name and status are copied onto it, and switching
//! an account off revokes its sessions and open codes.

use chrono::{DateTime, Utc};
use volunteer_domain::{Account, AccountStatus, Profile, Record};

use super::pool::Tx;
use super::principal::to_profile;
use super::records::put_record;
use crate::storage::{StoreError, accounts};

pub(super) fn follow_profile(tx: &mut Tx, district: &str, p: &Profile) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO users (district, id, login, role, site_id, display_name, phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (district, id) DO NOTHING",
        &[
            &district,
            &p.user_id,
            &p.phone.as_deref().unwrap_or(&p.user_id),
            &p.role.as_str(),
            &p.site_id,
            &p.display_name,
            &p.phone,
        ],
    )?;
    Ok(())
}

pub(super) fn follow_account(tx: &mut Tx, district: &str, a: &Account) -> Result<(), StoreError> {
    let before = tx
        .opt(
            "SELECT id, role, site_id, display_name, phone FROM users
             WHERE district = $1 AND id = $2",
            &[&district, &a.user_id],
        )?
        .ok_or_else(|| StoreError::Invalid(format!("account {} has no user", a.user_id)))?;
    let before = to_profile(&before)?;
    tx.exec(
        "UPDATE users SET role = $3, site_id = $4, display_name = $5, status = $6
         WHERE district = $1 AND id = $2",
        &[
            &district,
            &a.user_id,
            &a.role.as_str(),
            &a.site_id,
            &a.display_name,
            &a.status.as_str(),
        ],
    )?;
    if a.status == AccountStatus::Deactivated {
        tx.exec(
            "UPDATE sessions SET revoked_at = now()
             WHERE district = $1 AND user_id = $2 AND revoked_at IS NULL",
            &[&district, &a.user_id],
        )?;
        tx.exec(
            "DELETE FROM access_codes WHERE district = $1 AND user_id = $2",
            &[&district, &a.user_id],
        )?;
    }
    let after = Profile {
        role: a.role,
        site_id: a.site_id.clone(),
        display_name: a.display_name.clone(),
        ..before.clone()
    };
    if after != before {
        put_record(tx, district, &Record::Profile(after))?;
    }
    Ok(())
}

/// The user whose login or phone is this number, in any district (logins
/// are city-wide).
pub(super) fn phone_holder(tx: &mut Tx, phone: &str) -> Result<Option<String>, StoreError> {
    Ok(tx
        .opt(
            "SELECT id FROM users WHERE login = $1
             UNION ALL SELECT id FROM users WHERE phone = $1 LIMIT 1",
            &[&phone],
        )?
        .map(|r| r.get(0)))
}

pub(super) fn event(
    tx: &mut Tx,
    district: &str,
    (user_id, actor_id): (&str, Option<&str>),
    event: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO account_events (district, user_id, actor_id, event, at)
         VALUES ($1, $2, $3, $4, $5)",
        &[&district, &user_id, &actor_id, &event, &now],
    )?;
    Ok(())
}

pub(super) fn status_of(s: &str) -> Result<AccountStatus, StoreError> {
    AccountStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("account status {s}")))
}

/// Give every user of a schema-1 database its account record.
pub(super) fn backfill_accounts(tx: &mut Tx) -> Result<(), StoreError> {
    let rows = tx.query(
        "SELECT u.district, u.id, u.role, u.site_id, u.display_name, u.phone,
                u.password_hash IS NOT NULL AS has_password, u.created_at
         FROM users u
         WHERE NOT EXISTS (SELECT 1 FROM entities e
                           WHERE e.district = u.district AND e.kind = 'account' AND e.key = u.id)",
        &[],
    )?;
    for row in rows {
        let district: String = row.get("district");
        let account = accounts::backfilled(
            &to_profile(&row)?,
            row.get("has_password"),
            row.get("created_at"),
        );
        put_record(tx, &district, &Record::Account(account))?;
    }
    Ok(())
}
