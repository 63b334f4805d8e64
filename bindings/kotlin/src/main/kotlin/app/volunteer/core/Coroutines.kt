// Idiomatic Kotlin on top of the generated bindings: cancellable sync, and
// flows of status and changes. No business rules here; they live in Rust.
package app.volunteer.core

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate

/**
 * Push pending actions and pull what is new. Cancelling the calling coroutine
 * stops the sync in Rust too: what was applied stays applied, the rest stays
 * pending. Failures throw [VolunteerException].
 */
suspend fun VolunteerClient.syncNow(): SyncReport {
    val cancel = CancelHandle()
    try {
        return sync(cancel)
    } catch (e: CancellationException) {
        // The generated call stops waiting at once; tell Rust to stop working.
        cancel.cancel()
        throw e
    } finally {
        cancel.close()
    }
}

/** The sync status: the current value first, then every change (conflated). */
fun VolunteerClient.statusFlow(): Flow<SyncStatus> = callbackFlow {
    val subscription = subscribeStatus(object : StatusListener {
        override fun onStatus(status: SyncStatus) {
            trySend(status)
        }
    })
    awaitClose {
        subscription.cancel()
        subscription.close()
    }
}.conflate()

/** Which kinds of data changed, after each local write or sync. */
fun VolunteerClient.changeFlow(): Flow<List<DataKind>> = callbackFlow {
    val subscription = subscribeChanges(object : ChangeListener {
        override fun onChange(kinds: List<DataKind>) {
            trySend(kinds)
        }
    })
    awaitClose {
        subscription.cancel()
        subscription.close()
    }
}.buffer(Channel.UNLIMITED)
