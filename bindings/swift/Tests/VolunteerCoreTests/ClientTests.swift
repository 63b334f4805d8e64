import Foundation
import XCTest
@testable import VolunteerCore
import VolunteerCoreTestSupport

/// Collects what the core reports through the foreign traits.
final class Recorder: Logger, ChangeListener, @unchecked Sendable {
    private let lock = NSLock()
    private var _logs: [String] = []
    private var _kinds: [DataKind] = []

    var logs: [String] { lock.lock(); defer { lock.unlock() }; return _logs }
    var kinds: [DataKind] { lock.lock(); defer { lock.unlock() }; return _kinds }

    func log(level: LogLevel, target: String, message: String) {
        lock.lock(); _logs.append("\(level) \(target) \(message)"); lock.unlock()
    }

    func onChange(kinds: [DataKind]) {
        lock.lock(); _kinds.append(contentsOf: kinds); lock.unlock()
    }
}

/// The app's story through the Swift API only, against a real server.
final class ClientTests: XCTestCase {
    static let recorder = Recorder()
    var server: TestServer!

    override func setUpWithError() throws {
        setLogger(logger: Self.recorder, level: .debug)
        server = try TestServer()
        try server.start()
    }

    override func tearDown() {
        server.destroy()
    }

    func client(_ name: String) throws -> VolunteerClient {
        try VolunteerClient.open(path: server.replicaPath(name), serverUrl: server.url)
    }

    func testVolunteerWorksOfflineAndTheServerConfirmsAfterSync() async throws {
        let phone = try client("phone")
        let me = try await phone.signIn(login: "volunteer2", password: TestServer.demoPassword)
        XCTAssertEqual(me.role, .volunteer)
        _ = try await phone.syncNow()
        let joined = Set(try phone.myMemberships().map(\.teamId))
        let team = try XCTUnwrap(try phone.teams(underSiteId: nil).first { !joined.contains($0.id) })

        server.stop()
        try phone.joinTeam(teamId: team.id)
        let entry = try phone.reportHours(report: HoursReport(
            activityId: nil, teamId: nil, startedAt: Date().addingTimeInterval(-3 * 3600),
            minutes: 90, description: "社区清洁"))
        XCTAssertTrue(try phone.myMemberships().contains { $0.teamId == team.id })
        XCTAssertEqual(try phone.myHours().first { $0.id == entry }?.status, .pending)
        XCTAssertEqual(try phone.syncStatus().pendingCount, 2)
        do {
            _ = try await phone.syncNow()
            XCTFail("sync must fail while the server is down")
        } catch VolunteerError.Offline(let reason) {
            XCTAssertFalse(reason.isEmpty)
        }
        XCTAssertEqual(try phone.syncStatus().connectivity, .offline)
        XCTAssertEqual(try phone.syncStatus().lastError?.code, "offline")
        try server.start()

        let report = try await phone.syncNow()
        XCTAssertEqual(report.applied, 2)
        XCTAssertEqual(report.rejected, 0)
        XCTAssertEqual(try phone.syncStatus().pendingCount, 0)
        XCTAssertNotNil(try phone.syncStatus().lastSyncAt)

        let second = try client("phone-2")
        _ = try await second.signIn(login: "volunteer2", password: TestServer.demoPassword)
        _ = try await second.syncNow()
        XCTAssertTrue(try second.myMemberships().contains { $0.teamId == team.id })
        XCTAssertEqual(try second.myHoursTotal().pendingMinutes, 90)
    }

    func testStaffCheckInOfflineAndARejectionSurfacesWithItsCode() async throws {
        let phone = try client("volunteer1")
        let volunteerName = try await phone.signIn(login: "volunteer1", password: TestServer.demoPassword).displayName
        let staff = try client("staff")
        let me = try await staff.signIn(login: "staff-station", password: TestServer.demoPassword)
        _ = try await staff.syncNow()
        let siteId = try XCTUnwrap(me.siteId)
        let now = Date()
        let mine = try staff.activitiesAtSite(siteId: siteId, includeSubtree: true)
        let underWay = try XCTUnwrap(mine.first { $0.startsAt <= now && $0.endsAt > now && $0.status == .inProgress })
        let roster = try staff.roster(activityId: underWay.id)
        let volunteer = try XCTUnwrap(roster.first { $0.volunteerName == volunteerName })
        let other = try XCTUnwrap(roster.first { $0.volunteerId != volunteer.volunteerId })
        let elsewhere = try XCTUnwrap(try staff.upcomingActivities(limit: 500).first { a in
            !mine.contains { $0.id == a.id }
        })
        let subscription = try staff.subscribeChanges(listener: Self.recorder)
        defer { subscription.cancel() }

        server.stop()
        try staff.checkIn(activityId: underWay.id, volunteerId: volunteer.volunteerId, at: nil)
        XCTAssertNotNil(try staff.roster(activityId: underWay.id)
            .first { $0.volunteerId == volunteer.volunteerId }?.checkedInAt)
        XCTAssertThrowsError(try staff.checkIn(activityId: elsewhere.id, volunteerId: volunteer.volunteerId, at: nil)) { error in
            guard case VolunteerError.Rejected(let code, _) = error else {
                return XCTFail("expected Rejected, got \(error)")
            }
            XCTAssertEqual(code, .forbidden)
        }
        try staff.checkOut(activityId: underWay.id, volunteerId: other.volunteerId, at: nil)
        XCTAssertEqual(try staff.syncStatus().pendingCount, 2)
        try server.start()

        let report = try await staff.syncNow()
        XCTAssertEqual(report.applied, 1)
        XCTAssertEqual(report.rejected, 1)
        let rejected = try staff.rejectedActions()
        XCTAssertEqual(rejected.count, 1)
        XCTAssertEqual(rejected.first?.code, .notCheckedIn)
        guard case .checkOut(_, let volunteerId, _) = rejected.first?.mutation else {
            return XCTFail("expected the check-out, got \(String(describing: rejected.first?.mutation))")
        }
        XCTAssertEqual(volunteerId, other.volunteerId)
        try staff.discardRejected(seq: rejected[0].seq)
        XCTAssertTrue(try staff.rejectedActions().isEmpty)
        for _ in 0..<200 {
            if Self.recorder.kinds.contains(.attendance) { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertTrue(Self.recorder.kinds.contains(.attendance))
    }

    func testStatusStreamStartsWithTheCurrentStatus() async throws {
        let phone = try client("status")
        _ = try await phone.signIn(login: "volunteer3", password: TestServer.demoPassword)
        var updates = phone.statusUpdates().makeAsyncIterator()
        let first = await updates.next()
        XCTAssertEqual(first?.signedIn, true)
        XCTAssertEqual(first?.connectivity, .unknown)
        _ = try await phone.syncNow()
        var last = first
        while let status = last, status.connectivity != .online || status.syncing {
            last = await updates.next()
        }
        XCTAssertEqual(last?.pendingCount, 0, "the stream ended before the sync showed")
    }

    func testACancelledTaskLeavesTheReplicaConsistent() async throws {
        let admin = try client("admin")
        _ = try await admin.signIn(login: "admin", password: TestServer.demoPassword)
        // The admin's first sync is dozens of pages: cancel it part-way.
        let task = Task { try await admin.syncNow() }
        for _ in 0..<5000 {
            if try admin.syncStatus().lastSyncAt != nil { break }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        task.cancel()
        if case .success = await task.result {
            XCTFail("the sync finished before it could be cancelled")
        }
        for _ in 0..<500 {
            if try !admin.syncStatus().syncing { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        // Rust stopped too: no page is applied after the cancel.
        let stoppedAt = try admin.syncStatus().lastSyncAt
        try await Task.sleep(nanoseconds: 500_000_000)
        XCTAssertEqual(try admin.syncStatus().lastSyncAt, stoppedAt)
        XCTAssertLessThanOrEqual(try admin.teams(underSiteId: nil).count, 97)
        _ = try await admin.syncNow()
        XCTAssertEqual(try admin.teams(underSiteId: nil).count, 97)
        XCTAssertEqual(try admin.sites().count, 129)
        XCTAssertEqual(try admin.syncStatus().pendingCount, 0)
        XCTAssertTrue(Self.recorder.logs.contains { $0.contains("sync") })
    }

    func testACancelThatComesBeforeTheCallIsNotLost() async throws {
        let phone = try client("precancel")
        _ = try await phone.signIn(login: "volunteer1", password: TestServer.demoPassword)
        let handle = CancelHandle()
        handle.cancel()
        do {
            _ = try await phone.sync(cancel: handle)
            XCTFail("a cancelled handle must stop the call")
        } catch VolunteerError.Cancelled {}
        let task = Task { try await phone.syncNow() }
        task.cancel()
        do {
            _ = try await task.value
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        XCTAssertNil(try phone.syncStatus().lastSyncAt, "no round ran")
    }

    func testTheCoreSyncsOnItsOwnOnceItsLoopIsStarted() async throws {
        let phone = try client("auto")
        _ = try await phone.signIn(login: "volunteer1", password: TestServer.demoPassword)
        _ = try await phone.syncNow()
        let joined = Set(try phone.myMemberships().map(\.teamId))
        let team = try XCTUnwrap(try phone.teams(underSiteId: nil).first {
            !joined.contains($0.id) && $0.joinPolicy == .open
        })
        try phone.startAutoSync(options: AutoSyncOptions(
            debounce: 0.05, pendingInterval: 30, refreshInterval: nil, minBackoff: 0.1, maxBackoff: 1))
        XCTAssertTrue(try phone.syncStatus().autoSync)
        try phone.joinTeam(teamId: team.id)
        // Nobody calls sync: the write reaches the server on its own.
        let deadline = Date().addingTimeInterval(10)
        while try phone.syncStatus().pendingCount > 0 && Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(try phone.syncStatus().pendingCount, 0)
        let other = try client("auto-check")
        _ = try await other.signIn(login: "volunteer1", password: TestServer.demoPassword)
        _ = try await other.syncNow()
        XCTAssertTrue(try other.myMemberships().contains { $0.teamId == team.id })
        try phone.stopAutoSync()
        XCTAssertFalse(try phone.syncStatus().autoSync)
    }

    func testATeamLeaderDecidesAJoinRequest() async throws {
        let leader = try client("leader")
        _ = try await leader.signIn(login: "volunteer3", password: TestServer.demoPassword)
        _ = try await leader.syncNow()
        let team = try XCTUnwrap(try leader.myLedTeams().first { $0.joinPolicy == .approval })
        let request = try XCTUnwrap(try leader.joinRequests(teamId: team.id).first)
        XCTAssertEqual(request.status, .requested)
        try leader.decideJoinRequest(teamId: team.id, volunteerId: request.volunteerId, approve: true, reason: nil)
        let report = try await leader.syncNow()
        XCTAssertEqual(report.applied, 1)
        XCTAssertThrowsError(try leader.decideJoinRequest(
            teamId: team.id, volunteerId: request.volunteerId, approve: false, reason: "太晚了")) { error in
            guard case VolunteerError.Rejected(let code, _) = error else {
                return XCTFail("expected Rejected, got \(error)")
            }
            XCTAssertEqual(code, .invalidState)
        }
    }

    func testErrorsAreTyped() async throws {
        let phone = try client("errors")
        do {
            _ = try await phone.syncNow()
            XCTFail("signed out")
        } catch VolunteerError.SignedOut {}
        do {
            _ = try await phone.signIn(login: "volunteer1", password: "wrong")
            XCTFail("wrong password")
        } catch VolunteerError.InvalidInput(let field, _) {
            XCTAssertEqual(field, "password")
        }
        XCTAssertThrowsError(try VolunteerClient.open(path: server.replicaPath("errors"), serverUrl: server.url)) { error in
            guard case VolunteerError.InvalidInput(let field, _) = error else {
                return XCTFail("expected InvalidInput, got \(error)")
            }
            XCTAssertEqual(field, "path")
        }
    }
}
