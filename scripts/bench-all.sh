#!/usr/bin/env bash
# Every benchmark scenario at its default size and at ten times it, on SQLite
# and on PostgreSQL with one and two server instances; one JSON line per run
# is appended to OUT (default bench-results.jsonl). Takes a while (about 15
# minutes on 2 cores). docs/performance.md is written from such a file.
#
#   scripts/bench-all.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench-results.jsonl}"
cargo build --release --locked -q -p volunteer-tests --bin volunteer-bench -p volunteer-sync-server
bench=target/release/volunteer-bench
export CARGO="${CARGO:-$(command -v cargo)}"

run() {
    echo "== volunteer-bench $*" >&2
    "$bench" "$@" | tee -a "$out"
}

for backend in "sqlite" "postgres --instances 1" "postgres --instances 2"; do
    # shellcheck disable=SC2086 # backend holds two flags
    set -- --backend $backend
    run checkin-burst "$@"
    run checkin-burst "$@" --devices 100
    run hours "$@"
    run hours "$@" --phones 1000
    if [[ "$backend" != *"--instances 2"* ]]; then
        run initial "$@"
        run initial "$@" --volunteers 66750 --activities 10000
        run noop "$@"
        run noop "$@" --repeat 500
        run apply "$@"
        run apply "$@" --rows 100000
    fi
done
# A longer run for memory: ten rounds of the hours load on two instances.
run hours --backend postgres --instances 2 --rounds 10
