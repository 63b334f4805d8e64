//! The desk's records: accounts, campaigns with their donations and
//! handouts, and brand projects, as the domain defines them.

use super::DateTime;
use volunteer_core::{
    Account, AccountStatus, Campaign, Distribution, Donation, Gift, GoodsTotal, Project, Role,
};

/// A donation drive, with its running totals (public).
#[uniffi::remote(Record)]
pub struct Campaign {
    pub id: String,
    pub site_id: String,
    pub name: String,
    /// Money received, in fen (1/100 yuan).
    pub money_fen: u64,
    /// Goods received, summed per item and unit.
    pub goods: Vec<GoodsTotal>,
    pub donation_count: u32,
    /// Goods handed out, summed per item and unit.
    pub distributed: Vec<GoodsTotal>,
}

#[uniffi::remote(Record)]
pub struct GoodsTotal {
    pub item: String,
    pub unit: String,
    pub quantity: u64,
}

/// What was given: an amount of money or a quantity of goods.
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Record)]
pub struct Donation {
    pub id: String,
    pub campaign_id: Option<String>,
    pub site_id: String,
    /// `None`: anonymous.
    pub donor_name: Option<String>,
    pub gift: Gift,
    pub received_at: DateTime,
    pub recorded_by: String,
    /// The donation this one corrects.
    pub corrects: Option<String>,
    /// The correction that replaced this one (no longer in the totals).
    pub superseded_by: Option<String>,
    /// Voided: no longer in the totals.
    pub voided: bool,
    /// Why it was corrected or voided, by whom and when.
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime>,
}

/// Goods handed out from a campaign, to whom and when (staff only).
#[uniffi::remote(Record)]
pub struct Distribution {
    pub id: String,
    pub campaign_id: String,
    pub site_id: String,
    pub item: String,
    pub unit: String,
    pub quantity: u32,
    pub recipient: String,
    pub distributed_at: DateTime,
    pub recorded_by: String,
}

/// Whether an account may sign in.
#[uniffi::remote(Enum)]
pub enum AccountStatus {
    /// Made by staff; waits for its owner to set a password with the
    /// activation code staff hand over.
    Pending,
    Active,
    /// Switched off: its sessions are revoked and its devices reset.
    Deactivated,
}

/// A user's account, as staff of its site and above read it. The phone is
/// masked.
#[uniffi::remote(Record)]
pub struct Account {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// A staff member's post; for a volunteer or resident, the site that
    /// made the account (`None`: they registered themself).
    pub site_id: Option<String>,
    pub status: AccountStatus,
    /// `138****1234`.
    pub phone_masked: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime,
    pub activated_at: Option<DateTime>,
    pub consent_at: Option<DateTime>,
    pub consent_version: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime>,
    pub reason: Option<String>,
}

/// A brand project: a named line of service owned by a site or a team.
#[uniffi::remote(Record)]
pub struct Project {
    pub id: String,
    pub site_id: String,
    pub team_id: Option<String>,
    pub name: String,
    pub description: String,
    pub created_by: String,
}
