package app.volunteer.demo

import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextInput
import app.volunteer.core.ActivityStatus
import app.volunteer.core.HoursReport
import app.volunteer.core.JoinPolicy
import app.volunteer.core.MembershipStatus
import app.volunteer.core.TestServer
import app.volunteer.core.VolunteerClient
import app.volunteer.core.syncNow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import java.io.File
import java.time.Duration
import java.time.Instant
import javax.imageio.ImageIO

/**
 * The Compose screens tapped through headless (Skia offscreen), against a
 * real server: sign in, open today's activity, check a volunteer in with
 * the network gone, and watch the banner count the waiting action; a
 * refusal resent and discarded, the hours review; a volunteer joining a
 * team. Screenshots of each screen go to target/screenshots.
 */
class UiTest {
    @get:Rule
    val rule = createComposeRule()

    private val dir = TestServer.tempDir()
    private val server = TestServer(dir)
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private lateinit var client: VolunteerClient

    @Before
    fun start() {
        server.start()
        client = VolunteerClient.open(TestServer.replicaPath(dir, "ui"), server.url)
    }

    @After
    fun stop() {
        // The view models' refreshes call the client: let them end before
        // it is closed (a call after close throws on their thread).
        runBlocking { scope.coroutineContext[Job]!!.cancelAndJoin() }
        client.close()
        server.stop()
        dir.toFile().deleteRecursively()
    }

    private fun shot(name: String) {
        val out = File(System.getProperty("volunteer.screenshots") ?: "target/screenshots").apply { mkdirs() }
        ImageIO.write(rule.onRoot().captureToImage().toAwtImage(), "png", File(out, "$name.png"))
    }

    private fun waitFor(tag: String) = rule.waitUntil(15_000) {
        rule.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()
    }

    /** The banner follows the status stream, apart from the lists: give it time to show [text]. */
    private fun waitForBanner(text: String) = rule.waitUntil(10_000) {
        rule.onAllNodes(hasTestTag("banner") and hasText(text, substring = true)).fetchSemanticsNodes().isNotEmpty()
    }

    @Test
    fun signInOpenTheRosterAndCheckInOffline() {
        val session = SessionViewModel(client, scope, Strings.zh)
        rule.setContent {
            App(
                session,
                roster = { RosterViewModel(client, scope, Strings.zh) },
                volunteer = { VolunteerViewModel(client, scope, Strings.zh) },
            )
        }
        shot("sign-in")
        rule.onNodeWithTag("login").performTextInput("staff-station")
        rule.onNodeWithTag("password").performTextInput(TestServer.DEMO_PASSWORD)
        rule.onNodeWithTag("sign-in").performClick()

        val now = Instant.now()
        rule.waitUntil(20_000) { client.syncStatus().lastSyncAt != null }
        val site = client.profile()!!.siteId!!
        val underWay = client.activitiesAtSite(site, true).first {
            it.status == ActivityStatus.IN_PROGRESS && it.startsAt <= now && it.endsAt > now
        }
        waitFor("activity-${underWay.id}")
        waitForBanner("上次同步")
        rule.onNodeWithTag("banner").assertTextContains("上次同步", substring = true)
        shot("today")
        rule.onNodeWithTag("activity-${underWay.id}").performClick()
        val volunteer = client.roster(underWay.id).first { it.checkedInAt == null }
        waitFor("check-in-${volunteer.volunteerId}")

        server.stop()
        rule.onNodeWithTag("check-in-${volunteer.volunteerId}").performClick()
        // Seen at once: the line offers check-out now.
        waitFor("check-out-${volunteer.volunteerId}")
        rule.onNodeWithTag("sync").performClick()
        rule.waitUntil(15_000) { client.syncStatus().lastError?.code == "offline" }
        waitForBanner("1 项待同步")
        rule.onNodeWithTag("banner").assertTextContains("1 项待同步", substring = true)
        shot("roster-offline")

        server.start()
        rule.onNodeWithTag("sync").performClick()
        rule.waitUntil(15_000) { client.syncStatus().pendingCount == 0uL && client.syncStatus().lastError == null }
        waitForBanner("在线")
        rule.onNodeWithTag("banner").assertTextContains("在线", substring = true)
        shot("roster-synced")
    }

    @Test
    fun aVolunteerJoinsATeamByTapping() {
        val session = SessionViewModel(client, scope, Strings.zh)
        rule.setContent {
            App(
                session,
                roster = { RosterViewModel(client, scope, Strings.zh) },
                volunteer = { VolunteerViewModel(client, scope, Strings.zh) },
            )
        }
        rule.onNodeWithTag("login").performTextInput("volunteer2")
        rule.onNodeWithTag("password").performTextInput(TestServer.DEMO_PASSWORD)
        rule.onNodeWithTag("sign-in").performClick()
        rule.waitUntil(20_000) { client.syncStatus().lastSyncAt != null }
        waitFor("hours-total")
        val joined = client.myMemberships().map { it.teamId }.toSet()
        // The list shows the first 30 teams: one the volunteer is not in, whose
        // leaders approve their members.
        val team = client.teams(null).take(30).first { it.id !in joined && it.joinPolicy == JoinPolicy.APPROVAL }
        // Far down the list: scroll to it, as a thumb would. The teams are
        // drawn a frame or more after the view model has them (CI saw a list
        // of 5 rows): scroll again until the row is there.
        rule.waitUntil(15_000) {
            runCatching { rule.onNodeWithTag("volunteer-list").performScrollToNode(hasTestTag("join-${team.id}")) }.isSuccess
        }
        rule.onNodeWithTag("join-${team.id}").performClick()
        // Shown at once, offline or not: a request, waiting for the team's approval.
        waitFor("requested-${team.id}")
        rule.onNodeWithTag("requested-${team.id}").assertTextContains("待审核")
        assertEquals(MembershipStatus.REQUESTED, client.myMemberships().first { it.teamId == team.id }.status)
        waitForBanner("1 项待同步")
        rule.onNodeWithTag("banner").assertTextContains("1 项待同步", substring = true)
        shot("volunteer")
    }

    @Test
    fun aRefusalIsResentAndDiscardedAndHoursAreReviewed() {
        // A volunteer's phone reports an hour for their team.
        val entry = VolunteerClient.open(TestServer.replicaPath(dir, "phone"), server.url).use { phone ->
            runBlocking {
                phone.signIn("volunteer2", TestServer.DEMO_PASSWORD)
                phone.syncNow()
                val team = phone.myMemberships().first { it.status == MembershipStatus.ACTIVE }.teamId
                val id = phone.reportHours(HoursReport(null, team, Instant.now().minus(Duration.ofHours(5)), 60u, "社区活动中心值班"))
                phone.syncNow()
                id
            }
        }
        val session = SessionViewModel(client, scope, Strings.zh)
        rule.setContent {
            App(
                session,
                roster = { RosterViewModel(client, scope, Strings.zh) },
                volunteer = { VolunteerViewModel(client, scope, Strings.zh) },
            )
        }
        rule.onNodeWithTag("login").performTextInput("staff-station")
        rule.onNodeWithTag("password").performTextInput(TestServer.DEMO_PASSWORD)
        rule.onNodeWithTag("sign-in").performClick()
        rule.waitUntil(20_000) { client.syncStatus().lastSyncAt != null }

        // Checking out someone nobody checked in: only the server can tell.
        val now = Instant.now()
        val underWay = client.activitiesAtSite(client.profile()!!.siteId!!, true).first {
            it.status == ActivityStatus.IN_PROGRESS && it.startsAt <= now && it.endsAt > now
        }
        val never = client.roster(underWay.id).first { it.checkedInAt == null }
        client.checkOut(underWay.id, never.volunteerId, null)
        rule.onNodeWithTag("sync").performClick()
        rule.waitUntil(15_000) { client.rejectedActions().isNotEmpty() }
        val refused = client.rejectedActions().single()
        waitFor("rejected-${refused.seq}")
        rule.onNodeWithTag("rejected-${refused.seq}").assertTextContains("签退：尚未签到")
        shot("rejected")

        // Resent, it waits to sync again, listed by what it is.
        rule.onNodeWithTag("resend-${refused.seq}").performClick()
        rule.waitUntil(10_000) { client.pendingActions().isNotEmpty() }
        val resent = client.pendingActions().single()
        waitFor("pending-${resent.seq}")
        rule.onNodeWithTag("pending-${resent.seq}").assertTextContains("签退 · ", substring = true)
        shot("resent")
        rule.onNodeWithTag("sync").performClick()
        rule.waitUntil(15_000) { client.rejectedActions().isNotEmpty() }
        val again = client.rejectedActions().single()
        waitFor("discard-${again.seq}")
        rule.onNodeWithTag("discard-${again.seq}").performClick()
        rule.waitUntil(10_000) { client.rejectedActions().isEmpty() }

        // The hours review: the phone's report, approved by a tap.
        rule.onNodeWithTag("tab-review").performClick()
        waitFor("approve-$entry")
        shot("review")
        rule.onNodeWithTag("approve-$entry").performClick()
        rule.waitUntil(10_000) { rule.onAllNodes(hasTestTag("approve-$entry")).fetchSemanticsNodes().isEmpty() }
        assertEquals(1, client.pendingActions().size)
        waitForBanner("1 项待同步")
        rule.onNodeWithTag("banner").assertTextContains("1 项待同步", substring = true)
    }
}
