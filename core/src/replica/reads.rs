//! The replica's reads: each one query of [`crate::queries`] over the
//! visible state, for the signed-in user where it says "my".

use chrono::Utc;
use volunteer_domain::{
    Account, Activity, Attendance, Campaign, Distribution, Donation, Figures, HourEntry, Kind,
    Membership, MembershipStatus, Notice, OrderContact, Project, ServiceOrder, Signup, Site, Team,
};

use super::Replica;
use crate::error::Result;
use crate::model::{DueRecord, HoursTotal, OrderQueue, RosterEntry};
use crate::queries::{self, OrdersOf};
use crate::store;

impl Replica {
    pub fn sites(&self) -> Result<Vec<Site>> {
        self.read(queries::sites)
    }

    /// All teams, or those at `under_site` and the sites below it.
    pub fn teams(&self, under_site: Option<&str>) -> Result<Vec<Team>> {
        self.read(|c| queries::teams(c, under_site))
    }

    pub fn activity(&self, id: &str) -> Result<Option<Activity>> {
        self.read(|c| queries::activity(c, id))
    }

    /// Published activities that have not ended yet, soonest first.
    pub fn upcoming_activities(&self, limit: u32) -> Result<Vec<Activity>> {
        self.read(|c| queries::upcoming_activities(c, Utc::now(), limit))
    }

    pub fn activities_at_site(
        &self,
        site_id: &str,
        include_subtree: bool,
    ) -> Result<Vec<Activity>> {
        self.read(|c| queries::activities_at_site(c, site_id, include_subtree))
    }

    /// Who signed up for an activity and who was checked in and out.
    pub fn roster(&self, activity_id: &str) -> Result<Vec<RosterEntry>> {
        self.read(|c| queries::roster(c, activity_id))
    }

    pub fn my_memberships(&self) -> Result<Vec<Membership>> {
        let me = self.me()?;
        self.read(|c| queries::memberships_of(c, &me.user_id))
    }

    /// Active members of a team (for its leaders and staff).
    pub fn team_members(&self, team_id: &str) -> Result<Vec<Membership>> {
        self.read(|c| queries::team_memberships(c, team_id, MembershipStatus::Active))
    }

    /// Open requests to join a team (for its leaders and staff).
    pub fn join_requests(&self, team_id: &str) -> Result<Vec<Membership>> {
        self.read(|c| queries::team_memberships(c, team_id, MembershipStatus::Requested))
    }

    /// Teams the signed-in user leads.
    pub fn my_led_teams(&self) -> Result<Vec<Team>> {
        let me = self.me()?;
        self.read(|c| {
            let actor = store::actor(c, &me)?;
            queries::teams_with_ids(c, &actor.led_teams)
        })
    }

    pub fn my_signups(&self) -> Result<Vec<Signup>> {
        let me = self.me()?;
        self.read(|c| queries::signups_of(c, &me.user_id))
    }

    /// The signed-in volunteer's attendance, with any corrections, newest first.
    pub fn my_attendance(&self) -> Result<Vec<Attendance>> {
        let me = self.me()?;
        self.read(|c| queries::attendance_of(c, &me.user_id))
    }

    pub fn my_hours(&self) -> Result<Vec<HourEntry>> {
        let me = self.me()?;
        self.read(|c| queries::hours_of(c, &me.user_id))
    }

    pub fn my_hours_total(&self) -> Result<HoursTotal> {
        Ok(HoursTotal::of(&self.my_hours()?))
    }

    /// Replicated record counts by kind.
    pub fn record_counts(&self) -> Result<std::collections::BTreeMap<String, u64>> {
        self.read(queries::record_counts)
    }

    /// Every visible record of one kind, as JSON (diagnostics, tests).
    pub fn dump(&self, kind: Kind) -> Result<Vec<serde_json::Value>> {
        self.read(|c| queries::all_of_kind(c, kind))
    }

    /// Call-outs still looking for responders that call this user (their
    /// team, a subtree their team is in, or everyone), soonest first.
    pub fn open_call_outs(&self) -> Result<Vec<Activity>> {
        let now = Utc::now();
        let memberships = self.my_memberships()?;
        let paths: std::collections::BTreeMap<String, String> =
            self.sites()?.into_iter().map(|s| (s.id, s.path)).collect();
        Ok(self
            .upcoming_activities(1000)?
            .into_iter()
            .filter(|a| a.callout && a.signup_count < a.capacity)
            .filter(|a| a.signup_deadline.is_none_or(|d| d > now))
            .filter(|a| {
                a.audience
                    .includes(&memberships, |id| paths.get(id).cloned())
            })
            .collect())
    }

    /// Self-reported hours this user may review, oldest first.
    pub fn hours_to_review(&self) -> Result<Vec<HourEntry>> {
        let me = self.me()?;
        self.read(|c| queries::hours_to_review(c, &me.user_id))
    }

    /// Residents: their orders, newest first.
    pub fn my_orders(&self) -> Result<Vec<ServiceOrder>> {
        let me = self.me()?;
        self.read(|c| queries::orders(c, OrdersOf::Placed(&me.user_id)))
    }

    /// Volunteers and team leaders: open orders offered to them.
    pub fn assigned_orders(&self) -> Result<Vec<ServiceOrder>> {
        let me = self.me()?;
        self.read(|c| {
            let actor = store::actor(c, &me)?;
            queries::orders(
                c,
                OrdersOf::AssignedTo {
                    me: &me.user_id,
                    teams: &actor.led_teams,
                },
            )
        })
    }

    /// Staff: orders at a site (and below it), oldest first.
    pub fn orders_at_site(
        &self,
        site_id: &str,
        include_subtree: bool,
    ) -> Result<Vec<ServiceOrder>> {
        self.read(|c| {
            queries::orders(
                c,
                OrdersOf::Site {
                    site_id,
                    include_subtree,
                },
            )
        })
    }

    /// Staff: how many orders at a site (and below it) stand in each state,
    /// and the oldest of each: what waits, and for how long.
    pub fn order_queue(&self, site_id: &str, include_subtree: bool) -> Result<Vec<OrderQueue>> {
        let orders = self.orders_at_site(site_id, include_subtree)?;
        Ok(queries::order_queue(&orders))
    }

    /// Service records not complete yet, soonest due first: for a
    /// volunteer their own, for organisers those of their activities.
    pub fn records_due(&self) -> Result<Vec<DueRecord>> {
        let me = self.me()?;
        self.read(|c| queries::records_due(c, &me.user_id, Utc::now()))
    }

    /// How to reach the resident of an order, for those who may.
    pub fn order_contact(&self, order_id: &str) -> Result<Option<OrderContact>> {
        self.read(|c| queries::order_contact(c, order_id))
    }

    /// The signed-in volunteer's notices (promotions, cancellations), newest first.
    pub fn my_notices(&self) -> Result<Vec<Notice>> {
        self.read(queries::notices)
    }

    /// Figures of a site and every site below it, if this user may see them
    /// (staff of the site or above). Computed by the server.
    pub fn site_figures(&self, site_id: &str) -> Result<Option<Figures>> {
        self.read(|c| queries::figures(c, &format!("site/{site_id}")))
    }

    /// Figures of a team, for its leaders and staff. Computed by the server.
    pub fn team_figures(&self, team_id: &str) -> Result<Option<Figures>> {
        self.read(|c| queries::figures(c, &format!("team/{team_id}")))
    }

    /// Every campaign with its totals, by name.
    pub fn campaigns(&self) -> Result<Vec<Campaign>> {
        self.read(queries::campaigns)
    }

    /// Staff: donations recorded at their sites, newest first.
    pub fn donations(&self) -> Result<Vec<Donation>> {
        self.read(queries::donations)
    }

    /// Staff: the accounts of their sites (and, for an admin, every one),
    /// by name. Phones are masked.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.read(queries::accounts)
    }

    /// Staff: goods handed out from campaigns at their sites, newest first.
    pub fn distributions(&self) -> Result<Vec<Distribution>> {
        self.read(queries::distributions)
    }

    /// Brand projects, by name.
    pub fn projects(&self) -> Result<Vec<Project>> {
        self.read(queries::projects)
    }

    /// Figures of a brand project. Computed by the server.
    pub fn project_figures(&self, project_id: &str) -> Result<Option<Figures>> {
        self.read(|c| queries::figures(c, &format!("project/{project_id}")))
    }
}
