package dev.benchctl.android

import android.app.Activity
import android.app.Instrumentation
import android.content.Intent
import android.os.Bundle
import dev.benchctl.core.TimingLoop

/**
 * The preferred launch: `am instrument -w -r -e spec <path> dev.benchctl.android/.BenchInstrumentation`
 * blocks on the host until the run is over, so the host needs no polling (the androidx/ExecuTorch
 * pattern). It starts [BenchActivity] with the spec path, streams progress as status lines, and
 * finishes with RESULT_OK once a result document is written — whatever its status, which the
 * host reads from the document — or RESULT_CANCELED when none could be written.
 */
class BenchInstrumentation : Instrumentation() {
    private var spec: String? = null

    override fun onCreate(arguments: Bundle?) {
        super.onCreate(arguments)
        spec = arguments?.getString(BenchActivity.EXTRA_SPEC)
        start() // onStart runs on the instrumentation's own thread
    }

    override fun onStart() {
        super.onStart()
        val path = spec
        if (path.isNullOrEmpty()) {
            finish(Activity.RESULT_CANCELED, stream("no spec: pass -e spec <path to spec.json>"))
            return
        }
        val intent =
            Intent(targetContext, BenchActivity::class.java)
                .putExtra(BenchActivity.EXTRA_SPEC, path)
                .putExtra(BenchActivity.EXTRA_FROM_INSTRUMENTATION, true)
                .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        val activity = startActivitySync(intent) as BenchActivity
        activity.progressListener =
            TimingLoop.Progress { phase, done, total ->
                sendStatus(STATUS_PROGRESS, stream("$PROGRESS_PREFIX $phase $done $total"))
            }
        val report = activity.awaitReport()
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

        /** The Python runner's progress prefix (benchctl/harness/runner), so one parser reads both. */
        const val PROGRESS_PREFIX = "@@benchctl progress"
    }
}
