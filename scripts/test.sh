#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. Rust: formatting, clippy, unit tests and end-to-end stories, the
#      server's tests and the stories once on SQLite and once more on a
#      throwaway PostgreSQL server (scripts/pg.sh) started and stopped here;
#   2. Kotlin: the generated bindings compiled by Maven, JUnit on the JVM
#      against the cdylib and a real sync server; the demo app's view models
#      and Compose screens (android-demo), tested the same way;
#   3. Swift: the generated bindings in a SwiftPM package, XCTest against the
#      same, with Swift from a cached Debian trixie chroot; the demo app's
#      view models (ios-demo), tested the same way;
#   4. schemathesis (PyPI) against a live server, every answer checked
#      against docs/openapi.json;
#   5. the staff console in headless Chromium (playwright-core, axe-core),
#      against a live server and real device cores (scripts/console-tests.sh);
#   6. a short cargo-fuzz run of the network decoders (nightly).
# Whatever a step needs is installed here if missing; a toolchain that cannot
# be had fails the run loudly, it is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
# The physical path: the Swift chroot mounts the repository at this path.
root="$(pwd -P)"
# Every step (cargo, the generate script, Maven, SwiftPM) looks for the build here.
export CARGO_TARGET_DIR="$root/target"
# A fresh clone gains nothing from incremental caches; they would take
# gigabytes of CI's disk.
export CARGO_INCREMENTAL=0

need_apt() { # need_apt COMMAND PACKAGE...
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "== installing ${*:2} (for $1)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${@:2}" >/dev/null
    command -v "$1" >/dev/null 2>&1 || { echo "error: $1 still missing after installing ${*:2}" >&2; exit 1; }
}

echo "== Rust: cargo fmt --check"
cargo fmt --all -- --check
echo "== Rust: cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== Rust: cargo test (server on SQLite)"
cargo test --workspace --locked

echo "== Rust: the server's tests and the stories again, server on PostgreSQL"
pg_dir="$(mktemp -d)"
chmod 755 "$pg_dir"
cleanup() { ./scripts/pg.sh stop "$pg_dir/pg" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
pg_url="$(./scripts/pg.sh start "$pg_dir/pg" --fast)"
# The whole workspace again (the domain's tests take seconds): selecting
# packages would resolve other features and rebuild every test binary.
VOLUNTEER_TEST_POSTGRES="$pg_url" cargo test --workspace --locked
# Tests that hold the server's oldest transaction open (which holds back
# every pull on it) run alone, after the rest, one at a time.
VOLUNTEER_TEST_POSTGRES="$pg_url" cargo test --workspace --locked --test stories -- --ignored --test-threads=1
cleanup
trap - EXIT

echo "== bindings: build the library and the server, generate Kotlin and Swift"
./scripts/generate-bindings.sh
cargo build --locked -p volunteer-sync-server
lib_dir="$root/target/debug"

echo "== Kotlin: mvn test"
need_apt java openjdk-17-jdk-headless
need_apt mvn maven
(cd bindings/kotlin && timeout 900 mvn -B --no-transfer-progress test)

echo "== android-demo: view models and Compose UI tests on the JVM (mvn test)"
# Headless: Compose renders offscreen with Skia; screenshots in android-demo/target/screenshots.
(cd android-demo && timeout 900 mvn -B --no-transfer-progress test)

echo "== Swift: swift test"
need_apt unshare util-linux
./scripts/swift-env.sh setup
# The whole repository is mounted, so the chroot sees target/ too. XCTest
# exits 0 when no test ran, so the count is checked as well.
swift_log="$(mktemp)"
trap 'rm -f "$swift_log"' EXIT
./scripts/swift-env.sh run "$root" "cd bindings/swift && \
    VOLUNTEER_SERVER_BINARY='$lib_dir/volunteer-sync-server' timeout 900 swift test --disable-swift-testing \
    -Xlinker -L'$lib_dir' -Xlinker -lvolunteer_ffi -Xlinker -rpath -Xlinker '$lib_dir'" | tee "$swift_log"
grep -qE "Executed [1-9][0-9]* tests?, with 0 failures" "$swift_log" \
    || { echo "error: the Swift suite ran no test or failed" >&2; exit 1; }

echo "== ios-demo: the demo app's view models (Observation), swift test"
# The whole package (the app target too) builds; then the view models' tests.
./scripts/swift-env.sh run "$root" "cd ios-demo && \
    timeout 900 swift build -Xswiftc -L'$lib_dir' -Xswiftc -lvolunteer_ffi -Xlinker -rpath -Xlinker '$lib_dir' && \
    VOLUNTEER_SERVER_BINARY='$lib_dir/volunteer-sync-server' timeout 900 swift test --disable-swift-testing \
    -Xlinker -L'$lib_dir' -Xlinker -lvolunteer_ffi -Xlinker -rpath -Xlinker '$lib_dir'" | tee "$swift_log"
grep -qE "Executed [1-9][0-9]* tests?, with 0 failures" "$swift_log" \
    || { echo "error: the ios-demo suite ran no test or failed" >&2; exit 1; }

echo "== OpenAPI: schemathesis against a live server (docs/openapi.json)"
python3 -c 'import ensurepip' 2>/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
}
./scripts/schemathesis.sh

echo "== console: browser tests in headless Chromium (scripts/console-tests.sh)"
./scripts/console-tests.sh

echo "== fuzz: the network decoders, 20 s each (scripts/fuzz.sh; nightly)"
rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
./scripts/fuzz.sh 20
