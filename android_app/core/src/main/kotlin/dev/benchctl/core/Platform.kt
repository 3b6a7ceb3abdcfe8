package dev.benchctl.core

import com.google.gson.JsonObject

/**
 * What a runner needs from the device it runs on. Android implements it with Build,
 * PowerManager and BatteryManager; tests implement it with fixed values.
 */
interface Platform {
    /** The result's `device` object; must contain `platform` ("android", "ios", "jvm"). */
    fun deviceFacts(): JsonObject

    /** Thermal states of this platform, coolest first (see [ThermalGate.ANDROID]). */
    val thermalScale: List<String>

    /** One reading for the gates plus the full snapshot recorded as environment before/after. */
    fun snapshot(): Snapshot

    /** Facts about this runner's build recorded once per result (e.g. is_debuggable). */
    fun buildFacts(): JsonObject = JsonObject()

    /** Where [memory]'s figures come from (the result's `memory.source`); null: not measured. */
    val memorySource: String? get() = null

    /**
     * This process's memory now. Read only at stage boundaries (before and after the load, after
     * the timed loop), never inside the timed loop: a reading may take milliseconds (Android's
     * PSS walks /proc/self/smaps).
     */
    fun memory(): MemoryReading? = null

    data class Snapshot(val reading: ThermalGate.Reading, val details: JsonObject)
}

/** One reading of a process's memory, bytes; null where the platform cannot tell. */
data class MemoryReading(val residentBytes: Long?, val nativeHeapBytes: Long? = null)

/**
 * The memory readings of one run, taken at its stage boundaries, as the result's `memory` entry:
 * the peak is the largest reading taken, not a kernel high-water mark (Android has none for
 * PSS), so a transient between two readings is missed; the source string says so.
 */
class MemoryTrack(private val source: String) {
    private var beforeLoad: MemoryReading? = null
    private var afterLoad: MemoryReading? = null
    private val readings = mutableListOf<MemoryReading>()

    fun beforeLoad(r: MemoryReading?) {
        beforeLoad = r
        r?.let { readings += it }
    }

    fun afterLoad(r: MemoryReading?) {
        afterLoad = r
        r?.let { readings += it }
    }

    fun sample(r: MemoryReading?) {
        r?.let { readings += it }
    }

    fun usage(): MemoryUsage =
        MemoryUsage(
            source = source,
            beforeLoadBytes = beforeLoad?.residentBytes,
            afterLoadBytes = afterLoad?.residentBytes,
            peakBytes = readings.mapNotNull { it.residentBytes }.maxOrNull(),
            nativeHeapAfterLoadBytes = afterLoad?.nativeHeapBytes,
            nativeHeapPeakBytes = readings.mapNotNull { it.nativeHeapBytes }.maxOrNull(),
        )
}

/** The JVM itself as a platform: used by tests and by `core` run outside a phone. */
class JvmPlatform : Platform {
    private companion object {
        val PROC_STATUS = java.io.File("/proc/self/status")
    }

    override fun deviceFacts(): JsonObject =
        jsonObjectOf(
            "platform" to "jvm",
            "os_name" to System.getProperty("os.name"),
            "os_arch" to System.getProperty("os.arch"),
            "java_version" to System.getProperty("java.version"),
            "cpu_count" to Runtime.getRuntime().availableProcessors(),
        )

    override val thermalScale: List<String> = ThermalGate.ANDROID

    /** Linux's VmRSS (the JVM's resident set); elsewhere not measured. */
    override val memorySource: String? get() = if (PROC_STATUS.isFile) "linux:/proc/self/status" else null

    override fun memory(): MemoryReading? {
        if (!PROC_STATUS.isFile) return null
        val line = PROC_STATUS.readLines().firstOrNull { it.startsWith("VmRSS:") } ?: return null
        val kib = line.removePrefix("VmRSS:").trim().split(Regex("\\s+")).firstOrNull()?.toLongOrNull()
        return MemoryReading(residentBytes = kib?.times(1024))
    }

    override fun snapshot(): Platform.Snapshot =
        Platform.Snapshot(
            ThermalGate.Reading(thermal = null, batteryPct = null, charging = null),
            jsonObjectOf("thermal" to null, "battery_pct" to null),
        )
}
