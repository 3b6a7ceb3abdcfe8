package dev.benchctl.core

import com.google.gson.JsonArray
import com.google.gson.JsonObject
import java.util.SplittableRandom
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

class StatisticsTest {
    @Test
    fun percentilesInterpolateLikeNumpy() {
        val x = doubleArrayOf(1.0, 2.0, 3.0, 4.0)
        assertEquals(2.5, Statistics.percentileSorted(x, 50.0))
        assertEquals(3.7, Statistics.percentileSorted(x, 90.0), 1e-12) // pos 2.7 → 3 + 0.7
        assertEquals(1.0, Statistics.percentileSorted(x, 0.0))
        assertEquals(4.0, Statistics.percentileSorted(x, 100.0))
    }

    @Test
    fun summaryOfASmallSample() {
        val s = Statistics.summarize(longArrayOf(5, 1, 4, 2, 3))
        assertEquals(5, s.count)
        assertEquals(3.0, s.median)
        assertEquals(3.0, s.mean)
        assertEquals(Math.sqrt(2.5), s.std, 1e-12) // ddof = 1
        assertEquals(1.0, s.mad) // |x − 3| = 2,2,1,1,0 → median 1
        assertEquals(2.0, s.iqr) // q75 4 − q25 2
    }

    @Test
    fun oneSampleHasNoSpread() {
        val s = Statistics.summarize(longArrayOf(42))
        assertEquals(0.0, s.std)
        assertEquals(42.0, s.p99)
    }

    @Test
    fun emptyIsRefused() {
        assertFailsWith<IllegalArgumentException> { Statistics.summarize(LongArray(0)) }
    }

    /** Cases for tests/apps/test_kotlin_core.py, which compares them with results/stats.py. */
    @Test
    fun emitCasesForThePythonCrossCheck() {
        val rng = SplittableRandom(7)
        val cases = JsonArray()
        for (n in listOf(1, 2, 5, 10, 101, 1000)) {
            val samples = LongArray(n) { 1_000_000L + rng.nextLong(0, 500_000) + (if (it % 37 == 0) 3_000_000L else 0) }
            val case = JsonObject()
            case.add("samples", toJson(samples))
            case.add("summary", Statistics.summarize(samples).toJson())
            cases.add(case)
        }
        TestFiles.emit("stats_cases.json", Json.write(cases))
    }
}
