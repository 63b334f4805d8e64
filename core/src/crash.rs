//! Named points where a test can have the device process die, to show that
//! each write is atomic: killed inside a transaction, nothing of it stays;
//! killed after, all of it does. Compiled in only with the `crash-points`
//! feature (the tests crate turns it on); then `VOLUNTEER_CRASH_AT=NAME[:N]`
//! aborts the process the N-th time (default 1) it reaches point NAME.

#[cfg(feature = "crash-points")]
pub(crate) fn point(name: &str) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU32, Ordering};
    static WANTED: OnceLock<Option<(String, u32)>> = OnceLock::new();
    static HITS: AtomicU32 = AtomicU32::new(0);
    let wanted = WANTED.get_or_init(|| {
        let v = std::env::var("VOLUNTEER_CRASH_AT").ok()?;
        let (point, nth) = v.split_once(':').unwrap_or((&v, "1"));
        Some((point.to_owned(), nth.parse().unwrap_or(1)))
    });
    if let Some((point, nth)) = wanted
        && point == name
        && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *nth
    {
        // As abrupt as a kill: no unwinding, no destructors, no flush.
        std::process::abort();
    }
}

#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub(crate) fn point(_name: &str) {}
