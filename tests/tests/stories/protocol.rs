//! Protocol edges: clear errors for bad requests, sessions, and replica misuse.

use serde_json::{Value, json};
use volunteer_core::{Error, Replica};
use volunteer_tests::{PASSWORD, TestServer, device, fixture};

async fn call(
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<String>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_status_a_code_and_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    use reqwest::Method;

    let (s, b) = call(Method::GET, format!("{url}/healthz"), None, None).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("ok")));

    // Each side says which revision of v1 it speaks; a client older than
    // the server serves gets one clear answer.
    let revision = |value: &'static str| {
        reqwest::Client::new()
            .post(format!("{url}/v1/session"))
            .header("volunteer-revision", value)
            .json(&json!({"login": "v1", "password": PASSWORD}))
            .send()
    };
    let resp = revision("0").await.unwrap();
    assert_eq!(resp.status().as_u16(), 426);
    assert_eq!(
        resp.headers()["volunteer-revision"],
        volunteer_domain::wire::PROTOCOL_REVISION
            .to_string()
            .as_str()
    );
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["code"], "upgrade_required");
    let resp = revision("two").await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let resp = revision("2").await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()["volunteer-revision"],
        volunteer_domain::wire::PROTOCOL_REVISION
            .to_string()
            .as_str()
    );

    let (s, b) = call(
        Method::POST,
        format!("{url}/v2/sync"),
        None,
        Some("{}".into()),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("unsupported_protocol")));
    assert!(b["message"].as_str().unwrap().contains("v1"));

    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        None,
        Some("{}".into()),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (401, Some("unauthorized")));

    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/session"),
        None,
        Some(json!({"login": "v1", "password": "wrong"}).to_string()),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (401, Some("unauthorized")));

    let token = volunteer_tests::token(&url, "v1").await;
    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        Some(&token),
        Some("{not json".into()),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("bad_request")));

    let (s, b) = call(Method::GET, format!("{url}/v1/sync"), Some(&token), None).await;
    assert_eq!((s, b["code"].as_str()), (405, Some("bad_request")));

    let (s, b) = call(Method::GET, format!("{url}/v1/nothing"), None, None).await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));

    // A seq that skips ahead is refused as a whole, and nothing is applied.
    let gap = json!({"client_id": "c1", "mutations": [{
        "seq": 2, "id": "m", "created_at": chrono::Utc::now(),
        "mutation": {"type": "join_team", "team_id": fx.team_a.id}}]});
    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        Some(&token),
        Some(gap.to_string()),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("sequence_gap")));
    assert_eq!(server.store.mutation_count().unwrap(), 0);

    // A mutation this server does not understand (an app newer than the
    // server: an unknown type, or an unknown value) is that mutation's own
    // rejection, never a whole-request error that would block the queue;
    // the mutations after it apply, and a resend is answered from the log.
    let newer = json!({"client_id": "c0", "mutations": [
        {"seq": 1, "id": "m1", "created_at": chrono::Utc::now(), "mutation": {"type": "teleport"}},
        {"seq": 2, "id": "m2", "created_at": chrono::Utc::now(), "mutation": {
            "type": "set_team_role", "team_id": fx.team_a.id, "volunteer_id": fx.id("v2"),
            "role": "captain"}},
        {"seq": 3, "id": "m3", "created_at": "not a time", "mutation": {
            "type": "join_team", "team_id": fx.team_a.id}},
        {"seq": 4, "id": "m4", "created_at": chrono::Utc::now(), "mutation": {
            "type": "join_team", "team_id": fx.team_a.id}}]});
    for _ in 0..2 {
        let (s, b) = call(
            Method::POST,
            format!("{url}/v1/sync"),
            Some(&token),
            Some(newer.to_string()),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let got: Vec<(&str, Option<&str>)> = b["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["status"].as_str().unwrap(), r["code"].as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("rejected", Some("unsupported")),
                ("rejected", Some("unsupported")),
                ("rejected", Some("unsupported")),
                ("applied", None)
            ],
            "{b}"
        );
        assert!(
            b["results"][0]["message"]
                .as_str()
                .unwrap()
                .contains("teleport")
        );
    }
    assert_eq!(
        server.store.mutation_count().unwrap(),
        4,
        "each logged once"
    );

    // A client id is bound to the user who first pushed with it.
    let first = json!({"client_id": "c1", "mutations": [{
        "seq": 1, "id": "m", "created_at": chrono::Utc::now(),
        "mutation": {"type": "join_team", "team_id": fx.team_a.id}}]});
    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        Some(&token),
        Some(first.to_string()),
    )
    .await;
    assert_eq!(
        (s, b["results"][0]["status"].as_str()),
        (200, Some("applied"))
    );
    let other = volunteer_tests::token(&url, "v2").await;
    for body in [first, json!({"client_id": "c1"})] {
        let (s, b) = call(
            Method::POST,
            format!("{url}/v1/sync"),
            Some(&other),
            Some(body.to_string()),
        )
        .await;
        assert_eq!((s, b["code"].as_str()), (409, Some("client_mismatch")));
    }
    assert_eq!(server.store.mutation_count().unwrap(), 5);

    // Too many mutations in one push.
    let many: Vec<Value> = (1..=501)
        .map(|i| {
            json!({"seq": i, "id": "m", "created_at": chrono::Utc::now(),
                        "mutation": {"type": "join_team", "team_id": "t"}})
        })
        .collect();
    let body = json!({"client_id": "c2", "mutations": many}).to_string();
    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("bad_request")));

    // The token is checked before the body is read: a bad body without a
    // token is a 401, not a 400.
    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        None,
        Some("{not json".into()),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (401, Some("unauthorized")));

    // A garbage cursor restarts the feed rather than failing.
    let body = json!({"client_id": "c1", "cursor": "v1.zz.9"}).to_string();
    let (s, b) = call(
        Method::POST,
        format!("{url}/v1/sync"),
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!((s, b["reset"].as_bool()), (200, Some(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_sign_in_and_out_and_protect_pending_work() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let phone = device(dir.path(), "phone", &url);

    assert!(matches!(phone.sync().await, Err(Error::SignedOut)));
    assert!(matches!(
        phone.join_team(&fx.team_a.id),
        Err(Error::SignedOut)
    ));
    let err = phone.sign_in("v1", "wrong").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "password"),
        "{err:?}"
    );

    let profile = phone.sign_in("v1", PASSWORD).await.unwrap();
    assert_eq!(profile.display_name, "李娜");
    phone.sync().await.unwrap();
    phone.join_team(&fx.team_a.id).unwrap();
    let err = phone.sign_out(false).await.unwrap_err();
    assert_eq!(err, Error::PendingChanges { count: 1 });
    assert_eq!(phone.my_memberships().unwrap().len(), 1, "nothing dropped");

    let other = phone.sign_in("v2", PASSWORD).await.unwrap_err();
    assert!(
        matches!(other, Error::InvalidInput { .. }),
        "another user must wait for sign-out"
    );

    // A rejected action waiting for the user's decision also holds sign-out.
    phone.sync().await.unwrap();
    server
        .store
        .put_records(&[volunteer_domain::Record::Activity(
            volunteer_domain::Activity {
                capacity: 0,
                ..fx.activity_b.clone()
            },
        )])
        .unwrap();
    phone.sync().await.unwrap();
    phone.sign_up(&fx.activity_b.id).unwrap();
    assert_eq!(phone.sync().await.unwrap().rejected, 1);
    assert_eq!(
        phone.sign_out(false).await.unwrap_err(),
        Error::PendingChanges { count: 1 }
    );
    let seq = phone.rejections().unwrap()[0].seq;
    phone.discard_rejection(seq).unwrap();
    phone.sign_out(false).await.unwrap();
    assert!(phone.profile().unwrap().is_none());
    assert!(
        phone.record_counts().unwrap().is_empty(),
        "local data removed"
    );
    assert!(matches!(phone.sync().await, Err(Error::SignedOut)));

    // The next user of the device starts clean, with their own client id.
    phone.sign_in("v2", PASSWORD).await.unwrap();
    phone.sync().await.unwrap();
    assert!(phone.my_memberships().unwrap().is_empty());
    phone.join_team(&fx.team_a.id).unwrap();
    assert_eq!(phone.sync().await.unwrap().applied, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_file_is_opened_once_and_bad_urls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let first = Replica::open(&path, "http://127.0.0.1:9").unwrap();
    assert!(matches!(
        Replica::open(&path, "http://127.0.0.1:9"),
        Err(Error::AlreadyOpen(_))
    ));
    drop(first);
    Replica::open(&path, "http://127.0.0.1:9").unwrap();

    // Reopening right after the drop works even while the notification
    // thread is reading the status (it must not hold the file open).
    struct Quiet;
    impl volunteer_core::StatusListener for Quiet {
        fn on_status(&self, _: volunteer_core::SyncStatus) {}
    }
    for _ in 0..50 {
        let r = Replica::open(&path, "http://127.0.0.1:9").unwrap();
        let _sub = r.subscribe_status(std::sync::Arc::new(Quiet));
        let _ = r.sync_status();
        drop(r);
    }
    let bad = Replica::open(dir.path().join("x.db"), "ftp://example");
    assert!(matches!(bad, Err(Error::InvalidInput { .. })));
    let options = volunteer_core::SyncOptions {
        push_batch_size: 501,
        ..Default::default()
    };
    let bad = Replica::open_with(dir.path().join("y.db"), "http://127.0.0.1:9", options);
    assert!(
        matches!(bad, Err(Error::InvalidInput { .. })),
        "the server takes at most 500"
    );
}

/// A first sync over many pages drops the replica's two large indexes and
/// builds them once at the end, then packs the file; the replica then holds
/// everything and its queries still use them (a regression of any shows
/// here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paged_first_download_rebuilds_the_replica_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    add_scattered_activities(&server, &fx);
    let options = volunteer_core::SyncOptions {
        pull_page_size: 50,
        ..Default::default()
    };
    let path = dir.path().join("paged.db");
    let staff = Replica::open_with(&path, &server.url(), options).unwrap();
    staff.sign_in("staff-a", PASSWORD).await.unwrap();
    let report = staff.sync().await.unwrap();
    assert!(report.requests > 3, "paged: {report:?}");
    assert!(staff.activity(&fx.activity_a.id).unwrap().is_some());
    drop(staff);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'record_rows' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in ["records_by_activity", "records_by_volunteer"] {
        assert!(indexes.iter().any(|i| i == name), "{name} in {indexes:?}");
    }
    // Dropping an index drops its planner statistics; they came back too.
    let stats: Vec<String> = conn
        .prepare("SELECT idx FROM sqlite_stat1 WHERE tbl = 'record_rows' ORDER BY idx")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in ["records_by_activity", "records_by_volunteer"] {
        assert!(stats.iter().any(|i| i == name), "{name} in {stats:?}");
    }
    assert_packed(&conn);
}

/// A first download in one page is packed too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_download_in_one_page_leaves_the_file_packed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    add_scattered_activities(&server, &fx);
    let path = dir.path().join("one-page.db");
    let staff = Replica::open(&path, &server.url()).unwrap();
    staff.sign_in("staff-a", PASSWORD).await.unwrap();
    assert_eq!(staff.sync().await.unwrap().requests, 1);
    drop(staff);
    assert_packed(&rusqlite::Connection::open(&path).unwrap());
}

/// Enough activities at station a, in random key order, that a replica's
/// unpacked (kind, key) index would leave pages half empty.
fn add_scattered_activities(server: &TestServer, fx: &fixture::Fixture) {
    let more: Vec<_> = (0..600u64)
        .map(|i| {
            let id = format!("{:016x}", (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            volunteer_domain::Record::Activity(volunteer_domain::Activity {
                id,
                ..fx.activity_a.clone()
            })
        })
        .collect();
    server.store.put_records(&more).unwrap();
}

/// The file was compacted after its download: packing it again frees
/// nothing (any connection can: the schema needs no function to write).
fn assert_packed(conn: &rusqlite::Connection) {
    let pages = || -> (i64, i64) {
        conn.query_row(
            "SELECT page_count, freelist_count FROM pragma_page_count, pragma_freelist_count",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let downloaded = pages();
    conn.execute_batch("VACUUM").unwrap();
    assert_eq!(downloaded, pages(), "(pages, free pages)");
}

/// Issue 10 §5: every text has a bound and every id one rule, on the server
/// as on the device: an oversized phone, an id with a `/`, a schedule years
/// ahead are refused with a code and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_bounds_inputs_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let url = server.url();
    let token = volunteer_tests::token(&url, "r1").await;
    let now = chrono::Utc::now();
    let order = |id: &str, phone: String, desired: chrono::DateTime<chrono::Utc>| {
        json!({"type": "place_order", "order_id": id, "site_id": fx.station_a.id,
            "category": "助老", "description": "", "desired_at": desired.to_rfc3339(),
            "phone": phone, "address": "幸福里3号"})
    };
    let mutations: Vec<Value> = [
        order("o1", "1".repeat(3_000_011), now),
        order("o2/x", "13800000000".into(), now),
        order("o3", "13800000000".into(), now + chrono::Duration::days(3650)),
        order("o4", "13800000000".into(), now),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, m)| {
        json!({"seq": i + 1, "id": format!("m{i}"), "created_at": now.to_rfc3339(), "mutation": m})
    })
    .collect();
    let (s, b) = call(
        reqwest::Method::POST,
        format!("{url}/v1/sync"),
        Some(&token),
        Some(json!({"client_id": "phone-r1", "mutations": mutations}).to_string()),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let codes: Vec<&str> = b["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap_or("applied"))
        .collect();
    assert_eq!(
        codes,
        ["invalid_input", "invalid_input", "invalid_input", "applied"]
    );
    let orders = server
        .store
        .records(volunteer_core::Kind::ServiceOrder)
        .unwrap();
    assert_eq!(orders.len(), 1, "only the well-formed order is stored");
}

/// Issue 14: a large download does not stay on the phone twice. The sync
/// that pulled it checkpoints the WAL into the database file and empties it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_download_leaves_no_copy_in_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let many: Vec<volunteer_domain::Record> = (0..1200)
        .map(|i| {
            let mut a = fx.activity_a.clone();
            a.id = format!("bulk-{i:04}");
            volunteer_domain::Record::Activity(a)
        })
        .collect();
    server.store.put_records(&many).unwrap();
    let path = dir.path().join("staff.db");
    let staff = Replica::open(&path, &server.url()).unwrap();
    staff.sign_in("staff-a", PASSWORD).await.unwrap();
    let report = staff.sync().await.unwrap();
    assert!(report.pulled >= 1200, "{report:?}");
    let wal = std::fs::metadata(dir.path().join("staff.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the WAL still holds {wal} bytes");
    assert!(staff.activity("bulk-1199").unwrap().is_some());
}
