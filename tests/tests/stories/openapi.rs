//! Issue 11: `docs/openapi.json` describes the protocol as the code speaks
//! it. Its enumerations are the code's (error codes, rejection codes,
//! record kinds, roles, mutation types), and real responses of a real
//! server carry exactly the fields it describes: every required one, and
//! none it does not name. `scripts/schemathesis.sh` then throws generated
//! requests at a live server and checks every answer against it.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use volunteer_domain::{ApiErrorCode, Kind, RejectCode, Role};
use volunteer_tests::{PASSWORD, TestServer, fixture};

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    &spec["components"]["schemas"][name]
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

#[test]
fn the_description_enumerates_what_the_code_knows() {
    let s = spec();
    let api = strings(&schema(&s, "ApiError")["properties"]["code"]["enum"]);
    assert_eq!(api, set(ApiErrorCode::ALL.iter().map(|c| c.as_str())));
    let rejections = strings(&schema(&s, "MutationResult")["properties"]["code"]["enum"]);
    assert_eq!(rejections, set(RejectCode::ALL.iter().map(|c| c.as_str())));
    let kinds = strings(&schema(&s, "Change")["properties"]["kind"]["enum"]);
    assert_eq!(kinds, set(Kind::ALL.iter().map(|k| k.as_str())));
    let roles = strings(&schema(&s, "Profile")["properties"]["role"]["enum"]);
    assert_eq!(roles, set(Role::ALL.iter().map(|r| r.as_str())));
    // Every mutation type: the snapshot holds one example of each (the
    // domain's snapshot test fails when one is missing).
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/domain/tests/snapshots/mutations.json"
    );
    let examples: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let named: BTreeSet<String> = examples.as_object().unwrap().keys().cloned().collect();
    let types = strings(&schema(&s, "Mutation")["properties"]["type"]["enum"]);
    assert_eq!(types, named);
    let version = s["info"]["version"].as_str().unwrap();
    let revision = volunteer_domain::wire::PROTOCOL_REVISION;
    assert!(
        version.contains(&format!("revision {revision}")),
        "{version}"
    );
}

/// `value` has every property `schema` requires and none it does not list.
fn conforms(spec: &Value, name: &str, value: &Value) {
    let schema = schema(spec, name);
    let listed: BTreeSet<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let present: BTreeSet<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let undocumented: Vec<_> = present.difference(&listed).collect();
    assert!(
        undocumented.is_empty(),
        "{name}: undocumented {undocumented:?} in {value}"
    );
    for required in strings(&schema["required"]) {
        assert!(
            present.contains(required.as_str()),
            "{name}: no {required} in {value}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_responses_carry_the_described_fields() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server.db")).await;
    let fx = fixture::seed(server.store.as_ref());
    let s = spec();
    let http = reqwest::Client::new();
    let url = server.url();

    let refused: Value = http
        .post(format!("{url}/v1/session"))
        .json(&json!({"login": "v1", "password": "wrong"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    conforms(&s, "ApiError", &refused);
    let session: Value = http
        .post(format!("{url}/v1/session"))
        .json(&json!({"login": "v1", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    conforms(&s, "SignInResponse", &session);
    conforms(&s, "Profile", &session["profile"]);
    let token = session["token"].as_str().unwrap();
    let push = json!({"client_id": "c1", "mutations": [
        {"seq": 1, "id": "m1", "created_at": chrono::Utc::now(),
         "mutation": {"type": "join_team", "team_id": fx.team_a.id}},
        {"seq": 2, "id": "m2", "created_at": chrono::Utc::now(),
         "mutation": {"type": "sign_up", "activity_id": "nowhere"}}]});
    let synced: Value = http
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .json(&push)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    conforms(&s, "SyncResponse", &synced);
    for r in synced["results"].as_array().unwrap() {
        conforms(&s, "MutationResult", r);
    }
    assert_eq!(synced["results"][1]["code"], "not_found");
    let changes = synced["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for c in changes {
        conforms(&s, "Change", c);
    }
}
