//! Service orders and their contacts, donation campaigns, figures and
//! notices.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Who served, as the assignee said on completion: each has a service
    /// record `ord/<order>/<volunteer>` carrying the rating when it comes.
    #[serde(default)]
    pub served_by: Vec<String>,
    /// The brand project it belongs to, if any.
    #[serde(default)]
    pub project_id: Option<String>,
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
    /// Goods handed out from the campaign, summed per item and unit
    /// (never more than received).
    #[serde(default)]
    pub distributed: Vec<GoodsTotal>,
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
    /// The donation this one corrects (its gift or donor was recorded wrong).
    #[serde(default)]
    pub corrects: Option<String>,
    /// The correction that replaced this one: no longer in the totals.
    #[serde(default)]
    pub superseded_by: Option<String>,
    /// Voided (recorded by mistake): no longer in the totals.
    #[serde(default)]
    pub voided: bool,
    /// Why it was corrected or voided, by whom and when. The gift itself
    /// is never edited: a correction is a new donation.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub changed_by: Option<String>,
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
}

impl Donation {
    /// A donation to a site, anonymous and for no campaign, as recorded:
    /// set the rest with struct update syntax.
    pub fn new(
        id: impl Into<String>,
        site_id: impl Into<String>,
        gift: Gift,
        received_at: DateTime<Utc>,
        recorded_by: impl Into<String>,
    ) -> Donation {
        Donation {
            id: id.into(),
            campaign_id: None,
            site_id: site_id.into(),
            donor_name: None,
            gift,
            received_at,
            recorded_by: recorded_by.into(),
            corrects: None,
            superseded_by: None,
            voided: false,
            reason: None,
            changed_by: None,
            changed_at: None,
        }
    }

    /// Whether it counts in its campaign's totals.
    pub fn counts(&self) -> bool {
        !self.voided && self.superseded_by.is_none()
    }
}

/// Goods handed out from a campaign, to whom and when. Read by staff of
/// its site and above (recipients' privacy: 条例 art. 21).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub id: String,
    pub campaign_id: String,
    pub site_id: String,
    pub item: String,
    pub unit: String,
    pub quantity: u32,
    /// Who received them (a household, a care home).
    pub recipient: String,
    pub distributed_at: DateTime<Utc>,
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
    /// For `project/<id>`: the project.
    #[serde(default)]
    pub project_id: Option<String>,
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
