package dev.benchctl.android

import android.app.Activity
import android.app.Instrumentation
import android.content.Intent
import android.os.Bundle
import dev.benchctl.core.CapabilitiesCodec
import dev.benchctl.core.FileIo
import dev.benchctl.core.Json
import dev.benchctl.core.TimingLoop
import java.io.File
import java.io.IOException

/**
 * The preferred launch: `am instrument -w -r -e spec <path> dev.benchctl.android/.BenchInstrumentation`
 * blocks on the host until the run is over, so the host needs no polling (the androidx/ExecuTorch
 * pattern). It starts [BenchActivity] with the spec path, streams progress as status lines, and
 * finishes with RESULT_OK once a result document is written — whatever its status, which the
 * host reads from the document — or RESULT_CANCELED when none could be written.
 *
 * Two other arguments, for the host's first contact:
 * - `-e prepare true`: create the app's external files folder (its first `getExternalFilesDir`,
 *   which gives the folder the app's uid; the host must never create it, finding A6) and finish;
 * - `-e capabilities <path>`: write a `benchctl.capabilities` document there (the runtimes and
 *   accelerators this phone offers) and finish.
 */
class BenchInstrumentation : Instrumentation() {
    private var arguments: Bundle? = null

    override fun onCreate(arguments: Bundle?) {
        super.onCreate(arguments)
        this.arguments = arguments
        start() // onStart runs on the instrumentation's own thread
    }

    override fun onStart() {
        super.onStart()
        val args = arguments
        val files = targetContext.getExternalFilesDir(null)
        when {
            args?.getString(ARG_PREPARE) == "true" ->
                if (files != null) {
                    finish(Activity.RESULT_OK, stream("prepared ${files.absolutePath}"))
                } else {
                    finish(Activity.RESULT_CANCELED, stream("shared storage is not available (getExternalFilesDir is null)"))
                }
            args?.getString(ARG_CAPABILITIES) != null -> writeCapabilities(File(args.getString(ARG_CAPABILITIES) ?: ""))
            else -> runSpec(args?.getString(BenchActivity.EXTRA_SPEC))
        }
    }

    private fun writeCapabilities(target: File) {
        try {
            val doc =
                CapabilitiesCodec.of(
                    RunSession.runnerInfo(targetContext),
                    listOf(LiteRtBackend(targetContext)),
                    AndroidPlatform(targetContext, false).deviceFacts(),
                )
            FileIo.writeAtomic(target, Json.write(CapabilitiesCodec.toJson(doc)))
            finish(Activity.RESULT_OK, stream("capabilities ${target.absolutePath}"))
        } catch (e: IOException) {
            finish(Activity.RESULT_CANCELED, stream("could not write ${target.path}: ${e.message}"))
        }
    }

    private fun runSpec(path: String?) {
        if (path.isNullOrEmpty()) {
            finish(Activity.RESULT_CANCELED, stream("no spec: pass -e spec <path to spec.json>"))
            return
        }
        // Before the activity starts: its run thread begins in onCreate (A8).
        ProgressRelay.listener =
            TimingLoop.Progress { phase, done, total ->
                sendStatus(STATUS_PROGRESS, stream("$PROGRESS_PREFIX $phase $done $total"))
            }
        val intent =
            Intent(targetContext, BenchActivity::class.java)
                .putExtra(BenchActivity.EXTRA_SPEC, path)
                .putExtra(BenchActivity.EXTRA_FROM_INSTRUMENTATION, true)
                .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        val activity = startActivitySync(intent) as BenchActivity
        val report = activity.awaitReport()
        ProgressRelay.listener = null
        activity.finish()
        val results = stream(report?.sentinel ?: "BENCHCTL_RESULT status=none")
        if (report?.resultFile != null) {
            results.putString("result_path", report.resultFile.absolutePath)
            results.putString("status", report.status)
            results.putString("run_id", report.runId)
            finish(Activity.RESULT_OK, results)
        } else {
            finish(Activity.RESULT_CANCELED, results)
        }
    }

    /** A bundle whose `stream` text `am instrument` prints as it is (the host's progress lines). */
    private fun stream(line: String) = Bundle().apply { putString(REPORT_KEY_STREAMRESULT, line + "\n") }

    companion object {
        const val STATUS_PROGRESS = 1
        const val ARG_PREPARE = "prepare"
        const val ARG_CAPABILITIES = "capabilities"

        /** The Python runner's progress prefix (benchctl/runner), so one parser reads both. */
        const val PROGRESS_PREFIX = "@@benchctl progress"
    }
}
