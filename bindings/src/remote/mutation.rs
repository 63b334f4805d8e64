//! Every user action, as the domain defines it: what an app sees queued and
//! rejected, with its whole input, so it can offer "edit and resend".

use super::DateTime;
use super::records::{Audience, Gift, JoinPolicy, Role, TeamRole};

/// A user action, as queued or as rejected (the domain's `Mutation`).
pub type Action = volunteer_core::Mutation;

/// One user action. Actions without a `volunteer_id` act for the signed-in user.
#[uniffi::remote(Enum)]
pub enum Action {
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
        starts_at: DateTime,
        ends_at: DateTime,
        capacity: u32,
        signup_deadline: Option<DateTime>,
        waitlist: bool,
        /// Whether staff may check in volunteers who did not sign up.
        walk_ins: bool,
        /// Round credited minutes down to a multiple of this: 0, 5, 10, 15, 30 or 60.
        credit_rounding_minutes: u32,
    },
    /// Staff publish an urgent call for `needed` volunteers at a site and time.
    CreateCallOut {
        /// Generated on the device.
        activity_id: String,
        site_id: String,
        title: String,
        description: String,
        starts_at: DateTime,
        ends_at: DateTime,
        needed: u32,
        audience: Audience,
    },
    /// Staff of a site (or a team's leaders) start a brand project.
    CreateProject {
        project_id: String,
        site_id: String,
        team_id: Option<String>,
        name: String,
        description: String,
    },
    /// Link an activity or an order to a project (or unlink it).
    AssignProject {
        project_id: Option<String>,
        activity_id: Option<String>,
        order_id: Option<String>,
    },
    /// Staff close a call-out early: no more responses.
    CloseCallOut {
        activity_id: String,
    },
    /// Staff widen a call-out: call more people for as many or more places.
    WidenCallOut {
        activity_id: String,
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
        started_at: DateTime,
        minutes: u32,
        description: String,
        /// The team the service was for; its leaders review the entry.
        team_id: Option<String>,
    },
    /// A team leader or staff member approves or rejects self-reported hours.
    ReviewHours {
        entry_id: String,
        approve: bool,
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
        at: DateTime,
    },
    /// Staff record a volunteer's departure; hours follow from it.
    CheckOut {
        activity_id: String,
        volunteer_id: String,
        at: DateTime,
    },
    /// A resident orders help at a site.
    PlaceOrder {
        /// Generated on the device.
        order_id: String,
        site_id: String,
        category: String,
        description: String,
        desired_at: Option<DateTime>,
        phone: String,
        address: String,
        /// For a resident who phoned in: staff of the site place the order
        /// and the resident is its requester.
        requester_id: Option<String>,
    },
    /// The resident withdraws an order not yet accepted.
    /// The resident withdraws an order not yet accepted; staff of its site
    /// cancel any open one, saying why.
    CancelOrder {
        order_id: String,
        reason: Option<String>,
    },
    /// Staff take back an offer nobody answered: the order is open again.
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
        reason: Option<String>,
        /// The offer answered (the order's `offer` when the device saw it):
        /// an answer to an earlier offer does not touch a later one.
        offer: Option<u32>,
    },
    /// The assignee marks the service given.
    CompleteOrder {
        order_id: String,
        started_at: Option<DateTime>,
        minutes: u32,
        volunteer_ids: Vec<String>,
    },
    /// The resident rates the service: 1 to 5 stars and a comment.
    RateOrder {
        order_id: String,
        stars: u8,
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
        received_at: DateTime,
    },
    /// Staff set an attendance's times, saying why; the old ones are kept.
    CorrectAttendance {
        activity_id: String,
        volunteer_id: String,
        checked_in_at: DateTime,
        checked_out_at: Option<DateTime>,
        reason: String,
    },
    /// Staff correct a donation recorded wrong, saying why: a new donation
    /// replaces it in the totals; the old one is kept, marked superseded.
    CorrectDonation {
        donation_id: String,
        new_donation_id: String,
        gift: Gift,
        donor_name: Option<String>,
        reason: String,
    },
    /// Staff void a donation recorded by mistake, saying why.
    VoidDonation {
        donation_id: String,
        reason: String,
    },
    /// Staff record goods handed out from a campaign, to whom.
    DistributeGoods {
        distribution_id: String,
        campaign_id: String,
        item: String,
        quantity: u32,
        unit: String,
        recipient: String,
        distributed_at: DateTime,
    },
    /// Staff or an admin open a site below one they manage; its level is
    /// the one below its parent's (center > institute > station > point).
    CreateSite {
        site_id: String,
        parent_id: String,
        name: String,
        address: String,
    },
    /// Staff of a site or above rename it or change its address.
    UpdateSite {
        site_id: String,
        name: String,
        address: String,
    },
    /// Staff of a site or above form a team there.
    CreateTeam {
        team_id: String,
        site_id: String,
        name: String,
        description: String,
        join_policy: JoinPolicy,
    },
    /// Staff, or the team's leaders, change its name, description or join policy.
    UpdateTeam {
        team_id: String,
        name: String,
        description: String,
        join_policy: JoinPolicy,
    },
    /// Staff make an account for someone who will not register themself;
    /// it waits until its owner sets a password with an activation code.
    CreateAccount {
        user_id: String,
        role: Role,
        site_id: String,
        display_name: String,
        /// A mainland mobile number: the account's login.
        phone: String,
    },
    /// Give an account another role or site, saying why.
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
    /// Switch a deactivated account on again.
    ReactivateAccount {
        user_id: String,
    },
}
