// swift-tools-version:5.9
// The demo app for iOS: view models (Observation) over the VolunteerCore
// bindings, tested with XCTest on Linux against a real server; SwiftUI views
// that compile where SwiftUI exists (under `#if canImport(SwiftUI)`), and the
// app's entry point. A real iOS app (Info.plist, the XCFramework) is
// described in ios-demo/README.md: it needs Xcode on macOS.
import PackageDescription

let package = Package(
    name: "VolunteerDemo",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "VolunteerDemoModels", targets: ["VolunteerDemoModels"]),
        .library(name: "VolunteerDemoViews", targets: ["VolunteerDemoViews"]),
    ],
    dependencies: [
        .package(path: "../bindings/swift"),
    ],
    targets: [
        .target(
            name: "VolunteerDemoModels",
            dependencies: [.product(name: "VolunteerCore", package: "swift")],
            path: "Sources/VolunteerDemoModels"
        ),
        .target(
            name: "VolunteerDemoViews",
            dependencies: ["VolunteerDemoModels"],
            path: "Sources/VolunteerDemoViews"
        ),
        .executableTarget(
            name: "VolunteerDemoApp",
            dependencies: ["VolunteerDemoModels", "VolunteerDemoViews"],
            path: "Sources/VolunteerDemoApp"
        ),
        .testTarget(
            name: "VolunteerDemoTests",
            dependencies: [
                "VolunteerDemoModels",
                .product(name: "VolunteerCoreTestSupport", package: "swift"),
            ],
            path: "Tests/VolunteerDemoTests"
        ),
    ]
)
