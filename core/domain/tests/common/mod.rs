//! An authoritative in-memory state for the property tests of a workflow
//! whose rules need no roster or history (accounts, donations).
#![allow(dead_code)] // each test binary uses its own part

use std::collections::BTreeMap;
use volunteer_domain::*;

#[derive(Clone, Default)]
pub struct World {
    pub rows: BTreeMap<(Kind, String), Record>,
}

impl World {
    pub fn put(&mut self, r: Record) {
        self.rows.insert((r.kind(), r.key()), r);
    }

    pub fn all<T>(&self, f: impl Fn(&Record) -> Option<T>) -> Vec<T> {
        self.rows.values().filter_map(f).collect()
    }

    /// Apply what a decision writes.
    pub fn apply(&mut self, d: Decision) {
        if let Decision::Apply(effects) = d {
            for e in effects {
                match e {
                    Effect::Put(r) => self.put(r),
                    Effect::Delete { kind, key } => {
                        self.rows.remove(&(kind, key));
                    }
                }
            }
        }
    }
}

impl State for World {
    type Error = std::convert::Infallible;
    fn authoritative(&self) -> bool {
        true
    }
    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, Self::Error> {
        Ok(self.rows.get(&(kind, key.to_owned())).cloned())
    }
    fn volunteer_name(&mut self, _: &str) -> Result<Option<String>, Self::Error> {
        Ok(None)
    }
    fn first_waitlisted(&mut self, _: &str) -> Result<Option<Signup>, Self::Error> {
        Ok(None)
    }
    fn signups_of(&mut self, _: &str) -> Result<Vec<Signup>, Self::Error> {
        Ok(vec![])
    }
    fn attendances_of(&mut self, _: &str) -> Result<Vec<Attendance>, Self::Error> {
        Ok(vec![])
    }
    fn hours_of(&mut self, _: &str) -> Result<Vec<HourEntry>, Self::Error> {
        Ok(vec![])
    }
    fn memberships_of(&mut self, _: &str) -> Result<Vec<Membership>, Self::Error> {
        Ok(vec![])
    }
    fn resident_name(&mut self, _: &str) -> Result<Option<String>, Self::Error> {
        Ok(None)
    }
    fn phone_holder(&mut self, phone: &str) -> Result<Option<String>, Self::Error> {
        Ok(self.rows.values().find_map(|r| match r {
            Record::Profile(p) if p.phone.as_deref() == Some(phone) => Some(p.user_id.clone()),
            _ => None,
        }))
    }
}

/// The real rules (the state cannot fail).
pub fn real_rules(
    env: &MutationEnvelope,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    w: &mut World,
) -> Decision {
    match decide(env, actor, now, w) {
        Ok(d) => d,
        Err(never) => match never {},
    }
}
