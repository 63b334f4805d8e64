#!/usr/bin/env bash
# The long runs of what CI runs short: the evidence property with many more
# generated districts and mutation sequences (CI: 64 cases), then the
# whole-system simulation over 20,000 more seeds (CI: 1,000).
#   scripts/long-checks.sh [CASES]    (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
PROPTEST_CASES="${1:-20000}" cargo test --locked -p volunteer-domain --test evidence -- --nocapture
./scripts/simulate.sh
