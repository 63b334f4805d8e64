//! Storage calls from async test code. A backend blocks (the PostgreSQL
//! client runs its own runtime and refuses to start inside another), so each
//! call runs on a thread of its own, as the server runs them on blocking
//! threads.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use volunteer_domain::{
    Account, Kind, Mutation, MutationResult, Profile, Record, Role, SyncRequest, SyncResponse,
};
use volunteer_sync_server::storage::{
    AuthOutcome, CodePurpose, Credential, IssuedCode, Refusal, StoredCode,
};
use volunteer_sync_server::{NewUser, Principal, Storage, StoreError, SyncError};

pub struct OffRuntime(pub Arc<dyn Storage>);

impl OffRuntime {
    fn call<T: Send>(&self, f: impl FnOnce(&dyn Storage) -> T + Send) -> T {
        let inner = self.0.as_ref();
        std::thread::scope(|s| s.spawn(|| f(inner)).join())
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    }
}

impl Storage for OffRuntime {
    fn credential(&self, login: &str) -> Result<Option<Credential>, StoreError> {
        self.call(|s| s.credential(login))
    }
    fn register(
        &self,
        user: &NewUser,
        consent_version: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Profile, Refusal>, StoreError> {
        self.call(|s| s.register(user, consent_version, now))
    }
    fn issue_code(
        &self,
        who: &Principal,
        user_id: &str,
        code: &IssuedCode,
        now: DateTime<Utc>,
    ) -> Result<Result<(Account, CodePurpose), Refusal>, StoreError> {
        self.call(|s| s.issue_code(who, user_id, code, now))
    }
    fn phone_taken(&self, phone: &str) -> Result<bool, StoreError> {
        self.call(|s| s.phone_taken(phone))
    }
    fn access_code(&self, login: &str) -> Result<Option<StoredCode>, StoreError> {
        self.call(|s| s.access_code(login))
    }
    fn redeem_code(
        &self,
        code: &StoredCode,
        password_hash: &str,
        consent_version: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.call(|s| s.redeem_code(code, password_hash, consent_version, now))
    }
    fn code_failed(&self, code: &StoredCode, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.call(|s| s.code_failed(code, now))
    }
    fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Profile, StoreError> {
        self.call(|s| s.create_session(user_id, token_hash, expires_at, now))
    }
    fn revoke_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.call(|s| s.revoke_session(token_hash))
    }
    fn authenticate(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<AuthOutcome, StoreError> {
        self.call(|s| s.authenticate(token_hash, now))
    }
    fn sync(
        &self,
        who: &Principal,
        request: &SyncRequest,
        now: DateTime<Utc>,
    ) -> Result<SyncResponse, SyncError> {
        self.call(|s| s.sync(who, request, now))
    }
    fn submit(
        &self,
        who: &Principal,
        client_id: &str,
        id: &str,
        mutation: Mutation,
        now: DateTime<Utc>,
    ) -> Result<MutationResult, SyncError> {
        self.call(|s| s.submit(who, client_id, id, mutation, now))
    }
    fn visible(&self, who: &Principal, kind: Kind) -> Result<Vec<Record>, StoreError> {
        self.call(|s| s.visible(who, kind))
    }
    fn create_users(&self, users: &[NewUser], now: DateTime<Utc>) -> Result<(), StoreError> {
        self.call(|s| s.create_users(users, now))
    }
    fn put_records(&self, records: &[Record]) -> Result<(), StoreError> {
        self.call(|s| s.put_records(records))
    }
    fn move_user(
        &self,
        user_id: &str,
        role: Role,
        site_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.call(|s| s.move_user(user_id, role, site_id))
    }
    fn user_count(&self) -> Result<u64, StoreError> {
        self.call(|s| s.user_count())
    }
    fn volunteer_count(&self) -> Result<u64, StoreError> {
        self.call(|s| s.volunteer_count())
    }
    fn new_epoch(&self) -> Result<String, StoreError> {
        self.call(|s| s.new_epoch())
    }
    fn health(&self) -> Result<(), StoreError> {
        self.call(|s| s.health())
    }
    fn records(&self, kind: Kind) -> Result<Vec<Record>, StoreError> {
        self.call(|s| s.records(kind))
    }
    fn mutation_count(&self) -> Result<u64, StoreError> {
        self.call(|s| s.mutation_count())
    }
}
