//! Issue 11, a server that sheds abuse: a client that sends its headers or
//! its body byte by byte, or idles on a kept-alive connection, is cut off;
//! connections beyond the cap are closed at once; sign-ins are limited per
//! address and per login (unknown logins alike), syncs per user, each with
//! 429 and `Retry-After`, which the device's loop honours.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use volunteer_sync_server::limits::Limits;
use volunteer_tests::{PASSWORD, TestServer, device, fixture};

fn limits() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(800),
        request_timeout: Duration::from_millis(1500),
        max_connections: 64,
        sign_ins_per_minute: 1000,
        failures_before_lock: 3,
        lock_for: Duration::from_secs(60),
        syncs_per_minute: 1000,
        ..Limits::default()
    }
}

/// Whether the server closes `s` within `secs` (reads until end of stream),
/// and what it sent.
fn closed_within(mut s: TcpStream, secs: u64) -> (bool, String) {
    s.set_read_timeout(Some(Duration::from_secs(secs))).unwrap();
    let mut got = Vec::new();
    // A reset is a close too (the server closed with our bytes unread).
    let closed = match s.read_to_end(&mut got) {
        Ok(_) => true,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
        ),
    };
    (closed, String::from_utf8_lossy(&got).into_owned())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_limited(&dir.path().join("s.db"), limits()).await;
    let addr = server.addr;

    // Headers one byte every 300 ms: closed once the header deadline passes.
    let (closed, took) = blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        let started = Instant::now();
        for b in b"POST /v1/session HTTP/1.1\r\nHost: x\r\n".iter() {
            if s.write_all(&[*b]).is_err() || started.elapsed() > Duration::from_secs(5) {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        let done = started.elapsed();
        (done < Duration::from_secs(5), done)
    })
    .await;
    assert!(closed, "a slow header was allowed {took:?}");

    // Kept alive after an answer, then idle: closed.
    let (closed, answer) = blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        closed_within(s, 5)
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle kept-alive connection stayed open");

    // An HTTP/2 connection that says hello and then nothing (nor answers
    // the server's goodbye): closed too.
    let (closed, took) = blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(volunteer_tests::faults::HTTP2_PREFACE).unwrap();
        s.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).unwrap(); // empty SETTINGS
        let started = Instant::now();
        let (closed, _) = closed_within(s, 8);
        (closed, started.elapsed())
    })
    .await;
    assert!(closed, "an idle HTTP/2 connection stayed open ({took:?})");

    // A body one byte at a time: 408 once the request deadline passes.
    let (_, answer) = blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            b"POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
        )
        .unwrap();
        for _ in 0..20 {
            if s.write_all(b" ").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        closed_within(s, 5)
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_are_closed_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_limited(
        &dir.path().join("s.db"),
        Limits {
            max_connections: 2,
            header_timeout: Duration::from_secs(10),
            ..limits()
        },
    )
    .await;
    let addr = server.addr;
    let answer = blocking(move || {
        let held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(200));
        let mut third = TcpStream::connect(addr).unwrap();
        let _ = third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        let (closed, got) = closed_within(third, 5);
        assert!(
            closed && got.is_empty(),
            "the third connection was served: {got}"
        );
        drop(held);
        std::thread::sleep(Duration::from_millis(200));
        let mut again = TcpStream::connect(addr).unwrap();
        again
            .write_all(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
            .unwrap();
        closed_within(again, 5).1
    })
    .await;
    assert!(answer.starts_with("HTTP/1.0 200"), "room again: {answer}");
}

async fn sign_in(url: &str, login: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/v1/session"))
        .json(&serde_json::json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_are_limited_per_address_and_per_login() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_limited(&dir.path().join("s.db"), limits()).await;
    fixture::seed(server.store.as_ref());
    let url = server.url();

    // An unknown login and a wrong password get the same answer.
    let unknown = sign_in(&url, "nobody", "x").await;
    let wrong = sign_in(&url, "v2", "x").await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(wrong.status(), 401);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (unknown.json().await.unwrap(), wrong.json().await.unwrap());
    assert_eq!(a, b);
    // Past three failures the login is locked, even for the right password;
    // other logins are not affected; an unknown login locks the same way.
    for _ in 0..3 {
        sign_in(&url, "v2", "x").await;
    }
    let locked = sign_in(&url, "v2", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let retry: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((50..=61).contains(&retry), "{retry}");
    let body: serde_json::Value = locked.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    let ok = sign_in(&url, "v1", PASSWORD).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["cache-control"], "no-store");
    for _ in 0..3 {
        sign_in(&url, "nobody", "x").await;
    }
    // (the first "nobody" above was the fourth.)
    assert_eq!(sign_in(&url, "nobody", "x").await.status(), 429);

    // Per address: the sixth attempt in a minute waits.
    let dir2 = tempfile::tempdir().unwrap();
    let strict = TestServer::start_limited(
        &dir2.path().join("s.db"),
        Limits {
            sign_ins_per_minute: 5,
            ..limits()
        },
    )
    .await;
    fixture::seed(strict.store.as_ref());
    for _ in 0..5 {
        assert_eq!(sign_in(&strict.url(), "v1", PASSWORD).await.status(), 200);
    }
    let refused = sign_in(&strict.url(), "v1", PASSWORD).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_are_limited_per_user_and_the_device_waits_as_told() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_limited(
        &dir.path().join("s.db"),
        Limits {
            syncs_per_minute: 3,
            ..limits()
        },
    )
    .await;
    let fx = fixture::seed(server.store.as_ref());
    let phone = device(dir.path(), "v1", &server.url());
    phone.sign_in("v1", PASSWORD).await.unwrap();
    for _ in 0..3 {
        phone.sync().await.unwrap();
    }
    phone.join_team(&fx.team_a.id).unwrap();
    let err = phone.sync().await.unwrap_err();
    let volunteer_core::Error::RetryLater {
        status,
        retry_after_secs,
        ..
    } = err
    else {
        panic!("expected RetryLater, got {err:?}")
    };
    assert_eq!(status, 429);
    assert!((1..=21).contains(&retry_after_secs), "{retry_after_secs}");
    // The loop does not try again before the server said it may.
    phone
        .start_auto_sync(volunteer_core::AutoSyncOptions {
            min_backoff: Duration::from_millis(50),
            debounce: Duration::from_millis(10),
            ..Default::default()
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let next = loop {
        let s = phone.sync_status().unwrap();
        if let Some(next) = s.next_attempt_at
            && s.auto_sync
            && s.consecutive_failures >= 1
            && !s.syncing
        {
            break next;
        }
        assert!(Instant::now() < deadline, "{s:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let wait = (next - chrono::Utc::now()).num_milliseconds();
    assert!(
        wait > 5_000,
        "the loop retries in {wait} ms, before Retry-After"
    );
    assert_eq!(phone.pending_count().unwrap(), 1, "nothing lost");
}
