package dev.benchctl.android

import android.app.Activity
import android.os.Build
import android.os.Bundle
import android.os.PowerManager
import android.util.Log
import android.view.WindowManager
import android.widget.TextView
import java.io.File
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

/**
 * The window a run happens in: a foreground activity gets the scheduling a user's app gets (the
 * reason TFLite ships its benchmark as an APK), can hold the screen on, and can ask for
 * sustained-performance mode. Started by [BenchInstrumentation] or directly with
 * `am start -W -S -n dev.benchctl.android/.BenchActivity --es spec <path>`; the only input is the
 * spec path, and the only output is result.json beside it (plus one logcat line).
 */
class BenchActivity : Activity() {
    private val done = CountDownLatch(1)
    private val focused = CountDownLatch(1)

    @Volatile private var report: RunSession.Report? = null

    private lateinit var status: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // The host wakes the screen and dismisses a swipe keyguard (A13); the window also asks
        // to be shown over the keyguard and to turn the screen on, and keeps it on while it runs.
        window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O_MR1) {
            setShowWhenLocked(true)
            setTurnScreenOn(true)
        }
        status = TextView(this).apply {
            setPadding(48, 96, 48, 48)
            textSize = 16f
        }
        setContentView(status)
        val spec = intent.getStringExtra(EXTRA_SPEC)
        val fromInstrumentation = intent.getBooleanExtra(EXTRA_FROM_INSTRUMENTATION, false)
        if (spec.isNullOrEmpty()) {
            val message = "no spec: start with --es spec <path to spec.json>"
            Log.e(TAG, message)
            status.text = message
            done.countDown()
            if (!fromInstrumentation) finish()
            return
        }
        val sustained = enableSustainedPerformance()
        status.text = getString(R.string.app_name) + ": running " + spec
        thread(name = "benchctl-run") {
            // Sustained-performance mode and top-app scheduling apply only to a window that is
            // shown and focused; wait a little for it and record whether it came (A13).
            val hasFocus = focused.await(FOCUS_WAIT_S, TimeUnit.SECONDS)
            val r =
                RunSession(applicationContext, sustained && hasFocus, hasFocus).run(File(spec)) { phase, n, total ->
                    ProgressRelay.report(phase, n, total)
                    runOnUiThread { status.text = "$phase $n / $total" }
                }
            report = r
            runOnUiThread {
                status.text = r.summary
                if (!fromInstrumentation) finishAndRemoveTask()
            }
            done.countDown()
        }
    }

    override fun onWindowFocusChanged(hasFocus: Boolean) {
        super.onWindowFocusChanged(hasFocus)
        if (hasFocus) focused.countDown()
    }

    /** Blocks until the run has written its result (or failed to); called off the main thread. */
    fun awaitReport(): RunSession.Report? {
        done.await()
        return report
    }

    /**
     * Sustained-performance mode keeps clocks at a level the device can hold, trading peak speed
     * for stable numbers (androidx Benchmark's IsolationActivity does the same). Recorded in the
     * result; not every device supports it.
     */
    private fun enableSustainedPerformance(): Boolean {
        val power: PowerManager? = getSystemService(PowerManager::class.java)
        if (power == null || !power.isSustainedPerformanceModeSupported) return false
        window.setSustainedPerformanceMode(true)
        return true
    }

    companion object {
        const val TAG = "benchctl"
        const val EXTRA_SPEC = "spec"
        const val EXTRA_FROM_INSTRUMENTATION = "dev.benchctl.android.FROM_INSTRUMENTATION"
        const val FOCUS_WAIT_S = 5L
    }
}
