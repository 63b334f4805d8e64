package app.volunteer.core

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The app's story through the Kotlin API only, against a real server:
 * offline writes, sync, a second device, staff check-in, rejections,
 * listeners, logs and cancellation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTest {
    private val dir = TestServer.tempDir()
    private val server = TestServer(dir)
    private val logs = CopyOnWriteArrayList<String>()

    @BeforeAll
    fun startServer() {
        setLogger(object : Logger {
            override fun log(level: LogLevel, target: String, message: String) {
                logs.add("$level $target $message")
            }
        }, LogLevel.DEBUG)
        server.start()
    }

    @AfterAll
    fun stopServer() {
        server.stop()
        dir.toFile().deleteRecursively()
    }

    private fun client(name: String) = VolunteerClient.open(TestServer.replicaPath(dir, name), server.url)

    @Test
    fun `a volunteer works offline and the server confirms after sync`() = runBlocking<Unit> {
        client("phone-a").use { phone ->
            val me = phone.signIn("volunteer2", TestServer.DEMO_PASSWORD)
            assertEquals(Role.VOLUNTEER, me.role)
            phone.syncNow()
            val joined = phone.myMemberships().map { it.teamId }.toSet()
            val team = phone.teams(null).first { it.id !in joined }

            server.stop()
            try {
                phone.joinTeam(team.id)
                val entry = phone.reportHours(
                    HoursReport(null, null, Instant.now().minus(Duration.ofHours(3)), 90u, "社区清洁"),
                )
                // Visible at once, before any network.
                assertTrue(phone.myMemberships().any { it.teamId == team.id })
                val hours = phone.myHours().first { it.id == entry }
                assertEquals(HourStatus.PENDING, hours.status)
                assertEquals(2uL, phone.syncStatus().pendingCount)
                val offline = assertThrows<VolunteerException.Offline> { runBlocking { phone.syncNow() } }
                assertTrue(offline.reason.isNotEmpty())
                val status = phone.syncStatus()
                assertEquals(Connectivity.OFFLINE, status.connectivity)
                assertEquals("offline", status.lastError?.code)
                assertEquals(2uL, status.pendingCount)
            } finally {
                server.start()
            }

            val report = phone.syncNow()
            assertEquals(2u, report.applied)
            assertEquals(0u, report.rejected)
            assertEquals(0uL, phone.syncStatus().pendingCount)
            assertNotNull(phone.syncStatus().lastSyncAt)

            // The same volunteer's second phone sees the server's copy.
            client("phone-a2").use { second ->
                second.signIn("volunteer2", TestServer.DEMO_PASSWORD)
                second.syncNow()
                assertTrue(second.myMemberships().any { it.teamId == team.id })
                assertEquals(90uL, second.myHoursTotal().pendingMinutes)
            }
        }
    }

    @Test
    fun `staff check in offline and a server rejection surfaces with its code`() = runBlocking<Unit> {
        val volunteerName = client("phone-v1").use { phone ->
            phone.signIn("volunteer1", TestServer.DEMO_PASSWORD).displayName
        }
        client("staff").use { staff ->
            val me = staff.signIn("staff-station", TestServer.DEMO_PASSWORD)
            staff.syncNow()
            val now = Instant.now()
            val underWay = staff.activitiesAtSite(me.siteId!!, true)
                .first { it.startsAt <= now && it.endsAt > now && it.status == ActivityStatus.IN_PROGRESS }
            val roster = staff.roster(underWay.id)
            val volunteer = roster.first { it.volunteerName == volunteerName }
            val other = roster.first { it.volunteerId != volunteer.volunteerId }
            val elsewhere = staff.upcomingActivities(500u).first { a ->
                staff.activitiesAtSite(me.siteId!!, true).none { it.id == a.id }
            }

            val kinds = CopyOnWriteArrayList<DataKind>()
            // Collect from the start, before the blocking calls below.
            val changes = launch(start = CoroutineStart.UNDISPATCHED) {
                staff.changeFlow().collect { kinds.addAll(it) }
            }
            yield() // let the flow's producer run and subscribe before the blocking calls
            server.stop()
            try {
                staff.checkIn(underWay.id, volunteer.volunteerId, null)
                val line = staff.roster(underWay.id).first { it.volunteerId == volunteer.volunteerId }
                assertNotNull(line.checkedInAt)
                // The local write was announced, offline.
                withTimeout(10_000) { while (DataKind.ATTENDANCE !in kinds) delay(20) }
                // Known to be outside this staff member's sites: refused at once.
                val refused = assertThrows<VolunteerException.Rejected> {
                    staff.checkIn(elsewhere.id, volunteer.volunteerId, null)
                }
                assertEquals(RejectCode.FORBIDDEN, refused.code)
                // Checking out someone this device never saw checked in: only
                // the server can tell, so it is queued.
                staff.checkOut(underWay.id, other.volunteerId, null)
                assertEquals(2uL, staff.syncStatus().pendingCount)
            } finally {
                server.start()
            }

            val report = staff.syncNow()
            assertEquals(1u, report.applied)
            assertEquals(1u, report.rejected)
            val rejected = staff.rejectedActions().single()
            assertEquals(RejectCode.NOT_CHECKED_IN, rejected.code)
            val action = rejected.mutation as Action.CheckOut
            assertEquals(other.volunteerId, action.volunteerId)
            assertEquals(1uL, staff.syncStatus().rejectedCount)
            staff.discardRejected(rejected.seq)
            assertTrue(staff.rejectedActions().isEmpty())

            changes.cancel()
        }
    }

    @Test
    fun `the core syncs on its own once its loop is started`() = runBlocking<Unit> {
        client("auto").use { phone ->
            phone.signIn("volunteer1", TestServer.DEMO_PASSWORD)
            phone.syncNow()
            val joined = phone.myMemberships().map { it.teamId }.toSet()
            val team = phone.teams(null).first { it.id !in joined && it.joinPolicy == JoinPolicy.OPEN }
            phone.startAutoSync(
                AutoSyncOptions(
                    debounce = Duration.ofMillis(50),
                    pendingInterval = Duration.ofSeconds(30),
                    refreshInterval = null,
                    minBackoff = Duration.ofMillis(100),
                    maxBackoff = Duration.ofSeconds(1),
                ),
            )
            assertTrue(phone.syncStatus().autoSync)
            phone.joinTeam(team.id)
            // Nobody calls sync: the write reaches the server on its own.
            withTimeout(10_000) { while (phone.syncStatus().pendingCount > 0uL) delay(20) }
            client("auto-check").use { other ->
                other.signIn("volunteer1", TestServer.DEMO_PASSWORD)
                other.syncNow()
                assertTrue(other.myMemberships().any { it.teamId == team.id })
            }
            phone.stopAutoSync()
            assertFalse(phone.syncStatus().autoSync)
            assertEquals(null, phone.syncStatus().nextAttemptAt)
        }
    }

    @Test
    fun `status flow starts with the current status and follows changes`() = runBlocking<Unit> {
        client("status").use { phone ->
            phone.signIn("volunteer3", TestServer.DEMO_PASSWORD)
            val first = phone.statusFlow().first()
            assertTrue(first.signedIn)
            assertEquals(Connectivity.UNKNOWN, first.connectivity)
            val online = async(start = CoroutineStart.UNDISPATCHED) {
                phone.statusFlow().first { it.connectivity == Connectivity.ONLINE && !it.syncing }
            }
            phone.syncNow()
            val status = withTimeout(10_000) { online.await() }
            assertEquals(0uL, status.pendingCount)
            assertNotNull(status.lastSyncAt)
        }
    }

    @Test
    fun `a cancel that comes before the call is not lost`() = runBlocking<Unit> {
        client("precancel").use { phone ->
            phone.signIn("volunteer1", TestServer.DEMO_PASSWORD)
            val handle = CancelHandle()
            handle.cancel()
            assertThrows<VolunteerException.Cancelled> { runBlocking { phone.sync(handle) } }
            assertEquals(null, phone.syncStatus().lastSyncAt, "no round ran")
        }
    }

    @Test
    fun `a coroutine cancelled mid-sync leaves the replica consistent`() = runBlocking<Unit> {
        client("admin").use { admin ->
            admin.signIn("admin", TestServer.DEMO_PASSWORD)
            // The admin's first sync is dozens of pages: cancel it part-way.
            val job = launch { admin.syncNow() }
            withTimeout(10_000) { while (admin.syncStatus().lastSyncAt == null) delay(2) }
            job.cancel()
            job.join()
            assertTrue(job.isCancelled, "cancelled, not finished")
            withTimeout(10_000) { while (admin.syncStatus().syncing) delay(10) }
            // Rust stopped too: no page is applied after the cancel.
            val stoppedAt = admin.syncStatus().lastSyncAt
            delay(500)
            assertEquals(stoppedAt, admin.syncStatus().lastSyncAt)
            assertTrue(admin.teams(null).size <= 97)
            val report = admin.syncNow()
            assertFalse(admin.syncStatus().syncing)
            assertEquals(97, admin.teams(null).size)
            assertEquals(129, admin.sites().size)
            assertEquals(0uL, admin.syncStatus().pendingCount)
            assertTrue(report.requests >= 1u)
            // The core's logs reached the Kotlin logger.
            assertTrue(logs.any { it.contains("sync") }, "logs: ${logs.take(5)}")
        }
    }

    @Test
    fun `a team leader decides a join request`() = runBlocking<Unit> {
        client("leader").use { leader ->
            leader.signIn("volunteer3", TestServer.DEMO_PASSWORD)
            leader.syncNow()
            val team = leader.myLedTeams().first { it.joinPolicy == JoinPolicy.APPROVAL }
            val request = leader.joinRequests(team.id).first()
            assertEquals(MembershipStatus.REQUESTED, request.status)
            leader.decideJoinRequest(team.id, request.volunteerId, true, null)
            assertTrue(leader.teamMembers(team.id).any { it.volunteerId == request.volunteerId })
            val report = leader.syncNow()
            assertEquals(1u, report.applied)
            val again = assertThrows<VolunteerException.Rejected> {
                leader.decideJoinRequest(team.id, request.volunteerId, false, "太晚了")
            }
            assertEquals(RejectCode.INVALID_STATE, again.code)
        }
    }

    @Test
    fun `errors are typed exceptions`() = runBlocking<Unit> {
        client("errors").use { phone ->
            assertThrows<VolunteerException.SignedOut> { runBlocking { phone.syncNow() } }
            val wrong = assertThrows<VolunteerException.InvalidInput> {
                runBlocking { phone.signIn("volunteer1", "wrong") }
            }
            assertEquals("password", wrong.field)
            phone.signIn("volunteer1", TestServer.DEMO_PASSWORD)
            assertThrows<VolunteerException.InvalidInput> { phone.joinTeam("") }
            val twice = assertThrows<VolunteerException.InvalidInput> {
                VolunteerClient.open(TestServer.replicaPath(dir, "errors"), server.url)
            }
            assertEquals("path", twice.field)
        }
    }
}
