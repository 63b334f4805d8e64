//! The sync loop's schedule (see [`crate::autosync`]): when the next round
//! is due, from local writes, pending work, failures and the network. Pure
//! state, shared by the loop task, every sync round and the replica.

use chrono::{DateTime, Utc};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::model::SyncReport;

/// When the loop syncs on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoSyncOptions {
    /// After a local write, wait this long for more before syncing.
    pub debounce: Duration,
    /// While actions are pending, sync at least this often.
    pub pending_interval: Duration,
    /// With nothing pending, pull others' changes this often (`None`: only
    /// after writes, on network-back and while pending).
    pub refresh_interval: Option<Duration>,
    /// The wait after a first failure; it doubles with each failure in a row.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for AutoSyncOptions {
    fn default() -> Self {
        AutoSyncOptions {
            debounce: Duration::from_secs(2),
            pending_interval: Duration::from_secs(30),
            refresh_interval: Some(Duration::from_secs(300)),
            min_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        }
    }
}

impl AutoSyncOptions {
    pub(crate) fn check(&self) -> Result<()> {
        // The debounce may be zero (sync at once after each write).
        let positive = [self.pending_interval, self.min_backoff, self.max_backoff]
            .into_iter()
            .chain(self.refresh_interval)
            .all(|d| !d.is_zero());
        if !positive || self.min_backoff > self.max_backoff {
            return Err(Error::invalid(
                "options",
                "intervals must be positive and min_backoff at most max_backoff",
            ));
        }
        Ok(())
    }
}

/// The loop's schedule, shared by the loop task, every sync round and the
/// replica's calls.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    pub(crate) options: AutoSyncOptions,
    /// The loop is on (started and not stopped).
    pub(crate) enabled: bool,
    /// Bumped by every start and stop: an older task sees it and ends.
    pub(crate) generation: u64,
    /// The first local write not yet covered by a round.
    wrote_at: Option<Instant>,
    last_round_at: Option<Instant>,
    pub(crate) failures: u32,
    /// After a failure: not before this.
    retry_at: Option<Instant>,
    /// The app said the network is gone: wait for it (or `max_backoff`).
    network_down: bool,
    /// The session expired: nothing to do until the next sign-in.
    needs_sign_in: bool,
    /// The server refuses this app version: nothing to do until updated.
    needs_upgrade: bool,
    /// When the next attempt is due, for the status.
    pub(crate) next_attempt_at: Option<DateTime<Utc>>,
}

impl Schedule {
    /// When the next round is due, or `None` to wait for a wake-up.
    pub(crate) fn next_due(&self, signed_in: bool, pending: u64, now: Instant) -> Option<Instant> {
        if !self.enabled || !signed_in || self.needs_sign_in || self.needs_upgrade {
            return None;
        }
        let o = &self.options;
        let Some(last) = self.last_round_at else {
            return Some(now); // first round at start
        };
        if self.network_down {
            return Some(last + o.max_backoff);
        }
        if let Some(at) = self.retry_at {
            return Some(at);
        }
        [
            self.wrote_at.map(|w| w + o.debounce),
            (pending > 0).then(|| last + o.pending_interval),
            o.refresh_interval.map(|r| last + r),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// A round that started at `started` ended with `outcome`.
    pub(crate) fn round_done(
        &mut self,
        started: Instant,
        outcome: &Result<SyncReport>,
        now: Instant,
    ) {
        self.last_round_at = Some(now);
        match outcome {
            Ok(_) => {
                self.failures = 0;
                self.retry_at = None;
                // A write made while the round ran may not be in it.
                if self.wrote_at.is_some_and(|w| w <= started) {
                    self.wrote_at = None;
                }
            }
            Err(Error::Cancelled) => {}
            Err(Error::AuthExpired | Error::SignedOut | Error::AccountDisabled(_)) => {
                self.needs_sign_in = true
            }
            // Nothing a retry can fix: the next attempt is the updated app's.
            Err(Error::UpgradeRequired(_)) => self.needs_upgrade = true,
            Err(e) => {
                self.failures = self.failures.saturating_add(1);
                let mut wait = backoff(&self.options, self.failures, random_unit());
                if let Error::RetryLater {
                    retry_after_secs, ..
                } = e
                {
                    wait = wait.max(Duration::from_secs(*retry_after_secs));
                }
                self.retry_at = Some(now + wait);
            }
        }
        // A failure publishes its retry time with it, not a loop turn later:
        // until then SyncStatus would still show the failed attempt's time.
        if outcome.is_err() && !matches!(outcome, Err(Error::Cancelled)) {
            self.next_attempt_at = self.next_due(true, 0, now).map(|t| wall_clock(t, now));
        }
    }

    pub(crate) fn wrote(&mut self, now: Instant) {
        self.wrote_at.get_or_insert(now);
    }

    pub(crate) fn network(&mut self, available: bool, now: Instant) {
        self.network_down = !available;
        if available && self.retry_at.is_some() {
            self.retry_at = Some(now); // try again at once
        }
    }

    pub(crate) fn signed_in(&mut self) {
        self.needs_sign_in = false;
        self.failures = 0;
        self.retry_at = None;
        self.last_round_at = None;
    }
}

/// The wait after `failures` failures in a row: `min_backoff` doubled each
/// time up to `max_backoff`, then a random half of it taken off (`unit` in
/// [0, 1)), so devices that failed together do not retry together.
/// `t` as a wall-clock time, `now` being the present instant.
pub(crate) fn wall_clock(t: Instant, now: Instant) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(t.saturating_duration_since(now)).unwrap_or_default()
}

pub(crate) fn backoff(o: &AutoSyncOptions, failures: u32, unit: f64) -> Duration {
    let doubled = o
        .min_backoff
        .saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    let full = doubled.min(o.max_backoff);
    full.mul_f64(1.0 - unit.clamp(0.0, 1.0) / 2.0)
}

fn random_unit() -> f64 {
    (uuid::Uuid::new_v4().as_u128() as u64 >> 11) as f64 / (1u64 << 53) as f64
}

/// The loop's shared part: the schedule and the bell that wakes the loop.
#[derive(Default)]
pub(crate) struct Auto {
    schedule: Mutex<Schedule>,
    pub(crate) wake: tokio::sync::Notify,
}

impl Auto {
    pub(crate) fn schedule(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Change the schedule and wake the loop to look at it again.
    pub(crate) fn update(&self, f: impl FnOnce(&mut Schedule)) {
        f(&mut self.schedule());
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> AutoSyncOptions {
        AutoSyncOptions {
            debounce: Duration::from_secs(2),
            pending_interval: Duration::from_secs(30),
            refresh_interval: Some(Duration::from_secs(300)),
            min_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_doubles_to_its_ceiling_and_jitter_takes_at_most_half() {
        let o = opts();
        let secs = |f, u| backoff(&o, f, u).as_secs_f64();
        assert_eq!(
            [1, 2, 3, 4, 5, 6, 40].map(|f| secs(f, 0.0)),
            [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
        );
        assert_eq!(secs(3, 0.999_999), 4.000_004);
        assert!(secs(3, 0.5) > 4.0 && secs(3, 0.5) < 8.0);
    }

    #[test]
    fn the_schedule_follows_writes_pending_work_failures_and_the_network() {
        let now = Instant::now();
        let s_at = |d: u64| now + Duration::from_secs(d);
        let mut s = Schedule {
            options: opts(),
            enabled: true,
            ..Schedule::default()
        };
        assert_eq!(s.next_due(true, 0, now), Some(now), "a first round at once");
        assert_eq!(s.next_due(false, 0, now), None, "nobody signed in");
        s.round_done(now, &Ok(SyncReport::default()), now);
        assert_eq!(s.next_due(true, 0, now), Some(s_at(300)), "refresh");
        assert_eq!(s.next_due(true, 3, now), Some(s_at(30)), "pending");
        s.wrote(s_at(1));
        assert_eq!(s.next_due(true, 1, now), Some(s_at(3)), "debounced write");
        // A failure: backoff, whatever was due; Retry-After when longer.
        let busy = Err(Error::RetryLater {
            status: 429,
            retry_after_secs: 120,
            message: String::new(),
        });
        let before = Utc::now();
        s.round_done(s_at(3), &busy, s_at(4));
        assert_eq!(s.next_due(true, 1, s_at(4)), Some(s_at(124)));
        let shown = s
            .next_attempt_at
            .expect("the retry is shown with the failure");
        assert!(
            shown >= before + chrono::Duration::seconds(119),
            "{shown} vs {before}"
        );
        assert_eq!(s.failures, 1);
        s.round_done(s_at(124), &Err(Error::Offline("down".into())), s_at(125));
        let due = s.next_due(true, 1, s_at(125)).unwrap();
        assert!(due >= s_at(127) && due <= s_at(129), "2 to 4 s after");
        // The network is back: at once.
        s.network(true, s_at(126));
        assert_eq!(s.next_due(true, 1, s_at(126)), Some(s_at(126)));
        // The app says it is gone: only every max_backoff.
        s.network(false, s_at(126));
        assert_eq!(s.next_due(true, 1, s_at(126)), Some(s_at(185)));
        s.network(true, s_at(127));
        // A success clears the failures and the write it covered.
        s.round_done(s_at(127), &Ok(SyncReport::default()), s_at(128));
        assert_eq!(s.failures, 0);
        assert_eq!(s.next_due(true, 0, s_at(128)), Some(s_at(428)));
        // An expired session stops it until the next sign-in.
        s.round_done(s_at(200), &Err(Error::AuthExpired), s_at(200));
        assert_eq!(s.next_due(true, 1, s_at(200)), None);
        s.signed_in();
        assert_eq!(s.next_due(true, 1, s_at(201)), Some(s_at(201)));
        s.enabled = false;
        assert_eq!(s.next_due(true, 1, s_at(201)), None, "turned off");
    }
}
