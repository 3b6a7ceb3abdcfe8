package dev.benchctl.core

import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals

class TimingLoopTest {
    private fun predictorOf(clock: FakeClock, durations: LongArray, calls: IntArray) =
        Predictor {
            clock.now += durations[calls[0] % durations.size]
            calls[0]++
        }

    @Test
    fun firstCallWarmupAndSamplesAreSeparate() {
        val clock = FakeClock(tickNs = 0)
        val calls = intArrayOf(0)
        // first call 900, then warm-up (3 × 10), then samples 100, 200, 300, 400, 500
        val durations = longArrayOf(900, 10, 10, 10, 100, 200, 300, 400, 500)
        val m = TimingLoop(clock).run(predictorOf(clock, durations, calls), TimingPolicy(3, 5, null, 0))
        assertEquals(900, m.firstInferenceNs)
        assertEquals(3, m.warmupCount)
        assertEquals(30, m.warmupTotalNs)
        assertContentEquals(longArrayOf(100, 200, 300, 400, 500), m.samples)
        assertEquals("iters", m.stoppedBy)
        assertEquals(1 + 3 + 5, calls[0])
    }

    @Test
    fun eachSampleHoldsOnlyTheCallAndTwoClockReads() {
        val clock = FakeClock(tickNs = 7) // every reading costs 7 ns: one of them lands in a sample
        val m = TimingLoop(clock).run(predictorOf(clock, longArrayOf(50), intArrayOf(0)), TimingPolicy(0, 4, null, 0))
        assertContentEquals(longArrayOf(57, 57, 57, 57), m.samples)
    }

    @Test
    fun progressIsReportedBetweenChunks() {
        val clock = FakeClock(tickNs = 0)
        val seen = mutableListOf<Triple<String, Int, Int>>()
        TimingLoop(clock).run(
            predictorOf(clock, longArrayOf(5), intArrayOf(0)),
            TimingPolicy(2, 10, null, 4),
        ) { phase, done, total -> seen += Triple(phase, done, total) }
        assertEquals(
            listOf(Triple("warmup", 2, 2), Triple("timed", 4, 10), Triple("timed", 8, 10), Triple("timed", 10, 10)),
            seen,
        )
    }

    @Test
    fun maxTotalSecondsStopsBetweenChunks() {
        val clock = FakeClock(tickNs = 0)
        // each call takes 0.3 s; max 1 s; chunks of 2 → stops after the chunk that passes 1 s
        val m = TimingLoop(clock).run(
            predictorOf(clock, longArrayOf(300_000_000), intArrayOf(0)),
            TimingPolicy(0, 100, 1.0, 2),
        )
        assertEquals("max_total_s", m.stoppedBy)
        assertEquals(4, m.samples.size)
        m.samples.forEach { assertEquals(300_000_000L, it) }
    }

    @Test
    fun theRealClockTimesRealWork() {
        val data = DoubleArray(20_000) { it * 0.5 }
        var sink = 0.0
        val m = TimingLoop(SystemNanoClock).run(Predictor { sink += data.sum() }, TimingPolicy(5, 50, null, 0))
        assertEquals(50, m.samples.size)
        m.samples.forEach { kotlin.test.assertTrue(it > 0, "a sample of $it ns") }
        kotlin.test.assertTrue(sink > 0)
        kotlin.test.assertTrue(observedResolutionNs(SystemNanoClock)!! > 0)
        kotlin.test.assertNull(observedResolutionNs(FakeClock(tickNs = 0), tries = 3, maxReads = 50))
    }
}
