//! The user a rule decides for ([`Actor`]), built one way on the device and
//! on both server backends, and the rule every id argument follows.

use crate::records::{Membership, Profile, Role, Site, TeamRole};

/// Longest id a client chooses (UUIDs are 36); the same on the device, in
/// the rules and in the server's request checks.
pub const MAX_ID_LEN: usize = 64;

/// A client-chosen id is 1 to [`MAX_ID_LEN`] of `A-Z a-z 0-9 _ -`. No `/`:
/// the server composes keys of relationship records from ids with `/`
/// (`activity/volunteer`), so an id holding one could pose as another's key.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The user a mutation is decided for, as the deciding side knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    /// Path of the staff member's site (see [`Site::path`]); `None` otherwise.
    pub site_path: Option<String>,
    /// Teams this user leads (an active membership with the leader role), sorted.
    pub led_teams: Vec<String>,
}

impl Actor {
    /// The actor for a user: `own_site` is their profile's site if this side
    /// holds it (only staff carry its path; a device that has not pulled it
    /// yet gives `None` and the rules defer), `memberships` any of theirs.
    pub fn for_user<'m>(
        profile: &Profile,
        own_site: Option<&Site>,
        memberships: impl IntoIterator<Item = &'m Membership>,
    ) -> Actor {
        let site_path = match (profile.role, own_site) {
            (Role::Staff, Some(site)) if profile.site_id.as_deref() == Some(site.id.as_str()) => {
                Some(site.path.clone())
            }
            _ => None,
        };
        // Leading is a volunteer's role: moved to staff or resident, the
        // rights end with it (the membership record stays as history).
        let mut led_teams: Vec<String> = memberships
            .into_iter()
            .filter(|m| m.volunteer_id == profile.user_id && m.leads())
            .filter(|_| profile.role == Role::Volunteer)
            .map(|m| m.team_id.clone())
            .collect();
        led_teams.sort();
        led_teams.dedup();
        Actor {
            user_id: profile.user_id.clone(),
            name: profile.display_name.clone(),
            role: profile.role,
            site_path,
            led_teams,
        }
    }

    /// Whether this user may act at the site with this path.
    pub fn may_manage(&self, site_path: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Staff => self
                .site_path
                .as_deref()
                .is_some_and(|own| site_path.starts_with(own)),
            Role::Volunteer | Role::Resident => false,
        }
    }

    pub fn leads(&self, team_id: &str) -> bool {
        self.led_teams.iter().any(|t| t == team_id)
    }
}

impl Membership {
    /// An active membership with the leader role: what "leads a team" means.
    pub fn leads(&self) -> bool {
        self.is_active() && self.role == TeamRole::Leader
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{MembershipStatus, SiteLevel};

    fn profile(role: Role, site: Option<&str>) -> Profile {
        Profile {
            user_id: "u1".into(),
            display_name: "李明".into(),
            role,
            site_id: site.map(Into::into),
            phone: None,
        }
    }

    fn membership(team: &str, user: &str, role: TeamRole, status: MembershipStatus) -> Membership {
        Membership {
            team_id: team.into(),
            volunteer_id: user.into(),
            volunteer_name: String::new(),
            site_id: "s1".into(),
            joined_at: chrono::Utc::now(),
            status,
            role,
            decided_by: None,
            decided_at: None,
            reason: None,
            history: vec![],
        }
    }

    #[test]
    fn only_staff_carry_their_own_sites_path() {
        let site = Site {
            id: "s1".into(),
            parent_id: None,
            level: SiteLevel::Center,
            name: String::new(),
            path: "/s1/".into(),
            address: String::new(),
        };
        let staff = Actor::for_user(&profile(Role::Staff, Some("s1")), Some(&site), []);
        assert_eq!(staff.site_path.as_deref(), Some("/s1/"));
        let other = Actor::for_user(&profile(Role::Staff, Some("s2")), Some(&site), []);
        assert_eq!(other.site_path, None, "not the staff member's own site");
        let volunteer = Actor::for_user(&profile(Role::Volunteer, Some("s1")), Some(&site), []);
        assert_eq!(volunteer.site_path, None);
    }

    #[test]
    fn leaders_are_active_leader_memberships_of_the_user() {
        let ms = [
            membership("t2", "u1", TeamRole::Leader, MembershipStatus::Active),
            membership("t1", "u1", TeamRole::Leader, MembershipStatus::Active),
            membership("t3", "u1", TeamRole::Leader, MembershipStatus::Removed),
            membership("t4", "u1", TeamRole::Member, MembershipStatus::Active),
            membership("t5", "u2", TeamRole::Leader, MembershipStatus::Active),
        ];
        let a = Actor::for_user(&profile(Role::Volunteer, None), None, &ms);
        assert_eq!(a.led_teams, ["t1", "t2"]);
        assert!(a.leads("t1") && !a.leads("t3"));
    }

    #[test]
    fn ids_are_short_and_plain() {
        assert!(is_valid_id("a1b2-c3_D4"));
        assert!(is_valid_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(is_valid_id(&"x".repeat(MAX_ID_LEN)));
        for bad in [
            "",
            " a",
            "a b",
            "a\n",
            "a\u{0}",
            "a/b",
            "att/a1/v1",
            "a.b",
            "王",
        ] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
        assert!(!is_valid_id(&"x".repeat(MAX_ID_LEN + 1)));
    }
}
