// The volunteer's side: teams to join, activities to sign up for (with the
// waitlist position), their hours, orders offered to them, call-outs that
// call them, and notices. Every decision is the core's; this only asks,
// shows and forwards.
package app.volunteer.demo

import app.volunteer.core.Activity
import app.volunteer.core.HourEntry
import app.volunteer.core.HoursReport
import app.volunteer.core.HoursTotal
import app.volunteer.core.MembershipStatus
import app.volunteer.core.Notice
import app.volunteer.core.ServiceOrder
import app.volunteer.core.Signup
import app.volunteer.core.SignupStatus
import app.volunteer.core.Team
import app.volunteer.core.VolunteerClient
import app.volunteer.core.VolunteerException
import app.volunteer.core.changeFlow
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import java.time.Instant

/** A team and where this volunteer stands with it (`null`: not a member). */
data class TeamRow(val team: Team, val status: MembershipStatus?)

/** An activity and this volunteer's place in it (`null`: not signed up). */
data class ActivityRow(val activity: Activity, val signup: Signup?) {
    val waitlistPosition: UInt? get() = signup?.takeIf { it.status == SignupStatus.WAITLISTED }?.position
}

data class VolunteerState(
    val teams: List<TeamRow> = emptyList(),
    val activities: List<ActivityRow> = emptyList(),
    val hours: List<HourEntry> = emptyList(),
    val total: HoursTotal? = null,
    val orders: List<ServiceOrder> = emptyList(),
    val callOuts: List<Activity> = emptyList(),
    val notices: List<Notice> = emptyList(),
)

class VolunteerViewModel(
    private val client: VolunteerClient,
    private val scope: CoroutineScope,
    val strings: Strings,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _state = MutableStateFlow(VolunteerState())
    val state: StateFlow<VolunteerState> = _state.asStateFlow()
    private val _message = MutableStateFlow<String?>(null)
    val message: StateFlow<String?> = _message.asStateFlow()

    private val serial = Mutex()

    init {
        scope.launch { client.changeFlow().collect { refresh() } }
        scope.launch { refresh() }
    }

    /** Read everything again, one refresh at a time, as in [RosterViewModel.refresh]. */
    suspend fun refresh() = serial.withLock { load() }

    private suspend fun load() = withContext(io) {
        val memberships = client.myMemberships().associateBy { it.teamId }
        val signups = client.mySignups().associateBy { it.activityId }
        _state.value = VolunteerState(
            teams = client.teams(null).map { TeamRow(it, memberships[it.id]?.status) },
            activities = client.upcomingActivities(200u).filter { !it.callout }
                .map { ActivityRow(it, signups[it.id]) },
            hours = client.myHours(),
            total = client.myHoursTotal(),
            orders = client.assignedOrders(),
            callOuts = client.openCallOuts(),
            notices = client.myNotices(),
        )
    }

    private fun act(call: () -> Unit): Job = scope.launch {
        try {
            withContext(io) { call() }
            _message.value = null
        } catch (e: VolunteerException) {
            _message.value = strings.error(e)
        }
        refresh()
    }

    fun join(teamId: String) = act { client.joinTeam(teamId) }

    fun leave(teamId: String) = act { client.leaveTeam(teamId) }

    fun signUp(activityId: String) = act { client.signUp(activityId) }

    fun cancel(activityId: String) = act { client.cancelSignup(activityId) }

    fun report(minutes: UInt, description: String, startedAt: Instant, teamId: String? = null) = act {
        client.reportHours(HoursReport(null, teamId, startedAt, minutes, description))
    }

    fun accept(orderId: String) = act { client.respondToOrder(orderId, true, null) }

    fun decline(orderId: String, reason: String) = act { client.respondToOrder(orderId, false, reason) }

    fun complete(orderId: String, startedAt: Instant, minutes: UInt) =
        act { client.completeOrder(orderId, startedAt, minutes, emptyList()) }

    fun read(noticeId: String) = act { client.markNoticeRead(noticeId) }
}
