// Swift concurrency on top of the generated bindings: cancellable sync and
// AsyncStreams of status and changes. No business rules here; they live in Rust.
import Foundation

extension VolunteerClient {
    /// Push pending actions and pull what is new. Cancelling the calling task
    /// stops the sync in Rust too (at its next request; a page being applied
    /// is finished first): what was applied stays applied, the rest stays
    /// pending. Task cancellation throws `CancellationError`; failures throw
    /// ``VolunteerError``.
    public func syncNow() async throws -> SyncReport {
        // Created before the call, so a cancel that comes first is not lost.
        let cancel = CancelHandle()
        do {
            return try await withTaskCancellationHandler {
                try await self.sync(cancel: cancel)
            } onCancel: {
                cancel.cancel()
            }
        } catch VolunteerError.Cancelled where Task.isCancelled {
            // Report task cancellation the way Swift code expects it.
            throw CancellationError()
        }
    }

    /// The sync status: the current value first, then every change.
    public func statusUpdates() -> AsyncStream<SyncStatus> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            do {
                let subscription = try self.subscribeStatus(listener: StatusForwarder(continuation))
                continuation.onTermination = { _ in subscription.cancel() }
            } catch {
                continuation.finish()
            }
        }
    }

    /// Which kinds of data changed, after each local write or sync.
    public func changes() -> AsyncStream<[DataKind]> {
        AsyncStream { continuation in
            do {
                let subscription = try self.subscribeChanges(listener: ChangeForwarder(continuation))
                continuation.onTermination = { _ in subscription.cancel() }
            } catch {
                continuation.finish()
            }
        }
    }
}

final class StatusForwarder: StatusListener {
    private let continuation: AsyncStream<SyncStatus>.Continuation

    init(_ continuation: AsyncStream<SyncStatus>.Continuation) {
        self.continuation = continuation
    }

    func onStatus(status: SyncStatus) {
        continuation.yield(status)
    }
}

final class ChangeForwarder: ChangeListener {
    private let continuation: AsyncStream<[DataKind]>.Continuation

    init(_ continuation: AsyncStream<[DataKind]>.Continuation) {
        self.continuation = continuation
    }

    func onChange(kinds: [DataKind]) {
        continuation.yield(kinds)
    }
}
