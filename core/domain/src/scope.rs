//! Who may read a record: [`Record::scope`] says it as data the server stores
//! beside each row, [`Scope::visible_to`] says it as the one Rust statement of
//! the rule. Both backends' pull filters must agree with `visible_to` (the
//! server's conformance test checks them over a table of cases).

use crate::actor::Actor;
use crate::record::Record;
use crate::records::Role;

/// Who may read a record. Its owner always may. Unless it is `owner_only`,
/// so may everyone when it is `public`, the `reader`, district admins, staff
/// of a site whose subtree holds `site_id`, and leaders of `team_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub public: bool,
    pub owner: Option<String>,
    pub site_id: Option<String>,
    /// Personal data nobody else needs (the profile with its phone number).
    pub owner_only: bool,
    /// Leaders of this team may read it too.
    pub team_id: Option<String>,
    /// One more user who may read it (the volunteer an order is assigned to).
    pub reader: Option<String>,
}

impl Scope {
    fn public() -> Scope {
        Scope {
            public: true,
            ..Scope::default()
        }
    }

    /// The owner's, and the staff's of `site` and above.
    fn personal(owner: &str, site: Option<&String>) -> Scope {
        Scope {
            owner: Some(owner.to_owned()),
            site_id: site.cloned(),
            ..Scope::default()
        }
    }

    /// Whether `actor` may read a record with this scope. `site_path` is the
    /// path of [`Scope::site_id`]'s site (the server resolves it on write).
    pub fn visible_to(&self, actor: &Actor, site_path: Option<&str>) -> bool {
        if self.owner.as_deref() == Some(actor.user_id.as_str()) {
            return true;
        }
        if self.owner_only {
            return false;
        }
        let staff_of_site = actor.role == Role::Staff
            && matches!((actor.site_path.as_deref(), site_path), (Some(own), Some(p)) if p.starts_with(own));
        self.public
            || self.reader.as_deref() == Some(actor.user_id.as_str())
            || actor.role == Role::Admin
            || staff_of_site
            || self
                .team_id
                .as_ref()
                .is_some_and(|t| actor.led_teams.contains(t))
    }
}

impl Record {
    pub fn scope(&self) -> Scope {
        match self {
            Record::Site(_) | Record::Team(_) | Record::Campaign(_) | Record::Project(_) => {
                Scope::public()
            }
            Record::Activity(a) if a.is_public() => Scope::public(),
            // A draft (or a draft cancelled): its site's staff and its team's leaders only.
            Record::Activity(a) => Scope {
                site_id: Some(a.site_id.clone()),
                team_id: a.team_id.clone(),
                ..Scope::default()
            },
            Record::Profile(r) => Scope {
                owner_only: true,
                ..Scope::personal(&r.user_id, None)
            },
            Record::Membership(r) => Scope {
                team_id: Some(r.team_id.clone()),
                ..Scope::personal(&r.volunteer_id, Some(&r.site_id))
            },
            // The organising team's leaders read its rosters and attendance.
            Record::Signup(r) => Scope {
                team_id: r.team_id.clone(),
                ..Scope::personal(&r.volunteer_id, Some(&r.site_id))
            },
            Record::Attendance(r) => Scope {
                team_id: r.team_id.clone(),
                ..Scope::personal(&r.volunteer_id, Some(&r.site_id))
            },
            Record::HourEntry(r) => Scope {
                team_id: r.team_id.clone(),
                ..Scope::personal(&r.volunteer_id, r.site_id.as_ref())
            },
            Record::ServiceOrder(r) => Scope {
                team_id: r.assignee_team_id.clone().or(r.declined_by_team_id.clone()),
                reader: r
                    .assignee_volunteer_id
                    .clone()
                    .or(r.declined_by_volunteer_id.clone()),
                ..Scope::personal(&r.requester_id, Some(&r.site_id))
            },
            Record::OrderContact(r) if r.is_assignee_copy() => Scope {
                team_id: r.assignee_team_id.clone(),
                reader: r.assignee_volunteer_id.clone(),
                ..Scope::default()
            },
            Record::OrderContact(r) => Scope::personal(&r.requester_id, Some(&r.site_id)),
            Record::Notice(r) => Scope {
                owner_only: true,
                ..Scope::personal(&r.volunteer_id, None)
            },
            // A site's figures: its staff and above; a team's: its leaders too.
            Record::Figures(r) => Scope {
                site_id: r.site_id.clone(),
                team_id: r.team_id.clone(),
                ..Scope::default()
            },
            // Staff of the account's site and above; an admin for one
            // without a site (who registered themself).
            Record::Account(r) => Scope::personal(&r.user_id, r.site_id.as_ref()),
            Record::Distribution(r) => Scope {
                site_id: Some(r.site_id.clone()),
                ..Scope::default()
            },
            Record::Donation(r) => Scope {
                site_id: Some(r.site_id.clone()),
                ..Scope::default()
            },
        }
    }
}
