package app.volunteer.core

import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real volunteer-sync-server process on 127.0.0.1 with its own database
 * and the demo district. Stop and start it again on the same port and file
 * to play "the network went away".
 */
class TestServer(private val dir: Path) : AutoCloseable {
    private val binary = System.getProperty("volunteer.server.binary")
        ?: error("system property volunteer.server.binary is not set")
    private val db = dir.resolve("server.db")
    private var process: Process? = null
    var port: Int = 0
        private set
    val url: String get() = "http://127.0.0.1:$port"

    fun start(): TestServer {
        check(process == null) { "already running" }
        val log = dir.resolve("server-$port.log").toFile()
        val p = ProcessBuilder(
            binary, "--listen", "127.0.0.1:$port", "--database", db.toString(), "--demo",
        ).redirectError(ProcessBuilder.Redirect.appendTo(log)).start()
        val reader = p.inputStream.bufferedReader()
        while (true) {
            val line = reader.readLine() ?: error("server exited: ${log.readText()}")
            if (line.startsWith("listening on http://")) {
                port = line.substringAfterLast(':').trim().toInt()
                break
            }
        }
        // Keep draining stdout so the process never blocks on a full pipe.
        Thread { reader.lineSequence().forEach { _ -> } }.apply { isDaemon = true }.start()
        process = p
        return this
    }

    fun stop() {
        val p = process ?: return
        p.destroy() // SIGTERM: graceful shutdown
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor()
        process = null
    }

    override fun close() = stop()

    companion object {
        const val DEMO_PASSWORD = "demo-2026"

        fun tempDir(): Path = Files.createTempDirectory("volunteer-kotlin-")

        fun replicaPath(dir: Path, name: String): String = File(dir.toFile(), "$name.db").path
    }
}
