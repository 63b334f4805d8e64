//! Who a signed-in user is: their profile row and what the rules know
//! about them. Kept apart so it can move to the domain's one definition of
//! building an actor.

use rusqlite::Connection;
use volunteer_domain::{Profile, Role};

use super::records::site_path;
use crate::storage::{Principal, StoreError};

/// Teams the user leads: their active memberships with the leader role.
fn led_teams(conn: &Connection, user_id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT json_extract(data, '$.team_id') FROM entities
         WHERE owner = ?1 AND kind = 'membership' AND data IS NOT NULL
           AND json_extract(data, '$.role') = 'leader'
           AND json_extract(data, '$.status') = 'active'
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn principal_of(conn: &Connection, profile: Profile) -> Result<Principal, StoreError> {
    let site_path = match (&profile.role, &profile.site_id) {
        (Role::Staff, Some(site)) => site_path(conn, site)?,
        _ => None,
    };
    let led_teams = led_teams(conn, &profile.user_id)?;
    Ok(Principal::new(profile, site_path, led_teams, None))
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
