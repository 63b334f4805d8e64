//! Mutations: named user intents with their arguments, not row diffs.
//!
//! A device queues a [`MutationEnvelope`] in its outbox; the envelope's
//! `(client_id, seq)` is what makes the server apply it exactly once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::records::{Audience, Gift, JoinPolicy, Role, TeamRole};

/// One user action. Actions without a `volunteer_id` act for the signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mutation {
    JoinTeam {
        team_id: String,
    },
    LeaveTeam {
        team_id: String,
    },
    /// A volunteer takes back their request to join.
    WithdrawJoinRequest {
        team_id: String,
    },
    /// A team leader or staff member approves or declines a join request.
    DecideJoinRequest {
        team_id: String,
        volunteer_id: String,
        approve: bool,
        #[serde(default)]
        reason: Option<String>,
    },
    /// A team leader or staff member removes a member, saying why.
    RemoveMember {
        team_id: String,
        volunteer_id: String,
        reason: String,
    },
    /// Staff make an active member a leader, or a leader a member again.
    SetTeamRole {
        team_id: String,
        volunteer_id: String,
        role: TeamRole,
    },
    SignUp {
        activity_id: String,
    },
    /// Staff (for their sites) or a team leader (for the team) draft an activity.
    CreateActivity {
        /// Generated on the device.
        activity_id: String,
        site_id: String,
        team_id: Option<String>,
        title: String,
        description: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        capacity: u32,
        signup_deadline: Option<DateTime<Utc>>,
        waitlist: bool,
        /// Whether staff may check in volunteers who did not sign up.
        #[serde(default = "crate::records::yes")]
        walk_ins: bool,
        /// Round credited minutes down to a multiple of this: 0, 5, 10, 15, 30 or 60.
        #[serde(default)]
        credit_rounding_minutes: u32,
    },
    /// Staff publish an urgent call for `needed` volunteers at a site and time.
    CreateCallOut {
        /// Generated on the device.
        activity_id: String,
        site_id: String,
        title: String,
        description: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        needed: u32,
        /// Whom it calls (default: everyone).
        #[serde(default)]
        audience: Audience,
    },
    /// Staff close a call-out early: no more responses.
    CloseCallOut {
        activity_id: String,
    },
    /// Staff widen a call-out: call more people (an audience that holds
    /// the old one) for as many or more places; it takes responses again.
    WidenCallOut {
        activity_id: String,
        #[serde(default)]
        audience: Audience,
        needed: u32,
    },
    /// Move an activity along: draft → published → in progress → finished.
    PublishActivity {
        activity_id: String,
    },
    StartActivity {
        activity_id: String,
    },
    FinishActivity {
        activity_id: String,
    },
    /// Cancel a draft, published or running activity, saying why.
    CancelActivity {
        activity_id: String,
        reason: String,
    },
    CancelSignup {
        activity_id: String,
    },
    /// A volunteer's own report of hours; it waits for review.
    ReportHours {
        /// Generated on the device, so a resend cannot create a second entry.
        entry_id: String,
        volunteer_id: String,
        activity_id: Option<String>,
        started_at: DateTime<Utc>,
        minutes: u32,
        description: String,
        /// The team the service was for; its leaders review the entry.
        #[serde(default)]
        team_id: Option<String>,
    },
    /// A team leader or staff member approves or rejects self-reported hours.
    ReviewHours {
        entry_id: String,
        approve: bool,
        #[serde(default)]
        reason: Option<String>,
    },
    /// A reviewer corrects confirmed hours: a new entry replaces the old one,
    /// which is kept unchanged and marked superseded.
    CorrectHours {
        entry_id: String,
        /// Generated on the device.
        new_entry_id: String,
        minutes: u32,
        reason: String,
    },
    /// A volunteer disputes a record of their hours, saying why.
    DisputeHours {
        entry_id: String,
        reason: String,
    },
    /// A reviewer resolves the open dispute of an entry.
    ResolveDispute {
        entry_id: String,
        accept: bool,
        reason: String,
    },
    /// A reviewer re-opens a rejected self-report: it is pending again.
    ReopenHours {
        entry_id: String,
        reason: String,
    },
    /// Staff record a volunteer's arrival at an activity.
    CheckIn {
        activity_id: String,
        volunteer_id: String,
        at: DateTime<Utc>,
    },
    /// Staff record a volunteer's departure; hours follow from it.
    CheckOut {
        activity_id: String,
        volunteer_id: String,
        at: DateTime<Utc>,
    },
    /// A resident orders help at a site.
    PlaceOrder {
        /// Generated on the device.
        order_id: String,
        site_id: String,
        category: String,
        description: String,
        desired_at: Option<DateTime<Utc>>,
        phone: String,
        address: String,
        /// For a resident who phoned in: staff of the site place the order
        /// and the resident is its requester.
        #[serde(default)]
        requester_id: Option<String>,
    },
    /// The resident withdraws an order not yet accepted; staff of its site
    /// cancel any open one, saying why.
    CancelOrder {
        order_id: String,
        #[serde(default)]
        reason: Option<String>,
    },
    /// Staff take back an offer nobody answered, or an accepted order, to
    /// give it to someone else: the order is open again.
    WithdrawOrder {
        order_id: String,
        reason: String,
    },
    /// The assignee gives back an accepted order they cannot do.
    ReleaseOrder {
        order_id: String,
        reason: String,
    },
    /// Staff of the order's site or above offer it to a team or a volunteer.
    DispatchOrder {
        order_id: String,
        team_id: Option<String>,
        volunteer_id: Option<String>,
    },
    /// The assignee (the volunteer, or a leader of the team) accepts or declines.
    RespondToOrder {
        order_id: String,
        accept: bool,
        #[serde(default)]
        reason: Option<String>,
        /// The offer answered (the order's `offer` when the device saw it):
        /// an answer to an earlier offer does not touch a later one.
        #[serde(default)]
        offer: Option<u32>,
    },
    /// The assignee marks the service given, saying when and for how long,
    /// and (for a team) which members served: each gets a service record,
    /// pending review by the site's staff.
    CompleteOrder {
        order_id: String,
        /// When the service began. An app that does not send it (older
        /// than the service record) completes the order without a record.
        #[serde(default)]
        started_at: Option<DateTime<Utc>>,
        #[serde(default)]
        minutes: u32,
        /// For a team's order: the members who served (the leader's word,
        /// the staff's review). For a volunteer's: empty or themself.
        #[serde(default)]
        volunteer_ids: Vec<String>,
    },
    /// The resident rates the service: 1 to 5 stars and a comment.
    RateOrder {
        order_id: String,
        stars: u8,
        #[serde(default)]
        comment: Option<String>,
    },
    /// A volunteer marks one of their notices read.
    MarkNoticeRead {
        notice_id: String,
    },
    /// Staff open a donation campaign at their site.
    CreateCampaign {
        /// Generated on the device.
        campaign_id: String,
        site_id: String,
        name: String,
    },
    /// Staff record a donation received, for a campaign or a site.
    RecordDonation {
        /// Generated on the device.
        donation_id: String,
        campaign_id: Option<String>,
        site_id: String,
        donor_name: Option<String>,
        gift: Gift,
        received_at: DateTime<Utc>,
    },
    /// Staff correct a donation recorded wrong, saying why: a new donation
    /// replaces it in the totals; the old one is kept, marked superseded.
    CorrectDonation {
        donation_id: String,
        /// Generated on the device.
        new_donation_id: String,
        gift: Gift,
        #[serde(default)]
        donor_name: Option<String>,
        reason: String,
    },
    /// Staff void a donation recorded by mistake, saying why: it leaves the
    /// totals and is kept, marked voided.
    VoidDonation {
        donation_id: String,
        reason: String,
    },
    /// Staff record goods handed out from a campaign, to whom.
    DistributeGoods {
        /// Generated on the device.
        distribution_id: String,
        campaign_id: String,
        item: String,
        quantity: u32,
        unit: String,
        recipient: String,
        distributed_at: DateTime<Utc>,
    },
    /// Staff set an attendance's times, saying why; the old ones are kept.
    CorrectAttendance {
        activity_id: String,
        volunteer_id: String,
        checked_in_at: DateTime<Utc>,
        checked_out_at: Option<DateTime<Utc>>,
        reason: String,
    },
    /// Staff of a site (or a team's leaders) start a brand project it owns.
    CreateProject {
        /// Generated on the device.
        project_id: String,
        site_id: String,
        #[serde(default)]
        team_id: Option<String>,
        name: String,
        #[serde(default)]
        description: String,
    },
    /// Link an activity or an order to a project, or unlink it (no
    /// `project_id`): by those who organise it and may use the project.
    AssignProject {
        #[serde(default)]
        project_id: Option<String>,
        #[serde(default)]
        activity_id: Option<String>,
        #[serde(default)]
        order_id: Option<String>,
    },
    /// Staff or an admin open a site below one they manage; its level is
    /// the one below its parent's (center > institute > station > point).
    CreateSite {
        /// Chosen by the client.
        site_id: String,
        parent_id: String,
        name: String,
        #[serde(default)]
        address: String,
    },
    /// Staff of a site or above rename it or change its address.
    UpdateSite {
        site_id: String,
        name: String,
        #[serde(default)]
        address: String,
    },
    /// Staff of a site or above form a team there.
    CreateTeam {
        /// Chosen by the client.
        team_id: String,
        site_id: String,
        name: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        join_policy: JoinPolicy,
    },
    /// Staff, or the team's leaders, change its name, description or join policy.
    UpdateTeam {
        team_id: String,
        name: String,
        #[serde(default)]
        description: String,
        join_policy: JoinPolicy,
    },
    /// Staff make an account for someone who will not register themself
    /// (a volunteer, a resident) or for staff of a site below their own; it
    /// waits until its owner sets a password with an activation code.
    CreateAccount {
        /// Chosen by the client.
        user_id: String,
        role: Role,
        site_id: String,
        display_name: String,
        /// A mainland mobile number: the account's login.
        phone: String,
    },
    /// Give an account another role or site (move staff between sites,
    /// make a volunteer staff, or staff a volunteer again), saying why.
    AssignAccount {
        user_id: String,
        role: Role,
        site_id: Option<String>,
        reason: String,
    },
    /// Switch an account off, saying why: its sessions end at once and its
    /// devices reset at their next sync.
    DeactivateAccount {
        user_id: String,
        reason: String,
    },
    /// Switch a deactivated account on again (its owner signs in anew).
    ReactivateAccount {
        user_id: String,
    },
}

impl Mutation {
    /// The stable name of the action, as it appears on the wire in `type`.
    pub fn name(&self) -> &'static str {
        match self {
            Mutation::JoinTeam { .. } => "join_team",
            Mutation::LeaveTeam { .. } => "leave_team",
            Mutation::WithdrawJoinRequest { .. } => "withdraw_join_request",
            Mutation::DecideJoinRequest { .. } => "decide_join_request",
            Mutation::RemoveMember { .. } => "remove_member",
            Mutation::SetTeamRole { .. } => "set_team_role",
            Mutation::SignUp { .. } => "sign_up",
            Mutation::CreateActivity { .. } => "create_activity",
            Mutation::CreateCallOut { .. } => "create_call_out",
            Mutation::PublishActivity { .. } => "publish_activity",
            Mutation::StartActivity { .. } => "start_activity",
            Mutation::FinishActivity { .. } => "finish_activity",
            Mutation::CancelActivity { .. } => "cancel_activity",
            Mutation::CancelSignup { .. } => "cancel_signup",
            Mutation::ReportHours { .. } => "report_hours",
            Mutation::ReviewHours { .. } => "review_hours",
            Mutation::CorrectHours { .. } => "correct_hours",
            Mutation::DisputeHours { .. } => "dispute_hours",
            Mutation::ResolveDispute { .. } => "resolve_dispute",
            Mutation::ReopenHours { .. } => "reopen_hours",
            Mutation::CheckIn { .. } => "check_in",
            Mutation::CheckOut { .. } => "check_out",
            Mutation::CorrectAttendance { .. } => "correct_attendance",
            Mutation::PlaceOrder { .. } => "place_order",
            Mutation::CreateCampaign { .. } => "create_campaign",
            Mutation::MarkNoticeRead { .. } => "mark_notice_read",
            Mutation::RecordDonation { .. } => "record_donation",
            Mutation::CancelOrder { .. } => "cancel_order",
            Mutation::WithdrawOrder { .. } => "withdraw_order",
            Mutation::ReleaseOrder { .. } => "release_order",
            Mutation::DispatchOrder { .. } => "dispatch_order",
            Mutation::RespondToOrder { .. } => "respond_to_order",
            Mutation::CompleteOrder { .. } => "complete_order",
            Mutation::RateOrder { .. } => "rate_order",
            Mutation::CreateProject { .. } => "create_project",
            Mutation::AssignProject { .. } => "assign_project",
            Mutation::CloseCallOut { .. } => "close_call_out",
            Mutation::WidenCallOut { .. } => "widen_call_out",
            Mutation::CorrectDonation { .. } => "correct_donation",
            Mutation::VoidDonation { .. } => "void_donation",
            Mutation::DistributeGoods { .. } => "distribute_goods",
            Mutation::CreateSite { .. } => "create_site",
            Mutation::UpdateSite { .. } => "update_site",
            Mutation::CreateTeam { .. } => "create_team",
            Mutation::UpdateTeam { .. } => "update_team",
            Mutation::CreateAccount { .. } => "create_account",
            Mutation::AssignAccount { .. } => "assign_account",
            Mutation::DeactivateAccount { .. } => "deactivate_account",
            Mutation::ReactivateAccount { .. } => "reactivate_account",
        }
    }
}

/// A mutation as queued on the device and pushed to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationEnvelope {
    /// Per-client sequence number, contiguous from 1.
    pub seq: u64,
    /// A UUID for logs and support; `seq` is what deduplicates.
    pub id: String,
    /// The device's clock when the user acted.
    pub created_at: DateTime<Utc>,
    pub mutation: Mutation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_wire_shape_is_tagged_by_type() {
        let m = Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: "2026-12-01T01:02:03Z".parse().unwrap(),
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type":"check_in","activity_id":"a1","volunteer_id":"v1","at":"2026-12-01T01:02:03Z"})
        );
        assert_eq!(m.name(), "check_in");
        let back: Mutation = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn unknown_mutation_type_does_not_parse() {
        let r: Result<Mutation, _> = serde_json::from_str(r#"{"type":"drop_tables"}"#);
        assert!(r.is_err());
    }
}
