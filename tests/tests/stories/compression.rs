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
    let token = volunteer_tests::token(&url, "admin").await;
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

/// `n` hour reports two hours apart, queued offline.
fn queue_reports(phone: &volunteer_core::Replica, n: usize) {
    let now = chrono::Utc::now();
    for i in 0..n {
        phone
            .report_hours(volunteer_core::HoursReport {
                activity_id: None,
                team_id: None,
                started_at: now - chrono::Duration::days(2) - chrono::Duration::hours(2 * i as i64),
                minutes: 60,
                description: "为独居老人送餐".into(),
            })
            .unwrap();
    }
}

#[tokio::test]
async fn a_backlog_goes_up_compressed_to_a_server_heard_to_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let proxy = volunteer_tests::CutProxy::start(server.addr).await;
    let url = proxy.url();
    // v1 has synced before, so its replica remembers the server's revision
    // across a restart; v2 has only signed in, so after its restart the
    // device has not heard the server yet and sends plain JSON.
    drop(volunteer_tests::signed_in(dir.path(), "v1", &url, "v1").await);
    let v2 = volunteer_tests::device(dir.path(), "v2", &url);
    v2.sign_in("v2", PASSWORD).await.unwrap();
    queue_reports(&v2, 100);
    drop(v2);
    let v1 = volunteer_tests::device(dir.path(), "v1", &url);
    queue_reports(&v1, 100);

    let push = |phone: volunteer_core::Replica| {
        let proxy = &proxy;
        async move {
            let before = proxy.bytes_sent();
            let report = phone.sync().await.unwrap();
            assert_eq!((report.pushed, report.applied), (100, 100));
            proxy.bytes_sent() - before
        }
    };
    let packed = push(v1).await;
    let plain = push(volunteer_tests::device(dir.path(), "v2", &url)).await;
    assert!(
        packed * 4 < plain,
        "100 reports: {packed} bytes compressed, {plain} plain"
    );
    let entries = server
        .store
        .records(volunteer_domain::Kind::HourEntry)
        .unwrap();
    assert_eq!(entries.len(), 200, "every report applied once");
}

#[tokio::test]
async fn a_request_body_in_an_unknown_or_broken_coding_is_refused_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let url = server.url();
    let raw = reqwest::Client::new();
    let token = volunteer_tests::token(&url, "v1").await;
    let body =
        serde_json::to_vec(&serde_json::json!({"client_id": "c1", "mutations": []})).unwrap();
    let send = |coding: &'static str, body: Vec<u8>| {
        raw.post(format!("{url}/v1/sync"))
            .bearer_auth(&token)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, coding)
            .body(body)
            .send()
    };
    let code = |resp: reqwest::Response| async move {
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap();
        (status, body["code"].as_str().unwrap().to_owned())
    };
    // Both codings the server reads.
    let z = zstd::bulk::compress(&body, 3).unwrap();
    assert_eq!(send("zstd", z).await.unwrap().status(), 200);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &body).unwrap();
    assert_eq!(
        send("gzip", gz.finish().unwrap()).await.unwrap().status(),
        200
    );
    // Another coding, or bytes that are not what they claim: 400 with a code.
    let got = code(send("br", body.clone()).await.unwrap()).await;
    assert_eq!(got, (400, "bad_request".to_owned()));
    let got = code(send("zstd", body.clone()).await.unwrap()).await;
    assert_eq!(got, (400, "bad_request".to_owned()));
    // A small bomb: the limit counts decoded bytes.
    let bomb = zstd::bulk::compress(&vec![b' '; 8 << 20], 1).unwrap();
    assert!(bomb.len() < 4 << 10, "{}", bomb.len());
    let got = code(send("zstd", bomb).await.unwrap()).await;
    assert_eq!(got, (413, "payload_too_large".to_owned()));
}
