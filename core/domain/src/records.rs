//! The replicated entities: what a pull delivers and what a mutation's effect writes.
//!
//! Every record has a stable key. Keys of relationship records are natural
//! (`team/volunteer`, `activity/volunteer`), so two devices that record the same
//! fact independently produce the same row and merge instead of duplicating.
//! [`Record::scope`] says who may read a record; the server stores it beside
//! each row and filters every pull with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of replicated record. The string form is stable on the wire and on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
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
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Site,
        Kind::Team,
        Kind::Profile,
        Kind::Membership,
        Kind::Activity,
        Kind::Signup,
        Kind::Attendance,
        Kind::HourEntry,
        Kind::ServiceOrder,
        Kind::OrderContact,
        Kind::Campaign,
        Kind::Donation,
        Kind::Figures,
        Kind::Notice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Team => "team",
            Kind::Profile => "profile",
            Kind::Membership => "membership",
            Kind::Activity => "activity",
            Kind::Signup => "signup",
            Kind::Attendance => "attendance",
            Kind::HourEntry => "hour_entry",
            Kind::ServiceOrder => "service_order",
            Kind::OrderContact => "order_contact",
            Kind::Campaign => "campaign",
            Kind::Donation => "donation",
            Kind::Figures => "figures",
            Kind::Notice => "notice",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The four levels of the practice network, from the district down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteLevel {
    Center,
    Institute,
    Station,
    Point,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Volunteer,
    /// Staff of one site: acts at that site and every site below it.
    Staff,
    /// District administrator: acts everywhere in the district.
    Admin,
    /// A resident who orders help (and may not be a volunteer).
    Resident,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Staff => "staff",
            Role::Admin => "admin",
            Role::Resident => "resident",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Volunteer, Role::Staff, Role::Admin, Role::Resident]
            .into_iter()
            .find(|r| r.as_str() == s)
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
}

/// How a team takes new members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// A join is accepted at once.
    #[default]
    Open,
    /// A join is a request that a team leader or site staff approve or decline.
    Approval,
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

/// Where a volunteer stands with a team (see `docs/domain.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Asked to join a team that approves its members.
    Requested,
    #[default]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    #[default]
    Member,
    /// Decides join requests, removes members, reviews the team's hours.
    Leader,
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
}

impl Membership {
    pub fn is_active(&self) -> bool {
        self.status == MembershipStatus::Active
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl ActivityStatus {
    /// Volunteers can see it (everything but a draft).
    pub fn is_visible(self) -> bool {
        self != ActivityStatus::Draft
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
}

pub(crate) fn yes() -> bool {
    true
}

/// A signup's place: one of the `capacity` places, or the waitlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    #[default]
    Confirmed,
    Waitlisted,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HourSource {
    Attendance,
    SelfReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HourStatus {
    /// Self-reported, waiting for a reviewer.
    Pending,
    /// Derived from attendance recorded by staff, or approved.
    Confirmed,
    /// A reviewer turned it down, with a reason.
    Rejected,
    /// Replaced by a correction (`superseded_by`); its content is unchanged.
    Superseded,
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
}

impl HourEntry {
    /// The key of the entry derived from an attendance: one per (activity, volunteer).
    pub fn attendance_key(activity_id: &str, volunteer_id: &str) -> String {
        format!("att/{activity_id}/{volunteer_id}")
    }
}

/// Where a resident's order for help stands (see `docs/domain.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeTopic {
    /// A place freed up and the volunteer moved from the waitlist into it.
    PromotedFromWaitlist,
    /// An activity the volunteer signed up for was cancelled.
    ActivityCancelled,
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

/// Who may read a record. Its owner always may. Unless it is `owner_only`,
/// so may everyone when it is `public`, district admins, and staff of a site
/// whose subtree holds `site_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub public: bool,
    pub owner: Option<String>,
    pub site_id: Option<String>,
    /// Personal data nobody else needs (the profile with its phone number).
    pub owner_only: bool,
    /// Leaders of this team may read it too.
    pub team_id: Option<String>,
    /// One more user who may read it (the volunteer an order is assigned to).
    pub reader: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("unknown record kind {0:?}")]
    UnknownKind(String),
    #[error("malformed {kind} record: {source}")]
    Malformed {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// Any replicated record, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Site(Site),
    Team(Team),
    Profile(Profile),
    Membership(Membership),
    Activity(Activity),
    Signup(Signup),
    Attendance(Attendance),
    HourEntry(HourEntry),
    ServiceOrder(ServiceOrder),
    OrderContact(OrderContact),
    Campaign(Campaign),
    Donation(Donation),
    Figures(Figures),
    Notice(Notice),
}

pub fn pair_key(a: &str, b: &str) -> String {
    format!("{a}/{b}")
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Site(_) => Kind::Site,
            Record::Team(_) => Kind::Team,
            Record::Profile(_) => Kind::Profile,
            Record::Membership(_) => Kind::Membership,
            Record::Activity(_) => Kind::Activity,
            Record::Signup(_) => Kind::Signup,
            Record::Attendance(_) => Kind::Attendance,
            Record::HourEntry(_) => Kind::HourEntry,
            Record::ServiceOrder(_) => Kind::ServiceOrder,
            Record::OrderContact(_) => Kind::OrderContact,
            Record::Campaign(_) => Kind::Campaign,
            Record::Donation(_) => Kind::Donation,
            Record::Figures(_) => Kind::Figures,
            Record::Notice(_) => Kind::Notice,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Record::Site(r) => r.id.clone(),
            Record::Team(r) => r.id.clone(),
            Record::Profile(r) => r.user_id.clone(),
            Record::Membership(r) => pair_key(&r.team_id, &r.volunteer_id),
            Record::Activity(r) => r.id.clone(),
            Record::Signup(r) => pair_key(&r.activity_id, &r.volunteer_id),
            Record::Attendance(r) => pair_key(&r.activity_id, &r.volunteer_id),
            Record::HourEntry(r) => r.id.clone(),
            Record::ServiceOrder(r) => r.id.clone(),
            Record::OrderContact(r) => OrderContact::copy_key(
                &r.order_id,
                r.assignee_team_id.as_deref(),
                r.assignee_volunteer_id.as_deref(),
            ),
            Record::Campaign(r) => r.id.clone(),
            Record::Donation(r) => r.id.clone(),
            Record::Figures(r) => r.key.clone(),
            Record::Notice(r) => r.id.clone(),
        }
    }

    pub fn scope(&self) -> Scope {
        let public = Scope {
            public: true,
            owner: None,
            site_id: None,
            owner_only: false,
            team_id: None,
            reader: None,
        };
        let personal = |owner: &str, site: Option<&String>| Scope {
            public: false,
            owner: Some(owner.to_owned()),
            site_id: site.cloned(),
            owner_only: false,
            team_id: None,
            reader: None,
        };
        match self {
            Record::Site(_) | Record::Team(_) => public,
            Record::Activity(a) if a.status.is_visible() => public,
            // A draft: its site's staff and its team's leaders only.
            Record::Activity(a) => Scope {
                public: false,
                owner: None,
                site_id: Some(a.site_id.clone()),
                owner_only: false,
                team_id: a.team_id.clone(),
                reader: None,
            },
            Record::Profile(r) => Scope {
                owner_only: true,
                ..personal(&r.user_id, None)
            },
            Record::Membership(r) => Scope {
                team_id: Some(r.team_id.clone()),
                ..personal(&r.volunteer_id, Some(&r.site_id))
            },
            Record::Signup(r) => personal(&r.volunteer_id, Some(&r.site_id)),
            Record::Attendance(r) => personal(&r.volunteer_id, Some(&r.site_id)),
            Record::HourEntry(r) => Scope {
                team_id: r.team_id.clone(),
                ..personal(&r.volunteer_id, r.site_id.as_ref())
            },
            Record::ServiceOrder(r) => Scope {
                team_id: r.assignee_team_id.clone().or(r.declined_by_team_id.clone()),
                reader: r
                    .assignee_volunteer_id
                    .clone()
                    .or(r.declined_by_volunteer_id.clone()),
                ..personal(&r.requester_id, Some(&r.site_id))
            },
            Record::OrderContact(r) if r.is_assignee_copy() => Scope {
                public: false,
                owner: None,
                site_id: None,
                owner_only: false,
                team_id: r.assignee_team_id.clone(),
                reader: r.assignee_volunteer_id.clone(),
            },
            Record::OrderContact(r) => personal(&r.requester_id, Some(&r.site_id)),
            Record::Campaign(_) => public,
            Record::Notice(r) => Scope {
                owner_only: true,
                ..personal(&r.volunteer_id, None)
            },
            // A site's figures: its staff and above; a team's: its leaders too.
            Record::Figures(r) => Scope {
                public: false,
                owner: None,
                site_id: r.site_id.clone(),
                owner_only: false,
                team_id: r.team_id.clone(),
                reader: None,
            },
            Record::Donation(r) => Scope {
                public: false,
                owner: None,
                site_id: Some(r.site_id.clone()),
                owner_only: false,
                team_id: None,
                reader: None,
            },
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail: no maps with non-string keys.
        let v = match self {
            Record::Site(r) => serde_json::to_string(r),
            Record::Team(r) => serde_json::to_string(r),
            Record::Profile(r) => serde_json::to_string(r),
            Record::Membership(r) => serde_json::to_string(r),
            Record::Activity(r) => serde_json::to_string(r),
            Record::Signup(r) => serde_json::to_string(r),
            Record::Attendance(r) => serde_json::to_string(r),
            Record::HourEntry(r) => serde_json::to_string(r),
            Record::ServiceOrder(r) => serde_json::to_string(r),
            Record::OrderContact(r) => serde_json::to_string(r),
            Record::Campaign(r) => serde_json::to_string(r),
            Record::Donation(r) => serde_json::to_string(r),
            Record::Figures(r) => serde_json::to_string(r),
            Record::Notice(r) => serde_json::to_string(r),
        };
        v.unwrap_or_default()
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.to_json()).unwrap_or(serde_json::Value::Null)
    }

    pub fn from_json(kind: Kind, data: &str) -> Result<Record, RecordError> {
        let err = |source| RecordError::Malformed {
            kind: kind.as_str(),
            source,
        };
        Ok(match kind {
            Kind::Site => Record::Site(serde_json::from_str(data).map_err(err)?),
            Kind::Team => Record::Team(serde_json::from_str(data).map_err(err)?),
            Kind::Profile => Record::Profile(serde_json::from_str(data).map_err(err)?),
            Kind::Membership => Record::Membership(serde_json::from_str(data).map_err(err)?),
            Kind::Activity => Record::Activity(serde_json::from_str(data).map_err(err)?),
            Kind::Signup => Record::Signup(serde_json::from_str(data).map_err(err)?),
            Kind::Attendance => Record::Attendance(serde_json::from_str(data).map_err(err)?),
            Kind::HourEntry => Record::HourEntry(serde_json::from_str(data).map_err(err)?),
            Kind::ServiceOrder => Record::ServiceOrder(serde_json::from_str(data).map_err(err)?),
            Kind::OrderContact => Record::OrderContact(serde_json::from_str(data).map_err(err)?),
            Kind::Campaign => Record::Campaign(serde_json::from_str(data).map_err(err)?),
            Kind::Donation => Record::Donation(serde_json::from_str(data).map_err(err)?),
            Kind::Figures => Record::Figures(serde_json::from_str(data).map_err(err)?),
            Kind::Notice => Record::Notice(serde_json::from_str(data).map_err(err)?),
        })
    }

    pub fn from_value(kind: Kind, data: serde_json::Value) -> Result<Record, RecordError> {
        let err = |source| RecordError::Malformed {
            kind: kind.as_str(),
            source,
        };
        Ok(match kind {
            Kind::Site => Record::Site(serde_json::from_value(data).map_err(err)?),
            Kind::Team => Record::Team(serde_json::from_value(data).map_err(err)?),
            Kind::Profile => Record::Profile(serde_json::from_value(data).map_err(err)?),
            Kind::Membership => Record::Membership(serde_json::from_value(data).map_err(err)?),
            Kind::Activity => Record::Activity(serde_json::from_value(data).map_err(err)?),
            Kind::Signup => Record::Signup(serde_json::from_value(data).map_err(err)?),
            Kind::Attendance => Record::Attendance(serde_json::from_value(data).map_err(err)?),
            Kind::HourEntry => Record::HourEntry(serde_json::from_value(data).map_err(err)?),
            Kind::ServiceOrder => Record::ServiceOrder(serde_json::from_value(data).map_err(err)?),
            Kind::OrderContact => Record::OrderContact(serde_json::from_value(data).map_err(err)?),
            Kind::Campaign => Record::Campaign(serde_json::from_value(data).map_err(err)?),
            Kind::Donation => Record::Donation(serde_json::from_value(data).map_err(err)?),
            Kind::Figures => Record::Figures(serde_json::from_value(data).map_err(err)?),
            Kind::Notice => Record::Notice(serde_json::from_value(data).map_err(err)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity() -> Activity {
        Activity {
            id: "a1".into(),
            site_id: "s1".into(),
            team_id: None,
            title: "Elderly care".into(),
            description: String::new(),
            starts_at: "2026-12-01T01:00:00Z".parse().unwrap(),
            ends_at: "2026-12-01T03:00:00Z".parse().unwrap(),
            capacity: 10,
            signup_count: 0,
            status: ActivityStatus::Published,
            signup_deadline: None,
            waitlist: false,
            waitlist_count: 0,
            waitlist_next: 0,
            created_by: None,
            cancel_reason: None,
            walk_ins: true,
            credit_rounding_minutes: 0,
            callout: false,
        }
    }

    #[test]
    fn kind_strings_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(Kind::parse("nope"), None);
    }

    #[test]
    fn record_json_round_trips_and_keeps_snake_case_fields() {
        let r = Record::Activity(activity());
        let json = r.to_json();
        assert!(json.contains("\"signup_count\":0"), "{json}");
        assert!(json.contains("\"status\":\"published\""), "{json}");
        assert_eq!(Record::from_json(Kind::Activity, &json).unwrap(), r);
        assert_eq!(Record::from_value(Kind::Activity, r.to_value()).unwrap(), r);
    }

    #[test]
    fn malformed_record_is_a_typed_error() {
        let err = Record::from_json(Kind::Team, "{\"id\":1}").unwrap_err();
        assert!(matches!(err, RecordError::Malformed { kind: "team", .. }));
    }

    #[test]
    fn personal_records_are_owned_and_site_scoped() {
        let s = Record::Signup(Signup {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            volunteer_name: "王芳".into(),
            site_id: "s1".into(),
            signed_up_at: Utc::now(),
            status: SignupStatus::Confirmed,
            position: 0,
        });
        assert_eq!(s.key(), "a1/v1");
        assert_eq!(
            s.scope(),
            Scope {
                public: false,
                owner: Some("v1".into()),
                site_id: Some("s1".into()),
                owner_only: false,
                team_id: None,
                reader: None,
            }
        );
        assert!(Record::Activity(activity()).scope().public);
    }
}
