//! Every SQL read of the replica. Reads see the visible state (confirmed
//! plus pending), so an action shows up the moment its call returns.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;
use volunteer_domain::rules::{LATE_RECORD_LIMIT, recording_deadline};
use volunteer_domain::{
    Account, Activity, Attendance, Campaign, Distribution, Donation, Figures, HourEntry,
    HourSource, HourStatus, Kind, Membership, MembershipStatus, Notice, OrderContact, OrderStatus,
    Project, RejectCode, ServiceOrder, Signup, SignupStatus, Site, Team,
};

use crate::error::Result;
use crate::model::{DueKind, DueRecord, OrderQueue, RejectedMutation, RosterEntry};
use crate::outbox::parse_time;
use crate::store::{self, load};

pub fn sites(conn: &Connection) -> Result<Vec<Site>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('site') ORDER BY path",
        [],
    )
}

/// Teams, optionally only those at a site and the sites below it.
pub fn teams(conn: &Connection, under_site: Option<&str>) -> Result<Vec<Team>> {
    match under_site {
        None => load(
            conn,
            "SELECT data FROM records WHERE kind_code = kind_code('team') ORDER BY json_extract(data, '$.name')",
            [],
        ),
        Some(site) => load(
            conn,
            "SELECT t.data FROM records t
             JOIN records s ON s.kind_code = kind_code('site') AND s.key_packed = t.site_packed
             JOIN records root ON root.kind_code = kind_code('site') AND root.key_packed = id_pack(?1)
             WHERE t.kind_code = kind_code('team')
               AND substr(s.path, 1, length(root.path))
                   = root.path
             ORDER BY json_extract(t.data, '$.name')",
            [site],
        ),
    }
}

pub fn activity(conn: &Connection, id: &str) -> Result<Option<Activity>> {
    Ok(load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('activity') AND key_packed = id_pack(?1)",
        [id],
    )?
    .pop())
}

/// Activities open to volunteers (published or under way) that have not
/// ended, soonest first.
pub fn upcoming_activities(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Activity>> {
    // In order by the lifted times alone, then decoded one by one until
    // `limit` are open: one query that filtered by status would decode
    // every activity yet to end before sorting them.
    let mut soonest = conn.prepare_cached(
        "SELECT key_packed FROM records WHERE kind_code = kind_code('activity') AND ends_ns > ?1
         ORDER BY starts_ns, key",
    )?;
    let mut keys = soonest.query([nanos(now)])?;
    let mut open = conn.prepare_cached(
        "SELECT data FROM records WHERE kind_code = kind_code('activity') AND key_packed = ?1
           AND json_extract(data, '$.status') IN ('published', 'in_progress')",
    )?;
    let mut out = Vec::new();
    while out.len() < limit as usize {
        let Some(row) = keys.next()? else { break };
        let key: rusqlite::types::Value = row.get(0)?;
        if let Some(json) = open
            .query_row([key], |r| r.get::<_, String>(0))
            .optional()?
        {
            out.push(store::parse(&json)?);
        }
    }
    Ok(out)
}

/// A time as the `records` view's `starts_ns` and `ends_ns` hold it.
fn nanos(t: DateTime<Utc>) -> i64 {
    // Out of range only after the year 2262.
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// Activities at a site, or at it and every site below it, soonest first.
pub fn activities_at_site(
    conn: &Connection,
    site_id: &str,
    include_subtree: bool,
) -> Result<Vec<Activity>> {
    if !include_subtree {
        return load(
            conn,
            "SELECT data FROM records
             WHERE kind_code = 0 -- activity, as activities_by_site names it
               AND site_packed = id_pack(?1)
             ORDER BY starts_ns, key",
            [site_id],
        );
    }
    load(
        conn,
        "SELECT a.data FROM records a
         JOIN records s ON s.kind_code = kind_code('site') AND s.key_packed = a.site_packed
         JOIN records root ON root.kind_code = kind_code('site') AND root.key_packed = id_pack(?1)
         WHERE a.kind_code = 0 -- activity, as activities_by_site names it
           AND substr(s.path, 1, length(root.path))
               = root.path
         ORDER BY a.starts_ns, a.key",
        [site_id],
    )
}

/// Signups and attendance of one activity, merged per volunteer, by name.
pub fn roster(conn: &Connection, activity_id: &str) -> Result<Vec<RosterEntry>> {
    let signups: Vec<Signup> = load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('signup') AND activity_packed = id_pack(?1)",
        [activity_id],
    )?;
    let attendance: Vec<Attendance> = load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('attendance') AND activity_packed = id_pack(?1)",
        [activity_id],
    )?;
    let mut by_volunteer: BTreeMap<String, RosterEntry> = BTreeMap::new();
    for s in signups {
        let waiting = s.status == SignupStatus::Waitlisted;
        by_volunteer.insert(
            s.volunteer_id.clone(),
            RosterEntry {
                volunteer_id: s.volunteer_id,
                volunteer_name: s.volunteer_name,
                signed_up: !waiting,
                waitlist_position: waiting.then_some(s.position),
                checked_in_at: None,
                checked_out_at: None,
            },
        );
    }
    for a in attendance {
        let entry = by_volunteer
            .entry(a.volunteer_id.clone())
            .or_insert_with(|| RosterEntry {
                volunteer_id: a.volunteer_id.clone(),
                volunteer_name: a.volunteer_name.clone(),
                signed_up: false,
                waitlist_position: None,
                checked_in_at: None,
                checked_out_at: None,
            });
        if entry.volunteer_name.is_empty() {
            entry.volunteer_name = a.volunteer_name;
        }
        entry.checked_in_at = Some(a.checked_in_at);
        entry.checked_out_at = a.checked_out_at;
    }
    let mut out: Vec<RosterEntry> = by_volunteer.into_values().collect();
    out.sort_by(|a, b| {
        (a.volunteer_name.as_str(), a.volunteer_id.as_str())
            .cmp(&(b.volunteer_name.as_str(), b.volunteer_id.as_str()))
    });
    Ok(out)
}

pub fn memberships_of(conn: &Connection, volunteer_id: &str) -> Result<Vec<Membership>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('membership') AND volunteer_packed = id_pack(?1)
         ORDER BY json_extract(data, '$.joined_at')",
        [volunteer_id],
    )
}

/// Memberships of a team in one state, by name (leaders and staff see them).
pub fn team_memberships(
    conn: &Connection,
    team_id: &str,
    status: MembershipStatus,
) -> Result<Vec<Membership>> {
    load(
        conn,
        "SELECT data FROM records
         WHERE kind_code = 5 -- membership, as memberships_by_team names it
           AND team_packed = id_pack(?1) AND json_extract(data, '$.status') = ?2
         ORDER BY json_extract(data, '$.volunteer_name'), key",
        rusqlite::params![team_id, status.as_str()],
    )
}

/// The teams with these ids that the device holds, by name.
pub fn teams_with_ids(conn: &Connection, ids: &[String]) -> Result<Vec<Team>> {
    load(
        conn,
        "SELECT data FROM records
         WHERE kind_code = kind_code('team') AND key_packed IN (SELECT id_pack(value) FROM json_each(?1))
         ORDER BY json_extract(data, '$.name')",
        [serde_json::to_string(ids)?],
    )
}

pub fn signups_of(conn: &Connection, volunteer_id: &str) -> Result<Vec<Signup>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('signup') AND volunteer_packed = id_pack(?1)
         ORDER BY json_extract(data, '$.signed_up_at')",
        [volunteer_id],
    )
}

/// Orders by one kind of relation to the user, newest first.
pub fn orders(conn: &Connection, sql_filter: OrdersOf<'_>) -> Result<Vec<ServiceOrder>> {
    match sql_filter {
        OrdersOf::Placed(me) => load(
            conn,
            "SELECT data FROM records WHERE kind_code = kind_code('service_order')
               AND json_extract(data, '$.requester_id') = ?1
             ORDER BY json_extract(data, '$.created_at') DESC",
            [me],
        ),
        OrdersOf::AssignedTo { me, teams } => load(
            conn,
            "SELECT data FROM records WHERE kind_code = kind_code('service_order')
               AND json_extract(data, '$.status') IN ('dispatched', 'accepted', 'done')
               AND (json_extract(data, '$.assignee_volunteer_id') = ?1
                    OR json_extract(data, '$.assignee_team_id') IN (SELECT value FROM json_each(?2)))
             ORDER BY json_extract(data, '$.created_at')",
            rusqlite::params![me, serde_json::to_string(teams)?],
        ),
        OrdersOf::Site { site_id, include_subtree } => load(
            conn,
            "SELECT o.data FROM records o
             JOIN records s ON s.kind_code = kind_code('site') AND s.key_packed = o.site_packed
             JOIN records root ON root.kind_code = kind_code('site') AND root.key_packed = id_pack(?1)
             WHERE o.kind_code = kind_code('service_order')
               AND (o.site_packed = id_pack(?1) OR (?2
                    AND substr(s.path, 1, length(root.path))
                        = root.path))
             ORDER BY json_extract(o.data, '$.created_at')",
            rusqlite::params![site_id, include_subtree],
        ),
    }
}

/// The orders of [`orders`] counted by state, with the oldest of each:
/// states in their order along the workflow.
pub fn order_queue(orders: &[ServiceOrder]) -> Vec<OrderQueue> {
    let mut by_state: BTreeMap<usize, OrderQueue> = BTreeMap::new();
    for o in orders {
        let rank = OrderStatus::ALL
            .iter()
            .position(|s| *s == o.status)
            .unwrap_or(usize::MAX);
        let q = by_state.entry(rank).or_insert(OrderQueue {
            status: o.status,
            count: 0,
            oldest_created_at: o.created_at,
        });
        q.count += 1;
        q.oldest_created_at = q.oldest_created_at.min(o.created_at);
    }
    by_state.into_values().collect()
}

/// Which orders [`orders`] lists.
pub enum OrdersOf<'a> {
    /// Placed by this resident.
    Placed(&'a str),
    /// Open and offered to this volunteer or to a team they lead.
    AssignedTo { me: &'a str, teams: &'a [String] },
    /// At a site (and below it), oldest first: the dispatcher's queue by age.
    Site {
        site_id: &'a str,
        include_subtree: bool,
    },
}

/// The contact of an order: the main copy or the assignee's, whichever this
/// device holds.
pub fn order_contact(conn: &Connection, order_id: &str) -> Result<Option<OrderContact>> {
    Ok(load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('order_contact')
           AND (key = ?1 OR substr(key, 1, length(?1) + 1) = ?1 || '/')
         ORDER BY key LIMIT 1",
        [order_id],
    )?
    .pop())
}

/// A volunteer's attendance records, newest first.
pub fn attendance_of(conn: &Connection, volunteer_id: &str) -> Result<Vec<Attendance>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('attendance') AND volunteer_packed = id_pack(?1)
         ORDER BY julianday(json_extract(data, '$.checked_in_at')) DESC, key",
        [volunteer_id],
    )
}

/// A volunteer's hour entries, newest first.
pub fn hours_of(conn: &Connection, volunteer_id: &str) -> Result<Vec<HourEntry>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('hour_entry') AND volunteer_packed = id_pack(?1)
         ORDER BY julianday(json_extract(data, '$.started_at')) DESC, key",
        [volunteer_id],
    )
}

/// The service records this device holds that are not complete yet, soonest
/// due first: for activities that ended within the late-record limit, open
/// attendance, the signed-in user's places nothing records, and activities
/// with places taken and no attendance; and every pending self-report.
pub fn records_due(conn: &Connection, me: &str, now: DateTime<Utc>) -> Result<Vec<DueRecord>> {
    let ended: Vec<Activity> = load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('activity')
           AND ends_ns <= ?1 AND ends_ns > ?2
           AND json_extract(data, '$.status') IN ('published', 'in_progress', 'finished')",
        [nanos(now), nanos(now - LATE_RECORD_LIMIT)],
    )?;
    let mine = hours_of(conn, me)?;
    let mut out = vec![];
    for a in ended {
        let due_by = recording_deadline(a.ends_at);
        let item = |kind, volunteer: Option<(&str, &str)>| DueRecord {
            kind,
            activity_id: Some(a.id.clone()),
            title: a.title.clone(),
            volunteer_id: volunteer.map(|v| v.0.to_owned()),
            volunteer_name: volunteer.map(|v| v.1.to_owned()),
            hour_entry_id: None,
            due_by,
            overdue: now > due_by,
        };
        let roster = roster(conn, &a.id)?;
        let recorded = roster.iter().any(|r| r.checked_in_at.is_some());
        for r in &roster {
            let who = Some((r.volunteer_id.as_str(), r.volunteer_name.as_str()));
            if r.checked_in_at.is_some() && r.checked_out_at.is_none() {
                out.push(item(DueKind::OpenAttendance, who));
            } else if r.signed_up && r.checked_in_at.is_none() && r.volunteer_id == me {
                let reported = mine.iter().any(|h| {
                    h.source == HourSource::SelfReport
                        && h.activity_id.as_deref() == Some(a.id.as_str())
                        && matches!(h.status, HourStatus::Pending | HourStatus::Confirmed)
                });
                if !reported {
                    out.push(item(DueKind::NotRecorded, who));
                }
            }
        }
        if !recorded && roster.iter().any(|r| r.signed_up && r.volunteer_id != me) {
            out.push(item(DueKind::ActivityNotRecorded, None));
        }
    }
    let pending: Vec<HourEntry> = load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('hour_entry')
           AND json_extract(data, '$.status') = 'pending'",
        [],
    )?;
    for h in pending {
        let ends = h.started_at + chrono::Duration::minutes(i64::from(h.minutes));
        let due_by = h.due_by.unwrap_or_else(|| recording_deadline(ends));
        out.push(DueRecord {
            kind: DueKind::PendingReview,
            activity_id: h.activity_id,
            title: h.description,
            volunteer_id: Some(h.volunteer_id),
            volunteer_name: None,
            hour_entry_id: Some(h.id),
            due_by,
            overdue: now > due_by,
        });
    }
    out.sort_by(|a, b| (a.due_by, &a.title).cmp(&(b.due_by, &b.title)));
    Ok(out)
}

/// Self-reported hours waiting for review that this device can see, other
/// than the user's own, oldest first.
pub fn hours_to_review(conn: &Connection, me: &str) -> Result<Vec<HourEntry>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('hour_entry')
           AND json_extract(data, '$.status') = 'pending'
           AND json_extract(data, '$.volunteer_id') <> ?1
         ORDER BY julianday(json_extract(data, '$.started_at')), key",
        [me],
    )
}

pub fn rejections(conn: &Connection) -> Result<Vec<RejectedMutation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, created_at, mutation, code, message, rejected_at FROM rejections ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, u64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, id, created_at, mutation, code, message, rejected_at) = row?;
        out.push(RejectedMutation {
            seq,
            id,
            created_at: parse_time(&created_at)?,
            mutation: serde_json::from_str(&mutation)?,
            code: RejectCode::from_wire(&code),
            message,
            rejected_at: parse_time(&rejected_at)?,
        });
    }
    Ok(out)
}

pub fn rejected_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM rejections", [], |r| r.get(0))?)
}

/// Count of replicated records by kind (diagnostics and tests).
pub fn record_counts(conn: &Connection) -> Result<BTreeMap<String, u64>> {
    let mut stmt =
        conn.prepare("SELECT kind_name(kind_code), count(*) FROM records GROUP BY kind_code")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (k, n) = row?;
        out.insert(k, n);
    }
    Ok(out)
}

/// Every record of one kind (diagnostics and tests).
pub fn all_of_kind(conn: &Connection, kind: Kind) -> Result<Vec<serde_json::Value>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = ?1 ORDER BY key",
        [crate::compact::kind_code(kind)],
    )
}

/// One order by id, if the device holds it.
pub fn order(conn: &Connection, id: &str) -> Result<Option<ServiceOrder>> {
    Ok(load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('service_order') AND key_packed = id_pack(?1)",
        [id],
    )?
    .pop())
}

/// The volunteer's notices (only theirs are on the device), newest first.
pub fn notices(conn: &Connection) -> Result<Vec<Notice>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('notice')
         ORDER BY julianday(json_extract(data, '$.created_at')) DESC",
        [],
    )
}

/// Figures by key (`site/<id>` or `team/<id>`).
pub fn figures(conn: &Connection, key: &str) -> Result<Option<Figures>> {
    Ok(load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('figures') AND key_packed = id_pack(?1)",
        [key],
    )?
    .pop())
}

pub fn campaigns(conn: &Connection) -> Result<Vec<Campaign>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('campaign') ORDER BY json_extract(data, '$.name')",
        [],
    )
}

/// Donations on the device (staff's sites only), newest first.
pub fn donations(conn: &Connection) -> Result<Vec<Donation>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('donation')
         ORDER BY julianday(json_extract(data, '$.received_at')) DESC",
        [],
    )
}

/// Accounts on the device (staff's sites only), by name.
pub fn accounts(conn: &Connection) -> Result<Vec<Account>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('account')
         ORDER BY json_extract(data, '$.display_name'), key",
        [],
    )
}

/// Goods handed out (staff's sites only), newest first.
pub fn distributions(conn: &Connection) -> Result<Vec<Distribution>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('distribution')
         ORDER BY julianday(json_extract(data, '$.distributed_at')) DESC",
        [],
    )
}

/// Brand projects, by name.
pub fn projects(conn: &Connection) -> Result<Vec<Project>> {
    load(
        conn,
        "SELECT data FROM records WHERE kind_code = kind_code('project') ORDER BY json_extract(data, '$.name'), key",
        [],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    /// The activity list reads the lifted times, not the JSON: it must
    /// still list exactly the open activities yet to end, soonest first,
    /// ties by key, at most `limit`, whichever way a time was written.
    #[test]
    fn upcoming_activities_are_the_open_ones_yet_to_end_soonest_first() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::schema::open(&dir.path().join("r.db")).unwrap();
        let now = Utc::now();
        let statuses = ["published", "in_progress", "draft", "finished", "cancelled"];
        let mut expected = Vec::new();
        for i in 0..60i64 {
            let id = format!("{:08x}-0000-4000-8000-000000000000", (i * 7919) % 61);
            let status = statuses[(i % 5) as usize];
            // Past, under way and future, some starting at the same instant.
            let starts = now + Duration::minutes(30 * ((i % 9) - 3));
            let ends = starts + Duration::minutes(45);
            // Every fourth end in a form the codec keeps as text.
            let end_text = match i % 4 {
                0 => ends
                    .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
                    .to_rfc3339(),
                _ => ends.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            };
            let json = serde_json::json!({
                "id": id, "site_id": id, "title": "t", "description": "",
                "status": status, "capacity": 10, "signup_count": 0,
                "starts_at": starts, "ends_at": end_text,
                "audience": {"site_id": null, "team_ids": []},
            });
            crate::store::put_raw(&conn, Kind::Activity, &id, &json.to_string()).unwrap();
            if ends > now && matches!(status, "published" | "in_progress") {
                expected.push((starts, id));
            }
        }
        expected.sort();
        for limit in [0, 1, 5, 100] {
            let got: Vec<String> = upcoming_activities(&conn, now, limit)
                .unwrap()
                .into_iter()
                .map(|a| a.id)
                .collect();
            let want: Vec<String> = expected
                .iter()
                .take(limit as usize)
                .map(|(_, id)| id.clone())
                .collect();
            assert_eq!(got, want, "limit {limit}");
        }
    }
}
