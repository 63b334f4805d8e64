//! What the server allows one client before it sheds them: time to send a
//! request, open connections, sign-in attempts per address, failed sign-ins
//! per login, and syncs per user. A limited request gets `429` with
//! `Retry-After`. Rates are GCRA buckets (the `governor` crate), kept in
//! memory per instance: behind a load balancer each instance limits alone.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// The server's limits; [`Limits::default`] is what `main` serves with.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Time to send a request's headers; also the longest a kept-alive
    /// connection may wait idle for its next request.
    pub header_timeout: Duration,
    /// Time to send the whole request and get the answer (slow bodies).
    pub request_timeout: Duration,
    /// Connections open at once; one more is closed when accepted.
    pub max_connections: usize,
    /// Sign-in attempts from one address per minute.
    pub sign_ins_per_minute: u32,
    /// Failed sign-ins of one login answered as such within `lock_for`; the
    /// next failure locks the login for `lock_for` (and one failure after
    /// that locks it again, until the count has drained).
    pub failures_before_lock: u32,
    pub lock_for: Duration,
    /// Sync requests of one user per minute (a first download of many
    /// pages fits in the burst).
    pub syncs_per_minute: u32,
    /// How often the figures are recomputed (and old limiter entries forgotten).
    pub figures_every: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_connections: 2048,
            sign_ins_per_minute: 30,
            failures_before_lock: 5,
            lock_for: Duration::from_secs(15 * 60),
            syncs_per_minute: 600,
            figures_every: crate::FIGURES_EVERY,
        }
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// The limiters, shared by every request of one instance.
pub struct Guards {
    pub limits: Limits,
    sign_ins: DefaultKeyedRateLimiter<IpAddr>,
    failures: DefaultKeyedRateLimiter<String>,
    locked: std::sync::Mutex<std::collections::HashMap<String, Instant>>,
    syncs: DefaultKeyedRateLimiter<String>,
}

/// Refused for now: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl Guards {
    pub fn new(limits: Limits) -> Guards {
        let per_minute = |n: u32| Quota::per_minute(nonzero(n));
        let failures = Quota::with_period(limits.lock_for / limits.failures_before_lock.max(1))
            .unwrap_or_else(|| per_minute(1))
            .allow_burst(nonzero(limits.failures_before_lock));
        Guards {
            sign_ins: DefaultKeyedRateLimiter::keyed(per_minute(limits.sign_ins_per_minute)),
            failures: DefaultKeyedRateLimiter::keyed(failures),
            locked: Default::default(),
            syncs: DefaultKeyedRateLimiter::keyed(per_minute(limits.syncs_per_minute)),
            limits,
        }
    }

    fn wait(not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> RetryAfter {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        RetryAfter(wait.as_secs() + 1)
    }

    /// One sign-in attempt from `addr` for `login`: refused while the
    /// address sends too many or the login is locked. The same for a login
    /// that exists and one that does not, so neither answer tells them apart.
    pub fn sign_in(&self, addr: IpAddr, login: &str) -> Result<(), RetryAfter> {
        self.sign_ins.check_key(&addr).map_err(|n| Self::wait(&n))?;
        let mut locked = self.locked.lock().unwrap_or_else(|p| p.into_inner());
        match locked.get(&key(login)) {
            Some(until) if *until > Instant::now() => Err(RetryAfter(
                until.saturating_duration_since(Instant::now()).as_secs() + 1,
            )),
            Some(_) => {
                locked.remove(&key(login));
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// A wrong password (or an unknown login): count it; at the limit the
    /// login is locked for `lock_for`.
    pub fn sign_in_failed(&self, login: &str) {
        if self.failures.check_key(&key(login)).is_err() {
            tracing::warn!("a login is locked after repeated failed sign-ins");
            self.locked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key(login), Instant::now() + self.limits.lock_for);
        }
    }

    /// One sync request of `user_id`.
    pub fn sync(&self, user_id: &str) -> Result<(), RetryAfter> {
        self.syncs
            .check_key(&user_id.to_owned())
            .map_err(|n| Self::wait(&n))
    }

    /// Forget what no longer limits anyone (run now and then: the maps
    /// would otherwise grow with every address and login ever seen).
    pub fn forget_old(&self) {
        self.sign_ins.retain_recent();
        self.failures.retain_recent();
        self.syncs.retain_recent();
        let now = Instant::now();
        self.locked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, until| *until > now);
    }
}

/// Logins are compared as the sign-in compares them.
fn key(login: &str) -> String {
    login.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tight() -> Limits {
        Limits {
            sign_ins_per_minute: 3,
            failures_before_lock: 2,
            lock_for: Duration::from_secs(60),
            syncs_per_minute: 2,
            ..Limits::default()
        }
    }

    #[test]
    fn addresses_logins_and_users_are_limited_apart() {
        let g = Guards::new(tight());
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert!(g.sign_in(a, "x").is_ok());
        }
        let RetryAfter(secs) = g.sign_in(a, "x").unwrap_err();
        assert!((1..=60).contains(&secs), "{secs}");
        assert!(g.sign_in(b, "x").is_ok(), "another address is not limited");
        // Past two failures the login is locked, from any address, known
        // or not.
        g.sign_in_failed("Nobody");
        g.sign_in_failed("nobody ");
        assert!(g.sign_in(b, "nobody").is_ok());
        g.sign_in_failed("nobody");
        let RetryAfter(secs) = g.sign_in(b, "NOBODY").unwrap_err();
        assert!((59..=61).contains(&secs), "{secs}");
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        assert!(
            g.sign_in(c, "somebody").is_ok(),
            "other logins are not locked"
        );
        assert!(g.sync("u1").is_ok() && g.sync("u1").is_ok());
        assert!(g.sync("u1").is_err());
        assert!(g.sync("u2").is_ok());
        g.forget_old();
        assert!(
            g.sign_in(c, "nobody").is_err(),
            "still locked after a clean-up"
        );
    }
}
