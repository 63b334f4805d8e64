//! Issue 12, the console's session and form protections over real HTTP:
//! cookie attributes, the sign-in form and action forms refused from
//! another origin or without their token, and no text from the address
//! shown as a message.

use reqwest::header;
use volunteer_tests::{PASSWORD, TestServer, fixture};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(url: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client()
        .post(format!("{url}/console/login"))
        .form(&[("login", "staff-a"), ("password", PASSWORD)]);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn console_sessions_and_forms_resist_other_sites() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    fixture::seed(server.store.as_ref());
    let url = server.url();

    // Another site's page cannot sign a browser in (login CSRF).
    let forged = sign_in(&url, &[("origin", "http://evil.example")]).await;
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get(header::SET_COOKIE).is_none());

    let ok = sign_in(&url, &[]).await;
    assert_eq!(ok.status(), 303);
    let cookie = ok.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let behind_tls = sign_in(&url, &[("x-forwarded-proto", "https")]).await;
    let tls_cookie = behind_tls.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(tls_cookie.contains("; Secure"), "{tls_cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();

    // Pages: never cached, never framed; a message from the address is not echoed.
    let page = client()
        .get(format!("{url}/console/orders?failed=Call+13900000000+now"))
        .header(header::COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers()[header::X_FRAME_OPTIONS], "DENY");
    assert!(page.headers().contains_key(header::CONTENT_SECURITY_POLICY));
    let html = page.text().await.unwrap();
    assert!(!html.contains("13900000000 now"), "arbitrary text shown");
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    // An action: refused from another origin or without the token; taken with both right.
    let act = |origin: Option<&str>, token: &str| {
        let mut req = client()
            .post(format!("{url}/console/act"))
            .header(header::COOKIE, &session)
            .form(&[
                ("csrf", token),
                ("form_id", "f-1"),
                ("op", "create_campaign"),
                ("campaign_id", "camp-console"),
                ("site_id", "sa"),
                ("name", "冬衣募集"),
                ("back", "/console/donations"),
            ]);
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        req.send()
    };
    assert_eq!(
        act(Some("http://evil.example"), &csrf)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(act(None, "not-the-token").await.unwrap().status(), 403);
    let done = act(None, &csrf).await.unwrap();
    assert_eq!(done.status(), 303);
    assert!(
        done.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("done=1")
    );
    assert_eq!(
        server
            .store
            .records(volunteer_domain::Kind::Campaign)
            .unwrap()
            .len(),
        1,
        "applied once"
    );
    // Signed out: the session is gone.
    client()
        .post(format!("{url}/console/logout"))
        .header(header::COOKIE, &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let after = client()
        .get(format!("{url}/console/orders"))
        .header(header::COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "back to the sign-in page");
}
