//! Exports as CSV and XLSX: service records with the fields the 2021
//! rules require of one (who served, what, where, when, how long, the
//! recording unit and lead, who recorded and reviewed it, and when),
//! hours per volunteer, team or site over a period, and the figures.
//! A report is a [`Table`]; each format writes any table.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use volunteer_domain::{Figures, HourEntry, HourStatus, Site, Team};

use super::layout::local;
use super::text::Text;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet's name and the file's stem.
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// Which report, from its name in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Records,
    HoursByVolunteer,
    HoursByTeam,
    HoursBySite,
    Figures,
}

impl Report {
    pub const ALL: [Report; 5] = [
        Report::Records,
        Report::HoursByVolunteer,
        Report::HoursByTeam,
        Report::HoursBySite,
        Report::Figures,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Report::Records => "records",
            Report::HoursByVolunteer => "hours-by-volunteer",
            Report::HoursByTeam => "hours-by-team",
            Report::HoursBySite => "hours-by-site",
            Report::Figures => "figures",
        }
    }

    pub fn parse(s: &str) -> Option<Report> {
        Report::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A period of Beijing days, `from` and `to` included.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    fn holds(&self, t: DateTime<Utc>) -> bool {
        let day = (t + chrono::Duration::hours(8)).date_naive();
        self.from <= day && day <= self.to
    }

    /// Confirmed minutes of the months the period touches (figures are
    /// kept by month, not by day).
    fn months_of(&self, f: &Figures) -> u64 {
        let (first, last) = (
            self.from.format("%Y-%m").to_string(),
            self.to.format("%Y-%m").to_string(),
        );
        f.minutes_by_month
            .iter()
            .filter(|m| first <= m.month && m.month <= last)
            .map(|m| m.minutes)
            .sum()
    }
}

/// What the reports are made from: what the user may read.
pub struct Sources<'a> {
    pub hours: &'a [HourEntry],
    pub names: &'a BTreeMap<String, String>,
    pub activities: &'a BTreeMap<String, String>,
    pub teams: &'a [Team],
    pub sites: &'a [Site],
    pub figures: &'a [Figures],
}

fn hours_of(minutes: u64) -> Cell {
    Cell::Number((minutes as f64 / 60.0 * 100.0).round() / 100.0)
}

fn name_of(map: &BTreeMap<String, String>, id: &str) -> String {
    map.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

pub fn table(report: Report, period: Period, src: &Sources<'_>, t: &Text) -> Table {
    let confirmed = || {
        src.hours
            .iter()
            .filter(move |h| h.status == HourStatus::Confirmed && period.holds(h.started_at))
    };
    match report {
        Report::Records => {
            let mut rows: Vec<&HourEntry> = confirmed().collect();
            rows.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
            Table {
                name: "service-records",
                headers: t.export_record_headers.to_vec(),
                rows: rows
                    .into_iter()
                    .map(|h| {
                        let content = h
                            .activity_id
                            .as_ref()
                            .and_then(|a| src.activities.get(a).cloned())
                            .unwrap_or_else(|| h.description.clone());
                        vec![
                            Cell::text(&h.id),
                            Cell::text(name_of(src.names, &h.volunteer_id)),
                            Cell::text(&h.volunteer_id),
                            Cell::text(content),
                            Cell::text(h.place.clone().unwrap_or_default()),
                            Cell::text(local(h.started_at)),
                            Cell::text(local(
                                h.started_at + chrono::Duration::minutes(i64::from(h.minutes)),
                            )),
                            hours_of(u64::from(h.minutes)),
                            Cell::text(h.organiser.clone().unwrap_or_default()),
                            Cell::text(h.lead.clone().unwrap_or_default()),
                            Cell::text(t.hour_source(h.source)),
                            Cell::text(name_of(src.names, &h.recorded_by)),
                            Cell::text(
                                h.reviewed_by
                                    .as_deref()
                                    .map(|r| name_of(src.names, r))
                                    .unwrap_or_default(),
                            ),
                            Cell::text(h.recorded_at.map(local).unwrap_or_default()),
                            Cell::text(if h.late { t.yes } else { t.no }),
                            Cell::text(h.rating.map(|r| r.to_string()).unwrap_or_default()),
                        ]
                    })
                    .collect(),
            }
        }
        Report::HoursByVolunteer | Report::HoursByTeam | Report::HoursBySite => {
            let mut totals: BTreeMap<String, (u64, u64)> = BTreeMap::new();
            for h in confirmed() {
                let key = match report {
                    Report::HoursByVolunteer => {
                        Some(name_of(src.names, &h.volunteer_id) + "\u{0}" + &h.volunteer_id)
                    }
                    Report::HoursByTeam => h.team_id.as_ref().map(|id| {
                        src.teams
                            .iter()
                            .find(|x| &x.id == id)
                            .map_or(id.clone(), |x| x.name.clone())
                    }),
                    _ => h.site_id.as_ref().map(|id| {
                        src.sites
                            .iter()
                            .find(|x| &x.id == id)
                            .map_or(id.clone(), |x| x.name.clone())
                    }),
                };
                let Some(key) = key else { continue };
                let e = totals.entry(key).or_default();
                e.0 += 1;
                e.1 += u64::from(h.minutes);
            }
            Table {
                name: report.as_str(),
                headers: t.export_total_headers.to_vec(),
                rows: totals
                    .into_iter()
                    .map(|(key, (n, minutes))| {
                        let name = key.split('\u{0}').next().unwrap_or_default().to_owned();
                        vec![Cell::Text(name), Cell::Number(n as f64), hours_of(minutes)]
                    })
                    .collect(),
            }
        }
        Report::Figures => {
            let label = |f: &Figures| match (&f.site_id, &f.team_id) {
                (_, Some(team)) => src
                    .teams
                    .iter()
                    .find(|x| &x.id == team)
                    .map_or(team.clone(), |x| x.name.clone()),
                (Some(site), None) => src
                    .sites
                    .iter()
                    .find(|x| &x.id == site)
                    .map_or(site.clone(), |x| x.name.clone()),
                (None, None) => f.key.clone(),
            };
            let mut rows: Vec<&Figures> = src.figures.iter().collect();
            rows.sort_by(|a, b| a.key.cmp(&b.key));
            Table {
                name: "figures",
                headers: t.export_figure_headers.to_vec(),
                rows: rows
                    .into_iter()
                    .map(|f| {
                        vec![
                            Cell::text(label(f)),
                            Cell::text(if f.team_id.is_some() { t.team } else { t.site }),
                            Cell::Number(f64::from(f.volunteers)),
                            Cell::Number(f64::from(f.teams)),
                            hours_of(f.confirmed_minutes),
                            hours_of(period.months_of(f)),
                            Cell::Number(f64::from(f.person_times)),
                        ]
                    })
                    .collect(),
            }
        }
    }
}

/// Text a spreadsheet will not run: a cell that starts like a formula
/// (`=`, `+`, `-`, `@`, a tab or a return) is prefixed with `'`, so a
/// volunteer who names a team `=HYPERLINK(...)` exports as text. (XLSX
/// cells are written as strings and need no such care.)
fn inert(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// CSV, UTF-8 with a byte-order mark (so Excel reads the Chinese right).
pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(&table.headers);
        for row in &table.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => inert(s),
                    Cell::Number(n) => n.to_string(),
                })
                .collect();
            let _ = w.write_record(&cells);
        }
        let _ = w.flush();
    }
    out
}

/// An XLSX workbook of one sheet, numbers as numbers.
pub fn xlsx(table: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(table.name)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Text(s) => sheet.write_string(r, c, s)?,
                Cell::Number(n) => sheet.write_number(r, c, *n)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use volunteer_domain::MonthMinutes;

    #[test]
    fn figures_export_the_hours_of_the_months_the_period_touches() {
        let month = |m: &str, minutes| MonthMinutes {
            month: m.into(),
            minutes,
        };
        let team = Team {
            id: "t1".into(),
            site_id: "s1".into(),
            name: "助老服务队".into(),
            description: String::new(),
            member_count: 3,
            join_policy: Default::default(),
        };
        let figures = Figures {
            key: "team/t1".into(),
            site_id: Some("s1".into()),
            team_id: Some("t1".into()),
            volunteers: 3,
            registered_volunteers: 0,
            teams: 1,
            confirmed_minutes: 210,
            minutes_by_month: vec![
                month("2026-10", 120),
                month("2026-11", 60),
                month("2026-12", 30),
            ],
            person_times: 4,
            orders: vec![],
            project_id: None,
        };
        let names = BTreeMap::new();
        let src = Sources {
            hours: &[],
            names: &names,
            activities: &names,
            teams: std::slice::from_ref(&team),
            sites: &[],
            figures: std::slice::from_ref(&figures),
        };
        let period = Period {
            from: "2026-11-15".parse().unwrap(),
            to: "2026-12-01".parse().unwrap(),
        };
        let t = crate::console::text::Lang::Zh.text();
        let table = table(Report::Figures, period, &src, t);
        assert_eq!(table.headers.len(), table.rows[0].len());
        let row: Vec<String> = table.rows[0]
            .iter()
            .map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(n) => n.to_string(),
            })
            .collect();
        assert_eq!(row, ["助老服务队", "队伍", "3", "1", "3.5", "1.5", "4"]);
    }

    #[test]
    fn a_cell_that_looks_like_a_formula_exports_as_text() {
        let table = Table {
            name: "t",
            headers: vec!["name", "minutes"],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Number(-5.0)],
                vec![Cell::Text("@SUM(A1)".into()), Cell::Number(1.0)],
                vec![Cell::Text("王芳 - 队长".into()), Cell::Number(2.0)],
            ],
        };
        let text = String::from_utf8(csv(&table)).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines,
            [
                "name,minutes",
                "\"'=HYPERLINK(\"\"x\"\")\",-5",
                "'@SUM(A1),1",
                "王芳 - 队长,2"
            ]
        );
    }
}
