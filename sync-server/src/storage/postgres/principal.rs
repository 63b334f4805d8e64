//! Who a signed-in user is, and in which district: their profile row and
//! what the rules know about them. Kept apart so it can move to the
//! domain's one definition of building an actor.

use postgres::Row;
use volunteer_domain::{Profile, Record, Role};

use super::pool::Tx;
use super::records::{district_for, site_path};
use crate::storage::{NewUser, Principal, StoreError};

/// Teams the user leads: their active memberships with the leader role.
fn led_teams(tx: &mut Tx, district: &str, user_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(tx
        .query(
            "SELECT data::jsonb ->> 'team_id' AS team FROM entities
             WHERE district = $1 AND owner = $2 AND kind = 'membership' AND data IS NOT NULL
               AND data::jsonb ->> 'role' = 'leader' AND data::jsonb ->> 'status' = 'active'
             ORDER BY team",
            &[&district, &user_id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

pub(super) fn to_profile(r: &Row) -> Result<Profile, StoreError> {
    let role: &str = r.get("role");
    Ok(Profile {
        user_id: r.get("id"),
        display_name: r.get("display_name"),
        role: Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        site_id: r.get("site_id"),
        phone: r.get("phone"),
    })
}

pub(super) fn principal_of(
    tx: &mut Tx,
    district: String,
    profile: Profile,
) -> Result<Principal, StoreError> {
    let site_path = match (&profile.role, &profile.site_id) {
        (Role::Staff, Some(site)) => site_path(tx, &district, site)?,
        _ => None,
    };
    let led_teams = led_teams(tx, &district, &profile.user_id)?;
    Ok(Principal::new(
        profile,
        site_path,
        led_teams,
        Some(district),
    ))
}

/// The district a new user belongs to: given, else their site's, else the
/// only one there is.
pub(super) fn user_district(tx: &mut Tx, user: &NewUser) -> Result<String, StoreError> {
    if let Some(d) = &user.district {
        return Ok(d.clone());
    }
    let as_profile = Record::Profile(user.profile());
    district_for(tx, &as_profile).map_err(|_| {
        StoreError::Invalid(format!(
            "user {} needs a district or a site (the database has several districts)",
            user.login
        ))
    })
}

pub(super) fn principal_district(who: &Principal) -> Result<&str, StoreError> {
    who.district
        .as_deref()
        .ok_or_else(|| StoreError::Invalid("principal without a district".into()))
}
