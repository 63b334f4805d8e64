//! A loopback TCP proxy in front of the server. In "cut" mode it lets a
//! request through, waits until the server starts answering (so the server
//! has committed), then drops both sides without passing the answer on: the
//! device sees a broken connection for a request that did take effect.
//!
//! It reads HTTP/1.1: a connection that opens with HTTP/2's preface is
//! closed, and the device falls back to HTTP/1.1 (which the stories that
//! cut and hold answers rely on). [`CutProxy::metering`] passes HTTP/2
//! too, counting its requests by their HEADERS frames, for the bench.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::faults::HTTP2_PREFACE;

pub struct CutProxy {
    pub addr: SocketAddr,
    cut: Arc<AtomicBool>,
    hold: Arc<tokio::sync::watch::Sender<bool>>,
    held: Arc<AtomicUsize>,
    cuts: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    bytes: Arc<[AtomicUsize; 2]>,
    pass_http2: Arc<AtomicBool>,
    http2_requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl CutProxy {
    /// An HTTP/1.1 proxy that can cut and hold answers.
    pub async fn start(upstream: SocketAddr) -> CutProxy {
        CutProxy::with(upstream, false).await
    }

    /// A proxy that passes HTTP/1.1 and HTTP/2 and counts bytes and
    /// requests of both (cut and hold work on HTTP/1.1 only).
    pub async fn metering(upstream: SocketAddr) -> CutProxy {
        CutProxy::with(upstream, true).await
    }

    async fn with(upstream: SocketAddr, pass_http2: bool) -> CutProxy {
        let pass_http2 = Arc::new(AtomicBool::new(pass_http2));
        let http2_requests = Arc::new(AtomicUsize::new(0));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let cut = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let hold = Arc::new(tokio::sync::watch::channel(false).0);
        let held = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let ctl = Control {
            bytes: bytes.clone(),
            cut: cut.clone(),
            cuts: cuts.clone(),
            requests: requests.clone(),
            hold: hold.clone(),
            held: held.clone(),
            pass_http2: pass_http2.clone(),
            http2_requests: http2_requests.clone(),
        };
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let ctl = ctl.clone();
                tokio::spawn(async move {
                    // As the device and the server do: HTTP/2 writes a
                    // request's headers and body apart, and Nagle would
                    // hold the second for a delayed ACK (40 ms).
                    let _ = client.set_nodelay(true);
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        let _ = server.set_nodelay(true);
                        relay(client, server, ctl).await;
                    }
                });
            }
        });
        CutProxy {
            addr,
            cut,
            hold,
            held,
            cuts,
            requests,
            bytes,
            pass_http2,
            http2_requests,
            task,
        }
    }

    /// Whether new connections may speak HTTP/2 (kept ones carry on): as
    /// when a phone moves to a network whose proxy reads only HTTP/1.1.
    pub fn set_pass_http2(&self, on: bool) {
        self.pass_http2.store(on, Ordering::SeqCst);
    }

    /// While set, answers to `POST /v1/sync` are held back (not lost) until it
    /// is cleared; other requests (sign-in, sign-out) pass.
    pub fn set_hold(&self, on: bool) {
        self.hold.send_replace(on);
    }

    /// Answers currently held back.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    /// Wait until an answer is held back: the server has committed the
    /// request and the device is still waiting for its answer.
    pub async fn until_held(&self) {
        while self.held() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// While set, every server answer is swallowed and the connection cut.
    pub fn set_cut(&self, on: bool) {
        self.cut.store(on, Ordering::SeqCst);
    }

    /// Answers swallowed so far.
    pub fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }

    /// Of [`CutProxy::requests`], those made on HTTP/2.
    pub fn http2_requests(&self) -> usize {
        self.http2_requests.load(Ordering::SeqCst)
    }

    /// HTTP requests seen (counted by request lines, or HTTP/2 HEADERS frames).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Bytes clients sent through the proxy, headers included.
    pub fn bytes_sent(&self) -> usize {
        self.bytes[0].load(Ordering::SeqCst)
    }

    /// Bytes clients received through the proxy, headers included.
    pub fn bytes_received(&self) -> usize {
        self.bytes[1].load(Ordering::SeqCst)
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Control {
    bytes: Arc<[AtomicUsize; 2]>,
    cut: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    hold: Arc<tokio::sync::watch::Sender<bool>>,
    held: Arc<AtomicUsize>,
    pass_http2: Arc<AtomicBool>,
    http2_requests: Arc<AtomicUsize>,
}

async fn relay(mut client: TcpStream, mut server: TcpStream, ctl: Control) {
    let Control {
        bytes,
        cut,
        cuts,
        requests,
        hold,
        held,
        pass_http2,
        http2_requests,
    } = ctl;
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let mut up = [0u8; 16 * 1024];
    let mut down = [0u8; 16 * 1024];
    let mut answering_sync = false;
    let mut first = true;
    let mut http2: Option<Frames> = None;
    loop {
        tokio::select! {
            n = cr.read(&mut up) => {
                let Ok(n) = n else { return };
                if n == 0 { return; }
                let chunk = &up[..n];
                if std::mem::take(&mut first) && chunk.starts_with(&HTTP2_PREFACE[..14]) {
                    if !pass_http2.load(Ordering::SeqCst) {
                        return;
                    }
                    http2 = Some(Frames::default());
                }
                let lines = match &mut http2 {
                    Some(frames) => {
                        let n = frames.count_headers(chunk);
                        http2_requests.fetch_add(n, Ordering::SeqCst);
                        n
                    }
                    None => count_request_lines(chunk),
                };
                if lines > 0 {
                    answering_sync = String::from_utf8_lossy(chunk).contains("POST /v1/sync");
                }
                requests.fetch_add(lines, Ordering::SeqCst);
                bytes[0].fetch_add(n, Ordering::SeqCst);
                if sw.write_all(chunk).await.is_err() { return; }
            }
            n = sr.read(&mut down) => {
                let Ok(n) = n else { return };
                if n == 0 { return; }
                if cut.load(Ordering::SeqCst) {
                    cuts.fetch_add(1, Ordering::SeqCst);
                    return; // both sockets drop here: the answer is lost
                }
                if answering_sync && *hold.borrow() {
                    held.fetch_add(1, Ordering::SeqCst);
                    let mut rx = hold.subscribe();
                    let _ = rx.wait_for(|on| !on).await;
                    held.fetch_sub(1, Ordering::SeqCst);
                }
                bytes[1].fetch_add(n, Ordering::SeqCst);
                if cw.write_all(&down[..n]).await.is_err() { return; }
            }
        }
    }
}

/// Where a client's HTTP/2 byte stream is between frames: each request
/// opens with one HEADERS frame (type 1; CONTINUATION frames are type 9).
#[derive(Default)]
struct Frames {
    /// Bytes of the preface, then of the current payload, still to pass.
    skip: usize,
    started: bool,
    /// A frame header split across reads.
    partial: Vec<u8>,
}

impl Frames {
    fn count_headers(&mut self, mut chunk: &[u8]) -> usize {
        if !self.started {
            self.started = true;
            self.skip = HTTP2_PREFACE.len();
        }
        let mut count = 0;
        loop {
            let passed = self.skip.min(chunk.len());
            self.skip -= passed;
            chunk = &chunk[passed..];
            if chunk.is_empty() {
                return count;
            }
            let want = 9 - self.partial.len();
            let take = want.min(chunk.len());
            self.partial.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.partial.len() < 9 {
                return count;
            }
            let h = std::mem::take(&mut self.partial);
            self.skip = (usize::from(h[0]) << 16) | (usize::from(h[1]) << 8) | usize::from(h[2]);
            if h[3] == 1 {
                count += 1;
            }
        }
    }
}

fn count_request_lines(chunk: &[u8]) -> usize {
    let text = String::from_utf8_lossy(chunk);
    ["POST /", "GET /", "DELETE /"]
        .iter()
        .map(|m| text.matches(m).count())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, len: usize) -> Vec<u8> {
        let mut f = vec![
            (len >> 16) as u8,
            (len >> 8) as u8,
            len as u8,
            kind,
            0,
            0,
            0,
            0,
            1,
        ];
        f.resize(9 + len, 0x01); // payload bytes that look like HEADERS types
        f
    }

    #[test]
    fn http2_requests_are_counted_by_headers_frames_however_the_reads_split() {
        let mut stream = HTTP2_PREFACE.to_vec();
        stream.extend(frame(4, 6)); // SETTINGS
        for _ in 0..3 {
            stream.extend(frame(1, 40)); // HEADERS
            stream.extend(frame(9, 5)); // CONTINUATION
            stream.extend(frame(0, 300)); // DATA
        }
        stream.extend(frame(8, 4)); // WINDOW_UPDATE
        for size in [1, 2, 7, 9, 10, 64, stream.len()] {
            let mut frames = Frames::default();
            let counted: usize = stream.chunks(size).map(|c| frames.count_headers(c)).sum();
            assert_eq!(counted, 3, "reads of {size} bytes");
        }
    }
}
