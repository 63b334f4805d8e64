// swift-tools-version:5.9
// SwiftPM package around the uniffi-generated Swift bindings of volunteer-ffi.
// Sources/VolunteerCore/Generated and Sources/VolunteerCoreFFI are written by
// scripts/generate-bindings.sh; the Rust library is linked at build time
// (see scripts/test.sh for Linux, scripts/build-xcframework.sh for iOS).
import PackageDescription

let package = Package(
    name: "VolunteerCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "VolunteerCore", targets: ["VolunteerCore"]),
        // A real server process for tests (this package's and ios-demo's).
        .library(name: "VolunteerCoreTestSupport", targets: ["VolunteerCoreTestSupport"]),
    ],
    targets: [
        .systemLibrary(name: "VolunteerCoreFFI", path: "Sources/VolunteerCoreFFI"),
        .target(
            name: "VolunteerCore",
            dependencies: ["VolunteerCoreFFI"],
            path: "Sources/VolunteerCore"
        ),
        .target(
            name: "VolunteerCoreTestSupport",
            path: "Sources/VolunteerCoreTestSupport"
        ),
        .testTarget(
            name: "VolunteerCoreTests",
            dependencies: ["VolunteerCore", "VolunteerCoreTestSupport"],
            path: "Tests/VolunteerCoreTests"
        ),
    ]
)
