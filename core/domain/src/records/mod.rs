//! The replicated entities: what a pull delivers and what a mutation's effect writes.
//!
//! Every record has a stable key (`crate::record::Keyed`). Keys of relationship records are
//! natural (`team/volunteer`, `activity/volunteer`), so two devices that record
//! the same fact independently produce the same row and merge instead of
//! duplicating. Who may read each record is in [`crate::scope`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod accounts;
mod hours;
mod orders;

pub use accounts::*;
pub use hours::*;
pub use orders::*;

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
    /// The user's site: a staff member's post; for a volunteer or
    /// resident the site that made their account (`None` for an admin or
    /// someone who registered themself).
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
    /// Whom a call-out calls; everyone when empty.
    #[serde(default)]
    pub audience: Audience,
    /// The brand project it belongs to, if any.
    #[serde(default)]
    pub project_id: Option<String>,
}

/// A brand project (品牌项目, such as "smart elderly care"): a named line of
/// service owned by a site or a team, to which activities and orders are
/// linked and for which figures are kept. Public, like teams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub site_id: String,
    /// The owning team, if a team owns it (its leaders link to it).
    #[serde(default)]
    pub team_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub created_by: String,
}

/// Whom a call-out calls: members of these teams, or volunteers in a team
/// of this site's subtree; both empty, every volunteer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Audience {
    #[serde(default)]
    pub team_ids: Vec<String>,
    #[serde(default)]
    pub site_id: Option<String>,
}

impl Audience {
    pub fn everyone(&self) -> bool {
        self.team_ids.is_empty() && self.site_id.is_none()
    }

    /// Whether a volunteer with these memberships is called; `path_of`
    /// gives a site's path (the subtree's and the memberships' sites).
    pub fn includes<'m>(
        &self,
        memberships: impl IntoIterator<Item = &'m Membership>,
        path_of: impl Fn(&str) -> Option<String>,
    ) -> bool {
        if self.everyone() {
            return true;
        }
        let subtree = self.site_id.as_deref().and_then(&path_of);
        memberships.into_iter().filter(|m| m.is_active()).any(|m| {
            self.team_ids.contains(&m.team_id)
                || subtree
                    .as_deref()
                    .is_some_and(|p| path_of(&m.site_id).is_some_and(|mp| mp.starts_with(p)))
        })
    }
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
