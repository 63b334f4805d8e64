//! Records and enums as Kotlin and Swift see them, and their conversions
//! from the core's types. Timestamps are `SystemTime`: `java.time.Instant` in
//! Kotlin, `Date` in Swift.

use chrono::{DateTime, Utc};
use std::time::SystemTime;
use volunteer_core as core;

pub(crate) fn time(t: DateTime<Utc>) -> SystemTime {
    SystemTime::from(t)
}

pub(crate) fn chrono(t: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(t)
}

/// What a user is, and so what they may do and see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    /// Acts for themself.
    Volunteer,
    /// Acts at their site and every site below it.
    Staff,
    /// Acts everywhere in the district.
    Admin,
    /// Orders help; may not be a volunteer.
    Resident,
}

impl From<core::Role> for Role {
    fn from(r: core::Role) -> Self {
        match r {
            core::Role::Volunteer => Role::Volunteer,
            core::Role::Staff => Role::Staff,
            core::Role::Admin => Role::Admin,
            core::Role::Resident => Role::Resident,
        }
    }
}

/// The four levels of the practice network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SiteLevel {
    /// The district's practice center (中心).
    Center,
    /// A sub-district's practice institute (所).
    Institute,
    /// A community's practice station (站).
    Station,
    /// A practice point (点).
    Point,
}

impl From<core::SiteLevel> for SiteLevel {
    fn from(l: core::SiteLevel) -> Self {
        match l {
            core::SiteLevel::Center => SiteLevel::Center,
            core::SiteLevel::Institute => SiteLevel::Institute,
            core::SiteLevel::Station => SiteLevel::Station,
            core::SiteLevel::Point => SiteLevel::Point,
        }
    }
}

/// Kinds of data, as named in change notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DataKind {
    /// Sites of the network.
    Site,
    /// Teams.
    Team,
    /// The signed-in user's profile.
    Profile,
    /// Team memberships.
    Membership,
    /// Activities.
    Activity,
    /// Signups for activities.
    Signup,
    /// Check-ins and check-outs.
    Attendance,
    /// Hour entries.
    HourEntry,
    /// Residents' orders for help.
    ServiceOrder,
    /// Residents' contacts for orders.
    OrderContact,
    /// Donation campaigns and their totals.
    Campaign,
    /// Donations.
    Donation,
    /// Figures computed by the server.
    Figures,
    /// The volunteer's notices.
    Notice,
}

impl From<core::Kind> for DataKind {
    fn from(k: core::Kind) -> Self {
        match k {
            core::Kind::Site => DataKind::Site,
            core::Kind::Team => DataKind::Team,
            core::Kind::Profile => DataKind::Profile,
            core::Kind::Membership => DataKind::Membership,
            core::Kind::Activity => DataKind::Activity,
            core::Kind::Signup => DataKind::Signup,
            core::Kind::Attendance => DataKind::Attendance,
            core::Kind::HourEntry => DataKind::HourEntry,
            core::Kind::ServiceOrder => DataKind::ServiceOrder,
            core::Kind::OrderContact => DataKind::OrderContact,
            core::Kind::Campaign => DataKind::Campaign,
            core::Kind::Donation => DataKind::Donation,
            core::Kind::Figures => DataKind::Figures,
            core::Kind::Notice => DataKind::Notice,
        }
    }
}

/// Why the rules refused an action. Apps translate these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RejectCode {
    /// The user's role or sites do not allow it.
    Forbidden,
    /// The team, activity or volunteer does not exist.
    NotFound,
    /// Every place is taken.
    ActivityFull,
    /// The activity is cancelled or over.
    ActivityClosed,
    /// Check-out without a check-in.
    NotCheckedIn,
    /// An argument is out of range.
    InvalidInput,
    /// The device clock is too far ahead of the server's.
    ClockSkew,
    /// The record is not in a state that allows this (say a request someone
    /// else already decided).
    InvalidState,
    /// The activity takes no walk-ins and the volunteer holds no place.
    NotSignedUp,
    /// A code this app version does not know (from a newer server).
    Unknown,
}

impl From<core::RejectCode> for RejectCode {
    fn from(c: core::RejectCode) -> Self {
        match c {
            core::RejectCode::Forbidden => RejectCode::Forbidden,
            core::RejectCode::NotFound => RejectCode::NotFound,
            core::RejectCode::ActivityFull => RejectCode::ActivityFull,
            core::RejectCode::ActivityClosed => RejectCode::ActivityClosed,
            core::RejectCode::NotCheckedIn => RejectCode::NotCheckedIn,
            core::RejectCode::InvalidInput => RejectCode::InvalidInput,
            core::RejectCode::ClockSkew => RejectCode::ClockSkew,
            core::RejectCode::InvalidState => RejectCode::InvalidState,
            core::RejectCode::NotSignedUp => RejectCode::NotSignedUp,
            core::RejectCode::Unknown => RejectCode::Unknown,
        }
    }
}


/// The signed-in user.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Profile {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// The staff member's site; absent for volunteers and admins.
    pub site_id: Option<String>,
    pub phone: Option<String>,
}

impl From<core::Profile> for Profile {
    fn from(p: core::Profile) -> Self {
        Profile {
            user_id: p.user_id,
            display_name: p.display_name,
            role: p.role.into(),
            site_id: p.site_id,
            phone: p.phone,
        }
    }
}

/// A site of the practice network.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Site {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: SiteLevel,
    pub name: String,
}

impl From<core::Site> for Site {
    fn from(s: core::Site) -> Self {
        Site {
            id: s.id,
            parent_id: s.parent_id,
            level: s.level.into(),
            name: s.name,
        }
    }
}

/// A volunteer team, hosted at a site.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Team {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub description: String,
    /// Active members.
    pub member_count: u32,
    /// Whether a join needs a leader's approval.
    pub needs_approval: bool,
}

impl From<core::Team> for Team {
    fn from(t: core::Team) -> Self {
        Team {
            id: t.id,
            site_id: t.site_id,
            name: t.name,
            description: t.description,
            member_count: t.member_count,
            needs_approval: t.join_policy == core::JoinPolicy::Approval,
        }
    }
}

/// Where a volunteer stands with a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MembershipStatus {
    /// Waiting for a leader's decision.
    Requested,
    /// A member.
    Active,
    /// A leader or staff member said no.
    Declined,
    /// The volunteer took the request back.
    Withdrawn,
    /// The volunteer left.
    Left,
    /// A leader or staff member removed the volunteer.
    Removed,
}

impl From<core::MembershipStatus> for MembershipStatus {
    fn from(s: core::MembershipStatus) -> Self {
        use core::MembershipStatus as S;
        match s {
            S::Requested => MembershipStatus::Requested,
            S::Active => MembershipStatus::Active,
            S::Declined => MembershipStatus::Declined,
            S::Withdrawn => MembershipStatus::Withdrawn,
            S::Left => MembershipStatus::Left,
            S::Removed => MembershipStatus::Removed,
        }
    }
}

/// A member's role in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TeamRole {
    /// A member.
    Member,
    /// Decides join requests and removes members.
    Leader,
}

impl From<core::TeamRole> for TeamRole {
    fn from(r: core::TeamRole) -> Self {
        match r {
            core::TeamRole::Member => TeamRole::Member,
            core::TeamRole::Leader => TeamRole::Leader,
        }
    }
}

impl From<TeamRole> for core::TeamRole {
    fn from(r: TeamRole) -> Self {
        match r {
            TeamRole::Member => core::TeamRole::Member,
            TeamRole::Leader => core::TeamRole::Leader,
        }
    }
}

/// Where an activity is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
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

impl From<core::ActivityStatus> for ActivityStatus {
    fn from(s: core::ActivityStatus) -> Self {
        use core::ActivityStatus as S;
        match s {
            S::Draft => ActivityStatus::Draft,
            S::Published => ActivityStatus::Published,
            S::InProgress => ActivityStatus::InProgress,
            S::Finished => ActivityStatus::Finished,
            S::Cancelled => ActivityStatus::Cancelled,
        }
    }
}

/// An activity volunteers sign up for.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Activity {
    pub id: String,
    pub site_id: String,
    pub team_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
    pub capacity: u32,
    /// Places taken.
    pub signup_count: u32,
    pub status: ActivityStatus,
    /// Signups close then (and at the start in any case).
    pub signup_deadline: Option<SystemTime>,
    /// Whether a full activity takes signups on a waitlist.
    pub waitlist: bool,
    pub waitlist_count: u32,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Whether staff may check in volunteers who did not sign up.
    pub walk_ins: bool,
    /// An urgent call-out: `capacity` responders wanted; closed when found.
    pub callout: bool,
}

impl From<core::Activity> for Activity {
    fn from(a: core::Activity) -> Self {
        Activity {
            id: a.id,
            site_id: a.site_id,
            team_id: a.team_id,
            title: a.title,
            description: a.description,
            starts_at: time(a.starts_at),
            ends_at: time(a.ends_at),
            capacity: a.capacity,
            signup_count: a.signup_count,
            status: a.status.into(),
            signup_deadline: a.signup_deadline.map(time),
            waitlist: a.waitlist,
            waitlist_count: a.waitlist_count,
            cancel_reason: a.cancel_reason,
            walk_ins: a.walk_ins,
            callout: a.callout,
        }
    }
}

/// A new activity, as its organiser fills it in.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ActivityDraft {
    pub site_id: String,
    /// The organising team; a leader drafts for their own team.
    pub team_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
    pub capacity: u32,
    pub signup_deadline: Option<SystemTime>,
    pub waitlist: bool,
    /// Whether staff may check in volunteers who did not sign up.
    pub walk_ins: bool,
    /// Round credited minutes down to a multiple of this (0, 5, 10, 15, 30, 60).
    pub credit_rounding_minutes: u32,
}

impl From<ActivityDraft> for core::ActivityDraft {
    fn from(d: ActivityDraft) -> Self {
        core::ActivityDraft {
            site_id: d.site_id,
            team_id: d.team_id,
            title: d.title,
            description: d.description,
            starts_at: chrono(d.starts_at),
            ends_at: chrono(d.ends_at),
            capacity: d.capacity,
            signup_deadline: d.signup_deadline.map(chrono),
            waitlist: d.waitlist,
            walk_ins: d.walk_ins,
            credit_rounding_minutes: d.credit_rounding_minutes,
        }
    }
}

/// A volunteer's membership of a team, or their request to join it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Membership {
    pub team_id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// When they joined or asked to join.
    pub joined_at: SystemTime,
    pub status: MembershipStatus,
    pub role: TeamRole,
    /// Why it was declined or removed.
    pub reason: Option<String>,
    /// When it was last decided (approved, declined, removed, left).
    pub decided_at: Option<SystemTime>,
}

impl From<core::Membership> for Membership {
    fn from(m: core::Membership) -> Self {
        Membership {
            team_id: m.team_id,
            volunteer_id: m.volunteer_id,
            volunteer_name: m.volunteer_name,
            joined_at: time(m.joined_at),
            status: m.status.into(),
            role: m.role.into(),
            reason: m.reason,
            decided_at: m.decided_at.map(time),
        }
    }
}

/// The user's signup for an activity: a place, or a spot on the waitlist.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Signup {
    pub activity_id: String,
    pub signed_up_at: SystemTime,
    /// Waiting for a place rather than holding one.
    pub waitlisted: bool,
    /// Waitlist position (1 = next to be promoted); 0 when holding a place.
    pub position: u32,
}

impl From<core::Signup> for Signup {
    fn from(s: core::Signup) -> Self {
        Signup {
            activity_id: s.activity_id,
            signed_up_at: time(s.signed_up_at),
            waitlisted: s.status == core::SignupStatus::Waitlisted,
            position: s.position,
        }
    }
}

/// One line of an activity's roster.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RosterEntry {
    pub volunteer_id: String,
    pub volunteer_name: String,
    /// Holds a place.
    pub signed_up: bool,
    /// Waiting for a place: position on the waitlist.
    pub waitlist_position: Option<u32>,
    pub checked_in_at: Option<SystemTime>,
    pub checked_out_at: Option<SystemTime>,
}

impl From<core::RosterEntry> for RosterEntry {
    fn from(r: core::RosterEntry) -> Self {
        RosterEntry {
            volunteer_id: r.volunteer_id,
            volunteer_name: r.volunteer_name,
            signed_up: r.signed_up,
            waitlist_position: r.waitlist_position,
            checked_in_at: r.checked_in_at.map(time),
            checked_out_at: r.checked_out_at.map(time),
        }
    }
}

/// One correction of an attendance, kept for history.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AttendanceCorrection {
    pub at: SystemTime,
    /// The staff member who made it.
    pub by: String,
    pub reason: String,
    pub previous_in: Option<SystemTime>,
    pub previous_out: Option<SystemTime>,
}

/// A volunteer's presence at an activity, as recorded by staff.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AttendanceRecord {
    pub activity_id: String,
    pub checked_in_at: SystemTime,
    pub checked_out_at: Option<SystemTime>,
    /// Oldest first; empty when never corrected.
    pub corrections: Vec<AttendanceCorrection>,
}

impl From<core::Attendance> for AttendanceRecord {
    fn from(a: core::Attendance) -> Self {
        AttendanceRecord {
            activity_id: a.activity_id,
            checked_in_at: time(a.checked_in_at),
            checked_out_at: a.checked_out_at.map(time),
            corrections: a
                .corrections
                .into_iter()
                .map(|c| AttendanceCorrection {
                    at: time(c.at),
                    by: c.by,
                    reason: c.reason,
                    previous_in: c.previous_in.map(time),
                    previous_out: c.previous_out.map(time),
                })
                .collect(),
        }
    }
}

/// Where a resident's order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OrderStatus {
    /// Waiting for a site to dispatch it.
    Submitted,
    /// Offered to a team or volunteer.
    Dispatched,
    Accepted,
    /// The service was given; waiting for the resident's rating.
    Done,
    /// Rated: closed.
    Rated,
    Cancelled,
}

impl From<core::OrderStatus> for OrderStatus {
    fn from(s: core::OrderStatus) -> Self {
        use core::OrderStatus as S;
        match s {
            S::Submitted => OrderStatus::Submitted,
            S::Dispatched => OrderStatus::Dispatched,
            S::Accepted => OrderStatus::Accepted,
            S::Done => OrderStatus::Done,
            S::Rated => OrderStatus::Rated,
            S::Cancelled => OrderStatus::Cancelled,
        }
    }
}

/// A resident's order for help, through its closed loop.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ServiceOrder {
    pub id: String,
    pub requester_name: String,
    pub site_id: String,
    pub category: String,
    pub description: String,
    pub desired_at: Option<SystemTime>,
    pub status: OrderStatus,
    pub created_at: SystemTime,
    pub assignee_team_id: Option<String>,
    pub assignee_volunteer_id: Option<String>,
    /// Why the last assignee declined.
    pub declined_reason: Option<String>,
    /// 1 to 5 stars, once rated.
    pub rating: Option<u8>,
    pub comment: Option<String>,
}

impl From<core::ServiceOrder> for ServiceOrder {
    fn from(o: core::ServiceOrder) -> Self {
        ServiceOrder {
            id: o.id,
            requester_name: o.requester_name,
            site_id: o.site_id,
            category: o.category,
            description: o.description,
            desired_at: o.desired_at.map(time),
            status: o.status.into(),
            created_at: time(o.created_at),
            assignee_team_id: o.assignee_team_id,
            assignee_volunteer_id: o.assignee_volunteer_id,
            declined_reason: o.declined_reason,
            rating: o.rating,
            comment: o.comment,
        }
    }
}

/// How to reach the resident of an order (only for those who need it).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderContact {
    pub order_id: String,
    pub phone: String,
    pub address: String,
}

impl From<core::OrderContact> for OrderContact {
    fn from(c: core::OrderContact) -> Self {
        OrderContact {
            order_id: c.order_id,
            phone: c.phone,
            address: c.address,
        }
    }
}

/// A resident's new order.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderRequest {
    pub site_id: String,
    pub category: String,
    pub description: String,
    pub desired_at: Option<SystemTime>,
    pub phone: String,
    pub address: String,
}

impl From<OrderRequest> for core::OrderRequest {
    fn from(r: OrderRequest) -> Self {
        core::OrderRequest {
            site_id: r.site_id,
            category: r.category,
            description: r.description,
            desired_at: r.desired_at.map(chrono),
            phone: r.phone,
            address: r.address,
        }
    }
}

/// What was given.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Gift {
    /// Money, in fen (1/100 yuan).
    Money { fen: u64 },
    /// Goods: what, how many, in which unit.
    Goods {
        item: String,
        quantity: u32,
        unit: String,
    },
}

impl From<core::Gift> for Gift {
    fn from(g: core::Gift) -> Self {
        match g {
            core::Gift::Money { fen } => Gift::Money { fen },
            core::Gift::Goods {
                item,
                quantity,
                unit,
            } => Gift::Goods {
                item,
                quantity,
                unit,
            },
        }
    }
}

impl From<Gift> for core::Gift {
    fn from(g: Gift) -> Self {
        match g {
            Gift::Money { fen } => core::Gift::Money { fen },
            Gift::Goods {
                item,
                quantity,
                unit,
            } => core::Gift::Goods {
                item,
                quantity,
                unit,
            },
        }
    }
}

/// Goods received by a campaign, summed per item and unit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GoodsTotal {
    pub item: String,
    pub unit: String,
    pub quantity: u64,
}

/// A donation campaign and its running totals.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Campaign {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub money_fen: u64,
    pub goods: Vec<GoodsTotal>,
    pub donation_count: u32,
}

impl From<core::Campaign> for Campaign {
    fn from(c: core::Campaign) -> Self {
        Campaign {
            id: c.id,
            site_id: c.site_id,
            name: c.name,
            money_fen: c.money_fen,
            goods: c
                .goods
                .into_iter()
                .map(|g| GoodsTotal {
                    item: g.item,
                    unit: g.unit,
                    quantity: g.quantity,
                })
                .collect(),
            donation_count: c.donation_count,
        }
    }
}

/// One recorded donation (staff only; donors' names are not published).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Donation {
    pub id: String,
    pub campaign_id: Option<String>,
    pub site_id: String,
    /// Absent: anonymous.
    pub donor_name: Option<String>,
    pub gift: Gift,
    pub received_at: SystemTime,
}

impl From<core::Donation> for Donation {
    fn from(d: core::Donation) -> Self {
        Donation {
            id: d.id,
            campaign_id: d.campaign_id,
            site_id: d.site_id,
            donor_name: d.donor_name,
            gift: d.gift.into(),
            received_at: time(d.received_at),
        }
    }
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NoticeTopic {
    /// Moved from the waitlist into a place.
    PromotedFromWaitlist,
    /// An activity one signed up for was cancelled.
    ActivityCancelled,
}

/// A message to the volunteer from the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Notice {
    pub id: String,
    pub topic: NoticeTopic,
    /// The activity it is about.
    pub subject_id: String,
    pub message: String,
    pub created_at: SystemTime,
    pub read: bool,
}

impl From<core::Notice> for Notice {
    fn from(n: core::Notice) -> Self {
        Notice {
            id: n.id,
            topic: match n.topic {
                core::NoticeTopic::PromotedFromWaitlist => NoticeTopic::PromotedFromWaitlist,
                core::NoticeTopic::ActivityCancelled => NoticeTopic::ActivityCancelled,
            },
            subject_id: n.subject_id,
            message: n.message,
            created_at: time(n.created_at),
            read: n.read,
        }
    }
}

/// Confirmed minutes in one month.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MonthMinutes {
    /// `YYYY-MM`.
    pub month: String,
    pub minutes: u64,
}

/// How many orders are in one status.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderCount {
    pub status: OrderStatus,
    pub count: u32,
}

/// Figures of a site's subtree or a team, computed by the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Figures {
    pub site_id: Option<String>,
    pub team_id: Option<String>,
    /// Distinct volunteers with an active membership.
    pub volunteers: u32,
    pub teams: u32,
    pub confirmed_minutes: u64,
    pub minutes_by_month: Vec<MonthMinutes>,
    /// Attendances recorded.
    pub person_times: u32,
    pub orders: Vec<OrderCount>,
}

impl From<core::Figures> for Figures {
    fn from(f: core::Figures) -> Self {
        Figures {
            site_id: f.site_id,
            team_id: f.team_id,
            volunteers: f.volunteers,
            teams: f.teams,
            confirmed_minutes: f.confirmed_minutes,
            minutes_by_month: f
                .minutes_by_month
                .into_iter()
                .map(|m| MonthMinutes {
                    month: m.month,
                    minutes: m.minutes,
                })
                .collect(),
            person_times: f.person_times,
            orders: f
                .orders
                .into_iter()
                .map(|o| OrderCount {
                    status: o.status.into(),
                    count: o.count,
                })
                .collect(),
        }
    }
}

/// Where an hour entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HourSource {
    /// Check-in and check-out recorded by staff.
    Attendance,
    /// Reported by the volunteer.
    SelfReport,
}

/// Whether an hour entry counts yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HourStatus {
    /// Waiting for review.
    Pending,
    /// Counts towards the volunteer's total.
    Confirmed,
    /// Turned down by a reviewer, with a reason.
    Rejected,
    /// Replaced by a correction; kept unchanged for the record.
    Superseded,
}

/// A service record: who (volunteer), when (started), where (site), what
/// (description), how long (minutes), who recorded it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HourEntry {
    pub id: String,
    pub volunteer_id: String,
    pub activity_id: Option<String>,
    pub team_id: Option<String>,
    pub site_id: Option<String>,
    pub source: HourSource,
    pub status: HourStatus,
    pub started_at: SystemTime,
    pub minutes: u32,
    pub description: String,
    pub recorded_by: String,
    /// Why it was rejected or corrected.
    pub reason: Option<String>,
    /// The entry this one corrects.
    pub corrects: Option<String>,
    /// The entry that replaced this one.
    pub superseded_by: Option<String>,
}

impl From<core::HourEntry> for HourEntry {
    fn from(h: core::HourEntry) -> Self {
        HourEntry {
            id: h.id,
            volunteer_id: h.volunteer_id,
            activity_id: h.activity_id,
            team_id: h.team_id,
            site_id: h.site_id,
            recorded_by: h.recorded_by,
            reason: h.reason,
            corrects: h.corrects,
            superseded_by: h.superseded_by,
            source: match h.source {
                core::HourSource::Attendance => HourSource::Attendance,
                core::HourSource::SelfReport => HourSource::SelfReport,
            },
            status: match h.status {
                core::HourStatus::Pending => HourStatus::Pending,
                core::HourStatus::Confirmed => HourStatus::Confirmed,
                core::HourStatus::Rejected => HourStatus::Rejected,
                core::HourStatus::Superseded => HourStatus::Superseded,
            },
            started_at: time(h.started_at),
            minutes: h.minutes,
            description: h.description,
        }
    }
}

/// A volunteer's total, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct HoursTotal {
    pub confirmed_minutes: u64,
    pub pending_minutes: u64,
}

impl From<core::HoursTotal> for HoursTotal {
    fn from(t: core::HoursTotal) -> Self {
        HoursTotal {
            confirmed_minutes: t.confirmed_minutes,
            pending_minutes: t.pending_minutes,
        }
    }
}

/// A self-report of hours.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HoursReport {
    pub activity_id: Option<String>,
    /// The team the service was for; its leaders review the entry.
    pub team_id: Option<String>,
    pub started_at: SystemTime,
    pub minutes: u32,
    pub description: String,
}

/// A user action, as queued or as rejected.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Action {
    /// Join a team.
    JoinTeam { team_id: String },
    /// Leave a team.
    LeaveTeam { team_id: String },
    /// Take back a request to join.
    WithdrawJoinRequest { team_id: String },
    /// Approve or decline a request to join.
    DecideJoinRequest {
        team_id: String,
        volunteer_id: String,
        approve: bool,
        reason: Option<String>,
    },
    /// Remove a member.
    RemoveMember {
        team_id: String,
        volunteer_id: String,
        reason: String,
    },
    /// Make a member a leader, or a leader a member.
    SetTeamRole {
        team_id: String,
        volunteer_id: String,
        role: TeamRole,
    },
    /// Sign up for an activity.
    SignUp { activity_id: String },
    /// Cancel a signup.
    CancelSignup { activity_id: String },
    /// Draft an activity.
    CreateActivity { activity_id: String, title: String },
    /// Call urgently for volunteers.
    CreateCallOut { activity_id: String, title: String },
    /// Open an activity for signups.
    PublishActivity { activity_id: String },
    /// Mark an activity under way.
    StartActivity { activity_id: String },
    /// Mark an activity over.
    FinishActivity { activity_id: String },
    /// Cancel an activity.
    CancelActivity { activity_id: String, reason: String },
    /// Report one's own hours.
    ReportHours {
        entry_id: String,
        activity_id: Option<String>,
        team_id: Option<String>,
        started_at: SystemTime,
        minutes: u32,
        description: String,
    },
    /// Staff: a volunteer arrived.
    CheckIn {
        activity_id: String,
        volunteer_id: String,
        at: SystemTime,
    },
    /// Staff: a volunteer left.
    CheckOut {
        activity_id: String,
        volunteer_id: String,
        at: SystemTime,
    },
    /// Approve or reject self-reported hours.
    ReviewHours {
        entry_id: String,
        approve: bool,
        reason: Option<String>,
    },
    /// Replace confirmed hours with a corrected entry.
    CorrectHours {
        entry_id: String,
        new_entry_id: String,
        minutes: u32,
        reason: String,
    },
    /// Place an order for help (the contact is not repeated here).
    PlaceOrder { order_id: String, category: String },
    /// Withdraw an order.
    CancelOrder { order_id: String },
    /// Mark a notice read.
    MarkNoticeRead { notice_id: String },
    /// Open a donation campaign.
    CreateCampaign { campaign_id: String, name: String },
    /// Record a donation.
    RecordDonation {
        donation_id: String,
        campaign_id: Option<String>,
        gift: Gift,
    },
    /// Offer an order to a team or a volunteer.
    DispatchOrder {
        order_id: String,
        team_id: Option<String>,
        volunteer_id: Option<String>,
    },
    /// Accept or decline an offered order.
    RespondToOrder {
        order_id: String,
        accept: bool,
        reason: Option<String>,
    },
    /// Mark an order's service given.
    CompleteOrder { order_id: String },
    /// Rate a completed order.
    RateOrder {
        order_id: String,
        stars: u8,
        comment: Option<String>,
    },
    /// Staff: corrected times, with a reason.
    CorrectAttendance {
        activity_id: String,
        volunteer_id: String,
        checked_in_at: SystemTime,
        checked_out_at: Option<SystemTime>,
        reason: String,
    },
}

impl From<core::Mutation> for Action {
    fn from(m: core::Mutation) -> Self {
        use core::Mutation as M;
        match m {
            M::JoinTeam { team_id } => Action::JoinTeam { team_id },
            M::LeaveTeam { team_id } => Action::LeaveTeam { team_id },
            M::WithdrawJoinRequest { team_id } => Action::WithdrawJoinRequest { team_id },
            M::DecideJoinRequest {
                team_id,
                volunteer_id,
                approve,
                reason,
            } => Action::DecideJoinRequest {
                team_id,
                volunteer_id,
                approve,
                reason,
            },
            M::RemoveMember {
                team_id,
                volunteer_id,
                reason,
            } => Action::RemoveMember {
                team_id,
                volunteer_id,
                reason,
            },
            M::SetTeamRole {
                team_id,
                volunteer_id,
                role,
            } => Action::SetTeamRole {
                team_id,
                volunteer_id,
                role: role.into(),
            },
            M::SignUp { activity_id } => Action::SignUp { activity_id },
            M::CancelSignup { activity_id } => Action::CancelSignup { activity_id },
            M::CreateActivity {
                activity_id, title, ..
            } => Action::CreateActivity { activity_id, title },
            M::CreateCallOut {
                activity_id, title, ..
            } => Action::CreateCallOut { activity_id, title },
            M::PublishActivity { activity_id } => Action::PublishActivity { activity_id },
            M::StartActivity { activity_id } => Action::StartActivity { activity_id },
            M::FinishActivity { activity_id } => Action::FinishActivity { activity_id },
            M::CancelActivity {
                activity_id,
                reason,
            } => Action::CancelActivity {
                activity_id,
                reason,
            },
            M::ReportHours {
                entry_id,
                activity_id,
                started_at,
                minutes,
                description,
                team_id,
                ..
            } => Action::ReportHours {
                team_id,
                entry_id,
                activity_id,
                started_at: time(started_at),
                minutes,
                description,
            },
            M::CheckIn {
                activity_id,
                volunteer_id,
                at,
            } => Action::CheckIn {
                activity_id,
                volunteer_id,
                at: time(at),
            },
            M::CheckOut {
                activity_id,
                volunteer_id,
                at,
            } => Action::CheckOut {
                activity_id,
                volunteer_id,
                at: time(at),
            },
            M::ReviewHours {
                entry_id,
                approve,
                reason,
            } => Action::ReviewHours {
                entry_id,
                approve,
                reason,
            },
            M::CorrectHours {
                entry_id,
                new_entry_id,
                minutes,
                reason,
            } => Action::CorrectHours {
                entry_id,
                new_entry_id,
                minutes,
                reason,
            },
            M::PlaceOrder {
                order_id, category, ..
            } => Action::PlaceOrder { order_id, category },
            M::CancelOrder { order_id } => Action::CancelOrder { order_id },
            M::MarkNoticeRead { notice_id } => Action::MarkNoticeRead { notice_id },
            M::CreateCampaign {
                campaign_id, name, ..
            } => Action::CreateCampaign { campaign_id, name },
            M::RecordDonation {
                donation_id,
                campaign_id,
                gift,
                ..
            } => Action::RecordDonation {
                donation_id,
                campaign_id,
                gift: gift.into(),
            },
            M::DispatchOrder {
                order_id,
                team_id,
                volunteer_id,
            } => Action::DispatchOrder {
                order_id,
                team_id,
                volunteer_id,
            },
            M::RespondToOrder {
                order_id,
                accept,
                reason,
            } => Action::RespondToOrder {
                order_id,
                accept,
                reason,
            },
            M::CompleteOrder { order_id } => Action::CompleteOrder { order_id },
            M::RateOrder {
                order_id,
                stars,
                comment,
            } => Action::RateOrder {
                order_id,
                stars,
                comment,
            },
            M::CorrectAttendance {
                activity_id,
                volunteer_id,
                checked_in_at,
                checked_out_at,
                reason,
            } => Action::CorrectAttendance {
                activity_id,
                volunteer_id,
                checked_in_at: time(checked_in_at),
                checked_out_at: checked_out_at.map(time),
                reason,
            },
        }
    }
}

/// An action waiting for the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PendingAction {
    pub seq: u64,
    pub created_at: SystemTime,
    pub action: Action,
}

impl From<core::PendingMutation> for PendingAction {
    fn from(p: core::PendingMutation) -> Self {
        PendingAction {
            seq: p.seq,
            created_at: time(p.created_at),
            action: p.mutation.into(),
        }
    }
}

/// An action the server refused, with its original input.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectedAction {
    pub seq: u64,
    pub created_at: SystemTime,
    pub action: Action,
    pub code: RejectCode,
    pub reason: String,
    pub rejected_at: SystemTime,
}

impl From<core::RejectedMutation> for RejectedAction {
    fn from(r: core::RejectedMutation) -> Self {
        RejectedAction {
            seq: r.seq,
            created_at: time(r.created_at),
            action: r.mutation.into(),
            code: r.code.into(),
            reason: r.message,
            rejected_at: time(r.rejected_at),
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncReport {
    pub requests: u32,
    pub pushed: u32,
    pub applied: u32,
    pub rejected: u32,
    pub pulled: u32,
    /// The server had the device refetch its data (its scope changed).
    pub reset: bool,
    pub changed: Vec<DataKind>,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        SyncReport {
            requests: r.requests,
            pushed: r.pushed,
            applied: r.applied,
            rejected: r.rejected,
            pulled: r.pulled,
            reset: r.reset,
            changed: r.changed.into_iter().map(Into::into).collect(),
        }
    }
}

/// What the last contact with the server said about the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Connectivity {
    /// No sync tried since the client was opened.
    Unknown,
    /// The last sync reached the server.
    Online,
    /// The last sync could not reach the server.
    Offline,
}

/// The last failed sync.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncFailure {
    pub code: String,
    pub reason: String,
    pub at: SystemTime,
}

/// A snapshot of the sync status, for a status bar or a banner.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub connectivity: Connectivity,
    pub syncing: bool,
    pub pending_count: u64,
    pub oldest_pending_at: Option<SystemTime>,
    pub rejected_count: u64,
    pub last_sync_at: Option<SystemTime>,
    pub last_error: Option<SyncFailure>,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            signed_in: s.signed_in,
            connectivity: match s.connectivity {
                core::Connectivity::Unknown => Connectivity::Unknown,
                core::Connectivity::Online => Connectivity::Online,
                core::Connectivity::Offline => Connectivity::Offline,
            },
            syncing: s.syncing,
            pending_count: s.pending_count,
            oldest_pending_at: s.oldest_pending_at.map(time),
            rejected_count: s.rejected_count,
            last_sync_at: s.last_sync_at.map(time),
            last_error: s.last_error.map(|e| SyncFailure {
                code: e.code,
                reason: e.message,
                at: time(e.at),
            }),
        }
    }
}
