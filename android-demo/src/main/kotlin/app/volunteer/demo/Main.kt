// The desktop shell: the same composables in a window, against a server URL
// (`-Dvolunteer.server=...`, default the README's 127.0.0.1:8080).
package app.volunteer.demo

import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import app.volunteer.core.VolunteerClient
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import java.io.File

fun main() {
    val server = System.getProperty("volunteer.server") ?: "http://127.0.0.1:8080"
    val dir = File(System.getProperty("user.home"), ".volunteer-demo").apply { mkdirs() }
    val client = VolunteerClient.open(File(dir, "replica.db").path, server)
    val strings = if (System.getProperty("volunteer.lang") == "en") Strings.en else Strings.zh
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)
    val session = SessionViewModel(client, scope, strings)
    application {
        Window(onCloseRequest = ::exitApplication, title = strings.appName) {
            App(
                session,
                roster = { RosterViewModel(client, scope, strings) },
                volunteer = { VolunteerViewModel(client, scope, strings) },
            )
        }
    }
}
