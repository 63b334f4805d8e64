//! The replica's actions, in the order of the rules: each decides, applies
//! and queues one mutation in one local transaction ([`Replica::submit`]).

use chrono::{DateTime, Utc};
use volunteer_domain::{Audience, Gift, HourEntry, MAX_ID_LEN, Mutation, TeamRole};

use super::Replica;
use crate::error::{Error, Result};
use crate::model::{ActivityDraft, CallOutDraft, HoursReport, OrderRequest};
use crate::{outbox, queries, store};

impl Replica {
    /// Decide, apply and queue one action in one transaction.
    pub(super) fn submit(&self, mutation: Mutation) -> Result<()> {
        let (_, kinds) = self.inner.write(|tx| {
            let me = store::require_profile(tx)?;
            let actor = store::actor(tx, &me)?;
            let queued = outbox::enqueue(tx, &me, &actor, mutation, Utc::now())?;
            crate::crash::point("enqueue");
            Ok(queued)
        })?;
        crate::crash::point("after_enqueue");
        self.inner
            .auto
            .update(|s| s.wrote(std::time::Instant::now()));
        self.inner.announce(kinds);
        Ok(())
    }

    pub fn join_team(&self, team_id: &str) -> Result<()> {
        self.submit(Mutation::JoinTeam {
            team_id: id("team_id", team_id)?,
        })
    }

    pub fn leave_team(&self, team_id: &str) -> Result<()> {
        self.submit(Mutation::LeaveTeam {
            team_id: id("team_id", team_id)?,
        })
    }

    /// Take back one's own request to join a team.
    pub fn withdraw_join_request(&self, team_id: &str) -> Result<()> {
        self.submit(Mutation::WithdrawJoinRequest {
            team_id: id("team_id", team_id)?,
        })
    }

    /// Team leaders and staff: approve or decline a request to join.
    pub fn decide_join_request(
        &self,
        team_id: &str,
        volunteer_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<()> {
        self.submit(Mutation::DecideJoinRequest {
            team_id: id("team_id", team_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            approve,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        })
    }

    /// Team leaders and staff: remove a member, saying why.
    pub fn remove_member(&self, team_id: &str, volunteer_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::RemoveMember {
            team_id: id("team_id", team_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Staff: make an active member a team leader, or a leader a member again.
    pub fn set_team_role(&self, team_id: &str, volunteer_id: &str, role: TeamRole) -> Result<()> {
        self.submit(Mutation::SetTeamRole {
            team_id: id("team_id", team_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            role,
        })
    }

    /// Staff (for their sites) or a team leader (for the team): draft an
    /// activity. Returns its id; publish it to open signups.
    pub fn create_activity(&self, draft: ActivityDraft) -> Result<String> {
        let activity_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateActivity {
            activity_id: activity_id.clone(),
            site_id: id("site_id", &draft.site_id)?,
            team_id: draft
                .team_id
                .as_deref()
                .map(|t| id("team_id", t))
                .transpose()?,
            title: draft.title,
            description: draft.description,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            capacity: draft.capacity,
            signup_deadline: draft.signup_deadline,
            waitlist: draft.waitlist,
            walk_ins: draft.walk_ins,
            credit_rounding_minutes: draft.credit_rounding_minutes,
        })?;
        Ok(activity_id)
    }

    /// Staff: call urgently for `needed` volunteers at a site and time,
    /// from `audience` (teams, a site's subtree; empty: everyone). The call
    /// is published at once; those called respond with [`Replica::sign_up`]
    /// and withdraw with [`Replica::cancel_signup`]. Returns its id.
    pub fn create_call_out(&self, draft: CallOutDraft) -> Result<String> {
        let activity_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateCallOut {
            activity_id: activity_id.clone(),
            site_id: id("site_id", &draft.site_id)?,
            title: draft.title,
            description: draft.description,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            needed: draft.needed,
            audience: draft.audience,
        })?;
        Ok(activity_id)
    }

    /// Staff: close a call-out early: no more responses.
    pub fn close_call_out(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::CloseCallOut {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Staff: call more people (an audience that holds the old one) for as
    /// many places or more; the call takes responses again.
    pub fn widen_call_out(&self, activity_id: &str, audience: Audience, needed: u32) -> Result<()> {
        self.submit(Mutation::WidenCallOut {
            activity_id: id("activity_id", activity_id)?,
            audience,
            needed,
        })
    }

    /// Organisers: open a drafted activity for signups.
    pub fn publish_activity(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::PublishActivity {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Organisers: the activity is under way (signups close).
    pub fn start_activity(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::StartActivity {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Organisers: the activity is over.
    pub fn finish_activity(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::FinishActivity {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Organisers: cancel the activity, saying why; signed-up volunteers see it.
    pub fn cancel_activity(&self, activity_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::CancelActivity {
            activity_id: id("activity_id", activity_id)?,
            reason: reason.to_owned(),
        })
    }

    pub fn sign_up(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::SignUp {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    pub fn cancel_signup(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::CancelSignup {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Report hours of one's own service; they wait for review. Returns the entry id.
    pub fn report_hours(&self, report: HoursReport) -> Result<String> {
        let me = self.me()?;
        let entry_id = uuid::Uuid::new_v4().to_string();
        let activity_id = match report.activity_id {
            Some(a) => Some(id("activity_id", &a)?),
            None => None,
        };
        let team_id = match report.team_id {
            Some(t) => Some(id("team_id", &t)?),
            None => None,
        };
        self.submit(Mutation::ReportHours {
            entry_id: entry_id.clone(),
            volunteer_id: me.user_id,
            activity_id,
            started_at: report.started_at,
            minutes: report.minutes,
            description: report.description,
            team_id,
        })?;
        Ok(entry_id)
    }

    /// Reviewers (the activity's organisers, the team's leaders, staff above
    /// its site): approve or reject self-reported hours; a rejection needs a reason.
    pub fn review_hours(&self, entry_id: &str, approve: bool, reason: Option<&str>) -> Result<()> {
        self.submit(Mutation::ReviewHours {
            entry_id: entry_key(entry_id)?,
            approve,
            reason: reason.map(str::to_owned),
        })
    }

    /// Reviewers: correct confirmed hours. A new entry replaces the old one,
    /// which stays unchanged, marked superseded. Returns the new entry's id.
    pub fn correct_hours(&self, entry_id: &str, minutes: u32, reason: &str) -> Result<String> {
        let new_entry_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CorrectHours {
            entry_id: entry_key(entry_id)?,
            new_entry_id: new_entry_id.clone(),
            minutes,
            reason: reason.to_owned(),
        })?;
        Ok(new_entry_id)
    }

    /// Dispute a record of one's hours, saying why (a reviewer resolves it).
    pub fn dispute_hours(&self, entry_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::DisputeHours {
            entry_id: entry_key(entry_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Reviewers: accept or turn down the open dispute of an entry.
    pub fn resolve_dispute(&self, entry_id: &str, accept: bool, reason: &str) -> Result<()> {
        self.submit(Mutation::ResolveDispute {
            entry_id: entry_key(entry_id)?,
            accept,
            reason: reason.to_owned(),
        })
    }

    /// Reviewers: re-open a rejected self-report; it is pending again.
    pub fn reopen_hours(&self, entry_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::ReopenHours {
            entry_id: entry_key(entry_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Staff: record a volunteer's arrival (now, unless `at` is given).
    pub fn check_in(
        &self,
        activity_id: &str,
        volunteer_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.submit(Mutation::CheckIn {
            activity_id: id("activity_id", activity_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            at: at.unwrap_or_else(Utc::now),
        })
    }

    /// Staff: record a volunteer's departure (now, unless `at` is given).
    pub fn check_out(
        &self,
        activity_id: &str,
        volunteer_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.submit(Mutation::CheckOut {
            activity_id: id("activity_id", activity_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            at: at.unwrap_or_else(Utc::now),
        })
    }

    /// Staff (or the organising team's leaders): set a volunteer's check-in
    /// and check-out at an activity, saying why. The old times are kept in the
    /// record's history and the hours are recomputed.
    pub fn correct_attendance(
        &self,
        activity_id: &str,
        volunteer_id: &str,
        checked_in_at: DateTime<Utc>,
        checked_out_at: Option<DateTime<Utc>>,
        reason: &str,
    ) -> Result<()> {
        self.submit(Mutation::CorrectAttendance {
            activity_id: id("activity_id", activity_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            checked_in_at,
            checked_out_at,
            reason: reason.to_owned(),
        })
    }

    /// Residents: order help. Returns the order's id.
    pub fn place_order(&self, request: OrderRequest) -> Result<String> {
        self.place(request, None)
    }

    /// Staff of the site: place the order of a resident who phoned in; the
    /// resident is its requester. Returns its id.
    pub fn place_order_for(&self, request: OrderRequest, resident_id: &str) -> Result<String> {
        self.place(request, Some(id("resident_id", resident_id)?))
    }

    fn place(&self, request: OrderRequest, requester_id: Option<String>) -> Result<String> {
        let order_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::PlaceOrder {
            order_id: order_id.clone(),
            site_id: id("site_id", &request.site_id)?,
            category: request.category,
            description: request.description,
            desired_at: request.desired_at,
            phone: request.phone,
            address: request.address,
            requester_id,
        })?;
        Ok(order_id)
    }

    /// Residents: withdraw an order nobody has accepted yet.
    pub fn cancel_order(&self, order_id: &str) -> Result<()> {
        self.submit(Mutation::CancelOrder {
            order_id: id("order_id", order_id)?,
            reason: None,
        })
    }

    /// Staff of the order's site or above: cancel an open order, saying why.
    pub fn cancel_order_as_staff(&self, order_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::CancelOrder {
            order_id: id("order_id", order_id)?,
            reason: Some(reason.to_owned()),
        })
    }

    /// Staff: take back an offer nobody answered; the order is open again.
    pub fn withdraw_order(&self, order_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::WithdrawOrder {
            order_id: id("order_id", order_id)?,
            reason: reason.to_owned(),
        })
    }

    /// The assignee: give back an accepted order one cannot do.
    pub fn release_order(&self, order_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::ReleaseOrder {
            order_id: id("order_id", order_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Staff of the order's site or above: offer it to a team or a volunteer.
    pub fn dispatch_order(
        &self,
        order_id: &str,
        team_id: Option<&str>,
        volunteer_id: Option<&str>,
    ) -> Result<()> {
        self.submit(Mutation::DispatchOrder {
            order_id: id("order_id", order_id)?,
            team_id: team_id.map(|t| id("team_id", t)).transpose()?,
            volunteer_id: volunteer_id.map(|v| id("volunteer_id", v)).transpose()?,
        })
    }

    /// The assignee (the volunteer, or a leader of the team): accept or decline.
    pub fn respond_to_order(
        &self,
        order_id: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<()> {
        let order_id = id("order_id", order_id)?;
        // The answer names the offer this device saw, so it cannot land on
        // a later one.
        let offer = self
            .read(|c| queries::order(c, &order_id))?
            .map(|o| o.offer);
        self.submit(Mutation::RespondToOrder {
            order_id,
            accept,
            reason: reason.map(str::to_owned),
            offer,
        })
    }

    /// The assignee: the service was given, from `started_at` for
    /// `minutes`. For a team's order its leader names the members who
    /// served (`volunteer_ids`); for a volunteer's, leave it empty. Each
    /// gets a service record, pending review by the site's staff.
    pub fn complete_order(
        &self,
        order_id: &str,
        started_at: DateTime<Utc>,
        minutes: u32,
        volunteer_ids: &[String],
    ) -> Result<()> {
        self.submit(Mutation::CompleteOrder {
            order_id: id("order_id", order_id)?,
            started_at: Some(started_at),
            minutes,
            volunteer_ids: volunteer_ids
                .iter()
                .map(|v| id("volunteer_ids", v))
                .collect::<Result<_>>()?,
        })
    }

    /// Residents: rate the service, 1 to 5 stars, with an optional comment.
    pub fn rate_order(&self, order_id: &str, stars: u8, comment: Option<&str>) -> Result<()> {
        self.submit(Mutation::RateOrder {
            order_id: id("order_id", order_id)?,
            stars,
            comment: comment.map(str::to_owned),
        })
    }

    /// Staff: open a donation campaign at a site. Returns its id.
    pub fn create_campaign(&self, site_id: &str, name: &str) -> Result<String> {
        let campaign_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateCampaign {
            campaign_id: campaign_id.clone(),
            site_id: id("site_id", site_id)?,
            name: name.to_owned(),
        })?;
        Ok(campaign_id)
    }

    /// Staff: record a donation received (a campaign's totals follow).
    /// `donor_name: None` records it as anonymous. Returns its id.
    pub fn record_donation(
        &self,
        site_id: &str,
        campaign_id: Option<&str>,
        donor_name: Option<&str>,
        gift: Gift,
        received_at: DateTime<Utc>,
    ) -> Result<String> {
        let donation_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::RecordDonation {
            donation_id: donation_id.clone(),
            campaign_id: campaign_id.map(|c| id("campaign_id", c)).transpose()?,
            site_id: id("site_id", site_id)?,
            donor_name: donor_name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            gift,
            received_at,
        })?;
        Ok(donation_id)
    }

    /// Staff: correct a donation recorded wrong, saying why; a new donation
    /// replaces it in the totals. Returns the new donation's id.
    pub fn correct_donation(
        &self,
        donation_id: &str,
        gift: Gift,
        donor_name: Option<&str>,
        reason: &str,
    ) -> Result<String> {
        let new_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CorrectDonation {
            donation_id: id("donation_id", donation_id)?,
            new_donation_id: new_id.clone(),
            gift,
            donor_name: donor_name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            reason: reason.to_owned(),
        })?;
        Ok(new_id)
    }

    /// Staff: void a donation recorded by mistake, saying why.
    pub fn void_donation(&self, donation_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::VoidDonation {
            donation_id: id("donation_id", donation_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Staff: record goods handed out from a campaign. Returns its id.
    pub fn distribute_goods(
        &self,
        campaign_id: &str,
        (item, quantity, unit): (&str, u32, &str),
        recipient: &str,
        distributed_at: DateTime<Utc>,
    ) -> Result<String> {
        let distribution_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::DistributeGoods {
            distribution_id: distribution_id.clone(),
            campaign_id: id("campaign_id", campaign_id)?,
            item: item.to_owned(),
            quantity,
            unit: unit.to_owned(),
            recipient: recipient.to_owned(),
            distributed_at,
        })?;
        Ok(distribution_id)
    }

    /// Mark one of one's notices read.
    pub fn mark_notice_read(&self, notice_id: &str) -> Result<()> {
        if notice_id.is_empty() {
            return Err(Error::invalid("notice_id", "must not be empty"));
        }
        self.submit(Mutation::MarkNoticeRead {
            notice_id: notice_id.to_owned(),
        })
    }
}

/// An id argument, trimmed, by the domain's one id rule.
/// An hour entry's id: a client id or a key the rules compose (`att/...`).
fn entry_key(value: &str) -> Result<String> {
    let v = value.trim();
    if !HourEntry::is_valid_key(v) {
        return Err(Error::invalid("entry_id", "not the id of an hour entry"));
    }
    Ok(v.to_owned())
}

pub(super) fn id(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if !volunteer_domain::is_valid_id(v) {
        return Err(Error::invalid(
            field,
            format!("must be an id of 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"),
        ));
    }
    Ok(v.to_owned())
}
