//! The scenarios. Each returns its JSON lines: parameters, wall seconds,
//! throughput, bytes and requests through the proxies, latencies, device
//! database size, and its correctness checks as numbers.

use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use volunteer_core::{HoursReport, Replica, SyncOptions};
use volunteer_domain::{Kind, Record};

use crate::Args;
use crate::cluster::Cluster;
use crate::data::{self, PASSWORD};

/// Sign-ins at once while setting up (each costs the server a password hash).
const SETUP_CONCURRENCY: usize = 8;

fn header(a: &Args) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("scenario".into(), json!(a.scenario));
    m.insert("backend".into(), json!(a.backend.as_str()));
    m.insert("instances".into(), json!(a.instances));
    m.insert("seed".into(), json!(a.seed));
    m
}

fn line(mut head: Map<String, Value>, fields: Value) -> String {
    if let Value::Object(f) = fields {
        head.extend(f);
    }
    Value::Object(head).to_string()
}

/// p50 and p99 of `samples` (seconds).
fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}

fn open_device(dir: &Path, name: &str, url: &str) -> Replica {
    Replica::open_with(dir.join(format!("{name}.db")), url, SyncOptions::default())
        .expect("open replica")
}

fn file_size(dir: &Path, name: &str) -> u64 {
    let base = dir.join(format!("{name}.db"));
    // The WAL holds what is not checkpointed yet: it is part of the size.
    let wal = dir.join(format!("{name}.db-wal"));
    [base, wal]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

/// Sign in `logins` on devices named after them, each syncing once.
async fn sign_in_all(c: &Cluster, dir: &Path, logins: &[String]) -> Vec<Replica> {
    let gate = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let mut tasks = Vec::new();
    for (i, login) in logins.iter().enumerate() {
        let d = open_device(dir, login, &c.url(i));
        let (gate, login) = (gate.clone(), login.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("gate");
            d.sign_in(&login, PASSWORD).await.expect("sign in");
            d.sync().await.expect("first sync");
            d
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("sign-in task"));
    }
    out
}

/// Sync every device with at most `concurrency` in flight; per-sync seconds.
async fn sync_all(devices: &[Replica], concurrency: usize) -> Vec<f64> {
    let gate = Arc::new(Semaphore::new(concurrency));
    let tasks: Vec<_> = devices
        .iter()
        .map(|d| {
            let (d, gate) = (d.clone(), gate.clone());
            tokio::spawn(async move {
                let _permit = gate.acquire().await.expect("gate");
                let t = Instant::now();
                d.sync().await.expect("sync");
                t.elapsed().as_secs_f64()
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("sync task"));
    }
    out
}

fn count(d: &Replica, kind: Kind) -> u64 {
    d.record_counts()
        .expect("counts")
        .get(kind.as_str())
        .copied()
        .unwrap_or(0)
}

/// Records a device holds, figures aside: the server writes those on its
/// own minute-by-minute schedule, so no count can expect them.
fn held(d: &Replica) -> u64 {
    d.record_counts()
        .expect("counts")
        .iter()
        .filter(|(kind, _)| kind.as_str() != Kind::Figures.as_str())
        .map(|(_, n)| n)
        .sum()
}

/// Unique keys of a raw fetch, figures aside (see [`held`]).
fn unique_served(keys: &[(Kind, String)]) -> u64 {
    keys.iter()
        .filter(|(k, _)| *k != Kind::Figures)
        .collect::<HashSet<_>>()
        .len() as u64
}

fn pending(devices: &[Replica]) -> u64 {
    devices
        .iter()
        .map(|d| d.pending_count().expect("pending"))
        .sum()
}

/// Every change a user's feed holds, fetched raw page by page (no device
/// apply): the server's side of an initial sync, and its keys.
async fn fetch_all(url: &str, login: &str) -> (f64, usize, Vec<(Kind, String)>) {
    let http = reqwest::Client::new();
    let session: Value = http
        .post(format!("{url}/v1/session"))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("json");
    let token = session["token"].as_str().expect("token").to_owned();
    let start = Instant::now();
    let (mut cursor, mut requests, mut keys) = (None::<String>, 0, Vec::new());
    loop {
        let body =
            json!({"client_id": format!("fetch-{login}"), "cursor": cursor, "pull_limit": 5000});
        let page: volunteer_domain::SyncResponse = http
            .post(format!("{url}/v1/sync"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("fetch")
            .json()
            .await
            .expect("page");
        requests += 1;
        keys.extend(
            page.changes
                .into_iter()
                .filter(|c| c.data.is_some())
                .map(|c| (c.kind, c.key)),
        );
        cursor = Some(page.cursor);
        if !page.has_more {
            break;
        }
    }
    (start.elapsed().as_secs_f64(), requests, keys)
}

/// Milliseconds for a staff member's main screens on the downloaded replica
/// (the site tree, its teams, its activities soonest first, the upcoming
/// ones, and the roster of the activity with most signups), each the median
/// of 20 reads, and their sum: the replica's storage form shows in reads.
fn screen_reads_ms(device: &Replica, site_id: &str) -> serde_json::Value {
    let busiest = device
        .activities_at_site(site_id, true)
        .expect("activities")
        .into_iter()
        .max_by_key(|a| a.signup_count)
        .map(|a| a.id)
        .unwrap_or_default();
    let median_ms = |read: &dyn Fn()| {
        let mut ms: Vec<f64> = (0..20)
            .map(|_| {
                let t = Instant::now();
                read();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        ms[ms.len() / 2]
    };
    let screens: [(&str, &dyn Fn()); 5] = [
        ("sites", &|| drop(device.sites().expect("sites"))),
        ("teams", &|| {
            drop(device.teams(Some(site_id)).expect("teams"))
        }),
        ("activities", &|| {
            drop(
                device
                    .activities_at_site(site_id, true)
                    .expect("activities"),
            );
        }),
        ("upcoming", &|| {
            drop(device.upcoming_activities(50).expect("upcoming"))
        }),
        ("roster", &|| drop(device.roster(&busiest).expect("roster"))),
    ];
    let mut out = serde_json::Map::new();
    let mut total = 0.0;
    for (name, read) in screens {
        let ms = median_ms(read);
        total += ms;
        out.insert(name.into(), ms.into());
    }
    out.insert("total".into(), total.into());
    out.into()
}

pub async fn initial(a: &Args) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Cluster::create(a.backend, dir.path());
    let now = Utc::now();
    let d = data::district(a.seed, a.volunteers, a.activities, now);
    let t = Instant::now();
    data::seed(c.store.as_ref(), &d, now);
    data::staff(c.store.as_ref(), "institute", 1, &d.institutes[0], now);
    let seed_s = t.elapsed().as_secs_f64();
    c.start(a.instances).await;

    let device = open_device(dir.path(), "institute0", &c.url(0));
    device
        .sign_in("institute0", PASSWORD)
        .await
        .expect("sign in");
    let (s0, r0) = c.bytes();
    let t = Instant::now();
    let report = device.sync().await.expect("initial sync");
    let wall = t.elapsed().as_secs_f64();
    let (s1, r1) = c.bytes();
    let found = held(&device);
    // Expected by the scope rules over the generated data (plus the staff
    // member's own profile); served: what the feed returns on its own path.
    let expected = data::visible_to_staff(&d.records, &d.institutes[0].path) + 1;
    let (fetch_s, fetch_requests, keys) = fetch_all(&c.url(0), "institute0").await;
    let served = unique_served(&keys);
    let reads_ms = screen_reads_ms(&device, &d.institutes[0].id);
    vec![line(
        header(a),
        json!({
            "volunteers": a.volunteers, "activities": a.activities,
            "screen_reads_ms": reads_ms,
            "records_in_district": d.records.len() + d.volunteers.len(),
            "seed_seconds": seed_s,
            "wall_seconds": wall, "records_per_second": found as f64 / wall,
            "device_apply_seconds": report.apply_time.as_secs_f64(),
            "server_fetch_seconds": fetch_s, "server_fetch_requests": fetch_requests,
            "requests": report.requests, "bytes_sent": s1 - s0, "bytes_received": r1 - r0,
            "device_db_bytes": file_size(dir.path(), "institute0"),
            "expected_unique": expected, "found_unique_server": served,
            "found_unique_devices": [found],
            "lost": expected.saturating_sub(found.min(served)),
            "duplicates": keys.len() - keys.iter().collect::<HashSet<_>>().len(),
            "pending_left": device.pending_count().expect("pending"),
            "server_rss_kib": c.server_rss_kib(),
        }),
    )]
}

pub async fn checkin_burst(a: &Args) -> Vec<String> {
    const ACTIVITIES: usize = 10;
    let unique_per_device = ((a.per_device as f64) * (1.0 - a.overlap)).round() as usize;
    let overlap_per_device = a.per_device - unique_per_device;
    let expected = a.devices * unique_per_device;

    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Cluster::create(a.backend, dir.path());
    let now = Utc::now();
    let d = data::district(a.seed, expected.div_ceil(ACTIVITIES).max(1), 0, now);
    let station = d.stations[0].clone();
    let mut rng = data::Rng::new(a.seed);
    let activities: Vec<_> = (0..ACTIVITIES)
        .map(|_| data::activity(rng.uuid(), &station, now - Duration::hours(1), 6, 100_000))
        .collect();
    data::seed(c.store.as_ref(), &d, now);
    c.store
        .put_records(
            &activities
                .iter()
                .cloned()
                .map(Record::Activity)
                .collect::<Vec<_>>(),
        )
        .expect("activities");
    data::staff(c.store.as_ref(), "checker", a.devices, &station, now);
    c.start(a.instances).await;
    let logins: Vec<String> = (0..a.devices).map(|i| format!("checker{i}")).collect();
    let devices = sign_in_all(&c, dir.path(), &logins).await;

    // Offline: every device records its own pairs and some of its neighbour's.
    let pair = |i: usize| {
        (
            &activities[i % ACTIVITIES].id,
            &d.volunteers[i / ACTIVITIES].id,
        )
    };
    for (n, device) in devices.iter().enumerate() {
        let own = n * unique_per_device..(n + 1) * unique_per_device;
        let next = (n + 1) % a.devices * unique_per_device;
        let shared = next..next + overlap_per_device;
        for i in own.chain(shared) {
            let (activity, volunteer) = pair(i);
            let at = now - Duration::minutes(rng.below(50) as i64);
            device
                .check_in(activity, volunteer, Some(at))
                .expect("check in");
        }
    }
    let (s0, r0) = c.bytes();
    let q0 = c.requests();
    let rss_before = c.server_rss_kib();
    let cpu0 = c.cpu_seconds();
    let t = Instant::now();
    let latencies = sync_all(&devices, a.devices).await;
    let burst = t.elapsed().as_secs_f64();
    let cpu1 = c.cpu_seconds();
    // Again until every device holds the full set.
    let mut rounds = 1;
    while rounds < 10
        && devices
            .iter()
            .any(|d| count(d, Kind::Attendance) < expected as u64)
    {
        sync_all(&devices, a.devices).await;
        rounds += 1;
    }
    let converged = t.elapsed().as_secs_f64();
    let (s1, r1) = c.bytes();
    let on_server = c.store.records(Kind::Attendance).expect("records").len() as u64;
    let on_devices: Vec<u64> = devices.iter().map(|d| count(d, Kind::Attendance)).collect();
    let pushed = a.devices * a.per_device;
    let (p50, p99) = percentiles(latencies);
    let lowest = on_devices.iter().copied().min().unwrap_or(0).min(on_server);
    let excess: u64 = std::iter::once(on_server)
        .chain(on_devices.iter().copied())
        .map(|n| n.saturating_sub(expected as u64))
        .sum();
    vec![line(
        header(a),
        json!({
            "devices": a.devices, "per_device": a.per_device, "overlap": a.overlap,
            "wall_seconds": burst, "converged_seconds": converged, "sync_rounds": rounds,
            "mutations_pushed": pushed, "mutations_per_second": pushed as f64 / burst,
            "server_cpu_seconds": cpu1.0 - cpu0.0, "database_cpu_seconds": cpu1.1 - cpu0.1,
            "mutations_per_server_cpu_second": pushed as f64 / (cpu1.0 - cpu0.0).max(0.01),
            "requests": c.requests() - q0, "bytes_sent": s1 - s0, "bytes_received": r1 - r0,
            "p50_sync_seconds": p50, "p99_sync_seconds": p99,
            "device_db_bytes": file_size(dir.path(), "checker0"),
            "expected_unique": expected, "found_unique_server": on_server,
            "found_unique_devices_min": on_devices.iter().min(),
            "found_unique_devices_max": on_devices.iter().max(),
            "lost": (expected as u64).saturating_sub(lowest),
            "duplicates": excess,
            "pending_left": pending(&devices),
            "server_rss_kib_before": rss_before, "server_rss_kib_after": c.server_rss_kib(),
        }),
    )]
}

pub async fn hours(a: &Args) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Cluster::create(a.backend, dir.path());
    let now = Utc::now();
    // Other volunteers' signups, attendance and hours (three records each)
    // at one activity: the district's activity outside every phone's scope.
    let strangers = a.others.div_ceil(3);
    let d = data::district(a.seed, a.phones + strangers, 0, now);
    data::seed(c.store.as_ref(), &d, now);
    c.start(a.instances).await;
    let logins: Vec<String> = (0..a.phones).map(|i| format!("v{i}")).collect();
    let phones = sign_in_all(&c, dir.path(), &logins).await;
    let mut others_hours = 0;
    if a.others > 0 {
        let mut rng = data::Rng::new(a.seed ^ 0x07e5);
        let act = data::activity(rng.uuid(), &d.stations[0], now - Duration::days(3), 3, 30);
        let rows = data::busy_activity(&act, &d.volunteers[a.phones..], a.others);
        others_hours = rows
            .iter()
            .filter(|r| matches!(r, Record::HourEntry(_)))
            .count() as u64;
        c.store
            .put_records(&[Record::Activity(act)])
            .expect("others' activity");
        c.store.put_records(&rows).expect("others' records");
    }

    let mut out = Vec::new();
    let mut rss = vec![c.server_rss_kib()];
    for round in 0..a.rounds {
        for p in &phones {
            for e in 0..a.entries {
                p.report_hours(HoursReport {
                    activity_id: None,
                    team_id: None,
                    // Two hours apart: overlapping reports are refused
                    // (nobody serves in two places at once).
                    started_at: now
                        - Duration::days(1)
                        - Duration::hours(2 * (round * a.entries + e) as i64),
                    minutes: 60,
                    description: "为独居老人送餐".into(),
                })
                .expect("report hours");
            }
        }
        let (s0, r0) = c.bytes();
        let q0 = c.requests();
        let cpu0 = c.cpu_seconds();
        let sys0 = c.server_system_seconds();
        let t = Instant::now();
        let latencies = sync_all(&phones, a.concurrency).await;
        let wall = t.elapsed().as_secs_f64();
        let cpu1 = c.cpu_seconds();
        let sys = c.server_system_seconds() - sys0;
        let (s1, r1) = c.bytes();
        rss.push(c.server_rss_kib());
        let expected = (a.phones * a.entries * (round + 1)) as u64;
        let on_server =
            c.store.records(Kind::HourEntry).expect("records").len() as u64 - others_hours;
        let per_phone = (a.entries * (round + 1)) as u64;
        let on_phones: Vec<u64> = phones.iter().map(|p| count(p, Kind::HourEntry)).collect();
        let short: u64 = on_phones.iter().map(|n| per_phone.saturating_sub(*n)).sum();
        let excess: u64 = on_phones.iter().map(|n| n.saturating_sub(per_phone)).sum();
        let pushed = a.phones * a.entries;
        let (p50, p99) = percentiles(latencies);
        out.push(line(
            header(a),
            json!({
                "phones": a.phones, "entries": a.entries, "concurrency": a.concurrency,
                "round": round + 1, "rounds": a.rounds, "others": a.others,
                "wall_seconds": wall, "mutations_pushed": pushed,
                "mutations_per_second": pushed as f64 / wall,
                "server_cpu_seconds": cpu1.0 - cpu0.0, "database_cpu_seconds": cpu1.1 - cpu0.1,
                "mutations_per_server_cpu_second": pushed as f64 / (cpu1.0 - cpu0.0).max(0.01),
                "server_cpu_ms_per_mutation": (cpu1.0 - cpu0.0) * 1000.0 / pushed as f64,
                "server_system_cpu_seconds": sys,
                "requests": c.requests() - q0, "bytes_sent": s1 - s0, "bytes_received": r1 - r0,
                "p50_sync_seconds": p50, "p99_sync_seconds": p99,
                "device_db_bytes": file_size(dir.path(), "v0"),
                "expected_unique": expected, "found_unique_server": on_server,
                "found_unique_devices_min": on_phones.iter().min(),
                "found_unique_devices_max": on_phones.iter().max(),
                "lost": (expected.saturating_sub(on_server)) + short,
                "duplicates": on_server.saturating_sub(expected) + excess,
                "pending_left": pending(&phones),
                "server_rss_kib": rss.clone(),
            }),
        ));
    }
    out
}

pub async fn noop(a: &Args) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Cluster::create(a.backend, dir.path());
    let now = Utc::now();
    let d = data::district(a.seed, 200, 50, now);
    data::seed(c.store.as_ref(), &d, now);
    data::staff(c.store.as_ref(), "station", 1, &d.stations[0], now);
    c.start(a.instances).await;
    let device = open_device(dir.path(), "station0", &c.url(0));
    device.sign_in("station0", PASSWORD).await.expect("sign in");
    device.sync().await.expect("initial sync");
    let (s0, r0) = c.bytes();
    let q0 = c.requests();
    let mut latencies = Vec::with_capacity(a.repeat);
    for _ in 0..a.repeat {
        let t = Instant::now();
        device.sync().await.expect("sync");
        latencies.push(t.elapsed().as_secs_f64());
    }
    let (s1, r1) = c.bytes();
    let requests = c.requests() - q0;
    let n = a.repeat as f64;
    let (p50, p99) = percentiles(latencies);
    vec![line(
        header(a),
        json!({
            "repeat": a.repeat,
            "requests_per_sync": requests as f64 / n,
            "bytes_sent_per_sync": (s1 - s0) as f64 / n,
            "bytes_received_per_sync": (r1 - r0) as f64 / n,
            "p50_seconds": p50, "p99_seconds": p99,
            "device_db_bytes": file_size(dir.path(), "station0"),
            "pending_left": device.pending_count().expect("pending"),
        }),
    )]
}

/// Bare SQLite: the same rows inserted in one transaction into a plain table.
fn bare_insert_seconds(dir: &Path, records: &[Record]) -> f64 {
    let mut conn = rusqlite::Connection::open(dir.join("bare.db")).expect("open");
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

pub async fn apply(a: &Args) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Cluster::create(a.backend, dir.path());
    let now = Utc::now();
    // One busy activity: signups, attendance and hours in equal parts.
    let d = data::district(a.seed, a.rows / 3 + 1, 0, now);
    let station = d.stations[0].clone();
    let act = data::activity(
        "bench-activity".into(),
        &station,
        now - Duration::hours(3),
        2,
        1_000_000,
    );
    let rows = crate::data::busy_activity(&act, &d.volunteers, a.rows);
    data::seed(c.store.as_ref(), &d, now);
    let mut all = vec![Record::Activity(act)];
    all.extend(rows);
    c.store.put_records(&all).expect("rows");
    data::staff(c.store.as_ref(), "station", 1, &station, now);
    c.start(a.instances).await;

    let (fetch_s, _, keys) = fetch_all(&c.url(0), "station0").await;
    let served = unique_served(&keys);
    let expected =
        data::visible_to_staff(&[d.records.clone(), all.clone()].concat(), &station.path) + 1;
    let device = open_device(dir.path(), "station0", &c.url(0));
    device.sign_in("station0", PASSWORD).await.expect("sign in");
    let (s0, r0) = c.bytes();
    let t = Instant::now();
    let report = device.sync().await.expect("sync");
    let wall = t.elapsed().as_secs_f64();
    let (s1, r1) = c.bytes();
    let found = held(&device);
    let apply_s = report.apply_time.as_secs_f64().max(f64::EPSILON);
    let bare_records: Vec<Record> = all_records_for_bare(&keys, &c);
    let bare_s = bare_insert_seconds(dir.path(), &bare_records);
    vec![line(
        header(a),
        json!({
            "rows": a.rows, "rows_pulled": report.pulled,
            "wall_seconds": wall, "server_fetch_seconds": fetch_s, "apply_seconds": apply_s,
            "rows_per_second": report.pulled as f64 / apply_s,
            "bare_insert_seconds": bare_s,
            "bare_rows_per_second": bare_records.len() as f64 / bare_s,
            "apply_vs_bare": bare_s / apply_s * (report.pulled as f64 / bare_records.len() as f64),
            "requests": report.requests, "bytes_sent": s1 - s0, "bytes_received": r1 - r0,
            "device_db_bytes": file_size(dir.path(), "station0"),
            "expected_unique": expected, "found_unique_server": served,
            "found_unique_devices": [found],
            "lost": expected.saturating_sub(found.min(served)),
            "pending_left": device.pending_count().expect("pending"),
        }),
    )]
}

/// The records a pull of `keys` delivers, read from the server's storage,
/// for the bare-insert comparison.
fn all_records_for_bare(keys: &[(Kind, String)], c: &Cluster) -> Vec<Record> {
    let wanted: HashSet<&(Kind, String)> = keys.iter().collect();
    let kinds: BTreeMap<&str, Kind> = keys.iter().map(|(k, _)| (k.as_str(), *k)).collect();
    kinds
        .values()
        .flat_map(|k| c.store.records(*k).expect("records"))
        .filter(|r| wanted.contains(&(r.kind(), r.key())))
        .collect()
}
