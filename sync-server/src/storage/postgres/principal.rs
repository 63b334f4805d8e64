//! Who a signed-in user is, and in which district: their profile row, and
//! the records the domain's one definition of an actor
//! ([`volunteer_domain::Actor::for_user`]) is built from.

use postgres::Row;
use volunteer_domain::{Kind, Membership, Profile, Record, Role};

use super::pool::Tx;
use super::records::{district_for, get_record};
use crate::storage::{NewUser, Principal, StoreError};

/// Every membership of the user, in any state (they own them).
pub(super) fn memberships_of(
    tx: &mut Tx,
    district: &str,
    user_id: &str,
) -> Result<Vec<Membership>, StoreError> {
    let rows = tx.query(
        "SELECT data FROM entities
         WHERE district = $1 AND owner = $2 AND kind = 'membership' AND data IS NOT NULL",
        &[&district, &user_id],
    )?;
    super::state::decode(&rows)
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
    let own_site = match &profile.site_id {
        Some(id) => match get_record(tx, &district, Kind::Site, id)? {
            Some(Record::Site(site)) => Some(site),
            _ => None,
        },
        None => None,
    };
    let memberships = memberships_of(tx, &district, &profile.user_id)?;
    Ok(Principal::new(
        profile,
        own_site.as_ref(),
        &memberships,
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
