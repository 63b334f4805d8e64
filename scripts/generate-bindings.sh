#!/usr/bin/env bash
# Regenerate the Kotlin and Swift bindings from the FFI library. Generated
# code is a build output: it is written to ignored paths and never committed.
#
#   bindings/kotlin/target/generated-sources/uniffi/   Kotlin (package app.volunteer.core)
#   bindings/swift/Sources/VolunteerCore/Generated/    Swift sources (module VolunteerCore)
#   bindings/swift/Sources/VolunteerCoreFFI/           C header + module.modulemap
#
# Usage: scripts/generate-bindings.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
if [ "${1:-}" = "--release" ]; then
    profile=release
    cargo_flags+=(--release)
fi

# One build gives the library and the two generators (same uniffi version).
cargo build --locked -p volunteer-ffi --features cli "${cargo_flags[@]}"
target="${CARGO_TARGET_DIR:-target}"
lib="$target/$profile/libvolunteer_ffi.so"
bin="$target/$profile"

kotlin_out=bindings/kotlin/target/generated-sources/uniffi
rm -rf "$kotlin_out"
"$bin/uniffi-bindgen" generate --library "$lib" --language kotlin \
    --out-dir "$kotlin_out" --no-format

swift_src=bindings/swift/Sources/VolunteerCore/Generated
swift_ffi=bindings/swift/Sources/VolunteerCoreFFI
rm -rf "$swift_src" "$swift_ffi"
mkdir -p "$swift_src" "$swift_ffi"
"$bin/uniffi-bindgen-swift" --swift-sources "$lib" "$swift_src"
"$bin/uniffi-bindgen-swift" --headers --modulemap --module-name VolunteerCoreFFI \
    --modulemap-filename module.modulemap "$lib" "$swift_ffi"

echo "generated: $kotlin_out $swift_src $swift_ffi (from $lib)"
