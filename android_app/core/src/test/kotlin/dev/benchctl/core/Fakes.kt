package dev.benchctl.core

import com.google.gson.JsonObject
import java.io.File
import java.nio.ByteBuffer

/** A clock the test drives: each reading advances [tickNs]; predictors advance it further. */
class FakeClock(private val tickNs: Long = 1) : MonotonicClock {
    override val name = "fake"
    var now = 1_000_000L
    val sleeps = mutableListOf<Long>()

    override fun nanoTime(): Long {
        now += tickNs
        return now
    }

    override fun sleepMillis(ms: Long) {
        sleeps += ms
        now += ms * 1_000_000
    }
}

/**
 * A backend whose model "runs" by advancing a [FakeClock] by scripted durations, or, with no
 * clock, by really summing its input buffer (so real-clock tests time real work).
 */
class FakeBackend(
    private val clock: FakeClock? = null,
    private val durations: LongArray = longArrayOf(1000),
    private val modelInputs: List<TensorSpec>? = null,
    private val placement: Placement = Placement("cpu", delegatedNodes = 0, totalNodes = 12),
    private val failOnCall: Int = -1,
    private val profiler: ((Predictor, Int, MonotonicClock) -> Profile?)? = null,
) : Backend {
    override val name = "fake"
    override val formats = setOf("onnx", "tflite")
    var loaded: File? = null
    var closed = false
    var calls = 0

    override fun version() = "1.0-test"

    override fun accelerators() = listOf("cpu")

    override fun load(model: File, request: BackendRequest): LoadedModel {
        loaded = model
        return object : LoadedModel {
            override fun inputs(): List<TensorSpec> = modelInputs ?: error("test must give modelInputs")

            override fun placement() = placement

            override fun bind(tensors: List<TensorSpec>, seed: Long): Predictor {
                val buffers: List<ByteBuffer> = tensors.mapIndexed { i, t -> Inputs.allocate(t, seed + i) }
                return Predictor {
                    val n = calls++
                    if (n == failOnCall) throw IllegalStateException("delegate lost its context")
                    if (clock != null) {
                        clock.now += durations[n % durations.size]
                    } else {
                        var acc = 0.0
                        val b = buffers[0]
                        for (j in 0 until b.capacity() / 4) acc += b.getFloat(j * 4)
                        if (acc.isNaN()) throw IllegalStateException("inputs hold NaN")
                    }
                }
            }

            override fun profile(predictor: Predictor, iterations: Int, clock: MonotonicClock): Profile? =
                profiler?.invoke(predictor, iterations, clock)

            override fun close() {
                closed = true
            }
        }
    }
}

/**
 * A platform with scripted readings: one per snapshot, the last one repeating; with
 * [memoryReadings], one per memory() call the same way (none: memory is not measured).
 */
class FakePlatform(
    private val readings: List<ThermalGate.Reading>,
    private val memoryReadings: List<MemoryReading>? = null,
) : Platform {
    var snapshots = 0
    var memoryCalls = 0

    override val memorySource: String? get() = memoryReadings?.let { "test:scripted" }

    override fun memory(): MemoryReading? =
        memoryReadings?.let { it[minOf(memoryCalls++, it.size - 1)] }

    override fun deviceFacts(): JsonObject = jsonObjectOf("platform" to "jvm-test", "model" to "fake")

    override val thermalScale = ThermalGate.ANDROID

    override fun snapshot(): Platform.Snapshot {
        val r = readings[minOf(snapshots++, readings.size - 1)]
        return Platform.Snapshot(
            r,
            jsonObjectOf("thermal" to r.thermal, "battery_pct" to r.batteryPct, "charging" to r.charging),
        )
    }
}
