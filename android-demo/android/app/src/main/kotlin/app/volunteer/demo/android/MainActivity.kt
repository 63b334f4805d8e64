// The Android host of the demo's shared composables: the replica lives in
// the app's private files (never backed up: allowBackup is off), the core
// hears when the network comes and goes, and the same view models drive the
// same screens as on the desktop.
package app.volunteer.demo.android

import android.net.ConnectivityManager
import android.net.Network
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.lifecycle.lifecycleScope
import app.volunteer.core.AutoSyncOptions
import app.volunteer.core.VolunteerClient
import app.volunteer.demo.App
import app.volunteer.demo.RosterViewModel
import app.volunteer.demo.SessionViewModel
import app.volunteer.demo.Strings
import app.volunteer.demo.VolunteerViewModel
import java.io.File
import java.time.Duration
import java.util.Locale

class MainActivity : ComponentActivity() {
    private lateinit var client: VolunteerClient

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val server = getString(R.string.server_url)
        client = VolunteerClient.open(File(filesDir, "replica.db").path, server)
        val strings = if (Locale.getDefault().language == "en") Strings.en else Strings.zh
        // The core syncs on its own; the app tells it when the network changes.
        client.startAutoSync(
            AutoSyncOptions(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofSeconds(1), Duration.ofMinutes(5)),
        )
        getSystemService(ConnectivityManager::class.java).registerDefaultNetworkCallback(
            object : ConnectivityManager.NetworkCallback() {
                override fun onAvailable(network: Network) = client.setNetworkAvailable(true)
                override fun onLost(network: Network) = client.setNetworkAvailable(false)
            },
        )
        val scope = lifecycleScope
        val session = SessionViewModel(client, scope, strings)
        setContent {
            App(
                session,
                roster = { RosterViewModel(client, scope, strings) },
                volunteer = { VolunteerViewModel(client, scope, strings) },
            )
        }
    }

    override fun onDestroy() {
        client.close()
        super.onDestroy()
    }
}
