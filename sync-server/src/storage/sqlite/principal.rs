//! Who a signed-in user is: their profile row, and the records the
//! domain's one definition of an actor ([`volunteer_domain::Actor::for_user`])
//! is built from.

use rusqlite::Connection;
use volunteer_domain::{Kind, Membership, Profile, Record, Role};

use super::records::get_record;
use crate::storage::{Principal, StoreError};

/// Every membership of the user, in any state (they own them).
pub(super) fn memberships_of(
    conn: &Connection,
    user_id: &str,
) -> Result<Vec<Membership>, StoreError> {
    // Without statistics the planner prefers the primary key's `kind`
    // prefix, a scan of every membership of the district: name the index.
    super::state::load(
        conn,
        "SELECT data FROM entities INDEXED BY entities_owner
         WHERE owner = ?1 AND kind = 'membership' AND data IS NOT NULL",
        [user_id],
    )
}

pub(super) fn principal_of(conn: &Connection, profile: Profile) -> Result<Principal, StoreError> {
    let own_site = match &profile.site_id {
        Some(id) => match get_record(conn, Kind::Site, id)? {
            Some(Record::Site(site)) => Some(site),
            _ => None,
        },
        None => None,
    };
    let memberships = memberships_of(conn, &profile.user_id)?;
    Ok(Principal::new(
        profile,
        own_site.as_ref(),
        &memberships,
        None,
    ))
}

/// `id, role, site_id, display_name, phone` of a users row.
pub(super) type ProfileRow = (String, String, Option<String>, String, Option<String>);

pub(super) fn profile_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

pub(super) fn to_profile(
    (user_id, role, site_id, display_name, phone): ProfileRow,
) -> Result<Profile, StoreError> {
    Ok(Profile {
        user_id,
        display_name,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        site_id,
        phone,
    })
}
