//! The bounds every argument of every mutation keeps, checked before any
//! rule runs: each id follows the id rule, each text field has a most
//! length, each time lies in a sane range. One table per mutation, so a field cannot be left unbounded
//! (the match is exhaustive). Rule-specific requirements (a reason that
//! must not be empty, a title) stay with their rules.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::records::Gift;

/// The longest text of each sort, in characters.
const NAME: usize = 50;
const TITLE: usize = 100;
const TEXT: usize = MAX_DESCRIPTION_CHARS;
const PHONE: usize = 20;
const ADDRESS: usize = 200;
/// Notice ids are composed (`topic/subject/volunteer`).
const NOTICE_ID: usize = 3 * MAX_ID_LEN;

/// How far ahead a schedule may be set.
pub const MAX_SCHEDULE_AHEAD: Duration = Duration::days(366);

fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).unwrap_or_default() // 2000-01-01
}

/// The first argument out of bounds, as a refusal.
pub(super) fn out_of_bounds(m: &Mutation, now: DateTime<Utc>) -> Option<Decision> {
    let (texts, times, schedule) = fields(m);
    for (field, value, max) in texts {
        if value.chars().count() > max {
            return Some(reject(
                RejectCode::InvalidInput,
                format!("{field} is longer than {max} characters"),
            ));
        }
    }
    for (field, t) in times.iter().chain(&schedule) {
        if *t < earliest() {
            return Some(reject(
                RejectCode::InvalidInput,
                format!("{field} lies before the year 2000"),
            ));
        }
    }
    for (field, t) in schedule {
        if t > now + MAX_SCHEDULE_AHEAD {
            return Some(reject(
                RejectCode::InvalidInput,
                format!("{field} lies more than a year ahead"),
            ));
        }
    }
    None
}

type Texts<'a> = Vec<(&'static str, &'a str, usize)>;
type Times = Vec<(&'static str, DateTime<Utc>)>;

/// Text fields with their bounds; times; times that schedule the future.
fn fields(m: &Mutation) -> (Texts<'_>, Times, Times) {
    use Mutation as M;
    match m {
        M::JoinTeam { .. }
        | M::LeaveTeam { .. }
        | M::WithdrawJoinRequest { .. }
        | M::SetTeamRole { .. }
        | M::SignUp { .. }
        | M::CancelSignup { .. }
        | M::PublishActivity { .. }
        | M::CloseCallOut { .. }
        | M::WidenCallOut { .. }
        | M::StartActivity { .. }
        | M::FinishActivity { .. }
        | M::DispatchOrder { .. } => (vec![], vec![], vec![]),
        M::CompleteOrder { started_at, .. } => (
            vec![],
            started_at.iter().map(|t| ("started_at", *t)).collect(),
            vec![],
        ),
        M::DecideJoinRequest { reason, .. }
        | M::ReviewHours { reason, .. }
        | M::CancelOrder { reason, .. }
        | M::RespondToOrder { reason, .. } => (
            vec![("reason", reason.as_deref().unwrap_or_default(), TEXT)],
            vec![],
            vec![],
        ),
        M::RemoveMember { reason, .. }
        | M::DisputeHours { reason, .. }
        | M::ResolveDispute { reason, .. }
        | M::ReopenHours { reason, .. }
        | M::WithdrawOrder { reason, .. }
        | M::ReleaseOrder { reason, .. }
        | M::CancelActivity { reason, .. }
        | M::CorrectHours { reason, .. } => (vec![("reason", reason, TEXT)], vec![], vec![]),
        M::CreateActivity {
            title,
            description,
            starts_at,
            ends_at,
            signup_deadline,
            ..
        } => (
            vec![("title", title, TITLE), ("description", description, TEXT)],
            vec![],
            [("starts_at", *starts_at), ("ends_at", *ends_at)]
                .into_iter()
                .chain(signup_deadline.map(|d| ("signup_deadline", d)))
                .collect(),
        ),
        M::CreateCallOut {
            title,
            description,
            starts_at,
            ends_at,
            ..
        } => (
            vec![("title", title, TITLE), ("description", description, TEXT)],
            vec![],
            vec![("starts_at", *starts_at), ("ends_at", *ends_at)],
        ),
        M::ReportHours {
            description,
            started_at,
            ..
        } => (
            vec![("description", description, TEXT)],
            vec![("started_at", *started_at)],
            vec![],
        ),
        M::CheckIn { at, .. } | M::CheckOut { at, .. } => (vec![], vec![("at", *at)], vec![]),
        M::CorrectAttendance {
            checked_in_at,
            checked_out_at,
            reason,
            ..
        } => (
            vec![("reason", reason, TEXT)],
            [("checked_in_at", *checked_in_at)]
                .into_iter()
                .chain(checked_out_at.map(|t| ("checked_out_at", t)))
                .collect(),
            vec![],
        ),
        M::PlaceOrder {
            category,
            description,
            desired_at,
            phone,
            address,
            ..
        } => (
            vec![
                ("category", category, NAME),
                ("description", description, TEXT),
                ("phone", phone, PHONE),
                ("address", address, ADDRESS),
            ],
            vec![],
            desired_at.map(|d| ("desired_at", d)).into_iter().collect(),
        ),
        M::RateOrder { comment, .. } => (
            vec![("comment", comment.as_deref().unwrap_or_default(), TEXT)],
            vec![],
            vec![],
        ),
        M::MarkNoticeRead { notice_id } => {
            (vec![("notice_id", notice_id, NOTICE_ID)], vec![], vec![])
        }
        M::CreateCampaign { name, .. } => (vec![("name", name, TITLE)], vec![], vec![]),
        M::CorrectDonation {
            gift,
            donor_name,
            reason,
            ..
        } => {
            let mut texts = vec![
                (
                    "donor_name",
                    donor_name.as_deref().unwrap_or_default(),
                    NAME,
                ),
                ("reason", reason.as_str(), TEXT),
            ];
            if let Gift::Goods { item, unit, .. } = gift {
                texts.push(("item", item, NAME));
                texts.push(("unit", unit, NAME));
            }
            (texts, vec![], vec![])
        }
        M::VoidDonation { reason, .. } => (vec![("reason", reason, TEXT)], vec![], vec![]),
        M::CreateProject {
            name, description, ..
        } => (
            vec![("name", name, NAME), ("description", description, TEXT)],
            vec![],
            vec![],
        ),
        M::AssignProject { .. } => (vec![], vec![], vec![]),
        M::DistributeGoods {
            item,
            unit,
            recipient,
            distributed_at,
            ..
        } => (
            vec![
                ("item", item, NAME),
                ("unit", unit, NAME),
                ("recipient", recipient, TITLE),
            ],
            vec![("distributed_at", *distributed_at)],
            vec![],
        ),
        M::CreateSite { name, address, .. } | M::UpdateSite { name, address, .. } => (
            vec![("name", name, NAME), ("address", address, ADDRESS)],
            vec![],
            vec![],
        ),
        M::CreateTeam {
            name, description, ..
        }
        | M::UpdateTeam {
            name, description, ..
        } => (
            vec![("name", name, NAME), ("description", description, TEXT)],
            vec![],
            vec![],
        ),
        M::CreateAccount {
            display_name,
            phone,
            ..
        } => (
            vec![
                ("display_name", display_name, NAME),
                ("phone", phone, PHONE),
            ],
            vec![],
            vec![],
        ),
        M::AssignAccount { reason, .. } | M::DeactivateAccount { reason, .. } => {
            (vec![("reason", reason, TEXT)], vec![], vec![])
        }
        M::ReactivateAccount { .. } => (vec![], vec![], vec![]),
        M::RecordDonation {
            donor_name,
            gift,
            received_at,
            ..
        } => {
            let mut texts = vec![(
                "donor_name",
                donor_name.as_deref().unwrap_or_default(),
                NAME,
            )];
            if let Gift::Goods { item, unit, .. } = gift {
                texts.push(("item", item, NAME));
                texts.push(("unit", unit, NAME));
            }
            (texts, vec![("received_at", *received_at)], vec![])
        }
    }
}

/// The id arguments of a mutation, by field name; `None` for an optional one
/// left out.
fn ids(m: &Mutation) -> Vec<(&'static str, Option<&str>)> {
    use Mutation as M;
    fn id<'a>(name: &'static str, v: &'a str) -> (&'static str, Option<&'a str>) {
        (name, Some(v))
    }
    fn opt<'a>(name: &'static str, v: &'a Option<String>) -> (&'static str, Option<&'a str>) {
        (name, v.as_deref())
    }
    match m {
        M::JoinTeam { team_id } | M::LeaveTeam { team_id } | M::WithdrawJoinRequest { team_id } => {
            vec![id("team_id", team_id)]
        }
        M::DecideJoinRequest {
            team_id,
            volunteer_id,
            ..
        }
        | M::RemoveMember {
            team_id,
            volunteer_id,
            ..
        }
        | M::SetTeamRole {
            team_id,
            volunteer_id,
            ..
        } => vec![id("team_id", team_id), id("volunteer_id", volunteer_id)],
        M::SignUp { activity_id }
        | M::CancelSignup { activity_id }
        | M::PublishActivity { activity_id }
        | M::CloseCallOut { activity_id }
        | M::WidenCallOut { activity_id, .. }
        | M::StartActivity { activity_id }
        | M::FinishActivity { activity_id }
        | M::CancelActivity { activity_id, .. } => vec![id("activity_id", activity_id)],
        M::CreateCallOut {
            activity_id,
            site_id,
            ..
        } => vec![id("activity_id", activity_id), id("site_id", site_id)],
        M::CreateActivity {
            activity_id,
            site_id,
            team_id,
            ..
        } => vec![
            id("activity_id", activity_id),
            id("site_id", site_id),
            opt("team_id", team_id),
        ],
        M::ReportHours {
            entry_id,
            volunteer_id,
            activity_id,
            team_id,
            ..
        } => vec![
            id("entry_id", entry_id),
            id("volunteer_id", volunteer_id),
            opt("activity_id", activity_id),
            opt("team_id", team_id),
        ],
        // Entries the rules compose (`att/...`, `ord/...`): checked apart.
        M::ReviewHours { .. }
        | M::DisputeHours { .. }
        | M::ResolveDispute { .. }
        | M::ReopenHours { .. } => vec![],
        M::CorrectHours { new_entry_id, .. } => vec![id("new_entry_id", new_entry_id)],
        M::PlaceOrder {
            order_id,
            site_id,
            requester_id,
            ..
        } => vec![
            id("order_id", order_id),
            id("site_id", site_id),
            opt("requester_id", requester_id),
        ],
        // Notice ids are composed (`topic/subject/volunteer`): checked apart.
        M::MarkNoticeRead { .. } => vec![],
        M::CreateCampaign {
            campaign_id,
            site_id,
            ..
        } => vec![id("campaign_id", campaign_id), id("site_id", site_id)],
        M::RecordDonation {
            donation_id,
            campaign_id,
            site_id,
            ..
        } => vec![
            id("donation_id", donation_id),
            id("site_id", site_id),
            opt("campaign_id", campaign_id),
        ],
        M::CorrectDonation {
            donation_id,
            new_donation_id,
            ..
        } => vec![
            id("donation_id", donation_id),
            id("new_donation_id", new_donation_id),
        ],
        M::VoidDonation { donation_id, .. } => vec![id("donation_id", donation_id)],
        M::CreateProject {
            project_id,
            site_id,
            team_id,
            ..
        } => vec![
            id("project_id", project_id),
            id("site_id", site_id),
            opt("team_id", team_id),
        ],
        M::AssignProject {
            project_id,
            activity_id,
            order_id,
        } => vec![
            opt("project_id", project_id),
            opt("activity_id", activity_id),
            opt("order_id", order_id),
        ],
        M::DistributeGoods {
            distribution_id,
            campaign_id,
            ..
        } => vec![
            id("distribution_id", distribution_id),
            id("campaign_id", campaign_id),
        ],
        M::CreateSite {
            site_id, parent_id, ..
        } => vec![id("site_id", site_id), id("parent_id", parent_id)],
        M::UpdateSite { site_id, .. } => vec![id("site_id", site_id)],
        M::CreateTeam {
            team_id, site_id, ..
        } => vec![id("team_id", team_id), id("site_id", site_id)],
        M::UpdateTeam { team_id, .. } => vec![id("team_id", team_id)],
        M::CreateAccount {
            user_id, site_id, ..
        } => vec![id("user_id", user_id), id("site_id", site_id)],
        M::AssignAccount {
            user_id, site_id, ..
        } => vec![id("user_id", user_id), opt("site_id", site_id)],
        M::DeactivateAccount { user_id, .. } | M::ReactivateAccount { user_id } => {
            vec![id("user_id", user_id)]
        }
        M::CancelOrder { order_id, .. }
        | M::WithdrawOrder { order_id, .. }
        | M::ReleaseOrder { order_id, .. }
        | M::RespondToOrder { order_id, .. }
        | M::RateOrder { order_id, .. } => vec![id("order_id", order_id)],
        M::CompleteOrder {
            order_id,
            volunteer_ids,
            ..
        } => std::iter::once(id("order_id", order_id))
            .chain(volunteer_ids.iter().map(|v| id("volunteer_ids", v)))
            .collect(),
        M::DispatchOrder {
            order_id,
            team_id,
            volunteer_id,
        } => vec![
            id("order_id", order_id),
            opt("team_id", team_id),
            opt("volunteer_id", volunteer_id),
        ],
        M::CheckIn {
            activity_id,
            volunteer_id,
            ..
        }
        | M::CheckOut {
            activity_id,
            volunteer_id,
            ..
        }
        | M::CorrectAttendance {
            activity_id,
            volunteer_id,
            ..
        } => vec![
            id("activity_id", activity_id),
            id("volunteer_id", volunteer_id),
        ],
    }
}

/// The first id argument that breaks the id rule ([`is_valid_id`]), by field name.
pub(super) fn bad_id(m: &Mutation) -> Option<&'static str> {
    use Mutation as M;
    match m {
        M::MarkNoticeRead { notice_id } => {
            let ok = !notice_id.is_empty() && notice_id.len() <= NOTICE_ID;
            return (!ok).then_some("notice_id");
        }
        M::ReviewHours { entry_id, .. }
        | M::DisputeHours { entry_id, .. }
        | M::ResolveDispute { entry_id, .. }
        | M::ReopenHours { entry_id, .. }
        | M::CorrectHours { entry_id, .. }
            if !HourEntry::is_valid_key(entry_id) =>
        {
            return Some("entry_id");
        }
        _ => {}
    }
    ids(m)
        .into_iter()
        .find(|(_, v)| v.is_some_and(|v| !is_valid_id(v)))
        .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(phone: String) -> Mutation {
        Mutation::PlaceOrder {
            order_id: "o1".into(),
            site_id: "s1".into(),
            category: "助老".into(),
            description: String::new(),
            desired_at: None,
            phone,
            address: "幸福里3号".into(),
            requester_id: None,
        }
    }

    #[test]
    fn every_text_has_a_bound_and_every_time_a_range() {
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        assert!(out_of_bounds(&order("13800000000".into()), now).is_none());
        let long = out_of_bounds(&order("1".repeat(3_000_011)), now);
        assert!(matches!(long, Some(Decision::Reject(r)) if r.message.contains("phone")));
        let ahead = Mutation::CreateCallOut {
            activity_id: "a1".into(),
            site_id: "s1".into(),
            title: "巡查".into(),
            description: String::new(),
            starts_at: now + Duration::days(400),
            ends_at: now + Duration::days(401),
            needed: 3,
            audience: Default::default(),
        };
        assert!(out_of_bounds(&ahead, now).is_some());
        let ancient = Mutation::CheckIn {
            activity_id: "a1".into(),
            volunteer_id: "v1".into(),
            at: "1999-12-31T23:59:59Z".parse().unwrap(),
        };
        assert!(out_of_bounds(&ancient, now).is_some());
    }
}
