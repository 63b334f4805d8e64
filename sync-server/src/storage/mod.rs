//! The storage interface of the server, and what every backend shares.
//!
//! A backend keeps: users and sessions; per-client sequence state and the
//! log of every received mutation with its outcome; and the entity table,
//! which is at once the current state and the change feed (each row carries
//! the sequence number of its latest change, its scope columns and, for a
//! deletion, no data: a tombstone). Backends are synchronous; the HTTP layer
//! calls them on blocking threads.

pub mod accounts;
pub mod feed;
#[cfg(test)]
mod hours_reads;
pub mod postgres;
pub mod push;
pub mod sqlite;

use chrono::{DateTime, Utc};
use volunteer_domain::{
    Account, AccountStatus, Actor, Kind, Membership, Profile, Record, Role, Site, SyncRequest,
    SyncResponse, mask_phone,
};

pub use accounts::{CodePurpose, IssuedCode, Refusal, StoredCode};

use crate::auth;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {}", postgres_detail(.0))]
    Postgres(#[from] ::postgres::Error),
    /// No PostgreSQL connection could be had in time.
    #[error("database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

/// The server's message and code, or the cause of a failed connection,
/// which `postgres::Error`'s own text hides.
fn postgres_detail(e: &::postgres::Error) -> String {
    match (e.as_db_error(), std::error::Error::source(e)) {
        (Some(db), _) => format!("{} ({})", db.message(), db.code().code()),
        (None, Some(cause)) => format!("{e}: {cause}"),
        (None, None) => e.to_string(),
    }
}

impl From<volunteer_domain::RecordError> for StoreError {
    fn from(e: volunteer_domain::RecordError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Why a sync request as a whole was refused (per-mutation refusals are results).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("expected mutation seq {expected} next")]
    SequenceGap { expected: u64 },
    #[error("mutation seq {seq} was already used for another mutation")]
    SequenceReused { seq: u64 },
    #[error("this client id belongs to another user")]
    ClientMismatch,
    #[error("the server was restored from a backup since this device last synced")]
    EpochChanged,
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

impl From<::postgres::Error> for SyncError {
    fn from(e: ::postgres::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// An authenticated user, with what the rules need to know about them.
#[derive(Debug, Clone)]
pub struct Principal {
    pub profile: Profile,
    pub actor: Actor,
    /// The district the user belongs to, on a backend that partitions by
    /// district (PostgreSQL); every row they read or write is in it.
    pub district: Option<String>,
}

impl Principal {
    /// A user as the rules see them ([`Actor::for_user`]), from what a
    /// backend read about them: their own site's record, if they have one,
    /// and their memberships.
    pub fn new(
        profile: Profile,
        own_site: Option<&Site>,
        memberships: &[Membership],
        district: Option<String>,
    ) -> Principal {
        Principal {
            actor: Actor::for_user(&profile, own_site, memberships),
            profile,
            district,
        }
    }

    /// Fingerprint of what this user may read in the database with this
    /// epoch (who they are, their site, the teams they lead); part of every
    /// cursor, so a change of any of these resets the device.
    pub fn scope_tag(&self, epoch: &str) -> String {
        let led = self.actor.led_teams.join(",");
        auth::fingerprint(&[
            epoch,
            &self.actor.user_id,
            self.actor.role.as_str(),
            self.actor.site_path.as_deref().unwrap_or(""),
            &led,
        ])
    }
}

pub enum AuthOutcome {
    Valid(Box<Principal>),
    Expired,
    Unknown,
    /// The account was switched off: the device resets.
    Disabled,
}

/// What sign-in needs of a login.
#[derive(Debug, Clone)]
pub struct Credential {
    pub user_id: String,
    /// `None` until its owner sets a password.
    pub password_hash: Option<String>,
    pub status: AccountStatus,
}

/// A user to create (seeding, tests, administration).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub login: String,
    /// Argon2 hash; `None` for a user who cannot sign in yet.
    pub password_hash: Option<String>,
    pub role: Role,
    pub site_id: Option<String>,
    pub display_name: String,
    pub phone: Option<String>,
    /// For a user without a site, on a database holding several districts.
    pub district: Option<String>,
}

impl NewUser {
    pub fn new(login: &str, password: Option<&str>, role: Role, display_name: &str) -> NewUser {
        NewUser {
            id: uuid::Uuid::new_v4().to_string(),
            login: login.to_owned(),
            password_hash: password.map(auth::hash_password),
            role,
            site_id: None,
            display_name: display_name.to_owned(),
            phone: None,
            district: None,
        }
    }

    pub fn in_district(mut self, district: &str) -> NewUser {
        self.district = Some(district.to_owned());
        self
    }

    pub fn at_site(mut self, site_id: &str) -> NewUser {
        self.site_id = Some(site_id.to_owned());
        self
    }

    /// The account record of a user made by the operator (seeding, tests):
    /// active if they have a password, else waiting for activation.
    pub fn account(&self, now: DateTime<Utc>) -> Account {
        let active = self.password_hash.is_some();
        Account {
            user_id: self.id.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            site_id: self.site_id.clone(),
            status: if active {
                AccountStatus::Active
            } else {
                AccountStatus::Pending
            },
            phone_masked: self.phone.as_deref().map(mask_phone),
            created_by: None,
            created_at: now,
            activated_at: active.then_some(now),
            consent_at: None,
            consent_version: None,
            changed_by: None,
            changed_at: None,
            reason: None,
        }
    }

    pub fn profile(&self) -> Profile {
        Profile {
            user_id: self.id.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            site_id: self.site_id.clone(),
            phone: self.phone.clone(),
        }
    }
}

pub trait Storage: Send + Sync {
    /// What sign-in needs of a login, if the login exists.
    fn credential(&self, login: &str) -> Result<Option<Credential>, StoreError>;
    fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Profile, StoreError>;
    fn revoke_session(&self, token_hash: &str) -> Result<(), StoreError>;
    fn authenticate(&self, token_hash: &str, now: DateTime<Utc>)
    -> Result<AuthOutcome, StoreError>;
    /// Apply pushed mutations exactly once, then return the next page of changes.
    fn sync(
        &self,
        who: &Principal,
        request: &SyncRequest,
        now: DateTime<Utc>,
    ) -> Result<SyncResponse, SyncError>;

    /// Apply one mutation for a client the server numbers (the console):
    /// exactly once per `id`, by the same rules and log as a push.
    fn submit(
        &self,
        who: &Principal,
        client_id: &str,
        id: &str,
        mutation: volunteer_domain::Mutation,
        now: DateTime<Utc>,
    ) -> Result<volunteer_domain::MutationResult, SyncError>;
    /// Every live record of `kind` that `who` may read (the pull's filter,
    /// without a cursor): what the console shows.
    fn visible(&self, who: &Principal, kind: Kind) -> Result<Vec<Record>, StoreError>;

    // Administration and seeding.
    fn create_users(&self, users: &[NewUser], now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Write records as an administrator would (sites, teams, activities).
    fn put_records(&self, records: &[Record]) -> Result<(), StoreError>;
    /// A volunteer who registers themself (`user` has their password hash
    /// and phone, which is their login), with the version of the terms
    /// they accepted. Refused if the phone is taken.
    fn register(
        &self,
        user: &NewUser,
        consent_version: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Profile, Refusal>, StoreError>;
    /// Store a new one-time code for an account `who` manages (see
    /// [`accounts::code_for`]), replacing any open one.
    fn issue_code(
        &self,
        who: &Principal,
        user_id: &str,
        code: &IssuedCode,
        now: DateTime<Utc>,
    ) -> Result<Result<(Account, CodePurpose), Refusal>, StoreError>;
    /// Whether an account has this phone as its login or phone.
    fn phone_taken(&self, phone: &str) -> Result<bool, StoreError>;
    /// The open code of a login, if any.
    fn access_code(&self, login: &str) -> Result<Option<StoredCode>, StoreError>;
    /// Consume `code` if it is still the open one: set the password,
    /// activate the account (recording consent) and end its sessions.
    /// `false` if it was used or replaced meanwhile.
    fn redeem_code(
        &self,
        code: &StoredCode,
        password_hash: &str,
        consent_version: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Count a wrong guess; the code is void after [`accounts::CODE_ATTEMPTS`].
    fn code_failed(&self, code: &StoredCode, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Change a user's role or site; their devices refetch their new scope.
    fn move_user(&self, user_id: &str, role: Role, site_id: Option<&str>)
    -> Result<(), StoreError>;
    fn user_count(&self) -> Result<u64, StoreError>;
    /// Registered volunteer accounts.
    fn volunteer_count(&self) -> Result<u64, StoreError>;

    /// Draw a new epoch, after the database was restored from a backup:
    /// every device then sends again what it remembers and refetches.
    fn new_epoch(&self) -> Result<String, StoreError>;

    // Inspection (health checks, tests, benchmarks).
    fn health(&self) -> Result<(), StoreError>;
    /// Live records of one kind, by key.
    fn records(&self, kind: Kind) -> Result<Vec<Record>, StoreError>;
    /// Mutations received and decided, over all clients.
    fn mutation_count(&self) -> Result<u64, StoreError>;
}
