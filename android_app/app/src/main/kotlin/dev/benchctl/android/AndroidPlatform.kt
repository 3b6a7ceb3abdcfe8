package dev.benchctl.android

import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.content.pm.ApplicationInfo
import android.os.BatteryManager
import android.os.Build
import android.os.Debug
import android.os.PowerManager
import android.os.SystemClock
import com.google.gson.JsonObject
import dev.benchctl.core.MemoryReading
import dev.benchctl.core.Platform
import dev.benchctl.core.ThermalGate
import dev.benchctl.core.jsonObjectOf

/**
 * This phone as the core sees it: Build facts, PowerManager thermal status, battery state.
 * `getSystemService(Class)` is @Nullable in the SDK (A3): without a PowerManager the thermal and
 * power-save readings are unknown (null), never a crash.
 */
class AndroidPlatform(
    private val context: Context,
    private val sustainedMode: Boolean,
    private val windowFocused: Boolean? = null,
) : Platform {
    override val thermalScale = ThermalGate.ANDROID

    override fun deviceFacts(): JsonObject =
        jsonObjectOf(
            "platform" to "android",
            "manufacturer" to Build.MANUFACTURER,
            "model" to Build.MODEL,
            "device" to Build.DEVICE,
            "board" to Build.BOARD,
            "hardware" to Build.HARDWARE,
            "soc_manufacturer" to (if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) Build.SOC_MANUFACTURER else null),
            "soc_model" to (if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) Build.SOC_MODEL else null),
            "abi" to Build.SUPPORTED_ABIS.firstOrNull(),
            "os_version" to Build.VERSION.RELEASE,
            "sdk" to Build.VERSION.SDK_INT,
            "build_type" to Build.TYPE,
            "fingerprint" to Build.FINGERPRINT,
            "cpu_count" to Runtime.getRuntime().availableProcessors(),
        )

    override fun buildFacts(): JsonObject =
        jsonObjectOf(
            "is_debuggable" to ((context.applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE) != 0),
            "sustained_performance_mode" to sustainedMode,
            "window_focused" to windowFocused,
        )

    /**
     * PSS (Debug.getMemoryInfo's total, kB → bytes: this process's share of every page it maps,
     * the figure Android's own memory tools report) and the native heap's allocated bytes
     * (Debug.getNativeHeapAllocatedSize: LiteRT's tensors and arenas live there). Reading PSS
     * walks /proc/self/smaps (milliseconds), so the core reads it only between stages.
     */
    override val memorySource: String = "android:pss"

    override fun memory(): MemoryReading {
        val info = Debug.MemoryInfo()
        Debug.getMemoryInfo(info)
        return MemoryReading(residentBytes = info.totalPss * 1024L, nativeHeapBytes = Debug.getNativeHeapAllocatedSize())
    }

    override fun snapshot(): Platform.Snapshot {
        val power: PowerManager? = context.getSystemService(PowerManager::class.java)
        val thermal =
            if (power != null && Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
                ThermalGate.ANDROID.getOrNull(power.currentThermalStatus)
            } else {
                null
            }
        // NaN when the device has no forecast or when asked more than once a second.
        val headroom =
            if (power != null && Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                power.getThermalHeadroom(10).takeUnless { it.isNaN() }
            } else {
                null
            }
        val battery = context.registerReceiver(null, IntentFilter(Intent.ACTION_BATTERY_CHANGED))
        val level = battery?.getIntExtra(BatteryManager.EXTRA_LEVEL, -1) ?: -1
        val scale = battery?.getIntExtra(BatteryManager.EXTRA_SCALE, -1) ?: -1
        val pct = if (level >= 0 && scale > 0) level * 100 / scale else null
        val plugged = battery?.let { it.getIntExtra(BatteryManager.EXTRA_PLUGGED, 0) != 0 }
        val tempTenths = battery?.getIntExtra(BatteryManager.EXTRA_TEMPERATURE, Int.MIN_VALUE) ?: Int.MIN_VALUE
        val details =
            jsonObjectOf(
                "thermal" to thermal,
                "thermal_headroom_10s" to headroom,
                "battery_pct" to pct,
                "battery_temp_c" to (if (tempTenths != Int.MIN_VALUE) tempTenths / 10.0 else null),
                "charging" to plugged,
                "power_save_mode" to power?.isPowerSaveMode,
                "elapsed_realtime_ns" to SystemClock.elapsedRealtimeNanos(),
            )
        return Platform.Snapshot(ThermalGate.Reading(thermal, pct, plugged), details)
    }
}
