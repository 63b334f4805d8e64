//! Importing volunteers from the CSV a district already keeps.
//!
//! The file has a header row naming its columns, in Chinese or English:
//!
//! | column | header | required | value |
//! | --- | --- | --- | --- |
//! | name | `姓名` / `name` | yes | 1 to 50 characters |
//! | phone | `手机号` / `电话` / `phone` | yes | a mainland mobile number, written any usual way |
//! | role | `身份` / `角色` / `role` | no | `志愿者`/`volunteer` (default) or `居民`/`resident` |
//! | site | `站点` / `site` | no | the site's name or id; default: the importer's own site |
//!
//! Other columns are ignored. UTF-8 (with or without a byte-order mark) and
//! GBK (what Excel writes on a Chinese Windows) are both read. Every row is
//! checked before anything is written (the dry run shows the same report);
//! a phone that already has an account, or appears twice in the file, is
//! skipped, so importing the same file again adds nothing. Each new row
//! becomes a `create_account` mutation whose user id derives from the
//! phone, decided by the rules like any other.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use volunteer_domain::rules::may_manage_account;
use volunteer_domain::{Actor, Role, Site, normalize_phone};

/// Most rows one import takes.
pub const MAX_ROWS: usize = 5000;

/// What the import does with a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A new account for this person.
    New {
        user_id: String,
        name: String,
        phone: String,
        role: Role,
        site_id: String,
    },
    /// An account with this phone exists already (or an earlier row has it).
    Exists,
    /// The row cannot be imported; why, in the user's language.
    Bad(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The line of the file (the header is line 1).
    pub line: usize,
    /// The name as written, to find the row by.
    pub name: String,
    pub outcome: Outcome,
}

/// The messages of a bad file or row, in the user's language.
pub struct Words {
    pub not_csv: &'static str,
    pub no_header: &'static str,
    pub too_many: &'static str,
    pub bad_name: &'static str,
    pub bad_phone: &'static str,
    pub bad_role: &'static str,
    pub unknown_site: &'static str,
    pub not_yours: &'static str,
}

/// The file's text: UTF-8 if it is, else GBK.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

/// A user id for an imported phone: the same phone, the same id, so an
/// import sent twice makes one account.
pub fn user_id_for(phone: &str) -> String {
    let d = Sha256::digest(format!("imported-volunteer\0{phone}").as_bytes());
    let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("imp-{hex}")
}

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// Check every row of `text` for `actor`, who imports into the sites they
/// manage (`sites`, theirs first); `taken(phone)` says whether an account
/// has the phone. Nothing is written here.
pub fn check(
    text: &str,
    actor: &Actor,
    sites: &[Site],
    taken: &mut dyn FnMut(&str) -> bool,
    w: &Words,
) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| w.not_csv.to_owned())?.clone();
    let (Some(name_at), Some(phone_at)) = (
        column(&headers, &["姓名", "name"]),
        column(&headers, &["手机号", "手机", "电话", "phone"]),
    ) else {
        return Err(w.no_header.to_owned());
    };
    let role_at = column(&headers, &["身份", "角色", "role"]);
    let site_at = column(&headers, &["站点", "site"]);
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if rows.len() >= MAX_ROWS {
            return Err(w.too_many.to_owned());
        }
        // The file's own line. The reader skips blank lines (counting
        // records would drift) and places a record after them at their
        // start, so the line is counted from the record's first byte.
        let line = |pos: Option<&csv::Position>| pos.map_or(i + 2, |p| line_at(text, p.byte()));
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(Row {
                    line: line(e.position()),
                    name: String::new(),
                    outcome: Outcome::Bad(w.not_csv.to_owned()),
                });
                continue;
            }
        };
        let line = line(record.position());
        if record.iter().all(str::is_empty) {
            continue; // a blank line
        }
        let cell = |at: Option<usize>| at.and_then(|a| record.get(a)).unwrap_or("").trim();
        let outcome = row(
            (
                cell(Some(name_at)),
                cell(Some(phone_at)),
                cell(role_at),
                cell(site_at),
            ),
            actor,
            sites,
            w,
        );
        let outcome = match outcome {
            Outcome::New { ref phone, .. } if seen.contains(phone) || taken(phone) => {
                Outcome::Exists
            }
            other => other,
        };
        if let Outcome::New { phone, .. } = &outcome {
            seen.insert(phone.clone());
        }
        rows.push(Row {
            line,
            name: cell(Some(name_at)).to_owned(),
            outcome,
        });
    }
    Ok(rows)
}

/// The line of the first character at or after byte `at` that is not a
/// line break.
fn line_at(text: &str, at: u64) -> usize {
    let at = usize::try_from(at).unwrap_or(usize::MAX).min(text.len());
    let mut line = text.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    for b in &text.as_bytes()[at..] {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn row(
    (name, phone, role, site): (&str, &str, &str, &str),
    actor: &Actor,
    sites: &[Site],
    w: &Words,
) -> Outcome {
    if !(1..=50).contains(&name.chars().count()) {
        return Outcome::Bad(w.bad_name.to_owned());
    }
    let Some(phone) = normalize_phone(phone) else {
        return Outcome::Bad(w.bad_phone.to_owned());
    };
    let role = match role {
        "" | "志愿者" | "volunteer" => Role::Volunteer,
        "居民" | "resident" => Role::Resident,
        _ => return Outcome::Bad(w.bad_role.to_owned()),
    };
    let site = if site.is_empty() {
        sites.first()
    } else {
        sites.iter().find(|s| s.id == site || s.name == site)
    };
    let Some(site) = site else {
        return Outcome::Bad(w.unknown_site.to_owned());
    };
    if !may_manage_account(actor, role, Some(&site.path)) {
        return Outcome::Bad(w.not_yours.to_owned());
    }
    Outcome::New {
        user_id: user_id_for(&phone),
        name: name.to_owned(),
        phone,
        role,
        site_id: site.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use volunteer_domain::SiteLevel;

    const W: Words = Words {
        not_csv: "not csv",
        no_header: "no header",
        too_many: "too many",
        bad_name: "name",
        bad_phone: "phone",
        bad_role: "role",
        unknown_site: "site",
        not_yours: "not yours",
    };

    fn site(id: &str, path: &str) -> Site {
        Site {
            id: id.into(),
            parent_id: None,
            level: SiteLevel::Station,
            name: format!("{id}站"),
            path: path.into(),
            address: String::new(),
        }
    }

    fn staff() -> Actor {
        Actor {
            user_id: "st".into(),
            name: "社工".into(),
            role: Role::Staff,
            site_path: Some("/c/s1/".into()),
            led_teams: vec![],
        }
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_nothing_twice() {
        let csv = "姓名,手机号,身份,站点,备注\n\
                   张桂英,138 1234 5678,,,老党员\n\
                   ,13812345679,,,\n\
                   李娜,1234,,,\n\
                   王伟,13812345680,队长,,\n\
                   赵敏,13812345681,,s2站,\n\
                   \n\
                   孙丽,+86 13812345678,居民,,\n\
                   周强,13900000000,居民,s1站,\n";
        let sites = [site("s1", "/c/s1/")];
        let mut taken = |p: &str| p == "13900000000";
        let rows = check(csv, &staff(), &sites, &mut taken, &W).unwrap();
        let got: Vec<(usize, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.line,
                    match &r.outcome {
                        Outcome::New { name, site_id, .. } => format!("new {name} {site_id}"),
                        Outcome::Exists => "exists".into(),
                        Outcome::Bad(why) => why.clone(),
                    },
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "new 张桂英 s1".into()),
                (3, "name".into()),
                (4, "phone".into()),
                (5, "role".into()),
                (6, "site".into()),
                (8, "exists".into()),
                (9, "exists".into()),
            ]
        );
        let Outcome::New { user_id, .. } = &rows[0].outcome else {
            panic!()
        };
        assert_eq!(
            user_id,
            &user_id_for("13812345678"),
            "the id follows the phone"
        );
    }

    #[test]
    fn english_headers_and_gbk_files_are_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,手机号\n张桂英,13812345678\n");
        let text = decode(&gbk);
        assert!(text.starts_with("姓名"), "{text}");
        let rows = check(
            "Name,Phone\nAnna,13812345678\n",
            &staff(),
            &[site("s1", "/c/s1/")],
            &mut |_| false,
            &W,
        )
        .unwrap();
        assert!(matches!(rows[0].outcome, Outcome::New { .. }));
        assert_eq!(
            check("a,b\n1,2\n", &staff(), &[], &mut |_| false, &W),
            Err("no header".into())
        );
    }
}
