#!/usr/bin/env bash
# Issue 14's scenarios at its sizes, on SQLite and PostgreSQL, for this
# checkout and optionally for an earlier commit in the same run: each line
# of OUT is one scenario's JSON, tagged "build": "before" or "after".
# docs/performance.md's issue-14 tables come from such a file (about 20
# minutes on 2 cores with a before commit).
#
#   scripts/bench-compare.sh OUT [BEFORE_COMMIT]
#
# ONLY="initial apply" runs just those scenarios (a pass that touched them).
#
# The earlier commit is built in a git worktree under target/bench-before,
# with this checkout's benchmark sources and proxies copied in, so both
# builds are measured by the same bench (it must still compile against
# that commit). `scripts/bench-tables.py OUT` prints the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/bench-compare.sh OUT [BEFORE_COMMIT]}"
before="${2:-}"
root="$(pwd)"
export CARGO="${CARGO:-$(command -v cargo)}"
cargo build --release --locked -q -p volunteer-tests --bin volunteer-bench -p volunteer-sync-server
if [ -n "$before" ]; then
    tree="$root/target/bench-before/src"
    rm -rf "$tree"
    git worktree prune
    git worktree add -q --detach "$tree" "$before"
    cp -r tests/src/bin/volunteer_bench/. "$tree/tests/src/bin/volunteer_bench/"
    # The metering proxy the bench counts through (it reads HTTP/2 too).
    cp tests/src/proxy.rs tests/src/faults.rs "$tree/tests/src/"
    (cd "$tree" && CARGO_TARGET_DIR="$root/target/bench-before/target" \
        cargo build --release --locked -q -p volunteer-tests --bin volunteer-bench -p volunteer-sync-server)
fi

# run BUILD DIR TARGET_DIR ARGS...: one scenario, its lines tagged.
run() {
    local build=$1 dir=$2 target=$3
    shift 3
    echo "== $build: volunteer-bench $*" >&2
    (cd "$dir" && CARGO_TARGET_DIR="$target" "$target/release/volunteer-bench" "$@") |
        sed "s/^{/{\"build\":\"$build\",/" >>"$out"
}

both() {
    if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $1 "* ]]; then
        return
    fi
    if [ -n "$before" ]; then
        run before "$root/target/bench-before/src" "$root/target/bench-before/target" "$@"
    fi
    run after "$root" "$root/target" "$@"
}

for b in sqlite postgres; do
    both initial --backend "$b" --volunteers 6675 --activities 2000
    both initial --backend "$b" --volunteers 66750 --activities 20000
    both checkin-burst --backend "$b" --devices 20 --per-device 250 --overlap 0.1
    for others in 0 20000 40000; do
        both hours --backend "$b" --phones 1000 --entries 3 --concurrency 50 --others "$others"
    done
    # The same pushes over a growing history: 3 more entries per volunteer each round.
    both hours --backend "$b" --phones 300 --entries 3 --concurrency 50 --rounds 25
    both noop --backend "$b"
    both apply --backend "$b" --rows 10000
    both apply --backend "$b" --rows 100000
done
