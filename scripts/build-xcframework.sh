#!/usr/bin/env bash
# Build what an iOS app links: VolunteerCoreFFI.xcframework (device and
# simulator static libraries with the C header and module map) and the Swift
# sources of the VolunteerCore module. Needs macOS with Xcode and rustup;
# it cannot run on the Linux machines of this project (no iOS SDK there).
#
#   scripts/build-xcframework.sh            -> build/ios/VolunteerCoreFFI.xcframework
#                                              bindings/swift/Sources/VolunteerCore/Generated
#
# In the app's Package.swift (or an Xcode project), replace the
# `.systemLibrary(name: "VolunteerCoreFFI", ...)` target of bindings/swift with
#   .binaryTarget(name: "VolunteerCoreFFI", path: "build/ios/VolunteerCoreFFI.xcframework")
# and keep the `VolunteerCore` target (generated + hand-written Swift) as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" != Darwin ] || ! command -v xcodebuild >/dev/null; then
    echo "error: building the XCFramework needs macOS with Xcode (xcodebuild and the iOS SDKs)" >&2
    exit 1
fi

device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
out=build/ios
rustup target add "$device" "${simulators[@]}"
for t in "$device" "${simulators[@]}"; do
    cargo rustc --locked --release -p volunteer-ffi --lib --crate-type staticlib --target "$t"
done

rm -rf "$out"
mkdir -p "$out/headers" "$out/simulator"
sim_libs=()
for t in "${simulators[@]}"; do sim_libs+=("target/$t/release/libvolunteer_ffi.a"); done
lipo -create "${sim_libs[@]}" -output "$out/simulator/libvolunteer_ffi.a"

# The generators run on the Mac itself; they read the metadata in the library.
cargo build --locked --release -p volunteer-ffi --features cli --bins
bindgen=target/release/uniffi-bindgen-swift
lib="target/$device/release/libvolunteer_ffi.a"
"$bindgen" --headers --modulemap --xcframework --module-name VolunteerCoreFFI \
    --modulemap-filename module.modulemap "$lib" "$out/headers"
swift_src=bindings/swift/Sources/VolunteerCore/Generated
rm -rf "$swift_src" && mkdir -p "$swift_src"
"$bindgen" --swift-sources "$lib" "$swift_src"

xcodebuild -create-xcframework \
    -library "$lib" -headers "$out/headers" \
    -library "$out/simulator/libvolunteer_ffi.a" -headers "$out/headers" \
    -output "$out/VolunteerCoreFFI.xcframework"
echo "built $out/VolunteerCoreFFI.xcframework and $swift_src"
