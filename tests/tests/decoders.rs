//! Issue 11, proof 5, on stable: every decoder the network feeds gets the
//! fuzz targets' seed inputs (every snapshot example of a mutation and a
//! record, and mangled copies of them) and every input a fuzz run ever
//! crashed on (`tests/fuzz/regressions/<target>/`). None may panic.
//! The fuzzing itself is `scripts/fuzz.sh` (nightly, libFuzzer).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use volunteer_domain::Kind;
use volunteer_domain::wire::decoders;

fn snapshot(name: &str) -> serde_json::Map<String, serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/domain/tests/snapshots")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The input and copies of it cut short, with a byte flipped, doubled.
fn mangled(input: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![input.to_vec()];
    for cut in [1, input.len() / 2, input.len().saturating_sub(1)] {
        out.push(input[..cut.min(input.len())].to_vec());
    }
    for at in (0..input.len()).step_by(7) {
        let mut m = input.to_vec();
        m[at] ^= 0x20;
        out.push(m);
    }
    out.push([input, input].concat());
    out
}

#[test]
fn seed_inputs_and_their_mangled_copies_do_not_panic_any_decoder() {
    let mutations = snapshot("mutations.json");
    for (i, m) in mutations.values().enumerate() {
        let envelope = serde_json::json!({"seq": i + 1, "id": format!("m{i}"),
            "created_at": "2026-12-01T00:00:00Z", "mutation": m});
        let request = serde_json::json!({"client_id": "c1", "mutations": [envelope.clone()]});
        for input in mangled(envelope.to_string().as_bytes()) {
            decoders::mutation(&input);
        }
        for input in mangled(request.to_string().as_bytes()) {
            decoders::sync_request(&input);
        }
    }
    let records = snapshot("records.json");
    for (name, r) in &records {
        let kind = Kind::ALL.iter().position(|k| k.as_str() == name).unwrap() as u8;
        let change = serde_json::json!({"results": [], "changes": [{"kind": name, "key": "k", "data": r}],
            "cursor": "c", "has_more": false, "server_time": "2026-12-01T00:00:00Z"});
        for input in mangled(r.to_string().as_bytes()) {
            decoders::record(&[&[kind][..], &input].concat());
        }
        for input in mangled(change.to_string().as_bytes()) {
            decoders::sync_response(&input);
        }
    }
}

#[test]
fn inputs_that_once_crashed_a_fuzz_target_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    type Decoder = fn(&[u8]);
    let targets: [(&str, Decoder); 4] = [
        ("sync_request", decoders::sync_request),
        ("sync_response", decoders::sync_response),
        ("mutation", decoders::mutation),
        ("record", decoders::record),
    ];
    for (name, decode) in targets {
        let Ok(dir) = std::fs::read_dir(root.join(name)) else {
            continue; // none found yet
        };
        for file in dir {
            let path = file.unwrap().path();
            decode(&std::fs::read(&path).unwrap());
        }
    }
}
