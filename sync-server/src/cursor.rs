//! The pull cursor: opaque to clients, `v1.<scope>.<seq>` inside.
//!
//! `seq` is the change sequence the client has received everything up to.
//! `scope` fingerprints what the user may read (user, role, site path); when
//! it no longer matches, the client must drop its records and refetch, which
//! is how a staff member moved to another site stops seeing the old one.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub scope: String,
    pub seq: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("v1.{}.{}", self.scope, self.seq)
    }

    /// `None` for anything this server did not issue.
    pub fn decode(s: &str) -> Option<Cursor> {
        let mut parts = s.splitn(3, '.');
        if parts.next()? != "v1" {
            return None;
        }
        let scope = parts.next()?.to_owned();
        let seq = parts.next()?.parse().ok().filter(|n: &i64| *n >= 0)?;
        if scope.is_empty() || !scope.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Cursor { scope, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_strings() {
        let c = Cursor {
            scope: "ab12".into(),
            seq: 42,
        };
        assert_eq!(c.encode(), "v1.ab12.42");
        assert_eq!(Cursor::decode("v1.ab12.42"), Some(c));
        for bad in [
            "", "v2.ab.1", "v1.ab", "v1.ab.-1", "v1.zz.1", "v1..1", "v1.ab.x",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
