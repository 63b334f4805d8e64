//! A record's kind as `record_rows` stores it (schema 9): a small integer,
//! not its name. The name took 4 to 13 bytes in each row and again in each
//! index entry ((kind, key), (kind, activity), (kind, volunteer)); a code
//! takes one, none for 0 and 1. Codes are this file's alone: the wire and
//! every other table keep the names.
//!
//! A code, once written, can never change meaning: rows carry it. A new kind
//! takes the next number.

use volunteer_domain::Kind;

/// Every kind's code. The two most numerous on an institute's phone (an
/// activity and its signups) take 0 and 1, which SQLite stores in no bytes.
const CODES: [(Kind, i64); 17] = [
    (Kind::Activity, 0),
    (Kind::Signup, 1),
    (Kind::Site, 2),
    (Kind::Team, 3),
    (Kind::Profile, 4),
    (Kind::Membership, 5),
    (Kind::Attendance, 6),
    (Kind::HourEntry, 7),
    (Kind::ServiceOrder, 8),
    (Kind::OrderContact, 9),
    (Kind::Campaign, 10),
    (Kind::Donation, 11),
    (Kind::Figures, 12),
    (Kind::Notice, 13),
    (Kind::Account, 14),
    (Kind::Distribution, 15),
    (Kind::Project, 16),
];

/// `kind`'s code in `record_rows`.
pub fn kind_code(kind: Kind) -> i64 {
    CODES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| *c)
        // The test below proves every kind is listed.
        .unwrap_or(i64::MAX)
}

/// The kind a stored code stands for.
pub fn kind_of_code(code: i64) -> Option<Kind> {
    CODES.iter().find(|(_, c)| *c == code).map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_code_of_its_own() {
        for kind in Kind::ALL {
            let listed = CODES.iter().filter(|(k, _)| *k == kind).count();
            assert_eq!(listed, 1, "{kind} must be listed once");
            assert_eq!(kind_of_code(kind_code(kind)), Some(kind));
        }
        let mut codes: Vec<i64> = CODES.iter().map(|(_, c)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len(), "codes are unique");
        assert_eq!(kind_of_code(-1), None);
        assert_eq!(kind_of_code(17), None);
    }

    /// The partial indexes and the queries that use them name a code as a
    /// number (see `009_kind_codes.sql`; schema 11 made them again): it
    /// must be that kind's.
    #[test]
    fn the_codes_written_as_numbers_are_their_kinds() {
        let queries = include_str!("../queries.rs");
        for schema in [
            include_str!("../migrations/009_kind_codes.sql"),
            include_str!("../migrations/011_ids_from_the_key.sql"),
        ] {
            for kind in [Kind::Activity, Kind::Membership] {
                let code = kind_code(kind);
                assert!(schema.contains(&format!("WHERE kind = {code}; -- {kind}")));
            }
        }
        let mut literal = 0;
        for (at, _) in queries.match_indices("kind_code = ") {
            let rest = &queries[at + "kind_code = ".len()..];
            let Some((number, comment)) = rest.split_once(" -- ") else {
                continue;
            };
            let Ok(code) = number.parse::<i64>() else {
                continue;
            };
            let name = comment.split([',', ' ']).next().unwrap();
            assert_eq!(kind_of_code(code).map(Kind::as_str), Some(name));
            literal += 1;
        }
        assert_eq!(literal, 3, "the queries that name a code as a number");
    }
}
