// View models over the VolunteerCore bindings, with Observation: state the
// views read, methods the views call. The core decides everything; these
// ask and show. Calls into the core run off the main actor.
import Foundation
import Observation
import VolunteerCore

/// Run a (blocking) core call off the main actor.
func background<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached { try work() }.value
}

/// Run an action off the main actor: `nil` when it was taken, else why
/// not, in words.
func perform(
    _ client: VolunteerClient,
    _ strings: Strings,
    _ call: @escaping @Sendable (VolunteerClient) throws -> Void
) async -> String? {
    do {
        try await background { try call(client) }
        return nil
    } catch {
        return strings.error(error)
    }
}

/// Reads that run one after another, each once the one before has ended, so
/// the last read started is the last one shown (a read the change stream
/// started before a write cannot land after the write's own read).
@MainActor
final class Serial {
    private var last: Task<Void, Never>?

    func run(_ work: @escaping @MainActor () async -> Void) async {
        let previous = last
        let task = Task { @MainActor in
            await previous?.value
            await work()
        }
        last = task
        await task.value
    }
}

/// Follow the core's change stream (every local write, every sync that
/// changed data) and read again on each change. The task holds the model
/// weakly; the model cancels it when it goes away.
@MainActor
func followChanges(_ client: VolunteerClient, _ refresh: @escaping @MainActor () async -> Void) -> Task<Void, Never> {
    Task { @MainActor in
        for await _ in client.changes() { await refresh() }
    }
}

/// The sync banner: what the status stream says, in words.
public struct Banner: Equatable, Sendable {
    public var connectivity: Connectivity
    public var syncing: Bool
    public var pending: UInt64
    public var rejected: UInt64
    public var lastSyncAt: Date?
    public var lastError: String?
    /// Rows done and expected while a long download runs (0 and 0 otherwise).
    public var downloadDone: UInt64
    public var downloadExpected: UInt64

    public init(_ s: SyncStatus) {
        connectivity = s.connectivity
        syncing = s.syncing
        pending = s.pendingCount
        rejected = s.rejectedCount
        lastSyncAt = s.lastSyncAt
        lastError = s.lastError?.code
        downloadDone = s.downloadDone
        downloadExpected = s.downloadExpected
    }

    public func text(_ s: Strings) -> String {
        var parts: [String]
        if syncing && downloadExpected > 0 {
            parts = [s.downloading(downloadDone, downloadExpected)]
        } else {
            parts = [syncing ? s.syncing : s.connectivity(connectivity)]
        }
        if pending > 0 { parts.append(s.waiting(pending)) }
        if let at = lastSyncAt {
            parts.append(s.lastSynced(s.time(at)))
        } else {
            parts.append(s.neverSynced)
        }
        if let e = lastError { parts.append(s.failure(e)) }
        return parts.joined(separator: " · ")
    }
}

/// The session: sign-in, the banner, sync on demand.
@MainActor @Observable
public final class SessionModel {
    public private(set) var profile: Profile?
    public private(set) var banner: Banner
    public private(set) var message: String?
    public let strings: Strings
    @ObservationIgnored let client: VolunteerClient
    @ObservationIgnored nonisolated(unsafe) private var watcher: Task<Void, Never>?

    public init(client: VolunteerClient, strings: Strings = .zh) throws {
        self.client = client
        self.strings = strings
        profile = try client.profile()
        banner = Banner(try client.syncStatus())
        watcher = Task { [weak self] in
            for await status in client.statusUpdates() {
                self?.banner = Banner(status)
            }
        }
    }

    public func signIn(login: String, password: String) async {
        do {
            profile = try await client.signIn(login: login, password: password)
            message = nil
            await sync()
        } catch {
            message = strings.error(error, signIn: true)
        }
    }

    /// Sync now; a failure shows in the banner (nothing is lost).
    public func sync() async {
        _ = try? await client.syncNow()
        if let status = try? client.syncStatus() { banner = Banner(status) }
    }

    deinit { watcher?.cancel() }

    public func stop() { watcher?.cancel() }
}

/// Staff at a desk: today's activities at their sites, a roster, check-in.
@MainActor @Observable
public final class RosterModel {
    public private(set) var activities: [Activity] = []
    public private(set) var selected: String?
    public private(set) var roster: [RosterEntry] = []
    public private(set) var rejected: [RejectedAction] = []
    /// What is waiting to sync, oldest first.
    public private(set) var pending: [PendingAction] = []
    /// Members of the activity's team who are not on its roster: walk-ins.
    public private(set) var walkIns: [Membership] = []
    public private(set) var message: String?
    public let strings: Strings
    @ObservationIgnored let client: VolunteerClient
    @ObservationIgnored private let serial = Serial()
    @ObservationIgnored nonisolated(unsafe) private var watchers: [Task<Void, Never>] = []

    public init(client: VolunteerClient, strings: Strings = .zh) {
        self.client = client
        self.strings = strings
        // Every write and every sync: read again (the core says what changed;
        // a sync that only settles the queue changes the status's counts).
        watchers.append(followChanges(client) { [weak self] in await self?.refresh() })
        watchers.append(Task { [weak self] in
            var counts: (UInt64, UInt64)?
            for await status in client.statusUpdates() {
                let now = (status.pendingCount, status.rejectedCount)
                if let before = counts, before == now { continue }
                counts = now
                await self?.refresh()
            }
        })
    }

    deinit { watchers.forEach { $0.cancel() } }

    /// Stop following the core's streams.
    public func stop() { watchers.forEach { $0.cancel() } }

    public func refresh() async { await serial.run { [weak self] in await self?.load() } }

    private func load() async {
        let client = self.client
        let selected = self.selected
        guard let read = try? await background({ () -> ([Activity], [RosterEntry], [RejectedAction], [PendingAction], [Membership]) in
            let now = Date()
            let site = try client.profile()?.siteId
            let today = try site.map { try client.activitiesAtSite(siteId: $0, includeSubtree: true) } ?? []
            let open = today.filter {
                $0.status != .cancelled && $0.status != .draft
                    && $0.startsAt < now.addingTimeInterval(86_400) && $0.endsAt > now.addingTimeInterval(-43_200)
            }.sorted { $0.startsAt < $1.startsAt }
            let roster = try selected.map { try client.roster(activityId: $0) } ?? []
            let team = open.first { $0.id == selected }?.teamId
            let walkIns = try team.map { t in
                try client.teamMembers(teamId: t).filter { m in
                    m.status == .active && !roster.contains { $0.volunteerId == m.volunteerId }
                }
            } ?? []
            return (open, roster, try client.rejectedActions(), try client.pendingActions(), walkIns)
        }) else { return }
        (activities, roster, rejected, pending, walkIns) = read
    }

    public func open(_ activityId: String?) async {
        selected = activityId
        await refresh()
    }

    private func act(_ call: @escaping @Sendable (VolunteerClient) throws -> Void) async {
        message = await perform(client, strings, call)
        await refresh()
    }

    public func checkIn(_ volunteerId: String) async {
        guard let activity = selected else { return }
        await act { try $0.checkIn(activityId: activity, volunteerId: volunteerId, at: nil) }
    }

    public func checkOut(_ volunteerId: String) async {
        guard let activity = selected else { return }
        await act { try $0.checkOut(activityId: activity, volunteerId: volunteerId, at: nil) }
    }

    public func resend(_ seq: UInt64) async { await act { try $0.retryRejected(seq: seq) } }

    public func discard(_ seq: UInt64) async { await act { try $0.discardRejected(seq: seq) } }
}

/// Staff: the hours waiting for their review.
@MainActor @Observable
public final class ReviewModel {
    public private(set) var queue: [HourEntry] = []
    public private(set) var message: String?
    public let strings: Strings
    @ObservationIgnored let client: VolunteerClient
    @ObservationIgnored private let serial = Serial()
    @ObservationIgnored nonisolated(unsafe) private var watcher: Task<Void, Never>?

    public init(client: VolunteerClient, strings: Strings = .zh) {
        self.client = client
        self.strings = strings
        watcher = followChanges(client) { [weak self] in await self?.refresh() }
    }

    deinit { watcher?.cancel() }

    /// Stop following the core's changes.
    public func stop() { watcher?.cancel() }

    public func refresh() async {
        await serial.run { [weak self] in
            guard let client = self?.client else { return }
            if let q = try? await background({ try client.hoursToReview() }) { self?.queue = q }
        }
    }

    private func review(_ entryId: String, approve: Bool, reason: String?) async {
        message = await perform(client, strings) {
            try $0.reviewHours(entryId: entryId, approve: approve, reason: reason)
        }
        await refresh()
    }

    public func approve(_ entryId: String) async { await review(entryId, approve: true, reason: nil) }

    public func reject(_ entryId: String, reason: String) async { await review(entryId, approve: false, reason: reason) }
}

/// A team and where this volunteer stands with it (`nil`: not a member).
public struct TeamRow: Sendable {
    public let team: Team
    public let status: MembershipStatus?
}

/// An activity and this volunteer's place in it (`nil`: not signed up).
public struct ActivityRow: Sendable {
    public let activity: Activity
    public let signup: Signup?
    public var waitlistPosition: UInt32? { signup?.status == .waitlisted ? signup?.position : nil }
}

/// The volunteer's side: activities with their place, teams, notices.
@MainActor @Observable
public final class VolunteerModel {
    public private(set) var activities: [ActivityRow] = []
    public private(set) var teams: [TeamRow] = []
    public private(set) var notices: [Notice] = []
    public private(set) var hours: [HourEntry] = []
    public private(set) var total: HoursTotal?
    public private(set) var orders: [ServiceOrder] = []
    public private(set) var callOuts: [Activity] = []
    public private(set) var message: String?
    public let strings: Strings
    @ObservationIgnored let client: VolunteerClient
    @ObservationIgnored private let serial = Serial()
    @ObservationIgnored nonisolated(unsafe) private var watcher: Task<Void, Never>?

    public init(client: VolunteerClient, strings: Strings = .zh) {
        self.client = client
        self.strings = strings
        watcher = followChanges(client) { [weak self] in await self?.refresh() }
    }

    deinit { watcher?.cancel() }

    /// Stop following the core's changes.
    public func stop() { watcher?.cancel() }

    public func refresh() async { await serial.run { [weak self] in await self?.load() } }

    private func load() async {
        let client = self.client
        guard let read = try? await background({ () -> ([ActivityRow], [TeamRow], [Notice], [HourEntry], HoursTotal, [ServiceOrder], [Activity]) in
            let signups = Dictionary(try client.mySignups().map { ($0.activityId, $0) }, uniquingKeysWith: { a, _ in a })
            let memberships = Dictionary(try client.myMemberships().map { ($0.teamId, $0.status) }, uniquingKeysWith: { a, _ in a })
            let rows = try client.upcomingActivities(limit: 200).filter { !$0.callout }
                .map { ActivityRow(activity: $0, signup: signups[$0.id]) }
            let teams = try client.teams(underSiteId: nil).map { TeamRow(team: $0, status: memberships[$0.id]) }
            return (rows, teams, try client.myNotices(), try client.myHours(), try client.myHoursTotal(),
                    try client.assignedOrders(), try client.openCallOuts())
        }) else { return }
        (activities, teams, notices, hours, total, orders, callOuts) = read
    }

    private func act(_ call: @escaping @Sendable (VolunteerClient) throws -> Void) async {
        message = await perform(client, strings, call)
        await refresh()
    }

    public func signUp(_ activityId: String) async { await act { try $0.signUp(activityId: activityId) } }

    public func cancel(_ activityId: String) async { await act { try $0.cancelSignup(activityId: activityId) } }

    public func join(_ teamId: String) async { await act { try $0.joinTeam(teamId: teamId) } }

    public func report(minutes: UInt32, description: String, startedAt: Date, teamId: String? = nil) async {
        await act {
            _ = try $0.reportHours(report: HoursReport(
                activityId: nil, teamId: teamId, startedAt: startedAt, minutes: minutes, description: description
            ))
        }
    }

    public func accept(_ orderId: String) async {
        await act { try $0.respondToOrder(orderId: orderId, accept: true, reason: nil) }
    }

    public func decline(_ orderId: String, reason: String) async {
        await act { try $0.respondToOrder(orderId: orderId, accept: false, reason: reason) }
    }

    public func complete(_ orderId: String, startedAt: Date, minutes: UInt32) async {
        await act { try $0.completeOrder(orderId: orderId, startedAt: startedAt, minutes: minutes, volunteerIds: []) }
    }

    /// Mark a notice read (it leaves the unread list).
    public func read(_ noticeId: String) async { await act { try $0.markNoticeRead(noticeId: noticeId) } }

    /// Notices not read yet, newest as the core orders them.
    public var unreadNotices: [Notice] { notices.filter { !$0.read } }
}
