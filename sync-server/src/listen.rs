//! The accept loop: HTTP/1.1 and cleartext HTTP/2 (prior knowledge, told
//! apart by the connection's first bytes), a deadline for each HTTP/1.1
//! request's headers, an idle limit for every connection, a cap on
//! connections open at once, and a graceful drain at shutdown. Each request
//! carries its peer address for the per-address limits.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tower::ServiceExt;

use crate::limits::Limits;

/// How long requests in flight may take to finish after shutdown begins.
pub const DRAIN: Duration = Duration::from_secs(30);
/// Requests one HTTP/2 connection may have in flight at once: a phone
/// needs a few, and each one holds a database connection for a while.
const MAX_STREAMS: u32 = 32;

pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let (stop, _) = tokio::sync::watch::channel(false);
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    http.http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS);
    // HTTP/2 has no header deadline that also ends an idle connection:
    // every connection is closed (gracefully) once idle this long.
    let idle_limit = limits.header_timeout;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "connection closed: too many open connections");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let activity = Activity::default();
        let seen = activity.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let busy = seen.begin();
            let answer = app.clone().oneshot(req);
            async move {
                let r = answer.await;
                drop(busy);
                r
            }
        });
        let conn = http
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let mut stopping = stop.subscribe();
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let mut closing = false;
            // An idle HTTP/2 client that never acknowledges the GOAWAY
            // handshake's PING would keep its connection: it gets as long
            // again, then is dropped. (At shutdown the drain bounds it.)
            let mut cut_at: Option<tokio::time::Instant> = None;
            loop {
                tokio::select! {
                    ended = conn.as_mut() => {
                        if let Err(e) = ended {
                            tracing::debug!(%peer, error = %e, "connection ended");
                        }
                        break;
                    }
                    _ = stopping.wait_for(|s| *s), if !closing => {
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                    () = activity.idle_for(idle_limit), if !closing => {
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                        cut_at = Some(tokio::time::Instant::now() + idle_limit);
                    }
                    () = tokio::time::sleep_until(cut_at.unwrap_or_else(tokio::time::Instant::now)), if cut_at.is_some() => {
                        tracing::debug!(%peer, "idle connection dropped");
                        break;
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    stop.send_replace(true);
    // Every connection gives its permit back when it has ended.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    tokio::select! {
        _ = open.acquire_many(all) => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("connections still open after the drain"),
    }
    Ok(())
}

/// Requests in flight on one connection, and when the last one ended.
#[derive(Clone)]
struct Activity(Arc<Mutex<(usize, Instant)>>);

impl Default for Activity {
    fn default() -> Activity {
        Activity(Arc::new(Mutex::new((0, Instant::now()))))
    }
}

/// Ends a request's part in its connection's activity when dropped.
struct Busy(Activity);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut a = self.0.lock();
        a.0 -= 1;
        a.1 = Instant::now();
    }
}

impl Activity {
    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, Instant)> {
        // The counter stays consistent even if a holder panicked.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn begin(&self) -> Busy {
        self.lock().0 += 1;
        Busy(self.clone())
    }

    /// Resolves once no request has been in flight for `limit`.
    async fn idle_for(&self, limit: Duration) {
        loop {
            let (in_flight, last_end) = *self.lock();
            let idle = last_end.elapsed();
            if in_flight == 0 && idle >= limit {
                return;
            }
            let wait = if in_flight == 0 { limit - idle } else { limit };
            tokio::time::sleep(wait).await;
        }
    }
}
