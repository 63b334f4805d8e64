#!/usr/bin/env bash
# The staff console in a real browser (tests/console): Debian's chromium
# driven by playwright-core from npm, axe-core for accessibility, against a
# real server with the demo district and real device cores. Installs
# chromium, Node.js and the npm packages when missing (never downloads a browser).
# Screenshots of every main page land in target/console-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd -P)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing chromium and CJK fonts (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "== installing Node.js and npm (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
cargo build --locked -p volunteer-sync-server -p volunteer-tests --bin volunteer-sync-server --bin volunteer-device
(cd tests/console && { [[ -d node_modules/playwright-core && -d node_modules/axe-core && -d node_modules/xlsx ]] || npm ci --no-audit --no-fund; })
export SERVER_BIN="$CARGO_TARGET_DIR/debug/volunteer-sync-server"
export DEVICE_BIN="$CARGO_TARGET_DIR/debug/volunteer-device"
export CHROMIUM="$(command -v chromium)"
export SCREENSHOTS="$CARGO_TARGET_DIR/console-screenshots"
rm -rf "$SCREENSHOTS"
cd tests/console
timeout 600 node --test --test-concurrency=1 --test-reporter=spec console.test.mjs
echo "screenshots: $SCREENSHOTS"
