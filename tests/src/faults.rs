//! A loopback HTTP/1.1 proxy (it refuses HTTP/2) that injects faults, for the simulation. Per
//! request, from a seeded generator: pass it, drop the request, drop the
//! answer (after the server acted on it), cut the answer half-way, send the
//! request to the server twice, delay it, or answer 503 itself. With faults
//! off it passes everything. It reads requests and answers by their
//! `Content-Length`, which is how the server and the device frame them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a cleartext HTTP/2 connection starts (RFC 9113, 3.4).
pub const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// A small deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    DropRequest,
    DropAnswer,
    TruncateAnswer,
    Duplicate,
    Delay,
    Unavailable,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    on: Arc<AtomicBool>,
    upstream: Arc<Mutex<SocketAddr>>,
    injected: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let on = Arc::new(AtomicBool::new(true));
        let injected = Arc::new(AtomicU64::new(0));
        let up = Arc::new(Mutex::new(upstream));
        let rng = Arc::new(Mutex::new(Rng::new(seed)));
        let (o, i, u) = (on.clone(), injected.clone(), up.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (o, i, u, r) = (o.clone(), i.clone(), u.clone(), rng.clone());
                tokio::spawn(async move {
                    let _ = serve(client, o, i, u, r).await;
                });
            }
        });
        FaultProxy {
            addr,
            on,
            upstream: up,
            injected,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Faults on (the default) or off (everything passes).
    pub fn set_faults(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }

    /// How many faults were injected.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }

    /// Forward to another server address (after a restart elsewhere).
    pub fn set_upstream(&self, addr: SocketAddr) {
        *self.upstream.lock().unwrap_or_else(|p| p.into_inner()) = addr;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn pick(rng: &Mutex<Rng>) -> Fault {
    let mut r = rng.lock().unwrap_or_else(|p| p.into_inner());
    match r.below(100) {
        0..=59 => Fault::Pass,
        60..=66 => Fault::DropRequest,
        67..=74 => Fault::DropAnswer,
        75..=80 => Fault::TruncateAnswer,
        81..=87 => Fault::Duplicate,
        88..=94 => Fault::Delay,
        _ => Fault::Unavailable,
    }
}

/// One HTTP message: head and body as received.
async fn read_message(s: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(buf))
}

async fn exchange(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    read_message(&mut server).await
}

async fn serve(
    mut client: TcpStream,
    on: Arc<AtomicBool>,
    injected: Arc<AtomicU64>,
    upstream: Arc<Mutex<SocketAddr>>,
    rng: Arc<Mutex<Rng>>,
) -> std::io::Result<()> {
    while let Some(request) = read_message(&mut client).await? {
        if request.starts_with(&HTTP2_PREFACE[..14]) {
            // This proxy reads HTTP/1.1 only: closing before any fault is
            // drawn makes the device fall back, and keeps the faults'
            // sequence what it was for a given seed.
            return Ok(());
        }
        let fault = if on.load(Ordering::SeqCst) {
            pick(&rng)
        } else {
            Fault::Pass
        };
        if fault != Fault::Pass {
            injected.fetch_add(1, Ordering::SeqCst);
        }
        let up = *upstream.lock().unwrap_or_else(|p| p.into_inner());
        match fault {
            Fault::DropRequest => return Ok(()),
            Fault::Unavailable => {
                client
                    .write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await?;
                return Ok(());
            }
            Fault::Delay => tokio::time::sleep(Duration::from_millis(30)).await,
            _ => {}
        }
        let Some(answer) = exchange(up, &request).await? else {
            return Ok(()); // the server went away mid-answer
        };
        match fault {
            Fault::DropAnswer => return Ok(()),
            Fault::TruncateAnswer => {
                client.write_all(&answer[..answer.len() / 2]).await?;
                return Ok(());
            }
            Fault::Duplicate => {
                // The same request again, as a network that replays it.
                let _ = exchange(up, &request).await;
            }
            _ => {}
        }
        client.write_all(&answer).await?;
    }
    Ok(())
}
