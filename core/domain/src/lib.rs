//! Wire types and pure domain rules shared by the device core and the sync server.
//!
//! This crate does no I/O. Each mutation's validation and effect is written once
//! here ([`rules::decide`]) and run by the device for its optimistic apply and by
//! the server for the authoritative one; both read state through the
//! [`rules::State`] trait. The JSON shapes that cross the network live in
//! [`wire`], so client and server cannot drift apart.

pub mod mutation;
pub mod records;
pub mod rules;
pub mod wire;

pub use mutation::{Mutation, MutationEnvelope};
pub use records::{
    Activity, ActivityStatus, Attendance, AttendanceCorrection, Campaign, Donation, Figures, Gift,
    GoodsTotal, HourEntry, HourSource, HourStatus, JoinPolicy, Kind, Membership, MembershipStatus,
    MonthMinutes, Notice, NoticeTopic, OrderContact, OrderCount, OrderStatus, Profile, Record,
    RecordError, Role, Scope, ServiceOrder, Signup, SignupStatus, Site, SiteLevel, Team, TeamRole,
};
pub use rules::{Actor, Decision, Effect, RejectCode, Rejection, State, decide};
pub use wire::{
    ApiError, ApiErrorCode, Change, MutationResult, MutationStatus, PROTOCOL_VERSION,
    SignInRequest, SignInResponse, SyncRequest, SyncResponse,
};
