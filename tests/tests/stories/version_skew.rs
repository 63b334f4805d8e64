//! Issue 11, version skew: a server newer than the app sends a kind and a
//! value this app does not know. The page is not a failure: what the app
//! can read is applied, the rest is kept aside (counted in the status) and
//! read by a later version. The newer server is a stub on loopback: no
//! newer server exists to run.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use volunteer_tests::device;

/// Answers sign-in, then two pages: the first with a team (readable), an
/// activity with a status this app does not know and a record of a kind it
/// does not know; the second with the activity readable again and the
/// unknown record deleted.
async fn newer_server() -> String {
    let calls = Arc::new(AtomicUsize::new(0));
    let now = chrono::Utc::now();
    let activity = |status: &str| {
        json!({"id": "a1", "site_id": "s1", "team_id": null, "title": "敬老", "description": "",
               "starts_at": now + chrono::Duration::days(1), "ends_at": now + chrono::Duration::days(1) + chrono::Duration::hours(2),
               "capacity": 5, "signup_count": 0, "status": status, "created_by": null})
    };
    let pages = Arc::new(vec![
        json!([
            {"kind": "team", "key": "t1", "data": {"id": "t1", "site_id": "s1", "name": "红马甲",
              "description": "", "member_count": 0, "join_policy": "open"}},
            {"kind": "activity", "key": "a1", "data": activity("postponed")},
            {"kind": "certificate", "key": "c1", "data": {"id": "c1", "hours": 100}},
        ]),
        json!([
            {"kind": "activity", "key": "a1", "data": activity("published")},
            {"kind": "certificate", "key": "c1"},
        ]),
    ]);
    let sync = move |State(calls): State<Arc<AtomicUsize>>, Json(_req): Json<Value>| {
        let pages = pages.clone();
        async move {
            let n = calls.fetch_add(1, Ordering::SeqCst).min(pages.len() - 1);
            Json(
                json!({"results": [], "changes": pages[n], "cursor": format!("c{n}"),
                        "has_more": false, "server_time": chrono::Utc::now()}),
            )
        }
    };
    let session = |Json(_req): Json<Value>| async move {
        Json(
            json!({"token": "t", "expires_at": chrono::Utc::now() + chrono::Duration::days(1),
                    "profile": {"user_id": "v1", "display_name": "李娜", "role": "volunteer",
                                "site_id": null, "phone": null}}),
        )
    };
    let app = Router::new()
        .route("/v1/session", post(session))
        .route("/v1/sync", post(sync))
        .with_state(calls);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_newer_server_sends_that_the_app_cannot_read_is_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let url = newer_server().await;
    let phone = device(dir.path(), "phone", &url);
    phone.sign_in("v1", "x").await.unwrap();

    // The page applies: the team is there, the rest kept aside and counted.
    phone.sync().await.unwrap();
    assert_eq!(phone.teams(None).unwrap().len(), 1);
    assert!(phone.activity("a1").unwrap().is_none());
    assert_eq!(phone.sync_status().unwrap().kept_aside_count, 2);

    // The server sends the activity readable and deletes the unknown record.
    phone.sync().await.unwrap();
    assert!(phone.activity("a1").unwrap().is_some());
    assert_eq!(phone.sync_status().unwrap().kept_aside_count, 0);

    // What an older version kept aside is read by a version that can, on
    // open (here: a readable row left in the table, as if by an old app).
    drop(phone);
    let path = dir.path().join("phone.db");
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute(
        "INSERT INTO kept_aside (kind, key, data, reason, received_at)
         VALUES ('team', 't2', ?1, 'old version', '2026-01-01T00:00:00Z')",
        [
            json!({"id": "t2", "site_id": "s1", "name": "应急队", "description": "",
                "member_count": 0, "join_policy": "approval"})
            .to_string(),
        ],
    )
    .unwrap();
    drop(db);
    let phone = device(dir.path(), "phone", &url);
    assert_eq!(phone.teams(None).unwrap().len(), 2);
    assert_eq!(phone.sync_status().unwrap().kept_aside_count, 0);
}

/// A server that no longer serves this app's revision: one clear error, and
/// the sync loop stops trying (only an updated app can do better).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_needs_a_newer_app_says_so_once_and_the_loop_stops() {
    let session = |Json(_req): Json<Value>| async move {
        Json(
            json!({"token": "t", "expires_at": chrono::Utc::now() + chrono::Duration::days(1),
                    "profile": {"user_id": "v1", "display_name": "李娜", "role": "volunteer",
                                "site_id": null, "phone": null}}),
        )
    };
    let sync = |Json(_req): Json<Value>| async move {
        (
            axum::http::StatusCode::UPGRADE_REQUIRED,
            Json(json!({"code": "upgrade_required", "message": "update the app"})),
        )
    };
    let app = Router::new()
        .route("/v1/session", post(session))
        .route("/v1/sync", post(sync));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let phone = device(dir.path(), "phone", &url);
    phone.sign_in("v1", "x").await.unwrap();
    let err = phone.sync().await.unwrap_err();
    assert_eq!(err.code(), "upgrade_required", "{err}");
    phone
        .start_auto_sync(volunteer_core::AutoSyncOptions {
            min_backoff: std::time::Duration::from_millis(50),
            ..Default::default()
        })
        .unwrap();
    // Its first round fails the same way; then nothing is scheduled.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let s = phone.sync_status().unwrap();
        if s.last_error
            .as_ref()
            .is_some_and(|e| e.code == "upgrade_required")
            && s.next_attempt_at.is_none()
            && !s.syncing
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{s:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
