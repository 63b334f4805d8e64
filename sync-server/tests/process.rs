//! The server binary as a process: flags, demo start-up, health, and a
//! graceful stop on SIGTERM even when it was started with the signal blocked.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_volunteer-sync-server");

#[test]
fn help_and_bad_flags_are_answered_on_the_command_line() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--database"));
    let bad = Command::new(BIN).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument"));
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Block SIGTERM in a fresh thread and spawn the server from it, so the child
/// starts with SIGTERM blocked (as under some test runners and supervisors).
#[allow(unsafe_code)]
fn spawn_with_sigterm_blocked(db: &std::path::Path) -> std::process::Child {
    let db = db.to_path_buf();
    std::thread::spawn(move || {
        // SAFETY: plain-data sigset_t, initialised by sigemptyset; only this
        // thread's mask changes.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--demo", "--database"])
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    })
    .join()
    .unwrap()
}

#[allow(unsafe_code)]
fn sigterm(pid: u32) {
    // SAFETY: kill(2) with a pid we spawned and a valid signal number.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGTERM);
    }
}

#[test]
fn demo_server_starts_answers_health_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_with_sigterm_blocked(&dir.path().join("demo.db"));
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "server exited: {printed}"
        );
        printed.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("listening on http://") {
            break url.to_owned();
        }
    };
    assert!(
        printed.contains("staff-station"),
        "demo accounts printed: {printed}"
    );
    assert!(printed.contains("6680 users"), "{printed}");
    let health = get(&addr, "/healthz");
    assert!(
        health.starts_with("HTTP/1.0 200") || health.starts_with("HTTP/1.1 200"),
        "{health}"
    );
    assert!(health.contains("\"status\":\"ok\""));

    sigterm(child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("server ignored SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "graceful exit: {status:?}");
}

/// With `VOLUNTEER_TEST_POSTGRES` (set by scripts/test.sh): two instances
/// started at the same moment on one new PostgreSQL database both migrate
/// safely and serve; the one given `--demo` seeds, and a demo account signs
/// in through the other.
#[test]
fn two_instances_start_together_on_one_postgres_database() {
    let Some(url) = common::fresh_postgres_database(&format!("process_{}", std::process::id()))
    else {
        return; // SQLite-only run: scripts/test.sh runs this on PostgreSQL.
    };
    let spawn = |demo: bool| {
        let mut cmd = Command::new(BIN);
        cmd.args(["--listen", "127.0.0.1:0", "--database", &url]);
        if demo {
            cmd.arg("--demo");
        }
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut children = [spawn(true), spawn(false)];
    let addrs: Vec<String> = children
        .iter_mut()
        .map(|child| {
            let mut out = BufReader::new(child.stdout.take().unwrap());
            let mut printed = String::new();
            loop {
                let mut line = String::new();
                assert!(out.read_line(&mut line).unwrap() > 0, "exited: {printed}");
                printed.push_str(&line);
                if let Some(url) = line.trim().strip_prefix("listening on http://") {
                    break url.to_owned();
                }
            }
        })
        .collect();
    for addr in &addrs {
        assert!(
            get(addr, "/healthz").contains("\"status\":\"ok\""),
            "{addr}"
        );
    }
    let body = r#"{"login":"admin","password":"demo-2026"}"#;
    let mut s = TcpStream::connect(&addrs[1]).unwrap();
    write!(
        s,
        "POST /v1/session HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.contains("\"token\""), "{answer}");
    for child in &mut children {
        sigterm(child.id());
        assert!(child.wait().unwrap().success());
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap()
}

/// Regression: every password check takes 19 MiB, and glibc kept those
/// blocks in per-thread arenas, so a storm of sign-ins grew the server by
/// gigabytes for good. Checks are now one per core and large blocks go back
/// to the system.
#[test]
fn a_storm_of_sign_ins_does_not_grow_the_server_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--demo", "--database"])
        .arg(dir.path().join("demo.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "server exited");
        if let Some(url) = line.trim().strip_prefix("listening on http://") {
            break url.to_owned();
        }
    };
    let body = r#"{"login":"volunteer1","password":"demo-2026"}"#;
    // Under the per-address limit of sign-ins (30 a minute), which a storm
    // from one address would otherwise meet first.
    let storm: Vec<_> = (0..24)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(&addr).unwrap();
                write!(
                    s,
                    "POST /v1/session HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
                let mut answer = String::new();
                s.read_to_string(&mut answer).unwrap();
                assert!(answer.contains("\"token\""), "{answer}");
            })
        })
        .collect();
    for t in storm {
        t.join().unwrap();
    }
    let rss = rss_kib(child.id());
    sigterm(child.id());
    child.wait().unwrap();
    // 24 checks kept at 19 MiB each would be over 450 MiB.
    assert!(rss < 256 * 1024, "resident after the storm: {rss} KiB");
}
