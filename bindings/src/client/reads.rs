//! What an app reads: each a local query, answered at once, offline too.

use super::VolunteerClient;
use crate::error::{VolunteerError, guard};
use crate::remote::*;

#[uniffi::export]
impl VolunteerClient {
    /// Every site of the network, parents before children.
    pub fn sites(&self) -> Result<Vec<Site>, VolunteerError> {
        guard(|| self.replica.sites())
    }

    /// All teams, or those at `under_site_id` and the sites below it.
    pub fn teams(&self, under_site_id: Option<String>) -> Result<Vec<Team>, VolunteerError> {
        guard(|| self.replica.teams(under_site_id.as_deref()))
    }

    /// One activity by id, if this device has it.
    pub fn activity(&self, id: String) -> Result<Option<Activity>, VolunteerError> {
        guard(|| self.replica.activity(&id))
    }

    /// Published activities that have not ended, soonest first.
    pub fn upcoming_activities(&self, limit: u32) -> Result<Vec<Activity>, VolunteerError> {
        guard(|| self.replica.upcoming_activities(limit))
    }

    /// Activities at a site, or at it and every site below it.
    pub fn activities_at_site(
        &self,
        site_id: String,
        include_subtree: bool,
    ) -> Result<Vec<Activity>, VolunteerError> {
        guard(|| self.replica.activities_at_site(&site_id, include_subtree))
    }

    /// Who signed up for an activity and who was checked in and out.
    pub fn roster(&self, activity_id: String) -> Result<Vec<RosterEntry>, VolunteerError> {
        guard(|| self.replica.roster(&activity_id))
    }

    /// The signed-in volunteer's memberships and join requests, in every state.
    pub fn my_memberships(&self) -> Result<Vec<Membership>, VolunteerError> {
        guard(|| self.replica.my_memberships())
    }

    /// Active members of a team (its leaders and staff see them).
    pub fn team_members(&self, team_id: String) -> Result<Vec<Membership>, VolunteerError> {
        guard(|| self.replica.team_members(&team_id))
    }

    /// Open requests to join a team (its leaders and staff see them).
    pub fn join_requests(&self, team_id: String) -> Result<Vec<Membership>, VolunteerError> {
        guard(|| self.replica.join_requests(&team_id))
    }

    /// Teams the signed-in user leads.
    pub fn my_led_teams(&self) -> Result<Vec<Team>, VolunteerError> {
        guard(|| self.replica.my_led_teams())
    }

    /// The activities the signed-in volunteer signed up for.
    pub fn my_signups(&self) -> Result<Vec<Signup>, VolunteerError> {
        guard(|| self.replica.my_signups())
    }

    /// The signed-in volunteer's attendance, with corrections, newest first.
    pub fn my_attendance(&self) -> Result<Vec<Attendance>, VolunteerError> {
        guard(|| self.replica.my_attendance())
    }

    /// The user's hour entries, newest first.
    pub fn my_hours(&self) -> Result<Vec<HourEntry>, VolunteerError> {
        guard(|| self.replica.my_hours())
    }

    /// The signed-in volunteer's confirmed and pending minutes.
    pub fn my_hours_total(&self) -> Result<HoursTotal, VolunteerError> {
        guard(|| self.replica.my_hours_total())
    }

    /// Call-outs still looking for responders, soonest first.
    pub fn open_call_outs(&self) -> Result<Vec<Activity>, VolunteerError> {
        guard(|| self.replica.open_call_outs())
    }

    /// Self-reported hours this user may review, oldest first.
    pub fn hours_to_review(&self) -> Result<Vec<HourEntry>, VolunteerError> {
        guard(|| self.replica.hours_to_review())
    }

    /// Residents: their orders, newest first.
    pub fn my_orders(&self) -> Result<Vec<ServiceOrder>, VolunteerError> {
        guard(|| self.replica.my_orders())
    }

    /// Volunteers and team leaders: open orders offered to them.
    pub fn assigned_orders(&self) -> Result<Vec<ServiceOrder>, VolunteerError> {
        guard(|| self.replica.assigned_orders())
    }

    /// Staff: orders at a site (and below it), oldest first.
    pub fn orders_at_site(
        &self,
        site_id: String,
        include_subtree: bool,
    ) -> Result<Vec<ServiceOrder>, VolunteerError> {
        guard(|| self.replica.orders_at_site(&site_id, include_subtree))
    }

    /// Staff: orders at a site (and below it) counted by state, with the
    /// oldest of each.
    pub fn order_queue(
        &self,
        site_id: String,
        include_subtree: bool,
    ) -> Result<Vec<OrderQueue>, VolunteerError> {
        guard(|| self.replica.order_queue(&site_id, include_subtree))
    }

    /// Service records not complete yet, soonest due first.
    pub fn records_due(&self) -> Result<Vec<DueRecord>, VolunteerError> {
        guard(|| self.replica.records_due())
    }

    /// How to reach an order's resident, for those who may see it.
    pub fn order_contact(&self, order_id: String) -> Result<Option<OrderContact>, VolunteerError> {
        guard(|| self.replica.order_contact(&order_id))
    }

    /// The signed-in volunteer's notices (promotions, cancellations), newest first.
    pub fn my_notices(&self) -> Result<Vec<Notice>, VolunteerError> {
        guard(|| self.replica.my_notices())
    }

    /// Figures of a site and the sites below it (its staff and above see them).
    pub fn site_figures(&self, site_id: String) -> Result<Option<Figures>, VolunteerError> {
        guard(|| self.replica.site_figures(&site_id))
    }

    /// Figures of a team (its leaders and staff see them).
    pub fn team_figures(&self, team_id: String) -> Result<Option<Figures>, VolunteerError> {
        guard(|| self.replica.team_figures(&team_id))
    }

    /// Every campaign with its totals.
    pub fn campaigns(&self) -> Result<Vec<Campaign>, VolunteerError> {
        guard(|| self.replica.campaigns())
    }

    /// Staff: donations recorded at their sites, newest first.
    pub fn donations(&self) -> Result<Vec<Donation>, VolunteerError> {
        guard(|| self.replica.donations())
    }

    /// Staff: the accounts of their sites, by name (phones masked).
    pub fn accounts(&self) -> Result<Vec<Account>, VolunteerError> {
        guard(|| self.replica.accounts())
    }

    /// Staff: goods handed out from campaigns at their sites, newest first.
    pub fn distributions(&self) -> Result<Vec<Distribution>, VolunteerError> {
        guard(|| self.replica.distributions())
    }

    /// Brand projects, by name.
    pub fn projects(&self) -> Result<Vec<Project>, VolunteerError> {
        guard(|| self.replica.projects())
    }

    /// Figures of a brand project (computed by the server).
    pub fn project_figures(&self, project_id: String) -> Result<Option<Figures>, VolunteerError> {
        guard(|| self.replica.project_figures(&project_id))
    }
}
