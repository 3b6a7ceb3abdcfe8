package dev.benchctl.android

import android.content.Context
import android.util.Log
import dev.benchctl.core.BenchRunner
import dev.benchctl.core.Contract
import dev.benchctl.core.RunnerInfo
import dev.benchctl.core.SystemNanoClock
import dev.benchctl.core.TimingLoop
import java.io.File
import java.io.IOException

/** One run on the phone: the shared Kotlin core with LiteRT, this device's facts, staged model. */
class RunSession(
    private val context: Context,
    private val sustainedMode: Boolean,
    private val windowFocused: Boolean? = null,
) {
    data class Report(
        val resultFile: File?,
        val runId: String,
        val status: String,
        val summary: String, // one line for the status screen
        val sentinel: String, // one line for logcat and `am instrument`
    )

    fun run(spec: File, progress: TimingLoop.Progress?): Report {
        val runner =
            BenchRunner(
                runner = runnerInfo(context),
                platform = AndroidPlatform(context, sustainedMode, windowFocused),
                backends = listOf(LiteRtBackend(context)),
                clock = SystemNanoClock,
                progress = progress,
                modelResolver = ModelStaging(context),
            )
        return try {
            val outcome = runner.run(spec)
            val r = outcome.result
            val median = r.timing?.summary?.get("median")?.asDouble
            val summary =
                buildString {
                    append(r.status.wire)
                    r.error?.let { append(" ").append(it.code).append(": ").append(it.message) }
                    median?.let { append(" — median %.3f ms".format(it / 1e6)) }
                }
            val sentinel = "BENCHCTL_RESULT run_id=${r.runId} status=${r.status.wire} path=${outcome.resultFile.absolutePath}"
            Log.i(BenchActivity.TAG, sentinel)
            Report(outcome.resultFile, r.runId, r.status.wire, summary, sentinel)
        } catch (e: IOException) { // only writing the result itself can fail here (storage full, folder gone)
            val sentinel = "BENCHCTL_RESULT status=none error=${e.javaClass.simpleName}: ${e.message}"
            Log.e(BenchActivity.TAG, sentinel, e)
            Report(null, "", "none", "could not write the result: ${e.message}", sentinel)
        }
    }

    companion object {
        fun runnerInfo(context: Context): RunnerInfo {
            val version = context.packageManager.getPackageInfo(context.packageName, 0).versionName ?: "unknown"
            return RunnerInfo("benchctl-android", version, Contract.SUPPORTED_VERSIONS)
        }
    }
}
