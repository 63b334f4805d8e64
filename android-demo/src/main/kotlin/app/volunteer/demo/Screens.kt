// The screens: they render view-model state and forward taps, nothing
// more. Shared by the desktop main and the Android activity (no
// desktop-only API here).
package app.volunteer.demo

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import app.volunteer.core.MembershipStatus
import app.volunteer.core.Role
import java.time.Duration
import java.time.Instant

/** The whole app: sign-in until a session exists, then the staff desk or the volunteer's screens, by role. */
@Composable
fun App(
    session: SessionViewModel,
    roster: () -> RosterViewModel,
    volunteer: () -> VolunteerViewModel,
    review: () -> ReviewViewModel = { ReviewViewModel(session.client, session.scope, session.strings) },
) {
    val profile by session.profile.collectAsState()
    MaterialTheme {
        Surface(Modifier.padding(12.dp)) {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                SyncBanner(session)
                when (profile?.role) {
                    null -> SignInScreen(session)
                    Role.STAFF, Role.ADMIN -> StaffScreen(remember { roster() }, remember { review() })
                    else -> VolunteerScreen(remember { volunteer() })
                }
            }
        }
    }
}

@Composable
fun SyncBanner(session: SessionViewModel) {
    val banner by session.banner.collectAsState()
    Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
        Text(banner.text(session.strings), Modifier.weight(1f).testTag("banner"))
        TextButton(onClick = { session.sync() }, Modifier.testTag("sync")) { Text(session.strings.sync) }
    }
}

@Composable
fun SignInScreen(session: SessionViewModel) {
    val s = session.strings
    var login by remember { mutableStateOf("") }
    var password by remember { mutableStateOf("") }
    val message by session.message.collectAsState()
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(s.appName, style = MaterialTheme.typography.headlineSmall)
        OutlinedTextField(login, { login = it }, label = { Text(s.login) }, modifier = Modifier.testTag("login"))
        OutlinedTextField(
            password,
            { password = it },
            label = { Text(s.password) },
            visualTransformation = PasswordVisualTransformation(),
            modifier = Modifier.testTag("password"),
        )
        Button(onClick = { session.signIn(login, password) }, Modifier.testTag("sign-in")) { Text(s.signIn) }
        message?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("message")) }
    }
}

/** Staff mode: the check-in desk or the hours review. */
@Composable
fun StaffScreen(roster: RosterViewModel, review: ReviewViewModel) {
    var reviewing by remember { mutableStateOf(false) }
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Row {
            TextButton(onClick = { reviewing = false }, Modifier.testTag("tab-desk")) { Text(roster.strings.desk) }
            TextButton(onClick = { reviewing = true }, Modifier.testTag("tab-review")) { Text(roster.strings.review) }
        }
        if (reviewing) ReviewScreen(review) else RosterScreen(roster)
    }
}

@Composable
fun ReviewScreen(vm: ReviewViewModel) {
    val s = vm.strings
    val queue by vm.queue.collectAsState()
    val message by vm.message.collectAsState()
    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
        message?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("message")) }
        if (queue.isEmpty()) Text(s.nothingToReview)
        LazyColumn {
            items(queue, key = { it.id }) { h ->
                Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
                    Text("${h.description} · ${h.minutes} ${s.minutes}", Modifier.weight(1f))
                    Button(onClick = { vm.approve(h.id) }, Modifier.testTag("approve-${h.id}")) { Text(s.approve) }
                    TextButton(onClick = { vm.reject(h.id, s.rejectWith) }) { Text(s.rejectWith) }
                }
            }
        }
    }
}

@Composable
fun RosterScreen(vm: RosterViewModel) {
    val s = vm.strings
    val activities by vm.activities.collectAsState()
    val selected by vm.selected.collectAsState()
    val roster by vm.roster.collectAsState()
    val rejected by vm.rejected.collectAsState()
    val pending by vm.pending.collectAsState()
    val walkIns by vm.walkIns.collectAsState()
    val message by vm.message.collectAsState()
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        message?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("message")) }
        if (pending.isNotEmpty()) {
            Text(s.waitingList, style = MaterialTheme.typography.titleMedium, modifier = Modifier.testTag("pending"))
            pending.forEach { p -> Text(s.pendingLine(p), Modifier.testTag("pending-${p.seq}")) }
        }
        if (rejected.isNotEmpty()) {
            Text(s.rejected, style = MaterialTheme.typography.titleMedium)
            rejected.forEach { r ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text(s.rejectedLine(r), Modifier.weight(1f).testTag("rejected-${r.seq}"))
                    TextButton(onClick = { vm.resend(r.seq) }, Modifier.testTag("resend-${r.seq}")) { Text(s.resend) }
                    TextButton(onClick = { vm.discard(r.seq) }, Modifier.testTag("discard-${r.seq}")) { Text(s.discard) }
                }
            }
        }
        if (selected == null) {
            Text(s.today, style = MaterialTheme.typography.titleMedium)
            if (activities.isEmpty()) Text(s.noActivities)
            LazyColumn {
                items(activities, key = { it.id }) { a ->
                    OutlinedButton(onClick = { vm.open(a.id) }, Modifier.fillMaxWidth().testTag("activity-${a.id}")) {
                        Text("${a.title} · ${a.signupCount}/${a.capacity}")
                    }
                }
            }
        } else {
            Row(verticalAlignment = Alignment.CenterVertically) {
                TextButton(onClick = { vm.open(null) }) { Text(s.back) }
                Text(s.roster, style = MaterialTheme.typography.titleMedium)
            }
            LazyColumn {
                items(roster, key = { it.volunteerId }) { e ->
                    Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
                        Text(e.volunteerName, Modifier.weight(1f))
                        when {
                            e.checkedInAt == null -> Button(
                                onClick = { vm.checkIn(e.volunteerId) },
                                Modifier.testTag("check-in-${e.volunteerId}"),
                            ) { Text(s.checkIn) }
                            e.checkedOutAt == null -> OutlinedButton(
                                onClick = { vm.checkOut(e.volunteerId) },
                                Modifier.testTag("check-out-${e.volunteerId}"),
                            ) { Text(s.checkOut) }
                            else -> Text(s.checkedIn)
                        }
                    }
                }
                items(walkIns, key = { "w-" + it.volunteerId }) { m ->
                    Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
                        Text(m.volunteerName, Modifier.weight(1f))
                        OutlinedButton(onClick = { vm.checkIn(m.volunteerId) }, Modifier.testTag("walk-in-${m.volunteerId}")) {
                            Text(s.walkIn)
                        }
                    }
                }
            }
        }
    }
}

@Composable
fun VolunteerScreen(vm: VolunteerViewModel) {
    val s = vm.strings
    val state by vm.state.collectAsState()
    val message by vm.message.collectAsState()
    LazyColumn(Modifier.testTag("volunteer-list"), verticalArrangement = Arrangement.spacedBy(6.dp)) {
        message?.let { m -> item { Text(m, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("message")) } }
        if (state.notices.any { !it.read }) {
            item { Text(s.notices, style = MaterialTheme.typography.titleMedium) }
            items(state.notices.filter { !it.read }, key = { "n-" + it.id }) { n ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text(n.message, Modifier.weight(1f).testTag("notice-${n.subjectId}"))
                    TextButton(onClick = { vm.read(n.id) }) { Text(s.markRead) }
                }
            }
        }
        if (state.callOuts.isNotEmpty()) {
            item { Text(s.callOuts, style = MaterialTheme.typography.titleMedium) }
            items(state.callOuts, key = { "c-" + it.id }) { a ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text("${a.title} · ${a.signupCount}/${a.capacity}", Modifier.weight(1f))
                    Button(onClick = { vm.signUp(a.id) }, Modifier.testTag("answer-${a.id}")) { Text(s.answer) }
                }
            }
        }
        item { Text(s.myHours, style = MaterialTheme.typography.titleMedium) }
        item {
            val total = state.total
            Text(if (total == null) "" else s.confirmedPending(total.confirmedMinutes, total.pendingMinutes), Modifier.testTag("hours-total"))
        }
        items(state.hours.take(10), key = { "h-" + it.id }) { h ->
            Text("${h.description} · ${h.minutes} ${s.minutes} · ${s.hourStatus(h.status)}", Modifier.testTag("hour-${h.id}"))
        }
        item { ReportForm(vm) }
        if (state.orders.isNotEmpty()) {
            item { Text(s.myOrders, style = MaterialTheme.typography.titleMedium) }
            items(state.orders, key = { "o-" + it.id }) { o ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text("${o.category} · ${o.description}", Modifier.weight(1f))
                    when (o.status) {
                        app.volunteer.core.OrderStatus.DISPATCHED -> {
                            Button(onClick = { vm.accept(o.id) }, Modifier.testTag("accept-${o.id}")) { Text(s.accept) }
                            TextButton(onClick = { vm.decline(o.id, s.decline) }) { Text(s.decline) }
                        }
                        app.volunteer.core.OrderStatus.ACCEPTED -> OutlinedButton(
                            onClick = { vm.complete(o.id, Instant.now().minus(Duration.ofHours(1)), 60u) },
                            Modifier.testTag("complete-${o.id}"),
                        ) { Text(s.complete) }
                        else -> {}
                    }
                }
            }
        }
        item { Text(s.activities, style = MaterialTheme.typography.titleMedium) }
        items(state.activities.take(30), key = { "a-" + it.activity.id }) { row ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text("${row.activity.title} · ${row.activity.signupCount}/${row.activity.capacity}", Modifier.weight(1f))
                val position = row.waitlistPosition
                when {
                    row.signup == null -> Button(onClick = { vm.signUp(row.activity.id) }, Modifier.testTag("sign-up-${row.activity.id}")) { Text(s.signUp) }
                    else -> {
                        Text(if (position != null) s.waitlisted(position) else s.signedUp, Modifier.testTag("place-${row.activity.id}"))
                        TextButton(onClick = { vm.cancel(row.activity.id) }) { Text(s.cancel) }
                    }
                }
            }
        }
        item { Text(s.teams, style = MaterialTheme.typography.titleMedium) }
        items(state.teams.take(30), key = { "t-" + it.team.id }) { row ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(row.team.name, Modifier.weight(1f))
                when (row.status) {
                    MembershipStatus.ACTIVE -> Text(s.member)
                    MembershipStatus.REQUESTED -> Text(s.requested, Modifier.testTag("requested-${row.team.id}"))
                    else -> OutlinedButton(onClick = { vm.join(row.team.id) }, Modifier.testTag("join-${row.team.id}")) { Text(s.join) }
                }
            }
        }
    }
}

@Composable
fun ReportForm(vm: VolunteerViewModel) {
    val s = vm.strings
    var minutes by remember { mutableStateOf("") }
    var text by remember { mutableStateOf("") }
    Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        OutlinedTextField(minutes, { minutes = it }, label = { Text(s.minutes) }, modifier = Modifier.weight(1f).testTag("report-minutes"))
        OutlinedTextField(text, { text = it }, label = { Text(s.description) }, modifier = Modifier.weight(2f).testTag("report-text"))
        Button(
            onClick = {
                minutes.toUIntOrNull()?.let { vm.report(it, text, Instant.now().minus(Duration.ofHours(3))) }
                minutes = ""
                text = ""
            },
            Modifier.testTag("report"),
        ) { Text(s.report) }
    }
}
