//! The district's figures, computed by the server from its records:
//! registered (active) volunteers, teams, confirmed hours in total and per
//! month, person-times of service and orders by status, for every site's
//! subtree, for every team and for every brand project (what its linked
//! activities and orders did). Written as `figures` records, so devices read
//! them offline within their scope (a site's staff and above; a team's
//! leaders). Recomputed in one pass over the records; only figures that
//! changed are written, so an idle district produces no changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use volunteer_domain::{
    Figures, HourStatus, Kind, MonthMinutes, OrderCount, OrderStatus, Record, Site,
};

use crate::storage::{Storage, StoreError};

#[derive(Default)]
struct Tally {
    volunteers: BTreeSet<String>,
    registered: u32,
    teams: u32,
    minutes: u64,
    by_month: BTreeMap<String, u64>,
    person_times: u32,
    orders: BTreeMap<String, (OrderStatus, u32)>,
}

impl Tally {
    fn into_figures(
        self,
        key: String,
        site_id: Option<String>,
        team_id: Option<String>,
    ) -> Figures {
        Figures {
            key,
            site_id,
            team_id,
            volunteers: self.volunteers.len() as u32,
            registered_volunteers: self.registered,
            project_id: None,
            teams: self.teams,
            confirmed_minutes: self.minutes,
            minutes_by_month: self
                .by_month
                .into_iter()
                .map(|(month, minutes)| MonthMinutes { month, minutes })
                .collect(),
            person_times: self.person_times,
            orders: self
                .orders
                .into_values()
                .map(|(status, count)| OrderCount { status, count })
                .collect(),
        }
    }
}

/// Figures of every site subtree and every team, from the live records.
pub fn compute(store: &dyn Storage) -> Result<Vec<Figures>, StoreError> {
    let all = |kind| store.records(kind);
    let sites: Vec<Site> = all(Kind::Site)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Site(s) => Some(s),
            _ => None,
        })
        .collect();
    let path_of: HashMap<String, String> = sites
        .iter()
        .map(|s| (s.id.clone(), s.path.clone()))
        .collect();
    let mut by_site: HashMap<String, Tally> = HashMap::new();
    let mut by_team: HashMap<String, Tally> = HashMap::new();
    let mut team_site: HashMap<String, String> = HashMap::new();
    let mut activity_team: HashMap<String, String> = HashMap::new();
    let mut by_project: HashMap<String, Tally> = HashMap::new();
    let mut project_teams: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut activity_project: HashMap<String, String> = HashMap::new();
    let mut order_project: HashMap<String, String> = HashMap::new();
    let projects: Vec<volunteer_domain::Project> = all(Kind::Project)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Project(p) => Some(p),
            _ => None,
        })
        .collect();
    for p in &projects {
        by_project.entry(p.id.clone()).or_default();
    }

    // Every site whose subtree holds `site_id`: the site and its ancestors.
    let subtree_of = |site_id: &str| -> Vec<String> {
        path_of
            .get(site_id)
            .map(|p| {
                p.split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };

    for r in all(Kind::Team)? {
        if let Record::Team(t) = r {
            for s in subtree_of(&t.site_id) {
                by_site.entry(s).or_default().teams += 1;
            }
            team_site.insert(t.id.clone(), t.site_id.clone());
            by_team.entry(t.id).or_default();
        }
    }
    let mut took_place: BTreeSet<String> = BTreeSet::new();
    for r in all(Kind::Activity)? {
        if let Record::Activity(a) = r {
            if a.status.took_place() {
                took_place.insert(a.id.clone());
            }
            if let Some(project) = &a.project_id
                && by_project.contains_key(project)
            {
                activity_project.insert(a.id.clone(), project.clone());
                if let Some(team) = &a.team_id {
                    project_teams
                        .entry(project.clone())
                        .or_default()
                        .insert(team.clone());
                }
            }
            if let Some(team) = a.team_id {
                activity_team.insert(a.id, team);
            }
        }
    }
    // Hours tied to no site (no team, no activity) count for the district:
    // its root site, when the database holds one district.
    let roots: Vec<&Site> = sites.iter().filter(|s| s.parent_id.is_none()).collect();
    let district = match roots.as_slice() {
        [root] => vec![root.id.clone()],
        _ => vec![],
    };
    for r in all(Kind::Membership)? {
        if let Record::Membership(m) = r
            && m.is_active()
        {
            for s in subtree_of(&m.site_id) {
                by_site
                    .entry(s)
                    .or_default()
                    .volunteers
                    .insert(m.volunteer_id.clone());
            }
            by_team
                .entry(m.team_id)
                .or_default()
                .volunteers
                .insert(m.volunteer_id);
        }
    }
    // Read once: the projects' hours need the orders' links, then the
    // orders are counted below.
    let orders: Vec<volunteer_domain::ServiceOrder> = all(Kind::ServiceOrder)?
        .into_iter()
        .filter_map(|r| match r {
            Record::ServiceOrder(o) => Some(o),
            _ => None,
        })
        .collect();
    for o in &orders {
        if let Some(project) = &o.project_id
            && by_project.contains_key(project)
        {
            order_project.insert(o.id.clone(), project.clone());
        }
    }
    for r in all(Kind::HourEntry)? {
        let Record::HourEntry(h) = r else { continue };
        if h.status != HourStatus::Confirmed {
            continue;
        }
        // Months as the district lives them: Asia/Shanghai.
        let month = h
            .started_at
            .with_timezone(&volunteer_domain::rules::shanghai())
            .format("%Y-%m")
            .to_string();
        let add = |t: &mut Tally| {
            t.minutes += u64::from(h.minutes);
            *t.by_month.entry(month.clone()).or_default() += u64::from(h.minutes);
        };
        let sites_of = h
            .site_id
            .as_deref()
            .map_or_else(|| district.clone(), &subtree_of);
        for s in sites_of {
            add(by_site.entry(s).or_default());
        }
        let team = h.team_id.clone().or_else(|| {
            h.activity_id
                .as_ref()
                .and_then(|a| activity_team.get(a).cloned())
        });
        if let Some(team) = team {
            add(by_team.entry(team).or_default());
        }
        let project = h
            .activity_id
            .as_ref()
            .and_then(|a| activity_project.get(a))
            .or_else(|| h.order_id.as_ref().and_then(|o| order_project.get(o)));
        if let Some(t) = project.and_then(|p| by_project.get_mut(p)) {
            add(t);
            t.volunteers.insert(h.volunteer_id.clone());
        }
    }
    for r in all(Kind::Attendance)? {
        let Record::Attendance(a) = r else { continue };
        // A person-time is a completed attendance of an activity that took place.
        if a.checked_out_at.is_none() || !took_place.contains(&a.activity_id) {
            continue;
        }
        for s in subtree_of(&a.site_id) {
            by_site.entry(s).or_default().person_times += 1;
        }
        if let Some(team) = activity_team.get(&a.activity_id) {
            by_team.entry(team.clone()).or_default().person_times += 1;
        }
        if let Some(t) = activity_project
            .get(&a.activity_id)
            .and_then(|p| by_project.get_mut(p))
        {
            t.person_times += 1;
        }
    }
    for o in &orders {
        let status_key = serde_json::to_string(&o.status).unwrap_or_default();
        let add = |t: &mut Tally| {
            t.orders
                .entry(status_key.clone())
                .or_insert((o.status, 0))
                .1 += 1;
        };
        for s in subtree_of(&o.site_id) {
            add(by_site.entry(s).or_default());
        }
        if let Some(team) = &o.assignee_team_id {
            add(by_team.entry(team.clone()).or_default());
        }
        if let Some(t) = order_project.get(&o.id).and_then(|p| by_project.get_mut(p)) {
            add(t);
        }
    }

    // Registered volunteers belong to no site: the district's center counts them.
    if let [root] = district.as_slice() {
        let registered = u32::try_from(store.volunteer_count()?).unwrap_or(u32::MAX);
        by_site.entry(root.clone()).or_default().registered = registered;
    }
    let mut out = Vec::new();
    for site in &sites {
        let tally = by_site.remove(&site.id).unwrap_or_default();
        out.push(tally.into_figures(format!("site/{}", site.id), Some(site.id.clone()), None));
    }
    for (team, tally) in by_team {
        let site = team_site.get(&team).cloned();
        out.push(tally.into_figures(format!("team/{team}"), site, Some(team)));
    }
    for p in projects {
        let mut tally = by_project.remove(&p.id).unwrap_or_default();
        tally.teams = project_teams.get(&p.id).map_or(0, |t| t.len() as u32);
        let mut f = tally.into_figures(format!("project/{}", p.id), Some(p.site_id), p.team_id);
        f.project_id = Some(p.id);
        out.push(f);
    }
    Ok(out)
}

/// Recompute and write the figures that changed; returns how many.
pub fn refresh(store: &dyn Storage) -> Result<usize, StoreError> {
    let current: HashMap<String, Figures> = store
        .records(Kind::Figures)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Figures(f) => Some((f.key.clone(), f)),
            _ => None,
        })
        .collect();
    let changed: Vec<Record> = compute(store)?
        .into_iter()
        .filter(|f| current.get(&f.key) != Some(f))
        .map(Record::Figures)
        .collect();
    if !changed.is_empty() {
        store.put_records(&changed)?;
    }
    Ok(changed.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use volunteer_domain::{HourEntry, HourSource, SiteLevel};

    /// Minutes go to the month they fall in in Shanghai: 20:00 UTC on the
    /// last day of November is 04:00 on 1 December there.
    #[test]
    fn months_are_shanghai_months() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path().join("f.db")).expect("open");
        let entry = HourEntry {
            id: "h1".into(),
            volunteer_id: "v1".into(),
            activity_id: None,
            site_id: None,
            source: HourSource::SelfReport,
            status: HourStatus::Confirmed,
            started_at: "2026-11-30T20:00:00Z".parse().expect("time"),
            minutes: 60,
            description: String::new(),
            recorded_by: "v1".into(),
            team_id: None,
            reviewed_by: Some("admin".into()),
            reviewed_at: None,
            reason: None,
            corrects: None,
            superseded_by: None,
            history: vec![],
            order_id: None,
            rating: None,
            recorded_at: None,
            due_by: None,
            late: false,
            place: None,
            organiser: None,
            lead: None,
        };
        store
            .put_records(&[
                Record::Site(Site {
                    id: "c".into(),
                    parent_id: None,
                    level: SiteLevel::Center,
                    name: "中心".into(),
                    path: "/c/".into(),
                    address: String::new(),
                }),
                Record::HourEntry(entry),
            ])
            .expect("seed");
        let center = compute(&store)
            .expect("figures")
            .into_iter()
            .find(|f| f.key == "site/c")
            .expect("the center's figures");
        assert_eq!(center.confirmed_minutes, 60, "no site: the district's");
        assert_eq!(center.minutes_by_month[0].month, "2026-12");
    }
}
