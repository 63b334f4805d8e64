//! [`VolunteerClient`]: every action and query of the core, for apps.

use std::sync::Arc;
use std::time::SystemTime;
use volunteer_core::Replica;

use crate::error::{VolunteerError, guard};
use crate::listeners::{
    CancelHandle, ChangeBridge, ChangeListener, StatusBridge, StatusListener, SubscriptionHandle,
};
use crate::runtime::run;
use crate::types::*;

/// The offline-first core of the app: a local replica of what the signed-in
/// user may see, their queued actions, and sync with the server.
///
/// Hold one per database file for the app's lifetime. Reads and writes are
/// synchronous and fast (one local transaction) but touch the disk: call them
/// off the main thread. Every write is visible to reads at once and is kept
/// through an app kill; `sync` sends it when the network allows.
#[derive(uniffi::Object)]
pub struct VolunteerClient {
    replica: Replica,
}

fn collect<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(Into::into).collect()
}

#[uniffi::export]
impl VolunteerClient {
    /// Open (creating or upgrading) the replica at `path`, syncing with
    /// `server_url` (e.g. `https://sync.example.org`).
    #[uniffi::constructor]
    pub fn open(path: String, server_url: String) -> Result<Arc<Self>, VolunteerError> {
        guard(|| {
            Ok(Arc::new(VolunteerClient {
                replica: Replica::open(path, &server_url)?,
            }))
        })
    }

    // ----- session -----

    /// Sign in with credentials the server issued (needs the network).
    pub async fn sign_in(
        &self,
        login: String,
        password: String,
    ) -> Result<Profile, VolunteerError> {
        let replica = self.replica.clone();
        run(async move { replica.sign_in(&login, &password).await.map(Into::into) }).await
    }

    /// Sign out and delete this user's data from the device. Fails with
    /// `PendingChanges` while actions are unsynced, unless `discard_pending`.
    pub async fn sign_out(&self, discard_pending: bool) -> Result<(), VolunteerError> {
        let replica = self.replica.clone();
        run(async move { replica.sign_out(discard_pending).await }).await
    }

    /// The signed-in user, or nothing.
    pub fn profile(&self) -> Result<Option<Profile>, VolunteerError> {
        guard(|| Ok(self.replica.profile()?.map(Into::into)))
    }

    // ----- reads -----

    /// Every site of the network, parents before children.
    pub fn sites(&self) -> Result<Vec<Site>, VolunteerError> {
        guard(|| Ok(collect(self.replica.sites()?)))
    }

    /// All teams, or those at `under_site_id` and the sites below it.
    pub fn teams(&self, under_site_id: Option<String>) -> Result<Vec<Team>, VolunteerError> {
        guard(|| Ok(collect(self.replica.teams(under_site_id.as_deref())?)))
    }

    /// One activity by id, if this device has it.
    pub fn activity(&self, id: String) -> Result<Option<Activity>, VolunteerError> {
        guard(|| Ok(self.replica.activity(&id)?.map(Into::into)))
    }

    /// Published activities that have not ended, soonest first.
    pub fn upcoming_activities(&self, limit: u32) -> Result<Vec<Activity>, VolunteerError> {
        guard(|| Ok(collect(self.replica.upcoming_activities(limit)?)))
    }

    /// Activities at a site, or at it and every site below it.
    pub fn activities_at_site(
        &self,
        site_id: String,
        include_subtree: bool,
    ) -> Result<Vec<Activity>, VolunteerError> {
        guard(|| {
            Ok(collect(
                self.replica.activities_at_site(&site_id, include_subtree)?,
            ))
        })
    }

    /// Who signed up for an activity and who was checked in and out.
    pub fn roster(&self, activity_id: String) -> Result<Vec<RosterEntry>, VolunteerError> {
        guard(|| Ok(collect(self.replica.roster(&activity_id)?)))
    }

    /// The signed-in volunteer's memberships and join requests, in every state.
    pub fn my_memberships(&self) -> Result<Vec<Membership>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_memberships()?)))
    }

    /// Active members of a team (its leaders and staff see them).
    pub fn team_members(&self, team_id: String) -> Result<Vec<Membership>, VolunteerError> {
        guard(|| Ok(collect(self.replica.team_members(&team_id)?)))
    }

    /// Open requests to join a team (its leaders and staff see them).
    pub fn join_requests(&self, team_id: String) -> Result<Vec<Membership>, VolunteerError> {
        guard(|| Ok(collect(self.replica.join_requests(&team_id)?)))
    }

    /// Teams the signed-in user leads.
    pub fn my_led_teams(&self) -> Result<Vec<Team>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_led_teams()?)))
    }

    /// The activities the signed-in volunteer signed up for.
    pub fn my_signups(&self) -> Result<Vec<Signup>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_signups()?)))
    }

    /// The signed-in volunteer's attendance, with corrections, newest first.
    pub fn my_attendance(&self) -> Result<Vec<AttendanceRecord>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_attendance()?)))
    }

    /// The user's hour entries, newest first.
    pub fn my_hours(&self) -> Result<Vec<HourEntry>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_hours()?)))
    }

    /// The signed-in volunteer's confirmed and pending minutes.
    pub fn my_hours_total(&self) -> Result<HoursTotal, VolunteerError> {
        guard(|| Ok(self.replica.my_hours_total()?.into()))
    }

    /// Pending work, rejections, connectivity, last sync, last error.
    pub fn sync_status(&self) -> Result<SyncStatus, VolunteerError> {
        guard(|| Ok(self.replica.sync_status()?.into()))
    }

    /// Actions not yet settled by the server, oldest first.
    pub fn pending_actions(&self) -> Result<Vec<PendingAction>, VolunteerError> {
        guard(|| Ok(collect(self.replica.pending_mutations()?)))
    }

    /// Actions the server refused, oldest first, until resent or discarded.
    pub fn rejected_actions(&self) -> Result<Vec<RejectedAction>, VolunteerError> {
        guard(|| Ok(collect(self.replica.rejections()?)))
    }

    // ----- writes -----

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
        guard(|| {
            self.replica
                .set_team_role(&team_id, &volunteer_id, role.into())
        })
    }

    /// Staff (for their sites) or a team leader (for the team): draft an
    /// activity; returns its id. Publish it to open signups.
    pub fn create_activity(&self, draft: ActivityDraft) -> Result<String, VolunteerError> {
        guard(|| self.replica.create_activity(draft.into()))
    }

    /// Staff: call urgently for `needed` volunteers at a site and time; it is
    /// published at once and volunteers respond with `sign_up`. Returns its id.
    pub fn create_call_out(
        &self,
        site_id: String,
        title: String,
        description: String,
        starts_at: SystemTime,
        ends_at: SystemTime,
        needed: u32,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica.create_call_out(
                &site_id,
                &title,
                &description,
                (chrono(starts_at), chrono(ends_at)),
                needed,
            )
        })
    }

    /// Call-outs still looking for responders, soonest first.
    pub fn open_call_outs(&self) -> Result<Vec<Activity>, VolunteerError> {
        guard(|| Ok(collect(self.replica.open_call_outs()?)))
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
        guard(|| {
            self.replica.report_hours(volunteer_core::HoursReport {
                activity_id: report.activity_id,
                team_id: report.team_id,
                started_at: chrono(report.started_at),
                minutes: report.minutes,
                description: report.description,
            })
        })
    }

    /// Staff: record a volunteer's arrival, at `at` or now.
    pub fn check_in(
        &self,
        activity_id: String,
        volunteer_id: String,
        at: Option<SystemTime>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .check_in(&activity_id, &volunteer_id, at.map(chrono))
        })
    }

    /// Staff: record a volunteer's departure, at `at` or now.
    pub fn check_out(
        &self,
        activity_id: String,
        volunteer_id: String,
        at: Option<SystemTime>,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica
                .check_out(&activity_id, &volunteer_id, at.map(chrono))
        })
    }

    /// Staff: set a volunteer's check-in and check-out, saying why; the old
    /// times stay in the record's history.
    pub fn correct_attendance(
        &self,
        activity_id: String,
        volunteer_id: String,
        checked_in_at: SystemTime,
        checked_out_at: Option<SystemTime>,
        reason: String,
    ) -> Result<(), VolunteerError> {
        guard(|| {
            self.replica.correct_attendance(
                &activity_id,
                &volunteer_id,
                chrono(checked_in_at),
                checked_out_at.map(chrono),
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

    /// Self-reported hours this user may review, oldest first.
    pub fn hours_to_review(&self) -> Result<Vec<HourEntry>, VolunteerError> {
        guard(|| Ok(collect(self.replica.hours_to_review()?)))
    }

    /// Residents: order help; returns the order's id.
    pub fn place_order(&self, request: OrderRequest) -> Result<String, VolunteerError> {
        guard(|| self.replica.place_order(request.into()))
    }

    /// Residents: withdraw an order nobody accepted yet.
    pub fn cancel_order(&self, order_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.cancel_order(&order_id))
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

    /// The assignee: the service was given.
    pub fn complete_order(&self, order_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.complete_order(&order_id))
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

    /// Residents: their orders, newest first.
    pub fn my_orders(&self) -> Result<Vec<ServiceOrder>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_orders()?)))
    }

    /// Volunteers and team leaders: open orders offered to them.
    pub fn assigned_orders(&self) -> Result<Vec<ServiceOrder>, VolunteerError> {
        guard(|| Ok(collect(self.replica.assigned_orders()?)))
    }

    /// Staff: orders at a site (and below it), oldest first.
    pub fn orders_at_site(
        &self,
        site_id: String,
        include_subtree: bool,
    ) -> Result<Vec<ServiceOrder>, VolunteerError> {
        guard(|| {
            Ok(collect(
                self.replica.orders_at_site(&site_id, include_subtree)?,
            ))
        })
    }

    /// How to reach an order's resident, for those who may see it.
    pub fn order_contact(&self, order_id: String) -> Result<Option<OrderContact>, VolunteerError> {
        guard(|| Ok(self.replica.order_contact(&order_id)?.map(Into::into)))
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
        received_at: SystemTime,
    ) -> Result<String, VolunteerError> {
        guard(|| {
            self.replica.record_donation(
                &site_id,
                campaign_id.as_deref(),
                donor_name.as_deref(),
                gift.into(),
                chrono(received_at),
            )
        })
    }

    /// The signed-in volunteer's notices (promotions, cancellations), newest first.
    pub fn my_notices(&self) -> Result<Vec<Notice>, VolunteerError> {
        guard(|| Ok(collect(self.replica.my_notices()?)))
    }

    /// Mark one of one's notices read.
    pub fn mark_notice_read(&self, notice_id: String) -> Result<(), VolunteerError> {
        guard(|| self.replica.mark_notice_read(&notice_id))
    }

    /// Figures of a site and the sites below it (its staff and above see them).
    pub fn site_figures(&self, site_id: String) -> Result<Option<Figures>, VolunteerError> {
        guard(|| Ok(self.replica.site_figures(&site_id)?.map(Into::into)))
    }

    /// Figures of a team (its leaders and staff see them).
    pub fn team_figures(&self, team_id: String) -> Result<Option<Figures>, VolunteerError> {
        guard(|| Ok(self.replica.team_figures(&team_id)?.map(Into::into)))
    }

    /// Every campaign with its totals.
    pub fn campaigns(&self) -> Result<Vec<Campaign>, VolunteerError> {
        guard(|| Ok(collect(self.replica.campaigns()?)))
    }

    /// Staff: donations recorded at their sites, newest first.
    pub fn donations(&self) -> Result<Vec<Donation>, VolunteerError> {
        guard(|| Ok(collect(self.replica.donations()?)))
    }

    /// Queue a rejected action again, unchanged.
    pub fn retry_rejected(&self, seq: u64) -> Result<(), VolunteerError> {
        guard(|| self.replica.retry_rejection(seq))
    }

    /// Forget a rejected action.
    pub fn discard_rejected(&self, seq: u64) -> Result<(), VolunteerError> {
        guard(|| self.replica.discard_rejection(seq))
    }

    // ----- sync and notifications -----

    /// Push pending actions and pull what is new, until both are drained.
    /// Calls from many places at once share rounds. Pass a [`CancelHandle`] to
    /// be able to stop waiting (what was applied stays applied; the rest stays
    /// pending).
    pub async fn sync(
        &self,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<SyncReport, VolunteerError> {
        let replica = self.replica.clone();
        let token = cancel.map(|c| c.0.clone()).unwrap_or_default();
        run(async move { replica.sync_cancellable(&token).await.map(Into::into) }).await
    }

    /// Be told which kinds of data change. Keep the handle; cancel it to stop.
    pub fn subscribe_changes(
        &self,
        listener: Arc<dyn ChangeListener>,
    ) -> Result<Arc<SubscriptionHandle>, VolunteerError> {
        guard(|| {
            Ok(SubscriptionHandle::new(
                self.replica
                    .subscribe_changes(Arc::new(ChangeBridge(listener))),
            ))
        })
    }

    /// Be told the sync status, now and on every change. Keep the handle.
    pub fn subscribe_status(
        &self,
        listener: Arc<dyn StatusListener>,
    ) -> Result<Arc<SubscriptionHandle>, VolunteerError> {
        guard(|| {
            Ok(SubscriptionHandle::new(
                self.replica
                    .subscribe_status(Arc::new(StatusBridge(listener))),
            ))
        })
    }
}
