import Foundation
import XCTest
import VolunteerCore
import VolunteerCoreTestSupport
@testable import VolunteerDemoModels

/// The view models' stories (the same as the Kotlin demo's), against a real
/// server process and real replicas.
@MainActor
final class ModelTests: XCTestCase {
    var server: TestServer!

    override func setUp() async throws {
        server = try TestServer()
        try server.start()
    }

    override func tearDown() async throws {
        server.destroy()
    }

    func client(_ name: String) throws -> VolunteerClient {
        try VolunteerClient.open(path: server.replicaPath(name), serverUrl: server.url)
    }

    /// Wait (up to 15 s) until `check` holds.
    func eventually(_ what: String, _ check: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if await check() { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("never: \(what)")
    }

    func desk(_ name: String) async throws -> (SessionModel, RosterModel) {
        let c = try client(name)
        let session = try SessionModel(client: c)
        await session.signIn(login: "staff-station", password: TestServer.demoPassword)
        XCTAssertNotNil(session.profile)
        let roster = RosterModel(client: c)
        await roster.refresh()
        return (session, roster)
    }

    func testTheBannerShowsALongDownloadsProgress() async {
        let status = SyncStatus(
            signedIn: true, connectivity: .online, syncing: true, pendingCount: 0,
            oldestPendingAt: nil, rejectedCount: 0, lastSyncAt: nil, lastError: nil,
            autoSync: false, nextAttemptAt: nil, consecutiveFailures: 0, keptAsideCount: 0,
            downloadDone: 120, downloadExpected: 3648)
        var banner = Banner(status)
        XCTAssertTrue(banner.text(.zh).hasPrefix("正在下载 120/3648"), banner.text(.zh))
        XCTAssertTrue(banner.text(.en).hasPrefix("Downloading 120 of 3648"), banner.text(.en))
        // A short sync shows no count; a finished one none either.
        banner.downloadExpected = 0
        XCTAssertTrue(banner.text(.zh).hasPrefix("正在同步"), banner.text(.zh))
        banner.syncing = false
        XCTAssertTrue(banner.text(.en).hasPrefix("Online"), banner.text(.en))
    }

    func testEveryCodeReadsAsWordsInBothLanguages() async {
        let codes: [RejectCode] = [
            .forbidden, .notFound, .activityFull, .activityClosed, .notCheckedIn, .invalidInput, .clockSkew,
            .invalidState, .notSignedUp, .tooLate, .unsupported, .alreadyCredited, .dailyLimit, .hoursOverlap,
            .idTaken, .phoneTaken, .unknown,
        ]
        for code in codes {
            let zh = Strings.zh.reject(code), en = Strings.en.reject(code)
            XCTAssertFalse(zh.isEmpty || en.isEmpty, "\(code)")
            XCTAssertNotEqual(en, "\(code)", "English words, not the raw name")
            XCTAssertTrue(en.contains(" ") || en.first?.isUppercase == true, "\(code): \(en)")
            XCTAssertNotEqual(zh, en)
        }
        for code in Strings.failureCodes {
            // Not the fallback, which shows the raw code.
            XCTAssertFalse(Strings.zh.failure(code).contains("（\(code)）"), "zh \(code)")
            XCTAssertFalse(Strings.en.failure(code).contains("(\(code))"), "en \(code)")
        }
        // A wrong login only for a sign-in; elsewhere the field named.
        let bad = VolunteerError.InvalidInput(field: "minutes", reason: "must be 1 to 1440")
        XCTAssertEqual(Strings.zh.error(bad, signIn: true), "账号或密码错误")
        XCTAssertEqual(Strings.zh.error(bad), "填写有误：时长")
        XCTAssertEqual(Strings.en.error(bad), "Please check the minutes")
        XCTAssertEqual(Strings.en.error(VolunteerError.Server(status: 500, code: "internal", reason: "")),
                       Strings.en.failure("server"))
        XCTAssertEqual(Strings.zh.error(VolunteerError.StorageFull(reason: "")), Strings.zh.failure("storage_full"))
        // Before any sync the banner does not claim to be online.
        let status = SyncStatus(
            signedIn: true, connectivity: .unknown, syncing: false, pendingCount: 0,
            oldestPendingAt: nil, rejectedCount: 0, lastSyncAt: nil, lastError: nil,
            autoSync: false, nextAttemptAt: nil, consecutiveFailures: 0, keptAsideCount: 0,
            downloadDone: 0, downloadExpected: 0)
        XCTAssertEqual(Banner(status).text(.zh), "尚未连接 · 尚未同步")
        XCTAssertEqual(Banner(status).text(.en), "Not connected yet · Not synced yet")
        // Queued and refused actions say what they were.
        let checkOut = Action.checkOut(activityId: "a", volunteerId: "v", at: Date())
        XCTAssertEqual(Strings.zh.action(checkOut), "签退")
        XCTAssertEqual(Strings.en.action(.reviewHours(entryId: "e", approve: false, reason: "x")), "Reject hours")
    }

    func testOfflineRosterCheckInIsSeenAtOnceAndConfirmedBySync() async throws {
        let (session, roster) = try await desk("offline")
        let now = Date()
        let underWay = try XCTUnwrap(roster.activities.first {
            $0.status == .inProgress && $0.startsAt <= now && $0.endsAt > now
        })
        await roster.open(underWay.id)
        let volunteer = try XCTUnwrap(roster.roster.first { $0.checkedInAt == nil })
        server.stop()
        await roster.checkIn(volunteer.volunteerId)
        XCTAssertNotNil(roster.roster.first { $0.volunteerId == volunteer.volunteerId }?.checkedInAt, "seen at once")
        XCTAssertEqual(roster.pending.map { Strings.zh.action($0.mutation) }, ["签到"], "what waits, in words")
        await session.sync()
        XCTAssertEqual(session.banner.pending, 1)
        XCTAssertEqual(session.banner.lastError, "offline")
        XCTAssertTrue(session.banner.text(.zh).contains("1 项待同步"), session.banner.text(.zh))
        try server.start()
        await session.sync()
        XCTAssertEqual(session.banner.pending, 0)
        XCTAssertNil(session.banner.lastError)
        XCTAssertTrue(roster.rejected.isEmpty)
        session.stop()
    }

    func testARejectionSurfacesWithResendAndDiscard() async throws {
        let (session, roster) = try await desk("rejection")
        let now = Date()
        let underWay = try XCTUnwrap(roster.activities.first {
            $0.status == .inProgress && $0.startsAt <= now && $0.endsAt > now
        })
        await roster.open(underWay.id)
        let never = try XCTUnwrap(roster.roster.first { $0.checkedInAt == nil })
        // Checking out someone nobody checked in: only the server can tell.
        await roster.checkOut(never.volunteerId)
        await session.sync()
        // No refresh here: the model hears the sync on the core's streams.
        try await eventually("the refusal shows") { !roster.rejected.isEmpty }
        let rejected = try XCTUnwrap(roster.rejected.first)
        XCTAssertEqual(rejected.code, .notCheckedIn)
        XCTAssertEqual(Strings.zh.reject(rejected.code), "尚未签到")
        XCTAssertEqual(Strings.zh.rejectedLine(rejected), "签退：尚未签到", "which action, and why")
        XCTAssertEqual(Strings.en.rejectedLine(rejected), "Check-out: Not checked in")
        await roster.resend(rejected.seq)
        XCTAssertTrue(roster.rejected.isEmpty, "resent: waiting again")
        await session.sync()
        try await eventually("refused again") { !roster.rejected.isEmpty }
        let again = try XCTUnwrap(roster.rejected.first, "refused again")
        await roster.discard(again.seq)
        XCTAssertTrue(roster.rejected.isEmpty)
        session.stop()
    }

    func testAWaitlistPromotionArrivesOnSync() async throws {
        let staff = try client("organiser")
        let me = try await staff.signIn(login: "staff-station", password: TestServer.demoPassword)
        _ = try await staff.syncNow()
        let start = Date().addingTimeInterval(2 * 86_400)
        let activity = try staff.createActivity(draft: ActivityDraft(
            siteId: me.siteId!, teamId: nil, title: "一个名额的敬老活动", description: "",
            startsAt: start, endsAt: start.addingTimeInterval(7_200), capacity: 1,
            signupDeadline: nil, waitlist: true, walkIns: true, creditRoundingMinutes: 0
        ))
        try staff.publishActivity(activityId: activity)
        _ = try await staff.syncNow()

        let first = try client("first")
        _ = try await first.signIn(login: "volunteer1", password: TestServer.demoPassword)
        _ = try await first.syncNow()
        try first.signUp(activityId: activity)
        _ = try await first.syncNow()

        let phone = try client("second")
        let session = try SessionModel(client: phone)
        await session.signIn(login: "volunteer2", password: TestServer.demoPassword)
        let model = VolunteerModel(client: phone)
        await model.refresh()
        await model.signUp(activity)
        await session.sync()
        // No refresh after a sync: the model follows the core's changes.
        try await eventually("waitlisted") {
            model.activities.first { $0.activity.id == activity }?.waitlistPosition == 1
        }
        XCTAssertEqual(Strings.zh.waitlisted(1), "候补第 1 位")

        try first.cancelSignup(activityId: activity)
        _ = try await first.syncNow()
        await session.sync()
        try await eventually("promoted") {
            let row = model.activities.first { $0.activity.id == activity }
            return row?.signup != nil && row?.waitlistPosition == nil
        }
        try await eventually("the promotion's notice") {
            model.notices.contains { $0.topic == .promotedFromWaitlist && $0.subjectId == activity }
        }
        XCTAssertTrue(model.notices.contains { $0.topic == .promotedFromWaitlist && $0.subjectId == activity })
        session.stop()
    }

    func testStaffApproveAReportMadeOnAPhoneAndCheckInAWalkIn() async throws {
        let phone = try client("reporter")
        _ = try await phone.signIn(login: "volunteer2", password: TestServer.demoPassword)
        _ = try await phone.syncNow()
        let reporter = VolunteerModel(client: phone)
        await reporter.refresh()
        let team = try XCTUnwrap(reporter.teams.first { $0.status == .active }?.team.id)
        await reporter.report(minutes: 60, description: "社区活动中心值班", startedAt: Date().addingTimeInterval(-5 * 3_600), teamId: team)
        _ = try await phone.syncNow()
        try await eventually("the report is listed") { reporter.hours.contains { $0.description == "社区活动中心值班" } }
        let entry = try XCTUnwrap(reporter.hours.first { $0.description == "社区活动中心值班" })
        XCTAssertEqual(entry.status, .pending)
        XCTAssertEqual(reporter.total?.pendingMinutes, 60)

        let (session, roster) = try await desk("review")
        let review = ReviewModel(client: session.client)
        await review.refresh()
        XCTAssertTrue(review.queue.contains { $0.id == entry.id })
        await review.approve(entry.id)
        XCTAssertFalse(review.queue.contains { $0.id == entry.id })
        await session.sync()
        _ = try await phone.syncNow()
        try await eventually("confirmed on the phone") {
            reporter.hours.first { $0.id == entry.id }?.status == .confirmed
        }

        // A walk-in at the activity under way: a team member not on its roster.
        let now = Date()
        let underWay = try XCTUnwrap(roster.activities.first {
            $0.status == .inProgress && $0.startsAt <= now && $0.endsAt > now
        })
        await roster.open(underWay.id)
        let walkIn = try XCTUnwrap(roster.walkIns.first)
        await roster.checkIn(walkIn.volunteerId)
        XCTAssertNotNil(roster.roster.first { $0.volunteerId == walkIn.volunteerId }?.checkedInAt)
        XCTAssertEqual(roster.pending.count, 1, "waiting to sync")
        session.stop()
    }
}
