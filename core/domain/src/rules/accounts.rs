//! Accounts: staff make them for people who will not register themselves,
//! move them between sites and roles, and switch them off and on.
//!
//! Who manages an account ([`may_manage_account`]) is one rule, also used
//! by the server for activation and reset codes: an admin manages every
//! account; staff manage volunteers' and residents' accounts of their
//! subtree, and staff accounts strictly below their own site (never a
//! colleague's at the same site, never a superior's); nobody manages their
//! own. Admin accounts are made by the server's operator, never here.

use chrono::{DateTime, Utc};

use super::*;
use crate::records::{Account, AccountStatus, Profile, mask_phone, normalize_phone};

const NAME: usize = 50;

/// Whether `actor` may manage an account of `role` at the site with path
/// `site_path` (`None`: an account without a site).
pub fn may_manage_account(actor: &Actor, role: Role, site_path: Option<&str>) -> bool {
    match (actor.role, role) {
        (Role::Admin, _) => true,
        (Role::Staff, Role::Staff) => match (actor.site_path.as_deref(), site_path) {
            (Some(own), Some(p)) => p.starts_with(own) && p != own,
            _ => false,
        },
        (Role::Staff, Role::Volunteer | Role::Resident) => {
            site_path.is_some_and(|p| actor.may_manage(p))
        }
        _ => false,
    }
}

/// The path of an optional site, or the decision to give when it is absent.
fn path_of<S: State>(
    s: &mut S,
    site_id: Option<&str>,
) -> Result<Result<Option<String>, Decision>, S::Error> {
    let Some(id) = site_id else {
        return Ok(Ok(None));
    };
    Ok(match get_site(s, id)? {
        Some(site) => Ok(Some(site.path)),
        None => Err(missing(s, "site")),
    })
}

/// Refuse unless `actor` manages the account `(role, site)`; a device
/// that has not pulled its staff user's own site defers.
fn manage<S: State>(
    s: &mut S,
    actor: &Actor,
    (role, site_id): (Role, Option<&str>),
) -> Result<Result<(), Decision>, S::Error> {
    let path = match path_of(s, site_id)? {
        Ok(p) => p,
        Err(d) => return Ok(Err(d)),
    };
    if may_manage_account(actor, role, path.as_deref()) {
        return Ok(Ok(()));
    }
    if actor.role == Role::Staff && actor.site_path.is_none() && !s.authoritative() {
        return Ok(Err(Decision::Defer));
    }
    Ok(Err(reject(
        RejectCode::Forbidden,
        "you manage volunteers' accounts of your sites and staff accounts below your own site",
    )))
}

fn assignable(role: Role, site_id: Option<&str>) -> Option<Decision> {
    match (role, site_id) {
        (Role::Admin, _) => Some(reject(
            RejectCode::InvalidInput,
            "admin accounts are made by the server's operator",
        )),
        (Role::Staff, None) => Some(reject(
            RejectCode::InvalidInput,
            "a staff account belongs to a site",
        )),
        _ => None,
    }
}

fn get_account<S: State>(s: &mut S, user_id: &str) -> Result<Option<Account>, S::Error> {
    Ok(match s.get(Kind::Account, user_id)? {
        Some(Record::Account(a)) => Some(a),
        _ => None,
    })
}

pub(super) struct NewAccount<'a> {
    pub user_id: &'a str,
    pub role: Role,
    pub site_id: &'a str,
    pub display_name: &'a str,
    pub phone: &'a str,
}

pub(super) fn create_account<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    a: NewAccount<'_>,
) -> Result<Decision, S::Error> {
    if let Some(d) = assignable(a.role, Some(a.site_id)) {
        return Ok(d);
    }
    let name = a.display_name.trim();
    if !(1..=NAME).contains(&name.chars().count()) {
        return Ok(reject(
            RejectCode::InvalidInput,
            "a name of 1 to 50 characters",
        ));
    }
    let Some(phone) = normalize_phone(a.phone) else {
        return Ok(reject(
            RejectCode::InvalidInput,
            "phone must be a mainland mobile number (11 digits, starting 13 to 19)",
        ));
    };
    if let Err(d) = manage(s, actor, (a.role, Some(a.site_id)))? {
        return Ok(d);
    }
    if let Some(existing) = get_account(s, a.user_id)? {
        let same = existing.created_by.as_deref() == Some(actor.user_id.as_str())
            && existing.site_id.as_deref() == Some(a.site_id)
            && existing.display_name == name;
        return Ok(if same {
            Decision::Apply(vec![]) // the same account, resent
        } else {
            reject(RejectCode::IdTaken, "user id already taken")
        });
    }
    if s.phone_holder(&phone)?
        .is_some_and(|holder| holder != a.user_id)
    {
        return Ok(reject(
            RejectCode::PhoneTaken,
            "an account with this phone number exists",
        ));
    }
    let profile = Profile {
        user_id: a.user_id.to_owned(),
        display_name: name.to_owned(),
        role: a.role,
        site_id: Some(a.site_id.to_owned()),
        phone: Some(phone.clone()),
    };
    let account = Account {
        user_id: a.user_id.to_owned(),
        display_name: name.to_owned(),
        role: a.role,
        site_id: Some(a.site_id.to_owned()),
        status: AccountStatus::Pending,
        phone_masked: Some(mask_phone(&phone)),
        created_by: Some(actor.user_id.clone()),
        created_at: now,
        activated_at: None,
        consent_at: None,
        consent_version: None,
        changed_by: None,
        changed_at: None,
        reason: None,
    };
    // The profile first: the server makes the user from it.
    Ok(Decision::Apply(vec![
        Effect::Put(Record::Profile(profile)),
        Effect::Put(Record::Account(account)),
    ]))
}

/// The account `user_id`, if `actor` may manage it as it is now.
fn managed<S: State>(
    s: &mut S,
    actor: &Actor,
    user_id: &str,
) -> Result<Result<Account, Decision>, S::Error> {
    if user_id == actor.user_id {
        return Ok(Err(reject(
            RejectCode::Forbidden,
            "someone else changes your own account",
        )));
    }
    let Some(account) = get_account(s, user_id)? else {
        return Ok(Err(missing(s, "account")));
    };
    if let Err(d) = manage(s, actor, (account.role, account.site_id.as_deref()))? {
        return Ok(Err(d));
    }
    Ok(Ok(account))
}

fn reason_ok(reason: &str) -> bool {
    (1..=MAX_DESCRIPTION_CHARS).contains(&reason.trim().chars().count())
}

pub(super) fn assign_account<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (user_id, role, site_id): (&str, Role, Option<&str>),
    reason: &str,
) -> Result<Decision, S::Error> {
    if let Some(d) = assignable(role, site_id) {
        return Ok(d);
    }
    if !reason_ok(reason) {
        return Ok(why_needed());
    }
    let mut account = match managed(s, actor, user_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    // Where it goes must be theirs to manage too: nobody moves an account
    // out of reach of those who manage it, or into a rank they could not make.
    if let Err(d) = manage(s, actor, (role, site_id))? {
        return Ok(d);
    }
    if account.role == role && account.site_id.as_deref() == site_id {
        return Ok(Decision::Apply(vec![]));
    }
    account.role = role;
    account.site_id = site_id.map(str::to_owned);
    Ok(changed(account, actor, now, Some(reason)))
}

/// The account as `actor` changed it, saying why: its one effect.
fn changed(
    mut account: Account,
    actor: &Actor,
    now: DateTime<Utc>,
    reason: Option<&str>,
) -> Decision {
    account.changed_by = Some(actor.user_id.clone());
    account.changed_at = Some(now);
    account.reason = reason.map(|r| r.trim().to_owned());
    Decision::Apply(vec![Effect::Put(Record::Account(account))])
}

fn why_needed() -> Decision {
    reject(RejectCode::InvalidInput, "say why (1 to 500 characters)")
}

pub(super) fn set_account_active<S: State>(
    s: &mut S,
    actor: &Actor,
    now: DateTime<Utc>,
    (user_id, active): (&str, bool),
    reason: Option<&str>,
) -> Result<Decision, S::Error> {
    if !active && !reason.is_some_and(reason_ok) {
        return Ok(why_needed());
    }
    let mut account = match managed(s, actor, user_id)? {
        Ok(a) => a,
        Err(d) => return Ok(d),
    };
    let status = match (active, account.status) {
        (false, AccountStatus::Deactivated)
        | (true, AccountStatus::Active | AccountStatus::Pending) => {
            return Ok(Decision::Apply(vec![]));
        }
        (false, _) => AccountStatus::Deactivated,
        // Active again only if its owner ever set a password.
        (true, _) if account.activated_at.is_some() => AccountStatus::Active,
        (true, _) => AccountStatus::Pending,
    };
    account.status = status;
    Ok(changed(account, actor, now, reason))
}
