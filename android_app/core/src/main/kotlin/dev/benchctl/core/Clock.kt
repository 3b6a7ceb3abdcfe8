package dev.benchctl.core

/**
 * A monotonic nanosecond clock. The loop only ever subtracts two readings, so any origin works;
 * wall clocks (System.currentTimeMillis, Date) are never used because they jump.
 */
interface MonotonicClock {
    /** The name stored as `timing_ns.clock`, so a result says which clock produced it. */
    val name: String

    fun nanoTime(): Long

    /** Sleeps without busy-waiting; used only between phases (cool-down), never while timing. */
    fun sleepMillis(ms: Long)
}

/** `System.nanoTime`: monotonic on the JVM and on Android (CLOCK_MONOTONIC). */
object SystemNanoClock : MonotonicClock {
    override val name = "System.nanoTime"

    override fun nanoTime(): Long = System.nanoTime()

    override fun sleepMillis(ms: Long) = Thread.sleep(ms)
}

/**
 * The smallest non-zero step between two readings over [tries] attempts, or null when the clock
 * did not move within [maxReads] readings of one attempt (a stopped or very coarse clock).
 */
fun observedResolutionNs(clock: MonotonicClock, tries: Int = 1000, maxReads: Int = 100_000): Long? {
    var best = Long.MAX_VALUE
    repeat(tries) {
        val t0 = clock.nanoTime()
        var t1 = clock.nanoTime()
        var reads = 1
        while (t1 == t0) {
            if (reads++ >= maxReads) return null
            t1 = clock.nanoTime()
        }
        if (t1 - t0 < best) best = t1 - t0
    }
    return best
}

/** Median cost of an empty timed region (two clock reads): the floor under any sample. */
fun loopOverheadNs(clock: MonotonicClock, repeats: Int = 1000): Long {
    val diffs = LongArray(repeats)
    for (i in 0 until repeats) {
        val t0 = clock.nanoTime()
        diffs[i] = clock.nanoTime() - t0
    }
    diffs.sort()
    return diffs[repeats / 2]
}
