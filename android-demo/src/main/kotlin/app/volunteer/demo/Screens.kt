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

/** The whole app: sign-in until a session exists, then the staff desk. */
@Composable
fun App(session: SessionViewModel, roster: () -> RosterViewModel) {
    val profile by session.profile.collectAsState()
    MaterialTheme {
        Surface(Modifier.padding(12.dp)) {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                SyncBanner(session)
                if (profile == null) {
                    SignInScreen(session)
                } else {
                    val vm = remember { roster() }
                    RosterScreen(vm)
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

@Composable
fun RosterScreen(vm: RosterViewModel) {
    val s = vm.strings
    val activities by vm.activities.collectAsState()
    val selected by vm.selected.collectAsState()
    val roster by vm.roster.collectAsState()
    val rejected by vm.rejected.collectAsState()
    val message by vm.message.collectAsState()
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        message?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("message")) }
        if (rejected.isNotEmpty()) {
            Text(s.rejected, style = MaterialTheme.typography.titleMedium)
            rejected.forEach { r ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text(s.reject(r.code), Modifier.weight(1f).testTag("rejected-${r.seq}"))
                    TextButton(onClick = { vm.resend(r.seq) }) { Text(s.resend) }
                    TextButton(onClick = { vm.discard(r.seq) }) { Text(s.discard) }
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
            }
        }
    }
}
