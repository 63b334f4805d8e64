//! The HTTP+JSON protocol, version 1: request and response bodies, error codes, limits.
//!
//! `docs/protocol.md` describes these shapes; the snapshot tests below pin them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::mutation::MutationEnvelope;
use crate::record::Kind;
use crate::records::Profile;

/// The protocol version this crate speaks; routes are under `/v1/`.
pub const PROTOCOL_VERSION: u32 = 1;
/// The revision of v1 this crate speaks. v1 grows by additions only (new
/// optional fields, mutations, kinds, codes); each side sends its revision
/// in [`REVISION_HEADER`] on every request and response.
///
/// 1: the first release. 2: an unreadable pushed mutation is answered
/// `unsupported`; `complete_order` carries the service time; hour entries
/// carry `due_by`, `late`, `order_id`, `rating`. 3: request bodies may be
/// compressed (`Content-Encoding: zstd` or `gzip`); a page with more to
/// come says how many (`remaining`). 4: the server also speaks cleartext
/// HTTP/2 (prior knowledge) on its port, and answers a client of revision
/// 4 or later in the [`Compact`] form.
pub const PROTOCOL_REVISION: u32 = 4;
/// The first server revision that serves cleartext HTTP/2: a client moves
/// its syncs to it only after hearing this or later.
pub const H2C_SINCE: u32 = 4;
/// The first server revision that decodes compressed request bodies: a
/// client compresses only to a server it has heard speak this or later.
pub const COMPRESSED_REQUESTS_SINCE: u32 = 3;
/// Bodies smaller than this are sent as they are: compression gains
/// nothing on a no-op sync and costs a header.
pub const COMPRESS_ABOVE: usize = 1024;
/// The oldest client revision this server serves; an older client gets
/// 426 `upgrade_required`. A request without the header counts as 1.
pub const MIN_CLIENT_REVISION: u32 = 1;
/// The header that carries [`PROTOCOL_REVISION`].
pub const REVISION_HEADER: &str = "volunteer-revision";
/// Most mutations a client may push in one request.
pub const MAX_PUSH_BATCH: usize = 500;
/// Default and largest number of changes in one pull page.
pub const DEFAULT_PULL_LIMIT: u32 = 1000;
pub const MAX_PULL_LIMIT: u32 = 5000;
/// Largest request body the server reads.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInRequest {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInResponse {
    /// Bearer token for `Authorization: Bearer …`. Only its hash is kept on the server.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub profile: Profile,
}

/// The version of the terms of service and privacy notice an app shows
/// before registration or activation; the server records which one a user
/// accepted and refuses any other.
pub const TERMS_VERSION: &str = "2026-12";

/// Shortest and longest password.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;

/// A volunteer registers themself (`POST /v1/register`); the answer is a
/// session, as for sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub display_name: String,
    /// A mainland mobile number: the login from now on.
    pub phone: String,
    pub password: String,
    /// The [`TERMS_VERSION`] the person read and accepted.
    pub consent_version: String,
}

/// Staff ask for a one-time code for an account they manage
/// (`POST /v1/accounts/code`): an activation code for an account waiting
/// for its owner, a password-reset code for an active one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRequest {
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeResponse {
    pub user_id: String,
    /// `activation` or `reset`.
    pub purpose: String,
    /// Shown once, to be handed to the person; the server keeps its hash.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// The person sets their password with the code (`POST /v1/password`);
/// the answer is a session, and every earlier session ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RedeemRequest {
    pub login: String,
    pub code: String,
    pub password: String,
    /// Needed to activate an account: the [`TERMS_VERSION`] accepted.
    #[serde(default)]
    pub consent_version: Option<String>,
}

/// One round of sync: push what is pending, pull what is new.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncRequest {
    /// Identifies this replica; generated once on the device.
    pub client_id: String,
    /// Opaque cursor from the previous response; absent on first sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Pending mutations in `seq` order, at most [`MAX_PUSH_BATCH`];
    /// absent when none (every server revision reads it so).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mutations: Vec<Pushed>,
    /// How many changes to return at most; the server caps it at [`MAX_PULL_LIMIT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_limit: Option<u32>,
    /// The server epoch the device last heard of. Another one means the
    /// server was restored from a backup: `409 epoch_changed`, nothing
    /// applied, and the device sends again what it remembers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// A pushed mutation as the server reads it. The envelope (`seq`, `id`)
/// always parses; the mutation itself only if this server knows its type
/// and values. One it does not know (an app newer than the server) is
/// answered with that mutation's own rejection (`unsupported`), never with
/// a whole-request error that would fail every later sync of the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Pushed {
    Known(MutationEnvelope),
    Unknown {
        seq: u64,
        id: String,
        #[serde(default)]
        created_at: serde_json::Value,
        #[serde(default)]
        mutation: serde_json::Value,
    },
}

impl Pushed {
    pub fn seq(&self) -> u64 {
        match self {
            Pushed::Known(e) => e.seq,
            Pushed::Unknown { seq, .. } => *seq,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Pushed::Known(e) => &e.id,
            Pushed::Unknown { id, .. } => id,
        }
    }

    /// The mutation's wire name, as far as it can be read.
    pub fn name(&self) -> String {
        match self {
            Pushed::Known(e) => e.mutation.name().to_owned(),
            Pushed::Unknown { mutation, .. } => mutation
                .get("type")
                .and_then(|t| t.as_str())
                .unwrap_or("unknown")
                .chars()
                .take(64)
                .collect(),
        }
    }
}

impl From<MutationEnvelope> for Pushed {
    fn from(e: MutationEnvelope) -> Pushed {
        Pushed::Known(e)
    }
}

/// The answer to a sync. The server sends [`Change`]s; a device reads them
/// as [`ReceivedChange`]s, so a kind it does not know (a server newer than
/// the app) is one change to keep aside, not a page that fails to decode.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncResponse<C = Change> {
    /// One result per pushed mutation, in the same order.
    #[serde(default)]
    pub results: Vec<MutationResult>,
    /// Changes visible to this user after the request's cursor, oldest first.
    #[serde(default = "Vec::new")]
    pub changes: Vec<C>,
    /// Cursor to send next time; covers exactly the changes returned. Empty
    /// when a revision 4 answer left it out: the request's cursor stands.
    #[serde(default)]
    pub cursor: String,
    /// More changes are waiting: pull again with the new cursor.
    #[serde(default)]
    pub has_more: bool,
    /// The user's scope changed (or the cursor is unusable): the device must drop
    /// its replicated records before applying these changes, which start from zero.
    #[serde(default)]
    pub reset: bool,
    /// The changes up to `cursor` include the effects of this client's
    /// mutations through this seq: the device may drop their optimistic
    /// copies. Absent while some of them are not in the feed yet (a page
    /// that is not the last, or, on PostgreSQL, a transaction committed but
    /// not yet below the feed's watermark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_seq: Option<u64>,
    /// On the first page of a download from the start (no cursor, or a
    /// reset) that has more: how many changes visible to this user follow
    /// it in the same snapshot (revision 3), so a device can show the
    /// download's progress. Later changes may add to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    pub server_time: DateTime<Utc>,
    /// The server's epoch: drawn anew when it is restored from a backup.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub epoch: String,
}

/// The first client revision that reads a [`Compact`] answer.
pub const COMPACT_ANSWERS_SINCE: u32 = 4;

/// A sync answer as the server sends it to a client of revision
/// [`COMPACT_ANSWERS_SINCE`] or later: what the client already knows is
/// left out. Empty `results` and `changes`, a false `has_more` or
/// `reset`, and a `cursor` or `epoch` equal to the one the request
/// carried are absent; a no-op sync is then its cursor-less minimum.
/// Older clients get every field ([`SyncResponse`]'s own form).
pub struct Compact<'a, C> {
    pub response: &'a SyncResponse<C>,
    /// The request's cursor and epoch.
    pub cursor: Option<&'a str>,
    pub epoch: Option<&'a str>,
}

impl<C: Serialize> Serialize for Compact<'_, C> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.response;
        let mut m = s.serialize_map(None)?;
        if !r.results.is_empty() {
            m.serialize_entry("results", &r.results)?;
        }
        if !r.changes.is_empty() {
            m.serialize_entry("changes", &r.changes)?;
        }
        if self.cursor != Some(r.cursor.as_str()) {
            m.serialize_entry("cursor", &r.cursor)?;
        }
        if r.has_more {
            m.serialize_entry("has_more", &true)?;
        }
        if r.reset {
            m.serialize_entry("reset", &true)?;
        }
        if let Some(seq) = r.confirmed_seq {
            m.serialize_entry("confirmed_seq", &seq)?;
        }
        if let Some(n) = r.remaining {
            m.serialize_entry("remaining", &n)?;
        }
        m.serialize_entry("server_time", &r.server_time)?;
        if !r.epoch.is_empty() && self.epoch != Some(r.epoch.as_str()) {
            m.serialize_entry("epoch", &r.epoch)?;
        }
        m.end()
    }
}

string_enum! {
    /// What the server did with a pushed mutation.
    pub enum MutationStatus {
        Applied = "applied",
        Rejected = "rejected",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub seq: u64,
    pub status: MutationStatus,
    /// A [`crate::RejectCode`] string when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A changed record (`data` present) or a tombstone (`data` absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: Kind,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// A change as a device reads it: the kind as sent, and the record as its
/// JSON text, which the device decodes once (into its type) and stores as
/// it came.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceivedChange {
    pub kind: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<serde_json::value::RawValue>>,
}

string_enum! {
    /// Machine-readable codes of request-level errors (HTTP 4xx/5xx).
    pub enum ApiErrorCode {
        /// Malformed JSON or a field out of range.
        BadRequest = "bad_request",
        /// Missing, unknown or revoked token, or wrong credentials.
        Unauthorized = "unauthorized",
        /// The token has expired: sign in again (pending changes are kept).
        AuthExpired = "auth_expired",
        /// The client id belongs to another user.
        ClientMismatch = "client_mismatch",
        /// The pushed `seq` values skip ahead of what the server has applied.
        SequenceGap = "sequence_gap",
        /// A pushed `seq` was already used for a different mutation.
        SequenceReused = "sequence_reused",
        UnsupportedProtocol = "unsupported_protocol",
        /// The client is older than the server serves: update the app.
        UpgradeRequired = "upgrade_required",
        /// Too many requests: wait for `Retry-After` seconds.
        RateLimited = "rate_limited",
        /// The server was restored from a backup since the device last
        /// synced: nothing was applied; the device sends again what it
        /// remembers, under a new client id, and refetches.
        EpochChanged = "epoch_changed",
        NotFound = "not_found",
        /// The account was deactivated: the device removes its data.
        AccountDisabled = "account_disabled",
        /// The user may not do this (an account outside their reach).
        Forbidden = "forbidden",
        /// Another account has this phone number.
        PhoneTaken = "phone_taken",
        /// The code is wrong, used or expired.
        InvalidCode = "invalid_code",
        /// The account is in no state for this (deactivated).
        InvalidState = "invalid_state",
        PayloadTooLarge = "payload_too_large",
        Internal = "internal",
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ApiErrorCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_response_snapshot() {
        let r = SyncResponse {
            results: vec![MutationResult {
                seq: 3,
                status: MutationStatus::Rejected,
                code: Some("activity_full".into()),
                message: Some("no places left".into()),
            }],
            changes: vec![Change {
                kind: Kind::Signup,
                key: "a1/v1".into(),
                data: None,
            }],
            cursor: "c".into(),
            remaining: None,
            has_more: false,
            confirmed_seq: Some(2),
            reset: false,
            server_time: "2026-12-01T00:00:00Z".parse().unwrap(),
            epoch: "e1".into(),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"results":[{"seq":3,"status":"rejected","code":"activity_full","message":"no places left"}],"changes":[{"kind":"signup","key":"a1/v1"}],"cursor":"c","has_more":false,"reset":false,"confirmed_seq":2,"server_time":"2026-12-01T00:00:00Z","epoch":"e1"}"#
        );
    }

    #[test]
    fn sync_request_defaults_allow_a_bare_pull() {
        let r: SyncRequest = serde_json::from_str(r#"{"client_id":"c1"}"#).unwrap();
        assert!(r.mutations.is_empty());
        assert!(r.cursor.is_none());
        assert!(r.pull_limit.is_none());
    }

    #[test]
    fn api_error_snapshot() {
        let e = ApiError {
            code: ApiErrorCode::SequenceGap,
            message: "expected seq 4".into(),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"sequence_gap","message":"expected seq 4"}"#
        );
    }
}

/// The decoders every byte from the network goes through, as the fuzz
/// targets (`tests/fuzz`) and their stable replay (`tests/tests/decoders.rs`)
/// call them. Each may refuse its input; none may panic, and whatever
/// decodes encodes to something that decodes to the same.
pub mod decoders {
    use super::*;
    use crate::mutation::MutationEnvelope;
    use crate::record::{Kind, Record};

    fn round_trip<T>(data: &[u8])
    where
        T: serde::de::DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
    {
        if let Ok(v) = serde_json::from_slice::<T>(data) {
            let again: T = serde_json::from_slice(&serde_json::to_vec(&v).expect("encodes"))
                .expect("what decoded once decodes again");
            assert_eq!(v, again, "round trip");
        }
    }

    /// What the server reads from a device. Re-encoded, it names the same
    /// pushed seqs and ids (a mutation the server could not read may read
    /// after re-encoding: duplicate keys collapse, found by the fuzzer).
    pub fn sync_request(data: &[u8]) {
        if let Ok(r) = serde_json::from_slice::<SyncRequest>(data) {
            let again: SyncRequest =
                serde_json::from_slice(&serde_json::to_vec(&r).expect("encodes")).expect("decodes");
            let envelope = |r: &SyncRequest| -> Vec<(u64, String)> {
                r.mutations
                    .iter()
                    .map(|m| (m.seq(), m.id().to_owned()))
                    .collect()
            };
            assert_eq!(envelope(&r), envelope(&again));
        }
    }

    /// What a device reads from the server.
    pub fn sync_response(data: &[u8]) {
        let _ = serde_json::from_slice::<SyncResponse<ReceivedChange>>(data);
        let _ = serde_json::from_slice::<ApiError>(data);
    }

    /// One pushed mutation.
    pub fn mutation(data: &[u8]) {
        round_trip::<MutationEnvelope>(data);
    }

    /// A record of the kind the first byte picks, from the JSON after it.
    pub fn record(data: &[u8]) {
        let Some((first, json)) = data.split_first() else {
            return;
        };
        let kind = Kind::ALL[usize::from(*first) % Kind::ALL.len()];
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else {
            return;
        };
        if let Ok(r) = Record::from_value(kind, value) {
            let again =
                Record::from_value(kind, r.to_value()).expect("what decoded once decodes again");
            assert_eq!(r, again, "round trip");
        }
    }
}
