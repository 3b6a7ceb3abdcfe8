package dev.benchctl.core

import com.google.gson.JsonObject
import kotlin.math.sqrt

/**
 * Summary statistics of raw samples, with the definitions of benchctl/results/stats.py (the
 * host recomputes its own from the samples; this copy is for the app's status line and the
 * result's informational `timing_ns.summary`): percentiles by linear interpolation between
 * closest ranks (numpy's default), std with ddof = 1, MAD unscaled, IQR = q75 − q25, CV = std/mean.
 */
data class Summary(
    val count: Int,
    val min: Double,
    val max: Double,
    val mean: Double,
    val median: Double,
    val std: Double,
    val p90: Double,
    val p99: Double,
    val mad: Double,
    val iqr: Double,
    val cv: Double,
) {
    fun toJson(): JsonObject =
        jsonObjectOf(
            "count" to count,
            "min" to min,
            "max" to max,
            "mean" to mean,
            "median" to median,
            "std" to std,
            "p90" to p90,
            "p99" to p99,
            "mad" to mad,
            "iqr" to iqr,
            "cv" to cv,
        )
}

object Statistics {
    /** Summary of a non-empty sample; throws IllegalArgumentException on an empty one. */
    fun summarize(samples: LongArray): Summary {
        require(samples.isNotEmpty()) { "summarize needs at least one sample" }
        val x = DoubleArray(samples.size) { samples[it].toDouble() }.also { it.sort() }
        val n = x.size
        val mean = x.sum() / n
        val std = if (n > 1) sqrt(x.sumOf { (it - mean) * (it - mean) } / (n - 1)) else 0.0
        val median = percentileSorted(x, 50.0)
        val deviations = DoubleArray(n) { kotlin.math.abs(x[it] - median) }.also { it.sort() }
        return Summary(
            count = n,
            min = x[0],
            max = x[n - 1],
            mean = mean,
            median = median,
            std = std,
            p90 = percentileSorted(x, 90.0),
            p99 = percentileSorted(x, 99.0),
            mad = percentileSorted(deviations, 50.0),
            iqr = percentileSorted(x, 75.0) - percentileSorted(x, 25.0),
            cv = if (mean > 0) std / mean else Double.NaN,
        )
    }

    /** numpy.percentile(x, q) with the default "linear" method, for an ascending [sorted]. */
    fun percentileSorted(sorted: DoubleArray, q: Double): Double {
        require(sorted.isNotEmpty()) { "percentile of an empty sample" }
        require(q in 0.0..100.0) { "percentile must be in [0, 100], got $q" }
        val pos = q / 100.0 * (sorted.size - 1)
        val lo = pos.toInt()
        val hi = minOf(lo + 1, sorted.size - 1)
        val frac = pos - lo
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }
}
