package dev.benchctl.android

import dev.benchctl.core.TimingLoop

/**
 * Where a run's progress goes, set before the run starts. [BenchInstrumentation] sets it before
 * it starts [BenchActivity]; the activity's run thread starts in `onCreate`, before
 * `startActivitySync` returns, so a listener attached to the activity afterwards would miss the
 * first reports (A8). One run at a time per process (the activity is singleTask).
 */
object ProgressRelay {
    @Volatile var listener: TimingLoop.Progress? = null

    fun report(phase: String, done: Int, total: Int) {
        listener?.report(phase, done, total)
    }
}
