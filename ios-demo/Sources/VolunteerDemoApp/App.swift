// The app's entry point. On iOS and macOS it is the SwiftUI app; elsewhere
// (Linux, where the package is built and tested) it says so and exits. A
// real iOS build wraps this target in an Xcode app (ios-demo/README.md).
import Foundation
import VolunteerCore
import VolunteerDemoModels

#if canImport(SwiftUI)
import SwiftUI
import VolunteerDemoViews

@main @MainActor
struct VolunteerDemoApp: App {
    let client: VolunteerClient
    let session: SessionModel

    init() {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = Bundle.main.object(forInfoDictionaryKey: "VolunteerServerURL") as? String ?? "http://127.0.0.1:8080"
        do {
            client = try VolunteerClient.open(path: dir.appendingPathComponent("replica.db").path, serverUrl: url)
            session = try SessionModel(client: client)
        } catch {
            fatalError("the replica cannot be opened: \(error)")
        }
    }

    var body: some Scene {
        WindowGroup { AppView(session: session, client: client) }
    }
}
#else
@main
struct VolunteerDemoApp {
    static func main() {
        print("The demo's screens need SwiftUI (iOS or macOS); here its view models are tested: swift test.")
    }
}
#endif
