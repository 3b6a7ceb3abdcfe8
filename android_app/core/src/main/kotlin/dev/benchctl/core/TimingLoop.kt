package dev.benchctl.core

/**
 * The timing loop, with the same protocol as the Python runner (benchctl/runner/measure.py):
 * - the first call after load is timed on its own and is neither warm-up nor a sample;
 * - warm-up calls are counted and timed as one total;
 * - each timed call is one raw sample from a monotonic clock, nothing else inside the region;
 * - progress is reported and `max_total_s` is checked between chunks, never inside a sample.
 */
class TimingLoop(private val clock: MonotonicClock) {
    /** Called between chunks: phase ("warmup" or "timed"), iterations done, iterations asked. */
    fun interface Progress {
        fun report(phase: String, done: Int, total: Int)
    }

    data class Measured(
        val firstInferenceNs: Long,
        val warmupCount: Int,
        val warmupTotalNs: Long,
        val samples: LongArray,
        val stoppedBy: String, // "iters" or "max_total_s"
    )

    fun run(predictor: Predictor, policy: TimingPolicy, progress: Progress? = null): Measured {
        var t0 = clock.nanoTime()
        predictor.predict()
        val first = clock.nanoTime() - t0

        val w0 = clock.nanoTime()
        for (i in 0 until policy.warmupIters) predictor.predict()
        val warmTotal = clock.nanoTime() - w0
        progress?.report("warmup", policy.warmupIters, policy.warmupIters)

        val deadline = policy.maxTotalS?.let { clock.nanoTime() + (it * 1e9).toLong() }
        val samples = LongArray(policy.iters)
        val chunk = if (policy.progressEvery > 0) policy.progressEvery else minOf(policy.iters, 100)
        var done = 0
        var stoppedBy = "iters"
        while (done < policy.iters) {
            val stop = minOf(policy.iters, done + chunk)
            for (i in done until stop) {
                t0 = clock.nanoTime()
                predictor.predict()
                samples[i] = clock.nanoTime() - t0
            }
            done = stop
            if (policy.progressEvery > 0) progress?.report("timed", done, policy.iters)
            if (deadline != null && done < policy.iters && clock.nanoTime() > deadline) {
                stoppedBy = "max_total_s"
                break
            }
        }
        return Measured(first, policy.warmupIters, warmTotal, samples.copyOf(done), stoppedBy)
    }
}
