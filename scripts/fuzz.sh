#!/usr/bin/env bash
# Fuzz the decoders every byte from the network goes through (tests/fuzz:
# sync request, sync response, mutation, record) with cargo-fuzz and
# libFuzzer, SECONDS each (default 300; scripts/test.sh runs 20). Seeds come
# from the snapshot examples. A crash is copied to tests/fuzz/regressions/,
# where tests/tests/decoders.rs replays it on stable; the run then fails.
#   scripts/fuzz.sh [SECONDS]
# Needs the nightly toolchain (rustup); cargo-fuzz is installed from
# crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "error: the nightly toolchain is missing: rustup toolchain install nightly" >&2
    exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Seed corpora from the pinned examples.
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
snap = "core/domain/tests/snapshots"
kinds = None
muts = json.load(open(f"{snap}/mutations.json"))
recs = json.load(open(f"{snap}/records.json"))
for t in ("sync_request", "sync_response", "mutation", "record"):
    os.makedirs(f"{work}/{t}", exist_ok=True)
for i, m in enumerate(muts.values()):
    env = {"seq": i + 1, "id": f"m{i}", "created_at": "2026-12-01T00:00:00Z", "mutation": m}
    open(f"{work}/mutation/{i}", "w").write(json.dumps(env, ensure_ascii=False))
    open(f"{work}/sync_request/{i}", "w").write(json.dumps({"client_id": "c1", "mutations": [env]}, ensure_ascii=False))
for i, (name, r) in enumerate(sorted(recs.items())):
    open(f"{work}/record/{i}", "wb").write(bytes([i]) + json.dumps(r, ensure_ascii=False).encode())
    page = {"results": [], "changes": [{"kind": name, "key": "k", "data": r}], "cursor": "c",
            "has_more": False, "server_time": "2026-12-01T00:00:00Z"}
    open(f"{work}/sync_response/{i}", "w").write(json.dumps(page, ensure_ascii=False))
PY
status=0
for target in sync_request sync_response mutation record; do
    echo "== fuzz $target for ${seconds}s"
    if ! cargo +nightly fuzz run --fuzz-dir tests/fuzz "$target" "$work/$target" -- \
        -max_total_time="$seconds" -artifact_prefix="$work/$target-"; then
        mkdir -p "tests/fuzz/regressions/$target"
        cp "$work/$target"-* "tests/fuzz/regressions/$target/" 2>/dev/null || true
        echo "error: $target crashed; the input is in tests/fuzz/regressions/$target/" >&2
        status=1
    fi
done
exit "$status"
