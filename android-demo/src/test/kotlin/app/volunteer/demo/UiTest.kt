package app.volunteer.demo

import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextInput
import app.volunteer.core.ActivityStatus
import app.volunteer.core.TestServer
import app.volunteer.core.VolunteerClient
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import java.io.File
import java.time.Instant
import javax.imageio.ImageIO

/**
 * The Compose screens tapped through headless (Skia offscreen), against a
 * real server: sign in, open today's activity, check a volunteer in with
 * the network gone, and watch the banner count the waiting action.
 * Screenshots of each screen go to target/screenshots.
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
        scope.cancel()
        client.close()
        server.stop()
        dir.toFile().deleteRecursively()
    }

    private fun shot(name: String) {
        val out = File(System.getProperty("volunteer.screenshots") ?: "target/screenshots").apply { mkdirs() }
        ImageIO.write(rule.onRoot().captureToImage().toAwtImage(), "png", File(out, "$name.png"))
    }

    private var volunteerVm: VolunteerViewModel? = null

    private fun vmHasTeams(teamId: String) =
        volunteerVm?.state?.value?.teams?.any { it.team.id == teamId } == true

    private fun waitFor(tag: String) = rule.waitUntil(15_000) {
        rule.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()
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
        rule.waitForIdle()
        rule.onNodeWithTag("banner").assertTextContains("1 项待同步", substring = true)
        shot("roster-offline")

        server.start()
        rule.onNodeWithTag("sync").performClick()
        rule.waitUntil(15_000) { client.syncStatus().pendingCount == 0uL && client.syncStatus().lastError == null }
        rule.waitForIdle()
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
                volunteer = { VolunteerViewModel(client, scope, Strings.zh).also { volunteerVm = it } },
            )
        }
        rule.onNodeWithTag("login").performTextInput("volunteer2")
        rule.onNodeWithTag("password").performTextInput(TestServer.DEMO_PASSWORD)
        rule.onNodeWithTag("sign-in").performClick()
        rule.waitUntil(20_000) { client.syncStatus().lastSyncAt != null }
        waitFor("hours-total")
        val joined = client.myMemberships().map { it.teamId }.toSet()
        // The list shows the first 30 teams: one of them the volunteer is not in.
        val team = client.teams(null).take(30).first { it.id !in joined }
        // Far down the list: scroll to it, as a thumb would.
        rule.waitUntil(15_000) { vmHasTeams(team.id) }
        rule.onNodeWithTag("volunteer-list").performScrollToNode(hasTestTag("join-${team.id}"))
        rule.onNodeWithTag("join-${team.id}").performClick()
        // Shown at once: a member of an open team, a request for one that approves.
        rule.waitUntil(10_000) { client.myMemberships().any { it.teamId == team.id } }
        rule.waitForIdle()
        rule.onNodeWithTag("banner").assertTextContains("1 项待同步", substring = true)
        shot("volunteer")
    }
}
