//! China's working-day calendar: which days are working days, from the
//! State Council's yearly holiday notices kept as data (`calendar/YYYY.txt`,
//! embedded at build time). The 2021 rules give ten working days from an
//! activity's end to record its service (see `rules::evidence`).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};

include!(concat!(env!("OUT_DIR"), "/calendar_files.rs"));

/// How much of a year the calendar knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The State Council's arrangement in full.
    Official,
    /// Only the statutory holidays: bridged days and make-up working days
    /// are not known yet.
    Provisional,
    /// No file: Monday to Friday count as working days.
    Missing,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("calendar {year}, line {line}: {message}")]
pub struct CalendarError {
    pub year: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, Coverage>,
    /// The days that differ from the week's pattern: `true` a working day.
    exceptions: HashMap<NaiveDate, bool>,
}

impl WorkCalendar {
    /// Parse calendar files, each `(year, text)`.
    pub fn parse(files: &[(&str, &str)]) -> Result<Self, CalendarError> {
        let mut cal = WorkCalendar::default();
        for (name, text) in files {
            let fail = |line: usize, message: &str| CalendarError {
                year: (*name).to_owned(),
                line,
                message: message.to_owned(),
            };
            let year: i32 = name.parse().map_err(|_| fail(0, "not a year"))?;
            let mut coverage = None;
            for (n, raw) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
                if raw.is_empty() || raw.starts_with('#') {
                    continue;
                }
                let mut words = raw.split_whitespace();
                let (first, second) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                if first == "status" {
                    coverage = Some(match second {
                        "official" => Coverage::Official,
                        "provisional" => Coverage::Provisional,
                        _ => return Err(fail(n, "status is official or provisional")),
                    });
                    continue;
                }
                if coverage.is_none() {
                    return Err(fail(n, "the status line comes first"));
                }
                let date = NaiveDate::parse_from_str(first, "%Y-%m-%d")
                    .map_err(|_| fail(n, "a line starts with a date YYYY-MM-DD"))?;
                if date.year() != year {
                    return Err(fail(n, "the date lies in another year"));
                }
                let working = match second {
                    "off" => false,
                    "work" if is_weekend(date) => true,
                    "work" => return Err(fail(n, "a make-up working day is a weekend day")),
                    _ => return Err(fail(n, "a date is followed by off or work")),
                };
                if words.next().is_none() {
                    return Err(fail(n, "each day names its holiday"));
                }
                if cal.exceptions.insert(date, working).is_some() {
                    return Err(fail(n, "the date is listed twice"));
                }
            }
            let coverage = coverage.ok_or_else(|| fail(0, "no status line"))?;
            cal.years.insert(year, coverage);
        }
        Ok(cal)
    }

    pub fn coverage(&self, year: i32) -> Coverage {
        self.years.get(&year).copied().unwrap_or(Coverage::Missing)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.exceptions
            .get(&date)
            .copied()
            .unwrap_or(!is_weekend(date))
    }

    /// The `n`-th working day after `date` (not counting `date` itself).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().expect("dates before the end of time");
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The calendar of mainland China, from the embedded files.
pub fn china() -> &'static WorkCalendar {
    static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| {
        // The files are checked by this crate's tests before they ship.
        WorkCalendar::parse(FILES).expect("the embedded calendar files parse")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_embedded_files_parse_and_cover_this_year_and_next() {
        let cal = WorkCalendar::parse(FILES).unwrap();
        assert_eq!(cal.coverage(2026), Coverage::Official);
        assert_ne!(cal.coverage(2027), Coverage::Missing);
        assert_eq!(cal.coverage(2031), Coverage::Missing);
    }

    #[test]
    fn holidays_and_make_up_days_follow_the_2026_notice() {
        let cal = china();
        // National Day week off; Saturday 10 October worked in its place.
        assert!(!cal.is_working_day(day("2026-10-05")));
        assert!(cal.is_working_day(day("2026-10-10")));
        assert!(!cal.is_working_day(day("2026-10-11")));
        // An ordinary week.
        assert!(cal.is_working_day(day("2026-12-01")));
        assert!(!cal.is_working_day(day("2026-12-05")));
        // Spring Festival: 15 to 23 February off, 14 and 28 worked.
        assert!(cal.is_working_day(day("2026-02-14")));
        assert!(!cal.is_working_day(day("2026-02-23")));
        assert!(cal.is_working_day(day("2026-02-24")));
        // A year without a file: Monday to Friday.
        assert!(cal.is_working_day(day("2031-01-01")));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = china();
        // Friday 4 December: two weeks of working days, due Friday 18th.
        assert_eq!(
            cal.add_working_days(day("2026-12-04"), 10),
            day("2026-12-18")
        );
        // Ending on 30 September: the National Day week does not count,
        // Saturday 10 October does: 8, 9, 10, 12 to 16, 19 and 20 October.
        assert_eq!(
            cal.add_working_days(day("2026-09-30"), 1),
            day("2026-10-08")
        );
        assert_eq!(
            cal.add_working_days(day("2026-09-30"), 10),
            day("2026-10-20")
        );
        assert_eq!(
            cal.add_working_days(day("2026-09-30"), 0),
            day("2026-09-30")
        );
    }

    #[test]
    fn malformed_files_are_refused_with_their_line() {
        let bad = |text: &str| WorkCalendar::parse(&[("2026", text)]).unwrap_err();
        assert_eq!(bad("2026-01-01 off 元旦").line, 1); // no status first
        assert_eq!(bad("status official\n2026-01-05 work x").line, 2); // a Monday
        assert_eq!(bad("status official\n2025-12-31 off x").line, 2);
        assert_eq!(
            bad("status official\n2026-01-01 off x\n2026-01-01 off x").line,
            3
        );
        assert_eq!(bad("status official\n2026-13-01 off x").line, 2);
        assert_eq!(bad("status official\n2026-01-01 off").line, 2);
        assert_eq!(bad("status maybe").line, 1);
        assert!(WorkCalendar::parse(&[("20x6", "status official")]).is_err());
    }
}
