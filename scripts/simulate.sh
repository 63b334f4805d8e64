#!/usr/bin/env bash
# The whole-system simulation (tests/tests/simulation.rs) over many seeds;
# CI runs 1,000. A failing seed prints the command that replays it.
#   scripts/simulate.sh [SEEDS] [FIRST]   (default 20000 seeds from 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
SIM_SEEDS="${1:-20000}" SIM_FIRST="${2:-1000}" \
    cargo test --locked --release -p volunteer-tests --test simulation \
    every_device_converges -- --nocapture
