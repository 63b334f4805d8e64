//! The offline-first device core: a local SQLite replica that works without a
//! network, an outbox of user intents, and the sync client that reconciles
//! both with the sync server.
//!
//! The entry point is [`Replica`]. Local reads and writes are synchronous: each
//! is one SQLite transaction, and a shell calls them off its UI thread. Network
//! work ([`Replica::sign_in`], [`Replica::sign_out`], [`Replica::sync`]) is
//! async and must run on a tokio runtime, which the host (the FFI bindings or a
//! test) owns; SQLite work inside it runs on `spawn_blocking`.

mod autosync;
mod cancel;
mod compact;
mod crash;
mod error;
mod http;
mod inner;
mod model;
mod notify;
mod outbox;
mod queries;
mod replica;
mod schedule;
mod schema;
mod store;
mod sync;

pub use cancel::CancelToken;
pub use error::{Error, Result};
pub use model::{
    AccessCode, ActivityDraft, CallOutDraft, Connectivity, DueKind, DueRecord, HoursReport,
    HoursTotal, OrderQueue, OrderRequest, PendingMutation, RejectedMutation, RosterEntry,
    SyncFailure, SyncOptions, SyncReport, SyncStatus,
};
pub use notify::{ChangeListener, StatusListener, Subscription};
pub use replica::Replica;
pub use schedule::AutoSyncOptions;
pub use volunteer_domain::wire::TERMS_VERSION;
pub use volunteer_domain::{
    Account, AccountStatus, Activity, ActivityStatus, Attendance, AttendanceCorrection, Audience,
    Campaign, Distribution, Donation, Figures, Gift, GoodsTotal, HourEntry, HourEvent,
    HourEventKind, HourSource, HourStatus, JoinPolicy, Kind, Membership, MembershipStatus,
    MonthMinutes, Mutation, Notice, NoticeTopic, OrderContact, OrderCount, OrderStatus,
    PastMembership, Profile, Project, Record, RejectCode, Role, ServiceOrder, Signup, SignupStatus,
    Site, SiteLevel, Team, TeamRole,
};
