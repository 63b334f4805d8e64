//! Harness for end-to-end stories: a real sync server on 127.0.0.1 with a
//! real SQLite file, a fixture district with known accounts, and a TCP proxy
//! that can cut a connection after the server has answered (a lost response).

pub mod blocking;
pub mod faults;
pub mod fixture;
pub mod proxy;
pub mod server;

pub use fixture::{Fixture, PASSWORD};
pub use proxy::CutProxy;
pub use server::{TestServer, free_addr};

use volunteer_core::Replica;

/// Open a replica file in `dir` syncing with `url`.
pub fn device(dir: &std::path::Path, name: &str, url: &str) -> Replica {
    Replica::open(dir.join(format!("{name}.db")), url).expect("open replica")
}

/// A device signed in as `login` (fixture password) that has synced once.
pub async fn signed_in(dir: &std::path::Path, name: &str, url: &str, login: &str) -> Replica {
    let replica = device(dir, name, url);
    replica.sign_in(login, PASSWORD).await.expect("sign in");
    replica.sync().await.expect("first sync");
    replica
}

/// A session token for `login` (fixture password), signed in over raw HTTP.
pub async fn token(url: &str, login: &str) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/session"))
        .json(&serde_json::json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), 200, "sign in as {login}");
    let body: serde_json::Value = resp.json().await.expect("sign-in body");
    body["token"].as_str().expect("a token").to_owned()
}
