package app.volunteer.demo

import app.volunteer.core.Action
import app.volunteer.core.ActivityDraft
import app.volunteer.core.ActivityStatus
import app.volunteer.core.Connectivity
import app.volunteer.core.NoticeTopic
import app.volunteer.core.RejectCode
import app.volunteer.core.TestServer
import app.volunteer.core.VolunteerClient
import app.volunteer.core.VolunteerException
import app.volunteer.core.syncNow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import java.time.Duration
import java.time.Instant

/** The view models' stories, against a real server process and real replicas. */
class ViewModelTest {
    companion object {
        private val dir = TestServer.tempDir()
        private val server = TestServer(dir)

        @BeforeClass @JvmStatic
        fun start() {
            server.start()
        }

        @AfterClass @JvmStatic
        fun stop() {
            server.stop()
            dir.toFile().deleteRecursively()
        }
    }

    private suspend fun <T> StateFlow<T>.until(check: (T) -> Boolean): T = withTimeout(15_000) { first(check) }

    private fun desk(name: String, body: suspend (SessionViewModel, RosterViewModel) -> Unit) = runBlocking {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        VolunteerClient.open(TestServer.replicaPath(dir, name), server.url).use { client ->
            try {
                val session = SessionViewModel(client, scope, Strings.zh)
                session.signIn("staff-station", TestServer.DEMO_PASSWORD).join()
                assertNotNull(session.profile.value)
                val roster = RosterViewModel(client, scope, Strings.zh)
                roster.refresh()
                body(session, roster)
            } finally {
                scope.cancel()
            }
        }
    }

    @Test
    fun theBannerShowsALongDownloadsProgress() {
        val downloading = Banner(Connectivity.ONLINE, true, 0uL, 0uL, null, null, 120uL to 3648uL)
        assertTrue(downloading.text(Strings.zh), downloading.text(Strings.zh).startsWith("正在下载 120/3648"))
        assertTrue(downloading.text(Strings.en).startsWith("Downloading 120 of 3648"))
        // A short sync shows no count; a finished one none either.
        assertTrue(downloading.copy(download = 0uL to 0uL).text(Strings.zh).startsWith("正在同步"))
        assertTrue(downloading.copy(syncing = false).text(Strings.en).startsWith("Online"))
    }

    @Test
    fun everyCodeReadsAsWordsInBothLanguages() {
        for (code in RejectCode.entries) {
            val zh = Strings.zh.reject(code)
            val en = Strings.en.reject(code)
            assertTrue("$code", zh.isNotEmpty() && en.isNotEmpty())
            assertNotEquals(zh, en)
            // Words, not the enum's name (raw or in lower case).
            assertFalse("$code: $en", en.contains('_'))
            assertTrue("$code: $en", en.first().isUpperCase())
        }
        for (code in Strings.FAILURE_CODES) {
            // Not the fallback, which shows the raw code.
            assertFalse(code, Strings.zh.failure(code).contains("（$code）"))
            assertFalse(code, Strings.en.failure(code).contains("($code)"))
        }
        // A wrong login only for a sign-in; elsewhere the field named.
        val bad = VolunteerException.InvalidInput("minutes", "must be 1 to 1440")
        assertEquals("账号或密码错误", Strings.zh.error(bad, signIn = true))
        assertEquals("填写有误：时长", Strings.zh.error(bad))
        assertEquals("Please check the minutes", Strings.en.error(bad))
        assertEquals(Strings.en.failure("server"), Strings.en.error(VolunteerException.Server(500.toUShort(), "internal", "")))
        assertEquals(Strings.zh.failure("storage_full"), Strings.zh.error(VolunteerException.StorageFull("disk full")))
        // Before any sync the banner does not claim to be online.
        val unknown = Banner(Connectivity.UNKNOWN, false, 0uL, 0uL, null, null)
        assertEquals("尚未连接 · 尚未同步", unknown.text(Strings.zh))
        assertEquals("Not connected yet · Not synced yet", unknown.text(Strings.en))
        // Queued and refused actions say what they were.
        assertEquals("签退", Strings.zh.action(Action.CheckOut("a", "v", Instant.now())))
        assertEquals("Reject hours", Strings.en.action(Action.ReviewHours("e", false, "x")))
    }

    @Test
    fun offlineRosterCheckInIsSeenAtOnceAndConfirmedBySync() = desk("offline") { session, roster ->
        val now = Instant.now()
        val underWay = roster.activities.value.first {
            it.status == ActivityStatus.IN_PROGRESS && it.startsAt <= now && it.endsAt > now
        }
        roster.open(underWay.id).join()
        val volunteer = roster.roster.until { it.isNotEmpty() }.first { it.checkedInAt == null }
        server.stop()
        try {
            roster.checkIn(volunteer.volunteerId).join()
            assertNotNull(roster.roster.value.first { it.volunteerId == volunteer.volunteerId }.checkedInAt)
            assertEquals("what waits, in words", listOf("签到"), roster.pending.value.map { Strings.zh.action(it.mutation) })
            session.sync().join()
            val banner = session.banner.until { it.pending == 1uL && it.lastError == "offline" }
            assertTrue(banner.text(Strings.zh), banner.text(Strings.zh).contains("1 项待同步"))
        } finally {
            server.start()
        }
        session.sync().join()
        session.banner.until { it.pending == 0uL && it.lastError == null }
        assertTrue(roster.rejected.value.isEmpty())
    }

    @Test
    fun aRejectionSurfacesWithResendAndDiscard() = desk("rejection") { session, roster ->
        val now = Instant.now()
        val underWay = roster.activities.value.first {
            it.status == ActivityStatus.IN_PROGRESS && it.startsAt <= now && it.endsAt > now
        }
        roster.open(underWay.id).join()
        val never = roster.roster.until { it.isNotEmpty() }.first { it.checkedInAt == null }
        // Checking out someone nobody checked in: only the server can tell.
        roster.checkOut(never.volunteerId).join()
        session.sync().join()
        val rejected = roster.rejected.until { it.isNotEmpty() }.single()
        assertEquals(RejectCode.NOT_CHECKED_IN, rejected.code)
        assertEquals("尚未签到", Strings.zh.reject(rejected.code))
        assertEquals("which action, and why", "签退：尚未签到", Strings.zh.rejectedLine(rejected))
        assertEquals("Check-out: Not checked in", Strings.en.rejectedLine(rejected))
        // Resent, it is refused again; discarded, it is gone.
        roster.resend(rejected.seq).join()
        session.sync().join()
        val again = roster.rejected.until { it.isNotEmpty() }.single()
        roster.discard(again.seq).join()
        roster.rejected.until { it.isEmpty() }
        session.banner.until { it.rejected == 0uL }
    }

    @Test
    fun aWaitlistPromotionArrivesOnSync() = runBlocking {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            // Staff publish an activity with one place and a waitlist.
            val activity = VolunteerClient.open(TestServer.replicaPath(dir, "organiser"), server.url).use { staff ->
                val me = staff.signIn("staff-station", TestServer.DEMO_PASSWORD)
                staff.syncNow()
                val start = Instant.now().plus(Duration.ofDays(2))
                val id = staff.createActivity(
                    ActivityDraft(me.siteId!!, null, "一个名额的敬老活动", "", start, start.plus(Duration.ofHours(2)), 1u, null, true, true, 0u),
                )
                staff.publishActivity(id)
                staff.syncNow()
                id
            }
            val first = VolunteerClient.open(TestServer.replicaPath(dir, "first"), server.url)
            val second = VolunteerClient.open(TestServer.replicaPath(dir, "second"), server.url)
            first.use {
                second.use {
                    first.signIn("volunteer1", TestServer.DEMO_PASSWORD)
                    first.syncNow()
                    first.signUp(activity)
                    first.syncNow()
                    val session = SessionViewModel(second, scope, Strings.zh)
                    session.signIn("volunteer2", TestServer.DEMO_PASSWORD).join()
                    val vm = VolunteerViewModel(second, scope, Strings.zh)
                    vm.refresh()
                    vm.signUp(activity).join()
                    session.sync().join()
                    val waiting = vm.state.until { s -> s.activities.any { it.activity.id == activity && it.waitlistPosition == 1u } }
                    assertEquals("候补第 1 位", Strings.zh.waitlisted(waiting.activities.first { it.activity.id == activity }.waitlistPosition!!))
                    // The first one cancels; the second's next sync brings the place and a notice.
                    first.cancelSignup(activity)
                    first.syncNow()
                    session.sync().join()
                    val promoted = vm.state.until { s ->
                        s.activities.any { it.activity.id == activity && it.signup != null && it.waitlistPosition == null }
                    }
                    assertTrue(promoted.notices.any { it.topic == NoticeTopic.PROMOTED_FROM_WAITLIST && it.subjectId == activity })
                }
            }
        } finally {
            scope.cancel()
        }
    }

    @Test
    fun refreshesStartedTogetherLeaveTheLatestState() = runBlocking {
        // Refreshes raced with a write: one that read before it could publish
        // last, and the screen kept the team without the new request.
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        VolunteerClient.open(TestServer.replicaPath(dir, "race"), server.url).use { client ->
            try {
                client.signIn("volunteer3", TestServer.DEMO_PASSWORD)
                client.syncNow()
                val vm = VolunteerViewModel(client, scope, Strings.zh)
                val joined = client.myMemberships().map { it.teamId }.toSet()
                val teams = client.teams(null).filter { it.id !in joined }.take(12)
                assertTrue(teams.size >= 8)
                for (team in teams) {
                    val racing = List(4) { scope.launch { vm.refresh() } }
                    val join = vm.join(team.id)
                    (racing + join).joinAll()
                    assertNotNull("team ${team.name}", vm.state.value.teams.first { it.team.id == team.id }.status)
                }
            } finally {
                scope.cancel()
            }
        }
    }

    @Test
    fun staffApproveAReportMadeOnAPhoneAndCheckInAWalkIn() = desk("review") { session, roster ->
        // A volunteer reports an hour for their team from a phone.
        val entry = VolunteerClient.open(TestServer.replicaPath(dir, "reporter"), server.url).use { phone ->
            phone.signIn("volunteer2", TestServer.DEMO_PASSWORD)
            phone.syncNow()
            val team = phone.myMemberships().first { it.status == app.volunteer.core.MembershipStatus.ACTIVE }.teamId
            val id = phone.reportHours(
                app.volunteer.core.HoursReport(null, team, Instant.now().minus(Duration.ofHours(5)), 60u, "社区活动中心值班"),
            )
            phone.syncNow()
            id
        }
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            session.sync().join()
            val review = ReviewViewModel(session.client, scope, Strings.zh)
            review.refresh()
            review.queue.until { q -> q.any { it.id == entry } }
            review.approve(entry).join()
            review.queue.until { q -> q.none { it.id == entry } }
            session.sync().join()
            session.banner.until { it.pending == 0uL }
        } finally {
            scope.cancel()
        }
        // A walk-in at the activity under way: a team member not on its roster.
        val now = Instant.now()
        val underWay = roster.activities.value.first {
            it.status == ActivityStatus.IN_PROGRESS && it.startsAt <= now && it.endsAt > now
        }
        roster.open(underWay.id).join()
        val walkIn = roster.walkIns.until { it.isNotEmpty() }.first()
        roster.checkIn(walkIn.volunteerId).join()
        roster.roster.until { r -> r.any { it.volunteerId == walkIn.volunteerId && it.checkedInAt != null } }
        assertTrue(roster.walkIns.value.none { it.volunteerId == walkIn.volunteerId })
    }
}
