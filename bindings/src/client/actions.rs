//! What an app does: each action is decided by the rules on the device,
//! applied at once and queued for the server in one local transaction.

use super::VolunteerClient;
use crate::error::{VolunteerError, guard};
use crate::remote::*;

#[uniffi::export]
impl VolunteerClient {
    /// Join a team (the signed-in volunteer). Joining twice is one membership.
    pub fn join_team(&self, team_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.join_team(&team_id))
    }

    /// Leave a team (the signed-in volunteer).
    pub fn leave_team(&self, team_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.leave_team(&team_id))
    }

    /// Take back one's own request to join a team.
    pub fn withdraw_join_request(&self, team_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.withdraw_join_request(&team_id))
    }

    /// Team leaders and staff: approve or decline a request to join.
    pub fn decide_join_request(
        &self,
        team_id: String,
        volunteer_id: String,
        approve: bool,
        reason: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .decide_join_request(&team_id, &volunteer_id, approve, reason.as_deref())
        })
    }

    /// Team leaders and staff: remove a member, saying why.
    pub fn remove_member(
        &self,
        team_id: String,
        volunteer_id: String,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.remove_member(&team_id, &volunteer_id, &reason))
    }

    /// Staff: make an active member a leader, or a leader a member again.
    pub fn set_team_role(
        &self,
        team_id: String,
        volunteer_id: String,
        role: TeamRole,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.set_team_role(&team_id, &volunteer_id, role))
    }

    /// Staff (for their sites) or a team leader (for the team): draft an
    /// activity; returns its id. Publish it to open signups.
    pub fn create_activity(&self, draft: ActivityDraft) -> Result<String, VolunteerError> {
        guard(|| self.replica.create_activity(draft))
    }

    /// Staff: call urgently for `needed` volunteers at a site and time, from
    /// `audience` (teams, a site's subtree; empty: everyone); it is published
    /// at once and those called respond with `sign_up`. Returns its id.
    pub fn create_call_out(&self, draft: CallOutDraft) -> Result<String, VolunteerError> {
        guard(|| self.replica.create_call_out(draft))
    }

    /// Staff: close a call-out early.
    pub fn close_call_out(&self, activity_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.close_call_out(&activity_id))
    }

    /// Staff: widen a call-out (more people, as many places or more).
    pub fn widen_call_out(
        &self,
        activity_id: String,
        audience: Audience,
        needed: u32,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.widen_call_out(&activity_id, audience, needed))
    }

    /// Organisers: open a drafted activity for signups.
    pub fn publish_activity(&self, activity_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.publish_activity(&activity_id))
    }

    /// Organisers: the activity is under way (signups close).
    pub fn start_activity(&self, activity_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.start_activity(&activity_id))
    }

    /// Organisers: the activity is over.
    pub fn finish_activity(&self, activity_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.finish_activity(&activity_id))
    }

    /// Organisers: cancel the activity, saying why.
    pub fn cancel_activity(
        &self,
        activity_id: String,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.cancel_activity(&activity_id, &reason))
    }

    /// Sign up for an activity. Places are decided by the server in the order
    /// it receives signups; a full activity puts the signup on its waitlist,
    /// or, without one, comes back as a rejected action.
    pub fn sign_up(&self, activity_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.sign_up(&activity_id))
    }

    /// Cancel one's signup, freeing the place.
    pub fn cancel_signup(&self, activity_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.cancel_signup(&activity_id))
    }

    /// Report hours of one's own service; returns the new entry's id.
    pub fn report_hours(&self, report: HoursReport) -> Result<String, VolunteerError> {
        guard(|| self.replica.report_hours(report))
    }

    /// Dispute a record of one's hours, saying why (a reviewer resolves it).
    pub fn dispute_hours(&self, entry_id: String, reason: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.dispute_hours(&entry_id, &reason))
    }

    /// Reviewers: accept or turn down the open dispute of an entry.
    pub fn resolve_dispute(
        &self,
        entry_id: String,
        accept: bool,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.resolve_dispute(&entry_id, accept, &reason))
    }

    /// Reviewers: re-open a rejected self-report; it is pending again.
    pub fn reopen_hours(&self, entry_id: String, reason: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.reopen_hours(&entry_id, &reason))
    }

    /// Staff: record a volunteer's arrival, at `at` or now.
    pub fn check_in(
        &self,
        activity_id: String,
        volunteer_id: String,
        at: Option<DateTime>,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.check_in(&activity_id, &volunteer_id, at))
    }

    /// Staff: record a volunteer's departure, at `at` or now.
    pub fn check_out(
        &self,
        activity_id: String,
        volunteer_id: String,
        at: Option<DateTime>,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.check_out(&activity_id, &volunteer_id, at))
    }

    /// Staff: set a volunteer's check-in and check-out, saying why; the old
    /// times stay in the record's history.
    pub fn correct_attendance(
        &self,
        activity_id: String,
        volunteer_id: String,
        checked_in_at: DateTime,
        checked_out_at: Option<DateTime>,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica.correct_attendance(
                &activity_id,
                &volunteer_id,
                checked_in_at,
                checked_out_at,
                &reason,
            )
        })
    }

    /// Reviewers: approve or reject self-reported hours (a rejection needs a reason).
    pub fn review_hours(
        &self,
        entry_id: String,
        approve: bool,
        reason: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .review_hours(&entry_id, approve, reason.as_deref())
        })
    }

    /// Reviewers: correct confirmed self-reported hours; returns the new
    /// entry's id (the old one stays, marked superseded).
    pub fn correct_hours(
        &self,
        entry_id: String,
        minutes: u32,
        reason: String,
    ) -> Result<String, VolunteerError> {
        guard(|| self.replica.correct_hours(&entry_id, minutes, &reason))
    }

    /// Residents: order help; returns the order's id.
    pub fn place_order(&self, request: OrderRequest) -> Result<String, VolunteerError> {
        guard(|| self.replica.place_order(request))
    }

    /// Staff of the site: place the order of a resident who phoned in (the
    /// resident is its requester); returns its id.
    pub fn place_order_for(
        &self,
        request: OrderRequest,
        resident_id: String,
    ) -> Result<String, VolunteerError> {
        guard(|| self.replica.place_order_for(request, &resident_id))
    }

    /// Residents: withdraw an order nobody accepted yet.
    pub fn cancel_order(&self, order_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.cancel_order(&order_id))
    }

    /// Staff of the order's site or above: cancel an open order, saying why.
    pub fn cancel_order_as_staff(
        &self,
        order_id: String,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.cancel_order_as_staff(&order_id, &reason))
    }

    /// Staff: take back an offer nobody answered; the order is open again.
    pub fn withdraw_order(&self, order_id: String, reason: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.withdraw_order(&order_id, &reason))
    }

    /// The assignee: give back an accepted order one cannot do.
    pub fn release_order(&self, order_id: String, reason: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.release_order(&order_id, &reason))
    }

    /// Staff of the order's site or above: offer it to one team or one volunteer.
    pub fn dispatch_order(
        &self,
        order_id: String,
        team_id: Option<String>,
        volunteer_id: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .dispatch_order(&order_id, team_id.as_deref(), volunteer_id.as_deref())
        })
    }

    /// The volunteer, or a leader of the team, the order was offered to:
    /// accept or decline (a declined order goes back to the site).
    pub fn respond_to_order(
        &self,
        order_id: String,
        accept: bool,
        reason: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .respond_to_order(&order_id, accept, reason.as_deref())
        })
    }

    /// The assignee: the service was given, from `started_at` for
    /// `minutes`; for a team's order, by the members named in
    /// `volunteer_ids` (empty for a volunteer's own order). Each gets a
    /// service record pending review by the site's staff.
    pub fn complete_order(
        &self,
        order_id: String,
        started_at: DateTime,
        minutes: u32,
        volunteer_ids: Vec<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .complete_order(&order_id, started_at, minutes, &volunteer_ids)
        })
    }

    /// Residents: rate a completed order, 1 to 5 stars.
    pub fn rate_order(
        &self,
        order_id: String,
        stars: u8,
        comment: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .rate_order(&order_id, stars, comment.as_deref())
        })
    }

    /// Staff: open a donation campaign at a site; returns its id.
    pub fn create_campaign(&self, site_id: String, name: String) -> Result<String, VolunteerError> {
        guard(|| self.replica.create_campaign(&site_id, &name))
    }

    /// Staff: record a donation (anonymous without a donor name); returns its id.
    pub fn record_donation(
        &self,
        site_id: String,
        campaign_id: Option<String>,
        donor_name: Option<String>,
        gift: Gift,
        received_at: DateTime,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica.record_donation(
                &site_id,
                campaign_id.as_deref(),
                donor_name.as_deref(),
                gift,
                received_at,
            )
        })
    }

    /// Mark one of one's notices read.
    pub fn mark_notice_read(&self, notice_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.mark_notice_read(&notice_id))
    }

    /// Staff: open a site one level below `parent_id`; returns its id.
    pub fn create_site(
        &self,
        parent_id: String,
        name: String,
        address: String,
    ) -> Result<String, VolunteerError> {
        guard(|| self.replica.create_site(&parent_id, &name, &address))
    }

    /// Staff: rename a site or change its address.
    pub fn update_site(
        &self,
        site_id: String,
        name: String,
        address: String,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.update_site(&site_id, &name, &address))
    }

    /// Staff: form a team at a site; returns its id.
    pub fn create_team(
        &self,
        site_id: String,
        name: String,
        description: String,
        join_policy: JoinPolicy,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica
                .create_team(&site_id, &name, &description, join_policy)
        })
    }

    /// Staff or the team's leaders: change a team's name, description or policy.
    pub fn update_team(
        &self,
        team_id: String,
        name: String,
        description: String,
        join_policy: JoinPolicy,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .update_team(&team_id, &name, &description, join_policy)
        })
    }

    /// Staff: make an account for someone who will not register themself;
    /// it waits for activation. Returns its user id.
    pub fn create_account(
        &self,
        role: Role,
        site_id: String,
        display_name: String,
        phone: String,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica
                .create_account(role, &site_id, &display_name, &phone)
        })
    }

    /// Staff: give an account another role or site, saying why.
    pub fn assign_account(
        &self,
        user_id: String,
        role: Role,
        site_id: Option<String>,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .assign_account(&user_id, role, site_id.as_deref(), &reason)
        })
    }

    /// Staff: switch an account off, saying why.
    pub fn deactivate_account(
        &self,
        user_id: String,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| self.replica.deactivate_account(&user_id, &reason))
    }

    /// Staff: switch a deactivated account on again.
    pub fn reactivate_account(&self, user_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.reactivate_account(&user_id))
    }

    /// Staff: correct a donation recorded wrong, saying why; returns the
    /// new donation's id.
    pub fn correct_donation(
        &self,
        donation_id: String,
        gift: Gift,
        donor_name: Option<String>,
        reason: String,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica
                .correct_donation(&donation_id, gift, donor_name.as_deref(), &reason)
        })
    }

    /// Staff: void a donation recorded by mistake, saying why.
    pub fn void_donation(&self, donation_id: String, reason: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.void_donation(&donation_id, &reason))
    }

    /// Staff: record goods handed out from a campaign; returns its id.
    pub fn distribute_goods(
        &self,
        campaign_id: String,
        item: String,
        quantity: u32,
        unit: String,
        recipient: String,
        distributed_at: DateTime,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica.distribute_goods(
                &campaign_id,
                (&item, quantity, &unit),
                &recipient,
                distributed_at,
            )
        })
    }

    /// Staff (or a team's leaders): start a brand project; returns its id.
    pub fn create_project(
        &self,
        site_id: String,
        team_id: Option<String>,
        name: String,
        description: String,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica
                .create_project(&site_id, team_id.as_deref(), &name, &description)
        })
    }

    /// Link an activity to a project (none: unlink it).
    pub fn assign_activity_project(
        &self,
        activity_id: String,
        project_id: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .assign_activity_project(&activity_id, project_id.as_deref())
        })
    }

    /// Staff: link an order to a project (none: unlink it).
    pub fn assign_order_project(
        &self,
        order_id: String,
        project_id: Option<String>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .assign_order_project(&order_id, project_id.as_deref())
        })
    }
}
