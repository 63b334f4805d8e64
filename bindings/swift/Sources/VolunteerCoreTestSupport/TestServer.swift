import Foundation

/// A real volunteer-sync-server process on 127.0.0.1 with its own database and
/// the demo district. Stop and start it on the same port to take the network away.
/// Shared by the bindings' tests and ios-demo's (a test-support library).
public final class TestServer {
    public static let demoPassword = "demo-2026"
    public let dir: URL
    public private(set) var port = 0
    private var process: Process?
    public var url: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("volunteer-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    public func replicaPath(_ name: String) -> String {
        dir.appendingPathComponent("\(name).db").path
    }

    public func start() throws {
        guard let binary = ProcessInfo.processInfo.environment["VOLUNTEER_SERVER_BINARY"] else {
            throw TestError.setup("VOLUNTEER_SERVER_BINARY is not set")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "--listen", "127.0.0.1:\(port)",
            "--database", dir.appendingPathComponent("server.db").path, "--demo",
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var seen = ""
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestError.setup("server exited: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://") }),
               let p = line.split(separator: ":").last.flatMap({ Int($0) }) {
                port = p
                break
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        out.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
        process = p
    }

    /// Stop the server and delete its files.
    public func destroy() {
        stop()
        try? FileManager.default.removeItem(at: dir)
    }

    public func stop() {
        guard let p = process else { return }
        p.terminate() // SIGTERM: graceful shutdown
        for _ in 0..<500 where p.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        process = nil
    }
}

public enum TestError: Error {
    case setup(String)
}
