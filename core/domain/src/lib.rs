//! Wire types and pure domain rules shared by the device core and the sync server.
//!
//! This crate does no I/O. Each mutation's validation and effect is written once
//! here ([`rules::decide`]) and run by the device for its optimistic apply and by
//! the server for the authoritative one; both read state through the
//! [`rules::State`] trait. Who a user is to the rules ([`Actor::for_user`]) and
//! who may read a record ([`Scope::visible_to`]) are defined here once too. The
//! JSON shapes that cross the network live in [`wire`], so client and server
//! cannot drift apart.

#[macro_use]
mod macros;

pub mod actor;
pub mod audit;
pub mod calendar;
pub mod mutation;
pub mod record;
pub mod records;
pub mod rules;
pub mod scope;
pub mod wire;

pub use actor::{Actor, MAX_ID_LEN, is_valid_id};
pub use mutation::{Mutation, MutationEnvelope};
pub use record::{Keyed, Kind, Record, RecordError, pair_key};
pub use records::{
    Account, AccountStatus, Activity, ActivityStatus, Attendance, AttendanceCorrection, Audience,
    Campaign, Distribution, Donation, Figures, Gift, GoodsTotal, HourEntry, HourEvent,
    HourEventKind, HourSource, HourStatus, JoinPolicy, Membership, MembershipStatus, MonthMinutes,
    Notice, NoticeTopic, OrderContact, OrderCount, OrderStatus, PastMembership, Profile, Project,
    Role, ServiceOrder, Signup, SignupStatus, Site, SiteLevel, Team, TeamRole, mask_phone,
    normalize_phone,
};
pub use rules::{Decision, Effect, RejectCode, Rejection, State, decide};
pub use scope::Scope;
pub use wire::{
    ApiError, ApiErrorCode, Change, MutationResult, MutationStatus, PROTOCOL_VERSION,
    SignInRequest, SignInResponse, SyncRequest, SyncResponse,
};
