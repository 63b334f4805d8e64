//! What every backend decides the same way about accounts outside the
//! mutation path: who may have a one-time code issued, which kind of code
//! an account gets, and how an account looks once registered or activated.
//! Codes and passwords are kept only as Argon2 hashes.

use chrono::{DateTime, Duration, Utc};
use volunteer_domain::rules::may_manage_account;
use volunteer_domain::{Account, AccountStatus, Profile, mask_phone};

use super::{NewUser, Principal};

/// Wrong guesses a code survives.
pub const CODE_ATTEMPTS: u32 = 5;
/// How long an activation code is good for: staff hand it over in person
/// or by phone, and the person may take some days.
pub const ACTIVATION_VALID: Duration = Duration::days(7);
/// How long a password-reset code is good for.
pub const RESET_VALID: Duration = Duration::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// For an account staff made: its owner sets the first password.
    Activation,
    /// For an active account whose owner forgot the password.
    Reset,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Activation => "activation",
            CodePurpose::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<CodePurpose> {
        match s {
            "activation" => Some(CodePurpose::Activation),
            "reset" => Some(CodePurpose::Reset),
            _ => None,
        }
    }

    pub fn valid_for(self) -> Duration {
        match self {
            CodePurpose::Activation => ACTIVATION_VALID,
            CodePurpose::Reset => RESET_VALID,
        }
    }
}

/// A code to store: its hash, and until when it holds.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub code_hash: String,
    pub issued_at: DateTime<Utc>,
}

/// An open code as stored.
#[derive(Debug, Clone)]
pub struct StoredCode {
    pub user_id: String,
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
}

/// Why an account operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    Forbidden,
    /// The account is in no state for this (a deactivated one).
    InvalidState(&'static str),
    PhoneTaken,
}

/// The code `who` may have issued for `account` (at the site with
/// `site_path`): activation while it is pending, reset once active; none
/// for their own account or one switched off.
pub fn code_for(
    who: &Principal,
    account: &Account,
    site_path: Option<&str>,
) -> Result<CodePurpose, Refusal> {
    if account.user_id == who.actor.user_id
        || !may_manage_account(&who.actor, account.role, site_path)
    {
        return Err(Refusal::Forbidden);
    }
    match account.status {
        AccountStatus::Pending => Ok(CodePurpose::Activation),
        AccountStatus::Active => Ok(CodePurpose::Reset),
        AccountStatus::Deactivated => Err(Refusal::InvalidState(
            "the account is deactivated: reactivate it first",
        )),
    }
}

/// The account of a volunteer who registered themself.
pub fn registered(user: &NewUser, consent_version: &str, now: DateTime<Utc>) -> Account {
    Account {
        status: AccountStatus::Active,
        phone_masked: user.phone.as_deref().map(mask_phone),
        activated_at: Some(now),
        consent_at: Some(now),
        consent_version: Some(consent_version.to_owned()),
        ..user.account(now)
    }
}

/// The account once its owner redeemed a code: active, and (for an
/// activation) with the terms they accepted.
pub fn redeemed(
    mut account: Account,
    consent_version: Option<&str>,
    now: DateTime<Utc>,
) -> Account {
    account.status = AccountStatus::Active;
    account.activated_at.get_or_insert(now);
    if let Some(v) = consent_version {
        account.consent_at = Some(now);
        account.consent_version = Some(v.to_owned());
    }
    account
}

/// The account of a user made before accounts were records (a database of
/// schema 1): active if they had a password, else waiting for activation.
pub fn backfilled(profile: &Profile, has_password: bool, created_at: DateTime<Utc>) -> Account {
    Account {
        user_id: profile.user_id.clone(),
        display_name: profile.display_name.clone(),
        role: profile.role,
        site_id: profile.site_id.clone(),
        status: if has_password {
            AccountStatus::Active
        } else {
            AccountStatus::Pending
        },
        phone_masked: profile.phone.as_deref().map(mask_phone),
        created_by: None,
        created_at,
        activated_at: has_password.then_some(created_at),
        consent_at: None,
        consent_version: None,
        changed_by: None,
        changed_at: None,
        reason: None,
    }
}
