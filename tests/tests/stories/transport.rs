//! Revision 4, a no-op sync in a few hundred bytes: a device's syncs move
//! to cleartext HTTP/2 once the server has said it speaks it, fall back to
//! HTTP/1.1 for good where something between does not carry it, and a
//! revision 4 client gets answers without what it already knows.

use serde_json::{Value, json};
use volunteer_core::Kind;
use volunteer_tests::{CutProxy, TestServer, fixture, signed_in, token};

use crate::owned_by;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_move_to_http2_and_fall_back_where_it_is_not_carried() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());

    // On a path that carries HTTP/2: the sign-in (HTTP/1.1) hears revision
    // 4, and the syncs go on HTTP/2, pushes included.
    let wire = CutProxy::metering(server.addr).await;
    let fresh = volunteer_tests::device(dir.path(), "fresh", &wire.url());
    assert!(
        !fresh.uses_http2_cleartext(),
        "not before the server said so"
    );
    let direct = signed_in(dir.path(), "direct", &wire.url(), "v1").await;
    assert!(direct.uses_http2_cleartext());
    direct.join_team(&fx.team_a.id).unwrap();
    let (all, on_http2) = (wire.requests(), wire.http2_requests());
    let r = direct.sync().await.unwrap();
    assert_eq!((r.pushed, r.applied), (1, 1));
    assert!(direct.uses_http2_cleartext());
    assert_eq!(
        (wire.requests() - all, wire.http2_requests() - on_http2),
        (1, 1),
        "the push went on HTTP/2"
    );
    let v1 = fx.id("v1");
    assert_eq!(
        owned_by(server.store.as_ref(), Kind::Membership, &v1).len(),
        1
    );
    // A restarted app remembers the revision and starts on HTTP/2.
    drop(direct);
    let again = volunteer_tests::device(dir.path(), "direct", &wire.url());
    let on_http2 = wire.http2_requests();
    again.sync().await.unwrap();
    assert!(again.uses_http2_cleartext());
    assert_eq!(
        wire.http2_requests() - on_http2,
        1,
        "the first sync on HTTP/2"
    );

    // Through a proxy that closes HTTP/2 connections: the HTTP/2 attempt
    // fails, the same sync goes through on HTTP/1.1, and stays there.
    let proxy = CutProxy::start(server.addr).await;
    let behind = signed_in(dir.path(), "behind", &proxy.url(), "v2").await;
    behind.join_team(&fx.team_a.id).unwrap();
    let r = behind.sync().await.unwrap();
    assert_eq!((r.pushed, r.applied), (1, 1));
    assert!(!behind.uses_http2_cleartext());
    let before = proxy.requests();
    behind.sync().await.unwrap();
    assert_eq!(
        proxy.requests(),
        before + 1,
        "one HTTP/1.1 request per sync"
    );
    assert_eq!(
        owned_by(server.store.as_ref(), Kind::Membership, &fx.id("v2")).len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_on_http2_that_moves_behind_an_http1_proxy_keeps_syncing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let path = CutProxy::metering(server.addr).await;
    let phone = signed_in(dir.path(), "phone", &path.url(), "v1").await;
    phone.sync().await.unwrap();
    assert!(phone.uses_http2_cleartext());

    // The network changes: new connections meet a proxy that reads only
    // HTTP/1.1. Once the kept connection is gone (idle for 5 s), the next
    // HTTP/2 sync fails, and the same sync goes through on HTTP/1.1.
    path.set_pass_http2(false);
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    phone.join_team(&fx.team_a.id).unwrap();
    let r = phone.sync().await.unwrap();
    assert_eq!((r.pushed, r.applied), (1, 1));
    assert!(!phone.uses_http2_cleartext());
    assert_eq!(phone.pending_count().unwrap(), 0);
}

async fn sync_as(url: &str, token: &str, revision: &str, body: &Value) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .header("volunteer-revision", revision)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_4_client_is_not_told_what_it_already_knows() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let url = server.url();
    let t = token(&url, "v1").await;

    let first = sync_as(&url, &t, "4", &json!({"client_id": "c"})).await;
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    let epoch = first["epoch"].as_str().unwrap().to_owned();
    assert!(first["changes"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(first.get("results").is_none(), "{first}");
    assert!(first.get("has_more").is_none() && first.get("reset").is_none());

    // Nothing new: only the server's time, and the cursor only if it
    // moved (on PostgreSQL it carries the feed's watermark, which other
    // transactions advance; on SQLite it stays).
    let noop = json!({"client_id": "c", "cursor": cursor, "epoch": epoch});
    let answer = sync_as(&url, &t, "4", &noop).await;
    let keys: Vec<&str> = answer
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .filter(|k| *k != "cursor")
        .collect();
    assert_eq!(keys, ["server_time"], "{answer}");
    if let Some(moved) = answer.get("cursor") {
        assert_ne!(moved, cursor.as_str(), "an unchanged cursor is left out");
    }

    // A revision 3 client is answered in full.
    let answer = sync_as(&url, &t, "3", &noop).await;
    for key in ["results", "changes", "cursor", "has_more", "reset", "epoch"] {
        assert!(
            answer.get(key).is_some(),
            "{key} missing for revision 3: {answer}"
        );
    }
}
