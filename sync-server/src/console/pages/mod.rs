//! One module per console page. Each reads what the user may read
//! ([`super::read`]) and renders it; its forms post to `/console/act`.

pub mod activities;
pub mod admin;
pub mod callouts;
pub mod donations;
pub mod figures;
pub mod home;
pub mod hours;
pub mod orders;
pub mod signin;
pub mod transfer;

use std::collections::BTreeMap;
use volunteer_domain::{Account, Attendance, Kind, Membership, Record, Signup, Site, Team};

use super::{Session, read};
use crate::api::{AppState, Failure};

pub(crate) fn sites(r: Record) -> Option<Site> {
    match r {
        Record::Site(s) => Some(s),
        _ => None,
    }
}

pub(crate) fn teams(r: Record) -> Option<Team> {
    match r {
        Record::Team(t) => Some(t),
        _ => None,
    }
}

pub(crate) fn accounts(r: Record) -> Option<Account> {
    match r {
        Record::Account(a) => Some(a),
        _ => None,
    }
}

/// The sites the user acts at: their subtree (every site for an admin;
/// a leader's team sites), parents before children.
pub(crate) async fn my_sites(state: &AppState, s: &Session) -> Result<Vec<Site>, Failure> {
    let mut all = read(state, s, Kind::Site, sites).await?;
    all.retain(|site| s.who.actor.may_manage(&site.path));
    all.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(all)
}

/// Teams at the user's sites, or led by them.
pub(crate) async fn my_teams(
    state: &AppState,
    s: &Session,
    sites: &[Site],
) -> Result<Vec<Team>, Failure> {
    let mut all = read(state, s, Kind::Team, teams).await?;
    all.retain(|t| sites.iter().any(|site| site.id == t.site_id) || s.who.actor.leads(&t.id));
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// Names of the people the user may see, by user id: from accounts,
/// memberships, signups and attendance (each carries the name).
pub(crate) async fn names(
    state: &AppState,
    s: &Session,
) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    for r in read(state, s, Kind::Membership, Some).await? {
        if let Record::Membership(Membership {
            volunteer_id,
            volunteer_name,
            ..
        }) = r
        {
            out.insert(volunteer_id, volunteer_name);
        }
    }
    for r in read(state, s, Kind::Signup, Some).await? {
        if let Record::Signup(Signup {
            volunteer_id,
            volunteer_name,
            ..
        }) = r
        {
            out.insert(volunteer_id, volunteer_name);
        }
    }
    for r in read(state, s, Kind::Attendance, Some).await? {
        if let Record::Attendance(Attendance {
            volunteer_id,
            volunteer_name,
            ..
        }) = r
        {
            out.insert(volunteer_id, volunteer_name);
        }
    }
    for a in read(state, s, Kind::Account, accounts).await? {
        out.insert(a.user_id, a.display_name);
    }
    Ok(out)
}

pub(crate) fn site_name(sites: &[Site], id: &str) -> String {
    sites
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_owned(), |s| s.name.clone())
}
