#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, every Rust test
# (unit tests beside the code, end-to-end stories in tests/).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
