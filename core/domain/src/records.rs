//! The replicated entities: what a pull delivers and what a mutation's effect writes.
//!
//! Every record has a stable key (`crate::record::Keyed`). Keys of relationship records are
//! natural (`team/volunteer`, `activity/volunteer`), so two devices that record
//! the same fact independently produce the same row and merge instead of
//! duplicating. Who may read each record is in [`crate::scope`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    /// The four levels of the practice network, from the district down.
    pub enum SiteLevel {
        Center = "center",
        Institute = "institute",
        Station = "station",
        Point = "point",
    }
}

string_enum! {
    pub enum Role {
        Volunteer = "volunteer",
        /// Staff of one site: acts at that site and every site below it.
        Staff = "staff",
        /// District administrator: acts everywhere in the district.
        Admin = "admin",
        /// A resident who orders help (and may not be a volunteer).
        Resident = "resident",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: SiteLevel,
    pub name: String,
    /// Materialised path of ids from the root, `/center/institute/…/self/`.
    /// A site is inside another's subtree when its path starts with the other's.
    pub path: String,
    /// Where it is (for service records: the place of service).
    #[serde(default)]
    pub address: String,
}

string_enum! {
    /// How a team takes new members.
    #[derive(Default)]
    pub enum JoinPolicy {
        /// A join is accepted at once.
        #[default]
        Open = "open",
        /// A join is a request that a team leader or site staff approve or decline.
        Approval = "approval",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub description: String,
    /// Active members.
    pub member_count: u32,
    #[serde(default)]
    pub join_policy: JoinPolicy,
}

string_enum! {
    /// Where a volunteer stands with a team (see `docs/domain.md`).
    #[derive(Default)]
    pub enum MembershipStatus {
        /// Asked to join a team that approves its members.
        Requested = "requested",
        #[default]
        Active = "active",
        /// A leader or staff member said no.
        Declined = "declined",
        /// The volunteer took back their request.
        Withdrawn = "withdrawn",
        /// The volunteer left.
        Left = "left",
        /// A leader or staff member removed the volunteer.
        Removed = "removed",
    }
}

string_enum! {
    /// A member's role in a team.
    #[derive(Default)]
    pub enum TeamRole {
        #[default]
        Member = "member",
        /// Decides join requests, removes members, reviews the team's hours.
        Leader = "leader",
    }
}

/// The signed-in user's own profile. Only its owner ever receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// The staff member's site; `None` for volunteers and admins.
    pub site_id: Option<String>,
    pub phone: Option<String>,
}

/// A volunteer's relation to a team, kept through every state for history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub team_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// The team's site, kept here so staff of that subtree can read the row.
    pub site_id: String,
    /// When the volunteer joined or asked to join.
    pub joined_at: DateTime<Utc>,
    #[serde(default)]
    pub status: MembershipStatus,
    #[serde(default)]
    pub role: TeamRole,
    /// Who made the last decision on it (approve, decline, remove), and when.
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was declined or removed.
    #[serde(default)]
    pub reason: Option<String>,
    /// Earlier ends of this relation (left, removed, declined, withdrawn),
    /// oldest first: a new join keeps them instead of overwriting.
    #[serde(default)]
    pub history: Vec<PastMembership>,
}

/// How an earlier membership of the same pair ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastMembership {
    pub status: MembershipStatus,
    pub joined_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl Membership {
    pub fn is_active(&self) -> bool {
        self.status == MembershipStatus::Active
    }
}

string_enum! {
    pub enum ActivityStatus {
        /// Being prepared; only its organisers see it.
        Draft = "draft",
        /// Open for signups.
        Published = "published",
        /// Under way; signups are closed.
        InProgress = "in_progress",
        Finished = "finished",
        Cancelled = "cancelled",
    }
}

impl ActivityStatus {
    /// Volunteers can see it (everything but a draft).
    pub fn is_visible(self) -> bool {
        self != ActivityStatus::Draft
    }

    /// It takes or took place: hours can be credited for it (not a draft,
    /// not cancelled).
    pub fn took_place(self) -> bool {
        !matches!(self, ActivityStatus::Draft | ActivityStatus::Cancelled)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub site_id: String,
    /// The organising team, if a team organises it.
    pub team_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    /// Confirmed signups, maintained by the signup rules; authoritative on the server.
    pub signup_count: u32,
    pub status: ActivityStatus,
    /// Signups close then (and in any case once the activity is under way).
    #[serde(default)]
    pub signup_deadline: Option<DateTime<Utc>>,
    /// A full activity takes further signups on a waitlist.
    #[serde(default)]
    pub waitlist: bool,
    #[serde(default)]
    pub waitlist_count: u32,
    /// Last waitlist position handed out (first come, first promoted).
    #[serde(default)]
    pub waitlist_next: u32,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub cancel_reason: Option<String>,
    /// Staff may check in volunteers who did not sign up.
    #[serde(default = "yes")]
    pub walk_ins: bool,
    /// Credited minutes are rounded down to a multiple of this (0: exact).
    #[serde(default)]
    pub credit_rounding_minutes: u32,
    /// An urgent call-out ("cloud whistle"): published at once, for `capacity`
    /// responders, closed to responses once they are found.
    #[serde(default)]
    pub callout: bool,
    /// It was published at some point: a cancelled draft stays private.
    /// (Absent in records older than the field: they count as published.)
    #[serde(default = "yes")]
    pub published: bool,
    /// The activity lead (活动负责人): who created it, by name.
    #[serde(default)]
    pub lead: Option<String>,
}

pub(crate) fn yes() -> bool {
    true
}

string_enum! {
    /// A signup's place: one of the `capacity` places, or the waitlist.
    #[derive(Default)]
    pub enum SignupStatus {
        #[default]
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signup {
    pub activity_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    pub site_id: String,
    pub signed_up_at: DateTime<Utc>,
    #[serde(default)]
    pub status: SignupStatus,
    /// Waitlist position (1 = first to be promoted); 0 when confirmed.
    #[serde(default)]
    pub position: u32,
    /// The activity's organising team: its leaders read the signup.
    #[serde(default)]
    pub team_id: Option<String>,
}

/// One volunteer's presence at one activity. Devices that record the same pair
/// merge into this single row: earliest check-in, latest check-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    pub activity_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    pub site_id: String,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    /// The staff member who made the latest change.
    pub recorded_by: String,
    /// Corrections by staff, oldest first. A corrected attendance keeps its
    /// corrected times: later check-ins and check-outs no longer merge into it.
    #[serde(default)]
    pub corrections: Vec<AttendanceCorrection>,
    /// The activity's organising team: its leaders read the attendance.
    #[serde(default)]
    pub team_id: Option<String>,
}

/// One correction of an attendance, kept for history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceCorrection {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
    pub previous_in: Option<DateTime<Utc>>,
    pub previous_out: Option<DateTime<Utc>>,
}

string_enum! {
    pub enum HourSource {
        Attendance = "attendance",
        SelfReport = "self_report",
    }
}

string_enum! {
    pub enum HourStatus {
        /// Self-reported, waiting for a reviewer.
        Pending = "pending",
        /// Derived from attendance recorded by staff, or approved.
        Confirmed = "confirmed",
        /// A reviewer turned it down, with a reason.
        Rejected = "rejected",
        /// Replaced by a correction (`superseded_by`); its content is unchanged.
        Superseded = "superseded",
        /// Its evidence no longer stands (the check-out was cleared, the
        /// activity cancelled, or attendance credits the same time): kept,
        /// with the reason, and counted nowhere.
        Voided = "voided",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourEntry {
    pub id: String,
    pub volunteer_id: String,
    pub activity_id: Option<String>,
    pub site_id: Option<String>,
    pub source: HourSource,
    pub status: HourStatus,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
    pub description: String,
    pub recorded_by: String,
    /// The team a self-report is made for; its leaders review it.
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was rejected or corrected.
    #[serde(default)]
    pub reason: Option<String>,
    /// The entry this one corrects.
    #[serde(default)]
    pub corrects: Option<String>,
    /// The entry that corrects this one.
    #[serde(default)]
    pub superseded_by: Option<String>,
    /// When the record was made (the recording time the 2021 rules ask for).
    #[serde(default)]
    pub recorded_at: Option<DateTime<Utc>>,
    /// The place of service: the site's name and address, as recorded.
    #[serde(default)]
    pub place: Option<String>,
    /// The organising unit: the team, else the site, by name, as recorded.
    #[serde(default)]
    pub organiser: Option<String>,
    /// The activity lead, by name, as recorded.
    #[serde(default)]
    pub lead: Option<String>,
    /// The volunteer's disputes of this record and how each was resolved,
    /// oldest first (a correction request under the 2021 rules, art. 13),
    /// and earlier reviews undone by a re-opening.
    #[serde(default)]
    pub history: Vec<HourEvent>,
}

/// One event in an hour entry's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourEvent {
    pub kind: HourEventKind,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

string_enum! {
    /// What happened to an hour entry besides its review.
    pub enum HourEventKind {
        /// The volunteer disputes the record, saying why.
        Disputed = "disputed",
        /// A reviewer accepted the dispute (a correction follows).
        DisputeAccepted = "dispute_accepted",
        /// A reviewer turned the dispute down, saying why.
        DisputeRejected = "dispute_rejected",
        /// A reviewer re-opened a rejected report: pending again.
        Reopened = "reopened",
    }
}

impl HourEntry {
    /// The key of the first entry derived from an attendance of this
    /// (activity, volunteer); see [`Attendance::hours_id`].
    pub fn attendance_key(activity_id: &str, volunteer_id: &str) -> String {
        format!("att/{activity_id}/{volunteer_id}")
    }

    /// Counts towards the volunteer's hours.
    pub fn is_confirmed(&self) -> bool {
        self.status == HourStatus::Confirmed
    }
}

impl Attendance {
    /// The id of the entry this attendance earns now: `att/activity/volunteer`
    /// until it is corrected, `att/activity/volunteer/n` after its n-th
    /// correction (each correction supersedes the entry before it).
    pub fn hours_id(&self) -> String {
        let first = HourEntry::attendance_key(&self.activity_id, &self.volunteer_id);
        match self.corrections.len() {
            0 => first,
            n => format!("{first}/{n}"),
        }
    }
}

string_enum! {
    /// Where a resident's order for help stands (see `docs/domain.md`).
    pub enum OrderStatus {
        /// Placed, waiting for a site to dispatch it.
        Submitted = "submitted",
        /// Offered to a team or a volunteer, who may accept or decline.
        Dispatched = "dispatched",
        Accepted = "accepted",
        /// The service was given.
        Done = "done",
        /// The resident rated it: closed.
        Rated = "rated",
        Cancelled = "cancelled",
    }
}

/// A resident's order for help (点单), dispatched by a site (派单), accepted
/// by a team or volunteer (接单), rated by the resident (评单).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceOrder {
    pub id: String,
    pub requester_id: String,
    pub requester_name: String,
    /// The site responsible for it (usually the resident's station).
    pub site_id: String,
    pub category: String,
    pub description: String,
    pub desired_at: Option<DateTime<Utc>>,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub assignee_team_id: Option<String>,
    pub assignee_volunteer_id: Option<String>,
    pub dispatched_by: Option<String>,
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Why the last assignee declined.
    pub declined_reason: Option<String>,
    /// Who declined last: they keep reading the order until it is offered
    /// again, so their device learns it is no longer theirs.
    #[serde(default)]
    pub declined_by_team_id: Option<String>,
    #[serde(default)]
    pub declined_by_volunteer_id: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// 1 to 5 stars.
    pub rating: Option<u8>,
    pub comment: Option<String>,
    /// Counts dispatches: each offer has its number, and an answer names the
    /// one it answers.
    #[serde(default)]
    pub offer: u32,
    /// Why staff last withdrew or cancelled it, or its assignee released it.
    #[serde(default)]
    pub reason: Option<String>,
    /// Staff who placed it for a resident who phoned in.
    #[serde(default)]
    pub placed_by: Option<String>,
}

/// How to reach the resident. The main copy (key: the order id) is read by
/// the resident and the site's staff; while an order is offered or accepted,
/// a second copy (key: `order/assignee`) is read by the assignee only, and is
/// deleted when they decline or the order closes, so the deletion reaches
/// exactly them. Every copy is deleted when the order closes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl OrderContact {
    /// The key of a copy: the order id, plus the assignee for theirs.
    pub fn copy_key(order_id: &str, team: Option<&str>, volunteer: Option<&str>) -> String {
        match (team, volunteer) {
            (Some(t), _) => format!("{order_id}/team/{t}"),
            (None, Some(v)) => format!("{order_id}/volunteer/{v}"),
            (None, None) => order_id.to_owned(),
        }
    }

    pub fn is_assignee_copy(&self) -> bool {
        self.assignee_team_id.is_some() || self.assignee_volunteer_id.is_some()
    }
}

/// A donation drive, with its running totals (public).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    pub site_id: String,
    pub name: String,
    /// Money received, in fen (1/100 yuan).
    pub money_fen: u64,
    /// Goods received, summed per item and unit.
    pub goods: Vec<GoodsTotal>,
    pub donation_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodsTotal {
    pub item: String,
    pub unit: String,
    pub quantity: u64,
}

/// What was given: an amount of money or a quantity of goods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Gift {
    Money {
        fen: u64,
    },
    Goods {
        item: String,
        quantity: u32,
        unit: String,
    },
}

/// One donation, as recorded by staff. Read by staff of its site and above
/// only: donors' names are not published (Charity Law art. 82).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Donation {
    pub id: String,
    pub campaign_id: Option<String>,
    pub site_id: String,
    /// `None`: anonymous.
    pub donor_name: Option<String>,
    pub gift: Gift,
    pub received_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// Figures of a site's subtree or of a team, computed by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// `site/<id>` or `team/<id>`.
    pub key: String,
    pub site_id: Option<String>,
    pub team_id: Option<String>,
    /// Distinct volunteers with an active membership (of the subtree's teams).
    pub volunteers: u32,
    /// Registered volunteer accounts, members of a team or not: on the
    /// district's center only (volunteers belong to no site), 0 elsewhere.
    #[serde(default)]
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthMinutes {
    pub month: String,
    pub minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderCount {
    pub status: OrderStatus,
    pub count: u32,
}

string_enum! {
    /// What a notice is about.
    pub enum NoticeTopic {
        /// A place freed up and the volunteer moved from the waitlist into it.
        PromotedFromWaitlist = "promoted_from_waitlist",
        /// An activity the volunteer signed up for was cancelled.
        ActivityCancelled = "activity_cancelled",
    }
}

/// A message to one volunteer, written by the server when something they
/// did not do themselves changes their plans. Only they receive it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// `topic/subject/volunteer`: one notice per event and volunteer.
    pub id: String,
    pub volunteer_id: String,
    pub topic: NoticeTopic,
    /// The activity (or other record) it is about.
    pub subject_id: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub read: bool,
}
