package dev.benchctl.core

/**
 * Thermal and battery gates: decide, before timing, whether the device may start, must cool
 * down first, or must not run at all. The platform supplies the readings (Android
 * `PowerManager.currentThermalStatus`, iOS `ProcessInfo.thermalState`); this class holds only
 * the decisions, so they are unit-tested without a device.
 *
 * Thermal states are ordered names; each platform passes its own scale, coolest first.
 */
class ThermalGate(private val scale: List<String>, private val gates: Gates) {
    /** One reading of the device's state; null fields are unknown on this device/OS version. */
    data class Reading(val thermal: String?, val batteryPct: Int?, val charging: Boolean?)

    sealed interface Decision {
        data object Proceed : Decision

        /** Too hot now; try again after [waitMs] (the cool-down budget is not yet spent). */
        data class CoolDown(val waitMs: Long, val reason: String) : Decision

        /** Do not run; [status] and [code] go into the result document. */
        data class Refuse(val status: Status, val code: String, val reason: String) : Decision
    }

    init {
        gates.maxThermalStatus?.let {
            require(it in scale) { "max_thermal_status \"$it\" is not one of $scale" }
        }
    }

    fun rank(state: String?): Int? = state?.let { scale.indexOf(it).takeIf { i -> i >= 0 } }

    /**
     * Decide from [reading] how to proceed, [waitedMs] into the cool-down. A device too hot after
     * `cooldown_s` is a `thermal_abort`; an unknown thermal state never blocks (it is recorded).
     */
    fun decide(reading: Reading, waitedMs: Long): Decision {
        val minBattery = gates.minBatteryPct
        if (minBattery != null && reading.batteryPct != null && reading.batteryPct < minBattery &&
            reading.charging != true
        ) {
            return Decision.Refuse(
                Status.ERROR,
                ErrorCodes.LOW_BATTERY,
                "battery at ${reading.batteryPct} % is below the spec's min_battery_pct $minBattery; " +
                    "charge the device",
            )
        }
        val limit = rank(gates.maxThermalStatus) ?: return Decision.Proceed
        val now = rank(reading.thermal) ?: return Decision.Proceed
        if (now <= limit) return Decision.Proceed
        val budgetMs = ((gates.cooldownS ?: 0.0) * 1000).toLong()
        val reason = "thermal state ${reading.thermal} is above the spec's max ${gates.maxThermalStatus}"
        if (waitedMs >= budgetMs) {
            return Decision.Refuse(
                Status.THERMAL_ABORT,
                ErrorCodes.THERMAL_LIMIT,
                "$reason after waiting ${waitedMs / 1000} s to cool down",
            )
        }
        return Decision.CoolDown(minOf(POLL_MS, budgetMs - waitedMs), reason)
    }

    /** Warnings to record after the run (e.g. the device got hotter while it was timed). */
    fun warnings(before: Reading, after: Reading): List<String> {
        val out = mutableListOf<String>()
        val b = rank(before.thermal)
        val a = rank(after.thermal)
        if (b != null && a != null && a > b) out += Warnings.THERMAL_ROSE
        if (before.charging != null && before.charging != after.charging) out += Warnings.CHARGING_CHANGED
        return out
    }

    companion object {
        const val POLL_MS = 5_000L

        /** Android's PowerManager.THERMAL_STATUS_* names, coolest first (API 29+). */
        val ANDROID = listOf("none", "light", "moderate", "severe", "critical", "emergency", "shutdown")

        /** iOS ProcessInfo.ThermalState names, coolest first. */
        val IOS = listOf("nominal", "fair", "serious", "critical")
    }
}
