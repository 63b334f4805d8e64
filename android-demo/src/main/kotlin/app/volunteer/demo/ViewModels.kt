// View models over the generated bindings: state as StateFlow, every call
// to the core off the UI thread. No business rule lives here: the core
// decides, and these only ask and show.
package app.volunteer.demo

import app.volunteer.core.Activity
import app.volunteer.core.ActivityStatus
import app.volunteer.core.Connectivity
import app.volunteer.core.HourEntry
import app.volunteer.core.Membership
import app.volunteer.core.MembershipStatus
import app.volunteer.core.PendingAction
import app.volunteer.core.Profile
import app.volunteer.core.RejectedAction
import app.volunteer.core.RosterEntry
import app.volunteer.core.SyncStatus
import app.volunteer.core.VolunteerClient
import app.volunteer.core.VolunteerException
import app.volunteer.core.changeFlow
import app.volunteer.core.statusFlow
import app.volunteer.core.syncNow
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import java.time.Instant

/** The sync banner: what the status stream says, in words. */
data class Banner(
    val connectivity: Connectivity,
    val syncing: Boolean,
    val pending: ULong,
    val rejected: ULong,
    val lastSyncAt: Instant?,
    val lastError: String?,
    /** Rows done and expected while a long download runs (0 and 0 otherwise). */
    val download: Pair<ULong, ULong> = 0uL to 0uL,
) {
    fun text(s: Strings): String = buildList {
        add(
            when {
                syncing && download.second > 0uL -> s.downloading(download.first, download.second)
                syncing -> s.syncing
                else -> s.connectivity(connectivity)
            },
        )
        if (pending > 0uL) add(s.waiting(pending))
        add(lastSyncAt?.let { s.lastSynced(s.time(it)) } ?: s.neverSynced)
        lastError?.let { add(s.failure(it)) }
    }.joinToString(" · ")

    companion object {
        fun of(st: SyncStatus) = Banner(
            st.connectivity, st.syncing, st.pendingCount, st.rejectedCount, st.lastSyncAt, st.lastError?.code,
            st.downloadDone to st.downloadExpected,
        )
    }
}

/** The session: sign-in, the banner, sync on demand. */
class SessionViewModel(
    val client: VolunteerClient,
    val scope: CoroutineScope,
    val strings: Strings,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _profile = MutableStateFlow(client.profile())
    val profile: StateFlow<Profile?> = _profile.asStateFlow()
    private val _message = MutableStateFlow<String?>(null)
    val message: StateFlow<String?> = _message.asStateFlow()
    val banner: StateFlow<Banner> = client.statusFlow()
        .map(Banner::of)
        .stateIn(scope, SharingStarted.Eagerly, Banner.of(client.syncStatus()))

    fun signIn(login: String, password: String): Job = scope.launch {
        try {
            _profile.value = withContext(io) { client.signIn(login.trim(), password) }
            _message.value = null
            sync().join()
        } catch (e: VolunteerException) {
            _message.value = strings.error(e, signIn = true)
        }
    }

    /** Sync now; a failure shows in the banner (nothing is lost). */
    fun sync(): Job = scope.launch {
        try {
            withContext(io) { client.syncNow() }
        } catch (_: VolunteerException) {
            // The status stream carries the error; pending work stays queued.
        }
    }
}

/** Staff at a desk: today's activities at their sites, a roster, check-in. */
class RosterViewModel(
    private val client: VolunteerClient,
    private val scope: CoroutineScope,
    val strings: Strings,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _activities = MutableStateFlow<List<Activity>>(emptyList())
    val activities: StateFlow<List<Activity>> = _activities.asStateFlow()
    private val _selected = MutableStateFlow<String?>(null)
    val selected: StateFlow<String?> = _selected.asStateFlow()
    private val _roster = MutableStateFlow<List<RosterEntry>>(emptyList())
    val roster: StateFlow<List<RosterEntry>> = _roster.asStateFlow()
    private val _rejected = MutableStateFlow<List<RejectedAction>>(emptyList())
    val rejected: StateFlow<List<RejectedAction>> = _rejected.asStateFlow()
    private val _pending = MutableStateFlow<List<PendingAction>>(emptyList())
    /** What is waiting to sync, oldest first. */
    val pending: StateFlow<List<PendingAction>> = _pending.asStateFlow()
    private val _walkIns = MutableStateFlow<List<Membership>>(emptyList())
    /** Members of the activity's team who are not on its roster: walk-ins. */
    val walkIns: StateFlow<List<Membership>> = _walkIns.asStateFlow()
    private val _message = MutableStateFlow<String?>(null)
    val message: StateFlow<String?> = _message.asStateFlow()

    // Declared before init, whose coroutines may refresh at once.
    private val serial = Mutex()

    init {
        // Every write and every sync: read again (the core says what changed;
        // a sync that only settles the queue changes the status's counts).
        scope.launch { client.changeFlow().collect { refresh() } }
        scope.launch {
            client.statusFlow().map { it.pendingCount to it.rejectedCount }.distinctUntilChanged()
                .collect { refresh() }
        }
        scope.launch { refresh() }
    }

    /**
     * Read everything again, one refresh at a time. Started together (a
     * change, a status event, an action's own), one that read before a write
     * could publish after one that read after it, and the screen kept stale
     * lists until the next change (the UI test's join, seen on CI). In turn,
     * the last to publish is the last to read.
     */
    suspend fun refresh() = serial.withLock { load() }

    private suspend fun load() = withContext(io) {
        val me = client.profile()
        val now = Instant.now()
        _activities.value = me?.siteId?.let { site ->
            client.activitiesAtSite(site, true).filter {
                it.status != ActivityStatus.CANCELLED && it.status != ActivityStatus.DRAFT &&
                    it.startsAt < now.plusSeconds(86_400) && it.endsAt > now.minusSeconds(43_200)
            }.sortedBy { it.startsAt }
        } ?: emptyList()
        val roster = _selected.value?.let { client.roster(it) } ?: emptyList()
        _roster.value = roster
        val team = _activities.value.firstOrNull { it.id == _selected.value }?.teamId
        _walkIns.value = team?.let { t ->
            client.teamMembers(t).filter { m -> m.status == MembershipStatus.ACTIVE && roster.none { it.volunteerId == m.volunteerId } }
        } ?: emptyList()
        _rejected.value = client.rejectedActions()
        _pending.value = client.pendingActions()
    }

    fun open(activityId: String?): Job = scope.launch {
        _selected.value = activityId
        refresh()
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

    fun checkIn(volunteerId: String): Job = act {
        client.checkIn(_selected.value ?: return@act, volunteerId, null)
    }

    fun checkOut(volunteerId: String): Job = act {
        client.checkOut(_selected.value ?: return@act, volunteerId, null)
    }

    fun resend(seq: ULong): Job = act { client.retryRejected(seq) }

    fun discard(seq: ULong): Job = act { client.discardRejected(seq) }
}

/** Staff: the hours waiting for their review, approved or rejected with a reason. */
class ReviewViewModel(
    private val client: VolunteerClient,
    private val scope: CoroutineScope,
    val strings: Strings,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _queue = MutableStateFlow<List<HourEntry>>(emptyList())
    val queue: StateFlow<List<HourEntry>> = _queue.asStateFlow()
    private val _message = MutableStateFlow<String?>(null)
    val message: StateFlow<String?> = _message.asStateFlow()

    private val serial = Mutex()

    init {
        scope.launch { client.changeFlow().collect { refresh() } }
        scope.launch { refresh() }
    }

    /** One refresh at a time, as in [RosterViewModel.refresh]. */
    suspend fun refresh() = serial.withLock { withContext(io) { _queue.value = client.hoursToReview() } }

    private fun act(call: () -> Unit): Job = scope.launch {
        try {
            withContext(io) { call() }
            _message.value = null
        } catch (e: VolunteerException) {
            _message.value = strings.error(e)
        }
        refresh()
    }

    fun approve(entryId: String) = act { client.reviewHours(entryId, true, null) }

    fun reject(entryId: String, reason: String) = act { client.reviewHours(entryId, false, reason) }
}
