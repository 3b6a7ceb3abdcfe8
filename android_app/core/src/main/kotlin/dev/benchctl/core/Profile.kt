package dev.benchctl.core

import com.google.gson.JsonArray
import com.google.gson.JsonObject

/**
 * The result's `profile` entry (result.schema.json): what a separate pass after the timed loop
 * found, per operator. [timed] false means placement only (the runtime gives no per-operator
 * time); [error] says why the pass failed, and the timed samples stand either way.
 */
data class Profile(
    val profiler: String,
    val operators: List<OperatorProfile>,
    val timed: Boolean? = null,
    val iterations: Int? = null,
    val wallMedianNs: Long? = null,
    val note: String? = null,
    val error: String? = null,
    val partitions: List<Partition>? = null,
)

/** One operator: [unit] is where it ran (a delegate, device or compute unit); null: unknown. */
data class OperatorProfile(
    val name: String,
    val opType: String,
    val unit: String?,
    val timeNs: Long? = null,
    val calls: Int? = null,
    val cost: Double? = null,
)

/** A delegate partition: which unit took which operators (by [OperatorProfile.name]). */
data class Partition(val unit: String, val operators: List<String>)

/** The `profile` object of a spec: how many profiled iterations to run after the timed loop. */
data class ProfileRequest(val iterations: Int) {
    companion object {
        /** The Python runner's default (benchctl/runner/backends/profile.py). */
        const val DEFAULT_ITERATIONS = 20
        const val MAX_ITERATIONS = 10_000
    }
}

/**
 * The result's `memory` entry, bytes; null where the platform cannot tell. The rss_* keys hold
 * the platform's resident figure named by [source] (PSS on Android, phys_footprint on iOS),
 * as the Python runner's hold VmRSS/VmHWM; native heap is Android's extra.
 */
data class MemoryUsage(
    val source: String,
    val beforeLoadBytes: Long?,
    val afterLoadBytes: Long?,
    val peakBytes: Long?,
    val devicePeakBytes: Long? = null,
    val deviceEngineBytes: Long? = null,
    val nativeHeapAfterLoadBytes: Long? = null,
    val nativeHeapPeakBytes: Long? = null,
)

/** The `profile` and `memory` entries as JSON, both ways; optional keys are written only when set. */
object ProfileCodec {
    fun toJson(p: Profile): JsonObject {
        val o = jsonObjectOf("profiler" to p.profiler)
        p.timed?.let { o.addProperty("timed", it) }
        p.iterations?.let { o.addProperty("iterations", it) }
        p.wallMedianNs?.let { o.addProperty("wall_median_ns", it) }
        p.note?.let { o.addProperty("note", it) }
        p.error?.let { o.addProperty("error", it) }
        val ops = JsonArray(p.operators.size)
        for (op in p.operators) {
            val e =
                jsonObjectOf(
                    "name" to op.name,
                    "op_type" to op.opType,
                    "unit" to op.unit,
                    "time_ns" to op.timeNs,
                    "calls" to op.calls,
                )
            op.cost?.let { e.addProperty("cost", it) }
            ops.add(e)
        }
        o.add("operators", ops)
        p.partitions?.let { parts ->
            o.add("partitions", toJson(parts.map { jsonObjectOf("unit" to it.unit, "operators" to it.operators) }))
        }
        return o
    }

    fun parseProfile(f: JsonFields): Profile =
        Profile(
            profiler = f.string("profiler"),
            operators =
                f.objects("operators").map { op ->
                    OperatorProfile(
                        name = op.string("name"),
                        opType = op.string("op_type"),
                        unit = op.optString("unit"),
                        timeNs = op.optLong("time_ns"),
                        calls = op.optInt("calls"),
                        cost = op.optDouble("cost"),
                    )
                },
            timed = f.optBoolean("timed"),
            iterations = f.optInt("iterations"),
            wallMedianNs = f.optLong("wall_median_ns"),
            note = f.optString("note"),
            error = f.optString("error"),
            partitions =
                f.optArray("partitions")?.let {
                    f.objects("partitions").map { part ->
                        val names = part.array("operators")
                        Partition(
                            part.string("unit"),
                            names.mapIndexed { i, s ->
                                if (!s.isJsonPrimitive || !s.asJsonPrimitive.isString) part.fail("operators/$i", "must be a string")
                                s.asString
                            },
                        )
                    }
                },
        )

    fun toJson(m: MemoryUsage): JsonObject {
        val o =
            jsonObjectOf(
                "source" to m.source,
                "rss_before_load_bytes" to m.beforeLoadBytes,
                "rss_after_load_bytes" to m.afterLoadBytes,
                "peak_rss_bytes" to m.peakBytes,
                "device_peak_bytes" to m.devicePeakBytes,
                "device_engine_bytes" to m.deviceEngineBytes,
            )
        m.nativeHeapAfterLoadBytes?.let { o.addProperty("native_heap_after_load_bytes", it) }
        m.nativeHeapPeakBytes?.let { o.addProperty("native_heap_peak_bytes", it) }
        return o
    }

    fun parseMemory(f: JsonFields): MemoryUsage =
        MemoryUsage(
            source = f.optString("source") ?: "unknown",
            beforeLoadBytes = f.optLong("rss_before_load_bytes"),
            afterLoadBytes = f.optLong("rss_after_load_bytes"),
            peakBytes = f.optLong("peak_rss_bytes"),
            devicePeakBytes = f.optLong("device_peak_bytes"),
            deviceEngineBytes = f.optLong("device_engine_bytes"),
            nativeHeapAfterLoadBytes = f.optLong("native_heap_after_load_bytes"),
            nativeHeapPeakBytes = f.optLong("native_heap_peak_bytes"),
        )

    /** The schema's rules a typed profile or memory entry can still break. */
    fun check(p: Profile?, m: MemoryUsage?) {
        fun fail(path: String, detail: String): Nothing = throw ContractException(path, detail)
        p?.let {
            if (it.operators.size > 100_000) fail("profile/operators", "at most 100000 operators")
            if ((it.iterations ?: 0) < 0) fail("profile/iterations", "must be ≥ 0")
            it.wallMedianNs?.let { w -> if (w < 0) fail("profile/wall_median_ns", "must be ≥ 0") }
            it.operators.forEachIndexed { i, op ->
                op.timeNs?.let { t ->
                    if (t < 0 || t > Contract.MAX_SAMPLE_NS) fail("profile/operators/$i/time_ns", "outside [0, 1 h]")
                }
                if ((op.calls ?: 0) < 0) fail("profile/operators/$i/calls", "must be ≥ 0")
                op.cost?.let { c -> if (!(c >= 0.0) || c.isInfinite()) fail("profile/operators/$i/cost", "must be a finite number ≥ 0") }
            }
        }
        m?.let {
            listOf(
                "rss_before_load_bytes" to it.beforeLoadBytes,
                "rss_after_load_bytes" to it.afterLoadBytes,
                "peak_rss_bytes" to it.peakBytes,
                "device_peak_bytes" to it.devicePeakBytes,
                "device_engine_bytes" to it.deviceEngineBytes,
                "native_heap_after_load_bytes" to it.nativeHeapAfterLoadBytes,
                "native_heap_peak_bytes" to it.nativeHeapPeakBytes,
            ).forEach { (k, v) -> if (v != null && v < 0) fail("memory/$k", "must be ≥ 0") }
        }
    }
}

/** The wall time of the profiled iterations, for a profile's `wall_median_ns`. */
object ProfiledPass {
    /**
     * Run [predictor] [iterations] times; the median wall time of one call in ns, the middle two
     * averaged and rounded half to even for an even count (Python's `round(statistics.median())`,
     * as the host's runner reports it).
     */
    fun wallMedianNs(predictor: Predictor, iterations: Int, clock: MonotonicClock): Long {
        require(iterations >= 1) { "iterations must be ≥ 1" }
        val walls = LongArray(iterations)
        for (i in 0 until iterations) {
            val t0 = clock.nanoTime()
            predictor.predict()
            walls[i] = clock.nanoTime() - t0
        }
        walls.sort()
        val mid = iterations / 2
        if (iterations % 2 == 1) return walls[mid]
        val sum = walls[mid - 1] + walls[mid]
        val low = Math.floorDiv(sum, 2L)
        return if (sum % 2L == 0L || low % 2L == 0L) low else low + 1
    }
}
