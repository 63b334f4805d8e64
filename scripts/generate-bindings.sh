#!/usr/bin/env bash
# Regenerate the Kotlin and Swift bindings from the FFI library. Generated
# code is a build output: it is written to ignored paths and never committed.
#
#   bindings/kotlin/target/generated-sources/uniffi/   Kotlin (package app.volunteer.core)
#   bindings/swift/Sources/VolunteerCore/Generated/    Swift sources (module VolunteerCore)
#   bindings/swift/Sources/VolunteerCoreFFI/           C header + module.modulemap
# and with --android also
#   bindings/kotlin/target/generated-sources/uniffi-android/
#       Kotlin for Android (uniffi's `android` and `android_cleaner` on, from
#       bindings/uniffi-android.toml): what android-demo/android compiles. It
#       imports Android classes, so the JVM build keeps the plain Kotlin.
#
# Usage: scripts/generate-bindings.sh [--release] [--android]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
android=false
for arg in "$@"; do
    case "$arg" in
        --release) profile=release; cargo_flags+=(--release) ;;
        --android) android=true ;;
        *) echo "usage: $0 [--release] [--android]" >&2; exit 2 ;;
    esac
done

# One build gives the library and the two generators (same uniffi version).
cargo build --locked -p volunteer-ffi --features cli "${cargo_flags[@]}"
target="${CARGO_TARGET_DIR:-target}"
lib="$target/$profile/libvolunteer_ffi.so"
bin="$target/$profile"

kotlin_out=bindings/kotlin/target/generated-sources/uniffi
rm -rf "$kotlin_out"
"$bin/uniffi-bindgen" generate --library "$lib" --language kotlin \
    --out-dir "$kotlin_out" --no-format
if [ "$android" = true ]; then
    android_out=bindings/kotlin/target/generated-sources/uniffi-android
    rm -rf "$android_out"
    "$bin/uniffi-bindgen" generate --library "$lib" --language kotlin \
        --out-dir "$android_out" --no-format --config bindings/uniffi-android.toml
    kotlin_out="$kotlin_out $android_out"
fi

swift_src=bindings/swift/Sources/VolunteerCore/Generated
swift_ffi=bindings/swift/Sources/VolunteerCoreFFI
rm -rf "$swift_src" "$swift_ffi"
mkdir -p "$swift_src" "$swift_ffi"
"$bin/uniffi-bindgen-swift" --swift-sources "$lib" "$swift_src"
"$bin/uniffi-bindgen-swift" --headers --modulemap --module-name VolunteerCoreFFI \
    --modulemap-filename module.modulemap "$lib" "$swift_ffi"

echo "generated: $kotlin_out $swift_src $swift_ffi (from $lib)"
