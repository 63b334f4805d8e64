//! The replica's administration actions: sites, teams, accounts and brand
//! projects, each decided by the rules and queued like any action
//! ([`Replica::submit`]).

use volunteer_domain::{JoinPolicy, Mutation, Role, normalize_phone};

use super::Replica;
use super::actions::id;
use crate::error::{Error, Result};

impl Replica {
    /// Staff: open a site one level below `parent_id` (a site they
    /// manage). Returns its id.
    pub fn create_site(&self, parent_id: &str, name: &str, address: &str) -> Result<String> {
        let site_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateSite {
            site_id: site_id.clone(),
            parent_id: id("parent_id", parent_id)?,
            name: name.to_owned(),
            address: address.to_owned(),
        })?;
        Ok(site_id)
    }

    /// Staff: rename a site or change its address.
    pub fn update_site(&self, site_id: &str, name: &str, address: &str) -> Result<()> {
        self.submit(Mutation::UpdateSite {
            site_id: id("site_id", site_id)?,
            name: name.to_owned(),
            address: address.to_owned(),
        })
    }

    /// Staff: form a team at a site. Returns its id.
    pub fn create_team(
        &self,
        site_id: &str,
        name: &str,
        description: &str,
        join_policy: JoinPolicy,
    ) -> Result<String> {
        let team_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateTeam {
            team_id: team_id.clone(),
            site_id: id("site_id", site_id)?,
            name: name.to_owned(),
            description: description.to_owned(),
            join_policy,
        })?;
        Ok(team_id)
    }

    /// Staff or the team's leaders: change a team's name, description or policy.
    pub fn update_team(
        &self,
        team_id: &str,
        name: &str,
        description: &str,
        join_policy: JoinPolicy,
    ) -> Result<()> {
        self.submit(Mutation::UpdateTeam {
            team_id: id("team_id", team_id)?,
            name: name.to_owned(),
            description: description.to_owned(),
            join_policy,
        })
    }

    /// Staff: make an account (volunteer, resident, or staff of a site
    /// below their own) for someone who will not register themself; it
    /// waits for activation ([`Replica::issue_access_code`]). Returns its id.
    pub fn create_account(
        &self,
        role: Role,
        site_id: &str,
        display_name: &str,
        phone: &str,
    ) -> Result<String> {
        let phone = normalize_phone(phone).ok_or_else(|| {
            Error::invalid(
                "phone",
                "a mainland mobile number (11 digits, starting 13 to 19)",
            )
        })?;
        let user_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateAccount {
            user_id: user_id.clone(),
            role,
            site_id: id("site_id", site_id)?,
            display_name: display_name.to_owned(),
            phone,
        })?;
        Ok(user_id)
    }

    /// Staff: give an account another role or site, saying why.
    pub fn assign_account(
        &self,
        user_id: &str,
        role: Role,
        site_id: Option<&str>,
        reason: &str,
    ) -> Result<()> {
        self.submit(Mutation::AssignAccount {
            user_id: id("user_id", user_id)?,
            role,
            site_id: site_id.map(|s| id("site_id", s)).transpose()?,
            reason: reason.to_owned(),
        })
    }

    /// Staff: switch an account off, saying why.
    pub fn deactivate_account(&self, user_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::DeactivateAccount {
            user_id: id("user_id", user_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Staff: switch a deactivated account on again.
    pub fn reactivate_account(&self, user_id: &str) -> Result<()> {
        self.submit(Mutation::ReactivateAccount {
            user_id: id("user_id", user_id)?,
        })
    }

    /// Staff (or a team's leaders) start a brand project. Returns its id.
    pub fn create_project(
        &self,
        site_id: &str,
        team_id: Option<&str>,
        name: &str,
        description: &str,
    ) -> Result<String> {
        let project_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateProject {
            project_id: project_id.clone(),
            site_id: id("site_id", site_id)?,
            team_id: team_id.map(|t| id("team_id", t)).transpose()?,
            name: name.to_owned(),
            description: description.to_owned(),
        })?;
        Ok(project_id)
    }

    /// Link an activity to a project (`None`: unlink it).
    pub fn assign_activity_project(
        &self,
        activity_id: &str,
        project_id: Option<&str>,
    ) -> Result<()> {
        self.submit(Mutation::AssignProject {
            project_id: project_id.map(|p| id("project_id", p)).transpose()?,
            activity_id: Some(id("activity_id", activity_id)?),
            order_id: None,
        })
    }

    /// Staff: link an order to a project (`None`: unlink it).
    pub fn assign_order_project(&self, order_id: &str, project_id: Option<&str>) -> Result<()> {
        self.submit(Mutation::AssignProject {
            project_id: project_id.map(|p| id("project_id", p)).transpose()?,
            activity_id: None,
            order_id: Some(id("order_id", order_id)?),
        })
    }
}
