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

    data class Snapshot(val reading: ThermalGate.Reading, val details: JsonObject)
}

/** The JVM itself as a platform: used by tests and by `core` run outside a phone. */
class JvmPlatform : Platform {
    override fun deviceFacts(): JsonObject =
        jsonObjectOf(
            "platform" to "jvm",
            "os_name" to System.getProperty("os.name"),
            "os_arch" to System.getProperty("os.arch"),
            "java_version" to System.getProperty("java.version"),
            "cpu_count" to Runtime.getRuntime().availableProcessors(),
        )

    override val thermalScale: List<String> = ThermalGate.ANDROID

    override fun snapshot(): Platform.Snapshot =
        Platform.Snapshot(
            ThermalGate.Reading(thermal = null, batteryPct = null, charging = null),
            jsonObjectOf("thermal" to null, "battery_pct" to null),
        )
}
