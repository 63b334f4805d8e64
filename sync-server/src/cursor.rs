//! The pull cursor: opaque to clients, `v2.<scope>.<major>.<minor>` inside.
//!
//! `(major, minor)` is the feed position the client has received everything
//! up to: `(0, seq)` on SQLite, `(transaction id, seq)` on PostgreSQL.
//! `scope` fingerprints what the user may read (database epoch, user, role,
//! site path, led teams); when it no longer matches, the client must drop its
//! records and refetch, which is how a staff member moved to another site
//! stops seeing the old one. A `v1.<scope>.<seq>` cursor of an earlier server
//! reads as `(0, seq)`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub scope: String,
    pub at: (i64, i64),
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("v2.{}.{}.{}", self.scope, self.at.0, self.at.1)
    }

    /// `None` for anything this server did not issue.
    pub fn decode(s: &str) -> Option<Cursor> {
        let mut parts = s.split('.');
        let version = parts.next()?;
        let scope = parts.next()?.to_owned();
        let mut number = || parts.next()?.parse().ok().filter(|n: &i64| *n >= 0);
        let at = match version {
            "v1" => (0, number()?),
            "v2" => (number()?, number()?),
            _ => return None,
        };
        if parts.next().is_some()
            || scope.is_empty()
            || !scope.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return None;
        }
        Some(Cursor { scope, at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_strings() {
        let c = Cursor {
            scope: "ab12".into(),
            at: (7, 42),
        };
        assert_eq!(c.encode(), "v2.ab12.7.42");
        assert_eq!(Cursor::decode("v2.ab12.7.42"), Some(c));
        assert_eq!(
            Cursor::decode("v1.ab12.42").map(|c| c.at),
            Some((0, 42)),
            "an earlier server's cursor"
        );
        for bad in [
            "",
            "v3.ab.1.1",
            "v1.ab",
            "v1.ab.-1",
            "v1.zz.1",
            "v1..1",
            "v1.ab.x",
            "v2.ab.1",
            "v2.ab.1.2.3",
            "v2.ab.-1.2",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
