//! Issue 14, negotiated compression: a client that asks (`Accept-Encoding`)
//! gets a large answer compressed, one that does not (curl) gets plain
//! JSON, and a small answer is never compressed.

use reqwest::header;
use volunteer_tests::{PASSWORD, TestServer, fixture};

#[tokio::test]
async fn large_answers_are_compressed_only_for_clients_that_ask() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let url = server.url();
    // No automatic decoding: the test sees the wire.
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_zstd()
        .build()
        .unwrap();
    let token = raw
        .post(format!("{url}/v1/session"))
        .json(&serde_json::json!({"login": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let pull = |encoding: Option<&'static str>| {
        let mut req = raw
            .post(format!("{url}/v1/sync"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"client_id": "c1", "mutations": []}));
        if let Some(e) = encoding {
            req = req.header(header::ACCEPT_ENCODING, e);
        }
        req.send()
    };
    let plain = pull(None).await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    assert!(
        plain_len > 1024,
        "the admin's first page is large: {plain_len}"
    );
    for (asked, got) in [("zstd", "zstd"), ("gzip", "gzip"), ("zstd, gzip", "zstd")] {
        let resp = pull(Some(asked)).await.unwrap();
        assert_eq!(resp.headers()[header::CONTENT_ENCODING], got, "{asked}");
        let packed = resp.bytes().await.unwrap().len();
        assert!(
            packed * 3 < plain_len,
            "{asked}: {packed} of {plain_len} bytes"
        );
    }
    // A small answer (sign-out's empty one, an error) is left alone.
    let small = raw
        .post(format!("{url}/v1/sync"))
        .header(header::ACCEPT_ENCODING, "zstd")
        .json(&serde_json::json!({"client_id": "c1", "mutations": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), 401);
    assert!(small.headers().get(header::CONTENT_ENCODING).is_none());
    // The device core asks, and decodes.
    let phone = volunteer_tests::signed_in(dir.path(), "phone", &url, "admin").await;
    assert!(phone.sites().unwrap().len() >= 4);
}
