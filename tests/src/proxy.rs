//! A loopback TCP proxy in front of the server. In "cut" mode it lets a
//! request through, waits until the server starts answering (so the server
//! has committed), then drops both sides without passing the answer on: the
//! device sees a broken connection for a request that did take effect.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct CutProxy {
    pub addr: SocketAddr,
    cut: Arc<AtomicBool>,
    hold: Arc<tokio::sync::watch::Sender<bool>>,
    held: Arc<AtomicUsize>,
    cuts: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    bytes: Arc<[AtomicUsize; 2]>,
    task: tokio::task::JoinHandle<()>,
}

impl CutProxy {
    pub async fn start(upstream: SocketAddr) -> CutProxy {
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
        };
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let ctl = ctl.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
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
            task,
        }
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

    /// HTTP requests seen (counted by request lines).
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
}

async fn relay(mut client: TcpStream, mut server: TcpStream, ctl: Control) {
    let Control {
        bytes,
        cut,
        cuts,
        requests,
        hold,
        held,
    } = ctl;
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let mut up = [0u8; 16 * 1024];
    let mut down = [0u8; 16 * 1024];
    let mut answering_sync = false;
    loop {
        tokio::select! {
            n = cr.read(&mut up) => {
                let Ok(n) = n else { return };
                if n == 0 { return; }
                let chunk = &up[..n];
                let lines = count_request_lines(chunk);
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

fn count_request_lines(chunk: &[u8]) -> usize {
    let text = String::from_utf8_lossy(chunk);
    ["POST /", "GET /", "DELETE /"]
        .iter()
        .map(|m| text.matches(m).count())
        .sum()
}
