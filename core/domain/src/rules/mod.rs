//! The one definition of each mutation's rule: who may do it, when it is
//! refused, and which records it writes.
//!
//! [`decide`] is pure: it reads through [`State`] and returns a [`Decision`].
//! The server runs it with authoritative state inside its write transaction;
//! the device runs it over its replica for the optimistic effect. A device
//! lacks other users' data, so where a decision needs facts it does not hold
//! (an activity it never pulled, the true signup count) it answers
//! [`Decision::Defer`] or applies optimistically, and the server decides.
//!
//! Every rule is idempotent with respect to its own effect (joining twice is one
//! membership, a repeated check-in keeps the earliest time), because the device
//! replays pending mutations on top of fresh server state after every pull.

use chrono::{DateTime, Duration, Utc};

mod accounts;
mod activities;
mod attendance;
mod base;
mod callouts;
mod disputes;
mod donations;
mod evidence;
mod hours;
mod inputs;
mod notices;
mod orders;
mod projects;
mod service;
mod sites;
mod teams;
#[cfg(test)]
mod tests;

pub use accounts::may_manage_account;
pub use attendance::credited_minutes;
pub(crate) use base::*;
pub use base::{Decision, Effect, RejectCode, Rejection, State};
pub use evidence::{
    LATE_RECORD_LIMIT, MAX_DAILY_MINUTES, RECORDING_WORKING_DAYS, overlaps, recording_deadline,
    shanghai, shanghai_day, span_meets, within_daily_limit,
};
pub use inputs::MAX_SCHEDULE_AHEAD;
pub use service::MAX_SERVED;
pub use sites::level_below;

pub use crate::actor::{Actor, MAX_ID_LEN, is_valid_id};
use crate::mutation::{Mutation, MutationEnvelope};
use crate::record::{Kind, Record, pair_key};
use crate::records::{
    Activity, ActivityStatus, Attendance, Campaign, Distribution, Donation, HourEntry, HourSource,
    HourStatus, Membership, Notice, OrderContact, Project, Role, ServiceOrder, Signup, Site, Team,
};
use accounts::{NewAccount, assign_account, create_account, set_account_active};
use activities::{cancel_signup, create_activity, move_activity, sign_up};
use attendance::{CorrectionArgs, check_in, check_out, correct_attendance};
use callouts::{CallOut, close_call_out, create_call_out, widen_call_out};
use disputes::{dispute_hours, reopen_hours, resolve_dispute};
use donations::{
    DonationFix, Handout, NewDonation, correct_donation, create_campaign, distribute_goods,
    record_donation, void_donation,
};
use hours::{ReportArgs, correct_hours, report_hours, review_hours};
use notices::mark_notice_read;
pub(crate) use notices::notice;
use orders::{
    NewOrder, cancel_order, complete_order, dispatch_order, place_order, rate_order, release_order,
    respond_to_order, withdraw_order,
};
use projects::{NewProject, assign_project, create_project};
use sites::{SiteArgs, TeamArgs, create_site, create_team, update_site, update_team};
use teams::{decide_join, join_team, leave_team, remove_member, set_team_role, withdraw_join};

/// How far ahead of the server's clock a device timestamp may be.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(10);
/// Longest single self-reported entry.
pub const MAX_REPORT_MINUTES: u32 = 24 * 60;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Decide one mutation for `actor`. `now` is the deciding side's clock (the
/// server's receive time on the server).
pub fn decide<S: State>(
    env: &MutationEnvelope,
    actor: &Actor,
    now: DateTime<Utc>,
    s: &mut S,
) -> Result<Decision, S::Error> {
    if env.created_at > now + MAX_CLOCK_SKEW {
        return Ok(reject(
            RejectCode::ClockSkew,
            "the device clock is ahead of the server's; correct it and resend",
        ));
    }
    if let Some(field) = inputs::bad_id(&env.mutation) {
        return Ok(reject(
            RejectCode::InvalidInput,
            match field {
                "entry_id" => {
                    "entry_id must be an hour entry's id or key (att/..., ord/...)".into()
                }
                _ => format!("{field} must be 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"),
            },
        ));
    }
    if let Some(refusal) = inputs::out_of_bounds(&env.mutation, now) {
        return Ok(refusal);
    }
    let acted_at = env.created_at;
    match &env.mutation {
        Mutation::JoinTeam { team_id } => join_team(s, actor, team_id, acted_at),
        Mutation::LeaveTeam { team_id } => leave_team(s, actor, team_id, now),
        Mutation::WithdrawJoinRequest { team_id } => withdraw_join(s, actor, team_id, now),
        Mutation::DecideJoinRequest {
            team_id,
            volunteer_id,
            approve,
            reason,
        } => decide_join(
            s,
            actor,
            now,
            (team_id, volunteer_id),
            *approve,
            reason.as_deref(),
        ),
        Mutation::RemoveMember {
            team_id,
            volunteer_id,
            reason,
        } => remove_member(s, actor, now, (team_id, volunteer_id), reason),
        Mutation::SetTeamRole {
            team_id,
            volunteer_id,
            role,
        } => set_team_role(s, actor, (team_id, volunteer_id), *role),
        Mutation::SignUp { activity_id } => sign_up(s, actor, activity_id, acted_at, now),
        Mutation::CancelSignup { activity_id } => cancel_signup(s, actor, now, activity_id),
        Mutation::CreateActivity { .. } => create_activity(s, actor, now, &env.mutation),
        Mutation::CreateCallOut {
            activity_id,
            site_id,
            title,
            description,
            starts_at,
            ends_at,
            needed,
            audience,
        } => create_call_out(
            s,
            actor,
            now,
            CallOut {
                activity_id,
                site_id,
                title,
                description,
                starts_at: *starts_at,
                ends_at: *ends_at,
                needed: *needed,
                audience,
            },
        ),
        Mutation::CreateProject {
            project_id,
            site_id,
            team_id,
            name,
            description,
        } => create_project(
            s,
            actor,
            NewProject {
                project_id,
                site_id,
                team_id: team_id.as_deref(),
                name,
                description,
            },
        ),
        Mutation::AssignProject {
            project_id,
            activity_id,
            order_id,
        } => assign_project(
            s,
            actor,
            (
                project_id.as_deref(),
                activity_id.as_deref(),
                order_id.as_deref(),
            ),
        ),
        Mutation::CloseCallOut { activity_id } => close_call_out(s, actor, now, activity_id),
        Mutation::WidenCallOut {
            activity_id,
            audience,
            needed,
        } => widen_call_out(s, actor, activity_id, (audience, *needed)),
        Mutation::PublishActivity { activity_id } => move_activity(
            s,
            actor,
            now,
            activity_id,
            &[ActivityStatus::Draft],
            ActivityStatus::Published,
            None,
        ),
        Mutation::StartActivity { activity_id } => move_activity(
            s,
            actor,
            now,
            activity_id,
            &[ActivityStatus::Published],
            ActivityStatus::InProgress,
            None,
        ),
        Mutation::FinishActivity { activity_id } => move_activity(
            s,
            actor,
            now,
            activity_id,
            &[ActivityStatus::InProgress],
            ActivityStatus::Finished,
            None,
        ),
        Mutation::CancelActivity {
            activity_id,
            reason,
        } => move_activity(
            s,
            actor,
            now,
            activity_id,
            &[
                ActivityStatus::Draft,
                ActivityStatus::Published,
                ActivityStatus::InProgress,
            ],
            ActivityStatus::Cancelled,
            Some(reason),
        ),
        Mutation::ReviewHours {
            entry_id,
            approve,
            reason,
        } => review_hours(s, actor, now, entry_id, *approve, reason.as_deref()),
        Mutation::CorrectHours {
            entry_id,
            new_entry_id,
            minutes,
            reason,
        } => correct_hours(s, actor, now, (entry_id, new_entry_id), *minutes, reason),
        Mutation::ReportHours {
            entry_id,
            volunteer_id,
            activity_id,
            started_at,
            minutes,
            description,
            team_id,
        } => report_hours(
            s,
            actor,
            now,
            ReportArgs {
                entry_id,
                volunteer_id,
                activity_id: activity_id.as_deref(),
                team_id: team_id.as_deref(),
                started_at: *started_at,
                minutes: *minutes,
                description,
            },
        ),
        Mutation::DisputeHours { entry_id, reason } => {
            dispute_hours(s, actor, now, entry_id, reason)
        }
        Mutation::ResolveDispute {
            entry_id,
            accept,
            reason,
        } => resolve_dispute(s, actor, now, (entry_id, *accept), reason),
        Mutation::ReopenHours { entry_id, reason } => reopen_hours(s, actor, now, entry_id, reason),
        Mutation::CheckIn {
            activity_id,
            volunteer_id,
            at,
        } => check_in(s, actor, now, activity_id, volunteer_id, *at),
        Mutation::CheckOut {
            activity_id,
            volunteer_id,
            at,
        } => check_out(s, actor, now, activity_id, volunteer_id, *at),
        Mutation::PlaceOrder {
            order_id,
            site_id,
            category,
            description,
            desired_at,
            phone,
            address,
            requester_id,
        } => place_order(
            s,
            actor,
            now,
            NewOrder {
                order_id,
                site_id,
                category,
                description,
                desired_at: *desired_at,
                phone,
                address,
                requester_id: requester_id.as_deref(),
            },
        ),
        Mutation::CancelOrder { order_id, reason } => {
            cancel_order(s, actor, order_id, reason.as_deref())
        }
        Mutation::WithdrawOrder { order_id, reason } => withdraw_order(s, actor, order_id, reason),
        Mutation::ReleaseOrder { order_id, reason } => release_order(s, actor, order_id, reason),
        Mutation::MarkNoticeRead { notice_id } => mark_notice_read(s, actor, notice_id),
        Mutation::CreateCampaign {
            campaign_id,
            site_id,
            name,
        } => create_campaign(s, actor, (campaign_id, site_id, name)),
        Mutation::RecordDonation {
            donation_id,
            campaign_id,
            site_id,
            donor_name,
            gift,
            received_at,
        } => record_donation(
            s,
            actor,
            now,
            NewDonation {
                donation_id,
                campaign_id: campaign_id.as_deref(),
                site_id,
                donor_name: donor_name.as_deref(),
                gift,
                received_at: *received_at,
            },
        ),
        Mutation::DispatchOrder {
            order_id,
            team_id,
            volunteer_id,
        } => dispatch_order(
            s,
            actor,
            now,
            order_id,
            (team_id.as_deref(), volunteer_id.as_deref()),
        ),
        Mutation::RespondToOrder {
            order_id,
            accept,
            reason,
            offer,
        } => respond_to_order(
            s,
            actor,
            now,
            order_id,
            (*accept, *offer),
            reason.as_deref(),
        ),
        Mutation::CompleteOrder {
            order_id,
            started_at,
            minutes,
            volunteer_ids,
        } => complete_order(
            s,
            actor,
            now,
            service::Completion {
                order_id,
                started_at: *started_at,
                minutes: *minutes,
                volunteer_ids,
            },
        ),
        Mutation::RateOrder {
            order_id,
            stars,
            comment,
        } => rate_order(s, actor, order_id, *stars, comment.as_deref()),
        Mutation::CorrectAttendance {
            activity_id,
            volunteer_id,
            checked_in_at,
            checked_out_at,
            reason,
        } => correct_attendance(
            s,
            actor,
            now,
            CorrectionArgs {
                activity_id,
                volunteer_id,
                checked_in_at: *checked_in_at,
                checked_out_at: *checked_out_at,
                reason,
            },
        ),
        Mutation::CorrectDonation {
            donation_id,
            new_donation_id,
            gift,
            donor_name,
            reason,
        } => correct_donation(
            s,
            actor,
            now,
            DonationFix {
                donation_id,
                new_donation_id,
                gift,
                donor_name: donor_name.as_deref(),
                reason,
            },
        ),
        Mutation::VoidDonation {
            donation_id,
            reason,
        } => void_donation(s, actor, now, (donation_id, reason)),
        Mutation::DistributeGoods {
            distribution_id,
            campaign_id,
            item,
            quantity,
            unit,
            recipient,
            distributed_at,
        } => distribute_goods(
            s,
            actor,
            now,
            Handout {
                distribution_id,
                campaign_id,
                item,
                quantity: *quantity,
                unit,
                recipient,
                distributed_at: *distributed_at,
            },
        ),
        Mutation::CreateSite {
            site_id,
            parent_id,
            name,
            address,
        } => create_site(
            s,
            actor,
            SiteArgs {
                site_id,
                parent_id,
                name,
                address,
            },
        ),
        Mutation::UpdateSite {
            site_id,
            name,
            address,
        } => update_site(s, actor, (site_id, name, address)),
        Mutation::CreateTeam {
            team_id,
            site_id,
            name,
            description,
            join_policy,
        } => create_team(
            s,
            actor,
            site_id,
            TeamArgs {
                team_id,
                name,
                description,
                join_policy: *join_policy,
            },
        ),
        Mutation::UpdateTeam {
            team_id,
            name,
            description,
            join_policy,
        } => update_team(
            s,
            actor,
            TeamArgs {
                team_id,
                name,
                description,
                join_policy: *join_policy,
            },
        ),
        Mutation::CreateAccount {
            user_id,
            role,
            site_id,
            display_name,
            phone,
        } => create_account(
            s,
            actor,
            now,
            NewAccount {
                user_id,
                role: *role,
                site_id,
                display_name,
                phone,
            },
        ),
        Mutation::AssignAccount {
            user_id,
            role,
            site_id,
            reason,
        } => assign_account(s, actor, now, (user_id, *role, site_id.as_deref()), reason),
        Mutation::DeactivateAccount { user_id, reason } => {
            set_account_active(s, actor, now, (user_id, false), Some(reason))
        }
        Mutation::ReactivateAccount { user_id } => {
            set_account_active(s, actor, now, (user_id, true), None)
        }
    }
}
