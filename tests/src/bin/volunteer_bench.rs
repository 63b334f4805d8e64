//! `volunteer-bench`: benchmarks that start a real server and drive real
//! device cores, printing one JSON object per scenario on stdout.
//!
//! usage: volunteer-bench SCENARIO [--rows N] [--repeat N]
//!
//! Scenarios:
//!   apply  a device pulls `--rows` records and applies them; compared with
//!          bare SQLite inserts of the same rows in one transaction
//!   noop   an in-sync device syncs again (`--repeat` times)
//!
//! Run it in release mode: `cargo run --release -p volunteer-tests --bin volunteer-bench -- apply`.

use chrono::{Duration, Utc};
use serde_json::json;
use std::time::Instant;
use volunteer_core::Replica;
use volunteer_domain::{
    Activity, ActivityStatus, Attendance, HourEntry, HourSource, HourStatus, Record, Role, Signup,
    SignupStatus, Site, SiteLevel,
};
use volunteer_sync_server::{NewUser, Storage};
use volunteer_tests::TestServer;

const PASSWORD: &str = "bench-password";

struct Args {
    scenario: String,
    rows: usize,
    repeat: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let scenario = args
        .next()
        .ok_or("usage: volunteer-bench apply|noop [--rows N] [--repeat N]")?;
    let mut out = Args {
        scenario,
        rows: 10_000,
        repeat: 20,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let n: usize = value.parse().map_err(|_| format!("{flag}: not a number"))?;
        match flag.as_str() {
            "--rows" => out.rows = n,
            "--repeat" => out.repeat = n.max(1),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(out)
}

/// A site, an activity, and `rows` personal records at it (signups,
/// attendance, hour entries in equal parts), plus an admin to pull them.
fn seed(store: &dyn Storage, rows: usize) -> Vec<Record> {
    let now = Utc::now();
    let site = Site {
        id: "s".into(),
        parent_id: None,
        level: SiteLevel::Center,
        name: "青川区新时代文明实践中心".into(),
        path: "/s/".into(),
    };
    let activity = Activity {
        id: "a".into(),
        site_id: "s".into(),
        team_id: None,
        title: "社区环境清洁日".into(),
        description: String::new(),
        starts_at: now - Duration::hours(3),
        ends_at: now - Duration::hours(1),
        capacity: rows as u32,
        signup_count: 0,
        status: ActivityStatus::Published,
        signup_deadline: None,
        waitlist: false,
        waitlist_count: 0,
        waitlist_next: 0,
        created_by: None,
        cancel_reason: None,
        walk_ins: true,
        credit_rounding_minutes: 0,
        callout: false,
    };
    let mut records = vec![Record::Site(site), Record::Activity(activity)];
    for i in 0..rows.saturating_sub(2) {
        let volunteer_id = format!("{:08x}-0000-4000-8000-{:012x}", i / 3, i);
        let volunteer_name = "王秀英".to_string();
        let at = now - Duration::hours(3);
        records.push(match i % 3 {
            0 => Record::Signup(Signup {
                activity_id: "a".into(),
                volunteer_id,
                volunteer_name,
                site_id: "s".into(),
                signed_up_at: at,
                status: SignupStatus::Confirmed,
                position: 0,
            }),
            1 => Record::Attendance(Attendance {
                activity_id: "a".into(),
                volunteer_id,
                volunteer_name,
                site_id: "s".into(),
                checked_in_at: at,
                checked_out_at: Some(at + Duration::hours(2)),
                recorded_by: "staff".into(),
                corrections: vec![],
            }),
            _ => Record::HourEntry(HourEntry {
                id: HourEntry::attendance_key("a", &volunteer_id),
                volunteer_id,
                activity_id: Some("a".into()),
                site_id: Some("s".into()),
                source: HourSource::Attendance,
                status: HourStatus::Confirmed,
                started_at: at,
                minutes: 120,
                description: "社区环境清洁日".into(),
                recorded_by: "staff".into(),
                team_id: None,
                reviewed_by: None,
                reviewed_at: None,
                reason: None,
                corrects: None,
                superseded_by: None,
            }),
        });
    }
    store.put_records(&records).expect("seed records");
    store
        .create_users(
            &[NewUser::new("admin", Some(PASSWORD), Role::Admin, "管理员")],
            now,
        )
        .expect("seed admin");
    records
}

/// Bare SQLite: the same rows inserted in one transaction into a plain table.
fn bare_insert_seconds(dir: &std::path::Path, records: &[Record]) -> f64 {
    let conn = rusqlite::Connection::open(dir.join("bare.db")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("sync");
    conn.execute_batch(
        "CREATE TABLE t (kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
                         PRIMARY KEY (kind, key)) WITHOUT ROWID",
    )
    .expect("create");
    let rows: Vec<(String, String, String)> = records
        .iter()
        .map(|r| (r.kind().as_str().to_owned(), r.key(), r.to_json()))
        .collect();
    let start = Instant::now();
    let mut conn = conn;
    let tx = conn.transaction().expect("tx");
    {
        let mut stmt = tx
            .prepare("INSERT INTO t (kind, key, data) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        for (k, key, data) in &rows {
            stmt.execute((k, key, data)).expect("insert");
        }
    }
    tx.commit().expect("commit");
    start.elapsed().as_secs_f64()
}

/// Fetch every page without applying it: the network and server share of a sync.
async fn fetch_only(
    url: &str,
    token: &str,
    expected: usize,
) -> (f64, usize, usize, usize, Option<String>) {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let (mut cursor, mut bytes, mut requests, mut rows) = (None::<String>, 0, 0, 0);
    loop {
        let body = json!({"client_id": "bench-fetch", "cursor": cursor, "pull_limit": 5000});
        let resp = client
            .post(format!("{url}/v1/sync"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("fetch");
        let raw = resp.bytes().await.expect("body");
        bytes += raw.len();
        requests += 1;
        let page: volunteer_domain::SyncResponse = serde_json::from_slice(&raw).expect("page");
        rows += page.changes.len();
        cursor = Some(page.cursor);
        if !page.has_more || rows > expected * 2 {
            break;
        }
    }
    (start.elapsed().as_secs_f64(), bytes, requests, rows, cursor)
}

async fn token(url: &str) -> String {
    let resp: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/v1/session"))
        .json(&json!({"login": "admin", "password": PASSWORD}))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("json");
    resp["token"].as_str().expect("token").to_owned()
}

fn device(dir: &std::path::Path, url: &str) -> Replica {
    let options = volunteer_core::SyncOptions {
        pull_page_size: 5000,
        ..Default::default()
    };
    Replica::open_with(dir.join("device.db"), url, options).expect("replica")
}

async fn apply(args: &Args) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let records = seed(server.store.as_ref(), args.rows);
    let expected = records.len() + 1; // plus the admin's own profile
    let url = server.url();
    let (fetch_s, bytes, requests, fetched, _) =
        fetch_only(&url, &token(&url).await, expected).await;

    let replica = device(dir.path(), &url);
    replica.sign_in("admin", PASSWORD).await.expect("sign in");
    let start = Instant::now();
    let report = replica.sync().await.expect("sync");
    let sync_s = start.elapsed().as_secs_f64();
    let found: u64 = replica.record_counts().expect("counts").values().sum();
    let apply_s = (sync_s - fetch_s).max(f64::EPSILON);
    let bare_s = bare_insert_seconds(dir.path(), &records);
    let db_bytes = std::fs::metadata(dir.path().join("device.db")).map_or(0, |m| m.len());
    println!(
        "{}",
        json!({
            "scenario": "apply", "backend": "sqlite", "rows": args.rows,
            "wall_seconds": sync_s, "fetch_seconds": fetch_s, "apply_seconds": apply_s,
            "rows_per_second": fetched as f64 / apply_s,
            "bare_insert_seconds": bare_s, "bare_rows_per_second": records.len() as f64 / bare_s,
            "apply_vs_bare": bare_s / apply_s,
            "requests": report.requests, "fetch_requests": requests, "bytes_received": bytes,
            "device_db_bytes": db_bytes,
            "expected_unique": expected, "found_unique": found,
            "lost": expected.saturating_sub(found as usize),
            "pending_left": replica.pending_count().expect("pending"),
        })
    );
}

async fn noop(args: &Args) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(&dir.path().join("server.db")).await;
    seed(server.store.as_ref(), args.rows);
    let url = server.url();
    let replica = device(dir.path(), &url);
    replica.sign_in("admin", PASSWORD).await.expect("sign in");
    replica.sync().await.expect("initial sync");
    let mut latencies = Vec::with_capacity(args.repeat);
    let mut requests = 0;
    for _ in 0..args.repeat {
        let start = Instant::now();
        requests += replica.sync().await.expect("sync").requests;
        latencies.push(start.elapsed().as_secs_f64());
    }
    // Size of one no-op exchange, measured on the wire format.
    let t = token(&url).await;
    let (_, _, _, _, cursor) = fetch_only(&url, &t, args.rows).await;
    let request = json!({"client_id": "bench-fetch", "cursor": cursor});
    let again = reqwest::Client::new()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(&t)
        .json(&request)
        .send()
        .await
        .expect("noop")
        .bytes()
        .await
        .expect("body");
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    println!(
        "{}",
        json!({
            "scenario": "noop", "backend": "sqlite", "rows": args.rows, "repeat": args.repeat,
            "requests_per_sync": requests as f64 / args.repeat as f64,
            "request_bytes": request.to_string().len(),
            "response_bytes": again.len(),
            "p50_seconds": pct(0.5), "p99_seconds": pct(0.99),
        })
    );
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match args.scenario.as_str() {
        "apply" => apply(&args).await,
        "noop" => noop(&args).await,
        other => {
            eprintln!("unknown scenario {other:?}; try apply or noop");
            std::process::exit(2);
        }
    }
}
