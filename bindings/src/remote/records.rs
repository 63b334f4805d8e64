//! The replicated records and their enums, as the domain defines them.

use super::DateTime;

pub use volunteer_core::{
    Account, AccountStatus, Activity, ActivityStatus, Attendance, AttendanceCorrection, Audience,
    Campaign, Distribution, Donation, Figures, Gift, GoodsTotal, HourEntry, HourEvent,
    HourEventKind, HourSource, HourStatus, JoinPolicy, Membership, MembershipStatus, MonthMinutes,
    Notice, NoticeTopic, OrderContact, OrderCount, OrderStatus, PastMembership, Profile, Project,
    RejectCode, Role, ServiceOrder, Signup, SignupStatus, Site, SiteLevel, Team, TeamRole,
};

/// Kinds of data, as named in change notifications.
pub type DataKind = volunteer_core::Kind;

#[uniffi::remote(Enum)]
pub enum DataKind {
    Site,
    Team,
    Profile,
    Membership,
    Activity,
    Signup,
    Attendance,
    HourEntry,
    ServiceOrder,
    OrderContact,
    Campaign,
    Donation,
    Figures,
    Notice,
    Account,
    Distribution,
    Project,
}

/// Why a mutation was refused. The string form is stable: apps translate it.
#[uniffi::remote(Enum)]
pub enum RejectCode {
    /// The user's role or scope does not allow this action.
    Forbidden,
    /// A referenced team, activity or volunteer does not exist.
    NotFound,
    /// Every place of the activity is taken.
    ActivityFull,
    /// The activity is cancelled or already over.
    ActivityClosed,
    /// Check-out of a volunteer who was never checked in.
    NotCheckedIn,
    /// An argument is out of range (times, minutes, text length).
    InvalidInput,
    /// A timestamp lies further in the future than the device clock may be trusted.
    ClockSkew,
    /// The record is not in a state that allows this step (say a request
    /// someone else already decided).
    InvalidState,
    /// The activity takes no walk-ins and the volunteer holds no place.
    NotSignedUp,
    /// Too old to record this way (past the late-record limit, or a
    /// leader recording more than 12 hours back).
    TooLate,
    /// The server does not understand the mutation (an app newer than the
    /// server): update the server, or drop the action.
    Unsupported,
    /// The volunteer is already credited for this activity through
    /// attendance: a self-report would count the same time twice.
    AlreadyCredited,
    /// The volunteer would be credited more than 24 hours in one day
    /// (Asia/Shanghai) across all their records.
    DailyLimit,
    /// The volunteer is already credited (or has reported) part of this
    /// time: nobody serves in two places at once.
    HoursOverlap,
    /// The id chosen for a new record belongs to another record (another
    /// author's, another site's): choose a new one.
    IdTaken,
    /// Another account has this phone number (phones are logins).
    PhoneTaken,
    /// A code this side does not know, sent by a newer peer. The rules
    /// never give it; a device shows a rejection with it as is.
    Unknown,
}

/// The four levels of the practice network, from the district down.
#[uniffi::remote(Enum)]
pub enum SiteLevel {
    Center,
    Institute,
    Station,
    Point,
}

#[uniffi::remote(Enum)]
pub enum Role {
    Volunteer,
    /// Staff of one site: acts at that site and every site below it.
    Staff,
    /// District administrator: acts everywhere in the district.
    Admin,
    /// A resident who orders help (and may not be a volunteer).
    Resident,
}

#[uniffi::remote(Record)]
pub struct Site {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: SiteLevel,
    pub name: String,
    /// Materialised path of ids from the root, `/center/institute/…/self/`.
    /// A site is inside another's subtree when its path starts with the other's.
    pub path: String,
    /// Where it is (for service records: the place of service).
    pub address: String,
}

/// How a team takes new members.
#[uniffi::remote(Enum)]
pub enum JoinPolicy {
    /// A join is accepted at once.
    Open,
    /// A join is a request that a team leader or site staff approve or decline.
    Approval,
}

#[uniffi::remote(Record)]
pub struct Team {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub description: String,
    /// Active members.
    pub member_count: u32,
    pub join_policy: JoinPolicy,
}

/// Where a volunteer stands with a team (see `docs/domain.md`).
#[uniffi::remote(Enum)]
pub enum MembershipStatus {
    /// Asked to join a team that approves its members.
    Requested,
    Active,
    /// A leader or staff member said no.
    Declined,
    /// The volunteer took back their request.
    Withdrawn,
    /// The volunteer left.
    Left,
    /// A leader or staff member removed the volunteer.
    Removed,
}

/// A member's role in a team.
#[uniffi::remote(Enum)]
pub enum TeamRole {
    Member,
    /// Decides join requests, removes members, reviews the team's hours.
    Leader,
}

/// The signed-in user's own profile. Only its owner ever receives it.
#[uniffi::remote(Record)]
pub struct Profile {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// The staff member's site; `None` for volunteers and admins.
    pub site_id: Option<String>,
    pub phone: Option<String>,
}

/// A volunteer's relation to a team, kept through every state for history.
#[uniffi::remote(Record)]
pub struct Membership {
    pub team_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// The team's site, kept here so staff of that subtree can read the row.
    pub site_id: String,
    /// When the volunteer joined or asked to join.
    pub joined_at: DateTime,
    pub status: MembershipStatus,
    pub role: TeamRole,
    /// Who made the last decision on it (approve, decline, remove), and when.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime>,
    /// Why it was declined or removed.
    pub reason: Option<String>,
    /// Earlier ends of this relation (left, removed, declined, withdrawn),
    /// oldest first: a new join keeps them instead of overwriting.
    pub history: Vec<PastMembership>,
}

/// How an earlier membership of the same pair ended.
#[uniffi::remote(Record)]
pub struct PastMembership {
    pub status: MembershipStatus,
    pub joined_at: DateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime>,
    pub reason: Option<String>,
}

#[uniffi::remote(Enum)]
pub enum ActivityStatus {
    /// Being prepared; only its organisers see it.
    Draft,
    /// Open for signups.
    Published,
    /// Under way; signups are closed.
    InProgress,
    Finished,
    Cancelled,
}

#[uniffi::remote(Record)]
pub struct Activity {
    pub id: String,
    pub site_id: String,
    /// The organising team, if a team organises it.
    pub team_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime,
    pub ends_at: DateTime,
    pub capacity: u32,
    /// Confirmed signups, maintained by the signup rules; authoritative on the server.
    pub signup_count: u32,
    pub status: ActivityStatus,
    /// Signups close then (and in any case once the activity is under way).
    pub signup_deadline: Option<DateTime>,
    /// A full activity takes further signups on a waitlist.
    pub waitlist: bool,
    pub waitlist_count: u32,
    /// Last waitlist position handed out (first come, first promoted).
    pub waitlist_next: u32,
    pub created_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// Staff may check in volunteers who did not sign up.
    pub walk_ins: bool,
    /// Credited minutes are rounded down to a multiple of this (0: exact).
    pub credit_rounding_minutes: u32,
    /// An urgent call-out ("cloud whistle"): published at once, for `capacity`
    /// responders, closed to responses once they are found.
    pub callout: bool,
    /// It was published at some point: a cancelled draft stays private.
    pub published: bool,
    /// The activity lead (活动负责人): who created it, by name.
    pub lead: Option<String>,
    /// Whom a call-out calls; everyone when empty.
    pub audience: Audience,
    /// The brand project it belongs to, if any.
    pub project_id: Option<String>,
}

/// A signup's place: one of the `capacity` places, or the waitlist.
#[uniffi::remote(Enum)]
pub enum SignupStatus {
    Confirmed,
    Waitlisted,
}

#[uniffi::remote(Record)]
pub struct Signup {
    pub activity_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    pub site_id: String,
    pub signed_up_at: DateTime,
    pub status: SignupStatus,
    /// Waitlist position (1 = first to be promoted); 0 when confirmed.
    pub position: u32,
    /// The activity's organising team: its leaders read the signup.
    pub team_id: Option<String>,
}

/// One volunteer's presence at one activity. Devices that record the same pair
/// merge into this single row: earliest check-in, latest check-out.
#[uniffi::remote(Record)]
pub struct Attendance {
    pub activity_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    pub site_id: String,
    pub checked_in_at: DateTime,
    pub checked_out_at: Option<DateTime>,
    /// The staff member who made the latest change.
    pub recorded_by: String,
    /// Corrections by staff, oldest first. A corrected attendance keeps its
    /// corrected times: later check-ins and check-outs no longer merge into it.
    pub corrections: Vec<AttendanceCorrection>,
    /// The activity's organising team: its leaders read the attendance.
    pub team_id: Option<String>,
}

/// One correction of an attendance, kept for history.
#[uniffi::remote(Record)]
pub struct AttendanceCorrection {
    pub at: DateTime,
    pub by: String,
    pub reason: String,
    pub previous_in: Option<DateTime>,
    pub previous_out: Option<DateTime>,
}

#[uniffi::remote(Enum)]
pub enum HourSource {
    Attendance,
    SelfReport,
    Order,
}

#[uniffi::remote(Enum)]
pub enum HourStatus {
    /// Self-reported, waiting for a reviewer.
    Pending,
    /// Derived from attendance recorded by staff, or approved.
    Confirmed,
    /// A reviewer turned it down, with a reason.
    Rejected,
    /// Replaced by a correction (`superseded_by`); its content is unchanged.
    Superseded,
    /// Its evidence no longer stands (the check-out was cleared, the
    /// activity cancelled, or attendance credits the same time): kept,
    /// with the reason, and counted nowhere.
    Voided,
}

#[uniffi::remote(Record)]
pub struct HourEntry {
    pub id: String,
    pub volunteer_id: String,
    pub activity_id: Option<String>,
    pub site_id: Option<String>,
    pub source: HourSource,
    pub status: HourStatus,
    pub started_at: DateTime,
    pub minutes: u32,
    pub description: String,
    pub recorded_by: String,
    /// The team a self-report is made for; its leaders review it.
    pub team_id: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime>,
    /// Why it was rejected or corrected.
    pub reason: Option<String>,
    /// The entry this one corrects.
    pub corrects: Option<String>,
    /// The entry that corrects this one.
    pub superseded_by: Option<String>,
    /// When the record was made (the recording time the 2021 rules ask for).
    pub recorded_at: Option<DateTime>,
    pub due_by: Option<DateTime>,
    pub late: bool,
    /// The place of service: the site's name and address, as recorded.
    pub place: Option<String>,
    /// The organising unit: the team, else the site, by name, as recorded.
    pub organiser: Option<String>,
    /// The activity lead, by name, as recorded.
    pub lead: Option<String>,
    /// The volunteer's disputes of this record and how each was resolved,
    /// oldest first, and earlier reviews undone by a re-opening.
    pub history: Vec<HourEvent>,
    pub order_id: Option<String>,
    pub rating: Option<u8>,
}

/// One event in an hour entry's history.
#[uniffi::remote(Record)]
pub struct HourEvent {
    pub kind: HourEventKind,
    pub by: String,
    pub at: DateTime,
    pub reason: String,
}

/// What happened to an hour entry besides its review.
#[uniffi::remote(Enum)]
pub enum HourEventKind {
    /// The volunteer disputes the record, saying why.
    Disputed,
    /// A reviewer accepted the dispute (a correction follows).
    DisputeAccepted,
    /// A reviewer turned the dispute down, saying why.
    DisputeRejected,
    /// A reviewer re-opened a rejected report: pending again.
    Reopened,
}

/// Where a resident's order for help stands (see `docs/domain.md`).
#[uniffi::remote(Enum)]
pub enum OrderStatus {
    /// Placed, waiting for a site to dispatch it.
    Submitted,
    /// Offered to a team or a volunteer, who may accept or decline.
    Dispatched,
    Accepted,
    /// The service was given.
    Done,
    /// The resident rated it: closed.
    Rated,
    Cancelled,
}

/// A resident's order for help (点单), dispatched by a site (派单), accepted
/// by a team or volunteer (接单), rated by the resident (评单).
#[uniffi::remote(Record)]
pub struct ServiceOrder {
    pub id: String,
    pub requester_id: String,
    pub requester_name: String,
    /// The site responsible for it (usually the resident's station).
    pub site_id: String,
    pub category: String,
    pub description: String,
    pub desired_at: Option<DateTime>,
    pub status: OrderStatus,
    pub created_at: DateTime,
    pub assignee_team_id: Option<String>,
    pub assignee_volunteer_id: Option<String>,
    pub dispatched_by: Option<String>,
    pub dispatched_at: Option<DateTime>,
    /// Why the last assignee declined.
    pub declined_reason: Option<String>,
    /// Who declined last: they keep reading the order until it is offered
    /// again, so their device learns it is no longer theirs.
    pub declined_by_team_id: Option<String>,
    pub declined_by_volunteer_id: Option<String>,
    pub accepted_at: Option<DateTime>,
    pub done_at: Option<DateTime>,
    /// 1 to 5 stars.
    pub rating: Option<u8>,
    pub comment: Option<String>,
    /// Counts dispatches: each offer has its number, and an answer names the
    /// one it answers.
    pub offer: u32,
    /// Why staff last withdrew or cancelled it, or its assignee released it.
    pub reason: Option<String>,
    /// Staff who placed it for a resident who phoned in.
    pub placed_by: Option<String>,
    pub served_by: Vec<String>,
    /// The brand project it belongs to, if any.
    pub project_id: Option<String>,
}

/// How to reach the resident. The main copy (key: the order id) is read by
/// the resident and the site's staff; while an order is offered or accepted,
/// a second copy (key: `order/assignee`) is read by the assignee only, and is
/// deleted when they decline or the order closes, so the deletion reaches
/// exactly them. Every copy is deleted when the order closes.
#[uniffi::remote(Record)]
pub struct OrderContact {
    pub order_id: String,
    pub requester_id: String,
    pub site_id: String,
    pub phone: String,
    pub address: String,
    /// For an assignee's copy: the team it was offered to.
    pub assignee_team_id: Option<String>,
    /// For an assignee's copy: the volunteer it was offered to.
    pub assignee_volunteer_id: Option<String>,
}

/// Figures of a site's subtree or of a team, computed by the server.
#[uniffi::remote(Record)]
pub struct Figures {
    /// `site/<id>` or `team/<id>`.
    pub key: String,
    pub site_id: Option<String>,
    pub team_id: Option<String>,
    /// Distinct volunteers with an active membership (of the subtree's teams).
    pub volunteers: u32,
    /// Registered volunteer accounts, members of a team or not: on the
    /// district's center only (volunteers belong to no site), 0 elsewhere.
    pub registered_volunteers: u32,
    pub teams: u32,
    /// Confirmed hours of service, in minutes.
    pub confirmed_minutes: u64,
    /// Confirmed minutes per month (`YYYY-MM`, by the service's start), oldest first.
    pub minutes_by_month: Vec<MonthMinutes>,
    /// Attendances recorded: one per volunteer per activity.
    pub person_times: u32,
    /// Service orders by status.
    pub orders: Vec<OrderCount>,
    /// For `project/<id>`: the project.
    pub project_id: Option<String>,
}

#[uniffi::remote(Record)]
pub struct MonthMinutes {
    pub month: String,
    pub minutes: u64,
}

#[uniffi::remote(Record)]
pub struct OrderCount {
    pub status: OrderStatus,
    pub count: u32,
}

/// What a notice is about.
#[uniffi::remote(Enum)]
pub enum NoticeTopic {
    /// A place freed up and the volunteer moved from the waitlist into it.
    PromotedFromWaitlist,
    /// An activity the volunteer signed up for was cancelled.
    ActivityCancelled,
}

/// A message to one volunteer, written by the server when something they
/// did not do themselves changes their plans. Only they receive it.
#[uniffi::remote(Record)]
pub struct Notice {
    /// `topic/subject/volunteer`: one notice per event and volunteer.
    pub id: String,
    pub volunteer_id: String,
    pub topic: NoticeTopic,
    /// The activity (or other record) it is about.
    pub subject_id: String,
    pub message: String,
    pub created_at: DateTime,
    pub read: bool,
}

/// Whom a call-out calls: members of these teams, or volunteers in a team
/// of this site's subtree; both empty, every volunteer.
#[uniffi::remote(Record)]
pub struct Audience {
    pub team_ids: Vec<String>,
    pub site_id: Option<String>,
}
